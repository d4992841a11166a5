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
  DG_CHECK(is_floating_point(input.dtype()), Error, "\"LayerNormKernelImpl\" not implemented for '",
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
