"""Binary elementwise math vs NumPy: maximum/minimum/fmax/fmin, remainder/fmod/floor_divide, atan2, hypot,
copysign, logaddexp, pow, float_power, div(rounding_mode=...), logical and bitwise ops and shifts; result dtypes
(type promotion, integer -> float32 for the float-only ops), tensor-scalar forms, methods, in-place forms and
operators, errors (complex, bitwise on floats, integer division by zero), NaN rules, Python modulo semantics,
broadcasting and non-contiguous inputs, and gradients (gradcheck / gradgradcheck in float64).

The op registry (BINARY) has one entry per op; the tests are parametrized over it."""

import json
import math
import operator

import numpy as np
import pytest

import dyngraph
from conftest import REFERENCE, dt, from_np, to_np
from dyngraph.autograd import gradcheck, gradgradcheck

PROMOTE = json.loads(REFERENCE.read_text())["promote_types"]
INF, NAN = math.inf, math.nan
INT_NAMES = ["uint8", "int8", "int16", "int32", "int64"]

# ---- the registry ----------------------------------------------------------------------------------


def _int_pow(a, b):
    """Integer power as PyTorch computes it (wrapping; negative exponents: 1, +-1 for base -1, else 0)."""
    a, b = np.broadcast_arrays(np.asarray(a), np.asarray(b))
    out = np.empty(a.shape, dtype=a.dtype)
    for idx in np.ndindex(a.shape):
        x, e = int(a[idx]), int(b[idx])
        if e < 0:
            r = 1 if x == 1 else ((-1 if e % 2 else 1) if x == -1 else 0)
        else:
            r = x ** e
        out[idx] = np.array(r).astype(np.int64).astype(a.dtype) if -2 ** 63 <= r < 2 ** 63 else \
            np.array(r % 2 ** 64, dtype=np.uint64).astype(a.dtype)
    return out


class Binary:
    """One binary op.

    kind: "real"     real dtypes only (complex -> RuntimeError); integer inputs keep their promoted dtype
          "float"    real dtypes only; integer/bool inputs computed in float32
          "all"      every dtype (pow)
          "bitwise"  integer and bool only (floats -> RuntimeError)
          "logical"  every dtype, bool result
    ref / int_ref: NumPy references (float64 / integer arrays). a_dom, b_dom: the float input values.
    grad: "diff" (gradcheck), "zero" (attached to the graph, zero derivative), None (no grad).
    """

    def __init__(self, name, ref, kind, int_ref=None, a_dom="any", b_dom="nonzero", int_b="nonzero",
                 grad="diff", gradgrad=False, bool_ok=True, ints_ok=True, inplace=True):
        self.name, self.ref, self.kind = name, ref, kind
        self.int_ref = int_ref if int_ref is not None else ref
        self.a_dom, self.b_dom, self.int_b = a_dom, b_dom, int_b
        self.grad, self.gradgrad = grad, gradgrad
        self.bool_ok, self.ints_ok, self.inplace = bool_ok, ints_ok, inplace

    def __repr__(self):
        return self.name


BINARY = [
    Binary("maximum", np.maximum, "real", gradgrad=True),
    Binary("minimum", np.minimum, "real", gradgrad=True),
    Binary("fmax", np.fmax, "real"),
    Binary("fmin", np.fmin, "real"),
    Binary("remainder", np.remainder, "real", bool_ok=False),
    Binary("fmod", np.fmod, "real", bool_ok=False),
    Binary("floor_divide", np.floor_divide, "real", grad="zero", bool_ok=False),
    Binary("atan2", np.arctan2, "float", gradgrad=True),
    Binary("hypot", np.hypot, "float", ints_ok=False, gradgrad=True),
    Binary("copysign", np.copysign, "float"),
    Binary("logaddexp", np.logaddexp, "float", ints_ok=False, gradgrad=True),
    Binary("pow", np.power, "all", int_ref=_int_pow, a_dom="pos", b_dom="any", int_b="nonneg", gradgrad=True,
           bool_ok=False),
    Binary("logical_and", np.logical_and, "logical", b_dom="any", int_b="any", grad=None),
    Binary("logical_or", np.logical_or, "logical", b_dom="any", int_b="any", grad=None),
    Binary("logical_xor", np.logical_xor, "logical", b_dom="any", int_b="any", grad=None),
    Binary("bitwise_and", np.bitwise_and, "bitwise", int_b="any", grad=None),
    Binary("bitwise_or", np.bitwise_or, "bitwise", int_b="any", grad=None),
    Binary("bitwise_xor", np.bitwise_xor, "bitwise", int_b="any", grad=None),
    Binary("bitwise_left_shift", np.left_shift, "bitwise", int_b="shift", grad=None, bool_ok=False),
    Binary("bitwise_right_shift", np.right_shift, "bitwise", int_b="shift", grad=None, bool_ok=False),
]
BY_NAME = {op.name: op for op in BINARY}
NUMERIC = [op for op in BINARY if op.kind != "bitwise"]
DIFF = [op for op in BINARY if op.grad == "diff"]

# Float inputs: a is (2, 3), b is (3,) (broadcast). Exact in every float dtype.
A_DOM = {"any": [[-2.5, -1.25, 0.0], [0.75, 1.5, 3.25]], "pos": [[0.25, 0.5, 1.0], [1.5, 2.25, 3.0]]}
B_DOM = {"nonzero": [-1.75, 0.5, 2.25], "any": [-1.75, 0.0, 2.25]}
# Integer inputs (signed; uint8 / bool derived below).
A_INT = [[-7, -3, 0], [2, 5, 9]]
B_INT = {"nonzero": [-2, 3, 4], "any": [-2, 0, 6], "nonneg": [0, 2, 3], "shift": [0, 1, 3]}
# gradcheck inputs (float64): no ties (a != b), a/b away from integers, no zeros.
GRAD_A = [[-1.7, -0.45, 0.35], [0.8, 1.45, 2.6]]
GRAD_B = [[-1.15, 0.6, 1.1], [0.35, -0.9, 1.85]]  # a/b, b/a never integers
GRAD_A_POS = [[0.3, 0.65, 1.2], [1.55, 2.1, 2.7]]


def fn(op):
    return getattr(dyngraph, op.name)


def float_inputs(op, np_name):
    a = np.array(A_DOM[op.a_dom], dtype=np.float64)
    b = np.array(B_DOM[op.b_dom], dtype=np.float64)
    return a.astype(np_name), b.astype(np_name)


def int_inputs(op, dtype_name):
    a = np.array(A_INT, dtype=np.int64)
    b = np.array(B_INT[op.int_b], dtype=np.int64)
    if op.name == "pow":
        a = np.clip(a, -3, 3)  # keep powers small
    if dtype_name == "uint8":
        a, b = np.abs(a), np.abs(b)
    if dtype_name == "bool":
        return a != 0, b != 0
    return a.astype(dtype_name), b.astype(dtype_name)


def expected_dtype(op, a_name, b_name):
    common = PROMOTE[a_name][b_name]
    if op.kind == "logical":
        return "bool"
    if op.kind == "float" and common in ["bool"] + INT_NAMES:
        return "float32"
    return common


def ref_float(op, a, b):
    with np.errstate(all="ignore"):
        return op.ref(np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64))


# ---- values over dtypes ------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype_name", ["float32", "float64"])
@pytest.mark.parametrize("op", NUMERIC, ids=repr)
def test_values_float(op, dtype_name):
    a, b = float_inputs(op, dtype_name)
    y = fn(op)(dyngraph.tensor(a), dyngraph.tensor(b))
    assert y.dtype is dt(expected_dtype(op, dtype_name, dtype_name))
    assert tuple(y.shape) == (2, 3)
    exp = ref_float(op, a, b)
    rtol = 1e-6 if dtype_name == "float32" else 1e-14
    np.testing.assert_allclose(to_np(y), exp, rtol=rtol, atol=1e-7)


@pytest.mark.parametrize("dtype_name", ["float16", "bfloat16"])
@pytest.mark.parametrize("op", NUMERIC, ids=repr)
def test_values_half(op, dtype_name):
    a, b = float_inputs(op, "float32")
    y = fn(op)(from_np(a.astype(np.float16) if dtype_name == "float16" else a, dtype_name),
               from_np(b.astype(np.float16) if dtype_name == "float16" else b, dtype_name))
    assert y.dtype is dt(expected_dtype(op, dtype_name, dtype_name))
    tol = 1e-2 if dtype_name == "float16" else 2e-2
    np.testing.assert_allclose(to_np(y).astype(np.float64), ref_float(op, a, b), rtol=tol, atol=tol)


@pytest.mark.parametrize("dtype_name", INT_NAMES + ["bool"])
@pytest.mark.parametrize("op", BINARY, ids=repr)
def test_values_integer(op, dtype_name):
    if (dtype_name == "bool" and not op.bool_ok) or not op.ints_ok:
        pytest.skip("PyTorch rejects this dtype (test_dtypes_pytorch_rejects)")
    a, b = int_inputs(op, dtype_name)
    y = fn(op)(dyngraph.tensor(a), dyngraph.tensor(b))
    want = expected_dtype(op, dtype_name, dtype_name)
    assert y.dtype is dt(want)
    if op.kind == "float":
        exp = ref_float(op, a, b).astype(np.float32)
        np.testing.assert_allclose(to_np(y), exp, rtol=1e-6)
    else:
        if dtype_name == "bool" and op.kind not in ("logical",):
            exp = op.int_ref(a.astype(np.int64), b.astype(np.int64)).astype(bool)
        else:
            exp = op.int_ref(a, b)
        np.testing.assert_array_equal(to_np(y), np.asarray(exp).astype(want))


MIXED = [("int32", "float16"), ("uint8", "int8"), ("int64", "float32"), ("bool", "int16"), ("float16", "bfloat16"),
         ("float32", "float64"), ("int8", "bfloat16"), ("uint8", "bool")]


@pytest.mark.parametrize("a_name, b_name", MIXED, ids=[f"{a}-{b}" for a, b in MIXED])
@pytest.mark.parametrize("op", [BY_NAME[n] for n in ["maximum", "fmin", "remainder", "atan2", "copysign", "pow",
                                                      "logical_xor", "bitwise_or"]], ids=repr)
def test_type_promotion(op, a_name, b_name):
    common = PROMOTE[a_name][b_name]
    if op.kind == "bitwise" and common not in INT_NAMES + ["bool"]:
        pytest.skip("float result: covered by test_bitwise_rejects_floats")
    if op.name in ("remainder", "pow") and common == "bool":
        pytest.skip("no bool kernel")
    a = np.array([[3, 0, 2], [1, 5, 2]]).astype(np.float64)
    b = np.array([2, 1, 3]).astype(np.float64)
    ta = from_np(a.astype(np.float32 if a_name == "bfloat16" else a_name), a_name)
    tb = from_np(b.astype(np.float32 if b_name == "bfloat16" else b_name), b_name)
    y = fn(op)(ta, tb)
    want = expected_dtype(op, a_name, b_name)
    assert y.dtype is dt(want), (y.dtype, want)
    if op.kind == "bitwise":
        exp = op.ref(a.astype(a_name).astype(np.int64), b.astype(b_name).astype(np.int64))
    else:
        exp = ref_float(op, a.astype(a_name if a_name != "bfloat16" else "float32").astype(np.float64),
                        b.astype(b_name if b_name != "bfloat16" else "float32").astype(np.float64))
    np.testing.assert_allclose(to_np(y).astype(np.float64), np.asarray(exp, dtype=np.float64), rtol=1e-2)


@pytest.mark.parametrize("dtype_name", ["complex64", "complex128"])
@pytest.mark.parametrize("op", [op for op in BINARY if op.kind in ("real", "float") and op.name != "logaddexp"],
                         ids=repr)
def test_complex_rejected(op, dtype_name):
    """Ordering and rounding ops (maximum, remainder, atan2, ...) raise RuntimeError for complex tensors."""
    z = dyngraph.tensor(np.array([1 + 1j, 2 - 1j], dtype=dtype_name))
    with pytest.raises(RuntimeError):
        fn(op)(z, z)
    with pytest.raises(RuntimeError):
        fn(op)(dyngraph.tensor([1.0, 2.0]), z)


def test_complex_ordering_ops_via_clamp_and_scalar():
    z = dyngraph.tensor([1 + 1j])
    with pytest.raises(RuntimeError):
        dyngraph.maximum(z, 1.0)
    with pytest.raises(RuntimeError):
        dyngraph.clamp(z, 0, 1)


@pytest.mark.parametrize("op", [BY_NAME[n] for n in ["logical_and", "logical_or", "logical_xor"]], ids=repr)
def test_logical_ops_accept_complex_and_floats(op):
    z = np.array([1 + 0j, 0j, 1j, 0j], dtype=np.complex64)
    f = np.array([0.0, 0.0, NAN, 2.0], dtype=np.float32)
    y = fn(op)(dyngraph.tensor(z), dyngraph.tensor(f))
    assert y.dtype is dyngraph.bool
    np.testing.assert_array_equal(to_np(y), op.ref(z != 0, f != 0))


@pytest.mark.parametrize("dtype_name", ["complex64", "complex128"])
def test_pow_complex(dtype_name):
    a = np.array([1 + 1j, 2j, -4 + 0.5j, 0.5 - 0.25j], dtype=dtype_name)
    b = np.array([0.5 + 0.5j, 2, 0.5, -1.5 + 1j], dtype=dtype_name)
    rtol = 1e-5 if dtype_name == "complex64" else 1e-12
    y = dyngraph.pow(dyngraph.tensor(a), dyngraph.tensor(b))
    assert y.dtype is dt(dtype_name)
    np.testing.assert_allclose(to_np(y), np.power(a.astype(np.complex128), b.astype(np.complex128)), rtol=rtol)
    s = dyngraph.tensor(a) ** 2
    np.testing.assert_allclose(to_np(s), a.astype(np.complex128) ** 2, rtol=rtol, atol=rtol)
    r = (1 + 1j) ** dyngraph.tensor(np.array([1.0, 2.0, 0.5], dtype=np.float32))
    assert r.dtype is dyngraph.complex64
    np.testing.assert_allclose(to_np(r), (1 + 1j) ** np.array([1.0, 2.0, 0.5]), rtol=1e-5)
    m = dyngraph.pow(dyngraph.tensor([1.0, 2.0]), dyngraph.tensor([1 + 1j, 2 + 0j]))
    assert m.dtype is dyngraph.complex64
    np.testing.assert_allclose(to_np(m), np.power([1.0, 2.0], [1 + 1j, 2 + 0j]), rtol=1e-5)


@pytest.mark.parametrize("dtype_name", ["complex64", "complex128"])
def test_logaddexp_complex(dtype_name):
    """PyTorch's logaddexp takes complex inputs: log(exp(a) + exp(b)) (principal branch)."""
    a = np.array([1 + 1j, 0.5 - 2j, -1 + 0.25j], dtype=dtype_name)
    b = np.array([0.3 + 0.2j, -1 + 1j, -1 + 0.25j], dtype=dtype_name)
    y = dyngraph.logaddexp(dyngraph.tensor(a), dyngraph.tensor(b))
    assert y.dtype is dt(dtype_name)
    a64, b64 = a.astype(np.complex128), b.astype(np.complex128)
    rtol = 1e-5 if dtype_name == "complex64" else 1e-12
    np.testing.assert_allclose(to_np(y), np.log(np.exp(a64) + np.exp(b64)), rtol=rtol)


# Integer/bool dtype combinations PyTorch has no kernel for (NotImplementedError, a RuntimeError).
PYTORCH_REJECTS = [("hypot", "int64"), ("hypot", "bool"), ("logaddexp", "int64"), ("logaddexp", "uint8"),
                   ("remainder", "bool"), ("fmod", "bool"), ("floor_divide", "bool"), ("pow", "bool"),
                   ("bitwise_left_shift", "bool"), ("bitwise_right_shift", "bool")]


@pytest.mark.parametrize("name, dtype_name", PYTORCH_REJECTS, ids=[f"{n}-{d}" for n, d in PYTORCH_REJECTS])
def test_dtypes_pytorch_rejects(name, dtype_name):
    x = dyngraph.tensor(np.array([1, 0, 1]).astype(dtype_name))
    with pytest.raises(RuntimeError):
        getattr(dyngraph, name)(x, x)


# ---- Python scalars ---------------------------------------------------------------------------------

SCALAR_CASES = [("int64", 3), ("int64", 2.5), ("float16", 2.5), ("float32", 3), ("bool", 2), ("bool", 1.5),
                ("int8", -2), ("float64", -1.25), ("uint8", 2)]


def scalar_result_dtype(op, t_name, s):
    kind = "float" if isinstance(s, float) else "int"
    if t_name in ("float16", "bfloat16", "float32", "float64"):
        common = t_name
    elif kind == "float":
        common = "float32"
    else:
        common = "int64" if t_name == "bool" else t_name
    if op.kind == "logical":
        return "bool"
    if op.kind == "float" and common not in ("float16", "bfloat16", "float32", "float64"):
        return "float32"
    return common


@pytest.mark.parametrize("t_name, s", SCALAR_CASES, ids=[f"{t}-{s}" for t, s in SCALAR_CASES])
@pytest.mark.parametrize("op", BINARY, ids=repr)
def test_tensor_scalar(op, t_name, s):
    vals = np.array([[-3, -1, 0], [1, 2, 5]])
    if t_name in ("uint8", "bool") or op.name == "pow" and t_name not in ("float16", "float32", "float64"):
        vals = np.abs(vals)
    if t_name == "bool":
        vals = vals != 0
    if op.kind == "bitwise" and (isinstance(s, float) or t_name.startswith("float")):
        with pytest.raises(RuntimeError):
            fn(op)(dyngraph.tensor(vals.astype(t_name)), s)
        return
    if (not op.ints_ok and (t_name in INT_NAMES + ["bool"])) or (not op.bool_ok and t_name == "bool"):
        pytest.skip("PyTorch rejects this dtype")
    if op.kind == "bitwise" and op.name.endswith("shift") and s < 0:
        s = 1
    if op.name == "pow" and t_name in INT_NAMES and s < 0:
        s = 2  # negative integer powers of integers: test_int_pow_negative_scalar_exponent_raises
    t = dyngraph.tensor(vals.astype(t_name))
    y = fn(op)(t, s)
    want = scalar_result_dtype(op, t_name, s)
    assert y.dtype is dt(want), (y.dtype, want)
    if want in INT_NAMES + ["bool"] and op.kind != "logical":
        exp = op.int_ref(vals.astype(np.int64), np.int64(s)).astype(want)
        np.testing.assert_array_equal(to_np(y), exp)
    else:
        exp = ref_float(op, vals.astype(t_name).astype(np.float64), float(s))
        tol = 1e-2 if want == "float16" else 1e-6
        np.testing.assert_allclose(to_np(y).astype(np.float64), np.asarray(exp, dtype=np.float64), rtol=tol,
                                   atol=tol)


def test_scalar_first_forms_of_pow():
    e = dyngraph.tensor([1, 2, 3])
    for r in (2 ** e, dyngraph.pow(2, e)):
        assert r.dtype is dyngraph.int64
        np.testing.assert_array_equal(to_np(r), [2, 4, 8])
    f = 2.5 ** e
    assert f.dtype is dyngraph.float32
    np.testing.assert_allclose(to_np(f), [2.5, 6.25, 15.625], rtol=1e-7)
    h = 2 ** dyngraph.tensor([1.0, 0.5], dtype=dyngraph.float16)
    assert h.dtype is dyngraph.float16
    np.testing.assert_allclose(to_np(h).astype(np.float64), [2.0, math.sqrt(2)], rtol=1e-3)
    n = 2 ** dyngraph.tensor([-1, 2])
    np.testing.assert_array_equal(to_np(n), [0, 4])  # scalar base, tensor exponent: no error (as PyTorch)


@pytest.mark.parametrize("expr, want, dtype_name", [
    (lambda t: dyngraph.remainder(5, t), [2, -1], "int64"),
    (lambda t: dyngraph.floor_divide(5, t), [1, -2], "int64"),
    (lambda t: dyngraph.bitwise_left_shift(1, t.abs()), [8, 8], "int64"),
    (lambda t: 1 << t.abs(), [8, 8], "int64"),
    (lambda t: 64 >> t.abs(), [8, 8], "int64"),
    (lambda t: dyngraph.float_power(2, t), [8.0, 0.125], "float64"),
], ids=["remainder", "floor_divide", "bitwise_left_shift", "rlshift", "rrshift", "float_power"])
def test_scalar_first_function_forms(expr, want, dtype_name):
    """PyTorch accepts a Python scalar as the first argument of remainder, floor_divide, bitwise shifts and
    float_power (and the reflected shift operators)."""
    y = expr(dyngraph.tensor([3, -3]))
    assert y.dtype is dt(dtype_name)
    np.testing.assert_array_equal(to_np(y), want)


# ---- methods, in-place forms, operators -----------------------------------------------------------------


@pytest.mark.parametrize("op", BINARY, ids=repr)
def test_method_matches_function(op):
    if op.kind == "bitwise":
        a, b = int_inputs(op, "int32")
    else:
        a, b = float_inputs(op, "float32")
    ta, tb = dyngraph.tensor(a), dyngraph.tensor(b)
    np.testing.assert_array_equal(to_np(getattr(ta, op.name)(tb)), to_np(fn(op)(ta, tb)))
    if op.name != "pow":  # pow's second argument is called `exponent` (test_pow_exponent_keyword)
        np.testing.assert_array_equal(to_np(getattr(ta, op.name)(other=tb)), to_np(fn(op)(ta, tb)))


def test_pow_exponent_keyword():
    """PyTorch: torch.pow(input, exponent), Tensor.pow(exponent)."""
    t = dyngraph.tensor([2.0, 3.0])
    np.testing.assert_array_equal(to_np(dyngraph.pow(t, exponent=2)), [4.0, 9.0])
    np.testing.assert_array_equal(to_np(t.pow(exponent=dyngraph.tensor([1.0, 2.0]))), [2.0, 9.0])
    np.testing.assert_array_equal(to_np(dyngraph.pow(self=2, exponent=t)), [4.0, 8.0])


@pytest.mark.parametrize("op", BINARY, ids=repr)
def test_inplace_returns_self(op):
    if op.kind == "bitwise":
        a, b = int_inputs(op, "int32")
        exp = op.ref(a, b)
    else:
        a, b = float_inputs(op, "float64")
        exp = ref_float(op, a, b)
    t = dyngraph.tensor(a)
    ptr = t.untyped_storage_ptr()
    r = getattr(t, op.name + "_")(dyngraph.tensor(b))
    assert r is t
    assert t.dtype is dt(str(a.dtype)) and t.untyped_storage_ptr() == ptr  # logical_*_ keeps the dtype (0/1)
    np.testing.assert_allclose(to_np(t), np.asarray(exp).astype(a.dtype), rtol=1e-14)
    s = dyngraph.tensor(a)
    scalar = 2 if op.kind == "bitwise" else 1.5
    assert getattr(s, op.name + "_")(scalar) is s
    with np.errstate(all="ignore"):
        exp_s = op.ref(a, scalar) if op.kind == "bitwise" else op.ref(a.astype(np.float64), scalar)
    np.testing.assert_allclose(to_np(s), np.asarray(exp_s).astype(a.dtype), rtol=1e-14)


@pytest.mark.parametrize("op", [BY_NAME[n] for n in ["atan2", "hypot", "copysign", "logaddexp"]], ids=repr)
def test_inplace_float_result_on_int_raises(op):
    """int_tensor.atan2_(int_tensor): the float32 result can't be written to int64 -> RuntimeError."""
    t = dyngraph.tensor([1, 2, 3])
    with pytest.raises(RuntimeError):
        getattr(t, op.name + "_")(dyngraph.tensor([1, 1, 1]))
    np.testing.assert_array_equal(to_np(t), [1, 2, 3])


@pytest.mark.parametrize("name, arg", [("pow_", 0.5), ("pow_", dyngraph.tensor([2.0])), ("remainder_", 1.5),
                                       ("fmod_", 1.5), ("floor_divide_", 0.5), ("maximum_", 2.5),
                                       ("minimum_", dyngraph.tensor([0.5]))],
                         ids=["pow-float", "pow-float-tensor", "remainder", "fmod", "floor_divide", "maximum",
                              "minimum"])
def test_inplace_int_with_float_operand_raises(name, arg):
    t = dyngraph.tensor([1, 2, 3])
    with pytest.raises(RuntimeError):
        getattr(t, name)(arg)


def test_inplace_cannot_broadcast_self():
    a = dyngraph.tensor([1.0, 2.0])
    with pytest.raises(RuntimeError):
        a.atan2_(dyngraph.tensor([[1.0, 2.0], [3.0, 4.0]]))
    with pytest.raises(RuntimeError):
        a.pow_(dyngraph.tensor([[1.0, 2.0], [3.0, 4.0]]))


def test_inplace_broadcasts_other():
    a = dyngraph.tensor(np.array([[1.0, -2.0], [3.0, -4.0]]))
    a.copysign_(dyngraph.tensor([-1.0, 1.0]))
    np.testing.assert_array_equal(to_np(a), [[-1.0, 2.0], [-3.0, 4.0]])


OPERATORS = [  # (symbol, forward, reflected, in-place, NumPy reference, dtype)
    ("**", operator.pow, lambda t, s: s ** t, operator.ipow, np.power, "float64"),
    ("%", operator.mod, lambda t, s: s % t, operator.imod, np.remainder, "float64"),
    ("//", operator.floordiv, lambda t, s: s // t, operator.ifloordiv, np.floor_divide, "float64"),
    ("&", operator.and_, lambda t, s: s & t, operator.iand, np.bitwise_and, "int32"),
    ("|", operator.or_, lambda t, s: s | t, operator.ior, np.bitwise_or, "int32"),
    ("^", operator.xor, lambda t, s: s ^ t, operator.ixor, np.bitwise_xor, "int32"),
    ("<<", operator.lshift, None, operator.ilshift, np.left_shift, "int32"),
    (">>", operator.rshift, None, operator.irshift, np.right_shift, "int32"),
]


@pytest.mark.parametrize("sym, fwd, refl, inpl, ref, dtype_name", OPERATORS, ids=[o[0] for o in OPERATORS])
def test_operators(sym, fwd, refl, inpl, ref, dtype_name):
    if dtype_name == "float64":
        a = np.array([[0.5, 1.5, 2.0], [3.0, 4.5, 6.0]])
        b = np.array([1.5, -2.0, 2.5])
        s = 2.0
    else:
        a = np.array([[1, 6, 12], [7, 64, 255]], dtype=dtype_name)
        b = np.array([1, 2, 3], dtype=dtype_name)
        s = 3
    ta, tb = dyngraph.tensor(a), dyngraph.tensor(b)
    np.testing.assert_allclose(to_np(fwd(ta, tb)), ref(a, b), rtol=1e-14)
    np.testing.assert_allclose(to_np(fwd(ta, s)), ref(a, s), rtol=1e-14)
    if refl is not None:
        np.testing.assert_allclose(to_np(refl(ta, s)), ref(np.asarray(s, dtype=a.dtype), a), rtol=1e-14)
    t = dyngraph.tensor(a)
    alias = t
    t = inpl(t, tb)
    assert t is alias
    np.testing.assert_allclose(to_np(alias), ref(a, b), rtol=1e-14)
    t = inpl(t, s)
    assert t is alias
    np.testing.assert_allclose(to_np(alias), ref(ref(a, b), s), rtol=1e-14)


def test_abs_and_invert_operators():
    np.testing.assert_array_equal(to_np(abs(dyngraph.tensor([-1.5, 2.0]))), [1.5, 2.0])
    np.testing.assert_array_equal(to_np(~dyngraph.tensor([0, 7, -8], dtype=dyngraph.int16)), [-1, -8, 7])
    np.testing.assert_array_equal(to_np(~dyngraph.tensor([True, False])), [False, True])


def test_bool_operators():
    a = dyngraph.tensor([True, True, False, False])
    b = dyngraph.tensor([True, False, True, False])
    for sym, ref in [(operator.and_, np.logical_and), (operator.or_, np.logical_or), (operator.xor, np.logical_xor)]:
        y = sym(a, b)
        assert y.dtype is dyngraph.bool
        np.testing.assert_array_equal(to_np(y), ref([1, 1, 0, 0], [1, 0, 1, 0]))
    m = a | dyngraph.tensor([1, 2, 0, 0])
    assert m.dtype is dyngraph.int64
    np.testing.assert_array_equal(to_np(m), [1, 3, 0, 0])


# ---- errors --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype_name", ["float16", "bfloat16", "float32", "float64"])
@pytest.mark.parametrize("op", [op for op in BINARY if op.kind == "bitwise"], ids=repr)
def test_bitwise_rejects_floats(op, dtype_name):
    x = dyngraph.tensor([1.0, 2.0], dtype=dt(dtype_name))
    i = dyngraph.tensor([1, 2])
    for call in (lambda: fn(op)(x, x), lambda: fn(op)(i, x), lambda: fn(op)(x, 1), lambda: fn(op)(i, 1.5),
                 lambda: getattr(i, op.name + "_")(1.5)):
        with pytest.raises(RuntimeError):
            call()


@pytest.mark.parametrize("sym", [operator.and_, operator.or_, operator.xor, operator.lshift, operator.rshift],
                         ids=["and", "or", "xor", "lshift", "rshift"])
def test_bitwise_operators_reject_floats(sym):
    with pytest.raises(RuntimeError):
        sym(dyngraph.tensor([1.5]), dyngraph.tensor([1]))
    with pytest.raises(RuntimeError):
        sym(dyngraph.tensor([1]), 1.5)


ZERO_DIV = [
    ("remainder", lambda a, b: dyngraph.remainder(a, b)),
    ("fmod", lambda a, b: dyngraph.fmod(a, b)),
    ("floor_divide", lambda a, b: dyngraph.floor_divide(a, b)),
    ("mod_op", operator.mod),
    ("floordiv_op", operator.floordiv),
    ("div_trunc", lambda a, b: dyngraph.div(a, b, rounding_mode="trunc")),
    ("div_floor", lambda a, b: dyngraph.div(a, b, rounding_mode="floor")),
    ("remainder_", lambda a, b: a.remainder_(b)),
    ("fmod_", lambda a, b: a.fmod_(b)),
    ("imod", operator.imod),
    ("ifloordiv", operator.ifloordiv),
]


@pytest.mark.parametrize("dtype_name", ["int64", "int8", "uint8"])
@pytest.mark.parametrize("name, f", ZERO_DIV, ids=[z[0] for z in ZERO_DIV])
def test_integer_division_by_zero_raises(name, f, dtype_name):
    """Integer %, //, fmod and rounding division by zero raise RuntimeError("ZeroDivisionError") (no crash)."""
    a = dyngraph.tensor(np.array([5, 6, 7], dtype=dtype_name))
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        f(a, dyngraph.tensor(np.array([1, 0, 2], dtype=dtype_name)))
    a = dyngraph.tensor(np.array([5, 6, 7], dtype=dtype_name))
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        f(a, 0)
    np.testing.assert_array_equal(to_np(a), [5, 6, 7])


def test_float_division_by_zero_gives_ieee_values():
    a = dyngraph.tensor([5.0, -5.0, 0.0])
    np.testing.assert_array_equal(to_np(dyngraph.remainder(a, 0.0)), [NAN, NAN, NAN])
    np.testing.assert_array_equal(to_np(dyngraph.fmod(a, 0.0)), [NAN, NAN, NAN])
    np.testing.assert_array_equal(to_np(dyngraph.floor_divide(a, 0.0)), [INF, -INF, NAN])
    i = dyngraph.tensor([5, -5])
    r = i % 0.0  # int tensor, float scalar: computed in float32, no error
    assert r.dtype is dyngraph.float32
    assert np.isnan(to_np(r)).all()
    np.testing.assert_array_equal(to_np(i // 0.0), [INF, -INF])


def test_div_rounding_mode_invalid():
    """PyTorch raises RuntimeError ("div expected rounding_mode to be one of None, 'trunc', or 'floor' ...")."""
    with pytest.raises(RuntimeError, match="rounding_mode"):
        dyngraph.div(dyngraph.tensor([7, -7]), 2, rounding_mode="bad")


# ---- op-specific semantics -------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype_name", ["float16", "bfloat16", "float32", "float64"])
def test_nan_propagation_maximum_vs_fmax(dtype_name):
    a = np.array([1.0, NAN, 2.0, NAN, -INF], dtype=np.float32)
    b = np.array([NAN, 3.0, 1.0, NAN, 0.0], dtype=np.float32)
    ta, tb = from_np(a.astype(dtype_name if dtype_name != "bfloat16" else np.float32), dtype_name), \
        from_np(b.astype(dtype_name if dtype_name != "bfloat16" else np.float32), dtype_name)
    np.testing.assert_array_equal(to_np(dyngraph.maximum(ta, tb)).astype(np.float32), np.maximum(a, b))
    np.testing.assert_array_equal(to_np(dyngraph.minimum(ta, tb)).astype(np.float32), np.minimum(a, b))
    np.testing.assert_array_equal(to_np(dyngraph.fmax(ta, tb)).astype(np.float32), np.fmax(a, b))
    np.testing.assert_array_equal(to_np(dyngraph.fmin(ta, tb)).astype(np.float32), np.fmin(a, b))
    np.testing.assert_array_equal(to_np(dyngraph.maximum(ta, NAN)).astype(np.float32), [NAN] * 5)


@pytest.mark.parametrize("dtype_name", ["int8", "int32", "int64", "float32", "float64"])
def test_remainder_vs_fmod_signs(dtype_name):
    """remainder: result has the divisor's sign (Python %); fmod: the dividend's sign (C fmod)."""
    a = [5, -5, 5, -5, 6, -6, 0]
    b = [3, 3, -3, -3, 3, -3, 2]
    ta = dyngraph.tensor(np.array(a, dtype=dtype_name))
    tb = dyngraph.tensor(np.array(b, dtype=dtype_name))
    np.testing.assert_array_equal(to_np(dyngraph.remainder(ta, tb)), [x % y for x, y in zip(a, b)])
    np.testing.assert_array_equal(to_np(dyngraph.fmod(ta, tb)), [math.fmod(x, y) for x, y in zip(a, b)])
    np.testing.assert_array_equal(to_np(ta % tb), [x % y for x, y in zip(a, b)])
    np.testing.assert_array_equal(to_np(dyngraph.floor_divide(ta, tb)), [x // y for x, y in zip(a, b)])
    np.testing.assert_array_equal(to_np(dyngraph.div(ta, tb, rounding_mode="trunc")),
                                  [math.trunc(x / y) for x, y in zip(a, b)])
    np.testing.assert_array_equal(to_np(dyngraph.div(ta, tb, rounding_mode="floor")), [x // y for x, y in zip(a, b)])


def test_remainder_float_fractions():
    a = [5.5, -5.5, 5.5, -5.5, -0.0, 3.0, -3.0, INF, 1.0, -1.0]
    b = [3.0, 3.0, -3.0, -3.0, 3.0, -3.0, 3.0, 2.0, INF, INF]
    ta, tb = dyngraph.tensor(a, dtype=dyngraph.float64), dyngraph.tensor(b, dtype=dyngraph.float64)
    with np.errstate(invalid="ignore"):
        rem, fmod = np.remainder(a, b), np.fmod(a, b)
    np.testing.assert_array_equal(to_np(dyngraph.remainder(ta, tb)), rem)
    np.testing.assert_array_equal(to_np(dyngraph.fmod(ta, tb)), fmod)
    np.testing.assert_array_equal(to_np(5.5 % dyngraph.tensor([3.0, -3.0])), [5.5 % 3.0, 5.5 % -3.0])


def test_floor_divide_float_follows_python():
    """floor_divide / // / div(rounding_mode='floor') on floats give Python's a // b (PyTorch computes
    (a - fmod(a, b)) / b with corrections, not floor(a / b)): 1.0 // 0.1 == 9.0, inf // 2 is nan, -3 // inf is -1."""
    a = [1.0, 7.0, -7.0, 0.3, 5.5, -5.5, INF, -3.0, 3.0]
    b = [0.1, 0.1, 0.1, 0.1, -3.0, 3.0, 2.0, INF, -INF]
    want = [x // y for x, y in zip(a, b)]
    ta, tb = dyngraph.tensor(a, dtype=dyngraph.float64), dyngraph.tensor(b, dtype=dyngraph.float64)
    np.testing.assert_array_equal(to_np(dyngraph.floor_divide(ta, tb)), want)
    np.testing.assert_array_equal(to_np(ta // tb), want)
    np.testing.assert_array_equal(to_np(dyngraph.div(ta, tb, rounding_mode="floor")), want)
    np.testing.assert_array_equal(to_np(dyngraph.div(ta, tb, rounding_mode="trunc"))[:6],
                                  [math.trunc(x / y) for x, y in zip(a[:6], b[:6])])


def test_div_rounding_modes_dtypes():
    i = dyngraph.tensor([7, -7])
    for mode in ("trunc", "floor"):
        r = dyngraph.div(i, 2, rounding_mode=mode)
        assert r.dtype is dyngraph.int64
    np.testing.assert_array_equal(to_np(dyngraph.div(i, 2, rounding_mode="trunc")), [3, -3])
    np.testing.assert_array_equal(to_np(i.div(2, rounding_mode="floor")), [3, -4])
    t = dyngraph.div(i, dyngraph.tensor([2, 2]), rounding_mode=None)
    assert t.dtype is dyngraph.float32
    np.testing.assert_array_equal(to_np(t), [3.5, -3.5])
    f = dyngraph.div(dyngraph.tensor([7.5, -7.5]), 2, rounding_mode="trunc")
    assert f.dtype is dyngraph.float32
    np.testing.assert_array_equal(to_np(f), [3.0, -3.0])


def test_integer_floor_divide_edge_values():
    a = dyngraph.tensor(np.array([250, 7], dtype=np.uint8))
    np.testing.assert_array_equal(to_np(a // dyngraph.tensor(np.array([7, 2], dtype=np.uint8))), [35, 3])
    np.testing.assert_array_equal(to_np(a % dyngraph.tensor(np.array([7, 2], dtype=np.uint8))), [5, 1])
    m = dyngraph.tensor(np.array([-128], dtype=np.int8))
    np.testing.assert_array_equal(to_np(m % dyngraph.tensor(np.array([-1], dtype=np.int8))), [0])


def test_int_pow_negative_exponents_tensor():
    """Integer base, integer tensor exponent < 0: 1 -> 1, -1 -> +-1 by parity, everything else -> 0."""
    base = np.array([2, -2, 1, -1, 0, 3, -1, 1, 5])
    expo = np.array([-1, -3, -5, -2, -1, 0, -3, -4, -1])
    y = dyngraph.pow(dyngraph.tensor(base), dyngraph.tensor(expo))
    assert y.dtype is dyngraph.int64
    np.testing.assert_array_equal(to_np(y), _int_pow(base, expo))
    np.testing.assert_array_equal(_int_pow(base, expo), [0, 0, 1, 1, 0, 1, -1, 1, 0])
    s = dyngraph.pow(-1, dyngraph.tensor([-1, -2, 3]))
    np.testing.assert_array_equal(to_np(s), [-1, 1, -1])


@pytest.mark.parametrize("expr", [lambda t: dyngraph.pow(t, -1), lambda t: t ** -2, lambda t: t.pow(-3),
                                  lambda t: t.pow_(-1)], ids=["pow", "op", "method", "inplace"])
def test_int_pow_negative_scalar_exponent_raises(expr):
    """PyTorch: "Integers to negative integer powers are not allowed." for an integer tensor and a negative
    integer Python scalar exponent."""
    with pytest.raises(RuntimeError, match="negative integer powers"):
        expr(dyngraph.tensor([2, 3, 1]))


def test_int_pow_wraps_like_cpp():
    x = dyngraph.tensor(np.array([5, 6, 16], dtype=np.uint8)) ** 2
    assert x.dtype is dyngraph.uint8
    np.testing.assert_array_equal(to_np(x), [25, 36, 0])
    big = dyngraph.tensor([3]) ** 40
    np.testing.assert_array_equal(to_np(big), _int_pow(np.array([3]), np.array([40])))
    f = dyngraph.tensor([2, 3], dtype=dyngraph.int32) ** 2.0
    assert f.dtype is dyngraph.float32
    np.testing.assert_array_equal(to_np(f), [4.0, 9.0])


def test_pow_special_values():
    a = dyngraph.tensor([0.0, -0.0, -8.0, 0.0, 1.0, NAN, -2.0], dtype=dyngraph.float64)
    b = dyngraph.tensor([-1.0, -1.0, 1 / 3, 0.0, NAN, 0.0, 2.0], dtype=dyngraph.float64)
    np.testing.assert_array_equal(to_np(dyngraph.pow(a, b)), [INF, -INF, NAN, 1.0, 1.0, 1.0, 4.0])


@pytest.mark.parametrize("a_name, b, want", [("int64", 2, "float64"), ("float32", 2, "float64"),
                                              ("float16", 0.5, "float64"), ("complex64", 2, "complex128"),
                                              ("int64", 1j, "complex128")])
def test_float_power_dtypes(a_name, b, want):
    a = np.array([2, 3]).astype(a_name)
    y = dyngraph.float_power(dyngraph.tensor(a), b)
    assert y.dtype is dt(want)
    np.testing.assert_allclose(to_np(y), np.power(a.astype(np.complex128 if "complex" in want else np.float64), b),
                               rtol=1e-12)
    t = dyngraph.tensor(a).float_power(dyngraph.tensor(np.array([2, -1], dtype=np.float32)))
    assert t.dtype is dt("complex128" if "complex" in a_name else "float64")
    np.testing.assert_allclose(to_np(t), np.power(a.astype(np.complex128 if "complex" in a_name else np.float64),
                                                  [2.0, -1.0]), rtol=1e-12)


def test_float_power_inplace():
    """PyTorch: float_power_ works on float64 and raises for other dtypes (the result is always double)."""
    d = dyngraph.tensor([2.0, 3.0], dtype=dyngraph.float64)
    assert d.float_power_(2) is d
    np.testing.assert_array_equal(to_np(d), [4.0, 9.0])
    with pytest.raises(RuntimeError):
        dyngraph.tensor([2, 3]).float_power_(2)


def test_atan2_quadrants_and_int_inputs():
    y = dyngraph.atan2(dyngraph.tensor([1, -1, 0, 0, -1]), dyngraph.tensor([0, -1, -1, 1, 1]))
    assert y.dtype is dyngraph.float32
    np.testing.assert_allclose(to_np(y), np.arctan2([1, -1, 0, 0, -1], [0, -1, -1, 1, 1]), rtol=1e-7)
    h = dyngraph.atan2(dyngraph.tensor([1, 2], dtype=dyngraph.int16), dyngraph.tensor([2, 2], dtype=dyngraph.int16))
    assert h.dtype is dyngraph.float32
    z = dyngraph.atan2(dyngraph.tensor([0.0, -0.0, 0.0, -0.0], dtype=dyngraph.float64),
                       dyngraph.tensor([0.0, 0.0, -0.0, -0.0], dtype=dyngraph.float64))
    np.testing.assert_array_equal(to_np(z), [0.0, -0.0, math.pi, -math.pi])


def test_copysign_hypot_logaddexp_special_values():
    c = dyngraph.copysign(dyngraph.tensor([1.0, 2.0, 3.0, NAN]), dyngraph.tensor([-0.0, NAN, -INF, -1.0]))
    np.testing.assert_array_equal(np.signbit(to_np(c)), [True, False, True, True])
    ci = dyngraph.copysign(dyngraph.tensor([1, 2, 3]), -1)
    assert ci.dtype is dyngraph.float32
    np.testing.assert_array_equal(to_np(ci), [-1.0, -2.0, -3.0])
    h = dyngraph.hypot(dyngraph.tensor([3.0, INF, 1e200], dtype=dyngraph.float64),
                       dyngraph.tensor([4.0, NAN, 1e200], dtype=dyngraph.float64))
    np.testing.assert_allclose(to_np(h), [5.0, INF, math.hypot(1e200, 1e200)], rtol=1e-15)
    a = [1.0, -INF, INF, -INF, 1000.0, -1000.0]
    b = [2.0, -INF, INF, 3.0, 1000.0, -1001.0]
    f64 = dyngraph.float64
    got = to_np(dyngraph.logaddexp(dyngraph.tensor(a, dtype=f64), dyngraph.tensor(b, dtype=f64)))
    np.testing.assert_allclose(got, np.logaddexp(a, b), rtol=1e-15)


@pytest.mark.parametrize("dtype_name, bits", [("int8", 8), ("int32", 32), ("int64", 64), ("uint8", 8)])
def test_shifts(dtype_name, bits):
    a = np.array([1, 3, 5, 100], dtype=dtype_name)
    s = np.array([0, 1, 2, 3], dtype=dtype_name)
    ta, ts = dyngraph.tensor(a), dyngraph.tensor(s)
    np.testing.assert_array_equal(to_np(ta << ts), np.left_shift(a, s))
    np.testing.assert_array_equal(to_np(ta >> ts), np.right_shift(a, s))
    # shifting by >= the bit width: 0 (left) / 0 or -1 by sign (right), as PyTorch
    np.testing.assert_array_equal(to_np(ta << bits), np.zeros(4, dtype=dtype_name))
    np.testing.assert_array_equal(to_np(ta >> bits), np.zeros(4, dtype=dtype_name))
    if dtype_name != "uint8":
        neg = dyngraph.tensor(np.array([-1, -8, -128], dtype=dtype_name))
        np.testing.assert_array_equal(to_np(neg >> 2), np.right_shift(np.array([-1, -8, -128], dtype=dtype_name), 2))
        np.testing.assert_array_equal(to_np(neg >> bits), [-1, -1, -1])
    top = dyngraph.tensor(np.array([1], dtype=dtype_name)) << (bits - 1)
    assert to_np(top)[0] == np.left_shift(np.array([1], dtype=dtype_name), bits - 1)[0]


def test_shift_promotion_and_negative_amounts():
    y = dyngraph.tensor([1, 2], dtype=dyngraph.int32) << dyngraph.tensor([1, 2], dtype=dyngraph.int64)
    assert y.dtype is dyngraph.int64
    np.testing.assert_array_equal(to_np(y), [2, 8])
    np.testing.assert_array_equal(to_np(dyngraph.tensor([1, 2]) >> -1), [0, 0])
    np.testing.assert_array_equal(to_np(dyngraph.tensor([1, -2]) << -1), [0, 0])


def test_logical_inplace_keeps_dtype():
    f = dyngraph.tensor([1.5, 0.0, 2.0])
    assert f.logical_and_(dyngraph.tensor([1.0, 1.0, 0.0])) is f
    assert f.dtype is dyngraph.float32
    np.testing.assert_array_equal(to_np(f), [1.0, 0.0, 0.0])
    i = dyngraph.tensor([1, 0, 0])
    i.logical_or_(dyngraph.tensor([0, 0, 3]))
    assert i.dtype is dyngraph.int64
    np.testing.assert_array_equal(to_np(i), [1, 0, 1])


# ---- layouts ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("op", BINARY, ids=repr)
def test_broadcast_and_noncontiguous(op):
    if op.kind == "bitwise":
        base_a = np.arange(1, 25, dtype=np.int64).reshape(4, 6)
        base_b = np.array([[1], [2], [3]], dtype=np.int64)
    else:
        base_a = (np.arange(24, dtype=np.float64).reshape(4, 6) - 11.5) / 4
        if op.a_dom == "pos":
            base_a = np.abs(base_a) + 0.25
        base_b = np.array([[1.25], [-0.75], [2.5]])
    a_np = base_a.T[::2]  # (3, 4) strided view
    ta = dyngraph.tensor(base_a).t()[::2]
    assert not ta.is_contiguous()
    tb = dyngraph.tensor(base_b).expand(3, 4)  # stride-0 expanded operand
    y = fn(op)(ta, tb)
    assert tuple(y.shape) == (3, 4)
    with np.errstate(all="ignore"):
        exp = op.ref(a_np, np.broadcast_to(base_b, (3, 4)))
    np.testing.assert_allclose(to_np(y).astype(np.float64), np.asarray(exp, dtype=np.float64), rtol=1e-14)
    r = fn(op)(dyngraph.tensor(base_b), ta)  # (3, 1) with (3, 4)
    with np.errstate(all="ignore"):
        exp_r = op.ref(base_b, a_np)
    np.testing.assert_allclose(to_np(r).astype(np.float64), np.asarray(exp_r, dtype=np.float64), rtol=1e-14)


def test_zero_dim_and_empty_operands():
    a = dyngraph.tensor(2.0)
    y = dyngraph.atan2(a, dyngraph.tensor([1.0, -1.0]))
    np.testing.assert_allclose(to_np(y), np.arctan2(2.0, [1.0, -1.0]), rtol=1e-7)
    s = dyngraph.maximum(dyngraph.tensor(3), dyngraph.tensor(7))
    assert tuple(s.shape) == () and s.item() == 7
    e = dyngraph.pow(dyngraph.zeros(0, 2), dyngraph.tensor([1.0, 2.0]))
    assert tuple(e.shape) == (0, 2)
    # a 0-d tensor does not raise the result dtype of a higher-dim one (PyTorch's category rules)
    w = dyngraph.maximum(dyngraph.tensor([1, 2], dtype=dyngraph.int8), dyngraph.tensor(1000))
    assert w.dtype is dyngraph.int8


# ---- autograd --------------------------------------------------------------------------------------------


def grad_pair(op):
    a = np.array(GRAD_A_POS if op.a_dom == "pos" else GRAD_A, dtype=np.float64)
    b = np.array(GRAD_B, dtype=np.float64)
    return dyngraph.tensor(a).requires_grad_(True), dyngraph.tensor(b).requires_grad_(True)


@pytest.mark.parametrize("op", DIFF, ids=repr)
def test_gradcheck_tensor_tensor(op):
    a, b = grad_pair(op)
    assert gradcheck(lambda x, y: fn(op)(x, y), (a, b))


@pytest.mark.parametrize("op", DIFF, ids=repr)
def test_gradcheck_broadcast(op):
    a, b = grad_pair(op)
    b1 = b[0].detach()  # (3,) broadcast against (2, 3)
    b1 = (b1.abs() if op.a_dom == "pos" else b1).requires_grad_(True)  # b1 is also a base below
    assert gradcheck(lambda x, y: fn(op)(x, y), (a, b1))
    assert gradcheck(lambda y, x: fn(op)(y, x), (b1, a))


@pytest.mark.parametrize("op", DIFF, ids=repr)
def test_gradcheck_tensor_scalar(op):
    a, _ = grad_pair(op)
    assert gradcheck(lambda x: fn(op)(x, 0.7), (a,))


@pytest.mark.parametrize("op", [op for op in DIFF if op.gradgrad], ids=repr)
def test_gradgradcheck(op):
    a, b = grad_pair(op)
    assert gradgradcheck(lambda x, y: fn(op)(x, y), (a, b))


@pytest.mark.parametrize("f", [lambda x: 2.0 ** x, lambda x: dyngraph.pow(1.5, x), lambda x: x ** 3,
                               lambda x: dyngraph.pow(x.abs(), -1.5),
                               lambda x: dyngraph.float_power(x.abs(), 2.5), lambda x: 5.3 % x,
                               lambda x: x % 0.9, lambda x: x.clone().pow_(2.0), lambda x: x.clone().atan2_(x * 2 + 5)],
                         ids=["rpow", "pow_scalar_base", "pow_int_exp", "pow_neg_exp", "float_power", "rmod",
                              "mod", "pow_", "atan2_"])
def test_gradcheck_scalar_forms(f):
    a, _ = grad_pair(BY_NAME["maximum"])
    assert gradcheck(f, (a,))
    assert gradgradcheck(f, (a,))


def test_pow_gradient_at_zero_base():
    """d/dx x**2 at 0 is 0; d/dy 0**y for y > 0 is 0 (not nan from log(0))."""
    x = dyngraph.tensor([0.0, 1.0], dtype=dyngraph.float64).requires_grad_(True)
    y = dyngraph.tensor([2.0, 2.0], dtype=dyngraph.float64).requires_grad_(True)
    dyngraph.pow(x, y).sum().backward()
    np.testing.assert_array_equal(to_np(x.grad), [0.0, 2.0])
    np.testing.assert_array_equal(to_np(y.grad), [0.0, 0.0])


def test_maximum_tie_splits_gradient():
    a = dyngraph.tensor([1.0, 2.0, 3.0]).requires_grad_(True)
    b = dyngraph.tensor([1.0, 3.0, 2.0]).requires_grad_(True)
    dyngraph.maximum(a, b).sum().backward()
    np.testing.assert_array_equal(to_np(a.grad), [0.5, 0.0, 1.0])
    np.testing.assert_array_equal(to_np(b.grad), [0.5, 1.0, 0.0])
    a.grad = None
    b.grad = None
    dyngraph.minimum(a, b).sum().backward()
    np.testing.assert_array_equal(to_np(a.grad), [0.5, 1.0, 0.0])
    np.testing.assert_array_equal(to_np(b.grad), [0.5, 0.0, 1.0])


def test_fmax_fmin_tie_gradient_goes_to_first_input():
    """PyTorch's fmax/fmin backward does not split ties: self gets the gradient where self >= other (fmax) /
    self <= other (fmin), other only where it strictly wins."""
    a = dyngraph.tensor([1.0, 2.0, 3.0]).requires_grad_(True)
    b = dyngraph.tensor([1.0, 3.0, 2.0]).requires_grad_(True)
    dyngraph.fmax(a, b).sum().backward()
    np.testing.assert_array_equal(to_np(a.grad), [1.0, 0.0, 1.0])
    np.testing.assert_array_equal(to_np(b.grad), [0.0, 1.0, 0.0])
    a.grad = None
    b.grad = None
    dyngraph.fmin(a, b).sum().backward()
    np.testing.assert_array_equal(to_np(a.grad), [1.0, 1.0, 0.0])
    np.testing.assert_array_equal(to_np(b.grad), [0.0, 0.0, 1.0])


@pytest.mark.parametrize("f", [lambda x: dyngraph.div(x, 0.7, rounding_mode="trunc"),
                               lambda x: dyngraph.div(x, 0.7, rounding_mode="floor"),
                               lambda x: dyngraph.div(x, x * 0 + 0.7, rounding_mode="floor")],
                         ids=["div_trunc", "div_floor", "div_floor_tensor"])
def test_rounding_division_has_zero_grad(f):
    """PyTorch attaches div(rounding_mode=...) to the graph with a zero derivative."""
    a, _ = grad_pair(BY_NAME["maximum"])
    y = f(a)
    assert y.requires_grad
    (g,) = dyngraph.autograd.grad(y.sum(), a)
    np.testing.assert_array_equal(to_np(g), np.zeros((2, 3)))


@pytest.mark.parametrize("f", [lambda x: dyngraph.floor_divide(x, 0.7), lambda x: x // 0.7,
                               lambda x: dyngraph.floor_divide(x, x * 0 + 0.7)],
                         ids=["floor_divide", "floordiv_op", "floor_divide_tensor"])
def test_floor_divide_output_is_attached_to_graph(f):
    """PyTorch: floor_divide of a tensor that requires grad gives an output that requires grad (its backward then
    raises "derivative for aten::floor_divide is not implemented"; a zero gradient would do as well)."""
    a, _ = grad_pair(BY_NAME["maximum"])
    y = f(a)
    assert y.requires_grad
    try:
        (g,) = dyngraph.autograd.grad(y.sum(), a)
    except RuntimeError:
        return
    np.testing.assert_array_equal(to_np(g), np.zeros((2, 3)))


@pytest.mark.parametrize("op", [op for op in BINARY if op.kind == "logical"], ids=repr)
def test_logical_outputs_do_not_require_grad(op):
    a, b = grad_pair(op)
    y = fn(op)(a, b)
    assert y.dtype is dyngraph.bool and not y.requires_grad and y.grad_fn is None


def test_integer_results_do_not_require_grad():
    y = dyngraph.bitwise_and(dyngraph.tensor([1, 2]), dyngraph.tensor([3, 3]))
    assert not y.requires_grad


@pytest.mark.parametrize("name", ["maximum", "atan2", "remainder"])
def test_inplace_on_output_of_binary_op(name):
    """These save their inputs only (PyTorch): an in-place change of their output must not break backward."""
    a = dyngraph.tensor([0.5, 1.5], dtype=dyngraph.float64).requires_grad_(True)
    b = dyngraph.tensor([2.0, -1.0], dtype=dyngraph.float64)
    y = getattr(dyngraph, name)(a, b)
    y.mul_(2.0)
    y.sum().backward()
    d = {"maximum": [0.0, 1.0], "atan2": [2.0 / 4.25, -1.0 / 3.25], "remainder": [1.0, 1.0]}[name]
    np.testing.assert_allclose(to_np(a.grad), 2 * np.array(d), rtol=1e-12)


# ---- optional cross-check against PyTorch itself -------------------------------------------------------


@pytest.mark.parametrize("pair", [("int64", "int64"), ("int32", "float16"), ("float32", "float32"),
                                  ("uint8", "int8"), ("float64", "bool"), ("bool", "bool")],
                         ids=lambda p: f"{p[0]}-{p[1]}")
def test_against_torch(pair):
    """Extra oracle: each registry op and float_power agrees with torch (dtype, values, raising)."""
    torch = pytest.importorskip("torch")
    a_np = np.array([[7, 1, 3, 0], [2, 5, 9, 4]])
    b_np = np.array([2, 3, 1, 5])
    if pair[0] in ("int64", "int32", "int8", "float32", "float64"):
        a_np = a_np - 4
    a_np, b_np = a_np.astype(pair[0]), b_np.astype(pair[1])
    failures = []
    for name in [op.name for op in BINARY] + ["float_power"]:
        try:
            t = getattr(torch, name)(torch.tensor(a_np), torch.tensor(b_np))
        except Exception:
            t = None
        try:
            d = getattr(dyngraph, name)(dyngraph.tensor(a_np), dyngraph.tensor(b_np))
        except RuntimeError:
            d = None
        if t is None or d is None:
            if (t is None) != (d is None):
                failures.append((name, "raises" if t is None else t.dtype, "raises" if d is None else d.dtype))
            continue
        if str(t.dtype).split(".")[-1] != str(d.dtype).split(".")[-1]:
            failures.append((name, t.dtype, d.dtype))
        elif not np.allclose(to_np(d).astype(np.float64), t.numpy().astype(np.float64), rtol=1e-3, equal_nan=True):
            failures.append((name, t.numpy(), to_np(d)))
    assert not failures, failures
