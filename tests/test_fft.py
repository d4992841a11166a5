"""dyngraph.fft against numpy.fft (values, sizes, norms, dtypes) and finite differences (gradients)."""

import numpy as np
import pytest

import dyngraph
from dyngraph import fft
from dyngraph.autograd import gradcheck, gradgradcheck

RNG = np.random.default_rng(3)
X = RNG.standard_normal((3, 6))
Z = RNG.standard_normal((3, 6)) + 1j * RNG.standard_normal((3, 6))


@pytest.mark.parametrize("norm", [None, "ortho", "forward"])
def test_transforms_match_numpy(norm):
    t, z = dyngraph.tensor(X), dyngraph.tensor(Z)
    np_norm = norm or "backward"
    checks = [
        (fft.fft(z, norm=norm), np.fft.fft(Z, norm=np_norm)),
        (fft.ifft(z, n=8, norm=norm), np.fft.ifft(Z, n=8, norm=np_norm)),
        (fft.fft(t, n=4, dim=0, norm=norm), np.fft.fft(X, n=4, axis=0, norm=np_norm)),
        (fft.fft2(z, norm=norm), np.fft.fft2(Z, norm=np_norm)),
        (fft.ifftn(z, s=(2, 5), norm=norm), np.fft.ifftn(Z, s=(2, 5), norm=np_norm)),
        (fft.rfft(t, norm=norm), np.fft.rfft(X, norm=np_norm)),
        (fft.irfft(z, norm=norm), np.fft.irfft(Z, norm=np_norm)),
        (fft.irfft(z, n=7, norm=norm), np.fft.irfft(Z, n=7, norm=np_norm)),
        (fft.rfft2(t, norm=norm), np.fft.rfft2(X, norm=np_norm)),
        (fft.irfftn(z, norm=norm), np.fft.irfftn(Z, norm=np_norm)),
        (fft.hfft(z, norm=norm), np.fft.hfft(Z, norm=np_norm)),
        (fft.ihfft(t, norm=norm), np.fft.ihfft(X, norm=np_norm)),
    ]
    for got, expected in checks:
        np.testing.assert_allclose(got.numpy(), expected, rtol=1e-10, atol=1e-12)


def test_dtypes_and_errors():
    f32 = dyngraph.tensor(X.astype(np.float32))
    assert fft.fft(f32).dtype == dyngraph.complex64 and fft.rfft(f32).dtype == dyngraph.complex64
    assert fft.irfft(fft.rfft(f32)).dtype == dyngraph.float32
    assert fft.fft(dyngraph.tensor([1, 2, 3])).dtype == dyngraph.complex64
    with pytest.raises(RuntimeError, match="real input"):
        fft.rfft(dyngraph.tensor(Z))
    with pytest.raises(ValueError):
        fft.fft(f32, norm="sideways")
    with pytest.raises(TypeError):
        fft.fft([1.0, 2.0])


def test_round_trips_and_helpers():
    t = dyngraph.tensor(X)
    np.testing.assert_allclose(fft.irfft(fft.rfft(t), n=6).numpy(), X, atol=1e-12)
    np.testing.assert_allclose(fft.ifftn(fft.fftn(t)).real.numpy(), X, atol=1e-12)
    np.testing.assert_allclose(fft.fftfreq(7, d=0.5).numpy(), np.fft.fftfreq(7, 0.5))
    np.testing.assert_allclose(fft.rfftfreq(8).numpy(), np.fft.rfftfreq(8))
    np.testing.assert_allclose(fft.fftshift(t).numpy(), np.fft.fftshift(X))
    np.testing.assert_allclose(fft.ifftshift(t, dim=1).numpy(), np.fft.ifftshift(X, axes=1))


@pytest.mark.parametrize("fn", [
    lambda x: fft.rfft(x).abs(),
    lambda x: fft.fft(x, norm="ortho").real,
    lambda x: fft.irfft(fft.rfft(x) * fft.rfft(x), n=6),
    lambda x: fft.irfft(fft.rfft(x)[..., :3], n=5),
    lambda x: fft.rfft2(x, norm="forward").imag,
    lambda x: fft.fft(x * (1 - 2j)).imag,
    lambda x: fft.hfft(fft.rfft(x)),
    lambda x: fft.ihfft(x).real,
])
def test_gradients_by_finite_differences(fn):
    x = dyngraph.tensor(X, requires_grad=True)
    assert gradcheck(fn, [x], eps=1e-6, atol=1e-6, rtol=1e-4)
    assert gradgradcheck(fn, [x], eps=1e-6, atol=1e-5, rtol=1e-3)


def test_complex_gradients_match_pytorch():
    torch = pytest.importorskip("torch")
    for loss in (lambda lib, z: lib.fft.fft(z).abs().sum(), lambda lib, z: lib.fft.irfft(z, n=9).pow(2).sum(),
                 lambda lib, z: lib.fft.ifft2(z, norm="ortho").real.sum()):
        mine = dyngraph.tensor(Z, requires_grad=True)
        loss(dyngraph, mine).backward()
        ref = torch.tensor(Z, requires_grad=True)
        loss(torch, ref).backward()
        np.testing.assert_allclose(mine.grad.numpy(), ref.grad.numpy(), rtol=1e-10, atol=1e-12)
