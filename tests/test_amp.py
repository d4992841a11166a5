"""Mixed precision: dyngraph.autocast (and its aliases) and dyngraph.amp.GradScaler.

NumPy is the oracle for values; the dtypes are PyTorch 2.13's (its CPU autocast
lists: matmul/linear/conv in bfloat16, losses in float32, softmax untouched).
"""

import pickle
import threading
import warnings

import numpy as np
import pytest

import dyngraph
import dyngraph.nn as nn
import dyngraph.nn.functional as F

BF16_TOL = dict(rtol=3e-2, atol=3e-2)
NO_CUDA = not dyngraph.cuda.is_available()


def to_np(t):
    return np.array(t.detach().float().numpy(), copy=True)


def rand(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


def T(a, requires_grad=False):
    return dyngraph.tensor(a, requires_grad=requires_grad)


# ---- state and API -------------------------------------------------------------------------------


def test_defaults_and_api():
    assert dyngraph.get_autocast_dtype("cpu") is dyngraph.bfloat16
    assert dyngraph.get_autocast_dtype("cuda") is dyngraph.float16
    assert dyngraph.is_autocast_enabled("cpu") is False
    assert dyngraph.is_autocast_enabled() is False  # no argument: the CUDA state
    assert dyngraph.amp.is_autocast_available("cpu") and dyngraph.amp.is_autocast_available("cuda")
    assert dyngraph.autocast is dyngraph.amp.autocast
    assert dyngraph.GradScaler is dyngraph.amp.GradScaler
    with pytest.warns(DeprecationWarning, match=r"get_autocast_dtype\('cuda'\)"):
        assert dyngraph.get_autocast_gpu_dtype() is dyngraph.float16
    with pytest.warns(DeprecationWarning, match=r"get_autocast_dtype\('cpu'\)"):
        assert dyngraph.get_autocast_cpu_dtype() is dyngraph.bfloat16
    with dyngraph.autocast("cpu"):
        assert dyngraph.is_autocast_enabled("cpu") and not dyngraph.is_autocast_enabled()
        with pytest.warns(DeprecationWarning):
            assert dyngraph.is_autocast_cpu_enabled()
    assert not dyngraph.is_autocast_enabled("cpu")


def test_bad_arguments():
    with pytest.raises(ValueError, match="Expected `device_type` of type `str`"):
        dyngraph.autocast(0)
    with pytest.raises(RuntimeError, match="device type at start of device string: foo"):
        dyngraph.autocast("foo")
    with pytest.raises(TypeError, match="requires a callable"):
        dyngraph.autocast("cpu")(3)
    with pytest.raises(TypeError, match="must be bool"):
        dyngraph.set_autocast_enabled("cpu", 1)


def test_unsupported_dtype_warns_and_disables():
    a = T(rand(3, 3))
    with pytest.warns(UserWarning, match="In CPU autocast, but the target dtype is not supported. Disabling"):
        ctx = dyngraph.autocast("cpu", dtype=dyngraph.float32)
    with ctx:
        assert not dyngraph.is_autocast_enabled("cpu")
        assert dyngraph.get_autocast_dtype("cpu") is dyngraph.float32
        assert (a @ a).dtype is dyngraph.float32
    assert dyngraph.get_autocast_dtype("cpu") is dyngraph.bfloat16


@pytest.mark.skipif(not NO_CUDA, reason="needs a machine without CUDA")
def test_cuda_autocast_without_cuda_warns_and_disables():
    with pytest.warns(UserWarning, match="CUDA is not available"):
        ctx = dyngraph.autocast("cuda")
    with ctx:
        assert not dyngraph.is_autocast_enabled("cuda")
    with pytest.warns(FutureWarning, match="torch.cuda.amp.autocast"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            dyngraph.cuda.amp.autocast()


def test_cpu_amp_alias():
    a = T(rand(2, 3))
    with pytest.warns(FutureWarning, match=r"torch.amp.autocast\('cpu', args...\)"):
        ctx = dyngraph.cpu.amp.autocast()
    with ctx:
        assert (a @ a.t()).dtype is dyngraph.bfloat16
    with pytest.warns(FutureWarning):
        with dyngraph.cpu.amp.autocast(dtype=dyngraph.float16):
            assert dyngraph.mm(a, a.t()).dtype is dyngraph.float16


# ---- which ops run in which dtype ----------------------------------------------------------------


def test_lower_precision_ops():
    a, b = rand(4, 5), rand(5, 3, seed=1)
    ta, tb = T(a), T(b)
    ref = a @ b
    with dyngraph.autocast("cpu"):
        for out in (dyngraph.matmul(ta, tb), ta @ tb, ta.matmul(tb), dyngraph.mm(ta, tb), ta.mm(tb),
                    dyngraph.addmm(T(np.zeros((4, 3), np.float32)), ta, tb),
                    dyngraph.bmm(ta[None], tb[None])[0], F.linear(ta, tb.t())):
            assert out.dtype is dyngraph.bfloat16
            np.testing.assert_allclose(to_np(out), ref, **BF16_TOL)
        bias = rand(3, seed=2)
        out = F.linear(ta, tb.t(), T(bias))
        assert out.dtype is dyngraph.bfloat16
        np.testing.assert_allclose(to_np(out), ref + bias, **BF16_TOL)
    assert (ta @ tb).dtype is dyngraph.float32


def test_modules_route_through_autocast():
    dyngraph.manual_seed(0)
    lin = nn.Linear(5, 3)
    conv = nn.Conv2d(2, 3, 3, padding=1)
    x = T(rand(4, 5))
    img = T(rand(1, 2, 5, 5))
    with dyngraph.autocast("cpu"):
        y = lin(x)
        z = conv(img)
    assert y.dtype is dyngraph.bfloat16 and z.dtype is dyngraph.bfloat16
    w, b = to_np(lin.weight), to_np(lin.bias)
    np.testing.assert_allclose(to_np(y), rand(4, 5) @ w.T + b, **BF16_TOL)
    np.testing.assert_allclose(to_np(z), to_np(conv(img)), **BF16_TOL)
    assert lin.weight.dtype is dyngraph.float32  # parameters are not converted


def test_conv2d_value():
    x, w = rand(1, 1, 4, 4), rand(1, 1, 2, 2, seed=1)
    with dyngraph.autocast("cpu"):
        out = F.conv2d(T(x), T(w))
    assert out.dtype is dyngraph.bfloat16
    ref = np.array([[(x[0, 0, i:i + 2, j:j + 2] * w[0, 0]).sum() for j in range(3)] for i in range(3)])
    np.testing.assert_allclose(to_np(out)[0, 0], ref, **BF16_TOL)


def test_float32_ops():
    logits = rand(4, 3)
    target = np.array([0, 2, 1, 2])
    x = T(logits).bfloat16()
    with dyngraph.autocast("cpu"):
        ce = F.cross_entropy(x, dyngraph.tensor(target))
        mse = F.mse_loss(x, dyngraph.zeros(4, 3))
        nll = F.nll_loss(x, dyngraph.tensor(target))
        bce = F.binary_cross_entropy_with_logits(x, dyngraph.ones(4, 3))
        l1 = F.l1_loss(x, dyngraph.zeros(4, 3, dtype=dyngraph.bfloat16))
        prod = x.prod()
        reflect = F.pad(x[None], (1, 1), mode="reflect")
        const = F.pad(x, (1, 1))
    for out in (ce, mse, nll, bce, l1, prod, reflect):
        assert out.dtype is dyngraph.float32
    assert const.dtype is dyngraph.bfloat16  # constant padding is not on the list
    lg = to_np(x).astype(np.float64)
    logp = lg - np.log(np.exp(lg).sum(1, keepdims=True))
    np.testing.assert_allclose(ce.item(), -logp[np.arange(4), target].mean(), rtol=1e-5)
    np.testing.assert_allclose(mse.item(), (lg ** 2).mean(), rtol=1e-5)
    np.testing.assert_allclose(nll.item(), -lg[np.arange(4), target].mean(), rtol=1e-5)


def test_softmax_is_not_on_the_cpu_list():
    # PyTorch's CPU autocast leaves softmax/log_softmax alone (its CUDA autocast runs them in float32).
    x = T(rand(2, 3)).bfloat16()
    with dyngraph.autocast("cpu"):
        assert F.softmax(x, -1).dtype is dyngraph.bfloat16
        assert F.log_softmax(x, -1).dtype is dyngraph.bfloat16
        assert F.softmax(x, -1, dtype=dyngraph.float32).dtype is dyngraph.float32


def test_only_eligible_tensors_are_cast():
    a64 = T(rand(3, 3)).double()
    i = dyngraph.arange(6).reshape(2, 3)
    a = T(rand(3, 3))
    out = dyngraph.empty(3, 3)
    with dyngraph.autocast("cpu"):
        assert dyngraph.mm(a64, a64).dtype is dyngraph.float64  # float64 is never cast
        assert dyngraph.cat([i, i]).dtype is dyngraph.int64
        assert dyngraph.mm(a, a, out=out).dtype is dyngraph.float32  # out= calls are not autocast
        assert dyngraph.mm(a.bfloat16(), a).dtype is dyngraph.bfloat16


def test_promote_ops():
    a = T(rand(2, 3))
    with dyngraph.autocast("cpu"):
        assert dyngraph.cat([a, a.bfloat16()]).dtype is dyngraph.float32
        assert dyngraph.stack([a.bfloat16(), a.bfloat16()]).dtype is dyngraph.bfloat16
        assert dyngraph.cat([a.double(), a.bfloat16()]).dtype is dyngraph.float64
        with pytest.raises(RuntimeError, match="Unexpected floating ScalarType"):
            dyngraph.cat([a.half(), a.half()])  # float16 under bfloat16 autocast, as in PyTorch
    assert dyngraph.cat([a.half(), a.half()]).dtype is dyngraph.float16


def _borrow_cuda_policy(monkeypatch, fn):
    """Lets CPU tensors exercise fn's CUDA autocast policy (this machine may have no CUDA tensors)."""
    entry = fn._autocast_entry
    monkeypatch.setattr(entry, "cpu", entry.cuda)


def test_cuda_policies_on_cpu_tensors(monkeypatch):
    for fn in (F.softmax, F.log_softmax, F.layer_norm, F.binary_cross_entropy, dyngraph.tensordot):
        _borrow_cuda_policy(monkeypatch, fn)
    x = T(rand(2, 3)).bfloat16()
    with dyngraph.autocast("cpu"):
        assert F.softmax(x, -1).dtype is dyngraph.float32  # dtype=float32 is set when not given
        assert F.log_softmax(x, dim=1).dtype is dyngraph.float32
        assert F.softmax(x, -1, dtype=dyngraph.bfloat16).dtype is dyngraph.bfloat16  # an explicit dtype wins
        assert F.softmax(x.double(), -1).dtype is dyngraph.float64
        assert F.layer_norm(x, (3,)).dtype is dyngraph.float32
        assert dyngraph.tensordot(x.float(), x.t(), 1).dtype is dyngraph.float32  # promote: the widest input
        assert dyngraph.tensordot(x, x.t(), 1).dtype is dyngraph.bfloat16
        with pytest.raises(RuntimeError, match="binary_cross_entropy and torch.nn.BCELoss are unsafe to autocast"):
            F.binary_cross_entropy(x.sigmoid(), x.sigmoid())
    np.testing.assert_allclose(to_np(F.softmax(x.float(), -1)).sum(1), [1.0, 1.0], rtol=1e-6)


def test_wrapped_ops_keep_their_signatures():
    # Every wrapper (the CUDA-only builtins ones too, installed here in a fresh process) must forward
    # positional, keyword and out= arguments unchanged while autocast is off.
    code = """if True:
        import numpy as np, dyngraph, dyngraph.nn.functional as F
        from dyngraph.amp import autocast_mode
        autocast_mode._install_cuda_builtins()
        assert dyngraph.exp.__wrapped__ is dyngraph._C.exp and dyngraph.Tensor.exp._autocast_entry.cuda
        x = dyngraph.tensor([[1.0, 2.0], [3.0, 4.0]])
        o = dyngraph.empty(2, 2)
        assert dyngraph.exp(x, out=o) is o and np.allclose(o.numpy(), np.exp(x.numpy()))
        assert np.allclose(x.exp().numpy(), np.exp(x.numpy()))
        assert np.allclose((x ** 2).numpy(), x.numpy() ** 2) and np.allclose((2 ** x).numpy(), 2 ** x.numpy())
        assert np.allclose((1 / x).numpy(), 1 / x.numpy())
        assert dyngraph.sum(x, dim=0, keepdim=True).shape == (1, 2)
        assert x.sum(dtype=dyngraph.float64).dtype is dyngraph.float64
        assert dyngraph.sum(x, 1, dtype=dyngraph.float64).dtype is dyngraph.float64
        assert np.allclose(dyngraph.softmax(x, dim=1).numpy().sum(1), 1)
        assert np.allclose(x.cumsum(dim=0).numpy(), np.cumsum(x.numpy(), 0))
        assert np.allclose(dyngraph.pow(2, x).numpy(), 2 ** x.numpy())
        assert dyngraph.addmm(x, x, x, beta=0.5, alpha=2).shape == (2, 2)
        assert np.allclose(dyngraph.cat([x, x], dim=1).numpy(), np.concatenate([x.numpy()] * 2, 1))
        assert dyngraph.matmul(input=x, other=x).shape == (2, 2)
        assert np.allclose(F.linear(x, weight=x, bias=None).numpy(), x.numpy() @ x.numpy().T)
        with dyngraph.autocast("cpu"):
            assert x.bfloat16().exp().dtype is dyngraph.bfloat16  # CUDA-only policies leave CPU tensors alone
            assert dyngraph.sum(x.bfloat16()).dtype is dyngraph.bfloat16
        print("ok")
    """
    import subprocess
    import sys

    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0 and res.stdout.strip() == "ok", res.stderr


def test_wrapped_ops_pickle_by_reference():
    for fn in (dyngraph.cat, dyngraph.einsum, dyngraph.prod, dyngraph.Tensor.prod):
        assert fn.__wrapped__ is not None
        assert pickle.loads(pickle.dumps(fn)) is fn


def test_products_and_convolutions_autocast_in_cpp_without_a_python_wrapper():
    # The matrix products, linear and the convolutions consult autocast in C++: no Python frame on `a @ b`.
    for fn in (dyngraph.matmul, dyngraph.Tensor.matmul, dyngraph.Tensor.__matmul__, dyngraph.mm, dyngraph.bmm,
               dyngraph.addmm, dyngraph.baddbmm, dyngraph.linalg.matmul):
        assert not hasattr(fn, "_autocast_entry") and type(fn).__name__ in ("builtin_function_or_method",
                                                                            "instancemethod", "method_descriptor")
    from dyngraph import _C

    a, w, b = T(rand(2, 3)), T(rand(4, 3)).requires_grad_(), T(rand(4))
    x = T(rand(1, 2, 5, 5))
    k = T(rand(3, 2, 3, 3))
    with dyngraph.autocast("cpu"):
        assert _C.matmul(a, a.t()).dtype is dyngraph.bfloat16
        assert _C._linear(a, w, b).dtype is dyngraph.bfloat16
        assert _C.convolution(x, k, None, [1, 1], [0, 0], [1, 1], False, [0, 0], 1).dtype is dyngraph.bfloat16
        assert dyngraph.addmm(b, a, w.t()).dtype is dyngraph.bfloat16
        # out= is not autocast, as in PyTorch; float64 is never cast.
        out = dyngraph.empty(2, 2)
        dyngraph.matmul(a, a.t(), out=out)
        assert out.dtype is dyngraph.float32
        # In-place products are not autocast either.
        c = T(rand(2, 2))
        expected = c.numpy() + a.numpy() @ a.numpy().T
        assert c.addmm_(a, a.t()).dtype is dyngraph.float32
        np.testing.assert_allclose(c.numpy(), expected, rtol=1e-6)
        c3 = T(rand(2, 2))
        expected3 = c3.numpy() + a.numpy() @ a.numpy().T
        np.testing.assert_allclose(c3.addbmm_(a[None], a.t()[None]).numpy(), expected3, rtol=1e-6)
        assert (a.double() @ a.double().t()).dtype is dyngraph.float64
        # The weight is cast once per region: the same bfloat16 copy serves every use.
        y1, y2 = F.linear(a, w), F.linear(a, w)
        y1.sum().backward()
        # A copy cast under no_grad is not reused where gradients are needed.
        with dyngraph.no_grad():
            F.linear(a, w)
        assert F.linear(a, w).requires_grad
    assert w.grad.dtype is dyngraph.float32
    # Composites whose PyTorch op autocast does not list keep their dtype.
    with dyngraph.autocast("cpu"):
        assert F.bilinear(a, a, T(rand(2, 3, 3))).dtype is dyngraph.float32
        assert F.embedding_bag(dyngraph.tensor([0, 1]), T(rand(3, 2)), dyngraph.tensor([0])).dtype is dyngraph.float32


# ---- regions: nesting, decorator, threads --------------------------------------------------------


def test_nesting_and_enabled_false():
    a = T(rand(3, 3))
    with dyngraph.autocast("cpu"):
        assert (a @ a).dtype is dyngraph.bfloat16
        with dyngraph.autocast("cpu", enabled=False):
            assert not dyngraph.is_autocast_enabled("cpu")
            assert (a @ a).dtype is dyngraph.float32
            with dyngraph.autocast("cpu", dtype=dyngraph.float16):
                assert (a @ a).dtype is dyngraph.float16
            assert (a @ a).dtype is dyngraph.float32
        assert dyngraph.is_autocast_enabled("cpu")
        assert (a @ a).dtype is dyngraph.bfloat16
    assert (a @ a).dtype is dyngraph.float32
    assert dyngraph.autocast_increment_nesting() == 1 and dyngraph.autocast_decrement_nesting() == 0
    w = T(rand(3, 3), requires_grad=True)  # a weight: its cast is cached inside the outer region
    with dyngraph.autocast("cpu"):
        assert (a @ w).dtype is dyngraph.bfloat16
        with dyngraph.autocast("cpu", dtype=dyngraph.float16):
            assert (a @ w).dtype is dyngraph.float16
        assert (a @ w).dtype is dyngraph.bfloat16


def test_state_restored_after_exception():
    with pytest.raises(ZeroDivisionError):
        with dyngraph.autocast("cpu"):
            1 / 0
    assert not dyngraph.is_autocast_enabled("cpu")


def test_decorator():
    @dyngraph.autocast("cpu")
    def forward(x, w):
        """Docstring kept."""
        return x @ w

    a = T(rand(2, 2))
    assert forward(a, a).dtype is dyngraph.bfloat16
    assert forward.__name__ == "forward" and forward.__doc__ == "Docstring kept."
    assert not dyngraph.is_autocast_enabled("cpu")
    assert (a @ a).dtype is dyngraph.float32


def test_thread_local():
    a = T(rand(3, 3))
    seen = {}

    def other():
        seen["enabled"] = dyngraph.is_autocast_enabled("cpu")
        seen["dtype"] = (a @ a).dtype
        with dyngraph.autocast("cpu", dtype=dyngraph.float16):
            seen["inner"] = (a @ a).dtype

    with dyngraph.autocast("cpu"):
        th = threading.Thread(target=other)
        th.start()
        th.join()
        assert (a @ a).dtype is dyngraph.bfloat16
    assert seen == {"enabled": False, "dtype": dyngraph.float32, "inner": dyngraph.float16}


# ---- gradients -----------------------------------------------------------------------------------


@pytest.mark.parametrize("cache_enabled", [True, False])
def test_grads_are_float32_and_match(cache_enabled):
    x, w, b, t = rand(8, 5), rand(3, 5, seed=1), rand(3, seed=2), rand(8, 3, seed=3)
    W, B = T(w, requires_grad=True), T(b, requires_grad=True)
    with dyngraph.autocast("cpu", cache_enabled=cache_enabled):
        y = F.linear(T(x), W, B)
        y2 = F.linear(T(x), W)  # the weight used twice: the cached cast must still carry its gradient
        loss = F.mse_loss(y, T(t)) + F.mse_loss(y2, T(t))
    assert y.dtype is dyngraph.bfloat16 and loss.dtype is dyngraph.float32
    loss.backward()
    assert W.grad.dtype is dyngraph.float32 and B.grad.dtype is dyngraph.float32
    # NumPy: d/dW mean((xW^T + b - t)^2) = 2/N (y - t)^T x
    n = t.size
    r1, r2 = x @ w.T + b - t, x @ w.T - t
    np.testing.assert_allclose(to_np(W.grad), 2 / n * (r1.T @ x + r2.T @ x), **BF16_TOL)
    np.testing.assert_allclose(to_np(B.grad), 2 / n * r1.sum(0), **BF16_TOL)


def test_custom_fwd_casts_inputs():
    seen = []

    class Square(dyngraph.autograd.Function):
        @staticmethod
        @dyngraph.amp.custom_fwd(device_type="cpu", cast_inputs=dyngraph.float32)
        def forward(ctx, x):
            seen.append((x.dtype, dyngraph.is_autocast_enabled("cpu")))
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        @dyngraph.amp.custom_bwd(device_type="cpu")
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 2 * x * g

    x = T(rand(3), requires_grad=True)
    with dyngraph.autocast("cpu"):
        y = Square.apply(x.bfloat16())
    assert seen == [(dyngraph.float32, False)] and y.dtype is dyngraph.float32
    y.sum().backward()
    np.testing.assert_allclose(to_np(x.grad), 2 * to_np(x.bfloat16()), **BF16_TOL)


# ---- GradScaler ----------------------------------------------------------------------------------


def _model(seed=0):
    p = T(rand(3, seed=seed), requires_grad=True)
    return p, dyngraph.optim.SGD([p], lr=0.1)


def test_scaler_scale_and_step():
    p, opt = _model()
    p0 = to_np(p)
    scaler = dyngraph.amp.GradScaler("cpu", init_scale=1024.0)
    assert scaler.is_enabled() and scaler.get_scale() == 1024.0
    loss = (p * p).sum()
    scaled = scaler.scale(loss)
    np.testing.assert_allclose(scaled.item(), 1024.0 * loss.item(), rtol=1e-6)
    scaled.backward()
    np.testing.assert_allclose(to_np(p.grad), 1024.0 * 2 * p0, rtol=1e-6)
    scaler.step(opt)
    np.testing.assert_allclose(to_np(p.grad), 2 * p0, rtol=1e-6)  # unscaled in place
    np.testing.assert_allclose(to_np(p), p0 - 0.1 * 2 * p0, rtol=1e-6)
    scaler.update()
    assert scaler.get_scale() == 1024.0 and scaler.state_dict()["_growth_tracker"] == 1


def test_scaler_scales_nested_outputs():
    scaler = dyngraph.amp.GradScaler("cpu", init_scale=4.0)
    a = T(np.ones(2, np.float32))
    out = scaler.scale([a, (a, [a * 2])])
    assert isinstance(out, list) and isinstance(out[1], tuple)
    np.testing.assert_allclose(to_np(out[1][1][0]), [8.0, 8.0])
    with pytest.raises(ValueError, match="outputs must be a Tensor or an iterable of Tensors"):
        scaler.scale([a, 3])


@pytest.mark.parametrize("bad", [np.inf, np.nan])
def test_scaler_skips_step_on_inf_and_backs_off(bad):
    p, opt = _model()
    p0 = to_np(p)
    scaler = dyngraph.amp.GradScaler("cpu", init_scale=2.0**16)
    scaler.scale((p * p).sum()).backward()
    p.grad[1] = bad
    assert scaler.step(opt) is None
    np.testing.assert_array_equal(to_np(p), p0)  # step skipped
    scaler.update()
    assert scaler.get_scale() == 2.0**15 and scaler._get_growth_tracker() == 0


def test_scaler_growth_after_interval():
    p, opt = _model()
    scaler = dyngraph.amp.GradScaler("cpu", init_scale=8.0, growth_factor=3.0, growth_interval=3)
    scales = []
    for _ in range(4):
        opt.zero_grad()
        scaler.scale((p * p).sum()).backward()
        scaler.step(opt)
        scaler.update()
        scales.append(scaler.get_scale())
    assert scales == [8.0, 8.0, 24.0, 24.0]
    assert scaler._get_growth_tracker() == 1


def test_scaler_errors():
    p, opt = _model()
    scaler = dyngraph.amp.GradScaler("cpu")
    with pytest.raises(AssertionError, match="_scale is None"):
        scaler.unscale_(opt)
    scaler.scale((p * p).sum()).backward()
    scaler.unscale_(opt)
    with pytest.raises(RuntimeError, match=r"unscale_\(\) has already been called on this optimizer since the last"):
        scaler.unscale_(opt)
    scaler.step(opt)
    with pytest.raises(RuntimeError, match=r"unscale_\(\) is being called after step\(\)"):
        scaler.unscale_(opt)
    with pytest.raises(RuntimeError, match=r"step\(\) has already been called since the last update\(\)"):
        scaler.step(opt)
    with pytest.raises(RuntimeError, match="Closure use is not currently supported"):
        scaler.step(opt, closure=lambda: None)
    with pytest.raises(AssertionError, match="growth factor must be > 1.0"):
        dyngraph.amp.GradScaler("cpu", growth_factor=1.0)
    with pytest.raises(AssertionError, match="backoff factor must be < 1.0"):
        dyngraph.amp.GradScaler("cpu", backoff_factor=1.0)
    h = T(rand(2)).half().requires_grad_()
    scaler2 = dyngraph.amp.GradScaler("cpu")
    scaler2.scale(h.sum()).backward()
    assert h.grad.dtype is dyngraph.float16
    with pytest.raises(ValueError, match="Attempting to unscale FP16 gradients."):
        scaler2.unscale_(dyngraph.optim.SGD([h], lr=0.1))


def test_scaler_unscale_then_step_and_new_scale():
    p, opt = _model()
    scaler = dyngraph.amp.GradScaler("cpu", init_scale=16.0)
    scaler.scale((p * p).sum()).backward()
    scaler.unscale_(opt)
    np.testing.assert_allclose(to_np(p.grad), 2 * rand(3), rtol=1e-6)
    scaler.step(opt)  # no second unscale
    np.testing.assert_allclose(to_np(p.grad), 2 * rand(3), rtol=1e-6)
    scaler.update(new_scale=5.0)
    assert scaler.get_scale() == 5.0
    scaler.update(new_scale=dyngraph.tensor([7.0]))
    assert scaler.get_scale() == 7.0


def test_scaler_state_dict_round_trip():
    p, opt = _model()
    scaler = dyngraph.amp.GradScaler("cpu", init_scale=128.0, growth_factor=4.0, backoff_factor=0.25,
                                     growth_interval=7)
    scaler.scale((p * p).sum()).backward()
    scaler.step(opt)
    scaler.update()
    sd = scaler.state_dict()
    assert sd == {"scale": 128.0, "growth_factor": 4.0, "backoff_factor": 0.25, "growth_interval": 7,
                  "_growth_tracker": 1}
    other = dyngraph.amp.GradScaler("cpu")
    other.load_state_dict(sd)
    assert other.state_dict() == sd
    assert (other.get_growth_factor(), other.get_backoff_factor(), other.get_growth_interval()) == (4.0, 0.25, 7)
    other.set_growth_factor(3.0)
    other.set_backoff_factor(0.125)
    other.set_growth_interval(5)
    assert (other.get_growth_factor(), other.get_backoff_factor(), other.get_growth_interval()) == (3.0, 0.125, 5)
    clone = pickle.loads(pickle.dumps(scaler))
    assert clone.state_dict() == sd
    with pytest.raises(RuntimeError, match="The source state dict is empty"):
        other.load_state_dict({})


def test_disabled_scaler_is_a_pass_through():
    p, opt = _model()
    p0 = to_np(p)
    scaler = dyngraph.amp.GradScaler("cpu", enabled=False)
    loss = (p * p).sum()
    assert scaler.scale(loss) is loss
    loss.backward()
    scaler.unscale_(opt)
    scaler.step(opt)
    scaler.update()
    np.testing.assert_allclose(to_np(p), p0 - 0.1 * 2 * p0, rtol=1e-6)
    assert scaler.get_scale() == 1.0 and scaler.state_dict() == {} and not scaler.is_enabled()


@pytest.mark.skipif(not NO_CUDA, reason="needs a machine without CUDA")
def test_cuda_scaler_without_cuda_warns_and_disables():
    with pytest.warns(UserWarning, match="GradScaler is enabled, but CUDA is not available.  Disabling."):
        scaler = dyngraph.amp.GradScaler()
    assert not scaler.is_enabled() and scaler.get_scale() == 1.0
    with pytest.warns(FutureWarning, match=r"torch.amp.GradScaler\('cuda', args...\)"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            assert not dyngraph.cuda.amp.GradScaler().is_enabled()
    with pytest.warns(FutureWarning, match=r"torch.amp.GradScaler\('cpu', args...\)"):
        assert dyngraph.cpu.amp.GradScaler().is_enabled()


def test_mixed_precision_training_step():
    dyngraph.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
    opt = dyngraph.optim.SGD(model.parameters(), lr=0.1)
    scaler = dyngraph.amp.GradScaler("cpu")
    x, y = T(rand(16, 4)), dyngraph.tensor(np.arange(16) % 3)
    losses = []
    for _ in range(5):
        opt.zero_grad()
        with dyngraph.autocast("cpu"):
            loss = F.cross_entropy(model(x), y)
        assert loss.dtype is dyngraph.float32
        scaler.scale(loss).backward()
        assert all(q.grad.dtype is dyngraph.float32 for q in model.parameters())
        scaler.step(opt)
        scaler.update()
        losses.append(loss.item())
    assert losses[-1] < losses[0]
