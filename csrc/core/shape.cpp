#include "dyngraph/shape.h"

namespace dg {

Shape broadcast_shapes(IntArrayRef a, IntArrayRef b) {
  size_t n = std::max(a.size(), b.size());
  Shape out(n);
  for (size_t i = 0; i < n; ++i) {
    int64_t sa = i < n - a.size() ? 1 : a[i - (n - a.size())];
    int64_t sb = i < n - b.size() ? 1 : b[i - (n - b.size())];
    DG_CHECK(sa == sb || sa == 1 || sb == 1, Error, "The size of tensor a (", sa,
             ") must match the size of tensor b (", sb, ") at non-singleton dimension ", i,
             " (shapes ", a, " and ", b, " cannot be broadcast together)");
    out[i] = sa == 1 ? sb : sa;
  }
  return out;
}

}  // namespace dg
