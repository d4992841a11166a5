"""quantile / nanquantile, cummax / cummin, logcumsumexp, diff, trapezoid /
trapz / cumulative_trapezoid: values vs NumPy, NaN handling, errors, gradcheck."""

import numpy as np
import pytest

import dyngraph
from dyngraph.autograd import gradcheck
from conftest import assert_tensor_equal, to_np

RNG = np.random.default_rng(99)
NAN = float("nan")


def T(a, dtype=None):
    return dyngraph.tensor(np.asarray(a), dtype=dtype)


def g64(*shape):
    return dyngraph.tensor(RNG.standard_normal(shape)).requires_grad_(True)


INTERPOLATIONS = ["linear", "lower", "higher", "midpoint", "nearest"]


@pytest.mark.parametrize("interpolation", INTERPOLATIONS)
@pytest.mark.parametrize("dim", [None, 0, -1, 1])
@pytest.mark.parametrize("keepdim", [False, True])
def test_quantile_matches_numpy(interpolation, dim, keepdim):
    x = RNG.standard_normal((4, 5, 6))
    for q in (0.3, np.array([0.0, 0.1, 0.5, 0.75, 1.0])):
        qq = T(q) if isinstance(q, np.ndarray) else q
        got = dyngraph.quantile(T(x), qq, dim=dim, keepdim=keepdim, interpolation=interpolation)
        expected = np.quantile(x, q, axis=dim, keepdims=keepdim, method=interpolation)
        assert_tensor_equal(got, expected, rtol=1e-12, atol=1e-12)


def test_quantile_float32_nearest_rounds_half_to_even_like_torch():
    x = T([1.0, 2, 3, 4, 5, 6], dyngraph.float32)
    q = T([0.1, 0.3, 0.5, 0.7, 0.9], dyngraph.float32)
    assert dyngraph.quantile(x, q, interpolation="nearest").tolist() == [1, 3, 3, 5, 5]


@pytest.mark.filterwarnings("ignore:All-NaN slice")
def test_quantile_nan_and_nanquantile():
    x = RNG.standard_normal((3, 6))
    x[0, 2] = NAN
    x[2] = NAN
    np.testing.assert_array_equal(np.isnan(to_np(dyngraph.quantile(T(x), 0.4, dim=1))), [True, False, True])
    assert_tensor_equal(dyngraph.nanquantile(T(x), 0.4, dim=1), np.nanquantile(x, 0.4, axis=1), rtol=1e-12,
                        atol=1e-12)
    assert_tensor_equal(T(x).nanquantile(T([0.2, 0.9]), dim=1, interpolation="higher"),
                        np.nanquantile(x, [0.2, 0.9], axis=1, method="higher"))


def test_quantile_0d_method_and_dtype():
    assert dyngraph.quantile(dyngraph.tensor(3.0), 0.5).item() == 3.0
    assert dyngraph.quantile(dyngraph.tensor(3.0), 0.5, dim=0, keepdim=True).shape == ()
    r = T([1.0, 2.0, 3.0, 4.0], dyngraph.float32).quantile(T(0.5, dyngraph.float32))
    assert r.shape == () and r.dtype is dyngraph.float32 and r.item() == 2.5


@pytest.mark.parametrize("args,msg", [
    ((T([1, 2]), 0.5), "float or double"),
    ((dyngraph.zeros(0), 0.5), "non-empty"),
    ((T([1.0, 2.0]), 1.5), "in the range"),
    ((T([1.0, 2.0]), T([0.5, 2.0])), "in the range"),
    ((T([1.0, 2.0]), T([[0.5]])), "scalar or 1D"),
    ((T([1.0, 2.0], dyngraph.float32), T([0.5])), "same dtype"),
])
def test_quantile_errors(args, msg):
    with pytest.raises(RuntimeError, match=msg):
        dyngraph.quantile(*args)
    with pytest.raises(RuntimeError, match="interpolation"):
        dyngraph.quantile(T([1.0]), 0.5, interpolation="cubic")


@pytest.mark.parametrize("interpolation", INTERPOLATIONS)
def test_quantile_gradcheck(interpolation):
    x = dyngraph.tensor(RNG.permutation(12).reshape(3, 4) / 7.0).requires_grad_(True)  # distinct values: no ties
    q = T([0.2, 0.55, 0.9])
    assert gradcheck(lambda t: dyngraph.quantile(t, q, dim=1, interpolation=interpolation), (x,))


def _np_cum_extreme(x, axis, np_fn, better):
    x = np.moveaxis(x, axis, -1)
    values = np_fn.accumulate(x, axis=-1)
    idx = np.zeros(x.shape, dtype=np.int64)
    for j in range(1, x.shape[-1]):  # reference only: the last index at which the running extreme was met
        take = better(x[..., j], values[..., j - 1]) | (x[..., j] == values[..., j])
        idx[..., j] = np.where(take, j, idx[..., j - 1])
    return np.moveaxis(values, -1, axis), np.moveaxis(idx, -1, axis)


@pytest.mark.parametrize("dtype", ["float64", "float32", "int64", "int8", "uint8"])
@pytest.mark.parametrize("shape,dim", [((9,), 0), ((4, 7), 1), ((4, 7), 0), ((2, 3, 5), -1)])
def test_cummax_cummin(dtype, shape, dim):
    x = RNG.integers(0, 4, size=shape).astype(dtype)  # small range: many ties
    for fn, np_fn, better in ((dyngraph.cummax, np.maximum, np.greater), (dyngraph.cummin, np.minimum, np.less)):
        values, indices = fn(T(x), dim)
        ev, ei = _np_cum_extreme(x, dim, np_fn, better)
        assert_tensor_equal(values, ev, dtype=getattr(dyngraph, dtype))
        assert_tensor_equal(indices, ei, dtype=dyngraph.int64)


def test_cummax_nan_bool_0d_empty_method():
    r = dyngraph.cummax(T([1.0, 3, 3, 2, NAN, 5, NAN]), 0)
    assert r.indices.tolist() == [0, 1, 2, 2, 4, 4, 6]  # PyTorch's result
    assert np.isnan(to_np(r.values)[4:]).all()
    assert type(r) is dyngraph.return_types.cummax
    r = dyngraph.cummax(T([True, False, True]), 0)
    assert r.values.tolist() == [True, True, True] and r.indices.tolist() == [0, 0, 2]
    r = dyngraph.tensor(2.0).cummin(0)
    assert r.values.item() == 2.0 and r.indices.item() == 0
    assert dyngraph.cummax(dyngraph.zeros(0, 3), 0).values.shape == (0, 3)
    with pytest.raises(IndexError):
        dyngraph.cummax(dyngraph.zeros(3), 1)


def test_cummax_gradcheck():
    x = dyngraph.tensor(RNG.permutation(15).reshape(3, 5) * 1.0).requires_grad_(True)
    assert gradcheck(lambda t: dyngraph.cummax(t, 1).values, (x,))
    assert gradcheck(lambda t: dyngraph.cummin(t, 0).values, (x,))


@pytest.mark.parametrize("shape,dim", [((9,), 0), ((3, 17), 1), ((3, 17), 0), ((2, 3, 4), -1), ((0, 3), 0)])
def test_logcumsumexp(shape, dim):
    x = RNG.standard_normal(shape) * 5
    assert_tensor_equal(dyngraph.logcumsumexp(T(x), dim), np.logaddexp.accumulate(x, axis=dim), rtol=1e-12,
                        atol=1e-12)
    assert_tensor_equal(T(x).logcumsumexp(dim), np.logaddexp.accumulate(x, axis=dim), rtol=1e-12, atol=1e-12)


def test_logcumsumexp_stable_and_errors():
    assert dyngraph.logcumsumexp(T([-1000.0, 0.0]), 0).tolist() == [-1000.0, 0.0]
    assert dyngraph.logcumsumexp(T([1000.0, 1000.0]), 0).tolist()[1] == pytest.approx(1000 + np.log(2))
    assert dyngraph.logcumsumexp(dyngraph.tensor(2.0), 0).item() == 2.0
    with pytest.raises(NotImplementedError):
        dyngraph.logcumsumexp(T([1, 2]), 0)
    assert gradcheck(lambda t: dyngraph.logcumsumexp(t, 1), (g64(2, 6),))


@pytest.mark.parametrize("n", [0, 1, 2, 5])
@pytest.mark.parametrize("dim", [-1, 0])
def test_diff(n, dim):
    x = RNG.integers(-5, 5, size=(4, 5))
    assert_tensor_equal(dyngraph.diff(T(x), n=n, dim=dim), np.diff(x, n=n, axis=dim))
    assert_tensor_equal(T(x).diff(n, dim), np.diff(x, n=n, axis=dim))


def test_diff_prepend_append_bool_and_errors():
    x = np.array([[1.0, 4.0, 9.0], [2.0, 3.0, 5.0]])
    pre, app = np.array([[0.0], [1.0]]), np.array([[10.0], [20.0]])
    assert_tensor_equal(dyngraph.diff(T(x), prepend=T(pre), append=T(app)), np.diff(x, prepend=pre, append=app))
    assert dyngraph.diff(T([True, False, False])).tolist() == [True, False]
    assert dyngraph.diff(T([1, 2, 4], dyngraph.uint8)).dtype is dyngraph.uint8
    with pytest.raises(RuntimeError, match="one-dimensional"):
        dyngraph.diff(dyngraph.tensor(1.0))
    with pytest.raises(RuntimeError, match="same dimension"):
        dyngraph.diff(T([1, 2]), prepend=dyngraph.tensor(0))
    assert gradcheck(lambda t: dyngraph.diff(t, n=2, dim=1), (g64(2, 5),))


def test_trapezoid():
    y = RNG.standard_normal((3, 6))
    x = np.sort(RNG.standard_normal(6))
    assert_tensor_equal(dyngraph.trapezoid(T(y)), np.trapezoid(y), rtol=1e-12, atol=1e-12)
    assert_tensor_equal(dyngraph.trapezoid(T(y), dx=0.5, dim=0), np.trapezoid(y, dx=0.5, axis=0), rtol=1e-12,
                        atol=1e-12)
    assert_tensor_equal(dyngraph.trapezoid(T(y), T(x)), np.trapezoid(y, x), rtol=1e-12, atol=1e-12)
    assert_tensor_equal(dyngraph.trapezoid(T(y), T(np.tile(x, (3, 1)))), np.trapezoid(y, x), rtol=1e-12, atol=1e-12)
    assert_tensor_equal(dyngraph.trapz(T(y), T(x)), np.trapezoid(y, x), rtol=1e-12, atol=1e-12)
    assert_tensor_equal(dyngraph.trapz(T(y), dx=2.0), np.trapezoid(y, dx=2.0), rtol=1e-12, atol=1e-12)
    r = dyngraph.trapezoid(T([1, 2, 4]))
    assert r.dtype is dyngraph.float32 and r.item() == 4.5
    assert dyngraph.trapezoid(dyngraph.zeros(0), dx=2).item() == 0.0
    with pytest.raises(RuntimeError, match="one `x` value"):
        dyngraph.trapezoid(T([1.0, 2, 4]), T([1.0, 3]))
    with pytest.raises(IndexError):
        dyngraph.trapezoid(dyngraph.tensor(3.0))
    assert gradcheck(lambda a, b: dyngraph.trapezoid(a, b), (g64(2, 4), g64(4)))


def test_cumulative_trapezoid():
    y = RNG.standard_normal((2, 5))
    x = np.sort(RNG.standard_normal(5))
    mids = (y[:, 1:] + y[:, :-1]) / 2
    assert_tensor_equal(dyngraph.cumulative_trapezoid(T(y)), np.cumsum(mids, -1), rtol=1e-12, atol=1e-12)
    assert_tensor_equal(dyngraph.cumulative_trapezoid(T(y), T(x)), np.cumsum(mids * np.diff(x), -1), rtol=1e-12,
                        atol=1e-12)
    assert dyngraph.cumulative_trapezoid(T([1, 2, 4]), dx=2).tolist() == [3.0, 9.0]
    assert gradcheck(lambda a: dyngraph.cumulative_trapezoid(a, dx=0.5), (g64(2, 4),))


def test_matches_torch_when_available():
    torch = pytest.importorskip("torch")
    x = RNG.standard_normal((4, 9))
    q = np.array([0.1, 0.5, 0.8])
    for interpolation in INTERPOLATIONS:
        ours = dyngraph.quantile(T(x), T(q), dim=1, interpolation=interpolation)
        theirs = torch.quantile(torch.tensor(x), torch.tensor(q), dim=1, interpolation=interpolation)
        np.testing.assert_allclose(to_np(ours), theirs.numpy(), rtol=1e-12)
    xi = RNG.integers(0, 3, size=(3, 8))
    ours, theirs = dyngraph.cummin(T(xi), 1), torch.cummin(torch.tensor(xi), 1)
    assert ours.indices.tolist() == theirs.indices.tolist()
