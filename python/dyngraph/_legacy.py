"""PyTorch's legacy tensor constructors: ``Tensor(data)``, ``Tensor(*sizes)``,
the typed classes (``FloatTensor``, ``LongTensor``, ``cuda.FloatTensor``, ...),
``Tensor.new`` and ``set_default_tensor_type``.

The bound Tensor class has no C++ constructor, so ``Tensor.__new__`` builds the
tensor with the factories and returns it (``__init__`` then has nothing to do),
as ``nn.Parameter`` does. A typed class is not a real subclass of Tensor: its
metaclass answers ``isinstance`` by dtype and device, as PyTorch's tensor types do.
"""

import builtins
from collections.abc import Sequence

from ._C import Tensor
from ._tensor import _TENSOR_TYPE_NAMES

__all__ = ["set_default_tensor_type"]


def _is_size_args(args):
    return all(isinstance(a, builtins.int) and not isinstance(a, builtins.bool) for a in args)


def _legacy_new(fn_name, args, dtype, device):
    """The body of Tensor(...), FloatTensor(...) and t.new(...): sizes give an uninitialized tensor,
    one sequence or array gives its values converted to `dtype`, one tensor is returned as an alias."""
    import dyngraph

    if not args:
        return dyngraph.empty(0, dtype=dtype, device=device)
    if len(args) == 1 and isinstance(args[0], dyngraph.Size):
        args = tuple(args[0])
    if _is_size_args(args):
        for s in args:
            if s < 0:
                raise RuntimeError(f"Trying to create tensor with negative dimension {s}: {list(args)}")
        return dyngraph.empty(args, dtype=dtype, device=device)
    if len(args) != 1:
        raise TypeError(f"{fn_name}() received an invalid combination of arguments - got "
                        f"({', '.join(type(a).__name__ for a in args)}), but expected one of: (*sizes), "
                        f"(data: Sequence), (other: Tensor)")
    data = args[0]
    if isinstance(data, Tensor):
        if data.dtype != dtype:
            raise TypeError(f"expected {dtype} (got {data.dtype})")
        return data.detach()
    if isinstance(data, (builtins.str, builtins.bytes)) or not (
            isinstance(data, Sequence) or hasattr(data, "__array__") or hasattr(data, "__len__")):
        raise TypeError(f"new(): data must be a sequence (got {type(data).__name__})")
    return dyngraph.tensor(data, dtype=dtype, device=device)


def _tensor_new(cls, *args, device=None, **kwargs):
    import dyngraph

    if kwargs:
        raise TypeError(f"Tensor.__new__() got an unexpected keyword argument '{next(iter(kwargs))}'")
    if len(args) == 1 and isinstance(args[0], Tensor):
        return args[0].detach()  # the generic type aliases a tensor of any dtype
    return _legacy_new("Tensor.__new__", args, dyngraph.get_default_dtype(), device)


def _tensor_init(self, *args, **kwargs):
    pass  # __new__ built the tensor


def _new(self, *args, **kwargs):
    """t.new(*sizes) / t.new(data): a tensor with t's dtype and device (legacy form of new_empty/new_tensor)."""
    dtype = kwargs.pop("dtype", self.dtype)
    device = kwargs.pop("device", self.device)
    if kwargs:
        raise TypeError(f"new() got an unexpected keyword argument '{next(iter(kwargs))}'")
    return _legacy_new("new", args, dtype, device)


class _TensorType(type):
    """The metaclass of the typed tensor classes: calling one builds a tensor of its dtype and device
    type; isinstance checks the dtype and the device type."""

    def __call__(cls, *args, device=None, **kwargs):
        if kwargs:
            raise TypeError(f"{cls.__name__}() got an unexpected keyword argument '{next(iter(kwargs))}'")
        if cls._is_cuda and device is None:
            device = "cuda"
        return _legacy_new(cls.__name__, args, cls.dtype, device)

    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor) and obj.dtype == cls.dtype and obj.is_cuda == cls._is_cuda

    def __repr__(cls):
        return f"<class '{cls.__module__}.{cls.__name__}'>"


def _make_typed_classes(module_name, is_cuda):
    import dyngraph

    classes = {}
    for dtype_name, class_name in _TENSOR_TYPE_NAMES.items():
        classes[class_name] = _TensorType(class_name, (), {"dtype": getattr(dyngraph, dtype_name),
                                                          "is_cuda": is_cuda, "_is_cuda": is_cuda,
                                                          "__module__": module_name})
    return classes


def set_default_tensor_type(t):
    """Sets the default floating dtype from a tensor type or its name ('torch.DoubleTensor');
    deprecated in PyTorch in favour of set_default_dtype. CUDA types are refused (no default device here)."""
    import dyngraph

    name = t if isinstance(t, builtins.str) else getattr(t, "__name__", None)
    if name is None:
        raise TypeError(f"invalid type: {t!r}")
    parts = name.split(".")
    if "cuda" in parts[:-1] or getattr(t, "_is_cuda", False):
        raise TypeError("set_default_tensor_type: CUDA tensor types are not supported as the default in dyngraph; "
                        "use set_default_device")
    by_type = {v: k for k, v in _TENSOR_TYPE_NAMES.items()}
    if parts[-1] not in by_type:
        raise TypeError(f"invalid type: '{name}'")
    dtype = getattr(dyngraph, by_type[parts[-1]])
    if not dtype.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    dyngraph.set_default_dtype(dtype)


def _install():
    import dyngraph

    Tensor.__new__ = staticmethod(_tensor_new)
    Tensor.__init__ = _tensor_init
    Tensor.new = _new
    for name, cls in _make_typed_classes("dyngraph", False).items():
        setattr(dyngraph, name, cls)
    for name, cls in _make_typed_classes("dyngraph.cuda", True).items():
        setattr(dyngraph.cuda, name, cls)


_install()
