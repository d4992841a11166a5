// The dyngraph._C extension module: argument conversion and bindings only;
// every computation is a call into the dg:: C++ API.
#include "python/bindings.h"

namespace py = pybind11;

namespace dg::python {

namespace {
PyObject* g_oom_error = nullptr;
PyObject* g_unavailable_error = nullptr;

void translate_errors(std::exception_ptr p) {
  try {
    if (p) std::rethrow_exception(p);
  } catch (const dg::IndexError& e) {
    PyErr_SetString(PyExc_IndexError, e.what());
  } catch (const dg::ValueError& e) {
    PyErr_SetString(PyExc_ValueError, e.what());
  } catch (const dg::TypeError& e) {
    PyErr_SetString(PyExc_TypeError, e.what());
  } catch (const dg::NotImplementedError& e) {
    PyErr_SetString(PyExc_NotImplementedError, e.what());
  } catch (const dg::DeviceUnavailableError& e) {
    PyErr_SetString(g_unavailable_error ? g_unavailable_error : PyExc_RuntimeError, e.what());
  } catch (const dg::OutOfMemoryError& e) {
    PyErr_SetString(g_oom_error ? g_oom_error : PyExc_MemoryError, e.what());
  } catch (const dg::Error& e) {
    PyErr_SetString(PyExc_RuntimeError, e.what());
  } catch (const std::bad_alloc&) {
    PyErr_SetString(g_oom_error ? g_oom_error : PyExc_MemoryError, "out of memory");
  }
}
}  // namespace

}  // namespace dg::python

PYBIND11_MODULE(_C, m) {
  using namespace dg::python;
  m.doc() = "dyngraph's C++ core";

  // dyngraph.OutOfMemoryError is both a RuntimeError (as in PyTorch) and a MemoryError.
  g_oom_error = PyErr_NewException("dyngraph.OutOfMemoryError",
                                   py::make_tuple(py::handle(PyExc_RuntimeError), py::handle(PyExc_MemoryError)).ptr(),
                                   nullptr);
  m.attr("OutOfMemoryError") = py::handle(g_oom_error);
  // Asking for a GPU that isn't there: PyTorch raises AssertionError ("not
  // compiled with CUDA") or RuntimeError ("no NVIDIA driver") depending on its
  // build; this is both, so either `except` works.
  g_unavailable_error = PyErr_NewException(
      "dyngraph.cuda.CudaUnavailableError",
      py::make_tuple(py::handle(PyExc_RuntimeError), py::handle(PyExc_AssertionError)).ptr(), nullptr);
  m.attr("_CudaUnavailableError") = py::handle(g_unavailable_error);
  py::register_exception_translator(&translate_errors);

  m.def(
      "_register_types",
      [](py::list dtypes, py::object dtype_class, py::object device_class, py::object size_class) {
        auto& t = py_types();
        for (int i = 0; i < dg::kNumDtypes; ++i) t.dtypes[i] = py::object(dtypes[i]).release().ptr();
        t.dtype_class = dtype_class.release().ptr();
        t.device_class = device_class.release().ptr();
        t.size_class = size_class.release().ptr();
        t.cpu_device = py::handle(t.device_class)("cpu").release().ptr();
      },
      "Called once by dyngraph/__init__.py with the Python-side value types.");

  bind_tensor(m);
  bind_indexing(m);
  bind_functions(m);
  bind_numpy(m);
  bind_dlpack(m);
  bind_autograd(m);
  bind_math(m);
  bind_linalg(m);
  bind_autocast(m);
  bind_reductions(m);
  bind_join_sort(m);
  bind_nn(m);
  bind_cuda(m);
  bind_out_overloads(m);  // last: it wraps every function bound above
}
