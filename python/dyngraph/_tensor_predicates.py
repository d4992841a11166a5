"""Questions about a tensor and its values that PyTorch answers with one name
each: is_signed, is_same_size, isreal, isposinf/isneginf, get_device, and the
conjugate/negative-bit family. dyngraph conjugates and negates eagerly, so a
tensor never carries a lazy conj or neg bit: is_conj/is_neg are False and
resolve_conj/resolve_neg return their input, as PyTorch's do for such tensors."""

from ._C import Tensor
from ._out import finish_out
from ._signature import typed

__all__ = ["is_signed", "is_same_size", "isreal", "isposinf", "isneginf", "get_device", "is_conj", "is_neg",
           "resolve_conj", "resolve_neg", "positive"]


@typed("is_signed", input="Tensor")
def is_signed(input):
    import dyngraph

    return input.dtype not in (dyngraph.bool, dyngraph.uint8)


@typed("is_same_size", input="Tensor", other="Tensor")
def is_same_size(input, other):
    return tuple(input.shape) == tuple(other.shape)


@typed("isreal", input="Tensor")
def isreal(input):
    """True where an element has no imaginary part (every element of a real tensor)."""
    if input.is_complex():
        return input.imag == 0
    import dyngraph

    return dyngraph.ones(input.shape, dtype=dyngraph.bool, device=input.device)


def _check_not_complex(input, name):
    if input.is_complex():
        raise RuntimeError(f"{name} does not support complex inputs.")


@typed("isposinf", input="Tensor")
def isposinf(input, *, out=None):
    _check_not_complex(input, "isposinf")
    return finish_out(input == float("inf") if input.dtype.is_floating_point else input != input, out, "isposinf")


@typed("isneginf", input="Tensor")
def isneginf(input, *, out=None):
    _check_not_complex(input, "isneginf")
    return finish_out(input == float("-inf") if input.dtype.is_floating_point else input != input, out, "isneginf")


@typed("get_device", input="Tensor")
def get_device(input):
    """The CUDA device index, or -1 for a CPU tensor."""
    return input.device.index if input.is_cuda else -1


@typed("is_conj", input="Tensor")
def is_conj(input):
    return False


@typed("is_neg", input="Tensor")
def is_neg(input):
    return False


@typed("resolve_conj", input="Tensor")
def resolve_conj(input):
    return input


@typed("resolve_neg", input="Tensor")
def resolve_neg(input):
    return input


@typed("positive", input="Tensor")
def positive(input):
    """+input: the input itself (PyTorch returns it unchanged); refused for bool, as PyTorch does."""
    import dyngraph

    if input.dtype == dyngraph.bool:
        raise TypeError("The `+` operator, on a bool tensor is not supported.")
    return input


def _install():
    for name in __all__:
        if not hasattr(Tensor, name):
            setattr(Tensor, name, globals()[name])


_install()
