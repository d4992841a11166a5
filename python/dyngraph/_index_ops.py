"""Writes at indices: index_add / index_copy / index_fill, masked_scatter and
scatter_reduce, with their in-place forms.

They are index_put / scatter_add / masked_fill / where on views with the
indexed dim moved first, so the C++ backward of those ops gives autograd.
Indices are checked here first so an out-of-range one raises an error that
names the dim and its size (IndexOutOfRange is both an IndexError and the
RuntimeError PyTorch raises for some of these ops)."""

import builtins

from . import _C
from ._C import Tensor
from ._factories import arange, ones, tensor, zeros
from ._out import _type_name as _c10_name, finish_out

__all__ = ["index_add", "index_copy", "index_fill", "masked_scatter", "scatter_reduce",
           "index_add_", "index_copy_", "index_fill_", "masked_scatter_", "scatter_reduce_", "IndexOutOfRange"]


class IndexOutOfRange(IndexError, RuntimeError):
    """An index outside [0, size) (or [-size, size) where negative indices wrap)."""


def _dtypes():
    import dyngraph

    return dyngraph


def _wrap_dim(dim, nd):
    nd = builtins.max(nd, 1)
    if not -nd <= dim < nd:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-nd}, {nd - 1}], but got {dim})")
    return dim % nd


def _check_bounds(index, size, dim, op, allow_negative=False):
    if index.numel() == 0:
        return
    lo = -size if allow_negative else 0
    bad = (index < lo) | (index >= size)
    if bool(bad.any().item()):
        value = index[bad].reshape(-1)[0].item()
        raise IndexOutOfRange(f"{op}(): index {value} is out of bounds for dimension {dim} with size {size}")


def _check_vector_index(index, op):
    dg = _dtypes()
    if index.dtype not in (dg.int64, dg.int32):
        raise RuntimeError(f"{op}(): Expected dtype int32/int64 for index but got: {index.dtype._name}")
    if index.dim() > 1:
        raise IndexError(f"{op}(): Index is supposed to be a vector, but got dim: {index.dim()} with size: "
                         f"{list(index.shape)}")
    return index.reshape(-1).to(dg.int64)


def _check_source(self, dim, index, source, op):
    """source must be self's shape with dim's size replaced by len(index) (0-d counts as one element)."""
    self_shape = list(self.shape) or [1]
    src_shape = list(source.shape) or ([1] if self.dim() == 0 else [])
    if len(src_shape) != len(self_shape):
        raise RuntimeError("source tensor shape must match self tensor shape, excluding the specified dimension. "
                           f"Got self.shape = {list(self.shape)} source.shape = {list(source.shape)}")
    if src_shape[dim] != index.numel():
        raise RuntimeError(f"{op}(): Number of indices ({index.numel()}) should be equal to source.size(dim): "
                           f"({src_shape[dim]}), for dim: {dim}")
    if any(a != b for d, (a, b) in enumerate(zip(self_shape, src_shape)) if d != dim):
        raise RuntimeError("source tensor shape must match self tensor shape, excluding the specified dimension. "
                           f"Got self.shape = {list(self.shape)} source.shape = {list(source.shape)}")


def _dim_first(t, dim):
    """t with dim moved to the front (0-d becomes 1-D), so a 1-D index addresses whole slices."""
    return t.reshape(1) if t.dim() == 0 else t.movedim(dim, 0)


def _check_same_device(self, other):
    """As PyTorch, values written into self must be on its device (only indices may be elsewhere)."""
    if other.device != self.device:
        raise RuntimeError(f"Expected all tensors to be on the same device, but found at least two devices, "
                           f"{self.device} and {other.device}!")


def _prepare_index_write(self, dim, index, source, op, same_dtype_message):
    dim = _wrap_dim(dim, self.dim())
    index = _check_vector_index(index, op)
    _check_same_device(self, source)
    if source.dtype is not self.dtype:
        raise RuntimeError(same_dtype_message.format(self=_type_name(self), source=_type_name(source)))
    _check_source(self, dim, index, source, op)
    _check_bounds(index, self.shape[dim] if self.dim() else 1, dim, op)
    return dim, index, _dim_first(source, dim)


def _type_name(t):
    return _c10_name(t.dtype)


_ADD_DTYPE_MSG = "index_add_(): self ({self}) and source ({source}) must have the same scalar type"
_COPY_DTYPE_MSG = ("index_copy_(): self and source expected to have the same dtype, but got (self) {self} and "
                   "(source) {source}")


def _scaled(source, alpha):
    return source if alpha == 1 else source * alpha


def index_add(input, dim, index, source, *, alpha=1, out=None):
    """input with alpha * source[i] added to the slice index[i] along dim (repeated indices accumulate)."""
    dim, index, src = _prepare_index_write(input, dim, index, source, "index_add", _ADD_DTYPE_MSG)
    r = _C.index_put(_dim_first(input, dim), (index,), _scaled(src, alpha), True)
    r = r.reshape(()) if input.dim() == 0 else r.movedim(0, dim)
    return finish_out(r, out)


def index_add_(self, dim, index, source, *, alpha=1):
    dim, index, src = _prepare_index_write(self, dim, index, source, "index_add_", _ADD_DTYPE_MSG)
    _dim_first(self, dim).index_put_((index,), _scaled(src, alpha), True)
    return self


def index_copy(input, dim, index, source, *, out=None):
    """input with slice index[i] along dim replaced by source[i]."""
    dim, index, src = _prepare_index_write(input, dim, index, source, "index_copy_", _COPY_DTYPE_MSG)
    r = _C.index_put(_dim_first(input, dim), (index,), src, False)
    r = r.reshape(()) if input.dim() == 0 else r.movedim(0, dim)
    return finish_out(r, out)


def index_copy_(self, dim, index, source):
    dim, index, src = _prepare_index_write(self, dim, index, source, "index_copy_", _COPY_DTYPE_MSG)
    _dim_first(self, dim).index_put_((index,), src, False)
    return self


def _fill_mask(self, dim, index):
    """A bool mask, broadcastable to self, that is True on the slices index names along dim."""
    dg = _dtypes()
    dim = _wrap_dim(dim, self.dim())
    index = _check_vector_index(index, "index_fill_")
    size = self.shape[dim] if self.dim() else 1
    _check_bounds(index, size, dim, "index_fill_", allow_negative=True)
    index = _C.where(index < 0, index + size, index)  # index_fill wraps negative indices
    mask = zeros(size, dtype=dg.bool, device=self.device).index_put((index,), tensor(True, device=self.device), False)
    if self.dim() == 0:
        return mask.reshape(())
    view = [1] * self.dim()
    view[dim] = size
    return mask.reshape(view)


def _fill_value(value):
    if isinstance(value, Tensor) and value.dim() != 0:
        raise RuntimeError("index_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                           f"{value.dim()} dimension(s).")
    return value


def index_fill(input, dim, index, value):
    """input with the slices index names along dim set to value (a number or 0-d tensor)."""
    value = _fill_value(value)
    mask = _fill_mask(input, dim, index)
    if isinstance(value, Tensor):
        value = value.to(input.dtype)
    return input.masked_fill(mask, value)


def index_fill_(self, dim, index, value):
    value = _fill_value(value)
    mask = _fill_mask(self, dim, index)
    if isinstance(value, Tensor):
        value = value.to(self.dtype)
    return self.masked_fill_(mask, value)


def _scatter_source(mask, source, shape, self_dtype):
    dg = _dtypes()
    if mask.dtype is not dg.bool:
        raise RuntimeError(f"masked_scatter_ only supports boolean masks, but got mask with dtype {_type_name(mask)}")
    if source.dtype is not self_dtype:
        raise RuntimeError(f"masked_scatter: expected self and source to have same dtypes but got"
                           f"{_dtype_short(self_dtype)} and {_type_name(source)}")
    mask = mask.expand(shape)
    flat_mask = mask.reshape(-1)
    # The k-th True position takes source's k-th element: its position is the running count of Trues - 1.
    slot = _C.cumsum(flat_mask.to(dg.int64), 0) - 1
    needed = builtins.int(slot[-1].item()) + 1 if slot.numel() else 0
    if source.numel() < needed:
        raise RuntimeError("Number of elements of source < number of ones in mask")
    if needed == 0:
        return mask, None
    picked = source.reshape(-1).index_select(0, slot.clamp_min(0)).reshape(shape)
    return mask, picked


def _dtype_short(dtype):
    return _c10_name(dtype)


def masked_scatter(input, mask, source):
    """input with the positions where mask (broadcast) is True filled, in order, from source's elements."""
    shape = _C.broadcast_shapes_pair(tuple(input.shape), tuple(mask.shape))
    mask, picked = _scatter_source(mask, source, shape, input.dtype)
    base = input.expand(shape)
    return base.clone() if picked is None else _C.where(mask, picked, base)


def masked_scatter_(self, mask, source):
    if _C.broadcast_shapes_pair(tuple(self.shape), tuple(mask.shape)) != tuple(self.shape):
        raise RuntimeError(f"masked_scatter_: mask of shape {list(mask.shape)} is not broadcastable to self of shape "
                           f"{list(self.shape)}")
    mask, picked = _scatter_source(mask, source, tuple(self.shape), self.dtype)
    return self if picked is None else self.copy_(_C.where(mask, picked, self))


_REDUCTIONS = ("sum", "prod", "mean", "amax", "amin")


def _check_scatter(self, dim, index, src, reduce):
    dg = _dtypes()
    if reduce not in _REDUCTIONS:
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}")
    if index.dtype not in (dg.int64, dg.int32):
        raise RuntimeError("scatter_reduce(): Expected dtype int64 for index")
    if src.dtype is not self.dtype:
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    _check_same_device(self, src)
    dim = _wrap_dim(dim, self.dim())
    if not (index.dim() == self.dim() == src.dim()) and not (index.dim() <= 1 and self.dim() <= 1 and src.dim() <= 1):
        raise RuntimeError("Index tensor must have the same number of dimensions as self tensor")
    nd = builtins.max(self.dim(), 1)
    ishape = list(index.shape) or [1]
    sshape, tshape = list(src.shape) or [1], list(self.shape) or [1]
    for d in range(nd):
        if ishape[d] > sshape[d] or (d != dim and ishape[d] > tshape[d]):
            raise RuntimeError(f"Expected index {ishape} to be no larger than self {tshape} apart from dimension "
                               f"{dim} and to be no larger size than src {sshape}")
    _check_bounds(index, tshape[dim], dim, "scatter_reduce")
    return dim


def _segmented_scan(keys, values, op):
    """Inclusive scan of values with op, restarting where the sorted keys change (log2(n) rounds)."""
    n = values.shape[0]
    step = 1
    while step < n:
        same = keys.narrow(0, step, n - step) == keys.narrow(0, 0, n - step)
        later = values.narrow(0, step, n - step)
        merged = _C.where(same, op(values.narrow(0, 0, n - step), later), later)
        values = _C.cat([values.narrow(0, 0, step), merged], 0)
        step *= 2
    return values


def _scatter_reduce(self, dim, index, src, reduce, include_self):
    dg = _dtypes()
    dim = _check_scatter(self, dim, index, src, reduce)
    if index.numel() == 0:
        return self.clone()
    shape1 = list(self.shape) or [1]
    base = self.reshape(shape1)
    index = index.reshape(list(index.shape) or [1]).to(dg.int64)
    src = src.reshape(list(src.shape) or [1])
    for d, n in enumerate(index.shape):  # only the index-shaped corner of src takes part
        src = src.narrow(d, 0, n)
    touched = zeros(shape1, dtype=dg.bool, device=self.device).scatter(dim, index, True)
    if reduce in ("sum", "mean"):
        start = base if include_self else base.masked_fill(touched, 0)
        total = start.scatter_add(dim, index, src)
        if reduce == "sum":
            return total.reshape(self.shape)
        count = ones(shape1, dtype=self.dtype, device=self.device)
        if not include_self:
            count = count.masked_fill(touched, 0)
        count = count.scatter_add(dim, index, ones(index.shape, dtype=self.dtype, device=self.device))
        mean = total / count if (self.is_floating_point() or self.is_complex()) else total.div(count,
                                                                                              rounding_mode="floor")
        return mean.reshape(self.shape)
    # prod / amax / amin: sort the (target, value) pairs by target and scan each run of equal targets.
    strides, acc = [], 1
    for n in reversed(shape1):
        strides.insert(0, acc)
        acc *= n
    target = zeros(index.shape, dtype=dg.int64, device=self.device)
    for d, n in enumerate(index.shape):  # one term per dim (the ndim), not per element
        view = [1] * index.dim()
        view[d] = n
        coord = index if d == dim else arange(n, device=self.device).reshape(view)
        target = target + coord * strides[d]
    target = target.reshape(-1)
    order = _C.argsort(target, 0, stable=True)
    keys = target.index_select(0, order)
    values = src.reshape(-1).index_select(0, order)
    op = {"prod": _C.mul, "amax": _C.maximum, "amin": _C.minimum}[reduce]
    scanned = _segmented_scan(keys, values, op)
    n = keys.shape[0]
    run_end = _C.cat([keys.narrow(0, 1, n - 1) != keys.narrow(0, 0, n - 1),
                      ones(1, dtype=dg.bool, device=self.device)])
    slots, reduced = keys[run_end], scanned[run_end]
    flat = base.reshape(-1)
    if include_self:
        reduced = op(flat.index_select(0, slots), reduced)
    return _C.index_put(flat, (slots,), reduced, False).reshape(self.shape)


def scatter_reduce(input, dim, index, src, reduce, *, include_self=True, out=None):
    """input with src[i] reduced (sum/prod/mean/amax/amin) into input[index[i]] along dim."""
    r = _scatter_reduce(input, dim, index, src, reduce, include_self)
    return finish_out(r, out)


def scatter_reduce_(self, dim, index, src, reduce, *, include_self=True):
    return self.copy_(_scatter_reduce(self, dim, index, src, reduce, include_self))
