"""einsum and tensordot: Einstein-summation contractions routed to bmm.

Every contraction of two operands is reshaped into one batched matrix
product (batch labels x kept-left labels x summed labels) @ (summed labels x
kept-right labels), so no elementwise product over the full label space is
ever materialised; autograd comes from the permute/reshape/bmm it is built of.
"""

import builtins

from . import _C
from ._C import Tensor
from ._out import finish_out

__all__ = ["einsum", "tensordot"]

# Labels are small ints: letters map to their code points; the dims an
# ellipsis stands for get negative ints (-1 is the last of them), so they sort
# before every letter, as PyTorch puts '...' first in an implicit output.


def _letter_labels(text, where):
    labels = []
    for ch in text:
        if not ch.isalpha() or not ch.isascii():
            raise RuntimeError(f"einsum(): invalid subscript given at index {where}: '{ch}' "
                               "(subscripts must be in [a-zA-Z])")
        labels.append(ord(ch))
    return labels


def _parse_term(term, ndim, operand_index):
    """Labels for one operand's subscripts; '...' expands to the dims left over."""
    if "..." in term:
        before, _, after = term.partition("...")
        if "." in before or "." in after:
            raise RuntimeError("einsum(): found '.' for operand %d that is not part of any ellipsis" % operand_index)
        head, tail = _letter_labels(before, operand_index), _letter_labels(after, operand_index)
        n_ell = ndim - len(head) - len(tail)
        if n_ell < 0:
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({len(head) + len(tail)}) is more "
                               f"than the number of dimensions ({ndim}) for operand {operand_index}")
        return head + list(range(-n_ell, 0)) + tail
    if "." in term:
        raise RuntimeError(f"einsum(): found '.' for operand {operand_index} that is not part of any ellipsis")
    labels = _letter_labels(term, operand_index)
    if len(labels) != ndim:
        raise RuntimeError(f"einsum(): the number of subscripts in the equation ({len(labels)}) does not match the "
                           f"number of dimensions ({ndim}) for operand {operand_index}"
                           + ("" if len(labels) > ndim else " and no ellipsis was given"))
    return labels


def _sublist_labels(sublist):
    """The list-of-ints form: ints 0..51 are labels, Ellipsis is '...'."""
    out = []
    for s in sublist:
        if s is Ellipsis:
            out.append("...")
        elif isinstance(s, builtins.int) and 0 <= s < 52:
            out.append(chr(ord("A") + s) if s < 26 else chr(ord("a") + s - 26))
        else:
            raise ValueError(f"einsum(): expected subscript to be within the range [0, 52) but got {s}")
    return "".join(out)


def _split_sublist_form(args):
    """einsum(op0, sub0, op1, sub1, ..., [sublist_out]) -> (equation, operands)."""
    operands, terms = list(args[0::2]), [_sublist_labels(s) for s in args[1::2]]
    output = None
    if len(operands) > len(terms):  # odd count: the last item is the output sublist
        output = _sublist_labels(operands.pop())
    return ",".join(terms) + ("" if output is None else "->" + output), operands


def _take_diagonals(op, labels):
    """A label repeated within one operand ('ii') means its diagonal."""
    while len(set(labels)) != len(labels):
        seen = {}
        for pos, lab in enumerate(labels):
            if lab in seen:
                first = seen[lab]
                if op.shape[first] != op.shape[pos]:
                    raise RuntimeError(f"einsum(): subscript {_label_name(lab)} is repeated for operand but the sizes "
                                       f"don't match, {op.shape[pos]} != {op.shape[first]}")
                op = op.diagonal(0, first, pos)  # the diagonal becomes the last dim
                labels = [l for i, l in enumerate(labels) if i not in (first, pos)] + [lab]
                break
            seen[lab] = pos
    return op, labels


def _label_name(lab):
    return "..." if lab < 0 else chr(lab)


def _sum_labels(op, labels, drop):
    dims = [i for i, l in enumerate(labels) if l in drop]
    if not dims:
        return op, labels
    return op.sum(dims), [l for l in labels if l not in drop]


def _contract_pair(a, la, b, lb, keep):
    """Contract two operands over their shared labels not in `keep`, as one bmm."""
    sizes = {}
    for op, labels in ((a, la), (b, lb)):
        for lab, n in zip(labels, op.shape):
            prev = sizes.get(lab, 1)
            if n != 1 and prev != 1 and n != prev:
                raise RuntimeError(f"einsum(): subscript {_label_name(lab)} has size {n} which does not broadcast "
                                   f"with previously seen size {prev}")
            sizes[lab] = n if prev == 1 else prev  # a size of 1 broadcasts (also against 0)
    sb = set(lb)
    batch = [l for l in la if l in sb and l in keep]
    summed = [l for l in la if l in sb and l not in keep]
    left = [l for l in la if l not in sb]
    right = [l for l in lb if l not in set(la)]

    def as_3d(op, labels, groups):
        order = [labels.index(l) for g in groups for l in g]
        shape = [sizes[l] for g in groups for l in g]
        op = op.permute(order).expand(shape)  # size-1 dims broadcast against the other operand
        flat = [_prod(sizes[l] for l in g) for g in groups]
        return op.reshape(flat)

    a3 = as_3d(a, la, (batch, left, summed))
    b3 = as_3d(b, lb, (batch, summed, right))
    out = _C.bmm(a3, b3)
    out_labels = batch + left + right
    return out.reshape([sizes[l] for l in out_labels]), out_labels


def _prod(values):
    p = 1
    for v in values:
        p *= v
    return p


def einsum(*args):
    """torch.einsum(equation, *operands) or the sublist form einsum(op, [0, 1], op2, [1, 2], [0, 2])."""
    if not args:
        raise TypeError("einsum(): must specify the equation string and at least one operand, "
                        "or at least one operand and its subscripts list")
    if isinstance(args[0], str):
        equation, operands = args[0], list(args[1:])
        if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
            operands = list(operands[0])
    else:
        equation, operands = _split_sublist_form(args)
    if not operands:
        raise RuntimeError("einsum(): must provide at least one operand")
    equation = equation.replace(" ", "")
    lhs, arrow, rhs = equation.partition("->")
    terms = lhs.split(",")
    if len(terms) != len(operands):
        raise RuntimeError(f"einsum(): more operands were provided than specified in the equation"
                           if len(operands) > len(terms) else
                           "einsum(): fewer operands were provided than specified in the equation")
    labels = [_parse_term(t, op.dim(), i) for i, (t, op) in enumerate(zip(terms, operands))]
    n_ell = builtins.max([-builtins.min([l for l in ls if l < 0], default=0) for ls in labels], default=0)

    if arrow:
        if "..." in rhs:
            before, _, after = rhs.partition("...")
            out_labels = _letter_labels(before, "output") + list(range(-n_ell, 0)) + _letter_labels(after, "output")
        else:
            out_labels = _letter_labels(rhs, "output")
        if len(set(out_labels)) != len(out_labels):
            dup = next(l for l in out_labels if out_labels.count(l) > 1)
            raise RuntimeError(f"einsum(): output subscript {_label_name(dup)} appears more than once in the output")
        present = {l for ls in labels for l in ls}
        for l in out_labels:
            if l >= 0 and l not in present:
                raise RuntimeError(f"einsum(): output subscript {chr(l)} does not appear in the equation for any "
                                   "input operand")
    else:  # implicit output: the ellipsis dims, then labels seen exactly once, in alphabetical order
        counts = {}
        for ls in labels:
            for l in ls:
                counts[l] = counts.get(l, 0) + 1
        out_labels = list(range(-n_ell, 0)) + sorted(l for l, c in counts.items() if c == 1 and l >= 0)

    dtype = operands[0].dtype
    for op in operands[1:]:
        dtype = _C.promote_types(dtype, op.dtype)
    ops = [op if op.dtype == dtype else op.to(dtype) for op in operands]

    # Diagonals first, then sum away labels no other operand nor the output needs.
    for i in range(len(ops)):
        ops[i], labels[i] = _take_diagonals(ops[i], labels[i])
    out_set = set(out_labels)
    for i in range(len(ops)):
        elsewhere = out_set.union(*[set(ls) for j, ls in enumerate(labels) if j != i])
        ops[i], labels[i] = _sum_labels(ops[i], labels[i], set(labels[i]) - elsewhere)

    result, res_labels = ops[0], labels[0]
    for i in range(1, len(ops)):
        keep = out_set.union(*[set(ls) for ls in labels[i + 1:]])
        result, res_labels = _contract_pair(result, res_labels, ops[i], labels[i], keep)
        result, res_labels = _sum_labels(result, res_labels, set(res_labels) - keep)

    # Ellipsis dims an operand lacks were never there: give them size 1 to broadcast.
    missing = [l for l in out_labels if l not in res_labels]
    if missing:
        result = result.reshape(list(result.shape) + [1] * len(missing))
        res_labels = res_labels + missing
    if res_labels != out_labels:
        result = result.permute([res_labels.index(l) for l in out_labels])
    if len(operands) == 1 and result is operands[0]:
        result = result.view(result.shape)  # einsum never returns its input object itself
    return result


def tensordot(a, b, dims=2, out=None):
    """Sum of products over dims of a and b: dims=int (last n of a with first n of b) or ([dims_a], [dims_b])."""
    if isinstance(dims, Tensor):
        dims = dims.tolist() if dims.dim() else dims.item()
    if isinstance(dims, builtins.int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        if dims > builtins.min(a.dim(), b.dim()):
            raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got dims={dims}")
        dims_a, dims_b = list(range(a.dim() - dims, a.dim())), list(range(dims))
    else:
        dims_a, dims_b = dims
        dims_a = [dims_a] if isinstance(dims_a, builtins.int) else list(dims_a)
        dims_b = [dims_b] if isinstance(dims_b, builtins.int) else list(dims_b)
    if len(dims_a) != len(dims_b):
        raise RuntimeError("both dimension lists should have same length")
    dims_a = [d % a.dim() if a.dim() else d for d in dims_a]
    dims_b = [d % b.dim() if b.dim() else d for d in dims_b]
    for da, db in zip(dims_a, dims_b):
        if a.shape[da] != b.shape[db]:
            raise RuntimeError(f"contracted dimensions need to match, but first has size {a.shape[da]} in dim {da} "
                               f"and second has size {b.shape[db]} in dim {db}")
    free_a = [d for d in range(a.dim()) if d not in dims_a]
    free_b = [d for d in range(b.dim()) if d not in dims_b]
    k = _prod(a.shape[d] for d in dims_a)
    a2 = a.permute(free_a + dims_a).reshape(_prod(a.shape[d] for d in free_a), k)
    b2 = b.permute(dims_b + free_b).reshape(k, _prod(b.shape[d] for d in free_b))
    dtype = _C.promote_types(a.dtype, b.dtype)
    r = _C.mm(a2.to(dtype), b2.to(dtype)).reshape([a.shape[d] for d in free_a] + [b.shape[d] for d in free_b])
    return finish_out(r, out)
