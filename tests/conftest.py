"""Shared helpers for the dyngraph test suite: dtype tables and NumPy comparison."""

import json
import os
import pathlib

import numpy as np
import pytest

import dyngraph

DTYPE_NAMES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32", "float64",
               "complex64", "complex128"]
ALL_DTYPES = [getattr(dyngraph, n) for n in DTYPE_NAMES]
# Every dtype NumPy can represent (bfloat16 has no NumPy counterpart).
NP_DTYPE_NAMES = [n for n in DTYPE_NAMES if n != "bfloat16"]
NUMERIC_DTYPE_NAMES = [n for n in DTYPE_NAMES if n != "bool"]
REAL_DTYPE_NAMES = [n for n in DTYPE_NAMES if not n.startswith("complex")]
INT_DTYPE_NAMES = ["uint8", "int8", "int16", "int32", "int64"]
FLOAT_DTYPE_NAMES = ["float16", "bfloat16", "float32", "float64"]

# PyTorch 2.13's dtype rules (promotion table, defaults), read off PyTorch; kept in the repository.
REFERENCE = pathlib.Path(__file__).parent / "data" / "dtype_rules.json"

# DG_TEST_DEVICE=cuda reruns the NumPy comparisons on a GPU: tensors made by from_np go there, and to_np
# brings results back, so every test written with these helpers checks the CUDA kernels too.
TEST_DEVICE = os.environ.get("DG_TEST_DEVICE", "cpu")


def assert_same_exceptions(torch, cases, make_args=lambda lib: ()):
    """Each case(lib, *make_args(lib)) raises an exception of the same type with dyngraph as with PyTorch
    (or neither raises): PyTorch as the oracle of the error types."""
    def kind(case, lib):
        try:
            case(lib, *make_args(lib))
        except Exception as e:  # noqa: BLE001 - the exception type is what is compared
            return type(e).__name__
        return None

    for case in cases:
        kinds = [kind(case, lib) for lib in (dyngraph, torch)]
        assert kinds[0] == kinds[1], (case.__code__.co_firstlineno, kinds)


def dt(name):
    """The dyngraph dtype called name."""
    return getattr(dyngraph, name)


def np_dtype(name):
    """The NumPy dtype matching a dyngraph dtype name (bfloat16 compared through float32)."""
    return np.dtype("float32" if name == "bfloat16" else name)


def to_np(t):
    """A NumPy copy of a tensor's values (bfloat16 widened to float32)."""
    t = t.detach().cpu()
    if t.dtype is dyngraph.bfloat16:
        t = t.float()
    return np.array(t.detach().numpy(), copy=True)


def from_np(a, dtype_name=None):
    """A tensor with a's values, in dtype_name (default: a's own dtype; may be bfloat16)."""
    a = np.asarray(a)
    name = dtype_name or a.dtype.name
    if a.ndim == 0:  # built from the Python number, so 0-d tests don't lean on tensor(ndarray)
        t = dyngraph.tensor(a.item(), dtype=dt(name))
    elif name == "bfloat16":
        t = dyngraph.tensor(a.astype(np.float32)).to(dyngraph.bfloat16)
    else:
        t = dyngraph.tensor(a)
    return t if TEST_DEVICE == "cpu" else t.to(TEST_DEVICE)


def sample(shape, dtype_name, seed=0, low=-9, high=10):
    """Small, exactly representable values of dtype_name as a NumPy array (bfloat16 held as float32)."""
    return np.asarray(_sample(shape, dtype_name, seed, low, high))


def _sample(shape, dtype_name, seed, low, high):
    rng = np.random.default_rng(seed)
    if dtype_name == "bool":
        return rng.integers(0, 2, size=shape).astype(bool)
    if dtype_name == "uint8":
        return rng.integers(0, high, size=shape).astype(np.uint8)
    vals = rng.integers(low, high, size=shape)
    if dtype_name.startswith("complex"):
        return (vals + 1j * rng.integers(low, high, size=shape)).astype(dtype_name)
    if dtype_name in ("float16", "bfloat16", "float32", "float64"):
        return (vals / 4.0).astype(np_dtype(dtype_name))  # quarters are exact in every float type
    return vals.astype(dtype_name)


def assert_tensor_equal(t, expected, dtype=None, rtol=0, atol=0):
    """t's shape and values equal NumPy array expected (and t's dtype is dtype, when given)."""
    expected = np.asarray(expected)
    assert isinstance(t, dyngraph.Tensor), type(t)
    assert tuple(t.shape) == expected.shape, (tuple(t.shape), expected.shape)
    if dtype is not None:
        assert t.dtype is dtype, (t.dtype, dtype)
    got = to_np(t)
    if rtol == 0 and atol == 0:
        np.testing.assert_array_equal(got, expected)
    else:
        np.testing.assert_allclose(got, expected, rtol=rtol, atol=atol)


def storage_ptr(t):
    return t.untyped_storage_ptr()


@pytest.fixture(scope="session")
def rules():
    with open(REFERENCE) as f:
        return json.load(f)
