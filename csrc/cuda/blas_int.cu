// Integer matrix multiply on the GPU (cuBLAS has none that matches
// PyTorch's wrap-around semantics): one thread per output element,
// accumulating in int64 like the CPU loop.
#include "core/dispatch.h"
#include "cuda/launch.h"

namespace dg::cuda {

namespace {

template <class T>
__device__ T element(const T* p, int64_t ld, bool trans, int64_t i, int64_t j) {
  return trans ? p[j * ld + i] : p[i * ld + j];
}

template <class T>
__global__ void gemm_int_kernel(int64_t batch, int64_t m, int64_t n, int64_t k, const T* a, const int64_t* a_off,
                                int64_t lda, bool a_trans, const T* b, const int64_t* b_off, int64_t ldb, bool b_trans,
                                T* c) {
  const int64_t total = batch * m * n;
  DG_GRID_STRIDE_LOOP(idx, total) {
    const int64_t bi = idx / (m * n), i = (idx / n) % m, j = idx % n;
    const T* pa = a + a_off[bi];
    const T* pb = b + b_off[bi];
    int64_t acc = 0;
    for (int64_t kk = 0; kk < k; ++kk)
      acc += static_cast<int64_t>(element(pa, lda, a_trans, i, kk)) * static_cast<int64_t>(element(pb, ldb, b_trans, kk, j));
    c[idx] = static_cast<T>(acc);
  }
}

template <class T>
void run(const GemmArgs& g, cudaStream_t stream) {
  // The per-batch offsets go to the device in one small copy.
  std::vector<int64_t> offsets(g.a_offsets);
  offsets.insert(offsets.end(), g.b_offsets.begin(), g.b_offsets.end());
  Tensor dev_offsets = int64_on_device(offsets.data(), static_cast<int64_t>(offsets.size()),
                                       Device(DeviceType::CUDA, current_device_index()));
  const int64_t* dev = dev_offsets.data_ptr<int64_t>();
  const int64_t total = g.batch * g.m * g.n;
  gemm_int_kernel<T><<<grid_for(total), 256, 0, stream>>>(g.batch, g.m, g.n, g.k, reinterpret_cast<const T*>(g.a), dev, g.lda,
                                                 g.a_trans, reinterpret_cast<const T*>(g.b), dev + g.batch, g.ldb,
                                                 g.b_trans, reinterpret_cast<T*>(g.c));
  check_last_launch("integer gemm kernel");
}

}  // namespace

void integer_gemm(const GemmArgs& g, cudaStream_t stream) {
  switch (g.dtype) {
    case kUInt8: return run<uint8_t>(g, stream);
    case kInt8: return run<int8_t>(g, stream);
    case kInt16: return run<int16_t>(g, stream);
    case kInt32: return run<int32_t>(g, stream);
    case kInt64: return run<int64_t>(g, stream);
    default: DG_FAIL(Error, "integer_gemm: unsupported dtype ", dtype_name(g.dtype));
  }
}

}  // namespace dg::cuda
