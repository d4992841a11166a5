"""Alternative names (arccos, negative, ...), in-place forms built from out-of-place ops (eq_,
cumsum_, ...), torch.abs_-style module functions, and small elementwise functions (ldexp,
logaddexp2, nextafter, mvlgamma, i0, frexp) and predicates (is_signed, isreal, is_conj, ...)."""

import math

import numpy as np
import pytest

import dyngraph

X = np.array([0.5, -0.25, 0.75, -1.0])


@pytest.mark.parametrize("alias,name", [("absolute", "abs"), ("arccos", "acos"), ("arcsin", "asin"),
                                        ("arctan", "atan"), ("arcsinh", "asinh"), ("arctanh", "atanh"),
                                        ("negative", "neg"), ("fix", "trunc")])
def test_alias_matches_its_op_as_function_method_and_inplace(alias, name):
    x = dyngraph.tensor(X)
    expected = getattr(dyngraph, name)(x).numpy()
    np.testing.assert_array_equal(getattr(dyngraph, alias)(x).numpy(), expected)
    np.testing.assert_array_equal(getattr(x, alias)().numpy(), expected)
    y = x.clone()
    getattr(y, alias + "_")()
    np.testing.assert_array_equal(y.numpy(), expected)


def test_arccosh_and_arctan2():
    x = dyngraph.tensor([1.5, 2.0])
    np.testing.assert_allclose(dyngraph.arccosh(x).numpy(), np.arccosh([1.5, 2.0]), rtol=1e-6)
    np.testing.assert_allclose(dyngraph.arctan2(x, -x).numpy(), np.arctan2([1.5, 2.0], [-1.5, -2.0]), rtol=1e-6)


@pytest.mark.parametrize("name", ["abs_", "sin_", "exp_", "neg_", "sqrt_", "arccos_", "negative_", "zero_"])
def test_module_level_inplace_functions(name):
    x = dyngraph.tensor([0.25, 0.5])
    out = getattr(dyngraph, name)(x)
    assert out is x
    np.testing.assert_allclose(x.numpy(), getattr(dyngraph.tensor([0.25, 0.5]), name)().numpy())


def test_comparison_inplace_writes_bool_results_in_self_dtype():
    x = dyngraph.tensor([1.0, 2.0, 3.0])
    x.eq_(dyngraph.tensor([1.0, 0.0, 3.0]))
    np.testing.assert_array_equal(x.numpy(), [1.0, 0.0, 1.0])
    y = dyngraph.tensor([1, 5, 3])
    y.gt_(2)
    assert y.dtype == dyngraph.int64
    np.testing.assert_array_equal(y.numpy(), [0, 1, 1])


def test_inplace_refuses_a_result_that_cannot_cast():
    with pytest.raises(RuntimeError, match="can't be cast"):
        dyngraph.tensor([1, 2]).true_divide_(2)


def test_inplace_scan_keeps_autograd_correct():
    a = dyngraph.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = a * 1
    b.cumprod_(0)
    b.sum().backward()
    # d/da of a0 + a0 a1 + a0 a1 a2
    np.testing.assert_allclose(a.grad.numpy(), [1 + 2 + 6, 1 + 3, 2])


def test_rsub_fill_and_clamp_min_inplace():
    x = dyngraph.tensor([1.0, 4.0])
    np.testing.assert_array_equal(dyngraph.rsub(x, 2).numpy(), [1.0, -2.0])
    np.testing.assert_array_equal(dyngraph.rsub(x, dyngraph.tensor([1.0, 1.0]), alpha=2).numpy(), [-1.0, -7.0])
    np.testing.assert_array_equal(dyngraph.fill(x, 7).numpy(), [7.0, 7.0])
    x.clamp_min_(2.0)
    np.testing.assert_array_equal(x.numpy(), [2.0, 4.0])


def test_ldexp_logaddexp2_nextafter_frexp_i0_against_numpy():
    x = np.array([0.0, 1.0, -3.5, 0.75, 1e-3, 40.0, -100.0])
    t = dyngraph.tensor(x)
    e = np.array([1, 2, 3, -1, 0, 4, -2])
    np.testing.assert_array_equal(dyngraph.ldexp(t, dyngraph.tensor(e)).numpy(), np.ldexp(x, e))
    y = np.array([1.0, -1.0, 2.0, 0.75, -np.inf, 3.0, 1.0])
    np.testing.assert_allclose(dyngraph.logaddexp2(t, dyngraph.tensor(y)).numpy(), np.logaddexp2(x, y), rtol=1e-12)
    np.testing.assert_array_equal(dyngraph.nextafter(t, dyngraph.tensor(y)).numpy(), np.nextafter(x, y))
    f32 = np.array([0.0, 1.0, -2.0], np.float32)
    np.testing.assert_array_equal(
        dyngraph.nextafter(dyngraph.tensor(f32), dyngraph.tensor(np.array([1.0, 2.0, -3.0], np.float32))).numpy(),
        np.nextafter(f32, np.array([1.0, 2.0, -3.0], np.float32)))
    mantissa, exponent = dyngraph.frexp(t)
    m_ref, e_ref = np.frexp(x)
    np.testing.assert_array_equal(mantissa.numpy(), m_ref)
    np.testing.assert_array_equal(exponent.numpy(), e_ref)
    assert exponent.dtype == dyngraph.int32
    np.testing.assert_allclose(dyngraph.i0(t).numpy(), np.i0(x), rtol=1e-12)


def test_i0_gradient_is_i1():
    x = dyngraph.tensor([0.5, 3.0, 35.0], dtype=dyngraph.float64, requires_grad=True)
    dyngraph.i0(x).sum().backward()
    # I0' = I1, from its own series: sum_k (x/2)^(2k+1) / (k! (k+1)!)
    def i1(v):
        return sum(math.exp((2 * k + 1) * math.log(v / 2) - math.lgamma(k + 1) - math.lgamma(k + 2))
                   for k in range(120))
    np.testing.assert_allclose(x.grad.numpy(), [i1(0.5), i1(3.0), i1(35.0)], rtol=1e-8)


def test_mvlgamma():
    x = dyngraph.tensor([2.5, 3.0], dtype=dyngraph.float64)
    p = 3
    ref = [p * (p - 1) / 4 * math.log(math.pi) + sum(math.lgamma(v - j / 2) for j in range(p)) for v in (2.5, 3.0)]
    np.testing.assert_allclose(dyngraph.mvlgamma(x, p).numpy(), ref, rtol=1e-12)
    with pytest.raises(RuntimeError, match="greater than"):
        dyngraph.mvlgamma(dyngraph.tensor([0.5]), 3)


def test_predicates():
    x = dyngraph.tensor([1.0, float("inf"), -float("inf")])
    np.testing.assert_array_equal(dyngraph.isposinf(x).numpy(), [False, True, False])
    np.testing.assert_array_equal(dyngraph.isneginf(x).numpy(), [False, False, True])
    assert x.is_signed() and not dyngraph.tensor([1], dtype=dyngraph.uint8).is_signed()
    np.testing.assert_array_equal(dyngraph.isreal(dyngraph.tensor([1 + 1j, 2 + 0j])).numpy(), [False, True])
    assert dyngraph.isreal(x).all()
    assert x.get_device() == -1
    assert not dyngraph.is_conj(x) and not x.is_neg() and dyngraph.resolve_conj(x) is x
    assert dyngraph.positive(x) is x
    with pytest.raises(TypeError):
        dyngraph.positive(dyngraph.tensor([True]))
    assert dyngraph.is_same_size(x, x) and not dyngraph.is_same_size(x, x[:2])
