"""grid_sample as a C++ op: every mode, padding and align_corners in 4-D and 5-D against PyTorch
(values and gradients for input and grid), gradients of second order, hostile coordinates, dtypes
and PyTorch's errors. (Forward values against a NumPy reference are in test_nn_functional_misc.)"""

import itertools

import numpy as np
import pytest

import dyngraph
import dyngraph.nn.functional as F
from dyngraph.autograd import gradcheck, gradgradcheck


def _torch():
    return pytest.importorskip("torch")


def _t(a, requires_grad=False):
    return dyngraph.tensor(np.asarray(a, dtype=np.float64), requires_grad=requires_grad)


_CASES = [(dims, mode, pad, align) for dims, mode, pad, align in itertools.product(
    (2, 3), ("bilinear", "nearest", "bicubic"), ("zeros", "border", "reflection"), (False, True))
    if not (mode == "bicubic" and dims == 3)]


@pytest.mark.parametrize("dims,mode,padding_mode,align_corners", _CASES)
def test_values_and_both_gradients_match_pytorch(dims, mode, padding_mode, align_corners):
    torch = _torch()
    rng = np.random.default_rng(dims)
    x = rng.standard_normal((2, 3) + (5, 6, 7)[:dims])
    grid = rng.uniform(-1.4, 1.4, (2,) + (4, 3, 5)[:dims] + (dims,))
    kw = dict(mode=mode, padding_mode=padding_mode, align_corners=align_corners)
    tx, tg = torch.tensor(x, requires_grad=True), torch.tensor(grid, requires_grad=True)
    dx, dg = _t(x, True), _t(grid, True)
    want, got = torch.nn.functional.grid_sample(tx, tg, **kw), F.grid_sample(dx, dg, **kw)
    np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy(), rtol=1e-12, atol=1e-12)
    g = rng.standard_normal(tuple(want.shape))
    want.backward(torch.tensor(g))
    got.backward(_t(g))
    np.testing.assert_allclose(dx.grad.numpy(), tx.grad.numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(dg.grad.numpy(), tg.grad.numpy(), rtol=1e-10, atol=1e-11)


@pytest.mark.parametrize("mode,padding_mode,dims", [("bilinear", "zeros", 2), ("bicubic", "reflection", 2),
                                                    ("nearest", "border", 2), ("bilinear", "reflection", 3)])
def test_gradcheck_and_gradgradcheck_in_input_and_grid(mode, padding_mode, dims):
    rng = np.random.default_rng(11)
    x = _t(rng.standard_normal((1, 2) + (4, 5, 3)[:dims]), True)
    grid = _t(rng.uniform(-0.95, 0.95, (1,) + (2, 3, 2)[:dims] + (dims,)), True)
    fn = lambda a, b: F.grid_sample(a, b, mode=mode, padding_mode=padding_mode, align_corners=False)  # noqa: E731
    assert gradcheck(fn, (x, grid))
    assert gradgradcheck(fn, (x, grid))


def test_float32_matches_pytorch():
    torch = _torch()
    rng = np.random.default_rng(12)
    x = rng.standard_normal((2, 4, 9, 8)).astype(np.float32)
    grid = rng.uniform(-1.1, 1.1, (2, 5, 7, 2)).astype(np.float32)
    want = torch.nn.functional.grid_sample(torch.tensor(x), torch.tensor(grid), align_corners=False).numpy()
    got = F.grid_sample(dyngraph.tensor(x), dyngraph.tensor(grid), align_corners=False).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_non_finite_and_huge_coordinates_read_nothing():
    x = _t(np.ones((1, 1, 3, 3)))
    grid = _t(np.array([[[[np.nan, 0.0], [np.inf, 0.0], [1e30, -1e30], [0.0, 0.0]]]]))
    got = F.grid_sample(x, grid, align_corners=False).numpy()
    np.testing.assert_array_equal(got[0, 0, 0], [0.0, 0.0, 0.0, 1.0])


def test_non_contiguous_input_and_grid():
    rng = np.random.default_rng(13)
    x, grid = rng.standard_normal((2, 3, 5, 4)), rng.uniform(-1, 1, (2, 3, 6, 2))
    want = F.grid_sample(_t(x), _t(grid), align_corners=True).numpy()
    xt = _t(x.transpose(0, 1, 3, 2).copy()).transpose(2, 3)
    gt = _t(grid.transpose(0, 2, 1, 3).copy()).transpose(1, 2)
    np.testing.assert_allclose(F.grid_sample(xt, gt, align_corners=True).numpy(), want, rtol=1e-12)


def test_errors_match_pytorch():
    x, g = dyngraph.ones(1, 1, 4, 4), dyngraph.zeros(1, 2, 2, 2)
    with pytest.raises(RuntimeError, match="bicubic interpolation only supports 4D input"):
        F.grid_sample(dyngraph.ones(1, 1, 2, 2, 2), dyngraph.zeros(1, 1, 1, 1, 3), mode="bicubic")
    with pytest.raises(RuntimeError, match="expected grid to have size 2 in last dimension"):
        F.grid_sample(x, dyngraph.zeros(1, 2, 2, 3))
    with pytest.raises(RuntimeError, match="same batch size"):
        F.grid_sample(x, dyngraph.zeros(2, 2, 2, 2))
    with pytest.raises(RuntimeError, match="same dtype"):
        F.grid_sample(x, g.double())
    with pytest.raises(RuntimeError, match="non-empty spatial dimensions"):
        F.grid_sample(dyngraph.ones(1, 1, 0, 4), g)
    with pytest.raises(RuntimeError, match="4D or 5D input"):
        F.grid_sample(dyngraph.ones(1, 4, 4), g)


@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
def test_grid_gradient_on_borders_and_folds_matches_pytorch(padding_mode, align_corners, mode):
    # Points exactly on the border, on reflection folds and far outside: where PyTorch's kernels clip a
    # coordinate, its gradient is zero (the fused tap kernel follows them, not a clamp's derivative).
    torch = _torch()
    values = np.array([-3.0, -1.5, -1.0, -0.75, 0.0, 1.0 / 3, 0.75, 1.0, 1.25, 3.0])
    grid = np.stack(np.meshgrid(values, values[::-1]), -1)[None]  # (1, 10, 10, 2)
    x = np.random.default_rng(1).standard_normal((1, 2, 4, 5))
    kw = dict(mode=mode, padding_mode=padding_mode, align_corners=align_corners)
    tx, tg = torch.tensor(x, requires_grad=True), torch.tensor(grid, requires_grad=True)
    dx, dg = _t(x, True), _t(grid, True)
    want, got = torch.nn.functional.grid_sample(tx, tg, **kw), F.grid_sample(dx, dg, **kw)
    np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy(), rtol=1e-12, atol=1e-12)
    g = np.random.default_rng(2).standard_normal(tuple(want.shape))
    want.backward(torch.tensor(g))
    got.backward(_t(g))
    np.testing.assert_allclose(dg.grad.numpy(), tg.grad.numpy(), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(dx.grad.numpy(), tx.grad.numpy(), rtol=1e-10, atol=1e-10)


def test_float32_taps_kernel_matches_float64():
    rng = np.random.default_rng(3)
    x, grid = rng.standard_normal((2, 3, 6, 7)), rng.uniform(-1.3, 1.3, (2, 5, 4, 2))
    results = []
    for dtype in (dyngraph.float32, dyngraph.float64):
        dx = dyngraph.tensor(x, dtype=dtype, requires_grad=True)
        dg = dyngraph.tensor(grid, dtype=dtype, requires_grad=True)
        out = F.grid_sample(dx, dg, mode="bicubic", padding_mode="reflection", align_corners=False)
        out.square().sum().backward()
        results.append([out.double().detach().numpy(), dx.grad.double().numpy(), dg.grad.double().numpy()])
    for got, want in zip(*results):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)
