"""Tensor creation with PyTorch's signatures: tensor, as_tensor, zeros,
ones, empty, full, arange, linspace, eye, the *_like forms, and the random
factories. Sizes may be given as separate ints or as one sequence."""

import builtins

from . import _C
from ._C import Tensor
from ._types import Size
from ._arg_checks import check_tensor_args
from ._signature import typed

__all__ = [
    "tensor", "as_tensor", "asarray", "scalar_tensor", "zeros", "ones", "empty", "empty_strided", "full", "arange",
    "range", "linspace", "eye", "zeros_like", "ones_like", "empty_like", "full_like", "rand", "randn", "randint",
    "randperm", "rand_like", "randn_like", "randint_like", "normal", "frombuffer", "empty_permuted",
]

_np_module = None


def _np():
    """NumPy, imported on first use (it is not needed to import dyngraph)."""
    global _np_module
    if _np_module is None:
        import numpy

        _np_module = numpy
    return _np_module


def _size(args, size=None, fn="zeros"):
    if size is not None:
        if args:
            raise TypeError(f"{fn}() got multiple values for argument 'size'")
        args = (size,)
    if len(args) == 1 and isinstance(args[0], (tuple, list, Size)):
        args = tuple(args[0])
    for s in args:
        if isinstance(s, builtins.bool) or not hasattr(s, "__index__"):
            raise TypeError(f"{fn}(): argument 'size' must be tuple of ints, but found element of type "
                            f"{type(s).__name__}")
    return tuple(s.__index__() for s in args)


def _finish(t, out=None, requires_grad=False):
    if requires_grad:
        t.requires_grad_(True)
    if out is not None:
        out.copy_(t)
        return out
    return t


# ---- from data ----------------------------------------------------------------------------

_NUMPY_TO_DTYPE = {
    "bool": "bool", "uint8": "uint8", "int8": "int8", "int16": "int16", "int32": "int32", "int64": "int64",
    "float16": "float16", "float32": "float32", "float64": "float64", "complex64": "complex64",
    "complex128": "complex128",
}


def _dtype_of_numpy(np_dtype):
    import dyngraph

    name = _NUMPY_TO_DTYPE.get(np_dtype.name)
    if name is None:
        raise TypeError(f"can't convert np.ndarray of type numpy.{np_dtype.name}. The only supported types are: "
                        "float64, float32, float16, complex64, complex128, int64, int32, int16, int8, uint8, and bool.")
    return getattr(dyngraph, name)


def _inferred_dtype(arr):
    """PyTorch's dtype for data given as Python lists/scalars (seen through NumPy)."""
    import dyngraph

    kind = arr.dtype.kind
    if kind == "O":
        for v in arr.reshape(-1).tolist():
            if isinstance(v, builtins.int) and not isinstance(v, builtins.bool):
                raise RuntimeError("Overflow when unpacking long")
            if not _is_number(v):
                raise RuntimeError(f"Could not infer dtype of {type(v).__name__}")
    if kind == "b":
        return dyngraph.bool
    if kind in "iu":
        return dyngraph.int64
    if kind == "f":
        return dyngraph.get_default_dtype()
    if kind == "c":
        return dyngraph.complex128 if dyngraph.get_default_dtype() is dyngraph.float64 else dyngraph.complex64
    raise TypeError(f"new(): invalid data type '{arr.dtype.name}'")


def _from_array(arr, dtype):
    """A tensor owning a copy of arr's values, in dtype."""
    import dyngraph

    np = _np()
    if dtype is dyngraph.bfloat16:
        return _C.from_numpy(np.array(arr, dtype=np.float32, order="C")).to(dyngraph.bfloat16)
    src = _C.from_numpy(np.array(arr, order="C", copy=True))  # keeps 0-d arrays 0-d
    return src.to(dtype) if src.dtype is not dtype else src


def _check_numbers_fit(arr, dtype):
    """PyTorch stores each Python number of tensor(data, dtype=...) with a
    checked conversion: a complex number into a real dtype is a TypeError, and
    an int (or a non-finite or out-of-range float) that an integer dtype can't
    hold raises instead of wrapping. Floats into float dtypes are plain casts."""
    import dyngraph

    np = _np()
    if arr.size == 0 or dtype.is_complex or dtype is dyngraph.bool:
        return
    if arr.dtype.kind == "c":
        raise TypeError("must be real number, not complex")
    if arr.dtype.kind not in "iuf" or not _is_integer_dtype(dtype):
        return
    info = dyngraph.iinfo(dtype)
    low = -255 if dtype is dyngraph.uint8 else info.min  # PyTorch lets small negatives wrap into uint8
    if arr.dtype.kind == "f":
        fits = np.all(np.isfinite(arr)) and arr.min() >= low and arr.max() < float(info.max) + 1
    else:
        fits = arr.min() >= low and arr.max() <= info.max
    if not fits:
        raise RuntimeError(f"value cannot be converted to type {str(dtype).replace('dyngraph.', '')} without overflow")


def _is_integer_dtype(dtype):
    return not (dtype.is_floating_point or dtype.is_complex)


def _is_number(x):
    return isinstance(x, (builtins.bool, builtins.int, builtins.float, builtins.complex))


def _first_leaf_is_numpy_scalar(data, np):
    """Whether the first or last element (a cheap probe, not a full scan) is a NumPy scalar."""
    for end in (0, -1):
        leaf = data
        while isinstance(leaf, (list, tuple)) and len(leaf):
            leaf = leaf[end]
        if isinstance(leaf, np.generic):
            return True
    return False


def _promoted_leaf_dtype(data, np, inferred):
    """As PyTorch for sequences holding NumPy scalars: every element's own dtype (a NumPy scalar's, or
    int64 / the default float dtype / bool for Python numbers), promoted together."""
    import dyngraph

    kinds = set()
    stack = [data]
    while stack:
        for v in stack.pop():
            if isinstance(v, (list, tuple)):
                stack.append(v)
            else:
                kinds.add(type(v))
    result = None
    for k in kinds:
        if issubclass(k, np.generic):
            try:
                d = _dtype_of_numpy(np.dtype(k))
            except TypeError:
                return inferred
        elif k is builtins.bool:
            d = dyngraph.bool
        elif k is builtins.int:
            d = dyngraph.int64
        elif k is builtins.float:
            d = dyngraph.get_default_dtype()
        elif k is builtins.complex:
            d = dyngraph.complex128 if dyngraph.get_default_dtype() is dyngraph.float64 else dyngraph.complex64
        else:
            return inferred
        result = d if result is None else dyngraph.promote_types(result, d)
    return result or inferred


def _on_host(data):
    """data (a nested sequence) with its tensors off the CPU replaced by CPU copies; data itself if it has none."""
    if isinstance(data, Tensor):
        return data.cpu()
    if isinstance(data, (list, tuple)):
        items = [_on_host(d) for d in data]
        return data if all(h is d for h, d in zip(items, data)) else items
    return data


def _is_gpu_array(data):
    """A GPU array from another library (CuPy, Numba, ...): it has __cuda_array_interface__. Those that also
    speak DLPack (CuPy does) are read through it, zero-copy; NumPy conversion would fail for them anyway."""
    if isinstance(data, (list, tuple, builtins.int, builtins.float, builtins.complex)):
        return False  # the common cases, without two failing attribute lookups
    return hasattr(data, "__cuda_array_interface__") and hasattr(data, "__dlpack__")


def _from_gpu_array(data):
    from ._dlpack import from_dlpack

    return from_dlpack(data)


def tensor(data, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """A new tensor holding a copy of ``data`` (a number, nested sequence, NumPy array or tensor)."""
    if isinstance(data, Tensor):
        t = data.detach().clone()
        t = t.to(dtype=dtype, device=device) if (dtype is not None or device is not None) else t
        return _finish(t, requires_grad=requires_grad)
    if _is_gpu_array(data):
        t = _from_gpu_array(data).clone()
        t = t.to(dtype=dtype, device=device) if (dtype is not None or device is not None) else t
        return _finish(t, requires_grad=requires_grad)
    np = _np() if type(data).__module__ == "numpy" else None
    if _is_number(data) and np is None:
        t = _C._full((), data, dtype, None)  # a Python number keeps its kind: bool, int64, float, complex
    else:
        np = _np()
        if data is None or isinstance(data, (dict, set)):
            raise RuntimeError(f"Could not infer dtype of {type(data).__name__}")
        if isinstance(data, (np.ndarray, np.generic)):
            arr = np.asarray(data)
            inferred = _dtype_of_numpy(arr.dtype)
        else:
            if isinstance(data, (str, bytes)):
                raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
            try:
                arr = np.array(data)
            except TypeError:  # NumPy can't read GPU tensors among the elements: read CPU copies of them
                host = _on_host(data)
                if host is data:
                    raise
                arr = np.array(host)
            inferred = _inferred_dtype(arr)
            if isinstance(data, (list, tuple)) and _first_leaf_is_numpy_scalar(data, np):
                inferred = _promoted_leaf_dtype(data, np, inferred)
            elif dtype is not None:
                _check_numbers_fit(arr, dtype)
        t = _from_array(arr, dtype if dtype is not None else inferred)
    if device is not None:
        t = t.to(device)
    return _finish(t, requires_grad=requires_grad)


def as_tensor(data, dtype=None, device=None):
    """``data`` as a tensor, sharing memory with it when dtype and device allow (tensors, NumPy arrays, GPU arrays
    exposing __cuda_array_interface__ and __dlpack__)."""
    if isinstance(data, Tensor):
        return data.to(dtype=dtype, device=device)
    if _is_gpu_array(data):
        return _from_gpu_array(data).to(dtype=dtype, device=device)
    np = _np()
    if isinstance(data, np.ndarray) and data.dtype.name in _NUMPY_TO_DTYPE and data.dtype.isnative and all(
            s >= 0 for s in data.strides):
        t = _C.from_numpy(data)
        return t.to(dtype=dtype, device=device)
    return tensor(data, dtype=dtype, device=device)


asarray = as_tensor


def scalar_tensor(s, dtype=None, device=None):
    import dyngraph

    return _C._full((), s, dtype if dtype is not None else dyngraph.get_default_dtype(), device)


# ---- filled ------------------------------------------------------------------------------------

def zeros(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    return _finish(_C._zeros(_size(size, fn="zeros"), dtype, device), out, requires_grad)


def ones(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    return _finish(_C._ones(_size(size, fn="ones"), dtype, device), out, requires_grad)


def empty(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False,
          memory_format=None):
    return _finish(_C._empty(_size(size, fn="empty"), dtype, device), out, requires_grad)


def empty_strided(size, stride, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    return _finish(_C._empty_strided(tuple(size), tuple(stride), dtype, device), None, requires_grad)


def full(size, fill_value, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    return _finish(_C._full(_size((size,), fn="full"), fill_value, dtype, device), out, requires_grad)


def _like(t, dtype, device):
    return (t.dtype if dtype is None else dtype), (t.device if device is None else device)


def zeros_like(input, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    check_tensor_args("zeros_like", ("input", input))
    return _finish(_C._zeros(input.shape, *_like(input, dtype, device)), None, requires_grad)


def ones_like(input, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    check_tensor_args("ones_like", ("input", input))
    return _finish(_C._ones(input.shape, *_like(input, dtype, device)), None, requires_grad)


def empty_like(input, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    check_tensor_args("empty_like", ("input", input))
    return _finish(_C._empty(input.shape, *_like(input, dtype, device)), None, requires_grad)


def full_like(input, fill_value, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    check_tensor_args("full_like", ("input", input))
    return _finish(_C._full(input.shape, fill_value, *_like(input, dtype, device)), None, requires_grad)


# ---- ranges --------------------------------------------------------------------------------------

def _number(x, fn="arange", name="end", position=1):
    """A Number argument: PyTorch's parser takes a one-element tensor for it, and nothing else that isn't a number."""
    if isinstance(x, Tensor):
        if x.numel() != 1:
            raise TypeError(f"{fn}(): argument '{name}' (position {position}) must be Number, not Tensor")
        return x.item()
    return x


def arange(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """Values from start (inclusive) to end (exclusive) by step; int64 when all three are integers."""
    if end is None:
        start, end = 0, start
    return _finish(_C._arange(_number(start, name="start", position=0), _number(end),
                              _number(step, name="step", position=2), dtype, device), out, requires_grad)


def range(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """Deprecated in PyTorch: like arange but includes end; always floating point."""
    import dyngraph

    if end is None:
        start, end = 0, start
    n = int((end - start) // step) + 1
    t = _C._arange(0, n, 1, dtype or dyngraph.get_default_dtype(), device)
    return _finish(t.mul_(step).add_(start), out, requires_grad)


def linspace(start, end, steps, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    return _finish(_C._linspace(_number(start, "linspace", "start", 1), _number(end, "linspace", "end", 2), steps,
                                dtype, device), out, requires_grad)


def eye(n, m=None, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    return _finish(_C._eye(n, m, dtype, device), out, requires_grad)


# ---- random ---------------------------------------------------------------------------------------

def rand(*size, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
         pin_memory=False):
    return _finish(_C._rand(_size(size, fn="rand"), dtype, device, generator), out, requires_grad)


def randn(*size, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False):
    return _finish(_C._randn(_size(size, fn="randn"), dtype, device, generator), out, requires_grad)


def randint(*args, size=None, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """randint(high, size) or randint(low, high, size): integers in [low, high)."""
    if size is not None:
        args = args + (size,)
    if len(args) == 2:
        low, (high, size) = 0, args
    elif len(args) == 3:
        low, high, size = args
    else:
        raise TypeError("randint() expects (high, size) or (low, high, size)")
    return _finish(_C._randint(int(low), int(high), tuple(size), dtype, device, generator), out, requires_grad)


def randperm(n, *, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
             pin_memory=False):
    return _finish(_C._randperm(n, dtype, device, generator), out, requires_grad)


def rand_like(input, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    check_tensor_args("rand_like", ("input", input))
    return _finish(_C._rand(input.shape, *_like(input, dtype, device), None), None, requires_grad)


def randn_like(input, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    check_tensor_args("randn_like", ("input", input))
    return _finish(_C._randn(input.shape, *_like(input, dtype, device), None), None, requires_grad)


def randint_like(input, low=0, high=None, *, dtype=None, layout=None, device=None, requires_grad=False,
                 memory_format=None):
    check_tensor_args("randint_like", ("input", input))
    if high is None:
        low, high = 0, low
    return _finish(_C._randint(int(low), int(high), input.shape, *_like(input, dtype, device), None), None,
                   requires_grad)


def normal(mean=0.0, std=1.0, size=None, *, generator=None, out=None, dtype=None, layout=None, device=None,
           requires_grad=False):
    """normal(mean, std, size) with float mean and std, or normal(mean, std) with a tensor mean and/or std
    (one sample per element of their broadcast shape)."""
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        import dyngraph

        if isinstance(std, Tensor):
            if std.numel() and builtins.bool((std < 0).any()):
                raise RuntimeError("normal expects all elements of std >= 0.0")
        elif std < 0:
            raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
        like = mean if isinstance(mean, Tensor) else std
        shape = dyngraph.broadcast_shapes(tuple(mean.shape) if isinstance(mean, Tensor) else (),
                                          tuple(std.shape) if isinstance(std, Tensor) else ())
        noise = _C._empty(tuple(shape), dtype or like.dtype, device or like.device).normal_(0.0, 1.0,
                                                                                            generator=generator)
        t = (noise * (std.detach() if isinstance(std, Tensor) else std)
             + (mean.detach() if isinstance(mean, Tensor) else mean))
        return _finish(t, out, requires_grad)
    if size is None:
        raise TypeError("normal() missing required argument 'size'")
    t = _C._empty(_size((size,), fn="normal"), dtype, device)
    return _finish(t.normal_(float(mean), float(std), generator=generator), out, requires_grad)


@typed("frombuffer", count="int", offset="int")
def frombuffer(buffer, *, dtype, count=-1, offset=0, requires_grad=False):
    """A 1-D tensor sharing the memory of an object with the buffer protocol (bytes, bytearray,
    memoryview, array.array, mmap): `count` elements of dtype from byte `offset` (-1: to the end)."""
    import dyngraph

    np = _np()
    view = memoryview(buffer)
    nbytes = view.nbytes
    itemsize = dtype.itemsize
    if offset < 0 or (nbytes > 0 and offset >= nbytes):
        raise ValueError(f"both buffer length ({nbytes}) and offset ({offset}) must be greater than 0, and offset "
                         f"must be less than the buffer length")
    if count == 0 or (count < 0 and count != -1):
        raise ValueError(f"both buffer length ({nbytes}) and count ({count}) must not be 0")
    available = nbytes - offset
    if count == -1:
        if available % itemsize:
            raise ValueError(f"buffer length ({available} after offset) must be a multiple of element size "
                             f"({itemsize})")
        count = available // itemsize
    if count * itemsize > available:
        raise ValueError(f"requested buffer length ({count} * {itemsize} bytes) after offset ({offset}) must not be "
                         f"greater than actual buffer length ({nbytes})")
    raw = np.frombuffer(view.cast("B"), dtype=np.uint8, count=count * itemsize, offset=offset)
    if raw.ctypes.data % builtins.min(itemsize, 16):  # misaligned: from_numpy refuses it, a copy is aligned
        raw = raw.copy()
    t = dyngraph.from_numpy(raw).view(dtype)
    return t.requires_grad_(True) if requires_grad else t


@typed("empty_permuted", size="int[]", physical_layout="int[]")
def empty_permuted(size, physical_layout, *, dtype=None, layout=None, device=None, requires_grad=False,
                   pin_memory=False):
    """An uninitialized tensor of logical shape `size` whose dims lie in memory in the order physical_layout
    (outermost first): empty_permuted((2, 3, 4), (0, 2, 1)) has strides (12, 1, 3)."""
    size, order = tuple(size), tuple(physical_layout)
    if sorted(order) != list(builtins.range(len(size))):
        raise RuntimeError(f"Number of dimensions in size does not match the length of the physical_layout; "
                           f"or physical_layout is not a permutation: size={list(size)}, "
                           f"physical_layout={list(order)}")
    physical = empty([size[d] for d in order], dtype=dtype, device=device)
    result = physical.permute([order.index(d) for d in builtins.range(len(size))])
    return result.requires_grad_(True) if requires_grad else result
