// Host-side launch helpers of launch.h.
#include "cuda/launch.h"

#include <algorithm>

#include "core/device_copy.h"

namespace dg::cuda {

Tensor int64_on_device(const int64_t* values, int64_t n, Device device) {
  Tensor host = empty({n}, TensorOptions(kInt64));
  std::copy(values, values + n, host.data_ptr<int64_t>());
  return dense_copy_to(host, device);
}

}  // namespace dg::cuda
