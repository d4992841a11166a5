// Unary elementwise ops: the dtype rules of each kind, dispatch to the
// kernel table, and each op's backward formula (written with dyngraph ops,
// so second derivatives work).
#include <cmath>

#include "ops/elementwise_common.h"

namespace dg {

using ops::UnaryParams;

namespace {

bool floating_or_complex(Dtype d) { return is_floating_point(d) || is_complex(d); }

// (compute dtype, result dtype) for op on an input of dtype d.
std::pair<Dtype, Dtype> unary_dtypes(UnaryOp op, Dtype d) {
  const UnaryKind kind = unary_kind(op);
  const bool real_only = kind == UnaryKind::FLOAT_R || kind == UnaryKind::SAME_R || kind == UnaryKind::ROUND ||
                         kind == UnaryKind::PRED_R;
  DG_CHECK(!(real_only && is_complex(d)), NotImplementedError,
           "\"", op_name(op), "\" not implemented for '", dtype_name(d), "'");
  const bool no_bool = kind == UnaryKind::ROUND || op == UnaryOp::relu;
  DG_CHECK(!(no_bool && d == kBool), NotImplementedError, "\"", op_name(op), "\" not implemented for 'bool'");
  DG_CHECK(!(op == UnaryOp::frac && !is_floating_point(d)), NotImplementedError,
           "\"frac\" not implemented for '", dtype_name(d), "'");
  if (op == UnaryOp::square && d == kBool) return {kInt64, kInt64};
  switch (kind) {
    case UnaryKind::FLOAT:
    case UnaryKind::FLOAT_R: {
      Dtype c = floating_or_complex(d) ? d : default_dtype();
      return {c, c};
    }
    case UnaryKind::PRED:
    case UnaryKind::PRED_R:
      return {d, kBool};
    case UnaryKind::ABS:
      DG_CHECK(d != kBool, NotImplementedError, "\"abs\" not implemented for 'bool'");
      return {d, to_real(d)};
    case UnaryKind::INT:
      DG_CHECK(is_integral(d, true), NotImplementedError, "\"", op_name(op),
               "\" only supports integer and bool tensors, got ", dtype_name(d));
      return {d, d};
    default:
      return {d, d};
  }
}

}  // namespace

Tensor unary_raw(UnaryOp op, const Tensor& x, const UnaryParams& params, Tensor out) {
  NoGradGuard no_grad;
  DG_CHECK(!(op == UnaryOp::neg && x.dtype() == kBool), Error,
           "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a mask, use "
           "the `~` or `logical_not()` operator instead.");
  auto [compute, result] = unary_dtypes(op, x.dtype());
  DG_CHECK(!(op == UnaryOp::round && params.p0 != 0 && !is_floating_point(x.dtype())), Error,
           "round_ with decimals is not supported for integer inputs");
  // Rounding an integer tensor changes nothing.
  if (unary_kind(op) == UnaryKind::ROUND && !is_floating_point(x.dtype())) {
    if (!out.defined()) return clone(x);
    return copy_(out, x);
  }
  return run_into(out, result, op_name(op), [&](Tensor target, Dtype res) {
    Tensor cx = to_dtype(x, compute);
    return launch_elementwise(target, res, op_name(op), {&cx}, [&](TensorIter& it, KernelTable& k, Device dev) {
      checked_kernel(k.unary[static_cast<int>(op)], op_name(op), dev)(it, params);
    });
  });
}

namespace {

constexpr double kPi = 3.141592653589793;

// d op(x) / dx times g; y = op(x). Written with dyngraph ops.
Tensor unary_grad(UnaryOp op, const UnaryParams& p, const Tensor& g, const Tensor& x, const Tensor& y) {
  auto one_minus = [](const Tensor& t) { return rsub(t, 1); };
  switch (op) {
    case UnaryOp::neg: return neg(g);
    case UnaryOp::conj: return conj(g);
    case UnaryOp::exp: return mul(g, conj(y));
    case UnaryOp::exp2: return mul(g, mul(y, std::log(2.0)));
    case UnaryOp::expm1: return mul(g, add(y, 1));
    case UnaryOp::log: return div(g, conj(x));
    case UnaryOp::log2: return div(g, mul(x, std::log(2.0)));
    case UnaryOp::log10: return div(g, mul(x, std::log(10.0)));
    case UnaryOp::log1p: return div(g, add(x, 1));
    case UnaryOp::sqrt: return div(g, mul(conj(y), 2));
    case UnaryOp::rsqrt: return mul(g, mul(pow(conj(y), 3), -0.5));
    case UnaryOp::sin: return mul(g, conj(cos(x)));
    case UnaryOp::cos: return mul(g, neg(conj(sin(x))));
    case UnaryOp::tan: return mul(g, conj(add(square(y), 1)));
    case UnaryOp::asin: return div(g, conj(sqrt(one_minus(square(x)))));
    case UnaryOp::acos: return neg(div(g, conj(sqrt(one_minus(square(x))))));
    case UnaryOp::atan: return div(g, conj(add(square(x), 1)));
    case UnaryOp::sinh: return mul(g, conj(cosh(x)));
    case UnaryOp::cosh: return mul(g, conj(sinh(x)));
    case UnaryOp::tanh: return mul(g, conj(one_minus(square(y))));
    case UnaryOp::asinh: return div(g, conj(sqrt(add(square(x), 1))));
    case UnaryOp::acosh: return div(g, conj(sqrt(sub(square(x), 1))));
    case UnaryOp::atanh: return div(g, conj(one_minus(square(x))));
    case UnaryOp::sigmoid: return mul(g, conj(mul(y, one_minus(y))));
    case UnaryOp::reciprocal: return mul(g, neg(conj(square(y))));
    case UnaryOp::erf: return mul(g, mul(exp(neg(square(x))), 2.0 / std::sqrt(kPi)));
    case UnaryOp::erfc: return mul(g, mul(exp(neg(square(x))), -2.0 / std::sqrt(kPi)));
    case UnaryOp::erfinv: return mul(g, mul(exp(square(y)), std::sqrt(kPi) / 2.0));
    case UnaryOp::lgamma: return mul(g, digamma(x));
    case UnaryOp::digamma: return mul(g, unary_raw(UnaryOp::trigamma, x, {}, {}));
    case UnaryOp::logit: {
      Tensor d = div(g, mul(x, one_minus(x)));
      if (p.p1 == 0) return d;
      Tensor inside = mul(ge(x, p.p0), le(x, 1 - p.p0));
      return mul(d, inside);
    }
    case UnaryOp::square: return mul(g, mul(conj(x), 2));
    case UnaryOp::abs: return mul(g, sgn(x));
    case UnaryOp::relu: return mul(g, gt(y, 0));
    case UnaryOp::relu6: return mul(g, mul(gt(x, 0), lt(x, 6)));
    case UnaryOp::leaky_relu: return mul(g, add(mul(to_dtype(gt(x, 0), x.dtype()), 1 - p.p0), p.p0));
    case UnaryOp::elu: return mul(g, where(gt(x, 0), ones_like(x), add(y, p.p0)));
    case UnaryOp::selu: {
      const double alpha = 1.6732632423543772848170429916717, scale = 1.0507009873554804934193349852946;
      return mul(g, where(gt(x, 0), full_like(x, scale), add(y, scale * alpha)));
    }
    case UnaryOp::celu: return mul(g, where(gt(x, 0), ones_like(x), add(div(y, p.p0), 1)));
    case UnaryOp::gelu: {
      if (p.p0 == 0) {
        Tensor cdf = mul(add(erf(mul(x, 0.7071067811865476)), 1), 0.5);
        Tensor pdf = mul(exp(mul(square(x), -0.5)), 0.3989422804014327);
        return mul(g, add(cdf, mul(x, pdf)));
      }
      const double k = 0.7978845608028654;
      Tensor inner = mul(add(x, mul(pow(x, 3), 0.044715)), k);
      Tensor t = tanh(inner);
      Tensor dinner = mul(add(mul(square(x), 3 * 0.044715), 1), k);
      return mul(g, add(mul(add(t, 1), 0.5), mul(mul(x, 0.5), mul(one_minus(square(t)), dinner))));
    }
    case UnaryOp::silu: {
      Tensor s = sigmoid(x);
      return mul(g, mul(s, add(mul(x, one_minus(s)), 1)));
    }
    case UnaryOp::mish: {
      Tensor sp = softplus(x, 1, 20), t = tanh(sp);
      return mul(g, add(t, mul(mul(x, sigmoid(x)), one_minus(square(t)))));
    }
    case UnaryOp::softplus: {
      Tensor bx = mul(x, p.p0);
      return mul(g, where(gt(bx, p.p1), ones_like(x), sigmoid(bx)));
    }
    case UnaryOp::softsign: return div(g, square(add(abs(x), 1)));
    case UnaryOp::hardtanh: return mul(g, mul(gt(x, p.p0), lt(x, p.p1)));
    case UnaryOp::hardsigmoid: return mul(g, div(to_dtype(mul(gt(x, -3), lt(x, 3)), x.dtype()), 6));
    case UnaryOp::hardswish:
      return mul(g, where(le(x, -3), zeros_like(x), where(lt(x, 3), add(div(x, 3), 0.5), ones_like(x))));
    case UnaryOp::floor:
    case UnaryOp::ceil:
    case UnaryOp::trunc:
    case UnaryOp::round:
    case UnaryOp::sign:
      return zeros_like(g);
    case UnaryOp::sgn: {
      // d sgn(z): zero for real inputs; complex: (g - Re(g conj(sgn)) sgn) / |z|.
      if (!is_complex(x.dtype())) return zeros_like(g);
      Tensor s = y;
      Tensor a = abs(x);
      Tensor proj = mul(real(mul(g, conj(s))), s);
      return where(eq(a, 0), zeros_like(g), div(sub(g, proj), a));
    }
    case UnaryOp::frac: return g;
    case UnaryOp::nan_to_num: return mul(g, isfinite(x));
    default:
      DG_FAIL(Error, "the derivative of ", op_name(op), " is not defined");
  }
}

// Which tensors each formula reads: saving only those lets an in-place op
// on the other one (e.g. sin(x).mul_(2)) keep backward valid, as in PyTorch.
bool grad_uses_result(UnaryOp op) {
  switch (op) {
    case UnaryOp::exp: case UnaryOp::exp2: case UnaryOp::expm1: case UnaryOp::sqrt: case UnaryOp::rsqrt:
    case UnaryOp::tan: case UnaryOp::tanh: case UnaryOp::sigmoid: case UnaryOp::reciprocal:
    case UnaryOp::erfinv: case UnaryOp::relu: case UnaryOp::elu: case UnaryOp::selu: case UnaryOp::celu:
    case UnaryOp::sgn:
      return true;
    default:
      return false;
  }
}
bool grad_uses_input(UnaryOp op) {
  switch (op) {
    case UnaryOp::neg: case UnaryOp::conj: case UnaryOp::exp: case UnaryOp::exp2: case UnaryOp::expm1:
    case UnaryOp::sqrt: case UnaryOp::rsqrt: case UnaryOp::tan: case UnaryOp::tanh: case UnaryOp::sigmoid:
    case UnaryOp::reciprocal: case UnaryOp::erfinv: case UnaryOp::relu: case UnaryOp::frac: case UnaryOp::floor:
    case UnaryOp::ceil: case UnaryOp::trunc: case UnaryOp::round: case UnaryOp::sign:
      return false;
    default:
      return true;
  }
}

bool differentiable(UnaryOp op) {
  UnaryKind k = unary_kind(op);
  return k != UnaryKind::PRED && k != UnaryKind::PRED_R && k != UnaryKind::INT && op != UnaryOp::trigamma;
}

struct UnaryBackward final : Node {
  UnaryOp op;
  UnaryParams params;
  SavedVariable x, y;
  UnaryBackward(UnaryOp o, UnaryParams p) : op(o), params(p) {}
  std::string name() const override { return backward_node_name(op_name(op)); }
  void release_variables() override {
    x.reset();
    y.reset();
  }
  TensorList apply(TensorList&& g) override { return {unary_grad(op, params, g[0], x.unpack(this), y.unpack(this))}; }
};

}  // namespace

Tensor unary_op(UnaryOp op, const Tensor& x, const UnaryParams& params) {
  Tensor y = unary_raw(op, x, params, {});
  if (differentiable(op) && floating_or_complex(y.dtype()) && any_requires_grad({&x})) {
    auto* n = record(y, {&x}, make_intrusive<UnaryBackward>(op, params));
    if (grad_uses_input(op)) n->x = SavedVariable(x, false);
    if (grad_uses_result(op)) n->y = SavedVariable(y, true);
  }
  return y;
}

Tensor& unary_op_(UnaryOp op, Tensor& x, const UnaryParams& params) {
  DG_CHECK(!(op == UnaryOp::abs && is_complex(x.dtype())), Error, "In-place abs is not supported for complex tensors.");
  return inplace(x, {}, [&] { unary_raw(op, x, params, x); },
                 [&](const Tensor& self) { return unary_op(op, self, params); });
}

// ---- the named functions ---------------------------------------------------------------------

#define DG_DEFINE_UNARY(name)                                                        \
  Tensor name(const Tensor& x) { return unary_op(UnaryOp::name, x, {}); }            \
  Tensor& name##_(Tensor& x) { return unary_op_(UnaryOp::name, x, {}); }
DG_DEFINE_UNARY(neg)
DG_DEFINE_UNARY(exp)
DG_DEFINE_UNARY(exp2)
DG_DEFINE_UNARY(expm1)
DG_DEFINE_UNARY(log)
DG_DEFINE_UNARY(log2)
DG_DEFINE_UNARY(log10)
DG_DEFINE_UNARY(log1p)
DG_DEFINE_UNARY(sqrt)
DG_DEFINE_UNARY(rsqrt)
DG_DEFINE_UNARY(sin)
DG_DEFINE_UNARY(cos)
DG_DEFINE_UNARY(tan)
DG_DEFINE_UNARY(asin)
DG_DEFINE_UNARY(acos)
DG_DEFINE_UNARY(atan)
DG_DEFINE_UNARY(sinh)
DG_DEFINE_UNARY(cosh)
DG_DEFINE_UNARY(tanh)
DG_DEFINE_UNARY(asinh)
DG_DEFINE_UNARY(acosh)
DG_DEFINE_UNARY(atanh)
DG_DEFINE_UNARY(sigmoid)
DG_DEFINE_UNARY(reciprocal)
DG_DEFINE_UNARY(erf)
DG_DEFINE_UNARY(erfc)
DG_DEFINE_UNARY(erfinv)
DG_DEFINE_UNARY(lgamma)
DG_DEFINE_UNARY(digamma)
DG_DEFINE_UNARY(square)
DG_DEFINE_UNARY(abs)
DG_DEFINE_UNARY(sign)
DG_DEFINE_UNARY(sgn)
DG_DEFINE_UNARY(relu)
DG_DEFINE_UNARY(relu6)
DG_DEFINE_UNARY(selu)
DG_DEFINE_UNARY(silu)
DG_DEFINE_UNARY(mish)
DG_DEFINE_UNARY(softsign)
DG_DEFINE_UNARY(hardsigmoid)
DG_DEFINE_UNARY(hardswish)
DG_DEFINE_UNARY(floor)
DG_DEFINE_UNARY(ceil)
DG_DEFINE_UNARY(trunc)
DG_DEFINE_UNARY(frac)
DG_DEFINE_UNARY(isnan)
DG_DEFINE_UNARY(isinf)
DG_DEFINE_UNARY(isfinite)
DG_DEFINE_UNARY(signbit)
DG_DEFINE_UNARY(logical_not)
DG_DEFINE_UNARY(bitwise_not)
#undef DG_DEFINE_UNARY


Tensor conj(const Tensor& x) { return is_complex(x.dtype()) ? unary_op(UnaryOp::conj, x, {}) : x; }

Tensor angle(const Tensor& x) {
  if (is_complex(x.dtype())) return atan2(imag(x), real(x));
  Tensor xf = is_floating_point(x.dtype()) ? x : to_dtype(x, default_dtype());
  // 0 for x >= 0, pi for x < 0, nan stays nan; the gradient is zero.
  Tensor phase = where(lt(xf, 0), full_like(xf, kPi), zeros_like(xf));
  return add(where(isnan(xf), xf, phase), where(isfinite(xf), mul(xf, 0), zeros_like(xf)));
}

Tensor logit(const Tensor& x, std::optional<double> eps) {
  return unary_op(UnaryOp::logit, x, {eps.value_or(0), eps ? 1.0 : 0.0, 0});
}
Tensor leaky_relu(const Tensor& x, double slope) { return unary_op(UnaryOp::leaky_relu, x, {slope, 0, 0}); }
Tensor& leaky_relu_(Tensor& x, double slope) { return unary_op_(UnaryOp::leaky_relu, x, {slope, 0, 0}); }
Tensor elu(const Tensor& x, double alpha) { return unary_op(UnaryOp::elu, x, {alpha, 0, 0}); }
Tensor celu(const Tensor& x, double alpha) { return unary_op(UnaryOp::celu, x, {alpha, 0, 0}); }
Tensor gelu(const Tensor& x, const std::string& approximate) {
  DG_CHECK(approximate == "none" || approximate == "tanh", Error,
           "approximate argument must be either none or tanh.");
  return unary_op(UnaryOp::gelu, x, {approximate == "tanh" ? 1.0 : 0.0, 0, 0});
}
Tensor softplus(const Tensor& x, double beta, double threshold) {
  return unary_op(UnaryOp::softplus, x, {beta, threshold, 0});
}
Tensor hardtanh(const Tensor& x, double min_val, double max_val) {
  DG_CHECK(min_val <= max_val, Error, "hardtanh: min_val cannot be greater than max_val");
  return unary_op(UnaryOp::hardtanh, x, {min_val, max_val, 0});
}
Tensor& hardtanh_(Tensor& x, double min_val, double max_val) {
  return unary_op_(UnaryOp::hardtanh, x, {min_val, max_val, 0});
}
Tensor round(const Tensor& x, int64_t decimals) {
  return unary_op(UnaryOp::round, x, {static_cast<double>(decimals), 0, 0});
}
Tensor& round_(Tensor& x, int64_t decimals) {
  return unary_op_(UnaryOp::round, x, {static_cast<double>(decimals), 0, 0});
}
Tensor nan_to_num(const Tensor& x, std::optional<double> nan, std::optional<double> posinf,
                  std::optional<double> neginf) {
  double big = x.dtype() == kFloat64 ? 1.7976931348623157e308
               : x.dtype() == kFloat16 ? 65504.0
               : x.dtype() == kBFloat16 ? 3.3895313892515355e38
                                         : 3.4028234663852886e38;
  return unary_op(UnaryOp::nan_to_num, x, {nan.value_or(0.0), posinf.value_or(big), neginf.value_or(-big)});
}

}  // namespace dg
