// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2,
// 3"): a counter-based generator. Element i of a random op draws from
// counter (offset + i) under key = seed, so results do not depend on how the
// work is split across threads or GPU blocks.
#pragma once

#include <cmath>
#include <cstdint>

#include "dyngraph/export.h"

namespace dg {

struct Philox4 {
  uint32_t v[4];
};

DG_HOST_DEVICE inline Philox4 philox4x32(uint64_t counter, uint64_t seed) {
  constexpr uint32_t kM0 = 0xD2511F53u, kM1 = 0xCD9E8D57u;
  constexpr uint32_t kW0 = 0x9E3779B9u, kW1 = 0xBB67AE85u;
  uint32_t c0 = static_cast<uint32_t>(counter), c1 = static_cast<uint32_t>(counter >> 32), c2 = 0, c3 = 0;
  uint32_t k0 = static_cast<uint32_t>(seed), k1 = static_cast<uint32_t>(seed >> 32);
  for (int round = 0; round < 10; ++round) {
    uint64_t p0 = static_cast<uint64_t>(kM0) * c0;
    uint64_t p1 = static_cast<uint64_t>(kM1) * c2;
    uint32_t hi0 = static_cast<uint32_t>(p0 >> 32), lo0 = static_cast<uint32_t>(p0);
    uint32_t hi1 = static_cast<uint32_t>(p1 >> 32), lo1 = static_cast<uint32_t>(p1);
    uint32_t n0 = hi1 ^ c1 ^ k0, n2 = hi0 ^ c3 ^ k1;
    c0 = n0;
    c1 = lo1;
    c2 = n2;
    c3 = lo0;
    k0 += kW0;
    k1 += kW1;
  }
  return {{c0, c1, c2, c3}};
}

// A double in [0, 1) from 53 random bits; a float in [0, 1) from 24.
DG_HOST_DEVICE inline double uniform_double(uint32_t hi, uint32_t lo) {
  uint64_t bits = (static_cast<uint64_t>(hi) << 32 | lo) >> 11;
  return static_cast<double>(bits) * (1.0 / 9007199254740992.0);
}
DG_HOST_DEVICE inline float uniform_float(uint32_t x) { return static_cast<float>(x >> 8) * (1.0f / 16777216.0f); }

// One standard normal from one Philox block (Box-Muller, cosine branch).
DG_HOST_DEVICE inline double normal_double(const Philox4& r) {
  double u1 = uniform_double(r.v[0], r.v[1]);
  double u2 = uniform_double(r.v[2], r.v[3]);
  double radius = std::sqrt(-2.0 * std::log(1.0 - u1));  // 1-u1 in (0, 1]: log is finite
  return radius * std::cos(6.283185307179586 * u2);
}

}  // namespace dg
