"""Finite differences and trapezoidal integration: diff, trapezoid / trapz,
cumulative_trapezoid (slices and arithmetic along one dim)."""

import builtins

from . import _C
from ._C import Tensor
from ._out import finish_out

__all__ = ["diff", "trapezoid", "trapz", "cumulative_trapezoid"]


def _wrap_dim(dim, input):
    nd = input.dim()
    if nd == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    if not -nd <= dim < nd:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-nd}, {nd - 1}], but got {dim})")
    return dim % nd


def diff(input, n=1, dim=-1, prepend=None, append=None, *, out=None):
    """n-th forward difference along dim, after concatenating prepend/append (bool: != instead of -)."""
    if input.dim() == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    dim = _wrap_dim(dim, input)
    for extra in (prepend, append):
        if extra is not None and extra.dim() != input.dim():
            raise RuntimeError("diff expects prepend or append to be the same dimension as input")
    pieces = [t for t in (prepend, input, append) if t is not None]
    x = _C.cat(pieces, dim) if len(pieces) > 1 else input
    for _ in range(n):  # one pass per order: n is the order of the difference, not a size
        length = x.shape[dim]
        if length == 0:
            break
        hi, lo = x.narrow(dim, 1, length - 1), x.narrow(dim, 0, length - 1)
        x = (hi != lo) if x.dtype._name == "bool" else hi - lo
    r = x if n else x.clone()
    return finish_out(r, out)


def _float_result(t):
    import dyngraph

    return t if (t.is_floating_point() or t.is_complex()) else t.to(dyngraph.get_default_dtype())


def _spacing(y, x, dx, dim):
    """The widths of the n - 1 intervals along dim, broadcastable against y's slices."""
    if x is None:
        return 1.0 if dx is None else dx
    if not isinstance(x, Tensor):
        raise TypeError("trapezoid: x must be a tensor; pass a spacing as dx=")
    if x.dim() == 1:
        if x.shape[0] != y.shape[dim]:
            raise RuntimeError("trapezoid: There must be one `x` value for each sample point")
        view = [1] * y.dim()
        view[dim] = -1
        x = x.reshape(view)
        xdim = dim
    else:
        xdim = dim - y.dim() + x.dim() if dim - y.dim() + x.dim() >= 0 else dim
        if x.shape[xdim] != y.shape[dim]:
            raise RuntimeError("trapezoid: There must be one `x` value for each sample point")
    n = x.shape[xdim]
    return diff(x, dim=xdim) if n else x.narrow(xdim, 0, 0)


def trapezoid(y, x=None, *, dx=None, dim=-1):
    """Integral of y along dim by the trapezoidal rule, with sample points x or uniform spacing dx."""
    if x is not None and dx is not None:
        raise RuntimeError("trapezoid: received both x and dx; only one may be given")
    dim = _wrap_dim(dim, y)
    n = y.shape[dim]
    if n == 0:
        return _float_result(y.sum(dim))
    widths = _spacing(y, x, dx, dim)
    y = _float_result(y)  # before adding neighbours: uint8 sums would wrap
    mids = (y.narrow(dim, 1, n - 1) + y.narrow(dim, 0, n - 1))
    return _float_result((widths * mids).sum(dim) / 2 if isinstance(widths, Tensor)
                         else _float_result(mids).sum(dim) * (widths / 2))


def trapz(y, x=None, *, dx=None, dim=-1):
    """Alias of trapezoid (PyTorch's older name; dx is also accepted positionally-free as a keyword)."""
    if isinstance(x, (builtins.int, builtins.float)) and not isinstance(x, builtins.bool):
        x, dx = None, x
    return trapezoid(y, x, dx=dx, dim=dim)


def cumulative_trapezoid(y, x=None, *, dx=None, dim=-1):
    """Running trapezoidal integral along dim (one element shorter than y along dim)."""
    if x is not None and dx is not None:
        raise RuntimeError("cumulative_trapezoid: received both x and dx; only one may be given")
    dim = _wrap_dim(dim, y)
    n = y.shape[dim]
    if n == 0:
        return _float_result(y.clone())
    widths = _spacing(y, x, dx, dim)
    mids = y.narrow(dim, 1, n - 1) + y.narrow(dim, 0, n - 1)  # in y's dtype, as PyTorch (uint8 wraps there too)
    areas = widths * mids / 2 if isinstance(widths, Tensor) else _float_result(mids) * (widths / 2)
    return _C.cumsum(_float_result(areas), dim)
