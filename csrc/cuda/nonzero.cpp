// nonzero on the GPU: its output size is data-dependent, so the result has
// to reach the host anyway (PyTorch synchronizes here too); the dense input
// goes to the CPU, the CPU kernel finds the coordinates, and they come back.
#include "core/device_copy.h"
#include "core/dispatch.h"

namespace dg::cuda {

namespace {
Tensor nonzero(const Tensor& dense) {
  return dense_copy_to(kernel_table(DeviceType::CPU).nonzero(dense_copy_to(dense, kCPU)), dense.device());
}
}  // namespace

void register_nonzero_kernel(KernelTable& t) { t.nonzero = &nonzero; }

}  // namespace dg::cuda
