// Joining (cat, stack), reordering (flip, roll, repeat) and sorting (sort,
// argsort, topk, kthvalue, median) and cumulative sums/products.
#include <limits>

#include "autograd/record.h"
#include "core/dispatch.h"
#include "dyngraph/ops.h"

namespace dg {

namespace {

// d(cat): each input gets its slice of the gradient.
struct CatBackward final : Node {
  int64_t dim;
  std::vector<int64_t> lengths;
  CatBackward(int64_t d, std::vector<int64_t> l) : dim(d), lengths(std::move(l)) {}
  std::string name() const override { return "CatBackward0"; }
  TensorList apply(TensorList&& g) override {
    TensorList out;
    int64_t start = 0;
    for (size_t i = 0; i < lengths.size(); ++i) {
      out.push_back(next_edges[i].valid() ? narrow(g[0], dim, start, lengths[i]) : Tensor());
      start += lengths[i];
    }
    return out;
  }
};

// Moves dim last and makes the data dense for the row kernels.
Tensor last_dim_dense(const Tensor& t, int64_t dim) { return contiguous(movedim(t, {dim}, {-1})); }

}  // namespace

Tensor cat(const std::vector<Tensor>& tensors, int64_t dim) {
  DG_CHECK(!tensors.empty(), ValueError, "torch.cat(): expected a non-empty list of Tensors");
  // 1-D empty tensors are skipped, as in PyTorch.
  const Tensor* ref = nullptr;
  Dtype dtype = tensors[0].dtype();
  for (const auto& t : tensors) {
    dtype = promote_types(dtype, t.dtype());
    if (!(t.dim() == 1 && t.numel() == 0) && !ref) ref = &t;
  }
  if (!ref) return empty({0}, TensorOptions(dtype).device(tensors[0].device()));
  for (size_t i = 0; i < tensors.size(); ++i)
    DG_CHECK(tensors[i].dim() > 0, Error, "zero-dimensional tensor (at position ", i, ") cannot be concatenated");
  int64_t d = wrap_dim(dim, ref->dim());
  Shape shape(ref->sizes());
  int64_t total = 0;
  std::vector<int64_t> lengths;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const Tensor& t = tensors[i];
    if (t.dim() == 1 && t.numel() == 0) {
      lengths.push_back(0);
      continue;
    }
    DG_CHECK(t.dim() == ref->dim(), Error, "Tensors must have same number of dimensions: got ", ref->dim(), " and ",
             t.dim());
    for (int64_t k = 0; k < t.dim(); ++k)
      DG_CHECK(k == d || t.sizes()[k] == shape[k], Error, "Sizes of tensors must match except in dimension ", d,
               ". Expected size ", shape[k], " but got size ", t.sizes()[k], " for tensor number ", i,
               " in the list.");
    lengths.push_back(t.sizes()[d]);
    total += t.sizes()[d];
  }
  shape[d] = total;
  Tensor out = empty(shape, TensorOptions(dtype).device(ref->device()));
  {
    NoGradGuard no_grad;
    int64_t start = 0;
    for (size_t i = 0; i < tensors.size(); ++i) {
      if (lengths[i] == 0) continue;
      Tensor part = narrow(out, d, start, lengths[i]);
      copy_(part, tensors[i]);
      start += lengths[i];
    }
  }
  bool grad = false;
  for (const auto& t : tensors) grad = grad || any_requires_grad({&t});
  if (grad && (is_floating_point(dtype) || is_complex(dtype))) {
    auto node = make_intrusive<CatBackward>(d, lengths);
    node->next_edges = collect_next_edges(tensors);
    set_history(out, node);
  }
  return out;
}

Tensor stack(const std::vector<Tensor>& tensors, int64_t dim) {
  DG_CHECK(!tensors.empty(), Error, "stack expects a non-empty TensorList");
  int64_t d = wrap_dim(dim, tensors[0].dim() + 1);
  std::vector<Tensor> parts;
  for (const auto& t : tensors) {
    DG_CHECK(t.sizes().equals(tensors[0].sizes()), Error, "stack expects each tensor to be equal size, but got ",
             tensors[0].sizes(), " at entry 0 and ", t.sizes(), " at entry ", parts.size());
    parts.push_back(unsqueeze(t, d));
  }
  return cat(parts, d);
}

Tensor flip(const Tensor& t, IntArrayRef dims) {
  Tensor out = t;
  for (int64_t dim : dims) {
    int64_t d = wrap_dim(dim, t.dim());
    if (t.dim() == 0) continue;
    int64_t n = t.sizes()[d];
    out = index_select(out, d, arange(n - 1, -1, -1, TensorOptions(kInt64).device(t.device())));
  }
  return dims.empty() ? clone(t) : out;
}

Tensor roll(const Tensor& t, IntArrayRef shifts, IntArrayRef dims) {
  if (dims.empty()) {
    DG_CHECK(shifts.size() == 1, Error, "roll: shifts and dims must align when dims is empty");
    return reshape(roll(flatten(t), shifts, {0}), t.sizes());
  }
  DG_CHECK(shifts.size() == dims.size(), Error, "shifts and dimensions must align. shifts: ", shifts.size(),
           ", dims:", dims.size());
  Tensor out = t;
  for (size_t i = 0; i < dims.size(); ++i) {
    int64_t d = wrap_dim(dims[i], t.dim()), n = t.dim() ? t.sizes()[d] : 1;
    if (n == 0) continue;
    int64_t s = ((shifts[i] % n) + n) % n;
    if (s == 0) continue;
    out = cat({narrow(out, d, n - s, s), narrow(out, d, 0, n - s)}, d);
  }
  return out.is_same(t) ? clone(t) : out;
}

Tensor repeat(const Tensor& t, IntArrayRef repeats) {
  DG_CHECK(static_cast<int64_t>(repeats.size()) >= t.dim(), Error,
           "Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor");
  int64_t lead = static_cast<int64_t>(repeats.size()) - t.dim();
  Shape padded(static_cast<size_t>(lead), 1);
  for (int64_t s : t.sizes()) padded.push_back(s);
  Tensor x = reshape(t, padded);
  // Interleave a new size-r dim before each dim, expand, and merge.
  Shape expanded_shape, final_shape, unsq;
  for (size_t i = 0; i < repeats.size(); ++i) {
    unsq.push_back(1);
    unsq.push_back(padded[i]);
    expanded_shape.push_back(repeats[i]);
    expanded_shape.push_back(padded[i]);
    final_shape.push_back(checked_mul(repeats[i], padded[i], "repeat"));
  }
  return reshape(contiguous(expand(reshape(x, unsq), expanded_shape)), final_shape);
}

Tensor repeat_interleave(const Tensor& t, int64_t repeats, std::optional<int64_t> dim) {
  Tensor x = dim ? t : flatten(t);
  int64_t d = dim ? wrap_dim(*dim, t.dim()) : 0;
  if (x.dim() == 0) x = reshape(x, {1});
  DG_CHECK(repeats >= 0, Error, "repeats can not be negative");
  int64_t n = x.sizes()[d];
  Tensor idx = reshape(expand(unsqueeze(arange(0, n, 1, TensorOptions(kInt64).device(t.device())), 1), {n, repeats}), {-1});
  return index_select(x, d, idx);
}

// ---- sorting -------------------------------------------------------------------------------------

namespace {
// The gradient of values gathered by indices along dim: scattered back.
struct SortBackward final : Node {
  int64_t dim;
  Shape in_shape;
  Tensor indices;
  SortBackward(int64_t d, IntArrayRef s, Tensor idx) : dim(d), in_shape(s), indices(std::move(idx)) {}
  std::string name() const override { return "SortBackward0"; }
  TensorList apply(TensorList&& g) override {
    return {scatter(zeros(in_shape, TensorOptions(g[0].dtype()).device(g[0].device())), dim, indices, g[0])};
  }
};
}  // namespace

std::pair<Tensor, Tensor> sort(const Tensor& t, int64_t dim, bool descending) {
  DG_CHECK(!is_complex(t.dtype()), Error, "sort(): complex tensors cannot be sorted");
  if (t.dim() == 0) return {clone(t), zeros({}, TensorOptions(kInt64).device(t.device()))};
  int64_t d = wrap_dim(dim, t.dim());
  Tensor dense = last_dim_dense(detach(t), d);
  Tensor values = empty(dense.sizes(), TensorOptions(t.dtype()).device(t.device()));
  Tensor indices = empty(dense.sizes(), TensorOptions(kInt64).device(t.device()));
  if (dense.numel() > 0)
    checked_kernel(kernel_table(t.device().type).sort, "sort", t.device())(dense, values, indices, descending);
  values = movedim(values, {-1}, {d});
  indices = movedim(indices, {-1}, {d});
  if (any_requires_grad({&t})) record(values, {&t}, make_intrusive<SortBackward>(d, t.sizes(), indices));
  return {values, indices};
}

Tensor argsort(const Tensor& t, int64_t dim, bool descending) { return sort(t, dim, descending).second; }

std::pair<Tensor, Tensor> topk(const Tensor& t, int64_t k, int64_t dim, bool largest, bool sorted) {
  int64_t d = wrap_dim(dim, t.dim());
  int64_t n = t.dim() ? t.sizes()[d] : 1;
  DG_CHECK(k >= 0 && k <= n, Error, "selected index k out of range");
  (void)sorted;  // the results are always sorted
  auto [v, i] = sort(t, d, largest);
  if (t.dim() == 0) return {v, i};
  return {narrow(v, d, 0, k), narrow(i, d, 0, k)};
}

std::pair<Tensor, Tensor> kthvalue(const Tensor& t, int64_t k, int64_t dim, bool keepdim) {
  int64_t d = wrap_dim(dim, t.dim());
  int64_t n = t.dim() ? t.sizes()[d] : 1;
  DG_CHECK(k >= 1 && k <= n, Error, "kthvalue(): selected number k out of range for dimension ", d);
  auto [v, i] = sort(t, d, false);
  if (t.dim() == 0) return {v, i};
  Tensor vv = narrow(v, d, k - 1, 1), ii = narrow(i, d, k - 1, 1);
  if (!keepdim) {
    vv = squeeze(vv, {d});
    ii = squeeze(ii, {d});
  }
  return {vv, ii};
}

Tensor median(const Tensor& t) {
  Tensor flat = flatten(t);
  DG_CHECK(flat.numel() > 0, Error, "median() input tensor cannot be empty");
  return median(flat, 0, false).first;
}
// The lower median from the sorted order, except that a slice holding a NaN
// has median NaN (at its first NaN), as in PyTorch; sort puts NaN last, so
// the sorted order alone would skip it. nanmedian is the one that ignores NaN.
std::pair<Tensor, Tensor> median(const Tensor& t, int64_t dim, bool keepdim) {
  int64_t d = wrap_dim(dim, t.dim());
  int64_t n = t.dim() ? t.sizes()[d] : 1;
  auto [values, indices] = kthvalue(t, (n + 1) / 2, d, keepdim);
  if (!is_floating_point(t.dtype()) || t.numel() == 0) return {values, indices};
  Tensor nan_mask;
  {
    NoGradGuard no_grad;
    nan_mask = isnan(t);
    if (!any(nan_mask).item<bool>()) return {values, indices};
  }
  Tensor slice_has_nan = t.dim() ? any(nan_mask, {d}, keepdim) : nan_mask;
  Tensor first_nan = t.dim() ? argmax(to_dtype(nan_mask, kUInt8), d, keepdim)
                                 : zeros({}, TensorOptions(kInt64).device(t.device()));
  return {where(slice_has_nan, Scalar(std::numeric_limits<double>::quiet_NaN()), values),
          where(slice_has_nan, first_nan, indices)};
}

// ---- scans -------------------------------------------------------------------------------------------

namespace {
struct CumsumBackward final : Node {
  int64_t dim;
  explicit CumsumBackward(int64_t d) : dim(d) {}
  std::string name() const override { return "CumsumBackward0"; }
  TensorList apply(TensorList&& g) override {
    // Reverse cumulative sum of the gradient.
    return {flip(cumsum(flip(g[0], {dim}), dim), {dim})};
  }
};
struct CumprodBackward final : Node {
  int64_t dim;
  SavedVariable x, y;
  explicit CumprodBackward(int64_t d) : dim(d) {}
  std::string name() const override { return "CumprodBackward0"; }
  void release_variables() override {
    x.reset();
    y.reset();
  }
  TensorList apply(TensorList&& g) override {
    // For nonzero inputs: sum_{j >= i} g_j y_j / x_i.
    Tensor yv = y.unpack(this), xv = x.unpack(this);
    Tensor rev = flip(cumsum(flip(mul(g[0], conj(yv)), {dim}), dim), {dim});
    return {div(rev, conj(xv))};
  }
};

Tensor scan(const Tensor& t, int64_t dim, std::optional<Dtype> dtype, ScanOp op) {
  Dtype out_dtype = dtype ? *dtype : (is_integral(t.dtype(), true) ? kInt64 : t.dtype());
  if (t.dim() == 0) return to_dtype(t, out_dtype, true);
  int64_t d = wrap_dim(dim, t.dim());
  Tensor dense = last_dim_dense(to_dtype(detach(t), out_dtype), d);
  Tensor out = empty(dense.sizes(), TensorOptions(out_dtype).device(t.device()));
  if (dense.numel() > 0) checked_kernel(kernel_table(t.device().type).scan, "cumsum", t.device())(dense, out, op);
  return movedim(out, {-1}, {d});
}
}  // namespace

Tensor cumsum(const Tensor& t, int64_t dim, std::optional<Dtype> dtype) {
  Tensor out = scan(t, dim, dtype, ScanOp::cumsum);
  if (any_requires_grad({&t}) && (is_floating_point(out.dtype()) || is_complex(out.dtype())))
    record(out, {&t}, make_intrusive<CumsumBackward>(wrap_dim(dim, t.dim())));
  return out;
}
Tensor cumprod(const Tensor& t, int64_t dim, std::optional<Dtype> dtype) {
  Tensor out = scan(t, dim, dtype, ScanOp::cumprod);
  if (any_requires_grad({&t}) && (is_floating_point(out.dtype()) || is_complex(out.dtype()))) {
    auto* n = record(out, {&t}, make_intrusive<CumprodBackward>(wrap_dim(dim, t.dim())));
    n->x = SavedVariable(t, false);
    n->y = SavedVariable(out, true);
  }
  return out;
}

}  // namespace dg
