"""Questions about a tensor and its values that PyTorch answers with one name
each: is_signed, is_same_size, isreal, isposinf/isneginf, get_device, and the
conjugate/negative-bit family. dyngraph conjugates and negates eagerly, so a
tensor never carries a lazy conj or neg bit: is_conj/is_neg are False and
resolve_conj/resolve_neg return their input, as PyTorch's do for such tensors."""

from ._C import Tensor
from ._out import finish_out

__all__ = ["is_signed", "is_same_size", "isreal", "isposinf", "isneginf", "get_device", "is_conj", "is_neg",
           "resolve_conj", "resolve_neg", "positive"]


def _check(input, name):
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")


def is_signed(input):
    _check(input, "is_signed")
    import dyngraph

    return input.dtype not in (dyngraph.bool, dyngraph.uint8)


def is_same_size(input, other):
    _check(input, "is_same_size")
    if not isinstance(other, Tensor):
        raise TypeError(f"is_same_size(): argument 'other' (position 2) must be Tensor, not {type(other).__name__}")
    return tuple(input.shape) == tuple(other.shape)


def isreal(input):
    """True where an element has no imaginary part (every element of a real tensor)."""
    _check(input, "isreal")
    if input.is_complex():
        return input.imag == 0
    import dyngraph

    return dyngraph.ones(input.shape, dtype=dyngraph.bool, device=input.device)


def _check_not_complex(input, name):
    if input.is_complex():
        raise RuntimeError(f"{name} does not support complex inputs.")


def isposinf(input, *, out=None):
    _check(input, "isposinf")
    _check_not_complex(input, "isposinf")
    return finish_out(input == float("inf") if input.dtype.is_floating_point else input != input, out, "isposinf")


def isneginf(input, *, out=None):
    _check(input, "isneginf")
    _check_not_complex(input, "isneginf")
    return finish_out(input == float("-inf") if input.dtype.is_floating_point else input != input, out, "isneginf")


def get_device(input):
    """The CUDA device index, or -1 for a CPU tensor."""
    _check(input, "get_device")
    return input.device.index if input.is_cuda else -1


def is_conj(input):
    _check(input, "is_conj")
    return False


def is_neg(input):
    _check(input, "is_neg")
    return False


def resolve_conj(input):
    _check(input, "resolve_conj")
    return input


def resolve_neg(input):
    _check(input, "resolve_neg")
    return input


def positive(input):
    """+input: the input itself (PyTorch returns it unchanged); refused for bool, as PyTorch does."""
    _check(input, "positive")
    import dyngraph

    if input.dtype == dyngraph.bool:
        raise TypeError("The `+` operator, on a bool tensor is not supported.")
    return input


def _install():
    for name in __all__:
        if not hasattr(Tensor, name):
            setattr(Tensor, name, globals()[name])


_install()
