// Clearing parameters' gradients, shared by nn::Module::zero_grad and
// optim::Optimizer::zero_grad (internal).
#pragma once

#include <vector>

#include "dyngraph/autograd.h"

namespace dg {
namespace detail {

// set_to_none drops each gradient (PyTorch's default); otherwise existing
// gradients are detached from any graph and filled with zeros in place.
inline void zero_grads(const std::vector<Tensor>& params, bool set_to_none) {
  for (Tensor p : params) {
    Tensor g = grad(p);
    if (!g.defined()) continue;
    if (set_to_none) {
      set_grad(p, Tensor());
    } else {
      detach_(g);
      g.zero_();
    }
  }
}

}  // namespace detail
}  // namespace dg
