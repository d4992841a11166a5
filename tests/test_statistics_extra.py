"""cov, corrcoef, nanmedian, histogram, isin, vander, diagflat, inner, addr, gradient, the signal
windows, the *_scatter ops, index_reduce, put, split_with_sizes and the extra random fills,
against NumPy."""

import numpy as np
import pytest

import dyngraph

RNG = np.random.default_rng(0)
A = RNG.standard_normal((3, 7))


def test_cov_and_corrcoef():
    t = dyngraph.tensor(A)
    np.testing.assert_allclose(dyngraph.cov(t).numpy(), np.cov(A), rtol=1e-12)
    np.testing.assert_allclose(dyngraph.cov(t, correction=0).numpy(), np.cov(A, ddof=0), rtol=1e-12)
    fw = np.array([1, 2, 1, 3, 1, 1, 2])
    aw = RNG.random(7)
    np.testing.assert_allclose(
        dyngraph.cov(t, fweights=dyngraph.tensor(fw), aweights=dyngraph.tensor(aw)).numpy(),
        np.cov(A, fweights=fw, aweights=aw), rtol=1e-12)
    np.testing.assert_allclose(dyngraph.cov(t[0]).numpy(), np.cov(A[0]), rtol=1e-12)
    np.testing.assert_allclose(dyngraph.corrcoef(t).numpy(), np.corrcoef(A), rtol=1e-12)
    assert dyngraph.tensor([[1, 2, 4]]).cov().dtype == dyngraph.float32
    with pytest.raises(RuntimeError, match="fweights cannot be negative"):
        dyngraph.cov(t, fweights=dyngraph.tensor([-1, 1, 1, 1, 1, 1, 1]))


def test_nanmedian():
    y = np.array([[1.0, np.nan, 3, 2], [4.0, 1, 2, 3], [np.nan, 5, np.nan, 1]])
    t = dyngraph.tensor(y)
    assert dyngraph.nanmedian(t).item() == 2.0  # the lower median of the 9 numbers
    values, indices = dyngraph.nanmedian(t, 1)
    np.testing.assert_array_equal(values.numpy(), [2.0, 2.0, 1.0])
    np.testing.assert_array_equal(y[np.arange(3), indices.numpy()], values.numpy())
    values, _ = t.nanmedian(0, keepdim=True)
    assert values.shape == (1, 4)
    assert np.isnan(dyngraph.nanmedian(dyngraph.tensor([np.nan, np.nan])).item())


def test_histogram_matches_numpy():
    x = RNG.standard_normal(50)
    t = dyngraph.tensor(x)
    hist, edges = dyngraph.histogram(t, 5)
    ref_hist, ref_edges = np.histogram(x, 5)
    np.testing.assert_array_equal(hist.numpy(), ref_hist)
    np.testing.assert_allclose(edges.numpy(), ref_edges, rtol=1e-12)
    w = RNG.random(50)
    hist, edges = dyngraph.histogram(t, 4, range=(-1.0, 1.0), weight=dyngraph.tensor(w), density=True)
    ref_hist, _ = np.histogram(x, 4, range=(-1, 1), weights=w, density=True)
    np.testing.assert_allclose(hist.numpy(), ref_hist, rtol=1e-12)
    bins = np.array([-3.0, -0.5, 0.0, 2.0])
    hist, _ = t.histogram(dyngraph.tensor(bins))
    np.testing.assert_array_equal(hist.numpy(), np.histogram(x, bins)[0])


def test_isin():
    e, s = np.array([1, 2, 3, 4, 7]), np.array([2, 4, 9])
    np.testing.assert_array_equal(dyngraph.isin(dyngraph.tensor(e), dyngraph.tensor(s)).numpy(), np.isin(e, s))
    np.testing.assert_array_equal(dyngraph.isin(dyngraph.tensor(e), dyngraph.tensor(s), invert=True).numpy(),
                                  np.isin(e, s, invert=True))
    np.testing.assert_array_equal(dyngraph.isin(dyngraph.tensor([1.0, 2.0]), 2).numpy(), [False, True])
    assert not dyngraph.isin(dyngraph.tensor([1]), dyngraph.tensor([], dtype=dyngraph.int64)).any()


def test_vander_diagflat_inner_addr():
    x = np.array([1, 2, 3])
    np.testing.assert_array_equal(dyngraph.vander(dyngraph.tensor(x)).numpy(), np.vander(x))
    np.testing.assert_array_equal(dyngraph.vander(dyngraph.tensor(x), N=4, increasing=True).numpy(),
                                  np.vander(x, 4, increasing=True))
    assert dyngraph.vander(dyngraph.tensor(x)).dtype == dyngraph.int64
    m = np.array([[1, 2], [3, 4]])
    np.testing.assert_array_equal(dyngraph.diagflat(dyngraph.tensor(m), 1).numpy(), np.diagflat(m, 1))
    np.testing.assert_allclose(dyngraph.inner(dyngraph.tensor(A), dyngraph.tensor(A)).numpy(), np.inner(A, A))
    v1, v2 = np.array([1.0, 2.0]), np.array([1.0, 2.0, 3.0])
    out = dyngraph.addr(dyngraph.ones(2, 3), dyngraph.tensor(v1), dyngraph.tensor(v2), beta=2, alpha=3)
    np.testing.assert_allclose(out.numpy(), 2 + 3 * np.outer(v1, v2))
    nan_input = dyngraph.full((2, 3), float("nan"))
    np.testing.assert_allclose(dyngraph.addr(nan_input, dyngraph.tensor(v1), dyngraph.tensor(v2), beta=0).numpy(),
                               np.outer(v1, v2))


def test_gradient_matches_numpy():
    f = np.array([[1.0, 4, 9, 16, 25], [2, 3, 5, 8, 13]])
    t = dyngraph.tensor(f)
    for got, ref in zip(dyngraph.gradient(t), np.gradient(f)):
        np.testing.assert_allclose(got.numpy(), ref)
    np.testing.assert_allclose(dyngraph.gradient(t, spacing=2.0, dim=1, edge_order=2)[0].numpy(),
                               np.gradient(f, 2.0, axis=1, edge_order=2))
    xs = np.array([0.0, 1, 3, 4, 7])
    for order in (1, 2):
        np.testing.assert_allclose(
            dyngraph.gradient(t, spacing=(dyngraph.tensor(xs),), dim=1, edge_order=order)[0].numpy(),
            np.gradient(f, xs, axis=1, edge_order=order))
    with pytest.raises(RuntimeError, match="edge_order"):
        dyngraph.gradient(dyngraph.tensor([1.0, 2.0]), edge_order=2)


@pytest.mark.parametrize("name,ref", [("hann_window", np.hanning), ("hamming_window", np.hamming),
                                      ("blackman_window", np.blackman), ("bartlett_window", np.bartlett),
                                      ("kaiser_window", lambda n: np.kaiser(n, 12.0))])
def test_windows_match_numpy(name, ref):
    fn = getattr(dyngraph, name)
    np.testing.assert_allclose(fn(7, periodic=False, dtype=dyngraph.float64).numpy(), ref(7), atol=1e-12)
    np.testing.assert_allclose(fn(6, dtype=dyngraph.float64).numpy(), ref(7)[:-1], atol=1e-12)
    assert fn(1).numpy().tolist() == [1.0] and fn(0).shape == (0,)
    assert fn(4).dtype == dyngraph.float32


def test_scatter_into_views():
    a = dyngraph.zeros(3, 4)
    out = dyngraph.slice_scatter(a, dyngraph.ones(3, 2), dim=1, start=0, end=4, step=2)
    np.testing.assert_array_equal(out.numpy(), np.tile([1.0, 0, 1, 0], (3, 1)))
    assert a.sum().item() == 0  # out of place
    assert dyngraph.select_scatter(a, dyngraph.ones(4), 0, 1).sum().item() == 4
    np.testing.assert_array_equal(dyngraph.diagonal_scatter(a, dyngraph.ones(3)).numpy(), np.eye(3, 4))
    src = dyngraph.tensor([5.0, 6.0, 7.0], requires_grad=True)
    dyngraph.select_scatter(a, src, 1, 0)[:2].sum().backward()
    np.testing.assert_array_equal(src.grad.numpy(), [1.0, 1.0, 0.0])
    with pytest.raises(RuntimeError, match="src"):
        dyngraph.select_scatter(a, dyngraph.ones(3), 0, 0)


def test_index_reduce_and_put():
    x = dyngraph.tensor([1.0, 2.0, 3.0, 4.0])
    out = x.index_reduce(0, dyngraph.tensor([0, 0, 2]), dyngraph.tensor([5.0, 6.0, 7.0]), "prod")
    np.testing.assert_array_equal(out.numpy(), [30.0, 2.0, 21.0, 4.0])
    out = x.index_reduce(0, dyngraph.tensor([0, 0, 2]), dyngraph.tensor([5.0, 6.0, 7.0]), "amax", include_self=False)
    np.testing.assert_array_equal(out.numpy(), [6.0, 2.0, 7.0, 4.0])
    m = dyngraph.tensor([[1, 2], [3, 4]])
    np.testing.assert_array_equal(m.put(dyngraph.tensor([1, -1]), dyngraph.tensor([9, 8])).numpy(), [[1, 9], [3, 8]])
    m.put_(dyngraph.tensor([0, 0]), dyngraph.tensor([1, 1]), accumulate=True)
    assert m[0, 0].item() == 3
    with pytest.raises(IndexError):
        m.put(dyngraph.tensor([4]), dyngraph.tensor([1]))


def test_split_with_sizes_and_narrow_copy():
    a = dyngraph.arange(10)
    parts = dyngraph.split_with_sizes(a, [3, 7])
    assert [p.shape[0] for p in parts] == [3, 7]
    with pytest.raises(RuntimeError, match="sum exactly"):
        a.split_with_sizes([3, 3])
    c = a.narrow_copy(0, 2, 3)
    c[0] = 100
    assert a[2].item() == 2
    assert len(dyngraph.unsafe_chunk(a, 2)) == 2


def test_extra_random_fills_have_their_support():
    dyngraph.manual_seed(0)
    t = dyngraph.empty(2000, dtype=dyngraph.float64)
    assert (t.log_normal_(0.0, 0.5) > 0).all()
    assert abs(float(t.log().mean()) - 0.0) < 0.05
    t.geometric_(0.25)
    assert (t >= 1).all() and float((t == t.round()).float().mean()) == 1.0
    assert abs(float(t.mean()) - 4.0) < 0.4
    t.cauchy_(2.0, 1.0)
    assert abs(float(t.median()) - 2.0) < 0.2
    with pytest.raises(RuntimeError):
        t.geometric_(1.5)
