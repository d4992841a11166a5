"""dyngraph.nn.utils.prune: masks, hooks, state_dict keys, combined pruning,
remove, global pruning and PyTorch's errors; PyTorch's masks when installed."""

import numpy as np
import pytest

import dyngraph
import dyngraph.nn as nn
from dyngraph.nn.utils import prune


def _linear(weight, bias=None):
    weight = np.asarray(weight, dtype=np.float32)
    m = nn.Linear(weight.shape[1], weight.shape[0])
    with dyngraph.no_grad():
        m.weight.copy_(dyngraph.tensor(weight))
        if bias is not None:
            m.bias.copy_(dyngraph.tensor(np.asarray(bias, dtype=np.float32)))
    return m


WEIGHT = np.arange(-6, 6, dtype=np.float32).reshape(3, 4) / 2  # |w| smallest at (1, 2), then (1, 1), (1, 3) ...


def test_l1_unstructured_moves_the_parameter_and_masks_the_smallest():
    m = _linear(WEIGHT)
    assert prune.l1_unstructured(m, "weight", amount=0.25) is m
    assert [n for n, _ in m.named_parameters()] == ["bias", "weight_orig"]
    assert [n for n, _ in m.named_buffers()] == ["weight_mask"]
    assert list(m.state_dict()) == ["bias", "weight_orig", "weight_mask"]
    expected = np.ones((3, 4), np.float32)
    expected[1, 1] = expected[1, 2] = expected[1, 3] = 0  # |w| = 0.5, 0, 0.5: the 3 smallest of 12
    np.testing.assert_array_equal(m.weight_mask.numpy(), expected)
    np.testing.assert_array_equal(m.weight.detach().numpy(), WEIGHT * expected)
    assert prune.is_pruned(m) and not isinstance(m.weight, nn.Parameter)


def test_forward_hook_recomputes_and_gradients_reach_only_kept_entries():
    m = _linear(WEIGHT)
    prune.l1_unstructured(m, "weight", amount=3)
    with dyngraph.no_grad():
        m.weight_orig.mul_(2)  # the optimizer's step: the hook rebuilds weight from the new original
    m(dyngraph.ones(2, 4)).sum().backward()
    np.testing.assert_array_equal(m.weight.detach().numpy(), 2 * WEIGHT * m.weight_mask.numpy())
    np.testing.assert_array_equal(m.weight_orig.grad.numpy(), 2 * m.weight_mask.numpy())


def test_pruning_twice_combines_masks_in_a_container():
    m = _linear(WEIGHT)
    prune.l1_unstructured(m, "weight", amount=3)
    prune.ln_structured(m, "weight", amount=1, n=2, dim=0)  # row 1 has the smallest L2 norm
    hooks = list(m._forward_pre_hooks.values())
    assert len(hooks) == 1 and isinstance(hooks[0], prune.PruningContainer) and len(hooks[0]) == 2
    assert [type(h) for h in hooks[0]] == [prune.L1Unstructured, prune.LnStructured]
    mask = m.weight_mask.numpy()
    assert mask[1].sum() == 0 and mask[0].all() and mask[2].all()
    # Unstructured pruning again sees only the entries still kept: 2 more of the remaining 8.
    prune.l1_unstructured(m, "weight", amount=2)
    assert m.weight_mask.numpy().sum() == 6 and len(list(m._forward_pre_hooks.values())[0]) == 3


def test_remove_makes_pruning_permanent():
    m = _linear(WEIGHT)
    prune.l1_unstructured(m, "weight", amount=6)
    pruned = m.weight.detach().numpy().copy()
    assert prune.remove(m, "weight") is m
    assert isinstance(m.weight, nn.Parameter) and list(m.state_dict()) == ["bias", "weight"]
    np.testing.assert_array_equal(m.weight.detach().numpy(), pruned)
    assert not prune.is_pruned(m) and not m._forward_pre_hooks
    with pytest.raises(ValueError, match="has to be pruned before pruning can be removed"):
        prune.remove(m, "weight")


def test_structured_random_and_ln_norms():
    conv = nn.Conv2d(2, 4, 3)
    prune.random_structured(conv, "weight", amount=0.5, dim=0)
    per_filter = conv.weight_mask.sum(dim=(1, 2, 3)).numpy()
    assert sorted(per_filter.tolist()) == [0, 0, 18, 18]
    prune.random_unstructured(conv, "bias", amount=2)
    assert int((conv.bias_mask == 0).sum()) == 2
    m = _linear([[1, -9, 2], [3, 1, -1], [0.5, 0.5, 0.5]])
    prune.ln_structured(m, "weight", amount=1, n=float("inf"), dim=1)  # column 2: max |w| = 2, the smallest
    np.testing.assert_array_equal(m.weight_mask.numpy().sum(0), [3, 3, 0])
    m = _linear([[1, -9, 2], [3, 1, -1], [0.5, 0.5, 0.5]])
    prune.ln_structured(m, "weight", amount=2, n=1, dim=-2)  # rows' L1 norms 12, 5, 1.5: rows 1 and 2 go
    np.testing.assert_array_equal(m.weight_mask.numpy().sum(1), [3, 0, 0])


def test_importance_scores_custom_mask_identity_and_prune_method():
    m = _linear(WEIGHT)
    prune.l1_unstructured(m, "weight", amount=2, importance_scores=dyngraph.arange(12.0).reshape(3, 4))
    np.testing.assert_array_equal(m.weight_mask.numpy().reshape(-1), [0, 0] + [1] * 10)
    prune.custom_from_mask(m, "bias", dyngraph.tensor([0.0, 1.0, 0.0]))
    np.testing.assert_array_equal(m.bias.detach().numpy(), m.bias_orig.detach().numpy() * [0, 1, 0])
    other = _linear(WEIGHT)
    prune.identity(other, "weight")
    assert other.weight_mask.numpy().all()
    assert prune.L1Unstructured(amount=2).prune(dyngraph.tensor([3.0, -1.0, 2.0, 0.5])).tolist() == [3, 0, 2, 0]


def test_global_unstructured_ranks_all_parameters_together():
    a = _linear([[1.0, -5.0, 2.0], [0.5, 3.0, -0.1]])
    b = _linear([[4.0, 0.2], [-0.3, 6.0]])
    prune.global_unstructured([(a, "weight"), (b, "weight")], pruning_method=prune.L1Unstructured, amount=4)
    np.testing.assert_array_equal(a.weight_mask.numpy(), [[1, 1, 1], [0, 1, 0]])
    np.testing.assert_array_equal(b.weight_mask.numpy(), [[1, 0], [0, 1]])
    assert isinstance(list(a._forward_pre_hooks.values())[0], prune.CustomFromMask)


def test_state_dict_round_trip():
    m = _linear(WEIGHT)
    prune.l1_unstructured(m, "weight", amount=5)
    other = _linear(np.zeros((3, 4)))
    prune.identity(other, "weight")
    other.load_state_dict(m.state_dict())
    np.testing.assert_array_equal(other(dyngraph.ones(1, 4)).detach().numpy(), m(dyngraph.ones(1, 4)).detach().numpy())


def test_errors():
    with pytest.raises(ValueError, match="should either be a float in the range"):
        prune.l1_unstructured(nn.Linear(2, 2), "weight", amount=1.5)
    with pytest.raises(ValueError, match="should be smaller than the number of parameters"):
        prune.l1_unstructured(nn.Linear(2, 2), "weight", amount=5)
    with pytest.raises(TypeError, match="Invalid type for amount"):
        prune.l1_unstructured(nn.Linear(2, 2), "weight", amount="half")
    with pytest.raises(ValueError, match="multidimensional tensors"):
        prune.ln_structured(nn.Linear(2, 2), "bias", amount=1, n=1, dim=0)
    with pytest.raises(IndexError, match="Invalid index 3"):
        prune.random_structured(nn.Linear(2, 2), "weight", amount=1, dim=3)
    with pytest.raises(TypeError, match='Only "unstructured" PRUNING_TYPE'):
        prune.global_unstructured([(nn.Linear(2, 2), "weight")], prune.RandomStructured, amount=1)
    with pytest.raises(TypeError, match="not a BasePruningMethod subclass"):
        prune.PruningContainer(object())
    # A failed pruning leaves the module as it was.
    m = nn.Linear(2, 2)
    with pytest.raises(ValueError):
        prune.l1_unstructured(m, "weight", amount=9)
    assert [n for n, _ in m.named_parameters()] == ["bias", "weight"] and not prune.is_pruned(m)  # as PyTorch


@pytest.mark.parametrize("method,kwargs", [
    ("l1_unstructured", {"amount": 0.4}), ("l1_unstructured", {"amount": 7}),
    ("ln_structured", {"amount": 0.5, "n": 2, "dim": 0}), ("ln_structured", {"amount": 2, "n": 1, "dim": 1}),
])
def test_masks_match_torch(method, kwargs):
    torch = pytest.importorskip("torch")
    import torch.nn.utils.prune  # noqa: F401  (not imported by torch itself)
    weight = np.random.default_rng(3).permutation(24).reshape(4, 6).astype(np.float32) - 11.7  # no ties in |w|
    mt = torch.nn.Linear(6, 4)
    with torch.no_grad():
        mt.weight.copy_(torch.tensor(weight))
    getattr(torch.nn.utils.prune, method)(mt, "weight", **kwargs)
    getattr(torch.nn.utils.prune, "l1_unstructured")(mt, "weight", amount=3)
    md = _linear(weight)
    getattr(prune, method)(md, "weight", **kwargs)
    prune.l1_unstructured(md, "weight", amount=3)
    np.testing.assert_array_equal(md.weight_mask.numpy(), mt.weight_mask.numpy())
    assert list(md.state_dict()) == list(mt.state_dict())
