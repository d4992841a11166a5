// The CUDA strided loop: one thread per element (a few per thread, for
// memory-level parallelism), over the same TensorIter the CPU loops use.
// Offsets come from the linear index: dense operands just scale it, others
// unravel it over the merged shape (innermost first). 32-bit index math is
// used whenever every offset fits, which saves most of the division cost.
#pragma once

#include <cstdint>
#include <utility>

#include "core/tensor_iter.h"
#include "cuda/check.h"
#include "kernels/convert.h"

namespace dg::cuda {

constexpr int kMaxLoopDims = 25;
constexpr int kThreads = 256;
constexpr int kPerThread = 4;

// The geometry of a TensorIter, passed to kernels by value.
template <int NOPS, class Index>
struct Geometry {
  int ndim;
  Index sizes[kMaxLoopDims];
  Index strides[NOPS][kMaxLoopDims];  // bytes
  char* data[NOPS];

  __device__ void offsets(Index linear, Index* out) const {
#pragma unroll
    for (int op = 0; op < NOPS; ++op) out[op] = 0;
    for (int d = 0; d < ndim; ++d) {
      Index i = linear % sizes[d];
      linear /= sizes[d];
#pragma unroll
      for (int op = 0; op < NOPS; ++op) out[op] += i * strides[op][d];
    }
  }
};

template <int NOPS, class Index>
Geometry<NOPS, Index> make_geometry(const TensorIter& it) {
  Geometry<NOPS, Index> g{};
  g.ndim = it.ndim;
  for (int d = 0; d < it.ndim; ++d) g.sizes[d] = static_cast<Index>(it.shape[d]);
  for (int op = 0; op < NOPS; ++op) {
    g.data[op] = it.data[op];
    for (int d = 0; d < it.ndim; ++d) g.strides[op][d] = static_cast<Index>(it.strides[op][d]);
  }
  return g;
}

// True when every element index and byte offset fits in int32.
inline bool fits_int32(const TensorIter& it) {
  constexpr int64_t kMax = (int64_t(1) << 31) - 1;
  if (it.numel > kMax) return false;
  for (int op = 0; op < it.nops; ++op) {
    int64_t extent = 0;
    for (int d = 0; d < it.ndim; ++d) {
      int64_t s = it.strides[op][d] < 0 ? -it.strides[op][d] : it.strides[op][d];
      extent += (it.shape[d] - 1) * s;
    }
    if (extent > kMax) return false;
  }
  for (int op = 0; op < it.nops; ++op)
    for (int d = 0; d < it.ndim; ++d)
      if (it.strides[op][d] < 0) return false;  // the 32-bit index math is unsigned
  return true;
}

inline int64_t blocks_for(int64_t n) {
  int64_t per_block = int64_t(kThreads) * kPerThread;
  return (n + per_block - 1) / per_block;
}

// out[i] = f(in_0[i], ..., in_{N-1}[i]) with out of type Out and inputs of type In.
template <class Out, class In, int N, class F, size_t... I>
__device__ inline void apply_at(char* out, char* const* in, const F& f, std::index_sequence<I...>) {
  *reinterpret_cast<Out*>(out) = convert<Out>(f(static_cast<opmath_t<In>>(*reinterpret_cast<const In*>(in[I]))...));
}

// kDense: every operand is dense in the same order, so offsets are the
// index times the element size; otherwise they come from the geometry.
template <class Out, class In, int N, class F, class Index, bool kDense>
__global__ void __launch_bounds__(kThreads) elementwise_kernel(int64_t n, F f, Geometry<N + 1, Index> g) {
  int64_t base = (int64_t(blockIdx.x) * kThreads * kPerThread) + threadIdx.x;
#pragma unroll
  for (int k = 0; k < kPerThread; ++k) {
    int64_t i = base + int64_t(k) * kThreads;
    if (i < n) {
      int64_t off[N + 1];
      if constexpr (kDense) {
        off[0] = i * int64_t(sizeof(Out));
#pragma unroll
        for (int op = 1; op <= N; ++op) off[op] = i * int64_t(sizeof(In));
      } else {
        Index o[N + 1];
        g.offsets(static_cast<Index>(i), o);
#pragma unroll
        for (int op = 0; op <= N; ++op) off[op] = static_cast<int64_t>(o[op]);
      }
      char* in[N > 0 ? N : 1];
#pragma unroll
      for (int op = 0; op < N; ++op) in[op] = g.data[op + 1] + off[op + 1];
      apply_at<Out, In, N>(g.data[0] + off[0], in, f, std::make_index_sequence<N>());
    }
  }
}

// Runs f over the iterator on the current stream of its device: the output
// gets f's result converted to Out; inputs are read as In and passed to f in
// In's compute type (float for Half/BFloat16), exactly as the CPU loop does.
template <class Out, class In, int N, class F>
void elementwise(const TensorIter& it, const F& f) {
  if (it.numel == 0) return;
  DG_CHECK(it.ndim <= kMaxLoopDims, Error, "CUDA loop: more than ", kMaxLoopDims, " dimensions after merging");
  DeviceGuard guard(it.device.index);
  cudaStream_t stream = stream_for(it.device.index);
  const int64_t blocks = blocks_for(it.numel);
  DG_CHECK(blocks < (int64_t(1) << 31), Error, "CUDA loop: tensor too large");
  const unsigned grid = static_cast<unsigned>(blocks);
  if (it.is_contiguous())
    elementwise_kernel<Out, In, N, F, uint32_t, true><<<grid, kThreads, 0, stream>>>(it.numel, f, make_geometry<N + 1, uint32_t>(it));
  else if (fits_int32(it))
    elementwise_kernel<Out, In, N, F, uint32_t, false><<<grid, kThreads, 0, stream>>>(it.numel, f, make_geometry<N + 1, uint32_t>(it));
  else
    elementwise_kernel<Out, In, N, F, int64_t, false><<<grid, kThreads, 0, stream>>>(it.numel, f, make_geometry<N + 1, int64_t>(it));
  check_last_launch("elementwise kernel");
}

template <class T, class Gen>
__global__ void __launch_bounds__(kThreads) generate_kernel(int64_t n, Gen gen, T* out) {
  int64_t base = (int64_t(blockIdx.x) * kThreads * kPerThread) + threadIdx.x;
#pragma unroll
  for (int k = 0; k < kPerThread; ++k) {
    int64_t i = base + int64_t(k) * kThreads;
    if (i < n) out[i] = gen(i);
  }
}

// The CUDA loops as the policy of kernels/elementwise_kernels.h.
struct CudaLoop {
  template <class Out, class In, int N, class F>
  static void elementwise(const TensorIter& it, const F& f) {
    cuda::elementwise<Out, In, N>(it, f);
  }
  template <class T, class Gen>
  static void generate(TensorIter& it, const Gen& gen) {
    if (it.numel == 0) return;
    DeviceGuard guard(it.device.index);
    generate_kernel<T, Gen><<<static_cast<unsigned>(blocks_for(it.numel)), kThreads, 0, stream_for(it.device.index)>>>(
        it.numel, gen, reinterpret_cast<T*>(it.data[0]));
    check_last_launch("generate kernel");
  }
  static bool copy_bytes(TensorIter& it) {
    DeviceGuard guard(it.device.index);
    DG_CUDA_CHECK(cudaMemcpyAsync(it.data[0], it.data[1], static_cast<size_t>(it.numel * itemsize(it.dtypes[0])),
                                  cudaMemcpyDeviceToDevice, stream_for(it.device.index)));
    return true;
  }
};

}  // namespace dg::cuda
