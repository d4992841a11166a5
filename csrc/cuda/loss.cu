// CUDA kernels of the losses, on the CPU's functors: the class-index nll
// terms, one thread per (outer, inner) position (kernels/nll.h); CTC's alpha
// and beta recursions, one block per sample stepping through time, its
// threads over the states (kernels/ctc.h).
#include <algorithm>
#include <limits>

#include "core/dispatch.h"
#include "cuda/launch.h"
#include "kernels/convert.h"
#include "kernels/ctc.h"
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

struct CtcDims {
  int64_t steps, batch, classes, target_stride, states;  // T, N, C, S, 2S + 1
  int64_t blank;
};

CtcDims ctc_dims(const CtcArgs& a) {
  return {a.log_probs->sizes()[0], a.log_probs->sizes()[1], a.log_probs->sizes()[2], a.targets->sizes()[1],
          2 * a.targets->sizes()[1] + 1, a.blank};
}

template <class T>
__device__ T ctc_emit(const CtcDims& d, const T* lp, const int64_t* target, int64_t n, int64_t t, int64_t s) {
  return lp[(t * d.batch + n) * d.classes + ctc_state_label(target, s, d.blank)];
}

template <class T>
__global__ void ctc_alpha_kernel(CtcDims d, const T* lp, const int64_t* targets, const int64_t* in_len,
                                 const int64_t* tgt_len, T* alpha_all, T* nll) {
  const T lowest = -std::numeric_limits<T>::infinity();
  for (int64_t n = blockIdx.x; n < d.batch; n += gridDim.x) {
    const int64_t steps = in_len[n], states = 2 * tgt_len[n] + 1;
    const int64_t* target = targets + n * d.target_stride;
    T* alpha = alpha_all + n * d.steps * d.states;
    for (int64_t i = threadIdx.x; i < d.steps * d.states; i += blockDim.x) alpha[i] = lowest;
    __syncthreads();
    if (steps == 0) {  // only the empty target has an (empty) alignment
      if (threadIdx.x == 0) nll[n] = states == 1 ? T(0) : std::numeric_limits<T>::infinity();
      continue;
    }
    for (int64_t s = threadIdx.x; s < states && s < 2; s += blockDim.x) alpha[s] = ctc_emit(d, lp, target, n, 0, s);
    __syncthreads();
    for (int64_t t = 1; t < steps; ++t) {
      for (int64_t s = threadIdx.x; s < states; s += blockDim.x)
        alpha[t * d.states + s] = ctc_alpha_from(alpha + (t - 1) * d.states, target, s) + ctc_emit(d, lp, target, n, t, s);
      __syncthreads();
    }
    if (threadIdx.x == 0) {
      const T* last = alpha + (steps - 1) * d.states;
      nll[n] = -(states > 1 ? log_add(last[states - 1], last[states - 2]) : last[0]);
    }
    __syncthreads();
  }
}

void ctc(const CtcArgs& a) {
  const CtcDims d = ctc_dims(a);
  if (d.batch == 0) return;
  DeviceGuard guard(a.log_probs->device().index);
  DG_DISPATCH_FLOAT_DOUBLE(a.log_probs->dtype(), "ctc_loss", [&] {
    using T = scalar_t;
    ctc_alpha_kernel<T><<<static_cast<unsigned>(std::min<int64_t>(d.batch, 65535)), 256, 0,
                          stream_for(a.log_probs->device().index)>>>(
        d, reinterpret_cast<const T*>(a.log_probs->data_ptr()), reinterpret_cast<const int64_t*>(a.targets->data_ptr()),
        reinterpret_cast<const int64_t*>(a.input_lengths->data_ptr()),
        reinterpret_cast<const int64_t*>(a.target_lengths->data_ptr()), reinterpret_cast<T*>(a.log_alpha->data_ptr()),
        reinterpret_cast<T*>(a.neg_log_likelihood->data_ptr()));
  });
  check_last_launch("ctc_loss kernel");
}

template <class T>
__global__ void ctc_beta_kernel(CtcDims d, const T* lp, const int64_t* targets, const int64_t* in_len,
                                const int64_t* tgt_len, T* beta_all) {
  const T lowest = -std::numeric_limits<T>::infinity();
  for (int64_t n = blockIdx.x; n < d.batch; n += gridDim.x) {
    const int64_t steps = in_len[n], states = 2 * tgt_len[n] + 1;
    const int64_t* target = targets + n * d.target_stride;
    T* beta = beta_all + n * d.steps * d.states;
    for (int64_t i = threadIdx.x; i < d.steps * d.states; i += blockDim.x) beta[i] = lowest;
    __syncthreads();
    if (steps == 0) continue;
    T* last = beta + (steps - 1) * d.states;
    for (int64_t s = states - 1 - threadIdx.x; s >= 0 && s >= states - 2; s -= blockDim.x)
      last[s] = ctc_emit(d, lp, target, n, steps - 1, s);
    __syncthreads();
    for (int64_t t = steps - 2; t >= 0; --t) {
      for (int64_t s = threadIdx.x; s < states; s += blockDim.x)
        beta[t * d.states + s] = ctc_beta_from(beta + (t + 1) * d.states, target, s, states) +
                                 ctc_emit(d, lp, target, n, t, s);
      __syncthreads();
    }
  }
}

// log of the sum over the states labelled c of alpha * beta, for each (n, t, c):
// a thread per (n, t) walks the states (no two threads share a slot).
template <class T>
__global__ void ctc_by_class_kernel(CtcDims d, const int64_t* targets, const int64_t* in_len, const int64_t* tgt_len,
                                    const T* alpha_all, const T* beta_all, T* by_class) {
  const T lowest = -std::numeric_limits<T>::infinity();
  DG_GRID_STRIDE_LOOP(i, d.batch * d.steps) {
    const int64_t n = i / d.steps, t = i % d.steps;
    T* slots = by_class + i * d.classes;
    for (int64_t c = 0; c < d.classes; ++c) slots[c] = lowest;
    if (t >= in_len[n]) continue;
    const int64_t states = 2 * tgt_len[n] + 1;
    const int64_t* target = targets + n * d.target_stride;
    const T* alpha = alpha_all + (n * d.steps + t) * d.states;
    const T* beta = beta_all + (n * d.steps + t) * d.states;
    for (int64_t s = 0; s < states; ++s) {
      T& slot = slots[ctc_state_label(target, s, d.blank)];
      slot = log_add(slot, alpha[s] + beta[s]);
    }
  }
}

template <class T>
__global__ void ctc_grad_kernel(CtcDims d, const T* lp, const int64_t* in_len, const T* nll, const T* scale,
                                bool zero_infinity, const T* by_class, T* grad) {
  DG_GRID_STRIDE_LOOP(i, d.steps * d.batch * d.classes) {
    const int64_t c = i % d.classes, n = (i / d.classes) % d.batch, t = i / (d.classes * d.batch);
    if (t >= in_len[n] || (zero_infinity && isinf(nll[n]))) {
      grad[i] = T(0);
      continue;
    }
    const T l = lp[i];
    grad[i] = scale[n] * (exp(l) - exp(by_class[(n * d.steps + t) * d.classes + c] + nll[n] - l));
  }
}

void ctc_backward(const CtcArgs& a) {
  const CtcDims d = ctc_dims(a);
  if (d.batch == 0 || d.steps == 0) return;
  const int device = a.log_probs->device().index;
  DeviceGuard guard(device);
  Tensor by_class = empty({d.batch, d.steps, d.classes}, TensorOptions(a.log_probs->dtype()).device(a.log_probs->device()));
  DG_DISPATCH_FLOAT_DOUBLE(a.log_probs->dtype(), "ctc_loss_backward", [&] {
    using T = scalar_t;
    const T* lp = reinterpret_cast<const T*>(a.log_probs->data_ptr());
    const int64_t* targets = reinterpret_cast<const int64_t*>(a.targets->data_ptr());
    const int64_t* in_len = reinterpret_cast<const int64_t*>(a.input_lengths->data_ptr());
    const int64_t* tgt_len = reinterpret_cast<const int64_t*>(a.target_lengths->data_ptr());
    T* beta = reinterpret_cast<T*>(a.log_beta->data_ptr());
    T* slots = reinterpret_cast<T*>(by_class.data_ptr());
    cudaStream_t stream = stream_for(device);
    ctc_beta_kernel<T><<<static_cast<unsigned>(std::min<int64_t>(d.batch, 65535)), 256, 0, stream>>>(
        d, lp, targets, in_len, tgt_len, beta);
    ctc_by_class_kernel<T><<<grid_for(d.batch * d.steps), 256, 0, stream>>>(
        d, targets, in_len, tgt_len, reinterpret_cast<const T*>(a.log_alpha->data_ptr()), beta, slots);
    ctc_grad_kernel<T><<<grid_for(d.steps * d.batch * d.classes), 256, 0, stream>>>(
        d, lp, in_len, reinterpret_cast<const T*>(a.neg_log_likelihood->data_ptr()),
        reinterpret_cast<const T*>(a.grad_scale->data_ptr()), a.zero_infinity, slots,
        reinterpret_cast<T*>(a.grad->data_ptr()));
  });
  check_last_launch("ctc_loss backward kernels");
}

}  // namespace

void register_loss_kernels(KernelTable& t) {
  t.nll = &nll;
  t.nll_scatter = &nll_scatter;
  t.ctc = &ctc;
  t.ctc_backward = &ctc_backward;
}

}  // namespace dg::cuda
