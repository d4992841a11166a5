// Max pooling over 1 to 3 spatial dims with PyTorch's geometry (ceil_mode,
// padding at most half the kernel), and adaptive and fractional max pooling
// on the same kernels with adaptive and fractional windows. The backward scatters the gradient to
// the recorded argmax positions, with a differentiable scatter-add.
#include <algorithm>

#include "autograd/record.h"
#include "core/dispatch.h"
#include "dyngraph/ops.h"
#include "ops/window.h"

namespace dg {

namespace {

struct MaxPoolBackward final : Node {
  Tensor indices;  // (N, C, *out) flat positions in each input plane
  Shape input_sizes;
  WindowArgs args;
  const char* label;  // PyTorch's node name for this kind of pooling
  std::string name() const override { return label; }
  TensorList apply(TensorList&& grads) override {
    const Tensor& g = grads[0];
    // The device's kernel, unless the backward itself is being recorded
    // (create_graph): then the differentiable scatter-add below.
    MaxPoolBackwardKernel kernel = kernel_table(g.device().type).max_pool_backward;
    if (kernel && !grad_enabled()) {
      Tensor gc = contiguous(g);
      Tensor out = empty(input_sizes, TensorOptions(g.dtype()).device(g.device()));
      if (out.numel() > 0) {
        WindowArgs a = args;
        a.dtype = g.dtype();
        kernel(a, static_cast<const char*>(gc.data_ptr()), indices.data_ptr<int64_t>(), static_cast<char*>(out.data_ptr()));
      }
      return {out};
    }
    int64_t n = input_sizes[0], c = input_sizes[1], plane = 1;
    for (size_t d = 2; d < input_sizes.size(); ++d) plane *= input_sizes[d];
    Tensor zero = zeros({n, c, plane}, TensorOptions(g.dtype()).device(g.device()));
    Tensor out = scatter(zero, 2, reshape(indices, {n, c, -1}), reshape(g, {n, c, -1}), true);
    return {reshape(out, input_sizes)};
  }
};

// Runs the max pooling kernel over the windows `a` describes; values and argmax indices, recorded for autograd.
std::pair<Tensor, Tensor> run_max_pool(const Tensor& input, const WindowArgs& a, const Shape& out_shape,
                                       const char* op, const char* backward_name) {
  Tensor x = contiguous(input);
  Tensor values = empty(out_shape, TensorOptions(x.dtype()).device(x.device()));
  Tensor indices = empty(out_shape, TensorOptions(kInt64).device(x.device()));
  if (values.numel() > 0) {
    DG_CHECK(x.numel() > 0, Error, op, ": input has no elements but the output would have ", values.numel());
    checked_kernel(kernel_table(x.device().type).max_pool, "max_pool", x.device())(
        a, static_cast<const char*>(x.data_ptr()), static_cast<char*>(values.data_ptr()), indices.data_ptr<int64_t>());
  }
  if (any_requires_grad({&input})) {
    auto node = make_intrusive<MaxPoolBackward>();
    node->indices = indices;
    node->input_sizes = Shape(input.sizes());
    node->args = a;
    node->args.fractional_samples = nullptr;  // the backward reads only the indices
    node->label = backward_name;
    record(values, {&input}, node);
  }
  return {values, indices};
}

}  // namespace

int64_t pooled_size(int64_t size, int64_t kernel, int64_t stride, int64_t padding, int64_t dilation, bool ceil_mode,
                    const char* op) {
  DG_CHECK(kernel > 0 && stride > 0 && dilation > 0, Error, op,
           ": kernel_size, stride and dilation must be greater than zero, but got kernel_size=", kernel, ", stride=",
           stride, ", dilation=", dilation);
  DG_CHECK(padding >= 0 && padding <= kernel / 2, Error, "pad should be at most half of effective kernel size, but "
           "got pad=", padding, ", kernel_size=", kernel, " and dilation=", dilation);
  const int64_t span = window_span(kernel, dilation, op);
  int64_t room = padded_size(size, padding, op) - span;
  DG_CHECK(!ceil_mode || !__builtin_add_overflow(room, stride - 1, &room), Error, op, ": stride ", stride,
           " is too large");
  int64_t out = room / stride + 1;
  if (room < 0) out = 0;
  if (ceil_mode && out > 0 && (out - 1) * stride >= size + padding) --out;  // the last window must start inside
  DG_CHECK(out > 0, Error, "Given input size: ", size, ". Calculated output size is too small (", out, ")");
  return out;
}

std::pair<Tensor, Tensor> max_pool(const Tensor& input, IntArrayRef kernel_size, IntArrayRef stride,
                                   IntArrayRef padding, IntArrayRef dilation, bool ceil_mode) {
  const int64_t dims = input.dim() - 2;
  DG_CHECK(dims >= 1 && dims <= 3, Error, "max_pool: expected a (batch, channels, *spatial) input with 1 to 3 "
           "spatial dims, got shape ", input.sizes());
  const char* op = dims == 1 ? "max_pool1d" : dims == 2 ? "max_pool2d" : "max_pool3d";
  Shape k = per_dim(kernel_size, dims, "kernel_size", op);
  Shape s = stride.empty() ? k : per_dim(stride, dims, "stride", op);
  Shape p = per_dim(padding, dims, "padding", op), dl = per_dim(dilation, dims, "dilation", op);
  WindowArgs a{};
  a.dtype = input.dtype();
  a.batch = input.sizes()[0];
  a.channels = input.sizes()[1];
  for (int d = 0; d < 3; ++d) {
    a.image[d] = a.kernel[d] = a.out[d] = a.stride[d] = a.dilation[d] = 1;
    a.padding[d] = 0;
  }
  Shape out_shape{a.batch, a.channels};
  for (int64_t d = 0; d < dims; ++d) {
    size_t i = static_cast<size_t>(d), j = static_cast<size_t>(3 - dims + d);
    int64_t size = input.sizes()[static_cast<size_t>(2 + d)];
    const int64_t out = pooled_size(size, k[i], s[i], p[i], dl[i], ceil_mode, op);
    a.image[j] = size;
    a.kernel[j] = k[i];
    a.out[j] = out;
    a.stride[j] = s[i];
    a.padding[j] = p[i];
    a.dilation[j] = dl[i];
    out_shape.push_back(out);
  }
  return run_max_pool(input, a, out_shape, op, "MaxPoolWithIndicesBackward0");
}

std::pair<Tensor, Tensor> adaptive_max_pool(const Tensor& input, IntArrayRef output_size) {
  const int64_t dims = input.dim() - 2;
  DG_CHECK(dims >= 1 && dims <= 3, Error, "adaptive_max_pool: expected a (batch, channels, *spatial) input with 1 "
           "to 3 spatial dims, got shape ", input.sizes());
  const char* op = dims == 1 ? "adaptive_max_pool1d" : dims == 2 ? "adaptive_max_pool2d" : "adaptive_max_pool3d";
  DG_CHECK(static_cast<int64_t>(output_size.size()) == dims, Error, op, ": expected ", dims, " output sizes, got ",
           output_size);
  DG_CHECK(is_floating_point(input.dtype()), NotImplementedError, "\"", op, "\" not implemented for '",
           dtype_name(input.dtype()), "'");
  WindowArgs a{};
  a.dtype = input.dtype();
  a.batch = input.sizes()[0];
  a.channels = input.sizes()[1];
  a.adaptive = true;
  for (int d = 0; d < 3; ++d) {
    a.image[d] = a.kernel[d] = a.out[d] = a.stride[d] = a.dilation[d] = 1;
    a.padding[d] = 0;
  }
  Shape out_shape{a.batch, a.channels};
  for (int64_t d = 0; d < dims; ++d) {
    const size_t j = static_cast<size_t>(3 - dims + d);
    const int64_t size = input.sizes()[static_cast<size_t>(2 + d)], out = output_size[static_cast<size_t>(d)];
    int64_t product;
    DG_CHECK(out >= 0 && !__builtin_mul_overflow(size + 1, out + 1, &product), Error, op,
             ": output_size must be non-negative and fit the input, got ", output_size);
    a.image[j] = size;
    a.out[j] = out;
    a.kernel[j] = out > 0 ? std::min(size, (size + out - 1) / out + 1) : 1;  // the widest window
    out_shape.push_back(out);
  }
  // (PyTorch runs 1-d adaptive pooling as 2-d: its node is the 2-d one.)
  return run_max_pool(input, a, out_shape, op, dims == 3 ? "AdaptiveMaxPool3DBackward0" :
                      "AdaptiveMaxPool2DBackward0");
}

std::pair<Tensor, Tensor> fractional_max_pool(const Tensor& input, IntArrayRef kernel_size, IntArrayRef output_size,
                                              const Tensor& samples) {
  const int64_t dims = input.dim() - 2;
  DG_CHECK(dims == 2 || dims == 3, Error, "fractional_max_pool: expected a (batch, channels, *spatial) input with 2 "
           "or 3 spatial dims, got shape ", input.sizes());
  const char* op = dims == 2 ? "fractional_max_pool2d" : "fractional_max_pool3d";
  DG_CHECK(is_floating_point(input.dtype()), NotImplementedError, "\"", op, "\" not implemented for '",
           dtype_name(input.dtype()), "'");
  Shape k = per_dim(kernel_size, dims, "kernel_size", op), out = per_dim(output_size, dims, "output_size", op);
  for (int64_t d = 1; d < input.dim(); ++d)
    DG_CHECK(input.sizes()[static_cast<size_t>(d)] > 0, Error, op, "(): Expected input to have non-zero size for "
             "non-batch dimensions, but got", input.sizes(), " with dimension ", d, " being empty.");
  const int64_t batch = input.sizes()[0], channels = input.sizes()[1];
  DG_CHECK(samples.dim() == 3, Error, "Expect _random_samples to have 3 dimensions, got ", samples.dim());
  DG_CHECK(samples.sizes()[2] == dims, Error, "Expect _random_samples.size(2) equals to ", dims, "; got ",
           samples.sizes()[2], ".");
  DG_CHECK(samples.sizes()[0] >= batch, Error, "Expect _random_samples.size(0) no less then input batch size.");
  DG_CHECK(samples.sizes()[1] == channels, Error, "Expect _random_samples.size(1) equals to input channel size.");
  DG_CHECK(samples.dtype() == input.dtype(), Error, "Expect _random_samples to have the same dtype as input");
  DG_CHECK(samples.device() == input.device(), Error, "Expected _random_samples on ", input.device().str(), ", like the "
           "input, but it is on ", samples.device().str());
  static const char* const axis_names[3] = {"time", "height", "width"};
  WindowArgs a{};
  a.dtype = input.dtype();
  a.batch = batch;
  a.channels = channels;
  for (int d = 0; d < 3; ++d) {
    a.image[d] = a.kernel[d] = a.out[d] = a.stride[d] = a.dilation[d] = 1;
    a.padding[d] = 0;
  }
  Shape out_shape{batch, channels};
  for (int64_t d = 0; d < dims; ++d) {
    const size_t i = static_cast<size_t>(d), j = static_cast<size_t>(3 - dims + d);
    const int64_t size = input.sizes()[2 + i];
    DG_CHECK(k[i] > 0, Error, op, ": kernel_size must be greater than zero, but got ", kernel_size);
    DG_CHECK(out[i] >= 0, Error, "Trying to create tensor with negative dimension ", out[i], ": ", output_size);
    int64_t reach;
    DG_CHECK(!__builtin_add_overflow(out[i], k[i] - 1, &reach) && reach <= size, Error, op, "(): pool ",
             axis_names[j], " ", k[i], " too large relative to input ", axis_names[j], " ", size);
    a.image[j] = size;
    a.kernel[j] = k[i];
    a.out[j] = out[i];
    out_shape.push_back(out[i]);
  }
  // The kernels read one sample per axis of each plane, (planes, 3) in axis
  // order. PyTorch's 2-d samples are (width, height), its 3-d ones (time,
  // height, width): the 2-d pair is swapped behind a zero for the unused axis.
  Tensor u = narrow(samples, 0, 0, batch);
  if (dims == 2)
    u = cat({zeros({batch, channels, 1}, TensorOptions(u.dtype()).device(u.device())), narrow(u, 2, 1, 1),
             narrow(u, 2, 0, 1)}, 2);
  u = contiguous(u.detach());
  a.fractional_samples = u.data_ptr();
  return run_max_pool(input, a, out_shape, op, dims == 2 ? "FractionalMaxPool2DBackward0" :
                      "FractionalMaxPool3DBackward0");
}

}  // namespace dg
