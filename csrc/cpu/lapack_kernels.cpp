// CPU factorizations on LAPACK (the LAPACKE interface of the scipy-openblas32
// wheel, whose symbols carry the scipy_ prefix). Batch entries run in
// parallel over OpenMP threads; LAPACK itself stays single-threaded (set in
// register_blas_kernels), so each thread factors whole matrices.
#include <algorithm>
#include <complex>
#include <vector>

#define lapack_complex_float std::complex<float>
#define lapack_complex_double std::complex<double>
#include <cblas.h>
#include <lapacke.h>

#include "core/dispatch.h"
#include "cpu/parallel.h"

namespace dg::cpu {

namespace {

using cfloat = std::complex<float>;
using cdouble = std::complex<double>;

template <class T> struct RealOf { using type = T; };
template <class T> struct RealOf<std::complex<T>> { using type = T; };
template <class T> using real_t = typename RealOf<T>::type;

constexpr int kCol = LAPACK_COL_MAJOR;

// One overload per LAPACK precision letter (s, d, c, z) for each routine used.
lapack_int getrf(lapack_int m, lapack_int n, float* a, lapack_int* p) { return scipy_LAPACKE_sgetrf(kCol, m, n, a, m, p); }
lapack_int getrf(lapack_int m, lapack_int n, double* a, lapack_int* p) { return scipy_LAPACKE_dgetrf(kCol, m, n, a, m, p); }
lapack_int getrf(lapack_int m, lapack_int n, cfloat* a, lapack_int* p) { return scipy_LAPACKE_cgetrf(kCol, m, n, a, m, p); }
lapack_int getrf(lapack_int m, lapack_int n, cdouble* a, lapack_int* p) { return scipy_LAPACKE_zgetrf(kCol, m, n, a, m, p); }

lapack_int getrs(char t, lapack_int n, lapack_int k, const float* a, const lapack_int* p, float* b) {
  return scipy_LAPACKE_sgetrs(kCol, t, n, k, a, n, p, b, n);
}
lapack_int getrs(char t, lapack_int n, lapack_int k, const double* a, const lapack_int* p, double* b) {
  return scipy_LAPACKE_dgetrs(kCol, t, n, k, a, n, p, b, n);
}
lapack_int getrs(char t, lapack_int n, lapack_int k, const cfloat* a, const lapack_int* p, cfloat* b) {
  return scipy_LAPACKE_cgetrs(kCol, t, n, k, a, n, p, b, n);
}
lapack_int getrs(char t, lapack_int n, lapack_int k, const cdouble* a, const lapack_int* p, cdouble* b) {
  return scipy_LAPACKE_zgetrs(kCol, t, n, k, a, n, p, b, n);
}

lapack_int potrf(char u, lapack_int n, float* a) { return scipy_LAPACKE_spotrf(kCol, u, n, a, n); }
lapack_int potrf(char u, lapack_int n, double* a) { return scipy_LAPACKE_dpotrf(kCol, u, n, a, n); }
lapack_int potrf(char u, lapack_int n, cfloat* a) { return scipy_LAPACKE_cpotrf(kCol, u, n, a, n); }
lapack_int potrf(char u, lapack_int n, cdouble* a) { return scipy_LAPACKE_zpotrf(kCol, u, n, a, n); }

lapack_int geqrf(lapack_int m, lapack_int n, float* a, float* tau) { return scipy_LAPACKE_sgeqrf(kCol, m, n, a, m, tau); }
lapack_int geqrf(lapack_int m, lapack_int n, double* a, double* tau) { return scipy_LAPACKE_dgeqrf(kCol, m, n, a, m, tau); }
lapack_int geqrf(lapack_int m, lapack_int n, cfloat* a, cfloat* tau) { return scipy_LAPACKE_cgeqrf(kCol, m, n, a, m, tau); }
lapack_int geqrf(lapack_int m, lapack_int n, cdouble* a, cdouble* tau) { return scipy_LAPACKE_zgeqrf(kCol, m, n, a, m, tau); }

lapack_int orgqr(lapack_int m, lapack_int n, lapack_int k, float* a, const float* tau) {
  return scipy_LAPACKE_sorgqr(kCol, m, n, k, a, m, tau);
}
lapack_int orgqr(lapack_int m, lapack_int n, lapack_int k, double* a, const double* tau) {
  return scipy_LAPACKE_dorgqr(kCol, m, n, k, a, m, tau);
}
lapack_int orgqr(lapack_int m, lapack_int n, lapack_int k, cfloat* a, const cfloat* tau) {
  return scipy_LAPACKE_cungqr(kCol, m, n, k, a, m, tau);
}
lapack_int orgqr(lapack_int m, lapack_int n, lapack_int k, cdouble* a, const cdouble* tau) {
  return scipy_LAPACKE_zungqr(kCol, m, n, k, a, m, tau);
}

lapack_int syevd(char j, char u, lapack_int n, float* a, float* w) { return scipy_LAPACKE_ssyevd(kCol, j, u, n, a, n, w); }
lapack_int syevd(char j, char u, lapack_int n, double* a, double* w) { return scipy_LAPACKE_dsyevd(kCol, j, u, n, a, n, w); }
lapack_int syevd(char j, char u, lapack_int n, cfloat* a, float* w) { return scipy_LAPACKE_cheevd(kCol, j, u, n, a, n, w); }
lapack_int syevd(char j, char u, lapack_int n, cdouble* a, double* w) { return scipy_LAPACKE_zheevd(kCol, j, u, n, a, n, w); }

lapack_int gesdd(char j, lapack_int m, lapack_int n, float* a, float* s, float* u, lapack_int ldu, float* vt,
                 lapack_int ldvt) {
  return scipy_LAPACKE_sgesdd(kCol, j, m, n, a, m, s, u, ldu, vt, ldvt);
}
lapack_int gesdd(char j, lapack_int m, lapack_int n, double* a, double* s, double* u, lapack_int ldu, double* vt,
                 lapack_int ldvt) {
  return scipy_LAPACKE_dgesdd(kCol, j, m, n, a, m, s, u, ldu, vt, ldvt);
}
lapack_int gesdd(char j, lapack_int m, lapack_int n, cfloat* a, float* s, cfloat* u, lapack_int ldu, cfloat* vt,
                 lapack_int ldvt) {
  return scipy_LAPACKE_cgesdd(kCol, j, m, n, a, m, s, u, ldu, vt, ldvt);
}
lapack_int gesdd(char j, lapack_int m, lapack_int n, cdouble* a, double* s, cdouble* u, lapack_int ldu, cdouble* vt,
                 lapack_int ldvt) {
  return scipy_LAPACKE_zgesdd(kCol, j, m, n, a, m, s, u, ldu, vt, ldvt);
}

// Triangular solves on BLAS trsm: no singularity check, so a zero on the
// diagonal gives inf/nan as PyTorch's solve_triangular does (LAPACK's trtrs stops).
void trsm(bool upper, bool adjoint, bool unit, lapack_int n, lapack_int k, const float* a, float* b) {
  scipy_cblas_strsm(CblasColMajor, CblasLeft, upper ? CblasUpper : CblasLower, adjoint ? CblasTrans : CblasNoTrans,
                    unit ? CblasUnit : CblasNonUnit, n, k, 1.0f, a, n, b, n);
}
void trsm(bool upper, bool adjoint, bool unit, lapack_int n, lapack_int k, const double* a, double* b) {
  scipy_cblas_dtrsm(CblasColMajor, CblasLeft, upper ? CblasUpper : CblasLower, adjoint ? CblasTrans : CblasNoTrans,
                    unit ? CblasUnit : CblasNonUnit, n, k, 1.0, a, n, b, n);
}
void trsm(bool upper, bool adjoint, bool unit, lapack_int n, lapack_int k, const cfloat* a, cfloat* b) {
  const cfloat one(1.0f);
  scipy_cblas_ctrsm(CblasColMajor, CblasLeft, upper ? CblasUpper : CblasLower, adjoint ? CblasConjTrans : CblasNoTrans,
                    unit ? CblasUnit : CblasNonUnit, n, k, &one, a, n, b, n);
}
void trsm(bool upper, bool adjoint, bool unit, lapack_int n, lapack_int k, const cdouble* a, cdouble* b) {
  const cdouble one(1.0);
  scipy_cblas_ztrsm(CblasColMajor, CblasLeft, upper ? CblasUpper : CblasLower, adjoint ? CblasConjTrans : CblasNoTrans,
                    unit ? CblasUnit : CblasNonUnit, n, k, &one, a, n, b, n);
}

// geev: complex eigenvalues and right eigenvectors for every precision. The
// real routines return conjugate pairs as (re, im) columns; they are expanded
// into complex vectors here.
lapack_int geev(lapack_int n, cfloat* a, cfloat* w, cfloat* v, bool vectors) {
  cfloat unused;
  return scipy_LAPACKE_cgeev(kCol, 'N', vectors ? 'V' : 'N', n, a, n, w, &unused, 1, vectors ? v : &unused,
                             vectors ? n : 1);
}
lapack_int geev(lapack_int n, cdouble* a, cdouble* w, cdouble* v, bool vectors) {
  cdouble unused;
  return scipy_LAPACKE_zgeev(kCol, 'N', vectors ? 'V' : 'N', n, a, n, w, &unused, 1, vectors ? v : &unused,
                             vectors ? n : 1);
}
template <class T>
lapack_int geev_real(lapack_int n, T* a, std::complex<T>* w, std::complex<T>* v, bool vectors) {
  std::vector<T> wr(static_cast<size_t>(n)), wi(static_cast<size_t>(n));
  std::vector<T> vr(vectors ? static_cast<size_t>(n) * n : 1);
  T unused;
  lapack_int info;
  if constexpr (std::is_same<T, float>::value)
    info = scipy_LAPACKE_sgeev(kCol, 'N', vectors ? 'V' : 'N', n, a, n, wr.data(), wi.data(), &unused, 1, vr.data(),
                               vectors ? n : 1);
  else
    info = scipy_LAPACKE_dgeev(kCol, 'N', vectors ? 'V' : 'N', n, a, n, wr.data(), wi.data(), &unused, 1, vr.data(),
                               vectors ? n : 1);
  if (info != 0) return info;
  for (lapack_int j = 0; j < n; ++j) w[j] = {wr[j], wi[j]};
  if (!vectors) return 0;
  for (lapack_int j = 0; j < n; ++j) {
    const T* col = vr.data() + static_cast<size_t>(j) * n;
    if (wi[j] == T(0)) {
      for (lapack_int i = 0; i < n; ++i) v[static_cast<size_t>(j) * n + i] = {col[i], T(0)};
    } else if (j + 1 < n) {  // columns j, j+1 hold re and im of the pair's first vector
      const T* next = col + n;
      for (lapack_int i = 0; i < n; ++i) {
        v[static_cast<size_t>(j) * n + i] = {col[i], next[i]};
        v[static_cast<size_t>(j + 1) * n + i] = {col[i], -next[i]};
      }
      ++j;
    }
  }
  return 0;
}
lapack_int geev(lapack_int n, float* a, cfloat* w, cfloat* v, bool vectors) { return geev_real(n, a, w, v, vectors); }
lapack_int geev(lapack_int n, double* a, cdouble* w, cdouble* v, bool vectors) { return geev_real(n, a, w, v, vectors); }

template <class T>
void run_one(const LapackArgs& g, int64_t i) {
  using R = real_t<T>;
  using C = std::complex<R>;
  const lapack_int m = static_cast<lapack_int>(g.m), n = static_cast<lapack_int>(g.n), k = static_cast<lapack_int>(g.k);
  T* a = reinterpret_cast<T*>(g.a) + i * g.a_stride;
  T* b = g.b ? reinterpret_cast<T*>(g.b) + i * g.b_stride : nullptr;
  lapack_int* piv = g.pivots ? g.pivots + i * g.pivots_stride : nullptr;
  lapack_int info = 0;
  const char uplo = g.upper ? 'U' : 'L';
  switch (g.op) {
    case LapackOp::kLuFactor:
      info = getrf(m, n, a, piv);
      break;
    case LapackOp::kLuSolve:
      info = getrs(g.adjoint ? (std::is_same<T, R>::value ? 'T' : 'C') : 'N', n, k, a, piv, b);
      break;
    case LapackOp::kCholesky:
      info = potrf(uplo, n, a);
      break;
    case LapackOp::kQrFactor:
      info = geqrf(m, n, a, reinterpret_cast<T*>(g.values) + i * g.values_stride);
      break;
    case LapackOp::kQrOrthogonal:
      info = orgqr(m, n, k, a, reinterpret_cast<T*>(g.values) + i * g.values_stride);
      break;
    case LapackOp::kEigh:
      info = syevd(g.vectors ? 'V' : 'N', uplo, n, a, reinterpret_cast<R*>(g.values) + i * g.values_stride);
      break;
    case LapackOp::kSvd: {
      const lapack_int small = std::min(m, n);
      T* c = g.c ? reinterpret_cast<T*>(g.c) + i * g.c_stride : nullptr;
      T unused[1];
      const char job = !g.vectors ? 'N' : (g.full ? 'A' : 'S');
      info = gesdd(job, m, n, a, reinterpret_cast<R*>(g.values) + i * g.values_stride, g.vectors ? b : unused,
                   g.vectors ? m : 1, g.vectors ? c : unused, g.vectors ? (g.full ? n : small) : 1);
      break;
    }
    case LapackOp::kEig:
      info = geev(n, a, reinterpret_cast<C*>(g.values) + i * g.values_stride,
                  g.vectors ? reinterpret_cast<C*>(g.b) + i * g.b_stride : nullptr, g.vectors);
      break;
    case LapackOp::kTriangularSolve:
      trsm(g.upper, g.adjoint, g.unit_diagonal, n, k, a, b);
      break;
  }
  g.info[i] = static_cast<int32_t>(info);
}

template <class T>
void run(const LapackArgs& g) {
  parallel_for(0, g.batch, 1, [&](int64_t b0, int64_t b1) {
    for (int64_t i = b0; i < b1; ++i) run_one<T>(g, i);
  });
}

void lapack_kernel(const LapackArgs& g) {
  switch (g.dtype) {
    case kFloat32: return run<float>(g);
    case kFloat64: return run<double>(g);
    case kComplex64: return run<cfloat>(g);
    case kComplex128: return run<cdouble>(g);
    default: DG_FAIL(NotImplementedError, "linalg: LAPACK has no routine for '", dtype_name(g.dtype), "'");
  }
}

}  // namespace

void register_lapack_kernels(KernelTable& t) { t.lapack = &lapack_kernel; }

}  // namespace dg::cpu
