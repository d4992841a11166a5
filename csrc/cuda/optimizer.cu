// CUDA optimizer updates (fused SGD and Adam/AdamW): the shared per-element
// updates of kernels/optimizer_ops.h, one thread per element.
#include "cuda/launch.h"
#include "cuda/loop.cuh"
#include "kernels/optimizer_ops.h"

namespace dg::cuda {

namespace {

template <class F>
__global__ void __launch_bounds__(kThreads) index_kernel(int64_t n, F f) {
  DG_GRID_STRIDE_LOOP(i, n) f(i);
}

struct CudaIndexLoop {
  template <class F>
  static void for_index(int64_t n, const F& f) {
    if (n == 0) return;
    index_kernel<F><<<grid_for(n), kThreads, 0, stream_for(current_device_index())>>>(n, f);
    check_last_launch("optimizer kernel");
  }
};

}  // namespace

void register_optimizer_kernels(KernelTable& t) { kernels::OptimizerKernels<CudaIndexLoop>::register_into(t); }

}  // namespace dg::cuda
