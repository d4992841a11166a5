"""Weight normalization, the legacy hook form (torch.nn.utils.weight_norm):
weight = g * v / ||v||, with g (weight_g) and v (weight_v) the parameters and
weight recomputed before every forward. norm_except_dim is the norm it uses:
over every dim but `dim`, kept broadcastable against the weight."""

import warnings

from ..._signature import typed
from ..parameter import Parameter

__all__ = ["weight_norm", "remove_weight_norm", "norm_except_dim"]


@typed("norm_except_dim", v="Tensor", pow="int", dim="int")
def norm_except_dim(v, pow=2, dim=0):
    """The pow-norm of v over all dims except dim (over all of v when dim is -1 or None), shaped to
    broadcast against v."""
    if dim is None or dim == -1:
        return v.norm(pow)
    dim = dim % v.dim()
    others = [d for d in range(v.dim()) if d != dim]
    return v.norm(pow, dim=others, keepdim=True) if others else v.abs() if pow else v


def _weight_from(g, v, dim):
    return v * (g / norm_except_dim(v, 2, dim))


class _WeightNormHook:
    def __init__(self, name, dim):
        self.name = name
        self.dim = dim

    def compute_weight(self, module):
        return _weight_from(getattr(module, self.name + "_g"), getattr(module, self.name + "_v"), self.dim)

    def __call__(self, module, inputs):
        setattr(module, self.name, self.compute_weight(module))


def weight_norm(module, name="weight", dim=0):
    """Replaces module.<name> by <name>_g (its norm over every dim but dim) and <name>_v (its direction);
    the weight is recomputed from them before each forward. Returns module."""
    for hook in module._forward_pre_hooks.values():
        if isinstance(hook, _WeightNormHook) and hook.name == name:
            raise RuntimeError(f"Cannot register two weight_norm hooks on the same parameter {name}")
    warnings.warn("`dyngraph.nn.utils.weight_norm` is deprecated in favor of "
                  "`dyngraph.nn.utils.parametrizations.weight_norm`.", FutureWarning, stacklevel=2)
    if dim is None:
        dim = -1
    weight = getattr(module, name)
    hook = _WeightNormHook(name, dim)
    del module._parameters[name]
    module.register_parameter(name + "_g", Parameter(norm_except_dim(weight, 2, dim).detach()))
    module.register_parameter(name + "_v", Parameter(weight.detach()))
    setattr(module, name, hook.compute_weight(module))
    module.register_forward_pre_hook(hook)
    return module


def remove_weight_norm(module, name="weight"):
    """Folds <name>_g and <name>_v back into one parameter <name> and removes the hook."""
    for key, hook in list(module._forward_pre_hooks.items()):
        if isinstance(hook, _WeightNormHook) and hook.name == name:
            weight = hook.compute_weight(module).detach()
            delattr(module, name)
            del module._parameters[name + "_g"]
            del module._parameters[name + "_v"]
            module.register_parameter(name, Parameter(weight))
            del module._forward_pre_hooks[key]
            return module
    raise ValueError(f"weight_norm of '{name}' not found in {module}")
