// The class-index losses: nll_loss and cross_entropy for every shape PyTorch
// takes ((C) with a 0-d target, (N, C) with (N), (N, C, d1, ...) with (N, d1,
// ...)). Both see the input as dense (outer, C, inner) and the targets as
// (outer, inner). The per-position terms come from one kernel that also
// checks the targets; the backward scatters into the target classes with
// another. Under create_graph the backward is written with dyngraph ops, so
// it is differentiable again.
#include "autograd/record.h"
#include "core/dispatch.h"
#include "dyngraph/ops.h"

namespace dg {

namespace {

// Where the classes are: input (outer, classes, inner), target (outer, inner).
struct ClassLayout {
  int64_t outer, classes, inner;
  Shape loss_shape;  // the shape of reduction 'none'
};

void check_reduction(const std::string& reduction) {
  DG_CHECK(reduction == "mean" || reduction == "sum" || reduction == "none", ValueError, reduction,
           " is not a valid value for reduction");
}

// PyTorch's shape checks of nll_loss (and of cross_entropy with class indices).
ClassLayout class_layout(const Tensor& input, const Tensor& target) {
  DG_CHECK(input.dim() >= 1, Error, "Expected 1 or more dimensions (got 0)");
  if (input.dim() == 1) {
    DG_CHECK(target.dim() == 0 || (target.dim() == 1 && target.numel() == 1), ValueError,
             "For 1D input, 1D target must have size 1, but got target size: ", target.numel());
    return {1, input.sizes()[0], 1, {}};
  }
  DG_CHECK(target.dim() >= 1 && input.sizes()[0] == target.sizes()[0], ValueError, "Expected input batch_size (",
           input.sizes()[0], ") to match target batch_size (", target.dim() ? target.sizes()[0] : 0, ").");
  Shape expected{input.sizes()[0]};
  for (int64_t d = 2; d < input.dim(); ++d) expected.push_back(input.sizes()[static_cast<size_t>(d)]);
  DG_CHECK(target.sizes().equals(expected), Error, "Expected target size ", expected, ", got ",
           target.sizes());
  const int64_t outer = input.sizes()[0], classes = input.sizes()[1];
  int64_t inner = 1;
  for (int64_t d = 2; d < input.dim(); ++d) inner *= input.sizes()[static_cast<size_t>(d)];
  return {outer, classes, inner, expected};
}

// The targets as dense int64 on the input's device (PyTorch's device rule: no implicit moves).
Tensor class_targets(const Tensor& target, const Tensor& input) {
  DG_CHECK(target.dtype() == kInt64 || target.dtype() == kUInt8, Error,
           "expected target dtype to be Long or Byte, but got ", scalar_type_name(target.dtype()));
  DG_CHECK(target.device() == input.device(), Error, "Expected all tensors to be on the same device, but found at "
           "least two devices, ", input.device().str(), " and ", target.device().str(), "!");
  return contiguous(to_dtype(target, kInt64));
}

void check_class_weight(const std::optional<Tensor>& weight, const Tensor& input, int64_t classes) {
  if (!weight) return;
  DG_CHECK(weight->dim() == 1 && weight->numel() == classes, Error, "weight tensor should be defined either for all ",
           classes, " classes or no classes but got weight tensor of shape: ", weight->sizes());
  DG_CHECK(weight->dtype() == input.dtype(), Error, "expected scalar type ", scalar_type_name(input.dtype()),
           " but found ", scalar_type_name(weight->dtype()));
  DG_CHECK(weight->device() == input.device(), Error, "Expected all tensors to be on the same device, but found at "
           "least two devices, ", input.device().str(), " and ", weight->device().str(), "!");
}

// The per-position terms of dense (outer, C, inner) log-probabilities:
// -logp[target] * weight[target] and weight[target], each (outer, inner).
std::pair<Tensor, Tensor> nll_terms(const Tensor& log_probs, const Tensor& target, const std::optional<Tensor>& weight,
                                    int64_t ignore_index) {
  const Device device = log_probs.device();
  const Shape shape{log_probs.sizes()[0], log_probs.sizes()[2]};
  Tensor losses = empty(shape, TensorOptions(log_probs.dtype()).device(device));
  Tensor sample_weights = empty(shape, TensorOptions(log_probs.dtype()).device(device));
  if (target.numel() == 0) return {losses, sample_weights};
  Tensor w = weight ? contiguous(*weight) : Tensor();
  Tensor bad = full({1}, Scalar(ignore_index), TensorOptions(kInt64).device(device));
  NllArgs args{&log_probs, &target, w.defined() ? &w : nullptr, ignore_index, &losses, &sample_weights, &bad};
  checked_kernel(kernel_table(device.type).nll, "nll_loss", device)(args);
  // One read of one value: the only host synchronisation of the loss.
  const int64_t first_bad = bad.item<int64_t>();
  DG_CHECK(first_bad == ignore_index, IndexError, "Target ", first_bad, " is out of bounds.");
  return {losses, sample_weights};
}

// The loss of each position reduced; 'mean' divides by the sum of the sample
// weights (NaN when every target is ignored, as PyTorch).
Tensor reduce_terms(const Tensor& losses, const Tensor& weight_sum, const std::string& reduction,
                    const ClassLayout& layout) {
  if (reduction == "none") return reshape(losses, layout.loss_shape);
  if (reduction == "sum") return sum(losses);
  return div(sum(losses), weight_sum);
}

// Shared by both backwards: the incoming gradient as a coefficient per
// position, and the scatter of `value` (outer, inner) into the target
// classes of a (outer, C, inner) gradient.
struct ClassLossBackward : Node {
  Tensor target;          // (outer, inner) int64
  Tensor sample_weights;  // (outer, inner)
  Tensor weight_sum;      // 0-d, for 'mean'
  std::string reduction;
  int64_t ignore_index = -100;
  ClassLayout layout{};

  Tensor coefficient(const Tensor& g) const {
    if (reduction == "none") return mul(sample_weights, reshape(g, {layout.outer, layout.inner}));
    if (reduction == "sum") return mul(sample_weights, g);
    // 0 when every target was ignored (NaN loss, zero gradient, as PyTorch).
    return mul(sample_weights, where(eq(weight_sum, 0), Scalar(0.0), div(g, weight_sum)));
  }
  Tensor scatter_to_targets(Tensor grad, const Tensor& value) const {
    if (grad_enabled()) {  // create_graph: differentiable ops (ignored targets carry a 0 value to class 0)
      Tensor safe = unsqueeze(where(ne(target, Scalar(ignore_index)), target, Scalar(0)), 1);
      return add(grad, scatter(zeros_like(grad), 1, safe, unsqueeze(value, 1)));
    }
    Tensor dense = contiguous(value);
    checked_kernel(kernel_table(grad.device().type).nll_scatter, "nll_loss_backward", grad.device())(
        grad, target, dense, ignore_index);
    return grad;
  }
};

struct NllLossBackward final : ClassLossBackward {
  Shape input_shape;
  std::string name() const override { return "NllLossBackward0"; }
  TensorList apply(TensorList&& grads) override {
    const Tensor& g = grads[0];
    Tensor grad = zeros({layout.outer, layout.classes, layout.inner}, TensorOptions(g.dtype()).device(g.device()));
    return {reshape(scatter_to_targets(grad, neg(coefficient(g))), input_shape)};
  }
};

// softmax * coefficient, minus the coefficient at the target class.
struct CrossEntropyBackward final : ClassLossBackward {
  SavedVariable input;
  Tensor log_probs;  // computed without history
  std::string name() const override { return "CrossEntropyLossBackward0"; }
  void release_variables() override {
    input.reset();
    log_probs = Tensor();
  }
  TensorList apply(TensorList&& grads) override {
    Tensor x = input.unpack(this);
    // Under create_graph, recompute log_softmax with history so the result is differentiable again.
    Tensor lp = grad_enabled() ? log_softmax(x, x.dim() == 1 ? 0 : 1) : log_probs;
    Tensor coef = coefficient(grads[0]);
    Tensor grad = mul(reshape(exp(lp), {layout.outer, layout.classes, layout.inner}), unsqueeze(coef, 1));
    return {reshape(scatter_to_targets(grad, neg(coef)), x.sizes())};
  }
};

template <class Backward>
void fill_class_backward(Backward& node, const Tensor& target, const Tensor& sample_weights,
                         const Tensor& weight_sum, const std::string& reduction, int64_t ignore_index,
                         const ClassLayout& layout) {
  node.target = reshape(target, {layout.outer, layout.inner});
  node.sample_weights = sample_weights;
  node.weight_sum = weight_sum;
  node.reduction = reduction;
  node.ignore_index = ignore_index;
  node.layout = layout;
}

// cross_entropy against class probabilities (the target has the input's
// shape), with label smoothing: -sum(weight * target * log_softmax) per sample.
Tensor cross_entropy_probabilities(const Tensor& input, const Tensor& target, const std::optional<Tensor>& weight,
                                   const std::string& reduction, double label_smoothing) {
  DG_CHECK(target.sizes().equals(input.sizes()), Error, "Expected target size ", input.sizes(), ", got ", target.sizes());
  const int64_t class_dim = input.dim() == 1 ? 0 : 1, classes = input.sizes()[static_cast<size_t>(class_dim)];
  Tensor logp = log_softmax(input, class_dim);
  Tensor p = label_smoothing > 0
                 ? add(mul(target, Scalar(1 - label_smoothing)), Scalar(label_smoothing / static_cast<double>(classes)))
                 : target;
  Tensor terms = mul(logp, p);
  if (weight) {
    check_class_weight(weight, input, classes);
    Shape shape(static_cast<size_t>(input.dim()), 1);
    shape[static_cast<size_t>(class_dim)] = classes;
    terms = mul(terms, reshape(*weight, shape));
  }
  Tensor loss = neg(sum(terms, {class_dim}));
  if (reduction == "none") return loss;
  if (reduction == "sum") return sum(loss);
  return div(sum(loss), Scalar(classes ? input.numel() / classes : 1));
}

}  // namespace

Tensor nll_loss(const Tensor& input, const Tensor& target, const std::optional<Tensor>& weight,
                const std::string& reduction, int64_t ignore_index) {
  check_reduction(reduction);
  const ClassLayout layout = class_layout(input, target);
  DG_CHECK(is_floating_point(input.dtype()), NotImplementedError, "\"nll_loss_out_frame\" not implemented for '",
           scalar_type_name(input.dtype()), "'");
  Tensor t = class_targets(target, input);
  check_class_weight(weight, input, layout.classes);
  Tensor losses, sample_weights, weight_sum, out;
  {
    NoGradGuard no_grad;
    Tensor lp = reshape(contiguous(input), {layout.outer, layout.classes, layout.inner});
    std::tie(losses, sample_weights) = nll_terms(lp, t, weight, ignore_index);
    if (reduction == "mean") weight_sum = sum(sample_weights);
    out = reduce_terms(losses, weight_sum, reduction, layout);
  }
  if (any_requires_grad({&input})) {
    auto node = make_intrusive<NllLossBackward>();
    fill_class_backward(*node, t, sample_weights, weight_sum, reduction, ignore_index, layout);
    node->input_shape = input.sizes();
    record(out, {&input}, node);
  }
  return out;
}

Tensor cross_entropy(const Tensor& input, const Tensor& target, const std::optional<Tensor>& weight,
                     const std::string& reduction, int64_t ignore_index, double label_smoothing) {
  check_reduction(reduction);
  DG_CHECK(label_smoothing >= 0.0 && label_smoothing <= 1.0, Error,
           "label_smoothing must be between 0.0 and 1.0. Got: ", label_smoothing);
  DG_CHECK(input.dim() >= 1, Error, "cross_entropy: expected an input with 1 or more dimensions (got 0)");
  if (is_floating_point(target.dtype()))
    return cross_entropy_probabilities(input, target, weight, reduction, label_smoothing);
  const ClassLayout layout = class_layout(input, target);
  Tensor t = class_targets(target, input);
  DG_CHECK(is_floating_point(input.dtype()), NotImplementedError,
           "\"log_softmax_lastdim_kernel_impl\" not implemented for '", scalar_type_name(input.dtype()), "'");
  check_class_weight(weight, input, layout.classes);
  const int64_t class_dim = input.dim() == 1 ? 0 : 1;
  if (label_smoothing > 0) {
    // (1 - eps) * nll + eps / C * (-sum_c weight[c] * logp[c]), over the targets that are not ignored.
    const Shape dense{layout.outer, layout.classes, layout.inner};
    Tensor logp = reshape(log_softmax(input, class_dim), dense);
    Tensor tt = reshape(t, {layout.outer, layout.inner});
    Tensor nll = nll_loss(logp, tt, weight, "none", ignore_index);
    Tensor terms = weight ? mul(logp, reshape(*weight, {1, layout.classes, 1})) : logp;
    Tensor valid = to_dtype(ne(tt, Scalar(ignore_index)), input.dtype());
    Tensor smooth = mul(neg(sum(terms, {1})), valid);
    Tensor loss = add(mul(nll, Scalar(1 - label_smoothing)),
                      mul(smooth, Scalar(label_smoothing / static_cast<double>(layout.classes))));
    if (reduction == "none") return reshape(loss, layout.loss_shape);
    if (reduction == "sum") return sum(loss);
    Tensor weight_sum;
    {
      NoGradGuard no_grad;
      Tensor safe = reshape(where(ne(tt, Scalar(ignore_index)), tt, Scalar(0)), {-1});
      weight_sum = sum(weight ? mul(valid, reshape(index_select(*weight, 0, safe), valid.sizes())) : valid);
    }
    return div(sum(loss), weight_sum);
  }
  Tensor log_probs, losses, sample_weights, weight_sum, out;
  {
    NoGradGuard no_grad;
    log_probs = log_softmax(input, class_dim);
    Tensor lp = reshape(log_probs, {layout.outer, layout.classes, layout.inner});
    std::tie(losses, sample_weights) = nll_terms(lp, t, weight, ignore_index);
    if (reduction == "mean") weight_sum = sum(sample_weights);
    out = reduce_terms(losses, weight_sum, reduction, layout);
  }
  if (any_requires_grad({&input})) {
    auto node = make_intrusive<CrossEntropyBackward>();
    fill_class_backward(*node, t, sample_weights, weight_sum, reduction, ignore_index, layout);
    node->input = SavedVariable(input, false);
    node->log_probs = log_probs;
    record(out, {&input}, node);
  }
  return out;
}

Tensor cross_entropy_indices(const Tensor& input, const Tensor& target, const std::optional<Tensor>& weight,
                             const std::string& reduction, int64_t ignore_index) {
  DG_CHECK(input.dim() == 2, Error, "cross_entropy_indices: expected a (N, C) input, got ", input.sizes());
  DG_CHECK(!is_floating_point(target.dtype()), Error, "cross_entropy_indices: expected class indices, got ",
           dtype_name(target.dtype()), " targets");
  return cross_entropy(input, target, weight, reduction, ignore_index, 0.0);
}

}  // namespace dg
