"""The update rules of the optimizers, over lists of tensors.

Each optimizer class gathers, per param group, the parameters that have a
gradient and their state tensors into lists and makes one call here. Keeping
the math behind these list-based signatures lets each body be swapped for a
fused C++ kernel without touching the classes. Every function updates params
and state in place and must run under no_grad (Optimizer.step ensures it).

The arithmetic follows PyTorch's single-tensor implementations step by step
(same order of operations, same scalar folding), so results agree with
PyTorch's to rounding. Scalars that depend only on the step count are computed
in Python floats, as PyTorch does on CPU.
"""

import math

from .. import _C
from .._C import view_as_real

__all__ = ["sgd", "adam", "adamw", "rmsprop", "adagrad", "adadelta", "adamax", "nadam", "radam"]


def _view_complex_as_real(params, *tensor_lists):
    """Complex params are updated as (real, imag) pairs, so |g|^2 terms see both parts.

    Replaces, in each list, the entries that belong to a complex param by their
    real views (the lists are the caller's scratch lists, not optimizer state).
    """
    for i, p in enumerate(params):
        if p.is_complex():
            params[i] = view_as_real(p)
            for tl in tensor_lists:
                tl[i] = view_as_real(tl[i])


def sgd(params, grads, momentum_buffer_list, *, weight_decay, momentum, lr, dampening, nesterov, maximize):
    """SGD with optional momentum, dampening, Nesterov momentum and L2 weight decay (one fused C++ call).

    momentum_buffer_list holds each param's buffer or None; a None entry is
    replaced by the new buffer (a copy of the first gradient), which the caller
    stores in its state.
    """
    if momentum == 0:
        momentum_buffer_list = [None] * len(params)
    buffers = _C._sgd_step_(params, grads, momentum_buffer_list, float(lr), float(momentum), float(dampening),
                            float(weight_decay), bool(nesterov), bool(maximize))
    if momentum != 0:
        momentum_buffer_list[:] = buffers


def adam(params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, state_steps, *, amsgrad, beta1, beta2, lr,
         weight_decay, eps, maximize, decoupled_weight_decay=False, has_complex=False):
    """Adam (and AdamW when decoupled_weight_decay): bias-corrected first and second moments (one fused C++ call).

    max_exp_avg_sqs is read only when amsgrad. state_steps are 0-d tensors,
    incremented here. Complex params update as (real, imag) pairs.
    """
    _C._adam_step_(params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs if amsgrad else [], state_steps, float(lr),
                   float(beta1), float(beta2), float(eps), float(weight_decay), bool(amsgrad), bool(maximize),
                   bool(decoupled_weight_decay))


def adamw(params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, state_steps, *, amsgrad, beta1, beta2, lr,
          weight_decay, eps, maximize, has_complex=False):
    """AdamW: Adam with weight decay applied to the parameter, not the gradient."""
    adam(params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, state_steps, amsgrad=amsgrad, beta1=beta1,
         beta2=beta2, lr=lr, weight_decay=weight_decay, eps=eps, maximize=maximize, decoupled_weight_decay=True,
         has_complex=has_complex)


def rmsprop(params, grads, square_avgs, grad_avgs, momentum_buffer_list, state_steps, *, lr, alpha, eps,
            weight_decay, momentum, centered, maximize, has_complex=False):
    """RMSprop: divide by a running RMS of gradients (centered: by their running std).

    grad_avgs is read only when centered, momentum_buffer_list only when momentum > 0.
    """
    if has_complex:
        params, grads, square_avgs = list(params), list(grads), list(square_avgs)
        extra = []
        if centered:
            grad_avgs = list(grad_avgs)
            extra.append(grad_avgs)
        if momentum > 0:
            momentum_buffer_list = list(momentum_buffer_list)
            extra.append(momentum_buffer_list)
        _view_complex_as_real(params, grads, square_avgs, *extra)
    for i, param in enumerate(params):
        grad = grads[i] if not maximize else grads[i].neg()
        square_avg = square_avgs[i]
        state_steps[i] += 1

        if weight_decay != 0:
            grad = grad.add(param, alpha=weight_decay)

        square_avg.mul_(alpha).addcmul_(grad, grad, value=1 - alpha)
        if centered:
            grad_avg = grad_avgs[i]
            grad_avg.mul_(alpha).add_(grad, alpha=1 - alpha)
            avg = square_avg.addcmul(grad_avg, grad_avg, value=-1).sqrt_()
        else:
            avg = square_avg.sqrt()
        avg.add_(eps)

        if momentum > 0:
            buf = momentum_buffer_list[i]
            buf.mul_(momentum).addcdiv_(grad, avg)
            param.add_(buf, alpha=-lr)
        else:
            param.addcdiv_(grad, avg, value=-lr)


def adagrad(params, grads, state_sums, state_steps, *, lr, weight_decay, lr_decay, eps, maximize, has_complex=False):
    """Adagrad: divide by the root of the summed squared gradients; lr decays as lr / (1 + (t-1) lr_decay)."""
    if has_complex:
        params, grads, state_sums = list(params), list(grads), list(state_sums)
        _view_complex_as_real(params, grads, state_sums)
    for param, grad, state_sum, step_t in zip(params, grads, state_sums, state_steps):
        step_t += 1
        step = step_t.item()
        if maximize:
            grad = grad.neg()
        if weight_decay != 0:
            grad = grad.add(param, alpha=weight_decay)
        clr = lr / (1 + (step - 1) * lr_decay)
        state_sum.addcmul_(grad, grad, value=1)
        std = state_sum.sqrt().add_(eps)
        param.addcdiv_(grad, std, value=-clr)


def adadelta(params, grads, square_avgs, acc_deltas, state_steps, *, lr, rho, eps, weight_decay, maximize,
             has_complex=False):
    """Adadelta: step = sqrt(E[dx^2] + eps) / sqrt(E[g^2] + eps) * g, scaled by lr."""
    if has_complex:
        params, grads, square_avgs, acc_deltas = list(params), list(grads), list(square_avgs), list(acc_deltas)
        _view_complex_as_real(params, grads, square_avgs, acc_deltas)
    for param, grad, square_avg, acc_delta, step_t in zip(params, grads, square_avgs, acc_deltas, state_steps):
        step_t += 1
        if maximize:
            grad = grad.neg()
        if weight_decay != 0:
            grad = grad.add(param, alpha=weight_decay)
        square_avg.mul_(rho).addcmul_(grad, grad, value=1 - rho)
        std = square_avg.add(eps).sqrt_()
        delta = acc_delta.add(eps).sqrt_()
        delta.div_(std).mul_(grad)
        acc_delta.mul_(rho).addcmul_(delta, delta, value=1 - rho)
        param.add_(delta, alpha=-lr)


def adamax(params, grads, exp_avgs, exp_infs, state_steps, *, eps, beta1, beta2, lr, weight_decay, maximize,
           has_complex=False):
    """Adamax: Adam with the second moment replaced by an exponentially weighted infinity norm."""
    if has_complex:
        params, grads, exp_avgs, exp_infs = list(params), list(grads), list(exp_avgs), list(exp_infs)
        _view_complex_as_real(params, grads, exp_avgs, exp_infs)
    for param, grad, exp_avg, exp_inf, step_t in zip(params, grads, exp_avgs, exp_infs, state_steps):
        step_t += 1
        if maximize:
            grad = grad.neg()
        if weight_decay != 0:
            grad = grad.add(param, alpha=weight_decay)
        exp_avg.mul_(beta1).add_(grad, alpha=1 - beta1)
        exp_inf.mul_(beta2).maximum_(grad.abs().add_(eps))
        clr = lr / (1 - beta1 ** step_t.item())
        param.addcdiv_(exp_avg, exp_inf, value=-clr)


def nadam(params, grads, exp_avgs, exp_avg_sqs, mu_products, state_steps, *, beta1, beta2, lr, weight_decay,
          momentum_decay, eps, decoupled_weight_decay, maximize, has_complex=False):
    """NAdam: Adam with Nesterov momentum and the momentum_decay warm-up of mu_t.

    mu_products are 0-d tensors holding prod(mu_1..mu_t), updated here in the
    params' scalar dtype as PyTorch does (so later steps round like PyTorch's).
    """
    if has_complex:
        params, grads, exp_avgs, exp_avg_sqs = list(params), list(grads), list(exp_avgs), list(exp_avg_sqs)
        _view_complex_as_real(params, grads, exp_avgs, exp_avg_sqs)
    for i, param in enumerate(params):
        grad = grads[i] if not maximize else grads[i].neg()
        exp_avg = exp_avgs[i]
        exp_avg_sq = exp_avg_sqs[i]
        mu_product = mu_products[i]
        step_t = state_steps[i]
        step_t += 1
        step = step_t.item()

        bias_correction2 = 1 - beta2 ** step
        if weight_decay != 0:
            if decoupled_weight_decay:
                param.mul_(1 - lr * weight_decay)
            else:
                grad = grad.add(param, alpha=weight_decay)

        mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))
        mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * momentum_decay)))
        mu_product *= mu
        mu_product_value = mu_product.item()
        mu_product_next = mu_product_value * mu_next

        exp_avg.mul_(beta1).add_(grad, alpha=1 - beta1)
        exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
        denom = exp_avg_sq.div(bias_correction2).sqrt_().add_(eps)
        param.addcdiv_(grad, denom, value=(-lr * (1.0 - mu) / (1.0 - mu_product_value)))
        param.addcdiv_(exp_avg, denom, value=(-lr * mu_next) / (1.0 - mu_product_next))


def radam(params, grads, exp_avgs, exp_avg_sqs, state_steps, *, beta1, beta2, lr, weight_decay, eps,
          decoupled_weight_decay, maximize, has_complex=False):
    """RAdam: Adam whose adaptive term is switched on, rectified, once its variance is tractable (rho_t > 5)."""
    if has_complex:
        params, grads, exp_avgs, exp_avg_sqs = list(params), list(grads), list(exp_avgs), list(exp_avg_sqs)
        _view_complex_as_real(params, grads, exp_avgs, exp_avg_sqs)
    rho_inf = 2 / (1 - beta2) - 1
    for i, param in enumerate(params):
        grad = grads[i] if not maximize else grads[i].neg()
        exp_avg = exp_avgs[i]
        exp_avg_sq = exp_avg_sqs[i]
        step_t = state_steps[i]
        step_t += 1
        step = step_t.item()

        if weight_decay != 0:
            if decoupled_weight_decay:
                param.mul_(1 - lr * weight_decay)
            else:
                grad = grad.add(param, alpha=weight_decay)

        exp_avg.mul_(beta1).add_(grad, alpha=1 - beta1)
        exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)

        bias_correction1 = 1 - beta1 ** step
        bias_correction2 = 1 - beta2 ** step
        # Same grouping as PyTorch: (exp_avg / bc1) * lr * adaptive * rect.
        update = exp_avg.div(bias_correction1).mul_(lr)
        rho_t = rho_inf - 2 * step * (beta2 ** step) / bias_correction2
        if rho_t > 5.0:
            rect = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
            adaptive_lr = (bias_correction2 ** 0.5) / exp_avg_sq.sqrt().add_(eps)
            update.mul_(adaptive_lr).mul_(rect)
        param.sub_(update)
