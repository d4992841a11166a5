// Bindings of the reductions (sum and mean are in tensor.cpp/functions.cpp).
#include "python/bindings.h"

namespace py = pybind11;

namespace dg::python {

namespace {
Shape dims_or_all(const py::object& dim) {
  auto d = dims_arg(dim);
  return d ? *d : Shape();
}
py::object return_type(const char* name, const Tensor& a, const Tensor& b) {
  return py::module_::import("dyngraph.return_types").attr(name)(a, b);
}
// PyTorch's correction/unbiased arguments: correction wins, unbiased=False means 0.
double correction_arg(const py::object& correction, const py::object& unbiased) {
  if (!correction.is_none()) return correction.cast<double>();
  if (!unbiased.is_none()) return unbiased.cast<bool>() ? 1.0 : 0.0;
  return 1.0;
}
}  // namespace

void bind_reductions(py::module_& m) {
  auto cls = py::reinterpret_borrow<py::class_<TensorImpl, intrusive_ptr<TensorImpl>>>(m.attr("Tensor"));
  using T = const Tensor&;
  using O = py::object;
  using OptD = std::optional<Dtype>;
  auto both = [&](const char* name, auto fn, auto... extra) {
    m.def(name, fn, py::arg("input"), extra...);
    cls.def(name, fn, extra...);
  };

  both("prod", [](T t, O dim, bool keepdim, OptD dtype) {
    if (dim.is_none()) return prod(t, dtype);
    return prod(t, dims_or_all(dim), keepdim, dtype);
  }, py::arg("dim") = py::none(), py::arg("keepdim") = false, py::kw_only(), py::arg("dtype") = py::none());
  both("nansum", [](T t, O dim, bool keepdim, OptD dtype) { return nansum(t, dims_or_all(dim), keepdim, dtype); },
       py::arg("dim") = py::none(), py::arg("keepdim") = false, py::kw_only(), py::arg("dtype") = py::none());
  both("nanmean", [](T t, O dim, bool keepdim, OptD dtype) { return nanmean(t, dims_or_all(dim), keepdim, dtype); },
       py::arg("dim") = py::none(), py::arg("keepdim") = false, py::kw_only(), py::arg("dtype") = py::none());
  both("amax", [](T t, O dim, bool keepdim) { return amax(t, dims_or_all(dim), keepdim); },
       py::arg("dim") = py::tuple(), py::arg("keepdim") = false);
  both("amin", [](T t, O dim, bool keepdim) { return amin(t, dims_or_all(dim), keepdim); },
       py::arg("dim") = py::tuple(), py::arg("keepdim") = false);
  for (const char* name : {"max", "min"}) {
    bool is_max = std::string(name) == "max";
    auto full_fn = [is_max](T t) { return is_max ? max(t) : min(t); };
    auto dim_fn = [is_max, name](T t, int64_t dim, bool keepdim) {
      auto r = is_max ? max(t, dim, keepdim) : min(t, dim, keepdim);
      return return_type(name, r.first, r.second);
    };
    auto other_fn = [is_max](T t, T other) { return is_max ? maximum(t, other) : minimum(t, other); };
    m.def(name, full_fn, py::arg("input"));
    m.def(name, dim_fn, py::arg("input"), py::arg("dim"), py::arg("keepdim") = false);
    m.def(name, other_fn, py::arg("input"), py::arg("other"));
    cls.def(name, full_fn);
    cls.def(name, dim_fn, py::arg("dim"), py::arg("keepdim") = false);
    cls.def(name, other_fn, py::arg("other"));
  }
  both("aminmax", [](T t, O dim, bool keepdim) {
    Shape d = dims_or_all(dim);
    return return_type("aminmax", amin(t, d, keepdim), amax(t, d, keepdim));
  }, py::kw_only(), py::arg("dim") = py::none(), py::arg("keepdim") = false);
  both("argmax", [](T t, std::optional<int64_t> dim, bool keepdim) { return argmax(t, dim, keepdim); },
       py::arg("dim") = py::none(), py::arg("keepdim") = false);
  both("argmin", [](T t, std::optional<int64_t> dim, bool keepdim) { return argmin(t, dim, keepdim); },
       py::arg("dim") = py::none(), py::arg("keepdim") = false);
  both("all", [](T t, O dim, bool keepdim) { return all(t, dims_or_all(dim), keepdim); },
       py::arg("dim") = py::none(), py::arg("keepdim") = false);
  both("any", [](T t, O dim, bool keepdim) { return any(t, dims_or_all(dim), keepdim); },
       py::arg("dim") = py::none(), py::arg("keepdim") = false);
  both("count_nonzero", [](T t, O dim) { return count_nonzero(t, dims_or_all(dim)); }, py::arg("dim") = py::none());

  // var/std accept var(dim, unbiased, keepdim) and var(dim, *, correction, keepdim).
  for (const char* name : {"var", "std"}) {
    bool is_var = std::string(name) == "var";
    auto fn = [is_var](T t, O dim, O unbiased, bool keepdim, O correction) {
      if (PyBool_Check(dim.ptr())) {  // var(True): the old positional unbiased
        unbiased = dim;
        dim = py::none();
      }
      double c = correction_arg(correction, unbiased);
      Shape d = dims_or_all(dim);
      return is_var ? var(t, d, c, keepdim) : std_dev(t, d, c, keepdim);
    };
    m.def(name, fn, py::arg("input"), py::arg("dim") = py::none(), py::arg("unbiased") = py::none(),
          py::arg("keepdim") = false, py::kw_only(), py::arg("correction") = py::none());
    cls.def(name, fn, py::arg("dim") = py::none(), py::arg("unbiased") = py::none(), py::arg("keepdim") = false,
            py::kw_only(), py::arg("correction") = py::none());
    std::string pair = std::string(name) + "_mean";
    m.def(pair.c_str(), [is_var](T t, O dim, O unbiased, bool keepdim, O correction) {
      double c = correction_arg(correction, unbiased);
      Shape d = dims_or_all(dim);
      Tensor spread = is_var ? var(t, d, c, keepdim) : std_dev(t, d, c, keepdim);
      return py::make_tuple(spread, d.empty() ? (keepdim ? mean(t, Shape(), true) : mean(t)) : mean(t, d, keepdim));
    }, py::arg("input"), py::arg("dim") = py::none(), py::arg("unbiased") = py::none(), py::arg("keepdim") = false,
          py::kw_only(), py::arg("correction") = py::none());
  }
  both("logsumexp", [](T t, O dim, bool keepdim) { return logsumexp(t, dims_or_all(dim), keepdim); },
       py::arg("dim"), py::arg("keepdim") = false);
  both("softmax", [](T t, int64_t dim, OptD dtype) { return softmax(t, dim, dtype); }, py::arg("dim"),
       py::arg("dtype") = py::none());
  both("log_softmax", [](T t, int64_t dim, OptD dtype) { return log_softmax(t, dim, dtype); }, py::arg("dim"),
       py::arg("dtype") = py::none());
  m.def("_vector_norm", [](T t, double ord, O dim, bool keepdim, OptD dtype) {
    return vector_norm(t, ord, dims_or_all(dim), keepdim, dtype);
  });
  m.def("_matrix_norm", [](T t, const std::string& ord, IntArrayRef dim, bool keepdim) {
    return matrix_norm(t, ord, dim, keepdim);
  });
  m.def("_matrix_norm", [](T t, double ord, IntArrayRef dim, bool keepdim) {
    return matrix_norm(t, ord, dim, keepdim);
  });
}

}  // namespace dg::python
