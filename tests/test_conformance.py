"""Regression tests from a PyTorch conformance sweep (``import dyngraph as torch``): small Python-side
gaps and mismatches found by running the same snippets under both libraries."""

import io

import numpy as np
import pytest

import dyngraph
import dyngraph.nn.functional as F
from dyngraph.nn.utils.rnn import (pack_padded_sequence, pack_sequence, pad_packed_sequence, pad_sequence,
                                   unpack_sequence)


# ---- torch.testing -----------------------------------------------------------------------------------

def _msg(fn):
    with pytest.raises(AssertionError) as info:
        fn()
    return str(info.value)


def test_assert_close_passes_within_default_tolerances():
    dyngraph.testing.assert_close(dyngraph.ones(2), dyngraph.ones(2) + 1e-6)
    dyngraph.testing.assert_close(dyngraph.ones(2, dtype=dyngraph.float64), dyngraph.ones(2, dtype=dyngraph.float64) + 1e-8)
    dyngraph.testing.assert_close(dyngraph.ones(2, dtype=dyngraph.float16), dyngraph.ones(2, dtype=dyngraph.float16) + 0.0009)
    dyngraph.testing.assert_close([dyngraph.ones(1), {"a": dyngraph.zeros(2)}], [dyngraph.ones(1), {"a": dyngraph.zeros(2)}])
    dyngraph.testing.assert_close(dyngraph.ones(1, requires_grad=True), dyngraph.ones(1))
    dyngraph.testing.assert_close(1.0, 1.0 + 1e-9)
    dyngraph.testing.assert_close(dyngraph.tensor([float("nan")]), dyngraph.tensor([float("nan")]), equal_nan=True)
    dyngraph.testing.assert_close(dyngraph.ones(2), dyngraph.ones(2, dtype=dyngraph.float64), check_dtype=False)
    dyngraph.testing.assert_close(dyngraph.ones(2), dyngraph.ones(2) * 1.1, rtol=0.2, atol=0)


def test_assert_close_failure_messages_match_pytorch():
    close = dyngraph.testing.assert_close
    assert _msg(lambda: close(dyngraph.tensor([1., 2., 3.]), dyngraph.tensor([1., 2.5, 3.]))) == (
        "Tensor-likes are not close!\n\nMismatched elements: 1 / 3 (33.3%)\n"
        "Greatest absolute difference: 0.5 at index (1,) (up to 1e-05 allowed)\n"
        "Greatest relative difference: 0.20000000298023224 at index (1,) (up to 1.3e-06 allowed)")
    assert _msg(lambda: close(dyngraph.tensor([1, 2]), dyngraph.tensor([1, 3]))) == (
        "Tensor-likes are not equal!\n\nMismatched elements: 1 / 2 (50.0%)\n"
        "Greatest absolute difference: 1 at index (1,)\n"
        "Greatest relative difference: 0.3333333432674408 at index (1,)")
    assert _msg(lambda: close(1.0, 2.0)) == (
        "Scalars are not close!\n\nExpected 2.0 but got 1.0.\nAbsolute difference: 1.0 (up to 1e-07 allowed)\n"
        "Relative difference: 0.5 (up to 1e-07 allowed)")
    assert _msg(lambda: close(dyngraph.ones(2), dyngraph.ones(3))).startswith("The values for attribute 'shape' do not match")
    assert _msg(lambda: close(dyngraph.ones(2), dyngraph.ones(2, dtype=dyngraph.float64))).startswith(
        "The values for attribute 'dtype' do not match")
    assert _msg(lambda: close(dyngraph.tensor(1.), dyngraph.tensor(2.), msg="custom")) == "custom"
    assert _msg(lambda: close([dyngraph.ones(1)], [dyngraph.zeros(1)])).endswith("The failure occurred for item [0]")
    with pytest.raises(AssertionError):
        close(dyngraph.tensor([float("nan")]), dyngraph.tensor([float("nan")]))


def test_assert_close_argument_errors():
    with pytest.raises(ValueError, match="Both 'rtol' and 'atol'"):
        dyngraph.testing.assert_close(dyngraph.ones(1), dyngraph.ones(1), rtol=1e-3)
    with pytest.raises(TypeError, match="No comparison pair"):
        dyngraph.testing.assert_close(dyngraph.ones(1), 1.0)


def test_make_tensor():
    t = dyngraph.testing.make_tensor((2, 3), dtype=dyngraph.float32, device="cpu", low=-1, high=1)
    assert t.shape == (2, 3) and t.dtype is dyngraph.float32
    assert float(t.abs().max()) <= 1
    assert dyngraph.testing.make_tensor(4, dtype=dyngraph.int64).dtype is dyngraph.int64


# ---- cuda / backends ---------------------------------------------------------------------------------

def test_cuda_queries_without_a_gpu():
    assert dyngraph.cuda.is_available() is False
    assert dyngraph.cuda.device_count() == 0
    dyngraph.cuda.manual_seed_all(0)
    dyngraph.cuda.empty_cache()
    with pytest.raises(AssertionError):
        dyngraph.cuda.current_device()
    import dyngraph.backends.cudnn as cudnn

    cudnn.benchmark = True
    assert dyngraph.backends.mps.is_available() is False


# ---- factories and misc functions --------------------------------------------------------------------

def test_multinomial():
    out = dyngraph.multinomial(dyngraph.tensor([0., 1., 0.]), 2)
    assert out.dtype is dyngraph.int64 and out.tolist() == [1, 0]
    assert dyngraph.multinomial(dyngraph.tensor([0., 1., 0.]), 3, replacement=True).tolist() == [1, 1, 1]
    assert dyngraph.multinomial(dyngraph.tensor([[0., 1.], [1., 0.]]), 1).tolist() == [[1], [0]]
    g = dyngraph.Generator().manual_seed(3)
    picks = dyngraph.multinomial(dyngraph.ones(10), 10, generator=g)
    assert sorted(picks.tolist()) == list(range(10))
    with pytest.raises(RuntimeError):
        dyngraph.multinomial(dyngraph.ones(2), 3)


def test_logspace_dist_combinations_msort_is_nonzero():
    np.testing.assert_allclose(dyngraph.logspace(0, 2, 3).numpy(), [1, 10, 100], rtol=1e-6)
    assert dyngraph.logspace(0, 3, 4, base=2).tolist() == [1, 2, 4, 8]
    assert abs(dyngraph.dist(dyngraph.zeros(3), dyngraph.ones(3)).item() - np.sqrt(3)) < 1e-6
    assert dyngraph.combinations(dyngraph.tensor([1, 2, 3])).tolist() == [[1, 2], [1, 3], [2, 3]]
    assert dyngraph.combinations(dyngraph.tensor([1, 2, 3]), r=1).shape == (3, 1)
    assert dyngraph.combinations(dyngraph.tensor([1, 2, 3]), with_replacement=True).shape == (6, 2)
    x = dyngraph.tensor([[3., 1.], [0., 5.]])
    assert x.msort().tolist() == [[0., 1.], [3., 5.]]
    assert dyngraph.is_nonzero(dyngraph.tensor([1])) is True
    with pytest.raises(RuntimeError):
        dyngraph.is_nonzero(dyngraph.tensor([1, 2]))


def test_normal_with_tensor_arguments():
    assert dyngraph.normal(dyngraph.zeros(3), 1.).shape == (3,)
    assert dyngraph.normal(dyngraph.zeros(3), dyngraph.ones(2, 1)).shape == (2, 3)
    assert dyngraph.normal(dyngraph.arange(3.), 0.).tolist() == [0., 1., 2.]
    with pytest.raises(RuntimeError):
        dyngraph.normal(dyngraph.zeros(2), -dyngraph.ones(2))


def test_tensor_of_a_list_with_numpy_scalars_promotes_their_dtypes():
    assert dyngraph.tensor([np.float64(1.0), 2.0]).dtype is dyngraph.float64
    assert dyngraph.tensor([1.0, np.float64(2.0)]).dtype is dyngraph.float64
    assert dyngraph.tensor([np.float32(1), 2]).dtype is dyngraph.float32
    assert dyngraph.tensor([np.int32(1), 2]).dtype is dyngraph.int64
    assert dyngraph.tensor([np.int32(1)]).dtype is dyngraph.int32
    assert dyngraph.tensor([np.float16(1), 2]).dtype is dyngraph.float16


def test_meshgrid_xy():
    a, b = dyngraph.meshgrid(dyngraph.arange(2), dyngraph.arange(3), indexing="xy")
    assert a.shape == (3, 2) and b.shape == (3, 2)
    assert a.tolist() == [[0, 1]] * 3 and b.tolist() == [[0, 0], [1, 1], [2, 2]]


def test_finfo_iinfo_repr():
    assert repr(dyngraph.finfo(dyngraph.float32)) == (
        "finfo(resolution=1e-06, min=-3.40282e+38, max=3.40282e+38, eps=1.19209e-07, smallest_normal=1.17549e-38, "
        "tiny=1.17549e-38, dtype=float32)")
    assert dyngraph.finfo(dyngraph.float16).resolution == 0.001
    assert repr(dyngraph.iinfo(dyngraph.int32)) == "iinfo(min=-2.14748e+09, max=2.14748e+09, dtype=int32)"
    with pytest.raises(TypeError):
        dyngraph.iinfo(dyngraph.bool)


def test_constants_and_switches():
    assert dyngraph.pi == np.pi and dyngraph.e == np.e and dyngraph.inf == np.inf and np.isnan(dyngraph.nan)
    assert dyngraph.ones(1).layout is dyngraph.strided
    dyngraph.use_deterministic_algorithms(True)
    assert dyngraph.are_deterministic_algorithms_enabled()
    dyngraph.use_deterministic_algorithms(False)
    assert dyngraph.get_default_device().type == "cpu"


# ---- Tensor methods ----------------------------------------------------------------------------------

def test_tensor_adjoint_properties_and_methods():
    x = dyngraph.arange(6.).view(2, 3)
    assert x.H.shape == (3, 2) and x.mH.shape == (3, 2) and x.adjoint().shape == (3, 2)
    assert dyngraph.zeros(4, 2, 3).mH.shape == (4, 3, 2)
    assert dyngraph.tensor([1, 2]).apply_(lambda v: v * 2).tolist() == [2, 4]
    assert dyngraph.zeros(3).lerp_(dyngraph.ones(3), 0.5).tolist() == [0.5] * 3


def test_type_with_a_type_string():
    assert dyngraph.ones(2).type("torch.DoubleTensor").dtype is dyngraph.float64
    assert dyngraph.ones(2).type("dyngraph.LongTensor").dtype is dyngraph.int64
    with pytest.raises(ValueError):
        dyngraph.ones(2).type("foo")


def test_numpy_of_a_tensor_that_requires_grad_raises():
    x = dyngraph.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="requires grad"):
        x.numpy()
    assert x.detach().numpy().tolist() == [1., 1.]
    assert x.numpy(force=True).tolist() == [1., 1.]


# ---- autograd.Function -------------------------------------------------------------------------------

def test_function_with_setup_context():
    class Scale(dyngraph.autograd.Function):
        @staticmethod
        def forward(x, k):
            return x * k

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.k = inputs[1]

        @staticmethod
        def backward(ctx, g):
            return g * ctx.k, None

    x = dyngraph.tensor([1.], requires_grad=True)
    Scale.apply(x, 5.).backward()
    assert x.grad.tolist() == [5.]


def test_function_backward_gradient_count_is_checked():
    class Bad(dyngraph.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g, g

    class ExtraNone(dyngraph.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2, None

    x = dyngraph.tensor([1.], requires_grad=True)
    with pytest.raises(RuntimeError, match="incorrect number of gradients"):
        Bad.apply(x).backward()
    ExtraNone.apply(x).backward()
    assert x.grad.tolist() == [2.]


# ---- losses ------------------------------------------------------------------------------------------

def test_bce_target_dtype_checks():
    with pytest.raises(RuntimeError, match="Found dtype Long but expected Float"):
        F.binary_cross_entropy(dyngraph.tensor([0.5]), dyngraph.tensor([1]))
    with pytest.raises(RuntimeError):
        F.binary_cross_entropy_with_logits(dyngraph.tensor([0.5]), dyngraph.tensor([1]))
    assert abs(F.binary_cross_entropy(dyngraph.tensor([0.5]), dyngraph.tensor([1.])).item() - np.log(2)) < 1e-6


# ---- nn.utils.rnn ------------------------------------------------------------------------------------

def test_pad_sequence():
    assert pad_sequence([dyngraph.ones(2), dyngraph.ones(3)]).tolist() == [[1, 1], [1, 1], [0, 1]]
    assert pad_sequence([dyngraph.ones(2), dyngraph.ones(3)], batch_first=True, padding_value=-1).tolist() == [
        [1, 1, -1], [1, 1, 1]]


def test_pack_and_pad_roundtrip():
    x = pad_sequence([dyngraph.arange(3.), dyngraph.arange(2.) + 10, dyngraph.arange(4.) + 20]).unsqueeze(-1)
    p = pack_padded_sequence(x, [3, 2, 4], enforce_sorted=False)
    assert p.batch_sizes.tolist() == [3, 3, 2, 1]
    assert p.sorted_indices.tolist() == [2, 0, 1] and p.unsorted_indices.tolist() == [1, 2, 0]
    assert p.data.reshape(-1).tolist() == [20, 0, 10, 21, 1, 11, 22, 2, 23]
    padded, lengths = pad_packed_sequence(p, batch_first=True)
    assert lengths.tolist() == [3, 2, 4] and padded.shape == (3, 4, 1)
    assert [s.reshape(-1).tolist() for s in unpack_sequence(p)] == [[0, 1, 2], [10, 11], [20, 21, 22, 23]]
    with pytest.raises(RuntimeError):
        pack_padded_sequence(dyngraph.ones(3, 2), [1, 3])


@pytest.mark.parametrize("cls", ["LSTM", "GRU", "RNN"])
def test_rnn_on_a_packed_sequence_matches_per_sequence_runs(cls):
    rnn = getattr(dyngraph.nn, cls)(1, 2, batch_first=True)
    seqs = [dyngraph.arange(3.).view(3, 1), dyngraph.arange(4.).view(4, 1) / 3, dyngraph.ones(1, 1)]
    out, state = rnn(pack_sequence(seqs, enforce_sorted=False))
    padded, lengths = pad_packed_sequence(out, batch_first=True)
    assert lengths.tolist() == [3, 4, 1]
    h = state[0] if cls == "LSTM" else state
    for i, s in enumerate(seqs):
        o, st = rnn(s.unsqueeze(0))
        np.testing.assert_allclose(padded[i, :len(s)].detach().numpy(), o[0].detach().numpy(), rtol=1e-5)
        assert float(padded[i, len(s):].abs().sum()) == 0
        hs = st[0] if cls == "LSTM" else st
        np.testing.assert_allclose(h[:, i].detach().numpy(), hs[:, 0].detach().numpy(), rtol=1e-5)


# ---- against PyTorch, when installed -----------------------------------------------------------------

def test_against_torch_oracle():
    torch = pytest.importorskip("torch")
    from torch.nn.utils.rnn import pack_sequence as t_pack_sequence
    from torch.nn.utils.rnn import pad_packed_sequence as t_pad_packed_sequence

    for mod in (torch, dyngraph):
        mod.manual_seed(0)
    rnn_d = dyngraph.nn.LSTM(1, 2, num_layers=2, bidirectional=True)
    rnn_t = torch.nn.LSTM(1, 2, num_layers=2, bidirectional=True)
    with torch.no_grad(), dyngraph.no_grad():
        for (name, pd), pt in zip(rnn_d.named_parameters(), rnn_t.parameters()):
            vals = np.linspace(-0.5, 0.5, pt.numel()).reshape(tuple(pt.shape)).astype(np.float32)
            pd.copy_(dyngraph.from_numpy(vals))
            pt.copy_(torch.from_numpy(vals))
    seqs = [np.arange(4, dtype=np.float32).reshape(4, 1) / 3, np.arange(3, dtype=np.float32).reshape(3, 1)]
    od, (hd, _) = rnn_d(pack_sequence([dyngraph.from_numpy(s) for s in seqs]))
    ot, (ht, _) = rnn_t(t_pack_sequence([torch.from_numpy(s) for s in seqs]))
    np.testing.assert_allclose(pad_packed_sequence(od)[0].detach().numpy(),
                               t_pad_packed_sequence(ot)[0].detach().numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(hd.detach().numpy(), ht.detach().numpy(), rtol=1e-5, atol=1e-6)
    buf = io.StringIO()
    print(dyngraph.finfo(dyngraph.float64), torch.finfo(torch.float64), file=buf)
    a, b = buf.getvalue().split(") ")
    assert a + ")" == b.strip()


def test_inplace_view_methods_change_geometry_not_memory():
    x = dyngraph.arange(6.0).reshape(2, 3)
    ptr = x.data_ptr()
    assert x.t_() is x and tuple(x.shape) == (3, 2) and x.data_ptr() == ptr
    assert x.tolist() == [[0.0, 3.0], [1.0, 4.0], [2.0, 5.0]]
    x.unsqueeze_(0)
    assert tuple(x.shape) == (1, 3, 2)
    x.squeeze_(0).transpose_(0, 1)
    assert tuple(x.shape) == (2, 3) and x.tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]
    leaf = dyngraph.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable"):
        leaf.unsqueeze_(0)


def test_cat_of_no_tensors_is_value_error():
    with pytest.raises(ValueError, match="non-empty list"):
        dyngraph.cat([])
    with pytest.raises(RuntimeError, match="non-empty"):
        dyngraph.stack([])


def test_packed_sequence_base_tuple_and_bind():
    from dyngraph.nn.utils.rnn import PackedSequence, PackedSequence_, bind

    packed = pack_sequence([dyngraph.ones(3), dyngraph.ones(2)])
    assert isinstance(packed, PackedSequence) and isinstance(packed, PackedSequence_)
    assert PackedSequence_._fields == ("data", "batch_sizes", "sorted_indices", "unsorted_indices")
    assert bind(None, len) is None and bind([1, 2], len) == 2
