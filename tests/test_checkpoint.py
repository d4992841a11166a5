"""utils.checkpoint: gradients equal those of the plain forward, RNG replay, both variants."""

import warnings

import numpy as np
import pytest

import dyngraph
from dyngraph.utils.checkpoint import checkpoint, checkpoint_sequential


def _net():
    dyngraph.manual_seed(0)
    return dyngraph.nn.Sequential(dyngraph.nn.Linear(4, 8), dyngraph.nn.Tanh(), dyngraph.nn.Linear(8, 3)).double()


def _grads(net, x, run):
    net.zero_grad()
    if x.grad is not None:
        x.grad = None
    run(net, x).pow(2).sum().backward()
    return [p.grad.numpy().copy() for p in net.parameters()], (None if x.grad is None else x.grad.numpy().copy())


@pytest.mark.parametrize("reentrant", [True, False])
def test_checkpoint_gradients_equal_the_plain_forward(reentrant):
    net = _net()
    x = dyngraph.randn(2, 4, dtype=dyngraph.float64, requires_grad=True)
    plain, plain_x = _grads(net, x, lambda n, v: n(v))
    ckpt, ckpt_x = _grads(net, x, lambda n, v: checkpoint(n, v, use_reentrant=reentrant))
    seq, seq_x = _grads(net, x, lambda n, v: checkpoint_sequential(n, 2, v, use_reentrant=reentrant))
    for a, b, c in zip(plain, ckpt, seq):
        np.testing.assert_allclose(b, a, rtol=1e-12)
        np.testing.assert_allclose(c, a, rtol=1e-12)
    np.testing.assert_allclose(ckpt_x, plain_x, rtol=1e-12)
    np.testing.assert_allclose(seq_x, plain_x, rtol=1e-12)


def test_non_reentrant_trains_parameters_when_the_input_needs_no_grad():
    net = _net()
    x = dyngraph.randn(2, 4, dtype=dyngraph.float64)
    plain, _ = _grads(net, x, lambda n, v: n(v))
    ckpt, _ = _grads(net, x, lambda n, v: checkpoint(n, v, use_reentrant=False))
    for a, b in zip(plain, ckpt):
        np.testing.assert_allclose(b, a, rtol=1e-12)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = checkpoint(net, x, use_reentrant=True)
    assert not out.requires_grad and any("requires_grad" in str(w.message) for w in caught)


def test_recomputation_replays_the_random_state():
    dyngraph.manual_seed(1)
    x = dyngraph.ones(200, requires_grad=True)
    y = checkpoint(lambda t: dyngraph.nn.functional.dropout(t, 0.5, True), x, use_reentrant=False)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), y.detach().numpy())  # the same mask in backward


def test_checkpoint_argument_checks():
    with pytest.warns(UserWarning, match="use_reentrant"):
        checkpoint(lambda t: t * 2, dyngraph.ones(1, requires_grad=True))
    with pytest.raises(ValueError, match="Unexpected keyword"):
        checkpoint(lambda t, k=1: t * k, dyngraph.ones(1), use_reentrant=True, k=2)
    out = checkpoint(lambda t, k=1: t * k, dyngraph.ones(1, requires_grad=True), use_reentrant=False, k=3)
    assert out.item() == 3
