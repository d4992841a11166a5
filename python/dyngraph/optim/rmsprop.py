"""RMSprop (PyTorch's torch.optim.RMSprop)."""

from . import _functional as F
from .optimizer import (
    Optimizer, _gather_group, _check_no_differentiable, _check_tensor_lr, _evaluate_closure,
    _tensorize_scalar_state, _to_scalar, _use_grad_for_differentiable)

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """Implements RMSprop (optionally centered, with momentum).

    State per parameter: 'step', 'square_avg', plus 'momentum_buffer' when
    momentum > 0 and 'grad_avg' when centered.
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False,
                 capturable=False, foreach=None, maximize=False, differentiable=False):
        _check_tensor_lr(lr)
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= momentum:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= alpha:
            raise ValueError(f"Invalid alpha value: {alpha}")
        _check_no_differentiable(differentiable)
        defaults = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered, weight_decay=weight_decay,
                        capturable=capturable, foreach=foreach, maximize=maximize, differentiable=differentiable)
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("momentum", 0)
            group.setdefault("centered", False)
            group.setdefault("foreach", None)
            group.setdefault("maximize", False)
            group.setdefault("differentiable", False)
            group.setdefault("capturable", False)
        _tensorize_scalar_state(self)

    def _init_group(self, group, params, grads, square_avgs, momentum_buffer_list, grad_avgs, state_steps):
        lists = {"step": state_steps, "square_avg": square_avgs}
        if group["momentum"] > 0:
            lists["momentum_buffer"] = momentum_buffer_list
        if group["centered"]:
            lists["grad_avg"] = grad_avgs
        return _gather_group(self, group, params, grads, lists)

    @_use_grad_for_differentiable
    def step(self, closure=None):
        """Performs a single optimization step; closure re-evaluates the model and returns the loss."""
        loss = _evaluate_closure(closure)
        for group in self.param_groups:
            params, grads, square_avgs, grad_avgs, momentum_buffer_list, state_steps = [], [], [], [], [], []
            has_complex = self._init_group(group, params, grads, square_avgs, momentum_buffer_list, grad_avgs,
                                           state_steps)
            F.rmsprop(params, grads, square_avgs, grad_avgs, momentum_buffer_list, state_steps,
                      lr=_to_scalar(group["lr"]), alpha=group["alpha"], eps=group["eps"],
                      weight_decay=_to_scalar(group["weight_decay"]), momentum=group["momentum"],
                      centered=group["centered"], maximize=group["maximize"], has_complex=has_complex)
        return loss
