// copy_, fill_, clone and dtype/device conversion: all run the copy and fill
// kernels over a TensorIter.
#include <algorithm>
#include <cmath>

#include "autograd/record.h"
#include "core/dispatch.h"
#include "core/tensor_iter.h"
#include "dyngraph/cuda.h"
#include "dyngraph/ops.h"
#include "ops/overlap.h"

namespace dg {

namespace {
void run_copy(Tensor& dst, const Tensor& src_in, bool non_blocking = false);

// Copies between the CPU and a GPU (or two GPUs): the bytes cross dense and
// already in the destination's dtype; layouts and conversions are done by
// the copy kernel on one side.
void transfer(Tensor& dst, const Tensor& src, bool non_blocking) {
  Tensor s = src.sizes().equals(dst.sizes()) ? src : expand(src, dst.sizes());
  if (s.dtype() != dst.dtype() || !s.is_contiguous()) {
    Tensor dense = empty(dst.sizes(), TensorOptions(dst.dtype()).device(s.device()));
    run_copy(dense, s);
    s = dense;
  }
  Tensor d = dst.is_contiguous() ? dst : empty(dst.sizes(), TensorOptions(dst.dtype()).device(dst.device()));
  cuda::memcpy(d.data_ptr(), d.device(), s.data_ptr(), s.device(), static_cast<size_t>(d.numel() * itemsize(d.dtype())),
               non_blocking);
  if (!d.is_same(dst)) run_copy(dst, d);
}

void run_copy(Tensor& dst, const Tensor& src_in, bool non_blocking) {
  Device dev = dst.device();
  if (src_in.device() != dev) {
    if (dst.numel() > 0) transfer(dst, src_in, non_blocking);
    return;
  }
  Tensor src = unalias_input(dst, src_in);
  IterSpec spec;
  spec.out = dst;
  spec.out_dtype = dst.dtype();
  spec.op_name = "copy_";
  Tensor expanded = src.dim() == dst.dim() && src.sizes().equals(dst.sizes()) ? src : expand(src, dst.sizes());
  spec.add_input(expanded);
  TensorIter it = make_iter(spec);
  checked_kernel(kernel_table(dev.type).copy, "copy_", dev)(it);
}

Tensor raw_convert(const Tensor& t, Dtype dtype, const char* name) {
  IterSpec spec;
  spec.out_dtype = dtype;
  spec.op_name = name;
  spec.add_input(t);
  TensorIter it = make_iter(spec);
  checked_kernel(kernel_table(t.device().type).copy, name, t.device())(it);
  return spec.out;
}

// Gradient passes through unchanged (the engine casts it to the input's dtype).
struct PassBackward final : Node {
  const char* op;
  explicit PassBackward(const char* o) : op(o) {}
  std::string name() const override { return op; }
  TensorList apply(TensorList&& g) override { return {g[0]}; }
};

// dst.copy_(src): the old dst gets a zero gradient, src gets all of it.
struct CopyBackwards final : Node {
  std::string name() const override { return "CopyBackwards"; }
  TensorList apply(TensorList&& g) override {
    return {next_edges[0].valid() ? zeros_like(g[0]) : Tensor(), g[0]};
  }
};

// fill_ (and random fills): the old value gets a zero gradient.
struct OverwriteBackward final : Node {
  const char* op;
  explicit OverwriteBackward(const char* o) : op(o) {}
  std::string name() const override { return op; }
  TensorList apply(TensorList&& g) override { return {zeros_like(g[0])}; }
};
}  // namespace

Tensor& copy_(Tensor& dst, const Tensor& src) {
  if (dst.is_same(src)) return dst;
  DG_CHECK(broadcast_shapes(dst.sizes(), src.sizes()).size() == dst.sizes().size(), Error,
           "copy_: the source of shape ", src.sizes(), " cannot be broadcast to the destination's shape ",
           dst.sizes());
  bool grad = any_requires_grad({&dst, &src});
  if (grad) check_inplace(dst);
  run_copy(dst, src);
  if (grad) {
    auto node = make_intrusive<CopyBackwards>();
    node->next_edges = collect_next_edges({&dst, &src});
    rebase_history(dst, node);
  }
  return dst;
}

void mark_overwritten(Tensor& t, const char* op) {
  if (!any_requires_grad({&t})) return;
  auto node = make_intrusive<OverwriteBackward>(op);
  node->next_edges = collect_next_edges({&t});
  rebase_history(t, node);
}

namespace {
// PyTorch refuses to store a number the dtype can't hold (c10's checked
// conversion): a non-finite or out-of-range float in an integer dtype, a
// complex number with an imaginary part in a real dtype, a finite float
// beyond a narrower float's range. Negative integers may wrap into uint8.
bool fits(const Scalar& v, Dtype dtype) {
  if (dtype == kBool || is_complex(dtype)) return true;
  if (v.is_complex() && v.to_complex().im != 0) return false;
  if (is_integral(dtype, false)) {
    double lo, hi;
    switch (dtype) {
      case kUInt8: lo = -255, hi = 255; break;
      case kInt8: lo = INT8_MIN, hi = INT8_MAX; break;
      case kInt16: lo = INT16_MIN, hi = INT16_MAX; break;
      case kInt32: lo = INT32_MIN, hi = INT32_MAX; break;
      default: lo = -9223372036854775808.0, hi = 9223372036854775807.0; break;
    }
    if (v.is_integral() || v.is_bool()) return dtype == kInt64 || (v.to_long() >= lo && v.to_long() <= hi);
    double x = v.to_double();
    return x >= lo && (dtype == kInt64 ? x < hi : x <= hi);  // false for NaN; 2**63 itself doesn't fit int64
  }
  if (v.is_integral() || v.is_bool() || dtype == kFloat64) return true;
  double x = v.to_double(), max = dtype == kFloat16 ? 65504.0 : dtype == kBFloat16 ? 3.3895313892515355e38
                                                                                     : 3.4028234663852886e38;
  return !(std::isfinite(x) && (x > max || x < -max));
}
void check_fits(const Scalar& v, Dtype dtype) {
  DG_CHECK(fits(v, dtype), Error, "value cannot be converted to type ", dtype_name(dtype), " without overflow");
}
}  // namespace

Tensor with_valid_bools(const Tensor& t) {
  if (t.dtype() != kBool || t.numel() == 0) return t;
  NoGradGuard no_grad;
  Tensor bytes = make_tensor(t.impl()->storage(), kUInt8, Shape(t.sizes()), Shape(t.strides()), t.storage_offset());
  if (!any(gt(bytes, Scalar(1))).item<bool>()) return t;
  return ne(bytes, Scalar(0));
}

Tensor& fill_(Tensor& t, const Scalar& value) {
  check_fits(value, t.dtype());
  bool grad = any_requires_grad({&t});
  if (grad) check_inplace(t);
  IterSpec spec;
  spec.out = t;
  spec.out_dtype = t.dtype();
  spec.op_name = "fill_";
  TensorIter it = make_iter(spec);
  checked_kernel(kernel_table(t.device().type).fill, "fill_", t.device())(it, value);
  if (grad) mark_overwritten(t, "FillBackward0");
  return t;
}

Tensor& fill_(Tensor& t, const Tensor& value) {
  DG_CHECK(value.dim() == 0, Error, "fill_ only supports 0-dimension value tensor but got tensor with ",
           value.dim(), " dimensions.");
  return fill_(t, value.item());
}

namespace {
// Dense and non-overlapping in some order of its dims (a permutation of a
// contiguous tensor, possibly with size-1 dims of any stride).
bool is_non_overlapping_and_dense(const Tensor& t) {
  std::vector<int64_t> dims;
  for (int64_t d = 0; d < t.dim(); ++d)
    if (t.sizes()[d] != 1) dims.push_back(d);
  std::sort(dims.begin(), dims.end(), [&](int64_t a, int64_t b) { return t.strides()[a] < t.strides()[b]; });
  int64_t expected = 1;
  for (int64_t d : dims) {
    if (t.strides()[d] != expected) return false;
    expected *= t.sizes()[d];
  }
  return true;
}
}  // namespace

Tensor clone(const Tensor& t) {
  Tensor out;
  {
    NoGradGuard no_grad;
    if (!t.is_contiguous() && t.numel() > 0 && is_non_overlapping_and_dense(t)) {
      // PyTorch's preserve_format: the copy keeps the exact strides.
      out = empty_strided(t.sizes(), t.strides(), TensorOptions(t.dtype()).device(t.device()));
      run_copy(out, t);
    } else {
      out = raw_convert(t, t.dtype(), "clone");
    }
  }
  if (any_requires_grad({&t})) record(out, {&t}, make_intrusive<PassBackward>("CloneBackward0"));
  return out;
}

Tensor to_dtype(const Tensor& t, Dtype dtype, bool copy) {
  if (dtype == t.dtype() && !copy) return t;
  Tensor out = raw_convert(t, dtype, "to");
  // A cast to an integer or bool dtype ends the graph (the result doesn't require grad).
  if ((is_floating_point(dtype) || is_complex(dtype)) && any_requires_grad({&t}))
    record(out, {&t}, make_intrusive<PassBackward>("ToCopyBackward0"));
  return out;
}

Tensor to_device(const Tensor& t, Device device, bool copy, bool non_blocking) {
  device = resolve_device(device);
  if (device == t.device() && !copy) return t;
  // A pinned host buffer makes a non-blocking copy from the GPU really asynchronous.
  bool pin = non_blocking && device.is_cpu() && t.device().is_cuda();
  Tensor out = pin ? pin_memory(empty(t.sizes(), TensorOptions(t.dtype()))) : empty(t.sizes(), TensorOptions(t.dtype()).device(device));
  {
    NoGradGuard no_grad;
    run_copy(out, t, non_blocking);
  }
  if (any_requires_grad({&t})) record(out, {&t}, make_intrusive<PassBackward>("ToCopyBackward0"));
  return out;
}

}  // namespace dg

namespace dg {

bool is_pinned(const Tensor& t) { return t.device().is_cpu() && t.numel() > 0 && cuda::is_pinned(t.data_ptr()); }

Tensor pin_memory(const Tensor& t) {
  DG_CHECK(t.device().is_cpu(), Error, "cannot pin '", t.str(), "': only dense CPU tensors can be pinned");
  if (is_pinned(t)) return t;
  size_t nbytes = static_cast<size_t>(t.numel() * itemsize(t.dtype()));
  DataPtr data{cuda::pinned_alloc(nbytes), nullptr, [](void* p, void*) { cuda::pinned_free(p); }};
  Tensor out = make_tensor(make_intrusive<StorageImpl>(data, nbytes, kCPU), t.dtype(), Shape(t.sizes()),
                           contiguous_strides(t.sizes()), 0);
  NoGradGuard no_grad;
  run_copy(out, t);
  return out;
}

}  // namespace dg
