// pybind11 type casters: how Python objects become dg values and back.
//   dg::Tensor  <-> the bound Tensor class (identity kept: the same
//                   TensorImpl always maps to the same Python object)
//   dg::Scalar  <-  bool / int / float / complex (and NumPy scalars)
//   dg::Dtype   <-> the dyngraph.dtype singletons
//   dg::Device  <-> dyngraph.device, or a string such as "cuda:0"
//   IntArrayRef <-  a sequence of ints (or one int)
#pragma once

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "dyngraph/dyngraph.h"

PYBIND11_DECLARE_HOLDER_TYPE(T, dg::intrusive_ptr<T>, true)

namespace dg::python {

// The Python-side classes, registered by dyngraph/__init__.py at import.
struct PyTypes {
  PyObject* dtypes[kNumDtypes] = {};
  PyObject* dtype_class = nullptr;
  PyObject* device_class = nullptr;
  PyObject* size_class = nullptr;
  PyObject* cpu_device = nullptr;
};
PyTypes& py_types();

// A Size (tuple subclass) from sizes, built without calling Python code.
PyObject* make_size(IntArrayRef sizes);
// A dyngraph.device for d.
pybind11::object device_to_python(Device d);
// Reads an int that may come as any object with __index__.
bool to_int64(PyObject* obj, int64_t& out);

}  // namespace dg::python

namespace pybind11::detail {

template <>
struct type_caster<dg::Tensor> {
  PYBIND11_TYPE_CASTER(dg::Tensor, const_name("Tensor"));
  bool load(handle src, bool convert) {
    type_caster_base<dg::TensorImpl> base;
    if (!base.load(src, convert)) return false;
    auto* impl = static_cast<dg::TensorImpl*>(base);
    if (!impl) return false;  // None
    value = dg::Tensor(dg::intrusive_ptr<dg::TensorImpl>(impl));
    return true;
  }
  static handle cast(const dg::Tensor& t, return_value_policy, handle) {
    if (!t.defined()) return none().release();
    return type_caster_base<dg::TensorImpl>::cast_holder(t.impl(), &t.impl_ptr());
  }
};

template <>
struct type_caster<dg::Scalar> {
  PYBIND11_TYPE_CASTER(dg::Scalar, const_name("Number"));
  bool load(handle src, bool convert);
  static handle cast(const dg::Scalar& s, return_value_policy, handle);
};

template <>
struct type_caster<dg::Dtype> {
  PYBIND11_TYPE_CASTER(dg::Dtype, const_name("dtype"));
  bool load(handle src, bool);
  static handle cast(dg::Dtype d, return_value_policy, handle) {
    PyObject* o = dg::python::py_types().dtypes[static_cast<int>(d)];
    Py_XINCREF(o);
    return o;
  }
};

template <>
struct type_caster<dg::Device> {
  PYBIND11_TYPE_CASTER(dg::Device, const_name("device"));
  bool load(handle src, bool);
  static handle cast(dg::Device d, return_value_policy, handle) { return dg::python::device_to_python(d).release(); }
};

template <>
struct type_caster<dg::IntArrayRef> {
  PYBIND11_TYPE_CASTER(dg::IntArrayRef, const_name("Sequence[int]"));
  dg::Shape storage;
  bool load(handle src, bool);
  static handle cast(dg::IntArrayRef r, return_value_policy, handle) { return dg::python::make_size(r); }
};

}  // namespace pybind11::detail
