"""The sweep's cases: public callable names x pathological argument sets.

A case id is "<namespace>.<name>|<tok>,<tok>,..." (e.g. "torch.narrow|t2,0,huge"). Each token names
one argument built by make_arg from a fixed recipe (NumPy data, no randomness), so dyngraph and torch
get exactly the same call. Namespaces: "torch" (top-level functions), "Tensor" (methods: the first
token is self), "F" (nn.functional), "linalg".
"""

import inspect
import math
import pathlib

import numpy as np

NAMES_FILE = pathlib.Path(__file__).with_name("torch_names.txt")

# Tensors: token -> (NumPy data, dtype name). Small, so a call that succeeds costs microseconds.
TENSORS = {
    "t0d": (np.array(1.5), "float32"),
    "empty": (np.zeros((0,)), "float32"),
    "empty2d": (np.zeros((0, 3)), "float32"),
    "t1": (np.array([0.5, 1.5, -2.0, 3.0]), "float32"),
    "t2": (np.array([[1.0, -2.0, 3.0], [0.5, -0.25, 4.0]]), "float32"),
    "t2n": (np.array([[np.nan, np.inf, -np.inf], [0.0, -0.0, 1.0]]), "float32"),
    "t2i": (np.array([[1, 0, 2], [2, 1, 0]]), "int64"),
    "t2b": (np.array([[True, False, True], [False, False, True]]), "bool"),
    "t2c": (np.array([[1 + 2j, -1j, 3], [0, 0.5, -2 + 1j]]), "complex64"),
    "t2h": (np.array([[1.0, -2.0, 3.0], [0.5, -0.25, 4.0]]), "float16"),
    "t4": (np.arange(18.0).reshape(1, 2, 3, 3) / 10, "float32"),
    "t57": (np.arange(35.0).reshape(5, 7) - 17, "float32"),
    "ioob": (np.array([0, 7, -9]), "int64"),  # index tensor out of range for a (2, 3) tensor
    "ioob2": (np.array([[0, 5, 1], [-9, 0, 2]]), "int64"),  # same, shaped like t2 (gather, scatter)
    "toob": (np.array([0, 7]), "int64"),  # class targets out of range (nll_loss, cross_entropy)
    "ineg": (np.array([-1, 3]), "int64"),  # negative counts (bincount, repeat_interleave)
    "izero": (np.zeros((2, 3)), "int64"),  # integer division by zero
    "imin": (np.array([-2.0 ** 63, 7]), "int64"),  # INT64_MIN // -1 traps on x86
    "t2u8": (np.array([[1, 0, 2], [200, 1, 255]]), "uint8"),
    "if32": (np.array([0.0, 1.0]), "float32"),  # float tensor where indices are expected
    "b5": (np.array([True, False, True, False, True]), "bool"),  # mask of the wrong shape
    "w4": (np.array([1.0, -1.0]).reshape(1, 2, 1, 1), "float32"),  # a valid conv2d weight for t4
    "sq": (np.array([[2.0, 1, 0], [1, 3, 1], [0, 1, 4]]), "float32"),
    "sq0": (np.zeros((0, 0)), "float32"),
    "sqn": (np.array([[np.nan, 1, 0], [1, np.inf, 1], [0, 1, 4]]), "float32"),
}

# Views of the tensors above: non-contiguous and zero-stride inputs take other kernel paths.
VIEWS = {"t32T": ("t2", "t", ()), "texp": ("t1", "expand", (3, 4))}  # token: (base, method, args)

# Non-tensor tokens. Plain small integers ("0", "-3") are written as themselves.
SCALARS = {
    "huge": 2 ** 62, "-huge": -2 ** 62, "i31": 2 ** 31, "i32": 2 ** 32, "i63": 2 ** 63,  # i63 overflows int64
    "neg1": -1, "neg5": -5, "nan": math.nan, "inf": math.inf, "f1.5": 1.5,
    "str": "x", "none": None, "l12": [1, 2],
    "sz_huge": (2 ** 62, 2 ** 62), "sz_neg": (-1, 3), "sz_ovf": (2 ** 32, 2 ** 32), "sz_0": (),
    "sz_23": (2, 3), "sz_stbig": (2 ** 62, 1), "sz_stneg": (-1, 1),  # as_strided sizes and strides
}

# The argument sets, as token strings. "name=tok" is a keyword argument.
ARGSETS = [
    "",
    "t0d", "empty", "empty2d", "t2", "t2n", "t2i", "t2b", "t2c", "t2h", "t4",
    # sizes / counts / scalars that are huge, negative, overflowing, non-finite or of the wrong type
    "t2,huge", "t2,i31", "t2,i63", "t2,neg5", "t2,i32,i32", "t2,nan", "t2,inf", "t2,str", "t2,none", "t2,l12",
    "t2,sz_huge", "t2,sz_neg",
    # dims out of range, on 0-d and empty tensors
    "t2,2", "t2,-3", "t0d,0", "t0d,1", "empty,0", "t2,dim=5", "t2,dim=-huge",
    # dim + index/length patterns (narrow, select, index_select, gather, scatter, ...)
    "t2,0,huge", "t2,1,5", "t2,1,-1", "t2,0,0,huge", "t2,0,neg5,1", "t2,0,ioob", "t2,0,if32", "t2,ioob",
    "t2,1,ioob,t2",
    # tensor operands of the wrong dtype or shape
    "t2i,t2", "t2,t2c", "t2h,t2", "t2b,t2b", "t2,t57", "t2,t2", "empty,empty", "t2,t2,t2", "t4,t4", "t4,empty",
    # integer arithmetic traps: division by zero, INT64_MIN / -1, over-wide shifts, uint8 negation
    "t2i,0", "t2i,izero", "imin,neg1", "t2i,70", "t2i,t2i", "t2u8,neg5", "t2u8",
    # conv / pool / unfold geometry: kernel or stride 0, huge padding, dilation or groups 0
    "t4,0", "t4,huge", "t4,neg1", "t4,2,0", "t4,1,1,huge", "t4,w4", "t4,w4,none,0", "t4,w4,none,1,huge",
    "t4,w4,none,1,0,0", "t4,w4,none,1,0,1,0", "t2,0,1,0", "t2,0,huge,1",
    # strides that reach outside the storage (as_strided, set_)
    "t2,sz_23,sz_23", "t2,sz_23,sz_stbig", "t2,sz_23,sz_stneg", "t2,sz_23,l12,huge",
    # indices out of range where the shapes are right, so bounds checks are all that stands
    "t2,1,ioob2", "t2,0,ioob2,t2", "t2,ioob2", "ioob2,t2", "t2,toob", "t2,ioob,t2", "ineg", "t2,ineg",
    "t2,b5", "empty,toob",
    # square matrices: regular, empty, non-finite; and mismatched products
    "sq", "sq0", "sqn", "sq,sq", "sq,t2", "t2,sq",
    # non-contiguous and expanded (zero-stride) operands, in-place ops included
    "t32T", "texp", "texp,texp", "texp,t1", "t32T,t32T",
    # out= of the wrong shape, dtype or overlapping memory; dtype= that cannot hold the result
    "t2,out=t57", "t2,t2,out=texp", "t2,t2,out=t2i", "t2,dtype=dt_complex64", "t2,dtype=dt_bool",
    "sz_23,dtype=dt_bool", "t2i,dtype=dt_float16",
    # non-tensor first arguments (factories, sizes)
    "huge", "i31,i31", "neg1", "neg5,3", "i32,i32", "sz_huge", "sz_neg", "sz_ovf", "nan", "str", "none",
]

# Never called: they change process-wide state (which would leak into later cases) or touch files.
SKIP = {
    "torch": {"save", "load", "manual_seed", "seed", "use_deterministic_algorithms", "compile", "from_file",
              "autocast_increment_nesting", "autocast_decrement_nesting", "clear_autocast_cache"},
    "Tensor": {"share_memory_"},
    "F": set(),
    "linalg": set(),
}
SKIP_PREFIXES = ("set_",)

# Tensor dunders worth sweeping (the rest are object plumbing).
DUNDERS = set("""__add__ __radd__ __iadd__ __sub__ __rsub__ __isub__ __mul__ __rmul__ __imul__ __truediv__
__rtruediv__ __itruediv__ __floordiv__ __rfloordiv__ __ifloordiv__ __mod__ __rmod__ __imod__ __pow__ __rpow__
__ipow__ __matmul__ __rmatmul__ __and__ __or__ __xor__ __rand__ __ror__ __rxor__ __iand__ __ior__ __ixor__
__lshift__ __rshift__ __rlshift__ __rrshift__ __ilshift__ __irshift__ __neg__ __pos__ __abs__ __invert__
__eq__ __ne__ __lt__ __le__ __gt__ __ge__ __getitem__ __setitem__ __len__ __iter__ __contains__ __bool__
__int__ __float__ __complex__ __index__ __array__ __deepcopy__ __reversed__ __dlpack__ __dlpack_device__
__format__ __repr__ __div__ __rdiv__ __idiv__""".split())

# Results whose values legitimately differ between libraries (random draws, uninitialized memory,
# addresses): only their kind, shape and dtype are compared.
LOOSE_WORDS = ("rand", "normal", "bernoulli", "multinomial", "dropout", "uniform", "exponential", "geometric",
               "cauchy", "poisson", "empty", "rrelu", "gumbel", "fractional", "seed", "rng_state", "data_ptr",
               "storage", "Generator", "__repr__", "__format__", "random_")


# ...and single ops whose name has none of those words (uninitialized memory: Tensor.new(*sizes), the
# elements resize_ adds).
LOOSE_OPS = ("Tensor.new", "Tensor.resize_", "Tensor.resize_as_", "torch.resize_as_")


def is_loose(case_id):
    op = case_id.split("|")[0]
    return op in LOOSE_OPS or any(w in op for w in LOOSE_WORDS)


def _public(obj, name, ns):
    if name in SKIP[ns] or name.startswith(SKIP_PREFIXES):
        return False
    if name.startswith("_") and not (ns == "Tensor" and name in DUNDERS):
        return False
    try:
        value = getattr(obj, name)
    except Exception:
        return False
    if not callable(value) or inspect.ismodule(value):
        return False
    return ns == "torch" or not inspect.isclass(value)  # classes only at top level (torch.Size(...), ...)


def namespaces(lib):
    return {"torch": lib, "Tensor": lib.Tensor, "F": lib.nn.functional, "linalg": lib.linalg}


def public_names(lib):
    """{namespace: sorted public callable names} of a library (dyngraph or torch)."""
    return {ns: sorted(n for n in dir(obj) if _public(obj, n, ns)) for ns, obj in namespaces(lib).items()}


def torch_names():
    """torch's public names: from torch when importable, else from the checked-in list."""
    try:
        import torch
    except ImportError:
        names = {ns: [] for ns in SKIP}
        for line in NAMES_FILE.read_text().split():
            ns, name = line.split(".", 1)
            names[ns].append(name)
        return names
    return public_names(torch)


def write_torch_names():
    names = torch_names()
    NAMES_FILE.write_text("".join(f"{ns}.{n}\n" for ns in sorted(names) for n in names[ns]))


def all_cases(dg):
    """Every case id: each name public in both dyngraph and torch x each applicable argument set."""
    ours, theirs = public_names(dg), torch_names()
    cases = []
    for ns in SKIP:
        for name in sorted(set(ours[ns]) & set(theirs[ns])):
            for args in ARGSETS:
                # a method needs a tensor self: only sets that start with one
                if ns == "Tensor" and args.split(",")[0] not in {**TENSORS, **VIEWS}:
                    continue
                cases.append(f"{ns}.{name}|{args}")
    return cases


def make_arg(lib, tok):
    if tok in VIEWS:
        base, method, args = VIEWS[tok]
        return getattr(make_arg(lib, base), method)(*args)
    if tok in TENSORS:
        data, dtype = TENSORS[tok]
        if not dtype.startswith(("float", "complex")):
            data = data.real.astype(dtype)  # exact integers (INT64_MIN included) and bools
        t = lib.tensor(data.tolist(), dtype=getattr(lib, dtype))
        return t.reshape(data.shape) if data.ndim > 1 or data.size == 0 else t
    if tok in SCALARS:
        return SCALARS[tok]
    if tok.startswith("dt_"):  # a dtype of the library: dt_float16 -> lib.float16
        return getattr(lib, tok[3:])
    return int(tok)


def build(lib, case_id):
    """(function, args, kwargs) for a case in a library."""
    target, argstr = case_id.split("|")
    ns, name = target.split(".", 1)
    args, kwargs = [], {}
    for tok in filter(None, argstr.split(",")):
        if "=" in tok:
            key, val = tok.split("=")
            kwargs[key] = make_arg(lib, val)
        else:
            args.append(make_arg(lib, tok))
    if ns == "Tensor":  # bound method of the first argument, as user code calls it
        return getattr(args[0], name), args[1:], kwargs
    return getattr(namespaces(lib)[ns], name), args, kwargs
