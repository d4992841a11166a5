"""dyngraph.nn.functional pooling (max/avg/adaptive/lp pools, max_unpool) against NumPy window loops,
plus gradchecks, PyTorch's error types and (when installed) PyTorch itself."""

import itertools
import math

import numpy as np
import pytest

import dyngraph
import dyngraph.nn.functional as F
from dyngraph.autograd import gradcheck, gradgradcheck


def _t(a, requires_grad=False):
    return dyngraph.tensor(np.asarray(a, dtype=np.float64), requires_grad=requires_grad)


def _tup(v, n):
    return tuple(v) if isinstance(v, (tuple, list)) else (v,) * n


def _distinct(rng, *shape):
    """Values without ties (a max is then unique and differentiable)."""
    return rng.permutation(int(np.prod(shape))).reshape(shape) / 7.0 - 3.0


# ---- NumPy references -----------------------------------------------------------------------------


def _out_size(i, k, s, p, d, ceil_mode):
    span = d * (k - 1) + 1
    num = i + 2 * p - span
    o = (-(-num // s) if ceil_mode else num // s) + 1
    if ceil_mode and (o - 1) * s >= i + p:
        o -= 1
    return o


def np_max_pool(x, kernel, stride=None, padding=0, dilation=1, ceil_mode=False):
    """Values and flat in-plane indices; the first maximum in window order wins, NaN beats everything."""
    dims = x.ndim - 2
    k = _tup(kernel, dims)
    s = k if stride is None else _tup(stride, dims)
    p, d = _tup(padding, dims), _tup(dilation, dims)
    sizes = x.shape[2:]
    outs = [_out_size(sizes[j], k[j], s[j], p[j], d[j], ceil_mode) for j in range(dims)]
    vals = np.zeros(x.shape[:2] + tuple(outs))
    idx = np.zeros(x.shape[:2] + tuple(outs), dtype=np.int64)
    for n, c in itertools.product(range(x.shape[0]), range(x.shape[1])):
        for pos in itertools.product(*[range(o) for o in outs]):
            best, best_i = -np.inf, -1
            for tap in itertools.product(*[range(kk) for kk in k]):
                src = [pos[j] * s[j] - p[j] + tap[j] * d[j] for j in range(dims)]
                if any(v < 0 or v >= sizes[j] for j, v in enumerate(src)):
                    continue
                v = x[(n, c) + tuple(src)]
                if best_i < 0 or v > best or (np.isnan(v) and not np.isnan(best)):
                    best, best_i = v, int(np.ravel_multi_index(src, sizes))
            vals[(n, c) + pos], idx[(n, c) + pos] = best, best_i
    return vals, idx


def np_avg_pool(x, kernel, stride=None, padding=0, ceil_mode=False, count_include_pad=True, divisor_override=None):
    dims = x.ndim - 2
    k = _tup(kernel, dims)
    s = k if stride is None else _tup(stride, dims)
    p = _tup(padding, dims)
    sizes = x.shape[2:]
    outs = [_out_size(sizes[j], k[j], s[j], p[j], 1, ceil_mode) for j in range(dims)]
    out = np.zeros(x.shape[:2] + tuple(outs))
    for pos in itertools.product(*[range(o) for o in outs]):
        starts = [pos[j] * s[j] - p[j] for j in range(dims)]
        ends = [min(starts[j] + k[j], sizes[j] + p[j]) for j in range(dims)]
        padded_count = math.prod(e - b for b, e in zip(starts, ends))  # padding counts, ceil overhang does not
        starts = [max(b, 0) for b in starts]
        ends = [min(e, sizes[j]) for j, e in enumerate(ends)]
        window = x[(slice(None), slice(None)) + tuple(slice(b, e) for b, e in zip(starts, ends))]
        total = window.reshape(x.shape[0], x.shape[1], -1).sum(-1)
        if divisor_override:
            div = divisor_override
        elif count_include_pad:
            div = padded_count
        else:
            div = math.prod(e - b for b, e in zip(starts, ends))
        out[(slice(None), slice(None)) + pos] = total / div
    return out


def _adaptive_windows(i, o):
    return [(j * i // o, -(-(j + 1) * i // o)) for j in range(o)]


def np_adaptive(x, outs, reduce):
    dims = x.ndim - 2
    wins = [_adaptive_windows(x.shape[2 + j], outs[j]) for j in range(dims)]
    vals = np.zeros(x.shape[:2] + tuple(outs))
    idx = np.zeros(x.shape[:2] + tuple(outs), dtype=np.int64)
    for pos in itertools.product(*[range(o) for o in outs]):
        sl = tuple(slice(*wins[j][pos[j]]) for j in range(dims))
        window = x[(slice(None), slice(None)) + sl]
        flat = window.reshape(x.shape[0], x.shape[1], -1)
        if reduce == "avg":
            vals[(slice(None), slice(None)) + pos] = flat.mean(-1)
        else:
            arg = flat.argmax(-1)
            vals[(slice(None), slice(None)) + pos] = flat.max(-1)
            local = np.unravel_index(arg, window.shape[2:])
            glob = [local[j] + wins[j][pos[j]][0] for j in range(dims)]
            idx[(slice(None), slice(None)) + pos] = np.ravel_multi_index(glob, x.shape[2:])
    return vals, idx


# ---- max pool ---------------------------------------------------------------------------------------

MAX_POOL = {1: F.max_pool1d, 2: F.max_pool2d, 3: F.max_pool3d}
AVG_POOL = {1: F.avg_pool1d, 2: F.avg_pool2d, 3: F.avg_pool3d}
SPATIAL = {1: (9,), 2: (7, 6), 3: (5, 4, 6)}


@pytest.mark.parametrize("dims", [1, 2, 3])
@pytest.mark.parametrize("kernel,stride,padding,dilation,ceil_mode", [
    (2, None, 0, 1, False), (3, 2, 1, 1, False), (3, 2, 1, 1, True), (2, 1, 1, 2, False), (2, 3, 0, 1, True),
    (3, 2, 0, 2, True), (2, 2, 1, 1, True)])
def test_max_pool_matches_windows(dims, kernel, stride, padding, dilation, ceil_mode):
    rng = np.random.default_rng(dims)
    x = rng.standard_normal((2, 2) + SPATIAL[dims])
    vals, idx = MAX_POOL[dims](_t(x), kernel, stride, padding, dilation, ceil_mode, return_indices=True)
    want_v, want_i = np_max_pool(x, kernel, stride, padding, dilation, ceil_mode)
    assert tuple(vals.shape) == want_v.shape
    np.testing.assert_array_equal(vals.numpy(), want_v)
    assert idx.dtype is dyngraph.int64
    np.testing.assert_array_equal(idx.numpy(), want_i)
    plain = MAX_POOL[dims](_t(x), kernel, stride, padding, dilation, ceil_mode)
    np.testing.assert_array_equal(plain.numpy(), want_v)


@pytest.mark.parametrize("n", range(3, 9))
@pytest.mark.parametrize("k,s,p", [(2, 2, 0), (3, 2, 1), (3, 3, 1), (4, 3, 2), (2, 3, 1)])
def test_max_pool1d_ceil_mode_output_sizes(n, k, s, p):
    x = np.arange(n, dtype=np.float64)[None, None] * 0.5
    for ceil_mode in (False, True):
        got = F.max_pool1d(_t(x), k, s, p, ceil_mode=ceil_mode)
        want, _ = np_max_pool(x, k, s, p, 1, ceil_mode)
        assert tuple(got.shape) == want.shape, (ceil_mode, got.shape, want.shape)
        np.testing.assert_array_equal(got.numpy(), want)


def test_max_pool_ties_pick_first_and_nan_propagates():
    x = np.zeros((1, 1, 4, 4))
    vals, idx = F.max_pool2d(_t(x), 2, 1, return_indices=True)
    np.testing.assert_array_equal(idx.numpy(), np_max_pool(x, 2, 1)[1])
    y = np.array([[[1.0, np.nan, 0.0, 3.0, 2.0, 2.0]]])
    v, i = F.max_pool1d(_t(y), 2, return_indices=True)
    np.testing.assert_array_equal(v.numpy(), [[[np.nan, 3.0, 2.0]]])
    np.testing.assert_array_equal(i.numpy(), [[[1, 3, 4]]])


def test_max_pool_unbatched_and_tuple_args():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 7, 6))
    v, i = F.max_pool2d(_t(x), (2, 3), (1, 2), (1, 0), return_indices=True)
    want_v, want_i = np_max_pool(x[None], (2, 3), (1, 2), (1, 0))
    np.testing.assert_array_equal(v.numpy(), want_v[0])
    np.testing.assert_array_equal(i.numpy(), want_i[0])


def test_max_pool_with_indices_aliases():
    rng = np.random.default_rng(4)
    x = rng.standard_normal((1, 2, 8))
    v, i = F.max_pool1d_with_indices(_t(x), 3, 2, 1)
    want_v, want_i = np_max_pool(x, 3, 2, 1)
    np.testing.assert_array_equal(v.numpy(), want_v)
    np.testing.assert_array_equal(i.numpy(), want_i)
    x2 = rng.standard_normal((1, 2, 5, 5))
    v2, i2 = F.max_pool2d_with_indices(_t(x2), 2)
    np.testing.assert_array_equal(i2.numpy(), np_max_pool(x2, 2)[1])


# ---- avg pool ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("dims", [1, 2, 3])
@pytest.mark.parametrize("kernel,stride,padding,ceil_mode,count_include_pad", [
    (2, None, 0, False, True), (3, 2, 1, False, True), (3, 2, 1, False, False), (3, 2, 1, True, True),
    (3, 2, 1, True, False), (2, 3, 1, True, True), (2, 1, 1, False, False)])
def test_avg_pool_matches_windows(dims, kernel, stride, padding, ceil_mode, count_include_pad):
    rng = np.random.default_rng(10 + dims)
    x = rng.standard_normal((2, 2) + SPATIAL[dims])
    got = AVG_POOL[dims](_t(x), kernel, stride, padding, ceil_mode, count_include_pad)
    want = np_avg_pool(x, kernel, stride, padding, ceil_mode, count_include_pad)
    assert tuple(got.shape) == want.shape
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("dims", [2, 3])
@pytest.mark.parametrize("ceil_mode", [False, True])
def test_avg_pool_divisor_override(dims, ceil_mode):
    rng = np.random.default_rng(20)
    x = rng.standard_normal((1, 2) + SPATIAL[dims])
    got = AVG_POOL[dims](_t(x), 3, 2, 1, ceil_mode, True, 5)
    np.testing.assert_allclose(got.numpy(), np_avg_pool(x, 3, 2, 1, ceil_mode, True, 5), rtol=1e-12, atol=1e-12)


def test_avg_pool_unbatched():
    rng = np.random.default_rng(21)
    x = rng.standard_normal((3, 5, 6))
    got = F.avg_pool2d(_t(x), (2, 3), padding=(1, 1), count_include_pad=False)
    np.testing.assert_allclose(got.numpy(), np_avg_pool(x[None], (2, 3), None, (1, 1), False, False)[0],
                               rtol=1e-12, atol=1e-12)


def test_avg_pool_integer_input_keeps_dtype():
    got = F.avg_pool1d(dyngraph.tensor([[[1, 4, 2, 5]]]), 2)
    assert got.dtype is dyngraph.int64
    np.testing.assert_array_equal(got.numpy(), [[[2, 3]]])


# ---- adaptive pools ---------------------------------------------------------------------------------


@pytest.mark.parametrize("dims", [1, 2, 3])
@pytest.mark.parametrize("in_size,out_size", [(5, 3), (7, 3), (5, 5), (3, 5), (6, 1), (7, 4)])
def test_adaptive_avg_pool_windows(dims, in_size, out_size):
    rng = np.random.default_rng(30)
    sizes = (in_size, in_size + 1, in_size)[:dims]
    outs = (out_size, out_size - 1 if out_size > 1 else 1, out_size)[:dims]
    x = rng.standard_normal((2, 2) + sizes)
    fn = {1: F.adaptive_avg_pool1d, 2: F.adaptive_avg_pool2d, 3: F.adaptive_avg_pool3d}[dims]
    got = fn(_t(x), outs if dims > 1 else outs[0])
    np.testing.assert_allclose(got.numpy(), np_adaptive(x, outs, "avg")[0], rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("dims", [1, 2])
@pytest.mark.parametrize("in_size,out_size", [(5, 3), (7, 3), (5, 5), (3, 5), (6, 1), (7, 4)])
def test_adaptive_max_pool_windows_and_indices(dims, in_size, out_size):
    rng = np.random.default_rng(31)
    sizes = (in_size, in_size + 1)[:dims]
    outs = (out_size, out_size + 1)[:dims]
    x = rng.standard_normal((2, 2) + sizes)
    fn = {1: F.adaptive_max_pool1d, 2: F.adaptive_max_pool2d}[dims]
    vals, idx = fn(_t(x), outs if dims > 1 else outs[0], return_indices=True)
    want_v, want_i = np_adaptive(x, outs, "max")
    np.testing.assert_array_equal(vals.numpy(), want_v)
    np.testing.assert_array_equal(idx.numpy(), want_i)
    np.testing.assert_array_equal(fn(_t(x), outs if dims > 1 else outs[0]).numpy(), want_v)


def test_adaptive_pool_none_entry_keeps_input_size_and_unbatched():
    rng = np.random.default_rng(32)
    x = rng.standard_normal((1, 2, 5, 7))
    got = F.adaptive_avg_pool2d(_t(x), (None, 3))
    np.testing.assert_allclose(got.numpy(), np_adaptive(x, (5, 3), "avg")[0], rtol=1e-12, atol=1e-12)
    v, i = F.adaptive_max_pool2d(_t(x[0]), (2, 3), return_indices=True)
    want_v, want_i = np_adaptive(x, (2, 3), "max")
    np.testing.assert_array_equal(v.numpy(), want_v[0])
    np.testing.assert_array_equal(i.numpy(), want_i[0])


# ---- lp pool, max_unpool ----------------------------------------------------------------------------


@pytest.mark.parametrize("norm_type", [1.0, 2.0, 3.0])
def test_lp_pool_is_p_norm_of_windows(norm_type):
    rng = np.random.default_rng(40)
    x = np.abs(rng.standard_normal((1, 2, 6, 8))) + 0.1
    got = F.lp_pool2d(_t(x), norm_type, (2, 3), 2)
    k = (2, 3)
    want = np_avg_pool(x ** norm_type, k, 2) * 6
    np.testing.assert_allclose(got.numpy(), want ** (1 / norm_type), rtol=1e-12)
    got1 = F.lp_pool1d(_t(x[0]), norm_type, 3, 2)
    want1 = (np_avg_pool(x[0] ** norm_type, 3, 2) * 3) ** (1 / norm_type)
    np.testing.assert_allclose(got1.numpy(), want1, rtol=1e-12)


def _np_unpool(vals, idx, out_shape):
    want = np.zeros(out_shape)
    for n, c in itertools.product(range(vals.shape[0]), range(vals.shape[1])):
        want[n, c].reshape(-1)[idx[n, c].reshape(-1)] = vals[n, c].reshape(-1)
    return want


def test_max_unpool_scatters_to_indices():
    rng = np.random.default_rng(41)
    x = rng.standard_normal((2, 2, 6, 6))
    vals, idx = np_max_pool(x, 2)
    got = F.max_unpool2d(_t(vals), dyngraph.tensor(idx), 2)
    np.testing.assert_array_equal(got.numpy(), _np_unpool(vals, idx, (2, 2, 6, 6)))
    x7 = rng.standard_normal((2, 2, 7, 7))  # pooling drops the last row/col; output_size restores them
    vals7, idx7 = np_max_pool(x7, 2)
    got7 = F.max_unpool2d(_t(vals7), dyngraph.tensor(idx7), 2, output_size=(7, 7))
    np.testing.assert_array_equal(got7.numpy(), _np_unpool(vals7, idx7, (2, 2, 7, 7)))
    y = rng.standard_normal((1, 1, 7))
    v1, i1 = np_max_pool(y, 3, 2, 1)
    got1 = F.max_unpool1d(_t(v1), dyngraph.tensor(i1), 3, 2, 1)
    np.testing.assert_array_equal(got1.numpy(), _np_unpool(v1, i1, (1, 1, 7)))


def test_max_unpool_invalid_index_raises():
    with pytest.raises(RuntimeError):
        F.max_unpool1d(dyngraph.ones(1, 1, 2), dyngraph.tensor([[[0, 9]]]), 2)


# ---- gradients ------------------------------------------------------------------------------------


@pytest.mark.parametrize("fn,shape,kw", [
    (F.max_pool1d, (1, 2, 7), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)),
    (F.max_pool2d, (1, 1, 5, 5), dict(kernel_size=2, stride=1, dilation=2)),
    (F.max_pool3d, (1, 1, 3, 3, 4), dict(kernel_size=2, padding=1)),
    (F.avg_pool1d, (1, 2, 7), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False)),
    (F.avg_pool2d, (1, 1, 5, 4), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)),
    (F.avg_pool2d, (1, 1, 4, 4), dict(kernel_size=2, divisor_override=3)),
    (F.avg_pool3d, (1, 1, 3, 3, 4), dict(kernel_size=2, padding=1, count_include_pad=False)),
    (F.adaptive_avg_pool2d, (1, 2, 5, 4), dict(output_size=(3, 3))),
    (F.adaptive_avg_pool3d, (1, 1, 3, 4, 3), dict(output_size=2)),
    (F.adaptive_max_pool1d, (1, 2, 7), dict(output_size=3)),
    (F.adaptive_max_pool2d, (1, 1, 5, 4), dict(output_size=(2, 3))),
    (F.lp_pool2d, (1, 1, 4, 4), dict(norm_type=2.0, kernel_size=2)),
    (F.lp_pool1d, (1, 2, 6), dict(norm_type=3.0, kernel_size=2, stride=1)),
])
def test_pool_gradcheck(fn, shape, kw):
    rng = np.random.default_rng(50)
    x = _distinct(rng, *shape)
    if fn in (F.lp_pool1d, F.lp_pool2d):
        x = np.abs(x) + 0.5
    xt = _t(x, True)
    assert gradcheck(lambda x: fn(x, **kw), (xt,))


def test_max_pool_backward_routes_to_argmax():
    rng = np.random.default_rng(51)
    x = _distinct(rng, 1, 1, 4, 5)
    xt = _t(x, True)
    out = F.max_pool2d(xt, 2, 1, padding=1)
    g = rng.standard_normal(tuple(out.shape))
    out.backward(_t(g))
    _, idx = np_max_pool(x, 2, 1, 1)
    want = np.zeros(20)
    np.add.at(want, idx.reshape(-1), g.reshape(-1))
    np.testing.assert_allclose(xt.grad.numpy().reshape(-1), want, rtol=1e-12)


def test_max_pool2d_unpadded_fast_path_nan_index():
    # Every window inside the image takes the kernels' unchecked loop; the last NaN wins, as in PyTorch.
    nan = float("nan")
    v, i = F.max_pool2d(dyngraph.tensor([[[[nan, 1.0], [nan, 2.0]]]]), 2, return_indices=True)
    assert math.isnan(v.item()) and i.item() == 2
    v, i = F.max_pool1d(dyngraph.tensor([[[nan, 1.0, nan, 2.0]]]), 4, return_indices=True)
    assert i.item() == 2


def test_max_pool_backward_kernel_and_double_backward():
    rng = np.random.default_rng(52)
    x = _distinct(rng, 2, 3, 6, 7)
    xt = _t(x, True)
    out = F.max_pool2d(xt, 2, ceil_mode=True)  # the last column's windows hang over the edge
    g = rng.standard_normal(tuple(out.shape))
    out.backward(_t(g))
    _, idx = np_max_pool(x, 2, 2, 0, 1, True)
    want = np.zeros((6, 42))
    for plane in range(6):
        np.add.at(want[plane], idx.reshape(6, -1)[plane], g.reshape(6, -1)[plane])
    np.testing.assert_allclose(xt.grad.numpy().reshape(6, 42), want, rtol=1e-12)
    # With create_graph the backward is itself differentiable.
    assert gradgradcheck(lambda x: F.max_pool2d(x, 2), (_t(_distinct(rng, 1, 2, 4, 4), True),))


# ---- errors ---------------------------------------------------------------------------------------


def test_pool_wrong_dims_raise_runtime_error():
    with pytest.raises(RuntimeError):
        F.max_pool1d(dyngraph.ones(1, 2, 3, 3), 2)
    with pytest.raises(RuntimeError):
        F.max_pool2d(dyngraph.ones(1, 1, 2, 5, 7), 2)
    with pytest.raises(RuntimeError):
        F.avg_pool3d(dyngraph.ones(2, 3, 3), 2)
    with pytest.raises(RuntimeError):
        F.adaptive_avg_pool2d(dyngraph.ones(3, 3), 2)
    with pytest.raises(RuntimeError):
        F.adaptive_max_pool2d(dyngraph.ones(3), 2)


def test_pool_bad_geometry_raises_runtime_error():
    with pytest.raises(RuntimeError):  # padding above half the kernel
        F.max_pool2d(dyngraph.ones(1, 1, 5, 7), 2, padding=2)
    with pytest.raises(RuntimeError):
        F.avg_pool2d(dyngraph.ones(1, 1, 5, 7), 2, padding=2)
    with pytest.raises(RuntimeError):  # output would be empty
        F.max_pool2d(dyngraph.ones(1, 1, 3, 3), 4)
    with pytest.raises(RuntimeError):
        F.max_pool1d(dyngraph.ones(1, 1, 4), 2, 0)


# ---- PyTorch as the oracle ------------------------------------------------------------------------


def _torch_compare(torch, fd, ft, x, rtol=1e-12, atol=1e-12):
    xd, xt = _t(x, True), torch.tensor(x, requires_grad=True)
    out_d, out_t = fd(xd), ft(xt)
    if isinstance(out_t, tuple):
        np.testing.assert_array_equal(out_d[1].numpy(), out_t[1].numpy())
        out_d, out_t = out_d[0], out_t[0]
    assert tuple(out_d.shape) == tuple(out_t.shape)
    np.testing.assert_allclose(out_d.detach().numpy(), out_t.detach().numpy(), rtol=rtol, atol=atol)
    g = np.random.default_rng(7).standard_normal(tuple(out_t.shape))
    out_d.backward(_t(g))
    out_t.backward(torch.tensor(g))
    np.testing.assert_allclose(xd.grad.numpy(), xt.grad.numpy(), rtol=rtol, atol=atol)


@pytest.mark.parametrize("dims", [1, 2, 3])
@pytest.mark.parametrize("k,s,p,d,ceil_mode", [
    (2, None, 0, 1, False), (3, 2, 1, 1, True), (2, 1, 1, 2, False), (3, 3, 1, 1, True), ((2, 3, 2), (1, 2, 2),
                                                                                          (1, 0, 1), 1, True)])
def test_max_pool_against_torch(dims, k, s, p, d, ceil_mode):
    torch = pytest.importorskip("torch")
    torch.set_num_threads(1)  # tiny ops: thread start-up would dominate
    if isinstance(k, tuple):
        k, s, p = k[:dims], s[:dims], p[:dims]
    x = _distinct(np.random.default_rng(60 + dims), 2, 2, *SPATIAL[dims])
    _torch_compare(torch, lambda x: MAX_POOL[dims](x, k, s, p, d, ceil_mode, True),
                   lambda x: getattr(torch.nn.functional, f"max_pool{dims}d")(x, k, s, p, d, ceil_mode, True), x)


@pytest.mark.parametrize("dims", [1, 2, 3])
@pytest.mark.parametrize("k,s,p,ceil_mode,cip,div", [
    (2, None, 0, False, True, None), (3, 2, 1, True, True, None), (3, 2, 1, True, False, None),
    (2, 3, 1, True, False, None), (3, 1, 1, False, True, 2), ((2, 3, 2), (1, 2, 3), (1, 1, 0), True, True, None)])
def test_avg_pool_against_torch(dims, k, s, p, ceil_mode, cip, div):
    torch = pytest.importorskip("torch")
    torch.set_num_threads(1)
    if isinstance(k, tuple):
        k, s, p = k[:dims], s[:dims], p[:dims]
    extra = () if dims == 1 else (div,)  # avg_pool1d has no divisor_override
    x = np.random.default_rng(70 + dims).standard_normal((2, 2) + SPATIAL[dims])
    _torch_compare(torch, lambda x: AVG_POOL[dims](x, k, s, p, ceil_mode, cip, *extra),
                   lambda x: getattr(torch.nn.functional, f"avg_pool{dims}d")(x, k, s, p, ceil_mode, cip, *extra), x)


@pytest.mark.parametrize("name,shape,out", [
    ("adaptive_avg_pool1d", (2, 3, 7), 3), ("adaptive_avg_pool2d", (2, 3, 5, 7), (3, 4)),
    ("adaptive_avg_pool2d", (3, 5, 7), (None, 2)), ("adaptive_avg_pool3d", (1, 2, 4, 5, 3), (2, 3, 5)),
    ("adaptive_max_pool1d", (2, 3, 7), 4), ("adaptive_max_pool2d", (2, 3, 5, 7), (3, 4)),
    ("adaptive_max_pool2d", (3, 4, 4), 6)])
def test_adaptive_pool_against_torch(name, shape, out):
    torch = pytest.importorskip("torch")
    torch.set_num_threads(1)
    x = _distinct(np.random.default_rng(80), *shape)
    kw = {"return_indices": True} if "max" in name else {}
    _torch_compare(torch, lambda x: getattr(F, name)(x, out, **kw),
                   lambda x: getattr(torch.nn.functional, name)(x, out, **kw), x)


@pytest.mark.parametrize("name,args", [("lp_pool1d", (2.0, 3, 2)), ("lp_pool1d", (1.5, 2, 2, True)),
                                       ("lp_pool2d", (2.0, (2, 3), 2)), ("lp_pool2d", (3.0, 2, 1))])
def test_lp_pool_against_torch(name, args):
    torch = pytest.importorskip("torch")
    torch.set_num_threads(1)
    rng = np.random.default_rng(90)
    x = np.abs(rng.standard_normal((1, 2, 7) if name == "lp_pool1d" else (1, 2, 6, 7))) + 0.1
    _torch_compare(torch, lambda x: getattr(F, name)(x, *args),
                   lambda x: getattr(torch.nn.functional, name)(x, *args), x, rtol=1e-10)


@pytest.mark.parametrize("shape,output_size", [((6, 6), None), ((7, 7), (7, 7)), ((6, 7), (1, 2, 6, 7))])
def test_max_unpool_against_torch(shape, output_size):
    torch = pytest.importorskip("torch")
    torch.set_num_threads(1)
    x = torch.tensor(np.random.default_rng(91).standard_normal((1, 2) + shape))
    v, i = torch.nn.functional.max_pool2d(x, 2, return_indices=True)
    want = torch.nn.functional.max_unpool2d(v, i, 2, output_size=output_size)
    got = F.max_unpool2d(_t(v.numpy()), dyngraph.tensor(i.numpy()), 2, output_size=output_size)
    assert tuple(got.shape) == tuple(want.shape)
    np.testing.assert_array_equal(got.numpy(), want.numpy())


@pytest.mark.parametrize("name,shape,out", [
    ("adaptive_max_pool3d", (2, 2, 5, 4, 6), (2, 3, 4)), ("adaptive_max_pool1d", (1, 2, 3), 7),
    ("adaptive_max_pool2d", (1, 1, 9, 2), (4, 5)), ("adaptive_max_pool1d", (2, 1, 5), 1)])
def test_adaptive_max_pool_c_op_against_torch(name, shape, out):
    # The C++ op's adaptive windows: overlapping ones (out > in), one window, 3-D.
    torch = pytest.importorskip("torch")
    torch.set_num_threads(1)
    x = _distinct(np.random.default_rng(81), *shape)
    _torch_compare(torch, lambda x: getattr(F, name)(x, out, return_indices=True),
                   lambda x: getattr(torch.nn.functional, name)(x, out, return_indices=True), x)
    assert gradgradcheck(lambda x: getattr(F, name)(x, out), [_t(x, True)])


def test_adaptive_max_pool_nan_inf_dtypes_and_errors():
    x = _t([[[1.0, np.nan, 3.0, -np.inf]]])
    values, index = F.adaptive_max_pool1d(x, 3, return_indices=True)
    np.testing.assert_array_equal(index.numpy(), [[[1, 1, 2]]])  # NaN wins, as in PyTorch
    assert np.isnan(values.numpy()[0, 0, :2]).all() and values.numpy()[0, 0, 2] == 3
    values, index = F.adaptive_max_pool1d(_t(np.full((1, 1, 4), -np.inf)), 3, return_indices=True)
    np.testing.assert_array_equal(index.numpy(), [[[0, 1, 2]]])
    half = F.adaptive_max_pool2d(dyngraph.arange(16.0).reshape(1, 1, 4, 4).half(), 2)
    assert half.dtype == dyngraph.float16 and half.float().numpy().ravel().tolist() == [5, 7, 13, 15]
    with pytest.raises(NotImplementedError, match="\"adaptive_max_pool2d\" not implemented for 'Long'"):
        F.adaptive_max_pool2d(dyngraph.ones(1, 1, 4, 4, dtype=dyngraph.int64), 2)
