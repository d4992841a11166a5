"""F.fractional_max_pool2d/3d and nn.FractionalMaxPool2d/3d: windows placed by
_random_samples as PyTorch places them (NumPy reference), indices, gradients,
PyTorch's errors, hostile samples, and PyTorch itself when installed."""

import itertools

import numpy as np
import pytest

import dyngraph
import dyngraph.nn as nn
import dyngraph.nn.functional as F
from dyngraph.autograd import gradcheck, gradgradcheck


def _starts(u, size, out, pool, real):
    """PyTorch's generate_intervals: window starts along one axis, arithmetic in `real`."""
    if out == 1:
        return [size - pool]
    u = real(u)
    alpha = real(size - pool) / real(out - 1)
    starts = [int(real(real(o) + u) * alpha) - int(u * alpha) for o in range(out - 1)]
    return starts + [size - pool]


def np_fractional_max_pool(x, kernel, out, samples):
    """Values and flat plane indices; samples (N, C, dims) in PyTorch's order:
    (width, height) in 2-d, (time, height, width) in 3-d."""
    dims = len(kernel)
    real = np.float32 if x.dtype == np.float32 else np.float64
    n, c, spatial = x.shape[0], x.shape[1], x.shape[2:]
    values = np.empty((n, c) + tuple(out), x.dtype)
    indices = np.empty((n, c) + tuple(out), np.int64)
    for b, ch in itertools.product(range(n), range(c)):
        u = samples[b, ch][::-1] if dims == 2 else samples[b, ch]
        starts = [_starts(u[d], spatial[d], out[d], kernel[d], real) for d in range(dims)]
        plane = x[b, ch].reshape(-1)
        for o in itertools.product(*[range(e) for e in out]):
            taps = itertools.product(*[range(starts[d][o[d]], starts[d][o[d]] + kernel[d]) for d in range(dims)])
            flat = [int(np.ravel_multi_index(t, spatial)) for t in taps]
            best = flat[int(np.argmax(plane[flat]))]
            values[(b, ch) + o] = plane[best]
            indices[(b, ch) + o] = best
    return values, indices


def _fn(dims):
    return F.fractional_max_pool2d if dims == 2 else F.fractional_max_pool3d


@pytest.mark.parametrize("dims,shape,kernel,out", [
    (2, (2, 3, 9, 11), (3, 3), (4, 5)),
    (2, (2, 3, 9, 11), (2, 3), (7, 6)),
    (2, (1, 2, 10, 10), (2, 2), (9, 9)),
    (2, (1, 1, 5, 5), (5, 5), (1, 1)),
    (3, (2, 2, 7, 8, 9), (2, 2, 2), (3, 4, 5)),
    (3, (1, 2, 7, 8, 9), (1, 2, 3), (5, 4, 6)),
])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_matches_reference_windows(dims, shape, kernel, out, dtype):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape).astype(dtype)
    samples = rng.random((shape[0], shape[1], dims)).astype(dtype)
    values, indices = _fn(dims)(dyngraph.tensor(x), kernel, output_size=out, return_indices=True,
                                _random_samples=dyngraph.tensor(samples))
    ref_values, ref_indices = np_fractional_max_pool(x, kernel, out, samples)
    assert values.dtype == getattr(dyngraph, dtype) and indices.dtype == dyngraph.int64
    np.testing.assert_array_equal(values.numpy(), ref_values)
    np.testing.assert_array_equal(indices.numpy(), ref_indices)


def test_output_ratio_unbatched_and_default_samples():
    x = dyngraph.randn(3, 10, 12)
    values, indices = F.fractional_max_pool2d(x, 2, output_ratio=(0.5, 0.75), return_indices=True)
    assert values.shape == (3, 5, 9) and indices.shape == (3, 5, 9)
    # Whatever the samples drawn, every value is the input at its index, and the windows cover the edges.
    flat = x.reshape(3, -1)
    np.testing.assert_array_equal(values.reshape(3, -1).numpy(),
                                  np.take_along_axis(flat.numpy(), indices.reshape(3, -1).numpy(), 1))
    assert F.fractional_max_pool3d(dyngraph.randn(2, 6, 6, 6), 2, output_ratio=0.5).shape == (2, 3, 3, 3)
    # Samples with more rows than the batch: the first rows are used.
    x = dyngraph.randn(2, 3, 9, 9)
    u = dyngraph.rand(4, 3, 2)
    np.testing.assert_array_equal(F.fractional_max_pool2d(x, 3, output_size=4, _random_samples=u).numpy(),
                                  F.fractional_max_pool2d(x, 3, output_size=4, _random_samples=u[:2]).numpy())


def test_gradients():
    rng = np.random.default_rng(1)
    # Distinct values: each max is unique, so the pooling is differentiable.
    x = dyngraph.tensor(rng.permutation(2 * 2 * 7 * 8).reshape(2, 2, 7, 8) / 9.0, requires_grad=True)
    u = dyngraph.tensor(rng.random((2, 2, 2)))
    pool = lambda t: F.fractional_max_pool2d(t, (2, 3), output_size=(4, 3), _random_samples=u)
    assert gradcheck(pool, (x,))
    assert gradgradcheck(pool, (x,))
    y = pool(x)
    assert y.grad_fn.name() == "FractionalMaxPool2DBackward0"
    x3 = dyngraph.tensor(rng.permutation(2 * 5 * 6 * 7).reshape(1, 2, 5, 6, 7) / 9.0, requires_grad=True)
    u3 = dyngraph.tensor(rng.random((1, 2, 3)))
    assert gradcheck(lambda t: F.fractional_max_pool3d(t, 2, output_size=(3, 4, 4), _random_samples=u3), (x3,))


def test_backward_routes_to_argmax():
    x = dyngraph.tensor(np.arange(1.0, 26.0).reshape(1, 1, 5, 5), requires_grad=True)
    values, indices = F.fractional_max_pool2d(x, 2, output_size=2, return_indices=True,
                                              _random_samples=dyngraph.full((1, 1, 2), 0.5, dtype=dyngraph.float64))
    values.sum().backward()
    expected = np.zeros(25)
    np.add.at(expected, indices.reshape(-1).numpy(), 1.0)
    np.testing.assert_array_equal(x.grad.reshape(-1).numpy(), expected)


def test_half_precision_matches_float32():
    x = dyngraph.randn(2, 3, 8, 8).half()
    u = dyngraph.rand(2, 3, 2).half()
    values = F.fractional_max_pool2d(x, 2, output_size=5, _random_samples=u)
    assert values.dtype == dyngraph.float16
    expected = F.fractional_max_pool2d(x.float(), 2, output_size=5, _random_samples=u.float())
    np.testing.assert_array_equal(values.float().numpy(), expected.numpy())


@pytest.mark.parametrize("value", [5.0, -3.0, float("nan"), float("inf"), 1e30])
def test_hostile_samples_keep_windows_inside(value):
    x = dyngraph.randn(2, 3, 9, 9)
    values, indices = F.fractional_max_pool2d(x, 3, output_size=4, return_indices=True,
                                              _random_samples=dyngraph.full((2, 3, 2), value))
    assert values.shape == (2, 3, 4, 4)
    assert int(indices.min()) >= 0 and int(indices.max()) < 81


def test_errors():
    x = dyngraph.randn(2, 3, 9, 9)
    with pytest.raises(ValueError, match="requires specifying either"):
        F.fractional_max_pool2d(x, 3)
    with pytest.raises(RuntimeError, match=r"_random_samples.size\(2\) equals to 2"):
        F.fractional_max_pool2d(x, 3, output_size=4, _random_samples=dyngraph.rand(2, 3, 3))
    with pytest.raises(RuntimeError, match="no less then input batch size"):
        F.fractional_max_pool2d(x, 3, output_size=4, _random_samples=dyngraph.rand(1, 3, 2))
    with pytest.raises(RuntimeError, match="input channel size"):
        F.fractional_max_pool2d(x, 3, output_size=4, _random_samples=dyngraph.rand(2, 4, 2))
    with pytest.raises(RuntimeError, match="3 dimensions"):
        F.fractional_max_pool2d(x, 3, output_size=4, _random_samples=dyngraph.rand(2, 3))
    with pytest.raises(RuntimeError, match="same dtype"):
        F.fractional_max_pool2d(x, 3, output_size=4, _random_samples=dyngraph.rand(2, 3, 2, dtype=dyngraph.float64))
    with pytest.raises(RuntimeError, match="pool height 3 too large relative to input height 9"):
        F.fractional_max_pool2d(x, 3, output_size=8)
    with pytest.raises(RuntimeError, match="pool time 3 too large relative to input time 3"):
        F.fractional_max_pool3d(dyngraph.randn(1, 2, 3, 9, 9), 3, output_size=4)
    with pytest.raises(RuntimeError, match="Expected 3D or 4D tensor"):
        F.fractional_max_pool2d(x[None], 3, output_size=4)
    with pytest.raises(RuntimeError, match="non-zero size for non-batch dimensions"):
        F.fractional_max_pool2d(x[:, :0], 3, output_size=4)
    with pytest.raises(RuntimeError, match="kernel_size"):
        F.fractional_max_pool2d(x, (3, 3, 3), output_size=4)
    with pytest.raises(RuntimeError, match="negative dimension"):
        F.fractional_max_pool2d(x, 3, output_size=-1)
    with pytest.raises(NotImplementedError):
        F.fractional_max_pool2d(x.long(), 3, output_size=4)
    assert F.fractional_max_pool2d(x[:0], 3, output_size=4).shape == (0, 3, 4, 4)
    # As PyTorch: the channel count is read before the input's dims are checked, and the 2-d output_ratio is a pair.
    with pytest.raises(IndexError):
        F.fractional_max_pool2d(dyngraph.randn(9, 9), 3, output_size=4)
    with pytest.raises(TypeError):
        F.fractional_max_pool2d(x, 3, output_ratio=0.5)
    with pytest.raises(ValueError, match="single Int or tuple of Ints"):
        F.fractional_max_pool2d(x, 3, output_ratio=(0.5, 0.5, 0.5))
    assert F.fractional_max_pool3d(dyngraph.randn(1, 1, 6, 6, 6), 2, output_ratio=0.5).shape == (1, 1, 3, 3, 3)


def test_modules():
    m = nn.FractionalMaxPool2d(3, output_ratio=0.5)
    assert m.kernel_size == (3, 3) and m.output_ratio == (0.5, 0.5) and m.output_size is None
    assert repr(m) == "FractionalMaxPool2d()" and list(m.state_dict()) == []
    assert m(dyngraph.randn(2, 3, 12, 12)).shape == (2, 3, 6, 6)
    u = dyngraph.rand(1, 2, 3)
    m3 = nn.FractionalMaxPool3d(2, output_size=3, return_indices=True, _random_samples=u)
    assert m3.output_size == (3, 3, 3) and "_random_samples" in m3.state_dict()
    x = dyngraph.randn(1, 2, 6, 7, 8)
    values, indices = m3(x)
    np.testing.assert_array_equal(values.numpy(), F.fractional_max_pool3d(x, 2, 3, _random_samples=u).numpy())
    with pytest.raises(ValueError, match="requires specifying either an output size, or a pooling ratio"):
        nn.FractionalMaxPool2d(3)
    with pytest.raises(ValueError, match="only one of output_size and output_ratio"):
        nn.FractionalMaxPool2d(3, output_size=3, output_ratio=0.5)
    with pytest.raises(ValueError, match="output_ratio must be between 0 and 1"):
        nn.FractionalMaxPool3d(3, output_ratio=1.5)


@pytest.mark.parametrize("dims,shape,kernel,out", [
    (2, (2, 3, 9, 11), (2, 3), (7, 6)), (2, (3, 10, 10), 2, (5, 5)), (3, (2, 2, 7, 8, 9), (1, 2, 3), (5, 4, 6))])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_against_torch(dims, shape, kernel, out, dtype):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(2)
    x = rng.standard_normal(shape).astype(dtype)
    batch = 1 if len(shape) == dims + 1 else shape[0]
    samples = rng.random((batch, shape[-dims - 1], dims)).astype(dtype)
    name = f"fractional_max_pool{dims}d"
    xt = torch.tensor(x, requires_grad=True)
    vt, it = getattr(torch.nn.functional, name)(xt, kernel, output_size=out, return_indices=True,
                                               _random_samples=torch.tensor(samples))
    xd = dyngraph.tensor(x, requires_grad=True)
    vd, idx = getattr(F, name)(xd, kernel, output_size=out, return_indices=True,
                               _random_samples=dyngraph.tensor(samples))
    np.testing.assert_array_equal(vd.detach().numpy(), vt.detach().numpy())
    np.testing.assert_array_equal(idx.numpy(), it.numpy())
    (vt * vt).sum().backward()
    (vd * vd).sum().backward()
    np.testing.assert_allclose(xd.grad.numpy(), xt.grad.numpy(), rtol=1e-6)
