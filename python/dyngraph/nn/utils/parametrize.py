"""Parametrizations (PyTorch's torch.nn.utils.parametrize): a module tensor
computed on each access from unconstrained originals.

register_parametrization(module, "weight", P) moves the original weight to
module.parametrizations.weight.original and gives the module's class (a
per-module subclass named Parametrized<Class>) a property "weight" that
returns P(original). Assigning module.weight = value stores
P.right_inverse(value) when P defines one. Several parametrizations on one
tensor are applied in registration order. A right_inverse that returns a
tuple gives several originals (original0, original1, ...) that the first
parametrization receives as separate arguments.
"""

import contextlib

from ..._C import Tensor
from ...autograd.grad_mode import no_grad
from ..modules.container import ModuleDict, ModuleList
from ..modules.module import Module
from ..parameter import Parameter

__all__ = ["cached", "ParametrizationList", "register_parametrization", "is_parametrized",
           "remove_parametrizations", "type_before_parametrizations", "transfer_parametrizations_and_params"]

_cache = {"enabled": 0, "values": {}}


@contextlib.contextmanager
def cached():
    """Within this context each parametrized tensor is computed once, on first access, and reused."""
    _cache["enabled"] += 1
    try:
        yield
    finally:
        _cache["enabled"] -= 1
        if not _cache["enabled"]:
            _cache["values"] = {}


def _register_original(owner, name, value, like):
    """Stores value on owner as a parameter when `like` was one (keeping like itself if it is value),
    and as a buffer otherwise."""
    if isinstance(like, Parameter):
        owner.register_parameter(name, value if isinstance(value, Parameter) else Parameter(value,
                                                                                           like.requires_grad))
    else:
        owner.register_buffer(name, value)


class ParametrizationList(ModuleList):
    """The parametrizations of one tensor, in order, and its original(s): calling it computes the tensor."""

    def __init__(self, modules, original, unsafe=False):
        if len(modules) == 0:
            raise ValueError("ParametrizationList requires one or more modules.")
        super().__init__(modules)
        self.unsafe = unsafe
        with no_grad():
            new = original
            for module in reversed(list(self)):
                if hasattr(module, "right_inverse"):
                    new = module.right_inverse(new)
        self.is_tensor = isinstance(new, Tensor)
        if self.is_tensor:
            if new is original or not isinstance(original, Parameter):
                _register_original(self, "original", original if new is original else new, original)
            else:
                # keep the same Parameter object (optimizers may hold it), now with the inverted value
                if tuple(new.shape) != tuple(original.shape) or new.dtype != original.dtype:
                    raise ValueError("right_inverse must keep the shape and dtype of the original when it "
                                     "returns a tensor")
                with no_grad():
                    original.copy_(new)
                _register_original(self, "original", original, original)
        else:
            self.ntensors = len(new)
            for i, value in enumerate(new):
                if not isinstance(value, Tensor):
                    raise ValueError(f"'right_inverse' must return a Tensor or a Sequence of tensors. Got "
                                     f"an element of type {type(value).__name__}")
                _register_original(self, f"original{i}", value.detach(), original)
        if not unsafe:
            value = self()
            if not isinstance(value, Tensor):
                raise ValueError(f"A parametrization must return a tensor. Got {type(value).__name__}.")
            if tuple(value.shape) != tuple(original.shape) or value.dtype != original.dtype:
                raise ValueError(f"Registering a parametrization may not change the shape or dtype of the tensor, "
                                 f"unless `unsafe` flag is enabled.\nunparametrized dtype: {original.dtype}\n"
                                 f"parametrized dtype: {value.dtype}\nunparametrized shape: "
                                 f"{tuple(original.shape)}\nparametrized shape: {tuple(value.shape)}")

    def originals(self):
        return [self.original] if self.is_tensor else [getattr(self, f"original{i}") for i in range(self.ntensors)]

    def right_inverse(self, value):
        """Stores the originals that make this list compute `value`."""
        with no_grad():
            for module in reversed(list(self)):
                if hasattr(module, "right_inverse"):
                    value = module.right_inverse(value)
                elif len(self) > 1 or not self.is_tensor:
                    raise RuntimeError(f"parametrization {type(module).__name__} does not implement "
                                       "right_inverse.")
            if self.is_tensor:
                if not isinstance(value, Tensor):
                    raise ValueError(f"`right_inverse` should return a tensor. Got {type(value).__name__}")
                self.original.copy_(value)
            else:
                if len(value) != self.ntensors:
                    raise ValueError(f"'right_inverse' must return a sequence of tensors of length {self.ntensors}."
                                     f" Got a sequence of length {len(value)}")
                for i, v in enumerate(value):
                    getattr(self, f"original{i}").copy_(v)

    def forward(self):
        x = self[0](*self.originals())
        for module in list(self)[1:]:
            x = module(x)
        return x


def _parametrized_property(name):
    def get(module):
        plist = module.parametrizations[name]
        if _cache["enabled"]:
            key = (id(module), name)
            if key not in _cache["values"]:
                _cache["values"][key] = plist()
            return _cache["values"][key]
        return plist()

    def set_(module, value):
        module.parametrizations[name].right_inverse(value)

    return property(get, set_)


def _inject_class(module):
    cls = module.__class__
    new_cls = type(f"Parametrized{cls.__name__}", (cls,), {"_class_before_parametrizations": cls})
    module.__class__ = new_cls


def register_parametrization(module, tensor_name, parametrization, *, unsafe=False):
    """Makes module.<tensor_name> be parametrization(original) from now on; returns module."""
    parametrization.train(module.training)
    if is_parametrized(module, tensor_name):
        plist = module.parametrizations[tensor_name]
        if not unsafe:
            current = getattr(module, tensor_name)
            value = parametrization(current)
            if not isinstance(value, Tensor):
                raise ValueError(f"A parametrization must return a tensor. Got {type(value).__name__}.")
            if tuple(value.shape) != tuple(current.shape) or value.dtype != current.dtype:
                raise ValueError("Registering a parametrization may not change the shape or dtype of the tensor, "
                                 "unless the `unsafe` flag is enabled.")
        plist.append(parametrization)
        plist.unsafe |= unsafe
        return module
    if tensor_name in module._parameters or tensor_name in module._buffers:
        original = getattr(module, tensor_name)
        plist = ParametrizationList([parametrization], original, unsafe=unsafe)
        delattr(module, tensor_name)
        if not is_parametrized(module):
            _inject_class(module)
            module.parametrizations = ModuleDict()
        setattr(module.__class__, tensor_name, _parametrized_property(tensor_name))
        module.parametrizations[tensor_name] = plist
        return module
    raise ValueError(f"Module '{module}' does not have a parameter, a buffer, or a parametrized element with name "
                     f"'{tensor_name}'")


def is_parametrized(module, tensor_name=None):
    parametrizations = getattr(module, "parametrizations", None)
    if parametrizations is None or not isinstance(parametrizations, ModuleDict):
        return False
    return len(parametrizations) > 0 if tensor_name is None else tensor_name in parametrizations


def type_before_parametrizations(module):
    """module's class as it was before any parametrization was registered."""
    return getattr(module.__class__, "_class_before_parametrizations", module.__class__) \
        if is_parametrized(module) else module.__class__


def remove_parametrizations(module, tensor_name, leave_parametrized=True):
    """Undoes register_parametrization: tensor_name becomes a plain parameter (or buffer) again, holding
    the parametrized value (leave_parametrized=True) or the original."""
    if not is_parametrized(module, tensor_name):
        raise ValueError(f"Module {module} does not have a parametrization on {tensor_name}")
    plist = module.parametrizations[tensor_name]
    if plist.is_tensor:
        original = plist.original
        if leave_parametrized:
            with no_grad():
                value = getattr(module, tensor_name)
            with no_grad():
                if tuple(value.shape) == tuple(original.shape) and value.dtype == original.dtype:
                    original.copy_(value)
                else:
                    original = Parameter(value.detach(), original.requires_grad) if isinstance(
                        original, Parameter) else value.detach()
    else:
        if not leave_parametrized:
            raise ValueError("Cannot leave unparametrized (`leave_parametrized=False`) a tensor that is "
                             "parametrized in terms of a sequence of tensors.")
        with no_grad():
            value = getattr(module, tensor_name)
        first = plist.original0
        original = Parameter(value.detach(), first.requires_grad) if isinstance(first, Parameter) else value.detach()
    delattr(module.__class__, tensor_name)
    del module.parametrizations[tensor_name]
    _register_original(module, tensor_name, original, original)
    if not is_parametrized(module):
        delattr(module, "parametrizations")
        module.__class__ = module.__class__._class_before_parametrizations
    return module


def transfer_parametrizations_and_params(from_module, to_module, tensor_name=None):
    """Registers from_module's parametrizations (of tensor_name, or all) on to_module and copies their
    originals' values; returns to_module."""
    if not is_parametrized(from_module):
        raise ValueError("from_module has no parametrizations to transfer")
    names = list(from_module.parametrizations) if tensor_name is None else [tensor_name]
    for name in names:
        source = from_module.parametrizations[name]
        if not is_parametrized(to_module, name):
            if not hasattr(to_module, name):
                value = Parameter(getattr(from_module, name).detach().clone())
                _register_original(to_module, name, value, value)
            for parametrization in source:
                register_parametrization(to_module, name, parametrization)
        target = to_module.parametrizations[name]
        with no_grad():
            for mine, theirs in zip(target.originals(), source.originals()):
                mine.copy_(theirs)
    return to_module
