// CPU kernels for the binary op table (kernels/elementwise_ops.h), for two
// tensors or a tensor and a Python scalar on either side, and where().
#include "cpu/loop.h"
#include "kernels/elementwise_kernels.h"

namespace dg::cpu {

void register_binary_kernels(KernelTable& t) { kernels::ElementwiseKernels<CpuLoop>::register_binary(t); }

}  // namespace dg::cpu
