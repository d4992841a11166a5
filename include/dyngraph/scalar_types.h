// The C++ element types behind the reduced-precision and complex dtypes.
// Half and BFloat16 store 16 bits and compute in float (they convert
// implicitly both ways); complex<T> is layout-compatible with std::complex
// and NumPy's complex types and usable in CUDA kernels.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>

#include "dyngraph/export.h"

namespace dg {

namespace detail {
DG_HOST_DEVICE inline uint32_t float_bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}
DG_HOST_DEVICE inline float bits_float(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}
}  // namespace detail

// IEEE 754 binary16.
struct Half {
  uint16_t x = 0;
  Half() = default;
  DG_HOST_DEVICE Half(float f) : x(from_float(f)) {}
  DG_HOST_DEVICE operator float() const { return to_float(x); }

  DG_HOST_DEVICE static uint16_t from_float(float f) {
    // Round to nearest even, with overflow to inf and gradual underflow.
    uint32_t u = detail::float_bits(f);
    uint32_t sign = (u >> 16) & 0x8000u;
    uint32_t mag = u & 0x7fffffffu;
    if (mag >= 0x7f800000u)  // inf or nan
      return static_cast<uint16_t>(sign | 0x7c00u | (mag > 0x7f800000u ? 0x200u : 0u));
    if (mag >= 0x477ff000u) return static_cast<uint16_t>(sign | 0x7c00u);  // overflow
    if (mag < 0x38800000u) {  // subnormal half (or zero)
      // Add the float to 0.5 so the FPU does the rounding of the shifted mantissa.
      float r = detail::bits_float(mag) + 0.5f;
      return static_cast<uint16_t>(sign | (detail::float_bits(r) - 0x3f000000u));
    }
    uint32_t odd = (mag >> 13) & 1u;
    mag += 0xc8000fffu + odd;  // rebias exponent (-112 << 23) and round
    return static_cast<uint16_t>(sign | (mag >> 13));
  }
  DG_HOST_DEVICE static float to_float(uint16_t h) {
    uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
    uint32_t exp = (h >> 10) & 0x1fu;
    uint32_t man = h & 0x3ffu;
    if (exp == 0x1f) return detail::bits_float(sign | 0x7f800000u | (man << 13));
    if (exp == 0) {
      // subnormal: value = man * 2^-24
      float v = static_cast<float>(man) * 5.9604644775390625e-8f;
      return sign ? -v : v;
    }
    return detail::bits_float(sign | ((exp + 112) << 23) | (man << 13));
  }
};

// bfloat16: the top half of a float32, rounded to nearest even.
struct BFloat16 {
  uint16_t x = 0;
  BFloat16() = default;
  DG_HOST_DEVICE BFloat16(float f) : x(from_float(f)) {}
  DG_HOST_DEVICE operator float() const { return detail::bits_float(static_cast<uint32_t>(x) << 16); }
  DG_HOST_DEVICE static uint16_t from_float(float f) {
    uint32_t u = detail::float_bits(f);
    if ((u & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((u >> 16) | 0x40u);  // quiet nan
    u += 0x7fffu + ((u >> 16) & 1u);
    return static_cast<uint16_t>(u >> 16);
  }
};

template <class T>
struct alignas(2 * sizeof(T)) complex {
  T re = T(0), im = T(0);
  complex() = default;
  DG_HOST_DEVICE complex(T r, T i = T(0)) : re(r), im(i) {}
  template <class U>
  DG_HOST_DEVICE explicit complex(const complex<U>& o) : re(static_cast<T>(o.re)), im(static_cast<T>(o.im)) {}
  DG_HOST_DEVICE T real() const { return re; }
  DG_HOST_DEVICE T imag() const { return im; }
  DG_HOST_DEVICE friend complex operator+(complex a, complex b) { return {a.re + b.re, a.im + b.im}; }
  DG_HOST_DEVICE friend complex operator-(complex a, complex b) { return {a.re - b.re, a.im - b.im}; }
  DG_HOST_DEVICE friend complex operator-(complex a) { return {-a.re, -a.im}; }
  DG_HOST_DEVICE friend complex operator*(complex a, complex b) {
    return {a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re};
  }
  DG_HOST_DEVICE friend complex operator/(complex a, complex b) {
    // Smith's algorithm: avoids overflow in |b|^2.
    using std::fabs;
    if (fabs(b.re) >= fabs(b.im)) {
      if (b.re == T(0) && b.im == T(0)) return {a.re / fabs(b.re), a.im / fabs(b.im)};
      T r = b.im / b.re, d = b.re + r * b.im;
      return {(a.re + a.im * r) / d, (a.im - a.re * r) / d};
    }
    T r = b.re / b.im, d = b.im + r * b.re;
    return {(a.re * r + a.im) / d, (a.im * r - a.re) / d};
  }
  DG_HOST_DEVICE friend bool operator==(complex a, complex b) { return a.re == b.re && a.im == b.im; }
  DG_HOST_DEVICE friend bool operator!=(complex a, complex b) { return !(a == b); }
  DG_HOST_DEVICE explicit operator bool() const { return re != T(0) || im != T(0); }
};

using complex64_t = complex<float>;
using complex128_t = complex<double>;

}  // namespace dg
