"""The 3-D pooling forms: max_pool3d_with_indices + MaxUnpool3d, AdaptiveMaxPool3d, LPPool3d."""

import numpy as np
import pytest

import dyngraph
import dyngraph.nn as nn
import dyngraph.nn.functional as F

X = np.random.default_rng(0).standard_normal((2, 3, 4, 5, 6))


def test_unpool_puts_the_maxima_back():
    t = dyngraph.tensor(X)
    values, indices = F.max_pool3d_with_indices(t, 2)
    restored = nn.MaxUnpool3d(2)(values, indices, output_size=t.shape)
    flat = restored.reshape(2, 3, -1).numpy()
    idx = indices.reshape(2, 3, -1).numpy()
    np.testing.assert_array_equal(np.take_along_axis(flat, idx, 2), values.reshape(2, 3, -1).numpy())
    assert np.count_nonzero(flat) == values.numel()
    np.testing.assert_array_equal(np.take_along_axis(X.reshape(2, 3, -1), idx, 2), values.reshape(2, 3, -1).numpy())


def test_adaptive_max_pool3d_against_numpy():
    values, indices = nn.AdaptiveMaxPool3d((2, 1, 3), return_indices=True)(dyngraph.tensor(X))
    expected = X.reshape(2, 3, 2, 2, 1, 5, 3, 2).max(axis=(3, 5, 7))
    np.testing.assert_array_equal(values.numpy(), expected)
    np.testing.assert_array_equal(np.take_along_axis(X.reshape(2, 3, -1), indices.reshape(2, 3, -1).numpy(), 2),
                                  expected.reshape(2, 3, -1))


def test_lp_pool3d():
    out = nn.LPPool3d(2, 2)(dyngraph.tensor(np.abs(X)))
    windows = np.abs(X)[:, :, :4, :4, :6].reshape(2, 3, 2, 2, 2, 2, 3, 2)
    np.testing.assert_allclose(out.numpy(), np.sqrt((windows ** 2).sum(axis=(3, 5, 7))), rtol=1e-12)


def test_against_pytorch_when_installed():
    torch = pytest.importorskip("torch")
    for lib, store in ((dyngraph, []), (torch, [])):
        t = lib.tensor(X)
        v, i = lib.nn.functional.max_pool3d_with_indices(t, 2)
        store += [lib.nn.MaxUnpool3d(2)(v, i, output_size=t.shape).numpy(), i.numpy()]
        if lib is dyngraph:
            ours = store
        else:
            theirs = store
    for a, b in zip(ours, theirs):
        np.testing.assert_array_equal(a, b)
