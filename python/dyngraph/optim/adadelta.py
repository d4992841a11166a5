"""Adadelta (PyTorch's torch.optim.Adadelta)."""

from .._factories import tensor, zeros_like
from . import _functional as F
from .optimizer import (Optimizer, _check_no_differentiable, _check_tensor_lr, _evaluate_closure, _get_scalar_dtype,
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
        has_complex = False
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
                state["acc_delta"] = zeros_like(p)
            square_avgs.append(state["square_avg"])
            acc_deltas.append(state["acc_delta"])
            state_steps.append(state["step"])
        return has_complex

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
