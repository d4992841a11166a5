// The binary ops beyond + - * / and comparisons (maximum, pow, remainder,
// logical and bitwise ops, ...), the ternary ones (where, clamp, lerp,
// addcmul, addcdiv), and their backward formulas.
#include "ops/elementwise_common.h"

namespace dg {

namespace {

bool integer_division(BinaryOp op) {
  return op == BinaryOp::remainder || op == BinaryOp::fmod || op == BinaryOp::floor_divide ||
         op == BinaryOp::div_trunc;
}

// Integer division by zero would crash the process (SIGFPE): refuse it first.
void check_no_integer_zero(BinaryOp op, Dtype compute, const Tensor* b, const Scalar* s) {
  if (!integer_division(op) || !is_integral(compute, false)) return;
  bool zero;
  if (b) {
    NoGradGuard no_grad;
    zero = sum(eq(*b, 0)).item<int64_t>() > 0;
  } else {
    zero = s->to_long() == 0 && !s->is_floating_point();
  }
  DG_CHECK(!zero, Error, "ZeroDivisionError");
}

Dtype promoted(const Tensor& a, const Tensor& b) { return result_type(a, b); }

bool differentiable(BinaryOp op) {
  switch (binary_dtypes(op)) {
    case BinaryDtypes::INT: return false;
    default: return !binary_returns_bool(op);
  }
}

// (d/da, d/db) of op at (a, b) with result y, times g.
std::pair<Tensor, Tensor> binary_grads(BinaryOp op, const Tensor& g, const Tensor& a, const Tensor& b,
                                       const Tensor& y) {
  switch (op) {
    case BinaryOp::fmax:
    case BinaryOp::fmin: {
      // The first input wins ties (and the number wins over NaN).
      Tensor a_wins = op == BinaryOp::fmax ? logical_or(ge(a, b), isnan(b)) : logical_or(le(a, b), isnan(b));
      return {mul(g, a_wins), mul(g, logical_not(a_wins))};
    }
    case BinaryOp::floor_divide:
    case BinaryOp::div_trunc:
      return {zeros_like(g), zeros_like(g)};
    case BinaryOp::maximum:
    case BinaryOp::minimum: {
      // Ties split the gradient evenly, as PyTorch does.
      bool is_max = op == BinaryOp::maximum || op == BinaryOp::fmax;
      Tensor tie = eq(a, b);
      Tensor half = where(tie, div(g, 2), g);
      Tensor a_wins = is_max ? ge(a, b) : le(a, b), b_wins = is_max ? ge(b, a) : le(b, a);
      return {mul(half, a_wins), mul(half, b_wins)};
    }
    case BinaryOp::remainder: return {g, neg(mul(g, floor_divide(a, b)))};
    case BinaryOp::fmod: return {g, neg(mul(g, div(a, b, "trunc")))};
    case BinaryOp::atan2: {
      Tensor denom = add(square(a), square(b));
      return {div(mul(g, b), denom), neg(div(mul(g, a), denom))};
    }
    case BinaryOp::hypot: return {mul(g, div(a, y)), mul(g, div(b, y))};
    case BinaryOp::copysign: return {mul(g, where(eq(a, 0), zeros_like(a), div(y, a))), zeros_like(b)};
    case BinaryOp::logaddexp: return {mul(g, sigmoid(sub(a, b))), mul(g, sigmoid(sub(b, a)))};
    case BinaryOp::pow: {
      Tensor ga = where(eq(b, 0), zeros_like(y), mul(mul(g, conj(b)), conj(pow(a, sub(b, 1)))));
      Tensor gb = where(mul(eq(a, 0), ge(real(b), 0)), zeros_like(y), mul(g, conj(mul(y, log(a)))));
      return {ga, gb};
    }
    default: DG_FAIL(Error, "the derivative of ", op_name(op), " is not defined");
  }
}

// Only these formulas read the result (the others must not save it, so an
// in-place change of the result keeps backward valid).
bool uses_result(BinaryOp op) { return op == BinaryOp::hypot || op == BinaryOp::copysign || op == BinaryOp::pow; }

std::string node_name(BinaryOp op) { return backward_node_name(op_name(op)); }

struct BinaryBackward final : Node {
  BinaryOp op;
  SavedVariable a, b, y;
  explicit BinaryBackward(BinaryOp o) : op(o) {}
  std::string name() const override { return node_name(op); }
  void release_variables() override {
    a.reset();
    b.reset();
    y.reset();
  }
  TensorList apply(TensorList&& g) override {
    auto [ga, gb] = binary_grads(op, g[0], a.unpack(this), b.unpack(this), y.unpack(this));
    return {ga, gb};
  }
};

// tensor op scalar (or scalar op tensor): the scalar becomes a 0-d tensor
// for the formula, and only the tensor's gradient is returned.
struct BinaryScalarBackward final : Node {
  BinaryOp op;
  Scalar s;
  bool reversed;
  SavedVariable a, y;
  BinaryScalarBackward(BinaryOp o, Scalar v, bool r) : op(o), s(v), reversed(r) {}
  std::string name() const override { return node_name(op); }
  void release_variables() override {
    a.reset();
    y.reset();
  }
  TensorList apply(TensorList&& g) override {
    Tensor av = a.unpack(this);
    Tensor sv = full({}, s, TensorOptions(av.dtype()).device(av.device()));
    auto grads = reversed ? binary_grads(op, g[0], sv, av, y.unpack(this)) : binary_grads(op, g[0], av, sv, y.unpack(this));
    return {reversed ? grads.second : grads.first};
  }
};

}  // namespace

Tensor binary_op(BinaryOp op, const Tensor& a, const Tensor& b) {
  // Complex logaddexp has no kernel: log(exp(a) + exp(b)) is exact enough there.
  if (op == BinaryOp::logaddexp && is_complex(promoted(a, b))) return log(add(exp(a), exp(b)));
  check_no_integer_zero(op, promoted(a, b), &b, nullptr);
  Tensor y = binary(op, a, b, 1, {});
  if (differentiable(op) && (is_floating_point(y.dtype()) || is_complex(y.dtype())) && any_requires_grad({&a, &b})) {
    auto* n = record(y, {&a, &b}, make_intrusive<BinaryBackward>(op));
    n->a = SavedVariable(a, false);
    n->b = SavedVariable(b, false);
    if (uses_result(op)) n->y = SavedVariable(y, true);
  }
  return y;
}

Tensor binary_op(BinaryOp op, const Tensor& a, const Scalar& b, bool reversed) {
  if (op == BinaryOp::logaddexp && is_complex(result_type(a, b)))
    return log(add(exp(a), exp(full({}, b, TensorOptions(result_type(a, b)).device(a.device())))));
  DG_CHECK(!(op == BinaryOp::pow && !reversed && is_integral(result_type(a, b), false) && b.is_integral() &&
             b.to_long() < 0),
           Error, "Integers to negative integer powers are not allowed.");
  check_no_integer_zero(op, result_type(a, b), reversed ? &a : nullptr, reversed ? nullptr : &b);
  Tensor y = binary_scalar(op, a, b, 1, reversed, {});
  if (differentiable(op) && (is_floating_point(y.dtype()) || is_complex(y.dtype())) && any_requires_grad({&a})) {
    auto* n = record(y, {&a}, make_intrusive<BinaryScalarBackward>(op, b, reversed));
    n->a = SavedVariable(a, false);
    if (uses_result(op)) n->y = SavedVariable(y, true);
  }
  return y;
}

Tensor& binary_op_(BinaryOp op, Tensor& a, const Tensor& b) {
  check_no_integer_zero(op, promoted(a, b), &b, nullptr);
  return inplace(a, {&b}, [&] { binary(op, a, b, 1, a); }, [&](const Tensor& self) { return binary_op(op, self, b); });
}
Tensor& binary_op_(BinaryOp op, Tensor& a, const Scalar& b) {
  DG_CHECK(!(op == BinaryOp::pow && is_integral(a.dtype(), false) && b.is_integral() && b.to_long() < 0), Error,
           "Integers to negative integer powers are not allowed.");
  check_no_integer_zero(op, result_type(a, b), nullptr, &b);
  return inplace(a, {}, [&] { binary_scalar(op, a, b, 1, false, a); },
                 [&](const Tensor& self) { return binary_op(op, self, b, false); });
}

#define DG_DEFINE_BINARY(name)                                                                          \
  Tensor name(const Tensor& a, const Tensor& b) { return binary_op(BinaryOp::name, a, b); }             \
  Tensor name(const Tensor& a, const Scalar& b) { return binary_op(BinaryOp::name, a, b, false); }      \
  Tensor& name##_(Tensor& a, const Tensor& b) { return binary_op_(BinaryOp::name, a, b); }              \
  Tensor& name##_(Tensor& a, const Scalar& b) { return binary_op_(BinaryOp::name, a, b); }
DG_DEFINE_BINARY(maximum)
DG_DEFINE_BINARY(minimum)
DG_DEFINE_BINARY(fmax)
DG_DEFINE_BINARY(fmin)
DG_DEFINE_BINARY(remainder)
DG_DEFINE_BINARY(fmod)
DG_DEFINE_BINARY(floor_divide)
DG_DEFINE_BINARY(atan2)
DG_DEFINE_BINARY(hypot)
DG_DEFINE_BINARY(copysign)
DG_DEFINE_BINARY(logaddexp)
DG_DEFINE_BINARY(pow)
DG_DEFINE_BINARY(logical_and)
DG_DEFINE_BINARY(logical_or)
DG_DEFINE_BINARY(logical_xor)
DG_DEFINE_BINARY(bitwise_and)
DG_DEFINE_BINARY(bitwise_or)
DG_DEFINE_BINARY(bitwise_xor)
DG_DEFINE_BINARY(bitwise_left_shift)
DG_DEFINE_BINARY(bitwise_right_shift)
#undef DG_DEFINE_BINARY

Tensor pow(const Scalar& base, const Tensor& exponent) { return binary_op(BinaryOp::pow, exponent, base, true); }
Tensor remainder(const Scalar& a, const Tensor& b) { return binary_op(BinaryOp::remainder, b, a, true); }
Tensor floor_divide(const Scalar& a, const Tensor& b) { return binary_op(BinaryOp::floor_divide, b, a, true); }

Tensor float_power(const Tensor& a, const Tensor& b) {
  Dtype d = is_complex(a.dtype()) || is_complex(b.dtype()) ? kComplex128 : kFloat64;
  return pow(to_dtype(a, d), to_dtype(b, d));
}
Tensor float_power(const Tensor& a, const Scalar& b) {
  Dtype d = is_complex(a.dtype()) || b.is_complex() ? kComplex128 : kFloat64;
  return pow(to_dtype(a, d), b);
}

Tensor div(const Tensor& a, const Tensor& b, const std::string& rounding_mode) {
  if (rounding_mode == "true" || rounding_mode.empty()) return div(a, b);
  DG_CHECK(rounding_mode == "trunc" || rounding_mode == "floor", Error,
           "div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '", rounding_mode, "'");
  return binary_op(rounding_mode == "trunc" ? BinaryOp::div_trunc : BinaryOp::floor_divide, a, b);
}
Tensor div(const Tensor& a, const Scalar& b, const std::string& rounding_mode) {
  if (rounding_mode == "true" || rounding_mode.empty()) return div(a, b);
  DG_CHECK(rounding_mode == "trunc" || rounding_mode == "floor", Error,
           "div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '", rounding_mode, "'");
  return binary_op(rounding_mode == "trunc" ? BinaryOp::div_trunc : BinaryOp::floor_divide, a, b, false);
}

// ---- ternary ops --------------------------------------------------------------------------------

namespace {
struct WhereBackward final : Node {
  SavedVariable cond;
  std::string name() const override { return "WhereBackward0"; }
  void release_variables() override { cond.reset(); }
  TensorList apply(TensorList&& g) override {
    Tensor c = cond.unpack(this), z = zeros_like(g[0]);
    return {Tensor(), next_edges[1].valid() ? where(c, g[0], z) : Tensor(),
            next_edges[2].valid() ? where(c, z, g[0]) : Tensor()};
  }
};
}  // namespace

Tensor where(const Tensor& condition, const Tensor& a, const Tensor& b) {
  DG_CHECK(condition.dtype() == kBool || condition.dtype() == kUInt8, Error,
           "where expected condition to be a boolean tensor, but got a tensor with dtype ",
           dtype_name(condition.dtype()));
  Tensor out;
  const Dtype common = result_type(a, b);
  {
    NoGradGuard no_grad;
    Tensor c = to_dtype(condition, common), ca = to_dtype(a, common), cb = to_dtype(b, common);
    IterSpec spec;
    spec.out_dtype = common;
    spec.op_name = "where";
    spec.add_input(c).add_input(ca).add_input(cb);
    TensorIter it = make_iter(spec);
    checked_kernel(kernel_table(it.device.type).where, "where", it.device)(it);
    out = spec.out;
  }
  if (any_requires_grad({&a, &b}) && (is_floating_point(common) || is_complex(common))) {
    auto* n = record(out, {&condition, &a, &b}, make_intrusive<WhereBackward>());
    n->cond = SavedVariable(condition, false);
  }
  return out;
}
Tensor where(const Tensor& condition, const Tensor& a, const Scalar& b) {
  return where(condition, a, full({}, b, TensorOptions(result_type(a, b)).device(a.device())));
}
Tensor where(const Tensor& condition, const Scalar& a, const Tensor& b) {
  return where(condition, full({}, a, TensorOptions(result_type(b, a)).device(b.device())), b);
}

namespace {
struct ClampBackward final : Node {
  std::optional<double> lo, hi;
  SavedVariable x;
  std::string name() const override { return "ClampBackward1"; }
  void release_variables() override { x.reset(); }
  TensorList apply(TensorList&& g) override {
    Tensor xv = x.unpack(this);
    Tensor mask = ones_like(xv, TensorOptions(kBool));
    if (lo) mask = logical_and(mask, ge(xv, *lo));
    if (hi) mask = logical_and(mask, le(xv, *hi));
    return {mul(g[0], mask)};
  }
};
}  // namespace

Tensor clamp(const Tensor& x, std::optional<Scalar> min, std::optional<Scalar> max) {
  DG_CHECK(min || max, Error, "torch.clamp: At least one of 'min' or 'max' must not be None");
  for (const auto& bound : {min, max})
    if (bound && is_integral(x.dtype(), false) && bound->is_integral()) {
      // Like fill_: an integer bound must fit the integer dtype.
      Tensor probe = empty({}, TensorOptions(x.dtype()));
      fill_(probe, *bound);
    }
  Tensor y;
  {
    NoGradGuard no_grad;
    y = x;
    if (min) y = maximum(y, *min);
    if (max) y = minimum(y, *max);
    if (y.is_same(x)) y = clone(x);
  }
  if (any_requires_grad({&x})) {
    auto* n = record(y, {&x}, make_intrusive<ClampBackward>());
    if (min) n->lo = min->to_double();
    if (max) n->hi = max->to_double();
    n->x = SavedVariable(x, false);
  }
  return y;
}
Tensor clamp(const Tensor& x, const std::optional<Tensor>& min, const std::optional<Tensor>& max) {
  DG_CHECK(min || max, Error, "torch.clamp: At least one of 'min' or 'max' must not be None");
  // x keeps the gradient where it equals a bound (inclusive), as in PyTorch.
  Tensor y = x;
  if (min) y = where(logical_or(lt(y, *min), isnan(*min)), *min, y);  // a NaN bound propagates
  if (max) y = where(logical_or(gt(y, *max), isnan(*max)), *max, y);
  return y;
}
Tensor& clamp_(Tensor& x, std::optional<Scalar> min, std::optional<Scalar> max) {
  return inplace(x, {}, [&] {
    if (min) binary_scalar(BinaryOp::maximum, x, *min, 1, false, x);
    if (max) binary_scalar(BinaryOp::minimum, x, *max, 1, false, x);
  }, [&](const Tensor& self) { return clamp(self, min, max); });
}

// PyTorch's two-sided formula: exact at both ends.
Tensor lerp(const Tensor& start, const Tensor& end, const Tensor& weight) {
  DG_CHECK(start.dtype() == end.dtype() && start.dtype() == weight.dtype(), Error,
           "lerp: expected start, end and weight to have the same dtype");
  DG_CHECK(is_floating_point(start.dtype()) || is_complex(start.dtype()), Error,
           "lerp: expected a floating point or complex dtype");
  Tensor diff = sub(end, start);
  return where(lt(abs(weight), 0.5), add(start, mul(weight, diff)), sub(end, mul(diff, rsub(weight, 1))));
}
Tensor lerp(const Tensor& start, const Tensor& end, const Scalar& weight) {
  DG_CHECK(start.dtype() == end.dtype(), Error, "lerp: expected start and end to have the same dtype");
  DG_CHECK(is_floating_point(start.dtype()) || is_complex(start.dtype()), Error,
           "lerp: expected a floating point or complex dtype");
  Tensor diff = sub(end, start);
  double w = weight.to_double();
  return w < 0.5 ? add(start, mul(diff, weight)) : sub(end, mul(diff, 1.0 - w));
}
Tensor addcmul(const Tensor& t, const Tensor& a, const Tensor& b, const Scalar& value) {
  return add(t, mul(mul(a, b), value));
}
Tensor addcdiv(const Tensor& t, const Tensor& a, const Tensor& b, const Scalar& value) {
  DG_CHECK(!(is_integral(a.dtype(), true) && is_integral(b.dtype(), true)), Error,
           "Integer division with addcdiv is no longer supported, and in a future release addcdiv will perform "
           "a true division of tensor1 and tensor2.");
  return add(t, mul(div(a, b), value));
}

Tensor isclose(const Tensor& a, const Tensor& b, double rtol, double atol, bool equal_nan) {
  NoGradGuard no_grad;
  DG_CHECK(a.dtype() == b.dtype(), Error, "isclose: expected both tensors to have the same dtype, but got ",
           dtype_name(a.dtype()), " and ", dtype_name(b.dtype()));
  DG_CHECK(rtol >= 0, Error, "rtol must be greater than or equal to zero, but got ", rtol);
  DG_CHECK(atol >= 0, Error, "atol must be greater than or equal to zero, but got ", atol);
  Tensor close = eq(a, b);
  if (a.dtype() != kBool) {
    Tensor af = is_integral(a.dtype(), false) ? to_dtype(a, kFloat64) : a;
    Tensor bf = is_integral(b.dtype(), false) ? to_dtype(b, kFloat64) : b;
    Tensor diff = abs(sub(af, bf));
    Tensor tol = add(mul(abs(bf), rtol), atol);
    close = logical_or(close, logical_and(le(diff, tol), isfinite(diff)));
    if (equal_nan) close = logical_or(close, logical_and(isnan(a), isnan(b)));
  }
  return close;
}
bool allclose(const Tensor& a, const Tensor& b, double rtol, double atol, bool equal_nan) {
  Tensor c = isclose(a, b, rtol, atol, equal_nan);
  NoGradGuard no_grad;
  return sum(logical_not(c)).item<int64_t>() == 0;
}
bool equal(const Tensor& a, const Tensor& b) {
  if (!a.sizes().equals(b.sizes())) return false;
  NoGradGuard no_grad;
  return sum(ne(a, b)).item<int64_t>() == 0;
}

}  // namespace dg
