#include "core/device_copy.h"

#include <cstring>

#include "dyngraph/cuda.h"
#include "dyngraph/error.h"
#include "dyngraph/storage.h"

namespace dg {

Tensor dense_copy_to(const Tensor& dense, Device device) {
  DG_CHECK(dense.is_contiguous(), Error, "dense_copy_to: expected a contiguous tensor");
  const size_t nbytes = static_cast<size_t>(dense.numel() * itemsize(dense.dtype()));
  Tensor out = make_tensor(new_storage(nbytes, device), dense.dtype(), Shape(dense.sizes()),
                           Shape(dense.strides()), 0);
  if (nbytes == 0) return out;
  if (device.is_cpu() && dense.device().is_cpu())
    std::memcpy(out.data_ptr(), dense.data_ptr(), nbytes);
  else
    cuda::memcpy(out.data_ptr(), device, dense.data_ptr(), dense.device(), nbytes, /*non_blocking=*/false);
  return out;
}

}  // namespace dg
