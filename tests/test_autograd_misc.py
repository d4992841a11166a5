"""Grad modes, anomaly detection, the functional API (jacobian, hessian,
vjp, jvp, hvp, vhp), and leak checks through the live tensor/node counters."""

import gc
import os
import threading
import warnings

import numpy as np
import pytest

import dyngraph as torch
from dyngraph.autograd import Function

THIS_FILE = os.path.basename(__file__)


def vals(t):
    return np.array(t.detach().numpy(), copy=True)


def f64(data, requires_grad=False):
    return torch.tensor(data, dtype=torch.float64, requires_grad=requires_grad)


@pytest.fixture(autouse=True)
def _restore_modes():
    grad = torch.is_grad_enabled()
    anomaly = torch.autograd.is_anomaly_enabled()
    yield
    torch.set_grad_enabled(True)
    torch.autograd.set_detect_anomaly(False)
    assert grad, "a previous test left grad mode disabled"
    assert not anomaly, "a previous test left anomaly mode on"


# --------------------------------------------------------------------------------------
# Grad modes
# --------------------------------------------------------------------------------------

def test_is_grad_enabled_default():
    assert torch.is_grad_enabled() is True
    assert torch.autograd.is_grad_enabled() is True


def test_no_grad_context():
    x = f64([1.0, 2.0], requires_grad=True)
    with torch.no_grad():
        assert not torch.is_grad_enabled()
        y = x * 2
        v = x[0]
    assert torch.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None
    assert not v.requires_grad
    np.testing.assert_array_equal(vals(y), [2.0, 4.0])
    assert (x * 2).requires_grad


def test_no_grad_restores_on_exception():
    with pytest.raises(ValueError):
        with torch.no_grad():
            raise ValueError("x")
    assert torch.is_grad_enabled()


def test_enable_grad_inside_no_grad():
    x = f64([1.0, 2.0], requires_grad=True)
    with torch.no_grad():
        with torch.enable_grad():
            assert torch.is_grad_enabled()
            y = x * 2
        assert not torch.is_grad_enabled()
        z = x * 2
    assert y.requires_grad and not z.requires_grad
    y.sum().backward()
    np.testing.assert_array_equal(vals(x.grad), [2.0, 2.0])


def test_nested_no_grad_and_enable_grad():
    with torch.no_grad():
        with torch.no_grad():
            assert not torch.is_grad_enabled()
        assert not torch.is_grad_enabled()
        with torch.enable_grad():
            with torch.no_grad():
                assert not torch.is_grad_enabled()
            assert torch.is_grad_enabled()
        assert not torch.is_grad_enabled()
    assert torch.is_grad_enabled()


def test_set_grad_enabled_context():
    x = f64([1.0], requires_grad=True)
    with torch.set_grad_enabled(False):
        assert not torch.is_grad_enabled()
        assert not (x * 2).requires_grad
        with torch.set_grad_enabled(True):
            assert (x * 2).requires_grad
        assert not torch.is_grad_enabled()
    assert torch.is_grad_enabled()
    with torch.autograd.set_grad_enabled(True):
        assert torch.is_grad_enabled()
    assert torch.is_grad_enabled()


def test_set_grad_enabled_as_function_call():
    torch.set_grad_enabled(False)
    try:
        assert not torch.is_grad_enabled()
        assert not (f64([1.0], requires_grad=True) * 2).requires_grad
    finally:
        torch.set_grad_enabled(True)
    assert torch.is_grad_enabled()


def test_no_grad_decorator():
    @torch.no_grad()
    def f(x):
        assert not torch.is_grad_enabled()
        return x * 2

    x = f64([1.0], requires_grad=True)
    assert not f(x).requires_grad
    assert torch.is_grad_enabled()
    assert f.__name__ == "f"


def test_no_grad_decorator_without_parentheses():
    # PyTorch >= 2.1 accepts @torch.no_grad and @torch.enable_grad without ()
    @torch.no_grad
    def f(x):
        return x * 2

    @torch.enable_grad
    def g(x):
        return x * 2

    x = f64([1.0], requires_grad=True)
    assert not f(x).requires_grad
    with torch.no_grad():
        assert g(x).requires_grad


def test_enable_grad_decorator():
    @torch.enable_grad()
    def f(x):
        return x * 2

    x = f64([1.0], requires_grad=True)
    with torch.no_grad():
        y = f(x)
        assert not torch.is_grad_enabled()
    assert y.requires_grad


def test_set_grad_enabled_decorator_does_not_change_mode_at_decoration():
    @torch.set_grad_enabled(False)
    def f(x):
        return x * 2, torch.is_grad_enabled()

    # PyTorch: set_grad_enabled used as a decorator restores the mode right away
    assert torch.is_grad_enabled()
    x = f64([1.0], requires_grad=True)
    y, inside = f(x)
    assert inside is False
    assert not y.requires_grad
    assert torch.is_grad_enabled()


def test_no_grad_decorator_on_generator():
    @torch.no_grad()
    def gen(x):
        for k in range(3):
            yield x * k, torch.is_grad_enabled()

    x = f64([1.0], requires_grad=True)
    results = []
    for y, enabled in gen(x):
        results.append((y.requires_grad, enabled, torch.is_grad_enabled()))
    assert results == [(False, False, True)] * 3


def test_decorated_function_exception_restores_mode():
    @torch.no_grad()
    def f():
        raise KeyError("k")

    with pytest.raises(KeyError):
        f()
    assert torch.is_grad_enabled()


def test_inference_mode_context_and_decorator():
    x = f64([1.0, 2.0], requires_grad=True)
    assert not torch.is_inference_mode_enabled()
    with torch.inference_mode():
        assert torch.is_inference_mode_enabled()
        assert not torch.is_grad_enabled()
        y = x * 2
    assert not torch.is_inference_mode_enabled()
    assert torch.is_grad_enabled()
    assert not y.requires_grad
    np.testing.assert_array_equal(vals(y), [2.0, 4.0])

    @torch.inference_mode()
    def f(t):
        assert torch.is_inference_mode_enabled()
        return t * 3

    @torch.inference_mode
    def g(t):
        return t * 4

    assert not f(x).requires_grad
    assert not g(x).requires_grad
    np.testing.assert_array_equal(vals(g(x)), [4.0, 8.0])
    assert not torch.is_inference_mode_enabled()


def test_inference_tensors_and_their_rules():
    normal = torch.ones(3)
    with torch.inference_mode():
        made = torch.ones(3)
        computed = normal * 2
        view_of_normal = normal[:2]
        made.add_(1)  # in-place updates inside inference mode are allowed
    assert made.is_inference() and torch.is_inference(computed)
    assert not view_of_normal.is_inference() and not normal.is_inference()
    assert made[:1].is_inference() and made.detach().is_inference() and not made.clone().is_inference()
    with pytest.raises(RuntimeError, match="Inplace update to inference tensor outside InferenceMode"):
        made.add_(1)
    with torch.no_grad(), pytest.raises(RuntimeError, match="Inplace update to inference tensor"):
        made.zero_()
    with pytest.raises(RuntimeError, match="Setting requires_grad=True on inference tensor"):
        made.requires_grad_()
    with pytest.raises(RuntimeError, match="Inference tensors cannot be saved for backward"):
        torch.ones(3, requires_grad=True) * made
    assert (torch.ones(3, requires_grad=True) * made.clone()).requires_grad  # the workaround PyTorch names
    with pytest.raises(TypeError):
        torch.is_inference(1)


@pytest.mark.skipif(__import__("platform").machine() not in ("x86_64", "AMD64"), reason="x86 FTZ/DAZ")
def test_set_flush_denormal():
    tiny = torch.tensor([1e-323], dtype=torch.float64)
    try:
        assert torch.set_flush_denormal(True) is True
        assert (tiny * 1).item() == 0.0
    finally:
        assert torch.set_flush_denormal(False) is True
    assert (tiny * 1).item() > 0.0
    with pytest.raises(TypeError):
        torch.set_flush_denormal(1)


def test_inference_mode_false_and_nesting():
    with torch.inference_mode():
        with torch.inference_mode(False):
            assert not torch.is_inference_mode_enabled()
        assert torch.is_inference_mode_enabled()
    assert not torch.is_inference_mode_enabled()
    with torch.no_grad():
        with torch.inference_mode():
            assert not torch.is_grad_enabled()
        assert not torch.is_grad_enabled()
    assert torch.is_grad_enabled()


def test_grad_mode_is_thread_local():
    results = {}

    def worker():
        results["enabled"] = torch.is_grad_enabled()
        x = f64([1.0], requires_grad=True)
        results["requires_grad"] = (x * 2).requires_grad

    with torch.no_grad():
        t = threading.Thread(target=worker)
        t.start()
        t.join()
        assert not torch.is_grad_enabled()
    assert results == {"enabled": True, "requires_grad": True}


def test_no_grad_in_thread_does_not_affect_main():
    flag = {}
    entered = threading.Event()
    release = threading.Event()

    def worker():
        with torch.no_grad():
            entered.set()
            release.wait(5)
            flag["inside"] = torch.is_grad_enabled()

    t = threading.Thread(target=worker)
    t.start()
    assert entered.wait(5)
    assert torch.is_grad_enabled()
    assert (f64([1.0], requires_grad=True) * 2).requires_grad
    release.set()
    t.join()
    assert flag["inside"] is False


def test_backward_in_thread():
    out = {}

    def worker():
        x = f64([1.0, 2.0], requires_grad=True)
        (x * x).sum().backward()
        out["grad"] = vals(x.grad)

    t = threading.Thread(target=worker)
    t.start()
    t.join()
    np.testing.assert_array_equal(out["grad"], [2.0, 4.0])


def test_backward_inside_no_grad_still_computes_grads():
    x = f64([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    with torch.no_grad():
        y.backward()
    np.testing.assert_array_equal(vals(x.grad), [2.0, 4.0])


# --------------------------------------------------------------------------------------
# Anomaly mode
# --------------------------------------------------------------------------------------

class NanBackward(Function):
    @staticmethod
    def forward(ctx, x):
        return x * 1

    @staticmethod
    def backward(ctx, g):
        return g * float("nan")


class RaisingBackward(Function):
    @staticmethod
    def forward(ctx, x):
        return x * 1

    @staticmethod
    def backward(ctx, g):
        raise ValueError("backward exploded")


def test_anomaly_flags():
    assert not torch.autograd.is_anomaly_enabled()
    with torch.autograd.detect_anomaly():
        assert torch.autograd.is_anomaly_enabled()
    assert not torch.autograd.is_anomaly_enabled()
    torch.autograd.set_detect_anomaly(True)
    assert torch.autograd.is_anomaly_enabled()
    torch.autograd.set_detect_anomaly(False)
    assert not torch.autograd.is_anomaly_enabled()
    with torch.autograd.set_detect_anomaly(True):
        assert torch.autograd.is_anomaly_enabled()
    assert not torch.autograd.is_anomaly_enabled()


def test_anomaly_nan_in_backward_raises():
    x = f64([1.0, 2.0], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with torch.autograd.detect_anomaly():
            y = NanBackward.apply(x)
            with pytest.raises(RuntimeError) as info:
                y.sum().backward()
    msg = str(info.value)
    assert "NanBackwardBackward" in msg
    assert "nan" in msg.lower()


def test_anomaly_nan_with_set_detect_anomaly():
    x = f64([1.0, 2.0], requires_grad=True)
    torch.autograd.set_detect_anomaly(True)
    try:
        y = NanBackward.apply(x) * 2
        with pytest.raises(RuntimeError, match="(?i)nan"):
            y.sum().backward()
    finally:
        torch.autograd.set_detect_anomaly(False)


def test_nan_without_anomaly_mode_does_not_raise():
    x = f64([1.0, 2.0], requires_grad=True)
    NanBackward.apply(x).sum().backward()
    assert np.isnan(vals(x.grad)).all()


def test_anomaly_check_nan_false():
    x = f64([1.0, 2.0], requires_grad=True)
    with torch.autograd.detect_anomaly(check_nan=False):
        NanBackward.apply(x).sum().backward()
    assert np.isnan(vals(x.grad)).all()


def _error_and_warning_text(fn):
    """Runs fn expecting an exception; returns (exception, exception text + warning texts)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(Exception) as info:
            fn()
    text = str(info.value) + "\n".join(str(w.message) for w in caught)
    return info.value, text


def test_anomaly_version_error_mentions_forward_location():
    def run():
        with torch.autograd.detect_anomaly():
            x = f64([1.0, 2.0], requires_grad=True)
            y = x * 1
            z = y * y  # recorded here
            y.add_(1)
            z.sum().backward()

    err, text = _error_and_warning_text(run)
    assert isinstance(err, RuntimeError)
    assert "MulBackward0" in text
    assert THIS_FILE in text


def test_anomaly_python_error_in_backward_mentions_forward_location():
    # PyTorch re-raises the original error and reports (as a warning) where the forward op ran
    def run():
        with torch.autograd.detect_anomaly():
            x = f64([1.0, 2.0], requires_grad=True)
            y = RaisingBackward.apply(x)
            (y * 2).sum().backward()

    err, text = _error_and_warning_text(run)
    assert isinstance(err, ValueError)
    assert "backward exploded" in str(err)
    assert "RaisingBackwardBackward" in text
    assert THIS_FILE in text


def test_python_error_in_backward_propagates_without_anomaly():
    x = f64([1.0, 2.0], requires_grad=True)
    y = RaisingBackward.apply(x)
    with pytest.raises(ValueError, match="backward exploded"):
        y.sum().backward()


def test_anomaly_nan_traceback_mentions_forward_location():
    def run():
        with torch.autograd.detect_anomaly():
            x = f64([1.0, 2.0], requires_grad=True)
            y = NanBackward.apply(x)
            y.sum().backward()

    err, text = _error_and_warning_text(run)
    assert isinstance(err, RuntimeError)
    assert THIS_FILE in text


def test_anomaly_mode_normal_backward_unchanged():
    x = f64([1.0, 2.0], requires_grad=True)
    with torch.autograd.detect_anomaly():
        (x * x * 3).sum().backward()
    np.testing.assert_array_equal(vals(x.grad), [6.0, 12.0])


# --------------------------------------------------------------------------------------
# Functional API
# --------------------------------------------------------------------------------------

F = torch.autograd.functional


def test_jacobian_elementwise():
    x = f64([1.0, 2.0, 3.0])
    J = F.jacobian(lambda t: t * t * 2, x)
    assert tuple(J.shape) == (3, 3)
    np.testing.assert_array_equal(vals(J), np.diag([4.0, 8.0, 12.0]))
    assert not J.requires_grad
    assert not x.requires_grad  # the input is left alone


def test_jacobian_shapes_and_values_matrix():
    x = f64([[1.0, 2.0], [3.0, 4.0]])

    def f(t):
        return t.sum(0) * t[0]  # out_j = (x0j + x1j) * x0j

    J = F.jacobian(f, x)
    assert tuple(J.shape) == (2, 2, 2)
    expected = np.zeros((2, 2, 2))
    xv = vals(x)
    for j in range(2):
        expected[j, 0, j] = 2 * xv[0, j] + xv[1, j]
        expected[j, 1, j] = xv[0, j]
    np.testing.assert_allclose(vals(J), expected)


def test_jacobian_multiple_inputs_and_outputs():
    a = f64([1.0, 2.0])
    b = f64([3.0, 4.0])

    def f(x, y):
        return x * y, (x + y).sum()

    (Jxa, Jxb), (Jsa, Jsb) = F.jacobian(f, (a, b))
    np.testing.assert_array_equal(vals(Jxa), np.diag([3.0, 4.0]))
    np.testing.assert_array_equal(vals(Jxb), np.diag([1.0, 2.0]))
    assert tuple(Jsa.shape) == (2,)
    np.testing.assert_array_equal(vals(Jsa), [1.0, 1.0])
    np.testing.assert_array_equal(vals(Jsb), [1.0, 1.0])


def test_jacobian_unused_input_is_zero():
    a = f64([1.0, 2.0])
    b = f64([3.0])
    Ja, Jb = F.jacobian(lambda x, y: x * 2, (a, b))
    np.testing.assert_array_equal(vals(Jb), np.zeros((2, 1)))
    np.testing.assert_array_equal(vals(Ja), np.diag([2.0, 2.0]))


def test_jacobian_create_graph():
    x = f64([1.0, 2.0], requires_grad=True)
    J = F.jacobian(lambda t: t * t * t, x, create_graph=True)  # diag(3 x^2)
    assert J.requires_grad
    J.sum().backward()
    np.testing.assert_array_equal(vals(x.grad), [6.0, 12.0])


def test_hessian_quadratic_and_cubic():
    x = f64([1.0, 2.0, -1.0])

    def f(t):  # sum x_i^3 + x0 x1
        return (t * t * t).sum() + t[0] * t[1]

    H = F.hessian(f, x)
    assert tuple(H.shape) == (3, 3)
    expected = np.diag(6 * vals(x))
    expected[0, 1] = expected[1, 0] = 1.0
    np.testing.assert_allclose(vals(H), expected)


def test_hessian_two_inputs():
    a = f64([2.0])
    b = f64([3.0])
    H = F.hessian(lambda x, y: (x * x * y).sum(), (a, b))  # f = a^2 b
    (Haa, Hab), (Hba, Hbb) = H
    assert Haa.item() == 6.0  # 2b
    assert Hab.item() == 4.0  # 2a
    assert Hba.item() == 4.0
    assert Hbb.item() == 0.0


def test_vjp():
    x = f64([1.0, 2.0, 3.0])
    v = f64([1.0, 0.5, -1.0])
    out, g = F.vjp(lambda t: t * t, x, v)
    np.testing.assert_array_equal(vals(out), [1.0, 4.0, 9.0])
    np.testing.assert_array_equal(vals(g), [2.0, 2.0, -6.0])
    assert not out.requires_grad and not g.requires_grad


def test_vjp_scalar_output_default_v():
    x = f64([1.0, 2.0])
    out, g = F.vjp(lambda t: (t * t).sum(), x)
    assert out.item() == 5.0
    np.testing.assert_array_equal(vals(g), [2.0, 4.0])


def test_vjp_multiple_inputs():
    a = f64([1.0, 2.0])
    b = f64([3.0, 4.0])
    out, (ga, gb) = F.vjp(lambda x, y: x * y, (a, b), f64([1.0, 10.0]))
    np.testing.assert_array_equal(vals(ga), [3.0, 40.0])
    np.testing.assert_array_equal(vals(gb), [1.0, 20.0])


def test_jvp():
    x = f64([1.0, 2.0, 3.0])
    v = f64([1.0, 0.5, -1.0])
    out, jv = F.jvp(lambda t: t * t, x, v)
    np.testing.assert_array_equal(vals(out), [1.0, 4.0, 9.0])
    np.testing.assert_array_equal(vals(jv), [2.0, 2.0, -6.0])


def test_jvp_non_square():
    x = f64([[1.0, 2.0], [3.0, 4.0]])
    v = f64([[1.0, 0.0], [0.0, 1.0]])
    out, jv = F.jvp(lambda t: (t * t).sum(1), x, v)  # J v = sum_j 2 x_ij v_ij
    np.testing.assert_array_equal(vals(out), [5.0, 25.0])
    np.testing.assert_array_equal(vals(jv), [2.0, 8.0])


def test_jvp_multiple_inputs():
    a = f64([1.0, 2.0])
    b = f64([3.0, 4.0])
    out, jv = F.jvp(lambda x, y: x * y, (a, b), (f64([1.0, 1.0]), f64([0.0, 2.0])))
    # d(ab) = b da + a db
    np.testing.assert_array_equal(vals(jv), [3.0, 4.0 + 4.0])


def test_hvp_and_vhp():
    x = f64([1.0, 2.0])
    v = f64([1.0, -1.0])

    def f(t):  # x0^2 x1 -> H = [[2 x1, 2 x0], [2 x0, 0]]
        return t[0] * t[0] * t[1]

    out, hv = F.hvp(f, x, v)
    assert out.item() == 2.0
    np.testing.assert_array_equal(vals(hv), [4.0 - 2.0, 2.0])
    out, vh = F.vhp(f, x, v)
    np.testing.assert_array_equal(vals(vh), [2.0, 2.0])


def test_functional_matches_autograd_grad():
    x = f64([0.5, -1.5, 2.0])

    def f(t):
        return (t * t * t / (t * t + 1.0)).sum()

    J = F.jacobian(f, x)
    xv = vals(x)
    expected = (3 * xv ** 2 * (xv ** 2 + 1) - xv ** 3 * 2 * xv) / (xv ** 2 + 1) ** 2
    np.testing.assert_allclose(vals(J), expected, rtol=1e-12)


# --------------------------------------------------------------------------------------
# No leaks
# --------------------------------------------------------------------------------------

def _counts():
    gc.collect()
    return torch._C._live_tensor_count(), torch._C._live_node_count()


def _growth(step, n):
    step()  # warm up caches
    before = _counts()
    for _ in range(n):
        step()
    after = _counts()
    return after[0] - before[0], after[1] - before[1]


def test_live_counters_track_objects():
    base_t, base_n = _counts()
    x = torch.ones(3, requires_grad=True)
    y = x * 2
    t, n = _counts()
    assert t >= base_t + 2
    assert n >= base_n + 1
    del x, y
    assert _counts() == (base_t, base_n)


def _basic_step():
    x = torch.randn(4, 3)
    w = torch.randn(3, requires_grad=True)
    b = torch.randn(3, requires_grad=True)
    loss = (x * w + b).sum()
    loss.backward()
    assert w.grad is not None and b.grad is not None
    del x, w, b, loss


def test_no_leak_basic_training_step():
    start = _counts()
    for _ in range(2000):
        _basic_step()
    assert _counts() == start


def test_leak_does_not_grow_with_iterations():
    g_small = _growth(_basic_step, 100)
    g_large = _growth(_basic_step, 1000)
    assert g_small == (0, 0)
    assert g_large == (0, 0)


def _retained_graph_step():
    x = torch.randn(3, requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()


def _graph_not_backpropagated_step():
    x = torch.randn(3, requires_grad=True)
    y = x * x * 2  # graph built then dropped without backward
    del y


def _double_backward_step():
    x = torch.randn(3, requires_grad=True)
    (g,) = torch.autograd.grad((x * x * x).sum(), x, create_graph=True)
    (h,) = torch.autograd.grad(g.sum(), x)
    assert h is not None


class _SaveOut(Function):
    @staticmethod
    def forward(ctx, x):
        y = x * x
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        return g * 2 * x


def _custom_function_step():
    x = torch.randn(3, requires_grad=True)
    y = _SaveOut.apply(x)
    y.sum().backward()


def _custom_function_no_backward_step():
    x = torch.randn(3, requires_grad=True)
    y = _SaveOut.apply(x)
    del y


def _hook_step():
    x = torch.randn(3, requires_grad=True)
    y = x * 2
    y.register_hook(lambda g: g * 2)
    x.register_hook(lambda g: None)
    y.retain_grad()
    (y * y).sum().backward()


def _inplace_view_step():
    x = torch.randn(4, requires_grad=True)
    y = x * 1
    y[1:].mul_(x[1:])
    y[0] = 3.0
    y.sum().backward()


def _anomaly_step():
    with torch.autograd.detect_anomaly():
        x = torch.randn(3, requires_grad=True)
        (x * 2).sum().backward()


def _functional_step():
    F.jacobian(lambda t: t * t, torch.randn(2))


@pytest.mark.parametrize("step", [
    _retained_graph_step, _graph_not_backpropagated_step, _double_backward_step, _custom_function_step,
    _custom_function_no_backward_step, _hook_step, _inplace_view_step, _anomaly_step, _functional_step,
], ids=lambda f: f.__name__.strip("_"))
def test_no_leak_variants(step):
    assert _growth(step, 200) == (0, 0)


def test_complex_grads_follow_conjugate_wirtinger_convention():
    # d/dz Re(z * w) = conj(w); d/dz Re(z * conj(z)) = 2z (PyTorch's convention)
    z = torch.tensor([1 + 2j, 3 - 1j], requires_grad=True)
    w = torch.tensor([2 - 1j, 1 + 1j])
    (z * w).real.sum().backward()
    np.testing.assert_allclose(z.grad.numpy(), np.conj(w.numpy()))
    z.grad = None
    (z * z.conj()).real.sum().backward()
    np.testing.assert_allclose(z.grad.numpy(), 2 * z.detach().numpy())


def test_is_tensor_like():
    class Stand:
        @classmethod
        def __torch_function__(cls, func, types, args=(), kwargs=None):
            return NotImplemented

    assert torch.autograd.is_tensor_like(torch.ones(1))
    assert torch.autograd.is_tensor_like(Stand())
    assert not torch.autograd.is_tensor_like([1.0])


def test_multithreading_switch_is_per_thread_and_restored():
    import threading

    A = torch.autograd
    assert A.is_multithreading_enabled() is True
    with A.set_multithreading_enabled(False):
        assert A.is_multithreading_enabled() is False
        seen = []
        t = threading.Thread(target=lambda: seen.append(A.is_multithreading_enabled()))
        t.start()
        t.join()
        assert seen == [True]  # another thread keeps its own switch
        x = torch.ones(3, requires_grad=True)
        (x * 2).sum().backward()  # backward still runs (on this thread)
        assert x.grad.tolist() == [2.0, 2.0, 2.0]
    assert A.is_multithreading_enabled() is True
    assert A.is_view_replay_enabled() is False


def test_autograd_variable_function_is_gone_as_in_pytorch():
    with pytest.raises(RuntimeError, match=r"deprecated, use torch.tensor\(...\) instead"):
        torch.autograd.variable(torch.ones(1))
