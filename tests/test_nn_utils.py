"""dyngraph.nn.utils: gradient clipping and parameter/vector conversion against NumPy
(and PyTorch, when installed)."""

import math
import warnings

import numpy as np
import pytest

import dyngraph
import dyngraph.nn.utils as U


def _params_with_grads(seed=0, shapes=((3, 4), (5,), (2,))):
    rng = np.random.default_rng(seed)
    grads = [rng.standard_normal(s) for s in shapes]
    params = [dyngraph.zeros(*s, dtype=dyngraph.float64, requires_grad=True) for s in shapes]
    for p, g in zip(params, grads):
        p.grad = dyngraph.tensor(g)
    return params, grads


def _np_total_norm(grads, norm_type):
    flat = np.concatenate([g.ravel() for g in grads])
    if norm_type == math.inf:
        return np.abs(flat).max()
    return (np.abs(flat) ** norm_type).sum() ** (1 / norm_type)


@pytest.mark.parametrize("norm_type", [2.0, 1, 3.0, math.inf, "inf"])
@pytest.mark.parametrize("max_norm", [0.5, 100.0])
def test_clip_grad_norm_(norm_type, max_norm):
    params, grads = _params_with_grads()
    nt = float(norm_type)
    total = U.clip_grad_norm_(params, max_norm, norm_type=norm_type)
    want_total = _np_total_norm(grads, nt)
    assert isinstance(total, dyngraph.Tensor) and total.dim() == 0
    assert total.item() == pytest.approx(want_total, rel=1e-12)
    coef = min(1.0, max_norm / (want_total + 1e-6))
    for p, g in zip(params, grads):
        np.testing.assert_allclose(p.grad.numpy(), g * coef, rtol=1e-12)
    if max_norm < want_total:
        assert _np_total_norm([p.grad.numpy() for p in params], nt) == pytest.approx(max_norm, rel=1e-5)


def test_clip_grad_norm_skips_missing_grads_and_takes_one_tensor():
    params, grads = _params_with_grads()
    extra = dyngraph.zeros(3, requires_grad=True)
    total = U.clip_grad_norm_(params + [extra], 1.0)
    assert extra.grad is None
    assert total.item() == pytest.approx(_np_total_norm(grads, 2.0))

    p = dyngraph.tensor([3.0, 4.0], requires_grad=True)
    p.grad = dyngraph.tensor([3.0, 4.0])
    assert U.clip_grad_norm_(p, max_norm=1.0).item() == pytest.approx(5.0)
    np.testing.assert_allclose(p.grad.numpy(), [0.6, 0.8], rtol=1e-5)


def test_clip_grad_norm_without_grads_returns_zero():
    total = U.clip_grad_norm_([dyngraph.zeros(2, requires_grad=True)], 1.0)
    assert total.item() == 0.0
    with pytest.warns(UserWarning, match="`parameters` is an empty generator"):
        U.clip_grad_norm_((p for p in []), 1.0)


def test_clip_grad_norm_nonfinite():
    p = dyngraph.tensor([1.0, 2.0], requires_grad=True)
    p.grad = dyngraph.tensor([float("inf"), 1.0])
    with pytest.raises(RuntimeError, match="The total norm of order 2.0 for gradients from `parameters` is "
                                           "non-finite"):
        U.clip_grad_norm_([p], 1.0, error_if_nonfinite=True)
    total = U.clip_grad_norm_([p], 1.0)  # without the check the grads are scaled anyway, as in PyTorch
    assert math.isinf(total.item())


def test_clip_grad_norm_foreach_is_accepted_and_deprecated_alias_warns():
    params, grads = _params_with_grads()
    U.clip_grad_norm_(params, 1.0, foreach=True)
    with pytest.warns(FutureWarning, match="clip_grad_norm` is now deprecated"):
        U.clip_grad_norm(params, 1.0)
    assert _np_total_norm([p.grad.numpy() for p in params], 2.0) == pytest.approx(1.0, rel=1e-5)


def test_clip_grad_norm_runs_without_autograd():
    p = dyngraph.tensor([1.0, 2.0], requires_grad=True)
    (p * p * 10).sum().backward()
    total = U.clip_grad_norm_([p], 1.0)
    assert total.grad_fn is None and p.grad.grad_fn is None


def test_get_total_norm_and_clip_grads_with_norm_():
    params, grads = _params_with_grads()
    total = U.get_total_norm([p.grad for p in params], norm_type=1.0)
    assert total.item() == pytest.approx(_np_total_norm(grads, 1.0))
    U.clip_grads_with_norm_(params, 2.0, total)
    for p, g in zip(params, grads):
        np.testing.assert_allclose(p.grad.numpy(), g * 2.0 / (total.item() + 1e-6), rtol=1e-12)


def test_clip_grad_value_():
    params, grads = _params_with_grads()
    extra = dyngraph.zeros(2, requires_grad=True)
    assert U.clip_grad_value_(params + [extra], clip_value=0.5) is None
    for p, g in zip(params, grads):
        np.testing.assert_array_equal(p.grad.numpy(), np.clip(g, -0.5, 0.5))
    assert extra.grad is None
    p = dyngraph.tensor([1.0, 2.0], requires_grad=True)
    p.grad = dyngraph.tensor([-3.0, 0.25])
    U.clip_grad_value_(p, 1)
    np.testing.assert_array_equal(p.grad.numpy(), [-1.0, 0.25])


def test_parameters_to_vector_and_back():
    a = dyngraph.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    b = dyngraph.tensor([5.0, 6.0], requires_grad=True)
    vec = U.parameters_to_vector([a, b])
    assert tuple(vec.shape) == (6,)
    np.testing.assert_array_equal(vec.detach().numpy(), [1, 2, 3, 4, 5, 6])

    U.vector_to_parameters(dyngraph.tensor([10.0, 20.0, 30.0, 40.0, 50.0, 60.0]), [a, b])
    np.testing.assert_array_equal(a.detach().numpy(), [[10, 20], [30, 40]])
    np.testing.assert_array_equal(b.detach().numpy(), [50, 60])
    assert a.requires_grad and a.is_leaf
    with pytest.raises(TypeError, match="expected torch.Tensor, but got: list"):
        U.vector_to_parameters([1.0, 2.0], [a])


def test_parameters_to_vector_is_differentiable():
    a = dyngraph.tensor([1.0, 2.0], requires_grad=True)
    b = dyngraph.tensor([3.0], requires_grad=True)
    (U.parameters_to_vector([a, b]) * dyngraph.tensor([1.0, 2.0, 3.0])).sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), [1.0, 2.0])
    np.testing.assert_array_equal(b.grad.numpy(), [3.0])


@pytest.mark.parametrize("norm_type", [2.0, math.inf, 1.5])
def test_matches_pytorch(norm_type):
    torch = pytest.importorskip("torch")
    params, grads = _params_with_grads(seed=3)
    tparams = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in grads]
    for p, g in zip(tparams, grads):
        p.grad = torch.tensor(g)
    total = U.clip_grad_norm_(params, 0.7, norm_type=norm_type)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ttotal = torch.nn.utils.clip_grad_norm_(tparams, 0.7, norm_type=norm_type)
    assert total.item() == pytest.approx(ttotal.item(), rel=1e-12)
    for p, t in zip(params, tparams):
        np.testing.assert_allclose(p.grad.numpy(), t.grad.numpy(), rtol=1e-12)
    U.clip_grad_value_(params, 0.1)
    torch.nn.utils.clip_grad_value_(tparams, 0.1)
    for p, t in zip(params, tparams):
        np.testing.assert_allclose(p.grad.numpy(), t.grad.numpy(), rtol=1e-12)
