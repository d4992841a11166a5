// Memory overlap between an output and an input of the same op. Writing
// through one view while reading another view of the same memory gives
// garbage unless the two are the same view, so such inputs are copied first.
#pragma once

#include "dyngraph/ops.h"

namespace dg {

// Element range [first, last] of storage that t touches.
inline std::pair<int64_t, int64_t> element_span(const Tensor& t) {
  int64_t first = t.storage_offset(), last = first;
  for (int64_t d = 0; d < t.dim(); ++d) last += (t.sizes()[d] - 1) * t.strides()[d];
  return {first, last};
}

// input, or a private copy of it when it partially overlaps out.
inline Tensor unalias_input(const Tensor& out, const Tensor& input) {
  if (out.impl()->storage() != input.impl()->storage() || out.numel() == 0 || input.numel() == 0) return input;
  if (input.storage_offset() == out.storage_offset() && input.sizes().equals(out.sizes()) &&
      input.strides().equals(out.strides()) && input.dtype() == out.dtype())
    return input;  // the very same elements: reading each before writing it is fine
  auto a = element_span(out), b = element_span(input);
  int64_t ia = out.element_size(), ib = input.element_size();
  bool disjoint = (a.second + 1) * ia <= b.first * ib || (b.second + 1) * ib <= a.first * ia;
  return disjoint ? input : clone(input);
}

}  // namespace dg
