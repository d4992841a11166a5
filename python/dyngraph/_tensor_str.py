"""Tensor.__repr__, laid out the way PyTorch prints tensors.

Floats use 4 decimals, an integer style (``1.``) when every value is whole,
and scientific notation when magnitudes span more than 1000x; tensors with
more than 1000 elements are summarized with ``...`` (3 items at each edge).
"""

import math

PRECISION = 4
THRESHOLD = 1000
EDGEITEMS = 3
LINEWIDTH = 80
SCI_MODE = None  # None: chosen from the values (set_printoptions(sci_mode=...) forces it)


class _Formatter:
    def __init__(self, values, floating):
        self.floating = floating
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        if not floating:
            for v in values:
                self.max_width = max(self.max_width, len(str(v)))
            return
        # As PyTorch: the style and the column width come from the nonzero
        # finite values only (nan, inf and zeros are printed as they come).
        finite = [v for v in values if math.isfinite(v) and v != 0]
        if not finite:
            return
        magnitudes = [abs(v) for v in finite]
        lo, hi = min(magnitudes), max(magnitudes)
        self.int_mode = all(v == math.ceil(v) for v in finite)
        if self.int_mode:
            self.sci_mode = hi / lo > 1000.0 or hi > 1.0e8
        else:
            self.sci_mode = hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4
        if SCI_MODE is not None:
            self.sci_mode = SCI_MODE
        for v in finite:
            self.max_width = max(self.max_width, len(self._plain(v)))

    def _plain(self, v):
        if not self.floating:
            return str(v)
        if self.sci_mode:
            return f"{v:.{PRECISION}e}"
        if self.int_mode:
            s = f"{v:.0f}"
            return s if math.isinf(v) or math.isnan(v) else s + "."
        return f"{v:.{PRECISION}f}"

    def width(self):
        return self.max_width

    def format(self, v):
        s = self._plain(v)
        return " " * (self.max_width - len(s)) + s


def _flat_values(t, summarize):
    """The values the formatter sizes itself on (only the edges when summarized)."""
    if t.dim() == 0:
        return [t.item()]
    if summarize and t.shape[0] > 2 * EDGEITEMS:
        parts = [t[i] for i in range(EDGEITEMS)] + [t[i] for i in range(t.shape[0] - EDGEITEMS, t.shape[0])]
    else:
        parts = [t[i] for i in range(t.shape[0])]
    out = []
    for p in parts:
        out.extend(_flat_values(p, summarize))
    return out


def _scalar_str(v, f1, f2):
    if f2 is None:
        return f1.format(v)
    real = f1.format(v.real)
    imag = (f2.format(v.imag) + "j").lstrip()
    return real + imag if imag[0] in "+-" else real + "+" + imag


def _vector_str(t, indent, summarize, f1, f2):
    element_length = f1.width() + 2 + (f2.width() + 1 if f2 is not None else 0)
    per_line = max(1, int(math.floor((LINEWIDTH - indent) / element_length)))
    n = t.shape[0]
    if summarize and n > 2 * EDGEITEMS:
        head = t[:EDGEITEMS].tolist()
        tail = t[n - EDGEITEMS:].tolist()
        data = [_scalar_str(v, f1, f2) for v in head] + [" ..."] + [_scalar_str(v, f1, f2) for v in tail]
    else:
        data = [_scalar_str(v, f1, f2) for v in t.tolist()]
    lines = [", ".join(data[i:i + per_line]) for i in range(0, len(data), per_line)]
    return "[" + ("," + "\n" + " " * (indent + 1)).join(lines) + "]"


def _tensor_str(t, indent, summarize, f1, f2):
    dim = t.dim()
    if dim == 0:
        return _scalar_str(t.item(), f1, f2)
    if dim == 1:
        return _vector_str(t, indent, summarize, f1, f2)
    n = t.shape[0]
    if summarize and n > 2 * EDGEITEMS:
        rows = ([_tensor_str(t[i], indent + 1, summarize, f1, f2) for i in range(EDGEITEMS)] + ["..."]
                + [_tensor_str(t[i], indent + 1, summarize, f1, f2) for i in range(n - EDGEITEMS, n)])
    else:
        rows = [_tensor_str(t[i], indent + 1, summarize, f1, f2) for i in range(n)]
    return "[" + ("," + "\n" * (dim - 1) + " " * (indent + 1)).join(rows) + "]"


def _add_suffixes(text, suffixes, indent):
    parts = [text]
    last_line_len = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last_line_len + len(suffix) + 2 > LINEWIDTH:
            parts.append(",\n" + " " * indent + suffix)
            last_line_len = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last_line_len += len(suffix) + 2
    parts.append(")")
    return "".join(parts)


def tensor_repr(t):
    import dyngraph

    prefix = "tensor("
    indent = len(prefix)
    suffixes = []
    default = dyngraph.get_default_dtype()
    default_complex = dyngraph.complex128 if default is dyngraph.float64 else dyngraph.complex64
    if t.device.type != "cpu":
        suffixes.append(f"device='{t.device}'")
    if t.numel() == 0:
        if t.dim() != 1:
            suffixes.append("size=" + str(tuple(t.shape)))
        if t.dtype is not default:
            suffixes.append("dtype=" + repr(t.dtype))
        body = "[]"
    else:
        if t.dtype not in (default, default_complex, dyngraph.int64, dyngraph.bool):
            suffixes.append("dtype=" + repr(t.dtype))
        src = t.detach().cpu()
        if src.dtype in (dyngraph.float16, dyngraph.bfloat16):
            src = src.float()
        summarize = src.numel() > THRESHOLD
        values = _flat_values(src, summarize)
        if src.dtype.is_complex:
            f1 = _Formatter([v.real for v in values], True)
            f2 = _Formatter([v.imag for v in values], True)
        else:
            f1, f2 = _Formatter(values, src.dtype.is_floating_point), None
        body = _tensor_str(src, indent, summarize, f1, f2)
    if t.grad_fn is not None:
        suffixes.append(f"grad_fn=<{type(t.grad_fn).__name__ if not hasattr(t.grad_fn, 'name') else t.grad_fn.name()}>")
    elif t.requires_grad:
        suffixes.append("requires_grad=True")
    return _add_suffixes(prefix + body, suffixes, indent)
