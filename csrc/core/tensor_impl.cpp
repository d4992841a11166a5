#include <sstream>

#include "dyngraph/autograd.h"
#include "dyngraph/ops.h"
#include "dyngraph/tensor.h"

namespace dg {

namespace {
std::atomic<int64_t> g_live_tensors{0};
}
int64_t live_tensor_count() { return g_live_tensors.load(); }

namespace {
bool compute_contiguous(IntArrayRef sizes, IntArrayRef strides, int64_t numel) {
  if (numel < 2) return true;
  int64_t expected = 1;
  for (size_t i = sizes.size(); i-- > 0;) {
    if (sizes[i] == 1) continue;
    if (strides[i] != expected) return false;
    expected *= sizes[i];
  }
  return true;
}
}  // namespace

TensorImpl::TensorImpl(Storage storage, Dtype dtype, Shape sizes, Shape strides, int64_t storage_offset)
    : storage_(std::move(storage)),
      sizes_(std::move(sizes)),
      strides_(std::move(strides)),
      storage_offset_(storage_offset),
      dtype_(dtype) {
  numel_ = checked_numel(sizes_);
  check_in_bounds();
  is_contiguous_ = compute_contiguous(sizes_, strides_, numel_);
  g_live_tensors.fetch_add(1, std::memory_order_relaxed);
}

// Every tensor is made through the constructor above, so this one check
// keeps any geometry a user can ask for (as_strided, expand, view, a file's
// shape) from reaching outside its storage. All arithmetic is checked: a
// size times a stride near 2**63 must not wrap into a small, "valid" index.
void TensorImpl::check_in_bounds() const {
  DG_CHECK(sizes_.size() == strides_.size(), Error, "a tensor needs one stride per size (got ", sizes_.size(),
           " sizes and ", strides_.size(), " strides)");
  DG_CHECK(storage_offset_ >= 0, Error, "Tensor: invalid storage offset ", storage_offset_);
  // An empty tensor may start anywhere, but its offset must still count in
  // bytes (data() computes the address of element 0).
  int64_t offset_bytes;
  DG_CHECK(!__builtin_mul_overflow(storage_offset_, itemsize(dtype_), &offset_bytes), Error,
           "Tensor: storage offset ", storage_offset_, " is too large");
  if (numel_ == 0 || !storage_) return;
  int64_t lowest = storage_offset_, highest = storage_offset_;
  bool overflow = false;
  for (size_t d = 0; d < sizes_.size(); ++d) {
    int64_t extent;
    overflow |= __builtin_mul_overflow(sizes_[d] - 1, strides_[d], &extent);
    overflow |= __builtin_add_overflow(extent < 0 ? lowest : highest, extent, extent < 0 ? &lowest : &highest);
  }
  int64_t capacity = static_cast<int64_t>(storage_->nbytes() / static_cast<size_t>(itemsize(dtype_)));
  DG_CHECK(!overflow && lowest >= 0 && highest < capacity, Error, "setStorage: sizes ", sizes_, ", strides ",
           strides_, ", storage offset ", storage_offset_, " and itemsize ", itemsize(dtype_),
           " reach outside a storage of size ", storage_->nbytes(), " bytes");
}

TensorImpl::~TensorImpl() { g_live_tensors.fetch_sub(1, std::memory_order_relaxed); }

AutogradMeta& TensorImpl::ensure_autograd_meta() {
  if (!autograd_) autograd_ = std::make_unique<AutogradMeta>();
  return *autograd_;
}
void TensorImpl::clear_autograd_meta() { autograd_.reset(); }

void TensorImpl::set_data(const TensorImpl& o) {
  storage_ = o.storage_;
  sizes_ = o.sizes_;
  strides_ = o.strides_;
  storage_offset_ = o.storage_offset_;
  numel_ = o.numel_;
  dtype_ = o.dtype_;
  is_contiguous_ = o.is_contiguous_;
}

Tensor make_tensor(Storage storage, Dtype dtype, Shape sizes, Shape strides, int64_t offset) {
  return Tensor(make_intrusive<TensorImpl>(std::move(storage), dtype, std::move(sizes), std::move(strides), offset));
}

Scalar Tensor::item() const {
  DG_CHECK(numel() == 1, Error, "a Tensor with ", numel(), " elements cannot be converted to Scalar");
  Tensor cpu = device().is_cpu() ? *this : to(kCPU);
  const char* p = cpu.impl()->data();
  Scalar out;
  DG_DISPATCH_ALL(dtype(), "item", [&] { out = Scalar(*reinterpret_cast<const scalar_t*>(p)); });
  return out;
}

std::string Tensor::str() const {
  if (!defined()) return "Tensor(undefined)";
  std::ostringstream os;
  os << "Tensor(shape=" << sizes() << ", dtype=" << dtype_name(dtype()) << ", device=" << device().str() << ")";
  return os.str();
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
