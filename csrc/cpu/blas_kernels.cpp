// CPU matrix multiply: float32/64 and complex on OpenBLAS GEMM (transposed
// operands passed as flags, not copies), float16/bfloat16 through float32,
// integers on a loop of our own.
#include <cblas.h>

#include <vector>

#include "core/dispatch.h"
#include "dyngraph/settings.h"
#include "cpu/parallel.h"
#include "kernels/convert.h"

namespace dg::cpu {

namespace {

CBLAS_TRANSPOSE trans(bool t) { return t ? CblasTrans : CblasNoTrans; }

// C[b][rows, cols] = A[b][rows, :] @ B[b][:, cols]: one block of one batch
// entry, all row-major views described by GemmArgs (A is m x k, B is k x n;
// a matrix with `trans` set is stored as its transpose with leading dim ld).
template <class T>
void gemm_block(const GemmArgs& g, int64_t b, int64_t row0, int64_t rows, int64_t col0, int64_t cols) {
  const T one(1), zero(0);
  const T* a = reinterpret_cast<const T*>(g.a) + g.a_offsets[b] + (g.a_trans ? row0 : row0 * g.lda);
  const T* bb = reinterpret_cast<const T*>(g.b) + g.b_offsets[b] + (g.b_trans ? col0 * g.ldb : col0);
  T* c = reinterpret_cast<T*>(g.c) + b * g.m * g.n + row0 * g.n + col0;
  const blasint m = static_cast<blasint>(rows), n = static_cast<blasint>(cols), k = static_cast<blasint>(g.k);
  const blasint lda = static_cast<blasint>(g.lda), ldb = static_cast<blasint>(g.ldb), ldc = static_cast<blasint>(g.n);
  if constexpr (std::is_same<T, float>::value) {
    scipy_cblas_sgemm(CblasRowMajor, trans(g.a_trans), trans(g.b_trans), m, n, k, 1.0f, a, lda, bb, ldb, 0.0f, c, ldc);
  } else if constexpr (std::is_same<T, double>::value) {
    scipy_cblas_dgemm(CblasRowMajor, trans(g.a_trans), trans(g.b_trans), m, n, k, 1.0, a, lda, bb, ldb, 0.0, c, ldc);
  } else if constexpr (std::is_same<T, complex64_t>::value) {
    scipy_cblas_cgemm(CblasRowMajor, trans(g.a_trans), trans(g.b_trans), m, n, k, &one, a, lda, bb, ldb, &zero, c, ldc);
  } else {
    scipy_cblas_zgemm(CblasRowMajor, trans(g.a_trans), trans(g.b_trans), m, n, k, &one, a, lda, bb, ldb, &zero, c, ldc);
  }
}

// OpenBLAS always runs single-threaded (set at registration): the threads are
// ours (OpenMP), shared with every other kernel. A batch is split across
// them; a single product is split into one block of rows (or of columns,
// whichever dim is longer) per thread. OpenBLAS's own pool spun or slept
// between calls and fought OpenMP's threads for the cores.
template <class T>
void gemm_blas(const GemmArgs& g) {
  const int64_t work = g.m * g.n * g.k;
  if (g.batch > 1) {
    parallel_for(0, g.batch, std::max<int64_t>(1, (int64_t(1) << 18) / std::max<int64_t>(work, 1)),
                 [&](int64_t b0, int64_t e0) {
                   for (int64_t b = b0; b < e0; ++b) gemm_block<T>(g, b, 0, g.m, 0, g.n);
                 });
    return;
  }
  const bool split_rows = g.m >= g.n;
  const int64_t len = split_rows ? g.m : g.n;
  const int64_t parts = work >= (int64_t(1) << 18) ? std::min<int64_t>(get_num_threads(), len / 16) : 1;
  if (parts <= 1) return gemm_block<T>(g, 0, 0, g.m, 0, g.n);
  // Block boundaries on multiples of 16 keep each block's SIMD panels whole.
  const int64_t chunk = ((len + parts - 1) / parts + 15) / 16 * 16;
  parallel_for(0, parts, 1, [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p) {
      const int64_t start = p * chunk, size = std::min(chunk, len - start);
      if (size <= 0) continue;
      if (split_rows)
        gemm_block<T>(g, 0, start, size, 0, g.n);
      else
        gemm_block<T>(g, 0, 0, g.m, start, size);
    }
  });
}

// Element (i, j) of an operand described by (ptr, ld, trans).
template <class T>
inline T at(const T* p, int64_t ld, bool tr, int64_t i, int64_t j) {
  return tr ? p[j * ld + i] : p[i * ld + j];
}

// Integers (and reduced floats, accumulated in float): a plain i-k-j loop.
template <class T, class Acc>
void gemm_loop(const GemmArgs& g) {
  parallel_for(0, g.batch * g.m, std::max<int64_t>(1, 4096 / std::max<int64_t>(1, g.n * g.k)), [&](int64_t b0, int64_t e0) {
    std::vector<Acc> row(static_cast<size_t>(g.n));
    for (int64_t r = b0; r < e0; ++r) {
      int64_t b = r / g.m, i = r % g.m;
      const T* a = reinterpret_cast<const T*>(g.a) + g.a_offsets[b];
      const T* bb = reinterpret_cast<const T*>(g.b) + g.b_offsets[b];
      T* c = reinterpret_cast<T*>(g.c) + b * g.m * g.n + i * g.n;
      std::fill(row.begin(), row.end(), Acc(0));
      for (int64_t kk = 0; kk < g.k; ++kk) {
        Acc av = static_cast<Acc>(at(a, g.lda, g.a_trans, i, kk));
        for (int64_t j = 0; j < g.n; ++j) row[j] += av * static_cast<Acc>(at(bb, g.ldb, g.b_trans, kk, j));
      }
      for (int64_t j = 0; j < g.n; ++j) c[j] = static_cast<T>(row[j]);
    }
  });
}

void gemm_kernel(const GemmArgs& g) {
  switch (g.dtype) {
    case kFloat32: return gemm_blas<float>(g);
    case kFloat64: return gemm_blas<double>(g);
    case kComplex64: return gemm_blas<complex64_t>(g);
    case kComplex128: return gemm_blas<complex128_t>(g);
    case kFloat16: return gemm_loop<Half, float>(g);
    case kBFloat16: return gemm_loop<BFloat16, float>(g);
    case kUInt8: return gemm_loop<uint8_t, int64_t>(g);
    case kInt8: return gemm_loop<int8_t, int64_t>(g);
    case kInt16: return gemm_loop<int16_t, int64_t>(g);
    case kInt32: return gemm_loop<int32_t, int64_t>(g);
    case kInt64: return gemm_loop<int64_t, int64_t>(g);
    default: DG_FAIL(NotImplementedError, "\"addmm_impl_cpu_\" not implemented for '", dtype_name(g.dtype), "'");
  }
}

}  // namespace

void register_blas_kernels(KernelTable& t) {
  scipy_openblas_set_num_threads(1);  // see gemm_blas
  t.gemm = &gemm_kernel;
}

}  // namespace dg::cpu
