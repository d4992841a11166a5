"""Elementwise math composed from core ops: xlogy, sinc, deg2rad, rad2deg,
heaviside, gcd, lcm, polar, complex, renorm, cosine_similarity, i0 and frexp.

Where a formula has a removable singularity (sinc at 0, xlogy at x == 0) the
operand is replaced before the risky op, not after, so the gradient through
the unused branch of where() is 0 rather than NaN."""

import builtins
import math

from . import _C
from ._C import Tensor
from ._factories import tensor
from ._out import finish_out
from ._arg_checks import check_tensor_args

__all__ = ["xlogy", "sinc", "deg2rad", "rad2deg", "heaviside", "gcd", "lcm", "polar", "complex", "renorm",
           "cosine_similarity", "xlogy_", "sinc_", "deg2rad_", "rad2deg_", "heaviside_", "gcd_", "lcm_", "renorm_", "i0", "i0_", "frexp"]


def _dg():
    import dyngraph

    return dyngraph


def _floating(dtype):
    """The dtype a float-valued op computes in: the input's if floating/complex, else the default float."""
    return dtype if (dtype.is_floating_point or dtype.is_complex) else _dg().get_default_dtype()


def _as_tensor(x, dtype, device):
    return x.to(dtype) if isinstance(x, Tensor) else tensor(x, dtype=dtype, device=device)


def _check_in_place(self, result_dtype):
    from ._functional import can_cast

    if not can_cast(result_dtype, self.dtype):
        raise RuntimeError(f"result type {_short(result_dtype)} can't be cast to the desired output type "
                           f"{_short(self.dtype)}")


def _short(dtype):
    return {"float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16", "int64": "Long",
            "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool",
            "complex64": "ComplexFloat", "complex128": "ComplexDouble"}[dtype._name]


def _device_of(*xs):
    return next(x.device for x in xs if isinstance(x, Tensor))


def xlogy(input, other, *, out=None):
    """input * log(other), defined as 0 where input == 0 (unless other is NaN)."""
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        raise TypeError("xlogy() received an invalid combination of arguments - got (Number, Number), but expected "
                        "at least one Tensor")
    dtype = _floating(_C._result_type(input, other))
    device = _device_of(input, other)
    x, y = _as_tensor(input, dtype, device), _as_tensor(other, dtype, device)
    y_safe = _C.where((x == 0) & ~_C.isnan(y), 1.0, y)
    r = x * _C.log(y_safe)
    return finish_out(r, out)


def xlogy_(self, other):
    r = xlogy(self, other)
    _check_in_place(self, r.dtype)
    return self.copy_(r)


def sinc(input, *, out=None):
    """sin(pi x) / (pi x), and 1 at x == 0."""
    x = input.to(_floating(input.dtype))
    zero = x == 0
    pix = _C.where(zero, 1.0, x) * math.pi
    r = _C.where(zero, 1.0, _C.sin(pix) / pix)
    return finish_out(r, out)


def sinc_(self):
    _check_in_place(self, _floating(self.dtype))
    return self.copy_(sinc(self))


def deg2rad(input, *, out=None):
    r = input.to(_floating(input.dtype)) * (math.pi / 180.0)
    return finish_out(r, out)


def rad2deg(input, *, out=None):
    r = input.to(_floating(input.dtype)) * (180.0 / math.pi)
    return finish_out(r, out)


def deg2rad_(self):
    _check_in_place(self, _floating(self.dtype))
    return self.mul_(math.pi / 180.0)


def rad2deg_(self):
    _check_in_place(self, _floating(self.dtype))
    return self.mul_(180.0 / math.pi)


def heaviside(input, values, *, out=None):
    """0 where input < 0, 1 where input > 0, values where input == 0 (NaN input gives 0, as in PyTorch)."""
    check_tensor_args("heaviside", ("input", input), ("values", values))
    if input.dtype is not values.dtype:
        raise RuntimeError("heaviside is not yet implemented for tensors with different dtypes.")
    if input.is_complex():
        raise RuntimeError("heaviside is not yet implemented for complex tensors.")
    r = _C.where(input == 0, values, (input > 0).to(input.dtype))
    return finish_out(r, out)


def heaviside_(self, values):
    check_tensor_args("heaviside_", ("self", self), ("values", values))
    return self.copy_(heaviside(self, values))


def _check_integral(a, b, name):
    dg = _dg()
    for t in (a, b):
        if not isinstance(t, Tensor):
            raise TypeError(f"{name}(): argument 'other' (position 2) must be Tensor, not {type(t).__name__}")
        if t.is_floating_point() or t.is_complex() or t.dtype is dg.bool:
            raise NotImplementedError(f"\"{name}_cpu\" not implemented for '{_short(t.dtype)}'")


def _gcd(a, b):
    """Euclid's algorithm on all pairs at once; each round is one remainder, and it stops when every b is 0."""
    a, b = a.abs(), b.abs()
    while True:
        active = b != 0
        if not bool(active.any().item()):
            return a
        a, b = _C.where(active, b, a), _C.where(active, a % _C.where(active, b, 1), 0)


def gcd(input, other, *, out=None):
    """Greatest common divisor (non-negative; gcd(0, 0) = 0) of integer tensors."""
    _check_integral(input, other, "gcd")
    dtype = _C.promote_types(input.dtype, other.dtype)
    shape = _broadcast(input, other)
    r = _gcd(input.to(dtype).expand(shape), other.to(dtype).expand(shape))
    return finish_out(r, out)


def lcm(input, other, *, out=None):
    """Least common multiple (non-negative; 0 when either is 0) of integer tensors."""
    _check_integral(input, other, "lcm")
    dtype = _C.promote_types(input.dtype, other.dtype)
    shape = _broadcast(input, other)
    a, b = input.to(dtype).expand(shape), other.to(dtype).expand(shape)
    g = _gcd(a, b)
    zero = g == 0
    # The product is formed in int64 and wrapped back, as PyTorch's C++ (int promotion) does for narrow types.
    wide = a.to(_dg().int64) // _C.where(zero, 1, g).to(_dg().int64) * b.to(_dg().int64)
    r = _C.where(zero, 0, wide.abs()).to(dtype)
    return finish_out(r, out)


def _broadcast(a, b):
    return _C.broadcast_shapes_pair(tuple(a.shape), tuple(b.shape))


def gcd_(self, other):
    r = gcd(self, other)
    _check_in_place(self, r.dtype)
    return self.copy_(r)


def lcm_(self, other):
    r = lcm(self, other)
    _check_in_place(self, r.dtype)
    return self.copy_(r)


def _check_real_pair(a, b, allowed):
    if a.dtype._name not in allowed or b.dtype._name not in allowed:
        kinds = "Half, Float or Double" if "float16" in allowed else "Float or Double"
        raise RuntimeError(f"Expected both inputs to be {kinds} tensors but got {_short(a.dtype)} and "
                           f"{_short(b.dtype)}")
    if a.dtype is not b.dtype:
        raise RuntimeError(f"Expected object of scalar type {_short(a.dtype)} but got scalar type {_short(b.dtype)} "
                           "for second argument")


def complex(real, imag, *, out=None):
    """The complex tensor real + i * imag (float32 -> complex64, float64 -> complex128), broadcast."""
    check_tensor_args("complex", ("real", real), ("imag", imag))
    _check_real_pair(real, imag, ("float32", "float64"))
    shape = _broadcast(real, imag)
    r = _C.view_as_complex(_C.stack([real.expand(shape), imag.expand(shape)], -1))
    return finish_out(r, out)


def polar(abs, angle, *, out=None):
    """The complex tensor abs * (cos(angle) + i sin(angle))."""
    check_tensor_args("polar", ("abs", abs), ("angle", angle))
    _check_real_pair(abs, angle, ("float32", "float64"))
    r = complex(abs * _C.cos(angle), abs * _C.sin(angle))
    return finish_out(r, out)


def _norm_over_others(input, p, dim):
    dims = [d for d in range(input.dim()) if d != dim]
    return _C._vector_norm(input, builtins.float(p), dims, True, None)


def renorm(input, p, dim, maxnorm, *, out=None):
    """input with each slice along dim rescaled so its p-norm is at most maxnorm."""
    if not (input.is_floating_point() or input.is_complex()):
        raise RuntimeError(f"linalg.vector_norm: Expected a floating point or complex tensor as input. Got "
                           f"{_short(input.dtype)}")
    if p <= 0:
        raise RuntimeError("renorm: non-positive-norm not supported")
    if maxnorm < 0:
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {maxnorm}")
    nd = builtins.max(input.dim(), 1)
    if not -nd <= dim < nd:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-nd}, {nd - 1}], but got {dim})")
    dim %= nd
    if input.dim() == 0:
        norms = input.abs()
    else:
        norms = _norm_over_others(input, p, dim)
    # The 1e-7 matches PyTorch's kernel, which keeps the rescaled norm just under maxnorm.
    factor = _C.where(norms > maxnorm, maxnorm / (norms + 1e-7), 1.0)
    r = input * factor
    return finish_out(r, out)


def renorm_(self, p, dim, maxnorm):
    return self.copy_(renorm(self, p, dim, maxnorm))


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """sum(x1 / max(|x1|, eps) * x2 / max(|x2|, eps)) along dim, broadcasting x1 and x2."""
    check_tensor_args("cosine_similarity", ("x1", x1), ("x2", x2))
    for name, value in (("x1", x1), ("x2", x2)):
        if not isinstance(value, _C.Tensor):
            raise TypeError(f"cosine_similarity(): argument '{name}' must be Tensor, not {type(value).__name__}")
    if isinstance(dim, bool) or not isinstance(dim, int):
        raise TypeError(f"cosine_similarity(): argument 'dim' must be int, not {type(dim).__name__}")
    dtype = _C.promote_types(x1.dtype, x2.dtype)
    if not (dtype.is_floating_point or dtype.is_complex):
        raise RuntimeError(f"expected common dtype to be floating point, yet common dtype is {_short(dtype)}")
    shape = _broadcast(x1, x2)
    a, b = x1.to(dtype).expand(shape), x2.to(dtype).expand(shape)
    nd = builtins.max(len(shape), 1)
    if not -nd <= dim < nd:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-nd}, {nd - 1}], but got {dim})")

    def clamped_norm(t):
        # PyTorch clamps the norm in place under no_grad: the value is clamped, the gradient is the norm's.
        n = _C._vector_norm(t, 2.0, dim, True, None)
        return n + (n.clamp_min(eps) - n).detach()

    return ((a / clamped_norm(a)) * (b / clamped_norm(b))).sum(dim)


def i0(input, *, out=None):
    """The modified Bessel function of the first kind, order 0: its power series sum_k ((x/2)^k / k!)^2
    up to |x| = 30, and the asymptotic series e^|x| / sqrt(2 pi |x|) * sum_k ((2k-1)!!)^2 / (k! (8|x|)^k)
    beyond (each accurate to float64 rounding there). Differentiable through the series."""
    check_tensor_args("i0", ("input", input))
    if input.is_complex():
        raise NotImplementedError(f"\"i0_vml_cpu\" not implemented for '{_short(input.dtype)}'")
    x = input.to(_floating(input.dtype))
    ax = x.abs()
    small = ax.clamp_max(30.0)
    q = small * small / 4
    term = total = _dg().ones_like(q)
    for k in range(1, 100):
        term = term * q / (k * k)
        total = total + term
    big = ax.clamp_min(30.0)
    coeff, series = 1.0, _dg().ones_like(big)
    for k in range(1, 12):
        coeff *= (2 * k - 1) ** 2 / (8.0 * k)
        series = series + coeff / big ** k
    asymptotic = _C.exp(big) / _C.sqrt(2 * math.pi * big) * series
    return finish_out(_C.where(ax <= 30.0, total, asymptotic), out)


def i0_(self):
    r = i0(self)
    _check_in_place(self, r.dtype)
    return self.copy_(r)


def frexp(input, *, out=None):
    """(mantissa, exponent) with input = mantissa * 2**exponent, |mantissa| in [0.5, 1) (0, inf and nan
    give mantissa input and exponent 0)."""
    from .return_types import frexp as frexp_type

    check_tensor_args("frexp", ("input", input))
    if not input.dtype.is_floating_point:
        raise RuntimeError("torch.frexp() only supports floating-point dtypes")
    dg = _dg()
    x = input.detach()
    finite_nonzero = _C.isfinite(x) & (x != 0)
    safe = _C.where(finite_nonzero, x, 1.0)
    exponent = _C.floor(_C.log2(safe.abs().to(dg.float64))) + 1
    mantissa = (safe.to(dg.float64) / _C.pow(2.0, exponent))
    # log2 can round up across a power of two: bring |mantissa| back into [0.5, 1)
    over = mantissa.abs() >= 1
    mantissa = _C.where(over, mantissa / 2, mantissa)
    exponent = _C.where(over, exponent + 1, exponent)
    mantissa = _C.where(finite_nonzero, mantissa.to(x.dtype), x)
    exponent = _C.where(finite_nonzero, exponent, 0.0).to(dg.int32)
    result = frexp_type(mantissa, exponent)
    if out is not None:
        out[0].copy_(result[0])
        out[1].copy_(result[1])
        return frexp_type(out[0], out[1])
    return result
