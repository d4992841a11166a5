// Small pieces every CUDA kernel file's launch code uses: the current device,
// a grid for a one-thread-per-element loop and the loop itself, and host
// index lists moved to the device (through the caching allocator, in stream
// order).
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

#if defined(__CUDACC__)
// The loop of a one-thread-per-element kernel launched with grid_for: thread
// i takes elements i, i + (threads in the grid), ... below total.
#define DG_GRID_STRIDE_LOOP(i, total) \
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < (total); i += int64_t(gridDim.x) * blockDim.x)
#endif

// n int64 values from the host as a device tensor (keep it alive until the kernel is queued).
Tensor int64_on_device(const int64_t* values, int64_t n, Device device);

}  // namespace dg::cuda
