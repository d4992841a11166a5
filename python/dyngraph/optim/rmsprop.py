"""RMSprop (PyTorch's torch.optim.RMSprop)."""

from .._factories import tensor, zeros_like
from . import _functional as F
from .optimizer import (Optimizer, _check_no_differentiable, _check_tensor_lr, _evaluate_closure, _get_scalar_dtype,
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
        has_complex = False
        use_momentum = group["momentum"] > 0
        centered = group["centered"]
        all_state = self.state
        for p in group["params"]:
            grad = p.grad
            if grad is None:
                continue
            has_complex |= p.is_complex()
            params.append(p)
            grads.append(grad)
            state = all_state[p]
            if len(state) == 0:
                state["step"] = tensor(0.0, dtype=_get_scalar_dtype())
                state["square_avg"] = zeros_like(p)
                if use_momentum:
                    state["momentum_buffer"] = zeros_like(p)
                if centered:
                    state["grad_avg"] = zeros_like(p)
            square_avgs.append(state["square_avg"])
            state_steps.append(state["step"])
            if use_momentum:
                momentum_buffer_list.append(state["momentum_buffer"])
            if centered:
                grad_avgs.append(state["grad_avg"])
        return has_complex

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
