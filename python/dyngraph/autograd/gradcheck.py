"""Gradient checking against finite differences (PyTorch's defaults:
eps=1e-6, atol=1e-5, rtol=1e-3), for real float64 inputs."""

__all__ = ["gradcheck", "gradgradcheck", "GradcheckError"]


class GradcheckError(RuntimeError):
    pass


def _inputs_tuple(inputs):
    from .._C import Tensor

    return (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)


def _outputs_tuple(out):
    from .._C import Tensor

    return (out,) if isinstance(out, Tensor) else tuple(o for o in out if isinstance(o, Tensor))


def _numerical_jacobians(func, inputs, outputs, eps):
    """J[o][i]: (numel(output o), numel(input i)) by central differences."""
    import numpy as np

    import dyngraph

    jac = [[np.zeros((o.numel(), i.numel() if isinstance(i, dyngraph.Tensor) and i.requires_grad else 0))
            for i in inputs] for o in outputs]
    for k, inp in enumerate(inputs):
        if not (isinstance(inp, dyngraph.Tensor) and inp.requires_grad):
            continue
        if not inp.is_contiguous():
            raise GradcheckError("gradcheck needs contiguous inputs")
        flat = inp.detach().view(-1)  # perturbs the input's memory without touching its graph
        for j in range(inp.numel()):
            orig = flat[j].item()
            flat[j] = orig + eps
            plus = [o.detach().clone() for o in _outputs_tuple(func(*inputs))]
            flat[j] = orig - eps
            minus = [o.detach().clone() for o in _outputs_tuple(func(*inputs))]
            flat[j] = orig
            for oi, (p, m) in enumerate(zip(plus, minus)):
                jac[oi][k][:, j] = ((p - m) / (2 * eps)).double().reshape(-1).cpu().numpy()
    return jac


def _analytical_jacobians(inputs, outputs):
    import numpy as np

    import dyngraph

    diff_inputs = [i for i in inputs if isinstance(i, dyngraph.Tensor) and i.requires_grad]
    jac = [[np.zeros((o.numel(), i.numel() if isinstance(i, dyngraph.Tensor) and i.requires_grad else 0))
            for i in inputs] for o in outputs]
    for oi, out in enumerate(outputs):
        if not out.requires_grad:
            continue
        for r in range(out.numel()):
            seed = dyngraph.zeros_like(out)
            seed.view(-1)[r] = 1.0
            grads = dyngraph.autograd.grad([out], diff_inputs, [seed], retain_graph=True, allow_unused=True)
            gi = iter(grads)
            for k, inp in enumerate(inputs):
                if not (isinstance(inp, dyngraph.Tensor) and inp.requires_grad):
                    continue
                g = next(gi)
                if g is not None:
                    jac[oi][k][r, :] = g.detach().double().reshape(-1).cpu().numpy()
    return jac


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True, nondet_tol=0.0,
              check_undefined_grad=True, check_grad_dtypes=False, check_batched_grad=False, fast_mode=False,
              masked=None):
    """True when func's analytical gradients match finite differences for these inputs."""
    import numpy as np

    import dyngraph

    inputs = _inputs_tuple(inputs)
    for i in inputs:
        if isinstance(i, dyngraph.Tensor) and i.requires_grad and i.dtype is not dyngraph.float64:
            import warnings

            warnings.warn("gradcheck: input is not float64; finite differences will be inaccurate")
        if isinstance(i, dyngraph.Tensor) and i.requires_grad and i.is_complex():
            raise GradcheckError("gradcheck of complex inputs is not supported")
    outputs = _outputs_tuple(func(*inputs))
    analytical = _analytical_jacobians(inputs, outputs)
    numerical = _numerical_jacobians(func, inputs, outputs, eps)
    for oi in range(len(outputs)):
        for k in range(len(inputs)):
            a, n = analytical[oi][k], numerical[oi][k]
            if a.size == 0:
                continue
            if not np.allclose(a, n, rtol=rtol, atol=atol):
                msg = (f"Jacobian mismatch for output {oi} with respect to input {k},\n"
                       f"numerical:{n}\nanalytical:{a}\n")
                if raise_exception:
                    raise GradcheckError(msg)
                return False
    return True


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3, gen_non_contig_grad_outputs=False,
                  raise_exception=True, nondet_tol=0.0, check_undefined_grad=True, check_grad_dtypes=False,
                  check_batched_grad=False, check_fwd_over_rev=False, check_rev_over_rev=True, fast_mode=False,
                  masked=False):
    """gradcheck of the gradient: checks second derivatives against finite differences."""
    import dyngraph

    inputs = _inputs_tuple(inputs)
    outputs = _outputs_tuple(func(*inputs))
    if grad_outputs is None:
        gen = dyngraph.Generator().manual_seed(0)
        grad_outputs = tuple(dyngraph.randn(*o.shape, dtype=o.dtype, device=o.device, generator=gen)
                             .requires_grad_(True) for o in outputs)
    else:
        grad_outputs = _inputs_tuple(grad_outputs)
    n_in = len(inputs)

    def first_derivative(*args):
        ins, gos = args[:n_in], args[n_in:]
        outs = _outputs_tuple(func(*ins))
        diff = [i for i in ins if isinstance(i, dyngraph.Tensor) and i.requires_grad]
        grads = dyngraph.autograd.grad(outs, diff, gos, create_graph=True, allow_unused=True)
        return tuple(g for g in grads if g is not None)

    return gradcheck(first_derivative, inputs + tuple(grad_outputs), eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)
