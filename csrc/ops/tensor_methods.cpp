// The Tensor methods that run ops (dyngraph/tensor.h): thin forwards to the
// free functions of ops.h and autograd.h. They live beside the ops, not in
// the core, so that the core (csrc/core) knows no op.
#include "core/dispatch.h"
#include "dyngraph/autograd.h"
#include "dyngraph/ops.h"
#include "dyngraph/tensor.h"

namespace dg {

Scalar Tensor::item() const {
  DG_CHECK(numel() == 1, Error, "a Tensor with ", numel(), " elements cannot be converted to Scalar");
  Tensor cpu = device().is_cpu() ? *this : to(kCPU);
  const char* p = cpu.impl()->data();
  Scalar out;
  DG_DISPATCH_ALL(dtype(), "item", [&] { out = Scalar(*reinterpret_cast<const scalar_t*>(p)); });
  return out;
}

// ---- methods: thin forwards to the free functions of ops.h ----------------------
Tensor Tensor::view(IntArrayRef shape) const { return dg::view(*this, shape); }
Tensor Tensor::reshape(IntArrayRef shape) const { return dg::reshape(*this, shape); }
Tensor Tensor::transpose(int64_t d0, int64_t d1) const { return dg::transpose(*this, d0, d1); }
Tensor Tensor::permute(IntArrayRef dims) const { return dg::permute(*this, dims); }
Tensor Tensor::t() const { return dg::t(*this); }
Tensor Tensor::mT() const { return dg::matrix_transpose(*this); }
Tensor Tensor::expand(IntArrayRef shape) const { return dg::expand(*this, shape); }
Tensor Tensor::expand_as(const Tensor& o) const { return dg::expand(*this, o.sizes()); }
Tensor Tensor::squeeze() const { return dg::squeeze(*this); }
Tensor Tensor::squeeze(int64_t dim) const { return dg::squeeze(*this, IntArrayRef(dim)); }
Tensor Tensor::unsqueeze(int64_t dim) const { return dg::unsqueeze(*this, dim); }
Tensor Tensor::flatten(int64_t s, int64_t e) const { return dg::flatten(*this, s, e); }
Tensor Tensor::narrow(int64_t dim, int64_t start, int64_t len) const { return dg::narrow(*this, dim, start, len); }
Tensor Tensor::select(int64_t dim, int64_t index) const { return dg::select(*this, dim, index); }
Tensor Tensor::contiguous() const { return dg::contiguous(*this); }
Tensor Tensor::clone() const { return dg::clone(*this); }
Tensor Tensor::to(Dtype d, bool copy) const { return dg::to_dtype(*this, d, copy); }
Tensor Tensor::to(Device d, bool copy) const { return dg::to_device(*this, d, copy); }
Tensor& Tensor::copy_(const Tensor& src) { return dg::copy_(*this, src); }
Tensor& Tensor::fill_(const Scalar& v) { return dg::fill_(*this, v); }
Tensor& Tensor::zero_() { return dg::fill_(*this, Scalar(0)); }
Tensor& Tensor::add_(const Tensor& o, const Scalar& alpha) { return dg::add_(*this, o, alpha); }
Tensor& Tensor::add_(const Scalar& o, const Scalar& alpha) { return dg::add_(*this, o, alpha); }
Tensor& Tensor::sub_(const Tensor& o, const Scalar& alpha) { return dg::sub_(*this, o, alpha); }
Tensor& Tensor::sub_(const Scalar& o, const Scalar& alpha) { return dg::sub_(*this, o, alpha); }
Tensor& Tensor::mul_(const Tensor& o) { return dg::mul_(*this, o); }
Tensor& Tensor::mul_(const Scalar& o) { return dg::mul_(*this, o); }
Tensor& Tensor::div_(const Tensor& o) { return dg::div_(*this, o); }
Tensor& Tensor::div_(const Scalar& o) { return dg::div_(*this, o); }

bool Tensor::requires_grad() const { return dg::requires_grad(*this); }
Tensor& Tensor::requires_grad_(bool on) { return dg::set_requires_grad(*this, on); }
bool Tensor::is_leaf() const { return dg::is_leaf(*this); }
Tensor Tensor::grad() const { return dg::grad(*this); }
Tensor Tensor::detach() const { return dg::detach(*this); }
void Tensor::backward(const Tensor& gradient, bool retain_graph, bool create_graph) const {
  TensorList grad_roots;
  if (gradient.defined()) grad_roots.push_back(gradient);
  dg::backward({*this}, grad_roots, retain_graph, create_graph);
}
Tensor Tensor::pow(const Scalar& e) const { return dg::pow(*this, e); }
Tensor Tensor::pow(const Tensor& e) const { return dg::pow(*this, e); }
Tensor Tensor::sum() const { return dg::sum(*this); }
Tensor Tensor::mean() const { return dg::mean(*this); }
Tensor Tensor::matmul(const Tensor& o) const { return dg::matmul(*this, o); }

}  // namespace dg
