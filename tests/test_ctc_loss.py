"""ctc_loss / CTCLoss against a brute-force sum over alignments, and against PyTorch where installed."""

import itertools
import math

import numpy as np
import pytest

import dyngraph
import dyngraph.nn.functional as F

RNG = np.random.default_rng(0)


def _brute_force(log_probs, target, blank=0):
    """-log of the summed probability of every alignment that collapses to target."""
    T, C = log_probs.shape
    total = 0.0
    for path in itertools.product(range(C), repeat=T):
        collapsed = [c for i, c in enumerate(path) if c != blank and (i == 0 or c != path[i - 1])]
        if collapsed == list(target):
            total += math.exp(sum(log_probs[t, c] for t, c in enumerate(path)))
    return -math.log(total) if total > 0 else math.inf


def test_matches_the_sum_over_alignments():
    T, C = 5, 3
    logits = RNG.standard_normal((T, 2, C))
    lp = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    targets = np.array([[1, 2], [2, 2]])
    losses = F.ctc_loss(dyngraph.tensor(lp), dyngraph.tensor(targets), [5, 4], [2, 2], reduction="none")
    np.testing.assert_allclose(losses.numpy(), [_brute_force(lp[:, 0], [1, 2]), _brute_force(lp[:4, 1], [2, 2])],
                               rtol=1e-10)
    mean = F.ctc_loss(dyngraph.tensor(lp), dyngraph.tensor(targets), [5, 4], [2, 2])
    np.testing.assert_allclose(mean.item(), losses.numpy().mean() / 2, rtol=1e-12)


def test_impossible_alignment_and_zero_infinity_and_concatenated_targets():
    lp = dyngraph.tensor(RNG.standard_normal((3, 1, 4))).log_softmax(2)
    assert math.isinf(F.ctc_loss(lp, dyngraph.tensor([1, 1, 1]), [3], [3], reduction="sum").item())
    x = dyngraph.tensor(RNG.standard_normal((3, 1, 4)), requires_grad=True)
    loss = dyngraph.nn.CTCLoss(zero_infinity=True, reduction="sum")(x.log_softmax(2), dyngraph.tensor([1, 1, 1]),
                                                                     [3], [3])
    loss.backward()
    assert loss.item() == 0 and (x.grad == 0).all()
    flat = F.ctc_loss(lp.expand(3, 2, 4), dyngraph.tensor([1, 2, 3]), [3, 3], [1, 2], reduction="none")
    padded = F.ctc_loss(lp.expand(3, 2, 4), dyngraph.tensor([[1, 0], [2, 3]]), [3, 3], [1, 2], reduction="none")
    np.testing.assert_array_equal(flat.numpy(), padded.numpy())


def test_gradient_by_finite_differences():
    targets = dyngraph.tensor([[1, 2], [3, 3]])
    x = dyngraph.tensor(RNG.standard_normal((6, 2, 4)), requires_grad=True)
    assert dyngraph.autograd.gradcheck(lambda z: F.ctc_loss(z.log_softmax(2), targets, [6, 5], [2, 2]), [x])


def test_against_pytorch_when_installed():
    torch = pytest.importorskip("torch")
    logits = RNG.standard_normal((12, 3, 5))
    targets, in_lens, tgt_lens = np.array([[1, 2, 2, 0], [3, 1, 0, 0], [4, 4, 4, 1]]), [12, 10, 8], [3, 2, 4]
    results = []
    for lib in (dyngraph, torch):
        x = lib.tensor(logits, requires_grad=True)
        loss = lib.nn.functional.ctc_loss(x.log_softmax(2), lib.tensor(targets), lib.tensor(in_lens),
                                          lib.tensor(tgt_lens))
        loss.backward()
        results.append((loss.item(), x.grad.numpy()))
        results.append(lib.ctc_loss(x.detach().log_softmax(2), lib.tensor(targets), in_lens, tgt_lens).numpy())
    np.testing.assert_allclose(results[0][0], results[2][0], rtol=1e-12)
    np.testing.assert_allclose(results[0][1], results[2][1], atol=1e-12)
    np.testing.assert_allclose(results[1], results[3], rtol=1e-12)
