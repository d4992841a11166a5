// CUDA sorting and scans along the last dim of dense (rows, n) tensors.
//
// Sort: each value becomes an unsigned key whose integer order is the
// CPU's comparison order (NaN largest, -0.0 equal to +0.0), then CUB's
// stable segmented radix sort orders (key, position) pairs per row, and the
// values are gathered by position. Stable like the CPU's std::stable_sort,
// so ties come out in the same order.
//
// Scan: one block per row walks it in tiles; each tile is scanned in shared
// memory and carries its last value into the next.
#include <cub/device/device_segmented_sort.cuh>

#include "core/dispatch.h"
#include "cuda/launch.h"
#include "cuda/loop.cuh"

namespace dg::cuda {

namespace {

template <size_t N> struct uint_of;
template <> struct uint_of<1> { using type = uint8_t; };
template <> struct uint_of<2> { using type = uint16_t; };
template <> struct uint_of<4> { using type = uint32_t; };
template <> struct uint_of<8> { using type = uint64_t; };

// The order-preserving unsigned image of a value.
template <class T>
__device__ typename uint_of<sizeof(T)>::type sort_key(T v) {
  using K = typename uint_of<sizeof(T)>::type;
  constexpr K kSign = K(1) << (8 * sizeof(T) - 1);
  if constexpr (std::is_same<T, bool>::value) {
    return v ? 1 : 0;
  } else if constexpr (std::is_integral<T>::value) {
    K bits;
    memcpy(&bits, &v, sizeof(T));
    return std::is_signed<T>::value ? K(bits ^ kSign) : bits;
  } else {
    const opmath_t<T> m = static_cast<opmath_t<T>>(v);
    if (m != m) return K(~K(0));       // NaN: after everything
    T canonical = m == 0 ? T(0) : v;   // -0.0 sorts with +0.0
    K bits;
    memcpy(&bits, &canonical, sizeof(T));
    return (bits & kSign) ? K(~bits) : K(bits | kSign);
  }
}

template <class T, class K>
__global__ void key_kernel(int64_t total, int64_t n, const T* in, K* keys, int64_t* positions) {
  DG_GRID_STRIDE_LOOP(i, total) {
    keys[i] = sort_key(in[i]);
    positions[i] = i % n;
  }
}

__global__ void offsets_kernel(int64_t rows, int64_t n, int64_t* offsets) {
  DG_GRID_STRIDE_LOOP(r, rows + 1)
    offsets[r] = r * n;
}

template <class T>
__global__ void gather_rows_kernel(int64_t total, int64_t n, const T* in, const int64_t* positions, T* out) {
  DG_GRID_STRIDE_LOOP(i, total)
    out[i] = in[(i / n) * n + positions[i]];
}

Tensor device_bytes(int64_t nbytes, Device device) {
  return empty({nbytes > 0 ? nbytes : 1}, TensorOptions(kUInt8).device(device));
}

void sort(const Tensor& in, Tensor& values, Tensor& indices, bool descending) {
  const int64_t n = in.sizes().back(), total = in.numel(), rows = n ? total / n : 0;
  if (total == 0) return;
  const Device dev = in.device();
  cudaStream_t stream = stream_for(dev.index);
  DG_DISPATCH_REAL(in.dtype(), "sort", [&] {
    using T = scalar_t;
    using K = typename uint_of<sizeof(T)>::type;
    Tensor keys_in = device_bytes(total * int64_t(sizeof(K)), dev), keys_out = device_bytes(total * int64_t(sizeof(K)), dev);
    Tensor positions = empty({total}, TensorOptions(kInt64).device(dev));
    Tensor offsets = empty({rows + 1}, TensorOptions(kInt64).device(dev));
    K* kin = reinterpret_cast<K*>(keys_in.data_ptr());
    K* kout = reinterpret_cast<K*>(keys_out.data_ptr());
    int64_t* pos = positions.data_ptr<int64_t>();
    int64_t* sorted_pos = indices.data_ptr<int64_t>();
    int64_t* off = offsets.data_ptr<int64_t>();
    key_kernel<T, K><<<grid_for(total), 256, 0, stream>>>(total, n, reinterpret_cast<const T*>(in.data_ptr()), kin, pos);
    offsets_kernel<<<grid_for(rows + 1), 256, 0, stream>>>(rows, n, off);
    check_last_launch("sort key kernel");
    auto run = [&](void* temp, size_t& bytes) {
      return descending ? cub::DeviceSegmentedSort::StableSortPairsDescending(temp, bytes, kin, kout, pos, sorted_pos,
                                                                              total, rows, off, off + 1, stream)
                        : cub::DeviceSegmentedSort::StableSortPairs(temp, bytes, kin, kout, pos, sorted_pos, total,
                                                                    rows, off, off + 1, stream);
    };
    size_t temp_bytes = 0;
    DG_CUDA_CHECK(run(nullptr, temp_bytes));
    Tensor temp = device_bytes(static_cast<int64_t>(temp_bytes), dev);
    DG_CUDA_CHECK(run(temp.data_ptr(), temp_bytes));
    gather_rows_kernel<T><<<grid_for(total), 256, 0, stream>>>(total, n, reinterpret_cast<const T*>(in.data_ptr()),
                                                               sorted_pos, reinterpret_cast<T*>(values.data_ptr()));
    check_last_launch("sort gather kernel");
  });
}

// The accumulation type of a scan, as on the CPU: int64 for integers, the
// compute type otherwise.
template <class T> struct scan_acc { using type = std::conditional_t<std::is_integral<T>::value, int64_t, opmath_t<T>>; };

constexpr int kScanThreads = 256;

template <class T>
__global__ void scan_kernel(int64_t rows, int64_t n, const T* src, T* dst, bool product) {
  using A = typename scan_acc<T>::type;
  extern __shared__ __align__(16) unsigned char scan_smem[];
  A* tile = reinterpret_cast<A*>(scan_smem);
  for (int64_t r = blockIdx.x; r < rows; r += gridDim.x) {
    A carry = product ? A(1) : A(0);
    for (int64_t base = 0; base < n; base += blockDim.x) {
      const int64_t k = base + threadIdx.x;
      A v = k < n ? static_cast<A>(src[r * n + k]) : (product ? A(1) : A(0));
      tile[threadIdx.x] = v;
      __syncthreads();
      // Hillis-Steele inclusive scan of the tile.
      for (unsigned step = 1; step < blockDim.x; step <<= 1) {
        A other = threadIdx.x >= step ? tile[threadIdx.x - step] : (product ? A(1) : A(0));
        __syncthreads();
        tile[threadIdx.x] = product ? A(tile[threadIdx.x] * other) : A(tile[threadIdx.x] + other);
        __syncthreads();
      }
      const A value = product ? A(carry * tile[threadIdx.x]) : A(carry + tile[threadIdx.x]);
      if (k < n) dst[r * n + k] = static_cast<T>(value);
      const A last = tile[blockDim.x - 1];
      __syncthreads();
      carry = product ? A(carry * last) : A(carry + last);
    }
  }
}

void scan(const Tensor& in, Tensor& out, ScanOp op) {
  const int64_t n = in.sizes().back(), rows = n ? in.numel() / n : 0;
  if (rows == 0) return;
  DG_DISPATCH_ALL(out.dtype(), "cumulative op", [&] {
    using T = scalar_t;
    using A = typename scan_acc<T>::type;
    scan_kernel<T><<<static_cast<unsigned>(std::min<int64_t>(rows, 65535 * 16)), kScanThreads,
                     sizeof(A) * kScanThreads, stream_for(current_device_index())>>>(
        rows, n, reinterpret_cast<const T*>(in.data_ptr()), reinterpret_cast<T*>(out.data_ptr()),
        op == ScanOp::cumprod);
  });
  check_last_launch("scan kernel");
}

}  // namespace

void register_sort_kernels(KernelTable& t) {
  t.sort = &sort;
  t.scan = &scan;
}

}  // namespace dg::cuda
