"""dyngraph.nn.functional convolutions (conv1d/2d/3d, conv_transpose1d/2d/3d, unfold, fold)
against direct NumPy loops, plus gradchecks, PyTorch's error types and (when installed) PyTorch itself."""

import itertools

import numpy as np
import pytest

import dyngraph
import dyngraph.nn.functional as F
from dyngraph.autograd import gradcheck, gradgradcheck


def _t(a, requires_grad=False):
    return dyngraph.tensor(np.asarray(a, dtype=np.float64), requires_grad=requires_grad)


def _rand(rng, *shape):
    return rng.standard_normal(shape)


# ---- NumPy references -----------------------------------------------------------------------------


def _tup(v, n):
    return tuple(v) if isinstance(v, (tuple, list)) else (v,) * n


def np_conv(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    """Direct N-d cross-correlation: one window per output position (batched (N, C, *sp) input)."""
    dims = x.ndim - 2
    stride, padding, dilation = _tup(stride, dims), _tup(padding, dims), _tup(dilation, dims)
    n, cin = x.shape[:2]
    cout, cin_g = w.shape[:2]
    k = w.shape[2:]
    xp = np.pad(x, [(0, 0), (0, 0)] + [(p, p) for p in padding])
    outs = [(xp.shape[2 + j] - dilation[j] * (k[j] - 1) - 1) // stride[j] + 1 for j in range(dims)]
    out = np.zeros((n, cout) + tuple(outs))
    cout_g = cout // groups
    for g in range(groups):
        wg = w[g * cout_g:(g + 1) * cout_g]
        for pos in itertools.product(*[range(o) for o in outs]):
            sl = tuple(slice(pos[j] * stride[j], pos[j] * stride[j] + dilation[j] * (k[j] - 1) + 1, dilation[j])
                       for j in range(dims))
            window = xp[(slice(None), slice(g * cin_g, (g + 1) * cin_g)) + sl]  # (N, cin_g, *k)
            out[(slice(None), slice(g * cout_g, (g + 1) * cout_g)) + pos] = np.tensordot(
                window, wg, axes=(list(range(1, dims + 2)), list(range(1, dims + 2))))
    if b is not None:
        out += b.reshape((1, cout) + (1,) * dims)
    return out


def np_conv_transpose(x, w, b=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """The scatter form: each input element adds x * w[ci, co] into the output window it maps to."""
    dims = x.ndim - 2
    stride, padding = _tup(stride, dims), _tup(padding, dims)
    output_padding, dilation = _tup(output_padding, dims), _tup(dilation, dims)
    n, cin = x.shape[:2]
    cout_g = w.shape[1]
    k = w.shape[2:]
    cin_g = cin // groups
    full = [(x.shape[2 + j] - 1) * stride[j] + dilation[j] * (k[j] - 1) + 1 + output_padding[j] for j in range(dims)]
    out = np.zeros((n, cout_g * groups) + tuple(full))
    for g in range(groups):
        for ci in range(g * cin_g, (g + 1) * cin_g):
            for pos in itertools.product(*[range(s) for s in x.shape[2:]]):
                sl = tuple(slice(pos[j] * stride[j], pos[j] * stride[j] + dilation[j] * (k[j] - 1) + 1, dilation[j])
                           for j in range(dims))
                val = x[(slice(None), ci) + pos].reshape((n, 1) + (1,) * dims)
                out[(slice(None), slice(g * cout_g, (g + 1) * cout_g)) + sl] += val * w[ci][None]
    crop = tuple(slice(padding[j], full[j] - padding[j]) for j in range(dims))
    out = out[(slice(None), slice(None)) + crop]
    if b is not None:
        out = out + b.reshape((1, -1) + (1,) * dims)
    return out


def np_unfold(x, k, dilation=1, padding=0, stride=1):
    k, d, p, s = _tup(k, 2), _tup(dilation, 2), _tup(padding, 2), _tup(stride, 2)
    n, c, h, w = x.shape
    xp = np.pad(x, [(0, 0), (0, 0), (p[0], p[0]), (p[1], p[1])])
    oh = (h + 2 * p[0] - d[0] * (k[0] - 1) - 1) // s[0] + 1
    ow = (w + 2 * p[1] - d[1] * (k[1] - 1) - 1) // s[1] + 1
    out = np.zeros((n, c * k[0] * k[1], oh * ow))
    for ci in range(c):
        for i in range(k[0]):
            for j in range(k[1]):
                row = (ci * k[0] + i) * k[1] + j
                for a in range(oh):
                    for bb in range(ow):
                        out[:, row, a * ow + bb] = xp[:, ci, a * s[0] + i * d[0], bb * s[1] + j * d[1]]
    return out


def np_fold(cols, output_size, k, dilation=1, padding=0, stride=1):
    k, d, p, s = _tup(k, 2), _tup(dilation, 2), _tup(padding, 2), _tup(stride, 2)
    h, w = output_size
    n = cols.shape[0]
    c = cols.shape[1] // (k[0] * k[1])
    oh = (h + 2 * p[0] - d[0] * (k[0] - 1) - 1) // s[0] + 1
    ow = (w + 2 * p[1] - d[1] * (k[1] - 1) - 1) // s[1] + 1
    out = np.zeros((n, c, h + 2 * p[0], w + 2 * p[1]))
    for ci in range(c):
        for i in range(k[0]):
            for j in range(k[1]):
                row = (ci * k[0] + i) * k[1] + j
                for a in range(oh):
                    for bb in range(ow):
                        out[:, ci, a * s[0] + i * d[0], bb * s[1] + j * d[1]] += cols[:, row, a * ow + bb]
    return out[:, :, p[0]:p[0] + h, p[1]:p[1] + w]


CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}
CONV_T = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}
SPATIAL = {1: (7,), 2: (6, 5), 3: (4, 5, 3)}


# ---- forward against the loops ----------------------------------------------------------------------


@pytest.mark.parametrize("dims", [1, 2, 3])
@pytest.mark.parametrize("stride,padding,dilation,groups", [
    (1, 0, 1, 1), (2, 1, 1, 1), (1, 2, 2, 1), (2, 0, 1, 2), (1, 1, 2, 2), (3, 2, 1, 4)])
@pytest.mark.parametrize("bias", [True, False])
def test_conv_matches_direct_loops(dims, stride, padding, dilation, groups, bias):
    rng = np.random.default_rng(dims * 100 + stride * 10 + groups)
    x = _rand(rng, 2, 4, *SPATIAL[dims])
    w = _rand(rng, 4, 4 // groups, *(2 if dims == 3 else 3,) * dims)
    b = _rand(rng, 4) if bias else None
    got = CONV[dims](_t(x), _t(w), _t(b) if bias else None, stride, padding, dilation, groups)
    want = np_conv(x, w, b, stride, padding, dilation, groups)
    assert tuple(got.shape) == want.shape
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-12, atol=1e-12)


def test_conv2d_tuple_arguments_per_dim():
    rng = np.random.default_rng(1)
    x, w = _rand(rng, 1, 2, 7, 6), _rand(rng, 3, 2, 3, 2)
    got = F.conv2d(_t(x), _t(w), None, stride=(2, 1), padding=(1, 0), dilation=(1, 2))
    np.testing.assert_allclose(got.numpy(), np_conv(x, w, None, (2, 1), (1, 0), (1, 2)), rtol=1e-12, atol=1e-12)


def test_conv_unbatched_input_drops_batch_dim():
    rng = np.random.default_rng(2)
    x, w, b = _rand(rng, 3, 6), _rand(rng, 2, 3, 3), _rand(rng, 2)
    got = F.conv1d(_t(x), _t(w), _t(b), padding=1)
    assert tuple(got.shape) == (2, 6)
    np.testing.assert_allclose(got.numpy(), np_conv(x[None], w, b, 1, 1)[0], rtol=1e-12, atol=1e-12)
    x2, w2 = _rand(rng, 3, 5, 5), _rand(rng, 2, 3, 2, 2)
    got2 = F.conv2d(_t(x2), _t(w2))
    np.testing.assert_allclose(got2.numpy(), np_conv(x2[None], w2)[0], rtol=1e-12, atol=1e-12)


def test_conv2d_float32_close_to_reference():
    rng = np.random.default_rng(3)
    x, w = _rand(rng, 2, 3, 6, 6).astype(np.float32), _rand(rng, 4, 3, 3, 3).astype(np.float32)
    got = F.conv2d(dyngraph.tensor(x), dyngraph.tensor(w), padding=1)
    assert got.dtype is dyngraph.float32
    np.testing.assert_allclose(got.numpy(), np_conv(x.astype(np.float64), w.astype(np.float64), None, 1, 1),
                               rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("kernel,dilation", [((3, 3), (1, 1)), ((2, 4), (1, 1)), ((3, 2), (2, 1)), ((4, 4), (2, 3))])
def test_conv2d_padding_same_keeps_size_and_pads_extra_on_the_right(kernel, dilation):
    rng = np.random.default_rng(4)
    x, w = _rand(rng, 1, 2, 6, 7), _rand(rng, 3, 2, *kernel)
    got = F.conv2d(_t(x), _t(w), padding="same", dilation=dilation)
    pads = []
    for k, d in zip(kernel, dilation):
        total = d * (k - 1)
        pads.append((total // 2, total - total // 2))
    want = np_conv(np.pad(x, [(0, 0), (0, 0)] + pads), w, None, 1, 0, dilation)
    assert tuple(got.shape) == (1, 3, 6, 7)
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-12, atol=1e-12)


def test_conv_padding_valid_is_zero_padding():
    rng = np.random.default_rng(5)
    x, w = _rand(rng, 1, 2, 6), _rand(rng, 3, 2, 3)
    np.testing.assert_allclose(F.conv1d(_t(x), _t(w), padding="valid").numpy(), np_conv(x, w), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("dims", [1, 2, 3])
@pytest.mark.parametrize("stride,padding,output_padding,groups,dilation", [
    (1, 0, 0, 1, 1), (2, 0, 1, 1, 1), (2, 1, 0, 2, 1), (3, 1, 2, 1, 1), (2, 0, 1, 2, 2), (1, 1, 0, 1, 2)])
def test_conv_transpose_matches_scatter_loops(dims, stride, padding, output_padding, groups, dilation):
    rng = np.random.default_rng(dims * 7 + stride)
    x = _rand(rng, 2, 4, *(3,) * dims)
    w = _rand(rng, 4, 3, *(2 if dims == 3 else 3,) * dims)
    b = _rand(rng, 3 * groups)
    got = CONV_T[dims](_t(x), _t(w), _t(b), stride, padding, output_padding, groups, dilation)
    want = np_conv_transpose(x, w, b, stride, padding, output_padding, groups, dilation)
    assert tuple(got.shape) == want.shape
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-12, atol=1e-12)


def test_conv_transpose_output_padding_below_dilation():
    rng = np.random.default_rng(6)
    x, w = _rand(rng, 1, 2, 4), _rand(rng, 2, 3, 3)
    got = F.conv_transpose1d(_t(x), _t(w), stride=1, output_padding=1, dilation=2)
    np.testing.assert_allclose(got.numpy(), np_conv_transpose(x, w, None, 1, 0, 1, 1, 2), rtol=1e-12, atol=1e-12)


def test_conv_transpose_is_adjoint_of_conv():
    rng = np.random.default_rng(7)
    x, w = _rand(rng, 2, 4, 7, 6), _rand(rng, 6, 2, 3, 2)
    y = _rand(rng, *np_conv(x, w, None, 2, 1, 1, 2).shape)
    lhs = (F.conv2d(_t(x), _t(w), None, 2, 1, 1, 2).numpy() * y).sum()
    back = F.conv_transpose2d(_t(y), _t(w), None, 2, 1, groups=2)
    assert tuple(back.shape) == x.shape
    assert (back.numpy() * x).sum() == pytest.approx(lhs, rel=1e-12)


def test_conv_transpose_unbatched():
    rng = np.random.default_rng(8)
    x, w = _rand(rng, 2, 3, 3), _rand(rng, 2, 1, 2, 2)
    got = F.conv_transpose2d(_t(x), _t(w), stride=2)
    np.testing.assert_allclose(got.numpy(), np_conv_transpose(x[None], w, None, 2)[0], rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("k,d,p,s", [(2, 1, 0, 1), ((2, 3), (1, 2), 1, (2, 1)), (3, 1, 1, 2)])
def test_unfold_and_fold_match_loops(k, d, p, s):
    rng = np.random.default_rng(9)
    x = _rand(rng, 2, 3, 5, 6)
    cols = F.unfold(_t(x), k, d, p, s)
    want = np_unfold(x, k, d, p, s)
    np.testing.assert_allclose(cols.numpy(), want, rtol=1e-12, atol=1e-12)
    c = _rand(rng, *want.shape)
    np.testing.assert_allclose(F.fold(_t(c), (5, 6), k, d, p, s).numpy(), np_fold(c, (5, 6), k, d, p, s),
                               rtol=1e-12, atol=1e-12)
    # unbatched forms
    assert tuple(F.unfold(_t(x[0]), k, d, p, s).shape) == want.shape[1:]
    assert tuple(F.fold(_t(c[0]), (5, 6), k, d, p, s).shape) == (3, 5, 6)


# ---- gradients ------------------------------------------------------------------------------------


@pytest.mark.parametrize("dims,kw", [
    (1, dict(stride=2, padding=1)), (1, dict(dilation=2, groups=2)),
    (2, dict(stride=(2, 1), padding=1, groups=2)), (2, dict(padding="same", dilation=(1, 2))),
    (3, dict(padding=1, stride=2))])
def test_conv_gradcheck(dims, kw):
    rng = np.random.default_rng(10)
    sp = {1: (5,), 2: (4, 4), 3: (3, 3, 3)}[dims]
    x = _t(_rand(rng, 1, 2, *sp), True)
    w = _t(_rand(rng, 2, 2 // kw.get("groups", 1), *(2,) * dims), True)
    b = _t(_rand(rng, 2), True)
    assert gradcheck(lambda x, w, b: CONV[dims](x, w, b, **kw), (x, w, b))


@pytest.mark.parametrize("dims,kw", [(1, dict(stride=2, padding=1)), (2, dict(padding=1, dilation=(1, 2))),
                                     (2, dict(stride=2)), (3, dict(padding=1))])
def test_batched_conv_gradcheck(dims, kw):
    # Several small images: the CPU runs them as one GEMM over the batch (columns laid out batch-inner).
    rng = np.random.default_rng(12)
    sp = {1: (6,), 2: (5, 5), 3: (3, 3, 3)}[dims]
    x = _t(_rand(rng, 3, 2, *sp), True)
    w = _t(_rand(rng, 3, 2, *(2,) * dims), True)
    b = _t(_rand(rng, 3), True)
    assert gradcheck(lambda x, w, b: CONV[dims](x, w, b, **kw), (x, w, b))
    assert gradgradcheck(lambda x, w: CONV[dims](x, w, None, **kw), (x, w))


@pytest.mark.parametrize("dims,kw", [
    (1, dict(stride=2, padding=1, output_padding=1)), (2, dict(stride=2, groups=2)),
    (2, dict(dilation=2, padding=1)), (3, dict(stride=2))])
def test_conv_transpose_gradcheck(dims, kw):
    rng = np.random.default_rng(11)
    x = _t(_rand(rng, 1, 2, *(2,) * dims), True)
    w = _t(_rand(rng, 2, 1, *(2,) * dims), True)
    b = _t(_rand(rng, kw.get("groups", 1)), True)
    assert gradcheck(lambda x, w, b: CONV_T[dims](x, w, b, **kw), (x, w, b))


def test_unfold_fold_gradcheck():
    rng = np.random.default_rng(12)
    x = _t(_rand(rng, 1, 2, 4, 3), True)
    assert gradcheck(lambda x: F.unfold(x, 2, padding=1, stride=(1, 2)), (x,))
    c = _t(_rand(rng, 1, 8, 6), True)
    assert gradcheck(lambda c: F.fold(c, (3, 4), 2), (c,))


# ---- errors ---------------------------------------------------------------------------------------


def test_conv_wrong_input_dims_raise_runtime_error():
    with pytest.raises(RuntimeError):
        F.conv2d(dyngraph.ones(5, 5), dyngraph.ones(1, 1, 3, 3))
    with pytest.raises(RuntimeError):
        F.conv1d(dyngraph.ones(1, 2, 3, 3), dyngraph.ones(2, 2, 3))
    with pytest.raises(RuntimeError):
        F.conv3d(dyngraph.ones(1, 1, 4, 4), dyngraph.ones(1, 1, 2, 2, 2))


def test_conv_channel_mismatch_raises_runtime_error():
    with pytest.raises(RuntimeError):
        F.conv2d(dyngraph.ones(1, 4, 5, 5), dyngraph.ones(2, 3, 3, 3))
    with pytest.raises(RuntimeError):
        F.conv2d(dyngraph.ones(1, 4, 5, 5), dyngraph.ones(4, 2, 3, 3), groups=3)
    with pytest.raises(RuntimeError):
        F.conv_transpose2d(dyngraph.ones(1, 3, 3, 3), dyngraph.ones(2, 2, 3, 3))
    with pytest.raises(RuntimeError):
        F.conv2d(dyngraph.ones(1, 2, 3, 3), dyngraph.ones(2, 2, 3, 3), dyngraph.ones(3))


def test_conv_other_errors():
    x, w = dyngraph.ones(1, 2, 5, 5), dyngraph.ones(2, 2, 3, 3)
    with pytest.raises(RuntimeError):
        F.conv2d(x, w, stride=2, padding="same")
    with pytest.raises(RuntimeError):
        F.conv2d(x, w, padding="foo")
    with pytest.raises(RuntimeError):  # input smaller than kernel
        F.conv2d(dyngraph.ones(1, 2, 2, 2), w)
    with pytest.raises(RuntimeError):  # output_padding must be smaller than stride or dilation
        F.conv_transpose2d(x, w, output_padding=1)


def test_conv_bias_dtype_must_match_input():
    x, w = dyngraph.ones(1, 2, 5, 5), dyngraph.ones(2, 2, 3, 3)
    with pytest.raises(RuntimeError, match="bias type"):
        F.conv2d(x, w, dyngraph.ones(2, dtype=dyngraph.float64))
    with pytest.raises(RuntimeError, match="bias type"):
        F.conv_transpose2d(x, w, dyngraph.ones(2, dtype=dyngraph.float64))


def test_conv_bias_with_and_without_autograd():
    # Without autograd the bias is added in place into the op's own output; both ways agree.
    rng = np.random.default_rng(9)
    x, w, b = (dyngraph.tensor(rng.standard_normal(s)) for s in ((2, 3, 6, 6), (4, 3, 3, 3), (4,)))
    plain = F.conv2d(x, w, b, padding=1)
    np.testing.assert_allclose(plain.numpy(), (F.conv2d(x, w, padding=1) + b.reshape(4, 1, 1)).numpy(), rtol=1e-12)
    wg = w.clone().requires_grad_(True)
    graded = F.conv2d(x, wg, b, padding=1)
    assert graded.grad_fn is not None
    np.testing.assert_allclose(graded.detach().numpy(), plain.numpy(), rtol=1e-12)


def test_conv_zero_stride_is_runtime_error():
    with pytest.raises(RuntimeError):
        F.conv2d(dyngraph.ones(1, 2, 5, 5), dyngraph.ones(2, 2, 3, 3), stride=0)


def test_conv_negative_padding_is_runtime_error():
    with pytest.raises(RuntimeError):
        F.conv2d(dyngraph.ones(1, 2, 5, 5), dyngraph.ones(2, 2, 3, 3), padding=-1)


def test_conv_transpose_string_padding_is_type_error():
    with pytest.raises(TypeError):
        F.conv_transpose2d(dyngraph.ones(1, 2, 3, 3), dyngraph.ones(2, 2, 3, 3), padding="same")


# ---- PyTorch as the oracle ------------------------------------------------------------------------


def _torch_compare(torch, fd, ft, arrays, grad_arrays, rtol=1e-10, atol=1e-10):
    ds = [_t(a, i in grad_arrays) for i, a in enumerate(arrays)]
    ts = [torch.tensor(a, dtype=torch.float64, requires_grad=i in grad_arrays) for i, a in enumerate(arrays)]
    out_d, out_t = fd(*ds), ft(*ts)
    assert tuple(out_d.shape) == tuple(out_t.shape)
    np.testing.assert_allclose(out_d.detach().numpy(), out_t.detach().numpy(), rtol=rtol, atol=atol)
    g = np.random.default_rng(99).standard_normal(tuple(out_t.shape))
    out_d.backward(_t(g))
    out_t.backward(torch.tensor(g))
    for i in grad_arrays:
        np.testing.assert_allclose(ds[i].grad.numpy(), ts[i].grad.numpy(), rtol=rtol, atol=atol)


@pytest.mark.parametrize("dims", [1, 2, 3])
@pytest.mark.parametrize("stride,padding,dilation,groups", [
    (1, 0, 1, 1), (2, 1, 1, 2), (1, "same", 2, 1), (1, "same", 1, 4), (2, 2, 2, 1), (1, "valid", 1, 2),
    ((2, 1, 1), (1, 0, 2), (1, 2, 1), 1)])
def test_conv_against_torch(dims, stride, padding, dilation, groups):
    torch = pytest.importorskip("torch")
    torch.set_num_threads(1)  # tiny ops: thread start-up would dominate
    rng = np.random.default_rng(20 + dims)
    if isinstance(stride, tuple):
        stride, padding, dilation = stride[:dims], padding[:dims], dilation[:dims]
    x = _rand(rng, 2, 4, *SPATIAL[dims])
    w = _rand(rng, 4, 4 // groups, *(2,) * dims)
    b = _rand(rng, 4)
    _torch_compare(torch, lambda x, w, b: CONV[dims](x, w, b, stride, padding, dilation, groups),
                   lambda x, w, b: getattr(torch.nn.functional, f"conv{dims}d")(x, w, b, stride, padding, dilation,
                                                                                groups),
                   [x, w, b], {0, 1, 2})


@pytest.mark.parametrize("dims", [1, 2, 3])
@pytest.mark.parametrize("stride,padding,output_padding,groups,dilation", [
    (1, 0, 0, 1, 1), (2, 1, 1, 1, 1), (3, 0, 2, 2, 1), (2, 1, 0, 2, 2), (2, 2, 1, 1, 3)])
def test_conv_transpose_against_torch(dims, stride, padding, output_padding, groups, dilation):
    torch = pytest.importorskip("torch")
    torch.set_num_threads(1)  # tiny ops: thread start-up would dominate
    rng = np.random.default_rng(30 + dims)
    x = _rand(rng, 2, 4, *(3,) * dims)
    w = _rand(rng, 4, 2, *(2,) * dims)
    b = _rand(rng, 2 * groups)
    _torch_compare(torch,
                   lambda x, w, b: CONV_T[dims](x, w, b, stride, padding, output_padding, groups, dilation),
                   lambda x, w, b: getattr(torch.nn.functional, f"conv_transpose{dims}d")(
                       x, w, b, stride, padding, output_padding, groups, dilation),
                   [x, w, b], {0, 1, 2})


@pytest.mark.parametrize("k,d,p,s", [(2, 1, 0, 1), ((2, 3), (2, 1), (1, 0), (1, 2)), (3, 2, 2, 3)])
def test_unfold_fold_against_torch(k, d, p, s):
    torch = pytest.importorskip("torch")
    torch.set_num_threads(1)  # tiny ops: thread start-up would dominate
    rng = np.random.default_rng(40)
    x = _rand(rng, 2, 3, 6, 7)
    _torch_compare(torch, lambda x: F.unfold(x, k, d, p, s), lambda x: torch.nn.functional.unfold(x, k, d, p, s),
                   [x], {0})
    cols = torch.nn.functional.unfold(torch.tensor(x), k, d, p, s).numpy()
    c = rng.standard_normal(cols.shape)
    _torch_compare(torch, lambda c: F.fold(c, (6, 7), k, d, p, s),
                   lambda c: torch.nn.functional.fold(c, (6, 7), k, d, p, s), [c], {0})
