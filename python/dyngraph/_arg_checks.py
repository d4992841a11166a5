"""Argument type checks for ops composed in Python.

PyTorch's argument parser rejects an argument of the wrong type with a
TypeError before the op runs. An op written in Python would otherwise fail
later, with whatever error the first attribute access gives (AttributeError:
'int' object has no attribute 'dim'). These checks give PyTorch's error."""

from ._C import Tensor


def check_tensor_args(fn, *args):
    """args: (name, value) pairs in parameter order; None values are optional arguments left out."""
    for position, (name, value) in enumerate(args, 1):
        if value is not None and not isinstance(value, Tensor):
            raise TypeError(f"{fn}(): argument '{name}' (position {position}) must be Tensor, "
                            f"not {type(value).__name__}")


def tensor_sequence(fn, tensors, name="tensors"):
    """The tensors of a variadic op, given as f(a, b, ...) or f([a, b, ...]), as a tuple."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"{fn}(): argument '{name}' must be tuple of Tensors, but found element of type "
                            f"{type(t).__name__} at pos {i}")
    return tuple(tensors)


def check_bool_args(fn, *args):
    """args: (name, value) pairs of flags that PyTorch's parser only accepts as bools."""
    for name, value in args:
        if not isinstance(value, bool):
            raise TypeError(f"{fn}(): argument '{name}' must be bool, not {type(value).__name__}")
