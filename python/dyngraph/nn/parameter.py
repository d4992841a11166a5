"""nn.Parameter and nn.Buffer: tensors that a Module registers when they are assigned to it.

A Parameter is a real dyngraph Tensor whose Python class is Parameter. The bound
Tensor class has no Python constructor, so Parameter.__new__ makes a detached
alias of the data (a new TensorImpl sharing its storage) and retypes that
fresh Python object with ``__class__`` assignment. That is allowed because
Parameter adds no instance layout (``__slots__ = ()``); the C++ side keeps
returning this same Python object for the impl, so identity and type survive
round trips through ops such as optimizers' parameter lists.
"""

from collections import OrderedDict

from .._C import Tensor

__all__ = ["Parameter", "Buffer", "is_lazy"]


def _empty():
    import dyngraph

    return dyngraph.empty(0)


class _ParameterMeta(type(Tensor)):
    """Gives every Parameter subclass an empty __slots__ (its objects are retyped Tensors, so the
    layout must not grow), and, as PyTorch does, counts tensors flagged _is_param as Parameters."""

    def __new__(mcls, name, bases, namespace, **kwargs):
        namespace.setdefault("__slots__", ())
        return super().__new__(mcls, name, bases, namespace, **kwargs)

    def __instancecheck__(cls, instance):
        if cls is Parameter and isinstance(instance, Tensor) and getattr(instance, "_is_param", False):
            return True
        return super().__instancecheck__(instance)


class Parameter(Tensor, metaclass=_ParameterMeta):
    """A Tensor that is a module parameter: assigning it to a Module attribute registers it."""

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            data = _empty()
        if not isinstance(data, Tensor):
            raise TypeError(f"Parameter(): argument 'data' must be Tensor, not {type(data).__name__}")
        alias = data.detach()
        alias.requires_grad_(requires_grad)
        alias.__class__ = cls
        return alias

    def __init__(self, data=None, requires_grad=True):
        # The C++ Tensor has no constructor to call; __new__ did all the work.
        pass

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        result = type(self)(self.data.clone(), self.requires_grad)
        result.__dict__.update(_copy_state(self, memo))
        memo[id(self)] = result
        return result

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    __str__ = __repr__  # print(param) shows the header too (Tensor sets its own __str__)

    def __reduce_ex__(self, proto):
        return (_rebuild_parameter, (type(self), self.data, self.requires_grad, OrderedDict(self.__dict__)))


def _copy_state(tensor, memo):
    import copy

    return copy.deepcopy(dict(tensor.__dict__), memo)


def _rebuild_parameter(cls, data, requires_grad, state=None):
    param = cls(data, requires_grad)
    if state:
        param.__dict__.update(state)
    return param


class _BufferMeta(type(Tensor)):
    """isinstance(t, Buffer) holds for the plain tensors Buffer() returns (marked with _is_buffer)."""

    def __instancecheck__(cls, instance):
        if cls is Buffer and isinstance(instance, Tensor) and getattr(instance, "_is_buffer", False):
            return True
        return super().__instancecheck__(instance)


class Buffer(Tensor, metaclass=_BufferMeta):
    """A Tensor that is module state but not a parameter (assigning it to a Module registers a buffer).

    As in PyTorch, Buffer(data) returns a plain Tensor carrying a ``persistent`` flag.
    """

    __slots__ = ()

    def __new__(cls, data=None, *, persistent=True):
        if data is None:
            data = _empty()
        t = data.detach().requires_grad_(data.requires_grad)
        t.persistent = persistent
        t._is_buffer = True
        return t


def is_lazy(param):
    """dyngraph has no lazy (uninitialized) parameters."""
    return False
