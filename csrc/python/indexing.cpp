// Tensor.__getitem__ / __setitem__: Python index objects -> dg::TensorIndex.
#include "python/bindings.h"

namespace py = pybind11;

namespace dg::python {

namespace {

std::optional<int64_t> slice_bound(PyObject* v) {
  if (v == Py_None) return std::nullopt;
  int64_t out;
  DG_CHECK(to_int64(v, out), TypeError, "slice indices must be integers or None or have an __index__ method");
  return out;
}

void parse_one(PyObject* o, std::vector<TensorIndex>& out) {
  int64_t v;
  if (o == Py_None) {
    out.push_back(TensorIndex::none());
  } else if (o == Py_Ellipsis) {
    out.push_back(TensorIndex::ellipsis());
  } else if (PyBool_Check(o)) {
    // x[True] adds a dim of size 1, as NumPy does; x[False] would add an empty one.
    DG_CHECK(o == Py_True, IndexError, "indexing with False is not supported; use x[None][:0]");
    out.push_back(TensorIndex::none());
  } else if (PySlice_Check(o)) {
    auto* s = reinterpret_cast<PySliceObject*>(o);
    std::optional<int64_t> step = slice_bound(s->step);
    out.push_back(TensorIndex::range(slice_bound(s->start), slice_bound(s->stop), step.value_or(1)));
  } else if (PyLong_Check(o)) {
    DG_CHECK(to_int64(o, v), TypeError, "invalid index");
    out.push_back(TensorIndex::index(v));
  } else if (to_int64(o, v)) {
    out.push_back(TensorIndex::index(v));  // NumPy integers, one-element integer tensors
  } else {
    DG_FAIL(IndexError, "only integers, slices (`:`), ellipsis (`...`), None and booleans are valid indices "
                        "here (got ", Py_TYPE(o)->tp_name, "); tensor and list indices (advanced indexing) are not "
                        "supported yet");
  }
}

std::vector<TensorIndex> parse_index(py::handle index) {
  std::vector<TensorIndex> out;
  PyObject* o = index.ptr();
  if (PyTuple_Check(o)) {
    Py_ssize_t n = PyTuple_GET_SIZE(o);
    out.reserve(static_cast<size_t>(n));
    for (Py_ssize_t i = 0; i < n; ++i) parse_one(PyTuple_GET_ITEM(o, i), out);
  } else {
    parse_one(o, out);
  }
  return out;
}

}  // namespace

void bind_indexing(py::module_& m) {
  auto cls = py::reinterpret_borrow<py::class_<TensorImpl, intrusive_ptr<TensorImpl>>>(m.attr("Tensor"));
  cls.def("__getitem__", [](const Tensor& t, py::handle index) {
    // The commonest case first: a single int.
    if (PyLong_CheckExact(index.ptr())) {
      int64_t i = PyLong_AsLongLong(index.ptr());
      if (t.dim() > 0 && !PyErr_Occurred()) return select(t, 0, i);
      PyErr_Clear();
    }
    auto items = parse_index(index);
    return dg::index(t, items);
  });
  cls.def("__setitem__", [](Tensor t, py::handle index, const Tensor& value) {
    auto items = parse_index(index);
    index_put_(t, items, value);
  });
  cls.def("__setitem__", [](Tensor t, py::handle index, const Scalar& value) {
    auto items = parse_index(index);
    index_put_(t, items, value);
  });
  cls.def("__setitem__", [](Tensor t, py::handle index, py::handle value) {
    // Lists, NumPy arrays...: made into a tensor of t's dtype first.
    py::object as_tensor = py::module_::import("dyngraph").attr("as_tensor");
    Tensor v = as_tensor(value, py::arg("dtype") = t.dtype()).cast<Tensor>();
    auto items = parse_index(index);
    index_put_(t, items, v);
  });
}

}  // namespace dg::python
