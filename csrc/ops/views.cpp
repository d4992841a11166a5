// View ops: each returns a tensor sharing the input's storage, with new
// sizes, strides and offset. Nothing here copies except reshape() and
// contiguous() when a view is impossible.
#include <algorithm>
#include <numeric>

#include "autograd/record.h"
#include "core/dispatch.h"
#include "dyngraph/autograd.h"
#include "dyngraph/ops.h"

namespace dg {

namespace {
// A tensor over t's storage; it remembers the root tensor it views (for
// in-place ops under autograd, and Tensor._base).
Tensor make_view(const Tensor& t, Shape sizes, Shape strides, int64_t offset, std::optional<Dtype> dtype = {}) {
  Tensor v = make_tensor(t.impl()->storage(), dtype.value_or(t.dtype()), std::move(sizes), std::move(strides), offset);
  TensorImpl* root = t.impl()->view_base() ? t.impl()->view_base() : t.impl();
  v.impl()->set_view_base(intrusive_ptr<TensorImpl>(root));
  if (!grad_enabled()) {
    v.impl()->view_history = TensorImpl::kNoGradView;
  } else if (AutogradMeta* bm = root->autograd_meta(); bm && bm->grad_fn) {
    v.impl()->view_history = bm->grad_fn->sequence_nr + 1;
  }
  return v;
}

// ---- backward nodes of the view ops ------------------------------------------------------
// Views whose gradient is the incoming one reshaped (view, reshape, squeeze,
// unsqueeze, flatten, unflatten).
struct ReshapeBackward final : Node {
  const char* op;
  Shape in_shape;
  ReshapeBackward(const char* o, IntArrayRef s) : op(o), in_shape(s) {}
  std::string name() const override { return op; }
  TensorList apply(TensorList&& g) override { return {reshape(g[0], in_shape)}; }
};

struct PermuteBackward final : Node {
  Shape inverse;
  explicit PermuteBackward(Shape inv) : inverse(std::move(inv)) {}
  std::string name() const override { return "PermuteBackward0"; }
  TensorList apply(TensorList&& g) override { return {permute(g[0], inverse)}; }
};

struct TransposeBackward final : Node {
  int64_t d0, d1;
  TransposeBackward(int64_t a, int64_t b) : d0(a), d1(b) {}
  std::string name() const override { return "TransposeBackward0"; }
  TensorList apply(TensorList&& g) override { return {transpose(g[0], d0, d1)}; }
};

// Identity nodes: the engine sums a broadcast gradient back to the input's
// shape (expand), or nothing changes at all (alias).
struct IdentityBackward final : Node {
  const char* op;
  explicit IdentityBackward(const char* o) : op(o) {}
  std::string name() const override { return op; }
  TensorList apply(TensorList&& g) override { return {g[0]}; }
};

// Views that pick part of the input (select, slice, diagonal, as_strided):
// the gradient is zero outside the part. `replay` applies the same view to
// a tensor of the input's shape.
using ViewFn = std::function<Tensor(const Tensor&)>;

struct ViewScatterBackward;
Tensor view_scatter(const Tensor& g, IntArrayRef in_shape, const ViewFn& replay);

// The backward of view_scatter: take the view of the incoming gradient.
struct ViewReplayBackward final : Node {
  ViewFn replay;
  explicit ViewReplayBackward(ViewFn f) : replay(std::move(f)) {}
  std::string name() const override { return "ViewScatterBackward0"; }
  TensorList apply(TensorList&& g) override { return {replay(g[0])}; }
};

// zeros of in_shape with replay(zeros) = g; differentiable.
Tensor view_scatter(const Tensor& g, IntArrayRef in_shape, const ViewFn& replay) {
  Tensor z = zeros(in_shape, TensorOptions(g.dtype()).device(g.device()));
  {
    NoGradGuard no_grad;
    Tensor part = replay(z);
    copy_(part, g);
  }
  if (any_requires_grad({&g})) record(z, {&g}, make_intrusive<ViewReplayBackward>(replay));
  return z;
}

struct PartialViewBackward final : Node {
  const char* op;
  Shape in_shape;
  ViewFn replay;
  PartialViewBackward(const char* o, IntArrayRef s, ViewFn f) : op(o), in_shape(s), replay(std::move(f)) {}
  std::string name() const override { return op; }
  TensorList apply(TensorList&& g) override { return {view_scatter(g[0], in_shape, replay)}; }
};

// as_strided's backward when windows overlap: each input element receives
// the sum of the gradients of every output element that reads it.
struct AsStridedOverlapBackward final : Node {
  Shape in_shape, sizes, strides;
  int64_t rel_offset;
  AsStridedOverlapBackward(IntArrayRef in, IntArrayRef sz, IntArrayRef st, int64_t off)
      : in_shape(in), sizes(sz), strides(st), rel_offset(off) {}
  std::string name() const override { return "AsStridedBackward0"; }
  TensorList apply(TensorList&& grads) override {
    const Tensor& g = grads[0];
    DG_CHECK(!any_requires_grad({&g}), Error,
             "double backward through as_strided with overlapping windows is not supported");
    int64_t in_numel = checked_numel(in_shape), max_index = rel_offset;
    for (size_t d = 0; d < sizes.size(); ++d) max_index += (sizes[d] - 1) * strides[d];
    int64_t extent = std::max(in_numel, max_index + 1);
    Tensor positions = as_strided(arange(0, extent, 1, TensorOptions(kInt64).device(g.device())), sizes, strides, rel_offset);
    Tensor flat = index_put(zeros({extent}, TensorOptions(g.dtype()).device(g.device())), {{0, positions}}, g, true);
    return {reshape(narrow(flat, 0, 0, in_numel), in_shape)};
  }
};

bool overlaps(IntArrayRef sizes, IntArrayRef strides) {
  // Sorted by stride, each dim must step over everything inside the smaller ones.
  std::vector<int64_t> dims;
  for (size_t d = 0; d < sizes.size(); ++d)
    if (sizes[d] > 1) dims.push_back(static_cast<int64_t>(d));
  std::sort(dims.begin(), dims.end(), [&](int64_t a, int64_t b) { return strides[a] < strides[b]; });
  int64_t span = 1;
  for (int64_t d : dims) {
    if (strides[d] < span) return true;
    span = strides[d] * (sizes[d] - 1) + span;
  }
  return false;
}

// The real part's gradient, as a complex gradient with zero imaginary part.
struct RealBackward final : Node {
  Dtype complex_dtype;
  explicit RealBackward(Dtype d) : complex_dtype(d) {}
  std::string name() const override { return "RealBackward0"; }
  TensorList apply(TensorList&& g) override { return {to_dtype(g[0], complex_dtype)}; }
};

struct ImagBackward final : Node {
  Dtype complex_dtype;
  explicit ImagBackward(Dtype d) : complex_dtype(d) {}
  std::string name() const override { return "ImagBackward0"; }
  TensorList apply(TensorList&& g) override {
    return {mul(to_dtype(g[0], complex_dtype), Scalar(complex128_t(0.0, 1.0)))};
  }
};
struct ViewAsRealBackward final : Node {
  std::string name() const override { return "ViewAsRealBackward0"; }
  TensorList apply(TensorList&& g) override { return {view_as_complex(contiguous(g[0]))}; }
};
struct ViewAsComplexBackward final : Node {
  std::string name() const override { return "ViewAsComplexBackward0"; }
  TensorList apply(TensorList&& g) override { return {view_as_real(g[0])}; }
};

Tensor record_reshape(Tensor out, const Tensor& in, const char* op) {
  if (any_requires_grad({&in})) record(out, {&in}, make_intrusive<ReshapeBackward>(op, in.sizes()));
  return out;
}
Tensor record_partial(Tensor out, const Tensor& in, const char* op, ViewFn replay) {
  if (any_requires_grad({&in})) record(out, {&in}, make_intrusive<PartialViewBackward>(op, in.sizes(), std::move(replay)));
  return out;
}
}  // namespace

Tensor alias(const Tensor& t) {
  Tensor out = make_view(t, Shape(t.sizes()), Shape(t.strides()), t.storage_offset());
  if (any_requires_grad({&t})) record(out, {&t}, make_intrusive<IdentityBackward>("AliasBackward0"));
  return out;
}

Tensor detach(const Tensor& t) {
  // Shares memory (and so the version counter) but is not a view for autograd.
  return make_tensor(t.impl()->storage(), t.dtype(), Shape(t.sizes()), Shape(t.strides()), t.storage_offset());
}

Tensor imag(const Tensor& t) {
  DG_CHECK(is_complex(t.dtype()), Error, "imag is not implemented for tensors with non-complex dtypes.");
  Shape strides(t.strides());
  for (auto& s : strides) s *= 2;
  Tensor out = make_view(t, Shape(t.sizes()), strides, t.storage_offset() * 2 + 1, to_real(t.dtype()));
  if (any_requires_grad({&t})) record(out, {&t}, make_intrusive<ImagBackward>(t.dtype()));
  return out;
}

Tensor view_as_real(const Tensor& t) {
  DG_CHECK(is_complex(t.dtype()), Error, "view_as_real is only supported for complex tensors");
  Shape sizes(t.sizes()), strides(t.strides());
  for (auto& s : strides) s *= 2;
  sizes.push_back(2);
  strides.push_back(1);
  Tensor out = make_view(t, sizes, strides, t.storage_offset() * 2, to_real(t.dtype()));
  if (any_requires_grad({&t})) record(out, {&t}, make_intrusive<ViewAsRealBackward>());
  return out;
}

// t.view(dtype): the same bytes read as another dtype. A different element
// size rescales the last dim, which must then be contiguous (PyTorch's rules).
// Not differentiable: reinterpreting bits has no derivative.
Tensor view_dtype(const Tensor& t, Dtype dtype) {
  const int64_t from = itemsize(t.dtype()), to = itemsize(dtype);
  if (from == to) return make_view(t, Shape(t.sizes()), Shape(t.strides()), t.storage_offset(), dtype);
  DG_CHECK(t.dim() > 0, Error, "self.dim() cannot be 0 to view ", dtype_name(t.dtype()), " as ", dtype_name(dtype),
           " (different element sizes)");
  DG_CHECK(t.strides().back() == 1, Error, "self.stride(-1) must be 1 to view ", dtype_name(t.dtype()), " as ",
           dtype_name(dtype), " (different element sizes), but got ", t.strides().back());
  Shape sizes(t.sizes()), strides(t.strides());
  if (from > to) {
    const int64_t ratio = from / to;
    for (int64_t d = 0; d + 1 < t.dim(); ++d) strides[d] = checked_mul(strides[d], ratio, "stride");
    sizes.back() = checked_mul(sizes.back(), ratio, "size");
    return make_view(t, sizes, strides, checked_mul(t.storage_offset(), ratio, "storage offset"), dtype);
  }
  const int64_t ratio = to / from;
  DG_CHECK(sizes.back() % ratio == 0, Error, "self.size(-1) must be divisible by ", ratio, " to view ",
           dtype_name(t.dtype()), " as ", dtype_name(dtype), " (different element sizes), but got ", sizes.back());
  DG_CHECK(t.storage_offset() % ratio == 0, Error, "self.storage_offset() must be divisible by ", ratio, " to view ",
           dtype_name(t.dtype()), " as ", dtype_name(dtype), " (different element sizes), but got ",
           t.storage_offset());
  for (int64_t d = 0; d + 1 < t.dim(); ++d) {
    DG_CHECK(strides[d] % ratio == 0, Error, "self.stride(", d, ") must be divisible by ", ratio, " to view ",
             dtype_name(t.dtype()), " as ", dtype_name(dtype), " (different element sizes), but got ", strides[d]);
    strides[d] /= ratio;
  }
  sizes.back() /= ratio;
  return make_view(t, sizes, strides, t.storage_offset() / ratio, dtype);
}

Tensor view_as_complex(const Tensor& t) {
  DG_CHECK(t.dtype() == kFloat32 || t.dtype() == kFloat64, Error,
           "view_as_complex is only supported for float and double tensors, but got a tensor of scalar type: ",
           dtype_name(t.dtype()));
  DG_CHECK(t.dim() >= 1 && t.sizes().back() == 2, Error, "Tensor must have a last dimension of size 2");
  DG_CHECK(t.strides().back() == 1, Error, "Tensor must have a last dimension with stride 1");
  Shape sizes, strides;
  for (int64_t d = 0; d + 1 < t.dim(); ++d) {
    DG_CHECK(t.strides()[d] % 2 == 0, Error, "Tensor must have a stride divisible by 2 for all but last dimension");
    sizes.push_back(t.sizes()[d]);
    strides.push_back(t.strides()[d] / 2);
  }
  DG_CHECK(t.storage_offset() % 2 == 0, Error, "Tensor must have a storage_offset divisible by 2");
  Tensor out = make_view(t, sizes, strides, t.storage_offset() / 2, to_complex(t.dtype()));
  if (any_requires_grad({&t})) record(out, {&t}, make_intrusive<ViewAsComplexBackward>());
  return out;
}

Tensor real(const Tensor& t) {
  if (!is_complex(t.dtype())) return t;
  Shape strides(t.strides());
  for (auto& s : strides) s *= 2;
  Tensor out = make_view(t, Shape(t.sizes()), strides, t.storage_offset() * 2, to_real(t.dtype()));
  if (any_requires_grad({&t})) record(out, {&t}, make_intrusive<RealBackward>(t.dtype()));
  return out;
}

Tensor as_strided(const Tensor& t, IntArrayRef sizes, IntArrayRef strides, std::optional<int64_t> storage_offset) {
  DG_CHECK(sizes.size() == strides.size(), Error, "as_strided: mismatch in length of strides and shape (",
           sizes.size(), " sizes, ", strides.size(), " strides)");
  int64_t offset = storage_offset.value_or(t.storage_offset());
  DG_CHECK(offset >= 0, Error, "as_strided: negative storage offset ", offset);
  for (int64_t st : strides)
    DG_CHECK(st >= 0, Error, "as_strided: Negative strides are not supported at the moment, got strides: ", strides);
  // The view's bounds against the storage are checked where every tensor is made (TensorImpl).
  Tensor out = make_view(t, Shape(sizes), Shape(strides), offset);
  if (any_requires_grad({&t})) {
    DG_CHECK(t.is_contiguous(), Error, "as_strided backward needs a contiguous input; call .contiguous() first");
    Shape sz(sizes), st(strides);
    int64_t rel = offset - t.storage_offset();
    if (overlaps(sizes, strides)) {
      record(out, {&t}, make_intrusive<AsStridedOverlapBackward>(t.sizes(), sizes, strides, rel));
    } else {
      record_partial(out, t, "AsStridedBackward0", [sz, st, rel](const Tensor& x) {
        return as_strided(x, sz, st, x.storage_offset() + rel);
      });
    }
  }
  return out;
}

Shape infer_size(IntArrayRef shape, int64_t numel) {
  Shape out(shape);
  int64_t known = 1, infer = -1;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == -1) {
      DG_CHECK(infer < 0, Error, "only one dimension can be inferred");
      infer = static_cast<int64_t>(i);
    } else {
      DG_CHECK(shape[i] >= 0, Error, "invalid shape dimension ", shape[i]);
      known = checked_mul(known, shape[i], "view");
    }
  }
  if (infer >= 0) {
    DG_CHECK(known != 0 && numel % known == 0, Error, "shape '", shape, "' is invalid for input of size ", numel);
    out[infer] = numel / known;
  } else {
    DG_CHECK(known == numel, Error, "shape '", shape, "' is invalid for input of size ", numel);
  }
  return out;
}

// Strides for viewing (old_sizes, old_strides) as new_sizes without a copy:
// possible when each group of old dims that maps onto a group of new dims is
// contiguous within itself.
std::optional<Shape> view_strides(IntArrayRef old_sizes, IntArrayRef old_strides, IntArrayRef new_sizes) {
  Shape new_strides(new_sizes.size());
  if (old_sizes.empty()) {
    std::fill(new_strides.begin(), new_strides.end(), 1);
    return new_strides;
  }
  int64_t numel = 1;
  for (int64_t s : old_sizes) numel *= s;
  if (numel == 0) {
    if (old_sizes.equals(new_sizes)) return Shape(old_strides);
    return contiguous_strides(new_sizes);
  }
  int64_t view_d = static_cast<int64_t>(new_sizes.size()) - 1;
  int64_t chunk_base_stride = old_strides.back();
  int64_t tensor_numel = 1, view_numel = 1;
  for (int64_t d = static_cast<int64_t>(old_sizes.size()) - 1; d >= 0; --d) {
    tensor_numel *= old_sizes[d];
    // A chunk ends where the old dims stop being contiguous with each other.
    if (d == 0 || (old_sizes[d - 1] != 1 && old_strides[d - 1] != tensor_numel * chunk_base_stride)) {
      while (view_d >= 0 && (view_numel < tensor_numel || new_sizes[view_d] == 1)) {
        new_strides[view_d] = view_numel * chunk_base_stride;
        view_numel *= new_sizes[view_d];
        --view_d;
      }
      if (view_numel != tensor_numel) return std::nullopt;
      if (d > 0) {
        chunk_base_stride = old_strides[d - 1];
        tensor_numel = 1;
        view_numel = 1;
      }
    }
  }
  if (view_d != -1) return std::nullopt;
  return new_strides;
}

Tensor view(const Tensor& t, IntArrayRef shape) {
  Shape sizes = infer_size(shape, t.numel());
  auto strides = view_strides(t.sizes(), t.strides(), sizes);
  DG_CHECK(strides.has_value(), Error,
           "view size is not compatible with input tensor's size and stride (at least one dimension spans across "
           "two contiguous subspaces). Use .reshape(...) instead.");
  return record_reshape(make_view(t, std::move(sizes), std::move(*strides), t.storage_offset()), t, "ViewBackward0");
}

Tensor reshape(const Tensor& t, IntArrayRef shape) {
  Shape sizes = infer_size(shape, t.numel());
  if (auto strides = view_strides(t.sizes(), t.strides(), sizes))
    return record_reshape(make_view(t, std::move(sizes), std::move(*strides), t.storage_offset()), t,
                          "ViewBackward0");
  return view(contiguous(t), sizes);
}

Tensor transpose(const Tensor& t, int64_t dim0, int64_t dim1) {
  int64_t nd = t.dim();
  dim0 = wrap_dim(dim0, nd);
  dim1 = wrap_dim(dim1, nd);
  Shape sizes(t.sizes()), strides(t.strides());
  if (nd > 0) {
    std::swap(sizes[dim0], sizes[dim1]);
    std::swap(strides[dim0], strides[dim1]);
  }
  Tensor out = make_view(t, std::move(sizes), std::move(strides), t.storage_offset());
  if (any_requires_grad({&t})) record(out, {&t}, make_intrusive<TransposeBackward>(dim0, dim1));
  return out;
}

Tensor permute(const Tensor& t, IntArrayRef dims) {
  int64_t nd = t.dim();
  DG_CHECK(static_cast<int64_t>(dims.size()) == nd, Error, "permute(): number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim() = ",
           nd, " is not equal to len(dims) = ", dims.size());
  Shape sizes(nd), strides(nd);
  SmallVector<bool, 8> seen(nd, false);
  for (int64_t i = 0; i < nd; ++i) {
    int64_t d = wrap_dim(dims[i], nd);
    DG_CHECK(!seen[d], Error, "permute(): duplicate dims are not allowed.");
    seen[d] = true;
    sizes[i] = t.sizes()[d];
    strides[i] = t.strides()[d];
  }
  Tensor out = make_view(t, std::move(sizes), std::move(strides), t.storage_offset());
  if (any_requires_grad({&t})) {
    Shape inverse(nd);
    for (int64_t i = 0; i < nd; ++i) inverse[wrap_dim(dims[i], nd)] = i;
    record(out, {&t}, make_intrusive<PermuteBackward>(std::move(inverse)));
  }
  return out;
}

Tensor t(const Tensor& x) {
  DG_CHECK(x.dim() <= 2, Error, "t() expects a tensor with <= 2 dimensions, but self is ", x.dim(), "D");
  return x.dim() < 2 ? alias(x) : transpose(x, 0, 1);
}

Tensor numpy_T(const Tensor& x) {
  Shape dims(x.dim());
  for (int64_t i = 0; i < x.dim(); ++i) dims[i] = x.dim() - 1 - i;
  return permute(x, dims);
}

Tensor matrix_transpose(const Tensor& x) {
  DG_CHECK(x.dim() >= 2, Error, "tensor.mT is only supported on matrices or batches of matrices. Got ", x.dim(),
           "-D tensor.");
  return transpose(x, -2, -1);
}

Tensor expand(const Tensor& t, IntArrayRef shape) {
  int64_t nd = static_cast<int64_t>(shape.size()), td = t.dim();
  DG_CHECK(nd >= td, Error, "expand: the number of sizes provided (", nd,
           ") must be greater or equal to the number of dimensions in the tensor (", td, ")");
  Shape sizes(nd), strides(nd);
  for (int64_t d = nd - 1; d >= 0; --d) {
    int64_t od = d - (nd - td);
    int64_t want = shape[d];
    if (od >= 0) {
      int64_t have = t.sizes()[od];
      if (want == -1) want = have;
      DG_CHECK(want >= 0 && (have == want || have == 1), Error, "The expanded size of the tensor (", want,
               ") must match the existing size (", have, ") at non-singleton dimension ", d, ".  Target sizes: ",
               shape, ".  Tensor sizes: ", t.sizes());
      sizes[d] = want;
      strides[d] = have == want ? t.strides()[od] : 0;
    } else {
      DG_CHECK(want >= 0, Error, "The expanded size of the tensor (", want,
               ") isn't allowed in a leading, non-existing dimension ", d);
      sizes[d] = want;
      strides[d] = 0;
    }
  }
  Tensor out = make_view(t, std::move(sizes), std::move(strides), t.storage_offset());
  if (any_requires_grad({&t})) record(out, {&t}, make_intrusive<IdentityBackward>("ExpandBackward0"));
  return out;
}

Tensor broadcast_to(const Tensor& t, IntArrayRef shape) { return expand(t, shape); }

Tensor squeeze(const Tensor& t) {
  Shape sizes, strides;
  for (int64_t d = 0; d < t.dim(); ++d)
    if (t.sizes()[d] != 1) {
      sizes.push_back(t.sizes()[d]);
      strides.push_back(t.strides()[d]);
    }
  return record_reshape(make_view(t, std::move(sizes), std::move(strides), t.storage_offset()), t, "SqueezeBackward0");
}

Tensor squeeze(const Tensor& t, IntArrayRef dims) {
  SmallVector<bool, 8> drop(t.dim(), false);
  for (int64_t d : dims) {
    int64_t w = wrap_dim(d, t.dim());
    if (t.dim() > 0 && t.sizes()[w] == 1) drop[w] = true;
  }
  Shape sizes, strides;
  for (int64_t d = 0; d < t.dim(); ++d)
    if (!drop[d]) {
      sizes.push_back(t.sizes()[d]);
      strides.push_back(t.strides()[d]);
    }
  return record_reshape(make_view(t, std::move(sizes), std::move(strides), t.storage_offset()), t, "SqueezeBackward1");
}

Tensor unsqueeze(const Tensor& t, int64_t dim) {
  dim = wrap_dim(dim, t.dim() + 1);
  Shape sizes(t.sizes()), strides(t.strides());
  int64_t stride = dim < t.dim() ? sizes[dim] * strides[dim] : 1;
  sizes.insert(static_cast<size_t>(dim), 1);
  strides.insert(static_cast<size_t>(dim), stride);
  return record_reshape(make_view(t, std::move(sizes), std::move(strides), t.storage_offset()), t,
                        "UnsqueezeBackward0");
}

Tensor flatten(const Tensor& t, int64_t start_dim, int64_t end_dim) {
  if (t.dim() == 0) return reshape(t, {1});
  start_dim = wrap_dim(start_dim, t.dim());
  end_dim = wrap_dim(end_dim, t.dim());
  DG_CHECK(start_dim <= end_dim, Error, "flatten() has invalid args: start_dim cannot come after end_dim");
  if (start_dim == end_dim) return alias(t);
  Shape shape;
  for (int64_t d = 0; d < start_dim; ++d) shape.push_back(t.sizes()[d]);
  int64_t n = 1;
  for (int64_t d = start_dim; d <= end_dim; ++d) n *= t.sizes()[d];
  shape.push_back(n);
  for (int64_t d = end_dim + 1; d < t.dim(); ++d) shape.push_back(t.sizes()[d]);
  return reshape(t, shape);
}

Tensor unflatten(const Tensor& t, int64_t dim, IntArrayRef sizes) {
  DG_CHECK(t.dim() > 0, Error, "unflatten got an unexpected error: Dimension specified as ", dim,
           " but tensor has no dimensions");
  dim = wrap_dim(dim, t.dim());
  DG_CHECK(!sizes.empty(), Error, "unflatten: sizes must be non-empty");
  Shape inner = infer_size(sizes, t.sizes()[dim]);
  Shape shape;
  for (int64_t d = 0; d < dim; ++d) shape.push_back(t.sizes()[d]);
  for (int64_t s : inner) shape.push_back(s);
  for (int64_t d = dim + 1; d < t.dim(); ++d) shape.push_back(t.sizes()[d]);
  return view(t, shape);
}

Tensor narrow(const Tensor& t, int64_t dim, int64_t start, int64_t length) {
  DG_CHECK(t.dim() > 0, Error, "narrow() cannot be applied to a 0-dim tensor.");
  DG_CHECK(t.dim() > 0, Error, "narrow() cannot be applied to a 0-dim tensor.");
  dim = wrap_dim(dim, t.dim());
  int64_t size = t.sizes()[dim];
  if (start < 0) start += size;
  DG_CHECK(start >= 0 && start <= size, IndexError, "start out of range (expected to be in range of [", -size,
           ", ", size, "], but got ", start, ")");
  DG_CHECK(length >= 0 && start + length <= size, Error, "start (", start, ") + length (", length,
           ") exceeds dimension size (", size, ").");
  return slice(t, dim, start, start + length, 1);
}

Tensor select(const Tensor& t, int64_t dim, int64_t index) {
  DG_CHECK(t.dim() > 0, IndexError, "select() cannot be applied to a 0-dim tensor.");
  DG_CHECK(t.dim() > 0, IndexError, "select() cannot be applied to a 0-dim tensor.");
  dim = wrap_dim(dim, t.dim());
  int64_t size = t.sizes()[dim];
  DG_CHECK(index >= -size && index < size, IndexError, "index ", index, " is out of bounds for dimension ", dim,
           " with size ", size);
  if (index < 0) index += size;
  Shape sizes(t.sizes()), strides(t.strides());
  int64_t offset = t.storage_offset() + index * strides[dim];
  sizes.erase(static_cast<size_t>(dim));
  strides.erase(static_cast<size_t>(dim));
  return record_partial(make_view(t, std::move(sizes), std::move(strides), offset), t, "SelectBackward0",
                        [dim, index](const Tensor& x) { return select(x, dim, index); });
}

Tensor slice(const Tensor& t, int64_t dim, std::optional<int64_t> start_opt, std::optional<int64_t> stop_opt,
             int64_t step) {
  DG_CHECK(t.dim() > 0, IndexError, "slice() cannot be applied to a 0-dim tensor.");
  DG_CHECK(step != 0, ValueError, "slice step cannot be zero");
  DG_CHECK(step > 0, ValueError, "step must be greater than zero");
  DG_CHECK(t.dim() > 0, IndexError, "slice() cannot be applied to a 0-dim tensor.");
  dim = wrap_dim(dim, t.dim());
  int64_t size = t.sizes()[dim];
  // Python's clamping of slice bounds.
  auto clamp = [size](int64_t v) {
    if (v < 0) v += size;
    return std::min(std::max<int64_t>(v, 0), size);
  };
  int64_t start = start_opt ? clamp(*start_opt) : 0;
  int64_t stop = stop_opt ? clamp(*stop_opt) : size;
  int64_t len = stop > start ? (stop - start + step - 1) / step : 0;
  Shape sizes(t.sizes()), strides(t.strides());
  int64_t offset = t.storage_offset() + start * strides[dim];
  sizes[dim] = len;
  strides[dim] *= step;
  return record_partial(make_view(t, std::move(sizes), std::move(strides), offset), t, "SliceBackward0",
                        [dim, start, stop, step](const Tensor& x) { return slice(x, dim, start, stop, step); });
}

std::vector<Tensor> unbind(const Tensor& t, int64_t dim) {
  dim = wrap_dim_of_sized(dim, t.dim());
  std::vector<Tensor> out;
  for (int64_t i = 0; i < t.sizes()[dim]; ++i) out.push_back(select(t, dim, i));
  return out;
}

std::vector<Tensor> split(const Tensor& t, int64_t split_size, int64_t dim) {
  DG_CHECK(t.dim() > 0, Error, "split expects at least a 1-dimensional tensor");
  DG_CHECK(t.dim() > 0, Error, "split expects at least a 1-dimensional tensor");
  dim = wrap_dim(dim, t.dim());
  int64_t size = t.sizes()[dim];
  DG_CHECK(split_size >= 0, Error, "split expects split_size be non-negative, but got split_size=", split_size);
  DG_CHECK(split_size > 0 || (split_size == 0 && size == 0), Error,
           "split_size can only be 0 if dimension size is 0, but got dimension size of ", size);
  std::vector<Tensor> out;
  if (size == 0) {
    out.push_back(alias(t));
    return out;
  }
  for (int64_t s = 0; s < size; s += split_size) out.push_back(narrow(t, dim, s, std::min(split_size, size - s)));
  return out;
}

std::vector<Tensor> split_with_sizes(const Tensor& t, IntArrayRef sizes, int64_t dim) {
  DG_CHECK(t.dim() > 0, Error, "split expects at least a 1-dimensional tensor");
  DG_CHECK(t.dim() > 0, Error, "split expects at least a 1-dimensional tensor");
  dim = wrap_dim(dim, t.dim());
  int64_t total = 0;
  for (int64_t s : sizes) {
    DG_CHECK(s >= 0, Error, "split_with_sizes expects split_sizes have only non-negative entries, but got split_sizes=", sizes);
    if (__builtin_add_overflow(total, s, &total)) total = -1;  // no size sums to that: the check below fails
  }
  DG_CHECK(total == t.sizes()[dim], Error, "split_with_sizes expects split_sizes to sum exactly to ", t.sizes()[dim],
           " (input tensor's size at dimension ", dim, "), but got split_sizes=", sizes);
  std::vector<Tensor> out;
  int64_t start = 0;
  for (int64_t s : sizes) {
    out.push_back(narrow(t, dim, start, s));
    start += s;
  }
  return out;
}

std::vector<Tensor> chunk(const Tensor& t, int64_t chunks, int64_t dim) {
  DG_CHECK(t.dim() > 0, Error, "chunk expects at least a 1-dimensional tensor");
  DG_CHECK(chunks > 0, Error, "chunk expects `chunks` to be greater than 0, got: ", chunks);
  int64_t size = t.sizes()[wrap_dim(dim, t.dim())];
  int64_t split_size = (size + chunks - 1) / chunks;
  if (split_size == 0 && size == 0) {
    // PyTorch returns `chunks` empty pieces.
    Shape sizes(static_cast<size_t>(chunks), 0);
    return split_with_sizes(t, sizes, dim);
  }
  return split(t, split_size, dim);
}

Tensor movedim(const Tensor& t, IntArrayRef source, IntArrayRef destination) {
  int64_t nd = t.dim();
  DG_CHECK(source.size() == destination.size(), Error, "movedim: Invalid source or destination dims: source (",
           source, " dims) should contain the same number of dims as destination (", destination, " dims)");
  if (nd == 0) {  // a 0-d tensor has only dim 0 / -1, and moving it is a no-op
    for (size_t i = 0; i < source.size(); ++i) wrap_dim(source[i], nd), wrap_dim(destination[i], nd);
    return alias(t);
  }
  Shape order(nd, -1);
  SmallVector<bool, 8> used_src(nd, false), used_dst(nd, false);
  for (size_t i = 0; i < source.size(); ++i) {
    int64_t s = wrap_dim(source[i], nd), d = wrap_dim(destination[i], nd);
    DG_CHECK(!used_src[s], Error, "movedim: repeated dim in `source` (", source, ")");
    DG_CHECK(!used_dst[d], Error, "movedim: repeated dim in `destination` (", destination, ")");
    used_src[s] = used_dst[d] = true;
    order[d] = s;
  }
  int64_t next = 0;
  for (int64_t d = 0; d < nd; ++d) {
    if (order[d] != -1) continue;
    while (used_src[next]) ++next;
    order[d] = next++;
  }
  return permute(t, order);
}

Tensor diagonal(const Tensor& t, int64_t offset, int64_t dim1, int64_t dim2) {
  int64_t nd = t.dim();
  DG_CHECK(nd >= 2, Error, "diagonal dimensions requires at least two dimensions");
  dim1 = wrap_dim(dim1, nd);
  dim2 = wrap_dim(dim2, nd);
  DG_CHECK(dim1 != dim2, Error, "diagonal dimensions cannot be identical ", dim1, ", ", dim2);
  int64_t start = t.storage_offset(), len;
  if (offset >= 0) {
    len = std::max<int64_t>(std::min(t.sizes()[dim1], t.sizes()[dim2] - offset), 0);
    if (len > 0) start += offset * t.strides()[dim2];
  } else {
    len = std::max<int64_t>(std::min(t.sizes()[dim1] + offset, t.sizes()[dim2]), 0);
    if (len > 0) start -= offset * t.strides()[dim1];
  }
  Shape sizes, strides;
  for (int64_t d = 0; d < nd; ++d)
    if (d != dim1 && d != dim2) {
      sizes.push_back(t.sizes()[d]);
      strides.push_back(t.strides()[d]);
    }
  sizes.push_back(len);
  strides.push_back(t.strides()[dim1] + t.strides()[dim2]);
  return record_partial(make_view(t, std::move(sizes), std::move(strides), start), t, "DiagonalBackward0",
                        [offset, dim1, dim2](const Tensor& x) { return diagonal(x, offset, dim1, dim2); });
}

Tensor contiguous(const Tensor& t) {
  if (t.is_contiguous()) return t;
  Tensor out = empty(t.sizes(), TensorOptions(t.dtype()).device(t.device()));
  return copy_(out, t);
}

}  // namespace dg
