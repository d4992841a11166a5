// Scalar math shared by the CPU loops and CUDA kernels: overloads for float
// and double, and complex versions of the functions that take complex
// arguments (computed through std::complex on the host, cuda::std::complex
// when compiled by nvcc, whose functions also run on the device).
#pragma once

#include <cmath>
#include <complex>
#include <limits>

#include "kernels/convert.h"
#include "kernels/wrapping.h"

#if defined(__CUDACC__)
#  include <cuda/std/complex>
#endif

namespace dg::math {

#if defined(__CUDACC__)
namespace cstd = ::cuda::std;
#else
namespace cstd = ::std;
#endif

template <class T> struct real_of { using type = T; };
template <class T> struct real_of<complex<T>> { using type = T; };
template <class T>
using real_of_t = typename real_of<T>::type;

template <class T>
DG_HOST_DEVICE inline cstd::complex<real_of_t<T>> to_std(T z) {
  return {z.re, z.im};
}
template <class T, class R>
DG_HOST_DEVICE inline T from_std(cstd::complex<R> z) {
  return T(z.real(), z.imag());
}

// Applies f to a real value, or to a complex one through std::complex.
#define DG_MATH_FN(name, expr_real, expr_complex)                      \
  template <class T>                                                   \
  DG_HOST_DEVICE inline T name(T x) {                                  \
    if constexpr (is_complex_t<T>::value) {                            \
      auto z = to_std(x);                                              \
      return from_std<T>(expr_complex);                                \
    } else {                                                           \
      return expr_real;                                                \
    }                                                                  \
  }
DG_MATH_FN(exp, std::exp(x), cstd::exp(z))
DG_MATH_FN(log, std::log(x), cstd::log(z))
DG_MATH_FN(sqrt, std::sqrt(x), cstd::sqrt(z))
DG_MATH_FN(sin, std::sin(x), cstd::sin(z))
DG_MATH_FN(cos, std::cos(x), cstd::cos(z))
DG_MATH_FN(tan, std::tan(x), cstd::tan(z))
DG_MATH_FN(sinh, std::sinh(x), cstd::sinh(z))
DG_MATH_FN(cosh, std::cosh(x), cstd::cosh(z))
DG_MATH_FN(tanh, std::tanh(x), cstd::tanh(z))
DG_MATH_FN(asin, std::asin(x), cstd::asin(z))
DG_MATH_FN(acos, std::acos(x), cstd::acos(z))
DG_MATH_FN(atan, std::atan(x), cstd::atan(z))
DG_MATH_FN(asinh, std::asinh(x), cstd::asinh(z))
DG_MATH_FN(acosh, std::acosh(x), cstd::acosh(z))
DG_MATH_FN(atanh, std::atanh(x), cstd::atanh(z))
#undef DG_MATH_FN

template <class T>
DG_HOST_DEVICE inline real_of_t<T> abs(T x) {
  if constexpr (is_complex_t<T>::value) return std::hypot(x.re, x.im);
  else if constexpr (std::is_unsigned<T>::value || std::is_same<T, bool>::value) return x;
  else if constexpr (std::is_floating_point<T>::value) return std::fabs(x);  // abs(-0.0) is +0.0
  else return x < T(0) ? ops::wrap_neg(x) : x;  // abs(MIN) wraps to MIN, as PyTorch
}

template <class T>
DG_HOST_DEVICE inline T sigmoid(T x) {
  if constexpr (is_complex_t<T>::value) return T(1) / (T(1) + exp(-x));
  else return T(1) / (T(1) + std::exp(-x));
}

// Inverse error function: Giles' single-precision approximation refined by
// two Newton steps (accurate to double precision).
template <class T>
DG_HOST_DEVICE inline T erfinv(T y) {
  if (y <= T(-1)) return y == T(-1) ? -std::numeric_limits<T>::infinity() : std::numeric_limits<T>::quiet_NaN();
  if (y >= T(1)) return y == T(1) ? std::numeric_limits<T>::infinity() : std::numeric_limits<T>::quiet_NaN();
  double x = static_cast<double>(y);
  double w = -std::log((1.0 - x) * (1.0 + x)), p;
  if (w < 5.0) {
    w -= 2.5;
    p = 2.81022636e-08;
    p = 3.43273939e-07 + p * w;
    p = -3.5233877e-06 + p * w;
    p = -4.39150654e-06 + p * w;
    p = 0.00021858087 + p * w;
    p = -0.00125372503 + p * w;
    p = -0.00417768164 + p * w;
    p = 0.246640727 + p * w;
    p = 1.50140941 + p * w;
  } else {
    w = std::sqrt(w) - 3.0;
    p = -0.000200214257;
    p = 0.000100950558 + p * w;
    p = 0.00134934322 + p * w;
    p = -0.00367342844 + p * w;
    p = 0.00573950773 + p * w;
    p = -0.0076224613 + p * w;
    p = 0.00943887047 + p * w;
    p = 1.00167406 + p * w;
    p = 2.83297682 + p * w;
  }
  double r = p * x;
  for (int i = 0; i < 2; ++i) {
    double err = std::erf(r) - x;
    r -= err / (1.1283791670955126 * std::exp(-r * r));
  }
  return static_cast<T>(r);
}

// digamma by recurrence up to x >= 6 and the asymptotic series.
template <class T>
DG_HOST_DEVICE inline T digamma(T xin) {
  double x = static_cast<double>(xin);
  if (x == 0) return static_cast<T>(std::signbit(x) ? INFINITY : -INFINITY);
  if (x < 0) {
    if (x == std::floor(x)) return std::numeric_limits<T>::quiet_NaN();
    // reflection: psi(1-x) - psi(x) = pi cot(pi x)
    return static_cast<T>(digamma(1.0 - x) - 3.141592653589793 / std::tan(3.141592653589793 * x));
  }
  double result = 0;
  while (x < 6) {
    result -= 1 / x;
    x += 1;
  }
  double f = 1 / (x * x);
  result += std::log(x) - 0.5 / x -
            f * (1.0 / 12 - f * (1.0 / 120 - f * (1.0 / 252 - f * (1.0 / 240 - f * (1.0 / 132)))));
  return static_cast<T>(result);
}

// trigamma (derivative of digamma), for digamma's gradient.
template <class T>
DG_HOST_DEVICE inline T trigamma(T xin) {
  double x = static_cast<double>(xin), sign = 1, result = 0;
  if (x < 0.5) {
    sign = -1;
    double s = std::sin(3.141592653589793 * x);
    result -= 9.869604401089358 / (s * s);
    x = 1 - x;
  }
  while (x < 6) {
    result += 1 / (x * x);
    x += 1;
  }
  double f = 1 / (x * x);
  result += 1 / x + f / 2 + f / x * (1.0 / 6 - f * (1.0 / 30 - f * (1.0 / 42 - f / 30)));
  return static_cast<T>(sign * result);
}

// Complex power (real powers are std::pow).
template <class T>
DG_HOST_DEVICE inline T pow_complex(T a, T b) {
  return from_std<T>(cstd::pow(to_std(a), to_std(b)));
}

}  // namespace dg::math
