// The Tensor class. Hot operators are bound directly (no Python wrapper on
// the way, Tensor overload first); Python-side extras (repr, to(), ...) are
// added in dyngraph/_tensor.py.
#include <pybind11/complex.h>
#include <pybind11/operators.h>

#include "python/bindings.h"

namespace py = pybind11;

namespace dg::python {

Shape sizes_from_args(const py::args& args, const char* fn) {
  Shape out;
  int64_t v;
  if (args.size() == 1 && (PyTuple_Check(args[0].ptr()) || PyList_Check(args[0].ptr()))) {
    for (auto item : args[0]) {
      if (!to_int64(item.ptr(), v))
        throw dg::TypeError(std::string(fn) + "(): argument 'size' must be a sequence of ints, but found element of type " +
                            Py_TYPE(item.ptr())->tp_name);
      out.push_back(v);
    }
    return out;
  }
  for (auto item : args) {
    if (!to_int64(item.ptr(), v))
      throw dg::TypeError(std::string(fn) + "(): argument 'size' must be a sequence of ints, but got " +
                          Py_TYPE(item.ptr())->tp_name);
    out.push_back(v);
  }
  return out;
}

py::tuple as_tuple(const std::vector<Tensor>& ts) {
  py::tuple out(ts.size());
  for (size_t i = 0; i < ts.size(); ++i) out[i] = py::cast(ts[i]);
  return out;
}

std::optional<Shape> dims_arg(const py::object& dim) {
  if (dim.is_none()) return std::nullopt;
  Shape out;
  int64_t v;
  if (PyTuple_Check(dim.ptr()) || PyList_Check(dim.ptr())) {
    for (auto item : dim) {
      DG_CHECK(to_int64(item.ptr(), v), TypeError, "dim must be an int or a sequence of ints");
      out.push_back(v);
    }
    return out;
  }
  DG_CHECK(to_int64(dim.ptr(), v), TypeError, "dim must be an int or a sequence of ints, got ", Py_TYPE(dim.ptr())->tp_name);
  out.push_back(v);
  return out;
}

namespace {

py::object to_list(const Tensor& t) {
  if (!t.device().is_cpu()) return to_list(to_device(t, kCPU));  // one copy, not one per element
  if (t.dim() == 0) return py::cast(t.item());
  py::list out(t.sizes()[0]);
  for (int64_t i = 0; i < t.sizes()[0]; ++i) out[static_cast<size_t>(i)] = to_list(select(t, 0, i));
  return std::move(out);
}

void check_single(const Tensor& t, const char* what) { DG_CHECK(t.numel() == 1, Error, what); }
void check_scalar_conversion(const Tensor& t) {
  DG_CHECK(t.numel() == 1, ValueError, "only one element tensors can be converted to Python scalars");
}

}  // namespace

void bind_tensor(py::module_& m) {
  py::class_<TensorImpl, intrusive_ptr<TensorImpl>> cls(m, "Tensor", py::dynamic_attr());
  cls.doc() = "A multi-dimensional array of one dtype on one device.";

  // ---- arithmetic operators: the per-op hot path ----------------------------------
  using T = const Tensor&;
  using S = const Scalar&;
  cls.def("__add__", [](T a, T b) { return add(a, b); }, py::is_operator())
      .def("__add__", [](T a, S b) { return add(a, b); }, py::is_operator())
      .def("__radd__", [](T a, S b) { return add(a, b); }, py::is_operator())
      .def("__sub__", [](T a, T b) { return sub(a, b); }, py::is_operator())
      .def("__sub__", [](T a, S b) { return sub(a, b); }, py::is_operator())
      .def("__rsub__", [](T a, S b) { return rsub(a, b); }, py::is_operator())
      .def("__mul__", [](T a, T b) { return mul(a, b); }, py::is_operator())
      .def("__mul__", [](T a, S b) { return mul(a, b); }, py::is_operator())
      .def("__rmul__", [](T a, S b) { return mul(a, b); }, py::is_operator())
      .def("__truediv__", [](T a, T b) { return div(a, b); }, py::is_operator())
      .def("__truediv__", [](T a, S b) { return div(a, b); }, py::is_operator())
      .def("__rtruediv__", [](T a, S b) { return rdiv(a, b); }, py::is_operator())
      .def("__neg__", [](T a) { return neg(a); })
      .def("__pos__", [](T a) { return a; })
      .def("__iadd__", [](Tensor a, T b) { return add_(a, b); }, py::is_operator())
      .def("__iadd__", [](Tensor a, S b) { return add_(a, b); }, py::is_operator())
      .def("__isub__", [](Tensor a, T b) { return sub_(a, b); }, py::is_operator())
      .def("__isub__", [](Tensor a, S b) { return sub_(a, b); }, py::is_operator())
      .def("__imul__", [](Tensor a, T b) { return mul_(a, b); }, py::is_operator())
      .def("__imul__", [](Tensor a, S b) { return mul_(a, b); }, py::is_operator())
      .def("__itruediv__", [](Tensor a, T b) { return div_(a, b); }, py::is_operator())
      .def("__itruediv__", [](Tensor a, S b) { return div_(a, b); }, py::is_operator());
  // tensor op ndarray: the array becomes a tensor (as in PyTorch); other
  // objects get NotImplemented so Python can try their reflected operator.
  auto with_array = [](Tensor (*fn)(const Tensor&, const Tensor&)) {
    return [fn](T a, py::object b) -> py::object {
      if (std::string(Py_TYPE(b.ptr())->tp_name) != "numpy.ndarray")
        return py::reinterpret_borrow<py::object>(Py_NotImplemented);
      Tensor bt = py::module_::import("dyngraph").attr("as_tensor")(b).cast<Tensor>();
      return py::cast(fn(a, bt));
    };
  };
  auto add_fn = [](const Tensor& a, const Tensor& b) { return add(a, b); };
  auto sub_fn = [](const Tensor& a, const Tensor& b) { return sub(a, b); };
  cls.def("__add__", with_array(+add_fn), py::is_operator())
      .def("__sub__", with_array(+sub_fn), py::is_operator())
      .def("__mul__", with_array(+[](const Tensor& a, const Tensor& b) { return mul(a, b); }), py::is_operator())
      .def("__truediv__", with_array(+[](const Tensor& a, const Tensor& b) { return div(a, b); }),
           py::is_operator());
#define DG_BIND_COMPARISON(py_name, fn)                                     \
  cls.def(py_name, [](T a, T b) { return fn(a, b); }, py::is_operator()) \
      .def(py_name, [](T a, S b) { return fn(a, b); }, py::is_operator());
  DG_BIND_COMPARISON("__eq__", eq)
  DG_BIND_COMPARISON("__ne__", ne)
  DG_BIND_COMPARISON("__lt__", lt)
  DG_BIND_COMPARISON("__le__", le)
  DG_BIND_COMPARISON("__gt__", gt)
  DG_BIND_COMPARISON("__ge__", ge)
#undef DG_BIND_COMPARISON
  // Tensors hash by identity (so they can key dicts), as in PyTorch.
  cls.def("__hash__", [](py::handle self) { return static_cast<Py_hash_t>(reinterpret_cast<uintptr_t>(self.ptr()) >> 4); });

  // ---- arithmetic methods ---------------------------------------------------------------
  cls.def("add", [](T a, T b, S alpha) { return add(a, b, alpha); }, py::arg("other"), py::kw_only(), py::arg("alpha") = 1)
      .def("add", [](T a, S b, S alpha) { return add(a, b, alpha); }, py::arg("other"), py::kw_only(), py::arg("alpha") = 1)
      .def("sub", [](T a, T b, S alpha) { return sub(a, b, alpha); }, py::arg("other"), py::kw_only(), py::arg("alpha") = 1)
      .def("sub", [](T a, S b, S alpha) { return sub(a, b, alpha); }, py::arg("other"), py::kw_only(), py::arg("alpha") = 1)
      .def("mul", [](T a, T b) { return mul(a, b); })
      .def("mul", [](T a, S b) { return mul(a, b); })
      .def("div", [](T a, T b) { return div(a, b); })
      .def("div", [](T a, S b) { return div(a, b); })
      .def("add_", [](Tensor a, T b, S alpha) { return add_(a, b, alpha); }, py::arg("other"), py::kw_only(), py::arg("alpha") = 1)
      .def("add_", [](Tensor a, S b, S alpha) { return add_(a, b, alpha); }, py::arg("other"), py::kw_only(), py::arg("alpha") = 1)
      .def("sub_", [](Tensor a, T b, S alpha) { return sub_(a, b, alpha); }, py::arg("other"), py::kw_only(), py::arg("alpha") = 1)
      .def("sub_", [](Tensor a, S b, S alpha) { return sub_(a, b, alpha); }, py::arg("other"), py::kw_only(), py::arg("alpha") = 1)
      .def("mul_", [](Tensor a, T b) { return mul_(a, b); })
      .def("mul_", [](Tensor a, S b) { return mul_(a, b); })
      .def("div_", [](Tensor a, T b) { return div_(a, b); })
      .def("div_", [](Tensor a, S b) { return div_(a, b); })
      .def("negative", [](T a) { return neg(a); });
#define DG_BIND_COMPARISON_METHOD(name)                     \
  cls.def(#name, [](T a, T b) { return name(a, b); })     \
      .def(#name, [](T a, S b) { return name(a, b); });
  DG_BIND_COMPARISON_METHOD(eq)
  DG_BIND_COMPARISON_METHOD(ne)
  DG_BIND_COMPARISON_METHOD(lt)
  DG_BIND_COMPARISON_METHOD(le)
  DG_BIND_COMPARISON_METHOD(gt)
  DG_BIND_COMPARISON_METHOD(ge)
#undef DG_BIND_COMPARISON_METHOD

  // ---- geometry -------------------------------------------------------------------------
  cls.def_property_readonly("shape", [](T t) { return py::reinterpret_steal<py::object>(make_size(t.sizes())); })
      .def_property_readonly("dtype", [](T t) { return t.dtype(); })
      .def_property_readonly("device", [](T t) { return t.device(); })
      .def_property_readonly("ndim", [](T t) { return t.dim(); })
      .def_property_readonly("is_cuda", [](T t) { return t.device().is_cuda(); })
      .def_property_readonly("is_cpu", [](T t) { return t.device().is_cpu(); })
      .def_property_readonly("itemsize", [](T t) { return t.element_size(); })
      .def_property_readonly("nbytes", [](T t) { return t.numel() * t.element_size(); })
      .def_property_readonly("T", [](T t) { return numpy_T(t); })
      .def_property_readonly("mT", [](T t) { return matrix_transpose(t); })
      .def("size", [](T t) { return py::reinterpret_steal<py::object>(make_size(t.sizes())); })
      .def("size", [](T t, int64_t dim) { return t.size(dim); }, py::arg("dim"))
      .def("stride", [](T t) { return py::reinterpret_steal<py::object>(PySequence_Tuple(make_size(t.strides()))); })
      .def("stride", [](T t, int64_t dim) { return t.stride(dim); }, py::arg("dim"))
      .def("dim", [](T t) { return t.dim(); })
      .def("ndimension", [](T t) { return t.dim(); })
      .def("numel", [](T t) { return t.numel(); })
      .def("nelement", [](T t) { return t.numel(); })
      .def("element_size", [](T t) { return t.element_size(); })
      .def("storage_offset", [](T t) { return t.storage_offset(); })
      .def("data_ptr", [](T t) { return reinterpret_cast<uintptr_t>(t.data_ptr()); })
      .def("untyped_storage_ptr", [](T t) { return reinterpret_cast<uintptr_t>(t.impl()->storage()->data()); },
           "Address of the start of the underlying storage (shared by all views of it).")
      .def("is_contiguous", [](T t) { return t.is_contiguous(); })
      .def("is_inference", [](T t) { return t.impl()->is_inference(); })
      .def("is_floating_point", [](T t) { return is_floating_point(t.dtype()); })
      .def("is_complex", [](T t) { return is_complex(t.dtype()); })
      .def("__len__", [](T t) {
        DG_CHECK(t.dim() > 0, TypeError, "len() of a 0-d tensor");
        return t.sizes()[0];
      });

  // ---- views ------------------------------------------------------------------------------
  cls.def("view", [](T t, Dtype dtype) { return view_dtype(t, dtype); }, py::arg("dtype"))
      .def("view", [](T t, py::args a) { return view(t, sizes_from_args(a, "view")); })
      .def("view_as", [](T t, T o) { return view(t, o.sizes()); })
      .def("reshape", [](T t, py::args a) { return reshape(t, sizes_from_args(a, "reshape")); })
      .def("reshape_as", [](T t, T o) { return reshape(t, o.sizes()); })
      .def("expand", [](T t, py::args a) { return expand(t, sizes_from_args(a, "expand")); })
      .def("expand_as", [](T t, T o) { return expand(t, o.sizes()); })
      .def("broadcast_to", [](T t, IntArrayRef s) { return expand(t, s); })
      .def("permute", [](T t, py::args a) { return permute(t, sizes_from_args(a, "permute")); })
      .def("transpose", [](T t, int64_t d0, int64_t d1) { return transpose(t, d0, d1); })
      .def("swapaxes", [](T t, int64_t d0, int64_t d1) { return transpose(t, d0, d1); })
      .def("swapdims", [](T t, int64_t d0, int64_t d1) { return transpose(t, d0, d1); })
      .def("t", [](T t) { return dg::t(t); })
      .def("squeeze", [](T t) { return squeeze(t); })
      .def("squeeze", [](T t, IntArrayRef dims) { return squeeze(t, dims); }, py::arg("dim"))
      .def("unsqueeze", [](T t, int64_t d) { return unsqueeze(t, d); }, py::arg("dim"))
      .def("flatten", [](T t, int64_t s, int64_t e) { return flatten(t, s, e); }, py::arg("start_dim") = 0,
           py::arg("end_dim") = -1)
      .def("unflatten", [](T t, int64_t d, IntArrayRef s) { return unflatten(t, d, s); }, py::arg("dim"),
           py::arg("sizes"))
      .def("narrow", [](T t, int64_t d, int64_t s, int64_t l) { return narrow(t, d, s, l); }, py::arg("dim"),
           py::arg("start"), py::arg("length"))
      .def("select", [](T t, int64_t d, int64_t i) { return select(t, d, i); }, py::arg("dim"), py::arg("index"))
      .def("unbind", [](T t, int64_t d) { return as_tuple(unbind(t, d)); }, py::arg("dim") = 0)
      .def("split", [](T t, int64_t s, int64_t d) { return as_tuple(split(t, s, d)); }, py::arg("split_size"),
           py::arg("dim") = 0)
      .def("split", [](T t, std::vector<int64_t> s, int64_t d) { return as_tuple(split_with_sizes(t, s, d)); },
           py::arg("split_size"), py::arg("dim") = 0)
      .def("chunk", [](T t, int64_t c, int64_t d) { return as_tuple(chunk(t, c, d)); }, py::arg("chunks"),
           py::arg("dim") = 0)
      .def("movedim", [](T t, IntArrayRef s, IntArrayRef d) { return movedim(t, s, d); }, py::arg("source"),
           py::arg("destination"))
      .def("moveaxis", [](T t, IntArrayRef s, IntArrayRef d) { return movedim(t, s, d); }, py::arg("source"),
           py::arg("destination"))
      .def("diagonal", [](T t, int64_t o, int64_t d1, int64_t d2) { return diagonal(t, o, d1, d2); },
           py::arg("offset") = 0, py::arg("dim1") = 0, py::arg("dim2") = 1)
      .def("as_strided",
           [](T t, IntArrayRef size, IntArrayRef stride, std::optional<int64_t> offset) {
             return as_strided(t, size, stride, offset);
           },
           py::arg("size"), py::arg("stride"), py::arg("storage_offset") = py::none())
      .def("contiguous", [](T t) { return contiguous(t); })
      .def("clone", [](T t) { return clone(t); });

  // ---- copies, conversions, filling -----------------------------------------------------
  cls.def("copy_", [](Tensor t, T src, bool) { return copy_(t, src); }, py::arg("src"), py::arg("non_blocking") = false)
      .def("fill_", [](Tensor t, S v) { return fill_(t, v); })
      .def("fill_", [](Tensor t, T v) { return fill_(t, v); })
      .def("zero_", [](Tensor t) { return fill_(t, 0); })
      .def("_to", [](T t, std::optional<Dtype> dtype, std::optional<Device> device, bool copy, bool non_blocking) {
        Tensor r = t;
        bool copied = false;
        if (device && *device != t.device()) {
          Device want = resolve_device(*device);
          if (want != t.device()) {
            r = to_device(r, want, false, non_blocking);
            copied = true;
          }
        }
        if (dtype && *dtype != r.dtype()) {
          r = to_dtype(r, *dtype);
          copied = true;
        }
        if (copy && !copied) r = clone(r);
        return r;
      }, py::arg("dtype"), py::arg("device"), py::arg("copy"), py::arg("non_blocking") = false)
      .def("item", [](T t) {
        DG_CHECK(t.numel() == 1, Error, "a Tensor with ", t.numel(), " elements cannot be converted to Scalar");
        return t.item();
      })
      .def("tolist", [](T t) { return to_list(t); })
      .def("__bool__", [](T t) {
        check_single(t, t.numel() == 0 ? "Boolean value of Tensor with no values is ambiguous"
                                       : "Boolean value of Tensor with more than one value is ambiguous");
        return t.item().to<bool>();
      })
      .def("__float__", [](T t) {
        check_scalar_conversion(t);
        Scalar v = t.item();
        DG_CHECK(!v.is_complex() || v.to_complex().im == 0, Error,
                 "value cannot be converted to type double without overflow");
        return v.to_double();
      })
      .def("__int__", [](T t) -> py::object {
        check_scalar_conversion(t);
        Scalar v = t.item();
        if (v.is_integral() || v.is_bool()) return py::int_(v.to_long());
        DG_CHECK(!v.is_complex() || v.to_complex().im == 0, Error,
                 "value cannot be converted to type int64_t without overflow");
        // As Python's int(float): ValueError for NaN, OverflowError for inf, exact otherwise.
        PyObject* r = PyLong_FromDouble(v.to_double());
        if (!r) throw py::error_already_set();
        return py::reinterpret_steal<py::object>(r);
      })
      .def("__complex__", [](T t) {
        check_scalar_conversion(t);
        complex128_t c = t.item().to_complex();
        return std::complex<double>(c.re, c.im);
      })
      .def("__index__", [](T t) {
        DG_CHECK(t.numel() == 1 && is_integral(t.dtype(), true), TypeError,
                 "only integer tensors of a single element can be converted to an index");
        return t.item().to_long();
      });

  // ---- reductions ---------------------------------------------------------------------------
  cls.def("sum", [](T t, py::object dim, bool keepdim, std::optional<Dtype> dtype) {
        auto dims = dims_arg(dim);
        return dims ? sum(t, *dims, keepdim, dtype) : sum(t, dtype);
      }, py::arg("dim") = py::none(), py::arg("keepdim") = false, py::kw_only(), py::arg("dtype") = py::none())
      .def("mean", [](T t, py::object dim, bool keepdim, std::optional<Dtype> dtype) {
        auto dims = dims_arg(dim);
        return dims ? mean(t, *dims, keepdim, dtype) : mean(t, dtype);
      }, py::arg("dim") = py::none(), py::arg("keepdim") = false, py::kw_only(), py::arg("dtype") = py::none())
      .def("conj", [](T t) { return conj(t); })
      .def_property_readonly("real", [](T t) { return real(t); });

  // ---- random, in place -----------------------------------------------------------------
  cls.def("uniform_", [](Tensor t, double a, double b, Generator* g) { return uniform_(t, a, b, g); },
          py::arg("from") = 0.0, py::arg("to") = 1.0, py::kw_only(), py::arg("generator") = nullptr)
      .def("normal_", [](Tensor t, double mean, double std, Generator* g) { return normal_(t, mean, std, g); },
           py::arg("mean") = 0.0, py::arg("std") = 1.0, py::kw_only(), py::arg("generator") = nullptr)
      .def("bernoulli_", [](Tensor t, double p, Generator* g) { return bernoulli_(t, p, g); }, py::arg("p") = 0.5,
           py::kw_only(), py::arg("generator") = nullptr)
      .def("bernoulli", [](T t, Generator* g) { return bernoulli(t, g); }, py::kw_only(),
           py::arg("generator") = nullptr);
}

}  // namespace dg::python
