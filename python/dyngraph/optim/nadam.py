"""NAdam (PyTorch's torch.optim.NAdam)."""

from . import _functional as F
from .optimizer import (
    Optimizer, _gather_group, _check_no_differentiable, _check_tensor_lr, _evaluate_closure,
    _tensorize_scalar_state, _to_scalar, _use_grad_for_differentiable)

__all__ = ["NAdam"]


class NAdam(Optimizer):
    """Implements NAdam: Adam with Nesterov momentum (optionally with decoupled weight decay, i.e. NAdamW).

    State per parameter: 'step', 'mu_product', 'exp_avg' and 'exp_avg_sq'.
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, momentum_decay=4e-3,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False):
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
        if not 0.0 <= momentum_decay:
            raise ValueError(f"Invalid momentum_decay value: {momentum_decay}")
        _check_no_differentiable(differentiable)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, momentum_decay=momentum_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize, foreach=foreach,
                        capturable=capturable, differentiable=differentiable)
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("maximize", False)
            group.setdefault("foreach", None)
            group.setdefault("capturable", False)
            group.setdefault("differentiable", False)
            group.setdefault("decoupled_weight_decay", False)
        _tensorize_scalar_state(self, ("step", "mu_product"))

    def _init_group(self, group, params, grads, exp_avgs, exp_avg_sqs, mu_products, state_steps):
        return _gather_group(self, group, params, grads,
                             {"step": state_steps, "mu_product": mu_products, "exp_avg": exp_avgs,
                              "exp_avg_sq": exp_avg_sqs},
                             scalars=(("step", 0.0), ("mu_product", 1.0)))

    @_use_grad_for_differentiable
    def step(self, closure=None):
        """Performs a single optimization step; closure re-evaluates the model and returns the loss."""
        loss = _evaluate_closure(closure)
        for group in self.param_groups:
            params, grads, exp_avgs, exp_avg_sqs, mu_products, state_steps = [], [], [], [], [], []
            has_complex = self._init_group(group, params, grads, exp_avgs, exp_avg_sqs, mu_products, state_steps)
            beta1, beta2 = group["betas"]
            F.nadam(params, grads, exp_avgs, exp_avg_sqs, mu_products, state_steps, beta1=beta1, beta2=beta2,
                    lr=_to_scalar(group["lr"]), weight_decay=_to_scalar(group["weight_decay"]),
                    momentum_decay=group["momentum_decay"], eps=group["eps"],
                    decoupled_weight_decay=group["decoupled_weight_decay"], maximize=group["maximize"],
                    has_complex=has_complex)
        return loss
