// Elementwise ops: type promotion, the dtype each op computes in and
// returns, casting inputs to it, and dispatch to the device's kernel. The
// math itself is the table in kernels/elementwise_ops.h.
#include "core/dispatch.h"
#include "core/tensor_iter.h"
#include "dyngraph/ops.h"
#include "autograd/record.h"
#include "ops/elementwise_common.h"
#include "ops/overlap.h"

namespace dg {

namespace {

// The dtype the kernel computes in, given the promoted dtype.
Dtype compute_dtype(BinaryOp op, Dtype common) {
  DG_CHECK(!(op == BinaryOp::sub && common == kBool), Error,
           "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or `logical_xor()` "
           "operator instead.");
  const BinaryDtypes kind = binary_dtypes(op);
  DG_CHECK(!(is_complex(common) && (kind == BinaryDtypes::REAL || kind == BinaryDtypes::FLOAT)), NotImplementedError,
           "\"", op_name(op), "\" not implemented for complex tensors");
  DG_CHECK(kind != BinaryDtypes::INT || is_integral(common, true), NotImplementedError, "\"", op_name(op),
           "\" only supports integer and bool tensors, got ", dtype_name(common));
  bool integral = !is_floating_point(common) && !is_complex(common);
  DG_CHECK(!(integral && (op == BinaryOp::hypot || op == BinaryOp::logaddexp)), NotImplementedError, "\"", op_name(op),
           "\" not implemented for '", dtype_name(common), "'");
  const bool no_bool = op == BinaryOp::remainder || op == BinaryOp::fmod || op == BinaryOp::floor_divide ||
                       op == BinaryOp::div_trunc || op == BinaryOp::pow || op == BinaryOp::bitwise_left_shift ||
                       op == BinaryOp::bitwise_right_shift;
  DG_CHECK(!(no_bool && common == kBool), NotImplementedError, "\"", op_name(op), "\" not implemented for 'bool'");
  if ((op == BinaryOp::div || kind == BinaryDtypes::FLOAT) && integral) return default_dtype();
  return common;
}

Dtype result_dtype(BinaryOp op, Dtype compute) { return binary_returns_bool(op) ? kBool : compute; }

}  // namespace

// The raw computations below never record history (their internal casts
// and copies are not part of the graph); the public ops record it.
Tensor binary(BinaryOp op, const Tensor& a, const Tensor& b, const Scalar& alpha, Tensor out) {
  NoGradGuard no_grad;
  const Dtype compute = compute_dtype(op, result_type(a, b));
  return run_into(out, result_dtype(op, compute), op_name(op), [&](Tensor target, Dtype result) {
    Tensor ca = to_dtype(a, compute), cb = to_dtype(b, compute);
    if (target.defined()) {
      ca = unalias_input(target, ca);
      cb = unalias_input(target, cb);
    }
    return launch_elementwise(target, result, op_name(op), {&ca, &cb}, [&](TensorIter& it, KernelTable& k, Device dev) {
      checked_kernel(k.binary[static_cast<int>(op)], op_name(op), dev)(it, alpha);
    });
  });
}

Tensor binary_scalar(BinaryOp op, const Tensor& a, const Scalar& b, const Scalar& alpha, bool reversed, Tensor out) {
  NoGradGuard no_grad;
  const Dtype compute = compute_dtype(op, result_type(a, b));
  return run_into(out, result_dtype(op, compute), op_name(op), [&](Tensor target, Dtype result) {
    Tensor ca = to_dtype(a, compute);
    return launch_elementwise(target, result, op_name(op), {&ca}, [&](TensorIter& it, KernelTable& k, Device dev) {
      checked_kernel(k.binary_scalar[static_cast<int>(op)], op_name(op), dev)(it, alpha, b, reversed);
    });
  });
}

namespace {

// ---- backward nodes ---------------------------------------------------------------------
// Each returns one gradient per input (undefined where the input needs none);
// the engine sums broadcast gradients back to the input shapes.

bool needs(const Node& n, size_t i) { return i < n.next_edges.size() && n.next_edges[i].valid(); }

// A gradient through "times c" is "times conj(c)" (PyTorch's conjugate Wirtinger convention).
Scalar conj_of(const Scalar& s) {
  if (!s.is_complex()) return s;
  complex128_t c = s.to_complex();
  return Scalar(complex128_t(c.re, -c.im));
}

struct AddBackward final : Node {
  Scalar alpha;
  bool subtract;
  AddBackward(Scalar a, bool sub) : alpha(a), subtract(sub) {}
  std::string name() const override { return subtract ? "SubBackward0" : "AddBackward0"; }
  TensorList apply(TensorList&& g) override {
    Tensor gb;
    if (needs(*this, 1)) {
      bool unit = !alpha.is_complex() && alpha.to_double() == 1.0;
      gb = unit ? g[0] : mul(g[0], conj_of(alpha));
      if (subtract) gb = neg(gb);
    }
    return {g[0], gb};
  }
};

// op(tensor, scalar): the gradient is g scaled by a constant.
struct ScaleBackward final : Node {
  const char* op;
  Scalar factor;  // 1 and -1 are common and skip the multiply
  ScaleBackward(const char* o, Scalar f) : op(o), factor(f) {}
  std::string name() const override { return op; }
  TensorList apply(TensorList&& g) override {
    if (!factor.is_complex() && factor.to_double() == 1.0) return {g[0]};
    if (!factor.is_complex() && factor.to_double() == -1.0) return {neg(g[0])};
    return {mul(g[0], conj_of(factor))};
  }
};

struct MulBackward final : Node {
  SavedVariable a, b;
  std::string name() const override { return "MulBackward0"; }
  void release_variables() override {
    a.reset();
    b.reset();
  }
  TensorList apply(TensorList&& g) override {
    Tensor ga, gb;
    if (needs(*this, 0)) ga = mul(g[0], conj(b.unpack(this)));
    if (needs(*this, 1)) gb = mul(g[0], conj(a.unpack(this)));
    return {ga, gb};
  }
};

struct DivBackward final : Node {
  SavedVariable a, b;
  std::string name() const override { return "DivBackward0"; }
  void release_variables() override {
    a.reset();
    b.reset();
  }
  TensorList apply(TensorList&& g) override {
    Tensor bv = b.unpack(this);
    Tensor ga = div(g[0], conj(bv)), gb;
    if (needs(*this, 1)) gb = neg(mul(ga, conj(div(a.unpack(this), bv))));  // -g a / b^2
    return {needs(*this, 0) ? ga : Tensor(), gb};
  }
};

// s / a: d/da = -s / a^2.
struct RdivBackward final : Node {
  SavedVariable a;
  Scalar s;
  explicit RdivBackward(Scalar v) : s(v) {}
  std::string name() const override { return "RdivBackward0"; }
  void release_variables() override { a.reset(); }
  TensorList apply(TensorList&& g) override {
    Tensor av = conj(a.unpack(this));
    return {neg(div(mul(g[0], conj_of(s)), mul(av, av)))};
  }
};

// PyTorch's alpha rules: no float alpha with integer results, bool alpha only for bool.
void check_alpha(Dtype result, const Scalar& alpha) {
  DG_CHECK(!(is_integral(result, true) && (alpha.is_floating_point() || alpha.is_complex())), Error,
           "For integral input tensors, argument alpha must not be a floating point number.");
  DG_CHECK(!(alpha.is_bool() && result != kBool), Error, "Boolean alpha only supported for Boolean results.");
}

Tensor with_history_add(Tensor r, const Tensor& a, const Tensor& b, const Scalar& alpha, bool subtract) {
  if (any_requires_grad({&a, &b})) record(r, {&a, &b}, make_intrusive<AddBackward>(alpha, subtract));
  return r;
}
Tensor with_history_scale(Tensor r, const Tensor& a, const char* op, Scalar factor) {
  if (any_requires_grad({&a})) record(r, {&a}, make_intrusive<ScaleBackward>(op, factor));
  return r;
}
Scalar negate(const Scalar& s) {
  if (s.is_complex()) {
    complex128_t c = s.to_complex();
    return Scalar(complex128_t(-c.re, -c.im));
  }
  if (s.is_floating_point()) return Scalar(-s.to_double());
  return Scalar(-s.to_long());
}
Scalar reciprocal(const Scalar& s) {
  if (s.is_complex()) {
    complex128_t c = s.to_complex();
    return Scalar(complex128_t(1.0, 0.0) / c);
  }
  return Scalar(1.0 / s.to_double());
}

}  // namespace

// ---- out of place -------------------------------------------------------------------------

Tensor add(const Tensor& a, const Tensor& b, const Scalar& alpha) {
  check_alpha(result_type(a, b), alpha);
  return with_history_add(binary(BinaryOp::add, a, b, alpha, {}), a, b, alpha, false);
}
Tensor add(const Tensor& a, const Scalar& b, const Scalar& alpha) {
  return with_history_scale(binary_scalar(BinaryOp::add, a, b, alpha, false, {}), a, "AddBackward0", 1);
}
Tensor sub(const Tensor& a, const Tensor& b, const Scalar& alpha) {
  check_alpha(result_type(a, b), alpha);
  return with_history_add(binary(BinaryOp::sub, a, b, alpha, {}), a, b, alpha, true);
}
Tensor sub(const Tensor& a, const Scalar& b, const Scalar& alpha) {
  return with_history_scale(binary_scalar(BinaryOp::sub, a, b, alpha, false, {}), a, "SubBackward0", 1);
}
Tensor rsub(const Tensor& a, const Scalar& b, const Scalar& alpha) {
  // b - alpha * a: the scalar goes first and alpha multiplies the tensor.
  return with_history_scale(binary_scalar(BinaryOp::sub, a, b, alpha, true, {}), a, "RsubBackward1", negate(alpha));
}
Tensor mul(const Tensor& a, const Tensor& b) {
  Tensor r = binary(BinaryOp::mul, a, b, 1, {});
  if (any_requires_grad({&a, &b})) {
    auto* n = record(r, {&a, &b}, make_intrusive<MulBackward>());
    if (n->next_edges[1].valid()) n->a = SavedVariable(a, false);
    if (n->next_edges[0].valid()) n->b = SavedVariable(b, false);
  }
  return r;
}
Tensor mul(const Tensor& a, const Scalar& b) {
  return with_history_scale(binary_scalar(BinaryOp::mul, a, b, 1, false, {}), a, "MulBackward0", b);
}
Tensor div(const Tensor& a, const Tensor& b) {
  Tensor r = binary(BinaryOp::div, a, b, 1, {});
  if (any_requires_grad({&a, &b})) {
    auto* n = record(r, {&a, &b}, make_intrusive<DivBackward>());
    if (n->next_edges[1].valid()) n->a = SavedVariable(a, false);
    n->b = SavedVariable(b, false);
  }
  return r;
}
Tensor div(const Tensor& a, const Scalar& b) {
  return with_history_scale(binary_scalar(BinaryOp::div, a, b, 1, false, {}), a, "DivBackward0", reciprocal(b));
}
Tensor rdiv(const Tensor& a, const Scalar& b) {
  Tensor r = binary_scalar(BinaryOp::div, a, b, 1, true, {});
  if (any_requires_grad({&a})) record(r, {&a}, make_intrusive<RdivBackward>(b))->a = SavedVariable(a, false);
  return r;
}

// ---- in place: the plain kernel, or (under autograd) the out-of-place op
// whose history the tensor takes --------------------------------------------------------------

Tensor& add_(Tensor& a, const Tensor& b, const Scalar& alpha) {
  check_alpha(result_type(a, b), alpha);
  return inplace(a, {&b}, [&] { binary(BinaryOp::add, a, b, alpha, a); },
                 [&](const Tensor& self) { return add(self, b, alpha); });
}
Tensor& add_(Tensor& a, const Scalar& b, const Scalar& alpha) {
  return inplace(a, {}, [&] { binary_scalar(BinaryOp::add, a, b, alpha, false, a); },
                 [&](const Tensor& self) { return add(self, b, alpha); });
}
Tensor& sub_(Tensor& a, const Tensor& b, const Scalar& alpha) {
  check_alpha(result_type(a, b), alpha);
  return inplace(a, {&b}, [&] { binary(BinaryOp::sub, a, b, alpha, a); },
                 [&](const Tensor& self) { return sub(self, b, alpha); });
}
Tensor& sub_(Tensor& a, const Scalar& b, const Scalar& alpha) {
  return inplace(a, {}, [&] { binary_scalar(BinaryOp::sub, a, b, alpha, false, a); },
                 [&](const Tensor& self) { return sub(self, b, alpha); });
}
Tensor& mul_(Tensor& a, const Tensor& b) {
  return inplace(a, {&b}, [&] { binary(BinaryOp::mul, a, b, 1, a); },
                 [&](const Tensor& self) { return mul(self, b); });
}
Tensor& mul_(Tensor& a, const Scalar& b) {
  return inplace(a, {}, [&] { binary_scalar(BinaryOp::mul, a, b, 1, false, a); },
                 [&](const Tensor& self) { return mul(self, b); });
}
Tensor& div_(Tensor& a, const Tensor& b) {
  return inplace(a, {&b}, [&] { binary(BinaryOp::div, a, b, 1, a); },
                 [&](const Tensor& self) { return div(self, b); });
}
Tensor& div_(Tensor& a, const Scalar& b) {
  return inplace(a, {}, [&] { binary_scalar(BinaryOp::div, a, b, 1, false, a); },
                 [&](const Tensor& self) { return div(self, b); });
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
