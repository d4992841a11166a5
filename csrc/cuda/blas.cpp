// Matrix multiply on the GPU: floating and complex dtypes through cuBLAS,
// integers through a plain kernel (blas_int.cu). cuBLAS is not linked: it is
// loaded on first use from the nvidia-cublas wheel next to dyngraph (the
// `cuda` extra, also what PyTorch installs), from $DG_CUBLAS_LIBRARY, or from
// the system's library path, so a build without it (and a machine without a
// GPU) never needs it. The few declarations used are written here from the
// cuBLAS documentation.
#include <dlfcn.h>
#include <library_types.h>

#include <mutex>
#include <string>
#include <vector>

#include "core/dispatch.h"
#include "cuda/launch.h"
#include "dyngraph/cuda.h"

namespace dg::cuda {

void integer_gemm(const GemmArgs& g, cudaStream_t stream);

namespace {

using cublasHandle_t = void*;
using cublasStatus_t = int;
constexpr int kOpN = 0, kOpT = 1;
constexpr int kCompute32F = 68, kCompute32FFastTF32 = 77, kCompute64F = 70;
constexpr int kGemmDefault = -1;

struct Cublas {
  cublasStatus_t (*create)(cublasHandle_t*);
  cublasStatus_t (*set_stream)(cublasHandle_t, cudaStream_t);
  cublasStatus_t (*gemm_strided_batched)(cublasHandle_t, int transa, int transb, int m, int n, int k,
                                         const void* alpha, const void* a, cudaDataType a_type, int lda,
                                         long long stride_a, const void* b, cudaDataType b_type, int ldb,
                                         long long stride_b, const void* beta, void* c, cudaDataType c_type, int ldc,
                                         long long stride_c, int batch, int compute, int algo);
  std::string error;
};

std::vector<std::string> candidate_paths() {
  std::vector<std::string> paths;
  if (const char* env = std::getenv("DG_CUBLAS_LIBRARY")) paths.emplace_back(env);
  // <site-packages>/dyngraph/lib/libdyngraph.so -> <site-packages>/nvidia/...
  Dl_info info;
  if (dladdr(reinterpret_cast<void*>(&candidate_paths), &info) && info.dli_fname) {
    std::string site = info.dli_fname;
    for (int up = 0; up < 3 && site.find('/') != std::string::npos; ++up) site.erase(site.rfind('/'));
    for (const char* dir : {"/nvidia/cu13/lib/", "/nvidia/cublas/lib/"})
      for (const char* name : {"libcublas.so.13", "libcublas.so.12"}) paths.push_back(site + dir + name);
  }
  for (const char* name : {"libcublas.so.13", "libcublas.so.12", "libcublas.so"}) paths.emplace_back(name);
  return paths;
}

const Cublas& cublas() {
  static Cublas lib = [] {
    Cublas c{};
    void* handle = nullptr;
    for (const std::string& path : candidate_paths())
      if ((handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL))) break;
    if (!handle) {
      c.error = "cuBLAS was not found: install it with `pip install nvidia-cublas` (dyngraph's `cuda` extra) "
                "or point DG_CUBLAS_LIBRARY at libcublas.so";
      return c;
    }
    c.create = reinterpret_cast<decltype(c.create)>(dlsym(handle, "cublasCreate_v2"));
    c.set_stream = reinterpret_cast<decltype(c.set_stream)>(dlsym(handle, "cublasSetStream_v2"));
    c.gemm_strided_batched = reinterpret_cast<decltype(c.gemm_strided_batched)>(dlsym(handle, "cublasGemmStridedBatchedEx"));
    if (!c.create || !c.set_stream || !c.gemm_strided_batched) c.error = "the cuBLAS library found lacks cublasGemmStridedBatchedEx";
    return c;
  }();
  DG_CHECK(lib.error.empty(), Error, lib.error);
  return lib;
}

void check(cublasStatus_t status, const char* what) {
  DG_CHECK(status == 0, Error, "cuBLAS error ", status, " in ", what);
}

// One handle per device, made on first use (handles are thread-safe when
// each call sets its stream first, under the lock).
std::mutex g_mutex;
cublasHandle_t handle_for(int device) {
  static std::vector<cublasHandle_t> handles;
  if (static_cast<int>(handles.size()) <= device) handles.resize(device + 1, nullptr);
  if (!handles[device]) check(cublas().create(&handles[device]), "cublasCreate");
  return handles[device];
}

bool g_allow_tf32 = false;

// A batch whose offsets step evenly is one strided-batched call; otherwise
// (broadcast batch dims) one call per entry.
bool uniform_stride(const std::vector<int64_t>& offsets, int64_t* stride) {
  *stride = offsets.size() > 1 ? offsets[1] - offsets[0] : 0;
  for (size_t b = 1; b < offsets.size(); ++b)
    if (offsets[b] - offsets[b - 1] != *stride) return false;
  return true;
}

template <class Scale>
void run_gemm(const GemmArgs& g, cudaDataType type, int compute, Scale one, Scale zero, int device) {
  const int64_t size = itemsize(g.dtype);
  const Cublas& lib = cublas();
  std::lock_guard<std::mutex> lock(g_mutex);
  cublasHandle_t h = handle_for(device);
  check(lib.set_stream(h, stream_for(device)), "cublasSetStream");
  // Row-major C = A B is column-major C^T = B^T A^T: swap the operands.
  auto call = [&](int64_t a_off, int64_t b_off, int64_t c_off, int batch, int64_t sa, int64_t sb) {
    check(lib.gemm_strided_batched(h, g.b_trans ? kOpT : kOpN, g.a_trans ? kOpT : kOpN, static_cast<int>(g.n),
                                   static_cast<int>(g.m), static_cast<int>(g.k), &one, g.b + b_off * size, type,
                                   static_cast<int>(g.ldb), sb, g.a + a_off * size, type, static_cast<int>(g.lda), sa,
                                   &zero, g.c + c_off * size, type, static_cast<int>(g.n), g.m * g.n, batch, compute,
                                   kGemmDefault),
          "cublasGemmStridedBatchedEx");
  };
  int64_t sa = 0, sb = 0;
  if (uniform_stride(g.a_offsets, &sa) && uniform_stride(g.b_offsets, &sb) && g.batch < (int64_t(1) << 31)) {
    call(g.a_offsets[0], g.b_offsets[0], 0, static_cast<int>(g.batch), sa, sb);
  } else {
    for (int64_t b = 0; b < g.batch; ++b) call(g.a_offsets[b], g.b_offsets[b], b * g.m * g.n, 1, 0, 0);
  }
}

struct Complex32 {
  float re, im;
};
struct Complex64 {
  double re, im;
};

void gemm_kernel(const GemmArgs& g) {
  DG_CHECK(g.m < (int64_t(1) << 31) && g.n < (int64_t(1) << 31) && g.k < (int64_t(1) << 31), Error,
           "matmul: matrix dimensions too large for cuBLAS");
  const int device = current_device_index();
  if (g.k == 0) {  // an empty sum: zeros (cuBLAS need not touch C then)
    DG_CUDA_CHECK(cudaMemsetAsync(g.c, 0, static_cast<size_t>(g.batch * g.m * g.n * itemsize(g.dtype)), stream_for(device)));
    return;
  }
  const int compute32 = g_allow_tf32 ? kCompute32FFastTF32 : kCompute32F;
  switch (g.dtype) {
    case kFloat32: return run_gemm<float>(g, CUDA_R_32F, compute32, 1.0f, 0.0f, device);
    case kFloat16: return run_gemm<float>(g, CUDA_R_16F, kCompute32F, 1.0f, 0.0f, device);
    case kBFloat16: return run_gemm<float>(g, CUDA_R_16BF, kCompute32F, 1.0f, 0.0f, device);
    case kFloat64: return run_gemm<double>(g, CUDA_R_64F, kCompute64F, 1.0, 0.0, device);
    case kComplex64: return run_gemm<Complex32>(g, CUDA_C_32F, kCompute32F, {1, 0}, {0, 0}, device);
    case kComplex128: return run_gemm<Complex64>(g, CUDA_C_64F, kCompute64F, {1, 0}, {0, 0}, device);
    case kUInt8:
    case kInt8:
    case kInt16:
    case kInt32:
    case kInt64: return integer_gemm(g, stream_for(device));
    default: DG_FAIL(NotImplementedError, "\"addmm_cuda\" not implemented for '", dtype_name(g.dtype), "'");
  }
}

}  // namespace

void set_allow_tf32(bool allow) { g_allow_tf32 = allow; }
bool allow_tf32() { return g_allow_tf32; }

void register_blas_kernels(KernelTable& t) { t.gemm = &gemm_kernel; }

}  // namespace dg::cuda
