"""The C++ row norms (layer, RMS, group, instance norm on one kernel), the
class-index losses (nll_loss, cross_entropy for every shape, one kernel with the
target check) and softmax over a middle dim without a transpose: NumPy
references, second derivatives, PyTorch's dtype rules and errors (PyTorch as
the oracle where installed). test_nn_functional_norm.py and
test_nn_functional_misc.py hold the first-order value and gradient cases."""

import numpy as np
import pytest

import dyngraph
import dyngraph.nn.functional as F
from dyngraph.autograd import gradcheck, gradgradcheck

from conftest import assert_same_exceptions


def _t(a, requires_grad=False, dtype=np.float64):
    return dyngraph.tensor(np.asarray(a, dtype=dtype), requires_grad=requires_grad)


def _rand(seed, *shape):
    return np.random.default_rng(seed).standard_normal(shape)


def _np_log_softmax(x, axis):
    m = x.max(axis, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis, keepdims=True))


# ---- softmax over any dim -------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(3, 5, 7), (2, 4, 3, 300), (1, 6, 1), (5,)])
@pytest.mark.parametrize("log", [False, True])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_every_dim_against_numpy(shape, log, dtype):
    x = _rand(1, *shape).astype(dtype) * 4
    x.flat[0] = -np.inf  # a masked entry
    for dim in range(-len(shape), len(shape)):
        fn = F.log_softmax if log else F.softmax
        got = fn(_t(x, dtype=dtype), dim)
        with np.errstate(invalid="ignore"):  # an all -inf slice: NaN, as dyngraph and PyTorch give
            want = _np_log_softmax(x.astype(np.float64), dim)
        want = want if log else np.exp(want)
        assert got.is_contiguous() and tuple(got.shape) == shape
        tol = 1e-5 if dtype == np.float32 else 1e-12
        np.testing.assert_allclose(got.numpy(), want, rtol=tol, atol=tol)


def test_softmax_middle_dim_of_a_non_contiguous_input_and_half():
    x = _rand(2, 4, 6, 5)
    xt = _t(x).transpose(0, 2)  # (5, 6, 4), strided
    np.testing.assert_allclose(F.softmax(xt, 1).numpy(), np.exp(_np_log_softmax(x.transpose(2, 1, 0), 1)),
                               rtol=1e-12)
    h = dyngraph.tensor(x.astype(np.float16))
    np.testing.assert_allclose(F.log_softmax(h, 1).float().numpy(),
                               _np_log_softmax(x.astype(np.float16).astype(np.float64), 1), atol=4e-3)


def test_softmax_middle_dim_all_masked_is_nan_and_gradcheck():
    x = np.full((2, 3, 4), -np.inf)
    assert np.isnan(F.softmax(_t(x), 1).numpy()).all()
    y = _t(_rand(3, 2, 3, 4), True)
    assert gradcheck(lambda y: F.log_softmax(y, 1), (y,))
    assert gradgradcheck(lambda y: F.softmax(y, 1), (y,))


# ---- class-index losses ---------------------------------------------------------------------------


def test_nll_loss_out_of_range_target_raises_index_error_at_any_rank():
    logp = dyngraph.randn(2, 3, 4, 5).log_softmax(1)
    t = dyngraph.zeros(2, 4, 5, dtype=dyngraph.int64)
    t[1, 2, 3] = 7
    with pytest.raises(IndexError, match="Target 7 is out of bounds."):
        F.nll_loss(logp, t)
    t[1, 2, 3] = -1
    with pytest.raises(IndexError, match="Target -1 is out of bounds."):
        F.cross_entropy(logp, t)
    t[1, 2, 3] = -7  # out of range, but ignored
    assert np.isfinite(F.cross_entropy(logp, t, ignore_index=-7).item())


def test_nll_loss_uint8_targets_and_unbatched_shapes():
    x = _rand(4, 3, 5)
    logp = _np_log_softmax(x, 1)
    t = np.array([0, 4, 2])
    got = F.nll_loss(_t(logp), dyngraph.tensor(t.astype(np.uint8)), reduction="none")
    np.testing.assert_allclose(got.numpy(), -logp[np.arange(3), t])
    one = F.nll_loss(_t(logp[0]), dyngraph.tensor(4), reduction="none")
    assert one.shape == () and one.item() == pytest.approx(-logp[0, 4])
    assert F.nll_loss(_t(logp[0]), dyngraph.tensor([4]), reduction="none").shape == ()
    assert F.cross_entropy(_t(x[0]), dyngraph.tensor(1), reduction="none").shape == ()


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("label_smoothing", [0.0, 0.3])
def test_cross_entropy_second_derivatives(reduction, label_smoothing):
    x = _t(_rand(5, 2, 4, 3), True)
    t = dyngraph.tensor([[0, 3, -100], [1, 1, 2]])
    w = _t([0.5, 1.0, 2.0, 1.5])
    assert gradgradcheck(lambda x: F.cross_entropy(x, t, w, reduction=reduction, label_smoothing=label_smoothing),
                         (x,))
    assert gradgradcheck(lambda x: F.nll_loss(x, t, w, reduction=reduction), (x,))


def test_cross_entropy_segmentation_shape_against_numpy_in_float32():
    x = _rand(6, 2, 5, 8, 9).astype(np.float32)
    t = np.random.default_rng(7).integers(0, 5, (2, 8, 9))
    xt = dyngraph.tensor(x, requires_grad=True)
    loss = F.cross_entropy(xt, dyngraph.tensor(t))
    loss.backward()
    logp = _np_log_softmax(x.astype(np.float64), 1)
    picked = np.take_along_axis(logp, t[:, None], 1)[:, 0]
    assert loss.item() == pytest.approx(-picked.mean(), rel=1e-5)
    onehot = np.moveaxis(np.eye(5)[t], -1, 1)
    np.testing.assert_allclose(xt.grad.numpy(), (np.exp(logp) - onehot) / t.size, atol=1e-7)


def test_class_loss_errors_match_torch():
    torch = pytest.importorskip("torch")
    L = lambda m: m.nn.functional  # noqa: E731
    cases = [
        lambda m: L(m).nll_loss(m.randn(2, 3), m.tensor([0, 3])),
        lambda m: L(m).nll_loss(m.randn(2, 3), m.tensor([0, 1], dtype=m.int32)),
        lambda m: L(m).nll_loss(m.randn(2, 3), m.tensor([0, 1]), weight=m.ones(2)),
        lambda m: L(m).nll_loss(m.randn(2, 3), m.tensor([0, 1]), weight=m.ones(3, dtype=m.float64)),
        lambda m: L(m).nll_loss(m.randn(2, 3, 4), m.zeros(2, 5, dtype=m.int64)),
        lambda m: L(m).nll_loss(m.randn(2, 3, 4), m.zeros(3, 4, dtype=m.int64)),
        lambda m: L(m).nll_loss(m.randn(2, 3), m.tensor(1)),
        lambda m: L(m).nll_loss(m.randn(3), m.tensor([1, 2])),
        lambda m: L(m).nll_loss(m.randn(2, 3).int(), m.tensor([1, 1])),
        lambda m: L(m).nll_loss(m.randn(2, 3), m.tensor([1, 1]), reduction="foo"),
        lambda m: L(m).cross_entropy(m.randn(2, 3, 4), m.randn(2, 3, 5)),
        lambda m: L(m).cross_entropy(m.randn(2, 3), m.tensor([1, 1]), label_smoothing=1.5),
        lambda m: L(m).cross_entropy(m.randn(2, 3).int(), m.tensor([1, 1])),
        lambda m: L(m).cross_entropy(m.randn(2, 3), m.tensor([1, 5]), label_smoothing=0.2),
    ]
    assert_same_exceptions(torch, cases)


# ---- row norms ------------------------------------------------------------------------------------


def test_group_instance_rms_norm_second_derivatives():
    x, w, b = _t(_rand(8, 2, 4, 3), True), _t(_rand(9, 4), True), _t(_rand(10, 4), True)
    assert gradgradcheck(lambda x, w, b: F.group_norm(x, 2, w, b, 1e-3), (x, w, b))
    assert gradgradcheck(lambda x, w, b: F.instance_norm(x, weight=w, bias=b, eps=1e-3), (x, w, b))
    y, v = _t(_rand(11, 3, 4), True), _t(_rand(12, 4), True)
    assert gradgradcheck(lambda y, v: F.rms_norm(y, (4,), v, 1e-3), (y, v))
    assert gradgradcheck(lambda y: F.layer_norm(y, (4,), eps=1e-3), (y,))


def test_batch_norm_training_second_derivatives():
    # The batch statistics depend on x too: a second derivative from saved statistics would miss that.
    x, w, b = _t(_rand(18, 3, 2, 2, 2), True), _t(_rand(19, 2), True), _t(_rand(20, 2), True)
    assert gradgradcheck(lambda x, w, b: F.batch_norm(x, None, None, w, b, True, 0.1, 1e-3), (x, w, b))


def test_group_norm_matches_numpy_with_spatial_dims_and_without_them():
    for shape, groups in (((2, 6, 5, 7), 3), ((4, 6), 2), ((3, 4, 1, 1, 2), 4)):
        x = _rand(13, *shape)
        w, b = _rand(14, shape[1]), _rand(15, shape[1])
        xs = x.reshape(shape[0], groups, -1)
        norm = (xs - xs.mean(-1, keepdims=True)) / np.sqrt(xs.var(-1, keepdims=True) + 1e-5)
        cshape = (1, shape[1]) + (1,) * (len(shape) - 2)
        want = norm.reshape(shape) * w.reshape(cshape) + b.reshape(cshape)
        np.testing.assert_allclose(F.group_norm(_t(x), groups, _t(w), _t(b)).numpy(), want, rtol=1e-10, atol=1e-12)


def test_norms_accept_float32_parameters_for_half_inputs_only():
    x = _rand(16, 2, 4, 3)
    for dtype in (dyngraph.float16, dyngraph.bfloat16):
        xh = dyngraph.tensor(x).to(dtype)
        ref = F.group_norm(xh.float(), 2, dyngraph.ones(4) * 2, dyngraph.zeros(4))
        got = F.group_norm(xh, 2, dyngraph.ones(4) * 2, dyngraph.zeros(4))
        assert got.dtype == dtype
        np.testing.assert_allclose(got.float().numpy(), ref.to(dtype).float().numpy())
        assert F.layer_norm(xh, (3,), dyngraph.ones(3)).dtype == dtype
        assert F.rms_norm(xh, (3,), dyngraph.ones(3)).dtype == dtype
    with pytest.raises(RuntimeError, match="mixed dtype"):
        F.group_norm(dyngraph.tensor(x).float(), 2, dyngraph.ones(4, dtype=dyngraph.float64))
    with pytest.raises(RuntimeError, match="mixed dtype"):
        F.layer_norm(dyngraph.tensor(x).float(), (3,), dyngraph.ones(3, dtype=dyngraph.float64))


def test_rms_norm_default_eps_per_dtype():
    x = dyngraph.zeros(2, 3)
    for dtype, eps in ((dyngraph.float32, 1.1920928955078125e-07), (dyngraph.float64, 2.220446049250313e-16)):
        # x = 1e-4 everywhere: rms = 1e-4, so y = 1e-4 / sqrt(1e-8 + eps)
        y = F.rms_norm((x + 1e-4).to(dtype), (3,))
        assert y[0, 0].item() == pytest.approx(1e-4 / np.sqrt(1e-8 + eps), rel=1e-5)


def test_instance_norm_running_stats_follow_batch_mean_of_sample_stats():
    x = _rand(17, 3, 2, 5)
    rm, rv = dyngraph.zeros(2, dtype=dyngraph.float64), dyngraph.ones(2, dtype=dyngraph.float64)
    F.instance_norm(_t(x), rm, rv, momentum=0.25)
    np.testing.assert_allclose(rm.numpy(), 0.25 * x.mean(2).mean(0))
    np.testing.assert_allclose(rv.numpy(), 0.75 + 0.25 * x.var(2, ddof=1).mean(0))


def test_norm_errors_match_torch():
    torch = pytest.importorskip("torch")
    L = lambda m: m.nn.functional  # noqa: E731
    cases = [
        lambda m: L(m).group_norm(m.randn(2, 4, 3), 3),
        lambda m: L(m).group_norm(m.randn(2, 4, 3), 0),
        lambda m: L(m).group_norm(m.randn(2, 4, 3), -2),
        lambda m: L(m).group_norm(m.randn(4), 2),
        lambda m: L(m).group_norm(m.randn(2, 4, 3), 2, m.ones(3)),
        lambda m: L(m).group_norm(m.randn(2, 4, 3), 2, None, m.ones(3)),
        lambda m: L(m).group_norm(m.randn(2, 4, 3).int(), 2),
        lambda m: L(m).group_norm(m.randn(2, 4, 3), 2, m.ones(4, dtype=m.float64)),
        lambda m: L(m).rms_norm(m.randn(2, 3), ()),
        lambda m: L(m).rms_norm(m.randn(2, 3), (3,), m.ones(4)),
        lambda m: L(m).rms_norm(m.randn(2, 3).int(), (3,)),
        lambda m: L(m).layer_norm(m.randn(2, 3), (3,), m.ones(4)),
        lambda m: L(m).instance_norm(m.randn(3)),
        lambda m: L(m).instance_norm(m.randn(2, 3, 1)),
        lambda m: L(m).instance_norm(m.randn(2, 3, 4), m.zeros(3)),
        lambda m: L(m).instance_norm(m.randn(2, 3, 4), use_input_stats=False),
        lambda m: L(m).instance_norm(m.randn(2, 3, 4), weight=m.ones(2)),
        lambda m: L(m).local_response_norm(m.randn(2, 3), 2),
        lambda m: L(m).local_response_norm(m.randn(2, 3, 4), 0),
    ]
    assert_same_exceptions(torch, cases)


# ---- edge cases a review found --------------------------------------------------------------------


def test_group_norm_without_spatial_elements_has_zero_parameter_gradients():
    w, b = dyngraph.ones(4, requires_grad=True), dyngraph.zeros(4, requires_grad=True)
    F.group_norm(dyngraph.randn(2, 4, 0), 2, w, b).sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), np.zeros(4))
    np.testing.assert_array_equal(b.grad.numpy(), np.zeros(4))


def test_rms_norm_half_precision_default_eps_and_mixed_weights_as_torch():
    torch = pytest.importorskip("torch")
    x = np.full((2, 8), 0.01, dtype=np.float32)
    for name in ("bfloat16", "float16"):
        mine = F.rms_norm(dyngraph.tensor(x).to(getattr(dyngraph, name)), (8,))
        theirs = torch.nn.functional.rms_norm(torch.tensor(x).to(getattr(torch, name)), (8,))
        assert mine.dtype == getattr(dyngraph, name)
        np.testing.assert_allclose(mine.float().numpy(), theirs.float().numpy(), rtol=1e-2)
    xd, w = _rand(21, 3, 4), np.random.default_rng(22).standard_normal(4).astype(np.float32)
    mine = F.rms_norm(_t(xd), (4,), dyngraph.tensor(w))
    theirs = torch.nn.functional.rms_norm(torch.tensor(xd), (4,), torch.tensor(w))
    assert mine.dtype == dyngraph.float64
    np.testing.assert_allclose(mine.numpy(), theirs.numpy(), rtol=1e-6)


def test_local_response_norm_keeps_small_channels_next_to_a_large_one():
    torch = pytest.importorskip("torch")
    x = np.full((1, 6, 2), 1e-2, dtype=np.float32)
    x[0, 2] = 3e3
    mine = F.local_response_norm(dyngraph.tensor(x), 3, alpha=1.0, k=1e-3).numpy()
    theirs = torch.nn.functional.local_response_norm(torch.tensor(x), 3, alpha=1.0, k=1e-3).numpy()
    np.testing.assert_allclose(mine, theirs, rtol=1e-5)
