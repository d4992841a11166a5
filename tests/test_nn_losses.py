"""The composed losses of nn.functional (and their modules), against NumPy references for every
reduction, with float64 gradchecks and PyTorch's errors; PyTorch, when installed, is an extra oracle."""

import warnings

import numpy as np
import pytest

import dyngraph as torch
import dyngraph.nn as nn
import dyngraph.nn.functional as F
from dyngraph.autograd import gradcheck

RNG = np.random.RandomState(0)
X = RNG.randn(4, 5)
Y = RNG.randn(4, 5)
PROB = 1 / (1 + np.exp(-X))
BINARY = (RNG.rand(4, 5) > 0.5).astype(np.float64)
SIGNS = np.sign(RNG.randn(4))
REDUCTIONS = ["mean", "sum", "none"]


def t(a, requires_grad=False):
    return torch.tensor(np.asarray(a, dtype=np.float64), requires_grad=requires_grad)


def vals(x):
    return np.array(x.detach().numpy(), copy=True)


def reduce(loss, reduction):
    return {"mean": loss.mean(), "sum": loss.sum(), "none": loss}[reduction]


def softplus(z):
    return np.logaddexp(0, z)


def pdist(a, b, p=2.0, eps=1e-6):
    return (np.abs(a - b + eps) ** p).sum(-1) ** (1 / p)


# (name, dyngraph call, NumPy reference of the unreduced loss)
CASES = [
    ("l1", lambda r: F.l1_loss(t(X), t(Y), reduction=r), lambda: np.abs(X - Y)),
    ("mse", lambda r: F.mse_loss(t(X), t(Y), reduction=r), lambda: (X - Y) ** 2),
    ("smooth_l1", lambda r: F.smooth_l1_loss(t(X), t(Y), reduction=r, beta=0.5),
     lambda: np.where(np.abs(X - Y) < 0.5, 0.5 * (X - Y) ** 2 / 0.5, np.abs(X - Y) - 0.25)),
    ("huber", lambda r: F.huber_loss(t(X), t(Y), reduction=r, delta=0.7),
     lambda: np.where(np.abs(X - Y) < 0.7, 0.5 * (X - Y) ** 2, 0.7 * (np.abs(X - Y) - 0.35))),
    ("bce", lambda r: F.binary_cross_entropy(t(PROB), t(BINARY), reduction=r),
     lambda: -(BINARY * np.log(PROB) + (1 - BINARY) * np.log(1 - PROB))),
    ("bce_logits", lambda r: F.binary_cross_entropy_with_logits(t(X), t(BINARY), reduction=r),
     lambda: BINARY * softplus(-X) + (1 - BINARY) * softplus(X)),
    ("soft_margin", lambda r: F.soft_margin_loss(t(X), t(np.sign(Y)), reduction=r), lambda: softplus(-X * np.sign(Y))),
    ("hinge", lambda r: F.hinge_embedding_loss(t(X), t(np.sign(Y)), margin=0.5, reduction=r),
     lambda: np.where(np.sign(Y) == 1, X, np.maximum(0, 0.5 - X))),
    ("multilabel_soft_margin", lambda r: F.multilabel_soft_margin_loss(t(X), t(BINARY), reduction=r),
     lambda: (BINARY * softplus(-X) + (1 - BINARY) * softplus(X)).mean(-1)),
    ("poisson", lambda r: F.poisson_nll_loss(t(X), t(np.abs(Y)), reduction=r),
     lambda: np.exp(X) - np.abs(Y) * X),
    ("gaussian", lambda r: F.gaussian_nll_loss(t(X), t(Y), t(np.abs(Y) + 0.1), reduction=r),
     lambda: 0.5 * (np.log(np.abs(Y) + 0.1) + (X - Y) ** 2 / (np.abs(Y) + 0.1))),
    ("kl_div", lambda r: F.kl_div(t(X), t(PROB), reduction=r), lambda: PROB * (np.log(PROB) - X)),
    ("margin_ranking", lambda r: F.margin_ranking_loss(t(X[:, 0]), t(Y[:, 0]), t(SIGNS), margin=0.1, reduction=r),
     lambda: np.maximum(0, -SIGNS * (X[:, 0] - Y[:, 0]) + 0.1)),
    ("triplet", lambda r: F.triplet_margin_loss(t(X), t(Y), t(-Y), margin=1.0, reduction=r),
     lambda: np.maximum(0, 1.0 + pdist(X, Y) - pdist(X, -Y))),
]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name, call, reference", CASES, ids=[c[0] for c in CASES])
def test_losses_match_numpy(name, call, reference, reduction):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # kl_div warns about 'mean'
        out = call(reduction)
    np.testing.assert_allclose(vals(out), reduce(reference(), reduction), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("fn, args", [
    (F.l1_loss, (Y,)), (F.mse_loss, (Y,)), (F.smooth_l1_loss, (Y,)), (F.huber_loss, (Y,)),
    (F.binary_cross_entropy_with_logits, (BINARY,)), (F.soft_margin_loss, (np.sign(Y),)),
    (F.multilabel_soft_margin_loss, (BINARY,)), (F.poisson_nll_loss, (np.abs(Y),)),
    (F.hinge_embedding_loss, (np.sign(Y),)),
], ids=lambda v: getattr(v, "__name__", ""))
def test_loss_gradients_by_finite_differences(fn, args):
    x = t(X, requires_grad=True)
    assert gradcheck(lambda inp: fn(inp, *(t(a) for a in args)), (x,))


def test_bce_gradient_and_clamped_log():
    p = t(np.clip(PROB, 0.05, 0.95), requires_grad=True)
    assert gradcheck(lambda inp: F.binary_cross_entropy(inp, t(BINARY)), (p,))
    # log(0) is clamped to -100, so a confident wrong prediction costs 100, not inf
    out = F.binary_cross_entropy(t([0.0, 1.0]), t([1.0, 0.0]), reduction="none")
    np.testing.assert_allclose(vals(out), [100.0, 100.0])


def test_bce_with_logits_is_stable_for_large_logits():
    out = F.binary_cross_entropy_with_logits(t([1000.0, -1000.0]), t([0.0, 1.0]), reduction="none")
    np.testing.assert_allclose(vals(out), [1000.0, 1000.0])
    pos_weight = t([3.0, 3.0, 3.0, 3.0, 3.0])
    out = F.binary_cross_entropy_with_logits(t(X), t(BINARY), pos_weight=pos_weight, reduction="none")
    np.testing.assert_allclose(vals(out), 3 * BINARY * softplus(-X) + (1 - BINARY) * softplus(X), rtol=1e-10)


def test_weighted_losses():
    w = RNG.rand(5)
    out = F.binary_cross_entropy(t(PROB), t(BINARY), weight=t(w), reduction="sum")
    expected = (-(BINARY * np.log(PROB) + (1 - BINARY) * np.log(1 - PROB)) * w).sum()
    np.testing.assert_allclose(vals(out), expected)
    wf = RNG.rand(4, 5)
    np.testing.assert_allclose(vals(F.mse_loss(t(X), t(Y), weight=t(wf))), ((X - Y) ** 2 * wf).sum() / wf.sum())
    with pytest.raises(ValueError, match="Weights and input must have the same size."):
        F.l1_loss(t(X), t(Y), weight=t(w))


def test_kl_div_batchmean_and_log_target():
    log_t = np.log(PROB)
    np.testing.assert_allclose(vals(F.kl_div(t(X), t(PROB), reduction="batchmean")),
                               (PROB * (np.log(PROB) - X)).sum() / 4)
    np.testing.assert_allclose(vals(F.kl_div(t(X), t(log_t), reduction="sum", log_target=True)),
                               (PROB * (log_t - X)).sum())
    zero_target = F.kl_div(t([0.3, 0.4]), t([0.0, 0.5]), reduction="none")
    np.testing.assert_allclose(vals(zero_target), [0.0, 0.5 * (np.log(0.5) - 0.4)])
    with pytest.warns(UserWarning, match="'batchmean' divides only by the batch size"):
        F.kl_div(t(X), t(PROB))


def test_cosine_embedding_loss():
    cos = (X * Y).sum(1) / np.sqrt(((X * X).sum(1) + 1e-12) * ((Y * Y).sum(1) + 1e-12))
    expected = np.where(SIGNS == 1, 1 - cos, np.maximum(0, cos - 0.2))
    np.testing.assert_allclose(vals(F.cosine_embedding_loss(t(X), t(Y), t(SIGNS), margin=0.2, reduction="none")),
                               expected)
    with pytest.raises(RuntimeError, match="1D target tensor expects 2D input tensors"):
        F.cosine_embedding_loss(t(X[0]), t(Y[0]), t(SIGNS))


def test_multi_margin_loss():
    target = np.array([0, 3, 4, 1])
    x_y = X[np.arange(4), target][:, None]
    z = np.maximum(0, 1.0 - x_y + X)
    z[np.arange(4), target] = 0
    np.testing.assert_allclose(vals(F.multi_margin_loss(t(X), torch.tensor(target), reduction="none")),
                               z.sum(1) / 5)
    np.testing.assert_allclose(vals(F.multi_margin_loss(t(X), torch.tensor(target), p=2)), (z ** 2).sum(1).mean() / 5)
    with pytest.raises(ValueError, match="only p == 1 and p == 2 supported"):
        F.multi_margin_loss(t(X), torch.tensor(target), p=3)


def test_multilabel_margin_loss():
    target = np.array([[3, 0, -1, 1, 2], [1, 1, 4, -1, -1], [0, 1, 2, 3, 4], [-1, 2, 2, 2, 2]])
    expected = np.zeros(4)
    for n in range(4):
        listed = []
        for c in target[n]:
            if c == -1:
                break
            listed.append(c)
        for j in listed:
            for i in set(range(5)) - set(listed):
                expected[n] += max(0.0, 1 - (X[n, j] - X[n, i])) / 5
    out = F.multilabel_margin_loss(t(X), torch.tensor(target), reduction="none")
    np.testing.assert_allclose(vals(out), expected)
    x = t(X, requires_grad=True)
    assert gradcheck(lambda inp: F.multilabel_margin_loss(inp, torch.tensor(target)), (x,))
    assert vals(nn.MultiLabelMarginLoss(reduction="sum")(t(X), torch.tensor(target))) == pytest.approx(expected.sum())


def test_poisson_full_and_gaussian_variants():
    target = np.abs(Y) * 3
    stirling = np.where(target > 1, target * np.log(target) - target + 0.5 * np.log(2 * np.pi * target), 0)
    np.testing.assert_allclose(vals(F.poisson_nll_loss(t(X), t(target), full=True, reduction="none")),
                               np.exp(X) - target * X + stirling)
    np.testing.assert_allclose(vals(F.poisson_nll_loss(t(np.abs(X)), t(target), log_input=False, reduction="none")),
                               np.abs(X) - target * np.log(np.abs(X) + 1e-8))
    var = np.abs(RNG.randn(4, 1)) + 0.1  # one variance per sample, broadcast over the last dim
    expected = 0.5 * (np.log(var) + (X - Y) ** 2 / var) + 0.5 * np.log(2 * np.pi)
    np.testing.assert_allclose(vals(F.gaussian_nll_loss(t(X), t(Y), t(var[:, 0]), full=True, reduction="none")),
                               expected)
    np.testing.assert_allclose(vals(F.gaussian_nll_loss(t(X), t(Y), 0.5)),
                               (0.5 * (np.log(0.5) + (X - Y) ** 2 / 0.5)).mean())
    with pytest.raises(ValueError, match="var has negative entry/entries"):
        F.gaussian_nll_loss(t(X), t(Y), t(-np.ones((4, 5))))
    with pytest.raises(ValueError, match="var is of incorrect size"):
        F.gaussian_nll_loss(t(X), t(Y), t(np.ones((3, 2))))


def test_distances():
    np.testing.assert_allclose(vals(F.pairwise_distance(t(X), t(Y))), pdist(X, Y))
    np.testing.assert_allclose(vals(F.pairwise_distance(t(X), t(Y), p=1.0, keepdim=True)), pdist(X, Y, 1.0)[:, None])
    cos = (X * Y).sum(1) / (np.linalg.norm(X, axis=1) * np.linalg.norm(Y, axis=1))
    np.testing.assert_allclose(vals(F.cosine_similarity(t(X), t(Y))), cos)
    np.testing.assert_allclose(vals(F.cosine_similarity(t(X), t(Y[:1]), dim=1)),
                               (X * Y[:1]).sum(1) / (np.linalg.norm(X, axis=1) * np.linalg.norm(Y[0])))
    assert vals(F.cosine_similarity(t(np.zeros(3)), t(np.ones(3)), dim=0)) == 0.0
    assert nn.CosineSimilarity(dim=0)(t(X[0]), t(X[0])).item() == pytest.approx(1.0)
    np.testing.assert_allclose(vals(nn.PairwiseDistance(p=3.0)(t(X), t(Y))), pdist(X, Y, 3.0))


@pytest.mark.parametrize("fn", [F.l1_loss, F.mse_loss, F.smooth_l1_loss, F.binary_cross_entropy_with_logits,
                                F.soft_margin_loss, F.hinge_embedding_loss])
def test_invalid_reduction_raises_value_error(fn):
    with pytest.raises(ValueError, match="bogus is not a valid value for reduction"):
        fn(t(PROB), t(BINARY), reduction="bogus")


def test_pytorch_errors():
    with pytest.raises(ValueError, match="that is different to the input size"):
        F.binary_cross_entropy(t(PROB), t(BINARY[:, :2]))
    with pytest.raises(ValueError, match="must be the same as input size"):
        F.binary_cross_entropy_with_logits(t(X), t(BINARY[:2]))
    with pytest.raises(RuntimeError, match="all elements of input should be between 0 and 1"):
        F.binary_cross_entropy(t([1.5]), t([1.0]))
    with pytest.raises(ValueError, match="margin must be greater than 0, got 0"):
        F.triplet_margin_loss(t(X), t(Y), t(Y), margin=0)
    with pytest.raises(RuntimeError, match="All input tensors should have same dimension"):
        F.margin_ranking_loss(t(X), t(Y[:, 0]), t(SIGNS))
    with pytest.warns(UserWarning, match="Using a target size"):
        F.mse_loss(t(X), t(Y[:1]))
    with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated"):
        out = F.l1_loss(t(X), t(Y), size_average=False)
    np.testing.assert_allclose(vals(out), np.abs(X - Y).sum())


def test_loss_modules():
    assert repr(nn.MSELoss()) == "MSELoss()"
    assert nn.L1Loss(reduction="sum").reduction == "sum"
    np.testing.assert_allclose(vals(nn.SmoothL1Loss(beta=0.5)(t(X), t(Y))),
                               vals(F.smooth_l1_loss(t(X), t(Y), beta=0.5)))
    w = t(RNG.rand(5))
    bce = nn.BCEWithLogitsLoss(weight=w, pos_weight=t(np.full(5, 2.0)))
    assert [n for n, _ in bce.named_buffers()] == ["weight", "pos_weight"]
    expected = F.binary_cross_entropy_with_logits(t(X), t(BINARY), w, pos_weight=t(np.full(5, 2.0)))
    np.testing.assert_allclose(vals(bce(t(X), t(BINARY))), vals(expected))
    np.testing.assert_allclose(vals(nn.TripletMarginWithDistanceLoss()(t(X), t(Y), t(-Y))),
                               vals(F.triplet_margin_loss(t(X), t(Y), t(-Y))))
    assert nn.KLDivLoss(reduction="batchmean", log_target=True).log_target
    assert nn.GaussianNLLLoss(full=True)(t(X), t(Y), t(np.ones((4, 5)))).dim() == 0
    with pytest.raises(ValueError, match="TripletMarginLoss: expected margin to be greater than 0"):
        nn.TripletMarginLoss(margin=-1)
    with pytest.raises(TypeError, match="delta must be a float or int"):
        nn.HuberLoss(delta="1")
    for module in (nn.HingeEmbeddingLoss(), nn.SoftMarginLoss(), nn.MultiLabelSoftMarginLoss(), nn.PoissonNLLLoss(),
                   nn.HuberLoss(), nn.MultiMarginLoss(), nn.CosineEmbeddingLoss(), nn.MarginRankingLoss()):
        assert module.reduction == "mean"


def test_losses_match_pytorch():
    real = pytest.importorskip("torch")
    TF = real.nn.functional

    def both(name, *arrays, **kwargs):
        ours = getattr(F, name)(*(t(a, requires_grad=i == 0) for i, a in enumerate(arrays)), **kwargs)
        theirs = getattr(TF, name)(*(real.tensor(a, requires_grad=i == 0) for i, a in enumerate(arrays)), **kwargs)
        np.testing.assert_allclose(vals(ours), theirs.detach().numpy(), rtol=1e-10, atol=1e-12)

    both("binary_cross_entropy_with_logits", X * 30, BINARY)
    both("cosine_embedding_loss", X, Y, SIGNS, margin=0.3)
    both("triplet_margin_loss", X, Y, -Y, swap=True, p=1)
    both("poisson_nll_loss", X, np.abs(Y) * 3, full=True)
    both("gaussian_nll_loss", X, Y, np.abs(Y), full=True)
    both("cosine_similarity", X, Y)
    both("pairwise_distance", X, Y)
