"""Reductions: sum/mean/nansum/nanmean/prod, amax/amin, max/min, aminmax, argmax/argmin, all/any,
count_nonzero, var/std (+ var_mean/std_mean), logsumexp, softmax/log_softmax; values vs NumPy,
result dtypes and shapes, errors, and gradients (gradcheck in float64)."""

import math

import numpy as np
import pytest

import dyngraph
from dyngraph.autograd import gradcheck, gradgradcheck
from conftest import assert_tensor_equal, dt, sample, to_np


def rnd(shape, seed=0, dtype="float64"):
    rng = np.random.default_rng(seed)
    return rng.standard_normal(shape).astype(dtype)


def T(a, requires_grad=False):
    t = dyngraph.tensor(np.asarray(a))
    if requires_grad:
        t.requires_grad_(True)
    return t


def g64(shape, seed=0):
    return T(rnd(shape, seed), requires_grad=True)


def g64_from(values):
    return dyngraph.tensor(np.asarray(values, dtype=np.float64)).requires_grad_(True)


SHAPE = (2, 3, 4)
DIMS = [None, 0, 1, 2, -1, -3, (0, 2), (-1, 0), (0, 1, 2), (1,)]


def call(fn, t, dim, keepdim, **kw):
    if dim is None:
        return fn(t, **kw) if not keepdim else fn(t, dim=(0, 1, 2), keepdim=True, **kw)
    return fn(t, dim, keepdim=keepdim, **kw)


# ---------------------------------------------------------------------------------------------
# sum / mean / nansum / nanmean / prod
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("dim", DIMS, ids=repr)
def test_sum_mean_float(dim, keepdim):
    a = rnd(SHAPE, 1)
    axis = (0, 1, 2) if dim is None else dim
    for fn, npfn in [(dyngraph.sum, np.sum), (dyngraph.mean, np.mean)]:
        r = call(fn, T(a), dim, keepdim)
        assert_tensor_equal(r, npfn(a, axis=axis, keepdims=keepdim), dtype=dyngraph.float64, rtol=1e-12, atol=1e-12)
    r = T(a).sum(dim=axis, keepdim=keepdim) if dim is not None else T(a).sum()
    assert_tensor_equal(r, np.sum(a, axis=axis, keepdims=keepdim if dim is not None else False),
                        rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", ["bool", "uint8", "int8", "int16", "int32", "int64"])
def test_sum_prod_integer_promote_to_int64(name):
    a = sample((3, 4), name, seed=2, low=-3, high=4)
    r = dyngraph.sum(T(a))
    assert r.dtype is dyngraph.int64 and r.shape == ()
    assert r.item() == int(a.astype(np.int64).sum())
    assert_tensor_equal(T(a).sum(1), a.astype(np.int64).sum(1), dtype=dyngraph.int64)
    r = T(a).prod(0)
    assert_tensor_equal(r, a.astype(np.int64).prod(0), dtype=dyngraph.int64)
    assert T(a).prod().item() == int(a.astype(np.int64).prod())


def test_sum_dtype_argument():
    a = np.arange(12, dtype=np.int32).reshape(3, 4)
    r = T(a).sum(dtype=dyngraph.float64)
    assert r.dtype is dyngraph.float64 and r.item() == 66.0
    r = dyngraph.sum(T(a), 1, dtype=dyngraph.int32)
    assert_tensor_equal(r, a.sum(1).astype(np.int32), dtype=dyngraph.int32)
    f = rnd((3, 4), 1, "float32")
    r = T(f).sum(dim=0, dtype=dyngraph.float64)
    assert_tensor_equal(r, f.astype(np.float64).sum(0), dtype=dyngraph.float64, rtol=1e-12)
    r = T(a).mean(dtype=dyngraph.float32)
    assert r.dtype is dyngraph.float32 and r.item() == 5.5
    r = T(a).mean((0, 1), dtype=dyngraph.float64, keepdim=True)
    assert_tensor_equal(r, np.full((1, 1), 5.5), dtype=dyngraph.float64)


def test_mean_integer_input_raises():
    with pytest.raises(RuntimeError):
        dyngraph.arange(6).mean()
    with pytest.raises(RuntimeError):
        dyngraph.arange(6).reshape(2, 3).mean(0)


def test_sum_float16_accumulates_in_higher_precision():
    # 4096 ones: naive float16 accumulation would stall at 2048
    r = dyngraph.ones(4096, dtype=dyngraph.float16).sum()
    assert r.dtype is dyngraph.float16 and r.item() == 4096.0
    r = dyngraph.ones(2, 4096, dtype=dyngraph.float16).mean(1)
    assert_tensor_equal(r, np.ones(2, np.float16), dtype=dyngraph.float16)


def test_sum_float32_many_elements_precision():
    a = np.random.default_rng(0).random(100_000).astype(np.float32)
    r = T(a).sum()
    assert r.item() == pytest.approx(a.astype(np.float64).sum(), rel=1e-5)


def test_sum_mean_complex():
    a = (rnd((3, 4), 1) + 1j * rnd((3, 4), 2)).astype(np.complex64)
    assert_tensor_equal(T(a).sum(1), a.sum(1), dtype=dyngraph.complex64, rtol=1e-5, atol=1e-5)
    assert_tensor_equal(T(a).mean(0), a.mean(0), dtype=dyngraph.complex64, rtol=1e-5, atol=1e-5)
    assert_tensor_equal(T(a).prod(1), a.prod(1), dtype=dyngraph.complex64, rtol=1e-5, atol=1e-5)


def test_sum_mean_prod_empty():
    e = dyngraph.zeros(0, 3)
    assert_tensor_equal(e.sum(0), np.zeros(3, np.float32))
    assert_tensor_equal(e.prod(0), np.ones(3, np.float32))
    assert_tensor_equal(e.sum(1), np.zeros(0, np.float32))
    assert e.sum().item() == 0.0
    assert math.isnan(e.mean().item())
    assert np.isnan(to_np(e.mean(0))).all() and tuple(e.mean(0).shape) == (3,)


def test_sum_noncontiguous():
    a = rnd((4, 6), 3)
    t = T(a).t()[:, ::2]  # (6, 2)
    assert_tensor_equal(t.sum(0), a.T[:, ::2].sum(0), rtol=1e-12)
    assert_tensor_equal(t.mean(1, keepdim=True), a.T[:, ::2].mean(1, keepdims=True), rtol=1e-12)
    e = T(rnd((1, 4), 4)).expand(5, 4)
    assert_tensor_equal(e.sum(0), np.broadcast_to(rnd((1, 4), 4), (5, 4)).sum(0), rtol=1e-12)


def test_zero_d_reductions_accept_dim_0_and_minus_1():
    x = dyngraph.tensor(3.5)
    for fn in (dyngraph.sum, dyngraph.mean, dyngraph.amax, dyngraph.prod):
        for d in (0, -1):
            r = fn(x, d)
            assert r.shape == () and r.item() == 3.5
    with pytest.raises(IndexError):
        dyngraph.sum(x, 1)


@pytest.mark.parametrize("fn", ["sum", "mean", "amax", "amin", "prod", "var", "std", "logsumexp", "argmax",
                                "count_nonzero", "all", "any", "softmax"])
def test_reduction_dim_out_of_range_raises_index_error(fn):
    x = dyngraph.ones(2, 3)
    with pytest.raises(IndexError):
        getattr(dyngraph, fn)(x, 2)
    with pytest.raises(IndexError):
        getattr(dyngraph, fn)(x, -3)


def test_repeated_dim_raises():
    with pytest.raises(RuntimeError):
        dyngraph.ones(2, 3).sum((0, 0))
    with pytest.raises(RuntimeError):
        dyngraph.ones(2, 3).amax((1, -1))


def test_nansum_nanmean():
    a = rnd((3, 4), 1)
    a[0, 1] = a[2, 3] = a[2, 0] = np.nan
    a[1, :] = np.nan
    assert dyngraph.nansum(T(a)).item() == pytest.approx(np.nansum(a))
    assert_tensor_equal(dyngraph.nansum(T(a), 1), np.nansum(a, 1), rtol=1e-12)
    assert_tensor_equal(T(a).nansum((0, 1), keepdim=True), np.nansum(a, (0, 1), keepdims=True), rtol=1e-12)
    assert dyngraph.nanmean(T(a)).item() == pytest.approx(np.nanmean(a))
    with np.errstate(all="ignore"), pytest.warns(RuntimeWarning):
        expected = np.nanmean(a, 1)  # row 1 is all-nan -> nan
    assert_tensor_equal(T(a).nanmean(1), expected, dtype=dyngraph.float64, rtol=1e-12)
    assert_tensor_equal(dyngraph.nanmean(T(a), 0, keepdim=True), np.nanmean(a, 0, keepdims=True), rtol=1e-12)
    ints = np.arange(6).reshape(2, 3)
    r = dyngraph.nansum(T(ints))
    assert r.dtype is dyngraph.int64 and r.item() == 15
    with pytest.raises(RuntimeError):
        dyngraph.nanmean(T(ints))


@pytest.mark.parametrize("dim", [None, 0, 1, -1, 2])
def test_prod(dim):
    a = rnd(SHAPE, 5)
    a[1, 1, 1] = 0.0
    if dim is None:
        r = dyngraph.prod(T(a))
        assert r.shape == () and r.item() == pytest.approx(a.prod())
    else:
        assert_tensor_equal(dyngraph.prod(T(a), dim), a.prod(dim), dtype=dyngraph.float64, rtol=1e-12)
        assert_tensor_equal(T(a).prod(dim, keepdim=True), a.prod(dim, keepdims=True), rtol=1e-12)
        assert_tensor_equal(T(a).prod(dim=dim, dtype=dyngraph.float32), a.prod(dim).astype(np.float32),
                            dtype=dyngraph.float32, rtol=1e-6)


# ---------------------------------------------------------------------------------------------
# amax / amin / max / min / aminmax / argmax / argmin
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("dim", [0, -1, (0, 2), (1, 0), (0, 1, 2)], ids=repr)
@pytest.mark.parametrize("dtype", ["float64", "float32", "int32", "int64", "uint8", "float16"])
def test_amax_amin(dim, keepdim, dtype):
    a = sample(SHAPE, dtype, seed=3)
    for fn, npfn in [(dyngraph.amax, np.amax), (dyngraph.amin, np.amin)]:
        r = fn(T(a), dim, keepdim=keepdim)
        assert_tensor_equal(r, npfn(a, axis=dim, keepdims=keepdim), dtype=dt(dtype))
    assert_tensor_equal(T(a).amax(dim=dim, keepdim=keepdim), np.amax(a, axis=dim, keepdims=keepdim))


def test_amax_amin_no_dim_and_bool():
    a = rnd(SHAPE, 1)
    assert dyngraph.amax(T(a)).item() == a.max()
    assert dyngraph.amin(T(a)).item() == a.min()
    b = np.array([[True, False], [False, False]])
    assert_tensor_equal(T(b).amax(1), b.max(1), dtype=dyngraph.bool)
    assert_tensor_equal(T(b).amin(0), b.min(0), dtype=dyngraph.bool)


def test_max_min_propagate_nan():
    a = np.array([[1.0, np.nan, 3.0], [4.0, 5.0, -1.0]])
    assert math.isnan(T(a).max().item())
    assert math.isnan(T(a).amin().item())
    assert_tensor_equal(T(a).amax(1), np.array([np.nan, 5.0]))
    r = T(a).max(1)
    assert_tensor_equal(r.values, np.array([np.nan, 5.0]))
    assert_tensor_equal(r.indices, np.array([1, 1]))
    r = T(a).min(1)
    assert_tensor_equal(r.values, np.array([np.nan, -1.0]))
    assert_tensor_equal(r.indices, np.array([1, 2]))
    assert T(a).argmax().item() == 1 and T(a).argmin().item() == 1


def test_max_min_no_dim_returns_0d():
    a = sample((3, 4), "int32", seed=4)
    r = dyngraph.max(T(a))
    assert r.shape == () and r.dtype is dyngraph.int32 and r.item() == a.max()
    r = T(a).min()
    assert r.shape == () and r.dtype is dyngraph.int32 and r.item() == a.min()


@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("dim", [0, 1, 2, -1, -2])
def test_max_min_dim_named_tuple(dim, keepdim):
    a = sample(SHAPE, "float32", seed=6, low=-40, high=40)
    for fn, npfn, argfn in [(dyngraph.max, np.max, np.argmax), (dyngraph.min, np.min, np.argmin)]:
        r = fn(T(a), dim, keepdim=keepdim)
        values, indices = r  # unpacks as a tuple
        assert r.values is values or r.values.equal(values)
        assert_tensor_equal(r.values, npfn(a, axis=dim, keepdims=keepdim), dtype=dyngraph.float32)
        assert_tensor_equal(r.indices, argfn(a, axis=dim, keepdims=keepdim), dtype=dyngraph.int64)
        assert_tensor_equal(r[0], npfn(a, axis=dim, keepdims=keepdim))
        assert_tensor_equal(r[1], argfn(a, axis=dim, keepdims=keepdim))
    r = T(a).max(dim=dim, keepdim=keepdim)
    assert_tensor_equal(r.indices, np.argmax(a, axis=dim, keepdims=keepdim))


def test_max_dim_ties_return_first_index():
    a = np.array([[1.0, 3.0, 3.0, 0.0], [0.0, 0.0, -1.0, -1.0]])
    r = T(a).max(1)
    assert_tensor_equal(r.values, np.array([3.0, 0.0]))
    assert_tensor_equal(r.indices, np.array([1, 0]))
    r = T(a).min(1)
    assert_tensor_equal(r.indices, np.array([3, 2]))  # first minimum in each row
    assert_tensor_equal(T(a).argmax(1), np.argmax(a, 1))
    assert_tensor_equal(T(a).argmin(1), np.argmin(a, 1))


def test_max_min_other_tensor_elementwise():
    a = rnd((3, 4), 1)
    b = rnd((4,), 2)
    assert_tensor_equal(dyngraph.max(T(a), T(b)), np.maximum(a, b))
    assert_tensor_equal(dyngraph.min(T(a), T(b)), np.minimum(a, b))
    assert_tensor_equal(T(a).max(T(b)), np.maximum(a, b))
    ai = np.arange(4, dtype=np.int64)
    r = dyngraph.max(T(ai), T(np.full(4, 1.5, np.float32)))
    assert_tensor_equal(r, np.maximum(ai, 1.5).astype(np.float32), dtype=dyngraph.float32)


@pytest.mark.parametrize("dim,keepdim", [(None, False), (0, False), (1, True), (-1, False)])
def test_aminmax(dim, keepdim):
    a = sample((3, 4), "int64", seed=9)
    if dim is None:
        r = dyngraph.aminmax(T(a))
        expected_min, expected_max = a.min(), a.max()
    else:
        r = dyngraph.aminmax(T(a), dim=dim, keepdim=keepdim)
        expected_min, expected_max = a.min(dim, keepdims=keepdim), a.max(dim, keepdims=keepdim)
    assert_tensor_equal(r.min, expected_min, dtype=dyngraph.int64)
    assert_tensor_equal(r.max, expected_max, dtype=dyngraph.int64)
    mn, mx = r
    assert_tensor_equal(mn, expected_min)
    assert_tensor_equal(mx, expected_max)
    r2 = T(a).aminmax(dim=dim, keepdim=keepdim) if dim is not None else T(a).aminmax()
    assert_tensor_equal(r2.max, expected_max)


def test_empty_full_reductions_raise():
    e = dyngraph.zeros(0)
    for f in (lambda: e.amax(), lambda: e.amin(), lambda: e.max(), lambda: e.min(), lambda: e.argmax(),
              lambda: dyngraph.aminmax(e), lambda: dyngraph.zeros(0, 3).max(0)):
        with pytest.raises((RuntimeError, IndexError)):
            f()
    # a reduction along a non-empty dim of an empty tensor is fine
    assert tuple(dyngraph.zeros(0, 3).amax(1).shape) == (0,)


def test_empty_amax_raises_runtime_error_like_torch():
    with pytest.raises(RuntimeError):
        dyngraph.zeros(0).amax()
    with pytest.raises(RuntimeError):
        dyngraph.zeros(0).max()


def test_complex_max_raises():
    with pytest.raises(RuntimeError):
        dyngraph.tensor([1 + 2j, 3 - 1j]).max()


@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("dim", [None, 0, 1, -1, 2])
@pytest.mark.parametrize("fname", ["argmax", "argmin"])
def test_argmax_argmin(fname, dim, keepdim):
    a = sample(SHAPE, "int32", seed=11)
    npfn = getattr(np, fname)
    r = getattr(dyngraph, fname)(T(a), dim=dim, keepdim=keepdim)
    if dim is None:
        expected = np.asarray(npfn(a))  # flattened index
        if keepdim:
            expected = expected.reshape(1, 1, 1)
    else:
        expected = npfn(a, axis=dim, keepdims=keepdim)
    assert_tensor_equal(r, expected, dtype=dyngraph.int64)


def test_argmax_noncontiguous_flat_index_is_logical():
    a = np.arange(12.0).reshape(3, 4)
    t = T(a).t()  # logical (4,3); flattened logically
    assert t.argmax().item() == np.argmax(a.T) == 11
    assert t.argmin().item() == 0
    b = np.array([[0.0, 9.0], [5.0, 1.0]])
    assert T(b).t().argmax().item() == np.argmax(b.T)  # 9 sits at logical (1,0) -> flat 2
    assert T(b).t().argmax().item() == 2


def test_argmax_bool_raises():
    with pytest.raises(RuntimeError):
        dyngraph.tensor([True, False]).argmax()


# ---------------------------------------------------------------------------------------------
# all / any / count_nonzero
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ["bool", "int32", "int64", "float32", "float64", "complex64", "int8"])
@pytest.mark.parametrize("dim", [None, 0, 1, -1, (0, 1)], ids=repr)
def test_all_any_bool_result(dtype, dim):
    a = sample((3, 4), dtype, seed=13, low=-1, high=2)
    for fn, npfn in [(dyngraph.all, np.all), (dyngraph.any, np.any)]:
        r = fn(T(a)) if dim is None else fn(T(a), dim)
        assert_tensor_equal(r, npfn(a, axis=dim), dtype=dyngraph.bool)
        if dim is not None:
            r = fn(T(a), dim, keepdim=True)
            assert_tensor_equal(r, npfn(a, axis=dim, keepdims=True), dtype=dyngraph.bool)


def test_all_any_uint8_returns_uint8():
    a = np.array([[1, 0, 2], [3, 4, 5]], dtype=np.uint8)
    assert_tensor_equal(T(a).all(), np.array(0, np.uint8), dtype=dyngraph.uint8)
    assert_tensor_equal(T(a).any(), np.array(1, np.uint8), dtype=dyngraph.uint8)
    assert_tensor_equal(T(a).all(1), np.all(a, 1).astype(np.uint8), dtype=dyngraph.uint8)
    assert_tensor_equal(dyngraph.any(T(a), 0, keepdim=True), np.any(a, 0, keepdims=True).astype(np.uint8),
                        dtype=dyngraph.uint8)


def test_all_any_special_values():
    a = np.array([np.nan, -0.0, 0.0, np.inf])
    assert T(a).any().item() is True
    assert T(a).all().item() is False
    assert_tensor_equal(T(a).reshape(2, 2).all(1), np.array([False, False]))
    assert T(a[:1]).all().item() is True  # nan is truthy
    assert dyngraph.zeros(0).all().item() is True
    assert dyngraph.zeros(0).any().item() is False
    assert_tensor_equal(dyngraph.zeros(0, 2).all(0), np.array([True, True]))


@pytest.mark.parametrize("dim", [None, 0, 1, -1, (0, 1), (1, 0)], ids=repr)
@pytest.mark.parametrize("dtype", ["bool", "float32", "int64", "uint8", "complex64"])
def test_count_nonzero(dtype, dim):
    a = sample((3, 4), dtype, seed=14, low=-1, high=2)
    r = dyngraph.count_nonzero(T(a)) if dim is None else dyngraph.count_nonzero(T(a), dim=dim)
    assert_tensor_equal(r, np.count_nonzero(a, axis=dim), dtype=dyngraph.int64)
    r = T(a).count_nonzero(dim) if dim is not None else T(a).count_nonzero()
    assert_tensor_equal(r, np.count_nonzero(a, axis=dim))


# ---------------------------------------------------------------------------------------------
# var / std / var_mean / std_mean
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("dim", [None, 0, 2, -1, (0, 2), (0, 1, 2)], ids=repr)
@pytest.mark.parametrize("fname", ["var", "std"])
def test_var_std_default_unbiased(fname, dim, keepdim):
    a = rnd(SHAPE, 15)
    npfn = getattr(np, fname)
    fn = getattr(dyngraph, fname)
    if dim is None:
        r = fn(T(a))
        expected = npfn(a, ddof=1)
    else:
        r = fn(T(a), dim, keepdim=keepdim)
        expected = npfn(a, axis=dim, ddof=1, keepdims=keepdim)
    assert_tensor_equal(r, expected, dtype=dyngraph.float64, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("fname", ["var", "std"])
def test_var_std_unbiased_and_correction(fname):
    a = rnd((3, 5), 16)
    npfn, fn = getattr(np, fname), getattr(dyngraph, fname)
    assert_tensor_equal(fn(T(a), 1, unbiased=False), npfn(a, axis=1, ddof=0), rtol=1e-12)
    assert_tensor_equal(fn(T(a), 1, unbiased=True), npfn(a, axis=1, ddof=1), rtol=1e-12)
    assert_tensor_equal(fn(T(a), dim=0, correction=0), npfn(a, axis=0, ddof=0), rtol=1e-12)
    assert_tensor_equal(fn(T(a), dim=1, correction=2, keepdim=True), npfn(a, axis=1, ddof=2, keepdims=True),
                        rtol=1e-12)
    assert fn(T(a), correction=3).item() == pytest.approx(npfn(a, ddof=3), rel=1e-12)
    assert getattr(T(a), fname)(unbiased=False).item() == pytest.approx(npfn(a), rel=1e-12)
    assert_tensor_equal(getattr(T(a), fname)(0, correction=0), npfn(a, axis=0), rtol=1e-12)


def test_var_degenerate_and_float32():
    r = dyngraph.tensor([1.5]).var()  # one sample, correction 1 -> nan
    assert math.isnan(r.item())
    assert dyngraph.tensor([1.5]).var(unbiased=False).item() == 0.0
    f = rnd((4, 6), 17, "float32")
    r = T(f).var(1)
    assert_tensor_equal(r, f.astype(np.float64).var(1, ddof=1).astype(np.float32), dtype=dyngraph.float32,
                        rtol=1e-5)
    # numerically stable: large offset
    big = np.array([1e8 + 1, 1e8 + 2, 1e8 + 3], dtype=np.float64)
    assert dyngraph.tensor(big).var().item() == pytest.approx(1.0, rel=1e-9)


def test_var_std_complex_real_result():
    c = np.array([1 + 2j, 3 - 1j, -2j], dtype=np.complex128)
    r = T(c).var()
    assert r.dtype is dyngraph.float64
    assert r.item() == pytest.approx(np.var(c, ddof=1))
    assert T(c).std(unbiased=False).item() == pytest.approx(np.std(c))


def test_var_integer_raises():
    with pytest.raises(RuntimeError):
        dyngraph.arange(5).var()
    with pytest.raises(RuntimeError):
        dyngraph.arange(5).std()


@pytest.mark.parametrize("fname,npfn", [("var_mean", np.var), ("std_mean", np.std)])
def test_var_mean_std_mean(fname, npfn):
    a = rnd((3, 4), 18)
    fn = getattr(dyngraph, fname)
    v, m = fn(T(a))
    assert v.item() == pytest.approx(npfn(a, ddof=1), rel=1e-12)
    assert m.item() == pytest.approx(a.mean(), rel=1e-12)
    v, m = fn(T(a), 1)
    assert_tensor_equal(v, npfn(a, axis=1, ddof=1), rtol=1e-12)
    assert_tensor_equal(m, a.mean(1), rtol=1e-12)
    v, m = fn(T(a), dim=0, correction=0, keepdim=True)
    assert_tensor_equal(v, npfn(a, axis=0, keepdims=True), rtol=1e-12)
    assert_tensor_equal(m, a.mean(0, keepdims=True), rtol=1e-12)
    v, m = fn(T(a), (0, 1), unbiased=False)
    assert v.item() == pytest.approx(npfn(a), rel=1e-12)


# ---------------------------------------------------------------------------------------------
# logsumexp / softmax / log_softmax
# ---------------------------------------------------------------------------------------------

def np_logsumexp(a, axis, keepdims=False):
    m = np.max(a, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)
    r = np.log(np.sum(np.exp(a - m), axis=axis, keepdims=True)) + m
    return r if keepdims else np.squeeze(r, axis=axis)


@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("dim", [0, -1, (0, 2), (0, 1, 2)], ids=repr)
def test_logsumexp(dim, keepdim):
    a = rnd(SHAPE, 19) * 3
    r = dyngraph.logsumexp(T(a), dim, keepdim=keepdim)
    assert_tensor_equal(r, np_logsumexp(a, dim, keepdim), dtype=dyngraph.float64, rtol=1e-12, atol=1e-12)
    assert_tensor_equal(T(a).logsumexp(dim, keepdim), np_logsumexp(a, dim, keepdim), rtol=1e-12, atol=1e-12)


def test_logsumexp_stability_and_infinities():
    a = np.array([[1000.0, 1000.0], [-1000.0, -1001.0]])
    r = dyngraph.logsumexp(T(a), 1)
    assert_tensor_equal(r, np.array([1000 + math.log(2), -1000 + math.log(1 + math.exp(-1))]), rtol=1e-14)
    r = dyngraph.logsumexp(dyngraph.tensor([-math.inf, -math.inf]), 0)
    assert r.item() == -math.inf
    r = dyngraph.logsumexp(dyngraph.tensor([math.inf, 1.0]), 0)
    assert r.item() == math.inf
    r = dyngraph.logsumexp(dyngraph.tensor([-math.inf, 0.0]), 0)
    assert r.item() == 0.0


def test_logsumexp_integer_input_gives_float():
    a = np.array([[1, 2, 3], [4, 5, 6]], dtype=np.int32)
    r = dyngraph.logsumexp(T(a), 1)
    assert_tensor_equal(r, np_logsumexp(a.astype(np.float64), 1).astype(np.float32), dtype=dyngraph.float32,
                        rtol=1e-6)


def np_softmax(a, axis):
    e = np.exp(a - a.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


@pytest.mark.parametrize("dim", [0, 1, 2, -1, -2])
def test_softmax_log_softmax(dim):
    a = rnd(SHAPE, 20) * 4
    r = dyngraph.softmax(T(a), dim)
    assert_tensor_equal(r, np_softmax(a, dim), dtype=dyngraph.float64, rtol=1e-12, atol=1e-15)
    assert_tensor_equal(T(a).softmax(dim), np_softmax(a, dim), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(to_np(r).sum(dim), np.ones(np.delete(SHAPE, dim % 3)), rtol=1e-12)
    r = dyngraph.log_softmax(T(a), dim=dim)
    assert_tensor_equal(r, a - np_logsumexp(a, dim, keepdims=True), dtype=dyngraph.float64, rtol=1e-12,
                        atol=1e-12)
    assert_tensor_equal(T(a).log_softmax(dim), a - np_logsumexp(a, dim, keepdims=True), rtol=1e-12,
                        atol=1e-12)


def test_softmax_extreme_values():
    a = np.array([[1000.0, 0.0, -1000.0], [-math.inf, 0.0, 0.0]])
    r = dyngraph.softmax(T(a), 1)
    assert_tensor_equal(r, np.array([[1.0, 0.0, 0.0], [0.0, 0.5, 0.5]]), rtol=1e-15, atol=1e-300)
    r = dyngraph.log_softmax(T(a), 1)
    assert_tensor_equal(r, np.array([[0.0, -1000.0, -2000.0], [-math.inf, -math.log(2), -math.log(2)]]),
                        rtol=1e-15)
    r = dyngraph.softmax(dyngraph.tensor([-math.inf, -math.inf]), 0)
    assert np.isnan(to_np(r)).all()


def test_softmax_dtype_argument():
    f = rnd((2, 3), 21, "float32")
    r = dyngraph.softmax(T(f), 1, dtype=dyngraph.float64)
    assert_tensor_equal(r, np_softmax(f.astype(np.float64), 1), dtype=dyngraph.float64, rtol=1e-12)
    r = dyngraph.log_softmax(T(f), 0, dtype=dyngraph.float64)
    assert_tensor_equal(r, np.log(np_softmax(f.astype(np.float64), 0)), dtype=dyngraph.float64, rtol=1e-12)
    i = np.array([[1, 2, 3]], dtype=np.int64)
    r = dyngraph.softmax(T(i), 1, dtype=dyngraph.float32)
    assert_tensor_equal(r, np_softmax(i.astype(np.float64), 1).astype(np.float32), dtype=dyngraph.float32,
                        rtol=1e-6)


def test_softmax_float16_and_float32():
    a = sample((3, 5), "float16", seed=22)
    r = dyngraph.softmax(T(a), 1)
    expected = np_softmax(a.astype(np.float64), 1).astype(np.float16)  # computed wide, rounded once
    assert r.dtype is dyngraph.float16
    # within one float16 ulp of the correctly rounded result
    np.testing.assert_allclose(to_np(r).astype(np.float64), expected.astype(np.float64),
                               rtol=0, atol=np.spacing(expected.astype(np.float16)).max() * 1.01)
    f = rnd((3, 5), 23, "float32")
    assert_tensor_equal(dyngraph.softmax(T(f), 0), np_softmax(f.astype(np.float64), 0).astype(np.float32),
                        dtype=dyngraph.float32, rtol=1e-6)


def test_softmax_integer_input_without_dtype_raises():
    with pytest.raises(RuntimeError):
        dyngraph.softmax(dyngraph.tensor([[1, 2, 3]]), 1)


def test_softmax_noncontiguous():
    a = rnd((4, 5), 24)
    t = T(a).t()
    assert_tensor_equal(dyngraph.softmax(t, 1), np_softmax(a.T, 1), rtol=1e-12, atol=1e-15)
    assert_tensor_equal(dyngraph.log_softmax(t[:, ::2], 0), np.log(np_softmax(a.T[:, ::2], 0)), rtol=1e-12)


# ---------------------------------------------------------------------------------------------
# gradients
# ---------------------------------------------------------------------------------------------

GRAD_CASES = {
    "sum_all": (lambda x: x.sum(), (2, 3, 4)),
    "sum_dim": (lambda x: x.sum(1), (2, 3, 4)),
    "sum_tuple_keepdim": (lambda x: dyngraph.sum(x, (0, -1), keepdim=True), (2, 3, 4)),
    "sum_dtype": (lambda x: x.sum(0, dtype=dyngraph.float64), (3, 2)),
    "nansum": (lambda x: dyngraph.nansum(x, 1), (3, 4)),
    "mean_all": (lambda x: x.mean(), (2, 3, 4)),
    "mean_tuple": (lambda x: x.mean((0, 2)), (2, 3, 4)),
    "mean_keepdim": (lambda x: x.mean(-1, keepdim=True), (3, 4)),
    "nanmean": (lambda x: dyngraph.nanmean(x, 0), (3, 4)),
    "prod_all": (lambda x: x.prod(), (2, 3)),
    "prod_dim": (lambda x: x.prod(1), (3, 4)),
    "prod_keepdim": (lambda x: x.prod(0, keepdim=True), (3, 2)),
    "amax_dim": (lambda x: x.amax(1), (3, 4)),
    "amin_tuple": (lambda x: x.amin((0, 2)), (2, 3, 4)),
    "amax_all": (lambda x: x.amax(), (3, 4)),
    "max_all": (lambda x: x.max(), (3, 4)),
    "min_all": (lambda x: x.min(), (3, 4)),
    "max_dim_values": (lambda x: x.max(1).values, (3, 4)),
    "min_dim_values_keepdim": (lambda x: x.min(0, keepdim=True).values, (3, 4)),
    "max_other": (lambda x: dyngraph.max(x, -x), (3,)),
    "aminmax": (lambda x: tuple(dyngraph.aminmax(x, dim=1)), (3, 4)),
    "var_all": (lambda x: x.var(), (3, 4)),
    "var_dim": (lambda x: x.var(1), (3, 4)),
    "var_correction0": (lambda x: dyngraph.var(x, (0, 2), correction=0, keepdim=True), (2, 3, 4)),
    "std_all": (lambda x: x.std(), (3, 4)),
    "std_dim_unbiased_false": (lambda x: x.std(0, unbiased=False), (3, 4)),
    "var_mean": (lambda x: tuple(dyngraph.var_mean(x, 1)), (3, 4)),
    "std_mean": (lambda x: tuple(dyngraph.std_mean(x, 0)), (3, 4)),
    "logsumexp": (lambda x: dyngraph.logsumexp(x, 1), (3, 4)),
    "logsumexp_tuple": (lambda x: dyngraph.logsumexp(x, (0, 2), keepdim=True), (2, 3, 4)),
    "softmax": (lambda x: dyngraph.softmax(x, 1), (3, 4)),
    "softmax_dim0": (lambda x: dyngraph.softmax(x, 0), (2, 3, 4)),
    "log_softmax": (lambda x: dyngraph.log_softmax(x, -1), (3, 4)),
    "log_softmax_dim1": (lambda x: dyngraph.log_softmax(x, 1), (2, 3, 4)),
    "vector_norm": (lambda x: dyngraph.linalg.vector_norm(x, dim=1), (3, 4)),
    "vector_norm_ord1": (lambda x: dyngraph.linalg.vector_norm(x, 1), (3, 4)),
}


@pytest.mark.parametrize("name", list(GRAD_CASES))
def test_gradcheck_reductions(name):
    fn, shape = GRAD_CASES[name]
    assert gradcheck(fn, (g64(shape, 30),))


@pytest.mark.parametrize("fname", ["softmax", "log_softmax"])
@pytest.mark.parametrize("dim", [0, -1])
def test_gradgradcheck_softmax(fname, dim):
    fn = getattr(dyngraph, fname)
    assert gradgradcheck(lambda x: fn(x, dim), (g64((3, 4), 31),))


@pytest.mark.parametrize("name", ["sum_dim", "mean_tuple", "prod_dim", "var_dim", "logsumexp"])
def test_gradgradcheck_reductions(name):
    fn, shape = GRAD_CASES[name]
    assert gradgradcheck(fn, (g64(shape, 32),))


@pytest.mark.parametrize("values", [[2.0, 0.0, 3.0, -1.5], [0.0, 2.0, 0.0, 3.0], [0.0, 0.0, 0.0, 1.0]])
def test_prod_with_zeros_gradcheck_and_values(values):
    x = g64_from(values)
    assert gradcheck(lambda t: t.prod(), (x,))
    assert gradcheck(lambda t: t.reshape(2, 2).prod(1), (x,))
    x = g64_from(values)
    x.prod().backward()
    v = np.asarray(values)
    expected = np.array([np.prod(np.delete(v, i)) for i in range(len(v))])
    assert_tensor_equal(x.grad, expected)


def test_prod_dim_with_zeros_grad_values():
    v = np.array([[2.0, 0.0, 3.0], [0.0, 0.0, 5.0], [1.0, 2.0, 4.0]])
    x = T(v, True)
    x.prod(1).sum().backward()
    expected = np.array([[np.prod(np.delete(row, i)) for i in range(3)] for row in v])
    assert_tensor_equal(x.grad, expected)


@pytest.mark.parametrize("fname", ["amax", "amin", "max", "min"])
def test_full_extreme_ties_gradcheck(fname):
    # two tied extremes: central differences see 1/2 for each, which equals even distribution
    vals = [1.0, 3.0, 3.0, 0.0] if fname in ("amax", "max") else [1.0, -2.0, 0.5, -2.0]
    x = g64_from(vals)
    assert gradcheck(lambda t: getattr(t, fname)(), (x,))


def test_amax_amin_ties_grad_distributed_evenly():
    x = g64_from([[1.0, 3.0, 3.0, 3.0], [5.0, 0.0, 5.0, -1.0]])
    x.amax(1).sum().backward()
    assert_tensor_equal(x.grad, np.array([[0, 1 / 3, 1 / 3, 1 / 3], [0.5, 0, 0.5, 0]]), rtol=1e-15)
    x = g64_from([[1.0, 3.0, 1.0, 3.0], [5.0, 0.0, 5.0, 0.0]])
    x.amin(1).sum().backward()
    assert_tensor_equal(x.grad, np.array([[0.5, 0, 0.5, 0], [0, 0.5, 0, 0.5]]), rtol=1e-15)
    x = g64_from([[1.0, 3.0], [3.0, 3.0]])
    x.amax((0, 1)).backward()
    assert_tensor_equal(x.grad, np.array([[0, 1 / 3], [1 / 3, 1 / 3]]), rtol=1e-15)
    x = g64_from([1.0, 3.0, 3.0, 0.0])
    x.max().backward()
    assert_tensor_equal(x.grad, np.array([0.0, 0.5, 0.5, 0.0]))


def test_max_min_dim_values_grad_goes_to_index_only():
    x = g64_from([[1.0, 3.0, 3.0, 0.0], [2.0, 2.0, -1.0, -1.0]])
    r = x.max(1)
    r.values.sum().backward()
    assert_tensor_equal(x.grad, np.array([[0.0, 1.0, 0.0, 0.0], [1.0, 0.0, 0.0, 0.0]]))
    x = g64_from([[1.0, 3.0, 3.0, 0.0], [2.0, 2.0, -1.0, -1.0]])
    x.min(1, keepdim=True).values.sum().backward()
    assert_tensor_equal(x.grad, np.array([[0.0, 0.0, 0.0, 1.0], [0.0, 0.0, 1.0, 0.0]]))
    assert gradcheck(lambda t: t.max(1).values, (g64_from([[1.0, 3.0, 2.0, 0.0]]),))


def test_sum_mean_grad_values():
    x = T(rnd((2, 3), 33), True)
    x.mean(1).backward(dyngraph.tensor([1.0, 2.0], dtype=dyngraph.float64))
    assert_tensor_equal(x.grad, np.array([[1 / 3] * 3, [2 / 3] * 3]), rtol=1e-15)
    x = T(rnd((2, 3), 33), True)
    x.sum((0, 1), keepdim=True).backward(dyngraph.tensor([[4.0]], dtype=dyngraph.float64))
    assert_tensor_equal(x.grad, np.full((2, 3), 4.0))


def test_var_grad_values():
    a = rnd((5,), 34)
    x = T(a, True)
    x.var().backward()
    assert_tensor_equal(x.grad, 2 * (a - a.mean()) / 4, rtol=1e-12, atol=1e-15)


def test_softmax_grad_values():
    a = rnd((4,), 35)
    go = rnd((4,), 36)
    x = T(a, True)
    dyngraph.softmax(x, 0).backward(T(go))
    s = np_softmax(a, 0)
    assert_tensor_equal(x.grad, s * (go - (go * s).sum()), rtol=1e-12, atol=1e-15)
    x = T(a, True)
    dyngraph.log_softmax(x, 0).backward(T(go))
    assert_tensor_equal(x.grad, go - s * go.sum(), rtol=1e-12, atol=1e-15)


def test_reduction_grads_float32_dtype_and_shape():
    x = dyngraph.randn(2, 3, 4, dtype=dyngraph.float32, requires_grad=True)
    (x.sum(1).sum() + x.amax((0, 2)).sum() + x.var(0).sum() + dyngraph.softmax(x, 2)[..., 0].sum()).backward()
    assert x.grad.shape == x.shape and x.grad.dtype is dyngraph.float32


def test_matches_torch_optional():
    torch = pytest.importorskip("torch")
    a = rnd((3, 4, 5), 40)
    ta = torch.from_numpy(a)
    assert_tensor_equal(dyngraph.var(T(a), (0, 2), correction=2), torch.var(ta, (0, 2), correction=2).numpy(),
                        rtol=1e-12)
    assert_tensor_equal(dyngraph.logsumexp(T(a), 1), torch.logsumexp(ta, 1).numpy(), rtol=1e-12)
    r, tr = T(a).max(2), ta.max(2)
    assert_tensor_equal(r.indices, tr.indices.numpy())


def test_dim_as_list_and_none():
    a = np.arange(12.0).reshape(3, 4)
    assert dyngraph.tensor(a).sum(dim=[0, 1]).item() == 66.0
    assert_tensor_equal(T(a).amax(dim=[1]), a.max(1))
    assert T(a).logsumexp(dim=[0, 1]).item() == pytest.approx(np_logsumexp(a, (0, 1)))
    assert T(a).sum(None).item() == 66.0
    assert T(a).var(dim=None).item() == pytest.approx(a.var(ddof=1))
    assert T(a).argmax(None).item() == 11
    assert_tensor_equal(T(a).mean(-1, True), a.mean(-1, keepdims=True))


def test_leading_dim_reductions_use_whole_rows_correctly():
    # Reductions over leading dims of a dense tensor take the row-wise path.
    rng = np.random.default_rng(0)
    a = rng.standard_normal((300, 7, 5))
    t = dyngraph.tensor(a)
    np.testing.assert_allclose(t.sum(0).numpy(), a.sum(0), rtol=1e-12)
    np.testing.assert_allclose(t.mean((0, 1)).numpy(), a.mean((0, 1)), rtol=1e-12)
    np.testing.assert_array_equal(t.amax(0).numpy(), a.max(0))
    np.testing.assert_array_equal(t.amin(0).numpy(), a.min(0))
    np.testing.assert_array_equal((t > -3).all(0).numpy(), (a > -3).all(0))
    np.testing.assert_array_equal((t > 2).any(0).numpy(), (a > 2).any(0))


def test_float32_sum_of_10m_elements_is_as_accurate_as_numpy():
    # Issue 4: at least as good as NumPy's pairwise float32 sum, against a float64 reference.
    rng = np.random.default_rng(1)
    a = rng.random(10_000_000, dtype=np.float32)
    exact = a.astype(np.float64).sum()
    ours = float(dyngraph.from_numpy(a).sum().item())
    theirs = float(a.sum())
    assert abs(ours - exact) <= abs(theirs - exact) + 1e-9 * exact


# ---- float32 row kernels (csrc/cpu/vector_kernels.cpp, one copy per vector ISA) ----

@pytest.mark.parametrize("threads", [1, 2, 3])
@pytest.mark.parametrize("n", [0, 1, 31, 511, 512, 513, 1024 + 77, 100_003])
def test_float32_sum_is_at_least_as_accurate_as_numpy(n, threads):
    rng = np.random.default_rng(n)
    eps = float(np.finfo(np.float32).eps)
    before = dyngraph.get_num_threads()
    dyngraph.set_num_threads(threads)  # each thread sums its own share: the split must not cost accuracy
    try:
        # Positive values: a float32 running total would be off by about sqrt(n) roundings of the
        # total; the blocked sum is off by no more than the final rounding to float32, like NumPy's.
        values = rng.random(n, dtype=np.float32)
        exact = math.fsum(values.astype(np.float64))
        ulp = float(np.spacing(np.float32(exact))) if n else 0.0
        assert abs(dyngraph.tensor(values).sum().item() - exact) <= max(abs(float(values.sum()) - exact), ulp)
        # Mixed signs: within the bound the kernel promises (21 roundings of sum|x|), plus the final rounding.
        values = (rng.standard_normal(n) * 1e3).astype(np.float32)
        exact = math.fsum(values.astype(np.float64))
        ulp = float(np.spacing(np.float32(abs(exact)))) if n else 0.0
        bound = 21 * eps * float(np.abs(values).astype(np.float64).sum()) + ulp
        assert abs(dyngraph.tensor(values).sum().item() - exact) <= bound
    finally:
        dyngraph.set_num_threads(before)


def test_float32_sum_of_many_ones_is_exact():
    # A single float32 running total stops growing at 2**24; blocks added in double do not.
    n = (1 << 24) + 4096
    assert dyngraph.ones(n).sum().item() == n
    assert dyngraph.ones(2, n // 2).sum(1).tolist() == [n // 2, n // 2]


@pytest.mark.parametrize("shape,dim", [((64, 1000), 1), ((64, 1000), 0), ((3, 700, 5), 1), ((5, 2048), -1)])
def test_float32_sum_over_a_dim_matches_float64(shape, dim):
    a = np.random.default_rng(1).standard_normal(shape).astype(np.float32)
    got = to_np(dyngraph.tensor(a).sum(dim))
    np.testing.assert_allclose(got, a.astype(np.float64).sum(dim), rtol=1e-5, atol=1e-4)
    strided = dyngraph.tensor(a).transpose(0, -1)  # the strided (non-contiguous) path
    np.testing.assert_allclose(to_np(strided.sum(0)), a.transpose().astype(np.float64).sum(0), rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize("n", [1, 7, 16, 33, 1000, 4099])
@pytest.mark.parametrize("log", [False, True])
def test_float32_softmax_rows_match_float64(n, log):
    x = (np.random.default_rng(n).standard_normal((3, n)) * 10).astype(np.float32)
    shifted = x.astype(np.float64) - x.max(1, keepdims=True)
    want = shifted - np.log(np.exp(shifted).sum(1, keepdims=True))
    t = dyngraph.tensor(x)
    got = to_np(t.log_softmax(1) if log else t.softmax(1)).astype(np.float64)
    if log:
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)
    else:
        np.testing.assert_allclose(got, np.exp(want), rtol=1e-5, atol=1e-7)


def test_float32_softmax_special_rows():
    inf, nan = float("inf"), float("nan")
    x = dyngraph.tensor([[-inf, -inf, -inf], [1.0, nan, 2.0], [-inf, 0.0, -inf], [inf, 0.0, 1.0]])
    got = to_np(x.softmax(1))
    assert np.isnan(got[0]).all() and np.isnan(got[1]).all() and np.isnan(got[3]).all()
    np.testing.assert_array_equal(got[2], [0.0, 1.0, 0.0])
    logs = to_np(x.log_softmax(1))
    np.testing.assert_array_equal(logs[2], [-inf, 0.0, -inf])


def test_cpu_capability_follows_the_machine():
    flags = set()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    flags = set(line.split(":", 1)[1].split())
                    break
    except OSError:
        pass
    capability = dyngraph.backends.cpu.get_cpu_capability()
    assert capability in ("AVX512", "AVX2", "DEFAULT")
    if {"avx512f", "avx512dq", "avx512bw", "avx512vl"} <= flags:
        assert capability == "AVX512"
    elif "avx2" in flags:
        assert capability == "AVX2"


_CAST_PAIRS = [("float32", "float64"), ("float64", "float32"), ("int32", "int16"), ("uint8", "int32"),
               ("int64", "float32"), ("bool", "int32"), ("float16", "float32"), ("int16", "int64")]


@pytest.mark.parametrize("src,dst,op", [(s, d, op) for s, d in _CAST_PAIRS for op in ("sum", "prod", "nansum")
                                        if op != "nansum" or s.startswith("float")])  # nansum: floating inputs
def test_reduction_dtype_casts_the_input_first(src, dst, op):
    # PyTorch's dtype=: the input is cast to dtype before the reduction.
    values = np.array([[3, 250, 7], [1, 2, 200]]).astype(src)
    t = dyngraph.tensor(values)
    cast = values.astype(dst)
    reduce = {"sum": np.sum, "prod": np.prod, "nansum": np.nansum}[op]
    want_all, want_dim = reduce(cast, dtype=dst), reduce(cast, 1, dtype=dst)  # integers wrap in dst
    got_all = getattr(dyngraph, op)(t, dtype=getattr(dyngraph, dst))
    got_dim = getattr(dyngraph, op)(t, 1, dtype=getattr(dyngraph, dst))
    assert got_all.dtype is getattr(dyngraph, dst) and got_dim.dtype is getattr(dyngraph, dst)
    np.testing.assert_allclose(to_np(got_all).astype(np.float64), np.float64(want_all), rtol=1e-6)
    np.testing.assert_allclose(to_np(got_dim).astype(np.float64), want_dim.astype(np.float64), rtol=1e-6)
