"""Adam (PyTorch's torch.optim.Adam); AdamW derives from it."""

from .._C import Tensor
from . import _functional as F
from .optimizer import (
    Optimizer, _gather_group, _check_no_differentiable, _check_tensor_lr, _evaluate_closure,
    _tensorize_scalar_state, _to_scalar, _use_grad_for_differentiable)

__all__ = ["Adam"]


def _check_betas(betas):
    if not 0.0 <= betas[0] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
    if not 0.0 <= betas[1] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")


class Adam(Optimizer):
    """Implements the Adam algorithm (with AMSGrad, maximize, and optionally decoupled weight decay).

    State per parameter: 'step' (0-d float tensor), 'exp_avg', 'exp_avg_sq',
    and 'max_exp_avg_sq' when amsgrad. foreach, fused and capturable are
    accepted for compatibility: dyngraph has one list-based implementation.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *,
                 foreach=None, maximize=False, capturable=False, differentiable=False, fused=None,
                 decoupled_weight_decay=False):
        _check_tensor_lr(lr)
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        _check_betas(betas)
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not ((isinstance(betas[0], float) and isinstance(betas[1], float))
                or (isinstance(betas[0], Tensor) and isinstance(betas[1], Tensor))):
            raise ValueError("betas must be either both floats or both Tensors")
        for i, beta in enumerate(betas):
            if isinstance(beta, Tensor) and beta.numel() != 1:
                raise ValueError(f"Tensor betas[{i}] must be 1-element")
        _check_no_differentiable(differentiable)
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                        maximize=maximize, foreach=foreach, capturable=capturable, differentiable=differentiable,
                        fused=fused, decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("amsgrad", False)
            group.setdefault("maximize", False)
            group.setdefault("foreach", None)
            group.setdefault("capturable", False)
            group.setdefault("differentiable", False)
            group.setdefault("decoupled_weight_decay", False)
            group.setdefault("fused", None)
        _tensorize_scalar_state(self)

    def _init_group(self, group, params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, state_steps):
        lists = {"step": state_steps, "exp_avg": exp_avgs, "exp_avg_sq": exp_avg_sqs}
        if group["amsgrad"]:
            lists["max_exp_avg_sq"] = max_exp_avg_sqs
        return _gather_group(self, group, params, grads, lists)

    @_use_grad_for_differentiable
    def step(self, closure=None):
        """Performs a single optimization step; closure re-evaluates the model and returns the loss."""
        loss = _evaluate_closure(closure)
        for group in self.param_groups:
            params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, state_steps = [], [], [], [], [], []
            has_complex = self._init_group(group, params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs,
                                           state_steps)
            beta1, beta2 = group["betas"]
            F.adam(params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, state_steps, amsgrad=group["amsgrad"],
                   beta1=_to_scalar(beta1), beta2=_to_scalar(beta2), lr=_to_scalar(group["lr"]),
                   weight_decay=_to_scalar(group["weight_decay"]), eps=group["eps"], maximize=group["maximize"],
                   decoupled_weight_decay=group["decoupled_weight_decay"], has_complex=has_complex)
        return loss
