// The LAPACK-backed primitives of linalg: factorizations and solves on
// batches of matrices, without autograd. dyngraph.linalg builds the public,
// differentiable ops (and their backward formulas) on these.
//
// Each input is copied into a contiguous column-major batch (LAPACK's
// layout: the transpose, made contiguous); results come back as transposed
// views of such batches, so their strides are column-major, as PyTorch's are.
// Tensors on a device without a solver are factored on CPU copies.
#include <algorithm>

#include "core/dispatch.h"
#include "dyngraph/autograd.h"
#include "dyngraph/ops.h"

namespace dg {

namespace {

void check_matrix(const Tensor& A, const char* op) {
  DG_CHECK(A.dim() >= 2, Error, op, ": The input tensor A must have at least 2 dimensions.");
  DG_CHECK(is_floating_point(A.dtype()) || is_complex(A.dtype()), Error, op,
           ": Expected a floating point or complex tensor as input. Got ", dtype_name(A.dtype()));
  DG_CHECK(A.dtype() != kFloat16 && A.dtype() != kBFloat16, NotImplementedError, op, ": Low precision dtypes not supported. Got ",
           dtype_name(A.dtype()));
}

void check_square(const Tensor& A, const char* op) {
  check_matrix(A, op);
  DG_CHECK(A.sizes()[A.dim() - 2] == A.sizes().back(), Error, op,
           ": A must be batches of square matrices, but they are ", A.sizes()[A.dim() - 2], " by ", A.sizes().back(),
           " matrices");
}

int64_t rows(const Tensor& t) { return t.sizes()[t.dim() - 2]; }
int64_t cols(const Tensor& t) { return t.sizes().back(); }

int64_t batch_count(const Tensor& t) {
  int64_t n = 1;
  for (int64_t d = 0; d + 2 < t.dim(); ++d) n *= t.sizes()[d];
  return n;
}

Shape batch_shape(const Tensor& t, std::initializer_list<int64_t> tail) {
  Shape s(IntArrayRef(t.sizes().data(), t.dim() - 2));
  for (int64_t v : tail) s.push_back(v);
  return s;
}

Device solver_device(const Tensor& t) {
  return kernel_table(t.device().type).lapack ? t.device() : Device(DeviceType::CPU);
}

// A fresh contiguous batch holding each matrix of A column-major, on the solver's
// device. Always a copy: LAPACK overwrites it, and A must not change.
Tensor column_major(const Tensor& A) {
  NoGradGuard no_grad;
  Tensor transposed = matrix_transpose(to_device(A, solver_device(A)));
  Tensor result = contiguous(transposed);
  return result.data_ptr() == A.data_ptr() ? clone(result) : result;
}

// The logical (..., r, c) matrices of a column-major batch buffer (..., c, r), back on `device`.
Tensor from_column_major(const Tensor& buffer, Device device) {
  NoGradGuard no_grad;
  return to_device(matrix_transpose(buffer), device);
}

Tensor new_buffer(const Tensor& like, Shape shape, Dtype dtype) {
  return empty(shape, TensorOptions(dtype).device(solver_device(like)));
}

Tensor new_info(const Tensor& A) {
  return empty(batch_shape(A, {}), TensorOptions(kInt32).device(solver_device(A)));
}

void run(LapackArgs& args, const Tensor& like) {
  checked_kernel(kernel_table(solver_device(like).type).lapack, "linalg", solver_device(like))(args);
}

}  // namespace

std::vector<Tensor> linalg_lu_factor_raw(const Tensor& A) {
  check_matrix(A, "linalg.lu_factor");
  const int64_t m = rows(A), n = cols(A), k = std::min(m, n);
  Tensor lu = column_major(A);
  Tensor pivots = new_buffer(A, batch_shape(A, {k}), kInt32);
  Tensor info = new_info(A);
  if (lu.numel() > 0) {
    LapackArgs g{LapackOp::kLuFactor, A.dtype()};
    g.batch = batch_count(A), g.m = m, g.n = n;
    g.a = static_cast<char*>(lu.data_ptr()), g.a_stride = m * n;
    g.pivots = static_cast<int32_t*>(pivots.data_ptr()), g.pivots_stride = k;
    g.info = static_cast<int32_t*>(info.data_ptr());
    run(g, A);
  } else {
    NoGradGuard no_grad;
    info.zero_();
  }
  return {from_column_major(lu, A.device()), to_device(pivots, A.device()), to_device(info, A.device())};
}

Tensor linalg_lu_solve_raw(const Tensor& LU, const Tensor& pivots, const Tensor& B, bool adjoint) {
  check_square(LU, "linalg.lu_solve");
  DG_CHECK(B.dim() == LU.dim() && rows(B) == rows(LU), Error, "linalg.lu_solve: Incompatible shapes of A and B for the "
           "equation AX = B (", rows(LU), "x", cols(LU), " and ", rows(B), "x", cols(B), ")");
  DG_CHECK(B.dtype() == LU.dtype(), Error, "linalg.lu_solve: Expected LU and B to have the same dtype, but found LU of "
           "type ", dtype_name(LU.dtype()), " and B of type ", dtype_name(B.dtype()), " instead");
  const int64_t n = rows(LU), k = cols(B);
  Tensor a = column_major(LU);
  Tensor b = column_major(B);
  Tensor piv = contiguous(to_device(to_dtype(pivots, kInt32), solver_device(LU)));
  Tensor info = new_info(LU);
  if (b.numel() > 0 && n > 0) {
    LapackArgs g{LapackOp::kLuSolve, LU.dtype()};
    g.batch = batch_count(LU), g.n = n, g.k = k, g.adjoint = adjoint;
    g.a = static_cast<char*>(a.data_ptr()), g.a_stride = n * n;
    g.b = static_cast<char*>(b.data_ptr()), g.b_stride = n * k;
    g.pivots = static_cast<int32_t*>(piv.data_ptr()), g.pivots_stride = n;
    g.info = static_cast<int32_t*>(info.data_ptr());
    run(g, LU);
  }
  return from_column_major(b, B.device());
}

std::vector<Tensor> linalg_cholesky_raw(const Tensor& A, bool upper) {
  check_square(A, "linalg.cholesky");
  const int64_t n = rows(A);
  Tensor a = column_major(A);
  Tensor info = new_info(A);
  if (a.numel() > 0) {
    LapackArgs g{LapackOp::kCholesky, A.dtype()};
    g.batch = batch_count(A), g.n = n, g.upper = upper;
    g.a = static_cast<char*>(a.data_ptr()), g.a_stride = n * n;
    g.info = static_cast<int32_t*>(info.data_ptr());
    run(g, A);
  } else {
    NoGradGuard no_grad;
    info.zero_();
  }
  Tensor factor = from_column_major(a, A.device());
  NoGradGuard no_grad;
  factor = upper ? triu(factor) : tril(factor);  // LAPACK leaves the other triangle as it found it
  return {factor, to_device(info, A.device())};
}

std::vector<Tensor> linalg_geqrf_raw(const Tensor& A) {
  check_matrix(A, "geqrf");
  const int64_t m = rows(A), n = cols(A), k = std::min(m, n);
  Tensor a = column_major(A);
  Tensor tau = new_buffer(A, batch_shape(A, {k}), A.dtype());
  Tensor info = new_info(A);
  if (a.numel() > 0) {
    LapackArgs g{LapackOp::kQrFactor, A.dtype()};
    g.batch = batch_count(A), g.m = m, g.n = n;
    g.a = static_cast<char*>(a.data_ptr()), g.a_stride = m * n;
    g.values = static_cast<char*>(tau.data_ptr()), g.values_stride = k;
    g.info = static_cast<int32_t*>(info.data_ptr());
    run(g, A);
  }
  return {from_column_major(a, A.device()), to_device(tau, A.device())};
}

Tensor linalg_householder_product_raw(const Tensor& A, const Tensor& tau) {
  check_matrix(A, "linalg.householder_product");
  const int64_t m = rows(A), n = cols(A), k = tau.sizes().back();
  DG_CHECK(m >= n, Error, "linalg.householder_product: input.shape[-2] must be greater than or equal to "
           "input.shape[-1]");
  DG_CHECK(n >= k, Error, "linalg.householder_product: input.shape[-1] must be greater than or equal to "
           "tau.shape[-1]");
  DG_CHECK(tau.dim() == A.dim() - 1, Error, "linalg.householder_product: Expected tau to have one dimension less "
           "than input, but got tau.ndim equal to ", tau.dim(), " and input.ndim is equal to ", A.dim());
  DG_CHECK(tau.dtype() == A.dtype(), Error, "linalg.householder_product: tau dtype ", dtype_name(tau.dtype()),
           " does not match input dtype ", dtype_name(A.dtype()));
  Tensor a = column_major(A);
  Tensor t = contiguous(to_device(tau, solver_device(A)));
  Tensor info = new_info(A);
  if (a.numel() > 0) {
    LapackArgs g{LapackOp::kQrOrthogonal, A.dtype()};
    g.batch = batch_count(A), g.m = m, g.n = n, g.k = k;
    g.a = static_cast<char*>(a.data_ptr()), g.a_stride = m * n;
    g.values = static_cast<char*>(t.data_ptr()), g.values_stride = k;
    g.info = static_cast<int32_t*>(info.data_ptr());
    run(g, A);
  }
  return from_column_major(a, A.device());
}

std::vector<Tensor> linalg_eigh_raw(const Tensor& A, bool upper, bool vectors) {
  check_square(A, "linalg.eigh");
  const int64_t n = rows(A);
  Tensor a = column_major(A);
  Tensor w = new_buffer(A, batch_shape(A, {n}), to_real(A.dtype()));
  Tensor info = new_info(A);
  if (a.numel() > 0) {
    LapackArgs g{LapackOp::kEigh, A.dtype()};
    g.batch = batch_count(A), g.n = n, g.upper = upper, g.vectors = vectors;
    g.a = static_cast<char*>(a.data_ptr()), g.a_stride = n * n;
    g.values = static_cast<char*>(w.data_ptr()), g.values_stride = n;
    g.info = static_cast<int32_t*>(info.data_ptr());
    run(g, A);
  } else {
    NoGradGuard no_grad;
    info.zero_();
  }
  return {to_device(w, A.device()), from_column_major(a, A.device()), to_device(info, A.device())};
}

std::vector<Tensor> linalg_svd_raw(const Tensor& A, bool full, bool vectors) {
  check_matrix(A, "linalg.svd");
  const int64_t m = rows(A), n = cols(A), k = std::min(m, n);
  const int64_t u_cols = full ? m : k, vh_rows = full ? n : k;
  Tensor a = column_major(A);
  Tensor s = new_buffer(A, batch_shape(A, {k}), to_real(A.dtype()));
  // U (m x u_cols) and V^H (vh_rows x n), column-major: buffers of the transposed shapes
  Tensor u = new_buffer(A, batch_shape(A, {vectors ? u_cols : 0, vectors ? m : 0}), A.dtype());
  Tensor vh = new_buffer(A, batch_shape(A, {vectors ? n : 0, vectors ? vh_rows : 0}), A.dtype());
  Tensor info = new_info(A);
  if (a.numel() > 0) {
    LapackArgs g{LapackOp::kSvd, A.dtype()};
    g.batch = batch_count(A), g.m = m, g.n = n, g.full = full, g.vectors = vectors;
    g.a = static_cast<char*>(a.data_ptr()), g.a_stride = m * n;
    g.values = static_cast<char*>(s.data_ptr()), g.values_stride = k;
    if (vectors) {
      g.b = static_cast<char*>(u.data_ptr()), g.b_stride = m * u_cols;
      g.c = static_cast<char*>(vh.data_ptr()), g.c_stride = vh_rows * n;
    }
    g.info = static_cast<int32_t*>(info.data_ptr());
    run(g, A);
  } else {
    NoGradGuard no_grad;
    info.zero_();
    for (Tensor* t : {&u, &vh}) {  // an empty A's U and V^H are identities
      if (vectors && t->numel() > 0) {
        t->zero_();
        Tensor d = diagonal(*t, 0, -2, -1);
        fill_(d, 1.0);
      }
    }
  }
  return {from_column_major(u, A.device()), to_device(s, A.device()), from_column_major(vh, A.device()),
          to_device(info, A.device())};
}

std::vector<Tensor> linalg_eig_raw(const Tensor& A, bool vectors) {
  check_square(A, "linalg.eig");
  const int64_t n = rows(A);
  const Dtype complex_dtype = is_complex(A.dtype()) ? A.dtype() : (A.dtype() == kFloat64 ? kComplex128 : kComplex64);
  Tensor a = column_major(A);
  Tensor w = new_buffer(A, batch_shape(A, {n}), complex_dtype);
  Tensor v = new_buffer(A, batch_shape(A, {vectors ? n : 0, vectors ? n : 0}), complex_dtype);
  Tensor info = new_info(A);
  if (a.numel() > 0) {
    LapackArgs g{LapackOp::kEig, A.dtype()};
    g.batch = batch_count(A), g.n = n, g.vectors = vectors;
    g.a = static_cast<char*>(a.data_ptr()), g.a_stride = n * n;
    g.values = static_cast<char*>(w.data_ptr()), g.values_stride = n;
    if (vectors) g.b = static_cast<char*>(v.data_ptr()), g.b_stride = n * n;
    g.info = static_cast<int32_t*>(info.data_ptr());
    run(g, A);
  } else {
    NoGradGuard no_grad;
    info.zero_();
  }
  return {to_device(w, A.device()), from_column_major(v, A.device()), to_device(info, A.device())};
}

Tensor linalg_triangular_solve_raw(const Tensor& A, const Tensor& B, bool upper, bool adjoint, bool unit_diagonal) {
  check_square(A, "linalg.solve_triangular");
  DG_CHECK(B.dim() == A.dim() && rows(B) == rows(A), Error, "linalg.solve_triangular: Incompatible shapes of A and B "
           "for the equation AX = B (", rows(A), "x", cols(A), " and ", rows(B), "x", cols(B), ")");
  DG_CHECK(B.dtype() == A.dtype(), Error, "linalg.solve_triangular: Expected A and B to have the same dtype, but found "
           "A of type ", dtype_name(A.dtype()), " and B of type ", dtype_name(B.dtype()), " instead");
  const int64_t n = rows(A), k = cols(B);
  Tensor a = column_major(A);
  Tensor b = column_major(B);
  Tensor info = new_info(A);
  if (b.numel() > 0 && n > 0) {
    LapackArgs g{LapackOp::kTriangularSolve, A.dtype()};
    g.batch = batch_count(A), g.n = n, g.k = k, g.upper = upper, g.adjoint = adjoint, g.unit_diagonal = unit_diagonal;
    g.a = static_cast<char*>(a.data_ptr()), g.a_stride = n * n;
    g.b = static_cast<char*>(b.data_ptr()), g.b_stride = n * k;
    g.info = static_cast<int32_t*>(info.data_ptr());
    run(g, A);
  }
  return from_column_major(b, B.device());
}

}  // namespace dg
