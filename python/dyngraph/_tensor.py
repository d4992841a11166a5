"""Tensor methods written in Python: the ones that parse flexible
arguments (to, type conversions), talk to NumPy, or format text. The
arithmetic and view methods are bound in C++ (csrc/python/tensor.cpp)."""

import builtins

from . import _C
from ._C import Tensor
from ._factories import tensor
from ._tensor_str import tensor_repr
from ._types import device as _device_class
from ._types import dtype as _dtype_class


def _parse_to(args, kwargs):
    """Tensor.to(dtype) / to(device, dtype=None) / to(other) / to(dtype=..., device=...)."""
    dtype = kwargs.pop("dtype", None)
    device = kwargs.pop("device", None)
    copy = kwargs.pop("copy", False)
    kwargs.pop("non_blocking", None)
    kwargs.pop("memory_format", None)
    if kwargs:
        raise TypeError(f"to() got an unexpected keyword argument '{next(iter(kwargs))}'")
    for a in args:
        if isinstance(a, _dtype_class):
            dtype = a
        elif isinstance(a, (str, _device_class, builtins.int)) and not isinstance(a, builtins.bool):
            device = a
        elif isinstance(a, Tensor):
            dtype, device = a.dtype, a.device
        elif isinstance(a, builtins.bool):
            copy = a  # to(dtype, non_blocking, copy) positional form: the last bool wins
        elif a is not None:
            raise TypeError(f"to() received an invalid combination of arguments: {type(a).__name__}")
    return dtype, device, copy


def _to(self, *args, **kwargs):
    dtype, device, copy = _parse_to(args, dict(kwargs))
    return self._to(dtype, device, copy)


def _numpy(self, *, force=False):
    arr = self._numpy_view()
    return arr.copy() if force else arr


def _array(self, dtype=None, copy=None):
    arr = _numpy(self)
    if dtype is not None and arr.dtype != dtype:
        if copy is False:
            raise ValueError("converting the tensor to the requested dtype needs a copy, but copy=False")
        return arr.astype(dtype)
    return arr.copy() if copy else arr


def _iter(self):
    if self.dim() == 0:
        raise TypeError("iteration over a 0-d tensor")
    return iter(self.unbind(0))


def _format(self, spec):
    if self.dim() == 0:
        return self.item().__format__(spec)
    return object.__format__(self, spec) if spec else repr(self)


def _reduce(self):
    # Pickled through a NumPy copy (bfloat16 through float32), restored on the CPU.
    import dyngraph

    src = self.detach().cpu()
    if src.dtype is dyngraph.bfloat16:
        return (_rebuild, (src.float().numpy(), "bfloat16", str(self.device)))
    return (_rebuild, (src.numpy().copy(), None, str(self.device)))


def _rebuild(array, dtype_name, device):
    import dyngraph

    t = _C.from_numpy(array)
    if dtype_name is not None:
        t = t.to(getattr(dyngraph, dtype_name))
    return t if device == "cpu" else t.to(device)


def _deepcopy(self, memo):
    result = self.clone()
    memo[id(self)] = result
    return result


def _conversion(dtype_name):
    def convert(self, memory_format=None):
        import dyngraph

        return self._to(getattr(dyngraph, dtype_name), None, False)

    convert.__name__ = dtype_name
    return convert


def _new_factory(fn_name):
    """new_zeros(size) and friends: same dtype and device as self unless given."""
    def new(self, *args, dtype=None, device=None, requires_grad=False, **kw):
        import dyngraph

        fn = getattr(dyngraph, fn_name)
        return fn(*args, dtype=dtype or self.dtype, device=device or self.device, requires_grad=requires_grad)

    new.__name__ = "new_" + fn_name
    return new


def _new_tensor(self, data, dtype=None, device=None, requires_grad=False):
    return tensor(data, dtype=dtype or self.dtype, device=device or self.device)


def _cpu(self, memory_format=None):
    return self._to(None, "cpu", False)


def _cuda(self, device=None, non_blocking=False, memory_format=None):
    return self._to(None, "cuda" if device is None else (f"cuda:{device}" if isinstance(device, builtins.int) else device), False)


def _type(self, dtype=None, non_blocking=False):
    if dtype is None:
        return "dyngraph." + {"float32": "FloatTensor", "float64": "DoubleTensor", "float16": "HalfTensor",
                              "bfloat16": "BFloat16Tensor", "int64": "LongTensor", "int32": "IntTensor",
                              "int16": "ShortTensor", "int8": "CharTensor", "uint8": "ByteTensor",
                              "bool": "BoolTensor", "complex64": "ComplexFloatTensor",
                              "complex128": "ComplexDoubleTensor"}[self.dtype._name]
    return self._to(dtype, None, False)


def _install():
    T = Tensor
    T.__repr__ = tensor_repr
    T.__str__ = tensor_repr
    T.__format__ = _format
    T.__iter__ = _iter
    T.__array__ = _array
    T.__array_priority__ = 1000  # NumPy defers to Tensor's reflected operators
    T.__reduce__ = _reduce
    T.__deepcopy__ = _deepcopy
    T.to = _to
    T.numpy = _numpy
    T.cpu = _cpu
    T.cuda = _cuda
    T.type = _type
    T.new_tensor = _new_tensor
    for name in ("zeros", "ones", "empty", "full"):
        setattr(T, "new_" + name, _new_factory(name))
    for method, dtype_name in (("float", "float32"), ("double", "float64"), ("half", "float16"),
                               ("bfloat16", "bfloat16"), ("long", "int64"), ("int", "int32"), ("short", "int16"),
                               ("char", "int8"), ("byte", "uint8"), ("bool", "bool"), ("cfloat", "complex64"),
                               ("cdouble", "complex128")):
        setattr(T, method, _conversion(dtype_name))


_install()
