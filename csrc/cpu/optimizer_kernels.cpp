// CPU optimizer updates: the shared per-element updates of
// kernels/optimizer_ops.h, split across threads.
#include "cpu/parallel.h"
#include "kernels/optimizer_ops.h"

namespace dg::cpu {

namespace {
struct CpuIndexLoop {
  template <class F>
  static void for_index(int64_t n, const F& f) {
    parallel_for(0, n, kGrainSize, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) f(i);
    });
  }
};
}  // namespace

void register_optimizer_kernels(KernelTable& t) { kernels::OptimizerKernels<CpuIndexLoop>::register_into(t); }

}  // namespace dg::cpu
