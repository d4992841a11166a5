"""polar, complex, xlogy, deg2rad/rad2deg, heaviside, gcd/lcm, sinc, renorm,
cosine_similarity; ravel, atleast_Nd, tensor_split and h/v/dsplit,
unravel_index, row_stack, fill_diagonal_, type_as, unfold, sum_to_size,
exponential_, random_; and that the Tensor methods are attached."""

import math

import numpy as np
import pytest

import dyngraph
from dyngraph.autograd import gradcheck
from conftest import assert_tensor_equal, to_np

RNG = np.random.default_rng(11)
NAN = float("nan")


def T(a, dtype=None):
    return dyngraph.tensor(np.asarray(a), dtype=dtype)


def g64(*shape):
    return dyngraph.tensor(RNG.standard_normal(shape)).requires_grad_(True)


def test_polar_and_complex():
    r, th = np.abs(RNG.standard_normal(4)), RNG.standard_normal(4)
    assert_tensor_equal(dyngraph.polar(T(r), T(th)), r * np.exp(1j * th), dtype=dyngraph.complex128, rtol=1e-12,
                        atol=1e-12)
    z = dyngraph.complex(T([1.0], dyngraph.float32), T([2.0, 3.0], dyngraph.float32))
    assert z.dtype is dyngraph.complex64 and to_np(z).tolist() == [1 + 2j, 1 + 3j]
    with pytest.raises(RuntimeError, match="Float or Double"):
        dyngraph.complex(T([1]), T([2]))
    with pytest.raises(RuntimeError, match="scalar type"):
        dyngraph.polar(T([1.0], dyngraph.float32), T([1.0]))
    assert gradcheck(lambda a, b: dyngraph.view_as_real(dyngraph.complex(a, b)), (g64(3), g64(3)))
    assert gradcheck(lambda a, b: dyngraph.view_as_real(dyngraph.polar(a, b)), (g64(3), g64(3)))


def test_xlogy():
    x = np.array([0.0, 0.0, 1.0, 2.0, 3.0])
    y = np.array([0.0, NAN, 2.0, 0.5, 4.0])
    expected = np.where(np.isnan(y), NAN, np.where(x == 0, 0.0, x * np.log(np.where(x == 0, 1, y))))
    assert_tensor_equal(dyngraph.xlogy(T(x), T(y)), expected, rtol=1e-12, atol=1e-12)
    assert dyngraph.xlogy(T([1, 2]), T([3, 4])).dtype is dyngraph.float32
    assert dyngraph.xlogy(T([1.0, 2.0]), 3).dtype is dyngraph.float64
    assert dyngraph.xlogy(0, T([0.0, 2.0])).tolist() == [0.0, 0.0]
    t = T([1.0, 2.0])
    assert t.xlogy_(2.0) is t and t.tolist() == pytest.approx([math.log(2), 2 * math.log(2)])
    with pytest.raises(RuntimeError, match="can't be cast"):
        T([1, 2]).xlogy_(3)
    x0 = dyngraph.tensor([0.0, 1.5], dtype=dyngraph.float64, requires_grad=True)
    dyngraph.xlogy(x0, T([0.0, 2.0])).sum().backward()
    assert to_np(x0.grad).tolist() == [0.0, pytest.approx(math.log(2))]  # finite at x == y == 0
    assert gradcheck(dyngraph.xlogy, (g64(4), dyngraph.tensor(RNG.uniform(0.5, 2, 4)).requires_grad_(True)))


def test_sinc_deg_rad():
    x = np.array([0.0, 0.5, -1.25, 3.0])
    assert_tensor_equal(dyngraph.sinc(T(x)), np.sinc(x), rtol=1e-12, atol=1e-12)
    assert dyngraph.sinc(T([0, 1])).dtype is dyngraph.float32
    assert_tensor_equal(dyngraph.deg2rad(T(x)), np.deg2rad(x), rtol=1e-12)
    assert_tensor_equal(T(x).rad2deg(), np.rad2deg(x), rtol=1e-12)
    assert dyngraph.deg2rad(T([180])).dtype is dyngraph.float32
    t = T(x)
    assert t.deg2rad_() is t
    assert_tensor_equal(t, np.deg2rad(x), rtol=1e-12)
    t = T(x)
    t.sinc_()
    assert_tensor_equal(t, np.sinc(x), rtol=1e-12, atol=1e-12)
    with pytest.raises(RuntimeError, match="can't be cast"):
        T([1, 2]).deg2rad_()
    z = dyngraph.tensor([0.0], dtype=dyngraph.float64, requires_grad=True)
    dyngraph.sinc(z).backward()
    assert z.grad.item() == 0.0  # smooth at 0, no NaN from the unused branch
    assert gradcheck(dyngraph.sinc, (g64(5),))
    assert gradcheck(dyngraph.rad2deg, (g64(3),))


def test_heaviside():
    x = np.array([-1.0, 0.0, 2.0, NAN])
    assert dyngraph.heaviside(T(x), T([0.5])).tolist() == [0.0, 0.5, 1.0, 0.0]
    assert dyngraph.heaviside(T([-1, 0, 2]), dyngraph.tensor(5)).tolist() == [0, 5, 1]
    t = T(x)
    assert t.heaviside_(T([0.25])) is t and t.tolist() == [0.0, 0.25, 1.0, 0.0]
    with pytest.raises(RuntimeError, match="different dtypes"):
        dyngraph.heaviside(T([0, 1]), T([0.5]))


@pytest.mark.parametrize("dtype", ["int64", "int32", "int16", "int8", "uint8"])
def test_gcd_lcm(dtype):
    lo = 0 if dtype == "uint8" else -20
    a = RNG.integers(lo, 21, size=30).astype(dtype)
    b = RNG.integers(lo, 21, size=30).astype(dtype)
    assert_tensor_equal(dyngraph.gcd(T(a), T(b)), np.gcd(a, b), dtype=getattr(dyngraph, dtype))
    assert_tensor_equal(T(a).lcm(T(b)), np.lcm(a, b).astype(dtype))
    t = T(a)
    assert t.gcd_(T(b)) is t
    assert_tensor_equal(t, np.gcd(a, b))


def test_gcd_lcm_edges():
    assert dyngraph.gcd(T([0, -4, 6, 48]), T([0, 6, -4, 18])).tolist() == [0, 2, 2, 6]
    assert dyngraph.lcm(T([0, -4, 6]), T([0, 6, -4])).tolist() == [0, 12, 12]
    assert dyngraph.gcd(T([[12], [18]]), T([8, 9])).tolist() == [[4, 3], [2, 9]]
    assert dyngraph.gcd(T(12), T(18)).item() == 6
    assert dyngraph.gcd(T([4], dyngraph.int32), T([6])).dtype is dyngraph.int64
    with pytest.raises(NotImplementedError):
        dyngraph.gcd(T([1.0]), T([2.0]))


def test_renorm():
    x = RNG.standard_normal((3, 4)) * 3
    for p, dim, maxnorm in ((2, 0, 1.0), (1, 1, 2.0), (3, 0, 100.0)):
        norms = (np.abs(x) ** p).sum(axis=1 - dim, keepdims=True) ** (1 / p)
        expected = x * np.where(norms > maxnorm, maxnorm / (norms + 1e-7), 1.0)
        assert_tensor_equal(dyngraph.renorm(T(x), p, dim, maxnorm), expected, rtol=1e-12, atol=1e-12)
        t = T(x)
        assert t.renorm_(p, dim, maxnorm) is t
        assert_tensor_equal(t, expected, rtol=1e-12, atol=1e-12)
    with pytest.raises(RuntimeError, match="non-positive"):
        dyngraph.renorm(T(x), 0, 0, 1.0)
    with pytest.raises(RuntimeError, match="maxnorm"):
        dyngraph.renorm(T(x), 2, 0, -1.0)
    with pytest.raises(RuntimeError):
        dyngraph.renorm(T([[1, 2]]), 2, 0, 1.0)
    assert gradcheck(lambda t: dyngraph.renorm(t, 2, 1, 0.8), (g64(3, 2),))


def test_cosine_similarity():
    a, b = RNG.standard_normal((4, 5)), RNG.standard_normal((4, 5))
    expected = (a * b).sum(1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))
    assert_tensor_equal(dyngraph.cosine_similarity(T(a), T(b)), expected, rtol=1e-12, atol=1e-12)
    assert_tensor_equal(dyngraph.cosine_similarity(T(a), T(b[0]), dim=-1),
                        (a * b[0]).sum(1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b[0])), rtol=1e-12)
    tiny = dyngraph.cosine_similarity(T([[1e-9, 0.0]]), T([[1.0, 0.0]]))
    assert tiny.tolist() == [pytest.approx(0.1)]  # the norm is clamped to eps, as in PyTorch
    with pytest.raises(RuntimeError, match="floating point"):
        dyngraph.cosine_similarity(T([[1, 2]]), T([[1, 0]]))
    assert gradcheck(lambda x, y: dyngraph.cosine_similarity(x, y, dim=0), (g64(3, 2), g64(3, 2)))


def test_ravel_atleast_row_stack():
    x = T(np.arange(6).reshape(2, 3))
    assert x.ravel().tolist() == list(range(6)) and dyngraph.ravel(x.t()).tolist() == [0, 3, 1, 4, 2, 5]
    s = dyngraph.tensor(1.0)
    assert dyngraph.atleast_1d(s).shape == (1,)
    assert dyngraph.atleast_2d(s).shape == (1, 1) and dyngraph.atleast_2d(dyngraph.ones(3)).shape == (1, 3)
    assert [t.shape for t in dyngraph.atleast_3d(s, dyngraph.ones(3), dyngraph.ones(2, 3))] == [(1, 1, 1), (1, 3, 1),
                                                                                              (2, 3, 1)]
    assert isinstance(dyngraph.atleast_1d([s]), tuple)
    assert dyngraph.atleast_1d(x) is x
    assert dyngraph.row_stack([dyngraph.ones(3), dyngraph.zeros(2, 3)]).shape == (3, 3)


@pytest.mark.parametrize("arg", [3, 4, 1, 7, [1, 5], [2, 2, 9], [-2], (0,), []])
def test_tensor_split(arg):
    x = np.arange(21).reshape(7, 3)
    got = dyngraph.tensor_split(T(x), arg)
    expected = np.array_split(x, arg, axis=0)
    assert len(got) == len(expected)
    for g, e in zip(got, expected):
        assert_tensor_equal(g, e)
    assert len(T(x).tensor_split(T(arg) if isinstance(arg, int) else T(np.array(arg, dtype=np.int64)), 0)) == \
        len(expected)


def test_tensor_split_dim_and_splits():
    x = np.arange(24).reshape(2, 3, 4)
    for g, e in zip(dyngraph.tensor_split(T(x), 3, dim=-1), np.array_split(x, 3, axis=-1)):
        assert_tensor_equal(g, e)
    for fn, np_fn in ((dyngraph.hsplit, np.hsplit), (dyngraph.vsplit, np.vsplit), (dyngraph.dsplit, np.dsplit)):
        for g, e in zip(fn(T(x), [1]), np_fn(x, [1])):
            assert_tensor_equal(g, e)
    for g, e in zip(T(x).dsplit(2), np.dsplit(x, 2)):
        assert_tensor_equal(g, e)
    assert [t.tolist() for t in dyngraph.hsplit(T(np.arange(6)), 3)] == [[0, 1], [2, 3], [4, 5]]
    with pytest.raises(RuntimeError, match="divisible"):
        dyngraph.hsplit(T(np.arange(7)), 3)
    with pytest.raises(RuntimeError, match="at least 2"):
        dyngraph.vsplit(T(np.arange(6)), 2)
    with pytest.raises(RuntimeError, match="larger than 0"):
        dyngraph.tensor_split(T(np.arange(6)), 0)
    with pytest.raises(RuntimeError):
        dyngraph.tensor_split(dyngraph.tensor(1.0), 1)


def test_unravel_index():
    flat = np.array([[0, 5], [11, 7]])
    got = dyngraph.unravel_index(T(flat), (3, 4))
    for g, e in zip(got, np.unravel_index(flat, (3, 4))):
        assert_tensor_equal(g, e, dtype=dyngraph.int64)
    assert [t.item() for t in dyngraph.unravel_index(5, (2, 3))] == [1, 2]
    assert [t.tolist() for t in dyngraph.unravel_index(T([7, -1]), (2, 3))] == [[0, 1], [1, 2]]  # wraps like PyTorch
    assert dyngraph.unravel_index(T([3]), 5)[0].tolist() == [3]
    with pytest.raises(TypeError):
        dyngraph.unravel_index(T([1.0]), (2, 3))


def test_fill_diagonal_():
    x = dyngraph.zeros(3, 4)
    assert x.fill_diagonal_(2.0) is x
    expected = np.zeros((3, 4))
    np.fill_diagonal(expected, 2.0)
    assert_tensor_equal(x, expected.astype(np.float32))
    tall = np.zeros((7, 3))
    np.fill_diagonal(tall, 1.0, wrap=True)
    assert_tensor_equal(dyngraph.zeros(7, 3, dtype=dyngraph.float64).fill_diagonal_(1.0, wrap=True), tall)
    assert dyngraph.zeros(7, 3).fill_diagonal_(1.0).sum().item() == 3
    cube = dyngraph.zeros(2, 2, 2).fill_diagonal_(1.5)
    assert to_np(cube)[0, 0, 0] == 1.5 and to_np(cube)[1, 1, 1] == 1.5 and cube.sum().item() == 3.0
    assert dyngraph.zeros(2, 2, dtype=dyngraph.int64).fill_diagonal_(1.5).tolist() == [[1, 0], [0, 1]]
    transposed = dyngraph.zeros(4, 3).t()
    transposed.fill_diagonal_(1.0)
    assert to_np(transposed).tolist() == np.eye(3, 4).tolist()
    with pytest.raises(RuntimeError, match="larger than 1"):
        dyngraph.zeros(3).fill_diagonal_(1.0)
    with pytest.raises(RuntimeError, match="equal length"):
        dyngraph.zeros(2, 3, 2).fill_diagonal_(1.0)


def test_type_as_sum_to_size():
    assert dyngraph.ones(2).type_as(dyngraph.ones(1, dtype=dyngraph.int32)).dtype is dyngraph.int32
    x = RNG.standard_normal((2, 3, 4))
    assert_tensor_equal(T(x).sum_to_size(3, 1), x.sum(0).sum(-1, keepdims=True), rtol=1e-12)
    assert_tensor_equal(T(x).sum_to_size((1, 3, 4)), x.sum(0, keepdims=True), rtol=1e-12)
    assert T(x).sum_to_size(2, 3, 4).shape == (2, 3, 4)
    with pytest.raises(RuntimeError, match="not expandable"):
        dyngraph.ones(6).sum_to_size(1, 6)
    assert gradcheck(lambda t: t.sum_to_size(1, 4), (g64(3, 4),))


@pytest.mark.parametrize("shape,dim,size,step", [((7,), 0, 3, 2), ((7,), 0, 7, 1), ((3, 5), 1, 2, 1),
                                                 ((3, 5), 0, 2, 3), ((4, 5), -1, 1, 2), ((2, 0), 1, 0, 1)])
def test_unfold(shape, dim, size, step):
    x = np.arange(int(np.prod(shape)), dtype=np.float64).reshape(shape)
    dim %= len(shape)
    windows = np.lib.stride_tricks.sliding_window_view(x, size, axis=dim)
    windows = np.take(windows, np.arange(0, windows.shape[dim], step), axis=dim)
    t = T(x)
    got = t.unfold(dim, size, step)
    assert_tensor_equal(got, windows)
    assert got.untyped_storage_ptr() == t.untyped_storage_ptr()  # a view


def test_unfold_of_strided_input_errors_and_grad():
    x = T(np.arange(12.0).reshape(3, 4)).t()
    assert to_np(x.unfold(0, 2, 2)).tolist() == [[[0, 1], [4, 5], [8, 9]], [[2, 3], [6, 7], [10, 11]]]
    assert dyngraph.tensor(5.0).unfold(0, 1, 1).tolist() == [5.0]
    with pytest.raises(RuntimeError, match="maximum size"):
        dyngraph.arange(6.0).unfold(0, 7, 1)
    with pytest.raises(RuntimeError, match="step"):
        dyngraph.arange(6.0).unfold(0, 2, 0)
    assert gradcheck(lambda t: t.unfold(1, 3, 1), (g64(2, 5),))  # overlapping windows accumulate


def test_exponential_and_random_():
    dyngraph.manual_seed(0)
    x = dyngraph.zeros(20000, dtype=dyngraph.float64)
    assert x.exponential_(2.0) is x
    values = to_np(x)
    assert values.min() > 0 and abs(values.mean() - 0.5) < 0.03
    with pytest.raises(RuntimeError, match="lambda"):
        dyngraph.zeros(3).exponential_(0.0)
    gen = dyngraph.Generator().manual_seed(3)
    a = to_np(dyngraph.zeros(5).exponential_(generator=gen))
    gen.manual_seed(3)
    assert (to_np(dyngraph.zeros(5).exponential_(generator=gen)) == a).all()

    r = to_np(dyngraph.zeros(2000, dtype=dyngraph.int64).random_(3, 7))
    assert set(r.tolist()) == {3, 4, 5, 6}
    r = to_np(dyngraph.zeros(2000).random_(4))
    assert set(r.tolist()) == {0.0, 1.0, 2.0, 3.0}
    r = to_np(dyngraph.zeros(2000, dtype=dyngraph.uint8).random_())
    assert r.min() >= 0 and r.max() > 200
    r = to_np(dyngraph.zeros(100).random_())
    assert (r == np.floor(r)).all() and r.max() <= 2 ** 24
    assert set(to_np(dyngraph.zeros(200, dtype=dyngraph.bool).random_()).tolist()) == {False, True}
    with pytest.raises(RuntimeError, match="from"):
        dyngraph.zeros(3).random_(5, 2)
    with pytest.raises(RuntimeError):
        dyngraph.zeros(3, requires_grad=True).random_()


TENSOR_METHODS = ["kron", "addbmm", "addbmm_", "cross", "diag_embed", "unique", "unique_consecutive", "bincount",
                  "histc", "quantile", "nanquantile", "mode", "cummax", "cummin", "logcumsumexp", "diff", "index_add",
                  "index_add_", "index_copy", "index_copy_", "index_fill", "index_fill_", "masked_scatter",
                  "masked_scatter_", "scatter_reduce", "scatter_reduce_", "xlogy", "xlogy_", "deg2rad", "deg2rad_",
                  "rad2deg", "rad2deg_", "heaviside", "heaviside_", "gcd", "gcd_", "lcm", "lcm_", "sinc", "sinc_",
                  "ravel", "hsplit", "vsplit", "dsplit", "tensor_split", "renorm", "renorm_", "fill_diagonal_",
                  "type_as", "unfold", "sum_to_size", "exponential_", "random_", "divide", "multiply", "tile"]
MODULE_FUNCTIONS = ["einsum", "tensordot", "kron", "block_diag", "cartesian_prod", "chain_matmul", "addbmm", "cross",
                    "cdist", "diag_embed", "tril_indices", "triu_indices", "unique", "unique_consecutive", "bincount",
                    "histc", "searchsorted", "bucketize", "quantile", "nanquantile", "mode", "cummax", "cummin",
                    "logcumsumexp", "diff", "index_add", "index_copy", "index_fill", "masked_scatter",
                    "scatter_reduce", "polar", "complex", "xlogy", "deg2rad", "rad2deg", "heaviside", "gcd", "lcm",
                    "sinc", "ravel", "atleast_1d", "atleast_2d", "atleast_3d", "hsplit", "vsplit", "dsplit",
                    "tensor_split", "unravel_index", "row_stack", "trapezoid", "trapz", "cumulative_trapezoid",
                    "cosine_similarity", "renorm"]


def test_methods_and_functions_are_exposed():
    missing = [m for m in TENSOR_METHODS if not hasattr(dyngraph.Tensor, m)]
    missing += [f for f in MODULE_FUNCTIONS if not callable(getattr(dyngraph, f, None))]
    missing += [f for f in ("cross", "multi_dot") if not hasattr(dyngraph.linalg, f)]
    assert not missing
    assert dyngraph.ones(2, 2).tile((1, 2)).shape == (2, 4)
