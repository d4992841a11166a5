"""Adafactor (PyTorch's torch.optim.Adafactor): Adam-like steps whose second moment is kept as
row and column statistics for matrices (memory O(m + n) instead of O(m n))."""

from .._factories import tensor, zeros
from .optimizer import (Optimizer, _check_no_differentiable, _check_tensor_lr, _evaluate_closure,
                        _get_scalar_dtype, _to_scalar, _use_grad_for_differentiable)

__all__ = ["Adafactor"]


class Adafactor(Optimizer):
    """Per parameter: 'step', and 'row_var' / 'col_var' (dims >= 2) or 'variance' (vectors).

    Each step: decay 1 - beta2_t = step ** beta2_decay, relative step size rho = min(lr, 1/sqrt(step))
    scaled by max(eps2, RMS(param)), update = grad / sqrt(max(variance estimate, eps1^2)) clipped to
    RMS d."""

    def __init__(self, params, lr=1e-2, beta2_decay=-0.8, eps=(None, 1e-3), d=1.0, weight_decay=0.0, *,
                 foreach=None, maximize=False):
        _check_tensor_lr(lr)
        if not 0.0 <= lr:
            raise ValueError(f"Learning rate should be >= 0 but is: {lr}")
        if not 0.0 >= beta2_decay:
            raise ValueError(f"beta2_decay should be <= 0 but is: {beta2_decay}")
        if eps[0] is not None and not 0.0 <= eps[0]:
            raise ValueError(f"epsilon1 should be >= 0 but is: {eps[0]}")
        if not 0.0 <= eps[1]:
            raise ValueError(f"epsilon2 should be >= 0 but is: {eps[1]}")
        if not 1.0 <= d:
            raise ValueError(f"Clipping threshold d should be >= 1 but is: {d}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"weight_decay should be >= 0 but is: {weight_decay}")
        _check_no_differentiable(False)
        defaults = dict(lr=lr, beta2_decay=beta2_decay, eps=eps, d=d, weight_decay=weight_decay, foreach=foreach,
                        maximize=maximize)
        super().__init__(params, defaults)

    def _state_of(self, p, grad):
        state = self.state[p]
        if len(state) == 0:
            state["step"] = tensor(0.0, dtype=_get_scalar_dtype())
            if grad.dim() > 1:
                row_shape, col_shape = list(grad.shape), list(grad.shape)
                row_shape[-1], col_shape[-2] = 1, 1
                state["row_var"] = zeros(row_shape, dtype=grad.dtype, device=grad.device)
                state["col_var"] = zeros(col_shape, dtype=grad.dtype, device=grad.device)
            else:
                state["variance"] = zeros(grad.shape, dtype=grad.dtype, device=grad.device)
        return state

    @_use_grad_for_differentiable
    def step(self, closure=None):
        """Performs a single optimization step; closure re-evaluates the model and returns the loss."""
        import dyngraph

        loss = _evaluate_closure(closure)
        for group in self.param_groups:
            lr = _to_scalar(group["lr"])
            eps1, eps2 = group["eps"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                if p.is_complex():
                    raise RuntimeError("Adafactor does not support complex parameters")
                grad = p.grad if not group["maximize"] else -p.grad
                state = self._state_of(p, grad)
                state["step"] += 1
                step = state["step"].item()
                tiny = eps1 if eps1 is not None else dyngraph.finfo(p.dtype).eps
                decay = step ** group["beta2_decay"]
                rho = min(lr, 1 / step ** 0.5)
                alpha = max(eps2, p.norm(2).item() / p.numel() ** 0.5) * rho
                if group["weight_decay"] != 0:
                    p.mul_(1 - lr * group["weight_decay"])
                if grad.dim() > 1:
                    row_var, col_var = state["row_var"], state["col_var"]
                    row_var.lerp_((grad * grad).mean(-1, keepdim=True), decay)
                    col_var.lerp_((grad * grad).mean(-2, keepdim=True), decay)
                    estimate = (row_var @ col_var) / row_var.mean(-2, keepdim=True).clamp_min(tiny)
                else:
                    state["variance"].lerp_(grad * grad, decay)
                    estimate = state["variance"].clone()
                update = estimate.clamp_min(tiny * tiny).rsqrt() * grad
                denom = max(1.0, update.norm(2).item() / (update.numel() ** 0.5 * group["d"]))
                p.add_(update, alpha=-alpha / denom)
        return loss
