// Reductions: output dtypes, dims and keepdim, dispatch to the device's
// reduce kernels, and each reduction's backward. Composite reductions
// (var, std, logsumexp, norms, softmax) are written with dyngraph ops, so
// their gradients come from the pieces.
#include <algorithm>
#include <cmath>

#include "autograd/record.h"
#include "core/dispatch.h"
#include "core/reduce_iter.h"
#include "dyngraph/ops.h"

namespace dg {

namespace {

std::vector<bool> reduced_mask(const Tensor& t, IntArrayRef dims, bool all_if_empty = true) {
  std::vector<bool> mask(static_cast<size_t>(t.dim()), dims.empty() && all_if_empty);
  for (int64_t d : dims) {
    int64_t w = wrap_dim(d, t.dim());
    if (t.dim() == 0) continue;
    DG_CHECK(!mask[w], Error, "dim ", w, " appears multiple times in the list of dims");
    mask[w] = true;
  }
  return mask;
}

// The kept shape with reduced dims as size 1 (keepdim) or dropped.
Shape result_shape(const Tensor& t, const std::vector<bool>& mask, bool keepdim) {
  Shape s;
  for (int64_t d = 0; d < t.dim(); ++d) {
    if (!mask[d]) s.push_back(t.sizes()[d]);
    else if (keepdim) s.push_back(1);
  }
  return s;
}

int64_t reduced_count(const Tensor& t, const std::vector<bool>& mask) {
  int64_t n = 1;
  for (int64_t d = 0; d < t.dim(); ++d)
    if (mask[d]) n *= t.sizes()[d];
  return n;
}

const char* reduce_name(ReduceOp op) {
  static const char* names[] = {"sum", "nansum", "prod", "amax", "amin", "all", "any", "argmax", "argmin"};
  return names[static_cast<int>(op)];
}

// The (input, output) dtype pairs a reduce kernel reads and writes
// directly: the same dtype, integers and bool summed (or multiplied) into
// int64, and all/any's bool or uint8 results. For any other pair the input
// is cast to the output dtype first, as PyTorch's dtype= argument is defined.
bool reduce_kernel_supports(ReduceOp op, Dtype in, Dtype out) {
  if (op == ReduceOp::argmax || op == ReduceOp::argmin || in == out) return true;
  if (out == kInt64 && is_integral(in, true)) return true;
  return (op == ReduceOp::all || op == ReduceOp::any) && (out == kBool || out == kUInt8);
}

// Runs a reduce kernel (no autograd).
Tensor raw_reduce(ReduceOp op, const Tensor& input_in, const std::vector<bool>& mask, bool keepdim, Dtype out_dtype) {
  NoGradGuard no_grad;
  bool arg = op == ReduceOp::argmax || op == ReduceOp::argmin;
  const Tensor input =
      reduce_kernel_supports(op, input_in.dtype(), out_dtype) ? input_in : to_dtype(input_in, out_dtype);
  ReduceIter it = make_reduce_iter(input, mask, out_dtype, arg);
  if (it.out_numel > 0) {
    if (it.red_numel == 0) {
      DG_CHECK(op != ReduceOp::amax && op != ReduceOp::amin && !arg, Error, reduce_name(op),
               "(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with "
               "the 'dim' argument.");
      fill_(it.output, op == ReduceOp::prod || op == ReduceOp::all ? 1 : 0);
    } else {
      checked_kernel(kernel_table(input.device().type).reduce[static_cast<int>(op)], reduce_name(op),
                     input.device())(it);
    }
  }
  Shape shape = result_shape(input, mask, keepdim);
  return shape.size() == it.output.sizes().size() ? it.output : reshape(it.output, shape);
}

// g of a reduction broadcast back to the input's shape.
Tensor expand_grad(Tensor g, const std::vector<bool>& mask, bool keepdim, IntArrayRef in_shape) {
  if (!keepdim)
    for (size_t d = 0; d < mask.size(); ++d)
      if (mask[d]) g = unsqueeze(g, static_cast<int64_t>(d));
  return expand(g, in_shape);
}

struct SumBackward final : Node {
  const char* op;
  Shape in_shape;
  std::vector<bool> mask;
  bool keepdim;
  double scale;
  SumBackward(const char* o, IntArrayRef s, std::vector<bool> m, bool k, double sc)
      : op(o), in_shape(s), mask(std::move(m)), keepdim(k), scale(sc) {}
  std::string name() const override { return op; }
  TensorList apply(TensorList&& grads) override {
    Tensor g = scale != 1.0 ? mul(grads[0], scale) : grads[0];
    return {expand_grad(g, mask, keepdim, in_shape)};
  }
};

// prod: g * prod / x, with zeros handled (a single zero gets the product of
// the others; with two or more zeros every gradient is zero).
struct ProdBackward final : Node {
  std::vector<bool> mask;
  bool keepdim;
  SavedVariable x, y;
  ProdBackward(std::vector<bool> m, bool k) : mask(std::move(m)), keepdim(k) {}
  std::string name() const override { return "ProdBackward0"; }
  void release_variables() override {
    x.reset();
    y.reset();
  }
  TensorList apply(TensorList&& grads) override {
    Tensor xv = x.unpack(this), yv = y.unpack(this);
    Tensor g = expand_grad(grads[0], mask, keepdim, xv.sizes());
    Tensor out = expand_grad(yv, mask, keepdim, xv.sizes());
    Tensor is_zero = eq(xv, 0);
    Tensor nonzero_x = where(is_zero, ones_like(xv), xv);
    std::vector<int64_t> dims;
    for (size_t d = 0; d < mask.size(); ++d)
      if (mask[d]) dims.push_back(static_cast<int64_t>(d));
    Tensor others = expand_grad(prod(nonzero_x, dims, keepdim), mask, keepdim, xv.sizes());
    Tensor zeros_count = expand_grad(sum(is_zero, dims, keepdim), mask, keepdim, xv.sizes());
    Tensor grad_zero = where(eq(zeros_count, 1), others, zeros_like(others));
    return {mul(g, conj(where(is_zero, grad_zero, div(out, nonzero_x))))};
  }
};

// amax/amin: the gradient is shared evenly by the elements equal to the result.
struct AmaxBackward final : Node {
  const char* op;
  std::vector<bool> mask;
  bool keepdim;
  SavedVariable x, y;
  AmaxBackward(const char* o, std::vector<bool> m, bool k) : op(o), mask(std::move(m)), keepdim(k) {}
  std::string name() const override { return op; }
  void release_variables() override {
    x.reset();
    y.reset();
  }
  TensorList apply(TensorList&& grads) override {
    Tensor xv = x.unpack(this);
    Tensor hit = eq(xv, expand_grad(y.unpack(this), mask, keepdim, xv.sizes()));
    std::vector<int64_t> dims;
    for (size_t d = 0; d < mask.size(); ++d)
      if (mask[d]) dims.push_back(static_cast<int64_t>(d));
    Tensor count = expand_grad(sum(hit, dims, keepdim), mask, keepdim, xv.sizes());
    return {div(mul(expand_grad(grads[0], mask, keepdim, xv.sizes()), hit), count)};
  }
};

// max(dim)/min(dim) values: the gradient goes to the reported index.
struct IndexedValueBackward final : Node {
  const char* op;
  int64_t dim;
  bool keepdim;
  Shape in_shape;
  Tensor indices;  // int64, not a graph input
  IndexedValueBackward(const char* o, int64_t d, bool k, IntArrayRef s, Tensor idx)
      : op(o), dim(d), keepdim(k), in_shape(s), indices(std::move(idx)) {}
  std::string name() const override { return op; }
  TensorList apply(TensorList&& grads) override {
    Tensor g = grads[0], idx = indices;
    if (!keepdim && !in_shape.empty()) {
      g = unsqueeze(g, dim);
      idx = unsqueeze(idx, dim);
    }
    if (in_shape.empty()) return {g};
    Shape pos_shape(in_shape.size(), 1);
    pos_shape[dim] = in_shape[dim];
    Tensor pos = reshape(arange(0, in_shape[dim], 1, TensorOptions(kInt64).device(g.device())), pos_shape);
    return {mul(expand(g, in_shape), eq(pos, idx))};
  }
};

Dtype sum_dtype(const Tensor& t, std::optional<Dtype> dtype) {
  if (dtype) return *dtype;
  return is_integral(t.dtype(), true) ? kInt64 : t.dtype();
}

bool differentiable_dtype(Dtype d) { return is_floating_point(d) || is_complex(d); }

Tensor sum_like(const Tensor& t, IntArrayRef dims, bool all, bool keepdim, std::optional<Dtype> dtype, bool is_mean,
                bool nan, const char* node) {
  std::vector<bool> mask = reduced_mask(t, dims, all);
  Dtype out_dtype = sum_dtype(t, dtype);
  if (is_mean) {
    Dtype md = dtype ? *dtype : t.dtype();
    DG_CHECK(differentiable_dtype(md), Error,
             "mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. "
             "Got: ", dtype_name(md));
    out_dtype = md;
  }
  Tensor input = t;
  if (dtype && differentiable_dtype(*dtype) != differentiable_dtype(t.dtype())) input = to_dtype(t, *dtype);
  int64_t count = reduced_count(t, mask);
  Tensor r = raw_reduce(nan ? ReduceOp::nansum : ReduceOp::sum, input, mask, keepdim, out_dtype);
  if (is_mean) {
    NoGradGuard no_grad;
    if (nan) {
      Tensor n = raw_reduce(ReduceOp::sum, logical_not(isnan(t)), mask, keepdim, out_dtype);
      r = div(r, n);
    } else {
      r = div(r, static_cast<double>(count));
    }
  }
  if (any_requires_grad({&t}) && differentiable_dtype(out_dtype)) {
    if (nan) {
      // NaN positions get no gradient; nanmean divides by the count of the others.
      std::vector<int64_t> all_dims;
      for (size_t d = 0; d < mask.size(); ++d)
        if (mask[d]) all_dims.push_back(static_cast<int64_t>(d));
      Tensor keep = logical_not(isnan(t));
      Tensor masked = where(keep, t, zeros_like(t));
      Tensor s = sum(masked, all_dims, keepdim, dtype);
      return is_mean ? div(s, sum(keep, all_dims, keepdim)) : s;
    }
    double scale = is_mean ? 1.0 / static_cast<double>(count) : 1.0;
    record(r, {&t}, make_intrusive<SumBackward>(node, t.sizes(), mask, keepdim, scale));
  }
  return r;
}

}  // namespace

Tensor sum(const Tensor& t, std::optional<Dtype> dtype) {
  return sum_like(t, {}, true, false, dtype, false, false, "SumBackward0");
}
Tensor sum(const Tensor& t, IntArrayRef dims, bool keepdim, std::optional<Dtype> dtype) {
  return sum_like(t, dims, true, keepdim, dtype, false, false, "SumBackward1");
}
Tensor mean(const Tensor& t, std::optional<Dtype> dtype) {
  return sum_like(t, {}, true, false, dtype, true, false, "MeanBackward0");
}
Tensor mean(const Tensor& t, IntArrayRef dims, bool keepdim, std::optional<Dtype> dtype) {
  return sum_like(t, dims, true, keepdim, dtype, true, false, "MeanBackward1");
}
Tensor nansum(const Tensor& t, IntArrayRef dims, bool keepdim, std::optional<Dtype> dtype) {
  return sum_like(t, dims, true, keepdim, dtype, false, true, "NansumBackward0");
}
Tensor nanmean(const Tensor& t, IntArrayRef dims, bool keepdim, std::optional<Dtype> dtype) {
  return sum_like(t, dims, true, keepdim, dtype, true, true, "NanmeanBackward0");
}

Tensor prod(const Tensor& t, std::optional<Dtype> dtype) { return prod(t, {}, false, dtype); }
Tensor prod(const Tensor& t, IntArrayRef dims, bool keepdim, std::optional<Dtype> dtype) {
  std::vector<bool> mask = reduced_mask(t, dims);
  Dtype out_dtype = sum_dtype(t, dtype);
  Tensor input = dtype ? to_dtype(t, *dtype) : t;
  Tensor r = raw_reduce(ReduceOp::prod, input, mask, keepdim, out_dtype);
  if (any_requires_grad({&t}) && differentiable_dtype(out_dtype)) {
    auto* n = record(r, {&t}, make_intrusive<ProdBackward>(mask, keepdim));
    n->x = SavedVariable(t, false);
    n->y = SavedVariable(r, true);
  }
  return r;
}

namespace {
Tensor amax_like(ReduceOp op, const Tensor& t, IntArrayRef dims, bool keepdim) {
  DG_CHECK(!is_complex(t.dtype()), Error, reduce_name(op), "(): does not support complex input");
  std::vector<bool> mask = reduced_mask(t, dims);
  Tensor r = raw_reduce(op, t, mask, keepdim, t.dtype());
  if (any_requires_grad({&t})) {
    auto* n = record(r, {&t}, make_intrusive<AmaxBackward>(op == ReduceOp::amax ? "AmaxBackward0" : "AminBackward0",
                                                         mask, keepdim));
    n->x = SavedVariable(t, false);
    n->y = SavedVariable(r, true);
  }
  return r;
}
}  // namespace

Tensor amax(const Tensor& t, IntArrayRef dims, bool keepdim) { return amax_like(ReduceOp::amax, t, dims, keepdim); }
Tensor amin(const Tensor& t, IntArrayRef dims, bool keepdim) { return amax_like(ReduceOp::amin, t, dims, keepdim); }
Tensor max(const Tensor& t) { return amax_like(ReduceOp::amax, t, {}, false); }
Tensor min(const Tensor& t) { return amax_like(ReduceOp::amin, t, {}, false); }

namespace {
void check_arg_reduction_dtype(const Tensor& t, const char* op) {
  DG_CHECK(t.dtype() != kBool, Error, op, "(): does not support bool input");
  DG_CHECK(!is_complex(t.dtype()), NotImplementedError, "\"", op, "\" not implemented for '", dtype_name(t.dtype()),
           "'");
}
}  // namespace

Tensor argmax(const Tensor& t, std::optional<int64_t> dim, bool keepdim) {
  check_arg_reduction_dtype(t, "argmax");
  if (!dim) {
    Tensor flat = reshape(t, {-1});
    Tensor r = raw_reduce(ReduceOp::argmax, flat, {true}, false, kInt64);
    return keepdim ? reshape(r, Shape(static_cast<size_t>(t.dim()), 1)) : r;
  }
  return raw_reduce(ReduceOp::argmax, t, reduced_mask(t, {*dim}), keepdim, kInt64);
}
Tensor argmin(const Tensor& t, std::optional<int64_t> dim, bool keepdim) {
  check_arg_reduction_dtype(t, "argmin");
  if (!dim) {
    Tensor flat = reshape(t, {-1});
    Tensor r = raw_reduce(ReduceOp::argmin, flat, {true}, false, kInt64);
    return keepdim ? reshape(r, Shape(static_cast<size_t>(t.dim()), 1)) : r;
  }
  return raw_reduce(ReduceOp::argmin, t, reduced_mask(t, {*dim}), keepdim, kInt64);
}

std::pair<Tensor, Tensor> max(const Tensor& t, int64_t dim, bool keepdim) {
  int64_t d = wrap_dim(dim, t.dim());
  Tensor idx = argmax(t, d, keepdim);
  Tensor values = raw_reduce(ReduceOp::amax, t, reduced_mask(t, {d}), keepdim, t.dtype());
  if (any_requires_grad({&t}))
    record(values, {&t}, make_intrusive<IndexedValueBackward>("MaxBackward0", d, keepdim, t.sizes(), idx));
  return {values, idx};
}
std::pair<Tensor, Tensor> min(const Tensor& t, int64_t dim, bool keepdim) {
  int64_t d = wrap_dim(dim, t.dim());
  Tensor idx = argmin(t, d, keepdim);
  Tensor values = raw_reduce(ReduceOp::amin, t, reduced_mask(t, {d}), keepdim, t.dtype());
  if (any_requires_grad({&t}))
    record(values, {&t}, make_intrusive<IndexedValueBackward>("MinBackward0", d, keepdim, t.sizes(), idx));
  return {values, idx};
}

Tensor all(const Tensor& t, IntArrayRef dims, bool keepdim) {
  return raw_reduce(ReduceOp::all, t, reduced_mask(t, dims), keepdim, t.dtype() == kUInt8 ? kUInt8 : kBool);
}
Tensor any(const Tensor& t, IntArrayRef dims, bool keepdim) {
  return raw_reduce(ReduceOp::any, t, reduced_mask(t, dims), keepdim, t.dtype() == kUInt8 ? kUInt8 : kBool);
}
Tensor count_nonzero(const Tensor& t, IntArrayRef dims) {
  return raw_reduce(ReduceOp::sum, ne(t, 0), reduced_mask(t, dims), false, kInt64);
}

// ---- composites ------------------------------------------------------------------------------------

Tensor var(const Tensor& t, IntArrayRef dims, double correction, bool keepdim) {
  DG_CHECK(differentiable_dtype(t.dtype()), Error, "std and var only support floating point and complex dtypes");
  std::vector<bool> mask = reduced_mask(t, dims);
  int64_t n = reduced_count(t, mask);
  std::vector<int64_t> all_dims;
  for (size_t d = 0; d < mask.size(); ++d)
    if (mask[d]) all_dims.push_back(static_cast<int64_t>(d));
  Tensor centered = sub(t, mean(t, all_dims, true));
  Tensor sq = is_complex(t.dtype()) ? real(mul(centered, conj(centered))) : square(centered);
  Tensor s = sum(sq, all_dims, keepdim);
  return div(s, std::max<double>(0.0, static_cast<double>(n) - correction));
}
Tensor std_dev(const Tensor& t, IntArrayRef dims, double correction, bool keepdim) {
  return sqrt(var(t, dims, correction, keepdim));
}

Tensor logsumexp(const Tensor& t, IntArrayRef dims, bool keepdim) {
  Tensor x = differentiable_dtype(t.dtype()) ? t : to_dtype(t, default_dtype());
  if (x.numel() == 0) return log(sum(exp(x), dims, keepdim));
  Tensor m;
  {
    NoGradGuard no_grad;
    m = amax(x, dims, true);
    m = where(isinf(m), zeros_like(m), m);  // all -inf (or inf) rows: no shift
  }
  Tensor r = add(log(sum(exp(sub(x, m)), dims, true)), m);
  if (!keepdim) {
    std::vector<bool> mask = reduced_mask(x, dims);
    std::vector<int64_t> drop;
    for (size_t d = 0; d < mask.size(); ++d)
      if (mask[d]) drop.push_back(static_cast<int64_t>(d));
    r = squeeze(r, drop);
  }
  return r;
}

namespace {
// softmax: y (g - sum(g y)); log_softmax: g - exp(y) sum(g). Written with
// dyngraph ops, so they are differentiable again.
struct SoftmaxBackward final : Node {
  int64_t dim;
  bool log;
  SavedVariable y;
  SoftmaxBackward(int64_t d, bool l) : dim(d), log(l) {}
  std::string name() const override { return log ? "LogSoftmaxBackward0" : "SoftmaxBackward0"; }
  void release_variables() override { y.reset(); }
  TensorList apply(TensorList&& grads) override {
    Tensor yv = y.unpack(this), g = grads[0];
    if (log) return {sub(g, mul(exp(yv), sum(g, {dim}, true)))};
    return {mul(yv, sub(g, sum(mul(g, yv), {dim}, true)))};
  }
};

// The fused kernel over the dim of the dense input seen as (outer, n, inner):
// no transpose, and the result is dense in the input's shape.
Tensor softmax_impl(const Tensor& t, int64_t dim, std::optional<Dtype> dtype, bool log) {
  DG_CHECK(dtype || is_floating_point(t.dtype()), NotImplementedError, "\"", log ? "log_softmax" : "softmax",
           "\" not implemented for '", dtype_name(t.dtype()), "'");
  Tensor x = dtype ? to_dtype(t, *dtype) : t;
  DG_CHECK(is_floating_point(x.dtype()), Error, "softmax: expected a floating point dtype");
  int64_t d = wrap_dim(dim, x.dim());
  Tensor out;
  {
    NoGradGuard no_grad;
    int64_t outer = 1, n = 1, inner = 1;
    for (int64_t i = 0; i < x.dim(); ++i) (i < d ? outer : i == d ? n : inner) *= x.sizes()[static_cast<size_t>(i)];
    out = empty(x.sizes(), TensorOptions(x.dtype()).device(x.device()));
    if (x.numel() > 0) {
      Tensor y = reshape(out, {outer, n, inner});
      checked_kernel(kernel_table(x.device().type).softmax, "softmax", x.device())(
          reshape(contiguous(x), {outer, n, inner}), y, log);
    }
  }
  if (any_requires_grad({&x})) {
    auto* n = record(out, {&x}, make_intrusive<SoftmaxBackward>(d, log));
    n->y = SavedVariable(out, true);
  }
  return out;
}
}  // namespace

Tensor softmax(const Tensor& t, int64_t dim, std::optional<Dtype> dtype) { return softmax_impl(t, dim, dtype, false); }
Tensor log_softmax(const Tensor& t, int64_t dim, std::optional<Dtype> dtype) {
  return softmax_impl(t, dim, dtype, true);
}

namespace {
// A reduced-shape mask broadcast back over the input's shape.
Tensor expand_grad_like(const Tensor& m, const Tensor& x, IntArrayRef dims, bool keepdim) {
  return expand_grad(m, reduced_mask(x, dims), keepdim, x.sizes());
}
}  // namespace

Tensor vector_norm(const Tensor& t, double ord, IntArrayRef dims, bool keepdim, std::optional<Dtype> dtype) {
  Tensor x = dtype ? to_dtype(t, *dtype) : t;
  DG_CHECK(differentiable_dtype(x.dtype()), Error,
           "linalg.vector_norm: Expected a floating point or complex tensor as input. Got ", dtype_name(x.dtype()));
  Tensor a = abs(x);
  if (std::isinf(ord)) return ord > 0 ? amax(a, dims, keepdim) : amin(a, dims, keepdim);
  if (ord == 0) return to_dtype(sum(ne(a, 0), dims, keepdim), a.dtype());
  if (ord == 1) return sum(a, dims, keepdim);
  if (ord == 2) {
    // sqrt(sum |x|^2), with a zero (not NaN) gradient at the zero vector.
    Tensor n = sqrt(sum(square(a), dims, keepdim));
    if (!any_requires_grad({&x})) return n;
    Tensor safe;
    {
      NoGradGuard no_grad;
      safe = eq(n, 0);
    }
    Tensor sq = sum(square(where(expand_grad_like(safe, x, dims, keepdim), zeros_like(a), a)), dims, keepdim);
    return where(safe, zeros_like(n), sqrt(where(safe, ones_like(sq), sq)));
  }
  return pow(sum(pow(a, ord), dims, keepdim), 1.0 / ord);
}

Tensor matrix_norm(const Tensor& t, const std::string& ord, IntArrayRef dims, bool keepdim) {
  DG_CHECK(t.dim() >= 2, Error, "linalg.matrix_norm: The input tensor A must have at least 2 dimensions.");
  DG_CHECK(dims.size() == 2, Error, "linalg.matrix_norm: dim must be a 2-tuple.");
  DG_CHECK(ord == "fro" || ord == "nuc", Error, "linalg.matrix_norm: Order ", ord, " not supported.");
  DG_CHECK(ord == "fro", Error, "linalg.matrix_norm: ord='nuc' needs singular values (linalg.svd), which this "
           "build does not have yet");
  return vector_norm(t, 2, dims, keepdim, std::nullopt);
}

Tensor matrix_norm(const Tensor& t, double ord, IntArrayRef dims, bool keepdim) {
  DG_CHECK(t.dim() >= 2, Error, "linalg.matrix_norm: The input tensor A must have at least 2 dimensions.");
  DG_CHECK(dims.size() == 2, Error, "linalg.matrix_norm: dim must be a 2-tuple.");
  bool by_rows = std::isinf(ord);
  DG_CHECK(by_rows || ord == 1 || ord == -1 || ord == 2 || ord == -2, Error, "linalg.matrix_norm: Order ", ord,
           " not supported.");
  DG_CHECK(by_rows || ord == 1 || ord == -1, Error, "linalg.matrix_norm: ord=", ord,
           " needs singular values (linalg.svd), which this build does not have yet");
  int64_t row = wrap_dim(dims[0], t.dim()), col = wrap_dim(dims[1], t.dim());
  DG_CHECK(row != col, Error, "linalg.matrix_norm: dims must be different. Got (", dims[0], ", ", dims[1], ")");
  // ord 1 sums down each column (over the row dim) and picks among columns; inf the other way round.
  int64_t summed = by_rows ? col : row, picked = by_rows ? row : col;
  Tensor sums = sum(abs(t), {summed}, /*keepdim=*/true);
  Tensor r = ord > 0 ? amax(sums, {picked}, true) : amin(sums, {picked}, true);
  return keepdim ? r : squeeze(r, {row, col});
}

}  // namespace dg
