// exp for float32 written as straight-line selects, so loops over it
// vectorize (std::exp does not): Cephes' expf scheme, exp(x) = 2^k exp(r)
// with r = x - k ln2 split in two parts and a degree-6 polynomial, about 1
// ulp. Results below exp(-87.34) (the smallest normal) flush to 0 and large
// inputs saturate at the largest finite value; NaN stays NaN. Meant for
// kernels whose arguments are <= 0 (softmax's shifted logits).
#pragma once

#include <cmath>
#include <cstdint>

#include "dyngraph/export.h"

namespace dg::math {

DG_HOST_DEVICE inline float exp_flush(float x) {
  const float lo = -87.33654f, hi = 88.72283f;
  float c = x < lo ? lo : x;
  c = c > hi ? hi : c;
  float k = std::floor(c * 1.44269504088896341f + 0.5f);
  float r = c - k * 0.693359375f;
  r = r - k * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  // k is in [-126, 128] except for NaN, which the selects send to -126 (keeping the conversion defined).
  float kc = k > -126.0f ? k : -126.0f;
  kc = kc < 127.0f ? kc : 127.0f;
  const float scale = __builtin_bit_cast(float, (static_cast<int32_t>(kc) + 127) << 23);
  float y = p * scale * (k > 127.0f ? 2.0f : 1.0f);
  return x < lo ? 0.0f : y;
}

// The same polynomial over the whole float range, for the elementwise exp:
// overflow gives inf, results below the smallest normal come out subnormal
// (2^k applied in two halves) until they round to 0. NaN stays NaN.
DG_HOST_DEVICE inline float exp_full(float x) {
  const float lo = -103.972084f, hi = 88.7228394f;
  float c = x < lo ? lo : x;
  c = c > hi ? hi : c;
  float k = std::floor(c * 1.44269504088896341f + 0.5f);
  float r = c - k * 0.693359375f;
  r = r - k * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  // k is in [-150, 128] (NaN: the selects keep the conversions defined).
  float kc = k > -150.0f ? k : -150.0f;
  kc = kc < 128.0f ? kc : 128.0f;
  const float k1 = std::floor(kc * 0.5f), k2 = kc - k1;
  const float s1 = __builtin_bit_cast(float, (static_cast<int32_t>(k1) + 127) << 23);
  const float s2 = __builtin_bit_cast(float, (static_cast<int32_t>(k2) + 127) << 23);
  float y = p * s1 * s2;
  y = x > hi ? __builtin_huge_valf() : y;
  y = x < lo ? 0.0f : y;
  return x != x ? x : y;
}

// sigmoid and tanh on exp_full, so loops over them vectorize (recurrent
// gates). sigmoid is within about 2 ulp. tanh takes its Taylor series below
// |x| = 0.125 (where 1 - e^-2|x| would cancel) and (1 - e) / (1 + e) above,
// within about 4 ulp; NaN stays NaN and +-inf give +-1.
DG_HOST_DEVICE inline float sigmoid_fast(float x) { return 1.0f / (1.0f + exp_full(-x)); }

DG_HOST_DEVICE inline float tanh_fast(float x) {
  const float a = std::fabs(x);
  const float e = exp_full(-2.0f * a);
  const float t = std::copysign((1.0f - e) / (1.0f + e), x);
  const float x2 = x * x;
  const float series = x + x * x2 * (-1.0f / 3 + x2 * (2.0f / 15 + x2 * (-17.0f / 315 + x2 * (62.0f / 2835))));
  return a < 0.125f ? series : t;
}

}  // namespace dg::math
