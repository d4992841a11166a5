// A number that is not a tensor: a Python bool/int/float/complex or a C++
// literal. Scalars take part in type promotion as "weak" operands: they only
// change the result dtype when they are of a higher category (bool < integer
// < floating < complex) than the tensors.
#pragma once

#include <cstdint>
#include <type_traits>

#include "dyngraph/dtype.h"

namespace dg {

class Scalar {
 public:
  enum class Kind : int8_t { Bool, Int, Float, Complex };

  Scalar() : Scalar(int64_t(0)) {}
  Scalar(bool v) : kind_(Kind::Bool), i_(v) {}
  template <class T, std::enable_if_t<std::is_integral<T>::value && !std::is_same<T, bool>::value, int> = 0>
  Scalar(T v) : kind_(Kind::Int), i_(static_cast<int64_t>(v)) {}
  template <class T, std::enable_if_t<std::is_floating_point<T>::value, int> = 0>
  Scalar(T v) : kind_(Kind::Float), d_(static_cast<double>(v)) {}
  Scalar(Half v) : Scalar(static_cast<float>(v)) {}
  Scalar(BFloat16 v) : Scalar(static_cast<float>(v)) {}
  template <class T>
  Scalar(complex<T> v) : kind_(Kind::Complex), d_(v.re), im_(v.im) {}

  Kind kind() const { return kind_; }
  bool is_bool() const { return kind_ == Kind::Bool; }
  bool is_integral() const { return kind_ == Kind::Int; }
  bool is_floating_point() const { return kind_ == Kind::Float; }
  bool is_complex() const { return kind_ == Kind::Complex; }

  // The value converted to T (complex -> real drops the imaginary part).
  template <class T>
  T to() const {
    if constexpr (std::is_same<T, bool>::value) {
      return kind_ == Kind::Complex ? (d_ != 0 || im_ != 0) : kind_ == Kind::Float ? d_ != 0 : i_ != 0;
    } else if constexpr (std::is_same<T, complex64_t>::value || std::is_same<T, complex128_t>::value) {
      using R = decltype(T().re);
      complex128_t c = to_complex();
      return T(static_cast<R>(c.re), static_cast<R>(c.im));
    } else if constexpr (std::is_same<T, Half>::value || std::is_same<T, BFloat16>::value) {
      return T(static_cast<float>(to_double()));
    } else {
      if (kind_ == Kind::Float || kind_ == Kind::Complex) return static_cast<T>(d_);
      return static_cast<T>(i_);
    }
  }
  double to_double() const { return (kind_ == Kind::Float || kind_ == Kind::Complex) ? d_ : static_cast<double>(i_); }
  int64_t to_long() const { return (kind_ == Kind::Float || kind_ == Kind::Complex) ? static_cast<int64_t>(d_) : i_; }
  complex128_t to_complex() const { return kind_ == Kind::Complex ? complex128_t(d_, im_) : complex128_t(to_double(), 0.0); }

  // The dtype this scalar has as a weak operand: bool, int64, the default
  // float dtype, or the default complex dtype.
  DG_API Dtype weak_dtype() const;

 private:
  Kind kind_;
  int64_t i_ = 0;
  double d_ = 0, im_ = 0;
};

}  // namespace dg
