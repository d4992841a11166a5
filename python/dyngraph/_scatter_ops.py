"""The out-of-place "scatter into a view" ops (slice_scatter, select_scatter,
diagonal_scatter, as_strided_scatter), index_reduce and put. Each copies the
input and writes into a view or at indices of the copy, so the core's copy_,
index_put and scatter_reduce give autograd."""

from ._C import Tensor
from ._index_ops import _check_bounds, _wrap_dim, scatter_reduce
from ._signature import typed

__all__ = ["slice_scatter", "select_scatter", "diagonal_scatter", "as_strided_scatter", "index_reduce", "put"]


def _check_src(view, src, name):
    if not isinstance(src, Tensor):
        raise TypeError(f"{name}(): argument 'src' must be Tensor, not {type(src).__name__}")
    if tuple(view.shape) != tuple(src.shape):
        raise RuntimeError(f"{name}: expected src to have a size equal to the slice of self. src size = "
                           f"{list(src.shape)}, slice size = {list(view.shape)}")


def _write_into_copy(input, view_of, src, name):
    out = input.clone()
    view = view_of(out)
    _check_src(view, src, name)
    view.copy_(src)
    return out


@typed("slice_scatter", input="Tensor", src="Tensor", dim="int", start="int?", end="int?", step="int")
def slice_scatter(input, src, dim=0, start=None, end=None, step=1):
    """input with input[..., start:end:step, ...] (along dim) replaced by src."""
    dim = _wrap_dim(dim, input.dim())
    index = (slice(None),) * dim + (slice(start, end, step),)
    return _write_into_copy(input, lambda t: t[index], src, "slice_scatter")


@typed("select_scatter", input="Tensor", src="Tensor", dim="int", index="int")
def select_scatter(input, src, dim, index):
    """input with input.select(dim, index) replaced by src."""
    return _write_into_copy(input, lambda t: t.select(dim, index), src, "select_scatter")


@typed("diagonal_scatter", input="Tensor", src="Tensor", offset="int", dim1="int", dim2="int")
def diagonal_scatter(input, src, offset=0, dim1=0, dim2=1):
    """input with input.diagonal(offset, dim1, dim2) replaced by src."""
    return _write_into_copy(input, lambda t: t.diagonal(offset, dim1, dim2), src, "diagonal_scatter")


@typed("as_strided_scatter", input="Tensor", src="Tensor", size="int[]", stride="int[]", storage_offset="int?")
def as_strided_scatter(input, src, size, stride, storage_offset=None):
    """input with input.as_strided(size, stride, storage_offset) replaced by src (input must be contiguous
    for the strides to mean the same elements in the copy)."""
    if storage_offset is None:
        storage_offset = input.storage_offset()
    base = input.contiguous()
    return _write_into_copy(base, lambda t: t.as_strided(size, stride, storage_offset), src, "as_strided_scatter")


_INDEX_REDUCE = ("prod", "mean", "amax", "amin")


@typed("index_reduce", input="Tensor", dim="int", index="Tensor", source="Tensor", reduce="str", include_self="bool")
def index_reduce(input, dim, index, source, reduce, *, include_self=True):
    """Reduces source's slices along dim into input's slices at index (prod, mean, amax or amin)."""
    if reduce not in _INDEX_REDUCE:
        raise RuntimeError(f"index_reduce(): Expected reduce to be one of prod, mean, amax or amin but got {reduce}.")
    if not isinstance(index, Tensor) or index.dim() > 1:
        raise IndexError("index_reduce_(): Index is supposed to be a vector")
    if index.dtype.is_floating_point or index.dtype.is_complex:
        raise IndexError("index_reduce_(): Expected a long or int tensor for index")
    dim = _wrap_dim(dim, max(input.dim(), 1))
    if source.dim() > 0 and source.shape[dim] != index.numel():
        raise IndexError("index_reduce_(): Index should have dimension 1 or 0 (got "
                         f"{index.numel()} entries for {source.shape[dim]} slices of source)")
    if input.dim() > 0:
        _check_bounds(index, input.shape[dim], dim, "index_reduce_()")
    shape = [1] * source.dim()
    if source.dim():
        shape[dim] = -1
    expanded = index.reshape(shape).expand(source.shape) if source.dim() else index.reshape(())
    return scatter_reduce(input, dim, expanded, source, reduce, include_self=include_self)


@typed("put", input="Tensor", index="Tensor", source="Tensor", accumulate="bool")
def put(input, index, source, accumulate=False):
    """input with the elements at flat indices `index` (of its row-major order) set to source
    (or source added, when accumulate)."""
    if input.numel() == 0 and index.numel() > 0:
        raise IndexError("put_(): Tried to put elements into an empty tensor")
    if index.numel() != source.numel():
        raise RuntimeError(f"put_(): Expected source and index to have the same number of elements, but got "
                           f"source.numel() = {source.numel()}, index.numel() = {index.numel()}")
    flat = input.reshape(-1).clone()
    _check_bounds(index.reshape(-1), flat.shape[0], 0, "put_()", allow_negative=True)
    flat = flat.index_put((index.reshape(-1),), source.reshape(-1).to(input.dtype), accumulate)
    return flat.view(input.shape)


def _index_reduce_(self, dim, index, source, reduce, *, include_self=True):
    return self.copy_(index_reduce(self, dim, index, source, reduce, include_self=include_self))


def _put_(self, index, source, accumulate=False):
    return self.copy_(put(self, index, source, accumulate))


def _install():
    for name in __all__:
        if not hasattr(Tensor, name):
            setattr(Tensor, name, globals()[name])
    Tensor.index_reduce_ = _index_reduce_
    Tensor.put_ = _put_


_install()
