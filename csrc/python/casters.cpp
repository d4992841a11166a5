#include "python/casters.h"

namespace dg::python {

PyTypes& py_types() {
  static PyTypes t;
  return t;
}

PyObject* make_size(IntArrayRef sizes) {
  auto* type = reinterpret_cast<PyTypeObject*>(py_types().size_class);
  Py_ssize_t n = static_cast<Py_ssize_t>(sizes.size());
  PyObject* tup = type ? type->tp_alloc(type, n) : PyTuple_New(n);
  if (!tup) throw pybind11::error_already_set();
  for (Py_ssize_t i = 0; i < n; ++i) PyTuple_SET_ITEM(tup, i, PyLong_FromLongLong(sizes[static_cast<size_t>(i)]));
  return tup;
}

pybind11::object device_to_python(Device d) {
  if (d.is_cpu() && py_types().cpu_device) return pybind11::reinterpret_borrow<pybind11::object>(py_types().cpu_device);
  pybind11::handle cls(py_types().device_class);
  return cls(d.is_cpu() ? "cpu" : "cuda", d.is_cpu() || d.index < 0 ? pybind11::object(pybind11::none())
                                                                     : pybind11::object(pybind11::int_(d.index)));
}

bool to_int64(PyObject* obj, int64_t& out) {
  if (PyBool_Check(obj)) return false;  // True is not a size
  if (PyLong_CheckExact(obj) || PyLong_Check(obj)) {
    int overflow = 0;
    out = PyLong_AsLongLongAndOverflow(obj, &overflow);
    if (overflow) throw dg::Error("Overflow when unpacking long");
    return true;
  }
  if (!PyIndex_Check(obj)) return false;
  // Anything with __index__ (NumPy integers; not tensors, which are
  // accepted only by the bindings that want them).
  PyObject* idx = PyNumber_Index(obj);
  if (!idx) {
    PyErr_Clear();
    return false;
  }
  int overflow = 0;
  out = PyLong_AsLongLongAndOverflow(idx, &overflow);
  Py_DECREF(idx);
  if (overflow) throw dg::Error("Overflow when unpacking long");
  return true;
}

}  // namespace dg::python

namespace pybind11::detail {

bool type_caster<dg::Scalar>::load(handle src, bool convert) {
  PyObject* o = src.ptr();
  if (PyBool_Check(o)) {
    value = dg::Scalar(o == Py_True);
    return true;
  }
  if (PyFloat_Check(o)) {
    value = dg::Scalar(PyFloat_AS_DOUBLE(o));
    return true;
  }
  if (PyLong_Check(o)) {
    int overflow = 0;
    long long v = PyLong_AsLongLongAndOverflow(o, &overflow);
    if (overflow) throw dg::Error("Overflow when unpacking long");
    value = dg::Scalar(static_cast<int64_t>(v));
    return true;
  }
  if (PyComplex_Check(o)) {
    value = dg::Scalar(dg::complex128_t(PyComplex_RealAsDouble(o), PyComplex_ImagAsDouble(o)));
    return true;
  }
  if (!convert) return false;
  // NumPy scalars (np.float32(1), np.int64(2), np.bool_): through .item().
  PyObject* type = reinterpret_cast<PyObject*>(Py_TYPE(o));
  PyObject* mod = PyObject_GetAttrString(type, "__module__");
  if (!mod) {
    PyErr_Clear();
    return false;
  }
  bool is_numpy = PyUnicode_Check(mod) && PyUnicode_CompareWithASCIIString(mod, "numpy") == 0;
  Py_DECREF(mod);
  // NumPy scalars only: an ndarray is not a number (tensor ops convert it separately).
  if (!is_numpy || std::string(Py_TYPE(o)->tp_name) == "numpy.ndarray" || !PyObject_HasAttrString(o, "item"))
    return false;
  object item = reinterpret_borrow<object>(src).attr("item")();
  if (PyFloat_Check(item.ptr()) || PyLong_Check(item.ptr()) || PyBool_Check(item.ptr()) ||
      PyComplex_Check(item.ptr()))
    return load(item, false);
  return false;
}

handle type_caster<dg::Scalar>::cast(const dg::Scalar& s, return_value_policy, handle) {
  switch (s.kind()) {
    case dg::Scalar::Kind::Bool: return PyBool_FromLong(s.to<bool>());
    case dg::Scalar::Kind::Int: return PyLong_FromLongLong(s.to_long());
    case dg::Scalar::Kind::Float: return PyFloat_FromDouble(s.to_double());
    default: {
      dg::complex128_t c = s.to_complex();
      return PyComplex_FromDoubles(c.re, c.im);
    }
  }
}

bool type_caster<dg::Dtype>::load(handle src, bool) {
  auto& t = dg::python::py_types();
  if (!t.dtype_class || !PyObject_TypeCheck(src.ptr(), reinterpret_cast<PyTypeObject*>(t.dtype_class))) return false;
  for (int i = 0; i < dg::kNumDtypes; ++i)
    if (t.dtypes[i] == src.ptr()) {
      value = static_cast<dg::Dtype>(i);
      return true;
    }
  return false;
}

bool type_caster<dg::Device>::load(handle src, bool) {
  PyObject* o = src.ptr();
  if (PyUnicode_Check(o)) {
    value = dg::Device(std::string(PyUnicode_AsUTF8(o)));
    return true;
  }
  auto& t = dg::python::py_types();
  if (o == t.cpu_device) {
    value = dg::kCPU;
    return true;
  }
  if (t.device_class && PyObject_TypeCheck(o, reinterpret_cast<PyTypeObject*>(t.device_class))) {
    std::string type = src.attr("type").cast<std::string>();
    object index = src.attr("index");
    value = dg::Device(type);
    if (!index.is_none()) value.index = static_cast<int8_t>(index.cast<int>());
    return true;
  }
  if (PyLong_Check(o) && !PyBool_Check(o)) {  // an int means cuda:N, as in PyTorch
    value = dg::Device(dg::DeviceType::CUDA, static_cast<int>(PyLong_AsLong(o)));
    return true;
  }
  return false;
}

bool type_caster<dg::IntArrayRef>::load(handle src, bool) {
  PyObject* o = src.ptr();
  int64_t v;
  if (PyTuple_Check(o) || PyList_Check(o)) {
    Py_ssize_t n = PySequence_Fast_GET_SIZE(o);
    PyObject** items = PySequence_Fast_ITEMS(o);
    storage.resize(static_cast<size_t>(n));
    for (Py_ssize_t i = 0; i < n; ++i) {
      if (!dg::python::to_int64(items[i], v)) return false;
      storage[static_cast<size_t>(i)] = v;
    }
  } else if (dg::python::to_int64(o, v)) {
    storage.resize(1);
    storage[0] = v;
  } else {
    return false;
  }
  value = dg::IntArrayRef(storage.data(), storage.size());
  return true;
}

}  // namespace pybind11::detail
