// TensorImpl (storage + offset + sizes + strides + dtype) and Tensor, the
// cheap refcounted handle users hold. Views are TensorImpls that share a
// storage. Every op is a free function in ops.h; the common ones are also
// methods here, as in PyTorch's C++ API.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "dyngraph/device.h"
#include "dyngraph/dtype.h"
#include "dyngraph/export.h"
#include "dyngraph/intrusive_ptr.h"
#include "dyngraph/scalar.h"
#include "dyngraph/shape.h"
#include "dyngraph/storage.h"

namespace dg {

struct AutogradMeta;  // autograd.h

class DG_API TensorImpl : public Refcounted {
 public:
  TensorImpl(Storage storage, Dtype dtype, Shape sizes, Shape strides, int64_t storage_offset);
  ~TensorImpl() override;

  IntArrayRef sizes() const { return sizes_; }
  IntArrayRef strides() const { return strides_; }
  int64_t dim() const { return static_cast<int64_t>(sizes_.size()); }
  int64_t numel() const { return numel_; }
  Dtype dtype() const { return dtype_; }
  Device device() const { return storage_->device(); }
  const Storage& storage() const { return storage_; }
  int64_t storage_offset() const { return storage_offset_; }
  bool is_contiguous() const { return is_contiguous_; }
  bool is_inference() const { return storage_->is_inference(); }
  // Address of element [0, 0, ...].
  char* data() const {
    return static_cast<char*>(storage_->data()) + storage_offset_ * itemsize(dtype_);
  }

  // Autograd state; null for tensors that never took part in autograd.
  AutogradMeta* autograd_meta() const { return autograd_.get(); }
  AutogradMeta& ensure_autograd_meta();
  void clear_autograd_meta();

  // Makes this tensor use other's memory and geometry (Tensor.data = other).
  void set_data(const TensorImpl& other);

  // For views: the tensor (never itself a view) whose memory this one views.
  TensorImpl* view_base() const { return view_base_.get(); }
  void set_view_base(intrusive_ptr<TensorImpl> base) { view_base_ = std::move(base); }
  // Which history of the base this view's grad_fn was derived from (the
  // base grad_fn's sequence number + 1; 0: none; kNoGradView: made under
  // no_grad, never tracks the base). Autograd refreshes stale views.
  static constexpr uint64_t kNoGradView = ~uint64_t(0);
  uint64_t view_history = 0;

 private:
  void check_in_bounds() const;  // throws unless every reachable element lies in the storage

  std::unique_ptr<AutogradMeta> autograd_;
  intrusive_ptr<TensorImpl> view_base_;
  Storage storage_;
  Shape sizes_;
  Shape strides_;
  int64_t storage_offset_;
  int64_t numel_;
  Dtype dtype_;
  bool is_contiguous_;
};

// What a factory makes: dtype (default: the op's own default), device.
struct TensorOptions {
  bool has_dtype = false;
  bool has_device = false;  // *_like keep the tensor's device unless one is given
  Dtype dtype_ = kFloat32;
  Device device_ = kCPU;

  TensorOptions() = default;
  TensorOptions(Dtype d) : has_dtype(true), dtype_(d) {}
  TensorOptions(Device dev) : has_device(true), device_(dev) {}
  TensorOptions(DeviceType t) : has_device(true), device_(t) {}
  TensorOptions dtype(Dtype d) const {
    TensorOptions o = *this;
    o.has_dtype = true;
    o.dtype_ = d;
    return o;
  }
  TensorOptions device(Device dev) const {
    TensorOptions o = *this;
    o.has_device = true;
    o.device_ = dev;
    return o;
  }
  Dtype dtype_or(Dtype fallback) const { return has_dtype ? dtype_ : fallback; }
};

class DG_API Tensor {
 public:
  Tensor() = default;
  explicit Tensor(intrusive_ptr<TensorImpl> impl) : impl_(std::move(impl)) {}

  bool defined() const { return static_cast<bool>(impl_); }
  TensorImpl* impl() const { return impl_.get(); }
  const intrusive_ptr<TensorImpl>& impl_ptr() const { return impl_; }
  bool is_same(const Tensor& o) const { return impl_ == o.impl_; }

  IntArrayRef sizes() const { return impl_->sizes(); }
  IntArrayRef strides() const { return impl_->strides(); }
  int64_t size(int64_t dim) const { return impl_->sizes()[wrap_dim_of_sized(dim, this->dim())]; }
  int64_t stride(int64_t dim) const { return impl_->strides()[wrap_dim_of_sized(dim, this->dim())]; }
  int64_t dim() const { return impl_->dim(); }
  int64_t numel() const { return impl_->numel(); }
  Dtype dtype() const { return impl_->dtype(); }
  Device device() const { return impl_->device(); }
  int64_t storage_offset() const { return impl_->storage_offset(); }
  bool is_contiguous() const { return impl_->is_contiguous(); }
  int64_t element_size() const { return itemsize(dtype()); }
  void* data_ptr() const { return impl_->data(); }
  template <class T>
  T* data_ptr() const {
    DG_CHECK(DtypeOf<T>::value == dtype(), TypeError, "data_ptr: expected dtype ",
             dtype_name(DtypeOf<T>::value), " but the tensor is ", dtype_name(dtype()));
    return reinterpret_cast<T*>(impl_->data());
  }

  // The single value of a one-element tensor.
  Scalar item() const;
  template <class T>
  T item() const {
    return item().to<T>();
  }
  std::string str() const;  // a short description: shape, dtype, device

  // Views (no copies).
  Tensor view(IntArrayRef shape) const;
  Tensor reshape(IntArrayRef shape) const;
  Tensor transpose(int64_t dim0, int64_t dim1) const;
  Tensor permute(IntArrayRef dims) const;
  Tensor t() const;
  Tensor mT() const;
  Tensor expand(IntArrayRef shape) const;
  Tensor expand_as(const Tensor& other) const;
  Tensor squeeze() const;
  Tensor squeeze(int64_t dim) const;
  Tensor unsqueeze(int64_t dim) const;
  Tensor flatten(int64_t start_dim = 0, int64_t end_dim = -1) const;
  Tensor narrow(int64_t dim, int64_t start, int64_t length) const;
  Tensor select(int64_t dim, int64_t index) const;
  Tensor contiguous() const;

  // Copies and conversions.
  Tensor clone() const;
  Tensor to(Dtype dtype, bool copy = false) const;
  Tensor to(Device device, bool copy = false) const;
  Tensor& copy_(const Tensor& src);
  Tensor& fill_(const Scalar& value);
  Tensor& zero_();

  // Arithmetic, in place.
  Tensor& add_(const Tensor& other, const Scalar& alpha = 1);
  Tensor& add_(const Scalar& other, const Scalar& alpha = 1);
  Tensor& sub_(const Tensor& other, const Scalar& alpha = 1);
  Tensor& sub_(const Scalar& other, const Scalar& alpha = 1);
  Tensor& mul_(const Tensor& other);
  Tensor& mul_(const Scalar& other);
  Tensor& div_(const Tensor& other);
  Tensor& div_(const Scalar& other);

  // Autograd (autograd.h has the free functions these forward to).
  bool requires_grad() const;
  Tensor& requires_grad_(bool requires_grad = true);
  bool is_leaf() const;
  Tensor grad() const;  // undefined when none
  Tensor detach() const;
  // Accumulates d(this)/d(leaves) into the leaves' grad(); gradient defaults
  // to 1 for a one-element tensor.
  void backward(const Tensor& gradient = Tensor(), bool retain_graph = false, bool create_graph = false) const;

  // Common math, as methods (ops.h has every op as a free function).
  Tensor pow(const Scalar& exponent) const;
  Tensor pow(const Tensor& exponent) const;
  Tensor sum() const;
  Tensor mean() const;
  Tensor matmul(const Tensor& other) const;

  Tensor& operator+=(const Tensor& o) { return add_(o); }
  Tensor& operator+=(const Scalar& o) { return add_(o); }
  Tensor& operator-=(const Tensor& o) { return sub_(o); }
  Tensor& operator-=(const Scalar& o) { return sub_(o); }
  Tensor& operator*=(const Tensor& o) { return mul_(o); }
  Tensor& operator*=(const Scalar& o) { return mul_(o); }
  Tensor& operator/=(const Tensor& o) { return div_(o); }
  Tensor& operator/=(const Scalar& o) { return div_(o); }

 private:
  intrusive_ptr<TensorImpl> impl_;
};

// Makes a tensor over storage with the given geometry (no checks: internal).
DG_API Tensor make_tensor(Storage storage, Dtype dtype, Shape sizes, Shape strides, int64_t offset);

// A new, uninitialized tensor (the allocation every factory and kernel starts
// from): contiguous, or with the given strides (non-negative).
DG_API Tensor empty(IntArrayRef shape, TensorOptions options = {});
DG_API Tensor empty_strided(IntArrayRef shape, IntArrayRef strides, TensorOptions options = {});

}  // namespace dg
