"""Higher-level derivatives of functions: jacobian, hessian, vjp, jvp
(jvp by the double-vjp trick)."""

__all__ = ["jacobian", "hessian", "vjp", "jvp", "hvp", "vhp"]


def _tuple(x):
    from .._C import Tensor

    return (x,) if isinstance(x, Tensor) else tuple(x)


def _prepare(inputs, create_graph):
    return tuple(i.detach().requires_grad_(True) if not create_graph or not i.requires_grad else i for i in inputs)


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), v^T J)."""
    import dyngraph

    single_in = isinstance(inputs, dyngraph.Tensor)
    ins = _prepare(_tuple(inputs), create_graph)
    with dyngraph.enable_grad():
        out = func(*ins)
        outs = _tuple(out)
        vs = _tuple(v) if v is not None else tuple(dyngraph.ones_like(o) for o in outs)
        grads = dyngraph.autograd.grad(outs, ins, vs, create_graph=create_graph, allow_unused=True)
    grads = tuple(dyngraph.zeros_like(i) if g is None else g for g, i in zip(grads, ins))
    result = out if create_graph else (out.detach() if isinstance(out, dyngraph.Tensor) else tuple(o.detach() for o in outs))
    return result, grads[0] if single_in else grads


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), J v), computed as the vjp of a vjp."""
    import dyngraph

    single_in = isinstance(inputs, dyngraph.Tensor)
    ins = _prepare(_tuple(inputs), create_graph)
    vs = _tuple(v) if v is not None else tuple(dyngraph.ones_like(i) for i in ins)
    with dyngraph.enable_grad():
        out = func(*ins)
        outs = _tuple(out)
        dummies = tuple(dyngraph.zeros_like(o).requires_grad_(True) for o in outs)
        g = dyngraph.autograd.grad(outs, ins, dummies, create_graph=True, allow_unused=True)
        pairs = [(gi, vi) for gi, vi in zip(g, vs) if gi is not None]
        jv = dyngraph.autograd.grad([p[0] for p in pairs], dummies, [p[1] for p in pairs],
                                    create_graph=create_graph, allow_unused=True)
    jv = tuple(dyngraph.zeros_like(o) if j is None else j for j, o in zip(jv, outs))
    single_out = isinstance(out, dyngraph.Tensor)
    result = out if create_graph else (out.detach() if single_out else tuple(o.detach() for o in outs))
    return result, jv[0] if single_out else jv


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False, strategy="reverse-mode"):
    """d func / d inputs, shaped output.shape + input.shape (nested tuples for several)."""
    import dyngraph

    single_in = isinstance(inputs, dyngraph.Tensor)
    ins = _prepare(_tuple(inputs), create_graph)
    with dyngraph.enable_grad():
        out = func(*ins)
    single_out = isinstance(out, dyngraph.Tensor)
    outs = _tuple(out)
    result = []
    for o in outs:
        rows = [[] for _ in ins]
        flat = o.reshape(-1)
        for r in range(o.numel()):
            seed = dyngraph.zeros_like(flat)
            seed[r] = 1.0
            grads = dyngraph.autograd.grad([flat], ins, [seed], retain_graph=True, create_graph=create_graph,
                                           allow_unused=True)
            for k, (g, i) in enumerate(zip(grads, ins)):
                rows[k].append(dyngraph.zeros_like(i) if g is None else g)
        per_input = []
        for k, i in enumerate(ins):
            if rows[k]:
                stacked = dyngraph.zeros(o.numel(), *i.shape, dtype=i.dtype, device=i.device)
                for r, g in enumerate(rows[k]):
                    stacked[r] = g
            else:
                stacked = dyngraph.zeros(0, *i.shape, dtype=i.dtype, device=i.device)
            per_input.append(stacked.reshape(*o.shape, *i.shape))
        result.append(per_input[0] if single_in else tuple(per_input))
    return result[0] if single_out else tuple(result)


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False, outer_jacobian_strategy="reverse-mode"):
    """Second derivatives of a scalar function."""
    import dyngraph

    single_in = isinstance(inputs, dyngraph.Tensor)

    def grad_fn(*ins):
        out = func(*ins)
        grads = dyngraph.autograd.grad([out], ins, create_graph=True, allow_unused=True)
        grads = tuple(dyngraph.zeros_like(i) if g is None else g for g, i in zip(grads, ins))
        return grads[0] if single_in else grads

    return jacobian(grad_fn, inputs, create_graph=create_graph)


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), v^T H)."""
    import dyngraph

    single_in = isinstance(inputs, dyngraph.Tensor)
    ins = _prepare(_tuple(inputs), True)
    vs = _tuple(v)
    with dyngraph.enable_grad():
        out = func(*ins)
        g = dyngraph.autograd.grad([out], ins, create_graph=True, allow_unused=True)
        res = dyngraph.autograd.grad([x for x in g if x is not None], ins, [vv for x, vv in zip(g, vs) if x is not None],
                                     create_graph=create_graph, allow_unused=True)
    res = tuple(dyngraph.zeros_like(i) if r is None else r for r, i in zip(res, ins))
    return out.detach(), res[0] if single_in else res


hvp = vhp  # the Hessian is symmetric
