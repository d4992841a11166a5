#include "core/reduce_iter.h"

#include <algorithm>
#include <numeric>


namespace dg {

ReduceIter make_reduce_iter(const Tensor& input, const std::vector<bool>& reduced, Dtype out_dtype, bool keep_order) {
  ReduceIter it;
  it.input = input;
  const int64_t isz = input.element_size();
  Shape kept;
  std::vector<int64_t> red_dims;
  for (int64_t d = 0; d < input.dim(); ++d) {
    if (reduced[d]) {
      red_dims.push_back(d);
    } else {
      kept.push_back(input.sizes()[d]);
      it.out_shape.push_back(input.sizes()[d]);
      // Size 0 or 1: the stride is never used and may be anything, even too large to count in bytes.
      it.out_in_strides.push_back(input.sizes()[d] > 1 ? input.strides()[d] * isz : 0);
    }
  }
  it.output = empty(it.out_shape, TensorOptions(out_dtype).device(input.device()));
  Shape ostr = contiguous_strides(it.out_shape);
  for (auto s : ostr) it.out_strides.push_back(s * itemsize(out_dtype));
  it.out_numel = it.output.numel();

  // Reduced dims: fastest-moving last, then merge contiguous neighbours.
  if (!keep_order)
    std::stable_sort(red_dims.begin(), red_dims.end(), [&](int64_t a, int64_t b) {
      return input.strides()[a] > input.strides()[b];
    });
  for (int64_t d : red_dims) {
    const int64_t size = input.sizes()[d];
    it.red_numel *= size;
    if (size <= 1) continue;  // as above: its stride may be anything
    const int64_t stride = input.strides()[d] * isz;
    if (!it.red_shape.empty() && it.red_strides.back() == stride * size) {
      it.red_shape.back() *= size;
      it.red_strides.back() = stride;
    } else {
      it.red_shape.push_back(size);
      it.red_strides.push_back(stride);
    }
  }
  return it;
}

}  // namespace dg
