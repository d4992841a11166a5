"""where / Tensor.where, clamp / clip / clamp_ / clamp_min / clamp_max, lerp, addcmul / addcdiv (and their
in-place forms), isclose / allclose / equal, vs NumPy: values, type promotion, scalars, broadcasting,
non-contiguous inputs, errors, and gradients (gradcheck / gradgradcheck in float64).

The op registry (TERNARY) holds the differentiable composites, one entry each, for the gradient tests."""

import math

import numpy as np
import pytest

import dyngraph
from conftest import dt, from_np, to_np
from dyngraph.autograd import gradcheck, gradgradcheck

INF, NAN = math.inf, math.nan

# ---- where ---------------------------------------------------------------------------------------------

COND = np.array([[True, False, True], [False, False, True]])


@pytest.mark.parametrize("a_name, b_name, want", [
    ("float32", "float32", "float32"), ("int64", "float32", "float32"), ("int8", "int16", "int16"),
    ("uint8", "int8", "int16"), ("float16", "bfloat16", "float32"), ("bool", "bool", "bool"),
    ("bool", "uint8", "uint8"), ("int32", "complex64", "complex64"), ("float64", "float16", "float64"),
])
def test_where_tensors_promote(a_name, b_name, want):
    a = np.array([[1, 2, 3], [4, 5, 6]])
    b = np.array([7, 0, 9])
    ta = from_np(a.astype(np.float32 if a_name == "bfloat16" else a_name), a_name)
    tb = from_np(b.astype(np.float32 if b_name == "bfloat16" else b_name), b_name)
    y = dyngraph.where(dyngraph.tensor(COND), ta, tb)
    assert y.dtype is dt(want)
    assert tuple(y.shape) == (2, 3)
    exp = np.where(COND, a.astype(a_name if a_name != "bfloat16" else "float32"),
                   b.astype(b_name if b_name != "bfloat16" else "float32"))
    np.testing.assert_array_equal(to_np(y), exp.astype(want if want != "bfloat16" else "float32"))


@pytest.mark.parametrize("a, b, want", [
    (lambda: dyngraph.tensor([1, 2, 3]), 0, "int64"),
    (lambda: dyngraph.tensor([1, 2, 3]), 0.5, "float32"),
    (0.5, lambda: dyngraph.tensor([1, 2, 3]), "float32"),
    (lambda: dyngraph.tensor([1, 2, 3], dtype=dyngraph.int8), 100, "int8"),
    (lambda: dyngraph.tensor([1.0, 2.0, 3.0], dtype=dyngraph.float16), 7.5, "float16"),
    (lambda: dyngraph.tensor([1, 2, 3], dtype=dyngraph.int16), 1 + 1j, "complex64"),
    (1, 0, "int64"), (1.0, 0, "float32"), (True, False, "bool"), (2, 7.5, "float32"), (1 + 1j, 7.5, "complex64"),
    (lambda: dyngraph.tensor(5.0, dtype=dyngraph.float64), lambda: dyngraph.tensor([1.0, 2.0, 3.0]), "float32"),
])
def test_where_scalars_and_zero_dim(a, b, want):
    cond = np.array([True, False, True])
    av = a() if callable(a) else a
    bv = b() if callable(b) else b
    y = dyngraph.where(dyngraph.tensor(cond), av, bv)
    assert y.dtype is dt(want), (y.dtype, want)
    an = to_np(av) if isinstance(av, dyngraph.Tensor) else av
    bn = to_np(bv) if isinstance(bv, dyngraph.Tensor) else bv
    np.testing.assert_array_equal(to_np(y), np.broadcast_to(np.where(cond, an, bn), (3,)).astype(to_np(y).dtype))


def test_where_scalar_out_of_range_for_dtype_raises():
    """PyTorch: where(cond, int8_tensor, 300) -> "value cannot be converted to type int8_t without overflow"."""
    with pytest.raises(RuntimeError):
        dyngraph.where(dyngraph.tensor([True, False]), dyngraph.tensor([1, 2], dtype=dyngraph.int8), 300)


def test_where_broadcasts_all_three():
    cond = dyngraph.tensor([[True], [False]])
    a = dyngraph.tensor([1.0, 2.0, 3.0])
    b = dyngraph.tensor([[9.0], [8.0]])
    y = dyngraph.where(cond, a, b)
    np.testing.assert_array_equal(to_np(y), [[1.0, 2.0, 3.0], [8.0, 8.0, 8.0]])


def test_where_noncontiguous():
    base = np.arange(12, dtype=np.float64).reshape(3, 4)
    a = dyngraph.tensor(base).t()  # (4, 3)
    cond_np = (base.T % 3) == 0
    cond = dyngraph.tensor(cond_np.T.copy()).t()
    assert not a.is_contiguous() and not cond.is_contiguous()
    y = dyngraph.where(cond, a, -a)
    np.testing.assert_array_equal(to_np(y), np.where(cond_np, base.T, -base.T))


def test_tensor_where_method():
    x = dyngraph.tensor([1.0, 2.0, 3.0])
    c = dyngraph.tensor([True, False, False])
    np.testing.assert_array_equal(to_np(x.where(c, dyngraph.tensor([7.0, 8.0, 9.0]))), [1.0, 8.0, 9.0])
    np.testing.assert_array_equal(to_np(x.where(c, 0)), [1.0, 0.0, 0.0])
    i = dyngraph.tensor([1, 2]).where(dyngraph.tensor([True, False]), 7.5)
    assert i.dtype is dyngraph.float32
    np.testing.assert_array_equal(to_np(i), [1.0, 7.5])


@pytest.mark.parametrize("cond_dtype", ["int64", "float32", "int8"])
def test_where_condition_must_be_bool(cond_dtype):
    """PyTorch raises RuntimeError: "where expected condition to be a boolean tensor, but got a tensor with
    dtype Long"."""
    cond = dyngraph.tensor(np.array([1, 0]).astype(cond_dtype))
    with pytest.raises(RuntimeError):
        dyngraph.where(cond, dyngraph.tensor([1, 2]), 0)


def test_where_uint8_condition_accepted():
    y = dyngraph.where(dyngraph.tensor(np.array([1, 0, 2], dtype=np.uint8)), dyngraph.tensor([1, 2, 3]), 0)
    np.testing.assert_array_equal(to_np(y), [1, 0, 3])


# ---- clamp ---------------------------------------------------------------------------------------------

X = np.array([[-2.5, -1.0, 0.0], [0.5, 2.0, 7.25]])


@pytest.mark.parametrize("dtype_name", ["float16", "bfloat16", "float32", "float64", "int8", "int32", "int64"])
@pytest.mark.parametrize("lo, hi", [(-1, 2), (None, 1), (0, None), (3, 1)], ids=["both", "max", "min", "lo>hi"])
def test_clamp_scalar_bounds(dtype_name, lo, hi):
    vals = (X * 2).astype(np.int64) if dtype_name.startswith("int") else X
    x = from_np(vals.astype(np.float32 if dtype_name == "bfloat16" else dtype_name), dtype_name)
    y = dyngraph.clamp(x, lo, hi)
    assert y.dtype is dt(dtype_name)
    exp = vals.astype(np.float64)
    if lo is not None:
        exp = np.maximum(exp, lo)
    if hi is not None:
        exp = np.minimum(exp, hi)  # lo > hi: everything becomes hi (PyTorch's min(max(x, lo), hi))
    np.testing.assert_array_equal(to_np(y).astype(np.float64), exp)
    np.testing.assert_array_equal(to_np(dyngraph.clip(x, lo, hi)).astype(np.float64), exp)
    np.testing.assert_array_equal(to_np(x.clamp(min=lo, max=hi)).astype(np.float64), exp)
    np.testing.assert_array_equal(to_np(x.clip(lo, hi)).astype(np.float64), exp)


def test_clamp_requires_a_bound():
    with pytest.raises(RuntimeError, match="At least one of 'min' or 'max'"):
        dyngraph.clamp(dyngraph.tensor([1.0]))


def test_clamp_int_tensor_float_bound_promotes():
    y = dyngraph.clamp(dyngraph.tensor([-2, 0, 5]), 0.5, 3)
    assert y.dtype is dyngraph.float32
    np.testing.assert_array_equal(to_np(y), [0.5, 0.5, 3.0])
    m = dyngraph.clamp(dyngraph.tensor([1, 5], dtype=dyngraph.int8), None, 4.5)
    assert m.dtype is dyngraph.float32
    np.testing.assert_array_equal(to_np(m), [1.0, 4.5])


def test_clamp_bound_out_of_range_for_dtype_raises():
    """PyTorch: clamp(uint8_tensor, 1, 300) -> "value cannot be converted to type uint8_t without overflow"
    (it must not wrap 300 to 44)."""
    x = dyngraph.tensor(np.array([254, 0, 5], dtype=np.uint8))
    with pytest.raises(RuntimeError):
        dyngraph.clamp(x, 1, 300)


def test_clamp_nan():
    x = dyngraph.tensor([-2.0, NAN, 5.0])
    np.testing.assert_array_equal(to_np(dyngraph.clamp(x, -1, 3)), [-1.0, NAN, 3.0])  # nan input stays nan
    np.testing.assert_array_equal(to_np(dyngraph.clamp(x, min=NAN)), [NAN, NAN, NAN])  # nan bound -> nan
    t = dyngraph.clamp(x, dyngraph.tensor([NAN, 0.0, 0.0]), dyngraph.tensor([1.0, 1.0, NAN]))
    np.testing.assert_array_equal(to_np(t), [NAN, NAN, NAN])


@pytest.mark.parametrize("lo_shape, hi_shape", [((3,), (2, 3)), ((2, 1), None), (None, (3,)), ((), ())])
def test_clamp_tensor_bounds(lo_shape, hi_shape):
    rng = np.random.default_rng(3)
    lo = None if lo_shape is None else rng.uniform(-1.5, 0.5, lo_shape)
    hi = None if hi_shape is None else rng.uniform(0.0, 2.0, hi_shape)
    x = dyngraph.tensor(X)
    y = dyngraph.clamp(x, None if lo is None else dyngraph.tensor(lo), None if hi is None else dyngraph.tensor(hi))
    exp = X
    if lo is not None:
        exp = np.maximum(exp, lo)
    if hi is not None:
        exp = np.minimum(exp, hi)
    assert tuple(y.shape) == (2, 3)
    np.testing.assert_allclose(to_np(y), exp, rtol=0)
    if lo is not None and hi is not None:
        np.testing.assert_allclose(to_np(x.clip(dyngraph.tensor(lo), dyngraph.tensor(hi))), exp, rtol=0)


def test_clamp_tensor_bounds_promote():
    y = dyngraph.clamp(dyngraph.tensor([-2, 0, 5]), dyngraph.tensor([0.5]), dyngraph.tensor([3]))
    assert y.dtype is dyngraph.float32
    np.testing.assert_array_equal(to_np(y), [0.5, 0.5, 3.0])
    h = dyngraph.clamp(dyngraph.tensor([1.0, 5.0], dtype=dyngraph.float16),
                       dyngraph.tensor(2.0, dtype=dyngraph.float64))
    assert h.dtype is dyngraph.float16  # a 0-d bound does not raise the category's dtype
    np.testing.assert_array_equal(to_np(h), [2.0, 5.0])


def test_clamp_inplace_scalar():
    x = dyngraph.tensor(X)
    ptr = x.untyped_storage_ptr()
    assert x.clamp_(-1, 1) is x
    assert x.untyped_storage_ptr() == ptr
    np.testing.assert_array_equal(to_np(x), np.clip(X, -1, 1))
    y = dyngraph.tensor(X)
    assert y.clip_(min=0) is y
    np.testing.assert_array_equal(to_np(y), np.maximum(X, 0))
    v = dyngraph.tensor(X)
    v[:, ::2].clamp_(max=0.0)
    exp = X.copy()
    exp[:, ::2] = np.minimum(exp[:, ::2], 0.0)
    np.testing.assert_array_equal(to_np(v), exp)


def test_clamp_inplace_int_with_float_bound_raises():
    with pytest.raises(RuntimeError):
        dyngraph.tensor([-2, 0, 5]).clamp_(0.5, 3)


def test_clamp_inplace_tensor_bounds():
    """PyTorch: Tensor.clamp_(min=Tensor, max=Tensor)."""
    x = dyngraph.tensor([-2.0, 0.0, 5.0])
    assert x.clamp_(dyngraph.tensor([0.0, 1.0, 2.0]), dyngraph.tensor([1.0, 1.5, 3.0])) is x
    np.testing.assert_array_equal(to_np(x), [0.0, 1.0, 3.0])


def test_clamp_min_max():
    x = dyngraph.tensor(X)
    np.testing.assert_array_equal(to_np(dyngraph.clamp_min(x, 0.5)), np.maximum(X, 0.5))
    np.testing.assert_array_equal(to_np(dyngraph.clamp_max(x, 0.5)), np.minimum(X, 0.5))
    np.testing.assert_array_equal(to_np(x.clamp_min(-1)), np.maximum(X, -1))
    np.testing.assert_array_equal(to_np(x.clamp_max(-1)), np.minimum(X, -1))
    i = dyngraph.clamp_min(dyngraph.tensor([-2, 0, 5]), 1.5)
    assert i.dtype is dyngraph.float32
    np.testing.assert_array_equal(to_np(i), [1.5, 1.5, 5.0])


def test_clamp_complex_raises():
    with pytest.raises(RuntimeError):
        dyngraph.clamp(dyngraph.tensor([1 + 1j]), 0, 1)


# ---- lerp ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype_name", ["float16", "bfloat16", "float32", "float64"])
@pytest.mark.parametrize("weight", [0.25, 0.5, 0.75, 1.0, -0.5, 2.0, "tensor"])
def test_lerp_values(dtype_name, weight):
    start = np.array([[0.0, 1.0, -2.0], [4.0, -8.0, 0.5]])
    end = np.array([10.0, 3.0, -1.0])
    w = np.array([0.25, 0.5, 1.0]) if weight == "tensor" else weight
    cast = (lambda a: from_np(np.asarray(a, dtype=np.float32), dtype_name)) if dtype_name == "bfloat16" else \
        (lambda a: dyngraph.tensor(np.asarray(a, dtype=dtype_name)))
    wt = cast(w) if weight == "tensor" else w
    y = dyngraph.lerp(cast(start), cast(end), wt)
    assert y.dtype is dt(dtype_name)
    exp = start + np.asarray(w) * (end - start)
    tol = {"float16": 2e-3, "bfloat16": 1e-2}.get(dtype_name, 1e-6)
    np.testing.assert_allclose(to_np(y).astype(np.float64), exp, rtol=tol, atol=tol)
    np.testing.assert_allclose(to_np(cast(start).lerp(cast(end), wt)).astype(np.float64), exp, rtol=tol, atol=tol)


def test_lerp_weight_one_gives_end_exactly():
    """PyTorch computes weight < 0.5 ? start + w * (end - start) : end - (end - start) * (1 - w), so weight 1 returns
    end exactly even when start and end differ by many orders of magnitude."""
    start = dyngraph.tensor([1e8, 1.0, -3e7])
    end = dyngraph.tensor([1.0, 1e8, 0.1])
    np.testing.assert_array_equal(to_np(dyngraph.lerp(start, end, 1.0)), to_np(end))
    np.testing.assert_array_equal(to_np(dyngraph.lerp(start, end, dyngraph.tensor([1.0, 1.0, 1.0]))), to_np(end))
    np.testing.assert_array_equal(to_np(dyngraph.lerp(start, end, 0.0)), to_np(start))


def test_lerp_broadcast_and_zero_dim_weight():
    y = dyngraph.lerp(dyngraph.tensor([[0.0], [1.0]]), dyngraph.tensor([10.0, 3.0]), dyngraph.tensor(0.5))
    np.testing.assert_array_equal(to_np(y), [[5.0, 1.5], [5.5, 2.0]])


@pytest.mark.parametrize("start, end, weight", [
    (lambda: dyngraph.tensor([0.0, 1.0], dtype=dyngraph.float64), lambda: dyngraph.tensor([10.0, 3.0]), 0.25),
    (lambda: dyngraph.tensor([0.0, 1.0]), lambda: dyngraph.tensor([10.0, 3.0]),
     lambda: dyngraph.tensor([0.5], dtype=dyngraph.float64)),
    (lambda: dyngraph.tensor([0, 1]), lambda: dyngraph.tensor([10, 3]), 0.25),
], ids=["start-end-mismatch", "weight-mismatch", "integer"])
def test_lerp_dtype_errors(start, end, weight):
    """PyTorch requires start, end (and a tensor weight) to share one floating dtype: "expected dtype double for
    `end` but got dtype float"; integer inputs: "lerp_kernel_scalar" not implemented for 'Long'."""
    with pytest.raises(RuntimeError):
        dyngraph.lerp(start(), end(), weight() if callable(weight) else weight)


def test_lerp_complex():
    a = np.array([0j, 1 + 1j])
    b = np.array([10j, 3 - 1j])
    y = dyngraph.lerp(dyngraph.tensor(a), dyngraph.tensor(b), 0.5)
    np.testing.assert_allclose(to_np(y), a + 0.5 * (b - a), rtol=1e-6)


# ---- addcmul / addcdiv ------------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype_name", ["float16", "float32", "float64"])
@pytest.mark.parametrize("value", [1, 0.5, -2, 0])
@pytest.mark.parametrize("name", ["addcmul", "addcdiv"])
def test_addcmul_addcdiv_values(name, value, dtype_name):
    t = np.array([[1.0, 2.0, -3.0], [0.5, 0.0, 4.0]], dtype=dtype_name)
    a = np.array([2.0, -3.0, 0.5], dtype=dtype_name)
    b = np.array([[4.0], [-0.5]], dtype=dtype_name)
    f = getattr(dyngraph, name)
    y = f(dyngraph.tensor(t), dyngraph.tensor(a), dyngraph.tensor(b), value=value)
    assert y.dtype is dt(dtype_name)
    assert tuple(y.shape) == (2, 3)
    t64, a64, b64 = t.astype(np.float64), a.astype(np.float64), b.astype(np.float64)
    exp = t64 + value * (a64 * b64 if name == "addcmul" else a64 / b64)
    tol = 2e-3 if dtype_name == "float16" else 1e-6
    np.testing.assert_allclose(to_np(y).astype(np.float64), exp, rtol=tol, atol=tol)
    m = getattr(dyngraph.tensor(t), name)(dyngraph.tensor(a), dyngraph.tensor(b), value=value)
    np.testing.assert_allclose(to_np(m).astype(np.float64), exp, rtol=tol, atol=tol)
    inplace = dyngraph.tensor(t)
    ptr = inplace.untyped_storage_ptr()
    assert getattr(inplace, name + "_")(dyngraph.tensor(a), dyngraph.tensor(b), value=value) is inplace
    assert inplace.untyped_storage_ptr() == ptr
    np.testing.assert_allclose(to_np(inplace).astype(np.float64), exp, rtol=tol, atol=tol)


def test_addcmul_integer_and_promotion():
    y = dyngraph.addcmul(dyngraph.tensor([1, 2]), dyngraph.tensor([2, 3]), dyngraph.tensor([4, 5]), value=2)
    assert y.dtype is dyngraph.int64
    np.testing.assert_array_equal(to_np(y), [17, 32])
    p = dyngraph.addcmul(dyngraph.tensor([1, 2]), dyngraph.tensor([2.0, 3.0]), dyngraph.tensor([4, 5]))
    assert p.dtype is dyngraph.float32
    np.testing.assert_array_equal(to_np(p), [9.0, 17.0])
    d = dyngraph.addcdiv(dyngraph.tensor([1, 2]), dyngraph.tensor([2.0, 3.0]), dyngraph.tensor([4, 5]))
    assert d.dtype is dyngraph.float32
    np.testing.assert_allclose(to_np(d), [1.5, 2.6], rtol=1e-7)


def test_addcdiv_integer_division_raises():
    with pytest.raises(RuntimeError, match="Integer division with addcdiv"):
        dyngraph.addcdiv(dyngraph.tensor([1.0, 2.0]), dyngraph.tensor([2, 3]), dyngraph.tensor([4, 5]))


def test_addcdiv_by_zero_is_ieee():
    y = dyngraph.addcdiv(dyngraph.tensor([1.0, 2.0, 0.0]), dyngraph.tensor([2.0, -3.0, 0.0]),
                         dyngraph.tensor([0.0, 0.0, 0.0]))
    np.testing.assert_array_equal(to_np(y), [INF, -INF, NAN])


def test_addcmul_inplace_result_dtype_check():
    """PyTorch: int_tensor.addcmul_(float, float) -> "result type Float can't be cast to the desired output type
    Long"; and the broadcast shape must fit self."""
    with pytest.raises(RuntimeError):
        dyngraph.tensor([1, 2]).addcmul_(dyngraph.tensor([2.0, 3.0]), dyngraph.tensor([4.0, 5.0]))
    with pytest.raises(RuntimeError):
        dyngraph.tensor([1.0]).addcmul_(dyngraph.tensor([2.0, 3.0]), dyngraph.tensor([4.0, 5.0]))


# ---- isclose / allclose / equal -----------------------------------------------------------------------------


def _isclose_ref(a, b, rtol, atol, equal_nan):
    """|a - b| <= atol + rtol * |b| (finite), exact equality (infinities), NaN == NaN only with equal_nan."""
    out = []
    for x, y in zip(a, b):
        if math.isnan(x) or math.isnan(y):
            out.append(equal_nan and math.isnan(x) and math.isnan(y))
        elif x == y:
            out.append(True)
        elif math.isinf(x) or math.isinf(y):
            out.append(False)
        else:
            out.append(abs(x - y) <= atol + rtol * abs(y))
    return np.array(out)


ISCLOSE_A = [1.0, 1.0 + 1e-6, NAN, INF, INF, 1.0, 1e10, 0.0, 1e-9, -INF, 2.0, NAN]
ISCLOSE_B = [1.0, 1.0, NAN, INF, -INF, 1.1, 1.00001e10, 1e-9, 0.0, -INF, 2.5, 1.0]


@pytest.mark.parametrize("dtype_name", ["float32", "float64"])
@pytest.mark.parametrize("rtol, atol, equal_nan", [(1e-5, 1e-8, False), (1e-5, 1e-8, True), (0.1, 0.0, False),
                                                    (0.0, 0.5, False), (0.0, 0.0, True)])
def test_isclose_floats(dtype_name, rtol, atol, equal_nan):
    a = np.array(ISCLOSE_A, dtype=dtype_name)
    b = np.array(ISCLOSE_B, dtype=dtype_name)
    y = dyngraph.isclose(dyngraph.tensor(a), dyngraph.tensor(b), rtol=rtol, atol=atol, equal_nan=equal_nan)
    assert y.dtype is dyngraph.bool
    exp = _isclose_ref(a.astype(np.float64).tolist(), b.astype(np.float64).tolist(), rtol, atol, equal_nan)
    np.testing.assert_array_equal(to_np(y), exp)
    np.testing.assert_array_equal(to_np(dyngraph.tensor(a).isclose(dyngraph.tensor(b), rtol, atol, equal_nan)), exp)
    assert dyngraph.allclose(dyngraph.tensor(a), dyngraph.tensor(b), rtol, atol, equal_nan) == bool(exp.all())
    sub = slice(0, 2)
    assert dyngraph.allclose(dyngraph.tensor(a[sub]), dyngraph.tensor(b[sub]), rtol, atol, equal_nan) == \
        bool(exp[sub].all())


@pytest.mark.parametrize("dtype_name", ["int64", "int32", "uint8"])
@pytest.mark.parametrize("rtol, atol", [(1e-5, 1e-8), (0.0, 1.0), (0.5, 0.0), (0.0, 4.0), (0.0, 3.9)])
def test_isclose_integers_use_tolerances(dtype_name, rtol, atol):
    """Integer tensors are compared with the same |a - b| <= atol + rtol * |b| rule (PyTorch:
    isclose([1, 2], [1, 3], atol=1) is [True, True]); uint8 differences are taken without wrapping."""
    a = [1, 2, 5, 7, 0]
    b = [1, 3, 1, 7, 4]
    y = dyngraph.isclose(dyngraph.tensor(np.array(a, dtype=dtype_name)), dyngraph.tensor(np.array(b, dtype=dtype_name)),
                         rtol=rtol, atol=atol)
    exp = [abs(x - z) <= atol + rtol * abs(z) for x, z in zip(a, b)]
    np.testing.assert_array_equal(to_np(y), exp)


def test_isclose_bool_and_complex():
    b = dyngraph.isclose(dyngraph.tensor([True, False]), dyngraph.tensor([True, True]))
    np.testing.assert_array_equal(to_np(b), [True, False])
    za = np.array([1 + 1j, 2j, complex(NAN, 0)])
    zb = np.array([1 + 1j, 2.1j, complex(NAN, 0)])
    y = dyngraph.isclose(dyngraph.tensor(za), dyngraph.tensor(zb), rtol=0.01, equal_nan=True)
    np.testing.assert_array_equal(to_np(y), [True, False, True])
    y2 = dyngraph.isclose(dyngraph.tensor(za), dyngraph.tensor(zb), rtol=0.1)
    np.testing.assert_array_equal(to_np(y2), [True, True, False])


def test_isclose_broadcasts():
    y = dyngraph.isclose(dyngraph.tensor([1.0, 2.0]), dyngraph.tensor([[1.0], [2.0]]))
    np.testing.assert_array_equal(to_np(y), [[True, False], [False, True]])
    assert dyngraph.allclose(dyngraph.tensor([1.0, 2.0]), dyngraph.tensor([[1.0, 2.0], [1.0, 2.0]]))


def test_isclose_errors():
    with pytest.raises(RuntimeError):
        dyngraph.isclose(dyngraph.tensor([1, 2]), dyngraph.tensor([1.0, 3.0]))  # dtype mismatch
    with pytest.raises(RuntimeError):
        dyngraph.allclose(dyngraph.tensor([1, 2]), dyngraph.tensor([1.0, 2.0]))


@pytest.mark.parametrize("kw", [{"rtol": -1.0}, {"atol": -1.0}], ids=["rtol", "atol"])
def test_isclose_negative_tolerance_raises(kw):
    """PyTorch: "rtol must be greater than or equal to zero, but got -1" (same for atol)."""
    with pytest.raises(RuntimeError):
        dyngraph.isclose(dyngraph.tensor([1.0]), dyngraph.tensor([1.0]), **kw)


@pytest.mark.parametrize("a, b, want", [
    ([1.0, 2.0], [1.0, 2.0], True), ([1.0, 2.0], [1.0, 2.5], False), ([1.0, 2.0], [[1.0, 2.0]], False),
    ([1.0, NAN], [1.0, NAN], False), ([0.0], [-0.0], True), ([], [], True), ([1.0, 2.0], [1.0], False),
])
def test_equal(a, b, want):
    got = dyngraph.equal(dyngraph.tensor(a), dyngraph.tensor(b))
    assert isinstance(got, bool) and got is want
    assert dyngraph.tensor(a).equal(dyngraph.tensor(b)) is want


def test_equal_across_layouts_and_dtypes():
    x = dyngraph.tensor(np.arange(6.0).reshape(2, 3))
    assert dyngraph.equal(x.t(), dyngraph.tensor(np.arange(6.0).reshape(2, 3).T.copy()))
    assert dyngraph.equal(dyngraph.tensor([1.0, 1.0]), dyngraph.tensor([1.0]).expand(2))
    assert dyngraph.equal(dyngraph.tensor([1, 2]), dyngraph.tensor([1, 2]))
    assert dyngraph.equal(dyngraph.tensor([1.0, 2.0]), dyngraph.tensor([1.0, 2.0], dtype=dyngraph.float64))


# ---- autograd --------------------------------------------------------------------------------------------


class Composite:
    def __init__(self, name, f, shapes, gradgrad=True):
        self.name, self.f, self.shapes, self.gradgrad = name, f, shapes, gradgrad

    def __repr__(self):
        return self.name


LO = np.array([-0.9, -0.35, 0.15])  # tensor bounds kept away from the inputs below
HI = np.array([0.55, 0.95, 1.35])

TERNARY = [
    Composite("where", lambda c, a, b: dyngraph.where(c > 0.1, a, b), [(2, 3), (2, 3), (3,)]),
    Composite("where_scalar", lambda c, a: dyngraph.where(c > 0.1, a, 0.5), [(2, 3), (2, 3)]),
    Composite("tensor_where", lambda c, a, b: a.where(c > 0.1, b), [(2, 3), (2, 3), (2, 3)]),
    Composite("clamp", lambda x: dyngraph.clamp(x, -0.6, 0.8), [(2, 3)]),
    Composite("clamp_min", lambda x: dyngraph.clamp(x, min=-0.6), [(2, 3)]),
    Composite("clamp_max_fn", lambda x: dyngraph.clamp_max(x, 0.4), [(2, 3)]),
    Composite("clip_", lambda x: (x * 1.0).clip_(-0.6, 0.8), [(2, 3)]),
    Composite("clamp_tensor", lambda x, lo, hi: dyngraph.clamp(x, lo, hi), [(2, 3), (3,), (3,)]),
    Composite("lerp_scalar", lambda a, b: dyngraph.lerp(a, b, 0.3), [(2, 3), (2, 3)]),
    Composite("lerp_scalar_hi", lambda a, b: dyngraph.lerp(a, b, 0.8), [(2, 3), (3,)]),
    Composite("lerp_tensor", lambda a, b, w: dyngraph.lerp(a, b, w), [(2, 3), (2, 3), (3,)]),
    Composite("addcmul", lambda t, a, b: dyngraph.addcmul(t, a, b, value=0.5), [(2, 3), (3,), (2, 1)]),
    Composite("addcdiv", lambda t, a, b: dyngraph.addcdiv(t, a, b, value=-2), [(2, 3), (3,), (2, 1)]),
    Composite("addcmul_", lambda t, a, b: (t * 1.0).addcmul_(a, b, value=0.5), [(2, 3), (2, 3), (2, 3)]),
    Composite("addcdiv_", lambda t, a, b: (t * 1.0).addcdiv_(a, b), [(2, 3), (2, 3), (2, 3)]),
]


def composite_inputs(op):
    out = []
    for k, shape in enumerate(op.shapes):
        if op.name == "clamp_tensor" and k > 0:
            arr = (LO if k == 1 else HI).reshape(shape)
        else:
            rng = np.random.default_rng(10 + k)
            arr = rng.uniform(0.2, 1.4, shape) * rng.choice([-1.0, 1.0], shape)
            # keep clamp inputs away from the scalar bounds
            arr = np.where(np.abs(np.abs(arr) - 0.6) < 0.05, arr * 1.2, arr)
            arr = np.where(np.abs(arr - 0.8) < 0.05, 0.7, arr)
            arr = np.where(np.abs(arr - 0.4) < 0.05, 0.3, arr)
            arr = np.where(np.abs(arr - 0.1) < 0.05, 0.3, arr)
        out.append(dyngraph.tensor(np.asarray(arr, dtype=np.float64)).requires_grad_(True))
    return out


@pytest.mark.parametrize("op", TERNARY, ids=repr)
def test_gradcheck(op):
    assert gradcheck(op.f, tuple(composite_inputs(op)))


@pytest.mark.parametrize("op", [op for op in TERNARY if op.gradgrad], ids=repr)
def test_gradgradcheck(op):
    assert gradgradcheck(op.f, tuple(composite_inputs(op)))


def test_where_grad_values():
    a = dyngraph.tensor([1.0, 2.0, 3.0]).requires_grad_(True)
    b = dyngraph.tensor([4.0, 5.0, 6.0]).requires_grad_(True)
    dyngraph.where(dyngraph.tensor([True, False, True]), a, b).sum().backward()
    np.testing.assert_array_equal(to_np(a.grad), [1.0, 0.0, 1.0])
    np.testing.assert_array_equal(to_np(b.grad), [0.0, 1.0, 0.0])


def test_where_grad_broadcast_scalar_branch():
    a = dyngraph.tensor(2.0).requires_grad_(True)  # 0-d, broadcast to (3,)
    y = dyngraph.where(dyngraph.tensor([True, False, True]), a, dyngraph.tensor([0.0, 1.0, 2.0]))
    y.sum().backward()
    assert tuple(a.grad.shape) == ()
    assert a.grad.item() == 2.0


def test_clamp_grad_at_bounds_passes_through():
    """PyTorch's clamp backward masks with min <= x <= max: at a bound the gradient still flows."""
    x = dyngraph.tensor([-1.0, 0.0, 1.0, 2.0, -3.0]).requires_grad_(True)
    dyngraph.clamp(x, -1, 1).sum().backward()
    np.testing.assert_array_equal(to_np(x.grad), [1.0, 1.0, 1.0, 0.0, 0.0])


def test_clamp_tensor_bounds_grad_at_ties():
    """PyTorch (ClampBackward0): x gets the full gradient where min <= x <= max (ties included); min gets it where
    x < min, max where x > max -- no splitting at ties."""
    x = dyngraph.tensor([0.0, 1.0, 2.0]).requires_grad_(True)
    lo = dyngraph.tensor([0.0, 0.5, 2.5]).requires_grad_(True)
    hi = dyngraph.tensor([1.0, 1.0, 3.0]).requires_grad_(True)
    dyngraph.clamp(x, lo, hi).sum().backward()
    np.testing.assert_array_equal(to_np(x.grad), [1.0, 1.0, 0.0])
    np.testing.assert_array_equal(to_np(lo.grad), [0.0, 0.0, 1.0])
    np.testing.assert_array_equal(to_np(hi.grad), [0.0, 0.0, 0.0])


def test_lerp_grad_values():
    a = dyngraph.tensor([0.0, 1.0]).requires_grad_(True)
    b = dyngraph.tensor([4.0, -1.0]).requires_grad_(True)
    w = dyngraph.tensor([0.25, 0.75]).requires_grad_(True)
    dyngraph.lerp(a, b, w).sum().backward()
    np.testing.assert_array_equal(to_np(a.grad), [0.75, 0.25])
    np.testing.assert_array_equal(to_np(b.grad), [0.25, 0.75])
    np.testing.assert_array_equal(to_np(w.grad), [4.0, -2.0])


def test_comparisons_do_not_require_grad():
    a = dyngraph.tensor([1.0, 2.0]).requires_grad_(True)
    y = dyngraph.isclose(a, dyngraph.tensor([1.0, 2.5]))
    assert y.dtype is dyngraph.bool and not y.requires_grad
    assert dyngraph.equal(a, a) is True
    assert dyngraph.allclose(a, a) is True


# ---- optional cross-check against PyTorch itself -------------------------------------------------------


def test_against_torch():
    """Extra oracle: a few calls per composite agree with torch in dtype and values (or both raise)."""
    torch = pytest.importorskip("torch")
    cases = [
        lambda L: L.where(L.tensor([True, False]), L.tensor([1, 2], dtype=L.int8), L.tensor([3.5, 4.5])),
        lambda L: L.where(L.tensor([True, False]), 1, 2.5),
        lambda L: L.where(L.tensor([True, False]), L.tensor([1, 2], dtype=L.int16), 7),
        lambda L: L.clamp(L.tensor([-2, 0, 5]), 0.5, 3),
        lambda L: L.clamp(L.tensor([-2.0, 0.0, 5.0]), L.tensor([0.0, 1.0, 2.0]), L.tensor([1.0, 1.5, 3.0])),
        lambda L: L.clamp(L.tensor([1.0, float("nan")]), 0.0, 0.5),
        lambda L: L.clamp(L.tensor([-1.0, 5.0]), 1.0, -1.0),
        lambda L: L.clamp(L.tensor([254, 0], dtype=L.uint8), 1, 300),
        lambda L: L.lerp(L.tensor([1e8, 1.0]), L.tensor([1.0, 1e8]), 1.0),
        lambda L: L.lerp(L.tensor([0.0, 1.0]), L.tensor([10.0, 3.0]), L.tensor([0.3, 0.9])),
        lambda L: L.addcmul(L.tensor([1, 2]), L.tensor([2, 3]), L.tensor([4, 5]), value=2),
        lambda L: L.addcdiv(L.tensor([1.0, 2.0]), L.tensor([2.0, 3.0]), L.tensor([4.0, 5.0]), value=0.5),
        lambda L: L.isclose(L.tensor([1, 2]), L.tensor([1, 3]), atol=1),
        lambda L: L.isclose(L.tensor([1.0, float("nan"), float("inf")]), L.tensor([1.0, float("nan"), float("inf")]),
                            equal_nan=True),
    ]
    failures = []
    for k, case in enumerate(cases):
        try:
            t = case(torch)
        except Exception:
            t = None
        try:
            d = case(dyngraph)
        except RuntimeError:
            d = None
        if t is None or d is None:
            if (t is None) != (d is None):
                failures.append((k, "raises" if t is None else t, "raises" if d is None else d))
            continue
        if str(t.dtype).split(".")[-1] != str(d.dtype).split(".")[-1] or not np.allclose(
                to_np(d).astype(np.float64), t.numpy().astype(np.float64), rtol=1e-6, equal_nan=True):
            failures.append((k, t, d))
    assert not failures, failures
