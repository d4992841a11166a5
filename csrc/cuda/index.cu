// CUDA indexing kernels: element (b, r) pairs values[b * rest_count + r]
// with base[offsets[b] + rest[r]] (offsets on the device, rest on the host,
// copied over per call). Accumulating puts use atomic adds; under
// use_deterministic_algorithms(True) they run in one thread, in order, so
// repeated indices sum the same way every time (and as on the CPU).
#include <vector>

#include "core/dispatch.h"
#include "cuda/launch.h"
#include "cuda/loop.cuh"
#include "dyngraph/ops.h"

namespace dg::cuda {

namespace {

template <size_t N>
struct Bytes {
  char b[N];
};

template <class E>
__global__ void take_kernel(int64_t total, int64_t rest_count, const E* base, const int64_t* offsets,
                            const int64_t* rest, E* out) {
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < total; i += int64_t(gridDim.x) * blockDim.x)
    out[i] = base[offsets[i / rest_count] + rest[i % rest_count]];
}

template <size_t N>
void take_n(const IndexArgs& a) {
  using E = Bytes<N>;
  const Device dev(DeviceType::CUDA, current_device_index());
  Tensor rest = int64_on_device(a.rest, a.rest_count, dev);
  const int64_t total = a.blocks * a.rest_count;
  take_kernel<E><<<grid_for(total), 256, 0, stream_for(dev.index)>>>(
      total, a.rest_count, reinterpret_cast<const E*>(a.base), a.offsets, rest.data_ptr<int64_t>(),
      reinterpret_cast<E*>(a.values));
  check_last_launch("index kernel");
}

void take(const IndexArgs& a) {
  if (a.blocks * a.rest_count == 0) return;
  switch (itemsize(a.dtype)) {
    case 1: return take_n<1>(a);
    case 2: return take_n<2>(a);
    case 4: return take_n<4>(a);
    case 8: return take_n<8>(a);
    default: return take_n<16>(a);
  }
}

// dst += v, atomically. Types without a native atomic add use a
// compare-and-swap loop on the aligned 32-bit word that holds them.
template <class T>
__device__ void atomic_add(T* dst, T v) {
  if constexpr (std::is_same<T, float>::value || std::is_same<T, double>::value || std::is_same<T, int32_t>::value) {
    atomicAdd(dst, v);
  } else if constexpr (std::is_same<T, int64_t>::value) {
    atomicAdd(reinterpret_cast<unsigned long long*>(dst), static_cast<unsigned long long>(v));  // wraps like int64
  } else if constexpr (is_complex_t<T>::value) {
    atomic_add(&dst->re, v.re);
    atomic_add(&dst->im, v.im);
  } else {
    static_assert(sizeof(T) <= 2, "sub-word types only");
    const uintptr_t addr = reinterpret_cast<uintptr_t>(dst);
    unsigned* word = reinterpret_cast<unsigned*>(addr & ~uintptr_t(3));
    const unsigned shift = static_cast<unsigned>(addr & 3) * 8;
    const unsigned mask = ((1u << (8 * sizeof(T))) - 1u) << shift;
    unsigned old = *word, assumed;
    do {
      assumed = old;
      T cur;
      unsigned bits = (assumed & mask) >> shift;
      memcpy(&cur, &bits, sizeof(T));
      T sum = T(cur + v);
      unsigned new_bits = 0;
      memcpy(&new_bits, &sum, sizeof(T));
      old = atomicCAS(word, assumed, (assumed & ~mask) | (new_bits << shift));
    } while (old != assumed);
  }
}

template <class T>
__global__ void put_kernel(int64_t total, int64_t rest_count, T* base, const int64_t* offsets, const int64_t* rest,
                           const T* values, bool accumulate) {
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < total; i += int64_t(gridDim.x) * blockDim.x) {
    T* dst = base + offsets[i / rest_count] + rest[i % rest_count];
    if (accumulate) atomic_add(dst, values[i]);
    else *dst = values[i];
  }
}

// The deterministic accumulation: one thread, the CPU's order.
template <class T>
__global__ void put_serial_kernel(int64_t total, int64_t rest_count, T* base, const int64_t* offsets, const int64_t* rest,
                                  const T* values) {
  for (int64_t i = 0; i < total; ++i) {
    T* dst = base + offsets[i / rest_count] + rest[i % rest_count];
    *dst = T(*dst + values[i]);
  }
}

void put(const IndexArgs& a) {
  const int64_t total = a.blocks * a.rest_count;
  if (total == 0) return;
  const Device dev(DeviceType::CUDA, current_device_index());
  Tensor rest = int64_on_device(a.rest, a.rest_count, dev);
  cudaStream_t stream = stream_for(dev.index);
  DG_DISPATCH_ALL(a.dtype, "index_put_", [&] {
    using T = scalar_t;
    T* base = reinterpret_cast<T*>(a.base);
    const T* values = reinterpret_cast<const T*>(a.values);
    if (a.accumulate && deterministic_algorithms())
      put_serial_kernel<T><<<1, 1, 0, stream>>>(total, a.rest_count, base, a.offsets, rest.data_ptr<int64_t>(), values);
    else
      put_kernel<T><<<grid_for(total), 256, 0, stream>>>(total, a.rest_count, base, a.offsets, rest.data_ptr<int64_t>(),
                                                         values, a.accumulate);
  });
  check_last_launch("index_put kernel");
}

}  // namespace

void register_index_kernels(KernelTable& t) {
  t.take = &take;
  t.put = &put;
}

}  // namespace dg::cuda
