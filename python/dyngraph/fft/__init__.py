"""dyngraph.fft (PyTorch's torch.fft): discrete Fourier transforms with gradients.

Three primitives do the transforms, on NumPy's pocketfft (tensors on a GPU
are transformed on CPU copies): complex-to-complex over any dims,
real-to-complex (rfft) and complex-to-real (irfft) over one dim. Their
backward passes are the adjoint transforms with the dual normalization,
written with these same functions, so higher derivatives work. Everything
else (sizes, the 2-D and N-D forms, the Hermitian transforms, shifts and
frequencies) is composed from them with differentiable ops.
"""

import builtins

from .. import _C
from .._C import Tensor
from ..autograd.function import Function

__all__ = ["fft", "ifft", "fft2", "ifft2", "fftn", "ifftn", "rfft", "irfft", "rfft2", "irfft2", "rfftn", "irfftn",
           "hfft", "ihfft", "hfft2", "ihfft2", "hfftn", "ihfftn", "fftfreq", "rfftfreq", "fftshift", "ifftshift"]

_DUAL = {"backward": "forward", "forward": "backward", "ortho": "ortho"}


def _dg():
    import dyngraph

    return dyngraph


def _norm(norm):
    if norm is None:
        return "backward"
    if norm not in _DUAL:
        raise ValueError(f"Invalid normalization mode: {norm}")
    return norm


def _check(input, name):
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")


def _complex_dtype(dtype):
    dg = _dg()
    if dtype.is_complex:
        return dtype
    return dg.complex128 if dtype == dg.float64 else dg.complex64


def _real_dtype(dtype):
    dg = _dg()
    if dtype in (dg.float64, dg.complex128):
        return dg.float64
    return dg.float32


def _numpy_of(t):
    return t.detach().cpu().numpy()


def _tensor_like(array, dtype, device):
    dg = _dg()
    return dg.from_numpy(array).to(dtype).to(device)


class _C2C(Function):
    @staticmethod
    def forward(ctx, x, dims, norm, inverse):
        import numpy as np

        ctx.dims, ctx.norm, ctx.inverse = dims, norm, inverse
        transform = np.fft.ifftn if inverse else np.fft.fftn
        result = transform(_numpy_of(x), axes=dims, norm=norm) if dims else _numpy_of(x).copy()
        return _tensor_like(result, x.dtype, x.device)

    @staticmethod
    def backward(ctx, g):
        return _C2C.apply(g, ctx.dims, _DUAL[ctx.norm], not ctx.inverse), None, None, None


class _R2C(Function):
    @staticmethod
    def forward(ctx, x, dim, norm):
        import numpy as np

        ctx.dim, ctx.norm, ctx.n = dim, norm, x.shape[dim]
        result = np.fft.rfft(_numpy_of(x), axis=dim, norm=norm)
        return _tensor_like(result, _complex_dtype(x.dtype), x.device)

    @staticmethod
    def backward(ctx, g):
        # the adjoint of keeping the first n//2 + 1 bins of the full transform: pad with zeros, invert
        missing = ctx.n - g.shape[ctx.dim]
        if missing > 0:
            shape = list(g.shape)
            shape[ctx.dim] = missing
            g = _C.cat([g, g.new_zeros(shape)], ctx.dim)
        return _C2C.apply(g, (ctx.dim,), _DUAL[ctx.norm], True).real, None, None


class _C2R(Function):
    @staticmethod
    def forward(ctx, x, dim, n, norm):
        import numpy as np

        ctx.dim, ctx.norm = dim, norm
        result = np.fft.irfft(_numpy_of(x), n=n, axis=dim, norm=norm)
        return _tensor_like(result, _real_dtype(x.dtype), x.device)

    @staticmethod
    def backward(ctx, g):
        grad = _R2C.apply(g, ctx.dim, _DUAL[ctx.norm])
        doubled = g.shape[ctx.dim] - grad.shape[ctx.dim]  # the bins that stand for two conjugate ones
        if doubled > 0:
            scale = grad.new_ones(grad.shape[ctx.dim]).real
            scale[1:1 + doubled] = 2.0
            shape = [1] * grad.dim()
            shape[ctx.dim] = -1
            grad = grad * scale.reshape(shape)
        return grad, None, None, None


def _wrap(dim, ndim):
    if not -builtins.max(ndim, 1) <= dim < builtins.max(ndim, 1):
        raise IndexError(f"Dimension out of range (expected to be in range of [{-ndim}, {ndim - 1}], but got {dim})")
    return dim % builtins.max(ndim, 1)


def _resize(x, dim, n):
    """x zero-padded or trimmed to length n along dim."""
    size = x.shape[dim]
    if n is None or n == size:
        return x
    if n < 1:
        raise RuntimeError(f"Invalid number of data points ({n}) specified")
    if n < size:
        return x.narrow(dim, 0, n)
    shape = list(x.shape)
    shape[dim] = n - size
    return _C.cat([x, x.new_zeros(shape)], dim)


def _dims_and_sizes(x, s, dim, name, default_last=None):
    """The dims to transform and their sizes, as PyTorch resolves s and dim."""
    if dim is not None:
        dims = [dim] if isinstance(dim, int) else list(dim)
        dims = [_wrap(d, x.dim()) for d in dims]
        if len(set(dims)) != len(dims):
            raise RuntimeError(f"{name} dims must be unique")
        if s is not None and len(s) != len(dims):
            raise RuntimeError("When given, dim and shape arguments must have the same length")
    elif s is not None:
        dims = list(range(x.dim() - len(s), x.dim()))
    else:
        dims = list(range(x.dim())) if default_last is None else list(range(x.dim() - default_last, x.dim()))
    sizes = list(s) if s is not None else [None] * len(dims)
    return dims, sizes


def _as_complex(x):
    dtype = _complex_dtype(x.dtype)
    return x if x.dtype == dtype else x.to(dtype)


def _as_real_input(x, name):
    if x.is_complex():
        from .._out import _type_name

        raise RuntimeError(f"{name} expects a real input tensor, but got {_type_name(x.dtype)}")
    return x if x.dtype.is_floating_point else x.to(_dg().get_default_dtype())


def _c2c(input, s, dim, norm, inverse, name, default_last=None):
    _check(input, name)
    dims, sizes = _dims_and_sizes(input, s, dim, name, default_last)
    x = _as_complex(input)
    for d, n in zip(dims, sizes):
        x = _resize(x, d, n)
    return _C2C.apply(x, tuple(dims), _norm(norm), inverse)


def fft(input, n=None, dim=-1, norm=None, *, out=None):
    return _finish(_c2c(input, None if n is None else [n], dim, norm, False, "fft"), out)


def ifft(input, n=None, dim=-1, norm=None, *, out=None):
    return _finish(_c2c(input, None if n is None else [n], dim, norm, True, "ifft"), out)


def fft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    return _finish(_c2c(input, s, dim, norm, False, "fft2"), out)


def ifft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    return _finish(_c2c(input, s, dim, norm, True, "ifft2"), out)


def fftn(input, s=None, dim=None, norm=None, *, out=None):
    return _finish(_c2c(input, s, dim, norm, False, "fftn"), out)


def ifftn(input, s=None, dim=None, norm=None, *, out=None):
    return _finish(_c2c(input, s, dim, norm, True, "ifftn"), out)


def _rfftn(input, s, dim, norm, name, default_last=None):
    _check(input, name)
    x = _as_real_input(input, name)
    dims, sizes = _dims_and_sizes(x, s, dim, name, default_last)
    for d, n in zip(dims, sizes):
        x = _resize(x, d, n)
    y = _R2C.apply(x, dims[-1], _norm(norm))
    return _C2C.apply(y, tuple(dims[:-1]), _norm(norm), False) if len(dims) > 1 else y


def _irfftn(input, s, dim, norm, name, default_last=None):
    _check(input, name)
    x = _as_complex(input)
    dims, sizes = _dims_and_sizes(x, s, dim, name, default_last)
    for d, n in zip(dims[:-1], sizes[:-1]):
        x = _resize(x, d, n)
    if len(dims) > 1:
        x = _C2C.apply(x, tuple(dims[:-1]), _norm(norm), True)
    last = sizes[-1] if sizes[-1] is not None else 2 * (x.shape[dims[-1]] - 1)
    if last < 1:
        raise RuntimeError(f"Invalid number of data points ({last}) specified")
    x = _resize(x, dims[-1], last // 2 + 1)
    return _C2R.apply(x, dims[-1], last, _norm(norm))


def rfft(input, n=None, dim=-1, norm=None, *, out=None):
    return _finish(_rfftn(input, None if n is None else [n], dim, norm, "rfft"), out)


def irfft(input, n=None, dim=-1, norm=None, *, out=None):
    return _finish(_irfftn(input, None if n is None else [n], dim, norm, "irfft"), out)


def rfft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    return _finish(_rfftn(input, s, dim, norm, "rfft2"), out)


def irfft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    return _finish(_irfftn(input, s, dim, norm, "irfft2"), out)


def rfftn(input, s=None, dim=None, norm=None, *, out=None):
    return _finish(_rfftn(input, s, dim, norm, "rfftn"), out)


def irfftn(input, s=None, dim=None, norm=None, *, out=None):
    return _finish(_irfftn(input, s, dim, norm, "irfftn"), out)


# The Hermitian transforms: hfft of x is irfft of conj(x) with the dual normalization, ihfft the reverse.


def hfft(input, n=None, dim=-1, norm=None, *, out=None):
    _check(input, "hfft")
    return _finish(_irfftn(_as_complex(input).conj(), None if n is None else [n], dim, _DUAL[_norm(norm)], "hfft"),
                   out)


def ihfft(input, n=None, dim=-1, norm=None, *, out=None):
    return _finish(_rfftn(input, None if n is None else [n], dim, _DUAL[_norm(norm)], "ihfft").conj(), out)


def hfft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    _check(input, "hfft2")
    return _finish(_irfftn(_as_complex(input).conj(), s, dim, _DUAL[_norm(norm)], "hfft2"), out)


def ihfft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    return _finish(_rfftn(input, s, dim, _DUAL[_norm(norm)], "ihfft2").conj(), out)


def hfftn(input, s=None, dim=None, norm=None, *, out=None):
    _check(input, "hfftn")
    return _finish(_irfftn(_as_complex(input).conj(), s, dim, _DUAL[_norm(norm)], "hfftn"), out)


def ihfftn(input, s=None, dim=None, norm=None, *, out=None):
    return _finish(_rfftn(input, s, dim, _DUAL[_norm(norm)], "ihfftn").conj(), out)


def _finish(result, out):
    return result if out is None else out.copy_(result)


# ---- frequencies and shifts ----------------------------------------------------------------------------


def fftfreq(n, d=1.0, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """The sample frequencies of an n-point transform: [0, 1, ..., (n-1)//2, -(n//2), ..., -1] / (d n)."""
    dg = _dg()
    if not isinstance(n, int) or isinstance(n, bool):
        raise TypeError(f"fftfreq(): argument 'n' (position 1) must be int, not {type(n).__name__}")
    k = dg.arange(n, dtype=dtype or dg.get_default_dtype(), device=device)
    r = dg.where(k < (n + 1) // 2, k, k - n) / (d * n)
    return _finish(r.requires_grad_(requires_grad) if requires_grad else r, out)


def rfftfreq(n, d=1.0, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """The non-negative sample frequencies of rfft: [0, 1, ..., n//2] / (d n)."""
    dg = _dg()
    if not isinstance(n, int) or isinstance(n, bool):
        raise TypeError(f"rfftfreq(): argument 'n' (position 1) must be int, not {type(n).__name__}")
    r = dg.arange(n // 2 + 1, dtype=dtype or dg.get_default_dtype(), device=device) / (d * n)
    return _finish(r.requires_grad_(requires_grad) if requires_grad else r, out)


def _shift(input, dim, sign, name):
    _check(input, name)
    dims = list(range(input.dim())) if dim is None else ([dim] if isinstance(dim, int) else list(dim))
    shifts = [sign * (input.shape[d] // 2) if sign > 0 else -(input.shape[d] // 2) for d in dims]
    return input.roll(shifts, dims) if dims else input.clone()


def fftshift(input, dim=None):
    """The zero frequency moved to the middle (each dim rolled by size // 2)."""
    return _shift(input, dim, 1, "fftshift")


def ifftshift(input, dim=None):
    """The inverse of fftshift."""
    return _shift(input, dim, -1, "ifftshift")
