// CPU copy (with dtype conversion), fill, random and range kernels.
#include "cpu/loop.h"
#include "kernels/elementwise_kernels.h"

namespace dg::cpu {

void register_elementwise_kernels(KernelTable& t) { kernels::ElementwiseKernels<CpuLoop>::register_other(t); }

}  // namespace dg::cpu
