"""Reading PyTorch's own checkpoints (torch.save's zip format) with PyTorch's
weights_only rules: a restricted unpickler that rebuilds tensors, parameters,
state dicts and plain containers, and refuses every other global unless the
user allowed it with add_safe_globals / safe_globals. Loading never runs code
from the file. Each tensor's storage, offset, sizes and strides come from the
file and are checked before a view of them is made."""

import collections
import io
import pickle
import struct
import zipfile
import zlib

import dyngraph

from ._lazy_numpy import np

__all__ = ["add_safe_globals", "clear_safe_globals", "get_safe_globals", "safe_globals", "is_torch_zip",
           "load_torch_zip"]

# PyTorch's legacy typed storage classes name the element type of a storage.
_STORAGE_DTYPES = {
    "FloatStorage": "float32", "DoubleStorage": "float64", "HalfStorage": "float16", "BFloat16Storage": "bfloat16",
    "LongStorage": "int64", "IntStorage": "int32", "ShortStorage": "int16", "CharStorage": "int8",
    "ByteStorage": "uint8", "BoolStorage": "bool", "ComplexFloatStorage": "complex64",
    "ComplexDoubleStorage": "complex128",
}
_DIFFERENTIABLE = {"float32", "float64", "float16", "bfloat16", "complex64", "complex128"}
_NUMPY = {"float32": "<f4", "float64": "<f8", "float16": "<f2", "bfloat16": "<u2", "int64": "<i8", "int32": "<i4",
          "int16": "<i2", "int8": "i1", "uint8": "u1", "bool": "u1", "complex64": "<c8", "complex128": "<c16"}

_user_globals = []


def add_safe_globals(safe_globals):
    """Allows these classes/functions (or (obj, "module.name") pairs) in checkpoints, as PyTorch's."""
    _user_globals.extend(safe_globals)


def clear_safe_globals():
    _user_globals.clear()


def get_safe_globals():
    return list(_user_globals)


class safe_globals:
    """Context manager: the given globals are allowed inside the block only."""

    def __init__(self, safe_globals):
        self.added = list(safe_globals)

    def __enter__(self):
        _user_globals.extend(self.added)

    def __exit__(self, *exc):
        for g in self.added:
            _user_globals.remove(g)
        return False


def _user_allowed(module, name):
    for g in _user_globals:
        obj, full = g if isinstance(g, tuple) else (g, f"{g.__module__}.{g.__qualname__}")
        if full == f"{module}.{name}":
            return obj
    return None


class _UnsafeGlobal(pickle.UnpicklingError, RuntimeError):
    """A global the weights_only rules refuse: PyTorch's UnpicklingError, and a RuntimeError like every
    other reason a file does not load (serialization.load's contract)."""


class _StorageType:
    def __init__(self, dtype):
        self.dtype = dtype


class _Storage:
    """A storage from the archive: its dtype and the element count the pickle declared."""

    def __init__(self, dtype, array, location):
        self.dtype, self.array, self.location = dtype, array, location


class _Corrupt(RuntimeError):
    pass


def _corrupt(why):
    return _Corrupt(f"dyngraph.load: not a valid PyTorch checkpoint: {why}")


def _checked_ints(values, what):
    if not isinstance(values, (tuple, list)) or not all(isinstance(v, int) and v >= 0 for v in values):
        raise _corrupt(f"{what} must be non-negative integers, got {values!r}")
    return tuple(values)


def _rebuild_tensor(storage, offset, size, stride, requires_grad=False, backward_hooks=None, metadata=None):
    from .serialization import _is_device

    if not isinstance(storage, _Storage):
        raise _corrupt("a tensor without a storage")
    if not _is_device(storage.location):
        raise _corrupt(f"a storage's location {storage.location!r:.100} is not a device")
    if requires_grad is not False and (requires_grad is not True or storage.dtype not in _DIFFERENTIABLE):
        raise _corrupt(f"a {storage.dtype} tensor marked requires_grad={requires_grad!r:.20}")
    size, stride = _checked_ints(size, "sizes"), _checked_ints(stride, "strides")
    (offset,) = _checked_ints((offset,), "storage offset")
    if len(size) != len(stride):
        raise _corrupt(f"sizes {size} and strides {stride} differ in length")
    n = storage.array.size
    count = 1
    for s in size:
        count *= s
    if count > n:  # repeated elements (zero strides) would cost memory the file never held
        raise _corrupt(f"a tensor of {count} elements over a storage of {n}: views that repeat elements are "
                       "not supported")
    if all(s > 0 for s in size):
        last = offset + sum((s - 1) * st for s, st in zip(size, stride))
        if last >= n:
            raise _corrupt(f"a tensor of sizes {size}, strides {stride} at offset {offset} reads past its storage "
                           f"of {n} elements")
    elif offset > n:
        raise _corrupt(f"storage offset {offset} is past the storage of {n} elements")
    flat = storage.array
    if storage.dtype == "bfloat16":
        base = dyngraph.from_numpy((flat.astype(np.uint32) << 16).view(np.float32)).to(dyngraph.bfloat16)
    elif storage.dtype == "bool":
        base = dyngraph.from_numpy(flat != 0)
    else:
        base = dyngraph.from_numpy(flat.astype(flat.dtype.newbyteorder("=")))
    tensor = base.as_strided(size, stride, offset).clone() if n else dyngraph.empty(size, dtype=base.dtype)
    tensor._torch_location = storage.location
    if requires_grad:
        tensor.requires_grad_(True)
    return tensor


def _rebuild_parameter(data, requires_grad, backward_hooks, state=None):
    if not isinstance(data, dyngraph.Tensor) or not isinstance(requires_grad, bool):
        raise _corrupt("a parameter without its tensor")
    if requires_grad and not (data.is_floating_point() or data.is_complex()):
        raise _corrupt(f"a {data.dtype} parameter that requires grad")
    return dyngraph.nn.Parameter(data, requires_grad)


def _checked(make, what):
    """A constructor the file may call, its failures reported as a corrupt file."""
    def call(*args):
        try:
            return make(*args)
        except (RuntimeError, TypeError, ValueError, OverflowError) as e:
            raise _corrupt(f"a bad {what} ({type(e).__name__}: {e})") from None
    return call


_ALLOWED = {
    ("collections", "OrderedDict"): collections.OrderedDict,
    ("collections", "Counter"): collections.Counter,
    ("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor,
    ("torch._utils", "_rebuild_parameter"): _rebuild_parameter,
    ("torch._utils", "_rebuild_parameter_with_state"): _rebuild_parameter,
    ("torch", "Size"): _checked(lambda *args: dyngraph.Size(*args), "Size"),
    ("torch", "device"): _checked(lambda *args: dyngraph.device(*args), "device"),
    ("builtins", "set"): set,
    ("builtins", "frozenset"): frozenset,
    ("builtins", "complex"): complex,
    ("builtins", "slice"): slice,
    ("_codecs", "encode"): lambda text, encoding="utf-8": text.encode(encoding),
}


class _Unpickler(pickle.Unpickler):
    def __init__(self, data, archive, prefix):
        super().__init__(io.BytesIO(data))
        self.archive, self.prefix, self.storages = archive, prefix, {}

    def find_class(self, module, name):
        if (module, name) in _ALLOWED:
            return _ALLOWED[(module, name)]
        if module == "torch" and name in _STORAGE_DTYPES:
            return _StorageType(_STORAGE_DTYPES[name])
        if module == "torch" and isinstance(getattr(dyngraph, name, None), dyngraph.dtype):
            return getattr(dyngraph, name)
        allowed = _user_allowed(module, name)
        if allowed is not None:
            return allowed
        raise _UnsafeGlobal(
            f"dyngraph.load: Weights only load failed. Unsupported global: GLOBAL {module}.{name} was not an allowed global by "
            f"default. Please use `dyngraph.serialization.add_safe_globals([{name}])` or the "
            f"`dyngraph.serialization.safe_globals([{name}])` context manager to allowlist this global if you "
            "trust this class/function.")

    def persistent_load(self, pid):
        if not (isinstance(pid, tuple) and len(pid) == 5 and pid[0] == "storage"):
            raise _corrupt(f"unknown persistent id {pid!r}")
        _, kind, key, location, numel = pid
        if not isinstance(kind, _StorageType) or not isinstance(key, str) or not isinstance(location, str):
            raise _corrupt(f"malformed storage reference {pid!r}")
        if key not in self.storages:
            item = np.dtype(_NUMPY[kind.dtype]).itemsize
            raw = _member(self.archive, f"{self.prefix}data/{key}")
            if not isinstance(numel, int) or numel < 0 or len(raw) < numel * item:
                raise _corrupt(f"storage {key!r} holds {len(raw)} bytes, not {numel} elements")
            array = np.frombuffer(raw, dtype=_NUMPY[kind.dtype], count=numel)
            self.storages[key] = _Storage(kind.dtype, array, location)
        return self.storages[key]


def _member(archive, name):
    """A member's bytes. PyTorch stores members uncompressed; refusing compressed ones means no member can
    expand beyond the file's own size (no zip bombs)."""
    try:
        info = archive.getinfo(name)
    except KeyError:
        raise _corrupt(f"{name!r} is missing from the archive") from None
    if info.compress_type != zipfile.ZIP_STORED or info.flag_bits & 0x41:  # compressed or encrypted
        raise _corrupt(f"{name!r} is compressed or encrypted (PyTorch stores checkpoint members plainly)")
    try:
        return archive.read(info)
    except _MALFORMED + (RuntimeError,) as e:  # zipfile's RuntimeErrors: encryption it found late
        raise _corrupt(f"{name!r} cannot be read ({type(e).__name__}: {e})") from None


# What a damaged archive or pickle makes the standard library raise.
_MALFORMED = (pickle.UnpicklingError, EOFError, ValueError, TypeError, IndexError, KeyError, AttributeError,
              OverflowError, RecursionError, NotImplementedError, zipfile.BadZipFile, struct.error, zlib.error)


def is_torch_zip(data):
    return data[:4] == b"PK\x03\x04"


def load_torch_zip(data, map_location):
    """The object torch.save wrote, tensors placed by map_location (as serialization.load places them)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        pickles = [n for n in archive.namelist() if n.endswith("/data.pkl") or n == "data.pkl"]
    except _MALFORMED + (RuntimeError,) as e:
        raise _corrupt(f"a damaged zip archive ({type(e).__name__}: {e})") from None
    if len(pickles) != 1:
        raise _corrupt("the archive has no single data.pkl (is it a PyTorch checkpoint?)")
    prefix = pickles[0][:-len("data.pkl")]
    try:
        obj = _Unpickler(_member(archive, pickles[0]), archive, prefix).load()
    except (_UnsafeGlobal, _Corrupt):  # the checks' own errors
        raise
    except _MALFORMED + (RuntimeError,) as e:
        raise _corrupt(f"the pickled structure is malformed ({type(e).__name__}: {e})") from None
    try:
        return _place(obj, map_location, {})  # map_location's own errors pass through
    except RecursionError:
        raise _corrupt("the pickled structure nests too deeply (or refers to itself)") from None


def _place(obj, map_location, seen):
    """Moves every tensor in obj to its map_location target (once per tensor)."""
    from .serialization import _moved, _target_device

    if isinstance(obj, dyngraph.Tensor):
        if id(obj) not in seen:
            moved = _moved(obj, _target_device(map_location, getattr(obj, "_torch_location", "cpu"), obj))
            if isinstance(obj, dyngraph.nn.Parameter) and moved is not obj:
                moved = dyngraph.nn.Parameter(moved, obj.requires_grad)
            seen[id(obj)] = moved
        return seen[id(obj)]
    if isinstance(obj, collections.OrderedDict):
        return collections.OrderedDict((k, _place(v, map_location, seen)) for k, v in obj.items())
    if isinstance(obj, dict):
        return {k: _place(v, map_location, seen) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_place(v, map_location, seen) for v in obj]
    if isinstance(obj, tuple) and not hasattr(obj, "_fields"):  # tuple or Size
        return type(obj)([_place(v, map_location, seen) for v in obj])
    return obj
