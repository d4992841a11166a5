// Tensor.__getitem__ / __setitem__: Python index objects -> basic indexing
// (ints, slices, None, Ellipsis: views) followed by advanced indexing
// (integer/bool tensors, lists, arrays: copies).
#include "dyngraph/autograd.h"
#include "python/bindings.h"

namespace py = pybind11;

namespace dg::python {

namespace {

struct ParsedIndex {
  std::vector<TensorIndex> basic;
  // Tensor indices, as (position in `basic` of their placeholder slices, tensor).
  std::vector<std::pair<size_t, Tensor>> tensors;
};

std::optional<int64_t> slice_bound(PyObject* v) {
  if (v == Py_None) return std::nullopt;
  int64_t out;
  DG_CHECK(to_int64(v, out), TypeError, "slice indices must be integers or None or have an __index__ method");
  return out;
}

bool is_tensor_like(PyObject* o) {
  if (py::isinstance<TensorImpl>(o)) return true;
  if (PyList_Check(o)) return true;
  return std::string(Py_TYPE(o)->tp_name) == "numpy.ndarray";
}

Tensor to_index_tensor(py::handle o) {
  if (py::isinstance<TensorImpl>(o)) return o.cast<Tensor>();
  Tensor t = py::module_::import("dyngraph").attr("as_tensor")(o).cast<Tensor>();
  return t.numel() == 0 ? to_dtype(t, kInt64) : t;  // [] indexes nothing (not a float index)
}

// An index tensor: placeholder full slices keep the dims it indexes.
void add_tensor_index(const Tensor& t, ParsedIndex& out) {
  out.tensors.emplace_back(out.basic.size(), t);
  int64_t covered = (t.dtype() == kBool || t.dtype() == kUInt8) ? std::max<int64_t>(t.dim(), 0) : 1;
  for (int64_t k = 0; k < covered; ++k) out.basic.push_back(TensorIndex::range(std::nullopt, std::nullopt, 1));
  if (covered == 0) out.basic.push_back(TensorIndex::none());  // a 0-d bool mask adds a dim
}

void parse_one(PyObject* o, ParsedIndex& out) {
  int64_t v;
  if (o == Py_None) {
    out.basic.push_back(TensorIndex::none());
  } else if (o == Py_Ellipsis) {
    out.basic.push_back(TensorIndex::ellipsis());
  } else if (PyBool_Check(o)) {
    // A Python bool is a 0-d bool mask, as in NumPy and PyTorch: alone, x[True]
    // adds a dim of size 1 and x[False] an empty one; with other advanced
    // indices it broadcasts with them instead of adding a dim of its own.
    add_tensor_index(full({}, Scalar(o == Py_True), TensorOptions(kBool)), out);
  } else if (PySlice_Check(o)) {
    auto* s = reinterpret_cast<PySliceObject*>(o);
    std::optional<int64_t> step = slice_bound(s->step);
    out.basic.push_back(TensorIndex::range(slice_bound(s->start), slice_bound(s->stop), step.value_or(1)));
  } else if (PyLong_Check(o)) {
    DG_CHECK(to_int64(o, v), TypeError, "invalid index");
    out.basic.push_back(TensorIndex::index(v));
  } else if (is_tensor_like(o)) {
    Tensor t = to_index_tensor(o);
    if (t.dim() == 0 && is_integral(t.dtype(), false)) {  // a 0-d integer tensor acts as an int
      out.basic.push_back(TensorIndex::index(t.item<int64_t>()));
      return;
    }
    add_tensor_index(t, out);
  } else if (to_int64(o, v)) {
    out.basic.push_back(TensorIndex::index(v));  // NumPy integers and other __index__ objects
  } else {
    DG_FAIL(IndexError, "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are valid "
                        "indices (got ", Py_TYPE(o)->tp_name, ")");
  }
}

ParsedIndex parse_index(py::handle index) {
  ParsedIndex out;
  PyObject* o = index.ptr();
  if (PyTuple_Check(o)) {
    Py_ssize_t n = PyTuple_GET_SIZE(o);
    for (Py_ssize_t i = 0; i < n; ++i) parse_one(PyTuple_GET_ITEM(o, i), out);
  } else {
    parse_one(o, out);
  }
  return out;
}

// The view after basic indexing and the advanced indices over its dims.
std::pair<Tensor, IndexList> apply_basic(const Tensor& t, const ParsedIndex& p) {
  Tensor view = dg::index(t, p.basic);
  IndexList adv;
  if (p.tensors.empty()) return {view, adv};
  // Dim of `view` each basic entry starts at.
  int64_t consumed = 0;
  for (const auto& ix : p.basic)
    if (ix.kind == TensorIndex::Kind::Integer || ix.kind == TensorIndex::Kind::Slice) ++consumed;
  std::vector<int64_t> start(p.basic.size(), 0);
  int64_t d = 0;
  for (size_t i = 0; i < p.basic.size(); ++i) {
    start[i] = d;
    switch (p.basic[i].kind) {
      case TensorIndex::Kind::Integer: break;
      case TensorIndex::Kind::Ellipsis: d += t.dim() - consumed; break;
      default: ++d;
    }
  }
  for (const auto& [pos, tensor] : p.tensors) adv.emplace_back(start[pos], tensor);
  return {view, adv};
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
    auto [view, adv] = apply_basic(t, parse_index(index));
    return adv.empty() ? view : dg::index(view, adv);
  });
  cls.def("__setitem__", [](Tensor t, py::handle index, py::handle value) {
    Tensor v;
    if (py::isinstance<TensorImpl>(value)) {
      v = value.cast<Tensor>();
    } else if (PyBool_Check(value.ptr()) || PyLong_Check(value.ptr()) || PyFloat_Check(value.ptr()) ||
               PyComplex_Check(value.ptr())) {
      v = full({}, value.cast<Scalar>(), TensorOptions(t.dtype()).device(t.device()));
    } else {
      v = py::module_::import("dyngraph")
              .attr("as_tensor")(value, py::arg("dtype") = t.dtype(), py::arg("device") = t.device())
              .cast<Tensor>();
    }
    auto [view, adv] = apply_basic(t, parse_index(index));
    if (adv.empty()) {
      Tensor target = view;
      Tensor src = v;
      while (src.dim() > target.dim() && src.sizes()[0] == 1) src = select(src, 0, 0);
      if (src.dim() == 0 && !requires_grad(src) && !requires_grad(target)) {
        fill_(target, src.item());
      } else {
        copy_(target, src);
      }
    } else {
      index_put_(view, adv, to_dtype(v, view.dtype()), false);
    }
  });

  using T = const Tensor&;
  auto both = [&](const char* name, auto fn, auto... extra) {
    m.def(name, fn, py::arg("input"), extra...);
    cls.def(name, fn, extra...);
  };
  both("nonzero", [](T t, bool as_tuple) -> py::object {
    if (as_tuple && t.dim() == 0) {
      py::tuple out(1);
      out[0] = py::cast(select(nonzero(reshape(t, {1})), 1, 0));
      return std::move(out);
    }
    Tensor nz = nonzero(t);
    if (!as_tuple) return py::cast(nz);
    py::tuple out(static_cast<size_t>(std::max<int64_t>(t.dim(), 1)));
    for (int64_t k = 0; k < std::max<int64_t>(t.dim(), 1); ++k)
      out[static_cast<size_t>(k)] = py::cast(t.dim() == 0 ? reshape(nz, {-1}) : select(nz, 1, k));
    return std::move(out);
  }, py::kw_only(), py::arg("as_tuple") = false);
  both("argwhere", [](T t) { return nonzero(t); });
  both("index_select", [](T t, int64_t dim, T idx) { return index_select(t, dim, idx); }, py::arg("dim"),
       py::arg("index"));
  both("masked_fill", [](T t, T mask, const Scalar& v) { return masked_fill(t, mask, v); }, py::arg("mask"),
       py::arg("value"));
  both("masked_fill", [](T t, T mask, T v) { return masked_fill(t, mask, v); }, py::arg("mask"), py::arg("value"));
  cls.def("masked_fill_", [](Tensor t, T mask, const Scalar& v) { return copy_(t, masked_fill(t, mask, v)); });
  cls.def("masked_fill_", [](Tensor t, T mask, T v) { return copy_(t, masked_fill(t, mask, v)); });
  both("masked_select", [](T t, T mask) { return masked_select(t, mask); }, py::arg("mask"));
  both("gather", [](T t, int64_t dim, T idx) { return gather(t, dim, idx); }, py::arg("dim"), py::arg("index"));
  both("take", [](T t, T idx) { return take(t, idx); }, py::arg("index"));
  both("take_along_dim", [](T t, T idx, std::optional<int64_t> dim) {
    if (!dim) return take(t, reshape(idx, {-1}));  // no dim: both flattened, as in PyTorch
    // Broadcast every dim except `dim`.
    int64_t d = wrap_dim(*dim, t.dim());
    Shape a(t.sizes()), b(idx.sizes());
    a[d] = 1;
    b[d] = 1;
    Shape s = broadcast_shapes(a, b);
    Shape ts(s), is(s);
    ts[d] = t.sizes()[d];
    is[d] = idx.sizes()[d];
    return gather(expand(t, ts), d, expand(idx, is));
  }, py::arg("indices"), py::arg("dim") = py::none());
  both("scatter", [](T t, int64_t dim, T idx, T src) { return scatter(t, dim, idx, src, false); }, py::arg("dim"),
       py::arg("index"), py::arg("src"));
  both("scatter", [](T t, int64_t dim, T idx, const Scalar& v) { return scatter(t, dim, idx, v); }, py::arg("dim"),
       py::arg("index"), py::arg("value"));
  both("scatter_add", [](T t, int64_t dim, T idx, T src) { return scatter(t, dim, idx, src, true); },
       py::arg("dim"), py::arg("index"), py::arg("src"));
  cls.def("scatter_", [](Tensor t, int64_t dim, T idx, T src) { return copy_(t, scatter(t, dim, idx, src, false)); },
          py::arg("dim"), py::arg("index"), py::arg("src"));
  cls.def("scatter_", [](Tensor t, int64_t dim, T idx, const Scalar& v) { return copy_(t, scatter(t, dim, idx, v)); },
          py::arg("dim"), py::arg("index"), py::arg("value"));
  cls.def("scatter_add_", [](Tensor t, int64_t dim, T idx, T src) { return copy_(t, scatter(t, dim, idx, src, true)); },
          py::arg("dim"), py::arg("index"), py::arg("src"));
  both("index_put", [](T t, py::tuple indices, T values, bool acc) {
    IndexList list;
    for (size_t i = 0; i < indices.size(); ++i)
      if (!indices[i].is_none()) list.emplace_back(static_cast<int64_t>(i), indices[i].cast<Tensor>());
    return index_put(t, list, values, acc);
  }, py::arg("indices"), py::arg("values"), py::arg("accumulate") = false);
  cls.def("index_put_", [](Tensor t, py::tuple indices, T values, bool acc) {
    IndexList list;
    for (size_t i = 0; i < indices.size(); ++i)
      if (!indices[i].is_none()) list.emplace_back(static_cast<int64_t>(i), indices[i].cast<Tensor>());
    return index_put_(t, list, values, acc);
  }, py::arg("indices"), py::arg("values"), py::arg("accumulate") = false);
}

}  // namespace dg::python
