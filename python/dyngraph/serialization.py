"""dyngraph.save / dyngraph.load: tensors and nested containers of them in a
safetensors file, so loading never runs code (no pickle).

The file is plain safetensors: an 8-byte little-endian header length, a JSON
header naming each tensor with its dtype, shape and [begin, end) byte range,
then the raw little-endian data. Python structure around the tensors (dicts
with any simple key type, OrderedDicts, lists, tuples, numbers, strings,
None, dtypes, devices) is described as JSON in the header's "__metadata__"
under the key "dyngraph", with tensors referred to by name. Tensors are named
after their path ("layer.weight", "state.0.exp_avg"), so a saved state dict
is also an ordinary safetensors state dict for other tools, and a safetensors
file written elsewhere loads as a dict of tensors.

dtype codes are safetensors' (BOOL, U8, I8, I16, I32, I64, F16, BF16, F32,
F64, C64); complex128 is stored as "C128", which safetensors has no code for.
"""

import base64
import binascii
import collections
import json
import os
import struct
import sys

from . import _types
from ._lazy_numpy import np
from ._torch_checkpoint import (add_safe_globals, clear_safe_globals, get_safe_globals, is_torch_zip,  # noqa: F401
                                load_torch_zip, safe_globals)

import dyngraph

__all__ = ["save", "load", "add_safe_globals", "clear_safe_globals", "get_safe_globals", "safe_globals"]

_FORMAT_KEY = "dyngraph"
_FORMAT_VERSION = 1
# safetensors refuses headers above 100 MB; so do we, so a corrupt length can't make us allocate gigabytes.
_MAX_HEADER_BYTES = 100_000_000

# dyngraph dtype name -> (safetensors code, little-endian NumPy dtype of the stored bytes)
_CODES = {
    "bool": ("BOOL", "|b1"),
    "uint8": ("U8", "|u1"),
    "int8": ("I8", "|i1"),
    "int16": ("I16", "<i2"),
    "int32": ("I32", "<i4"),
    "int64": ("I64", "<i8"),
    "float16": ("F16", "<f2"),
    "bfloat16": ("BF16", "<u2"),  # NumPy has no bfloat16: the raw 16-bit patterns
    "float32": ("F32", "<f4"),
    "float64": ("F64", "<f8"),
    "complex64": ("C64", "<c8"),
    "complex128": ("C128", "<c16"),
}
_NAMES_BY_CODE = {code: name for name, (code, _) in _CODES.items()}
# Names read from a file are looked up only here, never with getattr on a module: a crafted file must not be
# able to make load return arbitrary attributes of dyngraph.
_DTYPES_BY_NAME = dict(_types._BY_NAME)
# Deeper structures are refused on save and on load. Far beyond any state dict, and low enough that decoding
# (two or three Python frames per level) and the JSON parser stay well inside Python's recursion limit.
_MAX_DEPTH = 100
# NumPy's limit, and more than any dyngraph op handles.
_MAX_NDIM = 64
_MAX_NBYTES = 2**63 - 1  # a shape whose byte size doesn't fit int64 can't be a tensor, even with a 0 in it
_SUPPORTED_KINDS = ("tensors, NumPy arrays, None, bool, int, float, complex, str, bytes, dtypes, devices, "
                    "Size, and dicts (also OrderedDict), lists and tuples of them")


# ----------------------------------------------------------------------------------------------- save


def _tensor_bytes(t):
    """t's elements as contiguous little-endian bytes (bfloat16 as its 16-bit patterns)."""
    t = t.detach().cpu().contiguous()
    if t.dtype is dyngraph.bfloat16:
        # bfloat16 -> float32 is exact, and a bfloat16 is the top half of that float32.
        arr = (t.float().numpy().view(np.uint32) >> 16).astype(np.uint16)
    else:
        arr = t.numpy()
    return np.ascontiguousarray(arr).astype(np.dtype(_CODES[t.dtype._name][1]), copy=False).tobytes()


class _Saver:
    """Walks the object, describing its structure as JSON and collecting tensors by name."""

    def __init__(self):
        self.tensors = {}  # name -> tensor (or NumPy array turned into a tensor)
        self._names_by_id = {}  # id(tensor) -> name, so one tensor object stored twice is stored once
        self._keep_alive = []  # the ids above stay valid while we hold the objects

    def _name_for(self, path):
        base = ".".join(str(p) for p in path) or "tensor"
        name, n = base, 1
        while name in self.tensors or name == "__metadata__":
            name = f"{base}#{n}"
            n += 1
        return name

    def _add_tensor(self, t, path, original):
        name = self._names_by_id.get(id(original))
        if name is None:
            name = self._name_for(path)
            self.tensors[name] = t
            self._names_by_id[id(original)] = name
            self._keep_alive.append(original)
        return name

    def encode(self, obj, path):
        if len(path) > _MAX_DEPTH:  # what load would refuse, refused before a file is written
            raise ValueError(f"dyngraph.save: the object is nested deeper than {_MAX_DEPTH} levels")
        if obj is None or isinstance(obj, (bool, str)):
            return obj
        if type(obj) in (int, float):  # exact types: subclasses (IntEnum, ...) would come back changed
            return obj
        if isinstance(obj, dyngraph.Tensor):
            if obj.dtype._name not in _CODES:
                raise TypeError(f"dyngraph.save: tensors of dtype {obj.dtype} can't be stored")
            node = {"tensor": self._add_tensor(obj, path, obj)}
            if obj.requires_grad:
                node["requires_grad"] = True
            if obj.device.type != "cpu":
                node["device"] = str(obj.device)
            parameter_cls = getattr(sys.modules.get("dyngraph.nn"), "Parameter", None)
            if parameter_cls is not None and isinstance(obj, parameter_cls):
                node["parameter"] = True
            return node
        if isinstance(obj, (np.ndarray, np.generic)) and not isinstance(obj, (np.str_, np.bytes_, np.object_)):
            arr = np.asarray(obj)
            if arr.dtype.name not in _CODES:
                raise TypeError(f"dyngraph.save: NumPy arrays of dtype {arr.dtype} can't be stored")
            tensor = dyngraph.from_numpy(np.array(arr, order="C", copy=True))  # ascontiguousarray would make 0-d 1-d
            kind = "ndarray" if isinstance(obj, np.ndarray) else "npscalar"
            return {kind: self._add_tensor(tensor, path, obj)}
        if type(obj) is complex:
            return {"complex": [obj.real, obj.imag]}
        if type(obj) is bytes:
            return {"bytes": base64.b64encode(obj).decode("ascii")}
        if isinstance(obj, dyngraph.dtype):
            return {"dtype": obj._name}
        if isinstance(obj, dyngraph.device):
            return {"device": str(obj)}
        if isinstance(obj, dyngraph.Size):
            return {"size": list(obj)}
        if type(obj) is list:
            return {"list": [self.encode(v, path + [i]) for i, v in enumerate(obj)]}
        if type(obj) is tuple:
            return {"tuple": [self.encode(v, path + [i]) for i, v in enumerate(obj)]}
        if type(obj) in (dict, collections.OrderedDict):
            items = [[self.encode(k, path + ["key"]), self.encode(v, path + [k])] for k, v in obj.items()]
            node = {"odict" if type(obj) is collections.OrderedDict else "dict": items}
            metadata = getattr(obj, "_metadata", None)  # nn.Module.state_dict() keeps per-module versions here
            if metadata is not None:
                node["_metadata"] = self.encode(metadata, path + ["_metadata"])
            return node
        hint = " (save its state_dict() instead)" if hasattr(obj, "state_dict") else ""
        raise TypeError(f"dyngraph.save can't store an object of type {type(obj).__module__}.{type(obj).__qualname__}"
                        f"{hint}; it stores {_SUPPORTED_KINDS}")


def _write(f, header, blobs):
    header_bytes = json.dumps(header, separators=(",", ":")).encode("utf-8")
    header_bytes += b" " * (-len(header_bytes) % 8)  # pad with spaces so the data starts 8-byte aligned
    f.write(struct.pack("<Q", len(header_bytes)))
    f.write(header_bytes)
    for blob in blobs:
        f.write(blob)


def save(obj, f, pickle_module=None, pickle_protocol=None, _use_new_zipfile_serialization=True,
         _disable_byteorder_record=False):
    """Saves obj (a tensor, a state dict, or dicts/lists/tuples of tensors and plain values) to f.

    f is a path (str or os.PathLike) or a binary file object opened for writing.
    The pickle_* and underscore arguments exist for PyTorch compatibility and
    are ignored: nothing is pickled. Non-contiguous tensors are stored as
    contiguous copies; views of one storage are stored independently, while one
    tensor object that appears twice is stored once and loads as one object.
    """
    saver = _Saver()
    root = saver.encode(obj, [])
    # Widest elements first: every tensor's data then starts aligned to its element size.
    names = sorted(saver.tensors, key=lambda n: -saver.tensors[n].element_size())
    header, blobs, offset = {}, [], 0
    for name in names:
        t = saver.tensors[name]
        blob = _tensor_bytes(t)
        header[name] = {"dtype": _CODES[t.dtype._name][0], "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    structure = json.dumps({"version": _FORMAT_VERSION, "root": root}, separators=(",", ":"))
    header["__metadata__"] = {"format": "pt", _FORMAT_KEY: structure}
    if isinstance(f, (str, os.PathLike)):
        with open(f, "wb") as fh:
            _write(fh, header, blobs)
    elif hasattr(f, "write"):
        _write(f, header, blobs)
    else:
        raise TypeError(f"dyngraph.save: f must be a path or a binary file object, got {type(f).__name__}")


# ----------------------------------------------------------------------------------------------- load


def _corrupt(source, why):
    return RuntimeError(f"dyngraph.load: {source} is not a valid safetensors file: {why}")


def _is_int(x):
    return type(x) is int  # JSON gives exactly int; bool (a subclass) is not a size, offset or index


def _is_device(name):
    """Whether name is a device string as save writes them (str(device); device() also takes ints)."""
    if not isinstance(name, str):
        return False
    try:
        dyngraph.device(name)
    except (RuntimeError, ValueError, TypeError):
        return False
    return True


def _json(text, source, what):
    try:
        return json.loads(text)
    except ValueError as e:  # also UnicodeDecodeError, and ints too long to convert
        raise _corrupt(source, f"{what} is not valid JSON ({e})") from None
    except RecursionError:  # json's parser recurses per nesting level
        raise _corrupt(source, f"{what} is nested too deeply") from None


def _parse(data, source):
    """(tensor entries, metadata, byte buffer) from a safetensors file's bytes, checking everything."""
    if len(data) < 8:
        raise _corrupt(source, f"it is {len(data)} bytes long, shorter than the 8-byte header length")
    (n,) = struct.unpack("<Q", data[:8])
    if n > _MAX_HEADER_BYTES:
        raise _corrupt(source, f"the header length {n} is larger than the limit of {_MAX_HEADER_BYTES} bytes")
    if 8 + n > len(data):
        raise _corrupt(source, f"the header length {n} runs past the end of the file ({len(data)} bytes): truncated?")
    try:
        text = data[8:8 + n].decode("utf-8")
    except UnicodeDecodeError as e:
        raise _corrupt(source, f"the header is not UTF-8 ({e})") from None
    header = _json(text, source, "the header")
    if not isinstance(header, dict):
        raise _corrupt(source, "the header is not a JSON object")
    buffer = memoryview(data)[8 + n:]
    metadata = header.pop("__metadata__", {})
    if metadata is None:  # safetensors' writers may store null for "no metadata"
        metadata = {}
    if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
        raise _corrupt(source, "__metadata__ must map strings to strings")
    spans = []
    for name, entry in header.items():
        spans.append(_check_entry(name, entry, len(buffer), source) + (name,))
    # Tensors must not share bytes (safetensors forbids it too); empty tensors take no bytes, so they may sit anywhere.
    spans.sort()
    last_end, last_name = 0, None
    for begin, end, name in spans:
        if begin < end:
            if begin < last_end:
                raise _corrupt(source, f"tensors {last_name!r} and {name!r} have overlapping data_offsets")
            last_end, last_name = end, name
    return header, metadata, buffer


def _check_entry(name, entry, buffer_len, source):
    """Checks one header entry against the data section; returns its (begin, end)."""
    if not isinstance(entry, dict) or not {"dtype", "shape", "data_offsets"} <= entry.keys():
        raise _corrupt(source, f"tensor {name!r} needs dtype, shape and data_offsets")
    code, shape, offsets = entry["dtype"], entry["shape"], entry["data_offsets"]
    if not isinstance(code, str) or code not in _NAMES_BY_CODE:
        raise _corrupt(source, f"tensor {name!r} has dtype {code!r:.100}, which dyngraph has no dtype for")
    if (not isinstance(shape, list) or len(shape) > _MAX_NDIM
            or not all(_is_int(s) and s >= 0 for s in shape)):
        raise _corrupt(source, f"tensor {name!r} has an invalid shape {shape!r:.100}")
    if not isinstance(offsets, list) or len(offsets) != 2 or not all(_is_int(o) for o in offsets):
        raise _corrupt(source, f"tensor {name!r} has invalid data_offsets {offsets!r:.100}")
    begin, end = offsets
    if not 0 <= begin <= end <= buffer_len:
        raise _corrupt(source, f"tensor {name!r} has data_offsets [{begin}, {end}] outside the "
                               f"{buffer_len}-byte data section: truncated?")
    # Strides are computed from the sizes even when one of them is 0, so the byte extent with zeros read as ones
    # must fit int64. Checked as we go, so a shape of huge numbers stops at the first product that is too big.
    extent = np.dtype(_CODES[_NAMES_BY_CODE[code]][1]).itemsize
    for s in shape:
        extent *= max(s, 1)
        if extent > _MAX_NBYTES:
            raise _corrupt(source, f"tensor {name!r} has a shape {shape!r:.100} too large to address")
    nbytes = 0 if 0 in shape else extent
    if end - begin != nbytes:
        raise _corrupt(source, f"tensor {name!r} of shape {shape} and dtype {code} needs {nbytes} bytes, "
                               f"but its data_offsets span {end - begin}")
    return begin, end


def _read_tensor(entry, buffer):
    name = _NAMES_BY_CODE[entry["dtype"]]
    stored = np.dtype(_CODES[name][1])
    begin, end = entry["data_offsets"]
    if name == "bool":
        # Any nonzero byte is True: bytes other than 0/1 in a bool tensor would read differently from op to op.
        return dyngraph.from_numpy((np.frombuffer(buffer[begin:end], dtype=np.uint8) != 0).reshape(entry["shape"]))
    arr = np.frombuffer(buffer[begin:end], dtype=stored).reshape(entry["shape"])
    if name == "bfloat16":
        widened = (arr.astype(np.uint32) << 16).view(np.float32)
        return dyngraph.from_numpy(np.ascontiguousarray(widened)).to(dyngraph.bfloat16)
    # A native-order copy: the tensor owns its memory rather than pinning the file's bytes.
    return dyngraph.from_numpy(arr.astype(stored.newbyteorder("="), copy=True))


def _target_device(map_location, saved, tensor):
    """Where a tensor saved on `saved` goes, following PyTorch's map_location forms."""
    if map_location is None:
        return saved
    if isinstance(map_location, (str, dyngraph.device)):
        return str(map_location)
    if isinstance(map_location, dict):
        return str(map_location.get(saved, saved))
    result = map_location(tensor, saved)  # a callable (load() checked the type)
    if result is None:
        return saved
    return result if isinstance(result, dyngraph.Tensor) else str(result)


def _moved(t, target):
    """t on map_location's target (a device name, or the tensor the callable returned)."""
    if isinstance(target, dyngraph.Tensor):
        return target
    if target == "cpu":
        return t
    try:
        return t.to(target)
    except (RuntimeError, ValueError, TypeError, OverflowError) as e:
        raise RuntimeError(f"Attempting to deserialize a tensor on device {target!r}, which is not available "
                           f"here ({e}). On a machine without it, pass map_location='cpu' to dyngraph.load "
                           f"to put the tensors on the CPU.") from None


class _UserCodeError(Exception):
    """Carries an exception raised by a map_location callable past the malformed-file handler."""


class _Loader:
    def __init__(self, entries, buffer, map_location, source):
        self.entries, self.buffer, self.map_location, self.source = entries, buffer, map_location, source
        self._loaded = {}  # name -> object, so a tensor referenced twice loads as one object

    def _bad(self, why):
        return _corrupt(self.source, why)

    def _fetch(self, name):
        if not isinstance(name, str) or name not in self.entries:
            raise self._bad(f"the structure refers to a tensor {name!r} that is not in the file")
        return _read_tensor(self.entries[name], self.buffer)

    def _flag(self, node, key):
        value = node.get(key, False)
        if not isinstance(value, bool):
            raise self._bad(f"a tensor's {key!r} is {value!r}, not a bool")
        return value

    def tensor(self, node):
        name = node["tensor"]
        if isinstance(name, str) and name in self._loaded:
            return self._loaded[name]
        requires_grad, parameter = self._flag(node, "requires_grad"), self._flag(node, "parameter")
        saved = node.get("device", "cpu")
        if not _is_device(saved):
            raise self._bad(f"a tensor's device {saved!r:.100} is not a device")
        t = self._fetch(name)
        if requires_grad and not (t.is_floating_point() or t.is_complex()):
            raise self._bad(f"tensor {name!r} of dtype {t.dtype} is marked requires_grad; only floating point "
                            f"and complex tensors can require gradients")
        try:
            target = _target_device(self.map_location, saved, t)
        except Exception as e:
            raise _UserCodeError() from e
        t = _moved(t, target)
        if parameter:
            from .nn import Parameter  # a fixed class: the file only says whether, never which

            t = Parameter(t, requires_grad=requires_grad)
        elif requires_grad:
            t.requires_grad_(True)
        self._loaded[name] = t
        return t

    def _list(self, value, kind):
        if not isinstance(value, list):
            raise self._bad(f"a {kind} entry holds {type(value).__name__}, not a list")
        return value

    def decode(self, node, depth=0):
        # Bounded, so a crafted deep structure gets the corrupt-file error rather than a RecursionError.
        if depth > _MAX_DEPTH:
            raise self._bad(f"the structure is nested deeper than {_MAX_DEPTH} levels")
        if node is None or isinstance(node, (bool, int, float, str)):
            return node
        if not isinstance(node, dict) or len(node) == 0:
            raise self._bad(f"unexpected structure entry {node!r:.100}")
        if "tensor" in node:
            return self.tensor(node)
        kind, value = next(iter(node.items()))
        depth += 1
        if kind in ("ndarray", "npscalar"):
            arr = self._fetch(value)
            if arr.dtype is dyngraph.bfloat16:
                raise self._bad("a NumPy array can't be bfloat16")
            arr = arr.numpy()
            if kind == "npscalar":
                if arr.ndim != 0:
                    raise self._bad(f"a NumPy scalar has shape {arr.shape}")
                return arr[()]
            return arr
        if kind == "list":
            return [self.decode(v, depth) for v in self._list(value, kind)]
        if kind == "tuple":
            return tuple(self.decode(v, depth) for v in self._list(value, kind))
        if kind in ("dict", "odict"):
            d = collections.OrderedDict() if kind == "odict" else {}
            for item in self._list(value, kind):
                if not isinstance(item, list) or len(item) != 2:
                    raise self._bad(f"a dict item is {item!r:.100}, not a [key, value] pair")
                key = self.decode(item[0], depth)
                try:
                    hash(key)
                except TypeError:
                    raise self._bad(f"a dict key of type {type(key).__name__} is unhashable") from None
                d[key] = self.decode(item[1], depth)
            if "_metadata" in node:
                if kind != "odict":  # a plain dict can't carry attributes
                    raise self._bad("only an OrderedDict can carry _metadata")
                d._metadata = self.decode(node["_metadata"], depth)
            return d
        if kind == "complex":
            if not (isinstance(value, list) and len(value) == 2
                    and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)):
                raise self._bad(f"a complex number is {value!r:.100}, not [real, imag]")
            return complex(value[0], value[1])
        if kind == "bytes":
            try:
                return base64.b64decode(value, validate=True)  # validate: stray characters are damage, not padding
            except (TypeError, binascii.Error):
                raise self._bad("a bytes entry is not base64 text") from None
        if kind == "dtype":
            if not isinstance(value, str) or value not in _DTYPES_BY_NAME:
                raise self._bad(f"{value!r:.100} is not a dyngraph dtype")
            return _DTYPES_BY_NAME[value]
        if kind == "device":
            if not _is_device(value):
                raise self._bad(f"{value!r:.100} is not a device")
            return dyngraph.device(value)
        if kind == "size":
            if not all(_is_int(v) for v in self._list(value, kind)):
                raise self._bad(f"a Size holds {value!r:.100}, not ints")
            return dyngraph.Size(value)
        raise self._bad(f"unknown structure entry kind {kind!r:.100}")


def _read_all(f):
    if isinstance(f, (str, os.PathLike)):
        with open(f, "rb") as fh:
            return fh.read(), repr(os.fspath(f))
    if hasattr(f, "read"):
        data = f.read()
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError("dyngraph.load: the file object must be opened in binary mode")
        return bytes(data), "the file object"
    raise TypeError(f"dyngraph.load: f must be a path or a binary file object, got {type(f).__name__}")


def load(f, map_location=None, pickle_module=None, *, weights_only=None, mmap=None, **pickle_load_args):
    """Loads what dyngraph.save stored in f (a path or a binary file object).

    map_location moves tensors as in PyTorch: a device or str, a dict mapping
    saved device names to new ones, or a callable (tensor, saved_location)
    returning a tensor, a device or None. weights_only, mmap and the pickle
    arguments are accepted for PyTorch compatibility: loading never runs code,
    whatever they say. A safetensors file without dyngraph's structure
    metadata loads as a dict of tensors. A checkpoint that PyTorch's
    torch.save wrote loads with PyTorch's weights_only rules (tensors,
    parameters, state dicts, containers, and the globals allowed with
    add_safe_globals). A corrupt or truncated file raises RuntimeError.
    """
    if map_location is not None and not isinstance(map_location, (str, dyngraph.device, dict)) \
            and not callable(map_location):
        raise TypeError(f"dyngraph.load: map_location must be None, a device, a str, a dict or a callable, "
                        f"got {type(map_location).__name__}")
    data, source = _read_all(f)
    if is_torch_zip(data):
        return load_torch_zip(data, map_location)
    entries, metadata, buffer = _parse(data, source)
    loader = _Loader(entries, buffer, map_location, source)
    try:
        structure = metadata.get(_FORMAT_KEY)
        if structure is None:
            return {name: loader.tensor({"tensor": name}) for name in entries}
        return loader.decode(_root(structure, source))
    except _UserCodeError as e:
        raise e.__cause__
    # The checks above should leave nothing else to fail; this backstop keeps any remaining gap the documented error.
    except (KeyError, TypeError, ValueError, IndexError, AttributeError, OverflowError, RecursionError) as e:
        raise _corrupt(source, f"the dyngraph structure metadata is malformed ({type(e).__name__}: {e})") from None


def _root(structure, source):
    """The root node of dyngraph's structure description."""
    description = _json(structure, source, "the dyngraph structure metadata")
    if not isinstance(description, dict) or "root" not in description:
        raise _corrupt(source, "the dyngraph structure metadata has no root")
    version = description.get("version", 0)
    if not _is_int(version):
        raise _corrupt(source, f"the dyngraph structure's version {version!r:.100} is not an int")
    if version > _FORMAT_VERSION:
        raise RuntimeError(f"dyngraph.load: {source} was written by a newer dyngraph (format version "
                           f"{version!r:.100}); this one reads up to version {_FORMAT_VERSION}")
    return description["root"]
