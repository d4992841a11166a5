// Autograd pieces shared inside the library (not part of the public API).
#pragma once

#include "dyngraph/autograd.h"

namespace dg {

std::string current_anomaly_trace();

// The leaf accumulator node: adds incoming gradients into variable.grad.
struct DG_API AccumulateGrad final : Node {
  explicit AccumulateGrad(Tensor variable);
  ~AccumulateGrad() override;
  std::string name() const override { return "AccumulateGrad"; }
  TensorList apply(TensorList&& grads) override;
  Tensor variable;
};

// What a gradient hook returned, checked as PyTorch does: a hook may change a
// gradient's values, never its size, dtype or device (the engine and the
// fused optimizers size their reads by the tensor the gradient is for).
Tensor checked_hook_result(const Tensor& before, Tensor after);

// The leaf's register_hook hooks applied to g.
Tensor run_leaf_hooks(const Tensor& variable, Tensor g);

// Adds new_grad into t's .grad as AccumulateGrad does (used by backward(inputs=)).
void accumulate_grad(Tensor& variable, const Tensor& new_grad, bool run_hooks = true);

// Sums grad down to shape (the inverse of broadcasting); differentiable.
Tensor sum_to(const Tensor& grad, IntArrayRef shape);

// A view whose base got new history from an in-place op (after the view was
// made) reads its gradient off the base's new history: this rebuilds the
// view's grad_fn when needed. Cheap when nothing changed.
void refresh_view_history(const Tensor& t);

// A human-readable "[float32 [2, 3]]" for error messages.
std::string describe(const Tensor& t);

}  // namespace dg
