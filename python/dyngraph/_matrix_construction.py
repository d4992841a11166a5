"""Building and filling structured matrices: block_diag, diag_embed, diagflat,
vander, tril_indices / triu_indices, and Tensor.fill_diagonal_."""

import builtins

from . import _C
from ._factories import arange, zeros
from ._arg_checks import tensor_sequence
from ._signature import typed

__all__ = ["block_diag", "diag_embed", "tril_indices", "triu_indices", "fill_diagonal_", "diagflat", "vander"]


def block_diag(*tensors):
    """The tensors (0-d, 1-d as one row, or 2-d) laid along the diagonal of a zero matrix."""
    tensor_sequence("block_diag", tensors)
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if not tensors:
        return zeros(1, 0)
    mats = []
    for i, t in enumerate(tensors):
        if t.dim() > 2:
            raise RuntimeError(f"torch.block_diag: Input tensors must have 2 or fewer dimensions. Input {i} has "
                               f"{t.dim()} dimensions")
        mats.append(t.reshape(1, -1) if t.dim() < 2 else t)
    dtype = mats[0].dtype
    for m in mats[1:]:
        dtype = _C.promote_types(dtype, m.dtype)
    device = mats[0].device
    total_cols = builtins.sum(m.shape[1] for m in mats)
    bands, col = [], 0
    for m in mats:
        # Each block becomes one full-width row band: zeros | block | zeros, so cat carries the gradient.
        r, c = m.shape
        bands.append(_C.cat([zeros(r, col, dtype=dtype, device=device), m.to(dtype),
                             zeros(r, total_cols - col - c, dtype=dtype, device=device)], 1))
        col += c
    return _C.cat(bands, 0)


def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    """A tensor whose diagonal(offset, dim1, dim2) is input's last dim, zeros elsewhere."""
    nd = input.dim() + 1
    d1, d2 = _wrap_dim(dim1, nd), _wrap_dim(dim2, nd)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    n = input.shape[-1]
    eye_mask = arange(n, device=input.device).unsqueeze(1) == arange(n, device=input.device)
    # where (not a product with eye) so NaN/inf in input stay off the zero entries.
    square = _C.where(eye_mask, input.unsqueeze(-1), zeros((), dtype=input.dtype, device=input.device))
    k = builtins.abs(offset)
    if k:
        batch = list(input.shape[:-1])
        cols = zeros(batch + [n, k], dtype=input.dtype, device=input.device)
        rows = zeros(batch + [k, n + k], dtype=input.dtype, device=input.device)
        if offset > 0:  # entry (i, i + k): shift right, pad the bottom
            square = _C.cat([_C.cat([cols, square], -1), rows], -2)
        else:  # entry (i + k, i): shift down, pad the right
            square = _C.cat([rows, _C.cat([square, cols], -1)], -2)
    return _C.movedim(square, [nd - 2, nd - 1], [d1, d2])


def _wrap_dim(dim, nd):
    if not -nd <= dim < nd:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-nd}, {nd - 1}], but got {dim})")
    return dim % nd


def _triangle_indices(row, col, keep, dtype, device, name):
    import dyngraph

    dtype = dyngraph.int64 if dtype is None else dtype
    if dtype not in (dyngraph.int64, dyngraph.int32):
        raise NotImplementedError(f'"{name}" not implemented for \'{dtype._name}\'')
    if row < 0 or col < 0:
        raise RuntimeError(f"row must be non-negative, got{row}" if row < 0 else f"col must be non-negative, got{col}")
    r = arange(row, device=device).unsqueeze(1)
    c = arange(col, device=device).unsqueeze(0)
    # nonzero walks the (row, col) grid in row-major order, which is PyTorch's order.
    return _C.nonzero(keep(c - r)).t().to(dtype).contiguous()


def tril_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    """2 x N coordinates of the lower triangle (c - r <= offset) of a row x col matrix."""
    return _triangle_indices(row, col, lambda d: d <= offset, dtype, device, "tril_indices")


def triu_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    """2 x N coordinates of the upper triangle (c - r >= offset) of a row x col matrix."""
    return _triangle_indices(row, col, lambda d: d >= offset, dtype, device, "triu_indices")


def fill_diagonal_(self, fill_value, wrap=False):
    """Writes fill_value on the main diagonal in place (all dims equal for ndim > 2; wrap for tall 2-D)."""
    if self.dim() < 2:
        raise RuntimeError("dimensions must larger than 1")
    if self.dim() > 2 and len(set(self.shape)) != 1:
        raise RuntimeError("all dimensions of input must be of equal length")
    n = builtins.min(self.shape)
    if self.dim() == 2 and wrap and self.shape[0] > self.shape[1] + 1:
        # Wrapping continues the flat stride (cols + 1) past the square part, skipping one row each time.
        rows, cols = self.shape
        flat = arange(0, rows * cols, cols + 1, device=self.device)
        index = (flat // cols, flat % cols)
    else:
        diag = arange(n, device=self.device)
        index = (diag,) * self.dim()
    return self.index_put_(index, _as_value(fill_value, self), False)


def _as_value(value, like):
    """fill_value as a 0-d tensor of like's dtype (a float written into an int tensor truncates, as in PyTorch)."""
    if isinstance(value, _C.Tensor):
        return value.to(dtype=like.dtype, device=like.device)
    import dyngraph

    return dyngraph.tensor(value, device=like.device).to(like.dtype)


@typed("diagflat", input="Tensor", offset="int")
def diagflat(input, offset=0):
    """A matrix with input's elements (flattened) on its offset-th diagonal."""
    return _C.diag(input.reshape(-1), offset)


@typed("vander", x="Tensor", N="int?", increasing="bool")
def vander(x, N=None, increasing=False):
    """The Vandermonde matrix of a 1-D x: columns x**(N-1), ..., x**0 (reversed when increasing). Integer
    and bool inputs give int64, as PyTorch does; powers come from a running product, so they are exact."""
    import dyngraph

    if x.dim() != 1:
        raise RuntimeError("x must be a one-dimensional tensor.")
    if N is None:
        N = x.shape[0]
    if N < 0:
        raise RuntimeError("N must be non-negative.")
    dtype = dyngraph.promote_types(x.dtype, dyngraph.int64)
    if N == 0:
        return dyngraph.empty((x.shape[0], 0), dtype=dtype, device=x.device)
    columns = [dyngraph.ones((x.shape[0], 1), dtype=dtype, device=x.device)]
    if N > 1:
        columns.append(x.to(dtype).unsqueeze(1).expand(x.shape[0], N - 1))
    powers = dyngraph.cat(columns, 1).cumprod(1)
    return powers if increasing else powers.flip(1)
