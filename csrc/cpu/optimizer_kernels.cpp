// CPU optimizer updates: the shared per-element updates of
// kernels/optimizer_ops.h, split across threads.
#include "cpu/parallel.h"
#include "kernels/optimizer_ops.h"

namespace dg::cpu {

namespace {
// Each element's update touches only index i of each array, so the loop is
// declared free of cross-iteration dependences (omp simd): the compiler
// cannot prove on its own that the parameter, gradient and state arrays do
// not overlap, and left the updates scalar (Adam ran 3-4x slower). The
// update is copied into a local first, so that its fields cannot be aliased
// by the stores and stay in registers.
struct CpuIndexLoop {
  template <class F>
  static void for_index(int64_t n, const F& f) {
    parallel_for(0, n, kGrainSize, [&](int64_t b, int64_t e) {
      const F local = f;
#pragma omp simd
      for (int64_t i = b; i < e; ++i) local(i);
    });
  }
};
}  // namespace

void register_optimizer_kernels(KernelTable& t) { kernels::OptimizerKernels<CpuIndexLoop>::register_into(t); }

}  // namespace dg::cpu
