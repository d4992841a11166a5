// Dtype names and PyTorch's type promotion rules.
#include <atomic>
#include <cstring>

#include "dyngraph/dtype.h"
#include "dyngraph/scalar.h"

namespace dg {

namespace {
const char* const kNames[kNumDtypes] = {"bool",    "uint8",    "int8",    "int16",   "int32",     "int64",
                                        "float16", "bfloat16", "float32", "float64", "complex64", "complex128"};

// The size of the real part in bytes, used to order floats and complexes.
int real_bytes(Dtype d) { return static_cast<int>(is_complex(d) ? itemsize(d) / 2 : itemsize(d)); }

Dtype compute_promotion(Dtype a, Dtype b) {
  if (a == b) return a;
  if (a == kBool) return b;
  if (b == kBool) return a;
  bool ca = is_complex(a), cb = is_complex(b);
  if (ca || cb) {
    // The complex type wide enough for both parts.
    int bytes = std::max(ca ? real_bytes(a) : (is_floating_point(a) ? real_bytes(a) : 0),
                         cb ? real_bytes(b) : (is_floating_point(b) ? real_bytes(b) : 0));
    return bytes > 4 ? kComplex128 : kComplex64;
  }
  bool fa = is_floating_point(a), fb = is_floating_point(b);
  if (fa && fb) {
    if ((a == kFloat16 && b == kBFloat16) || (a == kBFloat16 && b == kFloat16)) return kFloat32;
    return itemsize(a) >= itemsize(b) ? a : b;
  }
  if (fa) return a;
  if (fb) return b;
  // Both integers: uint8 mixes with a signed type by widening to int16.
  if (a == kUInt8 || b == kUInt8) {
    Dtype other = a == kUInt8 ? b : a;
    return other == kInt8 ? kInt16 : other;
  }
  return itemsize(a) >= itemsize(b) ? a : b;
}

struct PromotionTable {
  Dtype table[kNumDtypes][kNumDtypes];
  PromotionTable() {
    for (int i = 0; i < kNumDtypes; ++i)
      for (int j = 0; j < kNumDtypes; ++j)
        table[i][j] = compute_promotion(static_cast<Dtype>(i), static_cast<Dtype>(j));
  }
};
const PromotionTable kPromotion;

std::atomic<Dtype> g_default_dtype{kFloat32};
}  // namespace

const char* dtype_name(Dtype d) { return kNames[static_cast<int>(d)]; }

const char* scalar_type_name(Dtype d) {
  static const char* const names[kNumDtypes] = {"Bool",  "Byte",     "Char",  "Short",  "Int",          "Long",
                                                "Half",  "BFloat16", "Float", "Double", "ComplexFloat", "ComplexDouble"};
  return names[static_cast<int>(d)];
}

Dtype dtype_from_name(const std::string& name) {
  for (int i = 0; i < kNumDtypes; ++i)
    if (name == kNames[i]) return static_cast<Dtype>(i);
  static const std::pair<const char*, Dtype> aliases[] = {
      {"float", kFloat32}, {"double", kFloat64}, {"half", kFloat16}, {"long", kInt64},
      {"int", kInt32},     {"short", kInt16},    {"cfloat", kComplex64}, {"cdouble", kComplex128},
      {"uint8", kUInt8}};
  for (auto& a : aliases)
    if (name == a.first) return a.second;
  DG_FAIL(TypeError, "unknown dtype '", name, "'");
}

Dtype promote_types(Dtype a, Dtype b) { return kPromotion.table[static_cast<int>(a)][static_cast<int>(b)]; }

Dtype to_real(Dtype d) {
  if (d == kComplex64) return kFloat32;
  if (d == kComplex128) return kFloat64;
  return d;
}
Dtype to_complex(Dtype d) {
  switch (d) {
    case kFloat64: case kComplex128: return kComplex128;
    default: return kComplex64;
  }
}

Dtype default_dtype() { return g_default_dtype.load(std::memory_order_relaxed); }
void set_default_dtype(Dtype d) {
  DG_CHECK(d == kFloat32 || d == kFloat64 || d == kFloat16 || d == kBFloat16, TypeError,
           "only floating-point types are supported as the default type");
  g_default_dtype.store(d);
}
Dtype default_complex_dtype() { return default_dtype() == kFloat64 ? kComplex128 : kComplex64; }

Dtype Scalar::weak_dtype() const {
  switch (kind_) {
    case Kind::Bool: return kBool;
    case Kind::Int: return kInt64;
    case Kind::Float: return default_dtype();
    default: return default_complex_dtype();
  }
}

}  // namespace dg
