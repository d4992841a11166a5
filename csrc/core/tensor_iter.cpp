#include "core/tensor_iter.h"

#include <algorithm>

#include "core/device_copy.h"

namespace dg {

bool TensorIter::is_contiguous() const {
  if (ndim > 1) return false;
  if (ndim == 0) return true;
  for (int i = 0; i < nops; ++i)
    if (strides[i][0] != itemsize(dtypes[i])) return false;
  return true;
}

void check_no_internal_overlap(const Tensor& t, const char* op_name) {
  for (int64_t d = 0; d < t.dim(); ++d)
    DG_CHECK(!(t.strides()[d] == 0 && t.sizes()[d] > 1), Error, op_name,
             ": unsupported operation: more than one element of the written-to tensor refers to a single "
             "memory location. Please clone() the tensor before performing the operation.");
}

namespace {

// Strides (in elements) of t broadcast to a shape of ndim dims (right-aligned).
void broadcast_strides(const Tensor& t, IntArrayRef shape, int64_t* out) {
  int64_t nd = static_cast<int64_t>(shape.size()), off = nd - t.dim();
  for (int64_t d = 0; d < nd; ++d) {
    if (d < off) {
      out[d] = 0;
    } else {
      int64_t s = t.sizes()[d - off];
      out[d] = s == 1 && shape[d] != 1 ? 0 : t.strides()[d - off];
    }
  }
}

}  // namespace

namespace {
// The common case (all operands dense, same shape, same device): a single
// dimension, without the general machinery below.
bool try_make_flat(IterSpec& spec, TensorIter& it) {
  if (spec.ninputs == 0) return false;
  const Tensor& first = *spec.inputs[0];
  if (!first.is_contiguous()) return false;
  for (int i = 1; i < spec.ninputs; ++i) {
    const Tensor& t = *spec.inputs[i];
    if (!t.is_contiguous() || !t.sizes().equals(first.sizes()) || t.device() != first.device()) return false;
  }
  if (spec.out.defined()) {
    if (!spec.out.is_contiguous() || !spec.out.sizes().equals(first.sizes()) || spec.out.device() != first.device())
      return false;
  } else {
    Storage storage = new_storage(static_cast<size_t>(first.numel() * itemsize(spec.out_dtype)), first.device());
    spec.out = make_tensor(std::move(storage), spec.out_dtype, Shape(first.sizes()),
                           contiguous_strides(first.sizes()), 0);
  }
  it.numel = first.numel();
  it.device = first.device();
  it.operands[0] = spec.out;
  for (int i = 0; i < spec.ninputs; ++i) it.operands[i + 1] = *spec.inputs[i];
  it.ndim = it.numel == 1 ? 0 : 1;
  if (it.ndim) it.shape.push_back(it.numel);
  for (int i = 0; i < it.nops; ++i) {
    it.dtypes[i] = it.operands[i].dtype();
    it.data[i] = it.operands[i].impl()->data();
    if (it.ndim) it.strides[i].push_back(itemsize(it.dtypes[i]));
  }
  return true;
}
}  // namespace

namespace {
TensorIter make_iter_same_device(IterSpec& spec);

// The GPU an op runs on, if any operand is on one.
Device gpu_of(const IterSpec& spec) {
  if (spec.out.defined() && spec.out.device().is_cuda()) return spec.out.device();
  for (int i = 0; i < spec.ninputs; ++i)
    if (spec.inputs[i]->device().is_cuda()) return spec.inputs[i]->device();
  return kCPU;
}
}  // namespace

TensorIter make_iter(IterSpec& spec) {
  // As in PyTorch, a 0-dim CPU tensor may take part in a GPU op (it acts as
  // a scalar): it is copied to the GPU for the op.
  const Device gpu = gpu_of(spec);
  if (gpu.is_cpu()) return make_iter_same_device(spec);
  Tensor moved[kMaxOperands - 1];
  const Tensor* original[kMaxOperands - 1] = {};
  for (int i = 0; i < spec.ninputs; ++i) {
    original[i] = spec.inputs[i];
    if (spec.inputs[i]->device().is_cpu() && spec.inputs[i]->dim() == 0) {
      moved[i] = dense_copy_to(*spec.inputs[i], gpu);
      spec.inputs[i] = &moved[i];
    }
  }
  struct Restore {
    IterSpec& spec;
    const Tensor** original;
    ~Restore() {
      for (int i = 0; i < spec.ninputs; ++i) spec.inputs[i] = original[i];
    }
  } restore{spec, original};
  return make_iter_same_device(spec);
}

namespace {
TensorIter make_iter_same_device(IterSpec& spec) {
  TensorIter it;
  it.nops = spec.ninputs + 1;
  // Writing into an existing tensor is an in-place change: autograd's
  // saved tensors check this counter.
  if (spec.out.defined()) spec.out.impl()->storage()->bump_version();
  if (try_make_flat(spec, it)) return it;

  // 1. The broadcast shape.
  Shape shape;
  if (spec.ninputs > 0) shape = Shape(spec.inputs[0]->sizes());
  for (int i = 1; i < spec.ninputs; ++i) shape = broadcast_shapes(shape, spec.inputs[i]->sizes());
  const bool have_out = spec.out.defined();
  if (have_out) {
    if (spec.ninputs == 0) shape = Shape(spec.out.sizes());
    DG_CHECK(IntArrayRef(spec.out.sizes()).equals(shape), Error, spec.op_name, ": output with shape ",
             spec.out.sizes(), " doesn't match the broadcast shape ", shape);
    check_no_internal_overlap(spec.out, spec.op_name);
  }
  const int64_t nd = static_cast<int64_t>(shape.size());
  it.numel = checked_numel(shape);
  it.device = have_out ? spec.out.device() : spec.ninputs ? spec.inputs[0]->device() : kCPU;
  for (int i = 0; i < spec.ninputs; ++i)
    DG_CHECK(spec.inputs[i]->device() == it.device, Error, spec.op_name,
             ": expected all tensors to be on the same device, but found at least two devices, ",
             it.device.str(), " and ", spec.inputs[i]->device().str(), "!");

  // 2. Element strides of every operand over the broadcast shape. The
  // output's are filled in after the dimension order is known.
  Shape st[kMaxOperands];
  for (int i = 0; i < it.nops; ++i) st[i].resize(nd, 0);
  if (have_out) broadcast_strides(spec.out, shape, st[0].data());
  for (int i = 0; i < spec.ninputs; ++i) broadcast_strides(*spec.inputs[i], shape, st[i + 1].data());

  // 3. Order dims innermost first: perm[0] is the dim that moves fastest in
  // memory. The first operand with an opinion (both strides nonzero)
  // decides; otherwise the natural order (last dim innermost) stays.
  SmallVector<int64_t, 6> perm(nd);
  for (int64_t i = 0; i < nd; ++i) perm[i] = nd - 1 - i;
  auto should_swap = [&](int64_t d0, int64_t d1) {  // is d1 more inner than d0?
    for (int i = have_out ? 0 : 1; i < it.nops; ++i) {
      int64_t s0 = st[i][d0], s1 = st[i][d1];
      if (s0 == 0 || s1 == 0) continue;
      if (s0 != s1) return s1 < s0;
      if (shape[d0] != shape[d1]) return false;  // equal strides: keep order
    }
    return false;
  };
  for (int64_t i = 1; i < nd; ++i)  // insertion sort: stable, and nd is small
    for (int64_t j = i; j > 0 && should_swap(perm[j - 1], perm[j]); --j) std::swap(perm[j - 1], perm[j]);

  // 4. Allocate the output dense in that order (so a transposed input gives a
  // transposed result, as in PyTorch and NumPy's order='K').
  if (!have_out) {
    Shape out_strides(nd);
    int64_t s = 1;
    for (int64_t k = 0; k < nd; ++k) {
      out_strides[perm[k]] = s;
      s *= std::max<int64_t>(shape[perm[k]], 1);
    }
    Storage storage = new_storage(static_cast<size_t>(checked_mul(it.numel, itemsize(spec.out_dtype), spec.op_name)),
                                  it.device);
    spec.out = make_tensor(std::move(storage), spec.out_dtype, shape, out_strides, 0);
    for (int64_t d = 0; d < nd; ++d) st[0][d] = shape[d] == 1 ? 0 : out_strides[d];
  }
  it.operands[0] = spec.out;
  for (int i = 0; i < spec.ninputs; ++i) it.operands[i + 1] = *spec.inputs[i];
  for (int i = 0; i < it.nops; ++i) {
    it.dtypes[i] = it.operands[i].dtype();
    it.data[i] = it.operands[i].impl()->data();
  }

  // 5. Permute to innermost-first, drop size-1 dims, merge contiguous pairs.
  it.shape.clear();
  for (int i = 0; i < it.nops; ++i) it.strides[i].clear();
  for (int64_t k = 0; k < nd; ++k) {
    int64_t d = perm[k];
    if (shape[d] == 1) continue;
    int64_t nk = static_cast<int64_t>(it.shape.size());
    bool merge = nk > 0;
    for (int i = 0; i < it.nops && merge; ++i)
      merge = st[i][d] == it.strides[i][nk - 1] * it.shape[nk - 1];
    if (merge) {
      it.shape[nk - 1] *= shape[d];
    } else {
      it.shape.push_back(shape[d]);
      for (int i = 0; i < it.nops; ++i) it.strides[i].push_back(st[i][d]);
    }
  }
  // Strides in bytes for the loops. With no element, a size-0 dim remains and
  // its neighbours' strides may be anything, even too large to count in bytes.
  for (int i = 0; i < it.nops; ++i)
    for (auto& s : it.strides[i]) s = it.numel == 0 ? 0 : s * itemsize(it.dtypes[i]);
  it.ndim = static_cast<int>(it.shape.size());
  return it;
}

}  // namespace

}  // namespace dg
