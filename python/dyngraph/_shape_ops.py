"""Shape and view helpers: ravel, atleast_1d/2d/3d, tensor_split and
hsplit/vsplit/dsplit, row_stack, unravel_index, unfold (an as_strided
sliding-window view), sum_to_size and type_as."""

import builtins

from ._C import Tensor
from ._functional import vstack
from ._out import finish_out
from ._arg_checks import check_tensor_args, tensor_sequence
from ._signature import typed

__all__ = ["ravel", "atleast_1d", "atleast_2d", "atleast_3d", "tensor_split", "hsplit", "vsplit", "dsplit",
           "row_stack", "unravel_index", "unfold", "sum_to_size", "type_as", "split_with_sizes", "unsafe_split",
           "unsafe_split_with_sizes", "unsafe_chunk", "narrow_copy"]


def ravel(input):
    """The elements as a 1-D tensor (a view when input is contiguous)."""
    return input.reshape(-1)


def _each(tensors, fix):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        return tuple(fix(t) for t in tensors[0])
    out = tuple(fix(t) for t in tensors)
    return out[0] if len(out) == 1 else out


def atleast_1d(*tensors):
    tensor_sequence("atleast_1d", tensors)
    return _each(tensors, lambda t: t.reshape(1) if t.dim() == 0 else t)


def atleast_2d(*tensors):
    tensor_sequence("atleast_2d", tensors)
    return _each(tensors, lambda t: t.reshape(1, -1) if t.dim() < 2 else t)


def atleast_3d(*tensors):
    tensor_sequence("atleast_3d", tensors)
    def fix(t):
        if t.dim() == 0:
            return t.reshape(1, 1, 1)
        if t.dim() == 1:
            return t.reshape(1, -1, 1)
        if t.dim() == 2:
            return t.unsqueeze(-1)
        return t

    return _each(tensors, fix)


def row_stack(tensors, *, out=None):
    r = vstack(tensors)
    return finish_out(r, out)


def _wrap_dim(dim, nd):
    nd = builtins.max(nd, 1)
    if not -nd <= dim < nd:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-nd}, {nd - 1}], but got {dim})")
    return dim % nd


_MAX_SECTIONS = 2**27  # ~200 bytes a tensor object: more than this machine class can hold


def tensor_split(input, indices_or_sections, dim=0):
    """Views of input split along dim into n near-equal parts (the first size % n one longer) or at indices."""
    if input.dim() == 0:
        raise RuntimeError("tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 dims")
    dim = _wrap_dim(dim, input.dim())
    if isinstance(indices_or_sections, Tensor):
        if indices_or_sections.dim() > 1 or indices_or_sections.is_floating_point():
            raise RuntimeError("tensor_split expected tensor_indices_or_sections to be a zero-dimensional or "
                               "one-dimensional tensor, but got a tensor with "
                               f"{indices_or_sections.dim()} dims")
        indices_or_sections = indices_or_sections.tolist()
    size = input.shape[dim]
    if isinstance(indices_or_sections, builtins.int):
        n = indices_or_sections
        if n <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {n}")
        if n > _MAX_SECTIONS:  # every section is a tensor object: PyTorch can't hold that many either
            raise RuntimeError(f"tensor_split: cannot create {n} sections (at most {_MAX_SECTIONS})")
        small, extra = divmod(size, n)
        bounds = [i * small + builtins.min(i, extra) for i in range(n + 1)]
    else:
        bounds = [0] + [builtins.min(builtins.max(i if i >= 0 else i + size, 0), size)
                        for i in indices_or_sections] + [size]
    return tuple(input.narrow(dim, a, builtins.max(b - a, 0)) for a, b in zip(bounds[:-1], bounds[1:]))


def _split_along(input, indices_or_sections, dim, name, min_dims):
    if input.dim() < min_dims:
        raise RuntimeError(f"torch.{name} requires a tensor with at least {min_dims} dimension"
                           f"{'s' if min_dims > 1 else ''}, but got a tensor with {input.dim()} dimensions!")
    if isinstance(indices_or_sections, builtins.int):
        size = input.shape[dim]
        if indices_or_sections == 0 or size % indices_or_sections:
            raise RuntimeError(f"torch.{name} attempted to split along dimension {dim}, but the size of the dimension "
                               f"{size} is not divisible by the split_size {indices_or_sections}!")
    return tensor_split(input, indices_or_sections, dim)


def hsplit(input, indices_or_sections):
    return _split_along(input, indices_or_sections, 0 if input.dim() == 1 else 1, "hsplit", 1)


def vsplit(input, indices_or_sections):
    return _split_along(input, indices_or_sections, 0, "vsplit", 2)


def dsplit(input, indices_or_sections):
    return _split_along(input, indices_or_sections, 2, "dsplit", 3)


def unravel_index(indices, shape):
    """Flat indices -> a tuple of coordinate tensors for a row-major array of this shape (floor semantics)."""
    import dyngraph

    if not isinstance(indices, Tensor):
        indices = dyngraph.tensor(indices)
    if indices.is_floating_point() or indices.is_complex() or indices.dtype is dyngraph.bool:
        raise TypeError(f"expected 'indices' to be integer dtype, but got {indices.dtype}")
    shape = (shape,) if isinstance(shape, builtins.int) else tuple(shape)
    if builtins.any(s < 0 for s in shape):
        raise ValueError("'shape' cannot have negative values, but got " + str(shape))
    indices = indices.to(dyngraph.int64)
    coords, stride = [], 1
    for size in reversed(shape):  # one step per dim of shape
        coords.append((indices // stride) % size if size else indices * 0)
        stride *= builtins.max(size, 1)
    return tuple(reversed(coords))


def unfold(self, dimension, size, step):
    """A view of every window of `size` elements taken each `step` along dimension, as a new last dim."""
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    if self.dim() == 0:
        if size > 1:
            raise RuntimeError(f"maximum size for tensor at dimension 0 is 1 but size is {size}")
        return self.reshape(1).as_strided((size,), (1,), self.storage_offset())
    dim = _wrap_dim(dimension, self.dim())
    length = self.shape[dim]
    if size > length:
        raise RuntimeError(f"maximum size for tensor at dimension {dim} is {length} but size is {size}")
    if size < 0:
        raise RuntimeError(f"size is {size} but must be >= 0")
    shape, strides = list(self.shape), list(self.stride())
    shape[dim] = (length - size) // step + 1
    strides[dim] = self.stride(dim) * step
    return self.as_strided(shape + [size], strides + [self.stride(dim)], self.storage_offset())


def sum_to_size(self, *size):
    """self summed over the dims where size is 1 (or missing in front), so that it has shape size."""
    if len(size) == 1 and isinstance(size[0], (list, tuple)):
        size = tuple(size[0])
    size = tuple(size)
    shape = tuple(self.shape)
    lead = len(shape) - len(size)
    if lead < 0 or builtins.any(t != 1 and t != s for t, s in zip(size, shape[lead:])):
        raise RuntimeError(f"size {{{list(size)}}} is not expandable to size {{{list(shape)}}}.")
    r = self.sum(list(range(lead))) if lead else self
    keep = [i for i, (t, s) in enumerate(zip(size, shape[lead:])) if t == 1 and s != 1]
    return r.sum(keep, keepdim=True) if keep else (r if lead else r.view(shape))


def type_as(self, other):
    """self converted to other's dtype (and device), like self.type(other.type())."""
    check_tensor_args("type_as", ("self", self), ("other", other))
    return self._to(other.dtype, other.device, False)


@typed("split_with_sizes", input="Tensor", split_sizes="int[]", dim="int")
def split_with_sizes(input, split_sizes, dim=0):
    """Views of consecutive pieces of the given sizes along dim; the sizes must add up to its length."""
    dim = _wrap_dim(dim, input.dim())
    split_sizes = [builtins.int(s) for s in split_sizes]
    if builtins.sum(split_sizes) != input.shape[dim] or builtins.any(s < 0 for s in split_sizes):
        raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {input.shape[dim]} (input "
                           f"tensor's size at dimension {dim}), but got split_sizes={split_sizes}")
    return input.split(split_sizes, dim)


@typed("unsafe_split", input="Tensor", split_size="int", dim="int")
def unsafe_split(input, split_size, dim=0):
    return input.split(split_size, dim)


@typed("unsafe_split_with_sizes", input="Tensor", split_sizes="int[]", dim="int")
def unsafe_split_with_sizes(input, split_sizes, dim=0):
    return split_with_sizes(input, split_sizes, dim)


@typed("unsafe_chunk", input="Tensor", chunks="int", dim="int")
def unsafe_chunk(input, chunks, dim=0):
    return input.chunk(chunks, dim)


@typed("narrow_copy", input="Tensor", dim="int", start="int", length="int")
def narrow_copy(input, dim, start, length):
    """A copy of input.narrow(dim, start, length)."""
    return input.narrow(dim, start, length).clone()


@typed("new_empty_strided", size="int[]", stride="int[]")
def new_empty_strided(self, size, stride, *, dtype=None, layout=None, device=None, requires_grad=False,
                      pin_memory=False):
    import dyngraph

    return dyngraph.empty_strided(size, stride, dtype=dtype or self.dtype, device=device or self.device,
                                  requires_grad=requires_grad)
