"""embedding_bag as a C++ op: values and gradients against PyTorch (where
installed) for every mode and option, the hostile indices and offsets, and a
bag count that a one-hot (bags x indices) matrix could not hold.
test_nn_functional_misc.py holds the NumPy-reference cases."""

import numpy as np
import pytest

import dyngraph
import dyngraph.nn.functional as F
from dyngraph.autograd import gradcheck

from conftest import assert_same_exceptions

RNG = np.random.default_rng(0)
IDX = np.array([3, 1, 4, 1, 5, 0, 2, 6, 5, 3])
OFFSETS = np.array([0, 3, 3, 7])  # bag 1 is empty


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
@pytest.mark.parametrize("padding_idx", [None, 1, -2])
@pytest.mark.parametrize("include_last_offset", [False, True])
def test_values_and_gradients_against_pytorch(mode, padding_idx, include_last_offset):
    torch = pytest.importorskip("torch")
    w = RNG.standard_normal((7, 5))
    psw = RNG.standard_normal(IDX.size) if mode == "sum" else None
    got = []
    for lib in (dyngraph, torch):
        wt = lib.tensor(w, requires_grad=True)
        pt = None if psw is None else lib.tensor(psw, requires_grad=True)
        out = lib.nn.functional.embedding_bag(lib.tensor(IDX), wt, lib.tensor(OFFSETS), mode=mode,
                                              per_sample_weights=pt, include_last_offset=include_last_offset,
                                              padding_idx=padding_idx)
        (out * lib.tensor(np.arange(out.numel()).reshape(out.shape) / 7.0)).sum().backward()
        got.append([out.detach().numpy(), wt.grad.numpy()] + ([] if pt is None else [pt.grad.numpy()]))
    for mine, theirs in zip(*got):
        np.testing.assert_allclose(mine, theirs, rtol=1e-12, atol=1e-12)


def test_two_dimensional_input_float32_and_gradcheck():
    torch = pytest.importorskip("torch")
    idx = RNG.integers(0, 6, (4, 3))
    w = RNG.standard_normal((6, 3)).astype(np.float32)
    for mode in ("sum", "mean", "max"):
        mine = F.embedding_bag(dyngraph.tensor(idx), dyngraph.tensor(w), mode=mode).numpy()
        theirs = torch.nn.functional.embedding_bag(torch.tensor(idx), torch.tensor(w), mode=mode).numpy()
        np.testing.assert_allclose(mine, theirs, rtol=1e-6)
    wt = dyngraph.tensor(RNG.standard_normal((6, 3)), requires_grad=True)
    pt = dyngraph.tensor(RNG.standard_normal((4, 3)), requires_grad=True)
    assert gradcheck(lambda w, p: F.embedding_bag(dyngraph.tensor(idx), w, mode="sum", per_sample_weights=p),
                     (wt, pt))


def test_scale_grad_by_freq_divides_each_row_by_its_count():
    w = dyngraph.zeros(5, 2, requires_grad=True)
    F.embedding_bag(dyngraph.tensor([0, 1, 1, 2]), w, dyngraph.tensor([0, 2]), mode="sum",
                    scale_grad_by_freq=True).sum().backward()
    np.testing.assert_array_equal(w.grad.numpy()[:, 0], [1, 1, 1, 0, 0])  # as F.embedding does
    with pytest.raises(ValueError):
        F.embedding_bag(dyngraph.tensor([0, 1]), w, dyngraph.tensor([0]), mode="max", scale_grad_by_freq=True)


def test_many_bags_without_a_bags_by_indices_matrix():
    n = 200_000  # a one-hot (bags x indices) matrix would hold 4e10 entries
    idx = dyngraph.tensor(RNG.integers(0, 50, n))
    offsets = dyngraph.arange(0, n, 1)
    w = dyngraph.randn(50, 4)
    out = F.embedding_bag(idx, w, offsets, mode="sum")
    np.testing.assert_allclose(out.numpy(), w.numpy()[idx.numpy()], rtol=1e-6)


def test_hostile_indices_and_offsets():
    w = dyngraph.ones(5, 2)
    for bad in (5, -1, 2 ** 62):
        with pytest.raises(RuntimeError, match="out of bounds"):  # PyTorch's type here
            F.embedding_bag(dyngraph.tensor([0, bad, 2]), w, dyngraph.tensor([0, 1]))
    for offsets in ([1, 2], [0, 4], [0, 2, 1], [0, -1]):
        with pytest.raises((RuntimeError, IndexError)):
            F.embedding_bag(dyngraph.tensor([0, 1, 2]), w, dyngraph.tensor(offsets))
    with pytest.raises(RuntimeError):
        F.embedding_bag(dyngraph.tensor([0, 1]), w, dyngraph.tensor([], dtype=dyngraph.int64),
                        include_last_offset=True)
    with pytest.raises(RuntimeError):
        F.embedding_bag(dyngraph.tensor([0.0, 1.0]), w, dyngraph.tensor([0]))
    with pytest.raises(RuntimeError):
        F.embedding_bag(dyngraph.tensor([0, 1]), w, dyngraph.tensor([0]), padding_idx=7)


def test_errors_match_pytorch():
    torch = pytest.importorskip("torch")
    cases = [
        lambda m, w: m.nn.functional.embedding_bag(m.tensor([0, 1, 2]), w, m.tensor([0, 2]), mode="median"),
        lambda m, w: m.nn.functional.embedding_bag(m.tensor([0, 1, 2]), w, m.tensor([0, 2]), mode="mean",
                                                   per_sample_weights=m.ones(3)),
        lambda m, w: m.nn.functional.embedding_bag(m.tensor([0, 1, 2]), w, m.tensor([0, 2]), mode="sum",
                                                   per_sample_weights=m.ones(2)),
        lambda m, w: m.nn.functional.embedding_bag(m.tensor([0, 1, 2]), w, m.tensor([0, 2]), mode="sum",
                                                   per_sample_weights=m.ones(3, dtype=m.float64)),
        lambda m, w: m.nn.functional.embedding_bag(m.tensor([[0, 1]]), w, m.tensor([0])),
        lambda m, w: m.nn.functional.embedding_bag(m.tensor([0, 1, 2]), w),
        lambda m, w: m.nn.functional.embedding_bag(m.tensor([0, 1, 2]), w, m.tensor([[0]])),
        lambda m, w: m.nn.functional.embedding_bag(m.tensor([0, 1, 2]), w[0], m.tensor([0])),
        lambda m, w: m.nn.functional.embedding_bag(m.tensor([0, 1, 2]), w.int(), m.tensor([0])),
        lambda m, w: m.nn.functional.embedding_bag(m.tensor([0, 1, 2]), w, m.tensor([0]), padding_idx=-6),
        lambda m, w: m.nn.functional.embedding_bag(m.tensor([0, 1, 2]), w, m.tensor([0.0])),
    ]
    assert_same_exceptions(torch, cases, lambda lib: (lib.ones(5, 2),))


def test_no_bags_gives_zero_per_sample_weight_gradients():
    w = dyngraph.ones(5, 2, requires_grad=True)
    p = dyngraph.ones(3, requires_grad=True)
    out = F.embedding_bag(dyngraph.tensor([0, 1, 2]), w, dyngraph.tensor([0]), mode="sum", per_sample_weights=p,
                          include_last_offset=True)
    assert out.shape == (0, 2)
    (out.sum() + p.sum() * 0).backward()
    np.testing.assert_array_equal(p.grad.numpy(), np.zeros(3))
