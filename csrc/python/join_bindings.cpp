// Bindings of joining, reordering, sorting and scans.
#include "python/bindings.h"

namespace py = pybind11;

namespace dg::python {

namespace {
py::object return_type(const char* name, const std::pair<Tensor, Tensor>& r) {
  return py::module_::import("dyngraph.return_types").attr(name)(r.first, r.second);
}
}  // namespace

void bind_join_sort(py::module_& m) {
  auto cls = py::reinterpret_borrow<py::class_<TensorImpl, intrusive_ptr<TensorImpl>>>(m.attr("Tensor"));
  using T = const Tensor&;
  auto both = [&](const char* name, auto fn, auto... extra) {
    m.def(name, fn, py::arg("input"), extra...);
    cls.def(name, fn, extra...);
  };
  for (const char* name : {"cat", "concat", "concatenate"})
    m.def(name, [](std::vector<Tensor> ts, int64_t dim) { return cat(ts, dim); }, py::arg("tensors"),
          py::arg("dim") = 0);
  m.def("stack", [](std::vector<Tensor> ts, int64_t dim) { return stack(ts, dim); }, py::arg("tensors"),
        py::arg("dim") = 0);
  both("flip", [](T t, IntArrayRef dims) { return flip(t, dims); }, py::arg("dims"));
  cls.def("flip", [](T t, py::args dims) { return flip(t, sizes_from_args(dims, "flip")); });
  both("roll", [](T t, IntArrayRef shifts, IntArrayRef dims) { return roll(t, shifts, dims); }, py::arg("shifts"),
       py::arg("dims") = py::tuple());
  cls.def("repeat", [](T t, py::args sizes) { return repeat(t, sizes_from_args(sizes, "repeat")); });
  both("repeat_interleave", [](T t, int64_t r, std::optional<int64_t> dim) { return repeat_interleave(t, r, dim); },
       py::arg("repeats"), py::arg("dim") = py::none());
  both("sort", [](T t, int64_t dim, bool descending, bool) { return return_type("sort", sort(t, dim, descending)); },
       py::arg("dim") = -1, py::arg("descending") = false, py::kw_only(), py::arg("stable") = false);
  both("argsort", [](T t, int64_t dim, bool descending, bool) { return argsort(t, dim, descending); },
       py::arg("dim") = -1, py::arg("descending") = false, py::kw_only(), py::arg("stable") = false);
  both("topk", [](T t, int64_t k, int64_t dim, bool largest, bool sorted) {
    return return_type("topk", topk(t, k, dim, largest, sorted));
  }, py::arg("k"), py::arg("dim") = -1, py::arg("largest") = true, py::arg("sorted") = true);
  both("kthvalue", [](T t, int64_t k, int64_t dim, bool keepdim) {
    return return_type("kthvalue", kthvalue(t, k, dim, keepdim));
  }, py::arg("k"), py::arg("dim") = -1, py::arg("keepdim") = false);
  m.def("median", [](T t) { return median(t); }, py::arg("input"));
  cls.def("median", [](T t) { return median(t); });
  both("median", [](T t, int64_t dim, bool keepdim) { return return_type("median", median(t, dim, keepdim)); },
       py::arg("dim"), py::arg("keepdim") = false);
  both("cumsum", [](T t, int64_t dim, std::optional<Dtype> dtype) { return cumsum(t, dim, dtype); }, py::arg("dim"),
       py::kw_only(), py::arg("dtype") = py::none());
  both("cumprod", [](T t, int64_t dim, std::optional<Dtype> dtype) { return cumprod(t, dim, dtype); },
       py::arg("dim"), py::kw_only(), py::arg("dtype") = py::none());
}

}  // namespace dg::python
