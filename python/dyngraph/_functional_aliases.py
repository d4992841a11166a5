"""The neural-network functions PyTorch also exposes at top level (torch.conv2d,
torch.dropout, torch.kl_div, ...), with their top-level signatures: required
`train` flags, `embedding(weight, indices)`, and losses whose reduction is the
integer enum (0 none, 1 mean, 2 sum). Each maps its arguments onto
nn.functional, which owns the computation."""

from . import _C
from ._signature import typed
from .nn import functional as F

conv_tbc = F.conv_tbc  # the same function, as in PyTorch

_REDUCTIONS = {0: "none", 1: "mean", 2: "sum"}


def _reduction(r):
    if isinstance(r, str):
        return r
    if r not in _REDUCTIONS:
        raise RuntimeError(f"{r} is not a valid value for reduction")
    return _REDUCTIONS[r]


conv1d, conv2d, conv3d = F.conv1d, F.conv2d, F.conv3d
conv_transpose1d, conv_transpose2d, conv_transpose3d = F.conv_transpose1d, F.conv_transpose2d, F.conv_transpose3d
pixel_shuffle, pixel_unshuffle, channel_shuffle = F.pixel_shuffle, F.pixel_unshuffle, F.channel_shuffle
pairwise_distance, bilinear, hardshrink = F.pairwise_distance, F.bilinear, F.hardshrink
avg_pool1d, adaptive_avg_pool1d = F.avg_pool1d, F.adaptive_avg_pool1d
selu, celu, prelu, pdist = F.selu, F.celu, F.prelu, F.pdist


def _with_train_flag(name, functional, inplace):
    """torch.<name>(input, p, train): nn.functional's dropout with a required train flag."""
    def fn(input, p, train):
        return functional(input, p, train, inplace=True) if inplace else functional(input, p, train)

    fn.__name__ = fn.__qualname__ = name
    return typed(name, input="Tensor", p="float", train="bool")(fn)


dropout = _with_train_flag("dropout", F.dropout, False)
dropout_ = _with_train_flag("dropout_", F.dropout, True)
alpha_dropout = _with_train_flag("alpha_dropout", F.alpha_dropout, False)
alpha_dropout_ = _with_train_flag("alpha_dropout_", F.alpha_dropout, True)
feature_alpha_dropout = _with_train_flag("feature_alpha_dropout", F.feature_alpha_dropout, False)
feature_alpha_dropout_ = _with_train_flag("feature_alpha_dropout_", F.feature_alpha_dropout, True)


@typed("feature_dropout", input="Tensor", p="float", train="bool")
def feature_dropout(input, p, train):
    """Zeroes whole channels (dim 1) with probability p, as dropout2d/3d do for any rank."""
    if input.dim() < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    if not train or p == 0:
        return input.clone()
    import dyngraph

    mask_shape = tuple(input.shape[:2]) + (1,) * (input.dim() - 2)
    keep = dyngraph.empty(mask_shape, dtype=input.dtype, device=input.device).bernoulli_(1 - p)
    return input * keep / (1 - p) if p < 1 else input * 0


@typed("feature_dropout_", input="Tensor", p="float", train="bool")
def feature_dropout_(input, p, train):
    return input.copy_(feature_dropout(input, p, train))


@typed("selu_", input="Tensor")
def selu_(input):
    return F.selu(input, inplace=True)


@typed("celu_", input="Tensor", alpha="Number")
def celu_(input, alpha=1.0):
    return F.celu(input, alpha, inplace=True)


@typed("rrelu", input="Tensor", lower="Number", upper="Number", training="bool")
def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, generator=None):
    return F.rrelu(input, lower, upper, training)


@typed("rrelu_", input="Tensor", lower="Number", upper="Number", training="bool")
def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False, generator=None):
    return F.rrelu(input, lower, upper, training, inplace=True)


@typed("threshold", input="Tensor", threshold="Number", value="Number")
def threshold(input, threshold, value):
    return F.threshold(input, threshold, value)


@typed("threshold_", input="Tensor", threshold="Number", value="Number")
def threshold_(input, threshold, value):
    return F.threshold(input, threshold, value, inplace=True)


@typed("embedding", weight="Tensor", indices="Tensor", padding_idx="int", scale_grad_by_freq="bool", sparse="bool")
def embedding(weight, indices, padding_idx=-1, scale_grad_by_freq=False, sparse=False):
    return F.embedding(indices, weight, None if padding_idx == -1 else padding_idx,
                       scale_grad_by_freq=scale_grad_by_freq, sparse=sparse)


@typed("group_norm", input="Tensor", num_groups="int", weight="Tensor?", bias="Tensor?", eps="float", cudnn_enabled="bool")
def group_norm(input, num_groups, weight=None, bias=None, eps=1e-05, cudnn_enabled=True):
    return F.group_norm(input, num_groups, weight, bias, eps)


@typed("instance_norm", input="Tensor", weight="Tensor?", bias="Tensor?", running_mean="Tensor?", running_var="Tensor?", use_input_stats="bool", momentum="float", eps="float", cudnn_enabled="bool")
def instance_norm(input, weight, bias, running_mean, running_var, use_input_stats, momentum, eps, cudnn_enabled):
    return F.instance_norm(input, running_mean, running_var, weight, bias, use_input_stats, momentum, eps)


@typed("rms_norm", input="Tensor", normalized_shape="int[]", weight="Tensor?", eps="float?")
def rms_norm(input, normalized_shape, weight=None, eps=None):
    return F.rms_norm(input, normalized_shape, weight, eps)


@typed("max_pool1d", input="Tensor", kernel_size="int[N]", stride="int[N]", padding="int[N]", dilation="int[N]", ceil_mode="bool")
def max_pool1d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    return F.max_pool1d(input, kernel_size, stride or None, padding, dilation, ceil_mode)


@typed("max_pool1d_with_indices", input="Tensor", kernel_size="int[N]", stride="int[N]", padding="int[N]", dilation="int[N]", ceil_mode="bool")
def max_pool1d_with_indices(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    return F.max_pool1d(input, kernel_size, stride or None, padding, dilation, ceil_mode, return_indices=True)


@typed("max_pool2d", input="Tensor", kernel_size="int[N]", stride="int[N]", padding="int[N]", dilation="int[N]", ceil_mode="bool")
def max_pool2d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    return F.max_pool2d(input, kernel_size, stride or None, padding, dilation, ceil_mode)


@typed("max_pool3d", input="Tensor", kernel_size="int[N]", stride="int[N]", padding="int[N]", dilation="int[N]", ceil_mode="bool")
def max_pool3d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    return F.max_pool3d(input, kernel_size, stride or None, padding, dilation, ceil_mode)


@typed("adaptive_max_pool1d", input="Tensor", output_size="int[N]")
def adaptive_max_pool1d(input, output_size):
    return F.adaptive_max_pool1d(input, output_size, return_indices=True)


@typed("constant_pad_nd", input="Tensor", pad="int[]", value="Number")
def constant_pad_nd(input, pad, value=0):
    return F.pad(input, pad, "constant", value)


@typed("kl_div", input="Tensor", target="Tensor", reduction="int", log_target="bool")
def kl_div(input, target, reduction=0, log_target=False):  # unreduced by default, unlike F.kl_div
    return F.kl_div(input, target, reduction=_reduction(reduction), log_target=log_target)


@typed("margin_ranking_loss", input1="Tensor", input2="Tensor", target="Tensor", margin="float", reduction="int")
def margin_ranking_loss(input1, input2, target, margin=0.0, reduction=1):
    return F.margin_ranking_loss(input1, input2, target, margin=margin, reduction=_reduction(reduction))


@typed("hinge_embedding_loss", input="Tensor", target="Tensor", margin="float", reduction="int")
def hinge_embedding_loss(input, target, margin=1.0, reduction=1):
    return F.hinge_embedding_loss(input, target, margin=margin, reduction=_reduction(reduction))


@typed("cosine_embedding_loss", input1="Tensor", input2="Tensor", target="Tensor", margin="float", reduction="int")
def cosine_embedding_loss(input1, input2, target, margin=0.0, reduction=1):
    return F.cosine_embedding_loss(input1, input2, target, margin=margin, reduction=_reduction(reduction))


@typed("triplet_margin_loss", anchor="Tensor", positive="Tensor", negative="Tensor", margin="float", p="float", eps="float", swap="bool", reduction="int")
def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-06, swap=False, reduction=1):
    return F.triplet_margin_loss(anchor, positive, negative, margin=margin, p=p, eps=eps, swap=swap,
                                 reduction=_reduction(reduction))


@typed("poisson_nll_loss", input="Tensor", target="Tensor", log_input="bool", full="bool", eps="float", reduction="int")
def poisson_nll_loss(input, target, log_input, full, eps, reduction):
    return F.poisson_nll_loss(input, target, log_input=log_input, full=full, eps=eps,
                              reduction=_reduction(reduction))


@typed("ctc_loss", log_probs="Tensor", targets="Tensor", blank="int", reduction="int", zero_infinity="bool")
def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction=0, zero_infinity=False):
    return F.ctc_loss(log_probs, targets, input_lengths, target_lengths, blank, _reduction(reduction), zero_infinity)


@typed("binary_cross_entropy_with_logits", input="Tensor", target="Tensor", weight="Tensor?", pos_weight="Tensor?", reduction="int")
def binary_cross_entropy_with_logits(input, target, weight=None, pos_weight=None, reduction=1):
    return F.binary_cross_entropy_with_logits(input, target, weight, reduction=_reduction(reduction),
                                              pos_weight=pos_weight)


# ---- recurrent layers and cells (torch.lstm, torch.gru_cell, ...): nn.modules.rnn's runners ----

def _layer_weights(params, has_biases, layers, mode):
    """Splits the flat parameter list into (w_ih, w_hh, b_ih, b_hh, w_hr) per (layer, direction)."""
    per = 4 if has_biases else 2
    projections = mode == "LSTM" and len(params) == layers * (per + 1)
    stride = per + 1 if projections else per
    if len(params) != layers * stride:
        raise RuntimeError(f"MatrixRef: ArrayRef size {len(params)} not divisible by stride {per}")
    weights = []
    for k in range(layers):
        w = params[k * stride:(k + 1) * stride]
        weights.append((w[0], w[1], w[2] if has_biases else None, w[3] if has_biases else None,
                        w[-1] if projections else None))
    return weights


def _recurrent_function(name, mode):
    """torch.lstm/gru/rnn_tanh/rnn_relu: (input, hx, params, has_biases, num_layers, dropout, train,
    bidirectional, batch_first), or packed: (data, batch_sizes, hx, params, has_biases, num_layers, dropout,
    train, bidirectional). Returns (output, h_n) or LSTM's (output, h_n, c_n)."""
    from .nn.modules.rnn import run_layers
    from .nn.utils.rnn import PackedSequence, pack_padded_sequence, pad_packed_sequence

    hx_kind = "Tensor[]" if mode == "LSTM" else "Tensor"
    flags = dict(params="Tensor[]", has_biases="bool", num_layers="int", dropout="float", train="bool",
                 bidirectional="bool")

    def run(input, hx, params, has_biases, num_layers, dropout, train, bidirectional, lengths):
        states = tuple(hx) if mode == "LSTM" else (hx,)
        if len(states) != (2 if mode == "LSTM" else 1):
            raise RuntimeError(f"{name} expects two hidden states")
        directions = 2 if bidirectional else 1
        per_layer = list(zip(*(s.unbind(0) for s in states)))
        output, finals = run_layers(mode, input, per_layer,
                                    _layer_weights(list(params), has_biases, num_layers * directions, mode),
                                    num_layers, directions, dropout if train else 0.0, lengths)
        return output, tuple(_C.stack([f[k] for f in finals], 0) for k in range(len(states)))

    @typed(name, input="Tensor", hx=hx_kind, batch_first="bool", **flags)
    def padded(input, hx, params, has_biases, num_layers, dropout, train, bidirectional, batch_first):
        if batch_first:
            input = input.transpose(0, 1)
        output, states = run(input, hx, params, has_biases, num_layers, dropout, train, bidirectional, None)
        return (output.transpose(0, 1) if batch_first else output,) + states

    @typed(name, data="Tensor", batch_sizes="Tensor", hx=hx_kind, **flags)
    def packed(data, batch_sizes, hx, params, has_biases, num_layers, dropout, train, bidirectional):
        input, lengths = pad_packed_sequence(PackedSequence(data, batch_sizes))
        output, states = run(input, hx, params, has_biases, num_layers, dropout, train, bidirectional,
                             lengths.to(input.device))
        return (pack_padded_sequence(output, lengths).data,) + states

    def fn(*args, **kwargs):
        # The packed overload has batch_sizes where the other has hx: LSTM's hx is a pair, and the others'
        # params list comes one place later.
        if len(args) > 2 and (isinstance(args[1], _C.Tensor) if mode == "LSTM"
                              else not isinstance(args[2], (list, tuple))):
            return packed(*args, **kwargs)
        return padded(*args, **kwargs)

    fn.__name__ = fn.__qualname__ = name
    return fn


lstm = _recurrent_function("lstm", "LSTM")
gru = _recurrent_function("gru", "GRU")
rnn_tanh = _recurrent_function("rnn_tanh", "RNN_TANH")
rnn_relu = _recurrent_function("rnn_relu", "RNN_RELU")


def _cell_function(name, mode):
    """torch.lstm_cell(input, (h, c), w_ih, w_hh, b_ih=None, b_hh=None) -> (h, c); the others take and
    return h alone."""
    from .nn.modules.rnn import run_cell

    @typed(name, input="Tensor", hx="Tensor[]" if mode == "LSTM" else "Tensor", w_ih="Tensor", w_hh="Tensor",
           b_ih="Tensor?", b_hh="Tensor?")
    def fn(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
        if input.dim() != 2:
            raise IndexError(f"Dimension out of range (expected to be in range of [{-max(input.dim(), 1)}, "
                             f"{max(input.dim(), 1) - 1}], but got 1)")
        if mode == "LSTM":
            return run_cell(mode, input, tuple(hx), w_ih, w_hh, b_ih, b_hh)
        return run_cell(mode, input, (hx,), w_ih, w_hh, b_ih, b_hh)[0]

    fn.__name__ = fn.__qualname__ = name
    return fn


lstm_cell = _cell_function("lstm_cell", "LSTM")
gru_cell = _cell_function("gru_cell", "GRU")
rnn_tanh_cell = _cell_function("rnn_tanh_cell", "RNN_TANH")
rnn_relu_cell = _cell_function("rnn_relu_cell", "RNN_RELU")


# ---- the sampling and embedding primitives under F.grid_sample, F.affine_grid and F.embedding -----------

_INTERPOLATION = ("bilinear", "nearest", "bicubic")
_PADDING = ("zeros", "border", "reflection")


def _grid_sampler(name, dims):
    """torch.grid_sampler(input, grid, interpolation_mode, padding_mode, align_corners): F.grid_sample with
    its modes as integer enums (interpolation 0 bilinear, 1 nearest, 2 bicubic; padding 0 zeros, 1 border,
    2 reflection); grid_sampler_2d/3d take 4-D/5-D inputs only."""
    @typed(name, input="Tensor", grid="Tensor", interpolation_mode="int", padding_mode="int", align_corners="bool")
    def fn(input, grid, interpolation_mode, padding_mode, align_corners):
        if dims is not None and (input.dim() != dims + 2 or grid.dim() != dims + 2):
            raise RuntimeError(f"grid_sampler(): expected {dims + 2}D input and grid with same number of "
                               f"dimensions, but got input with sizes {list(input.shape)} and grid with sizes "
                               f"{list(grid.shape)}")
        if not 0 <= interpolation_mode < 3 or not 0 <= padding_mode < 3:
            raise RuntimeError(f"{name}(): interpolation_mode must be 0, 1 or 2 and padding_mode 0, 1 or 2, got "
                               f"{interpolation_mode} and {padding_mode}")
        return F.grid_sample(input, grid, _INTERPOLATION[interpolation_mode], _PADDING[padding_mode], align_corners)

    fn.__name__ = fn.__qualname__ = name
    return fn


grid_sampler = _grid_sampler("grid_sampler", None)
grid_sampler_2d = _grid_sampler("grid_sampler_2d", 2)
grid_sampler_3d = _grid_sampler("grid_sampler_3d", 3)


@typed("affine_grid_generator", theta="Tensor", size="int[]", align_corners="bool")
def affine_grid_generator(theta, size, align_corners):
    return F.affine_grid(theta, size, align_corners)


@typed("embedding_renorm_", input="Tensor", indices="Tensor", max_norm="float", norm_type="float")
def embedding_renorm_(input, indices, max_norm, norm_type):
    """Rescales in place the rows of input that indices reference whose norm exceeds max_norm; returns input."""
    from .nn._functional_sparse import _renorm_rows_

    if input.requires_grad and input.is_leaf and _C.is_grad_enabled():
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
    _renorm_rows_(input, indices, max_norm, norm_type)
    return input


__all__ = [name for name in dir() if not name.startswith("_") and name != "F"]
