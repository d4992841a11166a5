"""Module-level functions that need Python-side argument handling."""

import builtins

from . import _C
from ._C import Tensor
from ._types import Size

__all__ = ["norm", "result_type", "can_cast", "set_default_dtype", "broadcast_shapes", "broadcast_tensors", "is_tensor",
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
