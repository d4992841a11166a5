"""Elementwise arithmetic and comparisons vs NumPy: broadcasting, type promotion, Python scalars, in-place
forms, non-contiguous inputs; copy_/fill_/zero_/clone and dtype conversions."""

import json
import operator
import warnings

import numpy as np
import pytest

import dyngraph
from conftest import (DTYPE_NAMES, INT_DTYPE_NAMES, NP_DTYPE_NAMES, REFERENCE, assert_tensor_equal,
                      dt, from_np, np_dtype, sample, to_np)

RULES = json.loads(REFERENCE.read_text())
PROMOTE = RULES["promote_types"]

ARITH = {"add": operator.add, "sub": operator.sub, "mul": operator.mul, "div": operator.truediv}
COMPARE = {"eq": operator.eq, "ne": operator.ne, "lt": operator.lt, "le": operator.le, "gt": operator.gt,
           "ge": operator.ge}


def round_bf16(a):
    """float32 values rounded to the nearest bfloat16 (ties to even), held as float32."""
    a = np.ascontiguousarray(a, dtype=np.float32)
    bits = a.view(np.uint32).astype(np.uint64)
    rounded = ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16) << 16
    out = rounded.astype(np.uint32).view(np.float32)
    return np.where(np.isnan(a), a, out)


def result_name(a, b):
    return PROMOTE[a][b]


def np_op(op, a, b, res):
    """op on NumPy arrays computed the way PyTorch does: both operands cast to the result dtype first."""
    if op == "div" and res in ("bool",) + tuple(INT_DTYPE_NAMES):
        res = "float32"
    nd = np_dtype(res)
    with np.errstate(all="ignore"):
        out = ARITH[op](np.asarray(a).astype(nd), np.asarray(b).astype(nd))
    if res == "bfloat16":
        out = round_bf16(out)
    return out


def tolerance(res, op):
    if op != "div":
        return dict(rtol=0, atol=0)
    return {"float16": dict(rtol=1e-3, atol=0), "bfloat16": dict(rtol=8e-3, atol=0)}.get(
        res, dict(rtol=1e-6, atol=0))


def nonzero(a):
    a = np.asarray(a)
    return np.where(a == 0, np.ones_like(a), a)


# ---- binary ops: every dtype pair -------------------------------------------------------------------------------------

# bool - bool is an error: tested in test_bool_minus_bool_raises_type_error
BINARY_CASES = [(op, a, b) for op in ("add", "mul", "sub", "div") for a in DTYPE_NAMES for b in DTYPE_NAMES
                if not (op == "sub" and PROMOTE[a][b] == "bool")]


@pytest.mark.parametrize("op,a_name,b_name", BINARY_CASES)
def test_binary_op_all_dtype_pairs(op, a_name, b_name):
    res = result_name(a_name, b_name)
    a = sample((2, 3), a_name, seed=1)
    b = sample((2, 3), b_name, seed=2)
    if op == "div":
        b = nonzero(b)
    ta, tb = from_np(a, a_name), from_np(b, b_name)
    r = ARITH[op](ta, tb)
    expected_dtype = res if op != "div" or dt(res).is_floating_point or dt(res).is_complex else "float32"
    assert r.dtype is dt(expected_dtype)
    assert_tensor_equal(r, np_op(op, a, b, res), **tolerance(expected_dtype, op))


# ordering comparisons of complex are an error: tested in test_ordering_comparison_of_complex_raises_runtime_error
COMPARE_CASES = [(op, a, b) for op in COMPARE for a in DTYPE_NAMES for b in DTYPE_NAMES
                 if op in ("eq", "ne") or not (a.startswith("complex") or b.startswith("complex"))]


@pytest.mark.parametrize("op,a_name,b_name", COMPARE_CASES)
def test_comparison_all_dtype_pairs(op, a_name, b_name):
    res = result_name(a_name, b_name)
    a = sample((3, 4), a_name, seed=3, low=-2, high=3)
    b = sample((3, 4), b_name, seed=4, low=-2, high=3)
    r = COMPARE[op](from_np(a, a_name), from_np(b, b_name))
    nd = np_dtype(res)
    assert_tensor_equal(r, COMPARE[op](a.astype(nd), b.astype(nd)), dtype=dyngraph.bool)


@pytest.mark.parametrize("op", ["lt", "le", "gt", "ge"])
def test_ordering_comparison_of_complex_raises_runtime_error(op):
    z = dyngraph.tensor([1 + 1j, 2j])
    with pytest.raises(RuntimeError):  # PyTorch: "lt_cpu" not implemented for 'ComplexFloat'
        COMPARE[op](z, z)


# ---- broadcasting ------------------------------------------------------------------------------------------------------

SHAPE_PAIRS = [((3, 1), (1, 4)), ((2, 3, 4), (4,)), ((4,), (2, 3, 4)), ((), (2, 3)), ((2, 3), ()), ((), ()),
               ((0,), (1,)), ((2, 0), (2, 1)), ((0, 3), (3,)), ((5, 1, 3), (4, 1)), ((1,), (5,)), ((2, 1, 1), (1, 3, 1))]


@pytest.mark.parametrize("op", list(ARITH))
@pytest.mark.parametrize("sa,sb", SHAPE_PAIRS, ids=str)
def test_arith_broadcasting(op, sa, sb):
    a = sample(sa, "float32", seed=5)
    b = nonzero(sample(sb, "float32", seed=6))
    r = ARITH[op](from_np(a), from_np(b))
    assert_tensor_equal(r, ARITH[op](a, b), dtype=dyngraph.float32)


@pytest.mark.parametrize("op", list(COMPARE))
@pytest.mark.parametrize("sa,sb", SHAPE_PAIRS, ids=str)
def test_comparison_broadcasting(op, sa, sb):
    a = sample(sa, "int64", seed=7, low=-2, high=3)
    b = sample(sb, "int64", seed=8, low=-2, high=3)
    r = COMPARE[op](from_np(a), from_np(b))
    assert_tensor_equal(r, COMPARE[op](a, b), dtype=dyngraph.bool)


@pytest.mark.parametrize("sa,sb", [((3,), (4,)), ((2, 3), (3, 2)), ((2, 3, 4), (3, 3)), ((0,), (2,))], ids=str)
@pytest.mark.parametrize("op", ["add", "sub", "mul", "div", "eq", "lt"])
def test_broadcast_mismatch_raises_runtime_error(sa, sb, op):
    f = {**ARITH, **COMPARE}[op]
    with pytest.raises(RuntimeError):
        f(dyngraph.ones(*sa), dyngraph.ones(*sb))


def test_broadcast_shapes_and_tensors():
    assert dyngraph.broadcast_shapes((3, 1), (1, 4)) == (3, 4)
    assert dyngraph.broadcast_shapes((2, 1, 4), 4, (3, 1)) == (2, 3, 4)
    assert isinstance(dyngraph.broadcast_shapes((1,), (2,)), dyngraph.Size)
    x, y = dyngraph.broadcast_tensors(dyngraph.zeros(3, 1), dyngraph.ones(4))
    assert x.shape == y.shape == (3, 4)
    with pytest.raises(RuntimeError):
        dyngraph.broadcast_shapes((2,), (3,))


# ---- non-contiguous inputs -----------------------------------------------------------------------------------------------

NONCONTIG = {
    "transposed": (lambda t: t.t(), lambda a: a.T),
    "step_slice": (lambda t: t[::2, 1::2], lambda a: a[::2, 1::2]),
    "expanded": (lambda t: t[:, :1].expand(*t.shape), lambda a: np.broadcast_to(a[:, :1], a.shape)),
    "offset": (lambda t: t[1:, 2:], lambda a: a[1:, 2:]),
}


@pytest.mark.parametrize("kind_a", list(NONCONTIG))
@pytest.mark.parametrize("kind_b", list(NONCONTIG))
@pytest.mark.parametrize("op", ["add", "mul", "div"])
def test_noncontiguous_inputs(kind_a, kind_b, op):
    a = sample((4, 6), "float64", seed=9)
    b = nonzero(sample((6, 4), "float64", seed=10))
    ta = NONCONTIG[kind_a][0](dyngraph.tensor(a))
    tb = NONCONTIG[kind_b][0](dyngraph.tensor(b))
    na = NONCONTIG[kind_a][1](a)
    nb = NONCONTIG[kind_b][1](b)
    # bring both to a common broadcastable shape by slicing to the smaller extent
    rows = min(na.shape[0], nb.shape[0])
    cols = min(na.shape[1], nb.shape[1])
    r = ARITH[op](ta[:rows, :cols], tb[:rows, :cols])
    assert_tensor_equal(r, ARITH[op](na[:rows, :cols], nb[:rows, :cols]), dtype=dyngraph.float64)


def test_noncontiguous_mixed_dtypes_and_broadcast():
    a = sample((3, 5), "int16", seed=11)
    b = sample((5, 1), "float32", seed=12)
    r = dyngraph.tensor(a).t()[::2] * dyngraph.tensor(b)[::2]
    assert_tensor_equal(r, a.T[::2].astype(np.float32) * b[::2], dtype=dyngraph.float32)


def test_result_of_op_on_noncontiguous_is_fresh_tensor():
    t = dyngraph.arange(12.0).reshape(3, 4).t()
    r = t + 0
    assert r.untyped_storage_ptr() != t.untyped_storage_ptr()
    assert_tensor_equal(r, np.arange(12.0, dtype=np.float32).reshape(3, 4).T)


# ---- Python scalars ------------------------------------------------------------------------------------------------------

SCALARS = [2, -3, 2.5, 0.5, True, 1 + 2j]


def scalar_kind(s):
    return {bool: "bool", int: "int", float: "float", complex: "complex"}[type(s)]


def scalar_result(tname, s):
    r = RULES["result_type_tensor_with"][tname][scalar_kind(s)]
    return "complex64" if r == "complex32" else r


SCALAR_CASES = [(op, t, s, r) for op in ARITH for t in DTYPE_NAMES for s in SCALARS for r in (False, True)
                if not (op == "sub" and scalar_result(t, s) == "bool")]


@pytest.mark.parametrize("op,tname,s,reflected", SCALAR_CASES, ids=repr)
def test_python_scalar_operand(op, tname, s, reflected):
    res = scalar_result(tname, s)
    a = sample((2, 3), tname, seed=13)
    if reflected and op == "div":
        a = nonzero(a)
    t = from_np(a, tname)
    r = ARITH[op](s, t) if reflected else ARITH[op](t, s)
    exp_res = res if op != "div" or dt(res).is_floating_point or dt(res).is_complex else "float32"
    assert r.dtype is dt(exp_res)
    sb = np.full(a.shape, s)
    expected = np_op(op, sb, a, res) if reflected else np_op(op, a, sb, res)
    assert_tensor_equal(r, expected, **tolerance(exp_res, op))


def test_rsub_and_rdiv_values():
    t = dyngraph.tensor([1.0, 2.0, 4.0])
    assert (2 - t).tolist() == [1.0, 0.0, -2.0]
    assert (2 / t).tolist() == [2.0, 1.0, 0.5]
    i = dyngraph.tensor([1, 2, 4])
    r = 2 / i
    assert r.dtype is dyngraph.float32
    assert r.tolist() == [2.0, 1.0, 0.5]
    assert (10 - i).tolist() == [9, 8, 6]
    assert (10 - i).dtype is dyngraph.int64


@pytest.mark.parametrize("op", list(COMPARE))
@pytest.mark.parametrize("s", [0, 1, -1.5, 0.5, True], ids=repr)
@pytest.mark.parametrize("tname", ["bool", "uint8", "int32", "float16", "bfloat16", "float64"])
def test_comparison_with_python_scalar(op, s, tname):
    a = sample((2, 4), tname, seed=14, low=-2, high=3)
    t = from_np(a, tname)
    res = scalar_result(tname, s)
    nd = np_dtype(res)
    assert_tensor_equal(COMPARE[op](t, s), COMPARE[op](a.astype(nd), np.asarray(s).astype(nd)), dtype=dyngraph.bool)
    # reflected: s < t is t > s
    assert_tensor_equal(COMPARE[op](s, t), COMPARE[op](np.asarray(s).astype(nd), a.astype(nd)), dtype=dyngraph.bool)


def test_numpy_scalar_operand():
    t = dyngraph.tensor([1.0, 2.0])
    assert (t * np.float64(2.0)).tolist() == [2.0, 4.0]
    assert (t + np.int64(1)).tolist() == [2.0, 3.0]


def test_zero_d_tensor_operands():
    z = dyngraph.tensor(2.0)
    t = dyngraph.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert_tensor_equal(t * z, np.array([[2.0, 4.0], [6.0, 8.0]], dtype=np.float32))
    assert_tensor_equal(z - t, np.array([[1.0, 0.0], [-1.0, -2.0]], dtype=np.float32))
    r = z + z
    assert r.shape == () and r.item() == 4.0


def test_empty_tensor_ops():
    e = dyngraph.zeros(0, 3)
    for r in (e + 1, e * e, 2 - e, e / dyngraph.ones(3), e == 0, -e):
        assert r.shape == (0, 3)
        assert r.numel() == 0
        assert r.tolist() == []


def test_division_by_zero():
    f = dyngraph.tensor([1.0, 0.0, -1.0]) / 0
    r = to_np(f)
    assert r[0] == np.inf and np.isnan(r[1]) and r[2] == -np.inf
    i = dyngraph.tensor([1, 0, -1]) / dyngraph.tensor([0, 0, 0])
    assert i.dtype is dyngraph.float32
    r = to_np(i)
    assert r[0] == np.inf and np.isnan(r[1]) and r[2] == -np.inf


def test_nan_comparisons():
    t = dyngraph.tensor([float("nan"), 1.0])
    assert (t == t).tolist() == [False, True]
    assert (t != t).tolist() == [True, False]
    assert (t < 2).tolist() == [False, True]


def test_int_overflow_wraps():
    t = dyngraph.tensor([127, -128], dtype=dyngraph.int8)
    assert (t + 1).tolist() == [-128, -127]
    u = dyngraph.tensor([0, 255], dtype=dyngraph.uint8)
    assert (u - dyngraph.tensor(1, dtype=dyngraph.uint8)).tolist() == [255, 254]


def test_int64_precision_kept():
    big = 2**53 + 1
    t = dyngraph.tensor([big], dtype=dyngraph.int64)
    assert (t + 2).item() == big + 2
    assert (t * 1).item() == big


def test_float64_precision_kept():
    t = dyngraph.tensor([1.0], dtype=dyngraph.float64)
    assert (t + 1e-12).item() == 1.0 + 1e-12


# ---- unary minus ------------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", [n for n in DTYPE_NAMES if n != "bool"])
def test_neg(name):
    a = sample((3, 4), name, seed=15)
    t = from_np(a, name)
    with np.errstate(all="ignore"):
        expected = -a
    for r in (-t, t.neg(), dyngraph.neg(t), t.negative(), dyngraph.negative(t)):
        assert_tensor_equal(r, expected, dtype=dt(name))
    assert_tensor_equal(+t, a)


def test_neg_noncontiguous_and_inplace():
    t = dyngraph.arange(6.0).reshape(2, 3)
    assert_tensor_equal(-t.t(), -np.arange(6.0, dtype=np.float32).reshape(2, 3).T)
    r = t.neg_()
    assert r is t
    assert_tensor_equal(t, -np.arange(6.0, dtype=np.float32).reshape(2, 3))


def test_neg_bool_raises_runtime_error():
    with pytest.raises(RuntimeError):
        -dyngraph.tensor([True, False])
    with pytest.raises(RuntimeError):
        dyngraph.neg(dyngraph.tensor([True]))


def test_bool_minus_bool_raises_runtime_error():
    b = dyngraph.tensor([True, False])
    with pytest.raises(RuntimeError):
        b - b
    with pytest.raises(RuntimeError):
        b - True
    with pytest.raises(RuntimeError):
        True - b
    with pytest.raises(RuntimeError):
        dyngraph.sub(b, b)


def test_bool_minus_int_is_fine():
    b = dyngraph.tensor([True, False])
    assert (b - 1).tolist() == [0, -1]
    assert (1 - b).tolist() == [0, 1]
    assert (b - dyngraph.tensor([1, 1], dtype=dyngraph.int8)).dtype is dyngraph.int8


# ---- alpha -----------------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["int32", "int64", "float32", "float64", "complex64"])
def test_add_sub_alpha(name):
    a = sample((2, 3), name, seed=16)
    b = sample((2, 3), name, seed=17)
    ta, tb = from_np(a), from_np(b)
    assert_tensor_equal(ta.add(tb, alpha=3), a + 3 * b, dtype=dt(name))
    assert_tensor_equal(dyngraph.add(ta, tb, alpha=-2), a - 2 * b)
    assert_tensor_equal(ta.sub(tb, alpha=2), a - 2 * b)
    assert_tensor_equal(dyngraph.sub(ta, tb, alpha=2), a - 2 * b)
    assert_tensor_equal(ta.add(5, alpha=2), a + 10)
    x = ta.clone()
    assert x.add_(tb, alpha=2) is x
    assert_tensor_equal(x, a + 2 * b)
    y = ta.clone()
    assert y.sub_(tb, alpha=3) is y
    assert_tensor_equal(y, a - 3 * b)


def test_add_float_alpha():
    t = dyngraph.tensor([1.0, 2.0])
    assert t.add(dyngraph.tensor([2.0, 4.0]), alpha=0.5).tolist() == [2.0, 4.0]


def test_functional_add_scalar_first():
    t = dyngraph.tensor([1.0, 2.0])
    assert dyngraph.add(1, t).tolist() == [2.0, 3.0]
    assert dyngraph.sub(1, t).tolist() == [0.0, -1.0]
    assert dyngraph.mul(3, t).tolist() == [3.0, 6.0]
    assert dyngraph.div(1, t).tolist() == [1.0, 0.5]
    assert dyngraph.multiply(t, t).tolist() == [1.0, 4.0]
    assert dyngraph.true_divide(t, 2).tolist() == [0.5, 1.0]


def test_integer_tensor_with_float_alpha_raises_runtime_error():
    # PyTorch: "For integral input tensors, argument alpha must not be a floating point number."
    a = dyngraph.tensor([7, -7])
    with pytest.raises(RuntimeError):
        a.add(dyngraph.tensor([2, 2]), alpha=1.5)


# ---- in-place forms ----------------------------------------------------------------------------------------------------

INPLACE_METHODS = {"add": "add_", "sub": "sub_", "mul": "mul_", "div": "div_"}
INPLACE_OPS = {"add": operator.iadd, "sub": operator.isub, "mul": operator.imul, "div": operator.itruediv}


# in-place int division and int += float are errors: tested in test_inplace_int_*_raises_runtime_error
INPLACE_CASES = [(op, self_name, other, form) for op in ARITH
                 for self_name in ("int32", "int64", "float16", "bfloat16", "float32", "float64", "complex64")
                 for other in ("tensor_same", "tensor_bcast", "tensor_int8", "scalar_int", "scalar_float")
                 for form in ("method", "operator")
                 if not (self_name.startswith("int") and (op == "div" or other == "scalar_float"))]


@pytest.mark.parametrize("op,self_name,other,form", INPLACE_CASES)
def test_inplace(op, self_name, other, form):
    self_dt = dt(self_name)
    a = sample((3, 4), self_name, seed=18)
    t = from_np(a, self_name)
    if other == "tensor_same":
        o_np = nonzero(sample((3, 4), self_name, seed=19))
        o = from_np(o_np, self_name)
    elif other == "tensor_bcast":
        o_np = nonzero(sample((4,), self_name, seed=20))
        o = from_np(o_np, self_name)
    elif other == "tensor_int8":
        o_np = nonzero(sample((3, 1), "int8", seed=21))
        o = dyngraph.tensor(o_np)
    elif other == "scalar_int":
        o_np = o = 3
    else:
        o_np = o = 0.5
    ptr = t.data_ptr()
    if form == "method":
        r = getattr(t, INPLACE_METHODS[op])(o)
        assert r is t
    else:
        alias = t
        alias = INPLACE_OPS[op](alias, o)
        assert alias is t
    assert t.data_ptr() == ptr
    assert t.dtype is self_dt
    expected = np_op(op, a, np.broadcast_to(np.asarray(o_np), a.shape), self_name)
    assert_tensor_equal(t, expected, **tolerance(self_name, op))


def test_inplace_on_view_writes_base():
    base = dyngraph.zeros(3, 4)
    base_np = np.zeros((3, 4), dtype=np.float32)
    v = base.t()[1:3]
    v += dyngraph.tensor([1.0, 2.0, 3.0])
    base_np.T[1:3] += np.array([1.0, 2.0, 3.0], dtype=np.float32)
    assert_tensor_equal(base, base_np)
    base[:, ::2] *= 0
    base[1] -= 5
    base_np[:, ::2] *= 0
    base_np[1] -= 5
    assert_tensor_equal(base, base_np)


def test_inplace_with_noncontiguous_other():
    t = dyngraph.ones(4, 3)
    o = dyngraph.arange(12.0).reshape(3, 4).t()
    t.mul_(o)
    assert_tensor_equal(t, np.arange(12.0, dtype=np.float32).reshape(3, 4).T)


@pytest.mark.parametrize("op", ["iadd", "isub", "imul"])
@pytest.mark.parametrize("src,dst", [(slice(None, -1), slice(1, None)), (slice(1, None), slice(None, -1)),
                                     (slice(None, -2), slice(2, None))], ids=str)
def test_overlapping_inplace_equals_numpy_on_copies(op, src, dst):
    x = dyngraph.arange(8)
    a = np.arange(8)
    f = getattr(operator, op)
    y = x[dst]
    y = f(y, x[src])
    nd = a[dst]
    nd = f(nd, a[src].copy())
    assert_tensor_equal(x, a)


def test_overlapping_inplace_statement_form():
    x = dyngraph.arange(6)
    x[1:] += x[:-1]
    a = np.arange(6)
    a[1:] += a[:-1].copy()
    assert_tensor_equal(x, a)
    y = dyngraph.arange(6.0)
    y[:-2] *= y[2:]
    b = np.arange(6.0, dtype=np.float32)
    b[:-2] *= b[2:].copy()
    assert_tensor_equal(y, b)


def test_overlapping_copy_equals_numpy_on_copies():
    x = dyngraph.arange(8)
    x[2:].copy_(x[:-2])
    a = np.arange(8)
    a[2:] = a[:-2].copy()
    assert_tensor_equal(x, a)


def test_overlapping_inplace_self_add():
    x = dyngraph.arange(6.0)
    x += x
    assert x.tolist() == [0.0, 2.0, 4.0, 6.0, 8.0, 10.0]
    y = dyngraph.arange(6.0).reshape(2, 3)
    y.mul_(y.t().t())  # an alias of the same memory: full overlap is fine
    assert y.tolist() == [[0.0, 1.0, 4.0], [9.0, 16.0, 25.0]]


def test_inplace_int_tensor_with_float_raises_runtime_error():
    # PyTorch: "result type Float can't be cast to the desired output type Long"
    t = dyngraph.tensor([1, 2])
    with pytest.raises(RuntimeError):
        t += 1.5
    with pytest.raises(RuntimeError):
        t.add_(dyngraph.tensor([0.5, 0.5]))
    with pytest.raises(RuntimeError):
        t.mul_(2.5)
    assert t.tolist() == [1, 2]  # unchanged


def test_inplace_int_division_raises_runtime_error():
    t = dyngraph.tensor([4, 2])
    with pytest.raises(RuntimeError):
        t /= 2
    with pytest.raises(RuntimeError):
        t.div_(dyngraph.tensor([2, 2]))
    assert t.tolist() == [4, 2]


def test_inplace_float_with_complex_raises_runtime_error():
    t = dyngraph.tensor([1.0])
    with pytest.raises(RuntimeError):
        t += 1j


def test_inplace_bool_with_int_raises_runtime_error():
    b = dyngraph.tensor([True, False])
    with pytest.raises(RuntimeError):
        b += 1
    assert b.tolist() == [True, False]


def test_inplace_broadcast_must_not_grow_self():
    t = dyngraph.ones(4)
    with pytest.raises(RuntimeError):
        t += dyngraph.ones(3, 4)
    with pytest.raises(RuntimeError):
        t.mul_(dyngraph.ones(2, 1))


def test_inplace_lower_precision_self_keeps_dtype():
    t = dyngraph.tensor([1.5, 2.5], dtype=dyngraph.float16)
    t += dyngraph.tensor([0.25, 0.25], dtype=dyngraph.float64)
    assert t.dtype is dyngraph.float16
    assert t.tolist() == [1.75, 2.75]
    i = dyngraph.tensor([1, 2], dtype=dyngraph.int8)
    i += dyngraph.tensor([100, 3], dtype=dyngraph.int64)
    assert i.dtype is dyngraph.int8
    assert i.tolist() == [101, 5]


# ---- copy_, fill_, zero_, clone ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("src_name", DTYPE_NAMES)
@pytest.mark.parametrize("dst_name", ["bool", "uint8", "int32", "int64", "float16", "bfloat16", "float32",
                                      "float64", "complex128"])
def test_copy_dtype_conversion(src_name, dst_name):
    a = sample((2, 3), src_name, seed=22, low=0, high=10)
    dst = dyngraph.empty(2, 3, dtype=dt(dst_name))
    r = dst.copy_(from_np(a, src_name))
    assert r is dst
    assert dst.dtype is dt(dst_name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # complex -> real: NumPy warns, PyTorch keeps the real part (bool: nonzero)
        expected = a.astype(np_dtype(dst_name))
    assert_tensor_equal(dst, expected)


def test_copy_broadcast_and_noncontiguous():
    dst = dyngraph.zeros(3, 4)
    dst.copy_(dyngraph.tensor([1, 2, 3, 4]))
    assert_tensor_equal(dst, np.tile(np.arange(1, 5, dtype=np.float32), (3, 1)))
    dst.t().copy_(dyngraph.arange(12.0).reshape(4, 3))
    assert_tensor_equal(dst, np.arange(12.0, dtype=np.float32).reshape(4, 3).T)
    dst[:, 1::2].copy_(dyngraph.tensor(-1.0))
    expected = np.arange(12.0, dtype=np.float32).reshape(4, 3).T.copy()
    expected[:, 1::2] = -1
    assert_tensor_equal(dst, expected)


def test_copy_shape_mismatch_raises_runtime_error():
    with pytest.raises(RuntimeError):
        dyngraph.zeros(3).copy_(dyngraph.zeros(4))
    with pytest.raises(RuntimeError):
        dyngraph.zeros(3).copy_(dyngraph.zeros(2, 3))


def test_copy_complex_to_real_takes_real_part():
    dst = dyngraph.zeros(2)
    dst.copy_(dyngraph.tensor([1.5 + 2j, -3 + 1j]))
    assert dst.tolist() == [1.5, -3.0]


@pytest.mark.parametrize("name", DTYPE_NAMES)
def test_fill_and_zero(name):
    t = dyngraph.ones(2, 3, dtype=dt(name))
    value = True if name == "bool" else 5
    r = t.fill_(value)
    assert r is t
    assert_tensor_equal(t, np.full((2, 3), value, dtype=np_dtype(name)))
    r = t.zero_()
    assert r is t
    assert_tensor_equal(t, np.zeros((2, 3), dtype=np_dtype(name)))


def test_fill_with_zero_d_tensor_and_on_view():
    t = dyngraph.zeros(3, 4)
    t[:, ::2].fill_(dyngraph.tensor(2.5))
    t.t()[1].fill_(-1)
    expected = np.zeros((3, 4), dtype=np.float32)
    expected[:, ::2] = 2.5
    expected.T[1] = -1
    assert_tensor_equal(t, expected)


def test_fill_int_with_float_truncates():
    t = dyngraph.zeros(2, dtype=dyngraph.int32)
    t.fill_(2.7)
    assert t.tolist() == [2, 2]


def test_fill_with_multi_element_tensor_raises_runtime_error():
    with pytest.raises(RuntimeError):
        dyngraph.zeros(3).fill_(dyngraph.ones(2))


@pytest.mark.parametrize("name", DTYPE_NAMES)
def test_clone(name):
    a = sample((3, 4), name, seed=23)
    t = from_np(a, name)
    c = t.clone()
    assert c.dtype is dt(name)
    assert_tensor_equal(c, a)
    assert c.untyped_storage_ptr() != t.untyped_storage_ptr()
    c.fill_(1)
    assert_tensor_equal(t, a)
    assert_tensor_equal(dyngraph.clone(t), a)


@pytest.mark.parametrize("make", [lambda t: t.t(), lambda t: t.permute(1, 0).unsqueeze(0), lambda t: t[:, ::1]],
                         ids=["transposed", "permuted_unsqueezed", "full_slice"])
def test_clone_preserves_strides_of_dense_tensor(make):
    v = make(dyngraph.arange(12).reshape(3, 4))
    c = v.clone()
    assert c.stride() == v.stride()
    assert_tensor_equal(c, to_np(v))


def test_clone_of_non_dense_view_is_contiguous():
    v = dyngraph.arange(24).reshape(4, 6)[::2, 1::2]
    c = v.clone()
    assert c.is_contiguous()
    assert c.stride() == (3, 1)
    assert_tensor_equal(c, np.arange(24).reshape(4, 6)[::2, 1::2])


def test_clone_of_expanded():
    v = dyngraph.tensor([1, 2, 3]).expand(2, 3)
    c = v.clone()
    assert c.is_contiguous()
    c[0, 0] = 9
    assert c.tolist() == [[9, 2, 3], [1, 2, 3]]


def test_detach_shares_storage():
    t = dyngraph.ones(3)
    d = t.detach()
    assert d.untyped_storage_ptr() == t.untyped_storage_ptr()
    d[0] = 5
    assert t[0].item() == 5


# ---- conversions ---------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("src_name", NP_DTYPE_NAMES)
@pytest.mark.parametrize("dst_name", DTYPE_NAMES)
def test_to_dtype(src_name, dst_name):
    a = sample((2, 5), src_name, seed=24, low=0, high=10)
    t = dyngraph.tensor(a)
    r = t.to(dt(dst_name))
    assert r.dtype is dt(dst_name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # complex -> real keeps the real part (bool: nonzero)
        expected = a.astype(np_dtype(dst_name))
    assert_tensor_equal(r, expected)
    if src_name == dst_name:
        assert r is t  # to() with the same dtype returns self
    r2 = t.to(dtype=dt(dst_name))
    assert r2.dtype is dt(dst_name)


def test_to_copy_flag_and_other_tensor():
    t = dyngraph.ones(3)
    c = t.to(dyngraph.float32, copy=True)
    assert c is not t
    assert c.untyped_storage_ptr() != t.untyped_storage_ptr()
    other = dyngraph.zeros(1, dtype=dyngraph.int16)
    r = t.to(other)
    assert r.dtype is dyngraph.int16
    assert r.tolist() == [1, 1, 1]
    assert t.to("cpu") is t
    assert t.to(dyngraph.device("cpu"), dyngraph.float64).dtype is dyngraph.float64


@pytest.mark.parametrize("method,name", [("float", "float32"), ("double", "float64"), ("half", "float16"),
                                         ("bfloat16", "bfloat16"), ("long", "int64"), ("int", "int32"),
                                         ("short", "int16"), ("char", "int8"), ("byte", "uint8"),
                                         ("bool", "bool"), ("cfloat", "complex64"), ("cdouble", "complex128")])
def test_conversion_methods(method, name):
    t = dyngraph.tensor([0.0, 1.0, 2.0, 3.0])
    r = getattr(t, method)()
    assert r.dtype is dt(name)
    expected = np.array([0, 1, 2, 3]).astype(np_dtype(name))
    assert_tensor_equal(r, expected)


@pytest.mark.parametrize("name", ["int8", "int16", "int32", "int64"])
@pytest.mark.parametrize("src", ["float16", "bfloat16", "float32", "float64"])
def test_float_to_int_truncates_toward_zero(name, src):
    vals = [1.5, -1.5, 2.75, -2.75, 0.25, -0.25, 7.0, -7.0]
    t = dyngraph.tensor(vals).to(dt(src))
    r = t.to(dt(name))
    assert r.tolist() == [1, -1, 2, -2, 0, 0, 7, -7]


def test_float_to_uint8_truncates_positive():
    assert dyngraph.tensor([0.9, 1.5, 254.99]).to(dyngraph.uint8).tolist() == [0, 1, 254]


def test_to_bool_is_nonzero():
    assert dyngraph.tensor([0.0, -0.0, 0.1, float("nan"), -3.0]).bool().tolist() == [False, False, True, True, True]
    assert dyngraph.tensor([0j, 1j]).bool().tolist() == [False, True]
    assert dyngraph.tensor([0, 5]).to(dyngraph.bool).tolist() == [False, True]


def test_bool_to_numbers():
    b = dyngraph.tensor([True, False])
    assert b.long().tolist() == [1, 0]
    assert b.float().tolist() == [1.0, 0.0]


@pytest.mark.parametrize("name", ["float16", "bfloat16"])
def test_reduced_precision_round_trip_is_exact_for_representable_values(name):
    if name == "float16":
        vals = np.array([0.0, 1.0, -2.5, 0.099975586, 65504.0, -65504.0, 6.1035156e-05, 1000.5, 3.140625],
                        dtype=np.float32)
    else:
        vals = np.array([0.0, 1.0, -2.5, 0.099609375, (2 - 2**-7) * 2.0**127, -(2.0**-100), 1024.0, 3.140625,
                         12288.0], dtype=np.float32)
        assert (round_bf16(vals) == vals).all()
    t = dyngraph.tensor(vals)
    r = t.to(dt(name))
    assert r.dtype is dt(name)
    back = r.float()
    np.testing.assert_array_equal(back.numpy(), vals)
    np.testing.assert_array_equal(r.double().numpy(), vals.astype(np.float64))


def test_bfloat16_rounds_to_nearest_even():
    vals = np.array([1.00390625, 1.01171875, 1.0 + 2**-9, 3.0e38, -0.1], dtype=np.float32)
    r = dyngraph.tensor(vals).bfloat16().float()
    np.testing.assert_array_equal(r.numpy(), round_bf16(vals))


def test_float16_rounding_matches_numpy():
    vals = np.array([0.1, 1.0 / 3, 1000.3, 65519.0, 1e-8, -2.0009766], dtype=np.float32)
    r = dyngraph.tensor(vals).half()
    np.testing.assert_array_equal(r.numpy(), vals.astype(np.float16))


def test_float16_overflow_gives_inf():
    r = dyngraph.tensor([70000.0, -1e6]).half()
    assert r.tolist() == [float("inf"), float("-inf")]


def test_int64_to_float64_exact_and_float64_to_int64():
    vals = [2**53, -(2**53), 123456789012]
    t = dyngraph.tensor(vals)
    assert t.double().tolist() == [float(v) for v in vals]
    assert t.double().long().tolist() == vals


def test_type_method():
    t = dyngraph.ones(2)
    assert t.type() == "dyngraph.FloatTensor"
    assert t.type(dyngraph.int64).dtype is dyngraph.int64
    assert dyngraph.ones(1, dtype=dyngraph.int64).type() == "dyngraph.LongTensor"
