"""ctc_loss / CTCLoss against a brute-force sum over alignments, and against PyTorch where installed."""

import itertools
import math

import numpy as np
import pytest

import dyngraph
import dyngraph.nn.functional as F

from conftest import assert_same_exceptions

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


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_reductions_dtypes_and_gradients_against_pytorch(reduction, dtype):
    torch = pytest.importorskip("torch")
    logits = RNG.standard_normal((9, 4, 6)).astype(dtype)
    flat, in_lens, tgt_lens = np.array([1, 5, 5, 2, 3, 1, 1, 4]), [9, 7, 3, 0], [3, 2, 3, 0]  # one impossible sample
    got = []
    for lib in (dyngraph, torch):
        x = lib.tensor(logits, requires_grad=True)
        for zero_infinity in (True, False):
            loss = lib.nn.functional.ctc_loss(x.log_softmax(2), lib.tensor(flat), tuple(in_lens), tuple(tgt_lens),
                                              blank=0, reduction=reduction, zero_infinity=zero_infinity)
            assert str(loss.dtype).endswith(dtype)
            if zero_infinity:
                loss.sum().backward()
            got.append(loss.detach().numpy())
        got.append(x.grad.numpy())
    tol = 1e-5 if dtype == "float32" else 1e-12
    for mine, theirs in zip(got[:3], got[3:]):
        np.testing.assert_allclose(mine, theirs, rtol=tol, atol=tol)


def test_unbatched_input_and_lengths_as_zero_d_tensors():
    lp = dyngraph.tensor(RNG.standard_normal((5, 4))).log_softmax(1)
    one = F.ctc_loss(lp, dyngraph.tensor([1, 2]), dyngraph.tensor(5), dyngraph.tensor(2), reduction="none")
    batched = F.ctc_loss(lp.unsqueeze(1), dyngraph.tensor([[1, 2]]), [5], [2], reduction="none")
    assert one.shape == () and one.item() == pytest.approx(batched.item(), rel=1e-12)


def test_hostile_targets_and_lengths_raise():
    lp = dyngraph.randn(5, 2, 4).log_softmax(2)
    t = dyngraph.tensor([[1, 2], [1, 1]])
    with pytest.raises(IndexError, match="out of bounds"):
        F.ctc_loss(lp, dyngraph.tensor([[1, 4], [1, 1]]), [5, 5], [2, 2])
    with pytest.raises(IndexError):
        F.ctc_loss(lp, dyngraph.tensor([[1, -3], [1, 1]]), [5, 5], [2, 2])
    for in_lens, tgt_lens in (([5, 6], [2, 2]), ([5, -1], [2, 2]), ([5, 5], [2, 3]), ([5, 5], [2, -1]),
                              ([5], [2, 2]), ([5, 5], [2]), ([5, 5], [2 ** 62, 2])):
        with pytest.raises(RuntimeError):
            F.ctc_loss(lp, t, in_lens, tgt_lens)
    with pytest.raises(RuntimeError):  # the concatenated targets are too short
        F.ctc_loss(lp, dyngraph.tensor([1, 2, 1]), [5, 5], [2, 2])
    with pytest.raises(RuntimeError):  # lengths whose sum overflows int64
        F.ctc_loss(lp, dyngraph.tensor([1, 2, 1]), [5, 5], [2 ** 62, 2 ** 62])
    with pytest.raises(RuntimeError, match="blank must be in label range"):
        F.ctc_loss(lp, t, [5, 5], [2, 2], blank=4)
    with pytest.raises(NotImplementedError):
        F.ctc_loss(lp.half(), t, [5, 5], [2, 2])


def test_errors_match_pytorch():
    torch = pytest.importorskip("torch")
    cases = [
        lambda m, lp, t: m.nn.functional.ctc_loss(lp, t, [5, 6], [2, 2]),
        lambda m, lp, t: m.nn.functional.ctc_loss(lp, t, [5, 5], [2, 3]),
        lambda m, lp, t: m.nn.functional.ctc_loss(lp, t, [5], [2, 2]),
        lambda m, lp, t: m.nn.functional.ctc_loss(lp, t, [5, 5], [2, 2], blank=4),
        lambda m, lp, t: m.nn.functional.ctc_loss(lp, t, [5, 5], [2, 2], reduction="foo"),
        lambda m, lp, t: m.nn.functional.ctc_loss(lp[0], t, [5, 5], [2, 2]),
        lambda m, lp, t: m.nn.functional.ctc_loss(lp[:, 0], t[0], 5, 2),
        lambda m, lp, t: m.nn.functional.ctc_loss(lp, t.unsqueeze(0), [5, 5], [2, 2]),
        lambda m, lp, t: m.nn.functional.ctc_loss(lp, t.float(), [5, 5], [2, 2]),
    ]
    assert_same_exceptions(torch, cases, lambda lib: (lib.randn(5, 2, 4).log_softmax(2), lib.tensor([[1, 2], [1, 1]]),))
