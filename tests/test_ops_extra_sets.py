"""unique, unique_consecutive, bincount, histc, searchsorted, bucketize and
mode: values vs NumPy, dtypes, 0-d/empty inputs, errors, gradients."""

import numpy as np
import pytest

import dyngraph
from dyngraph.autograd import gradcheck
from conftest import assert_tensor_equal, to_np

RNG = np.random.default_rng(77)
NAN = float("nan")


def T(a, dtype=None):
    return dyngraph.tensor(np.asarray(a), dtype=dtype)


@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8", "float32", "float64", "bool"])
@pytest.mark.parametrize("shape", [(12,), (3, 4), (0,), ()])
def test_unique_flat(dtype, shape):
    x = RNG.integers(0, 4, size=shape).astype(dtype)
    t = T(x) if shape else dyngraph.tensor(x.item(), dtype=getattr(dyngraph, dtype))
    values, inverse, counts = dyngraph.unique(t, return_inverse=True, return_counts=True)
    ev, ei, ec = np.unique(x, return_inverse=True, return_counts=True)
    assert_tensor_equal(values, ev, dtype=getattr(dyngraph, dtype))
    assert_tensor_equal(inverse, ei.reshape(shape), dtype=dyngraph.int64)
    assert_tensor_equal(counts, ec, dtype=dyngraph.int64)
    assert_tensor_equal(t.unique(), ev)


def test_unique_return_forms():
    t = T([3, 1, 2, 1])
    assert isinstance(dyngraph.unique(t), dyngraph.Tensor)
    assert len(dyngraph.unique(t, return_inverse=True)) == 2
    v, c = dyngraph.unique(t, return_counts=True)
    assert v.tolist() == [1, 2, 3] and c.tolist() == [2, 1, 1]
    assert dyngraph.unique(t, sorted=False).tolist() == [1, 2, 3]


def test_unique_nans_are_distinct():
    v, c = dyngraph.unique(T([NAN, 1.0, NAN]), return_counts=True)
    assert to_np(v)[0] == 1 and np.isnan(to_np(v)[1:]).all() and c.tolist() == [1, 1, 1]


@pytest.mark.parametrize("shape,dim", [((50, 7), 0), ((50, 7), 1), ((4, 6, 3), 1), ((4, 6, 3), -1), ((5, 1), 0),
                                       ((6, 8), 0)])
def test_unique_dim(shape, dim):
    x = RNG.integers(0, 2, size=shape)
    values, inverse, counts = dyngraph.unique(T(x), dim=dim, return_inverse=True, return_counts=True)
    ev, ei, ec = np.unique(x, axis=dim, return_inverse=True, return_counts=True)
    assert_tensor_equal(values, ev)
    assert_tensor_equal(inverse, ei.reshape(-1))
    assert_tensor_equal(counts, ec)


def test_unique_dim_empty_and_errors():
    v, i, c = dyngraph.unique(dyngraph.zeros(0, 3), dim=0, return_inverse=True, return_counts=True)
    assert v.shape == (0, 3) and i.shape == (0,) and c.shape == (0,)
    with pytest.raises(RuntimeError, match="0 sized"):
        dyngraph.unique(dyngraph.zeros(2, 0), dim=0)
    with pytest.raises(IndexError):
        dyngraph.unique(dyngraph.zeros(2, 2), dim=2)


def test_unique_consecutive():
    x = [1, 1, 2, 2, 3, 1, 1, 2]
    v, i, c = dyngraph.unique_consecutive(T(x), return_inverse=True, return_counts=True)
    assert v.tolist() == [1, 2, 3, 1, 2] and i.tolist() == [0, 0, 1, 1, 2, 3, 3, 4] and c.tolist() == [2, 2, 1, 2, 1]
    v, i, c = dyngraph.unique_consecutive(dyngraph.tensor(3), return_inverse=True, return_counts=True)
    assert v.tolist() == [3] and i.shape == () and c.tolist() == [1]
    m = T([[1, 1, 2, 2], [1, 1, 2, 3]])
    v, i, c = m.unique_consecutive(dim=1, return_inverse=True, return_counts=True)
    assert v.tolist() == [[1, 2, 2], [1, 2, 3]] and i.tolist() == [0, 0, 1, 2] and c.tolist() == [2, 1, 1]
    assert dyngraph.unique_consecutive(dyngraph.zeros(0)).shape == (0,)


@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8", "int16"])
def test_bincount(dtype):
    x = RNG.integers(0, 6, size=20).astype(dtype)
    assert_tensor_equal(dyngraph.bincount(T(x)), np.bincount(x), dtype=dyngraph.int64)
    assert_tensor_equal(T(x).bincount(minlength=10), np.bincount(x, minlength=10))


def test_bincount_weights_dtypes_and_errors():
    x, w = np.array([0, 1, 1, 4]), np.array([0.5, 1.0, 2.0, 3.0])
    r = dyngraph.bincount(T(x), weights=T(w, dyngraph.float32))
    assert_tensor_equal(r, np.bincount(x, w).astype(np.float32), dtype=dyngraph.float32)
    assert dyngraph.bincount(T(x), weights=T(w)).dtype is dyngraph.float64
    assert dyngraph.bincount(T(x), weights=T([1, 2, 3, 4])).dtype is dyngraph.float64  # as PyTorch
    assert dyngraph.bincount(dyngraph.zeros(0, dtype=dyngraph.int64)).shape == (0,)
    assert dyngraph.bincount(dyngraph.zeros(0, dtype=dyngraph.int64), minlength=3).tolist() == [0, 0, 0]
    for bad in (T([-1]), T([[1]])):
        with pytest.raises(RuntimeError, match="non-negative integral"):
            dyngraph.bincount(bad)
    with pytest.raises(NotImplementedError):  # no kernel for a float dtype, as in PyTorch
        dyngraph.bincount(T([1.0]))


@pytest.mark.parametrize("bins,lo,hi", [(4, 0, 0), (3, 0.5, 10.5), (5, -1, 1), (1, 0, 0)])
def test_histc(bins, lo, hi):
    x = RNG.standard_normal(40) * 3
    rng_ = (x.min(), x.max()) if lo == hi else (lo, hi)
    expected = np.histogram(x, bins=bins, range=rng_)[0].astype(np.float32)
    assert_tensor_equal(dyngraph.histc(T(x, dyngraph.float32), bins, lo, hi), expected, dtype=dyngraph.float32)
    assert_tensor_equal(T(x).histc(bins, lo, hi), expected.astype(np.float64), dtype=dyngraph.float64)


def test_histc_edges_and_errors():
    assert dyngraph.histc(T([0.0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]), bins=3, min=0.5, max=10.5).tolist() == [3, 4, 3]
    assert dyngraph.histc(T([1.0, 1.0]), bins=2).tolist() == [0, 2]  # equal data range widens to [0, 2]
    assert dyngraph.histc(dyngraph.zeros(0), bins=4).tolist() == [0, 0, 0, 0]
    with pytest.raises(RuntimeError, match="max must be larger"):
        dyngraph.histc(T([1.0]), bins=4, min=3, max=0)
    with pytest.raises(NotImplementedError):
        dyngraph.histc(T([1, 2]))


@pytest.mark.parametrize("right", [False, True])
@pytest.mark.parametrize("dtype", ["float64", "int64", "float32"])
def test_searchsorted_1d(right, dtype):
    seq = np.sort(RNG.integers(0, 10, size=20)).astype(dtype)
    vals = RNG.integers(-1, 12, size=(3, 4)).astype(dtype)
    side = "right" if right else "left"
    expected = np.searchsorted(seq, vals, side=side)
    assert_tensor_equal(dyngraph.searchsorted(T(seq), T(vals), right=right), expected, dtype=dyngraph.int64)
    assert_tensor_equal(dyngraph.searchsorted(T(seq), T(vals), side=side), expected)
    assert_tensor_equal(dyngraph.bucketize(T(vals), T(seq), right=right), expected)


def test_searchsorted_batched_scalar_sorter_int32():
    seq = np.sort(RNG.standard_normal((3, 7)), -1)
    vals = RNG.standard_normal((3, 5))
    expected = np.stack([np.searchsorted(s, v) for s, v in zip(seq, vals)])
    assert_tensor_equal(dyngraph.searchsorted(T(seq), T(vals)), expected)
    r = dyngraph.searchsorted(T([1.0, 2, 3]), 2, side="right", out_int32=True)
    assert r.shape == () and r.item() == 2 and r.dtype is dyngraph.int32
    unsorted = np.array([3.0, 1, 2])
    r = dyngraph.searchsorted(T(unsorted), T([2.5]), sorter=T(np.argsort(unsorted)))
    assert r.tolist() == [2]
    assert dyngraph.searchsorted(T([1.0, 2, 3]), T([NAN])).tolist() == [3]  # NaN sorts last
    assert dyngraph.searchsorted(dyngraph.zeros(0), T([1.0])).tolist() == [0]
    assert dyngraph.searchsorted(T([1.0, 2]), dyngraph.zeros(0)).shape == (0,)


def test_searchsorted_errors():
    with pytest.raises(RuntimeError, match="opposites"):
        dyngraph.searchsorted(T([1.0]), T([1.0]), side="left", right=True)
    with pytest.raises(RuntimeError, match="first N-1 dimensions"):
        dyngraph.searchsorted(dyngraph.ones(2, 3), dyngraph.ones(3, 1))
    with pytest.raises(RuntimeError, match="1 dimension"):
        dyngraph.bucketize(T([1.0]), dyngraph.ones(2, 2))


def _np_mode(x, axis):
    """Smallest most-frequent value along axis and the index of its last occurrence."""
    x = np.moveaxis(x, axis, -1)
    flat = x.reshape(-1, x.shape[-1])
    vals, idx = [], []
    for row in flat:
        u, c = np.unique(row, return_counts=True)
        v = u[np.argmax(c)]
        vals.append(v)
        idx.append(np.nonzero(row == v)[0][-1])
    return np.array(vals).reshape(x.shape[:-1]), np.array(idx).reshape(x.shape[:-1])


@pytest.mark.parametrize("shape,dim", [((6,), 0), ((3, 8), 1), ((3, 8), 0), ((2, 3, 5), -2)])
@pytest.mark.parametrize("dtype", ["int64", "float32", "uint8"])
def test_mode(shape, dim, dtype):
    x = RNG.integers(0, 3, size=shape).astype(dtype)
    values, indices = dyngraph.mode(T(x), dim)
    ev, ei = _np_mode(x, dim)
    assert_tensor_equal(values, ev.astype(dtype), dtype=getattr(dyngraph, dtype))
    assert_tensor_equal(indices, ei, dtype=dyngraph.int64)
    r = T(x).mode(dim, keepdim=True)
    assert r.values.shape == np.expand_dims(ev, dim).shape and type(r) is dyngraph.return_types.mode


def test_mode_ties_zero_d_empty_and_errors():
    r = dyngraph.mode(T([3, 1, 1, 3, 2, 5]))
    assert (r.values.item(), r.indices.item()) == (1, 2)
    r = dyngraph.mode(dyngraph.tensor(3.0))
    assert r.values.item() == 3.0 and r.indices.item() == 0 and r.values.shape == ()
    assert dyngraph.mode(dyngraph.zeros(2, 0), 0).values.shape == (0,)
    with pytest.raises(IndexError, match="non-zero size"):
        dyngraph.mode(dyngraph.zeros(0))


def test_mode_gradient():
    x = dyngraph.tensor([[1.0, 2.0, 2.0, 3.0], [5.0, 4.0, 5.0, 4.0]], dtype=dyngraph.float64, requires_grad=True)
    dyngraph.mode(x, 1).values.sum().backward()
    assert to_np(x.grad).tolist() == [[0, 0, 1, 0], [0, 0, 0, 1]]
    assert gradcheck(lambda t: dyngraph.mode(t.reshape(2, 3).repeat(1, 2), 1).values,
                     (dyngraph.tensor([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], dtype=dyngraph.float64, requires_grad=True),))


def test_matches_torch_when_available():
    torch = pytest.importorskip("torch")
    x = RNG.integers(0, 4, size=(5, 9))
    for dim in (0, 1):
        ours = dyngraph.mode(T(x), dim)
        theirs = torch.mode(torch.tensor(x), dim)
        assert ours.values.tolist() == theirs.values.tolist()
    ours = dyngraph.unique(T(x), dim=1, return_inverse=True, return_counts=True)
    theirs = torch.unique(torch.tensor(x), dim=1, return_inverse=True, return_counts=True)
    for a, b in zip(ours, theirs):
        assert a.tolist() == b.tolist()
