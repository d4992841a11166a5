"""Unpickling damaged pickled tensors.

pickle runs whatever callables a pickle names, so fuzzing plain pickle.loads would only find that. The
unpickler here resolves just the callables a pickled tensor uses: dyngraph's _rebuild and NumPy's array
reconstruction. A tensor pickles as _rebuild(ndarray, dtype name, device, requires_grad) (_tensor.py), so the
question is whether _rebuild refuses bad arguments with a Python exception and otherwise builds a tensor that
matches the array it was given.
"""

import codecs
import io
import pickle
import pickletools
import sys

import atheris

with atheris.instrument_imports():
    import dyngraph
    from dyngraph import _tensor
import numpy as np

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from _common import EXPECTED, main, pick, refused  # noqa: E402


class Bug(Exception):
    """Raised past every handler: dyngraph's own code failed in an unexpected way."""


def checked_rebuild(*args):
    try:
        t = _tensor._rebuild(*args)
    except EXPECTED as e:
        if refused(e):
            return None
        raise Bug(f"_rebuild{args!r:.200} raised {e!r}") from e
    except Exception as e:
        raise Bug(f"_rebuild{args!r:.200} raised {e!r}") from e
    array = args[0]
    if t.dtype is not dyngraph.bfloat16 and array.size <= 1 << 16:
        expected = array != 0 if array.dtype == np.bool_ else array
        got = t.detach().numpy()
        if got.shape != array.shape or not np.array_equal(got, expected, equal_nan=got.dtype.kind in "fc"):
            raise Bug(f"_rebuild of {array.dtype}{array.shape} gave different values")
    return t


def latin1_encode(text, encoding):
    """Protocol 2 spells bytes as _codecs.encode(text, "latin1"); other codecs (zlib, ...) are not needed."""
    if encoding not in ("latin1", "latin-1"):
        raise pickle.UnpicklingError(f"codec {encoding!r:.50} is not allowed here")
    return codecs.encode(text, encoding)


def numpy_dtype(name, align=False, copy=True):
    """np.dtype for the codes a pickled array uses: NumPy's dtype-string parser is NumPy's to fuzz, not ours."""
    if (name not in {"b1", "u1", "i1", "i2", "i4", "i8", "f2", "f4", "f8", "c8", "c16", "u2", "u8", "V2"}
            or type(align) is not bool or type(copy) is not bool):
        raise pickle.UnpicklingError(f"dtype {name!r:.50} is not allowed here")
    return np.dtype(name, align, copy)


ALLOWED = {
    ("dyngraph._tensor", "_rebuild"): checked_rebuild,
    ("dyngraph._types", "_dtype_from_name"): dyngraph._types._dtype_from_name,
    ("numpy._core.multiarray", "_reconstruct"): np._core.multiarray._reconstruct,
    ("numpy.core.multiarray", "_reconstruct"): np._core.multiarray._reconstruct,
    ("numpy._core.numeric", "_frombuffer"): np._core.numeric._frombuffer,
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): numpy_dtype,
    ("_codecs", "encode"): latin1_encode,
}


def _valid_array_state(state):
    """Whether a protocol-2 ndarray state (version, shape, dtype, fortran, data) is consistent."""
    if not (isinstance(state, tuple) and len(state) == 5 and isinstance(state[1], tuple)
            and all(type(n) is int and 0 <= n <= 1 << 16 for n in state[1]) and isinstance(state[2], np.dtype)
            and isinstance(state[4], bytes)):
        return False
    n = 1
    for size in state[1]:
        n *= size
    return n * state[2].itemsize == len(state[4])


class RestrictedUnpickler(pickle._Unpickler):
    """Resolves only ALLOWED, and lets BUILD reach NumPy only with well-formed states: NumPy itself crashes on some
    malformed ones (np.dtype("i8") with the state (3, "<", None, -1, -1, 0) corrupts the int64 singleton and the
    process segfaults, no dyngraph involved), which would hide everything this target is for."""

    dispatch = dict(pickle._Unpickler.dispatch)

    def find_class(self, module, name):
        if (module, name) not in ALLOWED:
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed here")
        return ALLOWED[(module, name)]

    def load_build(self):
        state, inst = self.stack[-1], self.stack[-2]
        if isinstance(inst, np.dtype):
            if state != inst.__reduce__()[2]:
                raise pickle.UnpicklingError("a dtype state other than its own")
            self.stack.pop()  # a dtype from numpy_dtype already is what its own state describes
            return
        if isinstance(inst, np.ndarray) and not _valid_array_state(state):
            raise pickle.UnpicklingError("an inconsistent ndarray state")
        super().load_build()

    dispatch[pickle.BUILD[0]] = load_build


def _seeds():
    ts = [dyngraph.arange(6).reshape(2, 3).T, dyngraph.tensor([True, False]), dyngraph.ones(2).bfloat16(),
          dyngraph.zeros(0, 2, dtype=dyngraph.int16), dyngraph.tensor(1.5, requires_grad=True),
          dyngraph.ones(3, dtype=dyngraph.complex128)]
    return [pickle.dumps(t, protocol=p) for t in ts for p in (2, 5)]


SEEDS = _seeds()
DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "uint16", "uint64", "float16", "float32", "float64",
          "complex64", "complex128", ">i4", ">f8", "V2", "M8[s]", "U3", "O"]


def _direct(fdp):
    """_rebuild itself, with a fuzzed array (any dtype, non-contiguous, read-only) and arguments."""
    shape = [fdp.ConsumeIntInRange(0, 4) for _ in range(fdp.ConsumeIntInRange(0, 3))]
    dtype = np.dtype(pick(fdp, DTYPES))
    writable, reversed_, dtype_name = fdp.ConsumeBool(), fdp.ConsumeBool(), pick(fdp, [None, "bfloat16", "load", 1])
    device, requires_grad = pick(fdp, ["cpu", "cuda", "cuda:0", "gpu", "", 0, None]), pick(fdp, [False, True, 1])
    n = 1
    for s in shape:
        n *= s
    raw = fdp.ConsumeBytes(n * dtype.itemsize)  # last: the other choices come from the input's end
    if dtype.kind == "O" or len(raw) < n * dtype.itemsize:
        return
    array = np.frombuffer(raw, dtype=dtype, count=n).reshape(shape)
    if writable:
        array = array.copy()  # frombuffer's is read-only
    if array.ndim and reversed_:
        array = array[::-1]
    checked_rebuild(array, dtype_name, device, requires_grad)


def test_one_input(data):
    if not data:
        return
    # The first byte picks the mode, so a seed is simply that byte and a pickle.
    mode, raw = data[0] % 3, data[1:]
    if mode == 0:
        _direct(atheris.FuzzedDataProvider(raw))
        return
    if mode == 1 and raw:  # a valid pickle with a few bytes overwritten, so the damage gets past the framing
        seed = bytearray(SEEDS[raw[0] % len(SEEDS)])
        for i in range(1, len(raw) - 2, 3):
            seed[(raw[i] * 256 + raw[i + 1]) % len(seed)] = raw[i + 2]
        raw = bytes(seed)
    try:
        # pickletools reads the opcodes without running them: a stream whose declared lengths run past its end
        # is refused here, before the unpickler allocates what it declares (a MemoryError from pickle itself,
        # which says nothing about dyngraph).
        for op, arg, _ in pickletools.genops(raw):
            if op.name == "LONG_BINPUT" and arg > 1 << 16:
                return  # pickle would size its memo to the index: its own huge allocation, not dyngraph's
        obj = RestrictedUnpickler(io.BytesIO(raw)).load()
    except Bug:
        raise
    # Anything else was raised by the pickle machinery or NumPy's array reconstruction refusing a malformed
    # stream (dyngraph's code runs only inside checked_rebuild, which turns its unexpected errors into Bug).
    # Among them: NumPy's dtype.__setstate__ on a malformed state "returned NULL without setting an exception".
    except Exception:
        return
    if isinstance(obj, dyngraph.Tensor):
        obj.detach().clone().sum()


if __name__ == "__main__":
    main(test_one_input)
