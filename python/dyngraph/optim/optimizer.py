"""Optimizer: the base class every dyngraph optimizer derives from.

It owns the structure PyTorch's torch.optim.Optimizer owns (param groups,
per-parameter state, state_dict layout, hooks) so that checkpoints, LR
schedulers and training loops written for PyTorch work unchanged. The math of
each algorithm lives in optim/_functional.py.
"""

import functools
from collections import OrderedDict, defaultdict
from copy import deepcopy
from itertools import chain

from .. import _C
from .._C import Tensor
from .._factories import tensor
from .._tensor import RemovableHandle

__all__ = ["Optimizer", "register_optimizer_step_pre_hook", "register_optimizer_step_post_hook", "required"]


class _RequiredParameter:
    """Marks a default that every param group must give itself (e.g. SGD's lr in old PyTorch)."""

    def __repr__(self):
        return "<required parameter>"


required = _RequiredParameter()

_global_optimizer_pre_hooks = OrderedDict()
_global_optimizer_post_hooks = OrderedDict()
_next_hook_id = 0


def _add_hook(hooks, hook):
    """Stores hook in hooks under a fresh id; the handle removes it again."""
    global _next_hook_id
    hook_id = _next_hook_id
    _next_hook_id += 1
    hooks[hook_id] = hook
    handle = RemovableHandle(lambda: hooks.pop(hook_id, None))
    handle.id = hook_id
    return handle


def register_optimizer_step_pre_hook(hook):
    """hook(optimizer, args, kwargs) -> None or (args, kwargs), run before every optimizer's step."""
    return _add_hook(_global_optimizer_pre_hooks, hook)


def register_optimizer_step_post_hook(hook):
    """hook(optimizer, args, kwargs), run after every optimizer's step."""
    return _add_hook(_global_optimizer_post_hooks, hook)


def _typename(obj):
    """The type name PyTorch's error messages show (torch.typename's role)."""
    if isinstance(obj, Tensor):
        return "dyngraph.Tensor"
    cls = type(obj)
    return cls.__qualname__ if cls.__module__ == "builtins" else f"{cls.__module__}.{cls.__qualname__}"


def _use_grad_for_differentiable(step):
    """Runs step with autograd off: the updates are bookkeeping, not part of any graph.

    Calls the C++ switch directly rather than entering no_grad(), because this
    wraps every training step and per-step overhead is budgeted.
    """

    @functools.wraps(step)
    def _use_grad(self, *args, **kwargs):
        prev = _C.is_grad_enabled()
        _C._set_grad_enabled(False)
        try:
            return step(self, *args, **kwargs)
        finally:
            _C._set_grad_enabled(prev)

    return _use_grad


def _hooked_step(step):
    """Wraps a subclass's step so the step pre/post hooks run around it."""

    @functools.wraps(step)
    def wrapper(self, *args, **kwargs):
        if not (_global_optimizer_pre_hooks or self._optimizer_step_pre_hooks
                or self._optimizer_step_post_hooks or _global_optimizer_post_hooks):
            return step(self, *args, **kwargs)
        for pre_hook in chain(_global_optimizer_pre_hooks.values(), self._optimizer_step_pre_hooks.values()):
            result = pre_hook(self, args, kwargs)
            if result is not None:
                if isinstance(result, tuple) and len(result) == 2:
                    args, kwargs = result
                else:
                    raise RuntimeError(f"{step} must return None or a tuple of (new_args, new_kwargs), "
                                       f"but got {result}.")
        out = step(self, *args, **kwargs)
        for post_hook in chain(self._optimizer_step_post_hooks.values(), _global_optimizer_post_hooks.values()):
            post_hook(self, args, kwargs)
        return out

    wrapper.hooked = True
    return wrapper


def _evaluate_closure(closure):
    """Runs a step's closure with autograd on (step itself runs under no_grad); None gives None."""
    if closure is None:
        return None
    prev = _C.is_grad_enabled()
    _C._set_grad_enabled(True)
    try:
        return closure()
    finally:
        _C._set_grad_enabled(prev)


def _get_scalar_dtype():
    """dtype of the 'step' counters: float64 when that is the default dtype, else float32 (as PyTorch)."""
    from .. import float32, float64, get_default_dtype

    return float64 if get_default_dtype() is float64 else float32


def _to_scalar(x):
    """A hyperparameter as a Python number; Tensor hyperparameters (e.g. a Tensor lr) are read out."""
    return x.item() if isinstance(x, Tensor) else x


def _tensorize_scalar_state(optimizer, keys=("step",)):
    """Turns plain-number counters of loaded (older PyTorch) checkpoints into 0-d tensors, as PyTorch's
    __setstate__ does, since the update functions increment them in place."""
    for group in optimizer.param_groups:
        for p in group["params"]:
            p_state = optimizer.state.get(p)
            if not p_state:
                continue
            for key in keys:
                if key in p_state and not isinstance(p_state[key], Tensor):
                    p_state[key] = tensor(float(p_state[key]), dtype=_get_scalar_dtype())


def _gather_group(optimizer, group, params, grads, state_lists, scalars=(("step", 0.0),)):
    """Appends to params and grads each param of group that has a grad, and to each list of state_lists
    (name -> list, in creation order) that param's state of that name. State is created on first use:
    the names in scalars as 0-d tensors of the step dtype with the given initial value, the others as
    zeros_like(param). Returns whether any gathered param is complex."""
    from .._factories import zeros_like

    scalars = dict(scalars)
    has_complex = False
    for p in group["params"]:
        grad = p.grad
        if grad is None:
            continue
        has_complex |= p.is_complex()
        params.append(p)
        grads.append(grad)
        state = optimizer.state[p]
        if len(state) == 0:
            dtype = _get_scalar_dtype()
            for name in state_lists:
                state[name] = tensor(scalars[name], dtype=dtype) if name in scalars else zeros_like(p)
        for name, values in state_lists.items():
            values.append(state[name])
    return has_complex


def _check_no_differentiable(differentiable):
    """dyngraph runs every step under no_grad; differentiating through an update is not supported."""
    if differentiable:
        raise RuntimeError("dyngraph optimizers do not support differentiable=True")


def _check_tensor_lr(lr):
    if isinstance(lr, Tensor) and lr.numel() != 1:
        raise ValueError("Tensor lr must be 1-element")


_FLAG_DEFAULTS = {"foreach": None, "maximize": False, "differentiable": False, "capturable": False, "fused": None}


class Optimizer:
    """Base class for all optimizers.

    Args:
        params: an iterable of Tensors, of (name, Tensor) pairs, or of dicts
            (param groups, each with a "params" entry and per-group options).
        defaults: default values of the optimization options, used by groups
            that don't set them.
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        step = cls.__dict__.get("step")
        if step is not None and not getattr(step, "hooked", False):
            cls.step = _hooked_step(step)

    def __init__(self, params, defaults):
        self.defaults = defaults
        self._optimizer_step_pre_hooks = OrderedDict()
        self._optimizer_step_post_hooks = OrderedDict()
        self._optimizer_state_dict_pre_hooks = OrderedDict()
        self._optimizer_state_dict_post_hooks = OrderedDict()
        self._optimizer_load_state_dict_pre_hooks = OrderedDict()
        self._optimizer_load_state_dict_post_hooks = OrderedDict()

        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of Tensors or dicts, "
                            "but got " + _typename(params))

        self.state = defaultdict(dict)
        self.param_groups = []

        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for param_group in param_groups:
            self.add_param_group(param_group)

    def __getstate__(self):
        return {"defaults": self.defaults, "state": self.state, "param_groups": self.param_groups}

    def __setstate__(self, state):
        self.__dict__.update(state)
        for name in ("_optimizer_step_pre_hooks", "_optimizer_step_post_hooks", "_optimizer_state_dict_pre_hooks",
                     "_optimizer_state_dict_post_hooks", "_optimizer_load_state_dict_pre_hooks",
                     "_optimizer_load_state_dict_post_hooks"):
            if name not in self.__dict__:
                setattr(self, name, OrderedDict())
        self.defaults.setdefault("differentiable", False)
        # Groups pickled before a flag existed get its default (for the flags this optimizer has).
        for group in self.param_groups:
            for flag, value in _FLAG_DEFAULTS.items():
                if flag in self.defaults:
                    group.setdefault(flag, value)

    def __repr__(self):
        format_string = self.__class__.__name__ + " ("
        for i, group in enumerate(self.param_groups):
            format_string += "\n"
            format_string += f"Parameter Group {i}\n"
            for key in sorted(group.keys()):
                if key != "params":
                    format_string += f"    {key}: {group[key]}\n"
        format_string += ")"
        return format_string

    # ---- hooks -------------------------------------------------------------

    def register_step_pre_hook(self, hook):
        """hook(optimizer, args, kwargs) -> None or (new_args, new_kwargs), run before step."""
        return _add_hook(self._optimizer_step_pre_hooks, hook)

    def register_step_post_hook(self, hook):
        """hook(optimizer, args, kwargs), run after step."""
        return _add_hook(self._optimizer_step_post_hooks, hook)

    @staticmethod
    def _add_ordered_hook(hooks, hook, prepend):
        handle = _add_hook(hooks, hook)
        if prepend:
            hooks.move_to_end(handle.id, last=False)
        return handle

    def register_state_dict_pre_hook(self, hook, prepend=False):
        """hook(optimizer), run before state_dict() builds its result."""
        return self._add_ordered_hook(self._optimizer_state_dict_pre_hooks, hook, prepend)

    def register_state_dict_post_hook(self, hook, prepend=False):
        """hook(optimizer, state_dict) -> state_dict or None, run on state_dict()'s result."""
        return self._add_ordered_hook(self._optimizer_state_dict_post_hooks, hook, prepend)

    def register_load_state_dict_pre_hook(self, hook, prepend=False):
        """hook(optimizer, state_dict) -> state_dict or None, run before loading."""
        return self._add_ordered_hook(self._optimizer_load_state_dict_pre_hooks, hook, prepend)

    def register_load_state_dict_post_hook(self, hook, prepend=False):
        """hook(optimizer), run after loading."""
        return self._add_ordered_hook(self._optimizer_load_state_dict_post_hooks, hook, prepend)

    # ---- state_dict ----------------------------------------------------------

    def state_dict(self):
        """The optimizer's state as {'state': {index: {...}}, 'param_groups': [{..., 'params': [index]}]}.

        Parameters are replaced by their position across all groups, so the
        dict can be loaded into an optimizer built over other tensors of the
        same shapes. State tensors are referenced, not copied (as PyTorch).
        """
        for pre_hook in self._optimizer_state_dict_pre_hooks.values():
            pre_hook(self)

        param_mappings = {}
        start_index = 0

        def pack_group(group):
            nonlocal start_index
            packed = {k: v for k, v in group.items() if k != "params"}
            param_mappings.update({id(p): i for i, p in enumerate(group["params"], start_index)
                                   if id(p) not in param_mappings})
            packed["params"] = [param_mappings[id(p)] for p in group["params"]]
            start_index += len(packed["params"])
            return packed

        param_groups = [pack_group(g) for g in self.param_groups]
        packed_state = {(param_mappings[id(k)] if isinstance(k, Tensor) else k): v for k, v in self.state.items()}
        state_dict = {"state": packed_state, "param_groups": param_groups}

        for post_hook in self._optimizer_state_dict_post_hooks.values():
            hook_result = post_hook(self, state_dict)
            if hook_result is not None:
                state_dict = hook_result
        return state_dict

    @staticmethod
    def _process_value_according_to_param_policy(param, value, param_id, param_groups, key=None):
        """Floating state follows the parameter's dtype and device; 'step' keeps its own dtype."""
        if key == "step":
            fused_or_capturable = False
            for pg in param_groups:
                if param_id in pg["params"]:
                    fused_or_capturable = pg.get("fused") or pg.get("capturable")
                    break
            if fused_or_capturable:
                from .. import float32

                return value.to(dtype=float32, device=param.device)
            return value
        if param.is_floating_point():
            return value.to(dtype=param.dtype, device=param.device)
        return value.to(device=param.device)

    def load_state_dict(self, state_dict):
        """Loads a state_dict() result; groups must match this optimizer's in number and sizes."""
        state_dict = state_dict.copy()
        for pre_hook in self._optimizer_load_state_dict_pre_hooks.values():
            hook_result = pre_hook(self, state_dict)
            if hook_result is not None:
                state_dict = hook_result

        groups = self.param_groups
        saved_groups = deepcopy(state_dict["param_groups"])

        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved_groups)):
            raise ValueError("loaded state dict contains a parameter group that doesn't match the size of "
                             "optimizer's group")

        id_map = dict(zip(chain.from_iterable(g["params"] for g in saved_groups),
                          chain.from_iterable(g["params"] for g in groups)))

        def _cast(param, value, param_id=None, param_groups=None, key=None):
            if isinstance(value, Tensor):
                return Optimizer._process_value_according_to_param_policy(param, value, param_id, param_groups, key)
            if isinstance(value, dict):
                return {k: _cast(param, v, param_id=param_id, param_groups=param_groups, key=k)
                        for k, v in value.items()}
            if isinstance(value, (list, tuple)):
                return type(value)(_cast(param, v, param_id=param_id, param_groups=param_groups) for v in value)
            return value

        # State of known params is cast to them; anything else is kept as is (PyTorch's compatibility rule).
        state = defaultdict(dict)
        for k, v in state_dict["state"].items():
            if k in id_map:
                param = id_map[k]
                state[param] = _cast(param, v, param_id=k, param_groups=state_dict["param_groups"])
            else:
                state[k] = v

        def update_group(group, new_group):
            new_group["params"] = group["params"]
            if "param_names" in group and "param_names" not in new_group:
                new_group["param_names"] = group["param_names"]
            return new_group

        param_groups = [update_group(g, ng) for g, ng in zip(groups, saved_groups)]
        self.__setstate__({"state": state, "param_groups": param_groups})

        for post_hook in self._optimizer_load_state_dict_post_hooks.values():
            post_hook(self)

    # ---- gradients and groups -------------------------------------------------

    def zero_grad(self, set_to_none=True):
        """Drops every parameter's .grad (set_to_none=True) or zeroes it in place."""
        for group in self.param_groups:
            for p in group["params"]:
                grad = p.grad
                if grad is not None:
                    if set_to_none:
                        p.grad = None
                    else:
                        if grad.grad_fn is not None:
                            grad.detach_()
                        else:
                            grad.requires_grad_(False)
                        grad.zero_()

    def step(self, closure=None):
        """Performs one update; subclasses implement it (abstract, as in PyTorch)."""
        raise NotImplementedError(f"{type(self).__name__} does not implement step()")

    def add_param_group(self, param_group):
        """Adds a group of parameters (a dict with "params" and optional options) to optimize."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")

        params = param_group["params"]
        if isinstance(params, Tensor):
            param_group["params"] = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, but the ordering "
                            "of tensors in sets will change between runs. Please use a list instead.")
        else:
            param_group["params"] = list(params)

        # named_parameters() yields (name, tensor) pairs: keep the names beside the tensors.
        tensors, names = [], []
        for param in param_group["params"]:
            if isinstance(param, tuple):
                names.append(param[0])
                tensors.append(param[1])
            else:
                tensors.append(param)
        param_group["params"] = tensors
        if names:
            if len(names) == len(tensors):
                param_group["param_names"] = names
            else:
                raise ValueError("all optimizer params should be with/without names. Some param names are missing")

        for param in param_group["params"]:
            if not isinstance(param, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is " + _typename(param))
            if not self.defaults.get("differentiable", None) and not (param.is_leaf or param.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")

        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(f"parameter group didn't specify a value of required optimization parameter {name}")
            param_group.setdefault(name, default)

        params = param_group["params"]
        if len(params) != len(set(params)):
            import warnings

            warnings.warn("optimizer contains a parameter group with duplicate parameters; in future, this will "
                          "cause an error; see github.com/pytorch/pytorch/issues/40967 for more information",
                          stacklevel=3)

        param_set = set()
        for group in self.param_groups:
            param_set.update(set(group["params"]))
            if ("param_names" in param_group) != ("param_names" in group):
                current = "with names" if "param_names" in param_group else "without names"
                raise ValueError("all optimizer param groups should be with/without names. "
                                 f"cannot add param group {current} to the optimizer")

        if not param_set.isdisjoint(set(param_group["params"])):
            raise ValueError("some parameters appear in more than one parameter group")

        self.param_groups.append(param_group)
