// Integer arithmetic that wraps around on overflow (two's complement), as
// PyTorch's integer kernels do. Plain signed overflow is undefined behaviour
// in C++: the compiler may assume it never happens, and the sanitizer build
// reports it. Computing in the unsigned type (at least unsigned int wide, so
// that int8/int16 operands are not promoted back to signed int) gives the
// wrapped result with the same machine instructions. Other types (bool,
// unsigned, floating point, complex) use the plain operators.
#pragma once

#include <type_traits>

#include "dyngraph/export.h"

namespace dg::ops {

template <class T>
constexpr bool kWrapsSigned = std::is_integral<T>::value && std::is_signed<T>::value;

template <class T>
using wrap_unsigned_t = std::conditional_t<(sizeof(T) < sizeof(unsigned)), unsigned, std::make_unsigned_t<T>>;

template <class T> DG_HOST_DEVICE T wrap_add(T a, T b) {
  if constexpr (kWrapsSigned<T>) {
    using U = wrap_unsigned_t<T>;
    return static_cast<T>(static_cast<U>(a) + static_cast<U>(b));
  } else {
    return a + b;
  }
}
template <class T> DG_HOST_DEVICE T wrap_sub(T a, T b) {
  if constexpr (kWrapsSigned<T>) {
    using U = wrap_unsigned_t<T>;
    return static_cast<T>(static_cast<U>(a) - static_cast<U>(b));
  } else {
    return a - b;
  }
}
template <class T> DG_HOST_DEVICE T wrap_mul(T a, T b) {
  if constexpr (kWrapsSigned<T>) {
    using U = wrap_unsigned_t<T>;
    return static_cast<T>(static_cast<U>(a) * static_cast<U>(b));
  } else {
    return a * b;
  }
}
template <class T> DG_HOST_DEVICE T wrap_neg(T a) {
  if constexpr (kWrapsSigned<T>) return wrap_sub(T(0), a);
  else return -a;
}

}  // namespace dg::ops
