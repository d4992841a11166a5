// Convolution as im2col + GEMM, for 1 to 3 spatial dims, grouped, strided,
// dilated and transposed. The patch ops (im2col, col2im) are each other's
// adjoint, so each is the other's backward; convolution itself is written
// with them and matmul, so its backward (any order) comes from theirs.
#include "autograd/record.h"
#include "core/dispatch.h"
#include "dyngraph/ops.h"
#include "ops/autocast_policy.h"
#include "ops/window.h"

namespace dg {

Shape per_dim(IntArrayRef v, int64_t dims, const char* what, const char* op) {
  DG_CHECK(v.size() == 1 || static_cast<int64_t>(v.size()) == dims, Error, op, ": expected ", what,
           " to be a single integer value or a list of ", dims, " values to match the convolution dimensions, but got ",
           what, "=", v);
  Shape out(static_cast<size_t>(dims));
  for (int64_t d = 0; d < dims; ++d) out[static_cast<size_t>(d)] = v[v.size() == 1 ? 0 : static_cast<size_t>(d)];
  return out;
}

namespace {

// The spatial dims of a (batch, channels, *spatial) shape.
IntArrayRef spatial(IntArrayRef shape) { return IntArrayRef(shape.data() + 2, shape.size() - 2); }

// The im2col geometry of a (batch, channels, *image) tensor.
WindowArgs patch_args(Dtype dtype, int64_t batch, int64_t channels, IntArrayRef image, IntArrayRef kernel,
                      IntArrayRef dilation, IntArrayRef padding, IntArrayRef stride, const char* op) {
  const int64_t dims = static_cast<int64_t>(image.size());
  DG_CHECK(dims >= 1 && dims <= 3, ValueError, op, ": expected 1 to 3 spatial dims, got ", dims);
  Shape k = per_dim(kernel, dims, "kernel_size", op), dl = per_dim(dilation, dims, "dilation", op),
        p = per_dim(padding, dims, "padding", op), s = per_dim(stride, dims, "stride", op);
  WindowArgs a{};
  a.dtype = dtype;
  a.batch = batch;
  a.channels = channels;
  for (int64_t d = 0; d < 3; ++d) {
    a.image[d] = a.kernel[d] = a.out[d] = a.stride[d] = a.dilation[d] = 1;
    a.padding[d] = 0;
  }
  for (int64_t d = 0; d < dims; ++d) {
    size_t i = static_cast<size_t>(d);
    DG_CHECK(k[i] > 0, Error, op, ": kernel size should be greater than zero, but got kernel_size=", kernel);
    DG_CHECK(s[i] > 0, Error, op, ": stride should be greater than zero, but got stride=", stride);
    DG_CHECK(dl[i] > 0, Error, op, ": dilation should be greater than zero, but got dilation=", dilation);
    DG_CHECK(p[i] >= 0, Error, op, ": padding should be non-negative, but got padding=", padding);
    const int64_t span = window_span(k[i], dl[i], op), padded = padded_size(image[i], p[i], op);
    const int64_t out = (padded - span) / s[i] + 1;
    DG_CHECK(padded >= span && out > 0, Error, op, ": calculated output size is too small (input ",
             image, " with padding ", padding, ", kernel ", kernel, " and dilation ", dilation, ")");
    size_t j = static_cast<size_t>(3 - dims + d);  // right-align, so unused leading dims are 1
    a.image[j] = image[i];
    a.kernel[j] = k[i];
    a.out[j] = out;
    a.stride[j] = s[i];
    a.padding[j] = p[i];
    a.dilation[j] = dl[i];
  }
  return a;
}

// Below this many output positions per image, a batched convolution runs as
// one GEMM over the whole batch (CPU).
constexpr int64_t kOneGemmOutputs = 512;

int64_t kernel_volume(const WindowArgs& a) { return a.kernel[0] * a.kernel[1] * a.kernel[2]; }
int64_t out_volume(const WindowArgs& a) { return a.out[0] * a.out[1] * a.out[2]; }

Tensor run_im2col(const Tensor& image, const WindowArgs& a) {
  Tensor x = contiguous(image);
  const int64_t rows = a.channels * kernel_volume(a);
  Tensor cols = empty(a.batch_inner ? Shape{rows, a.batch, out_volume(a)} : Shape{a.batch, rows, out_volume(a)},
                      TensorOptions(x.dtype()).device(x.device()));
  if (cols.numel() > 0)
    checked_kernel(kernel_table(x.device().type).im2col, "im2col", x.device())(a, static_cast<const char*>(x.data_ptr()),
                                                                               static_cast<char*>(cols.data_ptr()));
  return cols;
}

Tensor run_col2im(const Tensor& cols, const WindowArgs& a, IntArrayRef image_size) {
  Tensor c = contiguous(cols);
  Shape shape{a.batch, a.channels};
  for (int64_t s : image_size) shape.push_back(s);
  Tensor image = zeros(shape, TensorOptions(c.dtype()).device(c.device()));
  if (image.numel() > 0 && c.numel() > 0)
    checked_kernel(kernel_table(c.device().type).col2im, "col2im", c.device())(a, static_cast<const char*>(c.data_ptr()),
                                                                              static_cast<char*>(image.data_ptr()));
  return image;
}

struct PatchBackward final : Node {
  WindowArgs args;
  Shape image_size;
  bool to_image;  // this node is im2col's backward (grad flows to the image)
  PatchBackward(const WindowArgs& a, IntArrayRef size, bool img) : args(a), image_size(size), to_image(img) {}
  std::string name() const override { return to_image ? "Im2ColBackward0" : "Col2ImBackward0"; }
  TensorList apply(TensorList&& grads) override {
    return {to_image ? col2im_with(grads[0]) : im2col_with(grads[0])};
  }
  Tensor col2im_with(const Tensor& g);
  Tensor im2col_with(const Tensor& g);
};

Tensor im2col_args(const Tensor& image, const WindowArgs& a, IntArrayRef image_size);
Tensor col2im_args(const Tensor& cols, const WindowArgs& a, IntArrayRef image_size);

Tensor PatchBackward::col2im_with(const Tensor& g) { return col2im_args(g, args, image_size); }
Tensor PatchBackward::im2col_with(const Tensor& g) { return im2col_args(g, args, image_size); }

Tensor im2col_args(const Tensor& image, const WindowArgs& a, IntArrayRef image_size) {
  Tensor out;
  {
    NoGradGuard no_grad;
    out = run_im2col(image, a);
  }
  if (any_requires_grad({&image})) record(out, {&image}, make_intrusive<PatchBackward>(a, image_size, true));
  return out;
}

Tensor col2im_args(const Tensor& cols, const WindowArgs& a, IntArrayRef image_size) {
  Tensor out;
  {
    NoGradGuard no_grad;
    out = run_col2im(cols, a, image_size);
  }
  if (any_requires_grad({&cols})) record(out, {&cols}, make_intrusive<PatchBackward>(a, image_size, false));
  return out;
}

}  // namespace

Tensor im2col(const Tensor& input, IntArrayRef kernel_size, IntArrayRef dilation, IntArrayRef padding,
              IntArrayRef stride) {
  DG_CHECK(input.dim() >= 3 && input.dim() <= 5, ValueError,
           "im2col: expected a (batch, channels, *spatial) input with 1 to 3 spatial dims, got shape ", input.sizes());
  IntArrayRef image = spatial(input.sizes());
  WindowArgs a = patch_args(input.dtype(), input.sizes()[0], input.sizes()[1], image, kernel_size, dilation, padding,
                            stride, "im2col");
  return im2col_args(input, a, image);
}

Tensor col2im(const Tensor& input, IntArrayRef output_size, IntArrayRef kernel_size, IntArrayRef dilation,
              IntArrayRef padding, IntArrayRef stride) {
  DG_CHECK(input.dim() == 3, ValueError, "col2im: expected a (batch, channels * prod(kernel_size), L) input, got shape ",
           input.sizes());
  int64_t dims = static_cast<int64_t>(output_size.size());
  Shape k = per_dim(kernel_size, dims, "kernel_size", "col2im");
  int64_t kv = 1;
  for (int64_t v : k) kv = checked_mul(kv, v, "col2im: kernel_size");
  DG_CHECK(kv > 0 && input.sizes()[1] % kv == 0, Error, "Expected size of input's dimension 1 to be divisible by the "
           "product of kernel_size, but got input.size(1)=", input.sizes()[1], " and kernel_size=", kernel_size);
  WindowArgs a = patch_args(input.dtype(), input.sizes()[0], input.sizes()[1] / kv, output_size, kernel_size, dilation,
                            padding, stride, "col2im");
  DG_CHECK(input.sizes()[2] == out_volume(a), Error, "Given output_size=", output_size, ", kernel_size=", kernel_size,
           ", dilation=", dilation, ", padding=", padding, ", stride=", stride, ", expected size of input's dimension 2 "
           "to match the calculated number of sliding blocks ", out_volume(a), ", but got input.size(2)=",
           input.sizes()[2], ".");
  return col2im_args(input, a, output_size);
}

Tensor convolution(const Tensor& input, const Tensor& weight, const std::optional<Tensor>& bias, IntArrayRef stride,
                   IntArrayRef padding, IntArrayRef dilation, bool transposed, IntArrayRef output_padding,
                   int64_t groups) {
  auto lower = [&](const Tensor& x, const Tensor& w, const std::optional<Tensor>& b) {
    return convolution(x, w, b, stride, padding, dilation, transposed, output_padding, groups);
  };
  if (auto out = autocast::run_lower_precision(input, lower, input, weight, bias)) return *out;
  const int64_t dims = weight.dim() - 2;
  DG_CHECK(dims >= 1 && dims <= 3, Error, "convolution: expected a weight with 3 to 5 dims, got shape ", weight.sizes());
  const bool batched = input.dim() == dims + 2;
  DG_CHECK(batched || input.dim() == dims + 1, Error, "Expected ", dims + 1, "D (unbatched) or ", dims + 2,
           "D (batched) input to conv", dims, "d, but got input of size: ", input.sizes());
  DG_CHECK(groups > 0, Error, "non-positive groups is not supported");
  DG_CHECK(is_floating_point(input.dtype()) || is_complex(input.dtype()), NotImplementedError,
           "\"conv\" not implemented for '",
           dtype_name(input.dtype()), "'");
  DG_CHECK(input.dtype() == weight.dtype(), Error, "Input type (", dtype_name(input.dtype()),
           ") and weight type (", dtype_name(weight.dtype()), ") should be the same");
  DG_CHECK(!bias || bias->dtype() == input.dtype(), Error, "Input type (", dtype_name(input.dtype()),
           ") and bias type (", dtype_name(bias->dtype()), ") should be the same");
  Tensor x = batched ? input : unsqueeze(input, 0);
  const int64_t n = x.sizes()[0], c_in = x.sizes()[1];
  IntArrayRef kernel = spatial(weight.sizes());
  IntArrayRef image = spatial(x.sizes());
  Tensor out;
  if (!transposed) {
    const int64_t c_out = weight.sizes()[0];
    DG_CHECK(c_out % groups == 0, Error, "out_channels must be divisible by groups");
    DG_CHECK(c_in == weight.sizes()[1] * groups, Error, "Given groups=", groups, ", weight of size ", weight.sizes(),
             ", expected input", x.sizes(), " to have ", weight.sizes()[1] * groups, " channels, but got ", c_in,
             " channels instead");
    WindowArgs a = patch_args(x.dtype(), n, c_in, image, kernel, dilation, padding, stride, "conv");
    Shape shape{n, c_out};
    for (int64_t d = 3 - dims; d < 3; ++d) shape.push_back(a.out[d]);
    const int64_t rows = c_in / groups * kernel_volume(a), outs = out_volume(a);
    if (groups == 1 && n > 1 && outs < kOneGemmOutputs && x.device().type == DeviceType::CPU) {
      // Small images: each image's product (c_out x rows) @ (rows x outs) is
      // too small for GEMM to run at speed. With the columns laid out
      // (rows, n, outs), one product covers the whole batch.
      a.batch_inner = true;
      Tensor cols = reshape(im2col_args(x, a, image), {rows, n * outs});
      Tensor prod = reshape(matmul(reshape(weight, {c_out, rows}), cols), {c_out, n, outs});
      out = reshape(transpose(prod, 0, 1), shape);
    } else {
      // cols (n, groups, rows, outs) and weight (groups, c_out/groups, rows): one product per image and group.
      Tensor cols = reshape(im2col_args(x, a, image), {n, groups, rows, outs});
      Tensor w = reshape(weight, {groups, c_out / groups, rows});
      out = reshape(matmul(w, cols), shape);
    }
  } else {
    const int64_t c_out = weight.sizes()[1] * groups;
    DG_CHECK(weight.sizes()[0] == c_in, Error, "Given transposed=1, weight of size ", weight.sizes(),
             ", expected input", x.sizes(), " to have ", weight.sizes()[0], " channels, but got ", c_in,
             " channels instead");
    DG_CHECK(c_in % groups == 0, Error, "in_channels must be divisible by groups");
    Shape s = per_dim(stride, dims, "stride", "conv_transpose"), p = per_dim(padding, dims, "padding", "conv_transpose"),
          dl = per_dim(dilation, dims, "dilation", "conv_transpose"),
          op = per_dim(output_padding, dims, "output_padding", "conv_transpose");
    Shape out_size;
    for (int64_t d = 0; d < dims; ++d) {
      size_t i = static_cast<size_t>(d);
      DG_CHECK(op[i] < s[i] || op[i] < dl[i], Error,
               "output padding must be smaller than either stride or dilation, but got output_padding=",
               output_padding, ", stride=", stride, ", dilation=", dilation);
      out_size.push_back((image[i] - 1) * s[i] - 2 * p[i] + dl[i] * (kernel[i] - 1) + op[i] + 1);
    }
    WindowArgs a = patch_args(x.dtype(), n, c_out, out_size, kernel, dilation, padding, stride, "conv_transpose");
    // One window per input position: output_padding can leave a margin that no window covers.
    int64_t l_in = 1;
    for (int64_t d = 0; d < dims; ++d) {
      a.out[3 - dims + d] = image[static_cast<size_t>(d)];
      l_in *= image[static_cast<size_t>(d)];
    }
    // cols (n, groups, c_out/groups * K, L_in) = w^T (groups, c_out/groups*K, c_in/groups) @ x (n, groups, c_in/groups, L_in)
    Tensor w = transpose(reshape(weight, {groups, c_in / groups, c_out / groups * kernel_volume(a)}), 1, 2);
    Tensor cols = matmul(w, reshape(x, {n, groups, c_in / groups, l_in}));
    out = col2im_args(reshape(cols, {n, c_out * kernel_volume(a), l_in}), a, out_size);
  }
  if (bias) {
    DG_CHECK(bias->dim() == 1 && bias->sizes()[0] == out.sizes()[1], Error, "Given weight of size ", weight.sizes(),
             ", expected bias to be 1-dimensional with ", out.sizes()[1], " elements, but got bias of size ",
             bias->sizes(), " instead");
    Shape bshape{out.sizes()[1]};
    for (int64_t d = 0; d < dims; ++d) bshape.push_back(1);
    // out is this op's own fresh tensor: without autograd the bias goes in
    // place, saving a pass over the output and its allocation.
    if (any_requires_grad({&input, &weight, &*bias}))
      out = add(out, reshape(*bias, bshape));
    else
      add_(out, reshape(*bias, bshape));
  }
  return batched ? out : squeeze(out, 0);
}

}  // namespace dg
