// Host-side launch helpers of launch.h that need the op library.
#include "cuda/launch.h"

#include "dyngraph/ops.h"

namespace dg::cuda {

Tensor int64_on_device(const int64_t* values, int64_t n, Device device) {
  Tensor host = empty({n}, TensorOptions(kInt64));
  std::copy(values, values + n, host.data_ptr<int64_t>());
  return to_device(host, device);
}

}  // namespace dg::cuda
