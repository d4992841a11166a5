"""dyngraph.nn.functional normalizations (batch/instance/layer/group/rms/local-response norm) against
NumPy formulas, incl. running-statistic updates, plus gradchecks, error types and (when installed) PyTorch."""

import numpy as np
import pytest

import dyngraph
import dyngraph.nn.functional as F
from dyngraph.autograd import gradcheck


def _t(a, requires_grad=False):
    return dyngraph.tensor(np.asarray(a, dtype=np.float64), requires_grad=requires_grad)


def _bshape(x):
    return (1, x.shape[1]) + (1,) * (x.ndim - 2)


# ---- NumPy references -----------------------------------------------------------------------------


def np_batch_norm(x, rm, rv, w, b, training, momentum, eps):
    """Output and the updated running stats (running_var takes the unbiased batch variance)."""
    axes = (0,) + tuple(range(2, x.ndim))
    if training:
        mean, var = x.mean(axes), x.var(axes)
        count = x.size // x.shape[1]
        if rm is not None:
            rm = (1 - momentum) * rm + momentum * mean
            rv = (1 - momentum) * rv + momentum * var * count / (count - 1)
    else:
        mean, var = rm, rv
    y = (x - mean.reshape(_bshape(x))) / np.sqrt(var.reshape(_bshape(x)) + eps)
    if w is not None:
        y = y * w.reshape(_bshape(x))
    if b is not None:
        y = y + b.reshape(_bshape(x))
    return y, rm, rv


def np_instance_norm(x, rm, rv, w, b, use_input_stats, momentum, eps):
    axes = tuple(range(2, x.ndim))
    if use_input_stats:
        mean, var = x.mean(axes, keepdims=True), x.var(axes, keepdims=True)
        count = int(np.prod(x.shape[2:]))
        if rm is not None:
            rm = (1 - momentum) * rm + momentum * mean.reshape(x.shape[:2]).mean(0)
            rv = (1 - momentum) * rv + momentum * (var.reshape(x.shape[:2]) * count / (count - 1)).mean(0)
    else:
        mean, var = rm.reshape(_bshape(x)), rv.reshape(_bshape(x))
    y = (x - mean) / np.sqrt(var + eps)
    if w is not None:
        y = y * w.reshape(_bshape(x))
    if b is not None:
        y = y + b.reshape(_bshape(x))
    return y, rm, rv


def np_layer_norm(x, k, w, b, eps):
    axes = tuple(range(x.ndim - k, x.ndim))
    y = (x - x.mean(axes, keepdims=True)) / np.sqrt(x.var(axes, keepdims=True) + eps)
    if w is not None:
        y = y * w
    if b is not None:
        y = y + b
    return y


def np_group_norm(x, groups, w, b, eps):
    g = x.reshape(x.shape[0], groups, -1)
    y = ((g - g.mean(-1, keepdims=True)) / np.sqrt(g.var(-1, keepdims=True) + eps)).reshape(x.shape)
    if w is not None:
        y = y * w.reshape(_bshape(x))
    if b is not None:
        y = y + b.reshape(_bshape(x))
    return y


def np_rms_norm(x, k, w, eps):
    axes = tuple(range(x.ndim - k, x.ndim))
    y = x / np.sqrt((x ** 2).mean(axes, keepdims=True) + eps)
    return y * w if w is not None else y


def np_local_response_norm(x, size, alpha, beta, k):
    c = x.shape[1]
    out = np.empty_like(x)
    for ci in range(c):
        lo, hi = max(0, ci - size // 2), min(c, ci + (size - 1) // 2 + 1)
        s = (x[:, lo:hi] ** 2).sum(1)
        out[:, ci] = x[:, ci] / (k + alpha / size * s) ** beta
    return out


# ---- batch norm -----------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(5, 3), (2, 3, 4), (2, 3, 3, 2), (2, 3, 2, 2, 2)])
@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("affine", [True, False])
@pytest.mark.parametrize("momentum", [0.1, 0.6])
def test_batch_norm(shape, training, affine, momentum):
    rng = np.random.default_rng(len(shape))
    x = rng.standard_normal(shape) * 2 + 1
    rm, rv = rng.standard_normal(3), rng.random(3) + 0.5
    w, b = (rng.standard_normal(3), rng.standard_normal(3)) if affine else (None, None)
    drm, drv = _t(rm), _t(rv)
    got = F.batch_norm(_t(x), drm, drv, None if w is None else _t(w), None if b is None else _t(b), training,
                       momentum, 1e-3)
    want, want_rm, want_rv = np_batch_norm(x, rm, rv, w, b, training, momentum, 1e-3)
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(drm.numpy(), want_rm, rtol=1e-12)
    np.testing.assert_allclose(drv.numpy(), want_rv, rtol=1e-12)


def test_batch_norm_training_without_running_stats():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((4, 3, 2))
    got = F.batch_norm(_t(x), None, None, training=True)
    np.testing.assert_allclose(got.numpy(), np_batch_norm(x, None, None, None, None, True, 0.1, 1e-5)[0],
                               rtol=1e-10, atol=1e-12)


def test_batch_norm_running_stats_accumulate_over_steps():
    rng = np.random.default_rng(2)
    rm, rv = np.zeros(2), np.ones(2)
    drm, drv = _t(rm), _t(rv)
    for _ in range(3):
        x = rng.standard_normal((3, 2, 2))
        F.batch_norm(_t(x), drm, drv, training=True, momentum=0.3)
        _, rm, rv = np_batch_norm(x, rm, rv, None, None, True, 0.3, 1e-5)
    np.testing.assert_allclose(drm.numpy(), rm, rtol=1e-12)
    np.testing.assert_allclose(drv.numpy(), rv, rtol=1e-12)


def test_batch_norm_errors():
    with pytest.raises(ValueError):  # one value per channel in training
        F.batch_norm(dyngraph.ones(1, 3), None, None, training=True)
    with pytest.raises(ValueError):
        F.batch_norm(dyngraph.ones(1, 3, 1), dyngraph.zeros(3), dyngraph.ones(3), training=True)
    with pytest.raises(RuntimeError):  # eval needs running stats
        F.batch_norm(dyngraph.ones(2, 3), None, None)
    with pytest.raises(RuntimeError):
        F.batch_norm(dyngraph.ones(2, 3), dyngraph.zeros(3), dyngraph.ones(3), dyngraph.ones(4))
    with pytest.raises(RuntimeError):
        F.batch_norm(dyngraph.ones(2, 3), dyngraph.zeros(4), dyngraph.ones(4))


# ---- instance norm --------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(2, 3, 5), (2, 3, 2, 3), (1, 3, 2, 2, 2)])
@pytest.mark.parametrize("use_input_stats", [True, False])
@pytest.mark.parametrize("with_stats", [True, False])
def test_instance_norm(shape, use_input_stats, with_stats):
    if not use_input_stats and not with_stats:
        with pytest.raises(RuntimeError):
            F.instance_norm(dyngraph.ones(*shape), use_input_stats=False)
        return
    rng = np.random.default_rng(3)
    x = rng.standard_normal(shape)
    rm, rv = (rng.standard_normal(3), rng.random(3) + 0.5) if with_stats else (None, None)
    w, b = rng.standard_normal(3), rng.standard_normal(3)
    drm, drv = (_t(rm), _t(rv)) if with_stats else (None, None)
    got = F.instance_norm(_t(x), drm, drv, _t(w), _t(b), use_input_stats, 0.3, 1e-3)
    want, want_rm, want_rv = np_instance_norm(x, rm, rv, w, b, use_input_stats, 0.3, 1e-3)
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-10, atol=1e-12)
    if with_stats:
        np.testing.assert_allclose(drm.numpy(), want_rm, rtol=1e-12)
        np.testing.assert_allclose(drv.numpy(), want_rv, rtol=1e-12)


def test_instance_norm_errors():
    with pytest.raises(ValueError):  # one spatial element
        F.instance_norm(dyngraph.ones(2, 3, 1))


# ---- layer / group / rms / local response norm ----------------------------------------------------


@pytest.mark.parametrize("shape,normalized", [((2, 3, 4), (4,)), ((2, 3, 4), (3, 4)), ((5,), 5), ((2, 3), [3])])
@pytest.mark.parametrize("affine", ["none", "weight", "both"])
def test_layer_norm(shape, normalized, affine):
    rng = np.random.default_rng(4)
    x = rng.standard_normal(shape)
    ns = (normalized,) if isinstance(normalized, int) else tuple(normalized)
    w = rng.standard_normal(ns) if affine != "none" else None
    b = rng.standard_normal(ns) if affine == "both" else None
    got = F.layer_norm(_t(x), normalized, None if w is None else _t(w), None if b is None else _t(b), 1e-3)
    np.testing.assert_allclose(got.numpy(), np_layer_norm(x, len(ns), w, b, 1e-3), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("shape", [(2, 6), (2, 6, 3), (2, 6, 2, 3), (1, 6, 2, 1, 2)])
@pytest.mark.parametrize("groups", [1, 2, 3, 6])
@pytest.mark.parametrize("affine", [True, False])
def test_group_norm(shape, groups, affine):
    rng = np.random.default_rng(5)
    x = rng.standard_normal(shape)
    w, b = (rng.standard_normal(6), rng.standard_normal(6)) if affine else (None, None)
    got = F.group_norm(_t(x), groups, None if w is None else _t(w), None if b is None else _t(b), 1e-3)
    np.testing.assert_allclose(got.numpy(), np_group_norm(x, groups, w, b, 1e-3), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("shape,normalized", [((2, 3, 4), (4,)), ((2, 3, 4), (3, 4)), ((5,), 5)])
@pytest.mark.parametrize("eps", [None, 0.1])
@pytest.mark.parametrize("with_weight", [True, False])
def test_rms_norm(shape, normalized, eps, with_weight):
    rng = np.random.default_rng(6)
    x = rng.standard_normal(shape)
    ns = (normalized,) if isinstance(normalized, int) else tuple(normalized)
    w = rng.standard_normal(ns) if with_weight else None
    got = F.rms_norm(_t(x), normalized, None if w is None else _t(w), eps)
    want = np_rms_norm(x, len(ns), w, np.finfo(np.float64).eps if eps is None else eps)
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-12, atol=1e-12)


def test_rms_norm_default_eps_is_dtype_eps():
    x = np.full((1, 4), 1e-4, dtype=np.float32)  # mean square 1e-8: comparable to float32's eps
    got = F.rms_norm(dyngraph.tensor(x), (4,))
    want = x / np.sqrt(1e-8 + np.finfo(np.float32).eps)
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-5)


@pytest.mark.parametrize("shape", [(2, 5, 3), (2, 5, 2, 3), (1, 4, 2, 2, 2)])
@pytest.mark.parametrize("size", [1, 2, 3, 5])
def test_local_response_norm(shape, size):
    rng = np.random.default_rng(7)
    x = rng.standard_normal(shape)
    got = F.local_response_norm(_t(x), size, 0.1, 0.7, 2.0)
    np.testing.assert_allclose(got.numpy(), np_local_response_norm(x, size, 0.1, 0.7, 2.0), rtol=1e-12)
    got_default = F.local_response_norm(_t(x), size)
    np.testing.assert_allclose(got_default.numpy(), np_local_response_norm(x, size, 1e-4, 0.75, 1.0), rtol=1e-12)


def test_norm_shape_errors():
    with pytest.raises(RuntimeError):
        F.layer_norm(dyngraph.ones(2, 3), (4,))
    with pytest.raises(RuntimeError):
        F.layer_norm(dyngraph.ones(2, 3), (2, 3, 3))
    with pytest.raises(RuntimeError):
        F.rms_norm(dyngraph.ones(2, 3), (4,))
    with pytest.raises(RuntimeError):  # channels not divisible by groups
        F.group_norm(dyngraph.ones(2, 3, 4), 2)
    with pytest.raises(ValueError):
        F.local_response_norm(dyngraph.ones(2, 3), 2)


# ---- gradients ------------------------------------------------------------------------------------


def _rand(seed, *shape):
    return np.random.default_rng(seed).standard_normal(shape)


def test_batch_norm_training_gradcheck():
    x, w, b = _t(_rand(1, 3, 2, 2), True), _t(_rand(2, 2), True), _t(_rand(3, 2), True)
    assert gradcheck(lambda x, w, b: F.batch_norm(x, None, None, w, b, True, 0.1, 1e-3), (x, w, b))


def test_batch_norm_eval_gradcheck():
    x, w, b = _t(_rand(1, 3, 2, 2), True), _t(_rand(2, 2), True), _t(_rand(3, 2), True)
    rm, rv = _t(_rand(4, 2)), _t(np.random.default_rng(5).random(2) + 0.5)
    assert gradcheck(lambda x, w, b: F.batch_norm(x, rm, rv, w, b, False), (x, w, b))


def test_instance_norm_gradcheck():
    x, w, b = _t(_rand(6, 2, 2, 3), True), _t(_rand(7, 2), True), _t(_rand(8, 2), True)
    assert gradcheck(lambda x, w, b: F.instance_norm(x, weight=w, bias=b, eps=1e-3), (x, w, b))


def test_layer_norm_gradcheck():
    x, w, b = _t(_rand(9, 2, 2, 3), True), _t(_rand(10, 2, 3), True), _t(_rand(11, 2, 3), True)
    assert gradcheck(lambda x, w, b: F.layer_norm(x, (2, 3), w, b, 1e-3), (x, w, b))


def test_group_norm_gradcheck():
    x, w, b = _t(_rand(12, 2, 4, 3), True), _t(_rand(13, 4), True), _t(_rand(14, 4), True)
    assert gradcheck(lambda x, w, b: F.group_norm(x, 2, w, b, 1e-3), (x, w, b))


def test_rms_norm_gradcheck():
    x, w = _t(_rand(15, 3, 4), True), _t(_rand(16, 4), True)
    assert gradcheck(lambda x, w: F.rms_norm(x, (4,), w, 1e-3), (x, w))


def test_local_response_norm_gradcheck():
    x = _t(_rand(17, 1, 4, 3), True)
    assert gradcheck(lambda x: F.local_response_norm(x, 3, 0.5, 0.75, 1.0), (x,))


# ---- PyTorch as the oracle ------------------------------------------------------------------------


def _torch_compare(torch, fd, ft, arrays, grads, rtol=1e-9, atol=1e-10):
    ds = [_t(a, i in grads) for i, a in enumerate(arrays)]
    ts = [torch.tensor(a, dtype=torch.float64, requires_grad=i in grads) for i, a in enumerate(arrays)]
    out_d, out_t = fd(*ds), ft(*ts)
    assert tuple(out_d.shape) == tuple(out_t.shape)
    np.testing.assert_allclose(out_d.detach().numpy(), out_t.detach().numpy(), rtol=rtol, atol=atol)
    g = np.random.default_rng(3).standard_normal(tuple(out_t.shape))
    out_d.backward(_t(g))
    out_t.backward(torch.tensor(g))
    for i in grads:
        np.testing.assert_allclose(ds[i].grad.numpy(), ts[i].grad.numpy(), rtol=rtol, atol=atol)


@pytest.mark.parametrize("shape", [(4, 3), (2, 3, 5), (2, 3, 2, 3), (2, 3, 2, 1, 2)])
@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("momentum", [0.1, 0.5])
def test_batch_norm_against_torch(shape, training, momentum):
    torch = pytest.importorskip("torch")
    torch.set_num_threads(1)  # tiny ops: thread start-up would dominate
    rng = np.random.default_rng(20)
    x, w, b = rng.standard_normal(shape), rng.standard_normal(3), rng.standard_normal(3)
    rm, rv = rng.standard_normal(3), rng.random(3) + 0.5
    drm, drv, trm, trv = _t(rm), _t(rv), torch.tensor(rm), torch.tensor(rv)
    _torch_compare(torch, lambda x, w, b: F.batch_norm(x, drm, drv, w, b, training, momentum, 1e-3),
                   lambda x, w, b: torch.nn.functional.batch_norm(x, trm, trv, w, b, training, momentum, 1e-3),
                   [x, w, b], {0, 1, 2})
    np.testing.assert_allclose(drm.numpy(), trm.numpy(), rtol=1e-12)
    np.testing.assert_allclose(drv.numpy(), trv.numpy(), rtol=1e-12)


@pytest.mark.parametrize("shape", [(2, 3, 5), (2, 3, 2, 3), (1, 3, 2, 2, 2)])
@pytest.mark.parametrize("use_input_stats", [True, False])
def test_instance_norm_against_torch(shape, use_input_stats):
    torch = pytest.importorskip("torch")
    torch.set_num_threads(1)
    rng = np.random.default_rng(21)
    x, w, b = rng.standard_normal(shape), rng.standard_normal(3), rng.standard_normal(3)
    rm, rv = rng.standard_normal(3), rng.random(3) + 0.5
    drm, drv, trm, trv = _t(rm), _t(rv), torch.tensor(rm), torch.tensor(rv)
    _torch_compare(torch, lambda x, w, b: F.instance_norm(x, drm, drv, w, b, use_input_stats, 0.2, 1e-3),
                   lambda x, w, b: torch.nn.functional.instance_norm(x, trm, trv, w, b, use_input_stats, 0.2, 1e-3),
                   [x, w, b], {0, 1, 2})
    np.testing.assert_allclose(drm.numpy(), trm.numpy(), rtol=1e-12)
    np.testing.assert_allclose(drv.numpy(), trv.numpy(), rtol=1e-12)


@pytest.mark.parametrize("shape,ns", [((2, 3, 4), (4,)), ((2, 3, 4), (3, 4)), ((6,), (6,)), ((2, 1, 3), (1, 3))])
def test_layer_norm_and_rms_norm_against_torch(shape, ns):
    torch = pytest.importorskip("torch")
    torch.set_num_threads(1)
    rng = np.random.default_rng(22)
    x, w, b = rng.standard_normal(shape), rng.standard_normal(ns), rng.standard_normal(ns)
    _torch_compare(torch, lambda x, w, b: F.layer_norm(x, ns, w, b),
                   lambda x, w, b: torch.nn.functional.layer_norm(x, ns, w, b), [x, w, b], {0, 1, 2})
    _torch_compare(torch, lambda x: F.layer_norm(x, ns), lambda x: torch.nn.functional.layer_norm(x, ns), [x], {0})
    _torch_compare(torch, lambda x, w: F.rms_norm(x, ns, w), lambda x, w: torch.nn.functional.rms_norm(x, ns, w),
                   [x, w], {0, 1})
    _torch_compare(torch, lambda x: F.rms_norm(x, ns, eps=0.5),
                   lambda x: torch.nn.functional.rms_norm(x, ns, eps=0.5), [x], {0})


@pytest.mark.parametrize("shape", [(2, 6), (2, 6, 3), (2, 6, 2, 3), (1, 6, 2, 1, 2)])
@pytest.mark.parametrize("groups", [1, 3, 6])
def test_group_norm_against_torch(shape, groups):
    torch = pytest.importorskip("torch")
    torch.set_num_threads(1)
    rng = np.random.default_rng(23)
    x, w, b = rng.standard_normal(shape), rng.standard_normal(6), rng.standard_normal(6)
    _torch_compare(torch, lambda x, w, b: F.group_norm(x, groups, w, b, 1e-3),
                   lambda x, w, b: torch.nn.functional.group_norm(x, groups, w, b, 1e-3), [x, w, b], {0, 1, 2})


@pytest.mark.parametrize("shape", [(2, 5, 3), (2, 5, 2, 3), (1, 4, 2, 2, 2)])
@pytest.mark.parametrize("size", [1, 2, 4])
def test_local_response_norm_against_torch(shape, size):
    torch = pytest.importorskip("torch")
    torch.set_num_threads(1)
    x = np.random.default_rng(24).standard_normal(shape)
    _torch_compare(torch, lambda x: F.local_response_norm(x, size, 0.3, 0.6, 1.5),
                   lambda x: torch.nn.functional.local_response_norm(x, size, 0.3, 0.6, 1.5), [x], {0})
