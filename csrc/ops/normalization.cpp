// layer_norm on the fused row kernel (statistics and affine output in one
// pass per row). Its backward is written with dyngraph ops from the saved
// statistics, so it is differentiable again.
#include "autograd/record.h"
#include "core/dispatch.h"
#include "dyngraph/ops.h"

namespace dg {

namespace {

struct LayerNormBackward final : Node {
  SavedVariable x, weight;
  Tensor mean, rstd;  // (rows, 1) in the statistics dtype
  int64_t rows, n;
  bool has_weight, has_bias;
  std::string name() const override { return "NativeLayerNormBackward0"; }
  void release_variables() override {
    x.reset();
    weight.reset();
  }
  TensorList apply(TensorList&& grads) override {
    Tensor xv = x.unpack(this);
    Tensor g = reshape(grads[0], {rows, n});
    Tensor x2 = reshape(xv, {rows, n});
    Tensor mu = to_dtype(mean, xv.dtype()), inv = to_dtype(rstd, xv.dtype());
    Tensor xhat = mul(sub(x2, mu), inv);
    Tensor w = has_weight ? weight.unpack(this) : Tensor();
    Tensor gw = has_weight ? mul(g, reshape(w, {n})) : g;
    Tensor gx = mul(inv, sub(sub(gw, mean_of(gw)), mul(xhat, mean_of(mul(gw, xhat)))));
    TensorList out{reshape(gx, xv.sizes())};
    out.push_back(has_weight ? reshape(sum(mul(g, xhat), {0}), w.sizes()) : Tensor());
    out.push_back(has_bias ? reshape(sum(g, {0}), w.defined() ? w.sizes() : IntArrayRef(Shape{n})) : Tensor());
    return out;
  }
  static Tensor mean_of(const Tensor& t) { return dg::mean(t, {1}, true); }
};

}  // namespace

Tensor layer_norm(const Tensor& input, IntArrayRef normalized_shape, const std::optional<Tensor>& weight,
                  const std::optional<Tensor>& bias, double eps) {
  const int64_t k = static_cast<int64_t>(normalized_shape.size());
  bool matches = k > 0 && input.dim() >= k;
  for (int64_t i = 0; matches && i < k; ++i)
    matches = input.sizes()[static_cast<size_t>(input.dim() - k + i)] == normalized_shape[static_cast<size_t>(i)];
  DG_CHECK(matches, Error, "Given normalized_shape=", normalized_shape, ", expected input with shape [*, ",
           normalized_shape, "], but got input of size", input.sizes());
  DG_CHECK(is_floating_point(input.dtype()), NotImplementedError, "\"LayerNormKernelImpl\" not implemented for '",
           dtype_name(input.dtype()), "'");
  int64_t n = 1;
  for (int64_t s : normalized_shape) n *= s;
  const int64_t rows = n ? input.numel() / n : 0;
  for (const auto* p : {&weight, &bias})
    if (*p)
      DG_CHECK((*p)->numel() == n && (*p)->dtype() == input.dtype(), Error, "layer_norm: expected weight and bias of "
               "shape ", normalized_shape, " and dtype ", dtype_name(input.dtype()), ", got ", (*p)->sizes(), " ",
               dtype_name((*p)->dtype()));
  Tensor x = contiguous(input);
  Tensor w = weight ? contiguous(*weight) : Tensor(), b = bias ? contiguous(*bias) : Tensor();
  Dtype stat = input.dtype() == kFloat64 ? kFloat64 : kFloat32;
  Tensor y = empty(input.sizes(), TensorOptions(x.dtype()).device(x.device()));
  Tensor mean = empty({rows, 1}, TensorOptions(stat).device(x.device()));
  Tensor rstd = empty({rows, 1}, TensorOptions(stat).device(x.device()));
  if (rows > 0 && n > 0) {
    Tensor x2 = reshape(x, {rows, n});
    checked_kernel(kernel_table(x.device().type).row_norm, "layer_norm", x.device())(
        x2, w.defined() ? &w : nullptr, b.defined() ? &b : nullptr, eps, y, mean, rstd);
  }
  Tensor wt = weight ? *weight : Tensor(), bt = bias ? *bias : Tensor();
  if (any_requires_grad({&input, &wt, &bt})) {
    auto node = make_intrusive<LayerNormBackward>();
    node->x = SavedVariable(input, false);
    if (weight) node->weight = SavedVariable(*weight, false);
    node->mean = mean;
    node->rstd = rstd;
    node->rows = rows;
    node->n = n;
    node->has_weight = weight.has_value();
    node->has_bias = bias.has_value();
    record(y, {&input, &wt, &bt}, node);
  }
  return y;
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
    node->has_weight = weight.has_value();
    node->has_bias = bias.has_value();
    record(y, {&input, &wt, &bt}, node);
  }
  return y;
}

}  // namespace dg
