// The unary elementwise ops, one table row each. A functor gets the compute
// type T (float for Half/BFloat16) and up to three parameters p0..p2 (slopes,
// bounds, ...). Kinds say which dtypes an op takes and what it returns:
//   FLOAT     floating result; integer/bool inputs are computed in the default float dtype
//   FLOAT_R   like FLOAT, but real inputs only
//   SAME      same dtype as the input (all numeric dtypes)
//   SAME_R    same dtype, real inputs only
//   ROUND     floating inputs rounded; integer inputs returned unchanged
//   PRED      bool result
//   ABS       real result (|z| of a complex z)
#pragma once

#include "kernels/fast_exp.h"
#include "kernels/math.h"

namespace dg::ops {

struct UnaryParams {
  double p0 = 0, p1 = 0, p2 = 0;
};

#define DG_UNARY_FUNCTOR(Name, ...)                          \
  template <class T>                                         \
  struct Name : UnaryParams {                                \
    DG_HOST_DEVICE auto operator()(T x) const { __VA_ARGS__ } \
  };

constexpr double kLn2 = 0.6931471805599453, kLn10 = 2.302585092994046;

// float: a branch-free polynomial (within 1 ulp) that vectorizes, where std::exp does not.
DG_UNARY_FUNCTOR(Exp, if constexpr (std::is_same<T, float>::value) return math::exp_full(x); else return math::exp(x);)
DG_UNARY_FUNCTOR(Exp2, if constexpr (is_complex_t<T>::value) return math::exp(x * T(kLn2)); else return T(std::exp2(x));)
DG_UNARY_FUNCTOR(Expm1, if constexpr (is_complex_t<T>::value) return math::exp(x) - T(1); else return T(std::expm1(x));)
DG_UNARY_FUNCTOR(Log, return math::log(x);)
DG_UNARY_FUNCTOR(Log2, if constexpr (is_complex_t<T>::value) return math::log(x) / T(kLn2); else return T(std::log2(x));)
DG_UNARY_FUNCTOR(Log10, if constexpr (is_complex_t<T>::value) return math::log(x) / T(kLn10); else return T(std::log10(x));)
DG_UNARY_FUNCTOR(Log1p, if constexpr (is_complex_t<T>::value) return math::log(x + T(1)); else return T(std::log1p(x));)
DG_UNARY_FUNCTOR(Sqrt, return math::sqrt(x);)
DG_UNARY_FUNCTOR(Rsqrt, return T(1) / math::sqrt(x);)
DG_UNARY_FUNCTOR(Sin, return math::sin(x);)
DG_UNARY_FUNCTOR(Cos, return math::cos(x);)
DG_UNARY_FUNCTOR(Tan, return math::tan(x);)
DG_UNARY_FUNCTOR(Asin, return math::asin(x);)
DG_UNARY_FUNCTOR(Acos, return math::acos(x);)
DG_UNARY_FUNCTOR(Atan, return math::atan(x);)
DG_UNARY_FUNCTOR(Sinh, return math::sinh(x);)
DG_UNARY_FUNCTOR(Cosh, return math::cosh(x);)
DG_UNARY_FUNCTOR(Tanh, return math::tanh(x);)
DG_UNARY_FUNCTOR(Asinh, return math::asinh(x);)
DG_UNARY_FUNCTOR(Acosh, return math::acosh(x);)
DG_UNARY_FUNCTOR(Atanh, return math::atanh(x);)
DG_UNARY_FUNCTOR(Sigmoid, return math::sigmoid(x);)
DG_UNARY_FUNCTOR(Reciprocal, return T(1) / x;)
DG_UNARY_FUNCTOR(Square, return wrap_mul(x, x);)
DG_UNARY_FUNCTOR(Erf, return T(std::erf(x));)
DG_UNARY_FUNCTOR(Erfc, return T(std::erfc(x));)
DG_UNARY_FUNCTOR(Erfinv, return math::erfinv(x);)
DG_UNARY_FUNCTOR(Lgamma, return T(std::lgamma(x));)
DG_UNARY_FUNCTOR(Digamma, return math::digamma(x);)
DG_UNARY_FUNCTOR(Trigamma, return math::trigamma(x);)
// logit(x, eps): p1 = 1 when eps is given (x clamped to [eps, 1 - eps]).
DG_UNARY_FUNCTOR(Logit, T z = x;
                 if (this->p1 != 0) z = z < T(this->p0) ? T(this->p0) : (z > T(1 - this->p0) ? T(1 - this->p0) : z);
                 return T(std::log(z / (T(1) - z)));)

DG_UNARY_FUNCTOR(Abs, return math::abs(x);)
DG_UNARY_FUNCTOR(Sign, if constexpr (std::is_same<T, bool>::value) return x;
                 else return T((T(0) < x) - (x < T(0)));)
// sgn(z) = z / |z| (0 at 0) for complex; sign for real.
DG_UNARY_FUNCTOR(Sgn, if constexpr (is_complex_t<T>::value) {
  auto a = math::abs(x);
  return a == 0 ? T(0) : T(x.re / a, x.im / a);
} else if constexpr (std::is_same<T, bool>::value) { return x; } else { return T((T(0) < x) - (x < T(0))); })
// NaN passes through relu and relu6, as in PyTorch.
DG_UNARY_FUNCTOR(Relu, if constexpr (std::is_same<T, bool>::value) return x; else return (x != x || x > T(0)) ? x : T(0);)
DG_UNARY_FUNCTOR(Relu6, return x != x ? x : (x > T(0) ? (x < T(6) ? x : T(6)) : T(0));)
DG_UNARY_FUNCTOR(LeakyRelu, return x > T(0) ? x : T(x * T(this->p0));)
DG_UNARY_FUNCTOR(Elu, return x > T(0) ? x : T(T(this->p0) * (std::exp(x) - T(1)));)  // p0 = alpha
DG_UNARY_FUNCTOR(Selu, constexpr T alpha = T(1.6732632423543772848170429916717);
                 constexpr T scale = T(1.0507009873554804934193349852946);
                 return scale * (x > T(0) ? x : T(alpha * (std::exp(x) - T(1))));)
// expm1: with a large alpha, x / alpha is tiny and exp(x / alpha) - 1 would round to 0.
DG_UNARY_FUNCTOR(Celu, return x > T(0) ? x : T(T(this->p0) * std::expm1(x / T(this->p0)));)
// gelu: p0 = 0 exact (erf), 1 tanh approximation.
DG_UNARY_FUNCTOR(Gelu, if (this->p0 == 0) return T(x * T(0.5) * (T(1) + std::erf(x * T(0.7071067811865476))));
                 T inner = T(0.7978845608028654) * (x + T(0.044715) * x * x * x);
                 return T(T(0.5) * x * (T(1) + std::tanh(inner)));)
DG_UNARY_FUNCTOR(Silu, return x / (T(1) + std::exp(-x));)
DG_UNARY_FUNCTOR(Mish, T sp = x > T(20) ? x : T(std::log1p(std::exp(x))); return T(x * std::tanh(sp));)
// softplus(beta = p0, threshold = p1): linear above the threshold.
DG_UNARY_FUNCTOR(Softplus, T bx = x * T(this->p0);
                 return bx > T(this->p1) ? x : T(std::log1p(std::exp(bx)) / T(this->p0));)
DG_UNARY_FUNCTOR(Softsign, return x / (T(1) + (x < T(0) ? -x : x));)
DG_UNARY_FUNCTOR(Hardtanh, return x < T(this->p0) ? T(this->p0) : (x > T(this->p1) ? T(this->p1) : x);)
DG_UNARY_FUNCTOR(Hardsigmoid, return x <= T(-3) ? T(0) : (x >= T(3) ? T(1) : T(x / T(6) + T(0.5)));)
DG_UNARY_FUNCTOR(Hardswish, return x <= T(-3) ? T(0) : (x >= T(3) ? x : T(x * (x + T(3)) / T(6)));)

DG_UNARY_FUNCTOR(Floor, return T(std::floor(x));)
DG_UNARY_FUNCTOR(Ceil, return T(std::ceil(x));)
DG_UNARY_FUNCTOR(Trunc, return T(std::trunc(x));)
// round half to even; p0 = decimals.
DG_UNARY_FUNCTOR(Round, if (this->p0 == 0) return T(std::nearbyint(x));
                 T scale = T(std::pow(10.0, this->p0));
                 return T(std::nearbyint(x * scale) / scale);)
DG_UNARY_FUNCTOR(Frac, return T(x - std::trunc(x));)

DG_UNARY_FUNCTOR(Isnan, if constexpr (is_complex_t<T>::value) return std::isnan(x.re) || std::isnan(x.im);
                 else if constexpr (std::is_floating_point<T>::value) return std::isnan(x); else return false;)
DG_UNARY_FUNCTOR(Isinf, if constexpr (is_complex_t<T>::value) return std::isinf(x.re) || std::isinf(x.im);
                 else if constexpr (std::is_floating_point<T>::value) return std::isinf(x); else return false;)
DG_UNARY_FUNCTOR(Isfinite, if constexpr (is_complex_t<T>::value) return std::isfinite(x.re) && std::isfinite(x.im);
                 else if constexpr (std::is_floating_point<T>::value) return std::isfinite(x); else return true;)
// (Not std::signbit: GCC 12 fails to vectorize it for bfloat16 inputs.)
DG_UNARY_FUNCTOR(Signbit, if constexpr (std::is_floating_point<T>::value) return std::copysign(T(1), x) < T(0);
                 else if constexpr (std::is_signed<T>::value) return x < T(0); else return false;)
DG_UNARY_FUNCTOR(LogicalNot, if constexpr (is_complex_t<T>::value) return x.re == 0 && x.im == 0;
                 else return !(x != T(0));)
DG_UNARY_FUNCTOR(BitwiseNot, if constexpr (std::is_same<T, bool>::value) return !x; else return T(~x);)
// nan_to_num(nan = p0, posinf = p1, neginf = p2)
DG_UNARY_FUNCTOR(NanToNum, if (std::isnan(x)) return T(this->p0); if (std::isinf(x)) return x > T(0) ? T(this->p1) : T(this->p2);
                 return x;)
#undef DG_UNARY_FUNCTOR

}  // namespace dg::ops

// _(name, Functor, kind)
#define DG_UNARY_MATH_OPS(_)                                                                             \
  _(exp, Exp, FLOAT) _(exp2, Exp2, FLOAT) _(expm1, Expm1, FLOAT) _(log, Log, FLOAT)                      \
  _(log2, Log2, FLOAT) _(log10, Log10, FLOAT) _(log1p, Log1p, FLOAT) _(sqrt, Sqrt, FLOAT)               \
  _(rsqrt, Rsqrt, FLOAT) _(sin, Sin, FLOAT) _(cos, Cos, FLOAT) _(tan, Tan, FLOAT) _(asin, Asin, FLOAT)  \
  _(acos, Acos, FLOAT) _(atan, Atan, FLOAT) _(sinh, Sinh, FLOAT) _(cosh, Cosh, FLOAT)                   \
  _(tanh, Tanh, FLOAT) _(asinh, Asinh, FLOAT) _(acosh, Acosh, FLOAT) _(atanh, Atanh, FLOAT)             \
  _(sigmoid, Sigmoid, FLOAT) _(reciprocal, Reciprocal, FLOAT) _(erf, Erf, FLOAT_R)                      \
  _(erfc, Erfc, FLOAT_R) _(erfinv, Erfinv, FLOAT_R) _(lgamma, Lgamma, FLOAT_R)                          \
  _(digamma, Digamma, FLOAT_R) _(trigamma, Trigamma, FLOAT_R) _(logit, Logit, FLOAT_R)                  \
  _(square, Square, SAME) _(abs, Abs, ABS) _(sign, Sign, SAME_R) _(sgn, Sgn, SAME) _(relu, Relu, SAME_R) \
  _(relu6, Relu6, SAME_R) _(leaky_relu, LeakyRelu, FLOAT_R) _(elu, Elu, FLOAT_R) _(selu, Selu, FLOAT_R) \
  _(celu, Celu, FLOAT_R) _(gelu, Gelu, FLOAT_R) _(silu, Silu, FLOAT_R) _(mish, Mish, FLOAT_R)          \
  _(softplus, Softplus, FLOAT_R) _(softsign, Softsign, FLOAT_R) _(hardtanh, Hardtanh, SAME_R)          \
  _(hardsigmoid, Hardsigmoid, FLOAT_R) _(hardswish, Hardswish, FLOAT_R) _(floor, Floor, ROUND)         \
  _(ceil, Ceil, ROUND) _(trunc, Trunc, ROUND) _(round, Round, ROUND) _(frac, Frac, ROUND)              \
  _(isnan, Isnan, PRED) _(isinf, Isinf, PRED) _(isfinite, Isfinite, PRED) _(signbit, Signbit, PRED_R)  \
  _(logical_not, LogicalNot, PRED) _(bitwise_not, BitwiseNot, INT) _(nan_to_num, NanToNum, ROUND)
