"""SGD: stochastic gradient descent with optional momentum (PyTorch's torch.optim.SGD)."""

from . import _functional as F
from .optimizer import (Optimizer, _check_no_differentiable, _check_tensor_lr, _evaluate_closure, _to_scalar,
                        _use_grad_for_differentiable)

__all__ = ["SGD"]


class SGD(Optimizer):
    """Implements stochastic gradient descent (optionally with momentum).

    State per parameter (only when momentum != 0): 'momentum_buffer'.
    foreach and fused are accepted for compatibility: dyngraph has one list-based implementation.
    """

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *,
                 maximize=False, foreach=None, differentiable=False, fused=None):
        _check_tensor_lr(lr)
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        _check_no_differentiable(differentiable)
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay, nesterov=nesterov,
                        maximize=maximize, foreach=foreach, differentiable=differentiable, fused=fused)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("nesterov", False)
            group.setdefault("maximize", False)
            group.setdefault("foreach", None)
            group.setdefault("differentiable", False)
            group.setdefault("fused", False)

    def _init_group(self, group, params, grads, momentum_buffer_list):
        use_momentum = group["momentum"] != 0
        state = self.state
        for p in group["params"]:
            grad = p.grad
            if grad is not None:
                params.append(p)
                grads.append(grad)
                if use_momentum:
                    momentum_buffer_list.append(state[p].get("momentum_buffer"))

    @_use_grad_for_differentiable
    def step(self, closure=None):
        """Performs a single optimization step; closure re-evaluates the model and returns the loss."""
        loss = _evaluate_closure(closure)

        for group in self.param_groups:
            params, grads, momentum_buffer_list = [], [], []
            self._init_group(group, params, grads, momentum_buffer_list)
            F.sgd(params, grads, momentum_buffer_list, weight_decay=_to_scalar(group["weight_decay"]),
                  momentum=group["momentum"], lr=_to_scalar(group["lr"]), dampening=group["dampening"],
                  nesterov=group["nesterov"], maximize=group["maximize"])
            if group["momentum"] != 0:
                state = self.state
                for p, buf in zip(params, momentum_buffer_list):
                    state[p]["momentum_buffer"] = buf
        return loss
