"""Rprop (PyTorch's torch.optim.Rprop): resilient backpropagation."""

from .optimizer import (Optimizer, _check_no_differentiable, _check_tensor_lr, _evaluate_closure, _gather_group,
                        _to_scalar, _use_grad_for_differentiable)
from ._functional import _view_complex_as_real

__all__ = ["Rprop"]


class Rprop(Optimizer):
    """Each weight has its own step size, grown by etas[1] while its gradient keeps its sign and shrunk by
    etas[0] when the sign flips (that step is then skipped); weights move by the sign of the gradient only.

    State per parameter: 'step', 'prev' (the last gradient used) and 'step_size'.
    """

    def __init__(self, params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *, capturable=False, foreach=None,
                 maximize=False, differentiable=False):
        _check_tensor_lr(lr)
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        _check_no_differentiable(differentiable)
        defaults = dict(lr=lr, etas=etas, step_sizes=step_sizes, foreach=foreach, maximize=maximize,
                        differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    @_use_grad_for_differentiable
    def step(self, closure=None):
        """Performs a single optimization step; closure re-evaluates the model and returns the loss."""
        loss = _evaluate_closure(closure)
        for group in self.param_groups:
            params, grads, prevs, step_sizes, steps = [], [], [], [], []
            has_complex = _gather_group(self, group, params, grads,
                                        {"step": steps, "prev": prevs, "step_size": step_sizes})
            etaminus, etaplus = group["etas"]
            step_size_min, step_size_max = group["step_sizes"]
            lr = _to_scalar(group["lr"])
            for step_t, step_size in zip(steps, step_sizes):
                if step_t.item() == 0:
                    step_size.fill_(lr)  # every weight starts at the learning rate
            if has_complex:
                _view_complex_as_real(params, grads, prevs, step_sizes)
            for param, grad, prev, step_size, step_t in zip(params, grads, prevs, step_sizes, steps):
                step_t += 1
                if group["maximize"]:
                    grad = grad.neg()
                agreement = (grad * prev).sign()
                factor = agreement.new_ones(agreement.shape).masked_fill_(agreement > 0, etaplus).masked_fill_(
                    agreement < 0, etaminus)
                step_size.mul_(factor).clamp_(step_size_min, step_size_max)
                grad = grad.masked_fill(agreement < 0, 0)  # a flipped sign skips this step
                param.addcmul_(grad.sign(), step_size, value=-1)
                prev.copy_(grad)
        return loss
