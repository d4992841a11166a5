"""dyngraph.nn.functional: dropout, embedding, embedding_bag, pad, interpolate, grid_sample, affine_grid,
pixel_shuffle, scaled_dot_product_attention, cross_entropy, nll_loss, one_hot and the activations, against
NumPy references, plus gradchecks, PyTorch's error types and (when installed) PyTorch itself."""

import itertools
import math

import numpy as np
import pytest

import dyngraph
import dyngraph.nn.functional as F
from dyngraph.autograd import gradcheck


def _t(a, requires_grad=False):
    return dyngraph.tensor(np.asarray(a, dtype=np.float64), requires_grad=requires_grad)


def _i(a):
    return dyngraph.tensor(np.asarray(a, dtype=np.int64))


def _rand(seed, *shape):
    return np.random.default_rng(seed).standard_normal(shape)


def _np_log_softmax(x, axis):
    m = x.max(axis, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis, keepdims=True))


def _np_softmax(x, axis):
    return np.exp(_np_log_softmax(x, axis))


# ==== dropout ======================================================================================


def test_dropout_seeded_reproducible_and_seed_dependent():
    x = dyngraph.ones(1000)
    dyngraph.manual_seed(123)
    a = F.dropout(x, 0.4).numpy()
    dyngraph.manual_seed(123)
    b = F.dropout(x, 0.4).numpy()
    dyngraph.manual_seed(124)
    c = F.dropout(x, 0.4).numpy()
    np.testing.assert_array_equal(a, b)
    assert (a != c).any()


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_dropout_fraction_and_scale(p):
    dyngraph.manual_seed(0)
    x = np.random.default_rng(0).random(40000) + 0.5  # no zeros in the input
    out = F.dropout(_t(x), p).numpy()
    dropped = out == 0
    assert abs(dropped.mean() - p) < 0.015
    np.testing.assert_allclose(out[~dropped], x[~dropped] / (1 - p), rtol=1e-12)


def test_dropout_identity_cases_and_p_one():
    x = _rand(1, 4, 5)
    np.testing.assert_array_equal(F.dropout(_t(x), 0.5, training=False).numpy(), x)
    np.testing.assert_array_equal(F.dropout(_t(x), 0.0).numpy(), x)
    np.testing.assert_array_equal(F.dropout(_t(x), 1.0).numpy(), np.zeros_like(x))
    for fn, shape in ((F.dropout1d, (2, 3, 4)), (F.dropout2d, (2, 3, 4, 2)), (F.dropout3d, (2, 3, 4, 2, 2)),
                      (F.alpha_dropout, (2, 3)), (F.feature_alpha_dropout, (2, 3, 4))):
        y = _rand(2, *shape)
        np.testing.assert_array_equal(fn(_t(y), 0.5, training=False).numpy(), y)
        np.testing.assert_array_equal(fn(_t(y), 0.0, training=True).numpy(), y)


def test_dropout_inplace_writes_input():
    dyngraph.manual_seed(3)
    x = dyngraph.ones(200)
    out = F.dropout(x, 0.5, inplace=True)
    np.testing.assert_array_equal(x.numpy(), out.numpy())
    assert set(np.unique(x.numpy())) <= {0.0, 2.0}


@pytest.mark.parametrize("fn,shape,mask_dims", [
    (F.dropout1d, (4, 16, 6), 2), (F.dropout1d, (16, 6), 1),
    (F.dropout2d, (4, 16, 3, 3), 2), (F.dropout3d, (2, 16, 2, 2, 2), 2), (F.dropout3d, (16, 2, 2, 2), 1)])
def test_feature_dropout_zeroes_whole_channels(fn, shape, mask_dims):
    dyngraph.manual_seed(5)
    p = 0.5
    out = fn(dyngraph.ones(*shape), p).numpy()
    planes = out.reshape(int(np.prod(shape[:mask_dims])), -1)
    assert ((planes == 0).all(1) | (planes == 1 / (1 - p)).all(1)).all()
    dropped = (planes == 0).all(1).mean()
    assert 0.15 < dropped < 0.85


def test_dropout2d_3d_input_is_channelwise_1d():
    dyngraph.manual_seed(6)
    out = F.dropout2d(dyngraph.ones(2, 50, 4), 0.5).numpy()
    assert (out == out[:, :, :1]).all()
    assert not (out[:, :, 0] == out[:, :1, 0]).all()  # channels of one sample differ


def test_dropout3d_3d_input_is_accepted():
    out = F.dropout3d(dyngraph.ones(4, 3, 2), 0.5).numpy()
    assert ((out.reshape(4, -1) == 0).all(1) | (out.reshape(4, -1) == 2).all(1)).all()


@pytest.mark.parametrize("fn", [F.dropout, F.dropout1d, F.dropout2d, F.dropout3d, F.alpha_dropout,
                                F.feature_alpha_dropout])
@pytest.mark.parametrize("p", [-0.1, 1.1])
def test_dropout_probability_out_of_range_is_value_error(fn, p):
    with pytest.raises(ValueError):
        fn(dyngraph.ones(2, 3, 2, 2, 2), p, True)


def test_alpha_dropout_keeps_zero_mean_unit_variance():
    dyngraph.manual_seed(7)
    x = np.random.default_rng(7).standard_normal(50000)
    out = F.alpha_dropout(_t(x), 0.3, training=True).numpy()
    assert abs(out.mean()) < 0.03
    assert abs(out.var() - 1) < 0.05
    # every dropped unit maps to the same value
    alpha_p = -1.7580993408473766
    a = ((1 - 0.3) * (1 + 0.3 * alpha_p ** 2)) ** -0.5
    dropped_value = a * alpha_p + (-a * alpha_p * 0.3)
    assert abs((np.isclose(out, dropped_value)).mean() - 0.3) < 0.015


def test_feature_alpha_dropout_is_per_channel():
    dyngraph.manual_seed(8)
    out = F.feature_alpha_dropout(dyngraph.ones(4, 8, 3, 3), 0.5, training=True).numpy().reshape(32, -1)
    assert (out == out[:, :1]).all()
    assert len(np.unique(out[:, 0])) == 2


# ==== embedding ====================================================================================


def test_embedding_gathers_rows():
    w = _rand(1, 6, 3)
    idx = np.array([[0, 2, 5], [2, 2, 1]])
    np.testing.assert_array_equal(F.embedding(_i(idx), _t(w)).numpy(), w[idx])
    np.testing.assert_array_equal(F.embedding(_i(4), _t(w)).numpy(), w[4])
    np.testing.assert_array_equal(F.embedding(dyngraph.tensor([3, 0], dtype=dyngraph.int32), _t(w)).numpy(),
                                  w[[3, 0]])


@pytest.mark.parametrize("padding_idx", [None, 2, -1])
@pytest.mark.parametrize("scale_grad_by_freq", [False, True])
def test_embedding_backward(padding_idx, scale_grad_by_freq):
    w = _rand(2, 6, 3)
    idx = np.array([[0, 2, 5], [2, 2, 1]])
    wt = _t(w, True)
    out = F.embedding(_i(idx), wt, padding_idx, scale_grad_by_freq=scale_grad_by_freq)
    np.testing.assert_array_equal(out.detach().numpy(), w[idx])
    g = _rand(3, 2, 3, 3)
    out.backward(_t(g))
    want = np.zeros_like(w)
    np.add.at(want, idx.reshape(-1), g.reshape(-1, 3))
    if scale_grad_by_freq:
        counts = np.bincount(idx.reshape(-1), minlength=6)
        want /= np.maximum(counts, 1)[:, None]
    if padding_idx is not None:
        want[padding_idx % 6] = 0
    np.testing.assert_allclose(wt.grad.numpy(), want, rtol=1e-12)


@pytest.mark.parametrize("max_norm,norm_type", [(0.5, 2.0), (1.0, 1.0), (100.0, 2.0)])
def test_embedding_max_norm_renormalizes_referenced_rows(max_norm, norm_type):
    w = _rand(4, 6, 3) * 2
    idx = np.array([0, 2, 2, 5])
    wt = _t(w)
    out = F.embedding(_i(idx), wt, max_norm=max_norm, norm_type=norm_type)
    want_w = w.copy()
    for r in set(idx.tolist()):
        n = (np.abs(w[r]) ** norm_type).sum() ** (1 / norm_type)
        if n > max_norm:
            want_w[r] = w[r] * max_norm / (n + 1e-7)
    np.testing.assert_allclose(wt.numpy(), want_w, rtol=1e-12)
    np.testing.assert_allclose(out.numpy(), want_w[idx], rtol=1e-12)


def test_embedding_gradcheck():
    w = _t(_rand(5, 5, 2), True)
    assert gradcheck(lambda w: F.embedding(_i([[1, 3], [3, 4]]), w), (w,))


def test_embedding_errors():
    w = dyngraph.ones(6, 3)
    with pytest.raises(RuntimeError):
        F.embedding(dyngraph.tensor([0.0, 1.0]), w)
    with pytest.raises(IndexError):
        F.embedding(_i([0, 6]), w)


def np_embedding_bag(idx, w, offsets, mode, per_sample_weights=None, include_last_offset=False, padding_idx=None):
    if idx.ndim == 2:
        bags = [list(r) for r in idx]
        psw = None if per_sample_weights is None else [list(r) for r in per_sample_weights]
    else:
        ends = list(offsets[1:]) + ([] if include_last_offset else [len(idx)])
        starts = list(offsets[:-1]) if include_last_offset else list(offsets)
        bags = [list(idx[s:e]) for s, e in zip(starts, ends)]
        psw = None if per_sample_weights is None else [list(per_sample_weights[s:e]) for s, e in zip(starts, ends)]
    out = np.zeros((len(bags), w.shape[1]))
    for b, bag in enumerate(bags):
        keep = [j for j, r in enumerate(bag) if r != padding_idx]
        if not keep:
            continue
        rows = np.stack([w[bag[j]] * (psw[b][j] if psw is not None else 1.0) for j in keep])
        out[b] = {"sum": rows.sum(0), "mean": rows.mean(0), "max": rows.max(0)}[mode]
    return out


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
@pytest.mark.parametrize("include_last_offset", [False, True])
@pytest.mark.parametrize("padding_idx", [None, 2])
def test_embedding_bag_with_offsets(mode, include_last_offset, padding_idx):
    w = _rand(6, 6, 3)
    idx, offsets = np.array([0, 2, 5, 2, 3, 1, 4]), np.array([0, 2, 3, 5] + ([7] if include_last_offset else []))
    got = F.embedding_bag(_i(idx), _t(w), _i(offsets), mode=mode, include_last_offset=include_last_offset,
                          padding_idx=padding_idx)
    want = np_embedding_bag(idx, w, offsets, mode, None, include_last_offset, padding_idx)
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-12)


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_embedding_bag_2d_input(mode):
    w = _rand(7, 6, 3)
    idx = np.array([[0, 2, 5], [2, 2, 1]])
    np.testing.assert_allclose(F.embedding_bag(_i(idx), _t(w), mode=mode).numpy(), np_embedding_bag(idx, w, None, mode),
                               rtol=1e-12)


def test_embedding_bag_per_sample_weights_and_grad():
    w, psw = _rand(8, 6, 3), _rand(9, 7)
    idx, offsets = np.array([0, 2, 5, 2, 2, 1, 4]), np.array([0, 2, 5])
    got = F.embedding_bag(_i(idx), _t(w), _i(offsets), mode="sum", per_sample_weights=_t(psw))
    np.testing.assert_allclose(got.numpy(), np_embedding_bag(idx, w, offsets, "sum", psw), rtol=1e-12)
    wt, pt = _t(w, True), _t(psw, True)
    assert gradcheck(lambda w, p: F.embedding_bag(_i(idx), w, _i(offsets), mode="sum", per_sample_weights=p), (wt, pt))
    assert gradcheck(lambda w: F.embedding_bag(_i(idx), w, _i(offsets), mode="mean"), (wt,))


def test_embedding_bag_max_empty_bag_is_zero():
    w = _rand(10, 6, 3)
    got = F.embedding_bag(_i([0, 2, 5]), _t(w), _i([0, 2, 2]), mode="max")
    np.testing.assert_allclose(got.numpy(), np_embedding_bag(np.array([0, 2, 5]), w, np.array([0, 2, 2]), "max"))
    padded_only = F.embedding_bag(_i([0, 2, 2]), _t(w), _i([0, 1]), mode="max", padding_idx=2)
    np.testing.assert_allclose(padded_only.numpy(), np.stack([w[0], np.zeros(3)]))


def test_embedding_bag_errors():
    w = dyngraph.ones(4, 3)
    with pytest.raises(ValueError):
        F.embedding_bag(_i([0, 1]), w, _i([0]), mode="foo")
    with pytest.raises(ValueError):
        F.embedding_bag(_i([[0, 1]]), w, _i([0]))
    with pytest.raises(ValueError):
        F.embedding_bag(_i([0, 1]), w)
    with pytest.raises(ValueError):
        F.embedding_bag(_i([[[0]]]), w)
    with pytest.raises(NotImplementedError):
        F.embedding_bag(_i([0, 1]), w, _i([0]), mode="mean", per_sample_weights=dyngraph.ones(2))


# ==== pad ==========================================================================================

NP_MODE = {"constant": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def np_pad(x, pads, mode, value=0.0):
    """PyTorch's pad list (last dim first) with np.pad; negative entries crop."""
    width = [(0, 0)] * x.ndim
    for i in range(len(pads) // 2):
        dim = x.ndim - 1 - i
        lo, hi = pads[2 * i], pads[2 * i + 1]
        sl = [slice(None)] * x.ndim
        sl[dim] = slice(max(-lo, 0), x.shape[dim] - max(-hi, 0))
        x = x[tuple(sl)]
        width[dim] = (max(lo, 0), max(hi, 0))
    kw = {"constant_values": value} if mode == "constant" else {}
    return np.pad(x, width, mode=NP_MODE[mode], **kw)


@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("shape,pads", [((2, 5), (1, 2)), ((1, 2, 5), (2, 0)), ((1, 2, 4, 5), (1, 2, 3, 0)),
                                        ((1, 1, 3, 4, 5), (1, 1, 2, 1, 0, 2)), ((2, 5), (-1, 3)),
                                        ((1, 2, 4, 5), (2, -1, -1, 2)), ((2, 6), (4, 4))])
def test_pad_modes(mode, shape, pads):
    x = _rand(11, *shape)
    got = F.pad(_t(x), pads, mode)
    want = np_pad(x, pads, mode)
    assert tuple(got.shape) == want.shape
    np.testing.assert_array_equal(got.numpy(), want)


def test_pad_constant_value_and_any_dim():
    x = _rand(12, 2, 3, 4)
    np.testing.assert_array_equal(F.pad(_t(x), (1, 2, 0, 1, 2, 2), value=3.5).numpy(),
                                  np_pad(x, (1, 2, 0, 1, 2, 2), "constant", 3.5))
    xi = np.arange(6).reshape(2, 3)
    got = F.pad(_i(xi), (1, 1), value=7)
    assert got.dtype is dyngraph.int64
    np.testing.assert_array_equal(got.numpy(), np.pad(xi, [(0, 0), (1, 1)], constant_values=7))


@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
def test_pad_gradcheck(mode):
    x = _t(_rand(13, 1, 1, 3, 4), True)
    assert gradcheck(lambda x: F.pad(x, (2, 1, 1, 2), mode), (x,))


def test_pad_errors():
    x = dyngraph.ones(1, 2, 4)
    with pytest.raises(RuntimeError):  # reflect pad as large as the dim
        F.pad(x, (4, 0), "reflect")
    with pytest.raises(RuntimeError):
        F.pad(x, (1, 2, 3))
    with pytest.raises(RuntimeError):
        F.pad(dyngraph.ones(3), (1, 1, 1, 1))
    with pytest.raises(RuntimeError):
        F.pad(x, (5, 0), "circular")
    with pytest.raises(RuntimeError):
        F.pad(x, (-3, -2))
    with pytest.raises(NotImplementedError):
        F.pad(x, (1, 1), "foo")


def test_pad_value_with_reflect_is_runtime_error():
    with pytest.raises(RuntimeError):
        F.pad(dyngraph.ones(1, 2, 4), (1, 1), "reflect", value=3.5)


def test_pad_reflect_unsupported_combination_is_not_implemented():
    with pytest.raises(NotImplementedError):
        F.pad(dyngraph.ones(1, 2, 4, 5), (1, 1), "reflect")


# ==== interpolate ==================================================================================


def _cubic(t):
    a = -0.75
    t = abs(t)
    if t <= 1:
        return ((a + 2) * t - (a + 3)) * t * t + 1
    if t < 2:
        return ((a * t - 5 * a) * t + 8 * a) * t - 4 * a
    return 0.0


def np_interp_matrix(in_size, out_size, mode, align_corners, scale):
    """(out, in) matrix of one dim's interpolation weights; scale is PyTorch's in/out ratio source."""
    m = np.zeros((out_size, in_size))
    ratio = (1.0 / scale) if scale else in_size / out_size
    for o in range(out_size):
        if mode == "nearest":
            m[o, min(int(math.floor(o * ratio)), in_size - 1)] = 1
        elif mode == "nearest-exact":
            m[o, min(int(math.floor((o + 0.5) * ratio)), in_size - 1)] = 1
        elif mode == "area":
            s, e = o * in_size // out_size, -(-(o + 1) * in_size // out_size)
            m[o, s:e] = 1.0 / (e - s)
        else:
            if align_corners:
                src = o * (in_size - 1) / (out_size - 1) if out_size > 1 else 0.0
            else:
                src = (o + 0.5) * ratio - 0.5
                if mode == "linear":
                    src = max(src, 0.0)
            i0 = int(math.floor(src))
            t = src - i0
            if mode == "linear":
                m[o, min(i0, in_size - 1)] += 1 - t
                m[o, min(i0 + 1, in_size - 1)] += t
            else:
                for k in range(-1, 3):
                    m[o, min(max(i0 + k, 0), in_size - 1)] += _cubic(k - t)
    return m


def np_interpolate(x, size, scale_factor, mode, align_corners=False):
    dims = x.ndim - 2
    base = {"bilinear": "linear", "trilinear": "linear", "bicubic": "cubic"}.get(mode, mode)
    if size is not None:
        outs = _tup(size, dims)
        scales = [None] * dims
    else:
        scales = _tup(scale_factor, dims)
        outs = [int(math.floor(s * f)) for s, f in zip(x.shape[2:], scales)]
    out = x
    for j in range(dims):
        m = np_interp_matrix(x.shape[2 + j], outs[j], base, align_corners, None if base == "area" else scales[j])
        out = np.moveaxis(np.tensordot(out, m, axes=([2 + j], [1])), -1, 2 + j)
    return out


def _tup(v, n):
    return tuple(v) if isinstance(v, (tuple, list)) else (v,) * n


INTERP_CASES = [
    ("nearest", 1, None), ("nearest-exact", 1, None), ("area", 1, None), ("linear", 1, False), ("linear", 1, True),
    ("nearest", 2, None), ("nearest-exact", 2, None), ("area", 2, None), ("bilinear", 2, False),
    ("bilinear", 2, True), ("bicubic", 2, False), ("bicubic", 2, True),
    ("nearest", 3, None), ("area", 3, None), ("trilinear", 3, False), ("trilinear", 3, True)]


@pytest.mark.parametrize("mode,dims,align_corners", INTERP_CASES)
@pytest.mark.parametrize("size,scale_factor", [(7, None), (3, None), (1, None), (None, 2), (None, 0.5),
                                               (None, 1.7)])
def test_interpolate_matches_reference(mode, dims, align_corners, size, scale_factor):
    x = _rand(14, 1, 2, *(4, 5, 3)[:dims])
    got = F.interpolate(_t(x), size, scale_factor, mode, align_corners)
    want = np_interpolate(x, size, scale_factor, mode, align_corners)
    assert tuple(got.shape) == want.shape
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-10, atol=1e-12)


def test_interpolate_recompute_scale_factor_uses_sizes():
    x = _rand(15, 1, 1, 5, 4)
    got = F.interpolate(_t(x), scale_factor=1.7, mode="bilinear", recompute_scale_factor=True)
    np.testing.assert_allclose(got.numpy(), np_interpolate(x, (8, 6), None, "bilinear"), rtol=1e-10, atol=1e-12)
    got2 = F.interpolate(_t(x), scale_factor=(1.5, 0.7), mode="nearest")
    np.testing.assert_allclose(got2.numpy(), np_interpolate(x, None, (1.5, 0.7), "nearest"))


@pytest.mark.parametrize("mode,dims,align_corners", [
    ("nearest", 1, None), ("linear", 1, False), ("bilinear", 2, True), ("bicubic", 2, False), ("area", 2, None),
    ("trilinear", 3, False), ("nearest-exact", 2, None)])
def test_interpolate_gradcheck(mode, dims, align_corners):
    x = _t(_rand(16, 1, 1, *(3, 4, 2)[:dims]), True)
    assert gradcheck(lambda x: F.interpolate(x, scale_factor=1.5, mode=mode, align_corners=align_corners), (x,))


def test_interpolate_errors():
    x = dyngraph.ones(1, 2, 4, 4)
    with pytest.raises(ValueError):
        F.interpolate(x, size=3, scale_factor=2)
    with pytest.raises(ValueError):
        F.interpolate(x)
    with pytest.raises(ValueError):
        F.interpolate(x, size=3, mode="nearest", align_corners=True)
    with pytest.raises(NotImplementedError):
        F.interpolate(dyngraph.ones(1, 2, 4), size=3, mode="bilinear")
    with pytest.raises(NotImplementedError):
        F.interpolate(dyngraph.ones(2, 4), size=3)
    with pytest.raises(NotImplementedError):
        F.interpolate(x, size=3, mode="foo")
    with pytest.raises(ValueError):
        F.interpolate(dyngraph.ones(1, 2, 4), size=(3, 3))


def test_interpolate_zero_output_size_is_runtime_error():
    with pytest.raises(RuntimeError):
        F.interpolate(dyngraph.ones(1, 1, 4), scale_factor=0.1)


def test_interpolate_recompute_with_size_is_value_error():
    with pytest.raises(ValueError):
        F.interpolate(dyngraph.ones(1, 1, 4), size=3, recompute_scale_factor=True)


# ==== grid_sample / affine_grid ====================================================================


def _reflect(c, twice_low, twice_high):
    if twice_low == twice_high:
        return 0.0
    mn, span = twice_low / 2, (twice_high - twice_low) / 2
    c = abs(c - mn)
    extra, flips = math.fmod(c, span), math.floor(c / span)
    return extra + mn if flips % 2 == 0 else span - extra + mn


def _source(coord, size, padding_mode, align_corners):
    c = (coord + 1) / 2 * (size - 1) if align_corners else ((coord + 1) * size - 1) / 2
    if padding_mode == "border":
        c = min(max(c, 0.0), size - 1.0)
    elif padding_mode == "reflection":
        c = _reflect(c, 0, 2 * (size - 1)) if align_corners else _reflect(c, -1, 2 * size - 1)
        c = min(max(c, 0.0), size - 1.0)
    return c


def np_grid_sample(x, grid, mode, padding_mode, align_corners):
    n, c, h, w = x.shape
    out = np.zeros((n, c) + grid.shape[1:3])
    for b, i, j in itertools.product(range(n), range(grid.shape[1]), range(grid.shape[2])):
        sx = _source(grid[b, i, j, 0], w, padding_mode, align_corners)
        sy = _source(grid[b, i, j, 1], h, padding_mode, align_corners)

        def at(yy, xx):
            return x[b, :, yy, xx] if 0 <= yy < h and 0 <= xx < w else np.zeros(c)

        if mode == "nearest":
            out[b, :, i, j] = at(int(np.rint(sy)), int(np.rint(sx)))
        else:
            x0, y0 = math.floor(sx), math.floor(sy)
            tx, ty = sx - x0, sy - y0
            out[b, :, i, j] = (at(y0, x0) * (1 - tx) * (1 - ty) + at(y0, x0 + 1) * tx * (1 - ty)
                               + at(y0 + 1, x0) * (1 - tx) * ty + at(y0 + 1, x0 + 1) * tx * ty)
    return out


@pytest.mark.parametrize("mode", ["bilinear", "nearest"])
@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("spread", [1.2, 3.5])
def test_grid_sample_matches_reference(mode, padding_mode, align_corners, spread):
    rng = np.random.default_rng(17)
    x = rng.standard_normal((2, 3, 4, 5))
    grid = rng.uniform(-spread, spread, (2, 3, 4, 2))
    got = F.grid_sample(_t(x), _t(grid), mode, padding_mode, align_corners)
    np.testing.assert_allclose(got.numpy(), np_grid_sample(x, grid, mode, padding_mode, align_corners),
                               rtol=1e-10, atol=1e-12)


def test_grid_sample_nearest_rounds_half_to_even():
    x = _rand(18, 1, 1, 1, 4)
    grid = np.array([[[[-0.75, 0.0], [-0.25, 0.0], [0.25, 0.0], [0.75, 0.0]]]])  # sources 0.5, 1.5, 2.5
    got = F.grid_sample(_t(x), _t(grid), "nearest", "zeros", False)
    np.testing.assert_array_equal(got.numpy(), np_grid_sample(x, grid, "nearest", "zeros", False))


@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("align_corners", [False, True])
def test_grid_sample_bilinear_gradcheck(padding_mode, align_corners):
    rng = np.random.default_rng(19)
    x = _t(rng.standard_normal((1, 2, 3, 3)), True)
    grid = _t(rng.uniform(-1.3, 1.3, (1, 2, 2, 2)), True)
    assert gradcheck(lambda x, g: F.grid_sample(x, g, "bilinear", padding_mode, align_corners), (x, grid))


def test_grid_sample_errors():
    x, g = dyngraph.ones(1, 1, 4, 4), dyngraph.zeros(1, 2, 2, 2)
    with pytest.raises(ValueError):
        F.grid_sample(x, g, mode="foo")
    with pytest.raises(ValueError):
        F.grid_sample(x, g, padding_mode="foo")
    with pytest.raises(RuntimeError):
        F.grid_sample(dyngraph.ones(2, 1, 4, 4), g)


def np_affine_grid(theta, size, align_corners):
    def base(steps):
        if steps <= 1:
            return np.zeros(max(steps, 0))
        lin = np.linspace(-1, 1, steps)
        return lin if align_corners else lin * (steps - 1) / steps

    if len(size) == 4:
        n, _, h, w = size
        ys, xs = np.meshgrid(base(h), base(w), indexing="ij")
        coords = np.stack([xs, ys, np.ones_like(xs)], -1)
    else:
        n, _, d, h, w = size
        zs, ys, xs = np.meshgrid(base(d), base(h), base(w), indexing="ij")
        coords = np.stack([xs, ys, zs, np.ones_like(xs)], -1)
    return np.einsum("...k,nck->n...c", coords, theta)


@pytest.mark.parametrize("size", [(2, 3, 4, 5), (2, 1, 1, 3), (2, 3, 2, 4, 3), (2, 1, 1, 2, 1)])
@pytest.mark.parametrize("align_corners", [False, True])
def test_affine_grid(size, align_corners):
    theta = _rand(20, 2, len(size) - 2, len(size) - 1)
    got = F.affine_grid(_t(theta), size, align_corners)
    want = np_affine_grid(theta, size, align_corners)
    assert tuple(got.shape) == want.shape
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-12, atol=1e-12)
    th = _t(theta, True)
    assert gradcheck(lambda t: F.affine_grid(t, size, align_corners), (th,))


def test_affine_grid_errors():
    with pytest.raises(ValueError):
        F.affine_grid(dyngraph.ones(2, 3, 4), (2, 3, 4, 5))
    with pytest.raises(ValueError):
        F.affine_grid(dyngraph.ones(2, 2, 3, dtype=dyngraph.int64), (2, 3, 4, 5))
    with pytest.raises(NotImplementedError):
        F.affine_grid(dyngraph.ones(2, 2, 3), (2, 3, 4))


# ==== pixel shuffle ================================================================================


@pytest.mark.parametrize("shape,r", [((1, 8, 2, 3), 2), ((2, 9, 2, 2), 3), ((8, 2, 3), 2), ((2, 3, 4, 2, 2), 2)])
def test_pixel_shuffle_and_unshuffle(shape, r):
    x = _rand(21, *shape)
    got = F.pixel_shuffle(_t(x), r)
    *lead, c, h, w = shape
    want = np.zeros(tuple(lead) + (c // (r * r), h * r, w * r))
    for co, i, j in itertools.product(range(c // (r * r)), range(r), range(r)):
        want[..., co, i::r, j::r] = x[..., co * r * r + i * r + j, :, :]
    np.testing.assert_array_equal(got.numpy(), want)
    np.testing.assert_array_equal(F.pixel_unshuffle(_t(want), r).numpy(), x)


def test_pixel_shuffle_gradcheck_and_errors():
    x = _t(_rand(22, 1, 4, 2, 2), True)
    assert gradcheck(lambda x: F.pixel_shuffle(x, 2), (x,))
    with pytest.raises(RuntimeError):
        F.pixel_shuffle(dyngraph.ones(1, 6, 2, 2), 2)
    with pytest.raises(RuntimeError):
        F.pixel_shuffle(dyngraph.ones(4, 4), 2)
    with pytest.raises(RuntimeError):
        F.pixel_unshuffle(dyngraph.ones(1, 2, 3, 4), 2)


# ==== scaled_dot_product_attention =================================================================


def np_sdpa(q, k, v, mask=None, is_causal=False, scale=None, gqa=False):
    if gqa and q.shape[-3] != k.shape[-3]:
        rep = q.shape[-3] // k.shape[-3]
        k, v = np.repeat(k, rep, -3), np.repeat(v, rep, -3)
    scale = 1 / math.sqrt(q.shape[-1]) if scale is None else scale
    s = q @ np.swapaxes(k, -1, -2) * scale
    if is_causal:
        mask = np.tril(np.ones((q.shape[-2], k.shape[-2]), dtype=bool))
    if mask is not None:
        s = np.where(mask, s, -np.inf) if mask.dtype == bool else s + mask
    return _np_softmax(s, -1) @ v


@pytest.mark.parametrize("qshape,kshape", [((2, 3, 4, 5), (2, 3, 6, 5)), ((4, 5), (6, 5)), ((2, 4, 5), (2, 6, 5))])
@pytest.mark.parametrize("mask", [None, "bool", "float", "causal"])
@pytest.mark.parametrize("scale", [None, 0.3])
def test_sdpa_matches_reference(qshape, kshape, mask, scale):
    rng = np.random.default_rng(23)
    q, k = rng.standard_normal(qshape), rng.standard_normal(kshape)
    v = rng.standard_normal(kshape[:-1] + (7,))
    L, S = qshape[-2], kshape[-2]
    m = None
    if mask == "bool":
        m = rng.random((L, S)) > 0.4
        m[:, 0] = True
    elif mask == "float":
        m = rng.standard_normal((L, S))
    dm = None if m is None else (dyngraph.tensor(m) if m.dtype == bool else _t(m))
    got = F.scaled_dot_product_attention(_t(q), _t(k), _t(v), dm, is_causal=mask == "causal", scale=scale)
    want = np_sdpa(q, k, v, m, mask == "causal", scale)
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-10, atol=1e-12)


def test_sdpa_gqa_and_causal_rectangular():
    rng = np.random.default_rng(24)
    q, k, v = rng.standard_normal((1, 4, 3, 5)), rng.standard_normal((1, 2, 3, 5)), rng.standard_normal((1, 2, 3, 5))
    got = F.scaled_dot_product_attention(_t(q), _t(k), _t(v), enable_gqa=True)
    np.testing.assert_allclose(got.numpy(), np_sdpa(q, k, v, gqa=True), rtol=1e-10, atol=1e-12)
    k2, v2 = rng.standard_normal((1, 4, 5, 5)), rng.standard_normal((1, 4, 5, 5))
    got2 = F.scaled_dot_product_attention(_t(q), _t(k2), _t(v2), is_causal=True)
    np.testing.assert_allclose(got2.numpy(), np_sdpa(q, k2, v2, is_causal=True), rtol=1e-10, atol=1e-12)


def test_sdpa_gradcheck():
    rng = np.random.default_rng(25)
    q, k, v = (_t(rng.standard_normal(s), True) for s in ((1, 3, 2), (1, 4, 2), (1, 4, 2)))
    mask = _t(rng.standard_normal((3, 4)))
    assert gradcheck(lambda q, k, v: F.scaled_dot_product_attention(q, k, v, mask), (q, k, v))
    assert gradcheck(lambda q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True, scale=0.7), (q, k, v))


def test_sdpa_dropout_is_seeded_and_errors():
    rng = np.random.default_rng(26)
    q, k, v = (_t(rng.standard_normal((2, 4, 3))) for _ in range(3))
    dyngraph.manual_seed(1)
    a = F.scaled_dot_product_attention(q, k, v, dropout_p=0.5).numpy()
    dyngraph.manual_seed(1)
    b = F.scaled_dot_product_attention(q, k, v, dropout_p=0.5).numpy()
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, F.scaled_dot_product_attention(q, k, v).numpy())
    with pytest.raises(RuntimeError):
        F.scaled_dot_product_attention(q, k, v, dyngraph.ones(4, 4), is_causal=True)


# ==== cross_entropy / nll_loss =====================================================================


def np_nll(logp, target, weight=None, ignore_index=-100, reduction="mean"):
    """logp (N, C, *d) or (C,), target (N, *d) or ()."""
    if logp.ndim == 1:
        logp, target = logp[None], np.asarray(target)[None]
    c = logp.shape[1]
    w = np.ones(c) if weight is None else weight
    lp = np.moveaxis(logp, 1, -1).reshape(-1, c)
    t = target.reshape(-1)
    valid = t != ignore_index
    ts = np.where(valid, t, 0)
    wt = np.where(valid, w[ts], 0.0)
    loss = -lp[np.arange(len(t)), ts] * wt
    if reduction == "none":
        return loss.reshape(target.shape)
    if reduction == "sum":
        return loss.sum()
    return loss.sum() / wt.sum()


def np_cross_entropy(x, target, weight=None, ignore_index=-100, reduction="mean", label_smoothing=0.0):
    axis = 0 if x.ndim == 1 else 1
    c = x.shape[axis]
    logp = _np_log_softmax(x, axis)
    wshape = [1] * x.ndim
    wshape[axis] = c
    w = np.ones(c) if weight is None else weight
    if target.dtype.kind == "f":  # class probabilities
        p = target * (1 - label_smoothing) + label_smoothing / c
        loss = -(logp * p * w.reshape(wshape)).sum(axis)
        if reduction == "none":
            return loss
        if reduction == "sum":
            return loss.sum()
        return loss.sum() / (x.size // c)
    nll = np_nll(logp, target, weight, ignore_index, "none")
    if x.ndim == 1:
        nll = nll[0]
    valid = target != ignore_index
    smooth = -(logp * w.reshape(wshape)).sum(axis) * valid
    loss = (1 - label_smoothing) * nll + label_smoothing / c * smooth
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    t = np.where(valid, target, 0)
    with np.errstate(invalid="ignore"):  # every target ignored: 0 / 0 = NaN, as PyTorch
        return loss.sum() / np.where(valid, w[t], 0.0).sum()


CE_SHAPES = [(4, 5), (5,), (2, 5, 3), (2, 5, 2, 2)]


def _targets(shape, seed, with_ignored=True):
    rng = np.random.default_rng(seed)
    tshape = (shape[0],) + shape[2:] if len(shape) > 1 else ()
    t = rng.integers(0, shape[1] if len(shape) > 1 else shape[0], tshape)
    if with_ignored and t.ndim:
        t.flat[0] = -100
        t.flat[-1] = 2
    return t


@pytest.mark.parametrize("shape", CE_SHAPES)
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("label_smoothing", [0.0, 0.25])
@pytest.mark.parametrize("ignore_index", [-100, 2])
def test_cross_entropy_class_indices(shape, reduction, weighted, label_smoothing, ignore_index):
    x = _rand(30, *shape)
    t = _targets(shape, 31)
    if ignore_index != -100:
        t = np.where(t == -100, 1, t)
    w = np.random.default_rng(32).random(5) + 0.2 if weighted else None
    got = F.cross_entropy(_t(x), _i(t), None if w is None else _t(w), ignore_index=ignore_index,
                          reduction=reduction, label_smoothing=label_smoothing)
    want = np_cross_entropy(x, t, w, ignore_index, reduction, label_smoothing)
    assert tuple(got.shape) == np.shape(want)
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("shape", CE_SHAPES)
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("label_smoothing", [0.0, 0.3])
def test_cross_entropy_probability_targets(shape, reduction, weighted, label_smoothing):
    x = _rand(33, *shape)
    p = np.random.default_rng(34).random(shape)
    p /= p.sum(axis=0 if len(shape) == 1 else 1, keepdims=True)
    w = np.random.default_rng(35).random(5) + 0.2 if weighted else None
    got = F.cross_entropy(_t(x), _t(p), None if w is None else _t(w), reduction=reduction,
                          label_smoothing=label_smoothing)
    np.testing.assert_allclose(got.numpy(), np_cross_entropy(x, p, w, -100, reduction, label_smoothing),
                               rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("shape", CE_SHAPES)
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("weighted", [False, True])
def test_nll_loss(shape, reduction, weighted):
    logp = _np_log_softmax(_rand(36, *shape), 0 if len(shape) == 1 else 1)
    t = _targets(shape, 37)
    w = np.random.default_rng(38).random(5) + 0.2 if weighted else None
    got = F.nll_loss(_t(logp), _i(t), None if w is None else _t(w), reduction=reduction)
    np.testing.assert_allclose(got.numpy(), np_nll(logp, t, w, -100, reduction), rtol=1e-10, atol=1e-12)


def test_nll_loss_legacy_reduction_flags():
    logp, t = _np_log_softmax(_rand(39, 3, 4), 1), np.array([0, 3, 1])
    np.testing.assert_allclose(F.nll_loss(_t(logp), _i(t), size_average=False).numpy(),
                               np_nll(logp, t, reduction="sum"))
    np.testing.assert_allclose(F.nll_loss(_t(logp), _i(t), reduce=False).numpy(), np_nll(logp, t, reduction="none"))


def test_cross_entropy_all_ignored_mean_is_nan():
    got = F.cross_entropy(_t(_rand(40, 2, 3)), _i([-100, -100]))
    assert np.isnan(got.item())


def test_nll_loss_all_ignored_gradient_is_zero():
    x = _t(_rand(41, 2, 3), True)
    F.cross_entropy(x, _i([-100, -100])).backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.zeros((2, 3)))


@pytest.mark.parametrize("label_smoothing", [0.0, 0.2])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_gradcheck(label_smoothing, reduction):
    x = _t(_rand(42, 3, 4, 2), True)
    t = _i([[0, 3], [-100, 1], [2, 2]])
    w = _t(np.array([0.5, 1.0, 2.0, 1.5]))
    assert gradcheck(lambda x: F.cross_entropy(x, t, w, reduction=reduction, label_smoothing=label_smoothing), (x,))


def test_cross_entropy_probability_target_gradcheck():
    rng = np.random.default_rng(43)
    x = _t(rng.standard_normal((3, 4)), True)
    p = _t(rng.random((3, 4)), True)
    assert gradcheck(lambda x, p: F.cross_entropy(x, p, label_smoothing=0.1), (x, p))


def test_nll_loss_gradcheck():
    x = _t(_rand(44, 3, 4), True)
    assert gradcheck(lambda x: F.nll_loss(x, _i([0, 3, 1]), _t(np.array([1.0, 2.0, 0.5, 1.0]))), (x,))


def test_loss_errors():
    x = dyngraph.ones(2, 3)
    with pytest.raises(ValueError):
        F.cross_entropy(x, _i([0, 1]), reduction="foo")
    with pytest.raises(ValueError):
        F.nll_loss(x, _i([0, 1]), reduction="foo")
    with pytest.raises(IndexError):
        F.cross_entropy(x, _i([0, 3]))
    with pytest.raises(IndexError):
        F.cross_entropy(x, _i([0, -1]))
    with pytest.raises(IndexError):
        F.nll_loss(x, _i([5, 1]))
    with pytest.raises(ValueError):  # batch size mismatch
        F.cross_entropy(x, _i([0, 1, 1]))
    with pytest.raises(RuntimeError):
        F.cross_entropy(x, _i([0, 1]), label_smoothing=1.5)
    with pytest.raises(RuntimeError):
        F.cross_entropy(x, dyngraph.ones(2, 4))
    with pytest.raises(RuntimeError):
        F.cross_entropy(x, _i([0, 1]), dyngraph.ones(4))
    with pytest.raises(RuntimeError):
        F.cross_entropy(dyngraph.ones(2, 3, 3), _i(np.zeros((2, 4))))
    with pytest.raises(RuntimeError):
        F.nll_loss(x, dyngraph.tensor([0.0, 1.0]))


# ==== one_hot ======================================================================================


@pytest.mark.parametrize("values,num_classes", [([0, 2, 1], -1), ([[0, 1], [3, 2]], 5), ([], 3), (4, 6)])
def test_one_hot(values, num_classes):
    a = np.array(values, dtype=np.int64)
    got = F.one_hot(_i(a), num_classes)
    n = a.max() + 1 if num_classes == -1 else num_classes
    assert got.dtype is dyngraph.int64
    np.testing.assert_array_equal(got.numpy(), (a[..., None] == np.arange(n)).astype(np.int64))


def test_one_hot_errors():
    with pytest.raises(RuntimeError):
        F.one_hot(dyngraph.tensor([0.0, 1.0]))
    with pytest.raises(RuntimeError):
        F.one_hot(_i([-1, 1]))
    with pytest.raises(RuntimeError):
        F.one_hot(_i([3, 1]), 3)


def test_one_hot_empty_without_num_classes_raises():
    with pytest.raises(RuntimeError):
        F.one_hot(_i(np.zeros(0, dtype=np.int64)))


# ==== activations ==================================================================================

_erf = np.vectorize(math.erf)


def _softplus(x, beta=1.0, threshold=20.0):
    return np.where(x * beta > threshold, x, np.log1p(np.exp(np.minimum(x * beta, threshold))) / beta)


SELU_ALPHA, SELU_SCALE = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946

ACTIVATIONS = [
    ("relu", {}, lambda x: np.maximum(x, 0)),
    ("relu6", {}, lambda x: np.clip(x, 0, 6)),
    ("leaky_relu", {}, lambda x: np.where(x > 0, x, 0.01 * x)),
    ("leaky_relu", {"negative_slope": 0.2}, lambda x: np.where(x > 0, x, 0.2 * x)),
    ("elu", {"alpha": 0.5}, lambda x: np.where(x > 0, x, 0.5 * np.expm1(x))),
    ("selu", {}, lambda x: SELU_SCALE * np.where(x > 0, x, SELU_ALPHA * np.expm1(x))),
    ("celu", {"alpha": 0.7}, lambda x: np.maximum(x, 0) + np.minimum(0, 0.7 * np.expm1(x / 0.7))),
    ("gelu", {}, lambda x: 0.5 * x * (1 + _erf(x / math.sqrt(2)))),
    ("gelu", {"approximate": "tanh"},
     lambda x: 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))),
    ("silu", {}, lambda x: x / (1 + np.exp(-x))),
    ("mish", {}, lambda x: x * np.tanh(_softplus(x))),
    ("softplus", {}, _softplus),
    ("softplus", {"beta": 2.0, "threshold": 5.0}, lambda x: _softplus(x, 2.0, 5.0)),
    ("softsign", {}, lambda x: x / (1 + np.abs(x))),
    ("hardtanh", {"min_val": -0.5, "max_val": 2.0}, lambda x: np.clip(x, -0.5, 2.0)),
    ("hardsigmoid", {}, lambda x: np.clip(x + 3, 0, 6) / 6),
    ("hardswish", {}, lambda x: x * np.clip(x + 3, 0, 6) / 6),
    ("sigmoid", {}, lambda x: 1 / (1 + np.exp(-x))),
    ("tanh", {}, np.tanh),
    ("logsigmoid", {}, lambda x: -_softplus(-x)),
    ("tanhshrink", {}, lambda x: x - np.tanh(x)),
    ("softshrink", {"lambd": 1.0}, lambda x: np.where(x > 1, x - 1, np.where(x < -1, x + 1, 0.0))),
    ("hardshrink", {"lambd": 1.0}, lambda x: np.where(np.abs(x) > 1, x, 0.0)),
    ("threshold", {"threshold": 0.5, "value": -2.0}, lambda x: np.where(x > 0.5, x, -2.0)),
    ("rrelu", {}, lambda x: np.where(x >= 0, x, x * (1 / 8 + 1 / 3) / 2)),
    ("glu", {}, lambda x: x[:, :2] / (1 + np.exp(-x[:, 2:]))),
    ("glu", {"dim": 0}, lambda x: x[:2] / (1 + np.exp(-x[2:]))),
    ("softmax", {"dim": 1}, lambda x: _np_softmax(x, 1)),
    ("softmax", {"dim": 0}, lambda x: _np_softmax(x, 0)),
    ("log_softmax", {"dim": 1}, lambda x: _np_log_softmax(x, 1)),
    ("softmin", {"dim": 1}, lambda x: _np_softmax(-x, 1)),
    ("normalize", {}, lambda x: x / np.maximum(np.sqrt((x ** 2).sum(1, keepdims=True)), 1e-12)),
    ("normalize", {"p": 1.0, "dim": 0}, lambda x: x / np.maximum(np.abs(x).sum(0, keepdims=True), 1e-12)),
]

ACT_X = np.array([[-25.0, -3.5, -1.2, -0.3], [0.4, 0.9, 2.7, 7.0], [12.0, 30.0, -0.8, 1.6], [-6.5, 3.2, 0.05, -2.2]])


@pytest.mark.parametrize("name,kw,ref", ACTIVATIONS, ids=[f"{a[0]}-{i}" for i, a in enumerate(ACTIVATIONS)])
def test_activation_matches_numpy(name, kw, ref):
    got = getattr(F, name)(_t(ACT_X), **kw)
    np.testing.assert_allclose(got.numpy(), ref(ACT_X), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name,kw,ref", ACTIVATIONS, ids=[f"{a[0]}-{i}" for i, a in enumerate(ACTIVATIONS)])
def test_activation_gradcheck(name, kw, ref):
    x = _t(ACT_X[1:3], True)  # no point sits on a kink
    assert gradcheck(lambda x: getattr(F, name)(x, **kw), (x,))


@pytest.mark.parametrize("name,kw", [("relu", {}), ("relu6", {}), ("leaky_relu", {}), ("elu", {}), ("selu", {}),
                                     ("celu", {}), ("silu", {}), ("mish", {}), ("hardtanh", {}), ("hardsigmoid", {}),
                                     ("hardswish", {}), ("threshold", {"threshold": 0.5, "value": -2.0})])
def test_activation_inplace_writes_input(name, kw):
    x = _t(ACT_X)
    want = getattr(F, name)(_t(ACT_X), **kw).numpy()
    out = getattr(F, name)(x, inplace=True, **kw)
    np.testing.assert_array_equal(x.numpy(), want)
    np.testing.assert_array_equal(out.numpy(), want)


def test_relu_leaky_hardtanh_underscore_forms():
    for fn, kw, ref in ((F.relu_, {}, np.maximum(ACT_X, 0)), (F.leaky_relu_, {"negative_slope": 0.1},
                                                           np.where(ACT_X > 0, ACT_X, 0.1 * ACT_X)),
                        (F.hardtanh_, {}, np.clip(ACT_X, -1, 1))):
        x = _t(ACT_X)
        fn(x, **kw)
        np.testing.assert_array_equal(x.numpy(), ref)


def test_rrelu_training_slopes_within_bounds():
    dyngraph.manual_seed(9)
    x = -np.random.default_rng(9).random(2000) - 0.1
    out = F.rrelu(_t(x), 0.1, 0.3, training=True).numpy()
    slopes = out / x
    assert slopes.min() >= 0.1 - 1e-12 and slopes.max() <= 0.3 + 1e-12
    assert slopes.std() > 0.03
    np.testing.assert_array_equal(F.rrelu(_t(-x), 0.1, 0.3, training=True).numpy(), -x)


def test_prelu_linear_bilinear():
    rng = np.random.default_rng(10)
    x, w = rng.standard_normal((2, 3, 4)), rng.random(3)
    np.testing.assert_allclose(F.prelu(_t(x), _t(w)).numpy(), np.where(x >= 0, x, x * w[None, :, None]))
    np.testing.assert_allclose(F.prelu(_t(x), _t(w[:1])).numpy(), np.where(x >= 0, x, x * w[0]))
    xt, wt = _t(x, True), _t(w, True)
    assert gradcheck(lambda x, w: F.prelu(x, w), (xt, wt))
    a, W, b = rng.standard_normal((2, 3, 4)), rng.standard_normal((5, 4)), rng.standard_normal(5)
    np.testing.assert_allclose(F.linear(_t(a), _t(W), _t(b)).numpy(), a @ W.T + b, rtol=1e-12)
    np.testing.assert_allclose(F.linear(_t(a[0, 0]), _t(W)).numpy(), a[0, 0] @ W.T, rtol=1e-12)
    x1, x2, Wb = rng.standard_normal((2, 3)), rng.standard_normal((2, 4)), rng.standard_normal((5, 3, 4))
    np.testing.assert_allclose(F.bilinear(_t(x1), _t(x2), _t(Wb), _t(b)).numpy(),
                               np.einsum("ni,oij,nj->no", x1, Wb, x2) + b, rtol=1e-12)
    assert gradcheck(lambda a, W, b: F.linear(a, W, b), (_t(a[0], True), _t(W, True), _t(b, True)))
    assert gradcheck(lambda x1, x2, W: F.bilinear(x1, x2, W), (_t(x1, True), _t(x2, True), _t(Wb[:2], True)))


def test_prelu_gradient_at_zero_is_slope():
    x = _t([[-1.0, 0.0, 2.0]], True)
    F.prelu(x, _t([0.25])).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[0.25, 0.25, 1.0]])


def test_hardswish_gradient_at_breakpoints():
    x = _t([-3.0, 3.0], True)
    F.hardswish(x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 1.0])


@pytest.mark.parametrize("name,kw,want", [("leaky_relu", {}, 0.01), ("leaky_relu", {"negative_slope": 0.2}, 0.2),
                                          ("rrelu", {"lower": 0.1, "upper": 0.3}, 0.2)])
def test_float64_activation_slope_gradients(name, kw, want):
    x = _t([-1.0], True)
    getattr(F, name)(x, **kw).sum().backward()
    assert x.grad.item() == pytest.approx(want, rel=1e-13)


def test_activation_errors():
    with pytest.raises(ValueError):
        F.hardtanh(dyngraph.ones(3), 2.0, 1.0)
    with pytest.raises(RuntimeError):
        F.glu(dyngraph.ones(3))
    with pytest.raises(RuntimeError):
        F.glu(dyngraph.tensor(1.0))


def test_softshrink_negative_lambda_is_runtime_error():
    with pytest.raises(RuntimeError):
        F.softshrink(dyngraph.ones(3), -1.0)


# ==== PyTorch as the oracle ========================================================================


def _torch_compare(torch, fd, ft, arrays, grads, rtol=1e-9, atol=1e-10):
    ds = [_t(a, i in grads) if a.dtype.kind == "f" else _i(a) for i, a in enumerate(arrays)]
    ts = [torch.tensor(a, requires_grad=i in grads) for i, a in enumerate(arrays)]
    out_d, out_t = fd(*ds), ft(*ts)
    assert tuple(out_d.shape) == tuple(out_t.shape)
    np.testing.assert_allclose(out_d.detach().numpy(), out_t.detach().numpy(), rtol=rtol, atol=atol, equal_nan=True)
    if grads:
        g = np.random.default_rng(5).standard_normal(tuple(out_t.shape))
        out_d.backward(_t(g))
        out_t.backward(torch.tensor(g))
        for i in grads:
            np.testing.assert_allclose(ds[i].grad.numpy(), ts[i].grad.numpy(), rtol=rtol, atol=atol)


@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("shape,pads", [((2, 5), (1, 3)), ((1, 2, 5), (2, -1)), ((1, 2, 4, 5), (1, 2, 3, 0)),
                                        ((1, 1, 3, 4, 5), (2, 1, 0, 2, 1, 1))])
def test_pad_against_torch(mode, shape, pads):
    torch = pytest.importorskip("torch")
    torch.set_num_threads(1)  # tiny ops: thread start-up would dominate
    x = _rand(50, *shape)
    _torch_compare(torch, lambda x: F.pad(x, pads, mode), lambda x: torch.nn.functional.pad(x, pads, mode), [x], {0})


@pytest.mark.parametrize("mode,dims,align_corners", INTERP_CASES)
@pytest.mark.parametrize("size,scale_factor,recompute", [(6, None, None), (2, None, None), (None, 1.7, None),
                                                         (None, 0.6, True), (None, 2.5, None)])
def test_interpolate_against_torch(mode, dims, align_corners, size, scale_factor, recompute):
    torch = pytest.importorskip("torch")
    torch.set_num_threads(1)
    x = _rand(51, 2, 2, *(5, 4, 3)[:dims])
    _torch_compare(torch, lambda x: F.interpolate(x, size, scale_factor, mode, align_corners, recompute),
                   lambda x: torch.nn.functional.interpolate(x, size, scale_factor, mode, align_corners, recompute),
                   [x], {0})


@pytest.mark.parametrize("mode", ["bilinear", "nearest"])
@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("align_corners", [False, True])
def test_grid_sample_and_affine_grid_against_torch(mode, padding_mode, align_corners):
    torch = pytest.importorskip("torch")
    torch.set_num_threads(1)
    rng = np.random.default_rng(52)
    x, grid = rng.standard_normal((2, 3, 4, 5)), rng.uniform(-2.5, 2.5, (2, 3, 4, 2))
    grads = {0, 1} if mode == "bilinear" else {0}
    _torch_compare(torch, lambda x, g: F.grid_sample(x, g, mode, padding_mode, align_corners),
                   lambda x, g: torch.nn.functional.grid_sample(x, g, mode, padding_mode, align_corners),
                   [x, grid], grads)
    theta = rng.standard_normal((2, 2, 3))
    _torch_compare(torch, lambda t: F.affine_grid(t, (2, 3, 4, 5), align_corners),
                   lambda t: torch.nn.functional.affine_grid(t, (2, 3, 4, 5), align_corners), [theta], {0})


@pytest.mark.parametrize("shape", CE_SHAPES)
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("weighted,label_smoothing,ignore_index", [(False, 0.0, -100), (True, 0.0, 1),
                                                                   (True, 0.2, -100), (False, 0.4, 2)])
def test_cross_entropy_and_nll_against_torch(shape, reduction, weighted, label_smoothing, ignore_index):
    torch = pytest.importorskip("torch")
    torch.set_num_threads(1)
    x = _rand(53, *shape)
    t = np.abs(_targets(shape, 54)) % 5
    if t.ndim:
        t.flat[0] = ignore_index
    elif t == ignore_index:  # all ignored: see test_nll_loss_all_ignored_gradient_is_zero
        t = np.array(3)
    w = np.random.default_rng(55).random(5) + 0.2 if weighted else None
    dw, tw = (None, None) if w is None else (_t(w), torch.tensor(w))
    _torch_compare(torch, lambda x, t: F.cross_entropy(x, t, dw, ignore_index=ignore_index, reduction=reduction,
                                                       label_smoothing=label_smoothing),
                   lambda x, t: torch.nn.functional.cross_entropy(x, t, tw, ignore_index=ignore_index,
                                                                  reduction=reduction,
                                                                  label_smoothing=label_smoothing), [x, t], {0})
    _torch_compare(torch, lambda x, t: F.nll_loss(x, t, dw, ignore_index=ignore_index, reduction=reduction),
                   lambda x, t: torch.nn.functional.nll_loss(x, t, tw, ignore_index=ignore_index,
                                                             reduction=reduction), [x, t], {0})
    p = np.random.default_rng(56).random(shape)
    _torch_compare(torch, lambda x, p: F.cross_entropy(x, p, dw, reduction=reduction, label_smoothing=label_smoothing),
                   lambda x, p: torch.nn.functional.cross_entropy(x, p, tw, reduction=reduction,
                                                                  label_smoothing=label_smoothing), [x, p], {0, 1})


@pytest.mark.parametrize("qshape,kshape", [((2, 3, 4, 5), (2, 3, 6, 5)), ((4, 5), (6, 5))])
@pytest.mark.parametrize("mask", [None, "bool", "float", "causal"])
@pytest.mark.parametrize("scale", [None, 0.4])
def test_sdpa_against_torch(qshape, kshape, mask, scale):
    torch = pytest.importorskip("torch")
    torch.set_num_threads(1)
    rng = np.random.default_rng(57)
    q, k, v = rng.standard_normal(qshape), rng.standard_normal(kshape), rng.standard_normal(kshape[:-1] + (3,))
    m = None
    if mask == "bool":
        m = rng.random((qshape[-2], kshape[-2])) > 0.4
        m[:, 0] = True
    elif mask == "float":
        m = rng.standard_normal((qshape[-2], kshape[-2]))
    dm = None if m is None else (dyngraph.tensor(m) if m.dtype == bool else _t(m))
    tm = None if m is None else torch.tensor(m)
    _torch_compare(torch, lambda q, k, v: F.scaled_dot_product_attention(q, k, v, dm, is_causal=mask == "causal",
                                                                         scale=scale),
                   lambda q, k, v: torch.nn.functional.scaled_dot_product_attention(
                       q, k, v, tm, is_causal=mask == "causal", scale=scale), [q, k, v], {0, 1, 2})


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
@pytest.mark.parametrize("include_last_offset,padding_idx", [(False, None), (True, 2), (False, 0)])
def test_embedding_and_embedding_bag_against_torch(mode, include_last_offset, padding_idx):
    torch = pytest.importorskip("torch")
    torch.set_num_threads(1)
    w = _rand(58, 6, 3)
    idx, offsets = np.array([0, 2, 5, 2, 3, 1, 4]), np.array([0, 2, 3, 5] + ([7] if include_last_offset else []))
    _torch_compare(torch, lambda w: F.embedding_bag(_i(idx), w, _i(offsets), mode=mode,
                                                    include_last_offset=include_last_offset, padding_idx=padding_idx),
                   lambda w: torch.nn.functional.embedding_bag(torch.tensor(idx), w, torch.tensor(offsets), mode=mode,
                                                               include_last_offset=include_last_offset,
                                                               padding_idx=padding_idx), [w], {0})
    idx2 = np.array([[0, 2, 5], [2, 2, 1]])
    _torch_compare(torch, lambda w: F.embedding(_i(idx2), w, padding_idx, scale_grad_by_freq=mode == "sum"),
                   lambda w: torch.nn.functional.embedding(torch.tensor(idx2), w, padding_idx,
                                                           scale_grad_by_freq=mode == "sum"), [w], {0})


@pytest.mark.parametrize("name,kw,ref", ACTIVATIONS, ids=[f"{a[0]}-{i}" for i, a in enumerate(ACTIVATIONS)])
def test_activation_against_torch(name, kw, ref):
    torch = pytest.importorskip("torch")
    torch.set_num_threads(1)
    # rtol 1e-7: dyngraph's leaky_relu/rrelu backward use a float32 slope (test_float64_activation_slope_gradients),
    # and PyTorch's own celu backward is off from exp(x / alpha) by ~1e-8
    _torch_compare(torch, lambda x: getattr(F, name)(x, **kw), lambda x: getattr(torch.nn.functional, name)(x, **kw),
                   [ACT_X], {0}, rtol=1e-7)


@pytest.mark.parametrize("r", [2, 3])
def test_pixel_shuffle_and_one_hot_against_torch(r):
    torch = pytest.importorskip("torch")
    torch.set_num_threads(1)
    x = _rand(59, 2, 2 * r * r, 3, 2)
    _torch_compare(torch, lambda x: F.pixel_shuffle(x, r), lambda x: torch.nn.functional.pixel_shuffle(x, r), [x], {0})
    y = _rand(60, 2, 2, 3 * r, 2 * r)
    _torch_compare(torch, lambda y: F.pixel_unshuffle(y, r), lambda y: torch.nn.functional.pixel_unshuffle(y, r),
                   [y], {0})
    t = np.array([[0, r], [2, 1]])
    np.testing.assert_array_equal(F.one_hot(_i(t), r + 2).numpy(),
                                  torch.nn.functional.one_hot(torch.tensor(t), r + 2).numpy())
