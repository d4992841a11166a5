"""The `out=` keyword of module-level ops (called from the C++ bindings' last overload)."""

import warnings

from . import _C


def _check_cast(result_dtype, out_dtype, name):
    from ._functional import can_cast

    if not can_cast(result_dtype, out_dtype):
        raise RuntimeError(f"result type {_type_name(result_dtype)} can't be cast to the desired output type "
                           f"{_type_name(out_dtype)}")


def _type_name(dtype):
    return {"float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16", "int64": "Long",
            "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool",
            "complex64": "ComplexFloat", "complex128": "ComplexDouble"}[dtype._name]


def _write_one(result, out, name):
    if not isinstance(out, _C.Tensor):
        raise TypeError(f"{name}(): argument 'out' must be Tensor, not {type(out).__name__}")
    if any(stride == 0 and size > 1 for size, stride in zip(out.shape, out.stride())):
        raise RuntimeError("unsupported operation: more than one element of the written-to tensor refers to a single "
                           "memory location. Please clone() the tensor before performing the operation.")
    if result.dtype != out.dtype:
        _check_cast(result.dtype, out.dtype, name)
        result = result.to(out.dtype)
    if tuple(out.shape) == tuple(result.shape):
        out.copy_(result)
    else:
        if out.numel() != 0:
            warnings.warn(f"An output with one or more elements was resized since it had shape {list(out.shape)}, "
                          f"which does not match the required output shape {list(result.shape)}. This behavior is "
                          "deprecated, and in a future PyTorch release outputs will not be resized unless they have "
                          "zero elements. You can explicitly reuse an out tensor t by resizing it, inplace, to zero "
                          "elements with t.resize_(0).", UserWarning, stacklevel=4)
        out.data = result.clone()
    return out


def finish_out(result, out, name="out"):
    """result, or result written into out (resized to it, as PyTorch does): for
    Python-composed ops that take out=."""
    return result if out is None else _write_one(result, out, name)


def write_out(name, fn, args, kwargs, out):
    from .autograd.grad_mode import is_grad_enabled, no_grad

    inputs = list(args) + list(kwargs.values())
    if is_grad_enabled() and any(isinstance(a, _C.Tensor) and a.requires_grad for a in inputs):
        raise RuntimeError(f"{name}(): functions with out=... arguments don't support automatic differentiation, "
                           "but one of the arguments requires grad.")
    from .amp.autocast_mode import _excluded

    with no_grad(), _excluded():  # out= calls are not autocast, as in PyTorch
        result = fn(*args, **kwargs)
        if isinstance(result, tuple):
            if not isinstance(out, (tuple, list)) or len(out) != len(result):
                raise TypeError(f"{name}(): argument 'out' must be tuple of {len(result)} Tensors")
            for r, o in zip(result, out):
                _write_one(r, o, name)
            return type(result)(*out) if hasattr(type(result), "_fields") else tuple(out)
        return _write_one(result, out, name)
