// ReduceIter: the geometry of a reduction, shared by devices. The input's
// dimensions split into kept ones (one output element per index) and reduced
// ones (summed over); both lists are stored outermost first, with reduced
// dimensions ordered so the last one moves fastest in memory and contiguous
// neighbours merged.
#pragma once

#include "dyngraph/tensor.h"

namespace dg {

struct ReduceIter {
  Tensor input, output;   // output: the kept dims only (keepdim applied later by the op)
  Shape out_shape;        // kept dims
  Shape out_in_strides;   // bytes, input stride of each kept dim
  Shape out_strides;      // bytes, output stride of each kept dim
  Shape red_shape;        // reduced dims
  Shape red_strides;      // bytes, input strides
  int64_t out_numel = 1;
  int64_t red_numel = 1;
};

// dims: a mask over the input's dims (true = reduced). keep_order keeps the
// reduced dims in logical order (arg-reductions report logical positions).
ReduceIter make_reduce_iter(const Tensor& input, const std::vector<bool>& reduced, Dtype out_dtype,
                            bool keep_order = false);

}  // namespace dg
