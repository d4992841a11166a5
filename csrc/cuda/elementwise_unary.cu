// CUDA elementwise kernels (unary part): the shared dispatch of
// kernels/elementwise_kernels.h over the CUDA loop.
#include "cuda/loop.cuh"
#include "kernels/elementwise_kernels.h"

namespace dg::cuda {

void register_elementwise_unary(KernelTable& t) { kernels::ElementwiseKernels<CudaLoop>::register_unary(t); }

}  // namespace dg::cuda
