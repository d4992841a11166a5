// Advanced indexing (integer and boolean tensors as indices), gather,
// scatter, index_select, masked ops, nonzero, take. Every op becomes element
// offsets into the source plus the take/put kernels; backward scatters the
// gradient back with the same offsets.
#include <numeric>

#include "autograd/record.h"
#include "core/dispatch.h"
#include "dyngraph/ops.h"

namespace dg {

namespace {

Tensor int64_of(const Tensor& t) { return t.dtype() == kInt64 ? t : to_dtype(t, kInt64); }

// Wraps negative indices and checks bounds (IndexError naming dim and size).
Tensor checked_index(const Tensor& idx, int64_t size, int64_t dim) {
  NoGradGuard no_grad;
  Tensor i = int64_of(idx);
  if (i.numel() == 0) return i;
  int64_t lo = min(i).item<int64_t>(), hi = max(i).item<int64_t>();
  DG_CHECK(hi < size, IndexError, "index ", hi, " is out of bounds for dimension ", dim, " with size ", size);
  DG_CHECK(lo >= -size, IndexError, "index ", lo, " is out of bounds for dimension ", dim, " with size ", size);
  return lo < 0 ? where(lt(i, 0), add(i, size), i) : i;
}

// Offsets of every element of the dims not in `dims` (row-major over them).
std::vector<int64_t> rest_offsets(IntArrayRef sizes, IntArrayRef strides, const std::vector<int64_t>& rest_dims) {
  std::vector<int64_t> out{0};
  for (int64_t d : rest_dims) {
    std::vector<int64_t> next;
    next.reserve(out.size() * static_cast<size_t>(sizes[d]));
    for (int64_t o : out)
      for (int64_t i = 0; i < sizes[d]; ++i) next.push_back(o + i * strides[d]);
    out.swap(next);
  }
  return out;
}

// A planned advanced-indexing access into a tensor geometry.
struct IndexPlan {
  Tensor offsets;                 // int64, shape B (contiguous)
  std::vector<int64_t> rest;      // offsets over the non-indexed dims
  Shape out_shape;                // B + rest sizes (B first)
  std::vector<int64_t> rest_dims;
  Shape b_shape;
  int64_t insert_at;              // where B goes in the final result
};

// Offsets live on `device` (the indexed tensor's): index tensors on another
// device are moved there first, as PyTorch allows CPU indices for GPU tensors.
IndexPlan plan(IntArrayRef sizes, IntArrayRef strides, const std::vector<std::pair<int64_t, Tensor>>& indices,
               Device device) {
  IndexPlan p;
  Shape b;
  try {
    for (auto& [d, idx] : indices) b = broadcast_shapes(b, idx.sizes());
  } catch (const Error&) {
    std::string shapes;
    for (auto& [d, idx] : indices) shapes += (shapes.empty() ? "" : ", ") + Tensor(idx).str();
    DG_FAIL(IndexError, "shape mismatch: indexing tensors could not be broadcast together (", shapes, ")");
  }
  p.b_shape = b;
  std::vector<bool> indexed(sizes.size(), false);
  NoGradGuard no_grad;
  Tensor off = zeros(b, TensorOptions(kInt64).device(device));
  for (auto& [d, idx] : indices) {
    indexed[d] = true;
    off = add(off, mul(checked_index(to_device(idx, device), sizes[d], d), strides[d]));
  }
  p.offsets = contiguous(off);
  bool adjacent = true;
  for (size_t k = 1; k < indices.size(); ++k) adjacent = adjacent && indices[k].first == indices[k - 1].first + 1;
  for (size_t d = 0; d < sizes.size(); ++d)
    if (!indexed[d]) p.rest_dims.push_back(static_cast<int64_t>(d));
  p.rest = rest_offsets(sizes, strides, p.rest_dims);
  p.out_shape = b;
  for (int64_t d : p.rest_dims) p.out_shape.push_back(sizes[d]);
  // Adjacent indexed dims keep their place; otherwise the indexed dims go first (NumPy's rule).
  p.insert_at = 0;
  if (adjacent && !indices.empty())
    for (int64_t d : p.rest_dims)
      if (d < indices.front().first) ++p.insert_at;
  return p;
}

// Moves the B dims (first in the kernel's layout) to their final place.
Tensor place_b(const Tensor& t, const IndexPlan& p) {
  int64_t nb = static_cast<int64_t>(p.b_shape.size());
  if (p.insert_at == 0 || nb == 0) return t;
  Shape perm;
  for (int64_t i = 0; i < p.insert_at; ++i) perm.push_back(nb + i);
  for (int64_t i = 0; i < nb; ++i) perm.push_back(i);
  for (int64_t i = nb + p.insert_at; i < t.dim(); ++i) perm.push_back(i);
  return contiguous(permute(t, perm));
}
// The inverse: B dims back to the front.
Tensor unplace_b(const Tensor& t, const IndexPlan& p) {
  int64_t nb = static_cast<int64_t>(p.b_shape.size());
  if (p.insert_at == 0 || nb == 0) return contiguous(t);
  Shape perm;
  for (int64_t i = 0; i < nb; ++i) perm.push_back(p.insert_at + i);
  for (int64_t i = 0; i < p.insert_at; ++i) perm.push_back(i);
  for (int64_t i = p.insert_at + nb; i < t.dim(); ++i) perm.push_back(i);
  return contiguous(permute(t, perm));
}

IndexArgs args_for(const IndexPlan& p, Dtype dtype, char* base, char* values) {
  IndexArgs a;
  a.dtype = dtype;
  a.base = base;
  a.values = values;
  a.offsets = p.offsets.data_ptr<int64_t>();
  a.blocks = p.offsets.numel();
  a.rest = p.rest.data();
  a.rest_count = static_cast<int64_t>(p.rest.size());
  return a;
}

// Values of t at the plan (t's own strides), laid out B-first.
Tensor take_raw(const Tensor& t, const IndexPlan& p) {
  Tensor out = empty(p.out_shape, TensorOptions(t.dtype()).device(t.device()));
  if (out.numel() > 0)
    checked_kernel(kernel_table(t.device().type).take, "index", t.device())(
        args_for(p, t.dtype(), static_cast<char*>(t.data_ptr()), static_cast<char*>(out.data_ptr())));
  return out;
}

// t[plan] (+)= values (values B-first, dense).
void put_raw(Tensor& t, const IndexPlan& p, const Tensor& values, bool accumulate) {
  if (values.numel() == 0) return;
  IndexArgs a = args_for(p, t.dtype(), static_cast<char*>(t.data_ptr()), static_cast<char*>(values.data_ptr()));
  a.accumulate = accumulate;
  t.impl()->storage()->bump_version();
  checked_kernel(kernel_table(t.device().type).put, "index_put_", t.device())(a);
}

std::vector<std::pair<int64_t, Tensor>> expand_masks(const Tensor& t, const std::vector<std::pair<int64_t, Tensor>>& in) {
  // A bool mask over k dims becomes k integer index tensors (its nonzero coordinates).
  std::vector<std::pair<int64_t, Tensor>> out;
  for (auto& [d, idx] : in) {
    if (idx.dtype() == kBool || idx.dtype() == kUInt8) {
      for (int64_t k = 0; k < idx.dim(); ++k)
        DG_CHECK(d + k < t.dim() && idx.sizes()[k] == t.sizes()[d + k], IndexError, "The shape of the mask ",
                 idx.sizes(), " at index ", k, " does not match the shape of the indexed tensor ", t.sizes(),
                 " at index ", d + k);
      Tensor nz = nonzero(idx);
      for (int64_t k = 0; k < idx.dim(); ++k) out.emplace_back(d + k, select(nz, 1, k));
      if (idx.dim() == 0) out.emplace_back(d, zeros({idx.item<bool>() ? 1 : 0}, TensorOptions(kInt64).device(t.device())));
    } else {
      DG_CHECK(idx.dtype() == kInt64 || idx.dtype() == kInt32, IndexError,
               "tensors used as indices must be long, int, byte or bool tensors");
      out.emplace_back(d, idx);
    }
  }
  return out;
}

// Backward of indexing: the gradient scattered (added) into zeros of the input's shape.
struct IndexBackward final : Node {
  Shape in_shape;
  std::vector<std::pair<int64_t, Tensor>> indices;
  IndexBackward(IntArrayRef s, std::vector<std::pair<int64_t, Tensor>> idx) : in_shape(s), indices(std::move(idx)) {}
  std::string name() const override { return "IndexBackward0"; }
  TensorList apply(TensorList&& g) override { return {index_put(zeros(in_shape, TensorOptions(g[0].dtype()).device(g[0].device())), indices, g[0], true)}; }
};

// Backward of index_put: values get their elements' gradient; self gets
// the gradient except where it was overwritten.
struct IndexPutBackward final : Node {
  std::vector<std::pair<int64_t, Tensor>> indices;
  bool accumulate;
  Shape values_shape;
  IndexPutBackward(std::vector<std::pair<int64_t, Tensor>> idx, bool acc, IntArrayRef vs)
      : indices(std::move(idx)), accumulate(acc), values_shape(vs) {}
  std::string name() const override { return accumulate ? "IndexPutBackward0" : "IndexPutBackward0"; }
  TensorList apply(TensorList&& g) override {
    Tensor gs, gv;
    if (next_edges[0].valid())
      gs = accumulate ? g[0] : index_put(g[0], indices, zeros({}, TensorOptions(g[0].dtype()).device(g[0].device())), false);
    if (next_edges[1].valid()) gv = index(g[0], indices);
    return {gs, gv};
  }
};

void index_put_raw_(Tensor& self, const std::vector<std::pair<int64_t, Tensor>>& raw_indices, const Tensor& values,
                    bool accumulate);

}  // namespace

Tensor nonzero(const Tensor& t) {
  NoGradGuard no_grad;
  Tensor dense = contiguous(t);
  return checked_kernel(kernel_table(t.device().type).nonzero, "nonzero", t.device())(dense);
}

Tensor index(const Tensor& t, const std::vector<std::pair<int64_t, Tensor>>& raw_indices) {
  auto indices = expand_masks(t, raw_indices);
  if (indices.empty()) return alias(t);
  IndexPlan p = plan(t.sizes(), t.strides(), indices, t.device());
  Tensor base = t;
  Tensor out;
  {
    NoGradGuard no_grad;
    out = place_b(take_raw(base, p), p);
  }
  if (any_requires_grad({&t})) record(out, {&t}, make_intrusive<IndexBackward>(t.sizes(), indices));
  return out;
}

Tensor index_put(const Tensor& self, const std::vector<std::pair<int64_t, Tensor>>& raw_indices, const Tensor& values,
                 bool accumulate) {
  DG_CHECK(values.dtype() == self.dtype(), Error,
           "Index put requires the source and destination dtypes match, got ", dtype_name(self.dtype()),
           " for the destination and ", dtype_name(values.dtype()), " for the source.");
  Tensor out = clone(self);
  {
    NoGradGuard no_grad;
    index_put_raw_(out, raw_indices, values, accumulate);
  }
  if (any_requires_grad({&self, &values})) {
    auto node = make_intrusive<IndexPutBackward>(expand_masks(self, raw_indices), accumulate, values.sizes());
    node->next_edges = collect_next_edges({&self, &values});
    // out's history is the node's (replacing clone's)
    AutogradMeta& m = out.impl()->ensure_autograd_meta();
    m.grad_fn.reset();
    set_history(out, node);
  }
  return out;
}

namespace {
void index_put_raw_(Tensor& self, const std::vector<std::pair<int64_t, Tensor>>& raw_indices, const Tensor& values,
                    bool accumulate) {
  auto indices = expand_masks(self, raw_indices);
  IndexPlan p = plan(self.sizes(), self.strides(), indices, self.device());
  Shape final_shape(p.out_shape);
  {
    // The values broadcast to the indexed result's shape (B in its final place).
    Shape placed;
    int64_t nb = static_cast<int64_t>(p.b_shape.size());
    for (int64_t i = 0; i < p.insert_at; ++i) placed.push_back(p.out_shape[nb + i]);
    for (int64_t i = 0; i < nb; ++i) placed.push_back(p.out_shape[i]);
    for (size_t i = nb + p.insert_at; i < p.out_shape.size(); ++i) placed.push_back(p.out_shape[i]);
    final_shape = placed;
  }
  // Values from another device come over (a 0-dim CPU value with a GPU target, as PyTorch allows).
  Tensor v = to_device(to_dtype(values, self.dtype()), self.device());
  while (v.dim() > static_cast<int64_t>(final_shape.size()) && v.sizes()[0] == 1) v = select(v, 0, 0);
  v = unplace_b(expand(v, final_shape), p);
  put_raw(self, p, v, accumulate);
}
}  // namespace

Tensor& index_put_(Tensor& self, const std::vector<std::pair<int64_t, Tensor>>& indices, const Tensor& values,
                   bool accumulate) {
  DG_CHECK(values.dtype() == self.dtype(), Error,
           "Index put requires the source and destination dtypes match, got ", dtype_name(self.dtype()),
           " for the destination and ", dtype_name(values.dtype()), " for the source.");
  bool grad = any_requires_grad({&self, &values});
  if (!grad) {
    check_inplace(self);
    index_put_raw_(self, indices, values, accumulate);
    return self;
  }
  return inplace_with_history(self, [&](const Tensor& old) { return index_put(old, indices, values, accumulate); });
}

Tensor index_select(const Tensor& t, int64_t dim, const Tensor& idx) {
  DG_CHECK(idx.dim() <= 1, IndexError, "index_select(): Index is supposed to be a vector");
  DG_CHECK(idx.dtype() == kInt64 || idx.dtype() == kInt32, Error, "index_select(): Expected dtype int32/int64 for index");
  if (idx.numel() > 0) {
    NoGradGuard no_grad;
    DG_CHECK(min(idx).item<int64_t>() >= 0, IndexError, "index out of range in self");
  }
  int64_t d = wrap_dim(dim, t.dim());
  if (t.dim() == 0) return index(unsqueeze(t, 0), {{0, reshape(idx, {-1})}}).reshape({});
  return index(t, {{d, reshape(idx, {-1})}});
}

Tensor masked_fill(const Tensor& t, const Tensor& mask, const Scalar& value) {
  DG_CHECK(mask.dtype() == kBool, Error, "masked_fill_ only supports boolean masks, but got mask with dtype ",
           dtype_name(mask.dtype()));
  return where(mask, full({}, value, TensorOptions(t.dtype()).device(t.device())), t);
}
Tensor masked_fill(const Tensor& t, const Tensor& mask, const Tensor& value) {
  DG_CHECK(value.dim() == 0, Error, "masked_fill_ only supports a 0-dimensional value tensor, but got tensor with ",
           value.dim(), " dimension(s).");
  return where(mask, to_dtype(value, t.dtype()), t);
}
Tensor masked_select(const Tensor& t, const Tensor& mask) {
  DG_CHECK(mask.dtype() == kBool, Error, "masked_select: expected BoolTensor for mask");
  Shape s = broadcast_shapes(t.sizes(), mask.sizes());
  return index(expand(t, s), {{0, expand(mask, s)}});
}

// gather/scatter along dim: positions of every element of index, with the
// dim coordinate replaced by the index value.
namespace {
std::vector<std::pair<int64_t, Tensor>> gather_indices(const Tensor& t, int64_t dim, const Tensor& idx) {
  DG_CHECK(idx.dim() == t.dim() || (t.dim() == 0 && idx.dim() <= 1), Error,
           "Index tensor must have the same number of dimensions as input tensor");
  std::vector<std::pair<int64_t, Tensor>> out;
  for (int64_t d = 0; d < idx.dim(); ++d) {
    if (d == dim) {
      out.emplace_back(d, idx);
      continue;
    }
    DG_CHECK(idx.sizes()[d] <= t.sizes()[d], Error, "Size does not match at dimension ", d,
             " expected index ", idx.sizes(), " to be smaller than self ", t.sizes(), " apart from dimension ", dim);
    Shape shape(static_cast<size_t>(idx.dim()), 1);
    shape[d] = idx.sizes()[d];
    out.emplace_back(d, reshape(arange(0, idx.sizes()[d], 1, TensorOptions(kInt64).device(t.device())), shape));
  }
  return out;
}
}  // namespace

namespace {
// gather/scatter report bad indices as RuntimeError (PyTorch's behaviour), unlike t[idx].
Tensor checked_dim_index(const Tensor& t, int64_t d, const Tensor& idx_in, const char* op) {
  DG_CHECK(idx_in.dtype() == kInt64 || idx_in.dtype() == kInt32, Error, op, "(): Expected dtype int64 for index");
  Tensor idx = to_dtype(idx_in, kInt64);
  if (idx.numel() > 0) {
    NoGradGuard no_grad;
    int64_t size = t.dim() ? t.sizes()[d] : 1, lo = min(idx).item<int64_t>(), hi = max(idx).item<int64_t>();
    DG_CHECK(lo >= 0 && hi < size, Error, op, "(): index ", hi >= size ? hi : lo,
             " is out of bounds for dimension ", d, " with size ", size);
  }
  return idx;
}
}  // namespace

Tensor gather(const Tensor& t, int64_t dim, const Tensor& idx_in) {
  int64_t d = wrap_dim(dim, t.dim());
  Tensor idx = checked_dim_index(t, d, idx_in, "gather");
  if (idx.numel() == 0) return empty(idx.sizes(), TensorOptions(t.dtype()).device(t.device()));
  return index(t, gather_indices(t, d, idx));
}

Tensor scatter(const Tensor& t, int64_t dim, const Tensor& idx_in, const Tensor& src, bool add_values) {
  int64_t d = wrap_dim(dim, t.dim());
  Tensor idx = checked_dim_index(t, d, idx_in, add_values ? "scatter_add" : "scatter");
  DG_CHECK(src.dtype() == t.dtype(), Error, "scatter(): Expected self.dtype to be equal to src.dtype");
  if (idx.numel() == 0) return clone(t);
  Tensor s = src;
  if (!s.sizes().equals(idx.sizes())) {
    for (int64_t k = 0; k < idx.dim(); ++k) s = narrow(s, k, 0, idx.sizes()[k]);
  }
  return index_put(t, gather_indices(t, d, idx), s, add_values);
}
Tensor scatter(const Tensor& t, int64_t dim, const Tensor& idx, const Scalar& value) {
  return scatter(t, dim, idx, full(idx.sizes(), value, TensorOptions(t.dtype()).device(t.device())), false);
}

Tensor take(const Tensor& t, const Tensor& idx) { return index(reshape(t, {-1}), {{0, idx}}); }

}  // namespace dg
