// The elementwise operations, one table row each: the functor is the whole
// definition of the math, shared by the CPU loops and the CUDA kernels.
// A functor is instantiated with the compute type T (the promoted dtype's
// C++ type); Half and BFloat16 convert to float for the arithmetic. Binary
// functors carry `alpha` (used by add/sub: a + alpha * b).
//
//   DG_BINARY_OPS(_): _(name, Functor, dtypes, result)
//     dtypes: ALL (every dtype), REAL (no complex)
//     result: SAME (the compute type) or BOOL
//   DG_UNARY_OPS(_):  _(name, Functor, kind) (kinds: see unary_ops.h)
#pragma once

#include "dyngraph/export.h"
#include "kernels/convert.h"
#include "kernels/math.h"
#include "kernels/unary_ops.h"
#include "kernels/wrapping.h"

namespace dg::ops {

template <class T>
struct Binary {
  T alpha;
};

template <class T> struct Add : Binary<T> {
  DG_HOST_DEVICE T operator()(T a, T b) const { return wrap_add(a, wrap_mul(this->alpha, b)); }
};
template <class T> struct Sub : Binary<T> {
  DG_HOST_DEVICE T operator()(T a, T b) const { return wrap_sub(a, wrap_mul(this->alpha, b)); }
};
template <class T> struct Mul : Binary<T> {
  DG_HOST_DEVICE T operator()(T a, T b) const { return wrap_mul(a, b); }
};
template <class T> struct Div : Binary<T> {
  DG_HOST_DEVICE T operator()(T a, T b) const { return a / b; }
};
template <class T> struct Eq : Binary<T> {
  DG_HOST_DEVICE bool operator()(T a, T b) const { return a == b; }
};
template <class T> struct Ne : Binary<T> {
  DG_HOST_DEVICE bool operator()(T a, T b) const { return a != b; }
};
template <class T> struct Lt : Binary<T> {
  DG_HOST_DEVICE bool operator()(T a, T b) const { return a < b; }
};
template <class T> struct Le : Binary<T> {
  DG_HOST_DEVICE bool operator()(T a, T b) const { return a <= b; }
};
template <class T> struct Gt : Binary<T> {
  DG_HOST_DEVICE bool operator()(T a, T b) const { return a > b; }
};
template <class T> struct Ge : Binary<T> {
  DG_HOST_DEVICE bool operator()(T a, T b) const { return a >= b; }
};

template <class T> struct Neg : UnaryParams {
  DG_HOST_DEVICE T operator()(T a) const { return wrap_neg(a); }
};
template <class T> struct Conj : UnaryParams {
  DG_HOST_DEVICE T operator()(T a) const {
    if constexpr (is_complex_t<T>::value) return T(a.re, -a.im);
    else return a;
  }
};

// NaN-propagating maximum/minimum; fmax/fmin prefer the number over NaN.
template <class T> struct Maximum : Binary<T> {
  DG_HOST_DEVICE T operator()(T a, T b) const { return (a != a) ? a : (b != b) ? b : (a > b ? a : b); }
};
template <class T> struct Minimum : Binary<T> {
  DG_HOST_DEVICE T operator()(T a, T b) const { return (a != a) ? a : (b != b) ? b : (a < b ? a : b); }
};
template <class T> struct Fmax : Binary<T> {
  DG_HOST_DEVICE T operator()(T a, T b) const { return (a != a) ? b : (b != b) ? a : (a > b ? a : b); }
};
template <class T> struct Fmin : Binary<T> {
  DG_HOST_DEVICE T operator()(T a, T b) const { return (a != a) ? b : (b != b) ? a : (a < b ? a : b); }
};
// Integer division and modulo that never trap: x / -1 with x the type's
// minimum overflows (SIGFPE on x86); PyTorch wraps to the minimum, and x % -1
// is 0. (Division by zero is rejected by the op before the kernel runs.)
template <class T> DG_HOST_DEVICE T int_div(T a, T b) {
  if constexpr (std::is_signed<T>::value) {
    if (b == T(-1)) return wrap_neg(a);
  }
  return static_cast<T>(a / b);
}
template <class T> DG_HOST_DEVICE T int_mod(T a, T b) {
  if constexpr (std::is_signed<T>::value) {
    if (b == T(-1)) return T(0);
  }
  return static_cast<T>(a % b);
}

// Python's modulo: the result has the sign of the divisor.
template <class T> struct Remainder : Binary<T> {
  DG_HOST_DEVICE T operator()(T a, T b) const {
    if constexpr (std::is_integral<T>::value) {
      if constexpr (std::is_same<T, bool>::value) return a && !b ? a : false;
      else {
        T r = int_mod(a, b);
        return (r != 0 && ((r < 0) != (b < 0))) ? static_cast<T>(r + b) : r;
      }
    } else {
      T r = std::fmod(a, b);
      return (r != 0 && ((r < 0) != (b < 0))) ? r + b : r;
    }
  }
};
template <class T> struct Fmod : Binary<T> {
  DG_HOST_DEVICE T operator()(T a, T b) const {
    if constexpr (std::is_same<T, bool>::value) return a && !b ? a : false;
    else if constexpr (std::is_integral<T>::value) return int_mod(a, b);
    else return std::fmod(a, b);
  }
};
template <class T> struct FloorDivide : Binary<T> {
  DG_HOST_DEVICE T operator()(T a, T b) const {
    if constexpr (std::is_same<T, bool>::value) return a;
    else if constexpr (std::is_integral<T>::value) {
      T q = int_div(a, b);
      return ((int_mod(a, b) != 0) && ((a < 0) != (b < 0))) ? static_cast<T>(q - 1) : q;
    } else {
      // Python's float floor division (CPython's algorithm).
      if (b == T(0)) return a / b;
      T mod = std::fmod(a, b);
      T div = (a - mod) / b;
      if (mod != T(0) && ((b < T(0)) != (mod < T(0)))) div -= T(1);
      if (div == T(0)) return std::copysign(T(0), a / b);
      T floordiv = std::floor(div);
      if (div - floordiv > T(0.5)) floordiv += T(1);
      return floordiv;
    }
  }
};
template <class T> struct DivTrunc : Binary<T> {
  DG_HOST_DEVICE T operator()(T a, T b) const {
    if constexpr (std::is_same<T, bool>::value) return a;
    else if constexpr (std::is_integral<T>::value) return int_div(a, b);
    else return std::trunc(a / b);
  }
};
template <class T> struct Atan2 : Binary<T> {
  DG_HOST_DEVICE T operator()(T a, T b) const { return std::atan2(a, b); }
};
template <class T> struct Hypot : Binary<T> {
  DG_HOST_DEVICE T operator()(T a, T b) const { return std::hypot(a, b); }
};
template <class T> struct Copysign : Binary<T> {
  DG_HOST_DEVICE T operator()(T a, T b) const { return std::copysign(a, b); }
};
template <class T> struct Logaddexp : Binary<T> {
  DG_HOST_DEVICE T operator()(T a, T b) const {
    if (std::isinf(a) && a == b) return a;
    T m = a > b ? a : b;
    return m + std::log1p(std::exp(-std::fabs(a - b)));
  }
};
template <class T> struct Pow : Binary<T> {
  DG_HOST_DEVICE T operator()(T a, T b) const {
    if constexpr (is_complex_t<T>::value) {
      return math::pow_complex(a, b);
    } else if constexpr (std::is_same<T, bool>::value) {
      return a || !b;
    } else if constexpr (std::is_integral<T>::value) {
      if (b < 0) return a == 1 ? T(1) : (a == -1 ? ((b % 2) ? T(-1) : T(1)) : T(0));
      T result = 1, base = a;
      for (T e = b; e > 0; e = static_cast<T>(e >> 1)) {
        if (e & 1) result = wrap_mul(result, base);
        base = wrap_mul(base, base);
      }
      return result;
    } else {
      return std::pow(a, b);
    }
  }
};
// & and | rather than && and ||: no short-circuit branch, so the loops
// vectorize (a branch per element on random data costs ~2 ns).
template <class T> struct LogicalAnd : Binary<T> {
  DG_HOST_DEVICE bool operator()(T a, T b) const { return convert<bool>(a) & convert<bool>(b); }
};
template <class T> struct LogicalOr : Binary<T> {
  DG_HOST_DEVICE bool operator()(T a, T b) const { return convert<bool>(a) | convert<bool>(b); }
};
template <class T> struct LogicalXor : Binary<T> {
  DG_HOST_DEVICE bool operator()(T a, T b) const { return convert<bool>(a) != convert<bool>(b); }
};
template <class T> struct BitwiseAnd : Binary<T> {
  DG_HOST_DEVICE T operator()(T a, T b) const { return static_cast<T>(a & b); }
};
template <class T> struct BitwiseOr : Binary<T> {
  DG_HOST_DEVICE T operator()(T a, T b) const { return static_cast<T>(a | b); }
};
template <class T> struct BitwiseXor : Binary<T> {
  DG_HOST_DEVICE T operator()(T a, T b) const { return static_cast<T>(a ^ b); }
};
// Shifts by a negative or too-large amount give 0 (or -1 for >> of negatives), as PyTorch.
template <class T> struct LeftShift : Binary<T> {
  DG_HOST_DEVICE T operator()(T a, T b) const {
    if constexpr (std::is_same<T, bool>::value) return a && !b;
    else {
      using U = std::make_unsigned_t<T>;
      if (b < 0 || b >= static_cast<T>(sizeof(T) * 8)) return 0;
      return static_cast<T>(static_cast<U>(a) << b);
    }
  }
};
template <class T> struct RightShift : Binary<T> {
  DG_HOST_DEVICE T operator()(T a, T b) const {
    if constexpr (std::is_same<T, bool>::value) return a && !b;
    else {
      if (b < 0 || b >= static_cast<T>(sizeof(T) * 8)) return a < 0 ? T(-1) : T(0);
      return static_cast<T>(a >> b);
    }
  }
};

// Binds a Python scalar as the second (or first) operand of a binary functor.
template <class F, class T>
struct BindSecond {
  F f;
  T b;
  DG_HOST_DEVICE auto operator()(T a) const { return f(a, b); }
};
template <class F, class T>
struct BindFirst {
  F f;
  T a;
  DG_HOST_DEVICE auto operator()(T b) const { return f(a, b); }
};

}  // namespace dg::ops

// dtypes: ALL, REAL (no complex), FLOAT (floating only: integer inputs are
// computed in the default float dtype), INT (integers and bool).
#define DG_BINARY_OPS(_)                                                                                     \
  _(add, Add, ALL, SAME) _(sub, Sub, ALL, SAME) _(mul, Mul, ALL, SAME) _(div, Div, ALL, SAME)               \
  _(eq, Eq, ALL, BOOL) _(ne, Ne, ALL, BOOL) _(lt, Lt, REAL, BOOL) _(le, Le, REAL, BOOL)                      \
  _(gt, Gt, REAL, BOOL) _(ge, Ge, REAL, BOOL) _(maximum, Maximum, REAL, SAME)                                \
  _(minimum, Minimum, REAL, SAME) _(fmax, Fmax, REAL, SAME) _(fmin, Fmin, REAL, SAME)                        \
  _(remainder, Remainder, REAL, SAME) _(fmod, Fmod, REAL, SAME) _(floor_divide, FloorDivide, REAL, SAME)    \
  _(div_trunc, DivTrunc, REAL, SAME) _(atan2, Atan2, FLOAT, SAME) _(hypot, Hypot, FLOAT, SAME)              \
  _(copysign, Copysign, FLOAT, SAME) _(logaddexp, Logaddexp, FLOAT, SAME) _(pow, Pow, ALL, SAME)            \
  _(logical_and, LogicalAnd, ALL, BOOL) _(logical_or, LogicalOr, ALL, BOOL)                                  \
  _(logical_xor, LogicalXor, ALL, BOOL) _(bitwise_and, BitwiseAnd, INT, SAME)                                \
  _(bitwise_or, BitwiseOr, INT, SAME) _(bitwise_xor, BitwiseXor, INT, SAME)                                  \
  _(bitwise_left_shift, LeftShift, INT, SAME) _(bitwise_right_shift, RightShift, INT, SAME)

// Every unary op: neg and conj, then the math table of kernels/unary_ops.h.
#define DG_UNARY_OPS(_) \
  _(neg, Neg, SAME)     \
  _(conj, Conj, SAME)   \
  DG_UNARY_MATH_OPS(_)
