// The row norms on one fused kernel (statistics and affine output in one
// pass per row): layer_norm, rms_norm, group_norm and instance_norm differ
// only in how they cut the input into rows and index their parameters
// (RowNormArgs). The backward is written with dyngraph ops from the saved
// statistics, so it is differentiable again.
#include "autograd/record.h"
#include "core/dispatch.h"
#include "dyngraph/ops.h"

namespace dg {

namespace {

// A normalized input seen as (samples, groups, channels, inner): statistics
// per (sample, group), affine parameters per (group, channel).
struct NormLayout {
  int64_t samples, groups, channels, inner;
  bool centered;
  Shape dims() const { return {samples, groups, channels, inner}; }
  Shape param_dims() const { return {1, groups, channels, 1}; }
};

struct RowNormBackward final : Node {
  SavedVariable x, weight;
  Tensor mean, rstd;  // (samples * groups, 1) in the statistics dtype
  NormLayout layout;
  double eps;
  Shape param_shape;  // the weight's (and bias's) own shape
  bool has_weight, has_bias;
  std::string op;
  std::string name() const override { return op; }
  void release_variables() override {
    x.reset();
    weight.reset();
  }
  // dx = rstd * (gw - mean(gw) - xhat * mean(gw * xhat)) over each (sample, group), gw = g * weight.
  TensorList apply(TensorList&& grads) override {
    if (!grad_enabled()) return fused(grads[0]);
    // create_graph: ops throughout, the statistics recomputed with history, so
    // the result is differentiable again.
    Tensor xv = x.unpack(this);
    Tensor g = reshape(grads[0], layout.dims()), x4 = reshape(xv, layout.dims());
    Tensor mu = layout.centered ? dg::mean(x4, {2, 3}, true) : Tensor();
    Tensor centered = layout.centered ? sub(x4, mu) : x4;
    Tensor inv = rsqrt(add(dg::mean(mul(centered, centered), {2, 3}, true), Scalar(eps)));
    Tensor xhat = mul(centered, inv);
    Tensor w = has_weight ? weight.unpack(this) : Tensor();
    Tensor gw = has_weight ? mul(g, reshape(w, layout.param_dims())) : g;
    Tensor inner = sub(gw, mul(xhat, dg::mean(mul(gw, xhat), {2, 3}, true)));
    if (layout.centered) inner = sub(inner, dg::mean(gw, {2, 3}, true));
    TensorList out{reshape(mul(inv, inner), xv.sizes())};
    out.push_back(has_weight ? reshape(sum(mul(g, xhat), {0, 3}), param_shape) : Tensor());
    out.push_back(has_bias ? reshape(sum(g, {0, 3}), param_shape) : Tensor());
    return out;
  }

  // One kernel pass for the input gradient and the per (row, channel) sums
  // that become the parameter gradients.
  TensorList fused(const Tensor& grad) {
    Tensor xv = x.unpack(this);
    const int64_t rows = layout.samples * layout.groups, n = layout.channels * layout.inner;
    const TensorOptions stat = TensorOptions(mean.dtype()).device(xv.device());
    Tensor x2 = reshape(contiguous(xv), {rows, n}), g2 = reshape(contiguous(to_dtype(grad, xv.dtype())), {rows, n});
    Tensor w = has_weight ? contiguous(weight.unpack(this)) : Tensor();
    Tensor gx = empty({rows, n}, TensorOptions(xv.dtype()).device(xv.device()));
    // zeros: with no elements per row (n == 0) the kernel is skipped, and the sums are 0.
    Tensor gx_sums = has_weight ? zeros({rows, layout.channels}, stat) : Tensor();
    Tensor g_sums = has_bias ? zeros({rows, layout.channels}, stat) : Tensor();
    if (rows > 0 && n > 0) {
      RowNormBackwardArgs args{&g2,  &x2, has_weight ? &w : nullptr, &mean, &rstd,
                               RowNormArgs{eps, layout.groups, layout.inner, layout.centered},
                               &gx, has_weight ? &gx_sums : nullptr, has_bias ? &g_sums : nullptr};
      checked_kernel(kernel_table(xv.device().type).row_norm_backward, "layer_norm_backward", xv.device())(args);
    }
    auto parameter_grad = [&](const Tensor& sums) {
      Tensor per_sample = reshape(sums, {layout.samples, layout.groups * layout.channels});
      return reshape(to_dtype(sum(per_sample, {0}), xv.dtype()), param_shape);
    };
    return {reshape(gx, xv.sizes()), has_weight ? parameter_grad(gx_sums) : Tensor(),
            has_bias ? parameter_grad(g_sums) : Tensor()};
  }
};

bool reduced_float(Dtype d) { return d == kFloat16 || d == kBFloat16; }

// PyTorch's accepted parameter dtypes: the input's, or float32 for a
// float16/bfloat16 input (what autocast makes of a float32 model). Returns
// whether the call is that mixed case.
bool check_param_dtypes(const Tensor& input, const std::optional<Tensor>& weight, const std::optional<Tensor>& bias) {
  bool all_input = true, all_float = true, any = false;
  for (const auto* p : {&weight, &bias})
    if (*p) {
      any = true;
      all_input = all_input && (*p)->dtype() == input.dtype();
      all_float = all_float && (*p)->dtype() == kFloat32;
    }
  if (!any || all_input) return false;
  DG_CHECK(reduced_float(input.dtype()) && all_float, Error,
           "mixed dtype (CPU): expect parameter to have scalar type of Float");
  return true;
}

// The shared forward: checks the dtype, runs the kernel over (samples *
// groups) rows and records the backward. A mixed call computes in float32.
Tensor row_norm(const Tensor& input, const std::optional<Tensor>& weight, const std::optional<Tensor>& bias,
                const NormLayout& layout, double eps, const char* kernel_name, const char* backward_name) {
  DG_CHECK(is_floating_point(input.dtype()), NotImplementedError, "\"", kernel_name, "\" not implemented for '",
           scalar_type_name(input.dtype()), "'");
  if (check_param_dtypes(input, weight, bias))
    return to_dtype(row_norm(to_dtype(input, kFloat32), weight, bias, layout, eps, kernel_name, backward_name),
                    input.dtype());
  Tensor x = contiguous(input);
  Tensor w = weight ? contiguous(*weight) : Tensor(), b = bias ? contiguous(*bias) : Tensor();
  const int64_t rows = layout.samples * layout.groups, n = layout.channels * layout.inner;
  const Dtype stat = input.dtype() == kFloat64 ? kFloat64 : kFloat32;
  Tensor y = empty(input.sizes(), TensorOptions(x.dtype()).device(x.device()));
  Tensor mean = empty({rows, 1}, TensorOptions(stat).device(x.device()));
  Tensor rstd = empty({rows, 1}, TensorOptions(stat).device(x.device()));
  if (rows > 0 && n > 0) {
    Tensor x2 = reshape(x, {rows, n});
    RowNormArgs args{eps, layout.groups, layout.inner, layout.centered};
    checked_kernel(kernel_table(x.device().type).row_norm, kernel_name, x.device())(
        x2, w.defined() ? &w : nullptr, b.defined() ? &b : nullptr, args, y, mean, rstd);
  }
  Tensor wt = weight ? *weight : Tensor(), bt = bias ? *bias : Tensor();
  if (any_requires_grad({&input, &wt, &bt})) {
    auto node = make_intrusive<RowNormBackward>();
    node->x = SavedVariable(input, false);
    if (weight) node->weight = SavedVariable(*weight, false);
    node->mean = mean;
    node->rstd = rstd;
    node->layout = layout;
    node->eps = eps;
    node->param_shape = weight ? weight->sizes() : bias ? bias->sizes() : IntArrayRef();
    node->has_weight = weight.has_value();
    node->has_bias = bias.has_value();
    node->op = backward_name;
    record(y, {&input, &wt, &bt}, node);
  }
  return y;
}

// The trailing-dims layout of layer_norm and rms_norm, after PyTorch's shape checks.
NormLayout trailing_layout(const Tensor& input, IntArrayRef normalized_shape, const std::optional<Tensor>& weight,
                           const std::optional<Tensor>& bias, bool centered) {
  const int64_t k = static_cast<int64_t>(normalized_shape.size());
  DG_CHECK(k > 0, Error, "Expected normalized_shape to be at least 1-dimensional, i.e., containing at least one "
           "element, but got normalized_shape = ", normalized_shape);
  for (const auto* p : {&weight, &bias})
    if (*p)
      DG_CHECK((*p)->sizes().equals(normalized_shape), Error, "Expected ", p == &weight ? "weight" : "bias",
               " to be of same shape as normalized_shape, but got ", p == &weight ? "weight" : "bias",
               " of shape ", (*p)->sizes(), " and normalized_shape = ", normalized_shape);
  bool matches = input.dim() >= k;
  for (int64_t i = 0; matches && i < k; ++i)
    matches = input.sizes()[static_cast<size_t>(input.dim() - k + i)] == normalized_shape[static_cast<size_t>(i)];
  DG_CHECK(matches, Error, "Given normalized_shape=", normalized_shape, ", expected input with shape [*, ",
           normalized_shape, "], but got input of size", input.sizes());
  int64_t n = 1;
  for (int64_t s : normalized_shape) n *= s;
  return {n ? input.numel() / n : 0, 1, n, 1, centered};
}

// PyTorch's default rms_norm eps: the machine epsilon of the type it computes
// in (float32 for float16 and bfloat16 inputs).
double machine_epsilon(Dtype d) { return d == kFloat64 ? 2.220446049250313e-16 : 1.1920928955078125e-07; }

}  // namespace

Tensor layer_norm(const Tensor& input, IntArrayRef normalized_shape, const std::optional<Tensor>& weight,
                  const std::optional<Tensor>& bias, double eps) {
  return row_norm(input, weight, bias, trailing_layout(input, normalized_shape, weight, bias, true), eps,
                  "LayerNormKernelImpl", "NativeLayerNormBackward0");
}

Tensor rms_norm(const Tensor& input, IntArrayRef normalized_shape, const std::optional<Tensor>& weight,
                std::optional<double> eps) {
  NormLayout layout = trailing_layout(input, normalized_shape, weight, std::nullopt, false);
  const double epsilon = eps ? *eps : machine_epsilon(input.dtype());
  // Unlike the other norms, PyTorch's rms_norm takes a weight of any floating dtype: it computes in the
  // input's opmath type and returns the input's dtype.
  if (weight && weight->dtype() != input.dtype() && is_floating_point(input.dtype()) &&
      is_floating_point(weight->dtype())) {
    const Dtype compute = input.dtype() == kFloat64 ? kFloat64 : kFloat32;
    Tensor y = row_norm(to_dtype(input, compute), to_dtype(*weight, compute), std::nullopt, layout, epsilon,
                        "rms_norm", "RmsNormBackward0");
    return to_dtype(y, input.dtype());
  }
  return row_norm(input, weight, std::nullopt, layout, epsilon, "rms_norm", "RmsNormBackward0");
}

Tensor group_norm(const Tensor& input, int64_t num_groups, const std::optional<Tensor>& weight,
                  const std::optional<Tensor>& bias, double eps) {
  DG_CHECK(input.dim() >= 2, Error, "Expected at least 2 dimensions for input tensor but received ", input.dim());
  DG_CHECK(num_groups > 0, Error, "Expected num groups to be greater than 0, got ", num_groups);
  const int64_t n = input.sizes()[0], c = input.sizes()[1];
  DG_CHECK(c % num_groups == 0, Error, "Expected number of channels in input to be divisible by num_groups, but got "
           "input of shape ", input.sizes(), " and num_groups=", num_groups);
  for (const auto* p : {&weight, &bias})
    if (*p)
      DG_CHECK((*p)->dim() == 1 && (*p)->numel() == c, Error, "Expected ", p == &weight ? "weight" : "bias",
               " to be a vector of size equal to the number of channels in input, but got ",
               p == &weight ? "weight" : "bias", " of shape ", (*p)->sizes(), " and input of shape ", input.sizes());
  const int64_t inner = n * c ? input.numel() / (n * c) : 0;
  return row_norm(input, weight, bias, {n, num_groups, c / num_groups, inner, true}, eps, "GroupNormKernelImpl",
                  "NativeGroupNormBackward0");
}

Tensor instance_norm(const Tensor& input, const std::optional<Tensor>& running_mean,
                     const std::optional<Tensor>& running_var, const std::optional<Tensor>& weight,
                     const std::optional<Tensor>& bias, bool use_input_stats, double momentum, double eps) {
  DG_CHECK(input.dim() >= 2, ValueError, "Expected more than 1 spatial element when training, got input size ",
           input.sizes());
  const int64_t n = input.sizes()[0], c = input.sizes()[1], count = n * c ? input.numel() / (n * c) : 0;
  for (const auto* p : {&running_mean, &running_var})  // PyTorch repeats them per sample
    if (*p)
      DG_CHECK((*p)->dim() <= 1, Error,
               "Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor");
  for (const auto* p : {&running_mean, &running_var, &weight, &bias})
    if (*p)
      DG_CHECK((*p)->numel() == c, Error, p == &weight ? "weight" : p == &bias ? "bias" : p == &running_mean
               ? "running_mean" : "running_var", " should contain ", c, " elements not ", (*p)->numel());
  DG_CHECK(running_mean.has_value() == running_var.has_value(), ValueError,
           "running_mean and running_var must either both be None or neither be None");
  if (!use_input_stats) {
    DG_CHECK(running_mean.has_value(), Error,
             "Expected running_mean and running_var to be defined when use_input_stats is false");
    return batch_norm(input, running_mean, running_var, weight, bias, false, momentum, eps);
  }
  DG_CHECK(count > 1, ValueError, "Expected more than 1 spatial element when training, got input size ",
           input.sizes());
  if (running_mean) {
    NoGradGuard no_grad;
    Tensor rows = reshape(input.detach(), {n, c, count});
    Tensor rm = *running_mean, rv = *running_var;
    Tensor batch_mean = to_dtype(dg::mean(dg::mean(rows, {2}), {0}), rm.dtype());
    Tensor batch_var = to_dtype(dg::mean(var(rows, {2}, 1.0), {0}), rv.dtype());
    copy_(rm, add(mul(rm, Scalar(1 - momentum)), mul(batch_mean, Scalar(momentum))));
    copy_(rv, add(mul(rv, Scalar(1 - momentum)), mul(batch_var, Scalar(momentum))));
  }
  return row_norm(input, weight, bias, {n, c, 1, count, true}, eps, "instance_norm", "NativeBatchNormBackward0");
}

// x / (k + alpha * (mean of x^2 over `size` neighbouring channels,
// zero-padded))^beta, as PyTorch computes it: the window means are an average
// pool over the channel axis of the padded squares (direct sums, so a large
// channel does not cancel its small neighbours as a cumulative sum would).
Tensor local_response_norm(const Tensor& input, int64_t size, double alpha, double beta, double k) {
  DG_CHECK(input.dim() >= 3, ValueError, "Expected 3D or higher dimensionality input (got ", input.dim(),
           " dimensions)");
  DG_CHECK(size > 0, Error, "kernel size should be greater than zero, but got kH: ", size, " kW: 1");
  if (input.numel() == 0) return input;
  const int64_t n = input.sizes()[0], c = input.sizes()[1], spatial = input.numel() / (n * c);
  auto padding = [&](int64_t channels) {
    return zeros({n, 1, channels, spatial}, TensorOptions(input.dtype()).device(input.device()));
  };
  Tensor squares = reshape(square(input), {n, 1, c, spatial});
  Tensor padded = cat({padding(size / 2), squares, padding((size - 1) / 2)}, 2);
  Tensor window = reshape(avg_pool(padded, {size, 1}, {1, 1}, {0, 0}), input.sizes());
  return div(input, pow(add(mul(window, Scalar(alpha)), Scalar(k)), Scalar(beta)));
}

}  // namespace dg

// ---- batch_norm --------------------------------------------------------------------------------

namespace dg {

namespace {

// Channel statistics viewed to broadcast over (N, C, *).
Tensor per_channel(const Tensor& t, const Tensor& like) {
  Shape shape(static_cast<size_t>(like.dim()), 1);
  shape[1] = like.sizes()[1];
  return reshape(t, shape);
}

// Training-mode backward from the saved batch statistics:
// dx = rstd * (gw - mean(gw) - xhat * mean(gw * xhat)), means over all dims but 1.
struct BatchNormBackward final : Node {
  SavedVariable x, weight;
  Tensor mean, rstd;  // (C) statistics dtype
  double eps;
  bool training, has_weight, has_bias;
  std::string name() const override { return "NativeBatchNormBackward0"; }
  void release_variables() override {
    x.reset();
    weight.reset();
  }
  TensorList apply(TensorList&& grads) override {
    Tensor xv = x.unpack(this), g = grads[0];
    Shape dims{0};
    for (int64_t d = 2; d < xv.dim(); ++d) dims.push_back(d);
    Tensor mu = per_channel(to_dtype(mean, xv.dtype()), xv), inv = per_channel(to_dtype(rstd, xv.dtype()), xv);
    if (training && grad_enabled()) {  // create_graph: batch statistics with history, so this is differentiable again
      mu = dg::mean(xv, dims, true);
      Tensor centered = sub(xv, mu);
      inv = rsqrt(add(dg::mean(mul(centered, centered), dims, true), Scalar(eps)));
    }
    Tensor xhat = mul(sub(xv, mu), inv);
    Tensor w = has_weight ? weight.unpack(this) : Tensor();
    Tensor gw = has_weight ? mul(g, per_channel(w, xv)) : g;
    Tensor gx = training ? mul(inv, sub(sub(gw, dg::mean(gw, dims, true)), mul(xhat, dg::mean(mul(gw, xhat), dims, true))))
                         : mul(gw, inv);
    TensorList out{gx};
    out.push_back(has_weight ? sum(mul(g, xhat), dims) : Tensor());
    out.push_back(has_bias ? sum(g, dims) : Tensor());
    return out;
  }
};

}  // namespace

std::pair<Tensor, Tensor> batch_norm_stats(const Tensor& input) {
  DG_CHECK(input.dim() >= 2, Error, "batch_norm: expected an input with at least 2 dims, got ", input.sizes());
  DG_CHECK(is_floating_point(input.dtype()), NotImplementedError,
           "\"batch_norm\" not implemented for '", dtype_name(input.dtype()),
           "'");
  const int64_t n = input.sizes()[0], c = input.sizes()[1], s = c && n ? input.numel() / (n * c) : 0;
  Dtype stat = input.dtype() == kFloat64 ? kFloat64 : kFloat32;
  TensorOptions opts = TensorOptions(stat).device(input.device());
  Tensor mean = empty({c}, opts), var = empty({c}, opts);
  Tensor x = reshape(contiguous(input), {n, c, s});
  if (c > 0)
    checked_kernel(kernel_table(x.device().type).channel_moments, "batch_norm", x.device())(x, mean, var);
  return {mean, var};
}

Tensor batch_norm(const Tensor& input, const std::optional<Tensor>& running_mean,
                  const std::optional<Tensor>& running_var, const std::optional<Tensor>& weight,
                  const std::optional<Tensor>& bias, bool training, double momentum, double eps) {
  DG_CHECK(input.dim() >= 2, ValueError, "batch_norm: expected at least 2D input (got ", input.dim(), "D input)");
  const int64_t c = input.sizes()[1];
  for (const auto* t : {&running_mean, &running_var, &weight, &bias})
    if (*t)
      DG_CHECK((*t)->numel() == c, Error, "batch_norm: expected running statistics, weight and bias with ", c,
               " elements, got ", (*t)->sizes());
  Tensor mean, rstd;
  {
    NoGradGuard no_grad;
    if (training) {
      const int64_t count = c ? input.numel() / c : 0;
      DG_CHECK(count > 1, ValueError, "Expected more than 1 value per channel when training, got input size ",
               input.sizes());
      auto [m, var] = batch_norm_stats(input);
      mean = m;
      rstd = rsqrt(add(var, Scalar(eps)));
      if (running_mean && running_var) {
        Tensor rm = *running_mean, rv = *running_var;
        copy_(rm, add(mul(rm, Scalar(1 - momentum)), mul(to_dtype(m, rm.dtype()), Scalar(momentum))));
        Tensor unbiased = mul(to_dtype(var, rv.dtype()), Scalar(static_cast<double>(count) / (count - 1)));
        copy_(rv, add(mul(rv, Scalar(1 - momentum)), mul(unbiased, Scalar(momentum))));
      }
    } else {
      DG_CHECK(running_mean && running_var, Error, "running_mean and running_var must be defined in evaluation mode");
      Dtype stat = input.dtype() == kFloat64 ? kFloat64 : kFloat32;
      mean = to_dtype(*running_mean, stat);
      rstd = rsqrt(add(to_dtype(*running_var, stat), Scalar(eps)));
    }
  }
  // y = x * scale + shift, one fused pass: scale = rstd * w, shift = b - mean * scale.
  Tensor y;
  {
    NoGradGuard no_grad;
    Tensor scale = weight ? mul(rstd, to_dtype(*weight, rstd.dtype())) : rstd;
    Tensor shift = neg(mul(mean, scale));
    if (bias) shift = add(shift, to_dtype(*bias, shift.dtype()));
    y = addcmul(per_channel(to_dtype(shift, input.dtype()), input), input,
                per_channel(to_dtype(scale, input.dtype()), input));
  }
  Tensor wt = weight ? *weight : Tensor(), bt = bias ? *bias : Tensor();
  if (any_requires_grad({&input, &wt, &bt})) {
    auto node = make_intrusive<BatchNormBackward>();
    node->x = SavedVariable(input, false);
    if (weight) node->weight = SavedVariable(*weight, false);
    node->mean = mean;
    node->rstd = rstd;
    node->training = training;
    node->eps = eps;
    node->has_weight = weight.has_value();
    node->has_bias = bias.has_value();
    record(y, {&input, &wt, &bt}, node);
  }
  return y;
}

}  // namespace dg
