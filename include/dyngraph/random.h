// Random number generation: a counter-based Philox4x32-10 generator, so the
// numbers depend only on (seed, position) and not on how work is split
// across threads (or, later, GPU blocks).
#pragma once

#include <cstdint>
#include <mutex>

#include "dyngraph/export.h"

namespace dg {

class DG_API Generator {
 public:
  explicit Generator(uint64_t seed = 67280421310721ULL) : seed_(seed) {}
  void manual_seed(uint64_t seed) {
    std::lock_guard<std::mutex> g(mutex_);
    seed_ = seed;
    offset_ = 0;
  }
  uint64_t initial_seed() const { return seed_; }
  uint64_t offset() const { return offset_; }
  void set_state(uint64_t seed, uint64_t offset) {
    std::lock_guard<std::mutex> g(mutex_);
    seed_ = seed;
    offset_ = offset;
  }
  // Reserves n counter values for one op; returns the first.
  uint64_t reserve(uint64_t n) {
    std::lock_guard<std::mutex> g(mutex_);
    uint64_t start = offset_;
    offset_ += n;
    return start;
  }

 private:
  uint64_t seed_;
  uint64_t offset_ = 0;
  std::mutex mutex_;
};

DG_API Generator& default_generator();
DG_API void manual_seed(uint64_t seed);

}  // namespace dg
