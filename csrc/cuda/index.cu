// CUDA indexing kernels: element (b, r) pairs values[b * rest_count + r]
// with base[offsets[b] + rest[r]] (offsets on the device, rest on the host,
// copied over per call). Accumulating puts use atomic adds; under
// use_deterministic_algorithms(True) they run in one thread, in order, so
// repeated indices sum the same way every time (and as on the CPU).
#include <vector>

#include "core/dispatch.h"
#include "cuda/atomic.cuh"
#include "cuda/launch.h"
#include "cuda/loop.cuh"
#include "dyngraph/settings.h"

namespace dg::cuda {

namespace {

template <size_t N>
struct Bytes {
  char b[N];
};

template <class E>
__global__ void take_kernel(int64_t total, int64_t rest_count, const E* base, const int64_t* offsets,
                            const int64_t* rest, E* out) {
  DG_GRID_STRIDE_LOOP(i, total)
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


template <class T>
__global__ void put_kernel(int64_t total, int64_t rest_count, T* base, const int64_t* offsets, const int64_t* rest,
                           const T* values, bool accumulate) {
  DG_GRID_STRIDE_LOOP(i, total) {
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
