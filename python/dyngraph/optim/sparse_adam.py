"""SparseAdam (PyTorch's torch.optim.SparseAdam): lazy Adam, which moves only
the entries that have a gradient. dyngraph has no sparse tensors, so the
entries of a dense gradient that are nonzero play the part of a sparse
gradient's indices (an embedding's untouched rows have zero gradient): their
moments and values update, every other entry keeps its state untouched."""

import math

from .optimizer import Optimizer, _check_tensor_lr, _evaluate_closure, _to_scalar, _use_grad_for_differentiable

__all__ = ["SparseAdam"]


class SparseAdam(Optimizer):
    """State per parameter: 'step' (an int, as PyTorch's), 'exp_avg' and 'exp_avg_sq'."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, maximize=False):
        _check_tensor_lr(lr)
        if not 0.0 < lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 < eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, maximize=maximize))

    @_use_grad_for_differentiable
    def step(self, closure=None):
        """Performs a single optimization step; closure re-evaluates the model and returns the loss."""
        import dyngraph

        loss = _evaluate_closure(closure)
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            lr = _to_scalar(group["lr"])
            for p in group["params"]:
                if p.grad is None:
                    continue
                grad = -p.grad if group.get("maximize", False) else p.grad
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = 0
                    state["exp_avg"] = dyngraph.zeros_like(p)
                    state["exp_avg_sq"] = dyngraph.zeros_like(p)
                state["step"] += 1
                present = grad != 0
                exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
                exp_avg.copy_(dyngraph.where(present, exp_avg + (grad - exp_avg) * (1 - beta1), exp_avg))
                exp_avg_sq.copy_(dyngraph.where(present, exp_avg_sq + (grad * grad - exp_avg_sq) * (1 - beta2),
                                                exp_avg_sq))
                step_size = lr * math.sqrt(1 - beta2 ** state["step"]) / (1 - beta1 ** state["step"])
                update = exp_avg / (exp_avg_sq.sqrt() + group["eps"])
                p.sub_(dyngraph.where(present, update, 0.0) * step_size)
        return loss
