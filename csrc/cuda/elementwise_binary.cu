// CUDA elementwise kernels (binary part): the shared dispatch of
// kernels/elementwise_kernels.h over the CUDA loop.
#include "cuda/loop.cuh"
#include "kernels/elementwise_kernels.h"

namespace dg::cuda {

void register_elementwise_binary(KernelTable& t) { kernels::ElementwiseKernels<CudaLoop>::register_binary(t); }

}  // namespace dg::cuda
