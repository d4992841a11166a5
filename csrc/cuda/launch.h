// Small pieces every CUDA kernel file's launch code uses: the current device,
// a grid for a one-thread-per-element loop, and host index lists moved to the
// device (through the caching allocator, in stream order).
#pragma once

#include <algorithm>
#include <cstdint>

#include "cuda/check.h"
#include "dyngraph/tensor.h"

namespace dg::cuda {

inline int current_device_index() {
  int d = 0;
  DG_CUDA_CHECK(cudaGetDevice(&d));
  return d;
}

// Blocks of 256 threads for a grid-stride loop over `total` elements.
inline unsigned grid_for(int64_t total) {
  return static_cast<unsigned>(std::min<int64_t>((total + 255) / 256, 65535 * 16));
}

// n int64 values from the host as a device tensor (keep it alive until the kernel is queued).
Tensor int64_on_device(const int64_t* values, int64_t n, Device device);

}  // namespace dg::cuda
