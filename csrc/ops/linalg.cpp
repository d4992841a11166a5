// Linear algebra: matmul in all its broadcasting forms (on the device's GEMM
// kernel, transposed views passed as flags), and the products built on it.
#include "autograd/record.h"
#include "core/dispatch.h"
#include "dyngraph/ops.h"
#include "ops/autocast_policy.h"

namespace dg {

namespace {

// How one operand's matrices are handed to GEMM: transposed flag and leading
// dimension, or nullopt when its last two strides fit neither layout.
struct MatrixLayout {
  bool trans;
  int64_t ld;
};
std::optional<MatrixLayout> blas_layout(int64_t rows, int64_t cols, int64_t sr, int64_t sc) {
  if (cols == 1) sc = 1;
  if (rows == 1) sr = std::max<int64_t>(cols, 1);
  if (sc == 1 && sr >= std::max<int64_t>(cols, 1)) return MatrixLayout{false, sr};
  if (sr == 1 && sc >= std::max<int64_t>(rows, 1)) return MatrixLayout{true, sc};
  return std::nullopt;
}

// Element offsets of each batch matrix of t (dims before the last two).
std::vector<int64_t> batch_offsets(const Tensor& t) {
  int64_t nb = t.dim() - 2;
  int64_t count = 1;
  for (int64_t d = 0; d < nb; ++d) count *= t.sizes()[d];
  std::vector<int64_t> out(static_cast<size_t>(count), 0);
  for (int64_t i = 0; i < count; ++i) {
    int64_t rest = i, off = 0;
    for (int64_t d = nb - 1; d >= 0; --d) {
      off += (rest % t.sizes()[d]) * t.strides()[d];
      rest /= t.sizes()[d];
    }
    out[static_cast<size_t>(i)] = off;
  }
  return out;
}

// a (..., n, k) @ b (..., k, m) with broadcast batch dims, no autograd.
Tensor batched_matmul_raw(const Tensor& a_in, const Tensor& b_in) {
  const int64_t n = a_in.sizes()[a_in.dim() - 2], k = a_in.sizes().back();
  const int64_t k2 = b_in.sizes()[b_in.dim() - 2], m = b_in.sizes().back();
  DG_CHECK(k == k2, Error, "mat1 and mat2 shapes cannot be multiplied (", n, "x", k, " and ", k2, "x", m, ")");
  Shape batch = broadcast_shapes(IntArrayRef(a_in.sizes().data(), a_in.dim() - 2),
                                 IntArrayRef(b_in.sizes().data(), b_in.dim() - 2));
  Shape a_shape(batch), b_shape(batch), out_shape(batch);
  a_shape.push_back(n);
  a_shape.push_back(k);
  b_shape.push_back(k);
  b_shape.push_back(m);
  out_shape.push_back(n);
  out_shape.push_back(m);
  NoGradGuard no_grad;
  // (Views only where a batch dim broadcasts: a plain product of matrices makes none.)
  Tensor a = a_in.sizes().equals(a_shape) ? a_in : expand(a_in, a_shape);
  Tensor b = b_in.sizes().equals(b_shape) ? b_in : expand(b_in, b_shape);
  auto la = blas_layout(n, k, a.strides()[a.dim() - 2], a.strides().back());
  if (!la) {
    a = contiguous(a);
    la = blas_layout(n, k, k, 1);
  }
  auto lb = blas_layout(k, m, b.strides()[b.dim() - 2], b.strides().back());
  if (!lb) {
    b = contiguous(b);
    lb = blas_layout(k, m, m, 1);
  }
  Tensor out = empty(out_shape, TensorOptions(a.dtype()).device(a.device()));
  if (out.numel() == 0) return out;
  GemmArgs g;
  g.dtype = a.dtype();
  g.batch = out.numel() / (n * m);
  g.m = n;
  g.n = m;
  g.k = k;
  g.a = static_cast<const char*>(a.data_ptr());
  g.b = static_cast<const char*>(b.data_ptr());
  g.c = static_cast<char*>(out.data_ptr());
  g.a_offsets = batch_offsets(a);
  g.b_offsets = batch_offsets(b);
  g.lda = la->ld;
  g.ldb = lb->ld;
  g.a_trans = la->trans;
  g.b_trans = lb->trans;
  checked_kernel(kernel_table(a.device().type).gemm, "matmul", a.device())(g);
  return out;
}

// d(a @ b): g @ b^H for a, a^H @ g for b (the engine sums broadcast batch dims).
struct MatmulBackward final : Node {
  SavedVariable a, b;
  std::string name() const override { return "MmBackward0"; }
  void release_variables() override {
    a.reset();
    b.reset();
  }
  TensorList apply(TensorList&& grads) override {
    autocast::ExcludeGuard exact;  // a backward run inside an autocast region keeps the forward's dtypes
    Tensor ga, gb;
    if (next_edges[0].valid()) ga = matmul(grads[0], conj(matrix_transpose(b.unpack(this))));
    if (next_edges[1].valid()) gb = matmul(conj(matrix_transpose(a.unpack(this))), grads[0]);
    return {ga, gb};
  }
};

Tensor batched_matmul(const Tensor& a, const Tensor& b) {
  Tensor out = batched_matmul_raw(a, b);
  if (any_requires_grad({&a, &b})) {
    auto* n = record(out, {&a, &b}, make_intrusive<MatmulBackward>());
    if (n->next_edges[1].valid()) n->a = SavedVariable(a, false);
    if (n->next_edges[0].valid()) n->b = SavedVariable(b, false);
  }
  return out;
}

void check_same_dtype(const Tensor& a, const Tensor& b, const char* op) {
  DG_CHECK(a.dtype() == b.dtype(), Error, op, ": expected both operands to have the same dtype, but got ",
           dtype_name(a.dtype()), " and ", dtype_name(b.dtype()));
  DG_CHECK(a.device() == b.device(), Error, op, ": expected both operands on the same device");
}

}  // namespace

Tensor matmul(const Tensor& a, const Tensor& b) {
  if (auto out = autocast::run_lower_precision(a, [](const Tensor& x, const Tensor& y) { return matmul(x, y); }, a, b))
    return *out;
  DG_CHECK(a.dim() > 0 && b.dim() > 0, Error, "both arguments to matmul need to be at least 1D, but they are ",
           a.dim(), "D and ", b.dim(), "D");
  check_same_dtype(a, b, "matmul");
  if (a.dim() == 1 && b.dim() == 1) return dot(a, b);
  if (a.dim() == 1) return squeeze(matmul(unsqueeze(a, 0), b), IntArrayRef(int64_t(-2)));
  if (b.dim() == 1) return squeeze(matmul(a, unsqueeze(b, -1)), IntArrayRef(int64_t(-1)));
  return batched_matmul(a, b);
}

Tensor mm(const Tensor& a, const Tensor& b) {
  if (auto out = autocast::run_lower_precision(a, [](const Tensor& x, const Tensor& y) { return mm(x, y); }, a, b))
    return *out;
  DG_CHECK(a.dim() == 2, Error, "self must be a matrix");
  DG_CHECK(b.dim() == 2, Error, "mat2 must be a matrix");
  check_same_dtype(a, b, "mm");
  return batched_matmul(a, b);
}

Tensor bmm(const Tensor& a, const Tensor& b) {
  if (auto out = autocast::run_lower_precision(a, [](const Tensor& x, const Tensor& y) { return bmm(x, y); }, a, b))
    return *out;
  DG_CHECK(a.dim() == 3, Error, "batch1 must be a 3D tensor");
  DG_CHECK(b.dim() == 3, Error, "batch2 must be a 3D tensor");
  DG_CHECK(a.sizes()[0] == b.sizes()[0], Error, "batch1 and batch2 must have same number of batches, got ",
           a.sizes()[0], " and ", b.sizes()[0]);
  check_same_dtype(a, b, "bmm");
  return batched_matmul(a, b);
}

Tensor mv(const Tensor& a, const Tensor& v) {
  DG_CHECK(a.dim() == 2 && v.dim() == 1, Error, "vector + matrix @ vector expected, got ", a.dim(), ", ", v.dim());
  check_same_dtype(a, v, "mv");
  return squeeze(batched_matmul(a, unsqueeze(v, -1)), IntArrayRef(int64_t(-1)));
}

Tensor dot(const Tensor& a, const Tensor& b) {
  DG_CHECK(a.dim() == 1 && b.dim() == 1, Error, "1D tensors expected, but got ", a.dim(), "D and ", b.dim(),
           "D tensors");
  DG_CHECK(a.numel() == b.numel(), Error, "inconsistent tensor size, expected tensor [", a.numel(),
           "] and src [", b.numel(), "] to have the same number of elements, but got ", a.numel(), " and ",
           b.numel(), " elements respectively");
  check_same_dtype(a, b, "dot");
  return squeeze(batched_matmul(unsqueeze(a, 0), unsqueeze(b, -1)));
}

Tensor vdot(const Tensor& a, const Tensor& b) { return dot(conj(a), b); }

Tensor outer(const Tensor& a, const Tensor& b) {
  DG_CHECK(a.dim() == 1 && b.dim() == 1, Error, "outer: expected 1D tensors");
  return mul(unsqueeze(a, 1), unsqueeze(b, 0));
}

Tensor addmm(const Tensor& input, const Tensor& m1, const Tensor& m2, const Scalar& beta, const Scalar& alpha) {
  auto lower = [&](const Tensor& i, const Tensor& x, const Tensor& y) { return addmm(i, x, y, beta, alpha); };
  if (auto out = autocast::run_lower_precision(input, lower, input, m1, m2)) return *out;
  Tensor prod = mm(m1, m2);
  if (!alpha.is_complex() && alpha.to_double() != 1.0) prod = mul(prod, alpha);
  if (!beta.is_complex() && beta.to_double() == 0.0) return add(prod, mul(zeros_like(input), 0));
  return add(beta.to_double() == 1.0 ? input : mul(input, beta), prod);
}

Tensor addmv(const Tensor& input, const Tensor& m, const Tensor& v, const Scalar& beta, const Scalar& alpha) {
  Tensor prod = mv(m, v);
  if (alpha.to_double() != 1.0) prod = mul(prod, alpha);
  return beta.to_double() == 0.0 ? add(prod, mul(zeros_like(input), 0)) : add(mul(input, beta), prod);
}

Tensor baddbmm(const Tensor& input, const Tensor& b1, const Tensor& b2, const Scalar& beta, const Scalar& alpha) {
  auto lower = [&](const Tensor& i, const Tensor& x, const Tensor& y) { return baddbmm(i, x, y, beta, alpha); };
  if (auto out = autocast::run_lower_precision(input, lower, input, b1, b2)) return *out;
  Tensor prod = bmm(b1, b2);
  if (alpha.to_double() != 1.0) prod = mul(prod, alpha);
  return beta.to_double() == 0.0 ? add(prod, mul(zeros_like(input), 0)) : add(mul(input, beta), prod);
}

Tensor linear(const Tensor& input, const Tensor& weight, const std::optional<Tensor>& bias) {
  auto lower = [](const Tensor& x, const Tensor& w, const std::optional<Tensor>& b) { return linear(x, w, b); };
  if (auto out = autocast::run_lower_precision(input, lower, input, weight, bias)) return *out;
  const Tensor w_t = weight.dim() == 2 ? matrix_transpose(weight) : weight;
  if (!bias) return matmul(input, w_t);
  if (input.dim() == 2 && weight.dim() == 2) return addmm(*bias, input, w_t);
  return add(matmul(input, w_t), *bias);
}

Tensor trace(const Tensor& t) {
  DG_CHECK(t.dim() == 2, Error, "trace: expected a matrix, but got tensor with dim ", t.dim());
  return sum(diagonal(t));
}

Tensor diag(const Tensor& t, int64_t offset) {
  DG_CHECK(t.dim() == 1 || t.dim() == 2, Error, "diag(): Supports 1D or 2D tensors. Got ", t.dim(), "D");
  if (t.dim() == 2) return contiguous(clone(diagonal(t, offset)));
  int64_t n = t.sizes()[0] + (offset >= 0 ? offset : -offset);
  Tensor out = zeros({n, n}, TensorOptions(t.dtype()).device(t.device()));
  Tensor d = diagonal(out, offset);
  copy_(d, t);  // differentiable through copy_ on a view
  return out;
}

// Zero above (tril) / below (triu) a diagonal: a mask built from index comparisons.
Tensor triangle(const Tensor& t, int64_t k, bool lower) {
  DG_CHECK(t.dim() >= 2, Error, lower ? "tril" : "triu", ": input tensor must have at least 2 dimensions");
  int64_t r = t.sizes()[t.dim() - 2], c = t.sizes().back();
  Tensor rows = unsqueeze(arange(0, r, 1, TensorOptions(kInt64).device(t.device())), 1);
  Tensor cols = unsqueeze(arange(0, c, 1, TensorOptions(kInt64).device(t.device())), 0);
  Tensor diff = sub(cols, rows);  // j - i
  Tensor keep = lower ? le(diff, k) : ge(diff, k);
  return where(keep, t, zeros({}, TensorOptions(t.dtype()).device(t.device())));
}
Tensor tril(const Tensor& t, int64_t k) { return triangle(t, k, true); }
Tensor triu(const Tensor& t, int64_t k) { return triangle(t, k, false); }

}  // namespace dg
