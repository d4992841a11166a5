"""dyngraph.special (PyTorch's torch.special): special functions.

Most are the core's elementwise ops under their SciPy-style names; the rest
are composed from them here (differentiable through the composition): the
normal distribution's ndtr / ndtri / log_ndtr, entr, xlog1py, the scaled
Bessel functions i0e / i1 / i1e, the Hurwitz zeta and polygamma, and the
classical orthogonal polynomials by their three-term recurrences. The Bessel
functions of the second kind and the Airy function are not provided yet.
"""

import math

from .. import _C
from .._C import Tensor
from .._signature import typed

__all__ = ["erf", "erfc", "erfinv", "erfcx", "exp2", "expm1", "expit", "log1p", "logit", "logsumexp", "softmax",
           "log_softmax", "round", "sinc", "xlogy", "xlog1py", "digamma", "psi", "gammaln", "multigammaln",
           "polygamma", "zeta", "i0", "i0e", "i1", "i1e", "modified_bessel_i0", "modified_bessel_i1", "ndtr", "ndtri",
           "log_ndtr", "entr", "spherical_bessel_j0", "gammainc", "gammaincc", "chebyshev_polynomial_t",
           "chebyshev_polynomial_u", "chebyshev_polynomial_v", "chebyshev_polynomial_w",
           "shifted_chebyshev_polynomial_t", "shifted_chebyshev_polynomial_u", "shifted_chebyshev_polynomial_v",
           "shifted_chebyshev_polynomial_w", "hermite_polynomial_h", "hermite_polynomial_he",
           "laguerre_polynomial_l", "legendre_polynomial_p"]


def _dg():
    import dyngraph

    return dyngraph


def _floating(x):
    dg = _dg()
    if not isinstance(x, Tensor):
        x = dg.tensor(x)
    return x if (x.dtype.is_floating_point or x.dtype.is_complex) else x.to(dg.get_default_dtype())


def _finish(r, out):
    return r if out is None else out.copy_(r)


# ---- the core's ops under their special names --------------------------------------------------------


def _renamed(name, core):
    @typed(name, input="Tensor")
    def fn(input, *, out=None):
        return _finish(getattr(_dg(), core)(input), out)

    fn.__name__ = name
    return fn


erf, erfc, erfinv = _renamed("special_erf", "erf"), _renamed("special_erfc", "erfc"), _renamed("special_erfinv", "erfinv")
exp2, expm1, log1p = _renamed("special_exp2", "exp2"), _renamed("special_expm1", "expm1"), _renamed("special_log1p", "log1p")
expit, digamma, gammaln = _renamed("special_expit", "sigmoid"), _renamed("special_digamma", "digamma"), \
    _renamed("special_gammaln", "lgamma")
psi = digamma
sinc = _renamed("special_sinc", "sinc")


@typed("special_logit", input="Tensor", eps="float?")
def logit(input, eps=None, *, out=None):
    return _finish(_dg().logit(input, eps), out)


@typed("special_round", input="Tensor", decimals="int")
def round(input, *, decimals=0, out=None):
    return _finish(_dg().round(input, decimals=decimals), out)


def logsumexp(input, dim, keepdim=False, *, out=None):
    return _finish(_dg().logsumexp(input, dim, keepdim), out)


def softmax(input, dim, *, dtype=None):
    return _dg().softmax(input, dim, dtype=dtype)


def log_softmax(input, dim, *, dtype=None):
    return _dg().log_softmax(input, dim, dtype=dtype)


def xlogy(input, other, *, out=None):
    return _dg().xlogy(input, other, out=out)


def multigammaln(input, p, *, out=None):
    return _finish(_dg().mvlgamma(input, p), out)


def i0(input, *, out=None):
    return _dg().i0(input, out=out)


modified_bessel_i0 = i0

# ---- composed ------------------------------------------------------------------------------------------


def xlog1py(input, other, *, out=None):
    """input * log1p(other), 0 where input == 0 (unless other is NaN)."""
    dg = _dg()
    x, y = _floating(input), _floating(other)
    safe = dg.where((x == 0) & ~dg.isnan(y), 0.0, y)
    return _finish(x * dg.log1p(safe), out)


@typed("special_entr", input="Tensor")
def entr(input, *, out=None):
    """-x log x for x > 0, 0 at 0, -inf for x < 0."""
    dg = _dg()
    x = _floating(input)
    safe = dg.where(x > 0, x, 1.0)
    r = dg.where(x > 0, -safe * dg.log(safe), dg.where(x == 0, 0.0, float("-inf")))
    return _finish(dg.where(dg.isnan(x), x, r), out)


@typed("special_ndtr", input="Tensor")
def ndtr(input, *, out=None):
    """The standard normal CDF."""
    x = _floating(input)
    return _finish(0.5 * _dg().erfc(-x / math.sqrt(2)), out)


@typed("special_ndtri", input="Tensor")
def ndtri(input, *, out=None):
    """The inverse of ndtr."""
    p = _floating(input)
    return _finish(math.sqrt(2) * _dg().erfinv(2 * p - 1), out)


@typed("special_log_ndtr", input="Tensor")
def log_ndtr(input, *, out=None):
    """log(ndtr(x)): log1p(-ndtr(-x)) for x > 0, log of erfc down to where erfc would underflow, and the
    asymptotic series -x^2/2 - log(-x sqrt(2 pi)) + log(1 - 1/x^2 + 3/x^4 - ...) below that."""
    dg = _dg()
    x = _floating(input)
    limit = -37.0 if x.dtype in (dg.float64, dg.complex128) else -9.0
    positive = dg.log1p(-0.5 * dg.erfc(dg.where(x > 0, x, 0.0) / math.sqrt(2)))
    middle = dg.log(0.5 * dg.erfc(-dg.where((x > 0) | (x < limit), 0.0, x) / math.sqrt(2)))
    far = dg.where(x < limit, x, limit)
    inv2 = 1 / (far * far)
    series = 1 - inv2 + 3 * inv2 ** 2 - 15 * inv2 ** 3 + 105 * inv2 ** 4 - 945 * inv2 ** 5
    tail = -0.5 * far * far - dg.log(-far * math.sqrt(2 * math.pi)) + dg.log(series)
    return _finish(dg.where(x > 0, positive, dg.where(x < limit, tail, middle)), out)


@typed("special_erfcx", input="Tensor")
def erfcx(input, *, out=None):
    """exp(x^2) erfc(x): directly up to x = 25, then its asymptotic series (erfc underflows there)."""
    dg = _dg()
    x = _floating(input)
    small = dg.where(x < 25, x, 0.0)
    direct = dg.exp(small * small) * dg.erfc(small)
    big = dg.where(x < 25, 25.0, x)
    inv2 = 1 / (2 * big * big)
    series = 1 - inv2 + 3 * inv2 ** 2 - 15 * inv2 ** 3 + 105 * inv2 ** 4
    asymptotic = series / (big * math.sqrt(math.pi))
    return _finish(dg.where(x < 25, direct, asymptotic), out)


@typed("special_spherical_bessel_j0", input="Tensor")
def spherical_bessel_j0(input, *, out=None):
    """sin(x) / x (1 at 0)."""
    dg = _dg()
    x = _floating(input)
    safe = dg.where(x == 0, 1.0, x)
    return _finish(dg.where(x == 0, 1.0, dg.sin(safe) / safe), out)


def _bessel_i1_series(ax):
    """I1 by its power series (|x| <= 30) and asymptotic expansion beyond, as i0 does for I0."""
    dg = _dg()
    small = ax.clamp_max(30.0)
    q = small * small / 4
    term = small / 2
    total = term
    for k in range(1, 100):
        term = term * q / (k * (k + 1))
        total = total + term
    big = ax.clamp_min(30.0)
    coeff, series = 1.0, dg.ones_like(big)
    for k in range(1, 12):
        coeff *= (4 - (2 * k - 1) ** 2) / (8.0 * k)  # a_k(1) = prod_j (4 - (2j-1)^2) / (8j)
        series = series + ((-1) ** k) * coeff / big ** k
    asymptotic = dg.exp(big) / dg.sqrt(2 * math.pi * big) * series
    return dg.where(ax <= 30.0, total, asymptotic)


@typed("special_i1", input="Tensor")
def i1(input, *, out=None):
    """The modified Bessel function of the first kind, order 1 (odd)."""
    x = _floating(input)
    return _finish(x.sign() * _bessel_i1_series(x.abs()), out)


modified_bessel_i1 = i1


@typed("special_i0e", input="Tensor")
def i0e(input, *, out=None):
    """exp(-|x|) I0(x)."""
    x = _floating(input)
    return _finish(_dg().exp(-x.abs()) * _dg().i0(x), out)


@typed("special_i1e", input="Tensor")
def i1e(input, *, out=None):
    """exp(-|x|) I1(x)."""
    x = _floating(input)
    return _finish(_dg().exp(-x.abs()) * i1(x), out)


def zeta(input, other, *, out=None):
    """The Hurwitz zeta function sum_k (k + q)^-x for x > 1: 10 terms summed, then the Euler-Maclaurin tail
    with Bernoulli numbers up to B_12 (accurate to float64 rounding for q > 0)."""
    dg = _dg()
    for position, (name, value) in enumerate((("input", input), ("other", other)), 1):
        if not isinstance(value, (Tensor, int, float)) or isinstance(value, bool):
            raise TypeError(f"special_zeta(): argument '{name}' (position {position}) must be Tensor or Number, "
                            f"not {type(value).__name__}")
    x, q = _floating(input), _floating(other)
    x, q = dg.broadcast_tensors(x, q)
    n = 10
    total = dg.zeros_like(x)
    for k in range(n):
        total = total + (q + k) ** (-x)
    a = q + n
    total = total + a ** (1 - x) / (x - 1) + 0.5 * a ** (-x)
    bernoulli = (1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730)
    factor = x * a ** (-x - 1)  # x (x+1) ... / (2j)! times a^(-x-2j+1)
    fact = 2.0
    for j, b in enumerate(bernoulli, start=1):
        total = total + b / fact * factor
        factor = factor * (x + 2 * j - 1) * (x + 2 * j) / (a * a)
        fact *= (2 * j + 1) * (2 * j + 2)
    result = dg.where(x == 1, float("inf"), total)
    return _finish(dg.where(x < 1, float("nan"), result), out)


def polygamma(n, input, *, out=None):
    """The n-th derivative of digamma: digamma for n = 0, (-1)^(n+1) n! zeta(n+1, x) after."""
    dg = _dg()
    if not isinstance(n, int) or isinstance(n, bool):
        raise TypeError(f"polygamma(): argument 'n' (position 1) must be int, not {type(n).__name__}")
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    x = _floating(input)
    if n == 0:
        return _finish(dg.digamma(x), out)
    z = zeta(dg.full_like(x, n + 1.0), x)
    sign = 1.0 if n % 2 else -1.0
    log_factorial = math.lgamma(n + 1)
    if log_factorial < 700:
        return _finish(sign * math.exp(log_factorial) * z, out)
    # n! overflows a double: combine it with zeta in logarithms
    return _finish(sign * z.sign() * dg.exp(log_factorial + dg.log(z.abs())), out)


@typed("special_gammainc", input="Tensor", other="Tensor")
def gammainc(input, other, *, out=None):
    """The regularized lower incomplete gamma function P(a, x): its series for x < a + 1, else 1 - Q from
    the continued fraction (Numerical Recipes' split), 200 terms of each."""
    return _finish(1 - gammaincc(input, other), out)


@typed("special_gammaincc", input="Tensor", other="Tensor")
def gammaincc(input, other, *, out=None):
    """The regularized upper incomplete gamma function Q(a, x) = 1 - P(a, x)."""
    dg = _dg()
    a, x = dg.broadcast_tensors(_floating(input), _floating(other))
    log_prefix = a * dg.log(dg.where(x > 0, x, 1.0)) - x - dg.lgamma(a)
    # series for P
    term = 1 / a
    total = term
    for k in range(1, 200):
        term = term * x / (a + k)
        total = total + term
    p_series = total * dg.exp(log_prefix)
    # Lentz continued fraction for Q
    tiny = dg.finfo(x.dtype).tiny
    b = x + 1 - a
    c = dg.full_like(x, 1 / tiny)
    d = 1 / dg.where(b == 0, tiny, b)
    h = d
    for i in range(1, 200):
        an = -i * (i - a)
        b = b + 2
        d = an * d + b
        d = 1 / dg.where(d.abs() < tiny, tiny, d)
        c = b + an / c
        c = dg.where(c.abs() < tiny, tiny, c)
        h = h * d * c
    q_fraction = dg.exp(log_prefix) * h
    q = dg.where(x < a + 1, 1 - p_series, q_fraction)
    # the edges of the domain, as PyTorch (Cephes) gives them
    q = dg.where(x == 0, 1.0, q)
    q = dg.where((a == 0) & (x > 0), 0.0, q)
    q = dg.where(dg.isinf(x) & (x > 0), 0.0, q)
    q = dg.where((a < 0) | (x < 0) | ((a == 0) & (x == 0)), float("nan"), q)
    return _finish(q, out)


# ---- orthogonal polynomials --------------------------------------------------------------------------


_MAX_DEGREE = 1 << 16


def _recurrence(name, x, n, p0, p1, step):
    """P_n(x) from P_0, P_1 and P_{k+1} = step(k, x, P_k, P_{k-1}); elementwise in n (0 where n < 0)."""
    dg = _dg()
    x = _floating(x)
    n = n if isinstance(n, Tensor) else dg.tensor(n)
    x, n = dg.broadcast_tensors(x, n.to(x.dtype) if not n.dtype.is_floating_point else n)
    n = n.to(dg.int64)
    top = int(n.max()) if n.numel() else 0
    if top > _MAX_DEGREE:
        raise ValueError(f"{name}: degree n={top} is too large (the recurrence runs n steps; at most "
                         f"{_MAX_DEGREE})")
    result = dg.where(n == 0, p0(x), 0.0).to(x.dtype)
    previous, current = p0(x), p1(x)
    result = dg.where(n == 1, current, result)
    for k in range(1, top):
        previous, current = current, step(k, x, current, previous)
        result = dg.where(n == k + 1, current, result)
    return result


def _poly(name, p0, p1, step, shift=False):
    @typed(name, input="Tensor")
    def fn(input, n, *, out=None):
        x = _floating(input)
        if shift:
            x = 2 * x - 1
        return _finish(_recurrence(name, x, n, p0, p1, step), out)

    fn.__name__ = name
    return fn


def _one(x):
    return _dg().ones_like(x)


_cheb = lambda k, x, p, q: 2 * x * p - q  # noqa: E731
chebyshev_polynomial_t = _poly("chebyshev_polynomial_t", _one, lambda x: x, _cheb)
chebyshev_polynomial_u = _poly("chebyshev_polynomial_u", _one, lambda x: 2 * x, _cheb)
chebyshev_polynomial_v = _poly("chebyshev_polynomial_v", _one, lambda x: 2 * x - 1, _cheb)
chebyshev_polynomial_w = _poly("chebyshev_polynomial_w", _one, lambda x: 2 * x + 1, _cheb)
shifted_chebyshev_polynomial_t = _poly("shifted_chebyshev_polynomial_t", _one, lambda x: x, _cheb, shift=True)
shifted_chebyshev_polynomial_u = _poly("shifted_chebyshev_polynomial_u", _one, lambda x: 2 * x, _cheb, shift=True)
shifted_chebyshev_polynomial_v = _poly("shifted_chebyshev_polynomial_v", _one, lambda x: 2 * x - 1, _cheb,
                                       shift=True)
shifted_chebyshev_polynomial_w = _poly("shifted_chebyshev_polynomial_w", _one, lambda x: 2 * x + 1, _cheb,
                                       shift=True)
hermite_polynomial_h = _poly("hermite_polynomial_h", _one, lambda x: 2 * x, lambda k, x, p, q: 2 * x * p - 2 * k * q)
hermite_polynomial_he = _poly("hermite_polynomial_he", _one, lambda x: x, lambda k, x, p, q: x * p - k * q)
laguerre_polynomial_l = _poly("laguerre_polynomial_l", _one, lambda x: 1 - x,
                              lambda k, x, p, q: ((2 * k + 1 - x) * p - k * q) / (k + 1))
legendre_polynomial_p = _poly("legendre_polynomial_p", _one, lambda x: x,
                              lambda k, x, p, q: ((2 * k + 1) * x * p - k * q) / (k + 1))


def _install():
    """The top-level and Tensor names PyTorch gives some of these (polygamma, igamma, igammac)."""
    dg = _dg()
    for name, fn in (("polygamma", polygamma), ("igamma", gammainc), ("igammac", gammaincc)):
        setattr(dg, name, fn)
    @typed("polygamma", n="int")
    def polygamma_method(self, n):
        return polygamma(n, self)

    @typed("igamma", other="Tensor")
    def igamma_method(self, other):
        return gammainc(self, other)

    @typed("igammac", other="Tensor")
    def igammac_method(self, other):
        return gammaincc(self, other)

    from .._aliases import inplace_from

    for name, method in (("polygamma", polygamma_method), ("igamma", igamma_method), ("igammac", igammac_method)):
        method.__name__ = name
        setattr(Tensor, name, method)
        setattr(Tensor, name + "_", inplace_from(method))
