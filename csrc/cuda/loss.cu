// CUDA kernels of the class-index losses, one thread per (outer, inner)
// position, on the CPU's functor (kernels/nll.h).
#include "core/dispatch.h"
#include "cuda/launch.h"
#include "kernels/convert.h"
#include "kernels/nll.h"

namespace dg::cuda {

namespace {

template <class T>
__global__ void nll_kernel(int64_t total, int64_t classes, int64_t inner, int64_t ignore_index, const T* log_probs,
                           const int64_t* target, const T* weight, T* losses, T* weights, int64_t* bad) {
  using M = opmath_t<T>;
  DG_GRID_STRIDE_LOOP(p, total) {
    const NllTerm<M> term = nll_term<T, M>(log_probs, target, weight, classes, inner, ignore_index, p);
    if (!term.in_range)  // any one of the bad targets will do for the message
      atomicExch(reinterpret_cast<unsigned long long*>(bad), static_cast<unsigned long long>(target[p]));
    losses[p] = static_cast<T>(term.loss);
    weights[p] = static_cast<T>(term.weight);
  }
}

void nll(const NllArgs& a) {
  const Tensor& lp = *a.log_probs;
  const int64_t classes = lp.sizes()[1], inner = lp.sizes()[2], total = a.target->numel();
  if (total == 0) return;
  DeviceGuard guard(lp.device().index);
  DG_DISPATCH_FLOATING(lp.dtype(), "nll_loss", [&] {
    using T = scalar_t;
    nll_kernel<T><<<grid_for(total), 256, 0, stream_for(lp.device().index)>>>(
        total, classes, inner, a.ignore_index, reinterpret_cast<const T*>(lp.data_ptr()),
        reinterpret_cast<const int64_t*>(a.target->data_ptr()),
        a.weight ? reinterpret_cast<const T*>(a.weight->data_ptr()) : nullptr,
        reinterpret_cast<T*>(a.losses->data_ptr()), reinterpret_cast<T*>(a.sample_weights->data_ptr()),
        reinterpret_cast<int64_t*>(a.bad_target->data_ptr()));
  });
  check_last_launch("nll_loss kernel");
}

// Each position adds to its own (o, t, j) element: no two threads collide.
template <class T>
__global__ void nll_scatter_kernel(int64_t total, int64_t classes, int64_t inner, int64_t ignore_index, T* grad,
                                   const int64_t* target, const T* value) {
  using M = opmath_t<T>;
  DG_GRID_STRIDE_LOOP(p, total) {
    const int64_t t = target[p];
    if (t == ignore_index) continue;
    T& slot = grad[((p / inner) * classes + t) * inner + p % inner];
    slot = static_cast<T>(static_cast<M>(slot) + static_cast<M>(value[p]));
  }
}

void nll_scatter(Tensor& grad, const Tensor& target, const Tensor& value, int64_t ignore_index) {
  const int64_t classes = grad.sizes()[1], inner = grad.sizes()[2], total = target.numel();
  if (total == 0) return;
  DeviceGuard guard(grad.device().index);
  DG_DISPATCH_FLOATING(grad.dtype(), "nll_loss_backward", [&] {
    using T = scalar_t;
    nll_scatter_kernel<T><<<grid_for(total), 256, 0, stream_for(grad.device().index)>>>(
        total, classes, inner, ignore_index, reinterpret_cast<T*>(grad.data_ptr()),
        reinterpret_cast<const int64_t*>(target.data_ptr()), reinterpret_cast<const T*>(value.data_ptr()));
  });
  check_last_launch("nll_loss backward kernel");
}

}  // namespace

void register_loss_kernels(KernelTable& t) {
  t.nll = &nll;
  t.nll_scatter = &nll_scatter;
}

}  // namespace dg::cuda
