"""The C++ resampling op behind F.interpolate (every mode, antialias included) and adaptive average
pooling: NumPy references for the antialiased filters, PyTorch as an extra oracle for every mode,
gradients of first and second order, dtypes, layouts and bad input."""

import numpy as np
import pytest

import dyngraph
import dyngraph.nn.functional as F
from dyngraph.autograd import gradcheck, gradgradcheck

def _torch():
    return pytest.importorskip("torch")


def _t(a, requires_grad=False, dtype=np.float64):
    return dyngraph.tensor(np.asarray(a, dtype=dtype), requires_grad=requires_grad)


# ---- NumPy reference of the antialiased filters (PIL's separable resampler) -----------------------


def _aa_matrix(in_size, out_size, filt, support_base):
    """(out, in) weights: the filter stretched by the downscale factor, rows normalized."""
    scale = in_size / out_size
    support = support_base * scale if scale >= 1 else support_base
    invscale = 1 / scale if scale >= 1 else 1.0
    m = np.zeros((out_size, in_size))
    for o in range(out_size):
        center = scale * (o + 0.5)
        lo, hi = max(int(center - support + 0.5), 0), min(int(center + support + 0.5), in_size)
        w = np.array([filt((j - center + 0.5) * invscale) for j in range(lo, hi)])
        m[o, lo:hi] = w / w.sum()
    return m


def _triangle(x):
    return max(0.0, 1 - abs(x))


def _keys(x, a=-0.5):
    x = abs(x)
    if x < 1:
        return ((a + 2) * x - (a + 3)) * x * x + 1
    if x < 2:
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a
    return 0.0


def _lanczos(x):
    return float(np.sinc(x) * np.sinc(x / 3)) if -3 <= x < 3 else 0.0


@pytest.mark.parametrize("mode,filt,support", [("bilinear", _triangle, 1), ("bicubic", _keys, 2),
                                               ("lanczos", _lanczos, 3)])
@pytest.mark.parametrize("size", [(3, 4), (5, 2), (11, 13)])
def test_antialias_matches_separable_numpy_filter(mode, filt, support, size):
    x = np.random.default_rng(0).standard_normal((2, 3, 9, 7))
    got = F.interpolate(_t(x), size=size, mode=mode, antialias=True).numpy()
    mh, mw = _aa_matrix(9, size[0], filt, support), _aa_matrix(7, size[1], filt, support)
    want = np.einsum("oh,nchw,pw->ncop", mh, x, mw)
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)


def test_area_mode_is_adaptive_average_pooling():
    x = np.random.default_rng(1).standard_normal((2, 2, 7, 10))
    got = F.interpolate(_t(x), size=(3, 4), mode="area").numpy()
    want = np.empty((2, 2, 3, 4))
    for i in range(3):
        for j in range(4):
            h0, h1 = (i * 7) // 3, -((-(i + 1) * 7) // 3)
            w0, w1 = (j * 10) // 4, -((-(j + 1) * 10) // 4)
            want[:, :, i, j] = x[:, :, h0:h1, w0:w1].mean(axis=(2, 3))
    np.testing.assert_allclose(got, want, rtol=1e-12)


# ---- PyTorch as the oracle for every mode ----------------------------------------------------------


_MODES = [("nearest", 1, None), ("nearest", 2, None), ("nearest", 3, None), ("nearest-exact", 2, None),
          ("area", 2, None), ("area", 3, None)] + [
    (mode, dims, align) for mode, dims in [("linear", 1), ("bilinear", 2), ("trilinear", 3), ("bicubic", 2)]
    for align in (False, True)]


@pytest.mark.parametrize("mode,dims,align_corners", _MODES)
@pytest.mark.parametrize("how", ["up", "down", "scale", "scale_recompute"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_matches_pytorch(mode, dims, align_corners, how, dtype):
    torch = _torch()
    shape = (2, 3) + (5, 7, 4)[:dims]
    x = np.random.default_rng(dims).standard_normal(shape).astype(dtype)
    kw = dict(mode=mode, align_corners=align_corners)
    if how == "up":
        kw["size"] = (9, 11, 6)[:dims]
    elif how == "down":
        kw["size"] = (3, 2, 3)[:dims]
    else:
        kw["scale_factor"] = (1.7, 0.6, 2.3)[:dims]
        kw["recompute_scale_factor"] = how == "scale_recompute"
    want = torch.nn.functional.interpolate(torch.tensor(x), **kw).numpy()
    got = F.interpolate(dyngraph.tensor(x), **kw).numpy()
    tol = 1e-5 if dtype == "float32" else 1e-12
    np.testing.assert_allclose(got, want, rtol=tol, atol=tol)


@pytest.mark.parametrize("mode,size,align_corners", [
    (mode, size, align) for mode in ("bilinear", "bicubic", "lanczos")
    for size, align in [((4, 5), False), ((13, 3), False), ((4, 5), True)] if not (mode == "lanczos" and align)])
def test_antialias_matches_pytorch(mode, size, align_corners):
    torch = _torch()
    x = np.random.default_rng(3).standard_normal((2, 3, 10, 12)).astype(np.float32)
    kw = dict(size=size, mode=mode, antialias=True, align_corners=align_corners)
    want = torch.nn.functional.interpolate(torch.tensor(x), **kw).numpy()
    np.testing.assert_allclose(F.interpolate(dyngraph.tensor(x), **kw).numpy(), want, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("mode,kw", [("bilinear", {}), ("bicubic", {"align_corners": True}), ("nearest", {}),
                                     ("bilinear", {"antialias": True})])
def test_gradient_matches_pytorch(mode, kw):
    torch = _torch()
    rng = np.random.default_rng(4)
    x = rng.standard_normal((2, 2, 6, 5))
    size = (3, 4) if kw.get("antialias") else (9, 7)
    g = rng.standard_normal((2, 2) + size)
    tx = torch.tensor(x, requires_grad=True)
    torch.nn.functional.interpolate(tx, size=size, mode=mode, **kw).backward(torch.tensor(g))
    dx = _t(x, requires_grad=True)
    F.interpolate(dx, size=size, mode=mode, **kw).backward(_t(g))
    np.testing.assert_allclose(dx.grad.numpy(), tx.grad.numpy(), rtol=1e-12, atol=1e-12)


# ---- gradients of first and second order -----------------------------------------------------------


@pytest.mark.parametrize("mode,shape,kw", [
    ("nearest-exact", (1, 2, 4, 5), dict(size=(7, 3))),
    ("bilinear", (1, 2, 9, 8), dict(size=(4, 3), antialias=True)),
    ("bicubic", (1, 2, 9, 8), dict(size=(4, 11), antialias=True)),
    ("lanczos", (1, 1, 9, 8), dict(size=(4, 3), antialias=True)),
    ("trilinear", (1, 2, 3, 4, 3), dict(size=(5, 2, 4), align_corners=True)),
    ("area", (1, 2, 5, 4, 6), dict(size=(2, 3, 4))),
])
def test_gradcheck_and_gradgradcheck(mode, shape, kw):
    x = _t(np.random.default_rng(5).standard_normal(shape), requires_grad=True)
    fn = lambda t: F.interpolate(t, mode=mode, **kw)  # noqa: E731
    assert gradcheck(fn, (x,))
    assert gradgradcheck(fn, (x,))


# ---- dtypes, layouts, shapes --------------------------------------------------------------------


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_reduced_precision_close_to_float32_with_its_own_gradient_dtype(dtype):
    x = np.random.default_rng(7).standard_normal((2, 3, 6, 6)).astype(np.float32)
    half = dyngraph.tensor(x).to(getattr(dyngraph, dtype)).requires_grad_()
    out = F.interpolate(half, size=(9, 4), mode="bicubic")
    assert out.dtype == half.dtype
    want = F.interpolate(dyngraph.tensor(x), size=(9, 4), mode="bicubic").numpy()
    np.testing.assert_allclose(out.detach().float().numpy(), want, rtol=0.05, atol=0.05)
    out.sum().backward()
    assert half.grad.dtype == half.dtype and half.grad.shape == half.shape


def test_complex_resamples_real_and_imaginary_parts():
    rng = np.random.default_rng(8)
    re, im = rng.standard_normal((2, 1, 5, 6)), rng.standard_normal((2, 1, 5, 6))
    z = dyngraph.tensor(re + 1j * im)
    for fn in (lambda t: F.interpolate(t, size=(7, 3), mode="bilinear"), lambda t: F.adaptive_avg_pool2d(t, 3)):
        got = fn(z).numpy()
        np.testing.assert_allclose(got.real, fn(_t(re)).numpy(), rtol=1e-12)
        np.testing.assert_allclose(got.imag, fn(_t(im)).numpy(), rtol=1e-12)


def test_nearest_on_integers_is_an_exact_gather():
    x = np.arange(2 * 3 * 4 * 5, dtype=np.uint8).reshape(2, 3, 4, 5)
    got = F.interpolate(dyngraph.tensor(x), size=(8, 10), mode="nearest")
    assert got.dtype == dyngraph.uint8
    np.testing.assert_array_equal(got.numpy(), x.repeat(2, axis=2).repeat(2, axis=3))


@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
def test_weighted_modes_refuse_integer_input(mode):
    with pytest.raises(NotImplementedError, match="not implemented for 'Long'"):
        F.interpolate(dyngraph.ones(1, 1, 3, 3, dtype=dyngraph.int64), size=5, mode=mode)


def test_strided_and_channels_last_inputs_give_the_contiguous_result():
    x = np.random.default_rng(9).standard_normal((2, 3, 6, 5))
    want = F.interpolate(_t(x), size=(4, 9), mode="bilinear").numpy()
    cl = _t(x).contiguous(memory_format=dyngraph.channels_last)
    np.testing.assert_allclose(F.interpolate(cl, size=(4, 9), mode="bilinear").numpy(), want, rtol=1e-12)
    t = _t(x.transpose(0, 1, 3, 2).copy()).transpose(2, 3)
    np.testing.assert_allclose(F.interpolate(t, size=(4, 9), mode="bilinear").numpy(), want, rtol=1e-12)


def test_empty_batch_gives_an_empty_output():
    out = F.interpolate(dyngraph.zeros(0, 3, 4, 4), size=(5, 2), mode="bilinear")
    assert tuple(out.shape) == (0, 3, 5, 2)


# ---- bad input -----------------------------------------------------------------------------------


def test_errors_match_pytorch():
    x = dyngraph.ones(1, 1, 4, 4)
    with pytest.raises(ValueError, match="Anti-alias option is restricted"):
        F.interpolate(dyngraph.ones(1, 1, 4), size=2, mode="linear", antialias=True)
    with pytest.raises(ValueError, match="Lanczos mode requires antialias=True"):
        F.interpolate(x, size=2, mode="lanczos")
    with pytest.raises(ValueError, match="Lanczos mode does not support align_corners=True"):
        F.interpolate(x, size=2, mode="lanczos", antialias=True, align_corners=True)
    with pytest.raises(RuntimeError, match="Input and output sizes should be greater than 0"):
        F.interpolate(x, size=(0, 4))
    with pytest.raises(RuntimeError, match="Input and output sizes should be greater than 0"):
        F.interpolate(dyngraph.ones(2, 3, 0, 4), size=(3, 4))
    with pytest.raises(TypeError, match="expected size to be one of int"):
        F.interpolate(x, size=(2.5, 3))


@pytest.mark.parametrize("size", [(2**31, 2**31), (2**62, 2)])
def test_absurd_output_sizes_raise_before_building_tables(size):
    with pytest.raises(RuntimeError):
        F.interpolate(dyngraph.ones(1, 1, 2, 2), size=size, mode="bilinear")


# ---- average pooling (the same op with window taps) --------------------------------------------------


@pytest.mark.parametrize("dims", [1, 2, 3])
@pytest.mark.parametrize("kernel,stride,padding", [(2, None, 0), (3, 2, 1), (3, 1, 1), (2, 3, 1)])
@pytest.mark.parametrize("ceil_mode", [False, True])
@pytest.mark.parametrize("count_include_pad", [False, True])
def test_avg_pool_matches_pytorch(dims, kernel, stride, padding, ceil_mode, count_include_pad):
    torch = _torch()
    x = np.random.default_rng(dims).standard_normal((2, 3) + (9, 8, 7)[:dims])
    kw = dict(kernel_size=kernel, stride=stride, padding=padding, ceil_mode=ceil_mode,
              count_include_pad=count_include_pad)
    name = f"avg_pool{dims}d"
    tx, dx = torch.tensor(x, requires_grad=True), _t(x, requires_grad=True)
    want, got = getattr(torch.nn.functional, name)(tx, **kw), getattr(F, name)(dx, **kw)
    np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy(), rtol=1e-12, atol=1e-14)
    g = np.random.default_rng(0).standard_normal(tuple(want.shape))
    want.backward(torch.tensor(g))
    got.backward(_t(g))
    np.testing.assert_allclose(dx.grad.numpy(), tx.grad.numpy(), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("divisor_override", [None, 4])
def test_avg_pool_of_integers_truncates_the_exact_quotient(divisor_override):
    x = np.arange(-12, 13, dtype=np.int64).reshape(1, 1, 5, 5)
    got = F.avg_pool2d(dyngraph.tensor(x), 3, 2, 1, divisor_override=divisor_override).numpy()
    padded = np.pad(x[0, 0], 1)
    want = np.empty((3, 3), dtype=np.int64)
    for i in range(3):
        for j in range(3):
            window = padded[2 * i:2 * i + 3, 2 * j:2 * j + 3]
            want[i, j] = int(window.sum() / (divisor_override or 9))  # int() truncates toward zero
    np.testing.assert_array_equal(got[0, 0], want)


def test_avg_pool_gradgradcheck_and_divisor_override():
    x = _t(np.random.default_rng(10).standard_normal((1, 2, 5, 6)), requires_grad=True)
    fn = lambda t: F.avg_pool2d(t, (2, 3), 2, (1, 1), True, False, divisor_override=5)  # noqa: E731
    assert gradcheck(fn, (x,))
    assert gradgradcheck(fn, (x,))
    sums = F.avg_pool2d(x, 2, divisor_override=1)
    np.testing.assert_allclose(sums.detach().numpy()[0, 0, 0, 0], x.detach().numpy()[0, 0, :2, :2].sum())


@pytest.mark.parametrize("mode,antialias", [("nearest", False), ("nearest-exact", False), ("bilinear", False),
                                            ("bicubic", False), ("bilinear", True), ("bicubic", True)])
@pytest.mark.parametrize("scales", [[1e-300, 1e300], [float("nan"), float("inf")], [1e-30, -1.0]])
def test_absurd_scale_factors_through_the_c_api_stay_defined(mode, antialias, scales):
    # Python derives sizes from scale factors, so only the C API can pair these; the taps must clamp
    # (no float-to-int overflow, no giant tables) and the result stay finite.
    x = dyngraph.tensor(np.arange(20, dtype=np.float64).reshape(1, 1, 4, 5))
    out = dyngraph._C._interpolate(x, [3, 2], mode, False, scales, antialias)
    assert tuple(out.shape) == (1, 1, 3, 2)
    assert bool(dyngraph.isfinite(out).all())
