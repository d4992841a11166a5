"""Module-level functions that need Python-side argument handling."""

import builtins

from . import _C
from ._C import Tensor
from ._types import Size
from ._arg_checks import tensor_sequence

__all__ = ["hstack", "vstack", "dstack", "column_stack", "tile", "meshgrid", "fliplr", "flipud", "rot90", "norm", "result_type", "can_cast", "set_default_dtype", "broadcast_shapes", "broadcast_tensors", "is_tensor",
           "numel", "is_floating_point", "is_complex", "expand_copy", "swapaxes"]


def result_type(tensor1, tensor2):
    """The dtype an arithmetic op on the two operands returns (tensors or Python numbers)."""
    return _C._result_type(tensor1, tensor2)


def can_cast(from_, to):
    """PyTorch's casting rule for in-place/out= results: no complex->real, float->int, or number->bool."""
    if from_.is_complex and not to.is_complex:
        return False
    if from_.is_floating_point and not (to.is_floating_point or to.is_complex):
        return False
    if from_._name != "bool" and to._name == "bool":
        return False
    return True


def set_default_dtype(d):
    _C.set_default_dtype(d)


def broadcast_shapes(*shapes):
    out = ()
    for s in shapes:
        if isinstance(s, builtins.int):
            s = (s,)
        out = _C.broadcast_shapes_pair(out, tuple(s))
    return Size(out)


def broadcast_tensors(*tensors):
    tensor_sequence("broadcast_tensors", tensors)
    shape = broadcast_shapes(*(t.shape for t in tensors))
    return tuple(t.expand(shape) for t in tensors)


def is_tensor(obj):
    return isinstance(obj, Tensor)


def numel(input):
    return input.numel()


def is_floating_point(input):
    return input.is_floating_point()


def is_complex(input):
    return input.is_complex()


def expand_copy(input, size):
    return input.expand(size).clone()


swapaxes = _C.swapaxes


def norm(input, p="fro", dim=None, keepdim=False, dtype=None):
    """torch.norm: the 2-norm (or p-norm) of all elements or along dim; 'fro' is the 2-norm."""
    if p == "fro" or p is None:
        p = 2
    if p == "nuc":
        raise RuntimeError("norm(p='nuc') needs a singular value decomposition, which dyngraph does not have yet")
    return _C._vector_norm(input, float(p), dim, keepdim, dtype)




def hstack(tensors):
    tensors = [t if t.dim() else t.reshape(1) for t in tensors]
    return _C.cat(tensors, 0 if tensors[0].dim() == 1 else 1)


def vstack(tensors):
    return _C.cat([t.reshape(1, -1) if t.dim() < 2 else t for t in tensors], 0)


def dstack(tensors):
    out = []
    for t in tensors:
        if t.dim() == 0:
            t = t.reshape(1, 1, 1)
        elif t.dim() == 1:
            t = t.reshape(1, -1, 1)
        elif t.dim() == 2:
            t = t.unsqueeze(-1)
        out.append(t)
    return _C.cat(out, 2)


def column_stack(tensors):
    return _C.cat([t.reshape(-1, 1) if t.dim() < 2 else t for t in tensors], 1)


def tile(input, dims):
    dims = tuple(dims)
    if len(dims) < input.dim():
        dims = (1,) * (input.dim() - len(dims)) + dims
    return input.repeat(*dims)


def meshgrid(*tensors, indexing="ij"):
    tensor_sequence("meshgrid", tensors)
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing not in ("ij", "xy"):
        raise ValueError(f"torch.meshgrid: indexing must be one of 'xy' or 'ij', but received: {indexing}")
    swap = indexing == "xy" and len(tensors) >= 2
    if swap:
        tensors = (tensors[1], tensors[0]) + tuple(tensors[2:])
    shape = tuple(t.numel() for t in tensors)
    out = []
    for i, t in enumerate(tensors):
        view = [1] * len(tensors)
        view[i] = -1
        out.append(t.reshape(*view).expand(*shape))
    if swap:
        out[0], out[1] = out[1], out[0]
    return tuple(out)


def fliplr(input):
    return input.flip(1)


def flipud(input):
    return input.flip(0)


def rot90(input, k=1, dims=(0, 1)):
    k = k % 4
    d0, d1 = dims
    if k == 0:
        return input.clone()
    if k == 1:
        return input.flip(d1).transpose(d0, d1)
    if k == 2:
        return input.flip(d0).flip(d1)
    return input.transpose(d0, d1).flip(d1)
