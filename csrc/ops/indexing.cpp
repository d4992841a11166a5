// Basic indexing: t[int, slice, None, ...] as a chain of views, and
// assignment through such a view.
#include "dyngraph/ops.h"

namespace dg {

Tensor index(const Tensor& t, ArrayRef<TensorIndex> indices) {
  int64_t consumed = 0, ellipses = 0;
  for (const auto& ix : indices) {
    if (ix.kind == TensorIndex::Kind::Integer || ix.kind == TensorIndex::Kind::Slice) ++consumed;
    if (ix.kind == TensorIndex::Kind::Ellipsis) ++ellipses;
  }
  DG_CHECK(ellipses <= 1, IndexError, "an index can only have a single ellipsis ('...')");
  if (t.dim() == 0 && consumed > 0)
    DG_FAIL(IndexError, "invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` in C++ "
                        "to convert a 0-dim tensor to a number");
  DG_CHECK(consumed <= t.dim(), IndexError, "too many indices for tensor of dimension ", t.dim());

  Tensor result = alias(t);
  int64_t d = 0;  // the dim of `result` the next index applies to
  for (const auto& ix : indices) {
    switch (ix.kind) {
      case TensorIndex::Kind::Integer:
        result = select(result, d, ix.integer);
        break;
      case TensorIndex::Kind::Slice:
        result = slice(result, d, ix.start, ix.stop, ix.step);
        ++d;
        break;
      case TensorIndex::Kind::None:
        result = unsqueeze(result, d);
        ++d;
        break;
      case TensorIndex::Kind::Ellipsis:
        d += t.dim() - consumed;
        break;
    }
  }
  return result;
}

void index_put_(Tensor& t, ArrayRef<TensorIndex> indices, const Tensor& value) {
  Tensor view = index(t, indices);
  // A value with extra leading size-1 dims (t[0] = x[None]) still fits, as in PyTorch.
  Tensor v = value;
  while (v.dim() > view.dim() && v.sizes()[0] == 1) v = select(v, 0, 0);
  copy_(view, v);
}

void index_put_(Tensor& t, ArrayRef<TensorIndex> indices, const Scalar& value) {
  Tensor view = index(t, indices);
  fill_(view, value);
}

}  // namespace dg
