"""dyngraph.nn.utils.prune (torch.nn.utils.prune): pruning by masks.

Pruning parameter ``name`` of a module moves the parameter to ``name + "_orig"``,
stores the mask as the buffer ``name + "_mask"`` and registers the pruning
method as a forward pre-hook that recomputes ``name = mask * name_orig`` before
each forward, so gradients reach only the kept entries. Pruning the same
tensor again combines the masks in a PruningContainer: the new method sees only
the entries (unstructured) or slices (structured) still unpruned. ``remove``
makes the pruning permanent. The state_dict keys are PyTorch's.
"""

import numbers
from abc import ABC, abstractmethod
from collections.abc import Iterable

import dyngraph

__all__ = ["BasePruningMethod", "PruningContainer", "Identity", "RandomUnstructured", "L1Unstructured",
           "RandomStructured", "LnStructured", "CustomFromMask", "identity", "random_unstructured",
           "l1_unstructured", "random_structured", "ln_structured", "global_unstructured", "custom_from_mask",
           "remove", "is_pruned"]


class BasePruningMethod(ABC):
    """A pruning method: ``compute_mask`` says which entries of a tensor to keep.

    PRUNING_TYPE is "unstructured" (single entries), "structured" (whole
    slices along ``self.dim``) or "global" (the mask is given whole); it says
    how a PruningContainer restricts the method to what earlier methods kept.
    """

    _tensor_name: str

    def __call__(self, module, inputs):
        # The forward pre-hook: the pruned tensor, recomputed from the current original and mask.
        setattr(module, self._tensor_name, self.apply_mask(module))

    @abstractmethod
    def compute_mask(self, t, default_mask):
        """The new mask for tensor ``t``, given the mask already applied (``default_mask``)."""

    def apply_mask(self, module):
        assert getattr(self, "_tensor_name", None) is not None, f"Module {module} has to be pruned"
        mask = getattr(module, self._tensor_name + "_mask")
        orig = getattr(module, self._tensor_name + "_orig")
        return mask.to(dtype=orig.dtype) * orig

    @classmethod
    def apply(cls, module, name, *args, importance_scores=None, **kwargs):
        """Prunes ``module.name`` with a new ``cls(*args, **kwargs)``, combined with any earlier pruning of it."""
        method = _attach_method(cls(*args, **kwargs), module, name)
        orig = getattr(module, name)
        if importance_scores is not None:
            assert importance_scores.shape == orig.shape, (
                f"importance_scores should have the same shape as parameter {name} of {module}")
        else:
            importance_scores = orig
        first_pruning = not isinstance(method, PruningContainer)
        if first_pruning:
            # The parameter moves to name_orig; name becomes a plain attribute, recomputed by the hook.
            module.register_parameter(name + "_orig", orig)
            del module._parameters[name]
            default_mask = dyngraph.ones_like(orig)
        else:
            default_mask = getattr(module, name + "_mask").detach().clone(memory_format=dyngraph.contiguous_format)
        try:
            mask = method.compute_mask(importance_scores, default_mask=default_mask)
            module.register_buffer(name + "_mask", mask)
            setattr(module, name, method.apply_mask(module))
            module.register_forward_pre_hook(method)
        except Exception:
            if first_pruning:  # put the parameter back as it was
                orig = getattr(module, name + "_orig")
                module.register_parameter(name, orig)
                del module._parameters[name + "_orig"]
            raise
        return method

    def prune(self, t, default_mask=None, importance_scores=None):
        """``t`` times the mask this method computes (from ``importance_scores`` where given)."""
        if importance_scores is not None:
            assert importance_scores.shape == t.shape, "importance_scores should have the same shape as tensor t"
        else:
            importance_scores = t
        default_mask = default_mask if default_mask is not None else dyngraph.ones_like(t)
        return t * self.compute_mask(importance_scores, default_mask=default_mask)

    def remove(self, module):
        """Makes the pruning permanent: ``name`` becomes a parameter again holding the pruned values."""
        assert getattr(self, "_tensor_name", None) is not None, (
            f"Module {module} has to be pruned before pruning can be removed")
        weight = self.apply_mask(module)
        if hasattr(module, self._tensor_name):
            delattr(module, self._tensor_name)
        orig = module._parameters[self._tensor_name + "_orig"]
        orig.data = weight.data
        del module._parameters[self._tensor_name + "_orig"]
        del module._buffers[self._tensor_name + "_mask"]
        setattr(module, self._tensor_name, orig)


def _attach_method(method, module, name):
    """Takes the module's pruning hook of ``name`` off, and returns what replaces it: ``method`` alone, or
    ``method`` added to a PruningContainer with the earlier methods."""
    earlier = [(key, hook) for key, hook in module._forward_pre_hooks.items()
               if isinstance(hook, BasePruningMethod) and hook._tensor_name == name]
    assert len(earlier) <= 1, (f"Avoid adding multiple pruning hooks to the same tensor {name} of module {module}. "
                               "Use a PruningContainer.")
    method._tensor_name = name
    if not earlier:
        return method
    key, old = earlier[0]
    del module._forward_pre_hooks[key]
    if not isinstance(old, PruningContainer):
        old = PruningContainer(old)
    old.add_pruning_method(method)
    return old


class PruningContainer(BasePruningMethod):
    """The sequence of pruning methods applied to one tensor; its mask is the
    last method's, computed on what the earlier ones kept."""

    def __init__(self, *args):
        self._pruning_methods = ()
        for method in args:
            self.add_pruning_method(method)

    def add_pruning_method(self, method):
        if method is None:
            return
        if not isinstance(method, BasePruningMethod):
            raise TypeError(f"{type(method)} is not a BasePruningMethod subclass")
        if getattr(self, "_tensor_name", None) is None:
            self._tensor_name = method._tensor_name
        elif self._tensor_name != method._tensor_name:
            raise ValueError(f"Can only add pruning methods acting on the parameter named '{self._tensor_name}' "
                             f"to PruningContainer {self}. Found '{method._tensor_name}'")
        self._pruning_methods += (method,)

    def __len__(self):
        return len(self._pruning_methods)

    def __iter__(self):
        return iter(self._pruning_methods)

    def __getitem__(self, idx):
        return self._pruning_methods[idx]

    def compute_mask(self, t, default_mask):
        """The last method's mask over the part of ``t`` that ``default_mask`` still keeps."""
        method = self._pruning_methods[-1]
        new_mask = default_mask.to(dtype=t.dtype)
        kind = getattr(method, "PRUNING_TYPE", None)
        if kind == "unstructured":
            keep = default_mask == 1
        elif kind == "structured":
            if not hasattr(method, "dim"):
                raise AttributeError("Pruning methods of PRUNING_TYPE 'structured' need to have the attribute "
                                     "`dim` defined.")
            dims = t.dim()
            dim = method.dim + dims if method.dim < 0 else method.dim
            if dim < 0:
                raise IndexError(f"Index is out of bounds for tensor with dimensions {dims}")
            kept_slices = default_mask.sum(dim=[d for d in range(dims) if d != dim]) != 0
            keep = tuple(kept_slices if d == dim else slice(None) for d in range(dims))
        elif kind == "global":
            keep = (slice(None),) * t.dim()
        else:
            raise ValueError(f"Unrecognized PRUNING_TYPE {kind}")
        partial_mask = method.compute_mask(t[keep], default_mask=default_mask[keep])
        new_mask[keep] = partial_mask.to(dtype=new_mask.dtype)
        return new_mask


class Identity(BasePruningMethod):
    """Prunes nothing: the mask stays all ones."""

    PRUNING_TYPE = "unstructured"

    def compute_mask(self, t, default_mask):
        return default_mask

    @classmethod
    def apply(cls, module, name):
        return super().apply(module, name)


class _ByScore(BasePruningMethod):
    """Unstructured pruning of the ``amount`` entries (a count, or a fraction in [0, 1]) of lowest score."""

    PRUNING_TYPE = "unstructured"

    def __init__(self, amount):
        _check_amount(amount)
        self.amount = amount

    def compute_mask(self, t, default_mask):
        count = _prune_count(self.amount, t.numel())
        mask = default_mask.clone(memory_format=dyngraph.contiguous_format)
        if count != 0:
            lowest = dyngraph.topk(self._scores(t).reshape(-1), k=count, largest=False).indices
            mask.view(-1)[lowest] = 0
        return mask


class RandomUnstructured(_ByScore):
    """Prunes ``amount`` entries (a count, or a fraction in [0, 1]) chosen at random."""

    def _scores(self, t):
        return dyngraph.rand_like(t)

    @classmethod
    def apply(cls, module, name, amount):
        return super().apply(module, name, amount=amount)


class L1Unstructured(_ByScore):
    """Prunes the ``amount`` entries of smallest absolute value."""

    def _scores(self, t):
        return dyngraph.abs(t)

    @classmethod
    def apply(cls, module, name, amount, importance_scores=None):
        return super().apply(module, name, amount=amount, importance_scores=importance_scores)


class _BySlice(BasePruningMethod):
    """Structured pruning of ``amount`` whole slices along ``dim`` (a count, or a fraction in [0, 1]):
    the mask keeps the slices ``_kept`` chooses."""

    PRUNING_TYPE = "structured"

    def __init__(self, amount, dim=-1):
        _check_amount(amount)
        self.amount = amount
        self.dim = dim

    def compute_mask(self, t, default_mask):
        slices = _structured_size(t, self.dim)
        count = _prune_count(self.amount, slices)
        if count == 0:
            return default_mask
        mask = _slice_mask(t, self.dim, self._kept(t, slices, count))
        mask *= default_mask.to(dtype=mask.dtype)
        return mask


class RandomStructured(_BySlice):
    """Prunes ``amount`` whole slices along ``dim``, chosen at random."""

    def _kept(self, t, slices, count):
        draw = dyngraph.rand(slices)
        return draw > dyngraph.kthvalue(draw, k=count).values

    @classmethod
    def apply(cls, module, name, amount, dim=-1):
        return super().apply(module, name, amount=amount, dim=dim)


class LnStructured(_BySlice):
    """Prunes the ``amount`` slices along ``dim`` of smallest L``n`` norm."""

    def __init__(self, amount, n, dim=-1):
        super().__init__(amount, dim)
        self.n = n

    def _kept(self, t, slices, count):
        dim = self.dim + t.dim() if self.dim < 0 else self.dim
        norms = dyngraph.norm(t, p=self.n, dim=[d for d in range(t.dim()) if d != dim])
        return dyngraph.topk(norms, k=slices - count, largest=True).indices

    @classmethod
    def apply(cls, module, name, amount, n, dim, importance_scores=None):
        return super().apply(module, name, amount=amount, n=n, dim=dim, importance_scores=importance_scores)


class CustomFromMask(BasePruningMethod):
    """Prunes where the given mask is 0."""

    PRUNING_TYPE = "global"

    def __init__(self, mask):
        self.mask = mask

    def compute_mask(self, t, default_mask):
        assert default_mask.shape == self.mask.shape
        return default_mask * self.mask.to(dtype=default_mask.dtype)

    @classmethod
    def apply(cls, module, name, mask):
        return super().apply(module, name, mask=mask)


# ---- functions ---------------------------------------------------------------------------------------------


def identity(module, name):
    """Adds an all-ones mask to ``module.name`` (the pruning machinery without pruning)."""
    Identity.apply(module, name)
    return module


def random_unstructured(module, name, amount):
    RandomUnstructured.apply(module, name, amount)
    return module


def l1_unstructured(module, name, amount, importance_scores=None):
    L1Unstructured.apply(module, name, amount=amount, importance_scores=importance_scores)
    return module


def random_structured(module, name, amount, dim):
    RandomStructured.apply(module, name, amount, dim)
    return module


def ln_structured(module, name, amount, n, dim, importance_scores=None):
    LnStructured.apply(module, name, amount, n, dim, importance_scores=importance_scores)
    return module


def custom_from_mask(module, name, mask):
    CustomFromMask.apply(module, name, mask)
    return module


def global_unstructured(parameters, pruning_method, importance_scores=None, **kwargs):
    """Prunes the (module, name) pairs in ``parameters`` as one tensor: ``pruning_method(**kwargs)`` (an
    unstructured method) chooses among all their entries at once."""
    if not isinstance(parameters, Iterable):
        raise TypeError("global_unstructured(): parameters is not an Iterable")
    parameters = list(parameters)
    importance_scores = importance_scores if importance_scores is not None else {}
    if not isinstance(importance_scores, dict):
        raise TypeError("global_unstructured(): importance_scores must be of type dict")
    flat = lambda tensors: dyngraph.cat([t.reshape(-1) for t in tensors]) if tensors else dyngraph.tensor([])
    scores = flat([importance_scores.get((module, name), getattr(module, name)) for module, name in parameters])
    default_mask = flat([getattr(module, name + "_mask", None) if hasattr(module, name + "_mask")
                         else dyngraph.ones_like(getattr(module, name)) for module, name in parameters])
    method = pruning_method(**kwargs)
    method._tensor_name = "temp"
    if method.PRUNING_TYPE != "unstructured":
        raise TypeError('Only "unstructured" PRUNING_TYPE supported for the `pruning_method`. Found method '
                        f"{pruning_method} of type {method.PRUNING_TYPE}")
    container = PruningContainer(method)
    final_mask = container.compute_mask(scores.detach(), default_mask)
    start = 0
    for module, name in parameters:
        param = getattr(module, name)
        custom_from_mask(module, name, mask=final_mask[start:start + param.numel()].view_as(param))
        start += param.numel()


def remove(module, name):
    """Makes the pruning of ``module.name`` permanent and removes its mask, original and hook."""
    for key, hook in module._forward_pre_hooks.items():
        if isinstance(hook, BasePruningMethod) and hook._tensor_name == name:
            hook.remove(module)
            del module._forward_pre_hooks[key]
            return module
    raise ValueError(f"Parameter '{name}' of module {module} has to be pruned before pruning can be removed")


def is_pruned(module):
    """Whether any submodule of ``module`` has a pruning hook."""
    return any(isinstance(hook, BasePruningMethod)
               for _, sub in module.named_modules() for hook in sub._forward_pre_hooks.values())


# ---- helpers -----------------------------------------------------------------------------------------------


def _check_amount(amount):
    if not isinstance(amount, numbers.Real):
        raise TypeError(f"Invalid type for amount: {amount}. Must be int or float.")
    if (isinstance(amount, numbers.Integral) and amount < 0) or (
            not isinstance(amount, numbers.Integral) and not 0.0 <= float(amount) <= 1.0):
        raise ValueError(f"amount={amount} should either be a float in the range [0, 1] or a non-negative integer")


def _prune_count(amount, size):
    """How many of ``size`` entries or slices ``amount`` prunes: a count as given, a fraction rounded."""
    _check_amount(amount)
    count = amount if isinstance(amount, numbers.Integral) else round(amount * size)
    if isinstance(amount, numbers.Integral) and amount > size:
        raise ValueError(f"amount={amount} should be smaller than the number of parameters to prune={size}")
    return count


def _structured_size(t, dim):
    """The number of slices along ``dim``, for a tensor that structured pruning accepts."""
    if t.dim() <= 1:
        raise ValueError(f"Structured pruning can only be applied to multidimensional tensors. Found tensor of "
                         f"shape {t.shape} with {t.dim()} dims")
    if dim >= t.dim():
        raise IndexError(f"Invalid index {dim} for tensor of size {t.shape}")
    return t.shape[dim]


def _slice_mask(t, dim, keep):
    """Zeros shaped like ``t``, with ones on the slices along ``dim`` that ``keep`` selects."""
    mask = dyngraph.zeros_like(t)
    mask[tuple(keep if d == dim % t.dim() else slice(None) for d in range(t.dim()))] = 1
    return mask
