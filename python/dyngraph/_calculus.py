"""Finite differences and trapezoidal integration: diff, gradient, trapezoid / trapz,
cumulative_trapezoid (slices and arithmetic along one dim)."""

import builtins

from . import _C
from ._C import Tensor
from ._out import finish_out
from ._signature import typed

__all__ = ["diff", "trapezoid", "trapz", "cumulative_trapezoid", "gradient"]


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


def _spacings(input, spacing, dims):
    """One entry per differentiated dim: a float step, or a 1-D coordinates tensor."""
    if isinstance(spacing, (builtins.int, builtins.float)) or (isinstance(spacing, Tensor) and spacing.dim() == 0):
        return [spacing.item() if isinstance(spacing, Tensor) else spacing] * len(dims)
    spacing = list(spacing)
    if len(spacing) != len(dims):
        raise RuntimeError(f"torch.gradient expected spacing to be unspecified, a scalar or it's spacing and dim "
                           f"arguments to have the same length, but got a spacing argument of length {len(spacing)} "
                           f"and a dim argument of length {len(dims)}.")
    out = []
    for s, d in zip(spacing, dims):
        if isinstance(s, Tensor) and s.dim() == 1:
            if s.shape[0] != input.shape[d]:
                raise RuntimeError(f"torch.gradient expected each tensor to be on the same device, and the "
                                   f"coordinates of dim {d} to have {input.shape[d]} values, got {s.shape[0]}")
            out.append(s.to(input.dtype))
        else:
            out.append(s.item() if isinstance(s, Tensor) else s)
    return out


def _gradient_along(f, h, dim, edge_order):
    n = f.shape[dim]

    def part(start, stop):
        return f.narrow(dim, start, stop - start)

    if isinstance(h, Tensor):
        shape = [1] * f.dim()
        shape[dim] = -1

        def seg(start, stop):
            return h.narrow(0, start, stop - start).reshape(shape)

        hs, hd = seg(1, n - 1) - seg(0, n - 2), seg(2, n) - seg(1, n - 1)
        interior = (hs * hs * part(2, n) + (hd * hd - hs * hs) * part(1, n - 1) - hd * hd * part(0, n - 2)) / (
            hs * hd * (hd + hs))
        if edge_order == 1:
            first = (part(1, 2) - part(0, 1)) / (seg(1, 2) - seg(0, 1))
            last = (part(n - 1, n) - part(n - 2, n - 1)) / (seg(n - 1, n) - seg(n - 2, n - 1))
        else:
            d1, d2 = seg(1, 2) - seg(0, 1), seg(2, 3) - seg(1, 2)
            first = (-(2 * d1 + d2) / (d1 * (d1 + d2)) * part(0, 1) + (d1 + d2) / (d1 * d2) * part(1, 2)
                     - d1 / (d2 * (d1 + d2)) * part(2, 3))
            d1, d2 = seg(n - 2, n - 1) - seg(n - 3, n - 2), seg(n - 1, n) - seg(n - 2, n - 1)
            last = (d2 / (d1 * (d1 + d2)) * part(n - 3, n - 2) - (d2 + d1) / (d1 * d2) * part(n - 2, n - 1)
                    + (2 * d2 + d1) / (d2 * (d1 + d2)) * part(n - 1, n))
    else:
        interior = (part(2, n) - part(0, n - 2)) / (2 * h)
        if edge_order == 1:
            first = (part(1, 2) - part(0, 1)) / h
            last = (part(n - 1, n) - part(n - 2, n - 1)) / h
        else:
            first = (-3 * part(0, 1) + 4 * part(1, 2) - part(2, 3)) / (2 * h)
            last = (3 * part(n - 1, n) - 4 * part(n - 2, n - 1) + part(n - 3, n - 2)) / (2 * h)
    return _C.cat([first, interior, last], dim)


@typed("gradient", input="Tensor", edge_order="int")
def gradient(input, *, spacing=1, dim=None, edge_order=1):
    """Estimates the derivative of the sampled function along each dim: central differences inside,
    one-sided differences of order edge_order (1 or 2) at the ends; spacing is a step, one per dim,
    or the sample coordinates."""
    import dyngraph

    if edge_order not in (1, 2):
        raise RuntimeError(f"torch.gradient only supports edge_order=1 and edge_order=2.")
    if dim is None:
        dims = list(builtins.range(input.dim()))
    elif isinstance(dim, builtins.int):
        dims = [_wrap_dim(dim, input)]
    else:
        dims = [_wrap_dim(d, input) for d in dim]
    for d in dims:
        if input.shape[d] < edge_order + 1:
            raise RuntimeError("torch.gradient expected each dimension size to be at least edge_order+1")
    f = input if (input.dtype.is_floating_point or input.dtype.is_complex) else input.to(
        dyngraph.get_default_dtype())
    return tuple(_gradient_along(f, h, d, edge_order) for h, d in zip(_spacings(f, spacing, dims), dims))
