"""Layers of dyngraph.nn: constructor arguments, parameter shapes and names, reprs, forward values
(NumPy references) and gradients. PyTorch, when installed, is an extra oracle (weights copied over)."""

import math

import numpy as np
import pytest

import dyngraph as torch
import dyngraph.nn as nn

RNG = np.random.RandomState(0)


def t(a, requires_grad=False, dtype=np.float32):
    return torch.tensor(np.asarray(a, dtype=dtype), requires_grad=requires_grad)


def vals(x):
    return np.array(x.detach().numpy(), copy=True)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def params_np(module):
    return {n: vals(p) for n, p in module.named_parameters()}


# ---- linear layers --------------------------------------------------------------------------------


def test_linear_shapes_forward_backward():
    lin = nn.Linear(3, 2)
    assert lin.weight.shape == (2, 3) and lin.bias.shape == (2,)
    x = RNG.randn(4, 3).astype(np.float32)
    out = lin(t(x))
    np.testing.assert_allclose(vals(out), x @ vals(lin.weight).T + vals(lin.bias), rtol=1e-5)
    out.sum().backward()
    np.testing.assert_allclose(vals(lin.weight.grad), np.ones((2, 4)) @ x, rtol=1e-5)
    np.testing.assert_allclose(vals(lin.bias.grad), [4.0, 4.0])
    assert nn.Linear(3, 2, bias=False).bias is None
    assert nn.Linear(2, 2, dtype=torch.float64).weight.dtype is torch.float64
    x3 = RNG.randn(2, 5, 3).astype(np.float32)
    assert lin(t(x3)).shape == (2, 5, 2)


def test_bilinear_and_identity():
    bil = nn.Bilinear(3, 4, 2)
    assert bil.weight.shape == (2, 3, 4)
    x1, x2 = RNG.randn(5, 3), RNG.randn(5, 4)
    expected = np.einsum("ni,oij,nj->no", x1, vals(bil.weight), x2) + vals(bil.bias)
    np.testing.assert_allclose(vals(bil(t(x1), t(x2))), expected, rtol=1e-4, atol=1e-5)
    assert repr(bil) == "Bilinear(in1_features=3, in2_features=4, out_features=2, bias=True)"
    x = t([1.0, 2.0])
    assert nn.Identity(54, unused="x")(x) is x


def test_flatten_unflatten():
    x = t(RNG.randn(2, 3, 4, 5))
    assert nn.Flatten()(x).shape == (2, 60)
    assert nn.Flatten(0, 2)(x).shape == (24, 5)
    assert nn.Unflatten(1, (3, 1))(t(np.zeros((2, 3)))).shape == (2, 3, 1)
    assert repr(nn.Flatten()) == "Flatten(start_dim=1, end_dim=-1)"
    assert repr(nn.Unflatten(1, (2, 5))) == "Unflatten(dim=1, unflattened_size=(2, 5))"
    with pytest.raises(TypeError, match="unflattened_size must be tuple of ints"):
        nn.Unflatten(1, (2, 2.5))


# ---- activations ---------------------------------------------------------------------------------


X = RNG.randn(3, 4).astype(np.float64)
ACTIVATIONS = [
    (nn.ReLU(), lambda x: np.maximum(x, 0)),
    (nn.ReLU6(), lambda x: np.clip(x, 0, 6)),
    (nn.LeakyReLU(0.2), lambda x: np.where(x > 0, x, 0.2 * x)),
    (nn.ELU(alpha=0.5), lambda x: np.where(x > 0, x, 0.5 * (np.exp(x) - 1))),
    (nn.CELU(alpha=2.0), lambda x: np.maximum(0, x) + np.minimum(0, 2.0 * (np.exp(x / 2.0) - 1))),
    (nn.SELU(), lambda x: 1.0507009873554805 * np.where(x > 0, x, 1.6732632423543772 * (np.exp(x) - 1))),
    (nn.SiLU(), lambda x: x * sigmoid(x)),
    (nn.Mish(), lambda x: x * np.tanh(np.log1p(np.exp(x)))),
    (nn.Sigmoid(), sigmoid),
    (nn.Tanh(), np.tanh),
    (nn.Softplus(beta=2.0), lambda x: np.log1p(np.exp(2 * x)) / 2),
    (nn.Softsign(), lambda x: x / (1 + np.abs(x))),
    (nn.Hardtanh(-0.5, 0.5), lambda x: np.clip(x, -0.5, 0.5)),
    (nn.Hardsigmoid(), lambda x: np.clip(x / 6 + 0.5, 0, 1)),
    (nn.Hardswish(), lambda x: x * np.clip(x + 3, 0, 6) / 6),
    (nn.LogSigmoid(), lambda x: -np.log1p(np.exp(-x))),
    (nn.Tanhshrink(), lambda x: x - np.tanh(x)),
    (nn.Softshrink(0.5), lambda x: np.where(x > 0.5, x - 0.5, np.where(x < -0.5, x + 0.5, 0))),
    (nn.Hardshrink(0.5), lambda x: np.where(np.abs(x) > 0.5, x, 0)),
    (nn.Threshold(0.1, 20.0), lambda x: np.where(x > 0.1, x, 20.0)),
    (nn.GELU(), lambda x: x * 0.5 * (1 + np.vectorize(math.erf)(x / math.sqrt(2)))),
    (nn.GLU(), lambda x: x[:, :2] * sigmoid(x[:, 2:])),
    (nn.Softmax(dim=1), lambda x: np.exp(x) / np.exp(x).sum(1, keepdims=True)),
    (nn.LogSoftmax(dim=1), lambda x: x - np.log(np.exp(x).sum(1, keepdims=True))),
    (nn.Softmin(dim=1), lambda x: np.exp(-x) / np.exp(-x).sum(1, keepdims=True)),
    (nn.PReLU(), lambda x: np.where(x >= 0, x, 0.25 * x)),
    (nn.RReLU().eval(), lambda x: np.where(x >= 0, x, x * (1 / 8 + 1 / 3) / 2)),
]


@pytest.mark.parametrize("module, reference", ACTIVATIONS, ids=[type(m).__name__ for m, _ in ACTIVATIONS])
def test_activation_modules(module, reference):
    np.testing.assert_allclose(vals(module(t(X, dtype=np.float64))), reference(X), rtol=1e-6, atol=1e-7)


def test_activation_inplace_and_reprs():
    x = t([-1.0, 2.0])
    assert nn.ReLU(inplace=True)(x) is x and vals(x).tolist() == [0.0, 2.0]
    expected = {
        nn.ReLU(): "ReLU()", nn.ReLU(True): "ReLU(inplace=True)", nn.LeakyReLU(): "LeakyReLU(negative_slope=0.01)",
        nn.ELU(inplace=True): "ELU(alpha=1.0, inplace=True)", nn.GELU(approximate="tanh"): "GELU(approximate='tanh')",
        nn.Hardtanh(): "Hardtanh(min_val=-1.0, max_val=1.0)", nn.ReLU6(): "ReLU6()",
        nn.Softmax(dim=-1): "Softmax(dim=-1)",
        nn.Softplus(): "Softplus(beta=1.0, threshold=20.0)", nn.Softshrink(): "Softshrink(0.5)",
        nn.PReLU(3): "PReLU(num_parameters=3)", nn.Threshold(0.1, 2): "Threshold(threshold=0.1, value=2)",
        nn.Hardswish(inplace=True): "Hardswish()", nn.RReLU(): "RReLU(lower=0.125, upper=0.3333333333333333)",
        nn.GLU(): "GLU(dim=-1)", nn.SiLU(inplace=True): "SiLU(inplace=True)",
    }
    for module, text in expected.items():
        assert repr(module) == text
    with pytest.raises(AssertionError, match="max_val \\(0\\) must be greater than min_val \\(1\\)"):
        nn.Hardtanh(1, 0)


def test_prelu_per_channel_gradient():
    prelu = nn.PReLU(2, init=0.1)
    x = t(RNG.randn(3, 2, 4), requires_grad=True)
    prelu(x).sum().backward()
    xn = vals(x)
    np.testing.assert_allclose(vals(prelu.weight.grad), np.minimum(xn, 0).sum(axis=(0, 2)), rtol=1e-5)


def test_rrelu_training_slopes_within_bounds():
    x = -np.ones(1000)
    out = vals(nn.RReLU(0.1, 0.3)(t(x)))
    assert (out <= -0.1 + 1e-6).all() and (out >= -0.3 - 1e-6).all() and out.std() > 0.01


# ---- recurrent layers -------------------------------------------------------------------------------


def np_cell(mode, x, state, p, suffix, proj=False):
    """One step of a PyTorch RNN cell in NumPy; p holds weight_ih<suffix> etc."""
    w_ih, w_hh = p["weight_ih" + suffix], p["weight_hh" + suffix]
    b_ih, b_hh = p.get("bias_ih" + suffix, 0), p.get("bias_hh" + suffix, 0)
    if mode == "LSTM":
        h, c = state
        i, f, g, o = np.split(x @ w_ih.T + b_ih + h @ w_hh.T + b_hh, 4, -1)
        c = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
        h = sigmoid(o) * np.tanh(c)
        if proj:
            h = h @ p["weight_hr" + suffix].T
        return h, c
    if mode == "GRU":
        h = state
        xr, xz, xn = np.split(x @ w_ih.T + b_ih, 3, -1)
        hr, hz, hn = np.split(h @ w_hh.T + b_hh, 3, -1)
        r, z = sigmoid(xr + hr), sigmoid(xz + hz)
        n = np.tanh(xn + r * hn)
        return (1 - z) * n + z * state
    act = np.tanh if mode == "RNN_TANH" else (lambda v: np.maximum(v, 0))
    return act(x @ w_ih.T + b_ih + state @ w_hh.T + b_hh)


def np_rnn(module, x):
    """A NumPy RNN/LSTM/GRU forward on time-first x with zero initial state: (output, final states)."""
    p = params_np(module)
    dirs = 2 if module.bidirectional else 1
    size = module.proj_size or module.hidden_size
    finals = []
    layer_in = x
    for layer in range(module.num_layers):
        outs = []
        for d in range(dirs):
            suffix = f"_l{layer}" + ("_reverse" if d else "")
            h = np.zeros((x.shape[1], size))
            state = (h, np.zeros((x.shape[1], module.hidden_size))) if module.mode == "LSTM" else h
            steps = range(x.shape[0] - 1, -1, -1) if d else range(x.shape[0])
            hs = [None] * x.shape[0]
            for step in steps:
                state = np_cell(module.mode, layer_in[step], state, p, suffix, module.proj_size > 0)
                hs[step] = state[0] if module.mode == "LSTM" else state
            outs.append(np.stack(hs))
            finals.append(state)
        layer_in = np.concatenate(outs, -1)
    return layer_in, finals


RNN_CONFIGS = [
    (nn.RNN, dict()), (nn.RNN, dict(nonlinearity="relu", num_layers=2)), (nn.GRU, dict(bidirectional=True)),
    (nn.LSTM, dict()), (nn.LSTM, dict(num_layers=2, bidirectional=True)), (nn.LSTM, dict(proj_size=2)),
    (nn.GRU, dict(bias=False)),
]


@pytest.mark.parametrize("cls, kwargs", RNN_CONFIGS, ids=[f"{c.__name__}-{k}" for c, k in RNN_CONFIGS])
def test_recurrent_layers_match_numpy(cls, kwargs):
    module = cls(3, 4, dtype=torch.float64, **kwargs)
    x = RNG.randn(5, 2, 3)
    out, hidden = module(t(x, dtype=np.float64))
    ref_out, ref_finals = np_rnn(module, x)
    np.testing.assert_allclose(vals(out), ref_out, rtol=1e-10, atol=1e-12)
    if cls is nn.LSTM:
        h_n, c_n = hidden
        np.testing.assert_allclose(vals(h_n), np.stack([h for h, _ in ref_finals]), atol=1e-12)
        np.testing.assert_allclose(vals(c_n), np.stack([c for _, c in ref_finals]), atol=1e-12)
    else:
        np.testing.assert_allclose(vals(hidden), np.stack(ref_finals), atol=1e-12)


def test_recurrent_parameter_names_and_shapes():
    lstm = nn.LSTM(3, 4, num_layers=2, bidirectional=True)
    names = [n for n, _ in lstm.named_parameters()]
    assert names[:4] == ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"]
    assert "weight_ih_l1_reverse" in names and len(names) == 16
    assert lstm.weight_ih_l0.shape == (16, 3) and lstm.weight_ih_l1.shape == (16, 8)
    assert nn.GRU(3, 5).weight_hh_l0.shape == (15, 5)
    assert nn.LSTM(3, 5, proj_size=2).weight_hr_l0.shape == (2, 5)
    assert repr(lstm) == "LSTM(3, 4, num_layers=2, bidirectional=True)"
    assert repr(nn.GRU(3, 4, batch_first=True, dropout=0.5, num_layers=2, bias=False)) == \
        "GRU(3, 4, num_layers=2, bias=False, batch_first=True, dropout=0.5)"


def test_recurrent_batch_first_h0_unbatched_and_grads():
    gru = nn.GRU(3, 4, batch_first=True, dtype=torch.float64)
    x = RNG.randn(2, 5, 3)
    h0 = RNG.randn(1, 2, 4)
    out, h = gru(t(x, dtype=np.float64), t(h0, dtype=np.float64))
    assert out.shape == (2, 5, 4) and h.shape == (1, 2, 4)
    np.testing.assert_allclose(vals(out[:, -1]), vals(h[0]), atol=1e-12)
    single, hs = gru(t(x[0], dtype=np.float64))
    assert single.shape == (5, 4) and hs.shape == (1, 4)
    np.testing.assert_allclose(vals(single), vals(gru(t(x, dtype=np.float64))[0][0]), atol=1e-12)
    lstm = nn.LSTM(3, 4, dtype=torch.float64)
    xs = t(RNG.randn(4, 2, 3), requires_grad=True, dtype=np.float64)
    (out, (h, c)) = lstm(xs, (t(np.zeros((1, 2, 4)), dtype=np.float64), t(np.ones((1, 2, 4)), dtype=np.float64)))
    (out.sum() + c.sum()).backward()
    assert xs.grad.shape == (4, 2, 3) and lstm.weight_hh_l0.grad is not None


def test_recurrent_errors():
    rnn = nn.RNN(3, 4)
    with pytest.raises(RuntimeError, match="input.size\\(-1\\) must be equal to input_size. Expected 3, got 2"):
        rnn(t(np.zeros((5, 2, 2))))
    with pytest.raises(RuntimeError, match="Expected hidden size \\(1, 2, 4\\), got \\[1, 3, 4\\]"):
        rnn(t(np.zeros((5, 2, 3))), t(np.zeros((1, 3, 4))))
    with pytest.raises(ValueError, match="Expected input to be 2D or 3D, got 4D tensor instead"):
        rnn(t(np.zeros((1, 1, 1, 3))))
    with pytest.raises(ValueError, match="Unknown nonlinearity 'gelu'"):
        nn.RNN(3, 4, nonlinearity="gelu")
    with pytest.raises(ValueError, match="proj_size argument is only supported for LSTM"):
        nn.GRU(3, 4, proj_size=2)
    with pytest.raises(ValueError, match="dropout should be a number in range \\[0, 1\\]"):
        nn.LSTM(3, 4, dropout=2)
    with pytest.raises(ValueError, match="hidden_size must be greater than zero"):
        nn.LSTM(3, 0)
    with pytest.warns(UserWarning, match="non-zero dropout expects num_layers greater than 1"):
        nn.LSTM(3, 4, dropout=0.5)


def test_cells_match_numpy():
    x, h = RNG.randn(2, 3), RNG.randn(2, 4)
    for cls, mode in ((nn.RNNCell, "RNN_TANH"), (nn.GRUCell, "GRU")):
        cell = cls(3, 4, dtype=torch.float64)
        p = params_np(cell)
        np.testing.assert_allclose(vals(cell(t(x, dtype=np.float64), t(h, dtype=np.float64))),
                                   np_cell(mode, x, h, p, ""), atol=1e-12)
        assert cell(t(x[0], dtype=np.float64)).shape == (4,)
    cell = nn.LSTMCell(3, 4, dtype=torch.float64)
    c = RNG.randn(2, 4)
    h1, c1 = cell(t(x, dtype=np.float64), (t(h, dtype=np.float64), t(c, dtype=np.float64)))
    rh, rc = np_cell("LSTM", x, (h, c), params_np(cell), "")
    np.testing.assert_allclose(vals(h1), rh, atol=1e-12)
    np.testing.assert_allclose(vals(c1), rc, atol=1e-12)
    assert repr(nn.RNNCell(3, 4, bias=False, nonlinearity="relu")) == "RNNCell(3, 4, bias=False, nonlinearity=relu)"
    with pytest.raises(RuntimeError, match="input has inconsistent input_size: got 2, expected 3"):
        cell(t(np.zeros((2, 2))))


# ---- attention ----------------------------------------------------------------------------------------


def np_mha(mha, q, k, v, mask=None):
    """PyTorch's multi-head attention in NumPy for (L, N, E) inputs: (output, head-averaged weights)."""
    p = params_np(mha)
    e, heads = mha.embed_dim, mha.num_heads
    wq, wk, wv = np.split(p["in_proj_weight"], 3)
    bq, bk, bv = np.split(p["in_proj_bias"], 3)
    qp, kp, vp = q @ wq.T + bq, k @ wk.T + bk, v @ wv.T + bv
    hd = e // heads

    def heads_first(a):  # (L, N, E) -> (N, H, L, hd)
        return a.reshape(a.shape[0], a.shape[1], heads, hd).transpose(1, 2, 0, 3)

    scores = heads_first(qp) @ heads_first(kp).transpose(0, 1, 3, 2) / math.sqrt(hd)
    if mask is not None:
        scores = scores + mask
    w = np.exp(scores - scores.max(-1, keepdims=True))
    w /= w.sum(-1, keepdims=True)
    out = (w @ heads_first(vp)).transpose(2, 0, 1, 3).reshape(q.shape[0], q.shape[1], e)
    return out @ p["out_proj.weight"].T + p["out_proj.bias"], w.mean(1)


def test_multihead_attention_matches_numpy():
    mha = nn.MultiheadAttention(8, 2, dtype=torch.float64)
    with torch.no_grad():
        mha.in_proj_bias.uniform_(-0.5, 0.5)
        mha.out_proj.bias.uniform_(-0.5, 0.5)
    q, kv = RNG.randn(4, 2, 8), RNG.randn(6, 2, 8)
    out, weights = mha(t(q, dtype=np.float64), t(kv, dtype=np.float64), t(kv, dtype=np.float64))
    ref_out, ref_w = np_mha(mha, q, kv, kv)
    np.testing.assert_allclose(vals(out), ref_out, atol=1e-12)
    np.testing.assert_allclose(vals(weights), ref_w, atol=1e-12)
    causal = np.triu(np.full((4, 4), -np.inf), 1)
    bool_mask = torch.tensor(np.triu(np.ones((4, 4), dtype=bool), 1))
    out, weights = mha(t(q, dtype=np.float64), t(q, dtype=np.float64), t(q, dtype=np.float64), attn_mask=bool_mask)
    ref_out, ref_w = np_mha(mha, q, q, q, causal)
    np.testing.assert_allclose(vals(out), ref_out, atol=1e-12)
    np.testing.assert_allclose(vals(weights), ref_w, atol=1e-12)


def test_multihead_attention_options():
    mha = nn.MultiheadAttention(8, 2, batch_first=True)
    x = t(RNG.randn(3, 5, 8), requires_grad=True)
    out, w = mha(x, x, x, need_weights=True, average_attn_weights=False)
    assert out.shape == (3, 5, 8) and w.shape == (3, 2, 5, 5)
    out, w = mha(x, x, x, need_weights=False)
    assert w is None
    out.sum().backward()
    assert mha.in_proj_weight.grad is not None and x.grad is not None
    pad = torch.tensor([[False] * 4 + [True]] * 3)
    _, w = mha(x, x, x, key_padding_mask=pad)
    assert np.allclose(vals(w)[:, :, 4], 0)
    unbatched, w = nn.MultiheadAttention(8, 2)(t(RNG.randn(5, 8)), t(RNG.randn(5, 8)), t(RNG.randn(5, 8)))
    assert unbatched.shape == (5, 8) and w.shape == (5, 5)
    cross = nn.MultiheadAttention(8, 2, kdim=3, vdim=6, add_bias_kv=True, add_zero_attn=True)
    assert cross.in_proj_weight is None and cross.k_proj_weight.shape == (8, 3)
    out, w = cross(t(RNG.randn(4, 2, 8)), t(RNG.randn(7, 2, 3)), t(RNG.randn(7, 2, 6)))
    assert out.shape == (4, 2, 8) and w.shape == (2, 4, 9)
    assert repr(nn.MultiheadAttention(4, 2)) == (
        "MultiheadAttention(\n  (out_proj): NonDynamicallyQuantizableLinear(in_features=4, out_features=4, "
        "bias=True)\n)")
    with pytest.raises(AssertionError, match="embed_dim must be divisible by num_heads"):
        nn.MultiheadAttention(5, 2)
    with pytest.raises(RuntimeError, match="The shape of the 2D attn_mask is"):
        mha(x, x, x, attn_mask=torch.zeros(2, 2))


def test_transformer_encoder_shapes_and_repr():
    layer = nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0, batch_first=True)
    enc = nn.TransformerEncoder(layer, num_layers=2)
    x = t(RNG.randn(3, 5, 8), requires_grad=True)
    mask = nn.Transformer.generate_square_subsequent_mask(5)
    assert vals(mask)[0, 1] == -np.inf and vals(mask)[1, 0] == 0
    out = enc(x, mask=mask)
    assert out.shape == (3, 5, 8)
    out.sum().backward()
    assert enc.layers[1].linear2.weight.grad is not None
    assert enc.layers[0] is not layer and len(enc.layers) == 2
    pre = nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, norm_first=True, activation="gelu")
    assert pre(t(RNG.randn(5, 3, 8))).shape == (5, 3, 8)
    assert [n for n, _ in layer.named_children()] == ["self_attn", "linear1", "dropout", "linear2", "norm1", "norm2",
                                                      "dropout1", "dropout2"]


def test_transformer_layers_match_pytorch():
    real = pytest.importorskip("torch")
    for norm_first in (False, True):
        ours = nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0, norm_first=norm_first).double()
        theirs = real.nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0, norm_first=norm_first).double()
        ours.load_state_dict({k: torch.tensor(v.numpy()) for k, v in theirs.state_dict().items()})
        x = RNG.randn(5, 3, 8)
        mask = np.triu(np.full((5, 5), -np.inf), 1)
        expected = theirs(real.tensor(x), src_mask=real.tensor(mask)).detach().numpy()
        np.testing.assert_allclose(vals(ours(t(x, dtype=np.float64), src_mask=t(mask, dtype=np.float64))), expected,
                                   atol=1e-10)
        assert repr(ours) == repr(theirs)


# ---- convolution and pooling (need the C++-backed functionals) --------------------------------------


def np_conv2d(x, w, b, stride=1, padding=0, dilation=1, groups=1):
    x = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    n, c, h, wd = x.shape
    o, cg, kh, kw = w.shape
    oh = (h - dilation * (kh - 1) - 1) // stride + 1
    ow = (wd - dilation * (kw - 1) - 1) // stride + 1
    out = np.zeros((n, o, oh, ow))
    og = o // groups
    for g in range(groups):
        xs = x[:, g * cg:(g + 1) * cg]
        for i in range(oh):
            for j in range(ow):
                patch = xs[:, :, i * stride:i * stride + dilation * (kh - 1) + 1:dilation,
                           j * stride:j * stride + dilation * (kw - 1) + 1:dilation]
                out[:, g * og:(g + 1) * og, i, j] = np.einsum("nckl,ockl->no", patch, w[g * og:(g + 1) * og])
    return out + (0 if b is None else b[None, :, None, None])


def test_conv_construction_init_and_repr():
    conv = nn.Conv2d(4, 6, 3, stride=2, padding=1, groups=2, bias=False)
    assert conv.weight.shape == (6, 2, 3, 3) and conv.bias is None
    assert np.abs(vals(conv.weight)).max() <= 1 / math.sqrt(2 * 9)
    assert repr(conv) == "Conv2d(4, 6, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), groups=2, bias=False)"
    assert repr(nn.Conv1d(2, 3, 5, padding="same", padding_mode="reflect")) == \
        "Conv1d(2, 3, kernel_size=(5,), stride=(1,), padding=same, padding_mode=reflect)"
    assert nn.ConvTranspose2d(4, 6, 3, groups=2).weight.shape == (4, 3, 3, 3)
    assert repr(nn.ConvTranspose2d(4, 6, 3, stride=2, output_padding=1)) == \
        "ConvTranspose2d(4, 6, kernel_size=(3, 3), stride=(2, 2), output_padding=(1, 1))"
    assert nn.Conv3d(1, 2, (1, 2, 3)).weight.shape == (2, 1, 1, 2, 3)
    with pytest.raises(ValueError, match="in_channels must be divisible by groups"):
        nn.Conv2d(3, 4, 3, groups=2)
    with pytest.raises(ValueError, match="padding='same' is not supported for strided convolutions"):
        nn.Conv2d(3, 4, 3, stride=2, padding="same")
    with pytest.raises(ValueError, match="padding_mode must be one of"):
        nn.Conv2d(3, 4, 3, padding_mode="mirror")
    with pytest.raises(ValueError, match='Only "zeros" padding mode is supported for ConvTranspose2d'):
        nn.ConvTranspose2d(3, 4, 3, padding_mode="reflect")


def test_conv2d_forward_matches_numpy():
    conv = nn.Conv2d(4, 6, 3, stride=2, padding=1, dilation=1, groups=2, dtype=torch.float64)
    x = RNG.randn(2, 4, 7, 6)
    expected = np_conv2d(x, vals(conv.weight), vals(conv.bias), stride=2, padding=1, groups=2)
    np.testing.assert_allclose(vals(conv(t(x, dtype=np.float64))), expected, atol=1e-10)
    same = nn.Conv2d(2, 3, 3, padding="same", padding_mode="circular", dtype=torch.float64)
    x = RNG.randn(1, 2, 5, 5)
    wrapped = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)), mode="wrap")
    expected = np_conv2d(wrapped, vals(same.weight), vals(same.bias))
    np.testing.assert_allclose(vals(same(t(x, dtype=np.float64))), expected, atol=1e-10)


def test_conv_transpose2d_output_size():
    down = nn.Conv2d(2, 2, 3, stride=2, padding=1)
    up = nn.ConvTranspose2d(2, 2, 3, stride=2, padding=1)
    x = t(RNG.randn(1, 2, 12, 12))
    h = down(x)
    assert h.shape == (1, 2, 6, 6)
    assert up(h).shape == (1, 2, 11, 11)
    assert up(h, output_size=x.size()).shape == (1, 2, 12, 12)
    with pytest.raises(ValueError, match="requested an output size of \\[14, 14\\]"):
        up(h, output_size=[14, 14])


def test_pooling_layers():
    x = RNG.randn(1, 2, 4, 6)
    blocks = x.reshape(1, 2, 2, 2, 3, 2)
    np.testing.assert_allclose(vals(nn.MaxPool2d(2)(t(x))), blocks.max(axis=(3, 5)), rtol=1e-6)
    np.testing.assert_allclose(vals(nn.AvgPool2d(2)(t(x))), blocks.mean(axis=(3, 5)), rtol=1e-5)
    np.testing.assert_allclose(vals(nn.AdaptiveAvgPool2d(1)(t(x))), x.mean(axis=(2, 3), keepdims=True), rtol=1e-5)
    np.testing.assert_allclose(vals(nn.AdaptiveMaxPool2d((2, 3))(t(x))), blocks.max(axis=(3, 5)), rtol=1e-6)
    x1 = RNG.randn(2, 3, 8)
    np.testing.assert_allclose(vals(nn.MaxPool1d(2)(t(x1))), x1.reshape(2, 3, 4, 2).max(-1), rtol=1e-6)
    np.testing.assert_allclose(vals(nn.AvgPool1d(4)(t(x1))), x1.reshape(2, 3, 2, 4).mean(-1), rtol=1e-5)
    np.testing.assert_allclose(vals(nn.AdaptiveAvgPool1d(2)(t(x1))), x1.reshape(2, 3, 2, 4).mean(-1), rtol=1e-5)
    pooled, idx = nn.MaxPool2d(2, return_indices=True)(t(x))
    restored = nn.MaxUnpool2d(2)(pooled, idx)
    assert restored.shape == (1, 2, 4, 6)
    np.testing.assert_allclose(vals(restored).max(axis=(2, 3)), x.max(axis=(2, 3)), rtol=1e-6)


def test_pooling_reprs():
    assert repr(nn.MaxPool2d(2)) == "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)"
    assert repr(nn.AvgPool2d(3, stride=1)) == "AvgPool2d(kernel_size=3, stride=1, padding=0)"
    assert repr(nn.AvgPool1d(3)) == "AvgPool1d(kernel_size=(3,), stride=(3,), padding=(0,))"
    assert repr(nn.AdaptiveAvgPool2d((1, 1))) == "AdaptiveAvgPool2d(output_size=(1, 1))"
    assert repr(nn.MaxUnpool2d(2)) == "MaxUnpool2d(kernel_size=(2, 2), stride=(2, 2), padding=(0, 0))"


# ---- normalization ------------------------------------------------------------------------------------


def test_batchnorm_construction_and_repr():
    bn = nn.BatchNorm2d(3)
    assert [n for n, _ in bn.named_buffers()] == ["running_mean", "running_var", "num_batches_tracked"]
    assert bn.num_batches_tracked.dtype is torch.int64
    assert list(bn.state_dict()) == ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]
    assert repr(bn) == "BatchNorm2d(3, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)"
    stateless = nn.BatchNorm1d(3, affine=False, track_running_stats=False)
    assert stateless.weight is None and stateless.running_mean is None
    with pytest.raises(ValueError, match="expected 4D input \\(got 2D input\\)"):
        bn(t(np.zeros((2, 3))))


def test_batchnorm_training_updates_running_stats():
    bn = nn.BatchNorm1d(3, momentum=0.5, dtype=torch.float64)
    x = RNG.randn(8, 3) * 2 + 1
    out = bn(t(x, dtype=np.float64))
    np.testing.assert_allclose(vals(out), (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-5), atol=1e-10)
    np.testing.assert_allclose(vals(bn.running_mean), 0.5 * x.mean(0), atol=1e-12)
    np.testing.assert_allclose(vals(bn.running_var), 0.5 + 0.5 * x.var(0, ddof=1), atol=1e-12)
    assert bn.num_batches_tracked.item() == 1
    bn.eval()
    np.testing.assert_allclose(vals(bn(t(x, dtype=np.float64))),
                               (x - vals(bn.running_mean)) / np.sqrt(vals(bn.running_var) + 1e-5), atol=1e-10)


def test_batchnorm_cumulative_average_with_momentum_none():
    bn = nn.BatchNorm1d(2, momentum=None, dtype=torch.float64)
    batches = [RNG.randn(4, 2) for _ in range(3)]
    for b in batches:
        bn(t(b, dtype=np.float64))
    np.testing.assert_allclose(vals(bn.running_mean), np.mean([b.mean(0) for b in batches], axis=0), atol=1e-12)
    assert bn.num_batches_tracked.item() == 3


def test_layer_group_rms_instance_norms():
    x = RNG.randn(2, 4, 3)
    ln = nn.LayerNorm([4, 3], dtype=torch.float64)
    mean, var = x.mean((1, 2), keepdims=True), x.var((1, 2), keepdims=True)
    np.testing.assert_allclose(vals(ln(t(x, dtype=np.float64))), (x - mean) / np.sqrt(var + 1e-5), atol=1e-10)
    assert repr(nn.LayerNorm(4)) == "LayerNorm((4,), eps=1e-05, elementwise_affine=True, bias=True)"
    gn = nn.GroupNorm(2, 4, dtype=torch.float64)
    g = x.reshape(2, 2, 6)
    ref = ((g - g.mean(-1, keepdims=True)) / np.sqrt(g.var(-1, keepdims=True) + 1e-5)).reshape(x.shape)
    np.testing.assert_allclose(vals(gn(t(x, dtype=np.float64))), ref, atol=1e-10)
    assert repr(gn) == "GroupNorm(2, 4, eps=1e-05, affine=True, bias=True)"
    with pytest.raises(ValueError, match="num_channels \\(5\\) must be divisible by num_groups \\(2\\)"):
        nn.GroupNorm(2, 5)
    rms = nn.RMSNorm(3, eps=1e-6, dtype=torch.float64)
    np.testing.assert_allclose(vals(rms(t(x, dtype=np.float64))), x / np.sqrt((x * x).mean(-1, keepdims=True) + 1e-6),
                               atol=1e-10)
    assert repr(rms) == "RMSNorm((3,), eps=1e-06, elementwise_affine=True)"
    inorm = nn.InstanceNorm1d(4, dtype=torch.float64)
    ref = (x - x.mean(-1, keepdims=True)) / np.sqrt(x.var(-1, keepdims=True) + 1e-5)
    np.testing.assert_allclose(vals(inorm(t(x, dtype=np.float64))), ref, atol=1e-10)
    assert repr(inorm) == \
        "InstanceNorm1d(4, eps=1e-05, momentum=0.1, affine=False, bias=False, track_running_stats=False)"
    assert repr(nn.LocalResponseNorm(3)) == "LocalResponseNorm(3, alpha=0.0001, beta=0.75, k=1.0)"


# ---- dropout, embeddings, reshaping layers --------------------------------------------------------------


def test_dropout_layers():
    x = t(np.ones((200, 50)))
    drop = nn.Dropout(0.3)
    out = vals(drop(x))
    assert np.allclose(out[out != 0], 1 / 0.7) and abs((out == 0).mean() - 0.3) < 0.03
    drop.eval()
    assert drop(x) is x or np.array_equal(vals(drop(x)), vals(x))
    assert repr(nn.Dropout2d(0.1)) == "Dropout2d(p=0.1, inplace=False)"
    channels = vals(nn.Dropout2d(0.5)(t(np.ones((4, 30, 3, 3)))))
    per_channel = channels.reshape(4, 30, 9)
    assert (per_channel.min(-1) == per_channel.max(-1)).all()  # whole channels are kept or dropped
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1, but got 1.5"):
        nn.Dropout(1.5)


def test_embedding():
    emb = nn.Embedding(10, 3, padding_idx=0)
    assert (vals(emb.weight)[0] == 0).all()
    idx = torch.tensor([[0, 2], [2, 9]])
    out = emb(idx)
    np.testing.assert_array_equal(vals(out), vals(emb.weight)[np.array([[0, 2], [2, 9]])])
    out.sum().backward()
    grad = vals(emb.weight.grad)
    assert (grad[0] == 0).all() and (grad[2] == 2).all() and (grad[9] == 1).all()
    assert repr(emb) == "Embedding(10, 3, padding_idx=0)"
    pre = nn.Embedding.from_pretrained(t(np.eye(3)))
    assert not pre.weight.requires_grad
    assert nn.Embedding(5, 2, padding_idx=-1).padding_idx == 4
    with pytest.raises(AssertionError, match="Padding_idx must be within num_embeddings"):
        nn.Embedding(5, 2, padding_idx=5)
    bag = nn.EmbeddingBag(10, 3, mode="sum")
    assert repr(bag) == "EmbeddingBag(10, 3, mode='sum')"
    out = bag(torch.tensor([1, 2, 4, 5]), torch.tensor([0, 2]))
    w = vals(bag.weight)
    np.testing.assert_allclose(vals(out), [w[1] + w[2], w[4] + w[5]], rtol=1e-6)


def test_pixel_shuffle_upsample_and_padding():
    x = RNG.randn(1, 8, 2, 3)
    shuffled = vals(nn.PixelShuffle(2)(t(x)))
    expected = x.reshape(1, 2, 2, 2, 2, 3).transpose(0, 1, 4, 2, 5, 3).reshape(1, 2, 4, 6)
    np.testing.assert_allclose(shuffled, expected, rtol=1e-6)
    np.testing.assert_allclose(vals(nn.PixelUnshuffle(2)(t(expected))), x, rtol=1e-6)
    assert repr(nn.PixelShuffle(2)) == "PixelShuffle(upscale_factor=2)"
    up = nn.Upsample(scale_factor=2, mode="nearest")
    assert repr(up) == "Upsample(scale_factor=2.0, mode='nearest')"
    np.testing.assert_allclose(vals(up(t(x))), x.repeat(2, axis=2).repeat(2, axis=3), rtol=1e-6)
    img = RNG.randn(1, 1, 3, 3)
    np.testing.assert_allclose(vals(nn.ZeroPad2d((1, 0, 2, 1))(t(img))),
                               np.pad(img, ((0, 0), (0, 0), (2, 1), (1, 0))), rtol=1e-6)
    np.testing.assert_allclose(vals(nn.ReflectionPad2d(1)(t(img))), np.pad(img, ((0, 0), (0, 0), (1, 1), (1, 1)),
                                                                        mode="reflect"), rtol=1e-6)
    np.testing.assert_allclose(vals(nn.ReplicationPad1d((2, 1))(t(img[0]))), np.pad(img[0], ((0, 0), (0, 0), (2, 1)),
                                                                                  mode="edge"), rtol=1e-6)
    np.testing.assert_allclose(vals(nn.ConstantPad1d(1, 3.5)(t(img[0]))), np.pad(img[0], ((0, 0), (0, 0), (1, 1)),
                                                                             constant_values=3.5), rtol=1e-6)
    assert repr(nn.ZeroPad2d(1)) == "ZeroPad2d((1, 1, 1, 1))"
    assert repr(nn.ConstantPad2d(1, 0.5)) == "ConstantPad2d(padding=(1, 1, 1, 1), value=0.5)"
    assert isinstance(nn.ZeroPad2d(1), nn.ConstantPad2d)


# ---- PyTorch as an oracle for reprs ---------------------------------------------------------------------


def test_reprs_match_pytorch():
    real = pytest.importorskip("torch")
    specs = [
        ("Conv2d", (3, 8, 3), dict(stride=2, padding=1, bias=False)), ("Conv1d", (2, 4, 5), dict(dilation=2)),
        ("ConvTranspose1d", (4, 2, 3), dict(stride=2)), ("MaxPool1d", (3,), dict(stride=1, ceil_mode=True)),
        ("BatchNorm1d", (5,), dict(momentum=None)), ("InstanceNorm2d", (3,), dict(affine=True)),
        ("LayerNorm", ((2, 3),), dict(elementwise_affine=False)), ("Embedding", (5, 2), dict(max_norm=1.0)),
        ("EmbeddingBag", (5, 2), dict()), ("RNN", (3, 4, 2), dict(nonlinearity="relu")),
        ("LSTM", (3, 4), dict(proj_size=2, batch_first=True)), ("GRUCell", (3, 4), dict()),
        ("Upsample", (), dict(size=(4, 4), mode="bilinear")), ("ReflectionPad1d", ((1, 2),), dict()),
        ("AlphaDropout", (0.2,), dict()), ("Softmax2d", (), dict()), ("CrossEntropyLoss", (), dict()),
        ("TransformerEncoderLayer", (8, 2), dict(dim_feedforward=16)), ("MaxPool3d", (2,), dict(padding=1)),
        ("AvgPool3d", (2,), dict()), ("LPPool2d", (2, 3), dict()), ("AdaptiveMaxPool1d", (3,), dict()),
        ("MaxUnpool1d", (2,), dict()), ("ConvTranspose3d", (2, 4, 3), dict(padding=1)), ("Unfold", (2,), dict()),
        ("Fold", ((4, 4), 2), dict(stride=2)), ("ChannelShuffle", (2,), dict()), ("CircularPad2d", (1,), dict()),
    ]
    for name, args, kwargs in specs:
        theirs = repr(getattr(real.nn, name)(*args, **kwargs))
        assert repr(getattr(nn, name)(*args, **kwargs)) == theirs, name


def test_fold_unfold_roundtrip_and_3d_pooling():
    x = RNG.randn(2, 3, 4, 6)
    cols = nn.Unfold(2, stride=2)(t(x))
    blocks = x.reshape(2, 3, 2, 2, 3, 2).transpose(0, 1, 3, 5, 2, 4).reshape(2, 12, 6)
    np.testing.assert_allclose(vals(cols), blocks, rtol=1e-6)
    np.testing.assert_allclose(vals(nn.Fold((4, 6), 2, stride=2)(cols)), x, rtol=1e-6)
    x5 = RNG.randn(1, 2, 4, 4, 4)
    cubes = x5.reshape(1, 2, 2, 2, 2, 2, 2, 2)
    np.testing.assert_allclose(vals(nn.MaxPool3d(2)(t(x5))), cubes.max(axis=(3, 5, 7)), rtol=1e-6)
    np.testing.assert_allclose(vals(nn.AvgPool3d(2)(t(x5))), cubes.mean(axis=(3, 5, 7)), rtol=1e-5)
    np.testing.assert_allclose(vals(nn.AdaptiveAvgPool3d(1)(t(x5))), x5.mean(axis=(2, 3, 4), keepdims=True), rtol=1e-5)


LAYER_ORACLE_CASES = [
    ("Conv2d", (4, 6, 3), dict(stride=2, padding=1, groups=2), (2, 4, 7, 6)),
    ("Conv1d", (4, 3, 3), dict(padding="same", padding_mode="replicate", dilation=2), (2, 4, 9)),
    ("ConvTranspose2d", (4, 6, 3), dict(stride=2, padding=1, output_padding=1, groups=2), (2, 4, 5, 5)),
    ("BatchNorm2d", (4,), dict(), (3, 4, 5, 5)),
    ("GroupNorm", (2, 4), dict(), (3, 4, 5)),
    ("InstanceNorm2d", (4,), dict(affine=True), (3, 4, 5, 5)),
    ("MaxPool2d", (3,), dict(stride=2, padding=1, ceil_mode=True), (2, 3, 7, 7)),
    ("AvgPool2d", (3,), dict(stride=2, padding=1, count_include_pad=False), (2, 3, 7, 7)),
    ("AdaptiveAvgPool2d", ((3, None),), dict(), (2, 3, 7, 5)),
    ("Upsample", (), dict(scale_factor=2, mode="bilinear", align_corners=False), (1, 2, 3, 4)),
    ("LocalResponseNorm", (3,), dict(), (2, 5, 3, 3)),
]


@pytest.mark.parametrize("name, args, kwargs, shape", LAYER_ORACLE_CASES, ids=[c[0] for c in LAYER_ORACLE_CASES])
def test_layers_match_pytorch(name, args, kwargs, shape):
    real = pytest.importorskip("torch")
    theirs = getattr(real.nn, name)(*args, **kwargs).double()
    ours = getattr(nn, name)(*args, **kwargs).double()
    ours.load_state_dict({k: torch.tensor(v.numpy()) for k, v in theirs.state_dict().items()})
    x = RNG.randn(*shape)
    tx, dx = real.tensor(x, requires_grad=True), t(x, requires_grad=True, dtype=np.float64)
    expected, out = theirs(tx), ours(dx)
    np.testing.assert_allclose(vals(out), expected.detach().numpy(), atol=1e-10)
    weights = real.tensor(RNG.randn(*expected.shape))
    (expected * weights).sum().backward()
    (out * torch.tensor(weights.numpy())).sum().backward()
    np.testing.assert_allclose(vals(dx.grad), tx.grad.numpy(), atol=1e-10)
    for n, p in theirs.named_parameters():
        np.testing.assert_allclose(vals(ours.get_parameter(n).grad), p.grad.numpy(), atol=1e-10)
    for n, b in theirs.named_buffers():
        np.testing.assert_allclose(vals(ours.get_buffer(n)), b.numpy(), atol=1e-12)
