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

__all__ = ["Parameter", "Buffer", "UninitializedParameter", "UninitializedBuffer", "is_lazy"]


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


class _UninitializedMixin:
    """A placeholder of no data whose shape is only known later: materialize(shape) gives it storage
    and turns it into the class it stands for (cls_to_become)."""

    __slots__ = ()
    cls_to_become = None

    def materialize(self, shape, device=None, dtype=None):
        import dyngraph

        from ..autograd.grad_mode import no_grad

        with no_grad():
            self.data = dyngraph.empty(tuple(shape) if not isinstance(shape, int) else (shape,),
                                       device=device or self.device, dtype=dtype or self.dtype)
        self.__class__ = self.cls_to_become

    @property
    def shape(self):
        raise RuntimeError("Can't access the shape of an uninitialized parameter or buffer. This error usually "
                           "happens in `load_state_dict` when trying to load an uninitialized parameter into an "
                           "initialized one. Call `forward` to initialize the parameters before accessing their "
                           "attributes.")

    def __repr__(self):
        return f"<{type(self).__name__}>"


class UninitializedParameter(_UninitializedMixin, Parameter):
    """A Parameter of a lazy module (LazyLinear, ...) before its first forward gives it a shape."""

    cls_to_become = Parameter

    def __new__(cls, requires_grad=True, device=None, dtype=None):
        import dyngraph

        return Parameter.__new__(cls, dyngraph.empty(0, device=device, dtype=dtype), requires_grad)

    def __init__(self, requires_grad=True, device=None, dtype=None):
        pass

    def __deepcopy__(self, memo):
        result = type(self)(self.requires_grad, self.device, self.dtype)
        memo[id(self)] = result
        return result


class UninitializedBuffer(_UninitializedMixin, Tensor, metaclass=_ParameterMeta):
    """A buffer of a lazy module (LazyBatchNorm's running statistics) before its first forward."""

    cls_to_become = Tensor

    def __new__(cls, requires_grad=False, device=None, dtype=None, persistent=True):
        import dyngraph

        t = dyngraph.empty(0, device=device, dtype=dtype).requires_grad_(requires_grad)
        t.__class__ = cls
        t.persistent = persistent
        return t

    def __init__(self, requires_grad=False, device=None, dtype=None, persistent=True):
        pass


def is_lazy(param):
    """Whether param is a lazy module's not yet materialized parameter or buffer."""
    return isinstance(param, _UninitializedMixin)
