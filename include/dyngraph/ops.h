// Every tensor operation as a free function, with PyTorch's names. Grouped
// as: type promotion, factories, views, copies, elementwise arithmetic and
// comparison, indexing.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dyngraph/export.h"
#include "dyngraph/random.h"
#include "dyngraph/tensor.h"
#include "dyngraph/settings.h"  // (threads and determinism, declared here before)

namespace dg {

// ---- type promotion -------------------------------------------------------
// PyTorch's result_type: dimensioned tensors outrank 0-d tensors, which
// outrank scalars, unless a lower-ranked operand has a higher category.
DG_API Dtype result_type(const Tensor& a, const Tensor& b);
DG_API Dtype result_type(const Tensor& a, const Scalar& b);
DG_API Dtype result_type(const Scalar& a, const Scalar& b);

// ---- factories (empty and empty_strided: dyngraph/tensor.h) ----------------------------
DG_API Tensor zeros(IntArrayRef shape, TensorOptions options = {});
DG_API Tensor ones(IntArrayRef shape, TensorOptions options = {});
// Without a dtype in options, full() takes the fill value's (bool, int64, default float).
DG_API Tensor full(IntArrayRef shape, const Scalar& value, TensorOptions options = {});
DG_API Tensor scalar_tensor(const Scalar& value, TensorOptions options = {});
// int64 when start, end and step are all integers, else the default dtype.
DG_API Tensor arange(const Scalar& end, TensorOptions options = {});
DG_API Tensor arange(const Scalar& start, const Scalar& end, const Scalar& step = 1, TensorOptions options = {});
DG_API Tensor linspace(const Scalar& start, const Scalar& end, int64_t steps, TensorOptions options = {});
DG_API Tensor eye(int64_t n, TensorOptions options = {});
DG_API Tensor eye(int64_t n, int64_t m, TensorOptions options = {});
DG_API Tensor empty_like(const Tensor& t, TensorOptions options = {});
DG_API Tensor zeros_like(const Tensor& t, TensorOptions options = {});
DG_API Tensor ones_like(const Tensor& t, TensorOptions options = {});
DG_API Tensor full_like(const Tensor& t, const Scalar& value, TensorOptions options = {});

// ---- random (generator: nullptr means the default one) ----------------------
DG_API Tensor rand(IntArrayRef shape, TensorOptions options = {}, Generator* gen = nullptr);
DG_API Tensor randn(IntArrayRef shape, TensorOptions options = {}, Generator* gen = nullptr);
DG_API Tensor randint(int64_t low, int64_t high, IntArrayRef shape, TensorOptions options = {}, Generator* gen = nullptr);
DG_API Tensor randperm(int64_t n, TensorOptions options = {}, Generator* gen = nullptr);
DG_API Tensor& uniform_(Tensor& t, double from = 0, double to = 1, Generator* gen = nullptr);
DG_API Tensor& normal_(Tensor& t, double mean = 0, double std = 1, Generator* gen = nullptr);
// Each element is 1 with probability p (p in [0, 1]), in the dtype of p.
DG_API Tensor bernoulli(const Tensor& p, Generator* gen = nullptr);
DG_API Tensor& bernoulli_(Tensor& t, double p, Generator* gen = nullptr);

// ---- views --------------------------------------------------------------------
DG_API Tensor as_strided(const Tensor& t, IntArrayRef sizes, IntArrayRef strides,
                         std::optional<int64_t> storage_offset = std::nullopt);
DG_API Tensor view(const Tensor& t, IntArrayRef shape);
DG_API Tensor reshape(const Tensor& t, IntArrayRef shape);
DG_API Tensor transpose(const Tensor& t, int64_t dim0, int64_t dim1);
DG_API Tensor permute(const Tensor& t, IntArrayRef dims);
DG_API Tensor t(const Tensor& t);              // 2-D transpose (0-D and 1-D unchanged)
DG_API Tensor numpy_T(const Tensor& t);        // .T: all dims reversed
DG_API Tensor matrix_transpose(const Tensor& t);  // .mT: last two dims swapped
DG_API Tensor expand(const Tensor& t, IntArrayRef shape);  // -1 keeps a size
DG_API Tensor broadcast_to(const Tensor& t, IntArrayRef shape);
DG_API Tensor squeeze(const Tensor& t);
DG_API Tensor squeeze(const Tensor& t, IntArrayRef dims);
DG_API Tensor unsqueeze(const Tensor& t, int64_t dim);
DG_API Tensor flatten(const Tensor& t, int64_t start_dim = 0, int64_t end_dim = -1);
DG_API Tensor unflatten(const Tensor& t, int64_t dim, IntArrayRef sizes);
DG_API Tensor narrow(const Tensor& t, int64_t dim, int64_t start, int64_t length);
DG_API Tensor select(const Tensor& t, int64_t dim, int64_t index);
// Python's t[start:stop:step] along dim (bounds clamped like Python's).
DG_API Tensor slice(const Tensor& t, int64_t dim, std::optional<int64_t> start, std::optional<int64_t> stop,
                    int64_t step = 1);
DG_API std::vector<Tensor> unbind(const Tensor& t, int64_t dim = 0);
DG_API std::vector<Tensor> split(const Tensor& t, int64_t split_size, int64_t dim = 0);
DG_API std::vector<Tensor> split_with_sizes(const Tensor& t, IntArrayRef sizes, int64_t dim = 0);
DG_API std::vector<Tensor> chunk(const Tensor& t, int64_t chunks, int64_t dim = 0);
DG_API Tensor movedim(const Tensor& t, IntArrayRef source, IntArrayRef destination);
DG_API Tensor diagonal(const Tensor& t, int64_t offset = 0, int64_t dim1 = 0, int64_t dim2 = 1);
DG_API Tensor contiguous(const Tensor& t);
DG_API Tensor alias(const Tensor& t);  // a view of all of t (same geometry)
// The real part of a complex tensor as a view (real tensors: t itself).
DG_API Tensor real(const Tensor& t);
DG_API Tensor conj(const Tensor& t);   // complex conjugate (a copy; real tensors: t itself)
DG_API Tensor imag(const Tensor& t);   // the imaginary part of a complex tensor, as a view
DG_API Tensor view_as_real(const Tensor& t);     // complex (...) -> real (..., 2), a view
DG_API Tensor view_as_complex(const Tensor& t);  // real (..., 2) -> complex (...), a view
DG_API Tensor view_dtype(const Tensor& t, Dtype dtype);  // the same bytes as another dtype
DG_API Tensor angle(const Tensor& t);

// Shape that view() can produce without a copy, or nullopt.
DG_API std::optional<Shape> view_strides(IntArrayRef old_sizes, IntArrayRef old_strides, IntArrayRef new_sizes);
// Resolves one -1 in a requested shape against numel; throws on mismatch.
DG_API Shape infer_size(IntArrayRef shape, int64_t numel);

// ---- copies and conversions ------------------------------------------------------
DG_API Tensor& copy_(Tensor& dst, const Tensor& src);  // broadcasts src, converts dtype
DG_API Tensor& fill_(Tensor& t, const Scalar& value);
DG_API Tensor& fill_(Tensor& t, const Tensor& value);  // a 0-d (or 1-element) value
DG_API Tensor clone(const Tensor& t);
// For bool memory from outside (NumPy, DLPack, a file): t itself when every
// byte is 0 or 1, else a copy with each nonzero byte read as true (PyTorch's
// reading). Kernels may assume 0/1 bytes in bool tensors.
DG_API Tensor with_valid_bools(const Tensor& t);                  // keeps a dense layout's strides
DG_API Tensor to_dtype(const Tensor& t, Dtype dtype, bool copy = false);
// non_blocking: a copy to or from pinned host memory returns before it is done.
DG_API Tensor to_device(const Tensor& t, Device device, bool copy = false, bool non_blocking = false);
// A copy of t in page-locked host memory (for fast, asynchronous copies to a GPU).
DG_API Tensor pin_memory(const Tensor& t);
DG_API bool is_pinned(const Tensor& t);

// ---- elementwise ------------------------------------------------------------------
DG_API Tensor add(const Tensor& a, const Tensor& b, const Scalar& alpha = 1);
DG_API Tensor add(const Tensor& a, const Scalar& b, const Scalar& alpha = 1);
DG_API Tensor sub(const Tensor& a, const Tensor& b, const Scalar& alpha = 1);
DG_API Tensor sub(const Tensor& a, const Scalar& b, const Scalar& alpha = 1);
DG_API Tensor rsub(const Tensor& a, const Scalar& b, const Scalar& alpha = 1);  // b - alpha * a
DG_API Tensor mul(const Tensor& a, const Tensor& b);
DG_API Tensor mul(const Tensor& a, const Scalar& b);
DG_API Tensor div(const Tensor& a, const Tensor& b);  // true division
DG_API Tensor div(const Tensor& a, const Scalar& b);
DG_API Tensor rdiv(const Tensor& a, const Scalar& b);  // b / a
// Unary math (integer inputs of floating ops compute in the default float dtype).
#define DG_DECLARE_UNARY(name)         \
  DG_API Tensor name(const Tensor& x); \
  DG_API Tensor& name##_(Tensor& x);
DG_DECLARE_UNARY(neg)
DG_DECLARE_UNARY(exp)
DG_DECLARE_UNARY(exp2)
DG_DECLARE_UNARY(expm1)
DG_DECLARE_UNARY(log)
DG_DECLARE_UNARY(log2)
DG_DECLARE_UNARY(log10)
DG_DECLARE_UNARY(log1p)
DG_DECLARE_UNARY(sqrt)
DG_DECLARE_UNARY(rsqrt)
DG_DECLARE_UNARY(sin)
DG_DECLARE_UNARY(cos)
DG_DECLARE_UNARY(tan)
DG_DECLARE_UNARY(asin)
DG_DECLARE_UNARY(acos)
DG_DECLARE_UNARY(atan)
DG_DECLARE_UNARY(sinh)
DG_DECLARE_UNARY(cosh)
DG_DECLARE_UNARY(tanh)
DG_DECLARE_UNARY(asinh)
DG_DECLARE_UNARY(acosh)
DG_DECLARE_UNARY(atanh)
DG_DECLARE_UNARY(sigmoid)
DG_DECLARE_UNARY(reciprocal)
DG_DECLARE_UNARY(erf)
DG_DECLARE_UNARY(erfc)
DG_DECLARE_UNARY(erfinv)
DG_DECLARE_UNARY(lgamma)
DG_DECLARE_UNARY(digamma)
DG_DECLARE_UNARY(square)
DG_DECLARE_UNARY(abs)
DG_DECLARE_UNARY(sign)
DG_DECLARE_UNARY(sgn)
DG_DECLARE_UNARY(relu)
DG_DECLARE_UNARY(relu6)
DG_DECLARE_UNARY(selu)
DG_DECLARE_UNARY(silu)
DG_DECLARE_UNARY(mish)
DG_DECLARE_UNARY(softsign)
DG_DECLARE_UNARY(hardsigmoid)
DG_DECLARE_UNARY(hardswish)
DG_DECLARE_UNARY(floor)
DG_DECLARE_UNARY(ceil)
DG_DECLARE_UNARY(trunc)
DG_DECLARE_UNARY(frac)
DG_DECLARE_UNARY(isnan)
DG_DECLARE_UNARY(isinf)
DG_DECLARE_UNARY(isfinite)
DG_DECLARE_UNARY(signbit)
DG_DECLARE_UNARY(logical_not)
DG_DECLARE_UNARY(bitwise_not)
#undef DG_DECLARE_UNARY
DG_API Tensor logit(const Tensor& x, std::optional<double> eps = std::nullopt);
DG_API Tensor leaky_relu(const Tensor& x, double negative_slope = 0.01);
DG_API Tensor& leaky_relu_(Tensor& x, double negative_slope = 0.01);
DG_API Tensor elu(const Tensor& x, double alpha = 1.0);
DG_API Tensor celu(const Tensor& x, double alpha = 1.0);
DG_API Tensor gelu(const Tensor& x, const std::string& approximate = "none");
DG_API Tensor softplus(const Tensor& x, double beta = 1.0, double threshold = 20.0);
DG_API Tensor hardtanh(const Tensor& x, double min_val = -1.0, double max_val = 1.0);
DG_API Tensor& hardtanh_(Tensor& x, double min_val = -1.0, double max_val = 1.0);
DG_API Tensor round(const Tensor& x, int64_t decimals = 0);
DG_API Tensor& round_(Tensor& x, int64_t decimals = 0);
DG_API Tensor nan_to_num(const Tensor& x, std::optional<double> nan = std::nullopt,
                         std::optional<double> posinf = std::nullopt, std::optional<double> neginf = std::nullopt);

// Binary math, each with a Python-scalar form and an in-place form.
#define DG_DECLARE_BINARY(name)                                 \
  DG_API Tensor name(const Tensor& a, const Tensor& b);         \
  DG_API Tensor name(const Tensor& a, const Scalar& b);         \
  DG_API Tensor& name##_(Tensor& a, const Tensor& b);           \
  DG_API Tensor& name##_(Tensor& a, const Scalar& b);
DG_DECLARE_BINARY(maximum)
DG_DECLARE_BINARY(minimum)
DG_DECLARE_BINARY(fmax)
DG_DECLARE_BINARY(fmin)
DG_DECLARE_BINARY(remainder)
DG_DECLARE_BINARY(fmod)
DG_DECLARE_BINARY(floor_divide)
DG_DECLARE_BINARY(atan2)
DG_DECLARE_BINARY(hypot)
DG_DECLARE_BINARY(copysign)
DG_DECLARE_BINARY(logaddexp)
DG_DECLARE_BINARY(pow)
DG_DECLARE_BINARY(logical_and)
DG_DECLARE_BINARY(logical_or)
DG_DECLARE_BINARY(logical_xor)
DG_DECLARE_BINARY(bitwise_and)
DG_DECLARE_BINARY(bitwise_or)
DG_DECLARE_BINARY(bitwise_xor)
DG_DECLARE_BINARY(bitwise_left_shift)
DG_DECLARE_BINARY(bitwise_right_shift)
#undef DG_DECLARE_BINARY
DG_API Tensor pow(const Scalar& base, const Tensor& exponent);
DG_API Tensor remainder(const Scalar& a, const Tensor& b);
DG_API Tensor floor_divide(const Scalar& a, const Tensor& b);
DG_API Tensor float_power(const Tensor& a, const Tensor& b);
DG_API Tensor float_power(const Tensor& a, const Scalar& b);
// rounding_mode: "" (true division), "trunc" or "floor".
DG_API Tensor div(const Tensor& a, const Tensor& b, const std::string& rounding_mode);
DG_API Tensor div(const Tensor& a, const Scalar& b, const std::string& rounding_mode);

// Ternary and composite elementwise ops.
DG_API Tensor where(const Tensor& condition, const Tensor& a, const Tensor& b);
DG_API Tensor where(const Tensor& condition, const Tensor& a, const Scalar& b);
DG_API Tensor where(const Tensor& condition, const Scalar& a, const Tensor& b);
DG_API Tensor clamp(const Tensor& x, std::optional<Scalar> min, std::optional<Scalar> max);
DG_API Tensor clamp(const Tensor& x, const std::optional<Tensor>& min, const std::optional<Tensor>& max);
DG_API Tensor& clamp_(Tensor& x, std::optional<Scalar> min, std::optional<Scalar> max);
DG_API Tensor lerp(const Tensor& start, const Tensor& end, const Tensor& weight);
DG_API Tensor lerp(const Tensor& start, const Tensor& end, const Scalar& weight);
DG_API Tensor addcmul(const Tensor& t, const Tensor& a, const Tensor& b, const Scalar& value = 1);
DG_API Tensor addcdiv(const Tensor& t, const Tensor& a, const Tensor& b, const Scalar& value = 1);
DG_API Tensor isclose(const Tensor& a, const Tensor& b, double rtol = 1e-05, double atol = 1e-08,
                      bool equal_nan = false);
DG_API bool allclose(const Tensor& a, const Tensor& b, double rtol = 1e-05, double atol = 1e-08,
                     bool equal_nan = false);
DG_API bool equal(const Tensor& a, const Tensor& b);
DG_API Tensor& add_(Tensor& a, const Tensor& b, const Scalar& alpha = 1);
DG_API Tensor& add_(Tensor& a, const Scalar& b, const Scalar& alpha = 1);
DG_API Tensor& sub_(Tensor& a, const Tensor& b, const Scalar& alpha = 1);
DG_API Tensor& sub_(Tensor& a, const Scalar& b, const Scalar& alpha = 1);
DG_API Tensor& mul_(Tensor& a, const Tensor& b);
DG_API Tensor& mul_(Tensor& a, const Scalar& b);
DG_API Tensor& div_(Tensor& a, const Tensor& b);
DG_API Tensor& div_(Tensor& a, const Scalar& b);

// Comparisons give bool tensors.
DG_API Tensor eq(const Tensor& a, const Tensor& b);
DG_API Tensor eq(const Tensor& a, const Scalar& b);
DG_API Tensor ne(const Tensor& a, const Tensor& b);
DG_API Tensor ne(const Tensor& a, const Scalar& b);
DG_API Tensor lt(const Tensor& a, const Tensor& b);
DG_API Tensor lt(const Tensor& a, const Scalar& b);
DG_API Tensor le(const Tensor& a, const Tensor& b);
DG_API Tensor le(const Tensor& a, const Scalar& b);
DG_API Tensor gt(const Tensor& a, const Tensor& b);
DG_API Tensor gt(const Tensor& a, const Scalar& b);
DG_API Tensor ge(const Tensor& a, const Tensor& b);
DG_API Tensor ge(const Tensor& a, const Scalar& b);

// ---- linear algebra -----------------------------------------------------------------------
// matmul: 1-D @ 1-D is a dot product, 1-D operands gain and lose a dim, and
// batch dims broadcast, as in PyTorch. matmul, mm, bmm, addmm, baddbmm, linear
// and convolution run in autocast's lower precision inside an autocast region
// (dyngraph/autocast.h).
DG_API Tensor matmul(const Tensor& a, const Tensor& b);
DG_API Tensor mm(const Tensor& a, const Tensor& b);
DG_API Tensor bmm(const Tensor& a, const Tensor& b);
DG_API Tensor mv(const Tensor& a, const Tensor& v);
DG_API Tensor dot(const Tensor& a, const Tensor& b);
DG_API Tensor vdot(const Tensor& a, const Tensor& b);
DG_API Tensor outer(const Tensor& a, const Tensor& b);
DG_API Tensor addmm(const Tensor& input, const Tensor& m1, const Tensor& m2, const Scalar& beta = 1,
                    const Scalar& alpha = 1);
DG_API Tensor addmv(const Tensor& input, const Tensor& m, const Tensor& v, const Scalar& beta = 1,
                    const Scalar& alpha = 1);
DG_API Tensor baddbmm(const Tensor& input, const Tensor& b1, const Tensor& b2, const Scalar& beta = 1,
                      const Scalar& alpha = 1);
// F.linear: input @ weight^T + bias (a 1-D weight is a single output feature, without its dim).
DG_API Tensor linear(const Tensor& input, const Tensor& weight, const std::optional<Tensor>& bias = std::nullopt);
DG_API Tensor trace(const Tensor& t);
DG_API Tensor diag(const Tensor& t, int64_t offset = 0);
DG_API Tensor tril(const Tensor& t, int64_t diagonal = 0);
// ---- LAPACK-backed linear algebra primitives (no autograd; dyngraph.linalg builds the
// differentiable ops on them). Batches of matrices in any leading dims; float32/64, complex.
// Results are column-major strided; `info` is LAPACK's per-matrix status (int32).
DG_API std::vector<Tensor> linalg_lu_factor_raw(const Tensor& A);  // {LU, pivots (int32, 1-based), info}
DG_API Tensor linalg_lu_solve_raw(const Tensor& LU, const Tensor& pivots, const Tensor& B, bool adjoint);
DG_API std::vector<Tensor> linalg_cholesky_raw(const Tensor& A, bool upper);  // {factor, info}
DG_API std::vector<Tensor> linalg_geqrf_raw(const Tensor& A);                 // {reflectors and R, tau}
DG_API Tensor linalg_householder_product_raw(const Tensor& A, const Tensor& tau);
DG_API std::vector<Tensor> linalg_eigh_raw(const Tensor& A, bool upper, bool vectors);  // {w, V, info}
DG_API std::vector<Tensor> linalg_svd_raw(const Tensor& A, bool full, bool vectors);    // {U, S, Vh, info}
DG_API std::vector<Tensor> linalg_eig_raw(const Tensor& A, bool vectors);               // {w, V, info} (complex)
DG_API Tensor linalg_triangular_solve_raw(const Tensor& A, const Tensor& B, bool upper, bool adjoint,
                                          bool unit_diagonal);  // A^-1 B (A^-H B), left side

DG_API Tensor triu(const Tensor& t, int64_t diagonal = 0);

// ---- convolution ---------------------------------------------------------------------------
// Patches of a (batch, channels, *spatial) input (1 to 3 spatial dims) as the
// columns of (batch, channels * prod(kernel_size), blocks); col2im sums them
// back into an image of output_size. Each parameter is one value or one per dim.
DG_API Tensor im2col(const Tensor& input, IntArrayRef kernel_size, IntArrayRef dilation, IntArrayRef padding,
                     IntArrayRef stride);
DG_API Tensor col2im(const Tensor& input, IntArrayRef output_size, IntArrayRef kernel_size, IntArrayRef dilation,
                     IntArrayRef padding, IntArrayRef stride);
// N-d (transposed) convolution of a batched or unbatched input, PyTorch's aten::convolution.
DG_API Tensor convolution(const Tensor& input, const Tensor& weight, const std::optional<Tensor>& bias,
                          IntArrayRef stride, IntArrayRef padding, IntArrayRef dilation, bool transposed,
                          IntArrayRef output_padding, int64_t groups);

// Max pooling of a (batch, channels, *spatial) input: values, and the flat
// index of each max within its input plane. An empty stride means kernel_size.
DG_API std::pair<Tensor, Tensor> max_pool(const Tensor& input, IntArrayRef kernel_size, IntArrayRef stride,
                                          IntArrayRef padding, IntArrayRef dilation, bool ceil_mode);
// Adaptive max pooling of a (batch, channels, *spatial) floating-point input
// (1 to 3 spatial dims) to output_size, as F.adaptive_max_pool1d/2d/3d:
// values, and the flat index of each max within its input plane.
DG_API std::pair<Tensor, Tensor> adaptive_max_pool(const Tensor& input, IntArrayRef output_size);
// Fractional max pooling (Graham, 2014) of a (batch, channels, *spatial)
// floating-point input with 2 or 3 spatial dims, as F.fractional_max_pool2d/3d:
// windows of kernel_size placed pseudo-randomly by samples, (at least batch,
// channels, spatial dims) values in [0, 1) of the input's dtype; values, and
// the flat index of each max within its input plane.
DG_API std::pair<Tensor, Tensor> fractional_max_pool(const Tensor& input, IntArrayRef kernel_size,
                                                     IntArrayRef output_size, const Tensor& samples);
// Resampling of a (batch, channels, *spatial) input with 1 to 3 spatial dims
// to output_size, as F.interpolate: mode "nearest", "nearest-exact",
// "linear"/"bilinear"/"trilinear", "bicubic" or "area". scales are the
// user's scale factors (empty, or one per dim; <= 0 for none), used for the
// source coordinates as PyTorch does; antialias for bilinear and bicubic.
DG_API Tensor interpolate(const Tensor& input, IntArrayRef output_size, const std::string& mode,
                          bool align_corners = false, const std::vector<double>& scales = {}, bool antialias = false);
// Adaptive average pooling of a (batch, channels, *spatial) input (1 to 3 spatial dims).
DG_API Tensor adaptive_avg_pool(const Tensor& input, IntArrayRef output_size);
// Samples a (N, C, H, W) or (N, C, D, H, W) input at the grid's (N, H_out,
// W_out, 2) or (N, D_out, H_out, W_out, 3) normalized coordinates, as
// F.grid_sample: mode "bilinear", "nearest" or "bicubic" (4-D only),
// padding_mode "zeros", "border" or "reflection". Differentiable in both.
DG_API Tensor grid_sample(const Tensor& input, const Tensor& grid, const std::string& mode = "bilinear",
                          const std::string& padding_mode = "zeros", bool align_corners = false);
// One layer of nn.RNN/LSTM/GRU in one direction over a whole sequence: mode
// "LSTM", "GRU", "RNN_TANH" or "RNN_RELU"; input (T, N, C), time first; h0
// (N, H_out) and, for LSTM, c0 (N, H); the weights as PyTorch stores them
// (w_ih (G*H, C), w_hh (G*H, H_out), optional biases (G*H), LSTM's optional
// projection w_hr (H_out, H); G = 4, 3 or 1 gates). reverse runs from the last
// step to the first. lengths (optional, (N) int64) are the rows' sequence
// lengths for padded batches of packed sequences: a row's state stops changing
// after its last step, and a reverse layer starts it at that step. Returns
// {output (T, N, H_out), h_n, c_n (LSTM only)}.
DG_API std::vector<Tensor> recurrent_layer(const std::string& mode, const Tensor& input, const Tensor& h0,
                                           const Tensor& c0, const Tensor& w_ih, const Tensor& w_hh,
                                           const Tensor& b_ih = {}, const Tensor& b_hh = {}, const Tensor& w_hr = {},
                                           bool reverse = false, const Tensor& lengths = {});
// Average pooling of a (batch, channels, *spatial) floating-point input, as
// F.avg_pool1d/2d/3d. An empty stride means kernel_size.
DG_API Tensor avg_pool(const Tensor& input, IntArrayRef kernel_size, IntArrayRef stride, IntArrayRef padding,
                       bool ceil_mode = false, bool count_include_pad = true,
                       std::optional<int64_t> divisor_override = std::nullopt);
// Normalizes over the trailing normalized_shape dims, then weight * x + bias.
DG_API Tensor layer_norm(const Tensor& input, IntArrayRef normalized_shape,
                         const std::optional<Tensor>& weight = std::nullopt,
                         const std::optional<Tensor>& bias = std::nullopt, double eps = 1e-5);
// x / sqrt(mean of x^2 over the trailing normalized_shape dims + eps) * weight;
// eps defaults to the machine epsilon of the input's dtype (F.rms_norm).
DG_API Tensor rms_norm(const Tensor& input, IntArrayRef normalized_shape,
                       const std::optional<Tensor>& weight = std::nullopt, std::optional<double> eps = std::nullopt);
// Normalizes each of num_groups groups of channels of a (N, C, *) input over
// its channels and spatial dims, then per-channel weight * x + bias (F.group_norm).
DG_API Tensor group_norm(const Tensor& input, int64_t num_groups, const std::optional<Tensor>& weight = std::nullopt,
                         const std::optional<Tensor>& bias = std::nullopt, double eps = 1e-5);
// Normalizes each channel of each sample of a (N, C, *) input (F.instance_norm):
// with use_input_stats, by its own statistics (and folds their batch mean into
// running_mean/running_var with momentum when given); otherwise by the running
// statistics.
DG_API Tensor instance_norm(const Tensor& input, const std::optional<Tensor>& running_mean = std::nullopt,
                            const std::optional<Tensor>& running_var = std::nullopt,
                            const std::optional<Tensor>& weight = std::nullopt,
                            const std::optional<Tensor>& bias = std::nullopt, bool use_input_stats = true,
                            double momentum = 0.1, double eps = 1e-5);
// x / (k + alpha / size * sum of x^2 over `size` neighbouring channels)^beta
// (F.local_response_norm; a (N, C, *) input).
DG_API Tensor local_response_norm(const Tensor& input, int64_t size, double alpha = 1e-4, double beta = 0.75,
                                  double k = 1.0);

// Per-channel batch statistics of a (N, C, *) input: mean and biased
// variance over every dim but 1, in float32 (float64 for float64 input).
DG_API std::pair<Tensor, Tensor> batch_norm_stats(const Tensor& input);
// batch_norm as PyTorch's: training normalizes with the batch statistics and
// updates running_mean/running_var (unbiased var) in place when given;
// evaluation uses the running statistics.
DG_API Tensor batch_norm(const Tensor& input, const std::optional<Tensor>& running_mean,
                         const std::optional<Tensor>& running_var, const std::optional<Tensor>& weight,
                         const std::optional<Tensor>& bias, bool training, double momentum, double eps);

// The negative log likelihood of log-probabilities (C), (N, C) or (N, C, d1,
// ...) for int64 (or uint8) class indices (), (N) or (N, d1, ...): -input[n,
// target, ...] * weight[target], skipping ignore_index (F.nll_loss).
// reduction: "mean" (divided by the sum of weight[target]), "sum" or "none".
// A target outside [0, C) raises IndexError.
DG_API Tensor nll_loss(const Tensor& input, const Tensor& target, const std::optional<Tensor>& weight = std::nullopt,
                       const std::string& reduction = "mean", int64_t ignore_index = -100);
// F.cross_entropy: log_softmax over the class dim (1, or 0 for a (C) input),
// then nll_loss for class indices, or -sum(weight * target * log_softmax) for
// class probabilities (a floating target of the input's shape); label
// smoothing mixes in the uniform distribution. Class indices without
// smoothing run fused: a direct softmax-minus-one-hot backward.
DG_API Tensor cross_entropy(const Tensor& input, const Tensor& target,
                            const std::optional<Tensor>& weight = std::nullopt, const std::string& reduction = "mean",
                            int64_t ignore_index = -100, double label_smoothing = 0.0);
// The connectionist temporal classification loss (F.ctc_loss): -log of the
// total probability of the alignments of each sample's target to its first
// input_lengths[n] steps of log_probs (T, N, C), or (T, C) unbatched. targets
// are padded (N, S) or the 1-D concatenation of the targets; blank is the
// blank class. reduction "mean" divides each loss by its target length (at
// least 1) before averaging; zero_infinity turns the infinite loss (and the
// gradient) of a sample with no alignment into 0. float32 and float64.
DG_API Tensor ctc_loss(const Tensor& log_probs, const Tensor& targets, IntArrayRef input_lengths,
                       IntArrayRef target_lengths, int64_t blank = 0, const std::string& reduction = "mean",
                       bool zero_infinity = false);
// F.embedding_bag: the rows of weight (V, D) named by each bag of indices,
// summed, averaged or maxed (mode "sum", "mean", "max") into a (B, D) result.
// A 1-d input needs offsets (each bag's start; include_last_offset: the last
// entry ends the last bag); a 2-d input is B bags of equal length.
// per_sample_weights (sum only) scale each row; padding_idx rows are skipped;
// scale_grad_by_freq divides each row's gradient by its count in the input.
DG_API Tensor embedding_bag(const Tensor& weight, const Tensor& input,
                            const std::optional<Tensor>& offsets = std::nullopt, const std::string& mode = "mean",
                            const std::optional<Tensor>& per_sample_weights = std::nullopt,
                            bool include_last_offset = false, std::optional<int64_t> padding_idx = std::nullopt,
                            bool scale_grad_by_freq = false);
// cross_entropy of (N, C) logits and class indices (N).
DG_API Tensor cross_entropy_indices(const Tensor& input, const Tensor& target,
                                    const std::optional<Tensor>& weight = std::nullopt,
                                    const std::string& reduction = "mean", int64_t ignore_index = -100);

// ---- optimizer updates ----------------------------------------------------------------------
// One fused in-place update of every parameter of a group, shared by the
// Python and C++ optimizers (PyTorch's formulas and state layout). Lists are
// parallel; a parameter whose grad is undefined is skipped. Runs without
// recording autograd history.
struct SgdOptions {
  double lr = 1e-3, momentum = 0, dampening = 0, weight_decay = 0;
  bool nesterov = false, maximize = false;
};
// momentum_buffers[i] undefined: created from the first gradient (as
// PyTorch's first step); the list is updated with the buffers used.
DG_API void sgd_step_(const std::vector<Tensor>& params, const std::vector<Tensor>& grads,
                      std::vector<Tensor>& momentum_buffers, const SgdOptions& options);
struct AdamOptions {
  double lr = 1e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weight_decay = 0;
  bool amsgrad = false, maximize = false;
  bool decoupled_weight_decay = false;  // AdamW
};
// state_steps: 0-d float tensors, incremented by one before each update.
// max_exp_avg_sqs is only read when amsgrad.
DG_API void adam_step_(const std::vector<Tensor>& params, const std::vector<Tensor>& grads,
                       const std::vector<Tensor>& exp_avgs, const std::vector<Tensor>& exp_avg_sqs,
                       const std::vector<Tensor>& max_exp_avg_sqs, const std::vector<Tensor>& state_steps,
                       const AdamOptions& options);

// ---- reductions ----------------------------------------------------------------------------
// Integer and bool inputs sum to int64 unless a dtype is given.
DG_API Tensor sum(const Tensor& t, std::optional<Dtype> dtype = std::nullopt);
DG_API Tensor sum(const Tensor& t, IntArrayRef dims, bool keepdim = false, std::optional<Dtype> dtype = std::nullopt);
DG_API Tensor mean(const Tensor& t, std::optional<Dtype> dtype = std::nullopt);
DG_API Tensor mean(const Tensor& t, IntArrayRef dims, bool keepdim = false, std::optional<Dtype> dtype = std::nullopt);
// Empty dims mean "all dims" for the reductions below.
DG_API Tensor nansum(const Tensor& t, IntArrayRef dims = {}, bool keepdim = false,
                     std::optional<Dtype> dtype = std::nullopt);
DG_API Tensor nanmean(const Tensor& t, IntArrayRef dims = {}, bool keepdim = false,
                      std::optional<Dtype> dtype = std::nullopt);
DG_API Tensor prod(const Tensor& t, std::optional<Dtype> dtype = std::nullopt);
DG_API Tensor prod(const Tensor& t, IntArrayRef dims, bool keepdim = false, std::optional<Dtype> dtype = std::nullopt);
DG_API Tensor amax(const Tensor& t, IntArrayRef dims = {}, bool keepdim = false);
DG_API Tensor amin(const Tensor& t, IntArrayRef dims = {}, bool keepdim = false);
DG_API Tensor max(const Tensor& t);
DG_API Tensor min(const Tensor& t);
// (values, indices) along dim; the first index on ties.
DG_API std::pair<Tensor, Tensor> max(const Tensor& t, int64_t dim, bool keepdim = false);
DG_API std::pair<Tensor, Tensor> min(const Tensor& t, int64_t dim, bool keepdim = false);
DG_API Tensor argmax(const Tensor& t, std::optional<int64_t> dim = std::nullopt, bool keepdim = false);
DG_API Tensor argmin(const Tensor& t, std::optional<int64_t> dim = std::nullopt, bool keepdim = false);
DG_API Tensor all(const Tensor& t, IntArrayRef dims = {}, bool keepdim = false);
DG_API Tensor any(const Tensor& t, IntArrayRef dims = {}, bool keepdim = false);
DG_API Tensor count_nonzero(const Tensor& t, IntArrayRef dims = {});
DG_API Tensor var(const Tensor& t, IntArrayRef dims = {}, double correction = 1, bool keepdim = false);
DG_API Tensor std_dev(const Tensor& t, IntArrayRef dims = {}, double correction = 1, bool keepdim = false);
DG_API Tensor logsumexp(const Tensor& t, IntArrayRef dims, bool keepdim = false);
DG_API Tensor softmax(const Tensor& t, int64_t dim, std::optional<Dtype> dtype = std::nullopt);
DG_API Tensor log_softmax(const Tensor& t, int64_t dim, std::optional<Dtype> dtype = std::nullopt);
DG_API Tensor vector_norm(const Tensor& t, double ord = 2, IntArrayRef dims = {}, bool keepdim = false,
                          std::optional<Dtype> dtype = std::nullopt);
DG_API Tensor matrix_norm(const Tensor& t, const std::string& ord = "fro", IntArrayRef dims = {-2, -1},
                          bool keepdim = false);
// Numeric orders: 1 / -1 (largest / smallest absolute column sum), inf / -inf
// (rows). 2 / -2 need singular values, which this build does not have yet.
DG_API Tensor matrix_norm(const Tensor& t, double ord, IntArrayRef dims = {-2, -1}, bool keepdim = false);

// ---- basic indexing ---------------------------------------------------------------
// One entry of a Python-style index: an int, a slice, None (new axis) or
// Ellipsis.
struct TensorIndex {
  enum class Kind : int8_t { Integer, Slice, None, Ellipsis };
  Kind kind;
  int64_t integer = 0;
  std::optional<int64_t> start, stop;
  int64_t step = 1;

  static TensorIndex index(int64_t i) { return {Kind::Integer, i, {}, {}, 1}; }
  static TensorIndex range(std::optional<int64_t> start, std::optional<int64_t> stop, int64_t step = 1) {
    return {Kind::Slice, 0, start, stop, step};
  }
  static TensorIndex none() { return {Kind::None, 0, {}, {}, 1}; }
  static TensorIndex ellipsis() { return {Kind::Ellipsis, 0, {}, {}, 1}; }
};
// t[indices...] as a view.
DG_API Tensor index(const Tensor& t, ArrayRef<TensorIndex> indices);
// t[indices...] = value (broadcast, converted to t's dtype).
DG_API void index_put_(Tensor& t, ArrayRef<TensorIndex> indices, const Tensor& value);
DG_API void index_put_(Tensor& t, ArrayRef<TensorIndex> indices, const Scalar& value);

// ---- advanced indexing ----------------------------------------------------------------------
// (dim, index tensor) pairs: integer tensors pick positions along dim (they
// broadcast together); a bool mask covers as many dims as it has.
using IndexList = std::vector<std::pair<int64_t, Tensor>>;
DG_API Tensor index(const Tensor& t, const IndexList& indices);
DG_API Tensor index_put(const Tensor& self, const IndexList& indices, const Tensor& values, bool accumulate = false);
DG_API Tensor& index_put_(Tensor& self, const IndexList& indices, const Tensor& values, bool accumulate = false);
DG_API Tensor nonzero(const Tensor& t);  // (n, ndim) int64 coordinates
DG_API Tensor index_select(const Tensor& t, int64_t dim, const Tensor& index);
DG_API Tensor masked_fill(const Tensor& t, const Tensor& mask, const Scalar& value);
DG_API Tensor masked_fill(const Tensor& t, const Tensor& mask, const Tensor& value);
DG_API Tensor masked_select(const Tensor& t, const Tensor& mask);
DG_API Tensor gather(const Tensor& t, int64_t dim, const Tensor& index);
// Out of place; add_values: scatter_add.
DG_API Tensor scatter(const Tensor& t, int64_t dim, const Tensor& index, const Tensor& src, bool add_values = false);
DG_API Tensor scatter(const Tensor& t, int64_t dim, const Tensor& index, const Scalar& value);
DG_API Tensor take(const Tensor& t, const Tensor& index);

// ---- joining, reordering, sorting, scans ---------------------------------------------------------
DG_API Tensor cat(const std::vector<Tensor>& tensors, int64_t dim = 0);
DG_API Tensor stack(const std::vector<Tensor>& tensors, int64_t dim = 0);
DG_API Tensor flip(const Tensor& t, IntArrayRef dims);
DG_API Tensor roll(const Tensor& t, IntArrayRef shifts, IntArrayRef dims = {});
DG_API Tensor repeat(const Tensor& t, IntArrayRef repeats);
DG_API Tensor repeat_interleave(const Tensor& t, int64_t repeats, std::optional<int64_t> dim = std::nullopt);
// (values, indices); NaN sorts last, ties keep their order (stable).
DG_API std::pair<Tensor, Tensor> sort(const Tensor& t, int64_t dim = -1, bool descending = false);
DG_API Tensor argsort(const Tensor& t, int64_t dim = -1, bool descending = false);
DG_API std::pair<Tensor, Tensor> topk(const Tensor& t, int64_t k, int64_t dim = -1, bool largest = true,
                                      bool sorted = true);
DG_API std::pair<Tensor, Tensor> kthvalue(const Tensor& t, int64_t k, int64_t dim = -1, bool keepdim = false);
DG_API Tensor median(const Tensor& t);  // the lower median of all elements
DG_API std::pair<Tensor, Tensor> median(const Tensor& t, int64_t dim, bool keepdim = false);
DG_API Tensor cumsum(const Tensor& t, int64_t dim, std::optional<Dtype> dtype = std::nullopt);
DG_API Tensor cumprod(const Tensor& t, int64_t dim, std::optional<Dtype> dtype = std::nullopt);

// ---- operators ---------------------------------------------------------------------
inline Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
inline Tensor operator+(const Tensor& a, const Scalar& b) { return add(a, b); }
inline Tensor operator+(const Scalar& a, const Tensor& b) { return add(b, a); }
inline Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
inline Tensor operator-(const Tensor& a, const Scalar& b) { return sub(a, b); }
inline Tensor operator-(const Scalar& a, const Tensor& b) { return rsub(b, a); }
inline Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
inline Tensor operator*(const Tensor& a, const Scalar& b) { return mul(a, b); }
inline Tensor operator*(const Scalar& a, const Tensor& b) { return mul(b, a); }
inline Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }
inline Tensor operator/(const Tensor& a, const Scalar& b) { return div(a, b); }
inline Tensor operator/(const Scalar& a, const Tensor& b) { return rdiv(b, a); }
inline Tensor operator-(const Tensor& a) { return neg(a); }
inline Tensor operator==(const Tensor& a, const Tensor& b) { return eq(a, b); }
inline Tensor operator!=(const Tensor& a, const Tensor& b) { return ne(a, b); }
inline Tensor operator<(const Tensor& a, const Tensor& b) { return lt(a, b); }
inline Tensor operator<=(const Tensor& a, const Tensor& b) { return le(a, b); }
inline Tensor operator>(const Tensor& a, const Tensor& b) { return gt(a, b); }
inline Tensor operator>=(const Tensor& a, const Tensor& b) { return ge(a, b); }
inline Tensor operator==(const Tensor& a, const Scalar& b) { return eq(a, b); }
inline Tensor operator!=(const Tensor& a, const Scalar& b) { return ne(a, b); }
inline Tensor operator<(const Tensor& a, const Scalar& b) { return lt(a, b); }
inline Tensor operator<=(const Tensor& a, const Scalar& b) { return le(a, b); }
inline Tensor operator>(const Tensor& a, const Scalar& b) { return gt(a, b); }
inline Tensor operator>=(const Tensor& a, const Scalar& b) { return ge(a, b); }

}  // namespace dg
