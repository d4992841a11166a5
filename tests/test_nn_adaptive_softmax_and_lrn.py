"""nn.AdaptiveLogSoftmaxWithLoss and the legacy nn.CrossMapLRN2d, against NumPy references of their
definitions and (when installed) PyTorch with the same weights."""

import numpy as np
import pytest

import dyngraph
from dyngraph.autograd import gradcheck


def _log_softmax(z):
    z = z - z.max(axis=1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))


def _model():
    dyngraph.manual_seed(0)
    return dyngraph.nn.AdaptiveLogSoftmaxWithLoss(8, 12, [3, 7], div_value=2.0, head_bias=True).double()


def test_adaptive_log_softmax_matches_its_definition():
    m = _model()
    x = np.random.default_rng(0).standard_normal((6, 8))
    target = np.array([0, 2, 3, 6, 7, 11])
    out = m(dyngraph.tensor(x), dyngraph.tensor(target))
    head = _log_softmax(x @ m.head.weight.detach().numpy().T + m.head.bias.detach().numpy())
    full = np.zeros((6, 12))
    full[:, :3] = head[:, :3]
    for i, (lo, hi) in enumerate([(3, 7), (7, 12)]):
        proj = [layer.weight.detach().numpy() for layer in m.tail[i]]
        full[:, lo:hi] = _log_softmax(x @ proj[0].T @ proj[1].T) + head[:, 3 + i:4 + i]
    want = full[np.arange(6), target]
    np.testing.assert_allclose(out.output.detach().numpy(), want, rtol=1e-12)
    np.testing.assert_allclose(float(out.loss), -want.mean(), rtol=1e-12)
    np.testing.assert_allclose(m.log_prob(dyngraph.tensor(x)).detach().numpy(), full, rtol=1e-12)
    np.testing.assert_array_equal(m.predict(dyngraph.tensor(x)).numpy(), full.argmax(1))
    assert np.allclose(np.exp(full).sum(1), 1)
    # tail sizes: in_features // div_value ** (i + 1)
    assert [tuple(seq[0].weight.shape) for seq in m.tail] == [(4, 8), (2, 8)]


def test_adaptive_log_softmax_gradients_and_unbatched_input():
    m = _model()
    x = dyngraph.tensor(np.random.default_rng(1).standard_normal((5, 8)), requires_grad=True)
    target = dyngraph.tensor([1, 4, 8, 11, 0])
    assert gradcheck(lambda t: m(t, target).output, (x,))
    single = m(x[2], target[2])
    assert single.output.dim() == 0
    np.testing.assert_allclose(float(single.output), float(m(x, target).output[2]), rtol=1e-12)


def test_adaptive_log_softmax_errors():
    with pytest.raises(ValueError, match="cutoffs should be a sequence of unique, positive integers"):
        dyngraph.nn.AdaptiveLogSoftmaxWithLoss(8, 12, [5, 3])
    with pytest.raises(ValueError, match="cutoffs should be a sequence of unique, positive integers"):
        dyngraph.nn.AdaptiveLogSoftmaxWithLoss(8, 12, [3, 12])
    m = _model()
    with pytest.raises(RuntimeError, match=r"Target values should be in \[0, 11\]"):
        m(dyngraph.zeros(2, 8, dtype=dyngraph.float64), dyngraph.tensor([0, 12]))
    with pytest.raises(RuntimeError, match="same size in the batch dimension"):
        m(dyngraph.zeros(2, 8, dtype=dyngraph.float64), dyngraph.tensor([0, 1, 2]))
    with pytest.raises(RuntimeError, match="multi-target not supported"):
        m(dyngraph.zeros(2, 8, dtype=dyngraph.float64), dyngraph.zeros(2, 2, dtype=dyngraph.int64))


def test_adaptive_log_softmax_against_pytorch():
    torch = pytest.importorskip("torch")
    t = torch.nn.AdaptiveLogSoftmaxWithLoss(16, 20, [4, 10, 15], div_value=2.0).double()
    d = dyngraph.nn.AdaptiveLogSoftmaxWithLoss(16, 20, [4, 10, 15], div_value=2.0).double()
    assert sorted(t.state_dict()) == sorted(d.state_dict())
    d.load_state_dict({k: dyngraph.tensor(v.numpy()) for k, v in t.state_dict().items()})
    x = np.random.default_rng(2).standard_normal((9, 16))
    target = np.array([0, 3, 4, 9, 10, 14, 15, 19, 2])
    tx, dx = torch.tensor(x, requires_grad=True), dyngraph.tensor(x, requires_grad=True)
    want, got = t(tx, torch.tensor(target)), d(dx, dyngraph.tensor(target))
    np.testing.assert_allclose(got.output.detach().numpy(), want.output.detach().numpy(), rtol=1e-12)
    want.loss.backward()
    got.loss.backward()
    np.testing.assert_allclose(dx.grad.numpy(), tx.grad.numpy(), rtol=1e-10, atol=1e-14)
    np.testing.assert_array_equal(d.predict(dx).numpy(), t.predict(tx).numpy())


def _cross_map_lrn_reference(x, size, alpha, beta, k):
    """The legacy running-window recurrence, step by step (channel 0 never leaves the window)."""
    sq = x * x
    channels = x.shape[1]
    reach = int((size - 1) / 2 + 1)
    scale = np.zeros_like(x)
    scale[:, 0] = sq[:, :min(reach, channels)].sum(1)
    for c in range(1, channels):
        scale[:, c] = scale[:, c - 1]
        if c < channels - reach + 1:
            scale[:, c] += sq[:, c + reach - 1]
        if c > reach:
            scale[:, c] -= sq[:, c - reach]
    return x * (scale * alpha / size + k) ** -beta


@pytest.mark.parametrize("channels,size", [(1, 3), (5, 2), (6, 3), (9, 5), (4, 7)])
def test_cross_map_lrn2d_matches_the_legacy_recurrence(channels, size):
    x = np.random.default_rng(channels).standard_normal((2, channels, 3, 4))
    got = dyngraph.nn.CrossMapLRN2d(size, 0.1, 0.75, 2)(dyngraph.tensor(x)).numpy()
    np.testing.assert_allclose(got, _cross_map_lrn_reference(x, size, 0.1, 0.75, 2), rtol=1e-12)
    torch = pytest.importorskip("torch")
    want = torch.nn.CrossMapLRN2d(size, 0.1, 0.75, 2)(torch.tensor(x)).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_cross_map_lrn2d_gradient_is_exact_and_input_must_be_4d():
    x = dyngraph.tensor(np.random.default_rng(3).standard_normal((1, 6, 2, 2)), requires_grad=True)
    assert gradcheck(lambda t: dyngraph.nn.CrossMapLRN2d(3, 0.1, 0.75, 2)(t), (x,))
    with pytest.raises(ValueError, match="Expected input to be 4D, got 3D instead"):
        dyngraph.nn.CrossMapLRN2d(3)(dyngraph.ones(2, 3, 4))
    assert repr(dyngraph.nn.CrossMapLRN2d(3)) == "CrossMapLRN2d(3, alpha=0.0001, beta=0.75, k=1)"
