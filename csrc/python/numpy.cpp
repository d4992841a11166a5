// Zero-copy interop with NumPy (and anything exporting the buffer protocol):
// from_numpy wraps the exporter's memory in a Storage whose deleter releases
// the buffer; Tensor.numpy() returns an array viewing the tensor's memory
// that keeps the tensor alive.
#include <pybind11/numpy.h>

#include <cstring>

#include "python/bindings.h"

namespace py = pybind11;

namespace dg::python {

namespace {

// Buffer-protocol format strings (native byte order) for each dtype.
Dtype dtype_from_format(const std::string& fmt_in, Py_ssize_t itemsize) {
  std::string fmt = fmt_in;
  if (!fmt.empty() && (fmt[0] == '@' || fmt[0] == '=' || fmt[0] == '<')) fmt = fmt.substr(1);
  DG_CHECK(fmt.empty() || (fmt[0] != '>' && fmt[0] != '!'), ValueError,
           "can't convert np.ndarray of non-native byte order; use arr.astype(arr.dtype.newbyteorder('='))");
  if (fmt == "?") return kBool;
  if (fmt == "e") return kFloat16;
  if (fmt == "f") return kFloat32;
  if (fmt == "d") return kFloat64;
  if (fmt == "Zf") return kComplex64;
  if (fmt == "Zd") return kComplex128;
  if (fmt.size() == 1) {
    char c = fmt[0];
    bool is_unsigned = c == 'B' || c == 'H' || c == 'I' || c == 'L' || c == 'Q';
    bool is_signed = c == 'b' || c == 'h' || c == 'i' || c == 'l' || c == 'q';
    if (is_unsigned && itemsize == 1) return kUInt8;
    if (is_signed) {
      switch (itemsize) {
        case 1: return kInt8;
        case 2: return kInt16;
        case 4: return kInt32;
        case 8: return kInt64;
      }
    }
  }
  DG_FAIL(TypeError, "can't convert np.ndarray of type with buffer format '", fmt_in,
          "'. The only supported types are: float64, float32, float16, complex64, complex128, int64, int32, int16, "
          "int8, uint8, and bool.");
}

struct HeldBuffer {
  Py_buffer view;
};

void release_buffer(void*, void* ctx) {
  auto* held = static_cast<HeldBuffer*>(ctx);
  if (Py_IsInitialized()) {
    PyGILState_STATE st = PyGILState_Ensure();
    PyBuffer_Release(&held->view);
    PyGILState_Release(st);
  }
  delete held;
}

Tensor from_buffer(py::handle obj) {
  auto* held = new HeldBuffer();
  if (PyObject_GetBuffer(obj.ptr(), &held->view, PyBUF_RECORDS_RO) != 0) {
    delete held;
    PyErr_Clear();
    py::object dtype = py::getattr(obj, "dtype", py::none());
    throw dg::TypeError(std::string("can't convert ") + Py_TYPE(obj.ptr())->tp_name +
                        (dtype.is_none() ? std::string() : " of type " + py::str(dtype).cast<std::string>()) +
                        " to a tensor. The only supported types are: float64, float32, float16, complex64, "
                        "complex128, int64, int32, int16, int8, uint8, and bool.");
  }
  Py_buffer& v = held->view;
  if (v.readonly &&
      PyErr_WarnEx(PyExc_UserWarning,
                   "The given NumPy array is not writable, and dyngraph does not support non-writable tensors. "
                   "This means writing to this tensor will result in undefined behavior. You may want to copy the "
                   "array to protect its data or make it writable before converting it to a tensor.",
                   1) != 0) {
    PyBuffer_Release(&v);
    delete held;
    throw py::error_already_set();  // warnings turned into errors
  }
  Dtype dtype;
  try {
    dtype = dtype_from_format(v.format ? v.format : "B", v.itemsize);
  } catch (...) {
    PyBuffer_Release(&v);
    delete held;
    throw;
  }
  // The kernels load elements with their type's alignment (vector loads of
  // complex128 need 16 bytes); a buffer starting in between, such as a view
  // at an odd byte offset, would fault, so it is refused. Its strides are
  // whole elements (checked below), so an aligned start aligns every element.
  const size_t alignment = static_cast<size_t>(std::min<Py_ssize_t>(v.itemsize, 16));
  if (alignment > 1 && reinterpret_cast<uintptr_t>(v.buf) % alignment != 0) {
    PyBuffer_Release(&v);
    delete held;
    throw dg::ValueError("given numpy array is not aligned to its element size (" + std::to_string(alignment) +
                         " bytes). Copy the numpy array to reallocate the memory.");
  }
  Shape sizes, strides;
  int64_t extent = 0;
  bool empty = false;
  for (int d = 0; d < v.ndim; ++d) empty = empty || v.shape[d] == 0;
  for (int d = 0; d < v.ndim; ++d) {
    int64_t st = v.strides ? v.strides[d] : 0;
    if (!v.strides) {
      st = v.itemsize;
      for (int k = d + 1; k < v.ndim; ++k) st *= v.shape[k];
    }
    bool bad_negative = st < 0 && v.shape[d] > 1;
    bool bad_multiple = st % v.itemsize != 0;
    if (bad_negative || bad_multiple) {
      PyBuffer_Release(&v);
      delete held;
      if (bad_negative)
        throw dg::ValueError(
            "At least one stride in the given numpy array is negative, and tensors with negative strides are not "
            "currently supported. (You can probably work around this by making a copy of your array  with "
            "array.copy().) ");
      throw dg::ValueError("given numpy array strides not a multiple of the element byte size. Copy the numpy "
                           "array to reallocate the memory.");
    }
    sizes.push_back(v.shape[d]);
    strides.push_back(v.shape[d] > 1 ? st / v.itemsize : std::max<int64_t>(st / v.itemsize, 0));
    if (!empty) extent += (v.shape[d] - 1) * (st / v.itemsize);
  }
  size_t nbytes = empty ? 0 : static_cast<size_t>((extent + 1) * v.itemsize);
  DataPtr data{v.buf, held, &release_buffer};
  Storage storage = make_intrusive<StorageImpl>(data, nbytes, kCPU);
  return with_valid_bools(make_tensor(std::move(storage), dtype, std::move(sizes), std::move(strides), 0));
}

py::dtype numpy_dtype(Dtype d) {
  switch (d) {
    case kBool: return py::dtype("bool");
    case kUInt8: return py::dtype("uint8");
    case kInt8: return py::dtype("int8");
    case kInt16: return py::dtype("int16");
    case kInt32: return py::dtype("int32");
    case kInt64: return py::dtype("int64");
    case kFloat16: return py::dtype("float16");
    case kFloat32: return py::dtype("float32");
    case kFloat64: return py::dtype("float64");
    case kComplex64: return py::dtype("complex64");
    case kComplex128: return py::dtype("complex128");
    default: DG_FAIL(TypeError, "Got unsupported ScalarType ", dtype_name(d) == std::string("bfloat16") ? "BFloat16" : dtype_name(d),
                     " (NumPy has no such dtype; convert with .float() first)");
  }
}

}  // namespace

void bind_numpy(py::module_& m) {
  m.def("from_numpy", &from_buffer, py::arg("ndarray"),
        "A tensor sharing memory with the array (any buffer-protocol object); the array stays alive as long as "
        "the tensor does.");
  auto cls = py::reinterpret_borrow<py::class_<TensorImpl, intrusive_ptr<TensorImpl>>>(m.attr("Tensor"));
  cls.def("_numpy_view", [](py::object self) {
    Tensor t = self.cast<Tensor>();
    DG_CHECK(t.device().is_cpu(), TypeError, "can't convert ", t.device().str(),
             " device type tensor to numpy. Use Tensor.cpu() to copy the tensor to host memory first.");
    std::vector<py::ssize_t> shape(t.sizes().begin(), t.sizes().end()), strides;
    // A dim of size 0 or 1 may carry any stride (even one whose byte count
    // overflows); NumPy ignores it there, so it gets 0.
    for (int64_t d = 0; d < t.dim(); ++d)
      strides.push_back(static_cast<py::ssize_t>(t.sizes()[d] > 1 ? t.strides()[d] * t.element_size() : 0));
    // base=self keeps the tensor (and so its storage) alive.
    return py::array(numpy_dtype(t.dtype()), shape, strides, t.data_ptr(), self);
  });
}

}  // namespace dg::python
