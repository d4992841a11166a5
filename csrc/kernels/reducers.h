// How values combine in each reduction, shared by the CPU and CUDA kernels:
//   A         the accumulator type
//   init()    the identity
//   step(a, x) folds one input value of type T in
//   merge(a, b) combines two partial results
// Sums accumulate wide (double for floats, int64 for integers).
#pragma once

#include <limits>
#include <type_traits>

#include "kernels/convert.h"
#include "kernels/wrapping.h"

namespace dg::reducers {

template <class T> struct wide { using type = std::conditional_t<std::is_integral<T>::value, int64_t, double>; };
template <> struct wide<complex64_t> { using type = complex128_t; };
template <> struct wide<complex128_t> { using type = complex128_t; };

// Integer sums and products wrap around in int64, as PyTorch's.
template <class T> struct Sum {
  using A = typename wide<T>::type;
  DG_HOST_DEVICE static A init() { return A(0); }
  DG_HOST_DEVICE static A step(A a, T x) { return ops::wrap_add(a, convert<A>(x)); }
  DG_HOST_DEVICE static A merge(A a, A b) { return ops::wrap_add(a, b); }
};
template <class T> struct NanSum {
  using A = typename wide<T>::type;
  DG_HOST_DEVICE static A init() { return A(0); }
  DG_HOST_DEVICE static A step(A a, T x) { return x != x ? a : ops::wrap_add(a, convert<A>(x)); }
  DG_HOST_DEVICE static A merge(A a, A b) { return ops::wrap_add(a, b); }
};
template <class T> struct Prod {
  using A = typename wide<T>::type;
  DG_HOST_DEVICE static A init() { return A(1); }
  DG_HOST_DEVICE static A step(A a, T x) { return ops::wrap_mul(a, convert<A>(x)); }
  DG_HOST_DEVICE static A merge(A a, A b) { return ops::wrap_mul(a, b); }
};
// max/min propagate NaN, as PyTorch.
template <class T> struct Max {
  using A = opmath_t<T>;
  DG_HOST_DEVICE static A init() {
    if constexpr (std::numeric_limits<A>::has_infinity) return -std::numeric_limits<A>::infinity();
    else return std::numeric_limits<A>::lowest();
  }
  DG_HOST_DEVICE static A merge(A a, A x) { return (a != a) ? a : ((x != x || x > a) ? x : a); }
  DG_HOST_DEVICE static A step(A a, T x) { return merge(a, static_cast<A>(x)); }
};
template <class T> struct Min {
  using A = opmath_t<T>;
  DG_HOST_DEVICE static A init() {
    if constexpr (std::numeric_limits<A>::has_infinity) return std::numeric_limits<A>::infinity();
    else return std::numeric_limits<A>::max();
  }
  DG_HOST_DEVICE static A merge(A a, A x) { return (a != a) ? a : ((x != x || x < a) ? x : a); }
  DG_HOST_DEVICE static A step(A a, T x) { return merge(a, static_cast<A>(x)); }
};
template <class T> struct All {
  using A = bool;
  DG_HOST_DEVICE static A init() { return true; }
  DG_HOST_DEVICE static A step(A a, T x) { return a && convert<bool>(x); }
  DG_HOST_DEVICE static A merge(A a, A b) { return a && b; }
};
template <class T> struct Any {
  using A = bool;
  DG_HOST_DEVICE static A init() { return false; }
  DG_HOST_DEVICE static A step(A a, T x) { return a || convert<bool>(x); }
  DG_HOST_DEVICE static A merge(A a, A b) { return a || b; }
};

// argmax/argmin: (value, position) pairs; NaN wins, then the larger (or
// smaller) value, then the first position. The order makes merge
// associative and commutative, so any split of the work gives the CPU's answer.
template <class T, bool kMax> struct Arg {
  using M = opmath_t<T>;
  struct A {
    M value;
    int64_t index;
  };
  DG_HOST_DEVICE static A init() { return {kMax ? Max<T>::init() : Min<T>::init(), -1}; }
  DG_HOST_DEVICE static A merge(A a, A b) {
    if (a.index < 0) return b;
    if (b.index < 0) return a;
    const bool a_nan = a.value != a.value, b_nan = b.value != b.value;
    if (a_nan || b_nan) return (a_nan && b_nan) ? (a.index < b.index ? a : b) : (a_nan ? a : b);
    if (a.value == b.value) return a.index < b.index ? a : b;
    return (kMax ? a.value > b.value : a.value < b.value) ? a : b;
  }
};

}  // namespace dg::reducers
