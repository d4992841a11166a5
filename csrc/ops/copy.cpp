// copy_, fill_, clone and dtype/device conversion: all run the copy and fill
// kernels over a TensorIter.
#include "autograd/record.h"
#include "core/dispatch.h"
#include "core/tensor_iter.h"
#include "dyngraph/ops.h"
#include "ops/overlap.h"

namespace dg {

namespace {
// Copies between devices go through the destination's (or source's) backend.
void run_copy(Tensor& dst, const Tensor& src_in) {
  Device dev = dst.device();
  DG_CHECK(src_in.device() == dev, Error, "copy_: copies between ", src_in.device().str(), " and ", dev.str(),
           " need the CUDA backend, which is not available");
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

// dst.copy_(src): the old dst gets no gradient, src gets all of it.
struct CopyBackwards final : Node {
  std::string name() const override { return "CopyBackwards"; }
  TensorList apply(TensorList&& g) override { return {Tensor(), g[0]}; }
};

// fill_ (and random fills): the old value gets no gradient.
struct OverwriteBackward final : Node {
  const char* op;
  explicit OverwriteBackward(const char* o) : op(o) {}
  std::string name() const override { return op; }
  TensorList apply(TensorList&&) override { return {Tensor()}; }
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

Tensor& fill_(Tensor& t, const Scalar& value) {
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

Tensor clone(const Tensor& t) {
  Tensor out;
  {
    NoGradGuard no_grad;
    out = raw_convert(t, t.dtype(), "clone");
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

Tensor to_device(const Tensor& t, Device device, bool copy) {
  if (device.index < 0 && device.is_cuda()) device.index = 0;
  if (device.is_cpu()) device.index = -1;
  if (device == t.device() && !copy) return t;
  Tensor out = empty(t.sizes(), TensorOptions(t.dtype()).device(device));
  {
    NoGradGuard no_grad;
    run_copy(out, t);
  }
  if (any_requires_grad({&t})) record(out, {&t}, make_intrusive<PassBackward>("ToCopyBackward0"));
  return out;
}

}  // namespace dg
