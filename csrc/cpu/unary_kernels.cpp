// CPU kernels for the unary op table (kernels/unary_ops.h and neg/conj).
#include "cpu/loop.h"
#include "kernels/elementwise_kernels.h"

namespace dg::cpu {

void register_unary_kernels(KernelTable& t) { kernels::ElementwiseKernels<CpuLoop>::register_unary(t); }

}  // namespace dg::cpu
