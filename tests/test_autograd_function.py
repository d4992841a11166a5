"""Custom autograd Functions (dyngraph.autograd.Function), checked by hand
and with gradcheck / gradgradcheck in float64."""

import numpy as np
import pytest

import dyngraph as torch
from dyngraph.autograd import Function, gradcheck, gradgradcheck


def vals(t):
    return np.array(t.detach().numpy(), copy=True)


def f64(data, requires_grad=False):
    return torch.tensor(data, dtype=torch.float64, requires_grad=requires_grad)


class Square(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, grad_out):
        (x,) = ctx.saved_tensors
        return 2 * x * grad_out


def test_square_forward_backward_values():
    x = f64([1.0, -2.0, 3.0], requires_grad=True)
    y = Square.apply(x)
    np.testing.assert_array_equal(vals(y), [1.0, 4.0, 9.0])
    assert y.requires_grad
    assert not y.is_leaf
    assert "Square" in y.grad_fn.name()
    y.sum().backward()
    np.testing.assert_array_equal(vals(x.grad), [2.0, -4.0, 6.0])


def test_square_grad_fn_name_and_next_functions():
    x = f64([1.0], requires_grad=True)
    y = Square.apply(x * 2)
    assert y.grad_fn.name() == "SquareBackward"
    (prev, _), = y.grad_fn.next_functions
    assert prev.name().startswith("MulBackward")


def test_square_gradcheck():
    x = f64([0.5, -1.5, 2.0, 0.25], requires_grad=True)
    assert gradcheck(Square.apply, (x,))


def test_square_gradgradcheck():
    x = f64([0.5, -1.5, 2.0], requires_grad=True)
    assert gradgradcheck(Square.apply, (x,))


def test_square_double_backward_values():
    x = f64([1.0, 3.0], requires_grad=True)
    y = Square.apply(x).sum()
    (g,) = torch.autograd.grad(y, x, create_graph=True)
    np.testing.assert_array_equal(vals(g), [2.0, 6.0])
    assert g.requires_grad
    (h,) = torch.autograd.grad(g.sum(), x)
    np.testing.assert_array_equal(vals(h), [2.0, 2.0])


def test_composition_with_builtin_ops():
    x = f64([1.0, 2.0], requires_grad=True)
    y = Square.apply(Square.apply(x) + 1.0)  # (x^2 + 1)^2 -> 4 x (x^2 + 1)
    y.sum().backward()
    np.testing.assert_array_equal(vals(x.grad), [8.0, 40.0])


def test_forward_runs_without_grad():
    seen = []

    class Probe(Function):
        @staticmethod
        def forward(ctx, x):
            seen.append(torch.is_grad_enabled())
            y = x * 2
            seen.append(y.requires_grad)
            return y

        @staticmethod
        def backward(ctx, g):
            return g * 2

    x = f64([1.0], requires_grad=True)
    out = Probe.apply(x)
    assert seen == [False, False]
    assert out.requires_grad


def test_save_for_backward_and_saved_tensors():
    class MulAdd(Function):
        @staticmethod
        def forward(ctx, a, b, c):
            ctx.save_for_backward(a, b)
            return a * b + c

        @staticmethod
        def backward(ctx, g):
            a, b = ctx.saved_tensors
            return g * b, g * a, g

    a = f64([1.0, 2.0], requires_grad=True)
    b = f64([3.0, 4.0], requires_grad=True)
    c = f64([5.0, 6.0], requires_grad=True)
    out = MulAdd.apply(a, b, c)
    np.testing.assert_array_equal(vals(out), [8.0, 14.0])
    out.sum().backward()
    np.testing.assert_array_equal(vals(a.grad), [3.0, 4.0])
    np.testing.assert_array_equal(vals(b.grad), [1.0, 2.0])
    np.testing.assert_array_equal(vals(c.grad), [1.0, 1.0])
    assert gradcheck(MulAdd.apply, (f64([1.0, 2.0], True), f64([0.5, -1.0], True), f64([2.0, 3.0], True)))


def test_save_for_backward_none_and_non_tensor():
    class SaveNone(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x, None)
            return x * 3

        @staticmethod
        def backward(ctx, g):
            x, nothing = ctx.saved_tensors
            assert nothing is None
            return g * 3

    x = f64([1.0], requires_grad=True)
    SaveNone.apply(x).sum().backward()
    assert x.grad.item() == 3.0

    class SaveInt(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(3)
            return x * 1

        @staticmethod
        def backward(ctx, g):
            return g

    with pytest.raises(TypeError):
        SaveInt.apply(x)


def test_saved_tensors_modified_in_place_raises():
    x = f64([1.0, 2.0], requires_grad=True)
    y = x * 1
    out = Square.apply(y)
    y.mul_(2)
    with pytest.raises(RuntimeError, match="inplace"):
        out.sum().backward()


def test_saved_tensors_freed_after_backward():
    x = f64([1.0, 2.0], requires_grad=True)
    out = Square.apply(x).sum()
    out.backward()
    with pytest.raises(RuntimeError):
        out.backward()


def test_saved_tensors_retained_with_retain_graph():
    x = f64([1.0, 2.0], requires_grad=True)
    out = Square.apply(x).sum()
    out.backward(retain_graph=True)
    out.backward()
    np.testing.assert_array_equal(vals(x.grad), [4.0, 8.0])


def test_needs_input_grad():
    recorded = {}

    class Probe(Function):
        @staticmethod
        def forward(ctx, a, b, k, c):
            recorded["forward"] = ctx.needs_input_grad
            return a * b * k + c

        @staticmethod
        def backward(ctx, g):
            recorded["backward"] = ctx.needs_input_grad
            ga = g * 2 if ctx.needs_input_grad[0] else None
            gb = g * 3 if ctx.needs_input_grad[1] else None
            gc = g if ctx.needs_input_grad[3] else None
            return ga, gb, None, gc

    a = f64([1.0], requires_grad=True)
    b = f64([1.0])
    c = f64([1.0], requires_grad=True)
    Probe.apply(a, b, 5.0, c).sum().backward()
    assert recorded["forward"] == (True, False, False, True)
    assert recorded["backward"] == (True, False, False, True)
    assert a.grad.item() == 2.0
    assert b.grad is None
    assert c.grad.item() == 1.0

    with torch.no_grad():
        out = Probe.apply(a, b, 5.0, c)
    assert recorded["forward"] == (False, False, False, False)
    assert not out.requires_grad


def test_no_grad_inputs_output_does_not_require_grad():
    x = f64([1.0, 2.0])
    y = Square.apply(x)
    assert not y.requires_grad
    assert y.grad_fn is None
    np.testing.assert_array_equal(vals(y), [1.0, 4.0])


def test_mark_non_differentiable():
    class SortLike(Function):
        @staticmethod
        def forward(ctx, x):
            doubled = x * 2
            flag = x * 0 + 1  # a float output marked non-differentiable
            ctx.mark_non_differentiable(flag)
            return doubled, flag

        @staticmethod
        def backward(ctx, g_doubled, g_flag):
            assert g_flag is None or not vals(g_flag).any()
            return g_doubled * 2

    x = f64([1.0, 2.0], requires_grad=True)
    doubled, flag = SortLike.apply(x)
    assert doubled.requires_grad
    assert not flag.requires_grad
    assert flag.grad_fn is None
    doubled.sum().backward()
    np.testing.assert_array_equal(vals(x.grad), [2.0, 2.0])


def test_integer_output_is_not_differentiable():
    class WithIndex(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 3, torch.tensor([0, 1])

        @staticmethod
        def backward(ctx, g, g_idx):
            return g * 3

    x = f64([1.0, 2.0], requires_grad=True)
    y, idx = WithIndex.apply(x)
    assert y.requires_grad
    assert not idx.requires_grad
    assert idx.dtype is torch.int64
    y.sum().backward()
    np.testing.assert_array_equal(vals(x.grad), [3.0, 3.0])


class TwoOut(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * 2, x * x

    @staticmethod
    def backward(ctx, g1, g2):
        (x,) = ctx.saved_tensors
        ctx.seen = (g1, g2)
        total = None
        if g1 is not None:
            total = g1 * 2
        if g2 is not None:
            part = g2 * 2 * x
            total = part if total is None else total + part
        return total


def test_materialize_grads_default_gives_zeros_for_unused_outputs():
    seen = {}

    class Probe(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, g1, g2):
            seen["g2"] = g2
            return g1 * 2 + g2 * 3

    x = f64([1.0, 2.0], requires_grad=True)
    a, b = Probe.apply(x)
    a.sum().backward()
    assert seen["g2"] is not None
    np.testing.assert_array_equal(vals(seen["g2"]), [0.0, 0.0])
    assert tuple(seen["g2"].shape) == (2,)
    assert seen["g2"].dtype is torch.float64
    np.testing.assert_array_equal(vals(x.grad), [2.0, 2.0])


def test_set_materialize_grads_false_gives_none():
    seen = {}

    class Probe(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(False)
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, g1, g2):
            seen["g"] = (g1, g2)
            out = None
            if g1 is not None:
                out = g1 * 2
            if g2 is not None:
                out = g2 * 3 if out is None else out + g2 * 3
            return out

    x = f64([1.0, 2.0], requires_grad=True)
    a, b = Probe.apply(x)
    b.sum().backward()
    g1, g2 = seen["g"]
    assert g1 is None
    np.testing.assert_array_equal(vals(g2), [1.0, 1.0])
    np.testing.assert_array_equal(vals(x.grad), [3.0, 3.0])


def test_multiple_outputs_gradcheck_and_values():
    x = f64([1.0, -2.0], requires_grad=True)
    a, b = TwoOut.apply(x)
    np.testing.assert_array_equal(vals(a), [2.0, -4.0])
    np.testing.assert_array_equal(vals(b), [1.0, 4.0])
    (a * 3 + b).sum().backward()  # 6 + 2x
    np.testing.assert_array_equal(vals(x.grad), [8.0, 2.0])
    assert a.grad_fn is b.grad_fn or a.grad_fn.name() == b.grad_fn.name()
    assert a.output_nr == 0 and b.output_nr == 1
    assert gradcheck(TwoOut.apply, (f64([0.5, 1.5, -1.0], True),))
    assert gradgradcheck(TwoOut.apply, (f64([0.5, 1.5], True),))


def test_multiple_inputs_and_outputs():
    class Mix(Function):
        @staticmethod
        def forward(ctx, a, b):
            ctx.save_for_backward(a, b)
            return a + b, a * b

        @staticmethod
        def backward(ctx, gs, gp):
            a, b = ctx.saved_tensors
            return gs + gp * b, gs + gp * a

    a = f64([1.0, 2.0], requires_grad=True)
    b = f64([3.0, 4.0], requires_grad=True)
    s, p = Mix.apply(a, b)
    (s * 2 + p).sum().backward()
    np.testing.assert_array_equal(vals(a.grad), [5.0, 6.0])
    np.testing.assert_array_equal(vals(b.grad), [3.0, 4.0])
    assert gradcheck(Mix.apply, (f64([1.0, -0.5], True), f64([2.0, 0.75], True)))
    assert gradgradcheck(Mix.apply, (f64([1.0, -0.5], True), f64([2.0, 0.75], True)))


def test_non_tensor_arguments():
    class ScaleShift(Function):
        @staticmethod
        def forward(ctx, x, scale, shift, name):
            ctx.scale = scale
            ctx.name = name
            return x * scale + shift

        @staticmethod
        def backward(ctx, g):
            assert ctx.name == "affine"
            return g * ctx.scale, None, None, None

    x = f64([1.0, 2.0], requires_grad=True)
    y = ScaleShift.apply(x, 3.0, 1.0, "affine")
    np.testing.assert_array_equal(vals(y), [4.0, 7.0])
    y.sum().backward()
    np.testing.assert_array_equal(vals(x.grad), [3.0, 3.0])
    assert gradcheck(lambda t: ScaleShift.apply(t, -2.5, 0.5, "affine"), (f64([0.3, 0.7], True),))


def test_backward_returning_none_for_some_inputs():
    class FirstOnly(Function):
        @staticmethod
        def forward(ctx, a, b):
            return a * 2 + b * 0

        @staticmethod
        def backward(ctx, g):
            return g * 2, None

    a = f64([1.0], requires_grad=True)
    b = f64([1.0], requires_grad=True)
    FirstOnly.apply(a, b).sum().backward()
    assert a.grad.item() == 2.0
    assert b.grad is None


def test_backward_returning_wrong_count_raises():
    class Bad(Function):
        @staticmethod
        def forward(ctx, a, b):
            return a + b

        @staticmethod
        def backward(ctx, g):
            return g  # one gradient for two inputs

    a = f64([1.0], requires_grad=True)
    b = f64([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="incorrect number of gradients"):
        Bad.apply(a, b).sum().backward()


def test_backward_returning_wrong_shape_raises():
    class Bad(Function):
        @staticmethod
        def forward(ctx, a):
            return a * 1

        @staticmethod
        def backward(ctx, g):
            return torch.ones(5, dtype=torch.float64)

    a = f64([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError):
        Bad.apply(a).sum().backward()


def test_backward_broadcastable_gradient_is_summed():
    class Expand(Function):
        @staticmethod
        def forward(ctx, a):
            return a * 1

        @staticmethod
        def backward(ctx, g):
            return g.expand(3, 2)  # shape (3, 2) for a (2,) input: summed back (as PyTorch's validate_outputs)

    a = f64([1.0, 2.0], requires_grad=True)
    Expand.apply(a).sum().backward()
    np.testing.assert_array_equal(vals(a.grad), [3.0, 3.0])


def test_double_backward_through_function_using_dyngraph_ops():
    class Cube(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x * x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 3 * x * x  # differentiable itself

    x = f64([1.0, 2.0], requires_grad=True)
    y = Cube.apply(x).sum()
    (g,) = torch.autograd.grad(y, x, create_graph=True)
    np.testing.assert_array_equal(vals(g), [3.0, 12.0])
    (h,) = torch.autograd.grad(g.sum(), x, create_graph=True)
    np.testing.assert_array_equal(vals(h), [6.0, 12.0])
    (k,) = torch.autograd.grad(h.sum(), x)
    np.testing.assert_array_equal(vals(k), [6.0, 6.0])
    assert gradgradcheck(Cube.apply, (f64([0.5, -1.5], True),))


def test_once_differentiable_backward_is_not_recorded():
    class Cube(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x * x

        @staticmethod
        @torch.autograd.once_differentiable
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 3 * x * x

    x = f64([2.0], requires_grad=True)
    (g,) = torch.autograd.grad(Cube.apply(x).sum(), x, create_graph=True)
    assert g.item() == 12.0
    assert not g.requires_grad


def test_function_saving_its_own_output():
    class Exp2(Function):
        @staticmethod
        def forward(ctx, x):
            y = x * x
            ctx.save_for_backward(x, y)
            return y

        @staticmethod
        def backward(ctx, g):
            x, y = ctx.saved_tensors
            assert tuple(y.shape) == tuple(x.shape)
            return g * 2 * y / x

    x = f64([1.0, 2.0, -3.0], requires_grad=True)
    out = Exp2.apply(x)
    out.sum().backward()
    np.testing.assert_allclose(vals(x.grad), [2.0, 4.0, -6.0])
    assert gradcheck(Exp2.apply, (f64([1.0, -2.0, 0.5], True),))


def test_function_saving_its_own_output_double_backward():
    class Sq(Function):
        @staticmethod
        def forward(ctx, x):
            y = x * x
            ctx.save_for_backward(x, y)
            return y

        @staticmethod
        def backward(ctx, g):
            x, y = ctx.saved_tensors
            return g * 2 * y / x

    assert gradgradcheck(Sq.apply, (f64([1.0, -2.0, 0.5], True),))


def test_saved_output_modified_in_place_raises():
    class Sq(Function):
        @staticmethod
        def forward(ctx, x):
            y = x * x
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, g):
            (y,) = ctx.saved_tensors
            return g * y

    x = f64([1.0, 2.0], requires_grad=True)
    out = Sq.apply(x)
    out.mul_(2)
    with pytest.raises(RuntimeError, match="inplace"):
        out.sum().backward()


def test_function_returning_input_unchanged():
    class Identity(Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, g):
            return g * 5  # distinguishable from the identity

    x = f64([1.0, 2.0], requires_grad=True)
    y = Identity.apply(x)
    assert y is not x
    assert x.is_leaf and x.grad_fn is None
    assert y.grad_fn is not None
    y.sum().backward()
    np.testing.assert_array_equal(vals(x.grad), [5.0, 5.0])


def test_function_with_view_of_input_in_graph():
    x = f64([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    y = Square.apply(x[1])
    y.sum().backward()
    np.testing.assert_array_equal(vals(x.grad), [[0.0, 0.0], [6.0, 8.0]])


def test_ctx_attributes_persist_to_backward():
    class Stash(Function):
        @staticmethod
        def forward(ctx, x, k):
            ctx.k = k
            ctx.shape = tuple(x.shape)
            return x * k

        @staticmethod
        def backward(ctx, g):
            assert ctx.shape == (3,)
            return g * ctx.k, None

    x = f64([1.0, 2.0, 3.0], requires_grad=True)
    Stash.apply(x, 4).sum().backward()
    np.testing.assert_array_equal(vals(x.grad), [4.0, 4.0, 4.0])


def test_function_hooks_on_outputs():
    x = f64([1.0, 2.0], requires_grad=True)
    y = Square.apply(x)
    y.register_hook(lambda g: g * 10)
    y.sum().backward()
    np.testing.assert_array_equal(vals(x.grad), [20.0, 40.0])
