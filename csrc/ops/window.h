// Argument helpers shared by the sliding-window ops (convolution, pooling).
#pragma once

#include "dyngraph/shape.h"

namespace dg {

// One value per spatial dim: a single value repeats, as in PyTorch.
Shape per_dim(IntArrayRef v, int64_t dims, const char* what, const char* op);

// A window's extent, dilation * (kernel - 1) + 1, and a dim's size with
// padding on both sides, size + 2 * padding: overflow-checked (RuntimeError),
// since all of these come from the user.
inline int64_t window_span(int64_t kernel, int64_t dilation, const char* op) {
  int64_t span;
  DG_CHECK(!__builtin_mul_overflow(dilation, kernel - 1, &span) && !__builtin_add_overflow(span, 1, &span), Error, op,
           ": kernel size ", kernel, " with dilation ", dilation, " is too large");
  return span;
}
inline int64_t padded_size(int64_t size, int64_t padding, const char* op) {
  int64_t twice, padded;
  DG_CHECK(!__builtin_mul_overflow(padding, 2, &twice) && !__builtin_add_overflow(size, twice, &padded), Error, op,
           ": padding ", padding, " is too large");
  return padded;
}

// A pooling window's output count along one dim (PyTorch's pooling_output_shape):
// checks kernel, stride, dilation and padding (at most half the kernel); with
// ceil_mode the last window may hang over the end but must start inside.
int64_t pooled_size(int64_t size, int64_t kernel, int64_t stride, int64_t padding, int64_t dilation, bool ceil_mode,
                    const char* op);

}  // namespace dg
