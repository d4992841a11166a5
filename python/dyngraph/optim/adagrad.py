"""Adagrad (PyTorch's torch.optim.Adagrad)."""

from .._factories import full_like, tensor
from . import _functional as F
from .optimizer import (Optimizer, _check_no_differentiable, _check_tensor_lr, _evaluate_closure, _get_scalar_dtype,
                        _tensorize_scalar_state, _to_scalar, _use_grad_for_differentiable)

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    """Implements the Adagrad algorithm.

    State per parameter: 'step' and 'sum' (initialized to
    initial_accumulator_value). As in PyTorch the state exists from
    construction on, not from the first step.
    """

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10,
                 foreach=None, *, maximize=False, differentiable=False, fused=None):
        _check_tensor_lr(lr)
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= lr_decay:
            raise ValueError(f"Invalid lr_decay value: {lr_decay}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= initial_accumulator_value:
            raise ValueError(f"Invalid initial_accumulator_value value: {initial_accumulator_value}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        _check_no_differentiable(differentiable)
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, foreach=foreach, maximize=maximize,
                        differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(p, group)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("foreach", None)
            group.setdefault("maximize", False)
            group.setdefault("differentiable", False)
            group.setdefault("fused", None)
        _tensorize_scalar_state(self)

    def _init_state(self, p, group):
        init_value = group["initial_accumulator_value"]
        if p.is_complex():
            init_value = complex(init_value, init_value)
        state = self.state[p]
        state["step"] = tensor(0.0, dtype=_get_scalar_dtype())
        state["sum"] = full_like(p, init_value)

    def _init_group(self, group, params, grads, state_sums, state_steps):
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
            if len(state) == 0:  # a group added after construction
                self._init_state(p, group)
            state_sums.append(state["sum"])
            state_steps.append(state["step"])
        return has_complex

    @_use_grad_for_differentiable
    def step(self, closure=None):
        """Performs a single optimization step; closure re-evaluates the model and returns the loss."""
        loss = _evaluate_closure(closure)
        for group in self.param_groups:
            params, grads, state_sums, state_steps = [], [], [], []
            has_complex = self._init_group(group, params, grads, state_sums, state_steps)
            F.adagrad(params, grads, state_sums, state_steps, lr=_to_scalar(group["lr"]),
                      weight_decay=_to_scalar(group["weight_decay"]), lr_decay=group["lr_decay"], eps=group["eps"],
                      maximize=group["maximize"], has_complex=has_complex)
        return loss
