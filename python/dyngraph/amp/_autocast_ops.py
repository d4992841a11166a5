"""Which ops autocast intercepts in Python, and what it does to each: PyTorch
2.13's lists (aten/src/ATen/autocast_mode.{h,cpp}, the "Autocast Op Reference"
of the amp docs), restricted to the entry points dyngraph has. autocast_mode.py
reads these tables once, at import; an entry point dyngraph lacks is skipped,
so an op added later joins by name.

Not here: matmul, mm, bmm, addmm, baddbmm, F.linear and the convolutions (and
their Tensor methods and aliases), lower precision on both device types. They
consult autocast in C++ (csrc/ops/autocast_policy.h), so the same policy
reaches them from Python, from _C and from C++ programs.

Entry points: "name" is dyngraph.name, "Tensor.name" the Tensor method,
"F.name" dyngraph.nn.functional.name, "linalg.name" dyngraph.linalg.name.

Policies (what happens to the arguments when autocast is on for the device of
the op's first tensor argument; only float32/float16/bfloat16 tensors on that
device are ever cast, never float64, integer or bool ones):
  LOWER      every such tensor to the autocast dtype (bfloat16 / float16)
  FP32       every such tensor to float32
  SET_DTYPE  if the first argument is such a tensor and no dtype= was given,
             run with dtype=float32 (softmax, sum, cumsum, ...)
  PROMOTE    all to the widest of (autocast dtype, their dtypes); float32 wins,
             mixing float16 with bfloat16 is an error, as in PyTorch
  BANNED     raises (binary_cross_entropy under CUDA autocast)
"""

LOWER = "lower_precision_fp"
FP32 = "fp32"
SET_DTYPE = "fp32_set_opt_dtype"
PROMOTE = "promote"
BANNED = "banned"

# Ops PyTorch lists for AutocastCPU. einsum, chain_matmul and linalg.multi_dot are
# not in the list, but PyTorch's CPU versions run through bmm/mm, which are, so
# their results are bfloat16 there too.
CPU = {
    LOWER: """
        addbmm Tensor.addbmm linalg.vecdot einsum chain_matmul linalg.multi_dot
        prelu F.prelu F.scaled_dot_product_attention
    """,
    FP32: """
        prod Tensor.prod trace Tensor.trace polar view_as_complex cdist
        quantile Tensor.quantile nanquantile Tensor.nanquantile
        F.grid_sample F.max_pool3d F.avg_pool3d F.adaptive_avg_pool3d F.adaptive_max_pool3d
        F.max_unpool2d F.max_unpool3d F.pad
        F.binary_cross_entropy F.binary_cross_entropy_with_logits F.cross_entropy F.nll_loss F.mse_loss
        F.l1_loss F.smooth_l1_loss F.huber_loss F.kl_div F.poisson_nll_loss F.cosine_embedding_loss
        F.hinge_embedding_loss F.margin_ranking_loss F.soft_margin_loss F.triplet_margin_loss
        F.multi_margin_loss F.multilabel_margin_loss F.ctc_loss
        inverse pinverse linalg.inv linalg.solve linalg.cholesky linalg.qr linalg.svd linalg.svdvals
        linalg.eig linalg.eigh linalg.eigvals linalg.eigvalsh linalg.lstsq linalg.cond linalg.matrix_rank
    """,
    PROMOTE: """
        cat concat concatenate stack index_copy Tensor.index_copy
    """,
}

# Ops PyTorch lists for AutocastCUDA (AT_FORALL_LOWER_PRECISION_FP, AT_FORALL_FP32,
# AT_FORALL_FP32_SET_OPT_DTYPE, norm's fp32_append_dtype, AT_FORALL_PROMOTE).
# F.cross_entropy, F.softmin and F.normalize are not listed themselves but run
# through log_softmax + nll_loss, softmax and norm, so their results are float32.
CUDA = {
    LOWER: """
        mv Tensor.mv addbmm Tensor.addbmm addmv Tensor.addmv addr Tensor.addr
        chain_matmul linalg.multi_dot linalg.vecdot einsum
        prelu F.prelu F.scaled_dot_product_attention
    """,
    FP32: """
        acos Tensor.acos asin Tensor.asin cosh Tensor.cosh sinh Tensor.sinh tan Tensor.tan
        erfinv Tensor.erfinv exp Tensor.exp expm1 Tensor.expm1 log Tensor.log log10 Tensor.log10
        log2 Tensor.log2 log1p Tensor.log1p reciprocal Tensor.reciprocal rsqrt Tensor.rsqrt
        pow Tensor.pow Tensor.__pow__ Tensor.__rpow__ Tensor.__rtruediv__ Tensor.__rdiv__
        F.softplus layer_norm F.layer_norm F.group_norm F.rms_norm norm Tensor.norm
        cosine_similarity F.cosine_similarity dist Tensor.dist F.pdist cdist renorm Tensor.renorm
        logsumexp Tensor.logsumexp F.normalize
        F.interpolate F.upsample F.upsample_nearest F.upsample_bilinear
        F.cross_entropy F.nll_loss F.mse_loss F.l1_loss F.smooth_l1_loss F.huber_loss F.kl_div
        F.poisson_nll_loss F.cosine_embedding_loss F.hinge_embedding_loss F.margin_ranking_loss
        F.soft_margin_loss F.triplet_margin_loss F.multi_margin_loss F.multilabel_margin_loss
        F.binary_cross_entropy_with_logits
    """,
    SET_DTYPE: """
        sum Tensor.sum prod Tensor.prod cumsum Tensor.cumsum cumprod Tensor.cumprod
        softmax Tensor.softmax log_softmax Tensor.log_softmax F.softmax F.log_softmax F.softmin
        linalg.vector_norm linalg.matrix_norm
    """,
    PROMOTE: """
        addcdiv Tensor.addcdiv addcmul Tensor.addcmul atan2 Tensor.atan2 F.bilinear cross Tensor.cross
        linalg.cross dot Tensor.dot vdot Tensor.vdot linalg.vdot F.grid_sample index_put Tensor.index_put
        tensordot scatter_add Tensor.scatter_add
    """,
    BANNED: """
        F.binary_cross_entropy
    """,
}

# Entry points whose PyTorch op depends on the arguments: the policy applies only
# where the predicate (over the arguments by name) holds. F.pad reaches the listed
# reflection_pad1d/2d and replication_pad1d/2d/3d ops only in those modes; max_pool3d
# with return_indices=True is max_pool3d_with_indices, which is not listed; mode
# "area" of interpolate is adaptive_avg_pool, not an upsample op.
PREDICATES = {
    "F.pad": lambda a: ((a["mode"] == "reflect" and len(a["pad"]) in (2, 4))
                        or (a["mode"] == "replicate" and len(a["pad"]) in (2, 4, 6))),
    "F.max_pool3d": lambda a: not a["return_indices"],
    "F.interpolate": lambda a: a["mode"] != "area",
    "F.upsample": lambda a: a["mode"] != "area",
}

BANNED_MESSAGES = {
    "F.binary_cross_entropy": (
        "torch.nn.functional.binary_cross_entropy and torch.nn.BCELoss are unsafe to autocast.\n"
        "Many models use a sigmoid layer right before the binary cross entropy layer.\n"
        "In this case, combine the two layers using torch.nn.functional.binary_cross_entropy_with_logits\n"
        "or torch.nn.BCEWithLogitsLoss.  binary_cross_entropy_with_logits and BCEWithLogits are\n"
        "safe to autocast."),
}

# Exact signatures for the C++ builtins among the entry points (Python functions
# give theirs to inspect). A wrapper with the exact signature forwards its
# arguments without packing *args/**kwargs, which is most of a wrapper's cost;
# builtins not named here get a generic (*args, **kwargs) wrapper. SET_DTYPE ops
# need one, to find their dtype argument. Keyword-only arguments left at their
# default are not passed on.
_MATMUL = "input, other, *, out=None"
_METHOD2 = "self, other"
_UNARY = "input, *, out=None"
_REDUCE = "input, dim=None, keepdim=False, *, dtype=None, out=None"
_SOFTMAX = "input, dim, dtype=None, *, out=None"
_SCAN = "input, dim, *, dtype=None, out=None"
_CAT = "tensors, dim=0, *, out=None"
SIGNATURES = {
    "mv": _MATMUL, "dot": _MATMUL, "vdot": _MATMUL, "linalg.vdot": _MATMUL,
    "addmv": "input, mat, vec, *, beta=1, alpha=1, out=None",
    "cat": _CAT, "concat": _CAT, "concatenate": _CAT, "stack": _CAT,
    "prod": _REDUCE, "sum": _REDUCE, "softmax": _SOFTMAX, "log_softmax": _SOFTMAX,
    "cumsum": _SCAN, "cumprod": _SCAN,
    "trace": _UNARY, "view_as_complex": _UNARY,
    "Tensor.mv": _METHOD2, "Tensor.dot": _METHOD2, "Tensor.vdot": _METHOD2,
    "Tensor.prod": "self, dim=None, keepdim=False, *, dtype=None",
    "Tensor.sum": "self, dim=None, keepdim=False, *, dtype=None",
    "Tensor.softmax": "self, dim, dtype=None", "Tensor.log_softmax": "self, dim, dtype=None",
    "Tensor.cumsum": "self, dim, *, dtype=None", "Tensor.cumprod": "self, dim, *, dtype=None",
    "Tensor.trace": "self",
}
for _name in ("acos asin cosh sinh tan erfinv exp expm1 log log10 log2 log1p reciprocal rsqrt").split():
    SIGNATURES[_name] = _UNARY
    SIGNATURES["Tensor." + _name] = "self"
del _name
