"""Autograd engine semantics: accumulation, graph shapes, retain/create graph,
autograd.grad, tensor autograd attributes, hooks, and in-place/version
counter rules. Expected values are hand-derived (PyTorch semantics)."""

import numpy as np
import pytest

import dyngraph as torch


def vals(t):
    return np.array(t.detach().numpy(), copy=True)


def f64(data, requires_grad=False):
    return torch.tensor(data, dtype=torch.float64, requires_grad=requires_grad)


# --------------------------------------------------------------------------------------
# Engine semantics
# --------------------------------------------------------------------------------------

def test_simple_backward_values():
    x = f64([1.0, 2.0, 3.0], requires_grad=True)
    w = f64([4.0, 5.0, 6.0], requires_grad=True)
    (x * w + x).sum().backward()
    np.testing.assert_array_equal(vals(x.grad), [5.0, 6.0, 7.0])
    np.testing.assert_array_equal(vals(w.grad), [1.0, 2.0, 3.0])


def test_gradient_accumulates_over_two_backward_calls():
    x = f64([1.0, -2.0], requires_grad=True)
    (x * 3).sum().backward()
    np.testing.assert_array_equal(vals(x.grad), [3.0, 3.0])
    (x * x).sum().backward()
    np.testing.assert_array_equal(vals(x.grad), [3.0 + 2.0, 3.0 - 4.0])


def test_grad_zeroed_by_setting_none():
    x = f64([1.0, 2.0], requires_grad=True)
    (x * 2).sum().backward()
    x.grad = None
    (x * 5).sum().backward()
    np.testing.assert_array_equal(vals(x.grad), [5.0, 5.0])


def test_grad_accumulation_is_not_in_place_on_user_grad_object_values():
    x = f64([1.0, 2.0], requires_grad=True)
    (x * 2).sum().backward()
    first = x.grad
    first_vals = vals(first)
    (x * 3).sum().backward()
    np.testing.assert_array_equal(vals(x.grad), [5.0, 5.0])
    # whichever way it is stored, the values seen through x.grad are the accumulated ones
    assert first_vals.tolist() == [2.0, 2.0]


def test_diamond_graph():
    x = f64([1.0, 2.0, -3.0], requires_grad=True)
    y = x * 2
    z = y * y + y  # dz/dx = (2y + 1) * 2 = 8x + 2
    z.sum().backward()
    np.testing.assert_array_equal(vals(x.grad), 8 * np.array([1.0, 2.0, -3.0]) + 2)


def test_shared_subexpression_used_many_times():
    x = f64([0.5, 1.5], requires_grad=True)
    s = x * x  # used four times
    out = s + s * 3 - s / 2 + s * s  # = 3.5 x^2 + x^4
    out.sum().backward()
    xv = np.array([0.5, 1.5])
    np.testing.assert_allclose(vals(x.grad), 7 * xv + 4 * xv ** 3, rtol=1e-14)


def test_same_input_twice_in_one_op():
    x = f64([3.0], requires_grad=True)
    (x * x).backward()
    assert vals(x.grad).tolist() == [6.0]
    x.grad = None
    (x + x - x / x).backward()  # d/dx (2x - 1) = 2
    assert vals(x.grad).tolist() == [2.0]


def test_deep_chain():
    x = f64(1.0, requires_grad=True)
    y = x
    for _ in range(200):
        y = y * 1.01 + 0.0
    y.backward()
    assert x.grad.item() == pytest.approx(1.01 ** 200, rel=1e-12)


def test_wide_fan_out_fan_in():
    x = f64([1.0, 2.0], requires_grad=True)
    parts = [x * float(k) for k in range(1, 51)]
    total = parts[0]
    for p in parts[1:]:
        total = total + p
    total.sum().backward()
    np.testing.assert_array_equal(vals(x.grad), [1275.0, 1275.0])


def test_unused_input_allow_unused_false_raises():
    a = f64([1.0, 2.0], requires_grad=True)
    b = f64([3.0, 4.0], requires_grad=True)
    out = (a * 2).sum()
    with pytest.raises(RuntimeError, match="allow_unused"):
        torch.autograd.grad(out, [a, b])


def test_unused_input_allow_unused_true_returns_none():
    a = f64([1.0, 2.0], requires_grad=True)
    b = f64([3.0, 4.0], requires_grad=True)
    ga, gb = torch.autograd.grad((a * 2).sum(), [a, b], allow_unused=True)
    np.testing.assert_array_equal(vals(ga), [2.0, 2.0])
    assert gb is None


def test_materialize_grads_returns_zeros_for_unused():
    a = f64([1.0, 2.0], requires_grad=True)
    b = f64([3.0, 4.0], requires_grad=True)
    ga, gb = torch.autograd.grad((a * 2).sum(), [a, b], materialize_grads=True)
    np.testing.assert_array_equal(vals(gb), [0.0, 0.0])


def test_retain_graph_required_for_second_backward():
    x = f64([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="second time"):
        y.backward()


def test_retain_graph_allows_second_backward():
    x = f64([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_array_equal(vals(x.grad), [4.0, 8.0])


def test_autograd_grad_frees_graph_by_default():
    x = f64([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    torch.autograd.grad(y, x)
    with pytest.raises(RuntimeError, match="second time"):
        torch.autograd.grad(y, x)


def test_autograd_grad_retain_graph():
    x = f64([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    g1 = torch.autograd.grad(y, x, retain_graph=True)[0]
    g2 = torch.autograd.grad(y, x)[0]
    np.testing.assert_array_equal(vals(g1), vals(g2))


def test_graph_without_saved_tensors_can_be_rerun():
    # sum and add save nothing, so a second pass works even without retain_graph (as in PyTorch)
    x = f64([1.0, 2.0], requires_grad=True)
    y = (x + 1).sum()
    y.backward()
    y.backward()
    np.testing.assert_array_equal(vals(x.grad), [2.0, 2.0])


def test_create_graph_third_order():
    x = f64(2.0, requires_grad=True)
    y = x * x * x * x
    (g1,) = torch.autograd.grad(y, x, create_graph=True)
    assert g1.item() == 32.0  # 4 x^3
    assert g1.requires_grad
    (g2,) = torch.autograd.grad(g1, x, create_graph=True)
    assert g2.item() == 48.0  # 12 x^2
    (g3,) = torch.autograd.grad(g2, x, create_graph=True)
    assert g3.item() == 48.0  # 24 x
    x3 = f64(-1.5, requires_grad=True)
    y3 = x3 * x3 * x3 * x3
    (d1,) = torch.autograd.grad(y3, x3, create_graph=True)
    (d2,) = torch.autograd.grad(d1, x3, create_graph=True)
    (d3,) = torch.autograd.grad(d2, x3)
    assert d3.item() == pytest.approx(24 * -1.5)


def test_create_graph_backward_then_grad_of_grad():
    x = f64([1.0, 2.0], requires_grad=True)
    y = (x * x * x).sum()
    y.backward(create_graph=True)
    g = x.grad
    assert g.requires_grad
    np.testing.assert_array_equal(vals(g), [3.0, 12.0])
    (h,) = torch.autograd.grad(g.sum(), x)
    np.testing.assert_array_equal(vals(h), [6.0, 12.0])


def test_grad_without_create_graph_does_not_require_grad():
    x = f64([1.0, 2.0], requires_grad=True)
    (g,) = torch.autograd.grad((x * x).sum(), x)
    assert not g.requires_grad
    assert g.grad_fn is None


def test_non_scalar_backward_without_gradient_raises():
    x = f64([1.0, 2.0], requires_grad=True)
    y = x * 2
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar outputs"):
        y.backward()
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar outputs"):
        torch.autograd.grad(y, x)


def test_one_element_non_0d_backward_is_allowed():
    x = f64([3.0], requires_grad=True)
    (x * 2).backward()
    assert vals(x.grad).tolist() == [2.0]


def test_backward_with_gradient():
    x = f64([1.0, 2.0, 3.0], requires_grad=True)
    y = x * x
    y.backward(gradient=f64([1.0, 0.5, -1.0]))
    np.testing.assert_array_equal(vals(x.grad), [2.0, 2.0, -6.0])


def test_backward_gradient_shape_mismatch_raises():
    x = f64([1.0, 2.0, 3.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="[Ss]hape"):
        (x * 2).backward(f64([1.0, 2.0]))


def test_autograd_backward_function_with_grad_tensors():
    x = f64([1.0, 2.0], requires_grad=True)
    a = x * 3
    b = x * x
    torch.autograd.backward([a, b], [f64([1.0, 1.0]), f64([2.0, 0.0])])
    np.testing.assert_array_equal(vals(x.grad), [3.0 + 4.0, 3.0])


def test_backward_on_leaf_without_grad_raises():
    x = f64([1.0, 2.0])
    with pytest.raises(RuntimeError, match="does not require grad"):
        x.sum().backward()


def test_backward_inputs_only_accumulates_into_inputs():
    a = f64([1.0, 2.0], requires_grad=True)
    b = f64([3.0, 4.0], requires_grad=True)
    out = (a * b).sum()
    out.backward(inputs=[a])
    np.testing.assert_array_equal(vals(a.grad), [3.0, 4.0])
    assert b.grad is None


def test_backward_inputs_single_tensor_and_non_leaf():
    a = f64([1.0, 2.0], requires_grad=True)
    b = f64([3.0, 4.0], requires_grad=True)
    mid = a * 2
    out = (mid * b).sum()
    out.backward(inputs=mid, retain_graph=True)
    np.testing.assert_array_equal(vals(mid.grad), [3.0, 4.0])
    assert a.grad is None and b.grad is None
    out.backward(inputs=[b])
    np.testing.assert_array_equal(vals(b.grad), [2.0, 4.0])
    assert a.grad is None


def test_broadcast_grads_reduced_to_input_shapes():
    a = f64([[1.0], [2.0], [3.0]], requires_grad=True)  # (3, 1)
    b = f64([10.0, 20.0, 30.0, 40.0], requires_grad=True)  # (4,)
    c = f64(2.0, requires_grad=True)  # 0-d
    (a * b * c).sum().backward()
    assert tuple(a.grad.shape) == (3, 1)
    assert tuple(b.grad.shape) == (4,)
    assert tuple(c.grad.shape) == ()
    np.testing.assert_array_equal(vals(a.grad), [[200.0], [200.0], [200.0]])
    np.testing.assert_array_equal(vals(b.grad), [12.0, 12.0, 12.0, 12.0])
    assert c.grad.item() == 6.0 * 100.0


def test_grad_dtype_matches_input_dtype():
    x = torch.tensor([1.0, 2.0], requires_grad=True)  # float32
    w = f64([3.0, 4.0], requires_grad=True)
    y = x * w
    assert y.dtype is torch.float64
    y.sum().backward()
    assert x.grad.dtype is torch.float32
    assert w.grad.dtype is torch.float64
    np.testing.assert_array_equal(vals(x.grad), [3.0, 4.0])
    np.testing.assert_array_equal(vals(w.grad), [1.0, 2.0])


def test_grad_dtype_with_int_tensor_operand():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * torch.tensor([3, 4])
    assert y.dtype is torch.float32
    y.sum().backward()
    np.testing.assert_array_equal(vals(x.grad), [3.0, 4.0])


def test_dynamic_control_flow():
    def f(x):
        y = x
        steps = 0
        while (y * y).sum().item() < 100:
            y = y * 2
            steps += 1
        if y.sum().item() > 0:
            y = y * y
        else:
            y = -y
        return y.sum(), steps

    x = f64([1.0, 1.5], requires_grad=True)
    out, steps = f(x)  # doubles until sum of squares >= 100: 1*2^k, 1.5*2^k -> k = 3
    assert steps == 3
    out.backward()
    # out = sum((8 x)^2) -> grad 128 x
    np.testing.assert_array_equal(vals(x.grad), [128.0, 192.0])

    x2 = f64([-1.0, -1.5], requires_grad=True)
    out2, steps2 = f(x2)
    assert steps2 == 3
    out2.backward()
    np.testing.assert_array_equal(vals(x2.grad), [-8.0, -8.0])


def test_loop_accumulating_into_python_variable():
    x = f64([1.0, 2.0], requires_grad=True)
    acc = f64(0.0)
    for i in range(5):
        if i % 2 == 0:
            acc = acc + (x * i).sum()
        else:
            acc = acc - x.sum()
    acc.backward()  # coefficients 0 - 1 + 2 - 1 + 4 = 4
    np.testing.assert_array_equal(vals(x.grad), [4.0, 4.0])


def test_autograd_grad_returns_tuple_and_leaves_grad_alone():
    x = f64([1.0, 2.0], requires_grad=True)
    w = f64([5.0, 6.0], requires_grad=True)
    res = torch.autograd.grad((x * w).sum(), x)
    assert isinstance(res, tuple) and len(res) == 1
    np.testing.assert_array_equal(vals(res[0]), [5.0, 6.0])
    assert x.grad is None and w.grad is None
    res2 = torch.autograd.grad((x * w).sum(), [x, w])
    assert isinstance(res2, tuple) and len(res2) == 2
    np.testing.assert_array_equal(vals(res2[1]), [1.0, 2.0])
    assert x.grad is None and w.grad is None


def test_autograd_grad_wrt_non_leaf():
    x = f64([1.0, 2.0], requires_grad=True)
    y = x * 3
    z = (y * y).sum()
    (gy,) = torch.autograd.grad(z, y)
    np.testing.assert_array_equal(vals(gy), [6.0, 12.0])
    assert x.grad is None


def test_autograd_grad_with_grad_outputs():
    x = f64([1.0, 2.0], requires_grad=True)
    y = x * x
    (g,) = torch.autograd.grad(y, x, grad_outputs=f64([3.0, -1.0]))
    np.testing.assert_array_equal(vals(g), [6.0, -4.0])


def test_autograd_grad_multiple_outputs():
    x = f64([1.0, 2.0], requires_grad=True)
    (g,) = torch.autograd.grad([(x * 2).sum(), (x * x).sum()], [x])
    np.testing.assert_array_equal(vals(g), [4.0, 6.0])


def test_grad_of_input_that_does_not_require_grad_raises():
    x = f64([1.0, 2.0], requires_grad=True)
    c = f64([1.0, 2.0])
    with pytest.raises(RuntimeError, match="does not require grad"):
        torch.autograd.grad((x * c).sum(), c)


# --------------------------------------------------------------------------------------
# Tensor autograd attributes
# --------------------------------------------------------------------------------------

def test_requires_grad_defaults_and_setter():
    x = f64([1.0])
    assert x.requires_grad is False
    assert x.is_leaf
    assert x.grad is None
    assert x.grad_fn is None
    x.requires_grad = True
    assert x.requires_grad
    x.requires_grad = False
    assert not x.requires_grad


def test_requires_grad_underscore_returns_self():
    x = f64([1.0, 2.0])
    r = x.requires_grad_()
    assert r is x
    assert x.requires_grad
    x.requires_grad_(False)
    assert not x.requires_grad


def test_requires_grad_on_int_tensor_raises():
    with pytest.raises(RuntimeError, match="floating point"):
        torch.tensor([1, 2]).requires_grad_()
    with pytest.raises(RuntimeError):
        torch.tensor([True]).requires_grad = True
    with pytest.raises(RuntimeError):
        torch.zeros(2, dtype=torch.int64, requires_grad=True)
    torch.tensor([1, 2]).requires_grad_(False)  # allowed


def test_requires_grad_false_on_non_leaf_raises():
    x = f64([1.0], requires_grad=True)
    y = x * 2
    with pytest.raises(RuntimeError):
        y.requires_grad_(False)


def test_is_leaf():
    x = f64([1.0], requires_grad=True)
    c = f64([1.0])
    assert x.is_leaf and c.is_leaf
    assert not (x * 2).is_leaf
    assert (c * 2).is_leaf  # no grad needed: a leaf
    assert not x[0].is_leaf  # a view of a leaf requiring grad has a grad_fn
    assert x.detach().is_leaf


def test_grad_settable():
    x = f64([1.0, 2.0], requires_grad=True)
    x.grad = f64([0.5, 0.5])
    (x * 2).sum().backward()
    np.testing.assert_array_equal(vals(x.grad), [2.5, 2.5])
    x.grad = None
    assert x.grad is None


def test_grad_fn_names():
    x = f64([1.0, 2.0], requires_grad=True)
    w = f64([3.0, 4.0], requires_grad=True)
    assert (x * w).grad_fn.name() == "MulBackward0"
    assert (x + w).grad_fn.name() == "AddBackward0"
    assert (x - w).grad_fn.name() == "SubBackward0"
    assert (x / w).grad_fn.name() == "DivBackward0"
    assert (x * 2).grad_fn.name().startswith("MulBackward")  # PyTorch: MulBackward0 (wrapped scalar)
    assert (-x).grad_fn.name() == "NegBackward0"
    assert x.sum().grad_fn.name() == "SumBackward0"
    assert x.sum(0).grad_fn.name() == "SumBackward1"
    assert x.mean().grad_fn.name() == "MeanBackward0"
    assert x.mean(0).grad_fn.name() == "MeanBackward1"
    assert x.clone().grad_fn.name() == "CloneBackward0"
    assert x.unsqueeze(0).grad_fn.name() == "UnsqueezeBackward0"
    assert x.expand(2, 2).grad_fn.name() == "ExpandBackward0"
    assert x.view(2, 1).grad_fn.name() == "ViewBackward0"
    assert x[0].grad_fn.name() == "SelectBackward0"
    assert x[1:].grad_fn.name() == "SliceBackward0"
    assert x.view(1, 2).t().grad_fn.name() in ("TBackward0", "TransposeBackward0")
    assert x.view(1, 2).permute(1, 0).grad_fn.name() == "PermuteBackward0"


def test_grad_fn_next_functions_and_accumulate_grad():
    x = f64([1.0, 2.0], requires_grad=True)
    w = f64([3.0, 4.0], requires_grad=True)
    c = f64([1.0, 1.0])
    y = x * w
    z = (y + c).sum()
    assert z.grad_fn.name() == "SumBackward0"
    (add_fn, idx), = z.grad_fn.next_functions
    assert idx == 0
    assert add_fn.name() == "AddBackward0"
    (mul_fn, _), (none_fn, _) = add_fn.next_functions
    assert mul_fn.name() == "MulBackward0"
    assert none_fn is None  # c does not require grad
    (acc_x, nx), (acc_w, nw) = mul_fn.next_functions
    assert acc_x.name() == "AccumulateGrad" and acc_w.name() == "AccumulateGrad"
    assert acc_x.variable is x
    assert acc_w.variable is w
    assert nx == 0 and nw == 0


def test_accumulate_grad_node_is_shared():
    x = f64([1.0, 2.0], requires_grad=True)
    a = (x * 2).grad_fn.next_functions[0][0]
    b = (x + 1).grad_fn.next_functions[0][0]
    assert a.name() == b.name() == "AccumulateGrad"
    assert a.variable is b.variable is x


def test_retain_grad_on_non_leaf():
    x = f64([1.0, 2.0], requires_grad=True)
    y = x * 2
    assert not y.retains_grad
    y.retain_grad()
    assert y.retains_grad
    z = y * y
    z.sum().backward()
    np.testing.assert_array_equal(vals(y.grad), [4.0, 8.0])
    np.testing.assert_array_equal(vals(x.grad), [8.0, 16.0])
    assert z.grad is None  # not retained


def test_retain_grad_accumulates():
    x = f64([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.retain_grad()
    z = (y * 3).sum()
    z.backward(retain_graph=True)
    z.backward()
    np.testing.assert_array_equal(vals(y.grad), [6.0, 6.0])


def test_retain_grad_on_leaf_is_noop():
    x = f64([1.0, 2.0], requires_grad=True)
    x.retain_grad()
    assert not x.retains_grad  # PyTorch: retains_grad is False for leaves
    (x * 2).sum().backward()
    np.testing.assert_array_equal(vals(x.grad), [2.0, 2.0])


def test_detach_shares_memory_and_has_no_grad():
    x = f64([1.0, 2.0], requires_grad=True)
    y = x * 2
    d = y.detach()
    assert not d.requires_grad
    assert d.grad_fn is None
    assert d.is_leaf
    assert d.untyped_storage_ptr() == y.untyped_storage_ptr()
    d[0] = 100.0
    assert y[0].item() == 100.0
    dx = x.detach()
    dx[1] = 7.0
    assert x[1].item() == 7.0
    assert torch.detach(y).untyped_storage_ptr() == y.untyped_storage_ptr()


def test_detach_underscore():
    x = f64([1.0, 2.0], requires_grad=True)
    y = x * 2
    r = y.detach_()
    assert r is y
    assert not y.requires_grad
    assert y.grad_fn is None
    assert y.is_leaf
    np.testing.assert_array_equal(vals(y), [2.0, 4.0])


def test_data_is_detached_alias():
    x = f64([1.0, 2.0], requires_grad=True)
    d = x.data
    assert not d.requires_grad
    d.mul_(3)  # allowed: not tracked
    np.testing.assert_array_equal(vals(x), [3.0, 6.0])
    (x * 1).sum().backward()
    np.testing.assert_array_equal(vals(x.grad), [1.0, 1.0])


def test_version_counter_increments_on_inplace():
    x = f64([1.0, 2.0, 3.0])
    v0 = x._version
    x.add_(1)
    assert x._version == v0 + 1
    x.mul_(2)
    x.sub_(1)
    x.div_(2)
    x.neg_()
    assert x._version == v0 + 5
    x += 1
    assert x._version == v0 + 6
    x[0] = 5.0
    assert x._version == v0 + 7
    x.fill_(1.0)
    x.copy_(f64([1.0, 2.0, 3.0]))
    assert x._version == v0 + 9
    _ = x + 1
    _ = x[1:]
    assert x._version == v0 + 9  # out-of-place ops and views don't bump it


def test_version_counter_shared_by_views():
    x = f64([1.0, 2.0, 3.0, 4.0])
    v = x[1:]
    w = x.view(2, 2)
    v0 = x._version
    assert v._version == v0 and w._version == v0
    v.add_(1)
    assert x._version == v0 + 1 and v._version == v0 + 1 and w._version == v0 + 1
    x.mul_(2)
    assert v._version == v0 + 2 and w._version == v0 + 2
    w[0, 0] = 3.0
    assert x._version == v0 + 3
    d = x.detach()
    d.add_(1)  # detach shares the counter too (PyTorch)
    assert x._version == v0 + 4


def test_version_counter_not_shared_by_clone():
    x = f64([1.0, 2.0])
    c = x.clone()
    v0 = x._version
    c.add_(1)
    assert x._version == v0


@pytest.mark.parametrize("factory", [
    lambda: torch.zeros(2, 3, requires_grad=True),
    lambda: torch.ones(2, 3, requires_grad=True),
    lambda: torch.full((2, 3), 1.5, requires_grad=True),
    lambda: torch.randn(2, 3, requires_grad=True),
    lambda: torch.rand(2, 3, requires_grad=True),
    lambda: torch.empty(2, 3, requires_grad=True),
    lambda: torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True),
    lambda: torch.zeros_like(torch.ones(2, 3), requires_grad=True),
    lambda: torch.ones_like(torch.ones(2, 3), requires_grad=True),
    lambda: torch.arange(6.0, requires_grad=True).detach().reshape(2, 3).requires_grad_(),
    lambda: torch.linspace(0, 1, 6, requires_grad=True).detach().reshape(2, 3).requires_grad_(),
], ids=["zeros", "ones", "full", "randn", "rand", "empty", "tensor", "zeros_like", "ones_like", "arange",
        "linspace"])
def test_factories_with_requires_grad(factory):
    x = factory()
    assert x.requires_grad
    assert x.is_leaf
    assert x.grad_fn is None
    (x * 2).sum().backward()
    np.testing.assert_array_equal(vals(x.grad), np.full((2, 3), 2.0, dtype=np.float32))


def test_arange_and_linspace_requires_grad():
    a = torch.arange(3.0, requires_grad=True)
    b = torch.linspace(0, 1, 3, requires_grad=True)
    for t in (a, b):
        assert t.requires_grad and t.is_leaf


def test_new_factory_requires_grad():
    base = f64([1.0])
    t = base.new_zeros(2, requires_grad=True)
    assert t.requires_grad and t.dtype is torch.float64


# --------------------------------------------------------------------------------------
# Hooks
# --------------------------------------------------------------------------------------

def test_hook_on_leaf_sees_gradient():
    x = f64([1.0, 2.0], requires_grad=True)
    seen = []
    x.register_hook(lambda g: seen.append(vals(g)))
    (x * 3).sum().backward()
    assert len(seen) == 1
    np.testing.assert_array_equal(seen[0], [3.0, 3.0])
    np.testing.assert_array_equal(vals(x.grad), [3.0, 3.0])


def test_hook_on_leaf_replaces_gradient():
    x = f64([1.0, 2.0], requires_grad=True)
    x.register_hook(lambda g: g * 10)
    (x * 3).sum().backward()
    np.testing.assert_array_equal(vals(x.grad), [30.0, 30.0])


def test_hook_on_non_leaf_replaces_gradient_flowing_back():
    x = f64([1.0, 2.0], requires_grad=True)
    y = x * 2
    seen = []

    def hook(g):
        seen.append(vals(g))
        return g + 1

    y.register_hook(hook)
    (y * y).sum().backward()  # dL/dy = 2y = [4, 8] -> [5, 9]; dL/dx = 2 * that
    np.testing.assert_array_equal(seen[0], [4.0, 8.0])
    np.testing.assert_array_equal(vals(x.grad), [10.0, 18.0])


def test_hook_returning_none_keeps_gradient():
    x = f64([1.0, 2.0], requires_grad=True)
    y = x * 2
    calls = []
    y.register_hook(lambda g: calls.append(1))
    (y * 5).sum().backward()
    assert calls == [1]
    np.testing.assert_array_equal(vals(x.grad), [10.0, 10.0])


def test_hooks_run_in_registration_order_and_chain():
    x = f64([1.0], requires_grad=True)
    order = []

    def h1(g):
        order.append(("h1", g.item()))
        return g * 2

    def h2(g):
        order.append(("h2", g.item()))
        return g + 1

    x.register_hook(h1)
    x.register_hook(h2)
    (x * 3).sum().backward()
    assert order == [("h1", 3.0), ("h2", 6.0)]
    assert x.grad.item() == 7.0


def test_hook_handle_remove():
    x = f64([1.0, 2.0], requires_grad=True)
    handle = x.register_hook(lambda g: g * 100)
    (x * 1).sum().backward()
    np.testing.assert_array_equal(vals(x.grad), [100.0, 100.0])
    handle.remove()
    x.grad = None
    (x * 1).sum().backward()
    np.testing.assert_array_equal(vals(x.grad), [1.0, 1.0])
    handle.remove()  # removing twice is harmless


def test_hook_on_non_leaf_with_retain_grad_sees_hooked_value():
    x = f64([1.0, 2.0], requires_grad=True)
    y = x * 1
    y.retain_grad()
    y.register_hook(lambda g: g * 2)
    (y * 3).sum().backward()
    np.testing.assert_array_equal(vals(x.grad), [6.0, 6.0])
    np.testing.assert_array_equal(vals(y.grad), [6.0, 6.0])


def test_hook_called_once_with_summed_gradient():
    x = f64([1.0], requires_grad=True)
    y = x * 1
    seen = []
    y.register_hook(lambda g: seen.append(g.item()))
    (y * 2 + y * 3).sum().backward()
    assert seen == [5.0]


def test_hook_on_tensor_not_requiring_grad_raises():
    x = f64([1.0])
    with pytest.raises(RuntimeError):
        x.register_hook(lambda g: g)


def test_hook_also_applies_in_autograd_grad():
    x = f64([1.0, 2.0], requires_grad=True)
    x.register_hook(lambda g: g * 2)
    (g,) = torch.autograd.grad((x * 3).sum(), x)
    np.testing.assert_array_equal(vals(g), [6.0, 6.0])


def test_post_accumulate_grad_hook():
    x = f64([1.0, 2.0], requires_grad=True)
    seen = []

    def hook(t):
        assert t is x
        seen.append(vals(t.grad))

    handle = x.register_post_accumulate_grad_hook(hook)
    (x * 3).sum().backward()
    np.testing.assert_array_equal(seen[0], [3.0, 3.0])
    (x * 1).sum().backward()
    np.testing.assert_array_equal(seen[1], [4.0, 4.0])  # sees the accumulated .grad
    handle.remove()
    (x * 1).sum().backward()
    assert len(seen) == 2


def test_post_accumulate_grad_hook_can_modify_grad_in_place():
    x = f64([1.0, 2.0], requires_grad=True)

    def hook(t):
        t.grad.mul_(0.5)

    x.register_post_accumulate_grad_hook(hook)
    (x * 4).sum().backward()
    np.testing.assert_array_equal(vals(x.grad), [2.0, 2.0])


def test_post_accumulate_grad_hook_on_non_leaf_raises():
    x = f64([1.0], requires_grad=True)
    y = x * 2
    with pytest.raises(RuntimeError):
        y.register_post_accumulate_grad_hook(lambda t: None)


def test_grad_fn_register_prehook():
    x = f64([1.0, 2.0], requires_grad=True)
    y = x * 2
    z = y * 3
    z.grad_fn.register_prehook(lambda grads: (grads[0] * 10,))
    z.sum().backward()
    np.testing.assert_array_equal(vals(x.grad), [60.0, 60.0])


# --------------------------------------------------------------------------------------
# In-place operations and the version counter
# --------------------------------------------------------------------------------------

def test_modified_saved_tensor_raises_with_backward_name():
    x = f64([1.0, 2.0], requires_grad=True)
    w = f64([3.0, 4.0], requires_grad=True)
    y = x * 1
    z = y * w  # MulBackward0 saves y and w
    y.add_(1)
    with pytest.raises(RuntimeError) as info:
        z.sum().backward()
    msg = str(info.value)
    assert "MulBackward0" in msg
    assert "inplace" in msg


def test_modified_saved_leaf_input_raises():
    x = f64([1.0, 2.0], requires_grad=True)
    w = f64([3.0, 4.0])  # plain tensor saved by mul (needed for x's gradient)
    z = x * w
    w.mul_(2)
    with pytest.raises(RuntimeError, match="inplace"):
        z.sum().backward()


def test_modified_saved_tensor_via_view_raises():
    x = f64([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 1
    z = (y * y).sum()
    y[1:].mul_(2)  # the view shares y's version counter
    with pytest.raises(RuntimeError, match="MulBackward0"):
        z.backward()


def test_modifying_tensor_not_saved_is_fine():
    x = f64([1.0, 2.0], requires_grad=True)
    y = x * 1
    z = y + 1  # add saves nothing; z = x + 1 whatever happens to y later
    y.mul_(5)
    z.sum().backward()
    np.testing.assert_array_equal(vals(x.grad), [1.0, 1.0])
    np.testing.assert_array_equal(vals(y), [5.0, 10.0])


def test_inplace_on_leaf_requiring_grad_raises():
    x = f64([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf"):
        x.add_(1)
    with pytest.raises(RuntimeError, match="leaf"):
        x.mul_(2)
    with pytest.raises(RuntimeError, match="leaf"):
        x += 1
    with pytest.raises(RuntimeError, match="leaf"):
        x.fill_(3.0)
    with pytest.raises(RuntimeError, match="leaf"):
        x.copy_(f64([5.0, 6.0]))
    np.testing.assert_array_equal(vals(x), [1.0, 2.0])
    assert x.is_leaf and x.grad_fn is None


def test_setitem_on_leaf_requiring_grad_raises():
    # PyTorch: "a view of a leaf Variable that requires grad is being used in an in-place operation."
    x = f64([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf"):
        x[0] = 3.0
    np.testing.assert_array_equal(vals(x), [1.0, 2.0])
    assert x.is_leaf and x.grad_fn is None


@pytest.mark.parametrize("op", [
    lambda v: v.fill_(3.0),
    lambda v: v.mul_(3.0),
    lambda v: v.add_(f64([1.0])),
    lambda v: v.copy_(f64([4.0])),
], ids=["fill_", "mul_", "add_", "copy_"])
def test_inplace_on_view_of_leaf_requiring_grad_raises(op):
    x = f64([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf"):
        op(x[0:1])
    np.testing.assert_array_equal(vals(x), [1.0, 2.0])
    assert x.is_leaf and x.grad_fn is None


def test_inplace_on_leaf_allowed_under_no_grad():
    x = f64([1.0, 2.0], requires_grad=True)
    with torch.no_grad():
        x.mul_(2)
        x[0] = 5.0
    assert x.requires_grad and x.is_leaf
    np.testing.assert_array_equal(vals(x), [5.0, 4.0])
    (x * x).sum().backward()
    np.testing.assert_array_equal(vals(x.grad), [10.0, 8.0])


def test_inplace_on_non_leaf_rebases_graph():
    x = f64([1.0, 2.0], requires_grad=True)
    y = x * 3
    y.mul_(2)
    assert y.grad_fn.name().startswith("MulBackward")
    y.sum().backward()
    np.testing.assert_array_equal(vals(x.grad), [6.0, 6.0])


def test_inplace_chain_on_non_leaf():
    x = f64([1.0, 2.0], requires_grad=True)
    w = f64([3.0, 5.0], requires_grad=True)
    y = x * 1
    y.add_(w, alpha=2)  # y = x + 2w
    y.mul_(w)  # y = (x + 2w) w
    y.sub_(x)  # y = (x + 2w) w - x
    y.div_(2)
    y.neg_()  # y = -((x + 2w) w - x) / 2
    y.sum().backward()
    xv, wv = np.array([1.0, 2.0]), np.array([3.0, 5.0])
    np.testing.assert_allclose(vals(x.grad), -(wv - 1) / 2)
    np.testing.assert_allclose(vals(w.grad), -(xv + 4 * wv) / 2)


def test_inplace_on_non_leaf_with_tensor_requiring_grad_makes_it_require_grad():
    w = f64([2.0, 3.0], requires_grad=True)
    y = f64([1.0, 1.0])
    y.mul_(w)
    assert y.requires_grad
    assert not y.is_leaf
    y.sum().backward()
    np.testing.assert_array_equal(vals(w.grad), [1.0, 1.0])


def test_inplace_on_view_of_non_leaf():
    x = f64([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 1
    y[0] = 10.0
    y[1:].mul_(x[1:])  # y = [10, x1^2, x2^2]
    np.testing.assert_array_equal(vals(y), [10.0, 4.0, 9.0])
    y.sum().backward()
    np.testing.assert_array_equal(vals(x.grad), [0.0, 4.0, 6.0])


def test_inplace_on_view_updates_base_grad_fn():
    x = f64([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    v = y[1:]
    v.mul_(3)
    # the base's history now includes the view's in-place op
    assert y.grad_fn is not None
    (y * f64([1.0, 10.0, 100.0])).sum().backward()
    np.testing.assert_array_equal(vals(x.grad), [2.0, 60.0, 600.0])


def test_view_of_modified_base_sees_new_history():
    x = f64([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 1
    v = y[:2]
    y.mul_(4)  # modifies the base: the existing view v must use the new history
    v.sum().backward()
    np.testing.assert_array_equal(vals(x.grad), [4.0, 4.0, 0.0])


def test_setitem_tensor_requiring_grad_into_plain_tensor():
    w = f64(5.0, requires_grad=True)
    x = torch.zeros(3, dtype=torch.float64)
    x[1] = w * 2
    assert x.requires_grad
    np.testing.assert_array_equal(vals(x), [0.0, 10.0, 0.0])
    (x * f64([1.0, 3.0, 7.0])).sum().backward()
    assert w.grad.item() == 6.0


def test_setitem_simple_gradient():
    w = f64(5.0, requires_grad=True)
    x = torch.zeros(3, dtype=torch.float64)
    x[1] = w * 2
    x.sum().backward()
    assert w.grad.item() == 2.0


def test_setitem_overwrites_previous_contribution():
    x = f64([1.0, 2.0, 3.0], requires_grad=True)
    w = f64([7.0], requires_grad=True)
    y = x * 2
    y[1:2] = w * 3
    y.sum().backward()
    np.testing.assert_array_equal(vals(x.grad), [2.0, 0.0, 2.0])
    np.testing.assert_array_equal(vals(w.grad), [3.0])


def test_setitem_broadcast_value_gradient():
    w = f64([1.0, 2.0], requires_grad=True)
    x = torch.zeros(3, 2, dtype=torch.float64)
    x[:] = w  # broadcast over rows
    x.sum().backward()
    np.testing.assert_array_equal(vals(w.grad), [3.0, 3.0])


def test_inplace_on_expanded_non_leaf_raises():
    x = f64([1.0], requires_grad=True)
    y = (x * 1).expand(3)
    with pytest.raises(RuntimeError):
        y.mul_(2)


def test_modified_divisor_raises():
    x = f64([1.0, 2.0], requires_grad=True)
    w = f64([3.0, 4.0], requires_grad=True)
    y = x * 1
    z = w / y  # DivBackward0 needs y
    y.mul_(3)
    with pytest.raises(RuntimeError, match="inplace"):
        z.sum().backward()


def test_version_error_message_mentions_versions():
    x = f64([1.0, 2.0], requires_grad=True)
    y = x * 1
    z = y * y
    v = y._version
    y.add_(1)
    with pytest.raises(RuntimeError) as info:
        z.sum().backward()
    assert f"version {v + 1}" in str(info.value)
    assert f"expected version {v}" in str(info.value)
