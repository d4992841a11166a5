// Argument helpers shared by the sliding-window ops (convolution, pooling).
#pragma once

#include "dyngraph/shape.h"

namespace dg {

// One value per spatial dim: a single value repeats, as in PyTorch.
Shape per_dim(IntArrayRef v, int64_t dims, const char* what, const char* op);

}  // namespace dg
