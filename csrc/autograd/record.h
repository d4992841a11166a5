// Helpers ops use to record their backward nodes.
#pragma once

#include "dyngraph/autograd.h"
#include "dyngraph/ops.h"

namespace dg {

// Wires node to inputs (edges) and output (history); returns node.
template <class NodeT>
NodeT* record(Tensor& output, std::initializer_list<const Tensor*> inputs, intrusive_ptr<NodeT> node) {
  node->next_edges = collect_next_edges(inputs);
  set_history(output, node);
  return node.get();
}

// Same for several outputs (ops such as unbind/split).
template <class NodeT>
NodeT* record(std::vector<Tensor>& outputs, std::initializer_list<const Tensor*> inputs, intrusive_ptr<NodeT> node) {
  node->next_edges = collect_next_edges(inputs);
  set_history(outputs, node);
  return node.get();
}

// After an op overwrote all of t (fill_, random fills): its old value gets no gradient.
void mark_overwritten(Tensor& t, const char* op);

// Runs an in-place op under autograd: `compute(self_clone)` computes the new
// value out of place from a private copy of the old one (so saved tensors
// never see the in-place write); the value is then written into self and
// self takes the result's history.
template <class Compute>
Tensor& inplace_with_history(Tensor& self, const Compute& compute) {
  check_inplace(self);
  Tensor result = compute(clone(self));
  {
    NoGradGuard no_grad;
    copy_(self, result);
  }
  rebase_history(self, grad_fn(result), output_nr(result));
  return self;
}

}  // namespace dg
