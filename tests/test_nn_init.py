"""nn.init: gains, fan computation, the bounds and statistics of each initializer, generators, errors."""

import math

import numpy as np
import pytest

import dyngraph as torch
import dyngraph.nn as nn
from dyngraph.nn import init


def vals(t):
    return np.array(t.detach().numpy(), copy=True)


@pytest.mark.parametrize("name, param, expected", [
    ("linear", None, 1), ("conv2d", None, 1), ("sigmoid", None, 1), ("tanh", None, 5.0 / 3),
    ("relu", None, math.sqrt(2.0)), ("leaky_relu", None, math.sqrt(2.0 / (1 + 0.01**2))),
    ("leaky_relu", 0.2, math.sqrt(2.0 / 1.04)), ("selu", None, 0.75),
])
def test_calculate_gain(name, param, expected):
    assert init.calculate_gain(name, param) == pytest.approx(expected)


def test_calculate_gain_errors():
    with pytest.raises(ValueError, match="Unsupported nonlinearity foo"):
        init.calculate_gain("foo")
    with pytest.raises(ValueError, match="negative_slope True not a valid number"):
        init.calculate_gain("leaky_relu", True)


def test_fan_in_and_fan_out():
    assert init._calculate_fan_in_and_fan_out(torch.empty(5, 3)) == (3, 5)
    assert init._calculate_fan_in_and_fan_out(torch.empty(8, 4, 3, 3)) == (36, 72)
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init._calculate_fan_in_and_fan_out(torch.empty(3))


def test_initializers_run_under_no_grad_on_parameters():
    p = nn.Parameter(torch.empty(30, 20))
    for fn in (init.uniform_, init.normal_, init.xavier_uniform_, init.kaiming_normal_, init.trunc_normal_,
               init.orthogonal_, init.ones_, init.zeros_, init.eye_):
        assert fn(p) is p
        assert p.is_leaf and p.requires_grad and p.grad_fn is None


def test_uniform_normal_constant():
    t = init.uniform_(torch.empty(2000), -2.0, 3.0)
    a = vals(t)
    assert a.min() >= -2.0 and a.max() < 3.0 and abs(a.mean() - 0.5) < 0.15
    a = vals(init.normal_(torch.empty(4000), 1.0, 2.0))
    assert abs(a.mean() - 1.0) < 0.15 and abs(a.std() - 2.0) < 0.15
    assert (vals(init.constant_(torch.empty(3), 0.25)) == 0.25).all()
    assert (vals(init.ones_(torch.empty(3))) == 1).all() and (vals(init.zeros_(torch.ones(3))) == 0).all()


def test_xavier_bounds_and_std():
    t = torch.empty(100, 200)
    bound = math.sqrt(6.0 / 300) * 2.0
    a = vals(init.xavier_uniform_(t, gain=2.0))
    assert np.abs(a).max() <= bound and np.abs(a).max() > 0.9 * bound
    a = vals(init.xavier_normal_(t))
    assert abs(a.std() - math.sqrt(2.0 / 300)) < 0.01


def test_kaiming_bounds_modes_and_zero_size():
    t = torch.empty(64, 32, 3, 3)
    a = vals(init.kaiming_uniform_(t, a=math.sqrt(5)))
    bound = 1 / math.sqrt(32 * 9)  # PyTorch's default for Linear/Conv weights
    assert np.abs(a).max() <= bound + 1e-7 and np.abs(a).max() > 0.95 * bound
    a = vals(init.kaiming_normal_(t, mode="fan_out", nonlinearity="relu"))
    assert abs(a.std() - math.sqrt(2.0 / (64 * 9))) < 0.005
    with pytest.raises(ValueError, match="Mode fan_avg not supported"):
        init.kaiming_uniform_(t, mode="fan_avg")
    with pytest.warns(UserWarning, match="Initializing zero-element tensors is a no-op"):
        init.kaiming_uniform_(torch.empty(0, 3))


def test_trunc_normal_stays_in_bounds():
    a = vals(init.trunc_normal_(torch.empty(5000), mean=0.5, std=1.0, a=-1.0, b=1.5))
    assert a.min() >= -1.0 and a.max() <= 1.5
    assert a.min() < -0.9 and a.max() > 1.4
    a = vals(init.trunc_normal_(torch.empty(5000), std=0.02))
    assert abs(a.std() - 0.02) < 0.002


def test_eye_and_dirac():
    np.testing.assert_array_equal(vals(init.eye_(torch.empty(2, 3))), np.eye(2, 3))
    with pytest.raises(ValueError, match="Only tensors with 2 dimensions are supported"):
        init.eye_(torch.empty(2))
    w = vals(init.dirac_(torch.empty(4, 2, 3, 3), groups=2))
    expected = np.zeros((4, 2, 3, 3))
    for g in range(2):
        for d in range(2):
            expected[g * 2 + d, d, 1, 1] = 1
    np.testing.assert_array_equal(w, expected)
    w = vals(init.dirac_(torch.empty(3, 2, 5)))
    assert w.sum() == 2 and w[0, 0, 2] == 1 and w[1, 1, 2] == 1
    with pytest.raises(ValueError, match="dim 0 must be divisible by groups"):
        init.dirac_(torch.empty(3, 2, 3), groups=2)


@pytest.mark.parametrize("shape", [(6, 4), (4, 6), (3, 2, 2)])
def test_orthogonal(shape):
    a = vals(init.orthogonal_(torch.empty(*shape), gain=2.0)).reshape(shape[0], -1)
    rows, cols = a.shape
    gram = a @ a.T if rows <= cols else a.T @ a
    np.testing.assert_allclose(gram, 4.0 * np.eye(min(rows, cols)), atol=1e-5)
    with pytest.raises(ValueError, match="Only tensors with 2 or more dimensions are supported"):
        init.orthogonal_(torch.empty(3))


def test_sparse_zeroes_a_fraction_of_each_column():
    a = vals(init.sparse_(torch.empty(10, 6), sparsity=0.25, std=1.0))
    assert ((a == 0).sum(axis=0) == 3).all()


def test_generator_makes_initialization_reproducible():
    g = torch.Generator()
    g.manual_seed(7)
    a = vals(init.xavier_uniform_(torch.empty(3, 4), generator=g))
    g.manual_seed(7)
    b = vals(init.xavier_uniform_(torch.empty(3, 4), generator=g))
    np.testing.assert_array_equal(a, b)


def test_deprecated_aliases_warn():
    with pytest.warns(FutureWarning, match="nn.init.normal_"):
        init.normal(torch.empty(2))


def test_layer_default_init_follows_pytorch():
    lin = nn.Linear(50, 10)
    bound = 1 / math.sqrt(50)
    assert np.abs(vals(lin.weight)).max() <= bound and np.abs(vals(lin.bias)).max() <= bound
    emb = nn.Embedding(100, 8, padding_idx=3)
    assert abs(vals(emb.weight).std() - 1.0) < 0.2 and (vals(emb.weight)[3] == 0).all()
    rnn = nn.LSTM(4, 16)
    assert all(np.abs(vals(p)).max() <= 0.25 for p in rnn.parameters())
    mha = nn.MultiheadAttention(8, 2)
    assert (vals(mha.in_proj_bias) == 0).all() and (vals(mha.out_proj.bias) == 0).all()
    ln = nn.LayerNorm(5)
    assert (vals(ln.weight) == 1).all() and (vals(ln.bias) == 0).all()
