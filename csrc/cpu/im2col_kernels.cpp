// CPU im2col/col2im: the patch layout that turns convolution into GEMM.
// Both walk (batch, channel) planes in parallel; col2im accumulates each
// plane from its own columns only, so threads never write the same element.
#include "core/dispatch.h"
#include "cpu/parallel.h"

namespace dg::cpu {

namespace {

// Calls f(row, position, image_index) for every (kernel tap, output
// position) pair of one (batch, channel) plane: row is the tap, position the
// output's flat index, image_index < 0 for padding.
template <class F>
void for_each_tap(const WindowArgs& a, const F& f) {
  int64_t row = 0;
  for (int64_t k0 = 0; k0 < a.kernel[0]; ++k0)
    for (int64_t k1 = 0; k1 < a.kernel[1]; ++k1)
      for (int64_t k2 = 0; k2 < a.kernel[2]; ++k2, ++row) {
        int64_t pos = 0;
        for (int64_t o0 = 0; o0 < a.out[0]; ++o0) {
          int64_t i0 = o0 * a.stride[0] - a.padding[0] + k0 * a.dilation[0];
          bool in0 = i0 >= 0 && i0 < a.image[0];
          for (int64_t o1 = 0; o1 < a.out[1]; ++o1) {
            int64_t i1 = o1 * a.stride[1] - a.padding[1] + k1 * a.dilation[1];
            bool in01 = in0 && i1 >= 0 && i1 < a.image[1];
            int64_t base = (i0 * a.image[1] + i1) * a.image[2];
            int64_t i2 = -a.padding[2] + k2 * a.dilation[2];
            for (int64_t o2 = 0; o2 < a.out[2]; ++o2, ++pos, i2 += a.stride[2])
              f(row, pos, in01 && i2 >= 0 && i2 < a.image[2] ? base + i2 : -1);
          }
        }
      }
}

int64_t plane_size(const WindowArgs& a) { return a.image[0] * a.image[1] * a.image[2]; }
int64_t taps(const WindowArgs& a) { return a.kernel[0] * a.kernel[1] * a.kernel[2]; }
int64_t out_count(const WindowArgs& a) { return a.out[0] * a.out[1] * a.out[2]; }

// Where plane p's columns start in cols, and the distance between its rows:
// (batch, channels * taps, L) normally, (channels * taps, batch, L) with batch_inner.
struct ColsPlane {
  int64_t offset, row_stride;
};
ColsPlane cols_plane(const WindowArgs& a, int64_t p) {
  const int64_t rows = taps(a), L = out_count(a);
  if (!a.batch_inner) return {p * rows * L, L};
  const int64_t b = p / a.channels, ch = p % a.channels;
  return {(ch * rows * a.batch + b) * L, a.batch * L};
}

void im2col_kernel(const WindowArgs& a, const char* image, char* cols) {
  DG_DISPATCH_ALL(a.dtype, "im2col", [&] {
    const scalar_t* src = reinterpret_cast<const scalar_t*>(image);
    scalar_t* dst = reinterpret_cast<scalar_t*>(cols);
    const int64_t plane = plane_size(a), per_plane = taps(a) * out_count(a);
    parallel_for(0, a.batch * a.channels, std::max<int64_t>(1, kGrainSize / std::max<int64_t>(per_plane, 1)),
                 [&](int64_t b, int64_t e) {
                   for (int64_t p = b; p < e; ++p) {
                     const scalar_t* in = src + p * plane;
                     const ColsPlane c = cols_plane(a, p);
                     scalar_t* out = dst + c.offset;
                     for_each_tap(a, [&](int64_t row, int64_t pos, int64_t i) {
                       out[row * c.row_stride + pos] = i >= 0 ? in[i] : scalar_t(0);
                     });
                   }
                 });
  });
}

void col2im_kernel(const WindowArgs& a, const char* cols, char* image) {
  DG_DISPATCH_ALL(a.dtype, "col2im", [&] {
    const scalar_t* src = reinterpret_cast<const scalar_t*>(cols);
    scalar_t* dst = reinterpret_cast<scalar_t*>(image);
    const int64_t plane = plane_size(a), per_plane = taps(a) * out_count(a);
    parallel_for(0, a.batch * a.channels, std::max<int64_t>(1, kGrainSize / std::max<int64_t>(per_plane, 1)),
                 [&](int64_t b, int64_t e) {
                   for (int64_t p = b; p < e; ++p) {
                     scalar_t* out = dst + p * plane;
                     const ColsPlane c = cols_plane(a, p);
                     const scalar_t* in = src + c.offset;
                     for (int64_t i = 0; i < plane; ++i) out[i] = scalar_t(0);
                     for_each_tap(a, [&](int64_t row, int64_t pos, int64_t i) {
                       if (i >= 0) out[i] = static_cast<scalar_t>(out[i] + in[row * c.row_stride + pos]);
                     });
                   }
                 });
  });
}

}  // namespace

void register_im2col_kernels(KernelTable& t) {
  t.im2col = im2col_kernel;
  t.col2im = col2im_kernel;
}

}  // namespace dg::cpu
