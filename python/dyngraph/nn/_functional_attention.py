"""scaled_dot_product_attention of nn.functional, computed over blocks of
queries so the score matrix never exceeds a bounded size."""

import math

from .. import _C
from .._arg_checks import check_tensor_args

__all__ = ["scaled_dot_product_attention"]

_MAX_SCORE_ELEMENTS = 1 << 22  # per block of queries, over all batch dims


def _attend(q, k, v, mask, dropout_p, scale):
    scores = _C.matmul(q, k.transpose(-2, -1)) * scale
    if mask is not None:
        if mask.dtype._name == "bool":
            scores = scores.masked_fill(mask.logical_not(), float("-inf"))
        else:
            scores = scores + mask
    weights = _C.softmax(scores, -1, None)
    if dropout_p > 0.0:
        from ._functional_dropout import dropout

        weights = dropout(weights, dropout_p, True)
    return _C.matmul(weights, v)


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None,
                                 enable_gqa=False):
    check_tensor_args("scaled_dot_product_attention", ("query", query), ("key", key), ("value", value))
    import dyngraph

    if query.dim() < 2 or key.dim() < 2 or value.dim() < 2:
        raise RuntimeError("scaled_dot_product_attention: query, key and value must have at least 2 dims")
    if is_causal and attn_mask is not None:
        raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be set when is_causal=True")
    L, S = query.shape[-2], key.shape[-2]
    scale = 1.0 / math.sqrt(query.shape[-1]) if scale is None else scale
    if enable_gqa and query.dim() >= 3 and key.shape[-3] != query.shape[-3]:
        groups = query.shape[-3] // key.shape[-3]
        key = key.repeat_interleave(groups, -3)
        value = value.repeat_interleave(groups, -3)
    if is_causal:
        attn_mask = dyngraph.ones(L, S, dtype=dyngraph.bool, device=query.device).tril()
    batch = max(1, query.numel() // max(1, L * query.shape[-1]))
    block = max(1, _MAX_SCORE_ELEMENTS // max(1, batch * S))
    if L <= block:
        return _attend(query, key, value, attn_mask, dropout_p, scale)
    outs = []
    for start in range(0, L, block):
        stop = min(L, start + block)
        m = None
        if attn_mask is not None:
            m = attn_mask if attn_mask.dim() < 2 or attn_mask.shape[-2] == 1 else attn_mask[..., start:stop, :]
        outs.append(_attend(query[..., start:stop, :], key, value, m, dropout_p, scale))
    return dyngraph.cat(outs, -2)
