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
    """Tensor.to(dtype) / to(device, dtype=None) / to(other) / to(dtype=..., device=...), each optionally
    followed by non_blocking and copy (positionally, in that order, or as keywords)."""
    dtype = kwargs.pop("dtype", None)
    device = kwargs.pop("device", None)
    copy = kwargs.pop("copy", False)
    non_blocking = kwargs.pop("non_blocking", False)
    kwargs.pop("memory_format", None)  # applied by _to
    flags = []
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
            flags.append(a)
        elif a is not None:
            raise TypeError(f"to() received an invalid combination of arguments: {type(a).__name__}")
    if len(flags) > 2:
        raise TypeError("to() received an invalid combination of arguments: too many bool arguments")
    if flags:
        non_blocking = flags[0]
    if len(flags) == 2:
        copy = flags[1]
    return dtype, device, copy, builtins.bool(non_blocking)


def _to(self, *args, **kwargs):
    dtype, device, copy, non_blocking = _parse_to(args, dict(kwargs))
    result = self._to(dtype, device, copy, non_blocking)
    memory_format = kwargs.get("memory_format")
    if memory_format is not None:
        from ._memory_format import apply_memory_format

        result = apply_memory_format(result, memory_format)
    return result


def _numpy(self, *, force=False):
    if self.requires_grad and not force:
        raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.")
    if force:
        self = self.detach()
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

    if self.requires_grad and not self.is_leaf:
        raise RuntimeError("Can't pickle a tensor that requires grad and is not a leaf; detach() it first")
    src = self.detach().cpu()
    if src.dtype is dyngraph.bfloat16:
        return (_rebuild, (src.float().numpy(), "bfloat16", str(self.device), self.requires_grad))
    return (_rebuild, (src.numpy().copy(), None, str(self.device), self.requires_grad))


def _rebuild(array, dtype_name, device, requires_grad=False):
    # The arguments come from a pickle, which may be damaged: check their types, and look the dtype up in an
    # allow-list (only bfloat16 is ever stored by name) rather than with getattr on the package.
    from ._lazy_numpy import np
    from ._types import _BY_NAME

    if type(array) is not np.ndarray:
        raise TypeError(f"can't unpickle a tensor from a {type(array).__name__}; expected a NumPy array")
    if not (dtype_name is None or (type(dtype_name) is str and dtype_name == "bfloat16")):
        raise TypeError(f"can't unpickle a tensor of dtype {dtype_name!r:.100}")
    if not isinstance(device, str) or type(requires_grad) is not builtins.bool:
        raise TypeError("can't unpickle a tensor: malformed device or requires_grad")
    if array.dtype == np.bool_:
        array = np.asarray(array.view(np.uint8) != 0)  # bytes other than 0/1 would read differently op to op
    elif not array.flags.writeable:
        array = array.copy()  # e.g. over the pickle's own bytes object, which the tensor must not write into
    t = _C.from_numpy(array)
    if dtype_name is not None:
        t = t.to(_BY_NAME[dtype_name])
    t = t if device == "cpu" else t.to(device)
    return t.requires_grad_(requires_grad) if requires_grad else t


def _deepcopy(self, memo):
    if not self.is_leaf:
        raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) support the deepcopy "
                           "protocol at the moment.")
    result = self.detach().clone().requires_grad_(self.requires_grad)
    memo[id(self)] = result
    return result


def _conversion(dtype_name):
    def convert(self, *, memory_format=None):  # keyword-only, as in PyTorch
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


def _cpu(self, *, memory_format=None):
    return self._to(None, "cpu", False)


def _cuda(self, device=None, non_blocking=False, memory_format=None):
    target = "cuda" if device is None else (f"cuda:{device}" if isinstance(device, builtins.int) else device)
    return self._to(None, target, False, non_blocking)


def _pin_memory(self, device=None):
    """A copy in page-locked host memory (itself when already pinned): copies from it to a GPU can be
    asynchronous (non_blocking=True)."""
    return _C._pin_memory(self)


def _is_pinned(self, device=None):
    return _C._is_pinned(self)


def _record_stream(self, stream):
    """Marks this CUDA tensor's memory as used by `stream`: the allocator will not reuse it before the
    work queued on that stream so far is done."""
    _C._record_stream(self, stream.cuda_stream)


_TENSOR_TYPE_NAMES = {"float32": "FloatTensor", "float64": "DoubleTensor", "float16": "HalfTensor",
                      "bfloat16": "BFloat16Tensor", "int64": "LongTensor", "int32": "IntTensor",
                      "int16": "ShortTensor", "int8": "CharTensor", "uint8": "ByteTensor", "bool": "BoolTensor",
                      "complex64": "ComplexFloatTensor", "complex128": "ComplexDoubleTensor"}


def _type(self, dtype=None, non_blocking=False, **kwargs):
    if dtype is None:
        return ("dyngraph.cuda." if self.is_cuda else "dyngraph.") + _TENSOR_TYPE_NAMES[self.dtype._name]
    if isinstance(dtype, str):  # 'torch.DoubleTensor', 'dyngraph.LongTensor', 'torch.cuda.FloatTensor'
        import dyngraph

        parts = dtype.split(".")
        by_type = {v: k for k, v in _TENSOR_TYPE_NAMES.items()}
        if len(parts) < 2 or parts[0] not in ("torch", "dyngraph") or parts[-1] not in by_type:
            raise ValueError(f"invalid type: '{dtype}'")
        # The name sets the device type too: 'torch.FloatTensor' is a CPU one (a GPU tensor keeps its GPU).
        to_cuda = len(parts) == 3 and parts[1] == "cuda"
        device = None if to_cuda == self.is_cuda else ("cuda" if to_cuda else "cpu")
        return self._to(getattr(dyngraph, by_type[parts[-1]]), device, False)
    if isinstance(dtype, type) and issubclass(dtype, Tensor):
        return self
    return self._to(dtype, None, False)


class RemovableHandle:
    """Returned by register_hook; remove() unregisters the hook."""

    def __init__(self, remove_fn):
        self._remove_fn = remove_fn

    def remove(self):
        if self._remove_fn is not None:
            self._remove_fn()
            self._remove_fn = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


def _register_hook(self, hook):
    """hook(grad) -> Tensor or None runs when the gradient for self is computed; it may replace it."""
    hook_id = self._register_hook(hook)
    return RemovableHandle(lambda: self._remove_hook(hook_id))


def _register_post_accumulate_grad_hook(self, hook):
    """hook(tensor) runs after the gradient was accumulated into this leaf's .grad."""
    hook_id = self._register_post_accumulate_grad_hook(hook)
    return RemovableHandle(lambda: self._remove_post_accumulate_grad_hook(hook_id))


def _backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
    """Accumulates the gradient of self w.r.t. the graph leaves into their .grad."""
    if retain_graph is None:
        retain_graph = create_graph
    if inputs is not None and isinstance(inputs, Tensor):
        inputs = [inputs]
    _C._backward([self], None if gradient is None else [gradient], retain_graph, create_graph,
                 None if inputs is None else list(inputs))


def _norm(self, p="fro", dim=None, keepdim=False, dtype=None):
    from ._functional import norm

    return norm(self, p, dim, keepdim, dtype)


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
    T.norm = _norm
    T.backward = _backward
    T.register_hook = _register_hook
    T.register_post_accumulate_grad_hook = _register_post_accumulate_grad_hook
    T.numpy = _numpy
    T.cpu = _cpu
    T.cuda = _cuda
    T.pin_memory = _pin_memory
    T.is_pinned = _is_pinned
    T.record_stream = _record_stream
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
