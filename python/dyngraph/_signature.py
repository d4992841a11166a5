"""Argument type checks for ops written in Python, as PyTorch's argument
parser makes them before an op runs:

    @typed("vander", x="Tensor", N="int?", increasing="bool")
    def vander(x, N=None, increasing=False): ...

A wrong type raises TypeError("vander(): argument 'N' (position 2) must be int,
not float") (keyword-only arguments have no position; a method's position
does not count self), and an int beyond int64 raises PyTorch's ValueError.
Kinds: Tensor, Tensor[] (a list or tuple of tensors), int, float, bool, Number, str, int[] (a list or tuple of ints),
int[N] (the same, or one int, as for kernel_size), each optionally followed by ? (None allowed)."""

import builtins
import functools
import inspect

from ._C import Tensor

_INT64 = (-2 ** 63, 2 ** 63)


def _is_int(v):
    return isinstance(v, builtins.int) and not isinstance(v, builtins.bool)


def _check_int_range(v):
    if not _INT64[0] <= v < _INT64[1]:
        raise ValueError("Overflow when unpacking long long")


def _matches(kind, v):
    if kind == "Tensor":
        return isinstance(v, Tensor)
    if kind == "Tensor[]":
        return isinstance(v, (builtins.list, builtins.tuple)) and builtins.all(isinstance(t, Tensor) for t in v)
    if kind == "int":
        if _is_int(v):
            _check_int_range(v)
            return True
        return False
    if kind == "float":
        return isinstance(v, (builtins.int, builtins.float)) or (isinstance(v, Tensor) and v.numel() == 1)
    if kind == "bool":
        return isinstance(v, builtins.bool)
    if kind == "Number":
        return isinstance(v, (builtins.int, builtins.float, builtins.complex)) or (
            isinstance(v, Tensor) and v.dim() == 0)
    if kind == "str":
        return isinstance(v, builtins.str)
    if kind == "int[N]" and _is_int(v):  # a fixed-size list (kernel_size, stride, ...) also takes one int
        _check_int_range(v)
        return True
    if kind in ("int[]", "int[N]"):
        if not isinstance(v, (builtins.list, builtins.tuple)):
            return False
        for item in v:
            if not _is_int(item):
                return False
            _check_int_range(item)
        return True
    raise AssertionError(f"unknown argument kind {kind!r}")


_NAMES = {"Tensor[]": "tuple of Tensors", "int[]": "tuple of ints", "int[N]": "tuple of ints", "Number": "Number"}


def typed(fn_name, **kinds):
    """Decorator: checks the named arguments' kinds (see the module docstring) before calling."""
    def decorate(fn):
        params = builtins.list(inspect.signature(fn).parameters.values())
        offset = 1 if params and params[0].name == "self" else 0
        index = {p.name: i for i, p in enumerate(params)}
        keyword_only = {p.name for p in params if p.kind is inspect.Parameter.KEYWORD_ONLY}
        checks = [(name, index[name], kind.rstrip("?"), kind.endswith("?")) for name, kind in kinds.items()]

        def fail(name, kind, value):
            where = "" if name in keyword_only else f" (position {index[name] + 1 - offset})"
            raise TypeError(f"{fn_name}(): argument '{name}'{where} must be {_NAMES.get(kind, kind)}, not "
                            f"{type(value).__name__}")

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            for name, position, kind, optional in checks:
                if position < len(args):
                    value = args[position]
                elif name in kwargs:
                    value = kwargs[name]
                else:
                    continue
                if value is None and optional:
                    continue
                if not _matches(kind, value):
                    fail(name, kind, value)
            return fn(*args, **kwargs)

        return wrapper

    return decorate
