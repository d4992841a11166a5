// CPU kernels of the losses with their own recursions or gathers: the
// class-index nll terms (with the target bounds check) and the scatter of
// their gradient into the classes; CTC's alpha and beta recursions, a sample
// per task.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "core/dispatch.h"
#include "cpu/parallel.h"
#include "kernels/convert.h"
#include "kernels/ctc.h"
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

// The sizes every CTC kernel reads, and sample n's view of them.
struct CtcShape {
  int64_t steps, batch, classes, target_stride, states;  // T, N, C, S, 2S + 1
  explicit CtcShape(const CtcArgs& a)
      : steps(a.log_probs->sizes()[0]), batch(a.log_probs->sizes()[1]), classes(a.log_probs->sizes()[2]),
        target_stride(a.targets->sizes()[1]), states(2 * a.targets->sizes()[1] + 1) {}
};

void ctc_kernel(const CtcArgs& a) {
  const CtcShape d(a);
  DG_DISPATCH_FLOAT_DOUBLE(a.log_probs->dtype(), "ctc_loss", [&] {
    using T = scalar_t;
    const T* lp = reinterpret_cast<const T*>(a.log_probs->data_ptr());
    const int64_t* targets = reinterpret_cast<const int64_t*>(a.targets->data_ptr());
    const int64_t* in_len = reinterpret_cast<const int64_t*>(a.input_lengths->data_ptr());
    const int64_t* tgt_len = reinterpret_cast<const int64_t*>(a.target_lengths->data_ptr());
    T* alpha_all = reinterpret_cast<T*>(a.log_alpha->data_ptr());
    T* nll = reinterpret_cast<T*>(a.neg_log_likelihood->data_ptr());
    const T lowest = -std::numeric_limits<T>::infinity();
    parallel_for(0, d.batch, 1, [&](int64_t b, int64_t e) {
      for (int64_t n = b; n < e; ++n) {
        const int64_t steps = in_len[n], states = 2 * tgt_len[n] + 1;
        const int64_t* target = targets + n * d.target_stride;
        T* alpha = alpha_all + n * d.steps * d.states;
        std::fill(alpha, alpha + d.steps * d.states, lowest);
        if (steps == 0) {  // only the empty target has an (empty) alignment
          nll[n] = states == 1 ? T(0) : std::numeric_limits<T>::infinity();
          continue;
        }
        auto emit = [&](int64_t t, int64_t s) { return lp[(t * d.batch + n) * d.classes + ctc_state_label(target, s, a.blank)]; };
        alpha[0] = emit(0, 0);
        if (states > 1) alpha[1] = emit(0, 1);
        for (int64_t t = 1; t < steps; ++t)
          for (int64_t s = 0; s < states; ++s)
            alpha[t * d.states + s] = ctc_alpha_from(alpha + (t - 1) * d.states, target, s) + emit(t, s);
        const T* last = alpha + (steps - 1) * d.states;
        nll[n] = -(states > 1 ? log_add(last[states - 1], last[states - 2]) : last[0]);
      }
    });
  });
}

// grad = scale * (exp(lp) - exp(log(sum over the states labelled c of alpha * beta) + nll - lp)).
void ctc_backward_kernel(const CtcArgs& a) {
  const CtcShape d(a);
  DG_DISPATCH_FLOAT_DOUBLE(a.log_probs->dtype(), "ctc_loss_backward", [&] {
    using T = scalar_t;
    const T* lp = reinterpret_cast<const T*>(a.log_probs->data_ptr());
    const int64_t* targets = reinterpret_cast<const int64_t*>(a.targets->data_ptr());
    const int64_t* in_len = reinterpret_cast<const int64_t*>(a.input_lengths->data_ptr());
    const int64_t* tgt_len = reinterpret_cast<const int64_t*>(a.target_lengths->data_ptr());
    const T* alpha_all = reinterpret_cast<const T*>(a.log_alpha->data_ptr());
    const T* nll = reinterpret_cast<const T*>(a.neg_log_likelihood->data_ptr());
    const T* scale = reinterpret_cast<const T*>(a.grad_scale->data_ptr());
    T* beta_all = reinterpret_cast<T*>(a.log_beta->data_ptr());
    T* grad = reinterpret_cast<T*>(a.grad->data_ptr());
    const T lowest = -std::numeric_limits<T>::infinity();
    parallel_for(0, d.batch, 1, [&](int64_t b, int64_t e) {
      std::vector<T> by_class(static_cast<size_t>(d.classes));
      for (int64_t n = b; n < e; ++n) {
        const int64_t steps = in_len[n], states = 2 * tgt_len[n] + 1;
        const int64_t* target = targets + n * d.target_stride;
        const T* alpha = alpha_all + n * d.steps * d.states;
        T* beta = beta_all + n * d.steps * d.states;
        auto grad_at = [&](int64_t t, int64_t c) -> T& { return grad[(t * d.batch + n) * d.classes + c]; };
        auto lp_at = [&](int64_t t, int64_t c) { return lp[(t * d.batch + n) * d.classes + c]; };
        for (int64_t t = steps; t < d.steps; ++t)
          for (int64_t c = 0; c < d.classes; ++c) grad_at(t, c) = T(0);
        const bool dropped = a.zero_infinity && std::isinf(nll[n]);
        if (steps == 0 || dropped) {
          for (int64_t t = 0; t < steps; ++t)
            for (int64_t c = 0; c < d.classes; ++c) grad_at(t, c) = T(0);
          continue;
        }
        auto emit = [&](int64_t t, int64_t s) { return lp_at(t, ctc_state_label(target, s, a.blank)); };
        std::fill(beta, beta + d.steps * d.states, lowest);
        T* last = beta + (steps - 1) * d.states;
        last[states - 1] = emit(steps - 1, states - 1);
        if (states > 1) last[states - 2] = emit(steps - 1, states - 2);
        for (int64_t t = steps - 2; t >= 0; --t)
          for (int64_t s = 0; s < states; ++s)
            beta[t * d.states + s] = ctc_beta_from(beta + (t + 1) * d.states, target, s, states) + emit(t, s);
        for (int64_t t = 0; t < steps; ++t) {
          std::fill(by_class.begin(), by_class.end(), lowest);
          for (int64_t s = 0; s < states; ++s) {
            T& slot = by_class[static_cast<size_t>(ctc_state_label(target, s, a.blank))];
            slot = log_add(slot, alpha[t * d.states + s] + beta[t * d.states + s]);
          }
          for (int64_t c = 0; c < d.classes; ++c) {
            const T l = lp_at(t, c);
            grad_at(t, c) = scale[n] * (std::exp(l) - std::exp(by_class[static_cast<size_t>(c)] + nll[n] - l));
          }
        }
      }
    });
  });
}

}  // namespace

void register_loss_kernels(KernelTable& t) {
  t.nll = &nll_kernel;
  t.nll_scatter = &nll_scatter_kernel;
  t.ctc = &ctc_kernel;
  t.ctc_backward = &ctc_backward_kernel;
}

}  // namespace dg::cpu
