// Resizes and warps an image batch from C++, the kernels behind
// F.interpolate and F.grid_sample. The input file holds an "image" tensor
// (N, C, H, W) of float32, as Python writes it:
//   dyngraph.save({"image": x}, "image.safetensors")
//
//   warp image.safetensors out.safetensors
//
// writes "resized" (a bilinear resize to twice the size) and "rotated" (the
// resized image sampled on a grid turned by 30 degrees about the center,
// zeros outside), then prints their shapes.
#include <dyngraph/dyngraph.h>

#include <cmath>
#include <cstdio>

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s IMAGE OUT\n", argv[0]);
    return 2;
  }
  try {
    std::map<std::string, dg::Tensor> tensors = dg::load(argv[1]);
    auto found = tensors.find("image");
    if (found == tensors.end() || found->second.dim() != 4) {
      std::fprintf(stderr, "error: %s has no 4-D tensor named \"image\"\n", argv[1]);
      return 1;
    }
    const dg::Tensor& image = found->second;
    const int64_t n = image.sizes()[0], h = image.sizes()[2] * 2, w = image.sizes()[3] * 2;
    dg::Tensor resized = dg::interpolate(image, {h, w}, "bilinear");

    // The sampling grid: each output pixel's (x, y) in [-1, 1], turned by 30 degrees.
    const double angle = M_PI / 6, c = std::cos(angle), s = std::sin(angle);
    dg::Tensor xs = dg::linspace(-1, 1, w, dg::TensorOptions(dg::kFloat32)).view({1, w}).expand({h, w});
    dg::Tensor ys = dg::linspace(-1, 1, h, dg::TensorOptions(dg::kFloat32)).view({h, 1}).expand({h, w});
    dg::Tensor grid = dg::stack({xs * c - ys * s, xs * s + ys * c}, -1).unsqueeze(0).expand({n, h, w, 2});
    dg::Tensor rotated = dg::grid_sample(resized, grid, "bilinear", "zeros", /*align_corners=*/true);

    dg::save({{"resized", resized}, {"rotated", rotated}}, argv[2]);
    std::printf("resized %lld x %lld, rotated %lld x %lld\n", static_cast<long long>(resized.sizes()[2]),
                static_cast<long long>(resized.sizes()[3]), static_cast<long long>(rotated.sizes()[2]),
                static_cast<long long>(rotated.sizes()[3]));
  } catch (const dg::Error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return 0;
}
