// copy_, fill_, clone and dtype/device conversion: all run the copy and fill
// kernels over a TensorIter.
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
}  // namespace

Tensor& copy_(Tensor& dst, const Tensor& src) {
  if (dst.is_same(src)) return dst;
  DG_CHECK(broadcast_shapes(dst.sizes(), src.sizes()).size() == dst.sizes().size(), Error,
           "copy_: the source of shape ", src.sizes(), " cannot be broadcast to the destination's shape ",
           dst.sizes());
  run_copy(dst, src);
  return dst;
}

Tensor& fill_(Tensor& t, const Scalar& value) {
  IterSpec spec;
  spec.out = t;
  spec.out_dtype = t.dtype();
  spec.op_name = "fill_";
  TensorIter it = make_iter(spec);
  checked_kernel(kernel_table(t.device().type).fill, "fill_", t.device())(it, value);
  return t;
}

Tensor& fill_(Tensor& t, const Tensor& value) {
  DG_CHECK(value.dim() == 0, Error, "fill_ only supports 0-dimension value tensor but got tensor with ",
           value.dim(), " dimensions.");
  return fill_(t, value.item());
}

Tensor clone(const Tensor& t) {
  IterSpec spec;
  spec.out_dtype = t.dtype();
  spec.op_name = "clone";
  spec.add_input(t);
  TensorIter it = make_iter(spec);
  checked_kernel(kernel_table(t.device().type).copy, "clone", t.device())(it);
  return spec.out;
}

Tensor to_dtype(const Tensor& t, Dtype dtype, bool copy) {
  if (dtype == t.dtype() && !copy) return t;
  IterSpec spec;
  spec.out_dtype = dtype;
  spec.op_name = "to";
  spec.add_input(t);
  TensorIter it = make_iter(spec);
  checked_kernel(kernel_table(t.device().type).copy, "to", t.device())(it);
  return spec.out;
}

Tensor to_device(const Tensor& t, Device device, bool copy) {
  if (device.index < 0 && device.is_cuda()) device.index = 0;
  if (device.is_cpu()) device.index = -1;
  if (device == t.device() && !copy) return t;
  Tensor out = empty_strided(t.sizes(), t.is_contiguous() ? IntArrayRef(contiguous_strides(t.sizes())) : t.strides(),
                             TensorOptions(t.dtype()).device(device));
  return copy_(out, t);
}

}  // namespace dg
