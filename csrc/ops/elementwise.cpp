// Elementwise ops: type promotion, the dtype each op computes in and
// returns, casting inputs to it, and dispatch to the device's kernel. The
// math itself is the table in kernels/elementwise_ops.h.
#include "core/dispatch.h"
#include "core/tensor_iter.h"
#include "dyngraph/ops.h"
#include "ops/overlap.h"

namespace dg {

namespace {

bool is_comparison(BinaryOp op) { return op >= BinaryOp::eq && op <= BinaryOp::ge; }

// PyTorch's canCast: no complex -> real, float -> integer, or number -> bool.
bool can_cast(Dtype from, Dtype to) {
  if (is_complex(from) && !is_complex(to)) return false;
  if (is_floating_point(from) && is_integral(to, true)) return false;
  if (from != kBool && to == kBool) return false;
  return true;
}

// The dtype the kernel computes in, given the promoted dtype.
Dtype compute_dtype(BinaryOp op, Dtype common) {
  DG_CHECK(!(op == BinaryOp::sub && common == kBool), TypeError,
           "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or `logical_xor()` "
           "operator instead.");
  DG_CHECK(!(is_complex(common) && op >= BinaryOp::lt && op <= BinaryOp::ge), TypeError, op_name(op),
           " is not supported for complex tensors");
  if (op == BinaryOp::div && !is_floating_point(common) && !is_complex(common)) return default_dtype();
  return common;
}

Dtype result_dtype(BinaryOp op, Dtype compute) { return is_comparison(op) ? kBool : compute; }

// Runs the op into `out` (allocated when undefined); returns the result.
// `build` adds the iterator's inputs and runs the kernel.
template <class Build>
Tensor run_into(Tensor out, Dtype result, const char* name, const Build& build) {
  if (out.defined() && out.dtype() != result) {
    DG_CHECK(can_cast(result, out.dtype()), TypeError, "result type ", dtype_name(result),
             " can't be cast to the desired output type ", dtype_name(out.dtype()));
    Tensor tmp = build(Tensor(), result);
    copy_(out, tmp);
    return out;
  }
  (void)name;
  return build(out, result);
}

Tensor binary(BinaryOp op, const Tensor& a, const Tensor& b, const Scalar& alpha, Tensor out) {
  const Dtype compute = compute_dtype(op, result_type(a, b));
  return run_into(out, result_dtype(op, compute), op_name(op), [&](Tensor target, Dtype result) {
    Tensor ca = to_dtype(a, compute), cb = to_dtype(b, compute);
    if (target.defined()) {
      ca = unalias_input(target, ca);
      cb = unalias_input(target, cb);
    }
    IterSpec spec;
    spec.out = target;
    spec.out_dtype = result;
    spec.op_name = op_name(op);
    spec.add_input(ca).add_input(cb);
    TensorIter it = make_iter(spec);
    Device dev = it.device;
    checked_kernel(kernel_table(dev.type).binary[static_cast<int>(op)], op_name(op), dev)(it, alpha);
    return spec.out;
  });
}

Tensor binary_scalar(BinaryOp op, const Tensor& a, const Scalar& b, const Scalar& alpha, bool reversed, Tensor out) {
  const Dtype compute = compute_dtype(op, result_type(a, b));
  return run_into(out, result_dtype(op, compute), op_name(op), [&](Tensor target, Dtype result) {
    Tensor ca = to_dtype(a, compute);
    IterSpec spec;
    spec.out = target;
    spec.out_dtype = result;
    spec.op_name = op_name(op);
    spec.add_input(ca);
    TensorIter it = make_iter(spec);
    Device dev = it.device;
    checked_kernel(kernel_table(dev.type).binary_scalar[static_cast<int>(op)], op_name(op), dev)(it, alpha, b,
                                                                                                 reversed);
    return spec.out;
  });
}

Tensor unary(UnaryOp op, const Tensor& a, Tensor out) {
  return run_into(out, a.dtype(), op_name(op), [&](Tensor target, Dtype result) {
    IterSpec spec;
    spec.out = target;
    spec.out_dtype = result;
    spec.op_name = op_name(op);
    spec.add_input(a);
    TensorIter it = make_iter(spec);
    Device dev = it.device;
    checked_kernel(kernel_table(dev.type).unary[static_cast<int>(op)], op_name(op), dev)(it);
    return spec.out;
  });
}

}  // namespace

Tensor add(const Tensor& a, const Tensor& b, const Scalar& alpha) { return binary(BinaryOp::add, a, b, alpha, {}); }
Tensor add(const Tensor& a, const Scalar& b, const Scalar& alpha) {
  return binary_scalar(BinaryOp::add, a, b, alpha, false, {});
}
Tensor sub(const Tensor& a, const Tensor& b, const Scalar& alpha) { return binary(BinaryOp::sub, a, b, alpha, {}); }
Tensor sub(const Tensor& a, const Scalar& b, const Scalar& alpha) {
  return binary_scalar(BinaryOp::sub, a, b, alpha, false, {});
}
Tensor rsub(const Tensor& a, const Scalar& b, const Scalar& alpha) {
  // b - alpha * a: the scalar goes first and alpha multiplies the tensor.
  return binary_scalar(BinaryOp::sub, a, b, alpha, true, {});
}
Tensor mul(const Tensor& a, const Tensor& b) { return binary(BinaryOp::mul, a, b, 1, {}); }
Tensor mul(const Tensor& a, const Scalar& b) { return binary_scalar(BinaryOp::mul, a, b, 1, false, {}); }
Tensor div(const Tensor& a, const Tensor& b) { return binary(BinaryOp::div, a, b, 1, {}); }
Tensor div(const Tensor& a, const Scalar& b) { return binary_scalar(BinaryOp::div, a, b, 1, false, {}); }
Tensor rdiv(const Tensor& a, const Scalar& b) { return binary_scalar(BinaryOp::div, a, b, 1, true, {}); }

Tensor neg(const Tensor& a) {
  DG_CHECK(a.dtype() != kBool, TypeError,
           "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a mask, use "
           "the `~` or `logical_not()` operator instead.");
  return unary(UnaryOp::neg, a, {});
}

Tensor& add_(Tensor& a, const Tensor& b, const Scalar& alpha) {
  binary(BinaryOp::add, a, b, alpha, a);
  return a;
}
Tensor& add_(Tensor& a, const Scalar& b, const Scalar& alpha) {
  binary_scalar(BinaryOp::add, a, b, alpha, false, a);
  return a;
}
Tensor& sub_(Tensor& a, const Tensor& b, const Scalar& alpha) {
  binary(BinaryOp::sub, a, b, alpha, a);
  return a;
}
Tensor& sub_(Tensor& a, const Scalar& b, const Scalar& alpha) {
  binary_scalar(BinaryOp::sub, a, b, alpha, false, a);
  return a;
}
Tensor& mul_(Tensor& a, const Tensor& b) {
  binary(BinaryOp::mul, a, b, 1, a);
  return a;
}
Tensor& mul_(Tensor& a, const Scalar& b) {
  binary_scalar(BinaryOp::mul, a, b, 1, false, a);
  return a;
}
Tensor& div_(Tensor& a, const Tensor& b) {
  binary(BinaryOp::div, a, b, 1, a);
  return a;
}
Tensor& div_(Tensor& a, const Scalar& b) {
  binary_scalar(BinaryOp::div, a, b, 1, false, a);
  return a;
}
Tensor& neg_(Tensor& a) {
  DG_CHECK(a.dtype() != kBool, TypeError, "Negation, the `-` operator, on a bool tensor is not supported.");
  unary(UnaryOp::neg, a, a);
  return a;
}

#define DG_DEFINE_COMPARISON(name)                                                            \
  Tensor name(const Tensor& a, const Tensor& b) { return binary(BinaryOp::name, a, b, 1, {}); } \
  Tensor name(const Tensor& a, const Scalar& b) { return binary_scalar(BinaryOp::name, a, b, 1, false, {}); }
DG_DEFINE_COMPARISON(eq)
DG_DEFINE_COMPARISON(ne)
DG_DEFINE_COMPARISON(lt)
DG_DEFINE_COMPARISON(le)
DG_DEFINE_COMPARISON(gt)
DG_DEFINE_COMPARISON(ge)
#undef DG_DEFINE_COMPARISON

}  // namespace dg
