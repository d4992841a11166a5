"""Adamax (PyTorch's torch.optim.Adamax)."""

from . import _functional as F
from .optimizer import (
    Optimizer, _gather_group, _check_no_differentiable, _check_tensor_lr, _evaluate_closure,
    _tensorize_scalar_state, _to_scalar, _use_grad_for_differentiable)

__all__ = ["Adamax"]


class Adamax(Optimizer):
    """Implements Adamax, the infinity-norm variant of Adam.

    State per parameter: 'step', 'exp_avg' and 'exp_inf'.
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, foreach=None, *,
                 maximize=False, differentiable=False, capturable=False):
        _check_tensor_lr(lr)
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        _check_no_differentiable(differentiable)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, foreach=foreach, maximize=maximize,
                        differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("foreach", None)
            group.setdefault("maximize", False)
            group.setdefault("differentiable", False)
            group.setdefault("capturable", False)
        _tensorize_scalar_state(self)

    def _init_group(self, group, params, grads, exp_avgs, exp_infs, state_steps):
        return _gather_group(self, group, params, grads,
                             {"step": state_steps, "exp_avg": exp_avgs, "exp_inf": exp_infs})

    @_use_grad_for_differentiable
    def step(self, closure=None):
        """Performs a single optimization step; closure re-evaluates the model and returns the loss."""
        loss = _evaluate_closure(closure)
        for group in self.param_groups:
            params, grads, exp_avgs, exp_infs, state_steps = [], [], [], [], []
            has_complex = self._init_group(group, params, grads, exp_avgs, exp_infs, state_steps)
            beta1, beta2 = group["betas"]
            F.adamax(params, grads, exp_avgs, exp_infs, state_steps, eps=group["eps"], beta1=beta1, beta2=beta2,
                     lr=_to_scalar(group["lr"]), weight_decay=_to_scalar(group["weight_decay"]),
                     maximize=group["maximize"], has_complex=has_complex)
        return loss
