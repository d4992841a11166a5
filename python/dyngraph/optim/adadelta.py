"""Adadelta (PyTorch's torch.optim.Adadelta)."""

from . import _functional as F
from .optimizer import (
    Optimizer, _gather_group, _check_no_differentiable, _check_tensor_lr, _evaluate_closure,
    _tensorize_scalar_state, _to_scalar, _use_grad_for_differentiable)

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    """Implements the Adadelta algorithm.

    State per parameter: 'step', 'square_avg' (running E[g^2]) and 'acc_delta' (running E[dx^2]).
    """

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *, capturable=False,
                 maximize=False, differentiable=False):
        _check_tensor_lr(lr)
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        _check_no_differentiable(differentiable)
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize, capturable=capturable,
                        foreach=foreach, differentiable=differentiable)
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("foreach", None)
            group.setdefault("maximize", False)
            group.setdefault("differentiable", False)
            group.setdefault("capturable", False)
        _tensorize_scalar_state(self)

    def _init_group(self, group, params, grads, square_avgs, acc_deltas, state_steps):
        return _gather_group(self, group, params, grads,
                             {"step": state_steps, "square_avg": square_avgs, "acc_delta": acc_deltas})

    @_use_grad_for_differentiable
    def step(self, closure=None):
        """Performs a single optimization step; closure re-evaluates the model and returns the loss."""
        loss = _evaluate_closure(closure)
        for group in self.param_groups:
            params, grads, square_avgs, acc_deltas, state_steps = [], [], [], [], []
            has_complex = self._init_group(group, params, grads, square_avgs, acc_deltas, state_steps)
            F.adadelta(params, grads, square_avgs, acc_deltas, state_steps, lr=_to_scalar(group["lr"]),
                       rho=group["rho"], eps=group["eps"], weight_decay=_to_scalar(group["weight_decay"]),
                       maximize=group["maximize"], has_complex=has_complex)
        return loss
