"""dyngraph.load on hostile files: raw bytes, and valid files with one header or structure value replaced.

Contract (serialization.py): a bad file raises RuntimeError; nothing else, no crash, no big allocation. Whatever
loads must also be usable: every tensor in it is summed, cloned and compared with itself.
"""

import io
import json
import struct
import sys

import atheris

with atheris.instrument_imports():
    import dyngraph

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from _common import EDGE_INTS, main, pick  # noqa: E402

# JSON values to put where a valid file has something else.
REPLACEMENTS = EDGE_INTS + [None, True, False, 1.5, float("nan"), "", "F32", "BOOL", "t", "float32", "load",
                            "cuda:0", "cpu", [], [0], [1, 2], [-1], [0, 2**40], [2**62, 2**62], {}, {"list": []},
                            {"tensor": "t"}, {"dtype": "_C"}, [[1]], "AAAA", "not base64!"]


def _valid_files():
    t = dyngraph.arange(6).reshape(2, 3).float()
    objects = [
        t,
        {"w": t, "b": dyngraph.tensor([True, False]), "n": [1, 2.5, None, "s", b"x", 1j], "same": t},
        {"dt": [dyngraph.float16, dyngraph.device("cpu"), dyngraph.Size([2])], "h": t.bfloat16(),
         "z": dyngraph.zeros(0, 3, dtype=dyngraph.int64), "c": dyngraph.ones(2, dtype=dyngraph.complex64)},
    ]
    files = []
    for obj in objects:
        buf = io.BytesIO()
        dyngraph.save(obj, buf)
        files.append(buf.getvalue())
    return files


VALID = _valid_files()


def _paths(node, prefix=()):
    """Every (path, value) in a JSON value, so one can be replaced."""
    yield prefix, node
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, prefix + (i,))


def _replace(node, path, value):
    if not path:
        return value
    node[path[0]] = _replace(node[path[0]], path[1:], value)
    return node


def _mutated(fdp):
    """A valid file with one value of its header, or of its structure description, replaced."""
    raw = pick(fdp, VALID)
    (n,) = struct.unpack("<Q", raw[:8])
    header, data = json.loads(raw[8:8 + n]), raw[8 + n:]
    in_structure = fdp.ConsumeBool()
    target = json.loads(header["__metadata__"]["dyngraph"]) if in_structure else header
    paths = list(_paths(target))
    path, _ = paths[fdp.ConsumeIntInRange(0, len(paths) - 1)]
    target = _replace(target, path, pick(fdp, REPLACEMENTS))
    if in_structure:
        header["__metadata__"]["dyngraph"] = json.dumps(target)
    else:
        header = target
    h = json.dumps(header).encode()
    return struct.pack("<Q", len(h)) + h + data[:fdp.ConsumeIntInRange(0, len(data))]


def _use(obj, depth=0):
    """Touches every tensor that loaded: a loaded bool must be a proper bool, and every tensor readable."""
    if isinstance(obj, dyngraph.Tensor):
        t = obj.detach()
        assert t.numel() <= 1 << 20, "load made a tensor bigger than its file"
        if t.dtype is dyngraph.bool and t.numel():
            assert t.int().max().item() <= 1, "bool tensor with values other than 0/1"
        t.clone().sum()
        if t.dtype.is_floating_point or t.dtype.is_complex:
            t = t[t == t]  # NaNs compare unequal to themselves
        assert bool((t == t.clone()).all()), "tensor differs from its clone"
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            _use(v, depth + 1)
    elif isinstance(obj, dict):
        for k, v in obj.items():
            _use(k, depth + 1)
            _use(v, depth + 1)


def test_one_input(data):
    if not data:
        return
    # The first byte picks the mode, so a seed is simply that byte and a file.
    raw = data[1:] if data[0] % 2 == 0 else _mutated(atheris.FuzzedDataProvider(data[1:]))
    try:
        obj = dyngraph.load(io.BytesIO(raw))
    except RuntimeError as e:  # load's only documented errors; RecursionError is a missing depth check
        documented = str(e).startswith("dyngraph.load") or "map_location='cpu'" in str(e)  # a cuda tensor here
        if isinstance(e, RecursionError) or not documented:
            raise
        return
    _use(obj)


if __name__ == "__main__":
    main(test_one_input)
