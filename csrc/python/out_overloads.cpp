// PyTorch's `out=` keyword for every public module-level op, as one last
// overload per function: ordinary calls never reach it (so they pay nothing),
// and a call with out= computes the result through the other overloads and
// hands it to dyngraph._out.write_out, which casts, resizes and copies.
#include "python/bindings.h"

namespace py = pybind11;

namespace dg::python {

void bind_out_overloads(py::module_& m) {
  py::list names;
  for (auto item : m.attr("__dict__").cast<py::dict>()) {
    std::string name = py::str(item.first);
    if (name.empty() || name[0] == '_' || !PyCallable_Check(item.second.ptr())) continue;
    if (!PyCFunction_Check(item.second.ptr())) continue;  // pybind11 functions, not classes or objects
    names.append(py::str(name));
  }
  for (auto handle : names) {
    std::string name = py::str(handle);
    py::object fn = m.attr(name.c_str());
    // `out` is keyword-only and required, so calls without it never match this overload.
    m.def(
        name.c_str(),
        [fn, name](py::args args, py::object out, py::kwargs kwargs) -> py::object {
          py::object write_out = py::module_::import("dyngraph._out").attr("write_out");
          return write_out(name, fn, args, kwargs, out);
        },
        py::arg("out"));
  }
}

}  // namespace dg::python
