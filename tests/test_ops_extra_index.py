"""index_add / index_copy / index_fill, masked_scatter and scatter_reduce,
out-of-place, method and in-place forms: values vs NumPy, index errors
(IndexError naming the dim and size), dtype checks and gradcheck."""

import numpy as np
import pytest

import dyngraph
from dyngraph.autograd import gradcheck
from conftest import assert_tensor_equal, to_np

RNG = np.random.default_rng(5)
NAN = float("nan")


def T(a, dtype=None):
    return dyngraph.tensor(np.asarray(a), dtype=dtype)


def g64(*shape):
    return dyngraph.tensor(RNG.standard_normal(shape)).requires_grad_(True)


def _np_index_add(x, dim, index, src, alpha=1):
    out = np.moveaxis(x.copy(), dim, 0)
    np.add.at(out, index, alpha * np.moveaxis(src, dim, 0))
    return np.moveaxis(out, 0, dim)


@pytest.mark.parametrize("dtype", ["float64", "float32", "int64", "int32"])
@pytest.mark.parametrize("shape,dim", [((5,), 0), ((4, 3), 0), ((4, 3), 1), ((2, 5, 3), -2)])
def test_index_add(dtype, shape, dim):
    x = RNG.integers(-5, 5, size=shape).astype(dtype)
    index = np.array([1, 0, 1, 2])
    src_shape = list(shape)
    src_shape[dim] = len(index)
    src = RNG.integers(-5, 5, size=src_shape).astype(dtype)
    expected = _np_index_add(x, dim, index, src, 2)
    assert_tensor_equal(dyngraph.index_add(T(x), dim, T(index), T(src), alpha=2), expected,
                        dtype=getattr(dyngraph, dtype))
    assert_tensor_equal(T(x).index_add(dim, T(index, dyngraph.int32), T(src), alpha=2), expected)
    t = T(x)
    assert t.index_add_(dim, T(index), T(src), alpha=2) is t
    assert_tensor_equal(t, expected)


def test_index_add_0d_and_errors():
    assert dyngraph.index_add(dyngraph.tensor(1.0), 0, T([0]), dyngraph.tensor(2.0), alpha=3).item() == 7.0
    with pytest.raises(IndexError, match="out of bounds for dimension 0 with size 3"):
        dyngraph.index_add(dyngraph.zeros(3), 0, T([5]), dyngraph.ones(1))
    with pytest.raises(IndexError, match="index -1 is out of bounds for dimension 1 with size 2"):
        dyngraph.zeros(3, 2).index_add_(1, T([-1]), dyngraph.ones(3, 1))
    with pytest.raises(RuntimeError, match="same scalar type"):
        dyngraph.index_add(dyngraph.zeros(3), 0, T([0]), dyngraph.ones(1, dtype=dyngraph.float64))
    with pytest.raises(RuntimeError, match="int32/int64"):
        dyngraph.index_add(dyngraph.zeros(3), 0, T([0.0]), dyngraph.ones(1))
    with pytest.raises(RuntimeError, match="Number of indices"):
        dyngraph.index_add(dyngraph.zeros(3), 0, T([0, 1]), dyngraph.ones(1))
    with pytest.raises(RuntimeError, match="shape must match"):
        dyngraph.index_add(dyngraph.zeros(3, 2), 0, T([0]), dyngraph.ones(1, 3))
    with pytest.raises(IndexError, match="vector"):
        dyngraph.index_add(dyngraph.zeros(3, 2), 1, T([[0]]), dyngraph.ones(3, 1))
    with pytest.raises(IndexError):
        dyngraph.index_add(dyngraph.zeros(3), 1, T([0]), dyngraph.ones(1))


def test_index_copy():
    x, src = RNG.standard_normal((4, 3)), RNG.standard_normal((4, 2))
    expected = x.copy()
    expected[:, [2, 0]] = src
    assert_tensor_equal(dyngraph.index_copy(T(x), 1, T([2, 0]), T(src)), expected)
    t = T(x)
    assert t.index_copy_(1, T([2, 0]), T(src)) is t
    assert_tensor_equal(t, expected)
    assert dyngraph.index_copy(dyngraph.zeros(3), 0, T([1]), dyngraph.ones(1)).tolist() == [0, 1, 0]
    with pytest.raises(IndexError, match="index_copy_\\(\\): index -1 is out of bounds for dimension 0 with size 3"):
        dyngraph.index_copy(dyngraph.zeros(3), 0, T([-1]), dyngraph.ones(1))
    with pytest.raises(RuntimeError, match="same dtype"):
        dyngraph.index_copy(dyngraph.zeros(3), 0, T([0]), dyngraph.ones(1, dtype=dyngraph.float64))


def test_index_fill():
    x = RNG.standard_normal((2, 4))
    expected = x.copy()
    expected[:, [3, 0]] = 2.5
    assert_tensor_equal(dyngraph.index_fill(T(x), 1, T([-1, 0]), 2.5), expected)  # negative indices wrap
    assert_tensor_equal(T(x).index_fill(1, T([3, 0]), dyngraph.tensor(2.5, dtype=dyngraph.float64)), expected)
    t = T(x)
    assert t.index_fill_(1, T([3, 0]), 2.5) is t
    assert_tensor_equal(t, expected)
    assert dyngraph.index_fill(dyngraph.zeros(3, dtype=dyngraph.int64), 0, T([0]), 1.7).tolist() == [1, 0, 0]
    assert dyngraph.index_fill(dyngraph.tensor(1.0), 0, T([0]), 5.0).item() == 5.0
    with pytest.raises(IndexError, match="index 5 is out of bounds for dimension 0 with size 3"):
        dyngraph.index_fill(dyngraph.zeros(3), 0, T([5]), 1.0)
    with pytest.raises(RuntimeError, match="0-dimensional value"):
        dyngraph.index_fill(dyngraph.zeros(3), 0, T([0]), T([1.0]))


def test_index_ops_gradcheck():
    idx = T([2, 0, 2])
    assert gradcheck(lambda x, s: dyngraph.index_add(x, 1, idx, s, alpha=0.5), (g64(2, 3), g64(2, 3)))
    assert gradcheck(lambda x, s: dyngraph.index_copy(x, 0, T([2, 0]), s), (g64(3, 2), g64(2, 2)))
    assert gradcheck(lambda x: dyngraph.index_fill(x, 1, T([1]), -1.0), (g64(2, 3),))
    assert gradcheck(lambda x, v: dyngraph.index_fill(x, 0, T([0]), v), (g64(2, 3), g64()))


def test_index_add_inplace_on_non_leaf_has_gradient():
    a, s = g64(3, 2), g64(2, 2)
    b = a * 1.0
    b.index_add_(0, T([0, 0]), s)
    b.sum().backward()
    assert to_np(a.grad).tolist() == [[1, 1]] * 3
    assert to_np(s.grad).tolist() == [[1, 1]] * 2


def test_masked_scatter():
    x = np.zeros((2, 3))
    mask = np.array([True, False, True])
    src = np.arange(1.0, 10.0)
    expected = x.copy()
    full_mask = np.broadcast_to(mask, x.shape)
    expected[full_mask] = src[:full_mask.sum()]
    assert_tensor_equal(dyngraph.masked_scatter(T(x), T(mask), T(src)), expected)
    assert_tensor_equal(T(x).masked_scatter(T(mask), T(src)), expected)
    t = T(x)
    assert t.masked_scatter_(T(mask), T(src)) is t
    assert_tensor_equal(t, expected)
    r = dyngraph.masked_scatter(dyngraph.zeros(3), T([[True], [False]]), T([1.0, 2, 3], dyngraph.float32))
    assert r.tolist() == [[1, 2, 3], [0, 0, 0]]  # out of place, self broadcasts against the mask
    assert dyngraph.masked_scatter(dyngraph.zeros(2), T([False, False]), dyngraph.zeros(0)).tolist() == [0, 0]


def test_masked_scatter_errors_and_grad():
    with pytest.raises(RuntimeError, match="source"):
        dyngraph.masked_scatter(dyngraph.zeros(2, 3), T([True, False, True]), T([1.0, 2.0]))
    with pytest.raises(RuntimeError, match="boolean"):
        dyngraph.masked_scatter(dyngraph.zeros(3), T([1, 0, 1]), dyngraph.ones(3))
    with pytest.raises(RuntimeError, match="same dtypes"):
        dyngraph.masked_scatter(dyngraph.zeros(3), T([True, False, True]), T([1, 2, 3]))
    with pytest.raises(RuntimeError):
        dyngraph.zeros(3).masked_scatter_(T([[True, False, True]]), dyngraph.ones(3))
    mask = T([[True, False, True], [False, True, False]])
    assert gradcheck(lambda x, s: dyngraph.masked_scatter(x, mask, s), (g64(2, 3), g64(5)))


def _np_scatter_reduce(x, dim, index, src, reduce, include_self):
    """Reference with explicit loops over the index (test-only)."""
    out = x.copy()
    groups = {}
    for pos in np.ndindex(*index.shape):
        tgt = list(pos)
        tgt[dim] = index[pos]
        groups.setdefault(tuple(tgt), []).append(src[pos])
    for tgt, vals in groups.items():
        vals = ([x[tgt]] if include_self else []) + vals
        if reduce == "sum":
            out[tgt] = np.sum(vals)
        elif reduce == "prod":
            out[tgt] = np.prod(vals)
        elif reduce == "amax":
            out[tgt] = np.max(vals)
        elif reduce == "amin":
            out[tgt] = np.min(vals)
        else:
            total = np.sum(vals)
            out[tgt] = total / len(vals) if np.issubdtype(x.dtype, np.floating) else np.floor_divide(total, len(vals))
    return out


@pytest.mark.parametrize("reduce", ["sum", "prod", "mean", "amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
@pytest.mark.parametrize("dtype", ["float64", "int64", "float32"])
@pytest.mark.parametrize("dim", [0, 1])
def test_scatter_reduce(reduce, include_self, dtype, dim):
    x = RNG.integers(-4, 5, size=(4, 5)).astype(dtype)
    src = RNG.integers(-4, 5, size=(5, 6)).astype(dtype)
    index = RNG.integers(0, x.shape[dim], size=(3, 4))  # smaller than src: only its corner takes part
    expected = _np_scatter_reduce(x, dim, index, src, reduce, include_self)
    got = dyngraph.scatter_reduce(T(x), dim, T(index), T(src), reduce, include_self=include_self)
    assert_tensor_equal(got, expected, dtype=getattr(dyngraph, dtype), rtol=1e-6, atol=1e-6)
    assert_tensor_equal(T(x).scatter_reduce(dim, T(index), T(src), reduce, include_self=include_self), expected,
                        rtol=1e-6, atol=1e-6)
    t = T(x)
    assert t.scatter_reduce_(dim, T(index), T(src), reduce, include_self=include_self) is t
    assert_tensor_equal(t, expected, rtol=1e-6, atol=1e-6)


def test_scatter_reduce_special_cases():
    r = dyngraph.scatter_reduce(T([1.0, 2, 3]), 0, T([0, 0, 1]), T([NAN, 5, 6]), "amax")
    assert np.isnan(to_np(r)[0]) and to_np(r)[1:].tolist() == [6, 3]  # NaN propagates
    r = dyngraph.scatter_reduce(T([1, 2, 3]), 0, T([0, 0, 1]), T([-4, -1, 6]), "mean", include_self=False)
    assert r.tolist() == [-3, 6, 3]  # integer mean floors, as in PyTorch
    assert dyngraph.scatter_reduce(dyngraph.tensor(1.0), 0, dyngraph.tensor(0), dyngraph.tensor(5.0), "sum").item() == 6
    empty = dyngraph.scatter_reduce(T([1.0, 2], dyngraph.float32), 0, dyngraph.zeros(0, dtype=dyngraph.int64),
                                    dyngraph.zeros(0), "prod")
    assert empty.tolist() == [1, 2]


def test_scatter_reduce_errors():
    x, idx, src = T([1.0, 2, 3]), T([0, 0, 1]), T([4.0, 5, 6])
    with pytest.raises(RuntimeError, match="reduce argument"):
        dyngraph.scatter_reduce(x, 0, idx, src, "max")
    with pytest.raises(RuntimeError, match="dtype"):
        dyngraph.scatter_reduce(x, 0, idx, T([4, 5, 6]), "sum")
    with pytest.raises(IndexError, match="index 5 is out of bounds for dimension 0 with size 3"):
        dyngraph.scatter_reduce(x, 0, T([0, 5, 1]), src, "sum")
    with pytest.raises(RuntimeError, match="out of bounds"):  # PyTorch raises RuntimeError here: both match
        dyngraph.scatter_reduce(x, 0, T([0, -1, 1]), src, "amax")
    with pytest.raises(RuntimeError, match="same number of dimensions"):
        dyngraph.scatter_reduce(dyngraph.ones(2, 2), 0, T([0, 1]), dyngraph.ones(2), "sum")


@pytest.mark.parametrize("reduce", ["sum", "prod", "mean", "amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
def test_scatter_reduce_gradcheck(reduce, include_self):
    index = T([[0, 1, 0], [2, 2, 1]])
    x = dyngraph.tensor(RNG.permutation(9).reshape(3, 3) + 1.0).requires_grad_(True)  # distinct: no amax ties
    src = dyngraph.tensor(RNG.permutation(9).reshape(3, 3) + 0.5).requires_grad_(True)
    assert gradcheck(lambda a, b: dyngraph.scatter_reduce(a, 0, index, b, reduce, include_self=include_self), (x, src))


def test_matches_torch_when_available():
    torch = pytest.importorskip("torch")
    x = RNG.standard_normal((4, 5))
    src = RNG.standard_normal((4, 5))
    index = RNG.integers(0, 4, size=(4, 5))
    for reduce in ("sum", "prod", "mean", "amax", "amin"):
        for include_self in (True, False):
            ours = dyngraph.scatter_reduce(T(x), 0, T(index), T(src), reduce, include_self=include_self)
            theirs = torch.scatter_reduce(torch.tensor(x), 0, torch.tensor(index), torch.tensor(src), reduce,
                                          include_self=include_self)
            np.testing.assert_allclose(to_np(ours), theirs.numpy(), rtol=1e-12)
