// CPU kernels of the class-index losses: the per-position nll terms (with the
// target bounds check) and the scatter of their gradient into the classes.
#include "core/dispatch.h"
#include "cpu/parallel.h"
#include "kernels/convert.h"
#include "kernels/nll.h"

namespace dg::cpu {

namespace {

// Any one of the bad targets will do for the message; threads may find several.
void bad_target_store(int64_t* slot, int64_t value) {
#pragma omp critical(dg_nll_bad_target)
  *slot = value;
}

void nll_kernel(const NllArgs& a) {
  const Tensor& lp = *a.log_probs;
  const int64_t classes = lp.sizes()[1], inner = lp.sizes()[2], total = a.target->numel();
  DG_DISPATCH_FLOATING(lp.dtype(), "nll_loss", [&] {
    using T = scalar_t;
    using M = opmath_t<T>;
    const T* src = reinterpret_cast<const T*>(lp.data_ptr());
    const int64_t* target = reinterpret_cast<const int64_t*>(a.target->data_ptr());
    const T* weight = a.weight ? reinterpret_cast<const T*>(a.weight->data_ptr()) : nullptr;
    T* losses = reinterpret_cast<T*>(a.losses->data_ptr());
    T* weights = reinterpret_cast<T*>(a.sample_weights->data_ptr());
    int64_t* bad = reinterpret_cast<int64_t*>(a.bad_target->data_ptr());
    parallel_for(0, total, kGrainSize, [&](int64_t b, int64_t e) {
      bool found = false;
      int64_t found_target = 0;
      for (int64_t p = b; p < e; ++p) {
        const NllTerm<M> term = nll_term<T, M>(src, target, weight, classes, inner, a.ignore_index, p);
        if (!term.in_range && !found) {
          found = true;
          found_target = target[p];
        }
        losses[p] = static_cast<T>(term.loss);
        weights[p] = static_cast<T>(term.weight);
      }
      if (found) bad_target_store(bad, found_target);
    });
  });
}

void nll_scatter_kernel(Tensor& grad, const Tensor& target, const Tensor& value, int64_t ignore_index) {
  const int64_t classes = grad.sizes()[1], inner = grad.sizes()[2], total = target.numel();
  DG_DISPATCH_FLOATING(grad.dtype(), "nll_loss_backward", [&] {
    using T = scalar_t;
    T* dst = reinterpret_cast<T*>(grad.data_ptr());
    const int64_t* t = reinterpret_cast<const int64_t*>(target.data_ptr());
    const T* v = reinterpret_cast<const T*>(value.data_ptr());
    // Each position writes its own (o, t, j) element: no two positions collide.
    parallel_for(0, total, kGrainSize, [&](int64_t b, int64_t e) {
      for (int64_t p = b; p < e; ++p) {
        if (t[p] == ignore_index) continue;
        T& slot = dst[((p / inner) * classes + t[p]) * inner + p % inner];
        slot = static_cast<T>(static_cast<opmath_t<T>>(slot) + static_cast<opmath_t<T>>(v[p]));
      }
    });
  });
}

}  // namespace

void register_loss_kernels(KernelTable& t) {
  t.nll = &nll_kernel;
  t.nll_scatter = &nll_scatter_kernel;
}

}  // namespace dg::cpu
