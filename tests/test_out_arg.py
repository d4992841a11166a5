"""The out= keyword of module-level ops: written in place, resized, cast, and refused under autograd."""

import warnings

import numpy as np
import pytest

import dyngraph


def test_out_same_shape_is_written_in_place_and_returned():
    a, b = dyngraph.randn(3, 4), dyngraph.randn(3, 4)
    out = dyngraph.empty(3, 4)
    ptr = out.data_ptr()
    r = dyngraph.add(a, b, out=out)
    assert r is out and out.data_ptr() == ptr
    np.testing.assert_allclose(out.numpy(), a.numpy() + b.numpy(), rtol=1e-6)


def test_out_empty_is_resized_without_warning():
    a = dyngraph.randn(2, 5)
    out = dyngraph.empty(0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        dyngraph.exp(a, out=out)
    assert out.shape == (2, 5)
    np.testing.assert_allclose(out.numpy(), np.exp(a.numpy()), rtol=1e-6)


def test_out_wrong_nonempty_shape_warns_and_resizes():
    out = dyngraph.zeros(7)
    with pytest.warns(UserWarning, match="resized"):
        dyngraph.matmul(dyngraph.ones(2, 3), dyngraph.ones(3, 4), out=out)
    assert out.shape == (2, 4) and (out == 3).all()


def test_out_casts_to_its_dtype_and_refuses_unsafe_casts():
    out = dyngraph.empty(3, dtype=dyngraph.float64)
    dyngraph.mul(dyngraph.tensor([1.0, 2.0, 3.0]), 2, out=out)
    assert out.dtype is dyngraph.float64 and out.tolist() == [2.0, 4.0, 6.0]
    with pytest.raises(RuntimeError, match="can't be cast"):
        dyngraph.add(dyngraph.tensor([0.5]), 1, out=dyngraph.empty(1, dtype=dyngraph.int64))


def test_out_tuple_for_values_and_indices():
    x = dyngraph.tensor([[1.0, 5.0, 2.0], [7.0, 0.0, 3.0]])
    values, indices = dyngraph.empty(0), dyngraph.empty(0, dtype=dyngraph.int64)
    r = dyngraph.max(x, 1, out=(values, indices))
    assert r.values is values and r.indices is indices
    assert values.tolist() == [5.0, 7.0] and indices.tolist() == [1, 0]


def test_out_reductions_and_joins():
    x = dyngraph.arange(6.0).reshape(2, 3)
    out = dyngraph.empty(2)
    dyngraph.sum(x, 1, out=out)
    assert out.tolist() == [3.0, 12.0]
    cat_out = dyngraph.empty(0)
    dyngraph.cat([x, x], 0, out=cat_out)
    assert cat_out.shape == (4, 3)


def test_out_with_inputs_that_require_grad_raises():
    a = dyngraph.randn(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="don't support automatic differentiation"):
        dyngraph.add(a, 1, out=dyngraph.empty(3))
    with dyngraph.no_grad():
        dyngraph.add(a, 1, out=dyngraph.empty(3))


def test_bad_arguments_still_raise_type_error():
    with pytest.raises(TypeError):
        dyngraph.add(dyngraph.ones(2), "x")
    with pytest.raises(TypeError):
        dyngraph.add(dyngraph.ones(2), 1, out="not a tensor")
