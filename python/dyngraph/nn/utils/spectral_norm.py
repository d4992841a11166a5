"""Spectral normalization, the legacy hook form (torch.nn.utils.spectral_norm):
weight = weight_orig / sigma, with sigma the largest singular value of the
weight (as a matrix: dim first, the rest flattened) estimated by power
iteration on the buffers weight_u and weight_v, advanced in training mode
before each forward. The power iteration is shared with
parametrizations.spectral_norm."""

from ... import _C
from ...autograd.grad_mode import no_grad
from .. import functional as F
from ..parameter import Parameter

__all__ = ["spectral_norm", "remove_spectral_norm"]


def weight_as_matrix(weight, dim):
    """The weight with dim moved first and the other dims flattened: (size(dim), -1)."""
    if dim != 0:
        weight = weight.permute([dim] + [d for d in range(weight.dim()) if d != dim])
    return weight.reshape(weight.shape[0], -1)


def power_iteration(matrix, u, v, iterations, eps):
    """Advances the left/right singular vector estimates u and v in place, without autograd."""
    with no_grad():
        for _ in range(iterations):
            v.copy_(F.normalize(_C.mv(matrix.conj().transpose(0, 1), u), dim=0, eps=eps))
            u.copy_(F.normalize(_C.mv(matrix, v), dim=0, eps=eps))


def sigma_of(matrix, u, v):
    """u^H W v: the largest singular value once u and v have converged (differentiable in W)."""
    return _C.vdot(u, _C.mv(matrix, v))


class _SpectralNormHook:
    def __init__(self, name, n_power_iterations, dim, eps):
        if n_power_iterations <= 0:
            raise ValueError(f"Expected n_power_iterations to be positive, but got n_power_iterations="
                             f"{n_power_iterations}")
        self.name = name
        self.n_power_iterations = n_power_iterations
        self.dim = dim
        self.eps = eps

    def compute_weight(self, module, do_power_iteration):
        weight = getattr(module, self.name + "_orig")
        u, v = getattr(module, self.name + "_u"), getattr(module, self.name + "_v")
        matrix = weight_as_matrix(weight, self.dim)
        if do_power_iteration:
            power_iteration(matrix.detach(), u, v, self.n_power_iterations, self.eps)
            # u and v are used as constants: clones keep them out of the graph's saved tensors
            u, v = u.clone(), v.clone()
        return weight / sigma_of(matrix, u, v)

    def __call__(self, module, inputs):
        setattr(module, self.name, self.compute_weight(module, do_power_iteration=module.training))


def spectral_norm(module, name="weight", n_power_iterations=1, eps=1e-12, dim=None):
    """Rescales module.<name> by its spectral norm before every forward (see the module docstring);
    dim defaults to 1 for transposed convolutions and 0 otherwise. Returns module."""
    for hook in module._forward_pre_hooks.values():
        if isinstance(hook, _SpectralNormHook) and hook.name == name:
            raise RuntimeError(f"Cannot register two spectral_norm hooks on the same parameter {name}")
    if dim is None:
        from ..modules.conv import ConvTranspose1d, ConvTranspose2d, ConvTranspose3d

        dim = 1 if isinstance(module, (ConvTranspose1d, ConvTranspose2d, ConvTranspose3d)) else 0
    hook = _SpectralNormHook(name, n_power_iterations, dim, eps)
    weight = module._parameters[name]
    with no_grad():
        matrix = weight_as_matrix(weight, dim)
        h, w = matrix.shape
        u = F.normalize(weight.new_empty(h).normal_(0, 1), dim=0, eps=eps)
        v = F.normalize(weight.new_empty(w).normal_(0, 1), dim=0, eps=eps)
    del module._parameters[name]
    module.register_parameter(name + "_orig", weight)
    setattr(module, name, weight.detach())
    module.register_buffer(name + "_u", u)
    module.register_buffer(name + "_v", v)
    module.register_forward_pre_hook(hook)
    return module


def remove_spectral_norm(module, name="weight"):
    """Replaces the hook's computed weight by a plain parameter holding its current value."""
    for key, hook in list(module._forward_pre_hooks.items()):
        if isinstance(hook, _SpectralNormHook) and hook.name == name:
            with no_grad():
                weight = hook.compute_weight(module, do_power_iteration=False)
            delattr(module, name)
            del module._parameters[name + "_orig"]
            del module._buffers[name + "_u"]
            del module._buffers[name + "_v"]
            module.register_parameter(name, Parameter(weight.detach()))
            del module._forward_pre_hooks[key]
            return module
    raise ValueError(f"spectral_norm of '{name}' not found in {module}")
