"""dyngraph.special against closed forms, NumPy's polynomial module and math, and PyTorch where installed."""

import math

import numpy as np
import pytest

import dyngraph
from dyngraph import special

X = np.array([-1.5, -0.2, 0.0, 0.3, 0.9, 2.0])


def _t(a):
    return dyngraph.tensor(np.asarray(a, dtype=np.float64))


def test_renamed_core_ops():
    np.testing.assert_allclose(special.erf(_t(X)).numpy(), [math.erf(v) for v in X], rtol=1e-14)
    np.testing.assert_allclose(special.erfc(_t(X)).numpy(), [math.erfc(v) for v in X], rtol=1e-14)
    np.testing.assert_allclose(special.gammaln(_t([0.5, 3.0])).numpy(), [math.lgamma(0.5), math.lgamma(3.0)])
    np.testing.assert_allclose(special.expit(_t(X)).numpy(), 1 / (1 + np.exp(-X)), rtol=1e-14)
    assert special.psi is special.digamma
    np.testing.assert_allclose(special.logsumexp(_t(X), 0).item(), np.log(np.exp(X).sum()), rtol=1e-14)


def test_normal_distribution_functions():
    np.testing.assert_allclose(special.ndtr(_t(X)).numpy(), [0.5 * math.erfc(-v / math.sqrt(2)) for v in X])
    p = np.array([0.025, 0.5, 0.9])
    np.testing.assert_allclose(special.ndtr(special.ndtri(_t(p))).numpy(), p, rtol=1e-12)
    # far in the tail log_ndtr follows -x^2/2 - log(-x sqrt(2 pi)) instead of underflowing
    got = special.log_ndtr(_t([-50.0])).item()
    assert abs(got - (-1250 - math.log(50 * math.sqrt(2 * math.pi)) + math.log(1 - 1 / 2500))) < 1e-6
    assert special.log_ndtr(dyngraph.tensor([-30.0])).item() > -500  # float32 too
    np.testing.assert_allclose(special.erfcx(_t([0.5, 30.0])).numpy(),
                               [math.exp(0.25) * math.erfc(0.5), 0.018795888861416751], rtol=1e-12)


def test_entr_xlog1py_sinc():
    np.testing.assert_allclose(special.entr(_t([-1.0, 0.0, 0.5])).numpy(), [-np.inf, 0.0, -0.5 * math.log(0.5)])
    np.testing.assert_allclose(special.xlog1py(_t([0.0, 2.0]), _t([-1.0, 1.0])).numpy(), [0.0, 2 * math.log(2)])
    np.testing.assert_allclose(special.spherical_bessel_j0(_t([0.0, 2.0])).numpy(), [1.0, math.sin(2) / 2])


def test_bessel_zeta_polygamma_incomplete_gamma():
    def i1(v):
        return sum((v / 2) ** (2 * k + 1) / (math.factorial(k) * math.factorial(k + 1)) for k in range(60))

    xs = [0.5, -3.0, 12.0]
    np.testing.assert_allclose(special.i1(_t(xs)).numpy(), [i1(v) for v in xs], rtol=1e-13)
    np.testing.assert_allclose(special.i1e(_t(xs)).numpy(), [math.exp(-abs(v)) * i1(v) for v in xs], rtol=1e-13)
    np.testing.assert_allclose(special.i0e(_t(xs)).numpy(), np.exp(-np.abs(xs)) * np.i0(xs), rtol=1e-13)
    np.testing.assert_allclose(special.zeta(_t([2.0, 4.0]), _t([1.0, 1.0])).numpy(), [math.pi ** 2 / 6,
                                                                                       math.pi ** 4 / 90])
    np.testing.assert_allclose(special.polygamma(1, _t([1.0])).item(), math.pi ** 2 / 6, rtol=1e-13)
    np.testing.assert_allclose(dyngraph.polygamma(2, _t([1.0])).item(), -2 * 1.2020569031595942, rtol=1e-13)
    np.testing.assert_allclose(_t([1.0]).polygamma(1).item(), math.pi ** 2 / 6, rtol=1e-13)
    # P(1, x) = 1 - e^-x; P(a, x) + Q(a, x) = 1
    np.testing.assert_allclose(special.gammainc(_t([1.0, 1.0]), _t([0.5, 4.0])).numpy(), 1 - np.exp([-0.5, -4.0]),
                               rtol=1e-13)
    a, x = _t([0.5, 3.0, 7.0]), _t([2.0, 1.0, 9.0])
    np.testing.assert_allclose((dyngraph.igamma(a, x) + dyngraph.igammac(a, x)).numpy(), 1.0, rtol=1e-13)
    with pytest.raises(RuntimeError):
        special.polygamma(-1, _t([1.0]))


@pytest.mark.parametrize("name,ref", [
    ("chebyshev_polynomial_t", lambda x, c: np.polynomial.chebyshev.chebval(x, c)),
    ("hermite_polynomial_h", lambda x, c: np.polynomial.hermite.hermval(x, c)),
    ("hermite_polynomial_he", lambda x, c: np.polynomial.hermite_e.hermeval(x, c)),
    ("laguerre_polynomial_l", lambda x, c: np.polynomial.laguerre.lagval(x, c)),
    ("legendre_polynomial_p", lambda x, c: np.polynomial.legendre.legval(x, c)),
    ("shifted_chebyshev_polynomial_t", lambda x, c: np.polynomial.chebyshev.chebval(2 * x - 1, c)),
])
def test_orthogonal_polynomials_match_numpy(name, ref):
    fn = getattr(special, name)
    for n in range(6):
        coefficients = [0] * n + [1]
        np.testing.assert_allclose(fn(_t(X), n).numpy(), ref(X, coefficients), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(fn(_t(X[:4]), dyngraph.tensor([0, 1, 2, -1])).numpy(),
                               [ref(X[0], [1]), ref(X[1], [0, 1]), ref(X[2], [0, 0, 1]), 0.0], atol=1e-12)


def test_chebyshev_u_v_w_closed_forms():
    theta = np.array([0.3, 1.1, 2.0])
    x = np.cos(theta)
    n = 4
    np.testing.assert_allclose(special.chebyshev_polynomial_u(_t(x), n).numpy(),
                               np.sin((n + 1) * theta) / np.sin(theta), rtol=1e-12)
    np.testing.assert_allclose(special.chebyshev_polynomial_v(_t(x), n).numpy(),
                               np.cos((n + 0.5) * theta) / np.cos(theta / 2), rtol=1e-12)
    np.testing.assert_allclose(special.chebyshev_polynomial_w(_t(x), n).numpy(),
                               np.sin((n + 0.5) * theta) / np.sin(theta / 2), rtol=1e-12)


def test_against_pytorch_when_installed():
    torch = pytest.importorskip("torch")
    x = np.array([-2.5, -0.4, 0.0, 0.7, 3.0, 40.0])
    for name in ("erfcx", "ndtr", "log_ndtr", "entr", "i0e", "i1", "i1e", "spherical_bessel_j0", "expit", "sinc"):
        ours = getattr(special, name)(_t(x)).numpy()
        theirs = getattr(torch.special, name)(torch.tensor(x)).numpy()
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-300, err_msg=name)
