// Moving a tensor's bytes between devices without running an op (no
// autograd, no dtype change): what the core and the kernels use where data
// must cross devices, such as a CPU scalar taking part in a GPU op.
#pragma once

#include "dyngraph/tensor.h"

namespace dg {

// A contiguous copy of `dense` (which must be contiguous) on `device`.
Tensor dense_copy_to(const Tensor& dense, Device device);

}  // namespace dg
