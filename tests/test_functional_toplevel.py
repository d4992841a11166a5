"""The neural-network functions PyTorch also has at top level (dyngraph.conv2d, dyngraph.dropout,
dyngraph.kl_div, ...), with their top-level signatures, checked against nn.functional."""

import numpy as np
import pytest

import dyngraph
import dyngraph.nn.functional as F

from conftest import assert_same_exceptions


def _same(a, b):
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-6, atol=1e-6)


def test_convolutions_and_pools_are_the_functional_ones():
    x = dyngraph.randn(1, 2, 6, 6)
    w = dyngraph.randn(3, 2, 3, 3)
    _same(dyngraph.conv2d(x, w, None, 1, 1), F.conv2d(x, w, None, 1, 1))
    _same(dyngraph.max_pool2d(x, 2), F.max_pool2d(x, 2))
    _same(dyngraph.max_pool1d(x[0], 2), F.max_pool1d(x[0], 2))
    out, idx = dyngraph.max_pool1d_with_indices(x[0], 3)
    ref, ref_idx = F.max_pool1d(x[0], 3, return_indices=True)
    _same(out, ref)
    assert (idx == ref_idx).all()
    values, indices = dyngraph.adaptive_max_pool1d(x[0], 2)  # top level always returns the indices
    assert values.shape == indices.shape == (2, 6, 2)
    _same(dyngraph.avg_pool1d(x[0], 2), F.avg_pool1d(x[0], 2))
    _same(dyngraph.constant_pad_nd(x, [1, 1], 2.0), F.pad(x, [1, 1], value=2.0))


def test_dropout_family_needs_train_flag():
    x = dyngraph.ones(4, 5)
    assert (dyngraph.dropout(x, 0.5, False) == x).all()
    with pytest.raises(TypeError):
        dyngraph.dropout(x, 0.5)
    dyngraph.manual_seed(0)
    y = dyngraph.feature_dropout(dyngraph.ones(8, 16, 3), 0.5, True)
    per_channel = y.amax(-1)
    assert ((y == per_channel.unsqueeze(-1)).all())  # whole channels kept or zeroed
    assert set(per_channel.unique().tolist()) <= {0.0, 2.0}
    z = dyngraph.ones(3)
    dyngraph.dropout_(z, 0.0, True)
    assert (z == 1).all()


def test_embedding_takes_weight_first():
    weight = dyngraph.randn(5, 3)
    idx = dyngraph.tensor([0, 4, 4])
    _same(dyngraph.embedding(weight, idx), F.embedding(idx, weight))


def test_losses_take_the_reduction_enum():
    inp = dyngraph.randn(4, 3).log_softmax(1)
    target = dyngraph.randn(4, 3).softmax(1)
    _same(dyngraph.kl_div(inp, target, 1), F.kl_div(inp, target, reduction="mean"))
    _same(dyngraph.kl_div(inp, target, 2), F.kl_div(inp, target, reduction="sum"))
    assert dyngraph.kl_div(inp, target).shape == (4, 3)  # unreduced by default at top level, as in PyTorch
    a, b = dyngraph.randn(5), dyngraph.randn(5)
    y = dyngraph.tensor([1.0, -1, 1, -1, 1])
    _same(dyngraph.margin_ranking_loss(a, b, y, 0.1, 2), F.margin_ranking_loss(a, b, y, 0.1, reduction="sum"))
    _same(dyngraph.hinge_embedding_loss(a, y), F.hinge_embedding_loss(a, y))
    logits, labels = dyngraph.randn(6), dyngraph.tensor([1.0, 0, 1, 1, 0, 0])
    _same(dyngraph.binary_cross_entropy_with_logits(logits, labels),
          F.binary_cross_entropy_with_logits(logits, labels))
    with pytest.raises(RuntimeError):
        dyngraph.kl_div(inp, target, 5)


def test_pdist_matches_numpy():
    x = np.random.default_rng(1).standard_normal((5, 3))
    ref = [np.linalg.norm(x[i] - x[j]) for i in range(5) for j in range(i + 1, 5)]
    np.testing.assert_allclose(dyngraph.pdist(dyngraph.tensor(x)).numpy(), ref, rtol=1e-12)
    ref1 = [np.abs(x[i] - x[j]).sum() for i in range(5) for j in range(i + 1, 5)]
    np.testing.assert_allclose(F.pdist(dyngraph.tensor(x), p=1).numpy(), ref1, rtol=1e-12)
    with pytest.raises(RuntimeError, match="2D"):
        dyngraph.pdist(dyngraph.ones(3))


def test_activations_inplace_and_threshold():
    x = dyngraph.tensor([-1.0, 0.5, 2.0])
    _same(dyngraph.threshold(x, 0.6, 9.0), dyngraph.tensor([9.0, 9.0, 2.0]))
    y = x.clone()
    F.threshold_(y, 0.6, 9.0)
    _same(y, dyngraph.tensor([9.0, 9.0, 2.0]))
    y = x.clone()
    dyngraph.selu_(y)
    _same(y, F.selu(x))
    y = x.clone()
    F.elu_(y)
    _same(y, F.elu(x))
    _same(dyngraph.hardshrink(x, 0.6), F.hardshrink(x, 0.6))


def test_gumbel_softmax():
    dyngraph.manual_seed(0)
    logits = dyngraph.randn(4, 5, requires_grad=True)
    soft = F.gumbel_softmax(logits, tau=0.5)
    np.testing.assert_allclose(soft.sum(-1).detach().numpy(), np.ones(4), rtol=1e-6)
    hard = F.gumbel_softmax(logits, hard=True)
    assert set(hard.detach().unique().tolist()) == {0.0, 1.0} and (hard.sum(-1) == 1).all()
    (hard * dyngraph.arange(5.0)).sum().backward()  # straight-through: the soft sample's gradient
    assert logits.grad is not None and logits.grad.abs().sum() > 0


@pytest.mark.parametrize("interpolation", [0, 1, 2])
@pytest.mark.parametrize("padding", [0, 1, 2])
def test_grid_sampler_enums_are_grid_sample_modes(interpolation, padding):
    x = dyngraph.randn(1, 2, 4, 5)
    grid = dyngraph.rand(1, 3, 3, 2) * 2.4 - 1.2
    modes, paddings = ("bilinear", "nearest", "bicubic"), ("zeros", "border", "reflection")
    expected = F.grid_sample(x, grid, modes[interpolation], paddings[padding], align_corners=False)
    _same(dyngraph.grid_sampler(x, grid, interpolation, padding, False), expected)
    _same(dyngraph.grid_sampler_2d(x, grid, interpolation, padding, False), expected)


def test_grid_sampler_3d_affine_grid_generator_and_errors():
    x, grid = dyngraph.randn(1, 1, 3, 3, 3), dyngraph.rand(1, 2, 2, 2, 3) * 2 - 1
    _same(dyngraph.grid_sampler_3d(x, grid, 0, 0, True), F.grid_sample(x, grid, align_corners=True))
    theta = dyngraph.randn(2, 2, 3)
    _same(dyngraph.affine_grid_generator(theta, [2, 1, 3, 4], False), F.affine_grid(theta, [2, 1, 3, 4], False))
    with pytest.raises(RuntimeError, match="expected 4D input and grid"):
        dyngraph.grid_sampler_2d(x, grid, 0, 0, False)
    with pytest.raises(RuntimeError, match="interpolation_mode"):
        dyngraph.grid_sampler(x, grid, 3, 0, False)


def test_embedding_renorm_rescales_referenced_rows_in_place():
    w = dyngraph.tensor([[3.0, 4.0], [0.3, 0.4], [6.0, 8.0], [1.0, 0.0]])
    assert dyngraph.embedding_renorm_(w, dyngraph.tensor([0, 1, 1]), 1.0, 2.0) is w
    _same(w[0], dyngraph.tensor([0.6, 0.8]))  # norm 5 -> 1
    _same(w[1], dyngraph.tensor([0.3, 0.4]))  # norm 0.5: kept
    _same(w[2], dyngraph.tensor([6.0, 8.0]))  # not referenced
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        dyngraph.embedding_renorm_(dyngraph.randn(3, 2, requires_grad=True), dyngraph.tensor([0]), 1.0, 2.0)


def test_deprecated_norms_and_removed_solvers():
    x = dyngraph.randn(3, 4, dtype=dyngraph.float64)
    with pytest.warns(UserWarning, match="frobenius_norm is deprecated"):
        _same(dyngraph.frobenius_norm(x, (0, 1)), dyngraph.linalg.vector_norm(x))
    with pytest.warns(UserWarning, match="nuclear_norm is deprecated"):
        nuc = dyngraph.nuclear_norm(x)
    np.testing.assert_allclose(nuc.item(), np.linalg.svd(x.numpy(), compute_uv=False).sum(), rtol=1e-10)
    with pytest.warns(UserWarning):
        assert dyngraph.nuclear_norm(x, True).shape == (1, 1)
    # The singular-value norms check their dims as the others do.
    with pytest.raises(RuntimeError, match="at least 2 dimensions"):
        dyngraph.linalg.matrix_norm(dyngraph.tensor(1.0), "nuc")
    with pytest.raises(IndexError, match="Dimension out of range"):
        dyngraph.linalg.matrix_norm(x, "nuc", (0, 5))
    with pytest.raises(RuntimeError, match="2-tuple"):
        dyngraph.linalg.matrix_norm(x, 2, (0,))
    with pytest.raises(RuntimeError, match="linalg.matrix_rank"):
        dyngraph.matrix_rank(x)
    with pytest.raises(RuntimeError, match="linalg.solve"):
        dyngraph.solve(x, x)
    t = dyngraph.arange(6.0)
    assert dyngraph.resize_as_(t, dyngraph.empty(2, 2)) is t and t.shape == (2, 2)
    assert dyngraph.from_dlpack(dyngraph.to_dlpack(t)).tolist() == [[0.0, 1.0], [2.0, 3.0]]


def test_conv_tbc_against_a_numpy_convolution_and_torch():
    rng = np.random.default_rng(60)
    x, w, b = rng.standard_normal((6, 2, 3)), rng.standard_normal((3, 3, 4)), rng.standard_normal(4)
    assert dyngraph.conv_tbc is dyngraph.nn.functional.conv_tbc
    for pad in (0, 1, 2, -1):
        xp = np.pad(x, ((max(pad, 0),) * 2, (0, 0), (0, 0)))[max(-pad, 0):x.shape[0] + 2 * max(pad, 0) - max(-pad, 0)]
        steps = x.shape[0] + 2 * pad - w.shape[0] + 1
        want = np.stack([np.einsum("kbc,kco->bo", xp[t:t + 3], w) + b for t in range(steps)])
        xt = dyngraph.tensor(x, requires_grad=True)
        got = dyngraph.conv_tbc(xt, dyngraph.tensor(w), dyngraph.tensor(b), pad)
        np.testing.assert_allclose(got.detach().numpy(), want, rtol=1e-12)
    assert dyngraph.autograd.gradcheck(lambda x, w, b: dyngraph.conv_tbc(x, w, b, 1),
                                       [dyngraph.tensor(a, requires_grad=True) for a in (x, w, b)])
    torch = pytest.importorskip("torch")
    bad = [lambda m: m.conv_tbc(m.ones(5, 2, 3)[0], m.ones(3, 3, 4), m.ones(4)),
           lambda m: m.conv_tbc(m.ones(5, 2, 3), m.ones(3, 3), m.ones(4)),
           lambda m: m.conv_tbc(m.ones(5, 2, 3), m.ones(3, 3, 4), m.ones(2)),
           lambda m: m.conv_tbc(m.ones(5, 2, 3), m.ones(3, 2, 4), m.ones(4)),
           lambda m: m.conv_tbc(m.ones(5, 2, 3), m.ones(9, 3, 4), m.ones(4)),
           lambda m: m.conv_tbc(m.ones(5, 2, 3), m.ones(3, 3, 4), m.ones(1, 4)),
           lambda m: m.conv_tbc(m.ones(5, 2, 3), m.ones(3, 3, 4), m.ones(4), 1.5)]
    assert_same_exceptions(torch, bad)


def test_set_anomaly_enabled_switches_the_global_mode():
    try:
        dyngraph.set_anomaly_enabled(True, False)
        assert dyngraph.is_anomaly_enabled() and not dyngraph.is_anomaly_check_nan_enabled()
        with pytest.raises(TypeError):
            dyngraph.set_anomaly_enabled("yes")
    finally:
        dyngraph.set_anomaly_enabled(False)
    assert not dyngraph.is_anomaly_enabled()
