// DLPack interop, both ways and zero-copy. Export: a capsule owning a
// DLManagedTensor(Versioned) that holds a reference to the tensor's storage;
// the consumer calls its deleter, or the capsule's destructor does when no one
// consumed it. Import: a capsule's tensor becomes a Storage wrapping the
// producer's memory whose deleter calls the producer's deleter. The Python
// protocol around this (__dlpack__'s stream / dl_device / copy arguments,
// from_dlpack calling __dlpack__) lives in python/dyngraph/_dlpack.py.
#include "python/dlpack.h"

#include <vector>

#include "python/bindings.h"

namespace py = pybind11;

namespace dg::python {

namespace {

using namespace dlpack;

// Capsule names from the spec; a consumer renames the capsule to the "used_"
// name so that its destructor knows ownership moved.
template <class Managed>
struct Names;
template <>
struct Names<DLManagedTensor> {
  static constexpr const char* fresh = "dltensor";
  static constexpr const char* used = "used_dltensor";
};
template <>
struct Names<DLManagedTensorVersioned> {
  static constexpr const char* fresh = "dltensor_versioned";
  static constexpr const char* used = "used_dltensor_versioned";
};

// ---- dtypes and devices ------------------------------------------------------------------

DLDataType to_dl(Dtype d) {
  auto bits = static_cast<uint8_t>(itemsize(d) * 8);
  switch (d) {
    case kBool: return {kDLBool, 8, 1};
    case kUInt8: return {kDLUInt, 8, 1};
    case kBFloat16: return {kDLBfloat, 16, 1};
    case kComplex64:
    case kComplex128: return {kDLComplex, bits, 1};
    default: return {is_floating_point(d) ? kDLFloat : kDLInt, bits, 1};
  }
}

Dtype from_dl(DLDataType t) {
  DG_CHECK(t.lanes == 1, TypeError, "from_dlpack: vector dtypes (lanes=", t.lanes, ") are not supported");
  auto pick = [&](std::initializer_list<std::pair<int, Dtype>> by_bits) {
    for (auto [bits, d] : by_bits)
      if (bits == t.bits) return d;
    DG_FAIL(TypeError, "from_dlpack: unsupported DLPack dtype (code ", int(t.code), ", ", int(t.bits),
            " bits); dyngraph has bool, uint8, int8/16/32/64, float16/32/64, bfloat16, complex64/128");
  };
  switch (t.code) {
    case kDLBool: return pick({{8, kBool}});
    case kDLUInt: return pick({{8, kUInt8}});
    case kDLInt: return pick({{8, kInt8}, {16, kInt16}, {32, kInt32}, {64, kInt64}});
    case kDLFloat: return pick({{16, kFloat16}, {32, kFloat32}, {64, kFloat64}});
    case kDLBfloat: return pick({{16, kBFloat16}});
    case kDLComplex: return pick({{64, kComplex64}, {128, kComplex128}});
    default: return pick({});
  }
}

DLDevice to_dl(Device d) {
  if (d.is_cuda()) return {kDLCUDA, d.index < 0 ? 0 : d.index};
  return {kDLCPU, 0};
}

Device from_dl(DLDevice d) {
  switch (d.device_type) {
    case kDLCPU:
    case kDLCUDAHost: return kCPU;
    case kDLCUDA:
    case kDLCUDAManaged: return Device(DeviceType::CUDA, d.device_id);
    default: throw py::buffer_error("from_dlpack: unsupported DLPack device type " + std::to_string(d.device_type) +
                                    " (dyngraph reads CPU and CUDA memory)");
  }
}

// ---- export ------------------------------------------------------------------------------

// What an exported capsule owns: the storage (which keeps the memory alive)
// and the arrays its DLTensor points at.
template <class Managed>
struct Exported {
  Storage storage;
  int64_t storage_offset = 0;
  std::vector<int64_t> shape, strides;
  Managed managed{};
};

template <class Managed>
void delete_exported(Managed* self) {
  // Only drops a Storage reference: safe on any thread (a storage wrapping
  // Python memory takes the GIL itself when it is freed).
  delete static_cast<Exported<Managed>*>(self->manager_ctx);
}

// The capsule destructor: frees the tensor unless a consumer took it over
// (and renamed the capsule).
template <class Managed>
void capsule_destructor(PyObject* capsule) {
  if (!PyCapsule_IsValid(capsule, Names<Managed>::fresh)) return;
  auto* m = static_cast<Managed*>(PyCapsule_GetPointer(capsule, Names<Managed>::fresh));
  if (m && m->deleter) m->deleter(m);
}

template <class Managed>
py::object to_capsule(const Tensor& t, bool copied) {
  auto* ex = new Exported<Managed>();
  ex->storage = t.impl()->storage();
  ex->storage_offset = t.storage_offset();
  ex->shape.assign(t.sizes().begin(), t.sizes().end());
  ex->strides.assign(t.strides().begin(), t.strides().end());
  Managed& m = ex->managed;
  // data points at element 0 with byte_offset 0, as PyTorch and NumPy export:
  // some consumers ignore byte_offset.
  m.dl_tensor = DLTensor{t.data_ptr(), to_dl(t.device()), static_cast<int32_t>(t.dim()), to_dl(t.dtype()),
                         ex->shape.data(), ex->strides.data(), 0};
  m.manager_ctx = ex;
  m.deleter = &delete_exported<Managed>;
  if constexpr (std::is_same_v<Managed, DLManagedTensorVersioned>) {
    m.version = {kMajorVersion, kMinorVersion};
    m.flags = copied ? kFlagIsCopied : 0;
  }
  PyObject* capsule = PyCapsule_New(&m, Names<Managed>::fresh, &capsule_destructor<Managed>);
  if (!capsule) {
    delete ex;
    throw py::error_already_set();
  }
  return py::reinterpret_steal<py::object>(capsule);
}

// ---- import ------------------------------------------------------------------------------

template <class Managed>
void release_imported(void*, void* ctx) {
  auto* m = static_cast<Managed*>(ctx);
  if (m->deleter) m->deleter(m);
}

template <class Managed>
Tensor from_managed(Managed* m) {
  const DLTensor& dl = m->dl_tensor;
  Device device = from_dl(dl.device);
  Dtype dtype = from_dl(dl.dtype);
  DG_CHECK(dl.ndim >= 0, ValueError, "from_dlpack: negative ndim ", dl.ndim);
  int64_t item = itemsize(dtype);
  Shape sizes, strides;
  bool empty = false;
  for (int d = 0; d < dl.ndim; ++d) {
    DG_CHECK(dl.shape[d] >= 0, ValueError, "from_dlpack: negative size ", dl.shape[d], " in dimension ", d);
    sizes.push_back(dl.shape[d]);
    empty = empty || dl.shape[d] == 0;
  }
  // Null strides: compact row-major (DLPack < 1.2 producers may send them).
  Shape row_major = contiguous_strides(sizes);
  int64_t extent = 0;  // the last element's index, relative to element 0
  for (int d = 0; d < dl.ndim; ++d) {
    int64_t st = dl.strides ? dl.strides[d] : row_major[d];
    // A dimension of size 0 or 1 never steps, so its stride is free to be anything.
    DG_CHECK(st >= 0 || sizes[d] <= 1, ValueError,
             "from_dlpack: negative strides are not supported (dimension ", d, " has stride ", st,
             "); make a copy in the producing library first");
    strides.push_back(sizes[d] <= 1 ? std::max<int64_t>(st, 0) : st);
    if (!empty) extent += checked_mul(sizes[d] - 1, strides.back(), "from_dlpack");
  }
  char* data = static_cast<char*>(dl.data) + dl.byte_offset;
  if (m->deleter == &delete_exported<Managed>) {
    // Our own capsule coming back: reuse its storage, so both tensors share
    // one version counter (autograd's in-place checks see writes through either).
    auto* ex = static_cast<Exported<Managed>*>(m->manager_ctx);
    Storage storage = ex->storage;
    int64_t offset = ex->storage_offset;
    m->deleter(m);
    return make_tensor(std::move(storage), dtype, std::move(sizes), std::move(strides), offset);
  }
  size_t nbytes = empty ? 0 : static_cast<size_t>(checked_mul(extent + 1, item, "from_dlpack"));
  Storage storage = make_intrusive<StorageImpl>(DataPtr{data, m, &release_imported<Managed>}, nbytes, device);
  return with_valid_bools(make_tensor(std::move(storage), dtype, std::move(sizes), std::move(strides), 0));
}

// Consumes a capsule: on success it is renamed "used_..." and its tensor is
// owned by the result; on failure it is left untouched (still the producer's).
template <class Managed>
Tensor consume(PyObject* capsule) {
  auto* m = static_cast<Managed*>(PyCapsule_GetPointer(capsule, Names<Managed>::fresh));
  if (!m) throw py::error_already_set();
  if constexpr (std::is_same_v<Managed, DLManagedTensorVersioned>) {
    if (m->version.major > kMajorVersion)
      throw py::buffer_error("from_dlpack: the capsule's DLPack version " + std::to_string(m->version.major) + "." +
                             std::to_string(m->version.minor) + " is newer than the supported " +
                             std::to_string(kMajorVersion) + ".x");
    // DLPACK_FLAG_BITMASK_READ_ONLY is not enforced: dyngraph has no read-only
    // tensors, and PyTorch too wraps such memory as an ordinary writable tensor.
  }
  Tensor t = from_managed(m);
  if (PyCapsule_SetName(capsule, Names<Managed>::used) != 0) throw py::error_already_set();
  return t;
}

Tensor from_capsule(py::handle obj) {
  PyObject* capsule = obj.ptr();
  if (PyCapsule_IsValid(capsule, Names<DLManagedTensor>::fresh)) return consume<DLManagedTensor>(capsule);
  if (PyCapsule_IsValid(capsule, Names<DLManagedTensorVersioned>::fresh))
    return consume<DLManagedTensorVersioned>(capsule);
  // PyTorch's message (a used capsule, or anything that is no DLPack capsule).
  DG_FAIL(Error, "from_dlpack received an invalid capsule. Note that DLTensor capsules can be consumed only once, "
                 "so you might have already constructed a tensor from it once.");
}

}  // namespace

void bind_dlpack(py::module_& m) {
  m.def(
      "_to_dlpack",
      [](const Tensor& t, bool versioned, bool copied) {
        return versioned ? to_capsule<DLManagedTensorVersioned>(t, copied) : to_capsule<DLManagedTensor>(t, copied);
      },
      py::arg("tensor"), py::arg("versioned") = false, py::arg("copied") = false,
      "A DLPack capsule viewing the tensor's memory: \"dltensor_versioned\" (DLPack 1.0) when versioned, else the "
      "legacy \"dltensor\"; copied sets the IS_COPIED flag. Checks (requires_grad, streams) are the caller's.");
  m.def("_from_dlpack", &from_capsule, py::arg("capsule"),
        "Consumes a \"dltensor\" or \"dltensor_versioned\" capsule into a tensor sharing its memory.");
}

}  // namespace dg::python
