// PyTorch's adaptive and fractional pooling windows, shared by the CPU and
// CUDA max pooling kernels. Adaptive: output o of an axis of `in` inputs and
// `out` outputs reads inputs [floor(o * in / out), ceil((o + 1) * in / out)).
#pragma once

#include <cstdint>
#include <type_traits>

#include "dyngraph/export.h"

namespace dg {

DG_HOST_DEVICE inline int64_t adaptive_start(int64_t o, int64_t in, int64_t out) { return o * in / out; }
DG_HOST_DEVICE inline int64_t adaptive_end(int64_t o, int64_t in, int64_t out) { return ((o + 1) * in + out - 1) / out; }

// Fractional (Graham, 2014, drawn as PyTorch draws it; its CPU kernel rounds
// half types at each step, this and its CUDA kernel do not): with alpha =
// (in - pool) / (out - 1) in the data's opmath type, output o < out - 1
// starts at trunc((o + u) * alpha) - trunc(u * alpha) and the last at
// in - pool. u comes from the user (_random_samples), so the start is
// clamped into [0, in - pool]: a window never leaves the input.
template <class M>
DG_HOST_DEVICE inline int64_t fractional_start(M u, int64_t o, int64_t in, int64_t out, int64_t pool) {
  if constexpr (!std::is_floating_point_v<M>) {  // (the max pooling kernels are instantiated for integers too)
    return fractional_start<double>(static_cast<double>(u), o, in, out, pool);
  } else {
    const int64_t last = in - pool;
    if (o == out - 1) return last;
    const M alpha = static_cast<M>(last) / static_cast<M>(out - 1);
    const M a = (static_cast<M>(o) + u) * alpha, b = u * alpha;
    // A NaN or huge sample must not reach the integer conversion (undefined behaviour).
    const M limit = M(1e15);
    if (!(a > -limit && a < limit && b > -limit && b < limit)) return a < M(0) ? 0 : last;
    const int64_t start = static_cast<int64_t>(a) - static_cast<int64_t>(b);
    return start < 0 ? 0 : start > last ? last : start;
  }
}

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
