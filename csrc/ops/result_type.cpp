// torch.result_type: the dtype of an op's result from its operands (PyTorch's
// promotion with dimensioned tensors, 0-d tensors and scalars ranked).
#include "dyngraph/ops.h"

namespace dg {

// Operands fall in three ranks (dimensioned tensors, 0-d tensors, scalars);
// a lower rank only matters when its category is higher.
namespace {
int category(Dtype d) { return is_complex(d) ? 3 : is_floating_point(d) ? 2 : d == kBool ? 0 : 1; }

Dtype combine(Dtype higher, Dtype lower) {
  int ch = category(higher), cl = category(lower);
  if (ch >= cl) return higher;
  // The lower-ranked operand has a higher category.
  if (cl == 3 && ch == 2) return to_complex(higher);  // keep the float's precision
  return lower;
}
}  // namespace

Dtype result_type(const Tensor& a, const Tensor& b) {
  Dtype da = a.dtype(), db = b.dtype();
  bool za = a.dim() == 0, zb = b.dim() == 0;
  if (za == zb) return promote_types(da, db);
  return za ? combine(db, da) : combine(da, db);
}

Dtype result_type(const Tensor& a, const Scalar& b) {
  Dtype sd = b.weak_dtype();
  return combine(a.dtype(), sd);
}

Dtype result_type(const Scalar& a, const Scalar& b) { return promote_types(a.weak_dtype(), b.weak_dtype()); }

}  // namespace dg
