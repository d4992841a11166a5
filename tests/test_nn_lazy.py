"""Lazy modules (shapes inferred on the first forward, then the regular class; state dict loading),
and SyncBatchNorm without a process group."""

import numpy as np
import pytest

import dyngraph
import dyngraph.nn as nn


def test_lazy_linear_materializes_and_becomes_linear():
    layer = nn.LazyLinear(3)
    assert nn.parameter.is_lazy(layer.weight) and layer.has_uninitialized_params()
    assert isinstance(layer.weight, nn.UninitializedParameter)
    with pytest.raises(RuntimeError, match="uninitialized"):
        layer.weight.shape
    out = layer(dyngraph.ones(2, 5))
    assert type(layer) is nn.Linear and layer.in_features == 5
    assert layer.weight.shape == (3, 5) and type(layer.weight) is nn.Parameter
    assert out.shape == (2, 3)
    bound = 1 / np.sqrt(5)
    assert float(layer.weight.abs().max()) <= bound  # the regular initialization ran


def test_lazy_network_trains():
    net = nn.Sequential(nn.LazyConv2d(4, 3), nn.LazyBatchNorm2d(), nn.ReLU(), nn.Flatten(), nn.LazyLinear(2))
    out = net(dyngraph.randn(2, 3, 8, 8))
    assert [type(m).__name__ for m in net] == ["Conv2d", "BatchNorm2d", "ReLU", "Flatten", "Linear"]
    assert net[0].weight.shape == (4, 3, 3, 3) and net[1].running_mean.shape == (4,) and net[4].in_features == 144
    opt = dyngraph.optim.SGD(net.parameters(), lr=0.1)  # parameters made after materializing are the real ones
    before = net[4].weight.detach().clone()
    out.sum().backward()
    opt.step()
    assert not (net[4].weight.detach() == before).all()


def test_lazy_transposed_conv_and_grouped_conv_shapes():
    t = nn.LazyConvTranspose2d(4, 3, groups=2)
    assert t(dyngraph.randn(1, 2, 5, 5)).shape == (1, 4, 7, 7)
    assert t.weight.shape == (2, 2, 3, 3)
    c = nn.LazyConv1d(6, 3, groups=3)
    assert c(dyngraph.randn(2, 3, 10)).shape == (2, 6, 8) and c.weight.shape == (6, 1, 3)


def test_load_state_dict_materializes():
    source = nn.Linear(4, 2)
    lazy = nn.LazyLinear(2)
    lazy.load_state_dict(source.state_dict())
    assert type(lazy) is nn.Linear and lazy.weight.shape == (2, 4)
    np.testing.assert_array_equal(lazy.weight.detach().numpy(), source.weight.detach().numpy())


def test_sync_batchnorm_without_a_process_group_is_local_batchnorm():
    x = dyngraph.randn(4, 3, 5, dtype=dyngraph.float64)
    sync = nn.SyncBatchNorm(3).double()
    plain = nn.BatchNorm1d(3).double()
    np.testing.assert_allclose(sync(x).detach().numpy(), plain(x).detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(sync.running_var.numpy(), plain.running_var.numpy(), rtol=1e-12)
    model = nn.SyncBatchNorm.convert_sync_batchnorm(nn.Sequential(nn.Conv2d(3, 3, 1), nn.BatchNorm2d(3)))
    assert type(model[1]) is nn.SyncBatchNorm and model[1].num_features == 3
    with pytest.raises(ValueError, match="2D"):
        sync(dyngraph.ones(3, dtype=dyngraph.float64))
