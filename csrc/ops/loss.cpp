// cross_entropy with class indices, fused: the log-softmax kernel forward,
// and a three-pass backward (softmax, scaled; minus the scaled one-hot),
// written with dyngraph ops so it is differentiable again.
#include "autograd/record.h"
#include "dyngraph/ops.h"

namespace dg {

namespace {

// Per-sample weights: weight[target] (or 1), 0 where target == ignore_index.
Tensor sample_weights(const Tensor& safe_target, const Tensor& valid, const std::optional<Tensor>& weight, Dtype dtype) {
  Tensor w = to_dtype(valid, dtype);
  if (weight) w = mul(w, index_select(to_dtype(*weight, dtype), 0, safe_target));
  return w;
}

struct CrossEntropyBackward final : Node {
  SavedVariable input;
  Tensor logp;                   // computed without history
  Tensor safe_target, sample_w;  // (M,) int64, (M,) input dtype
  Tensor weight_sum;             // 0-d, for 'mean'
  std::string reduction;
  std::string name() const override { return "CrossEntropyLossBackward0"; }
  // g / sum of weights; 0 when every target was ignored (NaN loss, zero gradient, as PyTorch).
  Tensor mean_scale(const Tensor& g) const { return where(eq(weight_sum, 0), Scalar(0.0), div(g, weight_sum)); }
  void release_variables() override {
    input.reset();
    logp = Tensor();
  }
  TensorList apply(TensorList&& grads) override {
    // Under create_graph, recompute log_softmax with history so the result is differentiable again.
    Tensor lp = grad_enabled() ? log_softmax(input.unpack(this), 1) : logp, g = grads[0];
    Tensor coef = reduction == "none" ? mul(sample_w, g)
                  : reduction == "sum" ? mul(sample_w, g)
                                       : mul(sample_w, mean_scale(g));
    Tensor grad = mul(exp(lp), unsqueeze(coef, 1));
    const int64_t m = lp.sizes()[0];
    Tensor rows = arange(Scalar(m), TensorOptions(kInt64).device(lp.device()));
    index_put_(grad, {{0, rows}, {1, safe_target}}, neg(coef), true);
    return {grad};
  }
};

}  // namespace

Tensor cross_entropy_indices(const Tensor& input, const Tensor& target, const std::optional<Tensor>& weight,
                             const std::string& reduction, int64_t ignore_index) {
  DG_CHECK(input.dim() == 2, Error, "cross_entropy_indices: expected a (N, C) input, got ", input.sizes());
  DG_CHECK(target.dim() == 1 && target.sizes()[0] == input.sizes()[0], ValueError, "Expected input batch_size (",
           input.sizes()[0], ") to match target batch_size (", target.dim() ? target.sizes()[0] : 1, ").");
  DG_CHECK(target.dtype() == kInt64, Error, "expected scalar type Long but found ", dtype_name(target.dtype()));
  DG_CHECK(reduction == "mean" || reduction == "sum" || reduction == "none", ValueError, reduction,
           " is not a valid value for reduction");
  const int64_t c = input.sizes()[1];
  if (weight)
    DG_CHECK(weight->dim() == 1 && weight->numel() == c, Error, "weight tensor should be defined either for all ", c,
             " classes or no classes but got weight tensor of shape: ", weight->sizes());
  Tensor logp, valid, safe, w;
  {
    NoGradGuard no_grad;
    logp = log_softmax(input, 1);
    valid = ne(target, Scalar(ignore_index));
    safe = where(valid, target, Scalar(0));
    if (safe.numel()) {
      int64_t lo = amin(safe).item<int64_t>(), hi = amax(safe).item<int64_t>();
      DG_CHECK(lo >= 0 && hi < c, IndexError, "Target ", hi >= c ? hi : lo, " is out of bounds.");
    }
    w = sample_weights(safe, valid, weight, input.dtype());
  }
  Tensor out, weight_sum;
  {
    NoGradGuard no_grad;
    Tensor picked = squeeze(gather(logp, 1, unsqueeze(safe, 1)), IntArrayRef(int64_t(1)));
    Tensor losses = neg(mul(picked, w));
    if (reduction == "none") {
      out = losses;
    } else if (reduction == "sum") {
      out = sum(losses);
    } else {
      weight_sum = sum(w);
      out = div(sum(losses), weight_sum);
    }
  }
  if (any_requires_grad({&input})) {
    auto node = make_intrusive<CrossEntropyBackward>();
    node->input = SavedVariable(input, false);
    node->logp = logp;
    node->safe_target = safe;
    node->sample_w = w;
    node->weight_sum = weight_sum;
    node->reduction = reduction;
    record(out, {&input}, node);
  }
  return out;
}

}  // namespace dg
