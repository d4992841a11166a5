// convert<To>(from): the value conversion behind copy_, to(dtype) and every
// cast in the loops, the same on the CPU and in CUDA kernels. Reduced
// precision types go through float; complex -> real keeps the real part;
// anything -> bool is "nonzero".
#pragma once

#include <type_traits>

#include "dyngraph/scalar_types.h"

namespace dg {

template <class T> struct is_complex_t : std::false_type {};
template <class T> struct is_complex_t<complex<T>> : std::true_type {};

template <class T> struct is_reduced_float : std::false_type {};
template <> struct is_reduced_float<Half> : std::true_type {};
template <> struct is_reduced_float<BFloat16> : std::true_type {};

// The type arithmetic on T is done in: float for Half/BFloat16, T otherwise.
template <class T> struct opmath { using type = T; };
template <> struct opmath<Half> { using type = float; };
template <> struct opmath<BFloat16> { using type = float; };
template <class T> using opmath_t = typename opmath<T>::type;

template <class To, class From>
DG_HOST_DEVICE inline To convert(From v) {
  if constexpr (std::is_same<To, From>::value) {
    return v;
  } else if constexpr (std::is_same<To, bool>::value) {
    if constexpr (is_complex_t<From>::value) return v.re != 0 || v.im != 0;
    else return static_cast<opmath_t<From>>(v) != 0;
  } else if constexpr (is_complex_t<To>::value) {
    using R = decltype(To().re);
    if constexpr (is_complex_t<From>::value) return To(static_cast<R>(v.re), static_cast<R>(v.im));
    else return To(static_cast<R>(static_cast<opmath_t<From>>(v)), R(0));
  } else if constexpr (is_complex_t<From>::value) {
    return convert<To>(v.re);
  } else if constexpr (is_reduced_float<To>::value) {
    return To(static_cast<float>(static_cast<opmath_t<From>>(v)));
  } else {
    return static_cast<To>(static_cast<opmath_t<From>>(v));
  }
}

}  // namespace dg
