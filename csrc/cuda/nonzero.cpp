// nonzero on the GPU: its output size is data-dependent, so the result has
// to reach the host anyway (PyTorch synchronizes here too); the dense input
// goes to the CPU, the CPU kernel finds the coordinates, and they come back.
#include "core/dispatch.h"
#include "dyngraph/ops.h"

namespace dg::cuda {

namespace {
Tensor nonzero(const Tensor& dense) {
  return to_device(kernel_table(DeviceType::CPU).nonzero(to_device(dense, kCPU)), dense.device());
}
}  // namespace

void register_nonzero_kernel(KernelTable& t) { t.nonzero = &nonzero; }

}  // namespace dg::cuda
