// The elementwise operations, one table row each: the functor is the whole
// definition of the math, shared by the CPU loops and the CUDA kernels.
// A functor is instantiated with the compute type T (the promoted dtype's
// C++ type); Half and BFloat16 convert to float for the arithmetic. Binary
// functors carry `alpha` (used by add/sub: a + alpha * b).
//
//   DG_BINARY_OPS(_): _(name, Functor, dtypes, result)
//     dtypes: ALL (every dtype), REAL (no complex)
//     result: SAME (the compute type) or BOOL
//   DG_UNARY_OPS(_):  _(name, Functor, dtypes)
#pragma once

#include "dyngraph/export.h"
#include "kernels/convert.h"

namespace dg::ops {

template <class T>
struct Binary {
  T alpha;
};

template <class T> struct Add : Binary<T> {
  DG_HOST_DEVICE T operator()(T a, T b) const { return a + this->alpha * b; }
};
template <class T> struct Sub : Binary<T> {
  DG_HOST_DEVICE T operator()(T a, T b) const { return a - this->alpha * b; }
};
template <class T> struct Mul : Binary<T> {
  DG_HOST_DEVICE T operator()(T a, T b) const { return a * b; }
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

template <class T> struct Neg {
  DG_HOST_DEVICE T operator()(T a) const { return -a; }
};
template <class T> struct Conj {
  DG_HOST_DEVICE T operator()(T a) const {
    if constexpr (is_complex_t<T>::value) return T(a.re, -a.im);
    else return a;
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

#define DG_BINARY_OPS(_)        \
  _(add, Add, ALL, SAME)        \
  _(sub, Sub, ALL, SAME)        \
  _(mul, Mul, ALL, SAME)        \
  _(div, Div, ALL, SAME)        \
  _(eq, Eq, ALL, BOOL)          \
  _(ne, Ne, ALL, BOOL)          \
  _(lt, Lt, REAL, BOOL)         \
  _(le, Le, REAL, BOOL)         \
  _(gt, Gt, REAL, BOOL)         \
  _(ge, Ge, REAL, BOOL)

#define DG_UNARY_OPS(_) \
  _(neg, Neg, ALL)      \
  _(conj, Conj, ALL)
