"""ASGD (PyTorch's torch.optim.ASGD): averaged stochastic gradient descent."""

from .optimizer import (Optimizer, _check_no_differentiable, _check_tensor_lr, _evaluate_closure, _gather_group,
                        _to_scalar, _use_grad_for_differentiable)
from ._functional import _view_complex_as_real

__all__ = ["ASGD"]


class ASGD(Optimizer):
    """SGD with a decaying step eta = lr / (1 + lambd * lr * t) ** alpha and, after step t0, a running
    average of the iterates in state 'ax' (the averaged model).

    State per parameter: 'step', 'eta', 'mu' and 'ax'.
    """

    def __init__(self, params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0, foreach=None,
                 maximize=False, differentiable=False, capturable=False):
        _check_tensor_lr(lr)
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        _check_no_differentiable(differentiable)
        defaults = dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    @_use_grad_for_differentiable
    def step(self, closure=None):
        """Performs a single optimization step; closure re-evaluates the model and returns the loss."""
        loss = _evaluate_closure(closure)
        for group in self.param_groups:
            params, grads, steps, etas, mus, axs = [], [], [], [], [], []
            lr = _to_scalar(group["lr"])
            has_complex = _gather_group(self, group, params, grads,
                                        {"step": steps, "eta": etas, "mu": mus, "ax": axs},
                                        scalars=(("step", 0.0), ("eta", lr), ("mu", 1.0)))
            if has_complex:
                _view_complex_as_real(params, grads, axs)
            lambd, alpha, t0 = group["lambd"], group["alpha"], group["t0"]
            weight_decay = _to_scalar(group["weight_decay"])
            for param, grad, step_t, eta, mu, ax in zip(params, grads, steps, etas, mus, axs):
                step_t += 1
                step = step_t.item()
                if group["maximize"]:
                    grad = grad.neg()
                if weight_decay != 0:
                    grad = grad.add(param, alpha=weight_decay)
                eta_value = eta.item()
                param.mul_(1 - lambd * eta_value)
                param.add_(grad, alpha=-eta_value)
                if mu.item() != 1:
                    ax.add_(param.sub(ax).mul_(mu.item()))
                else:
                    ax.copy_(param)
                eta.fill_(lr / ((1 + lambd * lr * step) ** alpha))
                mu.fill_(1 / max(1, step - t0))
        return loss
