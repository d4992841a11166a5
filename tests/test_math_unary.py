"""Unary elementwise math vs NumPy and math-module formulas: values over dtypes (float, half, integer,
complex), result dtypes, methods and in-place forms, special values, non-contiguous inputs, the
activation helpers in dyngraph._C, and gradients (gradcheck / gradgradcheck in float64).

The op registry (UNARY) has one entry per op; every test below is parametrized over it."""

import math

import numpy as np
import pytest

import dyngraph
from conftest import dt, from_np, to_np
from dyngraph.autograd import gradcheck, gradgradcheck

# ---- reference formulas (NumPy / math only) ----------------------------------------------------


def _vec(f):
    """f applied elementwise to a float64 array (through Python floats)."""
    def g(x):
        x = np.asarray(x, dtype=np.float64)
        return np.array([f(float(v)) for v in x.ravel()], dtype=np.float64).reshape(x.shape)
    return g


def _lgamma(v):
    if math.isnan(v):
        return v
    if v <= 0 and v == math.floor(v):
        return math.inf
    return math.lgamma(v)


def _erfinv(y):
    """Inverse of math.erf by bisection, polished with Newton steps."""
    if math.isnan(y) or abs(y) > 1:
        return math.nan
    if abs(y) == 1:
        return math.copysign(math.inf, y)
    lo, hi = -6.0, 6.0
    for _ in range(80):
        mid = 0.5 * (lo + hi)
        if math.erf(mid) < y:
            lo = mid
        else:
            hi = mid
    r = 0.5 * (lo + hi)
    for _ in range(2):
        r -= (math.erf(r) - y) / (2.0 / math.sqrt(math.pi) * math.exp(-r * r))
    return r


def _digamma(x):
    """psi(x): reflection for x < 0, recurrence up to x >= 10, then the asymptotic series."""
    if math.isnan(x):
        return x
    if x == 0:
        return math.copysign(math.inf, -math.copysign(1.0, x))  # +0 -> -inf, -0 -> +inf (as PyTorch)
    if x < 0:
        if x == math.floor(x):
            return math.nan
        return _digamma(1 - x) - math.pi / math.tan(math.pi * x)
    r = 0.0
    while x < 10:
        r -= 1 / x
        x += 1
    f = 1 / (x * x)
    return r + math.log(x) - 0.5 / x - f * (1 / 12 - f * (1 / 120 - f * (1 / 252 - f * (1 / 240 - f / 132))))


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


REF_ERF = _vec(math.erf)
REF_ERFC = _vec(math.erfc)
REF_ERFINV = _vec(_erfinv)
REF_LGAMMA = _vec(_lgamma)
REF_DIGAMMA = _vec(_digamma)

# ---- inputs ------------------------------------------------------------------------------------

# Value sets (all multiples of 1/16, so exact in every float dtype), shaped (3, 4).
DOMAIN = {
    "any": np.arange(-12, 12, 2) / 4.0,                                           # [-3, 2.5], includes 0
    "small": np.arange(-5, 7) / 4.0,                                              # [-1.25, 1.5] (tan)
    "pos": np.arange(1, 13) / 4.0,                                                # (0, 3]
    "unit": np.array([-7, -6, -5, -3, -2, -1, 0, 1, 2, 3, 5, 7]) / 8.0,           # (-1, 1)
    "ge1": np.arange(4, 16) / 4.0,                                                # [1, 3.75]
    "prob": np.array([1, 2, 3, 4, 5, 6, 8, 10, 11, 12, 14, 15]) / 16.0,          # (0, 1)
    "step": np.array([-2.75, -1.5, -1.25, -0.5, -0.25, 0.0, 0.25, 0.5, 0.75, 1.5, 2.5, 3.25]),  # .5 ties
}
# Integer inputs for each domain (the op's values on them may be inf / nan: compared with equal_nan).
INT_DOMAIN = {"any": [-3, -2, -1, 0, 1, 2, 3], "small": [-1, 0, 1], "pos": [1, 2, 3, 4], "unit": [-1, 0, 1],
              "ge1": [1, 2, 3, 4], "prob": [0, 1], "step": [-3, -2, -1, 0, 1, 2, 3]}
# float64 gradcheck inputs, away from kinks, integers, half-integers and domain edges.
GRAD_DOMAIN = {
    "any": [[-1.7, -0.3, 0.2], [0.6, 1.3, 2.2]],
    "small": [[-1.1, -0.3, 0.2], [0.6, 0.9, 1.2]],
    "pos": [[0.3, 0.7, 1.1], [1.6, 2.3, 3.1]],
    "unit": [[-0.8, -0.45, -0.1], [0.15, 0.5, 0.85]],
    "ge1": [[1.2, 1.5, 1.9], [2.4, 3.0, 3.7]],
    "prob": [[0.1, 0.25, 0.4], [0.55, 0.7, 0.9]],
    "step": [[-1.7, -0.3, 0.2], [0.6, 1.3, 2.8]],
}
# Complex inputs: no zero parts, off every branch cut and pole of the ops below.
COMPLEX_VALUES = np.array([[0.5 - 0.25j, -1.25 + 0.75j, 0.75 + 1.25j], [-0.5 - 1.0j, 1.5 + 0.5j, 0.25 - 1.5j]])


def domain_values(domain, dtype_name):
    return np.asarray(DOMAIN[domain], dtype=np.float64).reshape(3, 4).astype(
        np.float32 if dtype_name == "bfloat16" else dtype_name)


def grad_input(domain):
    return dyngraph.tensor(np.array(GRAD_DOMAIN[domain], dtype=np.float64)).requires_grad_(True)


# ---- the registry ----------------------------------------------------------------------------------


class Unary:
    """One unary op.

    kind: "float"  integer/bool inputs computed in float32 (the default dtype)
          "same"   integer inputs keep their dtype
          "round"  integer inputs returned unchanged, same dtype
          "pred"   bool result
          "int"    integer/bool inputs only
    complex_ref: NumPy reference on complex128 (None: PyTorch rejects complex inputs with RuntimeError).
    grad: "diff" (gradcheck), "zero" (differentiable with zero derivative), or None (output has no grad).
    """

    def __init__(self, name, ref, domain="any", kind="float", complex_ref=None, grad="diff", gradgrad=False,
                 rtol32=2e-6, rtol64=1e-12, ints=True, inplace=True):
        self.name, self.ref, self.domain, self.kind = name, ref, domain, kind
        self.complex_ref, self.grad, self.gradgrad = complex_ref, grad, gradgrad
        self.rtol = {"float32": rtol32, "float64": rtol64}
        self.ints, self.inplace = ints, inplace

    def __repr__(self):
        return self.name


UNARY = [
    Unary("exp", np.exp, complex_ref=np.exp, gradgrad=True),
    Unary("exp2", np.exp2, complex_ref=np.exp2),
    Unary("expm1", np.expm1, complex_ref=np.expm1),
    Unary("log", np.log, "pos", complex_ref=np.log, gradgrad=True),
    Unary("log2", np.log2, "pos", complex_ref=np.log2),
    Unary("log10", np.log10, "pos", complex_ref=np.log10),
    Unary("log1p", np.log1p, "pos", complex_ref=np.log1p),
    Unary("sqrt", np.sqrt, "pos", complex_ref=np.sqrt),
    Unary("rsqrt", lambda x: 1 / np.sqrt(x), "pos", complex_ref=None),
    Unary("sin", np.sin, complex_ref=np.sin, gradgrad=True),
    Unary("cos", np.cos, complex_ref=np.cos),
    Unary("tan", np.tan, "small", complex_ref=np.tan, rtol32=1e-5),
    Unary("asin", np.arcsin, "unit", complex_ref=np.arcsin),
    Unary("acos", np.arccos, "unit", complex_ref=np.arccos),
    Unary("atan", np.arctan, complex_ref=np.arctan),
    Unary("sinh", np.sinh, complex_ref=np.sinh),
    Unary("cosh", np.cosh, complex_ref=np.cosh),
    Unary("tanh", np.tanh, complex_ref=np.tanh, gradgrad=True),
    Unary("asinh", np.arcsinh, complex_ref=np.arcsinh),
    Unary("acosh", np.arccosh, "ge1", complex_ref=np.arccosh),
    Unary("atanh", np.arctanh, "unit", complex_ref=np.arctanh),
    Unary("sigmoid", _sigmoid, complex_ref=_sigmoid, gradgrad=True),
    Unary("reciprocal", lambda x: 1 / x, "pos", complex_ref=lambda z: 1 / z),
    Unary("erf", REF_ERF),
    Unary("erfc", REF_ERFC),
    Unary("erfinv", REF_ERFINV, "unit", rtol32=1e-5, rtol64=1e-10),
    Unary("lgamma", REF_LGAMMA, "pos", rtol32=1e-5, rtol64=1e-10),
    Unary("digamma", REF_DIGAMMA, "pos", rtol32=1e-5, rtol64=1e-9),
    Unary("square", np.square, kind="same", complex_ref=np.square),
    Unary("abs", np.abs, kind="same", complex_ref=np.abs),
    Unary("sign", np.sign, "step", kind="same", grad="zero"),
    Unary("sgn", np.sign, "step", kind="same", complex_ref=lambda z: z / np.abs(z), grad="zero"),
    Unary("relu", lambda x: np.maximum(x, 0), "step", kind="same"),
    Unary("neg", np.negative, kind="same", complex_ref=np.negative),
    Unary("floor", np.floor, "step", kind="round", grad="zero"),
    Unary("ceil", np.ceil, "step", kind="round", grad="zero"),
    Unary("trunc", np.trunc, "step", kind="round", grad="zero"),
    Unary("round", np.round, "step", kind="round", grad="zero"),  # half to even, like NumPy
    Unary("frac", lambda x: x - np.trunc(x), "step", kind="float", ints=False),
    Unary("logical_not", np.logical_not, "step", kind="pred", complex_ref=np.logical_not, grad=None),
    Unary("isnan", np.isnan, kind="pred", complex_ref=np.isnan, grad=None, inplace=False),
    Unary("isinf", np.isinf, kind="pred", complex_ref=np.isinf, grad=None, inplace=False),
    Unary("isfinite", np.isfinite, kind="pred", complex_ref=np.isfinite, grad=None, inplace=False),
    Unary("signbit", np.signbit, "step", kind="pred", grad=None, inplace=False),
]
BY_NAME = {op.name: op for op in UNARY}
DIFF_UNARY = [op for op in UNARY if op.grad == "diff"]
ZERO_GRAD_UNARY = [op for op in UNARY if op.grad == "zero"]
NO_GRAD_UNARY = [op for op in UNARY if op.grad is None]
INPLACE_UNARY = [op for op in UNARY if op.inplace]
COMPLEX_UNARY = [op for op in UNARY if op.complex_ref is not None]
# PyTorch rejects complex inputs to these (RuntimeError or its subclass NotImplementedError).
COMPLEX_REJECTED = ["erf", "erfc", "erfinv", "lgamma", "digamma", "sign", "relu", "floor", "ceil", "trunc",
                    "round", "frac", "signbit", "bitwise_not"]
# Float-result ops whose in-place form on an integer tensor must fail (result float32 -> int64).
FLOAT_RESULT_INPLACE = [op for op in INPLACE_UNARY if op.kind == "float" and op.ints]


def call(op, x):
    return getattr(dyngraph, op.name)(x)


def expected_float(op, x64, dtype_name):
    with np.errstate(all="ignore"):
        return np.asarray(op.ref(x64))


# ---- values --------------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype_name", ["float32", "float64"])
@pytest.mark.parametrize("op", UNARY, ids=repr)
def test_values_float(op, dtype_name):
    x = domain_values(op.domain, dtype_name)
    y = call(op, from_np(x))
    exp = expected_float(op, x.astype(np.float64), dtype_name)
    want_dtype = dyngraph.bool if op.kind == "pred" else dt(dtype_name)
    assert y.dtype is want_dtype
    assert tuple(y.shape) == x.shape
    if op.kind == "pred":
        np.testing.assert_array_equal(to_np(y), exp)
    else:
        np.testing.assert_allclose(to_np(y), exp.astype(dtype_name), rtol=op.rtol[dtype_name], atol=1e-6)


@pytest.mark.parametrize("dtype_name", ["float16", "bfloat16"])
@pytest.mark.parametrize("op", UNARY, ids=repr)
def test_values_half(op, dtype_name):
    x = domain_values(op.domain, dtype_name)  # exactly representable in both half types
    y = call(op, from_np(x, dtype_name))
    assert y.dtype is (dyngraph.bool if op.kind == "pred" else dt(dtype_name))
    exp = expected_float(op, x.astype(np.float64), dtype_name)
    tol = 1e-2 if dtype_name == "float16" else 2e-2
    if op.kind == "pred":
        np.testing.assert_array_equal(to_np(y), exp)
    else:
        np.testing.assert_allclose(to_np(y).astype(np.float64), exp, rtol=tol, atol=tol)


@pytest.mark.parametrize("dtype_name", ["bool", "uint8", "int8", "int16", "int32", "int64"])
@pytest.mark.parametrize("op", [op for op in UNARY if op.ints], ids=repr)
def test_values_integer_input(op, dtype_name):
    """Integer/bool inputs: float ops compute in float32; sign/abs/... keep the dtype; floor/ceil/...
    return the input unchanged; predicates return bool."""
    vals = INT_DOMAIN[op.domain]
    if dtype_name == "bool":
        vals = [v != 0 for v in vals]
        if op.kind in ("same", "round") and op.name not in ("sign", "sgn"):
            pytest.skip("PyTorch rejects or promotes bool here: test_square_of_bool_is_int64, test_bool_input_rejected")
    elif dtype_name == "uint8":
        vals = sorted({abs(v) for v in vals})  # neg of uint8 wraps, as NumPy's
    x = np.array(vals, dtype=dtype_name)
    y = call(op, dyngraph.tensor(x))
    with np.errstate(all="ignore"):
        if op.kind == "float":
            assert y.dtype is dyngraph.float32
            np.testing.assert_allclose(to_np(y), op.ref(x.astype(np.float64)).astype(np.float32), rtol=1e-5,
                                       atol=1e-6)
        elif op.kind == "pred":
            assert y.dtype is dyngraph.bool
            np.testing.assert_array_equal(to_np(y), op.ref(x.astype(np.float64)))
        elif op.kind == "round":
            assert y.dtype is dt(dtype_name)
            np.testing.assert_array_equal(to_np(y), x)
        else:  # same
            assert y.dtype is dt(dtype_name)
            np.testing.assert_array_equal(to_np(y), op.ref(x if dtype_name != "bool" else x.astype(np.int64))
                                          .astype(dtype_name))


def test_square_of_bool_is_int64():
    """PyTorch: square(bool) is computed as pow(x, 2) -> int64 (and square_() on bool raises)."""
    b = dyngraph.tensor([True, False, True])
    sq = dyngraph.square(b)
    assert sq.dtype is dyngraph.int64
    np.testing.assert_array_equal(to_np(sq), [1, 0, 1])
    with pytest.raises(RuntimeError):
        b.square_()


def test_sign_of_bool_is_bool():
    s = dyngraph.sign(dyngraph.tensor([True, False, True]))
    assert s.dtype is dyngraph.bool
    np.testing.assert_array_equal(to_np(s), [True, False, True])


@pytest.mark.parametrize("name", ["abs", "relu", "floor", "ceil", "trunc", "round", "frac", "neg"])
def test_bool_input_rejected(name):
    """PyTorch has no bool kernel for these (abs_cpu, floor_vml_cpu, ...; relu: "Boolean inputs not
    supported"; neg: use ~ or logical_not)."""
    with pytest.raises(RuntimeError):
        getattr(dyngraph, name)(dyngraph.tensor([True, False, True]))


def test_frac_rejects_integers():
    with pytest.raises(RuntimeError):
        dyngraph.frac(dyngraph.tensor([1, 2, 3]))


@pytest.mark.parametrize("name", ["exp", "log", "sqrt", "sigmoid", "sin", "erf", "lgamma", "atan"])
def test_integer_input_gives_float32_values(name):
    """torch.exp(int tensor) -> float32 with the float values of exp of the ints."""
    x = np.array([[1, 2], [3, 4]], dtype=np.int64)
    y = getattr(dyngraph, name)(dyngraph.tensor(x))
    assert y.dtype is dyngraph.float32
    np.testing.assert_allclose(to_np(y), BY_NAME[name].ref(x.astype(np.float64)).astype(np.float32), rtol=1e-6)


@pytest.mark.parametrize("dtype_name", ["complex64", "complex128"])
@pytest.mark.parametrize("op", COMPLEX_UNARY, ids=repr)
def test_values_complex(op, dtype_name):
    z = COMPLEX_VALUES.astype(dtype_name)
    y = call(op, dyngraph.tensor(z))
    exp = np.asarray(op.complex_ref(z.astype(np.complex128)))
    real_name = "float32" if dtype_name == "complex64" else "float64"
    if op.kind == "pred":
        assert y.dtype is dyngraph.bool
        np.testing.assert_array_equal(to_np(y), exp)
        return
    if op.name == "abs":
        assert y.dtype is dt(real_name)  # abs(complex) is real
    else:
        assert y.dtype is dt(dtype_name)
    rtol = 2e-5 if dtype_name == "complex64" else 1e-12
    np.testing.assert_allclose(to_np(y), exp, rtol=rtol, atol=rtol)


@pytest.mark.parametrize("dtype_name", ["complex64", "complex128"])
@pytest.mark.parametrize("name", COMPLEX_REJECTED)
def test_complex_rejected(name, dtype_name):
    z = dyngraph.tensor(COMPLEX_VALUES.astype(dtype_name))
    with pytest.raises(RuntimeError):
        getattr(dyngraph, name)(z)


@pytest.mark.parametrize("name", ["bitwise_not", "logical_not"])
def test_bitwise_not_and_logical_not(name):
    x = np.array([0, 5, -1, 127], dtype=np.int8)
    got = getattr(dyngraph, name)(dyngraph.tensor(x))
    if name == "bitwise_not":
        assert got.dtype is dyngraph.int8
        np.testing.assert_array_equal(to_np(got), np.invert(x))
        u = dyngraph.bitwise_not(dyngraph.tensor(np.array([0, 5, 255], dtype=np.uint8)))
        np.testing.assert_array_equal(to_np(u), [255, 250, 0])
        b = dyngraph.bitwise_not(dyngraph.tensor([True, False]))
        assert b.dtype is dyngraph.bool
        np.testing.assert_array_equal(to_np(b), [False, True])
        np.testing.assert_array_equal(to_np(~dyngraph.tensor(x)), np.invert(x))
    else:
        assert got.dtype is dyngraph.bool
        np.testing.assert_array_equal(to_np(got), x == 0)


@pytest.mark.parametrize("dtype_name", ["float16", "bfloat16", "float32", "float64"])
def test_bitwise_not_rejects_floats(dtype_name):
    x = dyngraph.tensor([1.5, 2.0], dtype=dt(dtype_name))
    with pytest.raises(RuntimeError):
        dyngraph.bitwise_not(x)
    with pytest.raises(RuntimeError):
        x.bitwise_not_()


def test_invert_operator_on_float_is_type_error():
    """PyTorch: `~float_tensor` raises TypeError ("~ (operator.invert) is only implemented on integer and
    Boolean-type tensors")."""
    with pytest.raises(TypeError):
        ~dyngraph.tensor([1.5])


# ---- methods, in-place forms, layouts ------------------------------------------------------------------


@pytest.mark.parametrize("op", UNARY, ids=repr)
def test_method_matches_function(op):
    x = from_np(domain_values(op.domain, "float64"))
    np.testing.assert_array_equal(to_np(getattr(x, op.name)()), to_np(call(op, x)))


@pytest.mark.parametrize("op", INPLACE_UNARY, ids=repr)
def test_inplace_returns_self(op):
    vals = domain_values(op.domain, "float32")
    x = from_np(vals)
    ptr = x.untyped_storage_ptr()
    if op.kind == "pred":  # logical_not_ keeps the float dtype: 1.0 / 0.0
        exp = op.ref(vals.astype(np.float64)).astype(np.float32)
    else:
        exp = expected_float(op, vals.astype(np.float64), "float32").astype(np.float32)
    r = getattr(x, op.name + "_")()
    assert r is x
    assert x.dtype is dyngraph.float32 and x.untyped_storage_ptr() == ptr
    np.testing.assert_allclose(to_np(x), exp, rtol=op.rtol["float32"], atol=1e-6)


@pytest.mark.parametrize("op", INPLACE_UNARY, ids=repr)
def test_inplace_on_strided_view(op):
    vals = domain_values(op.domain, "float64")
    base = from_np(vals)
    view = base[:, ::2]
    r = getattr(view, op.name + "_")()
    assert r is view
    got = to_np(base)
    with np.errstate(all="ignore"):
        exp_sub = op.ref(vals[:, ::2]).astype(np.float64)
    np.testing.assert_allclose(got[:, ::2], exp_sub, rtol=op.rtol["float64"], atol=1e-12)
    np.testing.assert_array_equal(got[:, 1::2], vals[:, 1::2])  # untouched


@pytest.mark.parametrize("op", FLOAT_RESULT_INPLACE, ids=repr)
def test_inplace_float_result_on_int_raises(op):
    """int_tensor.exp_(): result type float32 can't be cast to int64 -> RuntimeError, tensor untouched."""
    x = dyngraph.tensor([1, 2, 3])
    with pytest.raises(RuntimeError):
        getattr(x, op.name + "_")()
    np.testing.assert_array_equal(to_np(x), [1, 2, 3])


@pytest.mark.parametrize("dtype_name", ["complex64", "complex128"])
def test_inplace_abs_of_complex_raises(dtype_name):
    """PyTorch: "In-place abs is not supported for complex tensors." (the result would be real)."""
    z = dyngraph.tensor(np.array([3 + 4j, 1 - 1j], dtype=dtype_name))
    with pytest.raises(RuntimeError):
        z.abs_()


@pytest.mark.parametrize("op", UNARY, ids=repr)
def test_noncontiguous_input(op):
    vals = np.asarray(DOMAIN[op.domain], dtype=np.float64).reshape(3, 4)
    x = from_np(vals).t()[::2]  # (2, 3) view with strides (1, 8)
    assert not x.is_contiguous()
    y = call(op, x)
    with np.errstate(all="ignore"):
        exp = np.asarray(op.ref(vals.T[::2]), dtype=np.float64)
    assert tuple(y.shape) == (2, 3)
    np.testing.assert_allclose(to_np(y).astype(np.float64), exp, rtol=op.rtol["float64"], atol=1e-12)


@pytest.mark.parametrize("name", ["exp", "abs", "isnan", "floor", "sin"])
def test_zero_dim_and_empty(name):
    op = BY_NAME[name]
    x0 = dyngraph.tensor(0.75, dtype=dyngraph.float64)
    y0 = call(op, x0)
    assert tuple(y0.shape) == ()
    assert y0.item() == pytest.approx(float(op.ref(np.array(0.75))))
    e = call(op, dyngraph.zeros(0, 3))
    assert tuple(e.shape) == (0, 3)


# ---- special values and op-specific behaviour ------------------------------------------------------

INF, NAN = math.inf, math.nan


@pytest.mark.parametrize("name, x, want", [
    ("exp", [-INF, INF, NAN, 1000.0], [0.0, INF, NAN, INF]),
    ("log", [0.0, -1.0, INF, -0.0], [-INF, NAN, INF, -INF]),
    ("sqrt", [-1.0, 0.0, INF, -0.0], [NAN, 0.0, INF, -0.0]),
    ("rsqrt", [0.0, 4.0, -1.0, INF], [INF, 0.5, NAN, 0.0]),
    ("reciprocal", [0.0, -0.0, INF, -4.0], [INF, -INF, 0.0, -0.25]),
    ("tanh", [-1000.0, 1000.0, NAN, -0.0], [-1.0, 1.0, NAN, -0.0]),
    ("sigmoid", [-1000.0, 1000.0, 0.0, NAN], [0.0, 1.0, 0.5, NAN]),
    ("atanh", [-1.0, 1.0, 2.0, 0.0], [-INF, INF, NAN, 0.0]),
    ("acosh", [0.5, 1.0, INF, NAN], [NAN, 0.0, INF, NAN]),
    ("erfinv", [-1.0, 1.0, 1.5, 0.0], [-INF, INF, NAN, 0.0]),
    ("lgamma", [0.0, -1.0, 1.0, 2.0], [INF, INF, 0.0, 0.0]),
    ("digamma", [0.0, -0.0, -2.0, NAN], [-INF, INF, NAN, NAN]),
    ("relu", [NAN, -INF, INF, -2.0], [NAN, 0.0, INF, 0.0]),
    ("abs", [-INF, NAN, -0.0, -2.5], [INF, NAN, 0.0, 2.5]),
    ("sign", [-INF, INF, -0.0, 0.0], [-1.0, 1.0, 0.0, 0.0]),
    ("floor", [-INF, NAN, -0.5, 2.0], [-INF, NAN, -1.0, 2.0]),
    ("frac", [INF, -1.25, NAN, 3.0], [NAN, -0.25, NAN, 0.0]),
    ("expm1", [1e-10, -INF, 0.0, INF], [1.00000000005e-10, -1.0, 0.0, INF]),
    ("log1p", [1e-10, -1.0, -2.0, INF], [9.9999999995e-11, -INF, NAN, INF]),
])
def test_special_values(name, x, want):
    y = getattr(dyngraph, name)(dyngraph.tensor(x, dtype=dyngraph.float64))
    got = to_np(y)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=0)
    # signed zeros: -0.0 stays -0.0 where the math says so; abs(-0.0) is +0.0
    for g, w in zip(got, want):
        if w == 0 and not math.isnan(g):
            assert math.copysign(1.0, g) == math.copysign(1.0, w), (name, x, got)


def test_round_half_to_even_and_decimals():
    x = dyngraph.tensor([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 1.2345, 2.675], dtype=dyngraph.float64)
    np.testing.assert_array_equal(to_np(dyngraph.round(x)), [0.0, 2.0, 2.0, -0.0, -2.0, -2.0, 1.0, 3.0])
    np.testing.assert_allclose(to_np(dyngraph.round(x, decimals=2)),
                               [0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 1.23, 2.68], rtol=1e-12)
    y = dyngraph.tensor([1234.5, 1250.0, 1350.0, -1250.0], dtype=dyngraph.float64)
    np.testing.assert_array_equal(to_np(y.round(decimals=-2)), [1200.0, 1200.0, 1400.0, -1200.0])
    z = dyngraph.tensor([0.25, 1.75, -0.35])
    assert z.round_(decimals=1) is z
    np.testing.assert_allclose(to_np(z), [0.2, 1.8, -0.4], rtol=1e-6)
    i = dyngraph.tensor([12, 15, -15])
    r = dyngraph.round(i)
    assert r.dtype is dyngraph.int64
    np.testing.assert_array_equal(to_np(r), [12, 15, -15])


def test_round_integer_with_decimals_raises():
    """PyTorch: round(int_tensor, decimals=-1) -> NotImplementedError ("round_cpu" not implemented for 'Long')."""
    with pytest.raises(RuntimeError):
        dyngraph.round(dyngraph.tensor([12, 15, 25]), decimals=-1)


def test_logit_with_and_without_eps():
    p = np.array([0.0, 0.05, 0.25, 0.5, 0.9, 1.0, 1.5], dtype=np.float64)
    with np.errstate(all="ignore"):
        plain = np.log(p / (1 - p))
        clipped = np.clip(p, 0.1, 0.9)
        eps = np.log(clipped / (1 - clipped))
    x = dyngraph.tensor(p)
    np.testing.assert_allclose(to_np(dyngraph.logit(x)), plain, rtol=1e-12)
    np.testing.assert_allclose(to_np(dyngraph.logit(x, eps=0.1)), eps, rtol=1e-12)
    np.testing.assert_allclose(to_np(x.logit(0.1)), eps, rtol=1e-12)
    y = dyngraph.logit(dyngraph.tensor([1, 0]))
    assert y.dtype is dyngraph.float32
    np.testing.assert_array_equal(to_np(y), [INF, -INF])


@pytest.mark.parametrize("dtype_name, big", [("float16", 65504.0), ("bfloat16", 3.3895313892515355e38),
                                              ("float32", 3.4028234663852886e38),
                                              ("float64", 1.7976931348623157e308)])
def test_nan_to_num_defaults(dtype_name, big):
    x = from_np(np.array([NAN, INF, -INF, 1.5], dtype=np.float32 if dtype_name == "bfloat16" else dtype_name),
                dtype_name)
    y = dyngraph.nan_to_num(x)
    assert y.dtype is dt(dtype_name)
    np.testing.assert_array_equal(to_np(y).astype(np.float64), [0.0, big, -big, 1.5])


def test_nan_to_num_arguments():
    x = dyngraph.tensor([NAN, INF, -INF, 1.5])
    np.testing.assert_array_equal(to_np(dyngraph.nan_to_num(x, nan=2.0, posinf=9.0, neginf=-9.0)),
                                  [2.0, 9.0, -9.0, 1.5])
    np.testing.assert_array_equal(to_np(x.nan_to_num(nan=5.0)), [5.0, np.finfo(np.float32).max,
                                                                 np.finfo(np.float32).min, 1.5])
    np.testing.assert_array_equal(to_np(dyngraph.nan_to_num(x, 1.0, 2.0)), [1.0, 2.0, np.finfo(np.float32).min, 1.5])
    i = dyngraph.nan_to_num(dyngraph.tensor([1, 2]))
    assert i.dtype is dyngraph.int64
    np.testing.assert_array_equal(to_np(i), [1, 2])


def test_predicates():
    x = dyngraph.tensor([1.0, NAN, INF, -INF, -0.0, 0.0, -2.0], dtype=dyngraph.float64)
    np.testing.assert_array_equal(to_np(dyngraph.isnan(x)), [0, 1, 0, 0, 0, 0, 0])
    np.testing.assert_array_equal(to_np(dyngraph.isinf(x)), [0, 0, 1, 1, 0, 0, 0])
    np.testing.assert_array_equal(to_np(dyngraph.isfinite(x)), [1, 0, 0, 0, 1, 1, 1])
    np.testing.assert_array_equal(to_np(dyngraph.signbit(x)), [0, 0, 0, 1, 1, 0, 1])
    i = dyngraph.tensor([-2, 0, 3])
    for name, want in [("isnan", [0, 0, 0]), ("isinf", [0, 0, 0]), ("isfinite", [1, 1, 1]), ("signbit", [1, 0, 0])]:
        y = getattr(dyngraph, name)(i)
        assert y.dtype is dyngraph.bool
        np.testing.assert_array_equal(to_np(y), want)
    z = dyngraph.tensor([1 + 1j, complex(INF, 0), complex(0, NAN), complex(-INF, NAN)])
    np.testing.assert_array_equal(to_np(dyngraph.isnan(z)), [0, 0, 1, 1])
    np.testing.assert_array_equal(to_np(dyngraph.isinf(z)), [0, 1, 0, 1])
    np.testing.assert_array_equal(to_np(dyngraph.isfinite(z)), [1, 0, 0, 0])
    with pytest.raises(RuntimeError):
        dyngraph.signbit(z)


def test_signbit_of_negative_nan():
    """signbit reads the sign bit, NaN included (PyTorch: signbit(-nan) is True)."""
    x = np.array([np.copysign(np.nan, -1.0), np.nan, -1.0], dtype=np.float32)
    np.testing.assert_array_equal(to_np(dyngraph.signbit(dyngraph.tensor(x))), [True, False, True])


def test_sign_sgn():
    x = dyngraph.tensor([-2.5, -0.0, 0.0, 3.0, NAN])
    np.testing.assert_array_equal(to_np(dyngraph.sign(x)), [-1.0, 0.0, 0.0, 1.0, 0.0])  # sign(nan) is 0
    i = dyngraph.tensor([-7, 0, 9], dtype=dyngraph.int16)
    s = dyngraph.sgn(i)
    assert s.dtype is dyngraph.int16
    np.testing.assert_array_equal(to_np(s), [-1, 0, 1])
    z = dyngraph.tensor([3 + 4j, 0j, -2j], dtype=dyngraph.complex128)
    np.testing.assert_allclose(to_np(dyngraph.sgn(z)), [0.6 + 0.8j, 0j, -1j], rtol=1e-15)


def test_abs_integer_and_operator():
    x = np.array([-128, -5, 0, 7], dtype=np.int8)
    np.testing.assert_array_equal(to_np(dyngraph.abs(dyngraph.tensor(x))), [-128, 5, 0, 7])  # wraps, as C
    t = dyngraph.tensor([-3, 4])
    np.testing.assert_array_equal(to_np(abs(t)), [3, 4])
    z = abs(dyngraph.tensor([3 - 4j], dtype=dyngraph.complex128))
    assert z.dtype is dyngraph.float64
    assert z.item() == 5.0


@pytest.mark.parametrize("dtype_name, real_name", [("complex64", "float32"), ("complex128", "float64")])
def test_angle_real_imag_views(dtype_name, real_name):
    zs = COMPLEX_VALUES.astype(dtype_name)
    z = dyngraph.tensor(zs)
    a = dyngraph.angle(z)
    assert a.dtype is dt(real_name)
    np.testing.assert_allclose(to_np(a), np.angle(zs), rtol=1e-6)
    im = dyngraph.imag(z)
    assert im.dtype is dt(real_name)
    np.testing.assert_array_equal(to_np(im), zs.imag)
    re = dyngraph.real(z)
    np.testing.assert_array_equal(to_np(re), zs.real)
    v = dyngraph.view_as_real(z)
    assert v.dtype is dt(real_name) and tuple(v.shape) == (2, 3, 2)
    np.testing.assert_array_equal(to_np(v), np.stack([zs.real, zs.imag], -1))
    back = dyngraph.view_as_complex(v)
    assert back.dtype is dt(dtype_name)
    np.testing.assert_array_equal(to_np(back), zs)
    c = dyngraph.conj(z)
    np.testing.assert_array_equal(to_np(c), np.conj(zs))
    # view_as_real is a view: writing through it changes the complex tensor
    v[0, 0, 1] = 9.0
    assert to_np(z)[0, 0] == complex(zs[0, 0].real, 9.0)


def test_real_and_imag_are_properties():
    """In PyTorch Tensor.real / Tensor.imag are attributes (views), not methods."""
    z = dyngraph.tensor([1 + 2j, 3 - 4j])
    assert isinstance(z.real, dyngraph.Tensor)
    assert isinstance(z.imag, dyngraph.Tensor)
    np.testing.assert_array_equal(to_np(z.imag), [2.0, -4.0])


def test_view_as_complex_and_imag_errors():
    with pytest.raises(RuntimeError):
        dyngraph.view_as_complex(dyngraph.tensor([1.0, 2.0, 3.0]))  # last dim must be 2
    with pytest.raises(RuntimeError):
        dyngraph.view_as_complex(dyngraph.tensor([[1, 2]]))  # integer
    with pytest.raises(RuntimeError):
        dyngraph.view_as_real(dyngraph.tensor([1.0]))  # real input
    with pytest.raises(RuntimeError):
        dyngraph.imag(dyngraph.tensor([1.0]))


@pytest.mark.parametrize("dtype_name", ["float16", "bfloat16", "float32", "float64"])
def test_angle_of_real_keeps_dtype(dtype_name):
    """angle(real x) = 0 for x >= 0, pi for x < 0, nan for nan; same floating dtype, pi rounded once."""
    vals = np.array([1.0, -2.0, 0.0, NAN, -INF], dtype=np.float32 if dtype_name == "bfloat16" else dtype_name)
    y = dyngraph.angle(from_np(vals, dtype_name))
    assert y.dtype is dt(dtype_name)
    got = to_np(y).astype(np.float64)
    pi = np.float64(math.pi) if dtype_name == "float64" else np.float64(np.float32(math.pi))
    tol = {"float16": 1e-3, "bfloat16": 1e-2}.get(dtype_name, 0)
    np.testing.assert_allclose(got, [0.0, pi, 0.0, NAN, pi], rtol=tol, atol=0)


def test_angle_of_integers_is_float32():
    y = dyngraph.angle(dyngraph.tensor([3, -1, 0]))
    assert y.dtype is dyngraph.float32
    np.testing.assert_allclose(to_np(y), [0.0, math.pi, 0.0], rtol=1e-7)


def test_digamma_closed_forms():
    euler = 0.57721566490153286061
    xs = [1.0, 2.0, 5.0, 0.5, 1.5, -0.5]
    want = [-euler, 1 - euler, -euler + 1 + 1 / 2 + 1 / 3 + 1 / 4, -euler - 2 * math.log(2),
            -euler - 2 * math.log(2) + 2, -euler - 2 * math.log(2) + 2]  # psi(-1/2) = psi(1/2) + 2
    got = to_np(dyngraph.digamma(dyngraph.tensor(xs, dtype=dyngraph.float64)))
    np.testing.assert_allclose(got, want, rtol=1e-10)
    np.testing.assert_allclose(REF_DIGAMMA(np.array(xs)), want, rtol=1e-12)  # the reference itself


def test_lgamma_erfinv_known_values():
    got = to_np(dyngraph.lgamma(dyngraph.tensor([0.5, 1.0, 3.0, 10.0, -0.5], dtype=dyngraph.float64)))
    np.testing.assert_allclose(got, [0.5 * math.log(math.pi), 0.0, math.log(2.0), math.log(362880.0),
                                     math.log(2 * math.sqrt(math.pi))], rtol=1e-13)
    y = np.array([-0.999, -0.5, 1e-6, 0.3, 0.9999], dtype=np.float64)
    inv = to_np(dyngraph.erfinv(dyngraph.tensor(y)))
    np.testing.assert_allclose([math.erf(v) for v in inv], y, rtol=1e-13)


# ---- activations (dyngraph._C helpers) ----------------------------------------------------------------

SELU_ALPHA, SELU_SCALE = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946


def _hsig(x):
    return 0.0 if x <= -3 else (1.0 if x >= 3 else x / 6 + 0.5)


def _softplus(x, beta, th):
    return x if beta * x > th else math.log1p(math.exp(beta * x)) / beta


ACT = [
    # (id, helper name, extra args, formula, kinks: gradcheck inputs stay away from these)
    ("relu6", "_relu6", (), lambda x: min(max(x, 0.0), 6.0), (0, 6)),
    ("selu", "_selu", (), lambda x: SELU_SCALE * (x if x > 0 else SELU_ALPHA * math.expm1(x)), (0,)),
    ("silu", "_silu", (), lambda x: x / (1 + math.exp(-x)), ()),
    ("mish", "_mish", (), lambda x: x * math.tanh(math.log1p(math.exp(x))), ()),
    ("softsign", "_softsign", (), lambda x: x / (1 + abs(x)), (0,)),
    ("hardsigmoid", "_hardsigmoid", (), _hsig, (-3, 3)),
    ("hardswish", "_hardswish", (), lambda x: x * _hsig(x), (-3, 3)),
    ("leaky_relu", "_leaky_relu", (0.2,), lambda x: x if x > 0 else 0.2 * x, (0,)),
    ("elu", "_elu", (1.5,), lambda x: x if x > 0 else 1.5 * math.expm1(x), (0,)),
    ("celu", "_celu", (0.5,), lambda x: max(0.0, x) + min(0.0, 0.5 * math.expm1(x / 0.5)), (0,)),
    ("gelu", "_gelu", ("none",), lambda x: 0.5 * x * (1 + math.erf(x / math.sqrt(2))), ()),
    ("gelu_tanh", "_gelu", ("tanh",),
     lambda x: 0.5 * x * (1 + math.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3))), ()),
    ("softplus", "_softplus", (2.0, 5.0), lambda x: _softplus(x, 2.0, 5.0), (2.5,)),
    ("softplus_default", "_softplus", (1.0, 20.0), lambda x: _softplus(x, 1.0, 20.0), ()),
    ("hardtanh", "_hardtanh", (-2.0, 3.0), lambda x: min(max(x, -2.0), 3.0), (-2, 3)),
]
ACT_IDS = [a[0] for a in ACT]
ACT_X = np.array([-30.0, -5.0, -3.0, -2.5, -1.0, -0.5, -0.0, 0.25, 1.0, 2.5, 3.0, 3.5, 6.0, 7.0, 25.0])
ACT_GRAD_X = [[-4.1, -2.3, -0.7, -0.2], [0.3, 0.9, 1.7, 2.9], [3.4, 4.6, 6.6, 8.2]]


def act_call(entry, x):
    _, helper, args, _, _ = entry
    return getattr(dyngraph._C, helper)(x, *args)


@pytest.mark.parametrize("dtype_name", ["float32", "float64"])
@pytest.mark.parametrize("entry", ACT, ids=ACT_IDS)
def test_activation_values(entry, dtype_name):
    y = act_call(entry, dyngraph.tensor(ACT_X, dtype=dt(dtype_name)))
    assert y.dtype is dt(dtype_name)
    want = _vec(entry[3])(ACT_X)
    np.testing.assert_allclose(to_np(y), want, rtol=1e-5 if dtype_name == "float32" else 1e-12, atol=1e-6)


@pytest.mark.parametrize("dtype_name", ["float16", "bfloat16"])
@pytest.mark.parametrize("entry", ACT, ids=ACT_IDS)
def test_activation_values_half(entry, dtype_name):
    x = ACT_X[np.abs(ACT_X) < 10]
    y = act_call(entry, from_np(x.astype(np.float32 if dtype_name == "bfloat16" else np.float16), dtype_name))
    assert y.dtype is dt(dtype_name)
    tol = 1e-2 if dtype_name == "float16" else 2e-2
    np.testing.assert_allclose(to_np(y).astype(np.float64), _vec(entry[3])(x), rtol=tol, atol=tol)


@pytest.mark.parametrize("entry", ACT, ids=ACT_IDS)
def test_activation_nan_propagates(entry):
    """Every activation maps NaN to NaN (PyTorch: relu6(nan) is nan, hardtanh(nan) is nan, ...)."""
    y = act_call(entry, dyngraph.tensor([NAN, 1.0]))
    assert math.isnan(to_np(y)[0]), to_np(y)


@pytest.mark.parametrize("entry", ACT, ids=ACT_IDS)
def test_activation_gradcheck(entry):
    x = dyngraph.tensor(np.array(ACT_GRAD_X, dtype=np.float64)).requires_grad_(True)
    assert gradcheck(lambda t: act_call(entry, t), (x,))


@pytest.mark.parametrize("entry", [a for a in ACT if a[0] in ("selu", "silu", "mish", "gelu", "gelu_tanh",
                                                              "softplus_default", "elu")], ids=repr)
def test_activation_gradgradcheck(entry):
    x = dyngraph.tensor(np.array(ACT_GRAD_X, dtype=np.float64)).requires_grad_(True)
    assert gradgradcheck(lambda t: act_call(entry, t), (x,))


def test_activation_inplace_helpers():
    x = dyngraph.tensor([-2.0, -0.5, 0.5, 4.0])
    assert dyngraph._C._leaky_relu_(x, 0.1) is x
    np.testing.assert_allclose(to_np(x), [-0.2, -0.05, 0.5, 4.0], rtol=1e-6)
    assert dyngraph._C._hardtanh_(x, -0.1, 1.0) is x
    np.testing.assert_allclose(to_np(x), [-0.1, -0.05, 0.5, 1.0], rtol=1e-6)


def test_activation_argument_errors():
    x = dyngraph.tensor([1.0])
    with pytest.raises(RuntimeError):  # aten's gelu: "approximate argument must be either none or tanh."
        dyngraph._C._gelu(x, "fast")
    with pytest.raises((ValueError, RuntimeError)):  # F.hardtanh raises ValueError, aten RuntimeError
        dyngraph._C._hardtanh(x, 2.0, 1.0)


def test_relu6_and_hardtanh_keep_integer_dtype():
    """PyTorch: relu6 (= hardtanh(0, 6)) and hardtanh of an int64 tensor stay int64."""
    x = dyngraph.tensor([-3, 2, 9])
    h = dyngraph._C._hardtanh(x, 0.0, 6.0)
    assert h.dtype is dyngraph.int64
    np.testing.assert_array_equal(to_np(h), [0, 2, 6])
    r = dyngraph._C._relu6(x)
    assert r.dtype is dyngraph.int64
    np.testing.assert_array_equal(to_np(r), [0, 2, 6])


def test_relu_functions():
    x = dyngraph.tensor([-1.5, 0.0, 2.0])
    assert dyngraph.relu_(x) is x
    np.testing.assert_array_equal(to_np(x), [0.0, 0.0, 2.0])
    s = dyngraph.tensor([0.0, 1.0])
    assert dyngraph.sigmoid_(s) is s
    np.testing.assert_allclose(to_np(s), [0.5, 1 / (1 + math.exp(-1))], rtol=1e-6)
    i = dyngraph.relu(dyngraph.tensor([-3, 4], dtype=dyngraph.int8))
    assert i.dtype is dyngraph.int8
    np.testing.assert_array_equal(to_np(i), [0, 4])


# ---- autograd ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("op", DIFF_UNARY, ids=repr)
def test_gradcheck(op):
    x = grad_input(op.domain)
    assert gradcheck(lambda t: call(op, t), (x,))


@pytest.mark.parametrize("op", [op for op in DIFF_UNARY if op.gradgrad], ids=repr)
def test_gradgradcheck(op):
    x = grad_input(op.domain)
    assert gradgradcheck(lambda t: call(op, t), (x,))


@pytest.mark.xfail(strict=True, reason="named limit: polygamma(n >= 2) is not implemented, so trigamma (digamma's "
                   "derivative) is not differentiable yet")
def test_digamma_second_derivative():
    """d2/dx2 digamma = polygamma(2, x); PyTorch supports double backward of digamma."""
    x = dyngraph.tensor([0.5, 2.0], dtype=dyngraph.float64).requires_grad_(True)
    (g,) = dyngraph.autograd.grad(dyngraph.digamma(x).sum(), x, create_graph=True)
    np.testing.assert_allclose(to_np(g.detach()), [math.pi ** 2 / 2, math.pi ** 2 / 6 - 1], rtol=1e-9)
    assert g.requires_grad
    (h,) = dyngraph.autograd.grad(g.sum(), x)
    zeta3 = 1.2020569031595942
    np.testing.assert_allclose(to_np(h), [-14 * zeta3, -2 * (zeta3 - 1)], rtol=1e-8)


@pytest.mark.parametrize("op", [op for op in DIFF_UNARY if op.domain in ("any", "step")], ids=repr)
def test_grad_noncontiguous_input(op):
    """Backward through a transposed (non-contiguous) leaf gives the gradient of the contiguous case,
    element for element (and that one passes gradcheck above)."""
    vals = np.array(GRAD_DOMAIN[op.domain], dtype=np.float64)
    x = dyngraph.tensor(vals.T.copy()).t().detach().requires_grad_(True)  # (2, 3), strides (1, 2)
    assert not x.is_contiguous()
    w = dyngraph.tensor(np.arange(1.0, 7.0).reshape(2, 3))
    (call(op, x) * w).sum().backward()
    c = dyngraph.tensor(vals).requires_grad_(True)
    (call(op, c) * w).sum().backward()
    assert tuple(x.grad.shape) == (2, 3)
    np.testing.assert_allclose(to_np(x.grad), to_np(c.grad), rtol=1e-14)


@pytest.mark.parametrize("name", ["exp", "sigmoid", "tanh", "sin", "log"])
def test_gradcheck_inplace(name):
    op = BY_NAME[name]
    x = grad_input(op.domain)
    assert gradcheck(lambda t: getattr(t * 1.0, name + "_")(), (x,))


def test_gradcheck_logit_eps_round_decimals_nan_to_num():
    p = grad_input("prob")
    assert gradcheck(lambda t: dyngraph.logit(t, eps=0.2), (p,))
    assert gradcheck(lambda t: dyngraph.logit(t), (p,))
    x = grad_input("step")
    assert gradcheck(lambda t: dyngraph.nan_to_num(t), (x,))
    (g,) = dyngraph.autograd.grad(dyngraph.round(x, decimals=1).sum(), x)
    np.testing.assert_array_equal(to_np(g), np.zeros((2, 3)))


@pytest.mark.parametrize("op", ZERO_GRAD_UNARY, ids=repr)
def test_piecewise_constant_ops_have_zero_grad(op):
    x = grad_input("step")
    y = call(op, x)
    assert y.requires_grad  # as PyTorch: the output is attached to the graph...
    (g,) = dyngraph.autograd.grad(y.sum(), x)
    np.testing.assert_array_equal(to_np(g), np.zeros((2, 3)))  # ...with a zero derivative


def test_frac_grad_is_one():
    x = grad_input("step")
    (g,) = dyngraph.autograd.grad(dyngraph.frac(x).sum(), x)
    np.testing.assert_array_equal(to_np(g), np.ones((2, 3)))


@pytest.mark.parametrize("op", NO_GRAD_UNARY, ids=repr)
def test_boolean_outputs_do_not_require_grad(op):
    x = grad_input("step")
    y = call(op, x)
    assert y.dtype is dyngraph.bool
    assert not y.requires_grad
    assert y.grad_fn is None


def test_bitwise_not_of_int_has_no_grad_path():
    y = dyngraph.bitwise_not(dyngraph.tensor([1, 2]))
    assert not y.requires_grad


def test_angle_of_real_input_is_differentiable_with_zero_grad():
    """PyTorch: angle(real x) requires grad (AngleBackward0) and its gradient is 0."""
    x = grad_input("step")
    y = dyngraph.angle(x)
    assert y.requires_grad
    (g,) = dyngraph.autograd.grad(y.sum(), x)
    np.testing.assert_array_equal(to_np(g), np.zeros((2, 3)))


@pytest.mark.parametrize("name", ["exp", "tanh", "sigmoid", "sqrt", "log", "sin", "abs"])
def test_grad_values_by_hand(name):
    vals = np.array([0.3, 0.8, 1.7])
    x = dyngraph.tensor(vals).requires_grad_(True)
    getattr(dyngraph, name)(x).sum().backward()
    d = {"exp": np.exp(vals), "tanh": 1 - np.tanh(vals) ** 2, "sigmoid": _sigmoid(vals) * (1 - _sigmoid(vals)),
         "sqrt": 0.5 / np.sqrt(vals), "log": 1 / vals, "sin": np.cos(vals), "abs": np.ones(3)}[name]
    np.testing.assert_allclose(to_np(x.grad), d, rtol=1e-12)


@pytest.mark.parametrize("name", ["sin", "abs", "log", "square", "neg", "atan"])
def test_inplace_on_output_of_op_that_does_not_save_it(name):
    """sin/abs/log/... save only their input (PyTorch): modifying their output in place must not break
    backward."""
    vals = np.array([0.5, 1.5])
    x = dyngraph.tensor(vals).requires_grad_(True)
    y = getattr(dyngraph, name)(x)
    y.mul_(2.0)
    y.sum().backward()
    d = {"sin": np.cos(vals), "abs": np.ones(2), "log": 1 / vals, "square": 2 * vals, "neg": -np.ones(2),
         "atan": 1 / (1 + vals ** 2)}[name]
    np.testing.assert_allclose(to_np(x.grad), 2 * d, rtol=1e-12)


@pytest.mark.parametrize("name", ["exp", "tanh", "sigmoid", "sqrt"])
def test_inplace_on_saved_output_is_detected(name):
    """exp/tanh/sigmoid/sqrt save their result: modifying it in place makes backward raise."""
    x = dyngraph.tensor([0.5, 1.5]).requires_grad_(True)
    y = getattr(dyngraph, name)(x)
    y.mul_(2.0)
    with pytest.raises(RuntimeError):
        y.sum().backward()


# ---- optional cross-check against PyTorch itself -------------------------------------------------------


@pytest.mark.parametrize("dtype_name", ["int64", "float16", "float32", "float64", "complex64"])
def test_against_torch(dtype_name):
    """Extra oracle: every registry op (and angle) agrees with torch on dtype and values, and raises where
    torch raises."""
    torch = pytest.importorskip("torch")
    if dtype_name == "int64":
        vals = np.array([-3, -1, 0, 2, 5])
    elif dtype_name == "complex64":
        vals = COMPLEX_VALUES.astype(np.complex64).ravel()
    else:
        vals = np.array([-2.5, -1.0, -0.0, 0.25, 0.5, 3.0, NAN, INF, -INF]).astype(dtype_name)
    failures = []
    for name in [op.name for op in UNARY] + ["angle", "bitwise_not"]:
        try:
            t = getattr(torch, name)(torch.tensor(vals))
        except Exception:
            t = None
        try:
            d = getattr(dyngraph, name)(dyngraph.tensor(vals))
        except RuntimeError:
            d = None
        if t is None or d is None:
            if (t is None) != (d is None):
                failures.append((name, "raises" if t is None else str(t.dtype), "raises" if d is None else d.dtype))
            continue
        if str(t.dtype).split(".")[-1] != str(d.dtype).split(".")[-1]:
            failures.append((name, t.dtype, d.dtype))
            continue
        kind = np.complex128 if t.is_complex() else np.float64
        tv = np.asarray(t.resolve_conj().numpy(), dtype=kind)
        tol = 1e-2 if dtype_name == "float16" else 1e-5
        if not np.allclose(to_np(d).astype(kind), tv, rtol=tol, atol=tol, equal_nan=True):
            failures.append((name, tv, to_np(d)))
    assert not failures, failures
