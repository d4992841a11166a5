"""dtype objects, promote_types, result_type and default dtypes vs PyTorch 2.13 (the JSON reference)."""

import json
import pickle

import numpy as np
import pytest

import dyngraph
from conftest import DTYPE_NAMES, REFERENCE, dt

RULES = json.loads(REFERENCE.read_text())
PROMOTE = RULES["promote_types"]
RESULT = RULES["result_type_tensor_with"]

SCALARS = {"bool": True, "int": 2, "float": 2.5, "complex": 1 + 2j}


def _zero_d(name):
    value = {"bool": True}.get(name, 1)
    return dyngraph.tensor(value, dtype=dt(name))


def _one_d(name, n=3):
    return dyngraph.ones(n, dtype=dt(name))


# ---- dtype objects ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", DTYPE_NAMES)
def test_dtype_attributes(name):
    d = dt(name)
    assert repr(d) == "dyngraph." + name
    assert d.itemsize == (2 if name == "bfloat16" else np.dtype(name).itemsize)
    assert d.is_floating_point == (name in ("float16", "bfloat16", "float32", "float64"))
    assert d.is_complex == name.startswith("complex")
    assert pickle.loads(pickle.dumps(d)) is d


@pytest.mark.parametrize("alias,name", [("float", "float32"), ("double", "float64"), ("half", "float16"),
                                        ("long", "int64"), ("int", "int32"), ("short", "int16"),
                                        ("cfloat", "complex64"), ("cdouble", "complex128")])
def test_dtype_aliases(alias, name):
    assert getattr(dyngraph, alias) is dt(name)


def test_default_dtype_is_float32():
    assert dyngraph.get_default_dtype() is dyngraph.float32


# ---- promote_types -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("a", DTYPE_NAMES)
@pytest.mark.parametrize("b", DTYPE_NAMES)
def test_promote_types_table(a, b):
    assert dyngraph.promote_types(dt(a), dt(b)) is dt(PROMOTE[a][b])


@pytest.mark.parametrize("a", DTYPE_NAMES)
@pytest.mark.parametrize("b", DTYPE_NAMES)
def test_result_type_of_two_1d_tensors_is_promote_types(a, b):
    assert dyngraph.result_type(_one_d(a), _one_d(b)) is dt(PROMOTE[a][b])


@pytest.mark.parametrize("a", DTYPE_NAMES)
@pytest.mark.parametrize("b", DTYPE_NAMES)
def test_add_of_two_1d_tensors_has_promoted_dtype(a, b):
    r = _one_d(a) + _one_d(b)
    assert r.dtype is dt(PROMOTE[a][b])
    assert r.shape == (3,)


# ---- result_type with Python scalars and 0-d tensors --------------------------------------------------------------

def _result_cases():
    cases = []
    for tname, row in RESULT.items():
        for other, expected in row.items():
            if expected == "complex32":
                continue  # dyngraph has no complex32: deliberate difference (gives complex64)
            cases.append((tname, other, expected))
    return cases


RESULT_CASES = _result_cases()


def _other(other):
    if other.startswith("0d_"):
        return _zero_d(other[3:])
    return SCALARS[other]


@pytest.mark.parametrize("tname,other,expected", RESULT_CASES)
def test_result_type_tensor_with(tname, other, expected):
    t = _one_d(tname)
    assert dyngraph.result_type(t, _other(other)) is dt(expected)
    assert dyngraph.result_type(_other(other), t) is dt(expected)


@pytest.mark.parametrize("tname,other,expected", RESULT_CASES)
def test_add_tensor_with_scalar_or_0d_has_result_type(tname, other, expected):
    t = _one_d(tname)
    o = _other(other)
    assert (t + o).dtype is dt(expected)
    assert (o + t).dtype is dt(expected)
    assert (t * o).dtype is dt(expected)
    assert (t + o).shape == (3,)


@pytest.mark.parametrize("tname", [n for n in DTYPE_NAMES if n != "float16"])
@pytest.mark.parametrize("other", ["complex", "0d_complex64", "0d_complex128"])
def test_complex_result_types_except_float16(tname, other):
    expected = RESULT[tname][other]
    assert expected != "complex32"
    assert dyngraph.result_type(_one_d(tname), _other(other)) is dt(expected)


@pytest.mark.parametrize("other", ["complex", "0d_complex64", "0d_complex128"])
def test_float16_with_complex_is_complex64_deliberate_difference(other):
    # PyTorch gives complex32 here; dyngraph has no complex32 and documents complex64.
    assert dyngraph.result_type(_one_d("float16"), _other(other)) is dyngraph.complex64


def test_result_type_two_zero_d_tensors_promote_normally():
    a = dyngraph.tensor(1, dtype=dyngraph.int32)
    b = dyngraph.tensor(1.0, dtype=dyngraph.float64)
    assert dyngraph.result_type(a, b) is dyngraph.float64
    assert (a + b).dtype is dyngraph.float64
    assert (a + b).shape == ()


def test_zero_d_float_of_higher_category_sets_dtype_and_values():
    t = dyngraph.tensor([1, 2], dtype=dyngraph.int32)
    z = dyngraph.tensor(2.5, dtype=dyngraph.float64)
    r = t + z
    assert r.dtype is dyngraph.float64  # a 0-d tensor of a higher category keeps its own dtype
    np.testing.assert_array_equal(r.numpy(), np.array([3.5, 4.5]))


def test_zero_d_of_same_category_does_not_upcast():
    t = dyngraph.tensor([1.5, 2.0], dtype=dyngraph.float16)
    z = dyngraph.tensor(0.25, dtype=dyngraph.float64)
    r = t * z
    assert r.dtype is dyngraph.float16
    np.testing.assert_array_equal(r.numpy(), np.array([0.375, 0.5], dtype=np.float16))


# ---- default dtypes (PyTorch facts) -----------------------------------------------------------------------------------

DEFAULT_CASES = {
    "tensor([1, 2])": lambda: dyngraph.tensor([1, 2]),
    "tensor([1., 2.])": lambda: dyngraph.tensor([1.0, 2.0]),
    "tensor([True])": lambda: dyngraph.tensor([True]),
    "tensor([1+2j])": lambda: dyngraph.tensor([1 + 2j]),
    "tensor([1, 2.5])": lambda: dyngraph.tensor([1, 2.5]),
    "arange(5)": lambda: dyngraph.arange(5),
    "arange(0., 1., .25)": lambda: dyngraph.arange(0.0, 1.0, 0.25),
    "arange(0, 5, 0.5)": lambda: dyngraph.arange(0, 5, 0.5),
    "zeros(2)": lambda: dyngraph.zeros(2),
    "full((2,), 3)": lambda: dyngraph.full((2,), 3),
    "full((2,), 3.)": lambda: dyngraph.full((2,), 3.0),
    "full((2,), True)": lambda: dyngraph.full((2,), True),
    "linspace(0, 1, 5)": lambda: dyngraph.linspace(0, 1, 5),
    "randint(0, 5, (2,))": lambda: dyngraph.randint(0, 5, (2,)),
    "int32 tensor / int32 tensor": lambda: (dyngraph.tensor([1, 2], dtype=dyngraph.int32)
                                            / dyngraph.tensor([2, 2], dtype=dyngraph.int32)),
    "bool tensor + bool tensor": lambda: dyngraph.tensor([True, False]) + dyngraph.tensor([True, True]),
}


@pytest.mark.parametrize("key", sorted(DEFAULT_CASES))
def test_default_dtypes(key):
    assert key in RULES["defaults"], key
    assert DEFAULT_CASES[key]().dtype is dt(RULES["defaults"][key])


def test_int32_division_values():
    r = dyngraph.tensor([1, 3, -7], dtype=dyngraph.int32) / dyngraph.tensor([2, 2, 2], dtype=dyngraph.int32)
    np.testing.assert_array_equal(r.numpy(), np.array([0.5, 1.5, -3.5], dtype=np.float32))


def test_bool_plus_bool_is_logical_or():
    r = dyngraph.tensor([True, False, False]) + dyngraph.tensor([True, True, False])
    assert r.tolist() == [True, True, False]


@pytest.mark.parametrize("name", ["float32", "float64", "int32", "uint8"])
def test_scalar_tensor_and_tensor_dtype_argument(name):
    t = dyngraph.tensor([1, 2], dtype=dt(name))
    assert t.dtype is dt(name)
    assert dyngraph.scalar_tensor(3).dtype is dyngraph.float32


def test_can_cast():
    assert dyngraph.can_cast(dyngraph.int32, dyngraph.float32)
    assert not dyngraph.can_cast(dyngraph.float32, dyngraph.int32)
    assert not dyngraph.can_cast(dyngraph.complex64, dyngraph.float64)
    assert not dyngraph.can_cast(dyngraph.int8, dyngraph.bool)
    assert dyngraph.can_cast(dyngraph.bool, dyngraph.int8)


def test_set_default_dtype_float64_changes_inference():
    try:
        dyngraph.set_default_dtype(dyngraph.float64)
        assert dyngraph.get_default_dtype() is dyngraph.float64
        assert dyngraph.tensor([1.5]).dtype is dyngraph.float64
        assert dyngraph.zeros(2).dtype is dyngraph.float64
        assert dyngraph.tensor([1j]).dtype is dyngraph.complex128
        assert (dyngraph.tensor([1, 2]) * 1.5).dtype is dyngraph.float64
    finally:
        dyngraph.set_default_dtype(dyngraph.float32)
    assert dyngraph.tensor([1.5]).dtype is dyngraph.float32
