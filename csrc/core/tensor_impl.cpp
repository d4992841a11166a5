#include <sstream>

#include "dyngraph/autograd.h"  // (AutogradMeta, which a TensorImpl owns)
#include "dyngraph/storage.h"
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

void check_inference_write() {
  DG_CHECK(inference_mode_enabled(), Error,
           "Inplace update to inference tensor outside InferenceMode is not allowed.You can make a clone to get a "
           "normal tensor before doing inplace update.See https://github.com/pytorch/rfcs/pull/17 for more details.");
}

Tensor make_tensor(Storage storage, Dtype dtype, Shape sizes, Shape strides, int64_t offset) {
  return Tensor(make_intrusive<TensorImpl>(std::move(storage), dtype, std::move(sizes), std::move(strides), offset));
}

Tensor empty(IntArrayRef shape, TensorOptions options) {
  Dtype dtype = options.dtype_or(default_dtype());
  int64_t numel = checked_numel(shape);
  size_t nbytes = static_cast<size_t>(checked_mul(numel, itemsize(dtype), "empty"));
  Device dev = resolve_device(options.device_);
  return make_tensor(new_storage(nbytes, dev), dtype, Shape(shape), contiguous_strides(shape), 0);
}

Tensor empty_strided(IntArrayRef shape, IntArrayRef strides, TensorOptions options) {
  DG_CHECK(shape.size() == strides.size(), ValueError, "empty_strided: mismatch in length of strides and shape");
  Dtype dtype = options.dtype_or(default_dtype());
  for (int64_t st : strides) DG_CHECK(st >= 0, ValueError, "empty_strided: negative strides are not supported");
  int64_t extent = checked_extent(shape, strides);
  size_t nbytes = static_cast<size_t>(checked_mul(extent, itemsize(dtype), "empty_strided"));
  return make_tensor(new_storage(nbytes, resolve_device(options.device_)), dtype, Shape(shape), Shape(strides), 0);
}


std::string Tensor::str() const {
  if (!defined()) return "Tensor(undefined)";
  std::ostringstream os;
  os << "Tensor(shape=" << sizes() << ", dtype=" << dtype_name(dtype()) << ", device=" << device().str() << ")";
  return os.str();
}

}  // namespace dg
