// Bindings of the elementwise math: unary and binary ops as functions,
// methods, in-place methods and operators.
#include "ops/elementwise_common.h"
#include "python/bindings.h"

namespace py = pybind11;

namespace dg::python {

void bind_math(py::module_& m) {
  auto cls = py::reinterpret_borrow<py::class_<TensorImpl, intrusive_ptr<TensorImpl>>>(m.attr("Tensor"));
  using T = const Tensor&;
  using S = const Scalar&;

#define DG_BIND_UNARY(name)                                            \
  m.def(#name, [](T x) { return name(x); }, py::arg("input"));         \
  cls.def(#name, [](T x) { return name(x); });                         \
  cls.def(#name "_", [](Tensor x) { return name##_(x); });
  DG_BIND_UNARY(exp) DG_BIND_UNARY(exp2) DG_BIND_UNARY(expm1) DG_BIND_UNARY(log) DG_BIND_UNARY(log2)
  DG_BIND_UNARY(log10) DG_BIND_UNARY(log1p) DG_BIND_UNARY(sqrt) DG_BIND_UNARY(rsqrt) DG_BIND_UNARY(sin)
  DG_BIND_UNARY(cos) DG_BIND_UNARY(tan) DG_BIND_UNARY(asin) DG_BIND_UNARY(acos) DG_BIND_UNARY(atan)
  DG_BIND_UNARY(sinh) DG_BIND_UNARY(cosh) DG_BIND_UNARY(tanh) DG_BIND_UNARY(asinh) DG_BIND_UNARY(acosh)
  DG_BIND_UNARY(atanh) DG_BIND_UNARY(sigmoid) DG_BIND_UNARY(reciprocal) DG_BIND_UNARY(erf) DG_BIND_UNARY(erfc)
  DG_BIND_UNARY(erfinv) DG_BIND_UNARY(lgamma) DG_BIND_UNARY(digamma) DG_BIND_UNARY(square) DG_BIND_UNARY(abs)
  DG_BIND_UNARY(sign) DG_BIND_UNARY(sgn) DG_BIND_UNARY(relu) DG_BIND_UNARY(floor) DG_BIND_UNARY(ceil)
  DG_BIND_UNARY(trunc) DG_BIND_UNARY(frac) DG_BIND_UNARY(logical_not) DG_BIND_UNARY(bitwise_not)
  DG_BIND_UNARY(neg)
#undef DG_BIND_UNARY
  // Functions (and methods) without an in-place form in PyTorch's Tensor API.
#define DG_BIND_UNARY_FN(name)                                   \
  m.def(#name, [](T x) { return name(x); }, py::arg("input"));   \
  cls.def(#name, [](T x) { return name(x); });
  DG_BIND_UNARY_FN(isnan) DG_BIND_UNARY_FN(isinf) DG_BIND_UNARY_FN(isfinite) DG_BIND_UNARY_FN(signbit)
  DG_BIND_UNARY_FN(angle) DG_BIND_UNARY_FN(view_as_real) DG_BIND_UNARY_FN(view_as_complex)
  m.def("imag", [](T x) { return imag(x); });
  cls.def_property_readonly("imag", [](T x) { return imag(x); });
#undef DG_BIND_UNARY_FN
  // Activations: module-level helpers that nn.functional wraps.
  m.def("_relu6", [](T x) { return relu6(x); });
  m.def("_selu", [](T x) { return selu(x); });
  m.def("_silu", [](T x) { return silu(x); });
  m.def("_mish", [](T x) { return mish(x); });
  m.def("_softsign", [](T x) { return softsign(x); });
  m.def("_hardsigmoid", [](T x) { return hardsigmoid(x); });
  m.def("_hardswish", [](T x) { return hardswish(x); });
  m.def("_leaky_relu", [](T x, double s) { return leaky_relu(x, s); });
  m.def("_leaky_relu_", [](Tensor x, double s) { return leaky_relu_(x, s); });
  m.def("_elu", [](T x, double a) { return elu(x, a); });
  m.def("_celu", [](T x, double a) { return celu(x, a); });
  m.def("_gelu", [](T x, const std::string& approx) { return gelu(x, approx); });
  m.def("_softplus", [](T x, double b, double th) { return softplus(x, b, th); });
  m.def("_hardtanh", [](T x, double lo, double hi) { return hardtanh(x, lo, hi); });
  m.def("_hardtanh_", [](Tensor x, double lo, double hi) { return hardtanh_(x, lo, hi); });
  m.def("logit", [](T x, std::optional<double> eps) { return logit(x, eps); }, py::arg("input"),
        py::arg("eps") = py::none());
  cls.def("logit", [](T x, std::optional<double> eps) { return logit(x, eps); }, py::arg("eps") = py::none());
  m.def("round", [](T x, int64_t d) { return round(x, d); }, py::arg("input"), py::kw_only(), py::arg("decimals") = 0);
  cls.def("round", [](T x, int64_t d) { return round(x, d); }, py::kw_only(), py::arg("decimals") = 0);
  cls.def("round_", [](Tensor x, int64_t d) { return round_(x, d); }, py::kw_only(), py::arg("decimals") = 0);
  auto nan_to_num_fn = [](T x, std::optional<double> nan, std::optional<double> posinf, std::optional<double> neginf) {
    return nan_to_num(x, nan, posinf, neginf);
  };
  m.def("nan_to_num", nan_to_num_fn, py::arg("input"), py::arg("nan") = 0.0, py::arg("posinf") = py::none(),
        py::arg("neginf") = py::none());
  cls.def("nan_to_num", nan_to_num_fn, py::arg("nan") = 0.0, py::arg("posinf") = py::none(),
          py::arg("neginf") = py::none());
  m.def("sigmoid_", [](Tensor x) { return sigmoid_(x); });
  m.def("relu_", [](Tensor x) { return relu_(x); });

  // ---- binary ------------------------------------------------------------------------------------
#define DG_BIND_BINARY(name)                                                                   \
  m.def(#name, [](T a, T b) { return name(a, b); }, py::arg("input"), py::arg("other"));       \
  m.def(#name, [](T a, S b) { return name(a, b); }, py::arg("input"), py::arg("other"));       \
  cls.def(#name, [](T a, T b) { return name(a, b); }, py::arg("other"));                      \
  cls.def(#name, [](T a, S b) { return name(a, b); }, py::arg("other"));                      \
  cls.def(#name "_", [](Tensor a, T b) { return name##_(a, b); }, py::arg("other"));           \
  cls.def(#name "_", [](Tensor a, S b) { return name##_(a, b); }, py::arg("other"));
  DG_BIND_BINARY(maximum) DG_BIND_BINARY(minimum) DG_BIND_BINARY(fmax) DG_BIND_BINARY(fmin)
  DG_BIND_BINARY(remainder) DG_BIND_BINARY(fmod) DG_BIND_BINARY(floor_divide) DG_BIND_BINARY(atan2)
  DG_BIND_BINARY(hypot) DG_BIND_BINARY(copysign) DG_BIND_BINARY(logaddexp) DG_BIND_BINARY(pow)
  DG_BIND_BINARY(logical_and) DG_BIND_BINARY(logical_or) DG_BIND_BINARY(logical_xor) DG_BIND_BINARY(bitwise_and)
  DG_BIND_BINARY(bitwise_or) DG_BIND_BINARY(bitwise_xor) DG_BIND_BINARY(bitwise_left_shift)
  DG_BIND_BINARY(bitwise_right_shift)
#undef DG_BIND_BINARY
  m.def("pow", [](T a, T b) { return pow(a, b); }, py::arg("input"), py::arg("exponent"));
  m.def("pow", [](T a, S b) { return pow(a, b); }, py::arg("input"), py::arg("exponent"));
  m.def("pow", [](S a, T b) { return pow(a, b); }, py::arg("self"), py::arg("exponent"));
  cls.def("pow", [](T a, T b) { return pow(a, b); }, py::arg("exponent"));
  cls.def("pow", [](T a, S b) { return pow(a, b); }, py::arg("exponent"));
  m.def("remainder", [](S a, T b) { return remainder(a, b); });
  m.def("floor_divide", [](S a, T b) { return floor_divide(a, b); });
  auto scalar_tensor_of = [](S a, T like) { return full({}, a, TensorOptions(result_type(like, a)).device(like.device())); };
  m.def("bitwise_left_shift", [scalar_tensor_of](S a, T b) { return bitwise_left_shift(scalar_tensor_of(a, b), b); });
  m.def("bitwise_right_shift", [scalar_tensor_of](S a, T b) { return bitwise_right_shift(scalar_tensor_of(a, b), b); });
  cls.def("__rlshift__", [scalar_tensor_of](T b, S a) { return bitwise_left_shift(scalar_tensor_of(a, b), b); }, py::is_operator());
  cls.def("__rrshift__", [scalar_tensor_of](T b, S a) { return bitwise_right_shift(scalar_tensor_of(a, b), b); }, py::is_operator());
  m.def("float_power", [](S a, T b) { return float_power(full({}, a, TensorOptions(kFloat64)), b); });
  auto check_float_power_ = [](const Tensor& a) {
    DG_CHECK(a.dtype() == kFloat64 || a.dtype() == kComplex128, Error, "the base given to float_power_ has dtype ",
             dtype_name(a.dtype()), " but the operation's result requires dtype float64");
  };
  cls.def("float_power_", [check_float_power_](Tensor a, T b) { check_float_power_(a); return copy_(a, float_power(a, b)); });
  cls.def("float_power_", [check_float_power_](Tensor a, S b) { check_float_power_(a); return copy_(a, float_power(a, b)); });
  m.def("float_power", [](T a, T b) { return float_power(a, b); });
  m.def("float_power", [](T a, S b) { return float_power(a, b); });
  cls.def("float_power", [](T a, T b) { return float_power(a, b); });
  cls.def("float_power", [](T a, S b) { return float_power(a, b); });
  auto div_mode_t = [](T a, T b, std::optional<std::string> mode) { return mode ? div(a, b, *mode) : div(a, b); };
  auto div_mode_s = [](T a, S b, std::optional<std::string> mode) { return mode ? div(a, b, *mode) : div(a, b); };
  m.def("div", div_mode_t, py::arg("input"), py::arg("other"), py::kw_only(), py::arg("rounding_mode"));
  m.def("div", div_mode_s, py::arg("input"), py::arg("other"), py::kw_only(), py::arg("rounding_mode"));
  cls.def("div", div_mode_t, py::arg("other"), py::kw_only(), py::arg("rounding_mode"));
  cls.def("div", div_mode_s, py::arg("other"), py::kw_only(), py::arg("rounding_mode"));

  // ---- operators ------------------------------------------------------------------------------------
  cls.def("__pow__", [](T a, T b) { return pow(a, b); }, py::is_operator())
      .def("__pow__", [](T a, S b) { return pow(a, b); }, py::is_operator())
      .def("__rpow__", [](T a, S b) { return pow(b, a); }, py::is_operator())
      .def("__ipow__", [](Tensor a, T b) { return pow_(a, b); }, py::is_operator())
      .def("__ipow__", [](Tensor a, S b) { return pow_(a, b); }, py::is_operator())
      .def("__mod__", [](T a, T b) { return remainder(a, b); }, py::is_operator())
      .def("__mod__", [](T a, S b) { return remainder(a, b); }, py::is_operator())
      .def("__rmod__", [](T a, S b) { return remainder(b, a); }, py::is_operator())
      .def("__imod__", [](Tensor a, T b) { return remainder_(a, b); }, py::is_operator())
      .def("__imod__", [](Tensor a, S b) { return remainder_(a, b); }, py::is_operator())
      .def("__floordiv__", [](T a, T b) { return floor_divide(a, b); }, py::is_operator())
      .def("__floordiv__", [](T a, S b) { return floor_divide(a, b); }, py::is_operator())
      .def("__rfloordiv__", [](T a, S b) { return floor_divide(b, a); }, py::is_operator())
      .def("__ifloordiv__", [](Tensor a, T b) { return floor_divide_(a, b); }, py::is_operator())
      .def("__ifloordiv__", [](Tensor a, S b) { return floor_divide_(a, b); }, py::is_operator())
      .def("__abs__", [](T a) { return abs(a); })
      .def("__invert__", [](T a) {
        DG_CHECK(is_integral(a.dtype(), true), TypeError, "~ (bitwise_not) is only supported for integer and bool tensors, got ",
                 dtype_name(a.dtype()));
        return bitwise_not(a);
      });
#define DG_BIND_BITWISE_OPERATOR(op, fn)                                                         \
  cls.def("__" op "__", [](T a, T b) { return fn(a, b); }, py::is_operator())                   \
      .def("__" op "__", [](T a, S b) { return fn(a, b); }, py::is_operator())                  \
      .def("__r" op "__", [](T a, S b) { return fn(a, b); }, py::is_operator())                 \
      .def("__i" op "__", [](Tensor a, T b) { return fn##_(a, b); }, py::is_operator())         \
      .def("__i" op "__", [](Tensor a, S b) { return fn##_(a, b); }, py::is_operator());
  DG_BIND_BITWISE_OPERATOR("and", bitwise_and)
  DG_BIND_BITWISE_OPERATOR("or", bitwise_or)
  DG_BIND_BITWISE_OPERATOR("xor", bitwise_xor)
#undef DG_BIND_BITWISE_OPERATOR
  cls.def("__lshift__", [](T a, T b) { return bitwise_left_shift(a, b); }, py::is_operator())
      .def("__lshift__", [](T a, S b) { return bitwise_left_shift(a, b); }, py::is_operator())
      .def("__rshift__", [](T a, T b) { return bitwise_right_shift(a, b); }, py::is_operator())
      .def("__rshift__", [](T a, S b) { return bitwise_right_shift(a, b); }, py::is_operator())
      .def("__ilshift__", [](Tensor a, T b) { return bitwise_left_shift_(a, b); }, py::is_operator())
      .def("__ilshift__", [](Tensor a, S b) { return bitwise_left_shift_(a, b); }, py::is_operator())
      .def("__irshift__", [](Tensor a, T b) { return bitwise_right_shift_(a, b); }, py::is_operator())
      .def("__irshift__", [](Tensor a, S b) { return bitwise_right_shift_(a, b); }, py::is_operator());

  // ---- ternary and composites ---------------------------------------------------------------------------
  m.def("where", [](T c, T a, T b) { return where(c, a, b); }, py::arg("condition"), py::arg("input"), py::arg("other"));
  m.def("where", [](T c, T a, S b) { return where(c, a, b); }, py::arg("condition"), py::arg("input"), py::arg("other"));
  m.def("where", [](T c, S a, T b) { return where(c, a, b); }, py::arg("condition"), py::arg("input"), py::arg("other"));
  m.def("where", [](T c, S a, S b) {
    Dtype d = result_type(a, b);
    return where(c, full({}, a, TensorOptions(d).device(c.device())), full({}, b, TensorOptions(d).device(c.device())));
  }, py::arg("condition"), py::arg("input"), py::arg("other"));
  cls.def("where", [](T self, T c, T other) { return where(c, self, other); }, py::arg("condition"), py::arg("other"));
  cls.def("where", [](T self, T c, S other) { return where(c, self, other); }, py::arg("condition"), py::arg("other"));

  using OptS = std::optional<Scalar>;
  using OptT = std::optional<Tensor>;
  auto clamp_s = [](T x, OptS lo, OptS hi) { return clamp(x, lo, hi); };
  auto clamp_t = [](T x, OptT lo, OptT hi) { return clamp(x, lo, hi); };
  for (const char* name : {"clamp", "clip"}) {
    m.def(name, clamp_s, py::arg("input"), py::arg("min") = py::none(), py::arg("max") = py::none());
    m.def(name, clamp_t, py::arg("input"), py::arg("min") = py::none(), py::arg("max") = py::none());
    cls.def(name, clamp_s, py::arg("min") = py::none(), py::arg("max") = py::none());
    cls.def(name, clamp_t, py::arg("min") = py::none(), py::arg("max") = py::none());
  }
  for (const char* name : {"clamp_", "clip_"}) {
    cls.def(name, [](Tensor x, OptS lo, OptS hi) { return clamp_(x, lo, hi); }, py::arg("min") = py::none(),
            py::arg("max") = py::none());
    cls.def(name, [](Tensor x, OptT lo, OptT hi) { return copy_(x, clamp(x, lo, hi)); }, py::arg("min") = py::none(),
            py::arg("max") = py::none());
  }
  m.def("clamp_min", [](T x, S lo) { return clamp(x, OptS(lo), OptS()); });
  m.def("clamp_max", [](T x, S hi) { return clamp(x, OptS(), OptS(hi)); });
  cls.def("clamp_min", [](T x, S lo) { return clamp(x, OptS(lo), OptS()); });
  cls.def("clamp_max", [](T x, S hi) { return clamp(x, OptS(), OptS(hi)); });

  m.def("lerp", [](T a, T b, T w) { return lerp(a, b, w); }, py::arg("input"), py::arg("end"), py::arg("weight"));
  m.def("lerp", [](T a, T b, S w) { return lerp(a, b, w); }, py::arg("input"), py::arg("end"), py::arg("weight"));
  cls.def("lerp", [](T a, T b, T w) { return lerp(a, b, w); }, py::arg("end"), py::arg("weight"));
  cls.def("lerp", [](T a, T b, S w) { return lerp(a, b, w); }, py::arg("end"), py::arg("weight"));
  auto addcmul_fn = [](T t, T a, T b, S v) { return addcmul(t, a, b, v); };
  auto addcdiv_fn = [](T t, T a, T b, S v) { return addcdiv(t, a, b, v); };
  m.def("addcmul", addcmul_fn, py::arg("input"), py::arg("tensor1"), py::arg("tensor2"), py::kw_only(), py::arg("value") = 1);
  m.def("addcdiv", addcdiv_fn, py::arg("input"), py::arg("tensor1"), py::arg("tensor2"), py::kw_only(), py::arg("value") = 1);
  cls.def("addcmul", addcmul_fn, py::arg("tensor1"), py::arg("tensor2"), py::kw_only(), py::arg("value") = 1);
  cls.def("addcdiv", addcdiv_fn, py::arg("tensor1"), py::arg("tensor2"), py::kw_only(), py::arg("value") = 1);
  auto checked_copy = [](Tensor& t, const Tensor& r) -> Tensor& {
    DG_CHECK(can_cast(r.dtype(), t.dtype()), Error, "result type ", dtype_name(r.dtype()),
             " can't be cast to the desired output type ", dtype_name(t.dtype()));
    return t.copy_(r);
  };
  cls.def("addcmul_", [checked_copy](Tensor t, T a, T b, S v) { return checked_copy(t, addcmul(t, a, b, v)); }, py::arg("tensor1"),
          py::arg("tensor2"), py::kw_only(), py::arg("value") = 1);
  cls.def("addcdiv_", [checked_copy](Tensor t, T a, T b, S v) { return checked_copy(t, addcdiv(t, a, b, v)); }, py::arg("tensor1"),
          py::arg("tensor2"), py::kw_only(), py::arg("value") = 1);
  auto isclose_fn = [](T a, T b, double rtol, double atol, bool nan) { return isclose(a, b, rtol, atol, nan); };
  auto allclose_fn = [](T a, T b, double rtol, double atol, bool nan) { return allclose(a, b, rtol, atol, nan); };
  m.def("isclose", isclose_fn, py::arg("input"), py::arg("other"), py::arg("rtol") = 1e-05, py::arg("atol") = 1e-08,
        py::arg("equal_nan") = false);
  m.def("allclose", allclose_fn, py::arg("input"), py::arg("other"), py::arg("rtol") = 1e-05, py::arg("atol") = 1e-08,
        py::arg("equal_nan") = false);
  cls.def("isclose", isclose_fn, py::arg("other"), py::arg("rtol") = 1e-05, py::arg("atol") = 1e-08,
          py::arg("equal_nan") = false);
  cls.def("allclose", allclose_fn, py::arg("other"), py::arg("rtol") = 1e-05, py::arg("atol") = 1e-08,
          py::arg("equal_nan") = false);
  m.def("equal", [](T a, T b) { return equal(a, b); });
  cls.def("equal", [](T a, T b) { return equal(a, b); });
}

}  // namespace dg::python
