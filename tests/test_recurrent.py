"""Recurrent layers as a C++ op (dg::recurrent_layer, bound as _C._recurrent_layer): nn.RNN/LSTM/GRU and
their cells against PyTorch (outputs, final states and every gradient), gradcheck and gradgradcheck of the op
in each mode and direction (the fused backward, and the composed one that create_graph takes), the composed
path of half-precision dtypes, empty sequences and batches, and errors. (NumPy references of the layers are
in test_nn_layers.)"""

import numpy as np
import pytest

import dyngraph
import dyngraph.nn as nn
from dyngraph import _C
from dyngraph.autograd import gradcheck, gradgradcheck

MODES = ["LSTM", "GRU", "RNN_TANH", "RNN_RELU"]
GATES = {"LSTM": 4, "GRU": 3, "RNN_TANH": 1, "RNN_RELU": 1}


def _torch():
    return pytest.importorskip("torch")


def _t(a, requires_grad=False):
    return dyngraph.tensor(np.asarray(a, dtype=np.float64), requires_grad=requires_grad)


def _layer_inputs(mode, rng, steps=4, batch=2, features=3, hidden=3, proj=0, bias=True):
    g = GATES[mode]
    hout = proj or hidden
    arrays = dict(x=rng.standard_normal((steps, batch, features)), h0=rng.standard_normal((batch, hout)),
                  c0=rng.standard_normal((batch, hidden)) if mode == "LSTM" else None,
                  w_ih=rng.standard_normal((g * hidden, features)) * 0.5,
                  w_hh=rng.standard_normal((g * hidden, hout)) * 0.5,
                  b_ih=rng.standard_normal(g * hidden) * 0.5 if bias else None,
                  b_hh=rng.standard_normal(g * hidden) * 0.5 if bias else None,
                  w_hr=rng.standard_normal((hout, hidden)) * 0.5 if proj else None)
    return {k: (None if v is None else _t(v, True)) for k, v in arrays.items()}


def _layer(mode, reverse, inputs):
    i = inputs
    return _C._recurrent_layer(mode, i["x"], i["h0"], i["c0"], i["w_ih"], i["w_hh"], i["b_ih"], i["b_hh"],
                               i["w_hr"], reverse)


CASES = [(mode, reverse, proj) for mode in MODES for reverse in (False, True) for proj in (0, 2)
         if proj == 0 or mode == "LSTM"]


@pytest.mark.parametrize("mode,reverse,proj", CASES)
def test_layer_gradcheck_and_gradgradcheck(mode, reverse, proj):
    inputs = _layer_inputs(mode, np.random.default_rng(len(mode) + reverse), proj=proj)
    names = [k for k, v in inputs.items() if v is not None]

    def fn(*tensors):
        return tuple(_layer(mode, reverse, dict(inputs, **dict(zip(names, tensors)))))

    args = [inputs[k] for k in names]
    assert gradcheck(fn, args)
    assert gradgradcheck(fn, args)


@pytest.mark.parametrize("mode", MODES)
def test_layer_without_bias_and_partial_gradients(mode):
    inputs = _layer_inputs(mode, np.random.default_rng(5), bias=False)
    inputs["w_ih"].requires_grad_(False)
    inputs["h0"].requires_grad_(False)
    names = ["x", "w_hh"]

    def fn(x, w_hh):
        return tuple(_layer(mode, False, dict(inputs, x=x, w_hh=w_hh)))

    assert gradcheck(fn, [inputs[k] for k in names])
    # Only the output's gradient flows (final states unused), and only h_n's.
    out = _layer(mode, True, inputs)
    out[0].sum().backward()
    assert inputs["x"].grad is not None and inputs["h0"].grad is None


def _module_pair(torch, cls_name, sizes, kwargs):
    """A float64 dyngraph module and a PyTorch one with the same parameters."""
    ours = getattr(nn, cls_name)(*sizes, dtype=dyngraph.float64, **kwargs)
    ref = getattr(torch.nn, cls_name)(*sizes, **kwargs).double()
    with torch.no_grad():
        for name, p in ours.named_parameters():
            getattr(ref, name).copy_(torch.tensor(p.detach().numpy()))
    return ours, ref


MODULE_CASES = [
    ("LSTM", dict()), ("LSTM", dict(num_layers=2, bidirectional=True)), ("LSTM", dict(proj_size=2, batch_first=True)),
    ("LSTM", dict(bias=False, bidirectional=True, proj_size=3)), ("GRU", dict()), ("GRU", dict(bidirectional=True)),
    ("GRU", dict(num_layers=3, bias=False, batch_first=True)), ("RNN", dict()),
    ("RNN", dict(nonlinearity="relu", num_layers=2, bidirectional=True)),
]


@pytest.mark.parametrize("cls_name,kwargs", MODULE_CASES, ids=[f"{c}-{k}" for c, k in MODULE_CASES])
@pytest.mark.parametrize("with_state", [False, True])
def test_modules_match_pytorch_values_and_gradients(cls_name, kwargs, with_state):
    torch = _torch()
    rng = np.random.default_rng(7)
    ours, ref = _module_pair(torch, cls_name, (4, 5), kwargs)
    shape = (3, 6, 4) if kwargs.get("batch_first") else (6, 3, 4)
    x = rng.standard_normal(shape)
    layers = kwargs.get("num_layers", 1) * (2 if kwargs.get("bidirectional") else 1)
    hout = kwargs.get("proj_size") or 5
    state = None
    if with_state:
        h = rng.standard_normal((layers, 3, hout))
        state = (h, rng.standard_normal((layers, 3, 5))) if cls_name == "LSTM" else h
    tx, dx = torch.tensor(x, requires_grad=True), _t(x, True)

    def wrap(lib, s):
        if s is None:
            return None
        if isinstance(s, tuple):
            return tuple(wrap(lib, v) for v in s)
        return lib.tensor(s, requires_grad=True)

    t_state, d_state = wrap(torch, state), wrap(dyngraph, state)
    want_out, want_state = ref(tx, t_state)
    got_out, got_state = ours(dx, d_state)
    np.testing.assert_allclose(got_out.detach().numpy(), want_out.detach().numpy(), rtol=1e-10, atol=1e-12)
    want_states = want_state if isinstance(want_state, tuple) else (want_state,)
    got_states = got_state if isinstance(got_state, tuple) else (got_state,)
    for g, w in zip(got_states, want_states):
        np.testing.assert_allclose(g.detach().numpy(), w.detach().numpy(), rtol=1e-10, atol=1e-12)
    # One loss over the output and every final state.
    weights = [rng.standard_normal(tuple(w.shape)) for w in (want_out,) + want_states]
    sum(((w * torch.tensor(c)).sum() for w, c in zip((want_out,) + want_states, weights)), torch.zeros(())).backward()
    sum(((g * _t(c)).sum() for g, c in zip((got_out,) + got_states, weights)), _t(0.0)).backward()
    np.testing.assert_allclose(dx.grad.numpy(), tx.grad.numpy(), rtol=1e-9, atol=1e-11)
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad.numpy(), getattr(ref, name).grad.numpy(), rtol=1e-9, atol=1e-11,
                                   err_msg=name)
    if with_state:
        for g, w in zip(d_state if isinstance(d_state, tuple) else (d_state,),
                        t_state if isinstance(t_state, tuple) else (t_state,)):
            np.testing.assert_allclose(g.grad.numpy(), w.grad.numpy(), rtol=1e-9, atol=1e-11)


@pytest.mark.parametrize("cls_name", ["LSTMCell", "GRUCell", "RNNCell"])
def test_cells_match_pytorch(cls_name):
    torch = _torch()
    rng = np.random.default_rng(3)
    ours, ref = _module_pair(torch, cls_name, (4, 5), {})
    x = rng.standard_normal((3, 4))
    h = rng.standard_normal((3, 5))
    state = (h, rng.standard_normal((3, 5))) if cls_name == "LSTMCell" else h
    tx, dx = torch.tensor(x, requires_grad=True), _t(x, True)
    t_state = tuple(torch.tensor(s) for s in state) if cls_name == "LSTMCell" else torch.tensor(state)
    d_state = tuple(_t(s) for s in state) if cls_name == "LSTMCell" else _t(state)
    want, got = ref(tx, t_state), ours(dx, d_state)
    want = want if isinstance(want, tuple) else (want,)
    got = got if isinstance(got, tuple) else (got,)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g.detach().numpy(), w.detach().numpy(), rtol=1e-12, atol=1e-12)
    sum(w.sum() for w in want).backward()
    sum(g.sum() for g in got).backward()
    np.testing.assert_allclose(dx.grad.numpy(), tx.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ours.weight_hh.grad.numpy(), ref.weight_hh.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_float32_fused_path_matches_float64():
    rng = np.random.default_rng(11)
    lstm64 = nn.LSTM(8, 16, num_layers=2, dtype=dyngraph.float64)
    lstm32 = nn.LSTM(8, 16, num_layers=2)
    lstm32.load_state_dict({k: v.float() for k, v in lstm64.state_dict().items()})
    x = rng.standard_normal((12, 5, 8))
    out64, _ = lstm64(_t(x))
    out32, _ = lstm32(dyngraph.tensor(x.astype(np.float32)))
    assert out32.dtype == dyngraph.float32
    np.testing.assert_allclose(out32.detach().numpy(), out64.detach().numpy(), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_half_precision_runs_the_composed_path(dtype):
    rng = np.random.default_rng(2)
    gru64 = nn.GRU(4, 6, dtype=dyngraph.float64)
    gru = nn.GRU(4, 6, dtype=getattr(dyngraph, dtype))
    gru.load_state_dict({k: v.to(getattr(dyngraph, dtype)) for k, v in gru64.state_dict().items()})
    x = rng.standard_normal((5, 2, 4))
    out, h = gru(_t(x).to(getattr(dyngraph, dtype)))
    assert out.dtype == getattr(dyngraph, dtype) and h.shape == (1, 2, 6)
    want, _ = gru64(_t(x))
    np.testing.assert_allclose(out.float().detach().numpy(), want.detach().numpy(), atol=5e-2)
    out.float().sum().backward()
    assert gru.weight_hh_l0.grad.dtype == getattr(dyngraph, dtype)


@pytest.mark.parametrize("mode", MODES)
def test_empty_sequence_and_empty_batch(mode):
    inputs = _layer_inputs(mode, np.random.default_rng(0), steps=0)
    out = _layer(mode, False, inputs)
    assert out[0].shape == (0, 2, 3)
    np.testing.assert_array_equal(out[1].detach().numpy(), inputs["h0"].detach().numpy())
    out[1].sum().backward()
    np.testing.assert_array_equal(inputs["h0"].grad.numpy(), np.ones((2, 3)))
    inputs = _layer_inputs(mode, np.random.default_rng(0), batch=0)
    out = _layer(mode, True, inputs)
    assert out[0].shape == (4, 0, 3)
    out[0].sum().backward()
    assert inputs["w_hh"].grad.shape == inputs["w_hh"].shape


def test_strided_inputs_and_weights():
    rng = np.random.default_rng(4)
    inputs = _layer_inputs("LSTM", rng)
    base = _layer("LSTM", False, inputs)[0].detach().numpy()
    strided = dict(inputs)
    strided["x"] = _t(np.ascontiguousarray(inputs["x"].detach().numpy().transpose(1, 0, 2))).transpose(0, 1)
    strided["w_hh"] = _t(np.asfortranarray(inputs["w_hh"].detach().numpy()))
    strided["h0"] = _t(inputs["h0"].detach().numpy().T.copy()).t()
    assert not strided["x"].is_contiguous() and not strided["h0"].is_contiguous()
    np.testing.assert_allclose(_layer("LSTM", False, strided)[0].detach().numpy(), base, rtol=1e-14)


def test_errors():
    inputs = _layer_inputs("GRU", np.random.default_rng(0))
    with pytest.raises(ValueError, match="unknown mode 'LSTMX'"):
        _layer("LSTMX", False, inputs)
    bad = dict(inputs, h0=_t(np.zeros((2, 4))))
    with pytest.raises(RuntimeError, match="expected hx of size"):
        _layer("GRU", False, bad)
    with pytest.raises(RuntimeError, match="needs a cell state"):
        _layer("LSTM", False, _layer_inputs("LSTM", np.random.default_rng(0)) | dict(c0=None))
    bad = dict(inputs, w_hh=inputs["w_hh"].float())
    with pytest.raises(TypeError, match="expected every tensor of dtype float64"):
        _layer("GRU", False, bad)
    bad = dict(inputs, x=_t(np.zeros((4, 2, 5))))
    with pytest.raises(RuntimeError, match="input.size\\(-1\\) must be equal to input_size"):
        _layer("GRU", False, bad)
    ints = dict(inputs, x=dyngraph.zeros(4, 2, 3, dtype=dyngraph.int64),
                w_ih=dyngraph.zeros(9, 3, dtype=dyngraph.int64))
    with pytest.raises(TypeError):
        _layer("GRU", False, ints)
    # PyTorch's module-level messages come from the Python layer's checks.
    with pytest.raises(RuntimeError, match="input.size\\(-1\\) must be equal to input_size. Expected 4, got 3"):
        nn.LSTM(4, 5)(dyngraph.zeros(2, 1, 3))


def test_in_place_change_of_the_output_before_backward_is_an_error():
    inputs = _layer_inputs("RNN_TANH", np.random.default_rng(0))
    out = _layer("RNN_TANH", False, inputs)
    loss = out[0].sum()
    with dyngraph.no_grad():
        out[0].mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        loss.backward()


PACKED_CASES = [("LSTM", dict(bidirectional=True, num_layers=2)), ("LSTM", dict(proj_size=2, bidirectional=True)),
                ("GRU", dict(bidirectional=True, batch_first=True)), ("RNN", dict(nonlinearity="relu"))]


@pytest.mark.parametrize("cls_name,kwargs", PACKED_CASES, ids=[f"{c}-{k}" for c, k in PACKED_CASES])
@pytest.mark.parametrize("enforce_sorted", [False, True])
def test_packed_sequences_match_pytorch(cls_name, kwargs, enforce_sorted):
    torch = _torch()
    rng = np.random.default_rng(9)
    ours, ref = _module_pair(torch, cls_name, (3, 4), kwargs)
    lengths = [5, 3, 3, 1] if enforce_sorted else [3, 5, 1, 4]
    batch_first = kwargs.get("batch_first", False)
    x = rng.standard_normal((4, 5, 3) if batch_first else (5, 4, 3))
    layers = kwargs.get("num_layers", 1) * (2 if kwargs.get("bidirectional") else 1)
    hout = kwargs.get("proj_size") or 4
    h0 = rng.standard_normal((layers, 4, hout))
    state = (h0, rng.standard_normal((layers, 4, 4))) if cls_name == "LSTM" else h0
    results = []
    for lib, mod_ in ((torch, ref), (dyngraph, ours)):
        xs = lib.tensor(x, requires_grad=True)
        st = tuple(lib.tensor(s, requires_grad=True) for s in state) if cls_name == "LSTM" else \
            lib.tensor(state, requires_grad=True)
        packed = lib.nn.utils.rnn.pack_padded_sequence(xs, lengths, batch_first=batch_first,
                                                       enforce_sorted=enforce_sorted)
        out, final = mod_(packed, st)
        padded, out_lengths = lib.nn.utils.rnn.pad_packed_sequence(out, batch_first=batch_first)
        finals = final if isinstance(final, tuple) else (final,)
        (padded.square().sum() + sum((f * f.detach().sin()).sum() for f in finals)).backward()
        sts = st if isinstance(st, tuple) else (st,)
        results.append([out.data, padded] + list(finals) + [xs.grad] + [s.grad for s in sts]
                       + [p.grad for p in mod_.parameters()])
        assert list(out_lengths) == lengths
    for got, want in zip(results[1], results[0]):
        np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy(), rtol=1e-9, atol=1e-11)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("reverse", [False, True])
def test_layer_with_lengths_gradcheck_and_gradgradcheck(mode, reverse):
    inputs = _layer_inputs(mode, np.random.default_rng(3), steps=4, batch=3)
    lengths = dyngraph.tensor([4, 1, 2])
    names = [k for k, v in inputs.items() if v is not None]

    def fn(*tensors):
        i = dict(inputs, **dict(zip(names, tensors)))
        return tuple(_C._recurrent_layer(mode, i["x"], i["h0"], i["c0"], i["w_ih"], i["w_hh"], i["b_ih"],
                                         i["b_hh"], None, reverse, lengths))

    args = [inputs[k] for k in names]
    assert gradcheck(fn, args)
    assert gradgradcheck(fn, args)
    # A row's final state is its state at its last step: the same as running that row alone, cut to its length.
    out = fn(*args)
    for row, n in enumerate([4, 1, 2]):
        i = {k: v for k, v in inputs.items()}
        alone = _C._recurrent_layer(mode, i["x"][:n, row:row + 1], i["h0"][row:row + 1],
                                    None if i["c0"] is None else i["c0"][row:row + 1], i["w_ih"], i["w_hh"],
                                    i["b_ih"], i["b_hh"], None, reverse)
        np.testing.assert_allclose(out[1][row].detach().numpy(), alone[1][0].detach().numpy(), rtol=1e-12)
        np.testing.assert_allclose(out[0][:n, row].detach().numpy(), alone[0][:, 0].detach().numpy(), rtol=1e-12)


def test_lengths_errors():
    inputs = _layer_inputs("GRU", np.random.default_rng(0))
    i = inputs
    with pytest.raises(TypeError, match="lengths of dtype int64"):
        _C._recurrent_layer("GRU", i["x"], i["h0"], None, i["w_ih"], i["w_hh"], None, None, None, False,
                            dyngraph.tensor([1.0, 2.0]))
    with pytest.raises(RuntimeError, match="expected lengths of size"):
        _C._recurrent_layer("GRU", i["x"], i["h0"], None, i["w_ih"], i["w_hh"], None, None, None, False,
                            dyngraph.tensor([1, 2, 3]))


@pytest.mark.parametrize("name,cls_name,kwargs", [
    ("lstm", "LSTM", dict(num_layers=2, bidirectional=True)), ("lstm", "LSTM", dict(proj_size=2, batch_first=True)),
    ("gru", "GRU", dict(bias=False, bidirectional=True)), ("rnn_tanh", "RNN", dict(num_layers=2)),
    ("rnn_relu", "RNN", dict(nonlinearity="relu", batch_first=True))])
def test_top_level_layer_functions_match_pytorch(name, cls_name, kwargs):
    torch = _torch()
    rng = np.random.default_rng(12)
    ours, ref = _module_pair(torch, cls_name, (3, 4), kwargs)
    layers = kwargs.get("num_layers", 1)
    directions = 2 if kwargs.get("bidirectional") else 1
    x = rng.standard_normal((2, 5, 3) if kwargs.get("batch_first") else (5, 2, 3))
    hout = kwargs.get("proj_size") or 4
    hx = [rng.standard_normal((layers * directions, 2, hout))]
    if cls_name == "LSTM":
        hx.append(rng.standard_normal((layers * directions, 2, 4)))
    args = (kwargs.get("bias", True), layers, 0.0, False, directions == 2, kwargs.get("batch_first", False))
    results = []
    for lib, module in ((torch, ref), (dyngraph, ours)):
        h = [lib.tensor(v) for v in hx]
        got = getattr(lib, name)(lib.tensor(x), tuple(h) if cls_name == "LSTM" else h[0],
                                 list(module._flat_weights), *args)
        results.append(got)
    assert len(results[1]) == len(results[0])
    for got, want in zip(results[1], results[0]):
        np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy(), rtol=1e-10, atol=1e-12)


def test_top_level_packed_overload_and_cells_match_pytorch():
    torch = _torch()
    rng = np.random.default_rng(13)
    ours, ref = _module_pair(torch, "GRU", (3, 4), dict(bidirectional=True))
    x, h = rng.standard_normal((5, 3, 3)), rng.standard_normal((2, 3, 4))
    results = []
    for lib, module in ((torch, ref), (dyngraph, ours)):
        packed = lib.nn.utils.rnn.pack_padded_sequence(lib.tensor(x), [5, 4, 2])
        results.append(lib.gru(packed.data, packed.batch_sizes, lib.tensor(h), list(module._flat_weights), True, 1,
                               0.0, False, True))
    for got, want in zip(results[1], results[0]):
        np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy(), rtol=1e-10, atol=1e-12)
    x, h, c = rng.standard_normal((2, 3)), rng.standard_normal((2, 4)), rng.standard_normal((2, 4))
    w = [rng.standard_normal(s) for s in ((16, 3), (16, 4), (16,), (16,))]
    for name, gates in (("lstm_cell", 4), ("gru_cell", 3), ("rnn_tanh_cell", 1), ("rnn_relu_cell", 1)):
        outs = []
        for lib in (torch, dyngraph):
            ws = [lib.tensor(v[:gates * 4]) for v in w]
            state = (lib.tensor(h), lib.tensor(c)) if name == "lstm_cell" else lib.tensor(h)
            outs.append(getattr(lib, name)(lib.tensor(x), state, *ws))
            outs.append(getattr(lib, name)(lib.tensor(x), state, ws[0], ws[1]))  # without biases
        for got, want in ((outs[2], outs[0]), (outs[3], outs[1])):
            for g, v in zip(got if name == "lstm_cell" else (got,), want if name == "lstm_cell" else (want,)):
                np.testing.assert_allclose(g.detach().numpy(), v.detach().numpy(), rtol=1e-10, atol=1e-12)
    with pytest.raises(IndexError):
        dyngraph.gru_cell(dyngraph.zeros(3, dtype=dyngraph.float64), dyngraph.zeros(4, dtype=dyngraph.float64),
                          *[dyngraph.tensor(v[:12]) for v in w[:2]])
    with pytest.raises(RuntimeError, match="lstm expects two hidden states"):
        dyngraph.lstm(dyngraph.zeros(5, 2, 3), (dyngraph.zeros(1, 2, 4),), [], True, 1, 0.0, False, False, False)
