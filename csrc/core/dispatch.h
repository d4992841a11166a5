// The kernel table: for each device type, one slot per kernel. Backends
// fill their slots through explicit registration calls (the CPU's on first
// use, CUDA's when its library loads); an empty slot raises an error naming
// the op and the device.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/reduce_iter.h"
#include "core/tensor_iter.h"
#include "dyngraph/scalar.h"
#include "kernels/elementwise_ops.h"

namespace dg {

enum class BinaryOp : uint8_t {
#define DG_ENUM_ENTRY(name, ...) name,
  DG_BINARY_OPS(DG_ENUM_ENTRY)
#undef DG_ENUM_ENTRY
      COUNT
};
enum class UnaryOp : uint8_t {
#define DG_ENUM_ENTRY(name, ...) name,
  DG_UNARY_OPS(DG_ENUM_ENTRY)
#undef DG_ENUM_ENTRY
      COUNT
};
DG_API const char* op_name(BinaryOp op);
DG_API const char* op_name(UnaryOp op);

// Which dtypes a binary op computes in, and whether it returns bool.
enum class BinaryDtypes : uint8_t { ALL, REAL, FLOAT, INT };
DG_API BinaryDtypes binary_dtypes(BinaryOp op);
DG_API bool binary_returns_bool(BinaryOp op);

// What a unary op accepts and returns (the kinds of kernels/unary_ops.h).
enum class UnaryKind : uint8_t { FLOAT, FLOAT_R, SAME, SAME_R, ROUND, PRED, PRED_R, ABS, INT };
DG_API UnaryKind unary_kind(UnaryOp op);

enum class ReduceOp : uint8_t { sum, nansum, prod, amax, amin, all, any, argmax, argmin, COUNT };

enum class RandomOp : uint8_t { uniform, normal, bernoulli_scalar, bernoulli_tensor, randint, COUNT };

// Kernel signatures. Operands come in a TensorIter whose inputs already
// have the compute dtype.
using BinaryKernel = void (*)(TensorIter& it, const Scalar& alpha);
// One tensor operand and a Python scalar; `reversed`: scalar op tensor.
using BinaryScalarKernel = void (*)(TensorIter& it, const Scalar& alpha, const Scalar& other, bool reversed);
using UnaryKernel = void (*)(TensorIter& it, const ops::UnaryParams& params);
using CopyKernel = void (*)(TensorIter& it);  // output dtype may differ from the input's
using FillKernel = void (*)(TensorIter& it, const Scalar& value);
// Random: seed and counter offset, and two parameters (low/high, mean/std, p).
using RandomKernel = void (*)(TensorIter& it, uint64_t seed, uint64_t offset, double a, double b);
// out[i] = start + i * step over a dense 1-D output.
using ArangeKernel = void (*)(TensorIter& it, const Scalar& start, const Scalar& step);
// PyTorch's symmetric linspace: start + i * step for the first half, end - (n-1-i) * step after.
using LinspaceKernel = void (*)(TensorIter& it, const Scalar& start, const Scalar& end, int64_t steps);
// Batched matrix multiply C[b] = A[b] @ B[b]: A (m x k) and B (k x n) are
// given by element offsets per batch, a leading dimension, and whether the
// stored matrix is the transpose; C is dense (batch, m, n).
struct GemmArgs {
  Dtype dtype;
  int64_t batch, m, n, k;
  const char* a;
  const char* b;
  char* c;
  std::vector<int64_t> a_offsets, b_offsets;
  int64_t lda, ldb;
  bool a_trans, b_trans;
};
using GemmKernel = void (*)(const GemmArgs& args);

// out = cond ? a : b, all three inputs in the output dtype.
using WhereKernel = void (*)(TensorIter& it);
// Indexing as element offsets: block b of `values` (dense, blocks x
// rest_count) pairs with base[offsets[b] + rest[r]].
struct IndexArgs {
  Dtype dtype;
  char* base;
  char* values;
  const int64_t* offsets;
  int64_t blocks;
  const int64_t* rest;
  int64_t rest_count;
  bool accumulate = false;
};
using IndexKernel = void (*)(const IndexArgs& args);
using NonzeroKernel = Tensor (*)(const Tensor& dense);
// Sorting and scans along the last dim of a dense input (same-shape outputs).
using SortKernel = void (*)(const Tensor& in, Tensor& values, Tensor& indices, bool descending);
// Softmax (or log-softmax) over the middle dim of a dense 3-d (outer, n,
// inner) input (inner 1: each row), into a dense output of the same shape.
using SoftmaxKernel = void (*)(const Tensor& in, Tensor& out, bool log);
enum class ScanOp : uint8_t { cumsum, cumprod };
using ScanKernel = void (*)(const Tensor& in, Tensor& out, ScanOp op);
// Reductions write it.output (the kept dims) from it.input.
using ReduceKernel = void (*)(ReduceIter& it);
// Sliding windows over a dense (batch, channels, *image) tensor, for up to 3
// spatial dims (unused dims have size, kernel, stride and dilation 1, padding
// 0); im2col lays them out as columns of a dense (batch, channels *
// prod(kernel), prod(out)) tensor, pooling reduces each one.
struct WindowArgs {
  Dtype dtype;
  int64_t batch, channels;
  int64_t image[3], kernel[3], out[3], stride[3], padding[3], dilation[3];
  // im2col/col2im on the CPU only: cols laid out (channels * prod(kernel),
  // batch, prod(out)), so that one GEMM covers the whole batch.
  bool batch_inner = false;
  // Max pooling only: adaptive windows (kernels/adaptive_window.h), output o
  // of axis d reading [floor(o * image / out), ceil((o + 1) * image / out));
  // kernel[d] is at least the widest, stride, padding and dilation unused.
  bool adaptive = false;
  // Max pooling only: fractional windows (kernels/adaptive_window.h), one
  // window of kernel[d] inputs per output, placed by the plane's sample u:
  // dense (batch * channels, 3) values of the image's dtype, one per axis.
  const void* fractional_samples = nullptr;
};
// im2col: cols = patches(image); col2im: image = sum of the patches in cols
// (the adjoint, so it overwrites image with the accumulated sums).
using Im2colKernel = void (*)(const WindowArgs& args, const char* image, char* cols);
using Col2imKernel = void (*)(const WindowArgs& args, const char* cols, char* image);
// Max over each window (padding never wins) into dense (batch, channels,
// *out) values, with the flat image-plane index of the max (NaN wins).
using MaxPoolKernel = void (*)(const WindowArgs& args, const char* image, char* values, int64_t* indices);
// Max pooling's backward: each dense (batch, channels, *image) plane of
// grad_image is zeroed, then gets grad[o] added at indices[o] for every
// output o of that plane (planes are independent, so no two threads write
// the same element).
using MaxPoolBackwardKernel = void (*)(const WindowArgs& args, const char* grad, const int64_t* indices,
                                       char* grad_image);
// Separable resampling (interpolate, adaptive average pooling) of a dense
// (planes, in[0], in[1], in[2]) tensor into a dense (planes, out[0], out[1],
// out[2]) one: out[p, o0, o1, o2] = sum over taps k0, k1, k2 of
// w0[o0][k0] * w1[o1][k1] * w2[o2][k2] * in[p, i0[o0][k0], i1[o1][k1], i2[o2][k2]].
// Tap tables are dense (out[d], taps[d]) on the kernel's device: int64 indices
// and weights of resample_weight_t (float64 for float64/complex128 data,
// float32 otherwise). A null table is the identity axis (in = out, one tap of
// weight 1); a spatial layout with fewer than 3 dims fills the leading ones so.
struct ResampleArgs {
  Dtype dtype;
  int64_t planes;
  int64_t in[3], out[3], taps[3];
  const int64_t* index[3];
  const void* weight[3];
};
using ResampleKernel = void (*)(const ResampleArgs& args, const char* input, char* output);
// The adjoint: grad_input (dense (planes, *in) of the opmath dtype, float32 for
// float16/bfloat16 data, zero-filled on entry) accumulates each grad_output
// element times its taps' weights.
using ResampleBackwardKernel = void (*)(const ResampleArgs& args, const char* grad_output, char* grad_input);
// Weighted gathers through per-point tap lists (grid_sample's engine). With
// x dense (batch, channels, sources), index and weight dense (batch, points,
// taps) (indices valid in [0, sources); weight of x's dtype):
//   gather:  out (batch, channels, points)  = sum_t weight * x[index]        (a = x)
//   scatter: out (batch, channels, sources) += weight * a at each index      (a = grad, out zero-filled,
//            of the opmath dtype: float32 for float16/bfloat16)
//   dot:     out (batch, points, taps)      = sum_c a[c, point] * b[c, index] (a = grad, b = x)
enum class TapOp { gather, scatter, dot };
struct TapArgs {
  TapOp op;
  Dtype dtype;
  int64_t batch, channels, sources, points, taps;
  const int64_t* index;
  const char* weight;
  const char* a;
  const char* b;
  char* out;
};
using TapKernel = void (*)(const TapArgs& args);
// grid_sample's taps, computed from the grid: for each point of a dense
// (batch, points, dims) grid (component 0 is x, the last input axis), the
// taps of every axis combined into `taps` (index into the flattened input
// plane, weight) pairs, written densely (batch, points, taps), the last
// axis's taps varying fastest. backward instead takes grad_weight (batch,
// points, taps) and writes grad_grid (batch, points, dims). float32/float64.
// interpolation 0 bilinear, 1 nearest, 2 bicubic; padding 0 zeros, 1 border,
// 2 reflection; PyTorch's formulas (see kernels/grid_taps.h).
struct GridTapArgs {
  Dtype dtype;
  int64_t batch, points, dims, taps;
  int64_t sizes[3];  // the input's spatial sizes, sizes[0..dims)
  int interpolation, padding;
  bool align_corners, backward;
  const char* grid;
  int64_t* index;
  char* weight;
  const char* grad_weight;
  char* grad_grid;
};
using GridTapKernel = void (*)(const GridTapArgs& args);
// One time step of a recurrent cell over a batch, elementwise over (batch,
// hidden); the matrix products around it are GEMMs. Every buffer is dense,
// rows of `hidden` units (gates * hidden for the gate buffers, gates in
// PyTorch's weight-row order: LSTM i f g o, GRU r z n). float32 and float64.
enum class RecurrentCell : uint8_t { kLstm, kGru, kRnnTanh, kRnnRelu };
struct RecurrentStepArgs {
  RecurrentCell cell;
  Dtype dtype;
  int64_t batch, hidden;
  const char* x;       // this step's input projection (x W_ih^T + b_ih)
  const char* h_lin;   // h_prev W_hh^T
  const char* bias;    // b_hh (gates * hidden), or null
  const char* h_prev;  // the previous hidden state
  const char* c_prev;  // LSTM: the previous cell state
  // Packed sequences: row n's sequence has lengths[n] steps (null: all have
  // every step). Past its end (time >= lengths[n]) a row's state carries over
  // unchanged (not for LSTM with projections).
  const int64_t* lengths;
  int64_t time;
  char* h;             // the new hidden state (LSTM with projections: before the projection)
  char* c;             // LSTM: the new cell state
  char* saved;         // what the backward reads: LSTM i f g o, GRU r z n and h_lin's n part + b_hn (4 * hidden)
};
using RecurrentStepKernel = void (*)(const RecurrentStepArgs& args);
// The step's backward, from the gradient w.r.t. its new hidden state (and
// LSTM's cell state, null for none). Writes the gradient w.r.t. the input
// projection (grad_x) and w.r.t. h_lin (grad_h_lin; GRU only, the others'
// equals grad_x), and what flows to the previous step without the W_hh
// product: LSTM's grad_c_prev, and grad_h_prev: GRU's direct term grad_h * z,
// or a finished row's whole grad_h (with lengths; otherwise null for LSTM and RNN).
struct RecurrentStepBackwardArgs {
  RecurrentCell cell;
  Dtype dtype;
  int64_t batch, hidden;
  const char* saved;   // the forward's saved gates
  const char* h_prev;  // GRU
  const char* h;       // RNN: the step's output
  const char* c_prev;  // LSTM
  const char* c;       // LSTM: the step's cell state
  const char* grad_h;
  const char* grad_c;  // LSTM, or null
  const int64_t* lengths;  // as the forward's
  int64_t time;
  char* grad_x;
  char* grad_h_lin;    // GRU
  char* grad_h_prev;   // GRU, or any cell with lengths
  char* grad_c_prev;   // LSTM
};
using RecurrentStepBackwardKernel = void (*)(const RecurrentStepBackwardArgs& args);
// How a row norm reads its rows and its affine parameters. Row r of a dense
// (rows, n) input is sample r / groups, group r % groups; the row is n / inner
// channels of `inner` elements each, and weight and bias hold one value per
// (group, channel): layer norm is groups 1, inner 1 (a value per element),
// group norm is groups G, inner = spatial size. RMS norm does not center.
struct RowNormArgs {
  double eps = 1e-5;
  int64_t groups = 1;
  int64_t inner = 1;
  bool centered = true;
};
// Normalizes each row of a dense (rows, n) input: y = (x - mean) * rstd
// (* weight + bias, dense when given, indexed as RowNormArgs says); writes the
// float32/64 row statistics mean (0 when not centered) and rstd = 1 / sqrt(var
// + eps) (biased var, or the mean square when not centered).
using RowNormKernel = void (*)(const Tensor& x, const Tensor* weight, const Tensor* bias, const RowNormArgs& args,
                               Tensor& y, Tensor& mean, Tensor& rstd);
// The input gradient of a row norm from its forward's statistics: per row,
// dx = rstd * (gw - mean(gw) - xhat * mean(gw * xhat)) with gw = g * weight
// (no mean(gw) term when not centered). When given, also the per (row,
// channel) sums over the channel's inner elements of g * xhat and of g, in
// the statistics dtype: the op reduces them to the weight and bias gradients.
struct RowNormBackwardArgs {
  const Tensor* grad_out;  // dense (rows, n), the input's dtype
  const Tensor* x;
  const Tensor* weight;  // or null
  const Tensor* mean;
  const Tensor* rstd;
  RowNormArgs norm;
  Tensor* grad_in;
  Tensor* grad_xhat_sums;  // (rows, n / inner) or null
  Tensor* grad_sums;       // (rows, n / inner) or null
};
using RowNormBackwardKernel = void (*)(const RowNormBackwardArgs& args);
// The class-index losses over a dense (outer, C, inner) input of log
// probabilities and dense (outer, inner) int64 targets: loss = -logp[o, t, i]
// * w[t] and the sample weight w[t] (both 0 where t == ignore_index), into
// dense (outer, inner) tensors of the input's dtype. A target outside [0, C)
// that is not ignore_index is written to bad_target (a 1-element int64
// tensor on the input's device, preset to ignore_index by the caller).
struct NllArgs {
  const Tensor* log_probs;
  const Tensor* target;
  const Tensor* weight;  // (C) of the input's dtype, or null
  int64_t ignore_index;
  Tensor* losses;
  Tensor* sample_weights;
  Tensor* bad_target;
};
using NllKernel = void (*)(const NllArgs& args);
// grad[o, target[o, i], i] += value[o, i] over a dense (outer, C, inner) grad,
// skipping ignore_index (the targets were checked by the forward).
using NllScatterKernel = void (*)(Tensor& grad, const Tensor& target, const Tensor& value, int64_t ignore_index);
// The CTC loss of dense (T, N, C) log-probabilities (float32/64): sample n
// reads its first input_lengths[n] steps and its target, the first
// target_lengths[n] entries of row n of the dense (N, S) int64 targets (in [0,
// C), as the op checks). The forward writes log_alpha (N, T, 2S + 1; entries
// outside a sample's steps and states -inf) and the per-sample negative log
// likelihood. The backward also needs grad_scale (N), d loss / d nll[n], and
// writes grad (T, N, C) (0 past a sample's input length, and for a sample
// whose likelihood is 0 under zero_infinity), using log_beta as scratch.
struct CtcArgs {
  const Tensor* log_probs;
  const Tensor* targets;
  const Tensor* input_lengths;   // (N) int64, on the device
  const Tensor* target_lengths;  // (N) int64, on the device
  int64_t blank;
  Tensor* log_alpha;
  Tensor* neg_log_likelihood;
  const Tensor* grad_scale = nullptr;  // backward only, from here on
  bool zero_infinity = false;
  Tensor* log_beta = nullptr;
  Tensor* grad = nullptr;
};
using CtcKernel = void (*)(const CtcArgs& args);
// embedding_bag over a dense (V, D) weight: bag b reduces the rows named by
// indices[offsets[b] .. offsets[b + 1]) (dense int64; offsets (B + 1),
// non-decreasing within the indices, as the op checks), skipping padding_idx
// (-1: none). Forward: output (B, D) (an empty bag gives 0), bag_size (B) int64
// (the rows counted), and for max the chosen row per feature, max_indices (B,
// D) int64 (-1 for an empty bag). An index outside [0, V) is written to
// bad_index (a 2-element int64 tensor on the device, preset to {0, 0}) as
// {1, index}. Backward: grad_weight (V, D), zero-filled by the caller, gets
// each bag's gradient added to its rows, and grad_per_sample_weights (n) when
// given gets the dot products of the gradient and the rows.
enum class BagMode : uint8_t { sum, mean, max };
struct EmbeddingBagArgs {
  const Tensor* weight;
  const Tensor* indices;
  const Tensor* offsets;
  const Tensor* per_sample_weights;  // (n) of the weight's dtype, or null (sum only)
  BagMode mode;
  int64_t padding_idx;
  Tensor* output = nullptr;
  Tensor* bag_size = nullptr;
  Tensor* max_indices = nullptr;
  Tensor* bad_index = nullptr;
  const Tensor* grad_output = nullptr;  // backward only, from here on
  Tensor* grad_weight = nullptr;
  Tensor* grad_per_sample_weights = nullptr;
};
using EmbeddingBagKernel = void (*)(const EmbeddingBagArgs& args);
// Per-channel mean and biased variance of a dense (N, C, S) input, into
// dense (C) statistics of the opmath dtype (float32, or float64).
using ChannelMomentsKernel = void (*)(const Tensor& x, Tensor& mean, Tensor& var);
// One optimizer update of a dense parameter with its dense gradient and
// state of the same dtype and numel (the math of ops.h's sgd_step_/adam_step_).
struct SgdArgs {
  Dtype dtype;
  int64_t numel;
  char* param;
  const char* grad;
  char* buffer;  // null without momentum
  bool first_step;  // buffer = the gradient (PyTorch's first momentum step)
  double lr, momentum, dampening, weight_decay;
  bool nesterov, maximize;
};
using SgdKernel = void (*)(const SgdArgs& args);
struct AdamArgs {
  Dtype dtype;
  int64_t numel;
  char* param;
  const char* grad;
  char* exp_avg;
  char* exp_avg_sq;
  char* max_exp_avg_sq;  // null unless amsgrad
  double step, lr, beta1, beta2, eps, weight_decay;
  bool maximize, decoupled_weight_decay;
};
using AdamKernel = void (*)(const AdamArgs& args);

// Dense factorizations and solves (LAPACK on the CPU). Matrices are column-major
// (leading dimension = rows), one per batch entry `*_stride` elements apart;
// `info` gets LAPACK's status per entry (> 0: singular / not positive-definite /
// not converged). Which pointers an op reads or writes is listed at its enum.
enum class LapackOp {
  kLuFactor,        // a (m x n) -> L\U in place, pivots (1-based)
  kLuSolve,         // a = LU (n x n) with pivots; b (n x k) overwritten by the solution (adjoint: A^H x = b)
  kCholesky,        // a (n x n) -> its factor (upper or lower triangle; the other is left as is)
  kQrFactor,        // a (m x n) -> R above the diagonal, reflectors below; values = tau (min(m, n))
  kQrOrthogonal,    // a holds k reflectors (m x n, n columns wanted), values = tau -> Q's first n columns
  kEigh,            // a (n x n) Hermitian (upper or lower triangle read) -> eigenvectors; values = real eigenvalues
  kSvd,             // a (m x n), destroyed; values = singular values; b = U (m x m or m x min), c = V^H
  kEig,             // a (n x n), destroyed; values = complex eigenvalues; b = complex right eigenvectors
  kTriangularSolve  // a (n x n) triangular; b (n x k) overwritten by A^-1 b (adjoint: A^-H b)
};
struct LapackArgs {
  LapackOp op;
  Dtype dtype;
  int64_t batch = 1, m = 0, n = 0, k = 0;
  char* a = nullptr;
  int64_t a_stride = 0;
  char* b = nullptr;
  int64_t b_stride = 0;
  char* c = nullptr;
  int64_t c_stride = 0;
  char* values = nullptr;  // in elements of the values' own dtype (real for eigh and svd, complex for eig)
  int64_t values_stride = 0;
  int32_t* pivots = nullptr;
  int64_t pivots_stride = 0;
  int32_t* info = nullptr;
  bool upper = false, vectors = true, full = false, adjoint = false, unit_diagonal = false;
};
using LapackKernel = void (*)(const LapackArgs& args);

struct KernelTable {
  BinaryKernel binary[static_cast<int>(BinaryOp::COUNT)] = {};
  BinaryScalarKernel binary_scalar[static_cast<int>(BinaryOp::COUNT)] = {};
  UnaryKernel unary[static_cast<int>(UnaryOp::COUNT)] = {};
  CopyKernel copy = nullptr;
  FillKernel fill = nullptr;
  RandomKernel random[static_cast<int>(RandomOp::COUNT)] = {};
  ArangeKernel arange = nullptr;
  LinspaceKernel linspace = nullptr;
  ReduceKernel reduce[static_cast<int>(ReduceOp::COUNT)] = {};
  IndexKernel take = nullptr;  // values[b, r] = base[...]
  IndexKernel put = nullptr;   // base[...] = (or +=) values[b, r]
  NonzeroKernel nonzero = nullptr;
  SortKernel sort = nullptr;
  ScanKernel scan = nullptr;
  SoftmaxKernel softmax = nullptr;
  WhereKernel where = nullptr;
  GemmKernel gemm = nullptr;
  Im2colKernel im2col = nullptr;
  Col2imKernel col2im = nullptr;
  MaxPoolKernel max_pool = nullptr;
  MaxPoolBackwardKernel max_pool_backward = nullptr;  // optional: without it, a differentiable scatter-add
  ResampleKernel resample = nullptr;
  ResampleBackwardKernel resample_backward = nullptr;
  TapKernel taps = nullptr;
  GridTapKernel grid_taps = nullptr;
  RecurrentStepKernel recurrent_step = nullptr;
  RecurrentStepBackwardKernel recurrent_step_backward = nullptr;
  RowNormKernel row_norm = nullptr;
  RowNormBackwardKernel row_norm_backward = nullptr;
  ChannelMomentsKernel channel_moments = nullptr;
  NllKernel nll = nullptr;
  NllScatterKernel nll_scatter = nullptr;
  CtcKernel ctc = nullptr;
  CtcKernel ctc_backward = nullptr;
  EmbeddingBagKernel embedding_bag = nullptr;
  EmbeddingBagKernel embedding_bag_backward = nullptr;
  SgdKernel sgd = nullptr;
  AdamKernel adam = nullptr;
  LapackKernel lapack = nullptr;  // optional: a device without one runs factorizations on CPU copies
};

// The table of a device type (registration of the CPU's happens on first use).
DG_API KernelTable& kernel_table(DeviceType type);

// The slots a device type's backend left empty (for the registry test).
DG_API std::vector<std::string> missing_kernels(DeviceType type);

// Looks up a slot; throws when the backend did not register it.
template <class Fn>
Fn checked_kernel(Fn fn, const char* name, Device device) {
  DG_CHECK(fn != nullptr, Error, "no kernel for '", name, "' on device ", device.str());
  return fn;
}

namespace cpu {
void register_kernels(KernelTable& table);
}
namespace cuda {
void register_kernels(KernelTable& table);  // also registers the CUDA caching allocator
}

}  // namespace dg
