// Module-level functions. The Python layer (dyngraph/_factories.py) parses
// the flexible PyTorch signatures (zeros(2, 3), zeros((2, 3)), dtype=...,
// device=...) and calls these with plain arguments.
#include <random>

#include "core/dispatch.h"
#include "dyngraph/autograd.h"
#include "dyngraph/cpu.h"
#include "dyngraph/cuda.h"
#include "python/bindings.h"

namespace py = pybind11;

namespace dg::python {

namespace {
TensorOptions options(std::optional<Dtype> dtype, std::optional<Device> device) {
  TensorOptions o;
  if (dtype) o = o.dtype(*dtype);
  if (device) o = o.device(*device);
  return o;
}
using OptDtype = std::optional<Dtype>;
using OptDevice = std::optional<Device>;
}  // namespace

void bind_functions(py::module_& m) {
  // ---- dtypes and promotion ------------------------------------------------------------------
  m.def("promote_types", [](Dtype a, Dtype b) { return promote_types(a, b); });
  m.def("_result_type", [](const Tensor& a, const Tensor& b) { return result_type(a, b); });
  m.def("_result_type", [](const Tensor& a, const Scalar& b) { return result_type(a, b); });
  m.def("_result_type", [](const Scalar& a, const Tensor& b) { return result_type(b, a); });
  m.def("_result_type", [](const Scalar& a, const Scalar& b) { return result_type(a, b); });
  m.def("get_default_dtype", [] { return default_dtype(); });
  m.def("set_default_dtype", [](Dtype d) { set_default_dtype(d); });
  m.def("broadcast_shapes_pair", [](IntArrayRef a, IntArrayRef b) {
    Shape s = broadcast_shapes(a, b);
    return py::reinterpret_steal<py::object>(make_size(s));
  });

  // ---- factories -------------------------------------------------------------------------------
  m.def("_empty", [](IntArrayRef size, OptDtype dt, OptDevice dev) { return empty(size, options(dt, dev)); });
  m.def("_empty_strided", [](IntArrayRef size, IntArrayRef stride, OptDtype dt, OptDevice dev) {
    return empty_strided(size, stride, options(dt, dev));
  });
  m.def("_zeros", [](IntArrayRef size, OptDtype dt, OptDevice dev) { return zeros(size, options(dt, dev)); });
  m.def("_ones", [](IntArrayRef size, OptDtype dt, OptDevice dev) { return ones(size, options(dt, dev)); });
  m.def("_full", [](IntArrayRef size, const Scalar& v, OptDtype dt, OptDevice dev) {
    return full(size, v, options(dt, dev));
  });
  m.def("_arange", [](const Scalar& start, const Scalar& end, const Scalar& step, OptDtype dt, OptDevice dev) {
    return arange(start, end, step, options(dt, dev));
  });
  m.def("_linspace", [](const Scalar& start, const Scalar& end, int64_t steps, OptDtype dt, OptDevice dev) {
    return linspace(start, end, steps, options(dt, dev));
  });
  m.def("_eye", [](int64_t n, std::optional<int64_t> mm, OptDtype dt, OptDevice dev) {
    return eye(n, mm.value_or(n), options(dt, dev));
  });

  // ---- random ----------------------------------------------------------------------------------
  py::class_<Generator>(m, "Generator")
      .def(py::init([](OptDevice device) {
             // Philox streams do not depend on the device: one kind of generator serves both.
             DG_CHECK(!device || device->is_cpu() || cuda::device_count() > 0, DeviceUnavailableError,
                      "cannot create a CUDA generator: ", cuda::unavailable_reason());
             return new Generator();
           }),
           py::arg("device") = py::none())
      .def("manual_seed",
           [](Generator& g, py::int_ seed) -> Generator& {
             g.manual_seed(py::cast<uint64_t>(seed.attr("__and__")(py::int_(0xFFFFFFFFFFFFFFFFULL))));
             return g;
           },
           py::return_value_policy::reference)
      .def("initial_seed", &Generator::initial_seed)
      .def("seed",
           [](Generator& g) {
             uint64_t s = static_cast<uint64_t>(std::random_device{}()) << 32 | std::random_device{}();
             g.manual_seed(s);
             return s;
           })
      .def("get_state", [](Generator& g) { return py::make_tuple(g.initial_seed(), g.offset()); })
      .def("set_state", [](Generator& g, py::tuple st) { g.set_state(st[0].cast<uint64_t>(), st[1].cast<uint64_t>()); })
      .def_property_readonly("device", [](Generator&) { return Device(kCPU); });
  m.attr("default_generator") = py::cast(&default_generator(), py::return_value_policy::reference);

  m.def("_rand", [](IntArrayRef size, OptDtype dt, OptDevice dev, Generator* g) { return rand(size, options(dt, dev), g); });
  m.def("_randn", [](IntArrayRef size, OptDtype dt, OptDevice dev, Generator* g) { return randn(size, options(dt, dev), g); });
  m.def("_randint", [](int64_t low, int64_t high, IntArrayRef size, OptDtype dt, OptDevice dev, Generator* g) {
    return randint(low, high, size, options(dt, dev), g);
  });
  m.def("_randperm", [](int64_t n, OptDtype dt, OptDevice dev, Generator* g) { return randperm(n, options(dt, dev), g); });
  m.def("bernoulli", [](const Tensor& p, Generator* g) { return bernoulli(p, g); }, py::arg("input"), py::kw_only(),
        py::arg("generator") = nullptr);

  // ---- view functions ----------------------------------------------------------------------------
  using T = const Tensor&;
  m.def("transpose", [](T t, int64_t a, int64_t b) { return transpose(t, a, b); }, py::arg("input"), py::arg("dim0"), py::arg("dim1"));
  m.def("swapaxes", [](T t, int64_t a, int64_t b) { return transpose(t, a, b); });
  m.def("swapdims", [](T t, int64_t a, int64_t b) { return transpose(t, a, b); });
  m.def("permute", [](T t, IntArrayRef dims) { return permute(t, dims); }, py::arg("input"), py::arg("dims"));
  m.def("t", [](T x) { return dg::t(x); });
  m.def("reshape", [](T t, IntArrayRef s) { return reshape(t, s); }, py::arg("input"), py::arg("shape"));
  m.def("squeeze", [](T t) { return squeeze(t); });
  m.def("squeeze", [](T t, IntArrayRef d) { return squeeze(t, d); }, py::arg("input"), py::arg("dim"));
  m.def("unsqueeze", [](T t, int64_t d) { return unsqueeze(t, d); }, py::arg("input"), py::arg("dim"));
  m.def("flatten", [](T t, int64_t s, int64_t e) { return flatten(t, s, e); }, py::arg("input"),
        py::arg("start_dim") = 0, py::arg("end_dim") = -1);
  m.def("unflatten", [](T t, int64_t d, IntArrayRef s) { return unflatten(t, d, s); }, py::arg("input"), py::arg("dim"),
        py::arg("sizes"));
  m.def("narrow", [](T t, int64_t d, int64_t s, int64_t l) { return narrow(t, d, s, l); }, py::arg("input"),
        py::arg("dim"), py::arg("start"), py::arg("length"));
  m.def("select", [](T t, int64_t d, int64_t i) { return select(t, d, i); }, py::arg("input"), py::arg("dim"), py::arg("index"));
  m.def("unbind", [](T t, int64_t d) { return as_tuple(unbind(t, d)); }, py::arg("input"), py::arg("dim") = 0);
  m.def("chunk", [](T t, int64_t c, int64_t d) { return as_tuple(chunk(t, c, d)); }, py::arg("input"), py::arg("chunks"), py::arg("dim") = 0);
  m.def("split", [](T t, int64_t s, int64_t d) { return as_tuple(split(t, s, d)); }, py::arg("tensor"), py::arg("split_size_or_sections"), py::arg("dim") = 0);
  m.def("split", [](T t, std::vector<int64_t> s, int64_t d) { return as_tuple(split_with_sizes(t, s, d)); }, py::arg("tensor"),
        py::arg("split_size_or_sections"), py::arg("dim") = 0);
  m.def("movedim", [](T t, IntArrayRef s, IntArrayRef d) { return movedim(t, s, d); }, py::arg("input"), py::arg("source"), py::arg("destination"));
  m.def("moveaxis", [](T t, IntArrayRef s, IntArrayRef d) { return movedim(t, s, d); }, py::arg("input"), py::arg("source"), py::arg("destination"));
  m.def("diagonal", [](T t, int64_t o, int64_t d1, int64_t d2) { return diagonal(t, o, d1, d2); }, py::arg("input"),
        py::arg("offset") = 0, py::arg("dim1") = 0, py::arg("dim2") = 1);
  m.def("as_strided", [](T t, IntArrayRef size, IntArrayRef stride, std::optional<int64_t> off) {
    return as_strided(t, size, stride, off);
  }, py::arg("input"), py::arg("size"), py::arg("stride"), py::arg("storage_offset") = py::none());
  m.def("broadcast_to", [](T t, IntArrayRef s) { return expand(t, s); }, py::arg("input"), py::arg("size"));
  m.def("clone", [](T t) { return clone(t); });

  // ---- elementwise functions -------------------------------------------------------------------------
  using S = const Scalar&;
  m.def("add", [](T a, T b, S alpha) { return add(a, b, alpha); }, py::arg("input"), py::arg("other"), py::kw_only(), py::arg("alpha") = 1);
  m.def("add", [](T a, S b, S alpha) { return add(a, b, alpha); }, py::arg("input"), py::arg("other"), py::kw_only(), py::arg("alpha") = 1);
  m.def("add", [](S a, T b, S alpha) { return add(mul(b, alpha), a); }, py::arg("input"), py::arg("other"), py::kw_only(), py::arg("alpha") = 1);
  m.def("sub", [](T a, T b, S alpha) { return sub(a, b, alpha); }, py::arg("input"), py::arg("other"), py::kw_only(), py::arg("alpha") = 1);
  m.def("sub", [](T a, S b, S alpha) { return sub(a, b, alpha); }, py::arg("input"), py::arg("other"), py::kw_only(), py::arg("alpha") = 1);
  m.def("sub", [](S a, T b, S alpha) { return rsub(b, a, alpha); }, py::arg("input"), py::arg("other"), py::kw_only(), py::arg("alpha") = 1);
  m.def("mul", [](T a, T b) { return mul(a, b); });
  m.def("mul", [](T a, S b) { return mul(a, b); });
  m.def("mul", [](S a, T b) { return mul(b, a); });
  m.def("div", [](T a, T b) { return div(a, b); });
  m.def("div", [](T a, S b) { return div(a, b); });
  m.def("div", [](S a, T b) { return rdiv(b, a); });
  m.def("sum", [](T t, py::object dim, bool keepdim, std::optional<Dtype> dtype) {
    auto dims = dims_arg(dim);
    return dims ? sum(t, *dims, keepdim, dtype) : sum(t, dtype);
  }, py::arg("input"), py::arg("dim") = py::none(), py::arg("keepdim") = false, py::kw_only(), py::arg("dtype") = py::none());
  m.def("mean", [](T t, py::object dim, bool keepdim, std::optional<Dtype> dtype) {
    auto dims = dims_arg(dim);
    return dims ? mean(t, *dims, keepdim, dtype) : mean(t, dtype);
  }, py::arg("input"), py::arg("dim") = py::none(), py::arg("keepdim") = false, py::kw_only(), py::arg("dtype") = py::none());
  m.def("conj", [](T t) { return conj(t); });
  m.def("real", [](T t) { return real(t); });
  m.def("detach", [](T t) { return detach(t); });
  m.def("negative", [](T a) { return neg(a); });
#define DG_BIND_COMPARISON_FN(name)                           \
  m.def(#name, [](T a, T b) { return name(a, b); });          \
  m.def(#name, [](T a, S b) { return name(a, b); });
  DG_BIND_COMPARISON_FN(eq)
  DG_BIND_COMPARISON_FN(ne)
  DG_BIND_COMPARISON_FN(lt)
  DG_BIND_COMPARISON_FN(le)
  DG_BIND_COMPARISON_FN(gt)
  DG_BIND_COMPARISON_FN(ge)
#undef DG_BIND_COMPARISON_FN

  // ---- runtime -----------------------------------------------------------------------------------------
  m.def("get_num_threads", [] { return get_num_threads(); });
  m.def("set_num_threads", [](int n) { set_num_threads(n); });
  m.def("_cpu_capability", [] { return cpu::capability(); });
  m.def("_cpu_cached_bytes", [] { return cpu_cached_bytes(); });
  m.def("empty_cache", [] { cpu_empty_cache(); }, "Gives the CPU allocator's cached blocks back to the system.");
}

}  // namespace dg::python
