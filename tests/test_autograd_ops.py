"""Registry-driven gradient checks: every differentiable op is checked
against central finite differences in float64 (dyngraph.autograd.gradcheck),
the arithmetic ones also to second order (gradgradcheck), and a few against
hand-derived NumPy gradients."""

import numpy as np
import pytest

import dyngraph
from dyngraph.autograd import gradcheck, gradgradcheck


class Op:
    """One registry entry: fn(*tensors) -> tensor (or tuple of tensors) and
    the shapes of its float64 inputs."""

    def __init__(self, name, fn, shapes, *, gradgrad=False, positive=(), check_kwargs=None):
        self.name = name
        self.fn = fn
        self.shapes = [tuple(s) for s in shapes]
        self.gradgrad = gradgrad
        self.positive = positive  # indices of inputs drawn from [0.5, 2] (denominators)
        self.check_kwargs = check_kwargs or {}

    def inputs(self, seed=0, requires_grad=True):
        rng = np.random.default_rng(seed)
        out = []
        for k, shape in enumerate(self.shapes):
            mag = rng.uniform(0.5, 2.0, size=shape)
            sign = 1.0 if k in self.positive else rng.choice([-1.0, 1.0], size=shape)
            arr = np.asarray(mag * sign, dtype=np.float64)
            t = dyngraph.tensor(arr.ravel().tolist(), dtype=dyngraph.float64).reshape(shape).clone()
            assert tuple(t.shape) == shape
            out.append(t.requires_grad_(requires_grad))
        return out

    def __repr__(self):
        return self.name


def _setitem_int(a, b):
    out = a.clone()
    out[1] = b
    return out


def _setitem_slice(a, b):
    out = a.clone()
    out[:, ::2] = b
    return out


def _setitem_scalar(a):
    out = a * 1.0
    out[0, 1:] = 7.0
    return out


def _copy_(a, b):
    out = a.clone()
    out.copy_(b)  # b broadcasts into out
    return out


def _copy_into_view(a, b):
    out = a.clone()
    out[1:].copy_(b)
    return out


def _fill_(a):
    out = a.clone()
    out.fill_(2.5)
    return out * a  # the filled tensor has no dependence on a; the product still does


def _fill_view(a):
    out = a.clone()
    out[:, 0].fill_(-1.0)
    return out


def _inplace(method, *args, **kwargs):
    def fn(a, b=None):
        out = a.clone()
        call_args = tuple(b if x is None else x for x in args) if args else ((b,) if b is not None else ())
        getattr(out, method)(*call_args, **kwargs)
        return out
    fn.__name__ = method
    return fn


def _iadd(a, b):
    out = a * 1.0
    out += b
    return out


def _isub(a, b):
    out = a * 1.0
    out -= b
    return out


def _imul(a, b):
    out = a * 1.0
    out *= b
    return out


def _itruediv(a, b):
    out = a * 1.0
    out /= b
    return out


def _inplace_on_view(a, b):
    out = a * 1.0
    out[0].mul_(b)
    out[1:, 1:].add_(b[1:], alpha=3.0)
    return out


def _chain(a, b):
    # a mix of arithmetic, views and reductions
    y = (a * b + a / (b * b + 1.0)).transpose(0, 1)
    return (y - 2.0 * y.sum(0, keepdim=True)).mean(1)


OPS = [
    # --- binary arithmetic, tensor-tensor (incl. broadcasting and 0-d) ---
    Op("add", lambda a, b: a + b, [(3, 4), (3, 4)], gradgrad=True),
    Op("add_bcast", lambda a, b: a + b, [(3, 1), (4,)], gradgrad=True),
    Op("add_0d", lambda a, b: a + b, [(), (3,)], gradgrad=True),
    Op("add_0d_0d", lambda a, b: a + b, [(), ()], gradgrad=True),
    Op("add_empty", lambda a, b: a + b, [(0, 3), (3,)]),
    Op("add_alpha", lambda a, b: dyngraph.add(a, b, alpha=2.5), [(2, 3), (3,)], gradgrad=True),
    Op("add_method_alpha", lambda a, b: a.add(b, alpha=-1.5), [(2, 1), (1, 3)], gradgrad=True),
    Op("sub", lambda a, b: a - b, [(3, 4), (3, 4)], gradgrad=True),
    Op("sub_bcast", lambda a, b: a - b, [(3, 1), (4,)], gradgrad=True),
    Op("sub_alpha", lambda a, b: dyngraph.sub(a, b, alpha=3.0), [(4,), (2, 4)], gradgrad=True),
    Op("mul", lambda a, b: a * b, [(3, 4), (3, 4)], gradgrad=True),
    Op("mul_bcast", lambda a, b: a * b, [(3, 1), (4,)], gradgrad=True),
    Op("mul_0d", lambda a, b: a * b, [(2, 3), ()], gradgrad=True),
    Op("mul_self", lambda a: a * a, [(5,)], gradgrad=True),
    Op("mul_empty", lambda a, b: a * b, [(2, 0), (1, 0)]),
    Op("div", lambda a, b: a / b, [(3, 4), (3, 4)], gradgrad=True, positive=(1,)),
    Op("div_bcast", lambda a, b: a / b, [(3, 1), (4,)], gradgrad=True, positive=(1,)),
    Op("div_0d", lambda a, b: a / b, [(3,), ()], gradgrad=True, positive=(1,)),
    Op("div_fn", lambda a, b: dyngraph.div(a, b), [(2, 3), (2, 1)], gradgrad=True, positive=(1,)),
    # --- tensor-scalar, both sides ---
    Op("add_scalar", lambda a: a + 2.5, [(3, 4)], gradgrad=True),
    Op("radd_scalar", lambda a: 2.5 + a, [(3, 4)], gradgrad=True),
    Op("sub_scalar", lambda a: a - 1.5, [(3,)], gradgrad=True),
    Op("rsub_scalar", lambda a: 1.5 - a, [(3,)], gradgrad=True),
    Op("mul_scalar", lambda a: a * 3.0, [(2, 3)], gradgrad=True),
    Op("rmul_scalar", lambda a: -3 * a, [(2, 3)], gradgrad=True),
    Op("div_scalar", lambda a: a / 4.0, [(2, 3)], gradgrad=True),
    Op("rdiv_scalar", lambda a: 2.0 / a, [(2, 3)], gradgrad=True, positive=(0,)),
    Op("rdiv_scalar_0d", lambda a: 2.0 / a, [()], gradgrad=True, positive=(0,)),
    Op("neg", lambda a: -a, [(3, 2)], gradgrad=True),
    Op("neg_fn", lambda a: dyngraph.neg(a), [(4,)], gradgrad=True),
    Op("poly", lambda a: a * a * a - 2 * a * a + a / 3.0, [(4,)], gradgrad=True),
    # --- reductions ---
    Op("sum", lambda a: a.sum(), [(3, 4)], gradgrad=True),
    Op("sum_dim", lambda a: a.sum(1), [(3, 4)], gradgrad=True),
    Op("sum_neg_dim_keepdim", lambda a: a.sum(-2, keepdim=True), [(2, 3, 4)], gradgrad=True),
    Op("sum_tuple", lambda a: a.sum((0, 2)), [(2, 3, 4)], gradgrad=True),
    Op("sum_tuple_keepdim", lambda a: dyngraph.sum(a, (0, 2), keepdim=True), [(2, 3, 4)], gradgrad=True),
    Op("sum_0d", lambda a: a.sum(), [()], gradgrad=True),
    Op("sum_empty", lambda a: a.sum(0), [(0, 3)]),
    Op("mean", lambda a: a.mean(), [(3, 4)], gradgrad=True),
    Op("mean_dim", lambda a: a.mean(0), [(3, 4)], gradgrad=True),
    Op("mean_tuple_keepdim", lambda a: a.mean((1, 2), keepdim=True), [(2, 3, 4)], gradgrad=True),
    Op("mean_fn", lambda a: dyngraph.mean(a, -1), [(2, 3)], gradgrad=True),
    Op("mean_0d", lambda a: a.mean(), [()], gradgrad=True),
    # --- views ---
    Op("view", lambda a: a.view(4, 3), [(3, 4)]),
    Op("view_infer", lambda a: a.view(-1), [(3, 4)]),
    Op("reshape", lambda a: a.reshape(2, -1), [(3, 4)]),
    Op("reshape_noncontig", lambda a: a.t().reshape(12), [(3, 4)]),
    Op("reshape_fn", lambda a: dyngraph.reshape(a, (6, 2)), [(3, 4)]),
    Op("transpose", lambda a: a.transpose(0, 2), [(2, 3, 4)]),
    Op("permute", lambda a: a.permute(2, 0, 1), [(2, 3, 4)]),
    Op("T", lambda a: a.T, [(3, 4)]),
    Op("mT", lambda a: a.mT, [(2, 3, 4)]),
    Op("t", lambda a: a.t(), [(3, 4)]),
    Op("t_fn", lambda a: dyngraph.t(a), [(3,)]),
    Op("expand", lambda a: a.expand(2, 3, 4), [(3, 1)]),
    Op("expand_minus1", lambda a: a.expand(-1, 4), [(3, 1)]),
    Op("expand_0d", lambda a: a.expand(3, 2), [()]),
    Op("expand_as", lambda a, b: a.expand_as(b) * b, [(1, 4), (3, 4)]),
    Op("squeeze", lambda a: a.squeeze(), [(3, 1, 4, 1)]),
    Op("squeeze_dim", lambda a: a.squeeze(1), [(3, 1, 4)]),
    Op("unsqueeze", lambda a: a.unsqueeze(1), [(3, 4)]),
    Op("unsqueeze_neg", lambda a: a.unsqueeze(-1), [(3, 4)]),
    Op("flatten", lambda a: a.flatten(), [(2, 3, 4)]),
    Op("flatten_range", lambda a: a.flatten(1, 2), [(2, 3, 4)]),
    Op("unflatten", lambda a: a.unflatten(1, (2, 2)), [(3, 4)]),
    Op("narrow", lambda a: a.narrow(1, 1, 2), [(3, 4)]),
    Op("select", lambda a: a.select(0, 1), [(3, 4)]),
    Op("select_neg", lambda a: a.select(-1, -1), [(3, 4)]),
    Op("unbind", lambda a: a.unbind(1), [(3, 4)]),
    Op("unbind_partial", lambda a: a.unbind(0)[1] * 2, [(3, 4)]),
    Op("split", lambda a: a.split(2, 1), [(3, 5)]),
    Op("split_sizes", lambda a: a.split([1, 2], 0), [(3, 2)]),
    Op("chunk", lambda a: a.chunk(2, 0), [(5, 2)]),
    Op("movedim", lambda a: a.movedim(0, -1), [(2, 3, 4)]),
    Op("diagonal", lambda a: a.diagonal(), [(3, 4)]),
    Op("diagonal_offset", lambda a: a.diagonal(offset=1, dim1=0, dim2=2), [(3, 2, 4)]),
    Op("diagonal_neg_offset", lambda a: dyngraph.diagonal(a, -1), [(4, 3)]),
    Op("as_strided", lambda a: a.as_strided((2, 2), (1, 3)), [(3, 4)]),
    Op("as_strided_overlap", lambda a: dyngraph.as_strided(a, (3, 3), (1, 1)), [(6,)]),
    Op("as_strided_offset", lambda a: a.as_strided((2, 3), (4, 1), 1), [(3, 4)]),
    Op("view_chain", lambda a: a.transpose(0, 1)[1:, ::2].unsqueeze(0).squeeze(0), [(4, 5)]),
    # --- basic indexing ---
    Op("index_int", lambda a: a[1], [(3, 4)]),
    Op("index_neg_int", lambda a: a[-1, -2], [(3, 4)]),
    Op("index_slice_step", lambda a: a[::2, 1::2], [(5, 4)]),
    Op("index_none_ellipsis", lambda a: a[None, ..., 1], [(2, 3, 4)]),
    Op("index_mixed", lambda a: a[1, None, :, 2:], [(2, 3, 4)]),
    Op("index_ellipsis", lambda a: a[...], [(2, 3)]),
    Op("index_0d", lambda a: a[()] * 2, [()]),
    # --- setitem, copies, conversions ---
    Op("setitem_int", _setitem_int, [(3, 4), (4,)]),
    Op("setitem_slice_bcast", _setitem_slice, [(3, 5), (3, 1)]),
    Op("setitem_scalar", _setitem_scalar, [(2, 3)]),
    Op("clone", lambda a: a.clone(), [(3, 4)]),
    Op("clone_fn", lambda a: dyngraph.clone(a) * a, [(3,)], gradgrad=True),
    Op("contiguous", lambda a: a.t().contiguous(), [(3, 4)]),
    Op("to_float32", lambda a: a.to(dyngraph.float32).to(dyngraph.float64), [(3, 2)],
       check_kwargs=dict(eps=1e-2, atol=1e-4)),
    Op("to_float64_noop", lambda a: a.to(dyngraph.float64) * 2, [(3,)]),
    Op("double_method", lambda a: a.float().double(), [(3,)], check_kwargs=dict(eps=1e-2, atol=1e-4)),
    Op("copy_", _copy_, [(3, 4), (4,)]),
    Op("copy_into_view", _copy_into_view, [(3, 2), (2, 2)]),
    Op("fill_", _fill_, [(2, 3)]),
    Op("fill_view", _fill_view, [(2, 3)]),
    # --- in-place arithmetic on non-leaves ---
    Op("add_", _inplace("add_"), [(3, 4), (4,)], gradgrad=True),
    Op("add_alpha_", _inplace("add_", alpha=2.0), [(3, 4), (3, 1)], gradgrad=True),
    Op("add_scalar_", _inplace("add_", 1.5), [(3,)]),
    Op("sub_", _inplace("sub_"), [(3, 4), (3, 4)], gradgrad=True),
    Op("sub_alpha_", _inplace("sub_", alpha=0.5), [(2, 3), (3,)], gradgrad=True),
    Op("mul_", _inplace("mul_"), [(3, 4), (4,)], gradgrad=True),
    Op("mul_scalar_", _inplace("mul_", 3.0), [(3,)], gradgrad=True),
    Op("div_", _inplace("div_"), [(3, 4), (3, 4)], gradgrad=True, positive=(1,)),
    Op("div_scalar_", _inplace("div_", 4.0), [(3,)], gradgrad=True),
    Op("neg_", _inplace("neg_"), [(3,)], gradgrad=True),
    Op("iadd", _iadd, [(3, 4), (4,)], gradgrad=True),
    Op("isub", _isub, [(3, 4), (3, 1)], gradgrad=True),
    Op("imul", _imul, [(2, 3), (2, 3)], gradgrad=True),
    Op("itruediv", _itruediv, [(2, 3), (3,)], gradgrad=True, positive=(1,)),
    Op("inplace_on_view", _inplace_on_view, [(3, 4), (4,)], gradgrad=True),
    Op("chain", _chain, [(3, 4), (3, 1)], gradgrad=True, positive=(1,)),
]

GRADGRAD_OPS = [op for op in OPS if op.gradgrad]


def test_registry_names_unique():
    names = [op.name for op in OPS]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("op", OPS, ids=lambda op: op.name)
def test_gradcheck(op):
    inputs = op.inputs()
    assert gradcheck(op.fn, inputs, **op.check_kwargs)


@pytest.mark.parametrize("op", GRADGRAD_OPS, ids=lambda op: op.name)
def test_gradgradcheck(op):
    inputs = op.inputs(seed=1)
    assert gradgradcheck(op.fn, inputs, **op.check_kwargs)


def _outputs(out):
    return list(out) if isinstance(out, (tuple, list)) else [out]


@pytest.mark.parametrize("op", OPS, ids=lambda op: op.name)
def test_output_requires_grad(op):
    outs = _outputs(op.fn(*op.inputs()))
    for o in outs:
        assert o.requires_grad
        assert not o.is_leaf
        assert o.grad_fn is not None
        assert o.dtype is dyngraph.float64


@pytest.mark.parametrize("op", OPS, ids=lambda op: op.name)
def test_output_without_requires_grad(op):
    outs = _outputs(op.fn(*op.inputs(requires_grad=False)))
    for o in outs:
        assert not o.requires_grad
        assert o.grad_fn is None


@pytest.mark.parametrize("op", OPS, ids=lambda op: op.name)
def test_no_grad_mode_outputs(op):
    inputs = op.inputs()
    with dyngraph.no_grad():
        outs = _outputs(op.fn(*inputs))
    for o in outs:
        assert not o.requires_grad
        assert o.grad_fn is None


@pytest.mark.parametrize("op", OPS, ids=lambda op: op.name)
def test_backward_grad_shapes(op):
    """.grad of every input has the input's shape and dtype (broadcast grads reduced)."""
    inputs = op.inputs()
    outs = _outputs(op.fn(*inputs))
    total = None
    for o in outs:
        s = o.sum()
        total = s if total is None else total + s
    total.backward()
    for i in inputs:
        assert i.grad is not None
        assert tuple(i.grad.shape) == tuple(i.shape)
        assert i.grad.dtype is dyngraph.float64


COMPARISONS = [
    ("eq", lambda a, b: a == b), ("ne", lambda a, b: a != b), ("lt", lambda a, b: a < b),
    ("le", lambda a, b: a <= b), ("gt", lambda a, b: a > b), ("ge", lambda a, b: a >= b),
    ("eq_fn", lambda a, b: dyngraph.eq(a, b)), ("gt_fn", lambda a, b: dyngraph.gt(a, b)),
    ("lt_scalar", lambda a, b: a < 0.5), ("ge_method", lambda a, b: a.ge(b)),
]


@pytest.mark.parametrize("name,fn", COMPARISONS, ids=[c[0] for c in COMPARISONS])
def test_comparisons_not_differentiable(name, fn):
    a = dyngraph.tensor([[1.0, 2.0, 3.0], [0.0, -1.0, 2.0]], dtype=dyngraph.float64, requires_grad=True)
    b = dyngraph.tensor([1.0, 0.0, 4.0], dtype=dyngraph.float64, requires_grad=True)
    out = fn(a, b)
    assert out.dtype is dyngraph.bool
    assert not out.requires_grad
    assert out.grad_fn is None
    assert out.is_leaf


# --- hand-derived gradients vs NumPy -------------------------------------------------

def _np(t):
    return np.array(t.detach().numpy(), copy=True)


def _pair(shape_a, shape_b, seed=3):
    rng = np.random.default_rng(seed)
    a = rng.uniform(0.5, 2.0, size=shape_a)
    b = rng.uniform(0.5, 2.0, size=shape_b)
    return a, b, dyngraph.tensor(a.tolist(), requires_grad=True, dtype=dyngraph.float64), \
        dyngraph.tensor(b.tolist(), requires_grad=True, dtype=dyngraph.float64)


def test_mul_div_grads_vs_numpy_broadcast():
    a, b, ta, tb = _pair((3, 1), (4,))
    g = np.arange(12.0).reshape(3, 4)
    out = ta * tb / (tb + 1.0)
    out.backward(dyngraph.tensor(g.tolist(), dtype=dyngraph.float64))
    # d/da [a*b/(b+1)] = b/(b+1); d/db = a/(b+1)^2
    np.testing.assert_allclose(_np(ta.grad), (g * (b / (b + 1))).sum(1, keepdims=True), rtol=1e-12)
    np.testing.assert_allclose(_np(tb.grad), (g * (a / (b + 1) ** 2)).sum(0), rtol=1e-12)


def test_div_grad_formula():
    a, b, ta, tb = _pair((2, 3), (2, 3), seed=5)
    (ta / tb).sum().backward()
    np.testing.assert_allclose(_np(ta.grad), 1 / b, rtol=1e-12)
    np.testing.assert_allclose(_np(tb.grad), -a / b ** 2, rtol=1e-12)


def test_rdiv_grad_formula():
    a, _, ta, _ = _pair((4,), (1,), seed=6)
    (3.0 / ta).sum().backward()
    np.testing.assert_allclose(_np(ta.grad), -3.0 / a ** 2, rtol=1e-12)


def test_sub_alpha_grad():
    a, b, ta, tb = _pair((2, 3), (3,), seed=7)
    dyngraph.sub(ta, tb, alpha=2.5).sum().backward()
    np.testing.assert_array_equal(_np(ta.grad), np.ones((2, 3)))
    np.testing.assert_array_equal(_np(tb.grad), np.full(3, -5.0))


def test_mean_grad_values():
    x = dyngraph.ones(2, 3, 4, dtype=dyngraph.float64, requires_grad=True)
    x.mean((0, 2)).sum().backward()
    np.testing.assert_allclose(_np(x.grad), np.full((2, 3, 4), 1 / 8), rtol=1e-15)


def test_sum_keepdim_grad_with_gradient():
    x = dyngraph.zeros(2, 3, dtype=dyngraph.float64, requires_grad=True)
    y = x.sum(1, keepdim=True)
    y.backward(dyngraph.tensor([[2.0], [5.0]], dtype=dyngraph.float64))
    np.testing.assert_array_equal(_np(x.grad), [[2, 2, 2], [5, 5, 5]])


def test_view_grads_scatter_to_positions():
    x = dyngraph.zeros(3, 4, dtype=dyngraph.float64, requires_grad=True)
    y = x[1:, ::2]  # shape (2, 2)
    y.backward(dyngraph.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=dyngraph.float64))
    expected = np.zeros((3, 4))
    expected[1:, ::2] = [[1, 2], [3, 4]]
    np.testing.assert_array_equal(_np(x.grad), expected)


def test_diagonal_grad():
    x = dyngraph.zeros(3, 3, dtype=dyngraph.float64, requires_grad=True)
    x.diagonal(1).backward(dyngraph.tensor([5.0, 7.0], dtype=dyngraph.float64))
    np.testing.assert_array_equal(_np(x.grad), [[0, 5, 0], [0, 0, 7], [0, 0, 0]])


def test_as_strided_overlap_grad_accumulates():
    x = dyngraph.zeros(4, dtype=dyngraph.float64, requires_grad=True)
    x.as_strided((3, 2), (1, 1)).sum().backward()  # windows [0,1],[1,2],[2,3]
    np.testing.assert_array_equal(_np(x.grad), [1, 2, 2, 1])


def test_expand_grad_sums():
    x = dyngraph.tensor([[1.0], [2.0]], dtype=dyngraph.float64, requires_grad=True)
    (x.expand(3, 2, 4) * 2).sum().backward()
    np.testing.assert_array_equal(_np(x.grad), [[24.0], [24.0]])


def test_split_grads_partial_use():
    x = dyngraph.zeros(5, dtype=dyngraph.float64, requires_grad=True)
    parts = x.split(2)
    (parts[0] * 3).sum().backward()
    np.testing.assert_array_equal(_np(x.grad), [3, 3, 0, 0, 0])


def test_detach_in_expression_grad():
    # (finite differences can't check this: perturbing x also perturbs its detached alias)
    x = dyngraph.tensor([1.0, -2.0, 3.0], dtype=dyngraph.float64, requires_grad=True)
    (x * x.detach() + x.detach()).sum().backward()
    np.testing.assert_array_equal(_np(x.grad), [1.0, -2.0, 3.0])


def test_copy_grad_values():
    # PyTorch: copy_'s gradient w.r.t. the overwritten tensor is zeros, w.r.t. src is sum_to(grad)
    a = dyngraph.ones(3, 4, dtype=dyngraph.float64, requires_grad=True)
    b = dyngraph.ones(4, dtype=dyngraph.float64, requires_grad=True)
    out = a.clone()
    out.copy_(b)
    (out * 2).sum().backward()
    np.testing.assert_array_equal(_np(b.grad), [6.0, 6.0, 6.0, 6.0])
    assert a.grad is not None
    np.testing.assert_array_equal(_np(a.grad), np.zeros((3, 4)))


def test_fill_grad_values():
    a = dyngraph.ones(2, 3, dtype=dyngraph.float64, requires_grad=True)
    out = a * 2
    out[0].fill_(5.0)
    out.sum().backward()
    np.testing.assert_array_equal(_np(a.grad), [[0, 0, 0], [2, 2, 2]])


def test_to_float32_grad_dtype():
    x = dyngraph.tensor([1.0, 2.0], dtype=dyngraph.float64, requires_grad=True)
    y = x.to(dyngraph.float32)
    assert y.dtype is dyngraph.float32
    assert y.grad_fn.name() == "ToCopyBackward0"
    (y * 3).sum().backward()
    assert x.grad.dtype is dyngraph.float64
    np.testing.assert_array_equal(_np(x.grad), [3.0, 3.0])


def test_float32_gradcheck_matches_with_loose_tolerance():
    x = dyngraph.tensor([0.5, 1.5, -2.0], requires_grad=True)  # float32
    y = (x * x / (x * x + 1.0)).sum()
    (g,) = dyngraph.autograd.grad(y, x)
    xv = np.array([0.5, 1.5, -2.0])
    np.testing.assert_allclose(_np(g), 2 * xv / (xv ** 2 + 1) ** 2, rtol=1e-5)
    assert g.dtype is dyngraph.float32


def test_gradcheck_detects_wrong_gradient():
    """gradcheck itself must fail on a Function with a wrong backward."""

    class Wrong(dyngraph.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * x

        @staticmethod
        def backward(ctx, g):
            return g * 3.0  # wrong: should be 2 x g

    x = dyngraph.tensor([1.0, 2.0], dtype=dyngraph.float64, requires_grad=True)
    with pytest.raises(RuntimeError):
        gradcheck(Wrong.apply, (x,))
    assert gradcheck(Wrong.apply, (x,), raise_exception=False) is False


def test_complex_scalar_factors_are_conjugated_in_backward():
    # L = Re(sum(conj(w) * f(z))) for holomorphic f has gradient w * conj(f'(z)) (conjugate Wirtinger).
    import numpy as np

    rng = np.random.default_rng(0)
    z0 = rng.standard_normal(3) + 1j * rng.standard_normal(3)
    w = dyngraph.tensor(rng.standard_normal(3) + 1j * rng.standard_normal(3))
    c = 0.5 - 2j
    cases = [(lambda z: z * c, np.full(3, c)), (lambda z: z / c, np.full(3, 1 / c)),
             (lambda z: c / z, -c / z0 ** 2), (lambda z: dyngraph.sub(z, z.detach(), alpha=c) + z * 0, np.ones(3)),
             (lambda z: dyngraph.sub(z.detach(), z, alpha=c), np.full(3, -c)),
             (lambda z: dyngraph.add(z.detach(), z, alpha=c), np.full(3, c)),
             (lambda z: dyngraph.rsub(z, 1.0, alpha=c) if hasattr(dyngraph, "rsub") else z * -c, np.full(3, -c))]
    for f, derivative in cases:
        z = dyngraph.tensor(z0, requires_grad=True)
        (w.conj() * f(z)).real.sum().backward()
        np.testing.assert_allclose(z.grad.numpy(), w.numpy() * np.conj(derivative), rtol=1e-12)
