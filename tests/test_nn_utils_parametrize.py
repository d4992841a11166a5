"""nn.utils: parametrize (register, cache, right_inverse, remove), parametrizations.weight_norm and
spectral_norm, the legacy weight_norm/spectral_norm hooks, BatchNorm fusion, skip_init and
convert_conv2d_weight_memory_format."""

import numpy as np
import pytest

import dyngraph
import dyngraph.nn as nn
from dyngraph.nn.utils import parametrize


def _w(*shape):
    return dyngraph.tensor(np.sin(np.arange(np.prod(shape)) * 0.7).reshape(shape), dtype=dyngraph.float64)


class Symmetric(nn.Module):
    def forward(self, X):
        return X.triu() + X.triu(1).transpose(0, 1)

    def right_inverse(self, A):
        return A.triu()


def test_register_parametrization_computes_on_access_and_trains_the_original():
    layer = nn.Linear(3, 3).double()
    layer.weight.data = _w(3, 3)
    original = layer.weight
    parametrize.register_parametrization(layer, "weight", Symmetric())
    assert type(layer).__name__ == "ParametrizedLinear" and isinstance(layer, nn.Linear)
    assert parametrize.is_parametrized(layer) and parametrize.is_parametrized(layer, "weight")
    assert parametrize.type_before_parametrizations(layer) is nn.Linear
    w = layer.weight.detach().numpy()
    np.testing.assert_allclose(w, w.T)
    assert layer.parametrizations.weight.original is original  # the same Parameter object
    assert sorted(n for n, _ in layer.named_parameters()) == ["bias", "parametrizations.weight.original"]
    layer(dyngraph.ones(2, 3, dtype=dyngraph.float64)).sum().backward()
    assert original.grad is not None
    with parametrize.cached():
        assert layer.weight is layer.weight
    assert layer.weight is not layer.weight


def test_assignment_goes_through_right_inverse_and_remove_keeps_the_value():
    layer = nn.Linear(3, 3).double()
    parametrize.register_parametrization(layer, "weight", Symmetric())
    sym = _w(3, 3) + _w(3, 3).t()
    layer.weight = sym
    np.testing.assert_allclose(layer.weight.detach().numpy(), sym.numpy())
    parametrize.remove_parametrizations(layer, "weight")
    assert type(layer) is nn.Linear and not hasattr(layer, "parametrizations")
    assert isinstance(layer.weight, nn.Parameter)
    np.testing.assert_allclose(layer.weight.detach().numpy(), sym.numpy())


def test_shape_changing_parametrization_needs_unsafe():
    class Double(nn.Module):
        def forward(self, X):
            return dyngraph.cat([X, X])

    with pytest.raises(ValueError, match="unsafe"):
        parametrize.register_parametrization(nn.Linear(2, 2), "weight", Double())
    layer = parametrize.register_parametrization(nn.Linear(2, 2), "weight", Double(), unsafe=True)
    assert layer.weight.shape == (4, 2)
    with pytest.raises(ValueError):
        parametrize.register_parametrization(nn.Linear(2, 2), "nope", Double())


def test_parametrized_weight_norm():
    layer = nn.Linear(4, 3).double()
    layer.weight.data = _w(3, 4)
    nn.utils.parametrizations.weight_norm(layer)
    g = layer.parametrizations.weight.original0
    v = layer.parametrizations.weight.original1
    np.testing.assert_allclose(g.detach().numpy().ravel(), np.linalg.norm(_w(3, 4).numpy(), axis=1))
    np.testing.assert_allclose(layer.weight.detach().numpy(), _w(3, 4).numpy(), rtol=1e-12)
    with dyngraph.no_grad():
        g.mul_(2)
    np.testing.assert_allclose(layer.weight.detach().numpy(), 2 * _w(3, 4).numpy(), rtol=1e-12)
    layer(dyngraph.ones(1, 4, dtype=dyngraph.float64)).sum().backward()
    assert g.grad.shape == (3, 1) and v.grad.shape == (3, 4)


def test_legacy_weight_norm_and_remove():
    layer = nn.Linear(4, 3).double()
    layer.weight.data = _w(3, 4)
    with pytest.warns(FutureWarning):
        nn.utils.weight_norm(layer, dim=None)
    assert layer.weight_g.shape == () and layer.weight_v.shape == (3, 4)
    with dyngraph.no_grad():
        layer.weight_g.mul_(0.5)
    out = layer(dyngraph.ones(1, 4, dtype=dyngraph.float64))  # the hook recomputes the weight
    np.testing.assert_allclose(layer.weight.detach().numpy(), 0.5 * _w(3, 4).numpy(), rtol=1e-12)
    out.sum().backward()
    assert layer.weight_g.grad is not None
    nn.utils.remove_weight_norm(layer)
    assert "weight_g" not in dict(layer.named_parameters())
    np.testing.assert_allclose(layer.weight.detach().numpy(), 0.5 * _w(3, 4).numpy(), rtol=1e-12)


@pytest.mark.parametrize("legacy", [False, True])
def test_spectral_norm_gives_unit_largest_singular_value(legacy):
    dyngraph.manual_seed(0)
    layer = nn.Linear(5, 4).double()
    layer.weight.data = _w(4, 5) * 3
    if legacy:
        nn.utils.spectral_norm(layer)
    else:
        nn.utils.parametrizations.spectral_norm(layer)
    x = dyngraph.ones(2, 5, dtype=dyngraph.float64)
    for _ in range(30):
        layer(x)
    sigma = np.linalg.svd(layer.weight.detach().numpy(), compute_uv=False)[0]
    assert abs(sigma - 1) < 1e-6
    layer.eval()
    before = layer.weight.detach().numpy().copy()
    layer(x)
    np.testing.assert_allclose(layer.weight.detach().numpy(), before)  # eval: no power iteration
    if legacy:
        nn.utils.remove_spectral_norm(layer)
        assert isinstance(layer.weight, nn.Parameter)


def test_fusing_batchnorm_matches_the_pair():
    bn = nn.BatchNorm2d(3).double()
    bn.running_mean.copy_(_w(3))
    bn.running_var.copy_(_w(3).abs() + 0.5)
    bn.weight.data = _w(3) + 1
    conv = nn.Conv2d(2, 3, 3).double()
    conv.eval(), bn.eval()
    x = dyngraph.randn(1, 2, 5, 5, dtype=dyngraph.float64)
    fused = nn.utils.fuse_conv_bn_eval(conv, bn)
    np.testing.assert_allclose(fused(x).detach().numpy(), bn(conv(x)).detach().numpy(), rtol=1e-10, atol=1e-12)
    bn1 = nn.BatchNorm1d(3).double()
    bn1.running_var.copy_(_w(3).abs() + 0.5)
    lin = nn.Linear(4, 3).double()
    lin.eval(), bn1.eval()
    xs = dyngraph.randn(2, 4, dtype=dyngraph.float64)
    np.testing.assert_allclose(nn.utils.fuse_linear_bn_eval(lin, bn1)(xs).detach().numpy(),
                               bn1(lin(xs)).detach().numpy(), rtol=1e-10, atol=1e-12)
    conv.train()
    with pytest.raises(AssertionError):
        nn.utils.fuse_conv_bn_eval(conv, bn)


def test_skip_init_and_memory_format_conversion():
    layer = nn.utils.skip_init(nn.Linear, 3, 4)
    assert layer.weight.shape == (4, 3)
    with pytest.raises(RuntimeError, match="device"):
        class NoDevice(nn.Module):
            def __init__(self):
                super().__init__()

        nn.utils.skip_init(NoDevice)
    model = nn.utils.convert_conv2d_weight_memory_format(nn.Sequential(nn.Conv2d(2, 3, 3), nn.ReLU()),
                                                         dyngraph.channels_last)
    assert model[0].weight.is_contiguous(memory_format=dyngraph.channels_last)


@pytest.mark.parametrize("shape,orthogonal_map", [((4, 4), None), ((5, 3), None), ((3, 5), None),
                                                  ((4, 4), "cayley"), ((5, 3), "matrix_exp"),
                                                  ((4, 4), "householder")])
def test_orthogonal_stays_orthogonal_while_training(shape, orthogonal_map):
    layer = nn.Linear(shape[1], shape[0]).double()
    original = layer.weight.detach().numpy().copy()
    nn.utils.parametrizations.orthogonal(layer, orthogonal_map=orthogonal_map)

    def deviation():
        W = layer.weight.detach().numpy()
        G = W.T @ W if shape[0] >= shape[1] else W @ W.T
        return np.abs(G - np.eye(G.shape[0])).max()

    assert deviation() < 1e-12
    if shape[0] == shape[1]:  # registration orthogonalizes the weight by QR (R's diagonal made positive)
        q, r = np.linalg.qr(original)
        np.testing.assert_allclose(layer.weight.detach().numpy(), q * np.sign(np.diag(r)), atol=1e-12)
    opt = dyngraph.optim.SGD(layer.parameters(), lr=0.1)
    before = layer.weight.detach().numpy().copy()
    for _ in range(3):
        opt.zero_grad()
        layer(dyngraph.ones(2, shape[1], dtype=dyngraph.float64)).pow(2).sum().backward()
        opt.step()
    assert deviation() < 1e-12 and not np.allclose(layer.weight.detach().numpy(), before)
