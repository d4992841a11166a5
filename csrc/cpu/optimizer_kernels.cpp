// CPU optimizer updates: one pass over a parameter and its state, in the
// parameter's opmath type, with PyTorch's formulas (same operation order, so
// float32 results match PyTorch's step for step).
#include <cmath>

#include "core/dispatch.h"
#include "cpu/parallel.h"
#include "kernels/convert.h"

namespace dg::cpu {

namespace {

void sgd_kernel(const SgdArgs& a) {
  DG_DISPATCH_FLOATING(a.dtype, "sgd", [&] {
    using T = scalar_t;
    using M = opmath_t<T>;
    T* p = reinterpret_cast<T*>(a.param);
    const T* g = reinterpret_cast<const T*>(a.grad);
    T* buf = reinterpret_cast<T*>(a.buffer);
    const M lr = static_cast<M>(a.lr), mom = static_cast<M>(a.momentum), wd = static_cast<M>(a.weight_decay);
    const M keep = static_cast<M>(1 - a.dampening);
    parallel_for(0, a.numel, kGrainSize, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) {
        M d = static_cast<M>(g[i]);
        if (a.maximize) d = -d;
        if (a.weight_decay != 0) d = d + wd * static_cast<M>(p[i]);
        if (buf) {
          M v = a.first_step ? d : static_cast<M>(buf[i]) * mom + keep * d;
          buf[i] = static_cast<T>(v);
          v = static_cast<M>(buf[i]);
          d = a.nesterov ? d + mom * v : v;
        }
        p[i] = static_cast<T>(static_cast<M>(p[i]) - lr * d);
      }
    });
  });
}

void adam_kernel(const AdamArgs& a) {
  DG_DISPATCH_FLOATING(a.dtype, "adam", [&] {
    using T = scalar_t;
    using M = opmath_t<T>;
    T* p = reinterpret_cast<T*>(a.param);
    const T* g = reinterpret_cast<const T*>(a.grad);
    T* m1 = reinterpret_cast<T*>(a.exp_avg);
    T* m2 = reinterpret_cast<T*>(a.exp_avg_sq);
    T* mx = reinterpret_cast<T*>(a.max_exp_avg_sq);
    const double bias1 = 1 - std::pow(a.beta1, a.step), bias2 = 1 - std::pow(a.beta2, a.step);
    const M step_size = static_cast<M>(a.lr / bias1), bias2_sqrt = static_cast<M>(std::sqrt(bias2));
    const M w1 = static_cast<M>(1 - a.beta1), b2 = static_cast<M>(a.beta2), w2 = static_cast<M>(1 - a.beta2);
    const M eps = static_cast<M>(a.eps), wd = static_cast<M>(a.weight_decay);
    const M decay = static_cast<M>(1 - a.lr * a.weight_decay);
    parallel_for(0, a.numel, kGrainSize, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) {
        M grad = static_cast<M>(g[i]);
        if (a.maximize) grad = -grad;
        M param = static_cast<M>(p[i]);
        if (a.weight_decay != 0) {
          if (a.decoupled_weight_decay)
            param = static_cast<M>(static_cast<T>(param * decay));
          else
            grad = grad + wd * param;
        }
        // exp_avg.lerp_(grad, 1 - beta1), in lerp's small-weight form.
        M avg = static_cast<M>(m1[i]);
        avg = w1 < M(0.5) ? avg + w1 * (grad - avg) : grad - (grad - avg) * (M(1) - w1);
        M sq = static_cast<M>(m2[i]) * b2 + w2 * grad * grad;
        m1[i] = static_cast<T>(avg);
        m2[i] = static_cast<T>(sq);
        M second = static_cast<M>(m2[i]);
        if (mx) {
          M top = std::max(static_cast<M>(mx[i]), second);
          mx[i] = static_cast<T>(top);
          second = static_cast<M>(mx[i]);
        }
        const M denom = std::sqrt(second) / bias2_sqrt + eps;
        p[i] = static_cast<T>(param - step_size * (static_cast<M>(m1[i]) / denom));
      }
    });
  });
}

}  // namespace

void register_optimizer_kernels(KernelTable& t) {
  t.sgd = sgd_kernel;
  t.adam = adam_kernel;
}

}  // namespace dg::cpu
