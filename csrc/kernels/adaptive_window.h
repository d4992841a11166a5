// PyTorch's adaptive pooling windows, shared by the CPU and CUDA max pooling
// kernels: output o of an axis of `in` inputs and `out` outputs reads inputs
// [floor(o * in / out), ceil((o + 1) * in / out)).
#pragma once

#include <cstdint>

#include "dyngraph/export.h"

namespace dg {

DG_HOST_DEVICE inline int64_t adaptive_start(int64_t o, int64_t in, int64_t out) { return o * in / out; }
DG_HOST_DEVICE inline int64_t adaptive_end(int64_t o, int64_t in, int64_t out) { return ((o + 1) * in + out - 1) / out; }

// The input that tap k of output o reads along one axis of a max pooling window, or -1 outside the window.
DG_HOST_DEVICE inline int64_t window_source(bool adaptive, int64_t o, int64_t k, int64_t image, int64_t out,
                                            int64_t stride, int64_t padding, int64_t dilation) {
  if (adaptive) {
    const int64_t i = adaptive_start(o, image, out) + k;
    return i < adaptive_end(o, image, out) ? i : -1;
  }
  const int64_t i = o * stride - padding + k * dilation;
  return i >= 0 && i < image ? i : -1;
}

}  // namespace dg
