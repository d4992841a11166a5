// CUDA kernels of embedding_bag, one thread per (bag, feature): the forward
// walks the bag's indices as the CPU kernel does; the backward adds into the
// weight gradient atomically (bags may share rows).
#include <limits>

#include "core/dispatch.h"
#include "cuda/atomic.cuh"
#include "cuda/launch.h"
#include "kernels/convert.h"

namespace dg::cuda {

namespace {

struct BagDims {
  int64_t rows, dim, bags, padding_idx;
  BagMode mode;
};

BagDims bag_dims(const EmbeddingBagArgs& a) {
  return {a.weight->sizes()[0], a.weight->sizes()[1], a.offsets->numel() - 1, a.padding_idx, a.mode};
}

template <class T>
__global__ void embedding_bag_kernel(BagDims s, const T* weight, const int64_t* indices, const int64_t* offsets,
                                     const T* psw, T* out, int64_t* sizes, int64_t* chosen, int64_t* bad) {
  using M = opmath_t<T>;
  DG_GRID_STRIDE_LOOP(p, s.bags * s.dim) {
    const int64_t bag = p / s.dim, d = p % s.dim;
    M acc = 0;
    int64_t count = 0, pick = -1;
    for (int64_t i = offsets[bag]; i < offsets[bag + 1]; ++i) {
      const int64_t idx = indices[i];
      if (idx < 0 || idx >= s.rows) {
        bad[0] = 1;  // any one of the bad indices will do for the message
        atomicExch(reinterpret_cast<unsigned long long*>(bad + 1), static_cast<unsigned long long>(idx));
        continue;
      }
      if (idx == s.padding_idx) continue;
      const M v = static_cast<M>(weight[idx * s.dim + d]);
      ++count;
      if (s.mode == BagMode::max) {
        if (count == 1 || v > acc) {
          acc = v;
          pick = idx;
        }
      } else {
        acc += (psw ? static_cast<M>(psw[i]) : M(1)) * v;
      }
    }
    if (d == 0) sizes[bag] = count;
    if (chosen) chosen[p] = pick;
    out[p] = static_cast<T>(s.mode == BagMode::mean && count > 0 ? acc / static_cast<M>(count) : acc);
  }
}

void embedding_bag(const EmbeddingBagArgs& a) {
  const BagDims s = bag_dims(a);
  if (s.bags <= 0 || s.dim == 0) return;  // no features: bag_size (zero-filled by the op) is never read
  DeviceGuard guard(a.weight->device().index);
  DG_DISPATCH_FLOATING(a.weight->dtype(), "embedding_bag", [&] {
    using T = scalar_t;
    embedding_bag_kernel<T><<<grid_for(s.bags * s.dim), 256, 0, stream_for(a.weight->device().index)>>>(
        s, reinterpret_cast<const T*>(a.weight->data_ptr()), reinterpret_cast<const int64_t*>(a.indices->data_ptr()),
        reinterpret_cast<const int64_t*>(a.offsets->data_ptr()),
        a.per_sample_weights ? reinterpret_cast<const T*>(a.per_sample_weights->data_ptr()) : nullptr,
        reinterpret_cast<T*>(a.output->data_ptr()), reinterpret_cast<int64_t*>(a.bag_size->data_ptr()),
        a.max_indices ? reinterpret_cast<int64_t*>(a.max_indices->data_ptr()) : nullptr,
        reinterpret_cast<int64_t*>(a.bad_index->data_ptr()));
  });
  check_last_launch("embedding_bag kernel");
}

template <class T>
__global__ void embedding_bag_backward_kernel(BagDims s, const int64_t* indices, const int64_t* offsets, const T* psw,
                                              const int64_t* sizes, const int64_t* chosen, const T* grad, T* gw) {
  using M = opmath_t<T>;
  DG_GRID_STRIDE_LOOP(p, s.bags * s.dim) {
    const int64_t bag = p / s.dim, d = p % s.dim;
    const M g = static_cast<M>(grad[p]);
    if (s.mode == BagMode::max) {
      if (chosen[p] >= 0) atomic_add(gw + chosen[p] * s.dim + d, static_cast<T>(g));
      continue;
    }
    for (int64_t i = offsets[bag]; i < offsets[bag + 1]; ++i) {
      const int64_t idx = indices[i];
      if (idx == s.padding_idx) continue;
      const M scale = s.mode == BagMode::mean ? M(1) / static_cast<M>(sizes[bag]) : psw ? static_cast<M>(psw[i]) : M(1);
      atomic_add(gw + idx * s.dim + d, static_cast<T>(scale * g));
    }
  }
}

// d loss / d per_sample_weights[i]: the bag's gradient dotted with row indices[i]
// (the bag found by a binary search of the offsets).
template <class T>
__global__ void per_sample_weights_grad_kernel(BagDims s, int64_t count, const T* weight, const int64_t* indices,
                                               const int64_t* offsets, const T* grad, T* gp) {
  using M = opmath_t<T>;
  DG_GRID_STRIDE_LOOP(i, count) {
    int64_t lo = 0, hi = s.bags;  // the last bag whose start is <= i
    while (hi - lo > 1) {
      const int64_t mid = (lo + hi) / 2;
      if (offsets[mid] <= i) lo = mid;
      else hi = mid;
    }
    M dot = 0;
    if (indices[i] != s.padding_idx)
      for (int64_t d = 0; d < s.dim; ++d)
        dot += static_cast<M>(grad[lo * s.dim + d]) * static_cast<M>(weight[indices[i] * s.dim + d]);
    gp[i] = static_cast<T>(dot);
  }
}

void embedding_bag_backward(const EmbeddingBagArgs& a) {
  const BagDims s = bag_dims(a);
  if (s.bags <= 0) return;
  DeviceGuard guard(a.weight->device().index);
  cudaStream_t stream = stream_for(a.weight->device().index);
  DG_DISPATCH_FLOATING(a.weight->dtype(), "embedding_bag_backward", [&] {
    using T = scalar_t;
    const int64_t* indices = reinterpret_cast<const int64_t*>(a.indices->data_ptr());
    const int64_t* offsets = reinterpret_cast<const int64_t*>(a.offsets->data_ptr());
    const T* psw = a.per_sample_weights ? reinterpret_cast<const T*>(a.per_sample_weights->data_ptr()) : nullptr;
    const T* grad = reinterpret_cast<const T*>(a.grad_output->data_ptr());
    if (s.dim > 0)
      embedding_bag_backward_kernel<T><<<grid_for(s.bags * s.dim), 256, 0, stream>>>(
          s, indices, offsets, psw, reinterpret_cast<const int64_t*>(a.bag_size->data_ptr()),
          a.max_indices ? reinterpret_cast<const int64_t*>(a.max_indices->data_ptr()) : nullptr, grad,
          reinterpret_cast<T*>(a.grad_weight->data_ptr()));
    const int64_t count = a.indices->numel();
    if (a.grad_per_sample_weights && count > 0)
      per_sample_weights_grad_kernel<T><<<grid_for(count), 256, 0, stream>>>(
          s, count, reinterpret_cast<const T*>(a.weight->data_ptr()), indices, offsets, grad,
          reinterpret_cast<T*>(a.grad_per_sample_weights->data_ptr()));
  });
  check_last_launch("embedding_bag backward kernels");
}

}  // namespace

void register_embedding_bag_kernels(KernelTable& t) {
  t.embedding_bag = &embedding_bag;
  t.embedding_bag_backward = &embedding_bag_backward;
}

}  // namespace dg::cuda
