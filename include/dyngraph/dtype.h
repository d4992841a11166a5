// Element types (dtypes): their sizes and names, PyTorch's promotion rules,
// and the DG_DISPATCH_* macros that turn a runtime dtype into a C++ type.
#pragma once

#include <cstdint>
#include <string>

#include "dyngraph/error.h"
#include "dyngraph/export.h"
#include "dyngraph/scalar_types.h"

namespace dg {

// The order is the promotion lattice's, and the numeric values index tables.
enum class Dtype : int8_t {
  Bool = 0,
  UInt8,
  Int8,
  Int16,
  Int32,
  Int64,
  Float16,
  BFloat16,
  Float32,
  Float64,
  Complex64,
  Complex128,
};
constexpr int kNumDtypes = 12;

constexpr Dtype kBool = Dtype::Bool;
constexpr Dtype kUInt8 = Dtype::UInt8;
constexpr Dtype kInt8 = Dtype::Int8;
constexpr Dtype kInt16 = Dtype::Int16;
constexpr Dtype kInt32 = Dtype::Int32;
constexpr Dtype kInt64 = Dtype::Int64;
constexpr Dtype kFloat16 = Dtype::Float16;
constexpr Dtype kBFloat16 = Dtype::BFloat16;
constexpr Dtype kFloat32 = Dtype::Float32;
constexpr Dtype kFloat64 = Dtype::Float64;
constexpr Dtype kComplex64 = Dtype::Complex64;
constexpr Dtype kComplex128 = Dtype::Complex128;
// PyTorch's aliases.
constexpr Dtype kByte = kUInt8, kChar = kInt8, kShort = kInt16, kInt = kInt32, kLong = kInt64;
constexpr Dtype kHalf = kFloat16, kFloat = kFloat32, kDouble = kFloat64;

inline int64_t itemsize(Dtype d) {
  constexpr int8_t sizes[kNumDtypes] = {1, 1, 1, 2, 4, 8, 2, 2, 4, 8, 8, 16};
  return sizes[static_cast<int>(d)];
}
inline bool is_complex(Dtype d) { return d == kComplex64 || d == kComplex128; }
inline bool is_floating_point(Dtype d) { return d >= kFloat16 && d <= kFloat64; }
// Integral types, bool included only when asked.
inline bool is_integral(Dtype d, bool include_bool) {
  return (d >= kUInt8 && d <= kInt64) || (include_bool && d == kBool);
}
inline bool is_signed(Dtype d) { return d != kBool && d != kUInt8; }

// "float32", "int64", ... (PyTorch's names without the "torch." prefix).
DG_API const char* dtype_name(Dtype d);
// "Float", "Long", ...: the names PyTorch's C++ error messages use.
DG_API const char* scalar_type_name(Dtype d);
// Parses a name ("float32", "float", "double", "long", ...); throws TypeError.
DG_API Dtype dtype_from_name(const std::string& name);

// PyTorch's promote_types table.
DG_API Dtype promote_types(Dtype a, Dtype b);
// The real dtype of a complex one (complex64 -> float32); others unchanged.
DG_API Dtype to_real(Dtype d);
// The complex dtype whose parts have this float dtype (float64 -> complex128).
DG_API Dtype to_complex(Dtype d);

// The default floating dtype (float32 unless changed, as torch.set_default_dtype).
DG_API Dtype default_dtype();
DG_API void set_default_dtype(Dtype d);
DG_API Dtype default_complex_dtype();

// Maps a C++ element type to its dtype.
template <class T> struct DtypeOf;
#define DG_DTYPE_OF(T, D) template <> struct DtypeOf<T> { static constexpr Dtype value = D; };
DG_DTYPE_OF(bool, kBool)
DG_DTYPE_OF(uint8_t, kUInt8)
DG_DTYPE_OF(int8_t, kInt8)
DG_DTYPE_OF(int16_t, kInt16)
DG_DTYPE_OF(int32_t, kInt32)
DG_DTYPE_OF(int64_t, kInt64)
DG_DTYPE_OF(Half, kFloat16)
DG_DTYPE_OF(BFloat16, kBFloat16)
DG_DTYPE_OF(float, kFloat32)
DG_DTYPE_OF(double, kFloat64)
DG_DTYPE_OF(complex64_t, kComplex64)
DG_DTYPE_OF(complex128_t, kComplex128)
#undef DG_DTYPE_OF

}  // namespace dg

// DG_DISPATCH_ALL(dtype, op_name, body): runs body (a lambda-like block with
// `scalar_t` defined) for the C++ type of dtype. The _CASE helper keeps each
// dispatcher a list of the types it supports.
#define DG_DISPATCH_CASE(D, T, ...) \
  case D: {                         \
    using scalar_t = T;             \
    __VA_ARGS__();                  \
    break;                          \
  }
#define DG_DISPATCH_INTEGRAL_CASES(...)                   \
  DG_DISPATCH_CASE(::dg::kUInt8, uint8_t, __VA_ARGS__)    \
  DG_DISPATCH_CASE(::dg::kInt8, int8_t, __VA_ARGS__)      \
  DG_DISPATCH_CASE(::dg::kInt16, int16_t, __VA_ARGS__)    \
  DG_DISPATCH_CASE(::dg::kInt32, int32_t, __VA_ARGS__)    \
  DG_DISPATCH_CASE(::dg::kInt64, int64_t, __VA_ARGS__)
#define DG_DISPATCH_FLOAT_CASES(...)                          \
  DG_DISPATCH_CASE(::dg::kFloat16, ::dg::Half, __VA_ARGS__)   \
  DG_DISPATCH_CASE(::dg::kBFloat16, ::dg::BFloat16, __VA_ARGS__) \
  DG_DISPATCH_CASE(::dg::kFloat32, float, __VA_ARGS__)        \
  DG_DISPATCH_CASE(::dg::kFloat64, double, __VA_ARGS__)
#define DG_DISPATCH_COMPLEX_CASES(...)                               \
  DG_DISPATCH_CASE(::dg::kComplex64, ::dg::complex64_t, __VA_ARGS__) \
  DG_DISPATCH_CASE(::dg::kComplex128, ::dg::complex128_t, __VA_ARGS__)

#define DG_DISPATCH_UNSUPPORTED(D, NAME) \
  default:                               \
    DG_FAIL(TypeError, NAME, ": unsupported dtype ", ::dg::dtype_name(D));

#define DG_DISPATCH_ALL(D, NAME, ...)                   \
  [&] {                                                 \
    switch (D) {                                        \
      DG_DISPATCH_CASE(::dg::kBool, bool, __VA_ARGS__)  \
      DG_DISPATCH_INTEGRAL_CASES(__VA_ARGS__)           \
      DG_DISPATCH_FLOAT_CASES(__VA_ARGS__)              \
      DG_DISPATCH_COMPLEX_CASES(__VA_ARGS__)            \
      DG_DISPATCH_UNSUPPORTED(D, NAME)                  \
    }                                                   \
  }()

#define DG_DISPATCH_REAL(D, NAME, ...)                  \
  [&] {                                                 \
    switch (D) {                                        \
      DG_DISPATCH_CASE(::dg::kBool, bool, __VA_ARGS__)  \
      DG_DISPATCH_INTEGRAL_CASES(__VA_ARGS__)           \
      DG_DISPATCH_FLOAT_CASES(__VA_ARGS__)              \
      DG_DISPATCH_UNSUPPORTED(D, NAME)                  \
    }                                                   \
  }()

#define DG_DISPATCH_FLOATING(D, NAME, ...)              \
  [&] {                                                 \
    switch (D) {                                        \
      DG_DISPATCH_FLOAT_CASES(__VA_ARGS__)              \
      DG_DISPATCH_UNSUPPORTED(D, NAME)                  \
    }                                                   \
  }()

// float32 and float64 only (the ops that, as in PyTorch, have no half-precision kernel).
#define DG_DISPATCH_FLOAT_DOUBLE(D, NAME, ...)              \
  [&] {                                                     \
    switch (D) {                                            \
      DG_DISPATCH_CASE(::dg::kFloat32, float, __VA_ARGS__)  \
      DG_DISPATCH_CASE(::dg::kFloat64, double, __VA_ARGS__) \
      DG_DISPATCH_UNSUPPORTED(D, NAME)                      \
    }                                                       \
  }()

#define DG_DISPATCH_INTEGRAL(D, NAME, ...)              \
  [&] {                                                 \
    switch (D) {                                        \
      DG_DISPATCH_CASE(::dg::kBool, bool, __VA_ARGS__)  \
      DG_DISPATCH_INTEGRAL_CASES(__VA_ARGS__)           \
      DG_DISPATCH_UNSUPPORTED(D, NAME)                  \
    }                                                   \
  }()
