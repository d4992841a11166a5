// Optimizer updates, one element at a time, shared by the CPU and CUDA
// kernels: PyTorch's formulas in the parameter's opmath type, in the same
// operation order, so float32 results match PyTorch's step for step. A
// backend supplies Loop::for_index(n, f), calling f(i) for i in [0, n).
#pragma once

#include <cmath>
#include <type_traits>

#include "core/dispatch.h"
#include "kernels/convert.h"

namespace dg::kernels {

// Loop-invariant options are selects, and the optional state array
// (momentum buffer, amsgrad's max) a template flag, so the per-element body
// has no branches or conditional stores and the CPU loop vectorizes. A value
// just stored is reused rounded to T rather than read back from memory.
template <class T, bool kMomentum>
struct SgdUpdate {
  using M = opmath_t<T>;
  T* p;
  const T* g;
  T* buf;  // null without momentum
  M lr, mom, wd, keep;
  bool first_step, nesterov, maximize, has_wd;

  DG_HOST_DEVICE void operator()(int64_t i) const {
    M d = static_cast<M>(g[i]);
    d = maximize ? -d : d;
    d = has_wd ? d + wd * static_cast<M>(p[i]) : d;
    if constexpr (kMomentum) {
      const M old = static_cast<M>(buf[i]);
      const T v = static_cast<T>(first_step ? d : old * mom + keep * d);
      buf[i] = v;
      d = nesterov ? d + mom * static_cast<M>(v) : static_cast<M>(v);
    }
    p[i] = static_cast<T>(static_cast<M>(p[i]) - lr * d);
  }
};

template <class T, bool kAmsgrad>
struct AdamUpdate {
  using M = opmath_t<T>;
  T *p, *m1, *m2, *mx;  // mx: null unless amsgrad
  const T* g;
  M step_size, bias2_sqrt, w1, b2, w2, eps, wd, decay;
  bool maximize, has_wd, decoupled;

  DG_HOST_DEVICE void operator()(int64_t i) const {
    M grad = static_cast<M>(g[i]);
    grad = maximize ? -grad : grad;
    M param = static_cast<M>(p[i]);
    const bool coupled = has_wd && !decoupled, shrink = has_wd && decoupled;
    grad = coupled ? grad + wd * param : grad;
    param = shrink ? static_cast<M>(static_cast<T>(param * decay)) : param;
    // exp_avg.lerp_(grad, 1 - beta1), in lerp's small-weight form.
    M avg = static_cast<M>(m1[i]);
    avg = w1 < M(0.5) ? avg + w1 * (grad - avg) : grad - (grad - avg) * (M(1) - w1);
    const T avg_t = static_cast<T>(avg), sq_t = static_cast<T>(static_cast<M>(m2[i]) * b2 + w2 * grad * grad);
    m1[i] = avg_t;
    m2[i] = sq_t;
    M second = static_cast<M>(sq_t);
    if constexpr (kAmsgrad) {
      const M prev = static_cast<M>(mx[i]);
      const T top = static_cast<T>(prev > second ? prev : second);
      mx[i] = top;
      second = static_cast<M>(top);
    }
    const M denom = std::sqrt(second) / bias2_sqrt + eps;
    p[i] = static_cast<T>(param - step_size * (static_cast<M>(avg_t) / denom));
  }
};

template <class Loop>
struct OptimizerKernels {
  static void sgd(const SgdArgs& a) {
    DG_DISPATCH_FLOATING(a.dtype, "sgd", [&] {
      using T = scalar_t;
      using M = opmath_t<T>;
      auto run = [&](auto momentum) {
        SgdUpdate<T, decltype(momentum)::value> u{
            reinterpret_cast<T*>(a.param), reinterpret_cast<const T*>(a.grad), reinterpret_cast<T*>(a.buffer),
            static_cast<M>(a.lr), static_cast<M>(a.momentum), static_cast<M>(a.weight_decay),
            static_cast<M>(1 - a.dampening), a.first_step, a.nesterov, a.maximize, a.weight_decay != 0};
        Loop::for_index(a.numel, u);
      };
      if (a.buffer) run(std::true_type());
      else run(std::false_type());
    });
  }

  static void adam(const AdamArgs& a) {
    DG_DISPATCH_FLOATING(a.dtype, "adam", [&] {
      using T = scalar_t;
      using M = opmath_t<T>;
      const double bias1 = 1 - std::pow(a.beta1, a.step), bias2 = 1 - std::pow(a.beta2, a.step);
      auto run = [&](auto amsgrad) {
        AdamUpdate<T, decltype(amsgrad)::value> u{
            reinterpret_cast<T*>(a.param), reinterpret_cast<T*>(a.exp_avg), reinterpret_cast<T*>(a.exp_avg_sq),
            reinterpret_cast<T*>(a.max_exp_avg_sq), reinterpret_cast<const T*>(a.grad),
            static_cast<M>(a.lr / bias1), static_cast<M>(std::sqrt(bias2)), static_cast<M>(1 - a.beta1),
            static_cast<M>(a.beta2), static_cast<M>(1 - a.beta2), static_cast<M>(a.eps),
            static_cast<M>(a.weight_decay), static_cast<M>(1 - a.lr * a.weight_decay), a.maximize,
            a.weight_decay != 0, a.decoupled_weight_decay};
        Loop::for_index(a.numel, u);
      };
      if (a.max_exp_avg_sq) run(std::true_type());
      else run(std::false_type());
    });
  }

  static void register_into(KernelTable& t) {
    t.sgd = &sgd;
    t.adam = &adam;
  }
};

}  // namespace dg::kernels
