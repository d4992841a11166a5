"""dyngraph.save / dyngraph.load (safetensors files with a JSON structure
description) and pickling of tensors and modules."""

import collections
import io
import json
import pickle
import struct

import numpy as np
import pytest

import dyngraph
from conftest import ALL_DTYPES, assert_tensor_equal, sample, from_np, to_np


def roundtrip(obj, **load_kwargs):
    buf = io.BytesIO()
    dyngraph.save(obj, buf)
    buf.seek(0)
    return dyngraph.load(buf, **load_kwargs)


def saved_bytes(obj):
    buf = io.BytesIO()
    dyngraph.save(obj, buf)
    return buf.getvalue()


def header_of(raw):
    (n,) = struct.unpack("<Q", raw[:8])
    return json.loads(raw[8:8 + n])


def write_safetensors(tensors, metadata=None):
    """A safetensors file written by hand, following the format's own convention (no dyngraph metadata)."""
    header, data = {}, b""
    for name, (code, shape, raw) in tensors.items():
        header[name] = {"dtype": code, "shape": shape, "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    if metadata is not None:
        header["__metadata__"] = metadata
    h = json.dumps(header).encode()
    return struct.pack("<Q", len(h)) + h + data


@pytest.mark.parametrize("dtype", ALL_DTYPES, ids=str)
def test_every_dtype_round_trips(dtype):
    name = dtype._name
    t = from_np(sample((2, 3), name), name)
    back = roundtrip(t)
    assert back.dtype is dtype and back.shape == (2, 3)
    assert_tensor_equal(back, to_np(t))


def test_shapes_strides_and_empty_tensors():
    base = dyngraph.arange(24).reshape(2, 3, 4)
    for t in [dyngraph.tensor(3.5), dyngraph.zeros(0, 3), base.permute(2, 0, 1), base[:, ::2, 1], base.flip(0)]:
        back = roundtrip(t)
        assert back.is_contiguous() and back.shape == t.shape
        assert_tensor_equal(back, t.numpy())


def test_nested_containers_keep_types_and_key_types():
    od = collections.OrderedDict([("z", dyngraph.ones(2)), ("a", None)])
    obj = {
        "list": [1, 2.5, "s", True, None, b"raw", 1 + 2j],
        "tuple": (dyngraph.zeros(1), (3,)),
        7: {(1, "k"): -1, 2.5: float("inf"), None: False},
        "od": od,
        "meta": [dyngraph.float16, dyngraph.device("cpu"), dyngraph.Size([2, 3])],
        "np": [np.arange(3, dtype=np.int16), np.float32(0.5)],
    }
    back = roundtrip(obj)
    assert list(back) == ["list", "tuple", 7, "od", "meta", "np"]
    assert back["list"] == [1, 2.5, "s", True, None, b"raw", 1 + 2j]
    assert type(back["list"][0]) is int and type(back["list"][1]) is float and type(back["list"][3]) is bool
    assert isinstance(back["tuple"], tuple) and back["tuple"][1] == (3,)
    assert back[7] == {(1, "k"): -1, 2.5: float("inf"), None: False}
    assert type(back["od"]) is collections.OrderedDict and list(back["od"]) == ["z", "a"]
    assert back["meta"][0] is dyngraph.float16 and back["meta"][1] == dyngraph.device("cpu")
    assert isinstance(back["meta"][2], dyngraph.Size) and tuple(back["meta"][2]) == (2, 3)
    assert back["np"][0].dtype == np.int16 and back["np"][0].tolist() == [0, 1, 2]
    assert isinstance(back["np"][1], np.float32) and back["np"][1] == 0.5


def test_optimizer_style_state_dict():
    state = {
        "state": {0: {"step": dyngraph.tensor(3.0), "exp_avg": dyngraph.ones(2, 2)}, 1: {"step": dyngraph.tensor(3.0)}},
        "param_groups": [{"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8, "foreach": None, "params": [0, 1]}],
    }
    back = roundtrip(state)
    assert list(back["state"]) == [0, 1]
    assert back["state"][0]["exp_avg"].tolist() == [[1.0, 1.0], [1.0, 1.0]]
    assert back["param_groups"] == [{"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8, "foreach": None, "params": [0, 1]}]


def test_state_dict_metadata_attribute_survives():
    sd = collections.OrderedDict(weight=dyngraph.ones(2))
    sd._metadata = collections.OrderedDict([("", {"version": 1})])
    back = roundtrip(sd)
    assert back._metadata == {"": {"version": 1}}


def test_requires_grad_and_shared_tensors():
    w = dyngraph.ones(3, requires_grad=True)
    back = roundtrip({"a": w, "b": w, "c": w * 2})
    assert back["a"] is back["b"]  # one object saved once loads as one object
    assert back["a"].requires_grad and back["a"].is_leaf
    assert back["c"].requires_grad and back["c"].is_leaf and back["c"].grad_fn is None


def test_file_is_plain_safetensors_named_by_path(tmp_path):
    path = tmp_path / "model.safetensors"
    dyngraph.save({"fc": {"weight": dyngraph.ones(2, 3)}, "bias": dyngraph.zeros(2, dtype=dyngraph.float64)}, path)
    raw = path.read_bytes()
    header = header_of(raw)
    assert header["fc.weight"]["dtype"] == "F32" and header["fc.weight"]["shape"] == [2, 3]
    assert header["bias"]["dtype"] == "F64"
    assert (8 + struct.unpack("<Q", raw[:8])[0]) % 8 == 0  # data section aligned
    spans = sorted(e["data_offsets"] for k, e in header.items() if k != "__metadata__")
    assert spans[0][0] == 0 and all(a[1] == b[0] for a, b in zip(spans, spans[1:]))  # no holes
    assert spans[-1][1] == len(raw) - 8 - struct.unpack("<Q", raw[:8])[0]
    assert isinstance(header["__metadata__"]["dyngraph"], str)
    back = dyngraph.load(str(path))
    assert back["fc"]["weight"].tolist() == [[1.0] * 3] * 2


def test_foreign_safetensors_file_loads_as_dict():
    raw = write_safetensors({
        "w": ("F32", [2], np.array([1.5, -2.0], "<f4").tobytes()),
        "ids": ("I64", [3], np.array([1, 2, 3], "<i8").tobytes()),
        "h": ("BF16", [1], struct.pack("<H", 0x3FC0)),  # 1.5 in bfloat16
    }, metadata={"format": "pt"})
    back = dyngraph.load(io.BytesIO(raw))
    assert list(back) == ["w", "ids", "h"]
    assert back["w"].tolist() == [1.5, -2.0] and back["ids"].dtype is dyngraph.int64
    assert back["h"].dtype is dyngraph.bfloat16 and back["h"].float().tolist() == [1.5]


def test_safetensors_package_reads_our_files(tmp_path):
    safetensors_numpy = pytest.importorskip("safetensors.numpy")
    path = tmp_path / "sd.safetensors"
    dyngraph.save({"a": dyngraph.arange(6).reshape(2, 3).float(), "b": dyngraph.tensor([1, 2], dtype=dyngraph.int8)},
                  path)
    arrays = safetensors_numpy.load_file(str(path))
    assert arrays["a"].tolist() == [[0, 1, 2], [3, 4, 5]] and arrays["b"].dtype == np.int8


@pytest.mark.parametrize("damage, message", [
    (lambda raw: raw[:5], "shorter than the 8-byte header length"),
    (lambda raw: raw[:-3], "outside the"),
    (lambda raw: raw[:20], "runs past the end"),
    (lambda raw: struct.pack("<Q", 2**40) + raw[8:], "larger than the limit"),
    (lambda raw: raw[:8] + b"#" + raw[9:], "not valid JSON"),
])
def test_corrupt_files_raise(damage, message):
    raw = saved_bytes({"a": dyngraph.ones(4), "b": [1, 2]})
    with pytest.raises(RuntimeError, match=message):
        dyngraph.load(io.BytesIO(damage(raw)))


@pytest.mark.parametrize("entry, message", [
    ({"dtype": "F32", "shape": [2], "data_offsets": [0, 16]}, "outside the"),
    ({"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}, "needs 12 bytes"),
    ({"dtype": "U16", "shape": [1], "data_offsets": [0, 2]}, "no dtype for"),
    ({"dtype": "F32", "shape": [-1], "data_offsets": [0, 8]}, "invalid shape"),
    ({"dtype": "F32", "shape": [2]}, "needs dtype, shape and data_offsets"),
])
def test_bad_header_entries_raise(entry, message):
    h = json.dumps({"t": entry}).encode()
    with pytest.raises(RuntimeError, match=message):
        dyngraph.load(io.BytesIO(struct.pack("<Q", len(h)) + h + b"\0" * 8))


def test_bad_structure_metadata_raises():
    raw = write_safetensors({"t": ("F32", [1], b"\0" * 4)},
                            metadata={"dyngraph": json.dumps({"version": 1, "root": {"tensor": "missing"}})})
    with pytest.raises(RuntimeError, match="not in the file"):
        dyngraph.load(io.BytesIO(raw))
    raw = write_safetensors({}, metadata={"dyngraph": "{not json"})
    with pytest.raises(RuntimeError, match="not valid JSON"):
        dyngraph.load(io.BytesIO(raw))


def test_unsupported_objects_and_arguments():
    with pytest.raises(TypeError, match="can't store an object of type"):
        dyngraph.save({"f": lambda: 0}, io.BytesIO())
    with pytest.raises(TypeError, match="can't store"):
        dyngraph.save({1, 2}, io.BytesIO())
    with pytest.raises(TypeError, match="path or a binary file object"):
        dyngraph.save(dyngraph.ones(1), 3)
    with pytest.raises(TypeError, match="binary mode"):
        dyngraph.load(io.StringIO("text"))
    with pytest.raises(TypeError, match="map_location"):
        roundtrip(dyngraph.ones(1), map_location=3)


def test_map_location_and_compatibility_arguments():
    t = dyngraph.arange(3)
    assert roundtrip(t, map_location="cpu").tolist() == [0, 1, 2]
    assert roundtrip(t, map_location=dyngraph.device("cpu")).device.type == "cpu"
    assert roundtrip(t, map_location={"cuda:0": "cpu"}).tolist() == [0, 1, 2]
    seen = []
    assert roundtrip(t, map_location=lambda tensor, loc: seen.append(loc)).tolist() == [0, 1, 2]
    assert seen == ["cpu"]
    assert roundtrip(t, weights_only=True).tolist() == [0, 1, 2]
    assert roundtrip(t, weights_only=False, mmap=False).tolist() == [0, 1, 2]


def test_tensor_saved_on_an_accelerator():
    # Written by hand: a CPU-only machine can't make a CUDA tensor to save.
    raw = write_safetensors({"t": ("F32", [1], b"\0" * 4)},
                            metadata={"dyngraph": json.dumps({"version": 1, "root": {"tensor": "t", "device": "cuda:0"}})})
    assert dyngraph.load(io.BytesIO(raw), map_location="cpu").device.type == "cpu"
    assert dyngraph.load(io.BytesIO(raw), map_location={"cuda:0": "cpu"}).device.type == "cpu"
    try:
        t = dyngraph.load(io.BytesIO(raw))
    except RuntimeError as e:
        assert "map_location='cpu'" in str(e)
    else:
        assert t.device.type == "cuda"


def test_pickle_tensors():
    for t in [dyngraph.arange(6).reshape(2, 3).T, dyngraph.tensor([1.5]).bfloat16(), dyngraph.ones(2, requires_grad=True)]:
        back = pickle.loads(pickle.dumps(t))
        assert back.dtype is t.dtype and back.shape == t.shape and back.requires_grad == t.requires_grad
        assert_tensor_equal(back, to_np(t.detach()))


def _linear_model():
    nn = pytest.importorskip("dyngraph.nn")
    if not all(hasattr(nn, name) for name in ("Module", "Linear", "Sequential", "ReLU")):
        pytest.skip("dyngraph.nn has no Module/Linear/Sequential/ReLU yet")
    dyngraph.manual_seed(0)
    return nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))


def test_module_state_dict_round_trip(tmp_path):
    model = _linear_model()
    path = tmp_path / "model.pt"
    dyngraph.save(model.state_dict(), path)
    fresh = _linear_model()
    with dyngraph.no_grad():
        for p in fresh.parameters():
            p.zero_()
    fresh.load_state_dict(dyngraph.load(path))
    x = dyngraph.randn(5, 3)
    assert_tensor_equal(fresh(x).detach(), model(x).detach().numpy())
    with pytest.raises(TypeError, match="state_dict"):  # whole modules would need pickle to load
        dyngraph.save(model, io.BytesIO())


def test_modules_pickle():
    model = _linear_model()
    back = pickle.loads(pickle.dumps(model))
    x = dyngraph.randn(2, 3)
    assert_tensor_equal(back(x).detach(), model(x).detach().numpy())


# ------------------------------------------------------------------------------------ hostile files (issue #13)
# A crafted or damaged file must give load's RuntimeError: never another exception type, a crash, a huge
# allocation, or a silently wrong value.

CORRUPT = "not a valid safetensors file"
F32_ONE = ("F32", [1], b"\0" * 4)


def with_structure(root, tensors=None, version=1):
    """A file whose dyngraph structure description is `root` (any JSON value), with these tensors."""
    structure = json.dumps({"version": version, "root": root})
    return write_safetensors(tensors or {"t": F32_ONE}, metadata={"dyngraph": structure})


def raw_header(header_bytes, data=b""):
    return struct.pack("<Q", len(header_bytes)) + header_bytes + data


def load_bytes(raw):
    return dyngraph.load(io.BytesIO(raw))


@pytest.mark.parametrize("name", ["load", "save", "_C", "__builtins__", "os", "Tensor", "float", ["float32"], 3])
def test_structure_dtype_names_are_allow_listed(name):
    # Used to be getattr(dyngraph, name): a file could return any attribute of the package (functions, modules).
    with pytest.raises(RuntimeError, match="not a dyngraph dtype"):
        load_bytes(with_structure({"dtype": name}))


def test_allow_listed_dtypes_still_load():
    back = load_bytes(with_structure({"list": [{"dtype": d._name} for d in ALL_DTYPES]}))
    assert back == list(ALL_DTYPES) and all(a is b for a, b in zip(back, ALL_DTYPES))


def test_deep_structures_raise_the_documented_error():
    # Nested past the bound but small enough for json: stopped by load's own depth check.
    root = {"tensor": "t"}
    for _ in range(150):
        root = {"list": [root]}
    with pytest.raises(RuntimeError, match="nested deeper than"):
        load_bytes(with_structure(root))
    # Nested far past what json's recursive parser handles: its RecursionError is converted.
    deep = '{"list":[' * 100_000 + "1" + "]}" * 100_000
    raw = write_safetensors({}, metadata={"dyngraph": '{"version":1,"root":' + deep + "}"})
    with pytest.raises(RuntimeError, match="nested too deeply"):
        load_bytes(raw)
    with pytest.raises(RuntimeError, match="nested too deeply"):  # the safetensors header itself
        load_bytes(raw_header(b"[" * 100_000 + b"]" * 100_000))


def test_save_refuses_what_load_would_refuse_and_keeps_what_it_accepts():
    ok = dyngraph.ones(1)
    for _ in range(90):
        ok = [ok]
    back = roundtrip(ok)
    for _ in range(90):
        back = back[0]
    assert back.tolist() == [1.0]
    too_deep = [ok]
    for _ in range(20):
        too_deep = [too_deep]
    with pytest.raises(ValueError, match="nested deeper"):
        dyngraph.save(too_deep, io.BytesIO())


def test_bool_bytes_other_than_0_and_1_load_as_true():
    raw = write_safetensors({"b": ("BOOL", [5], bytes([0, 1, 2, 128, 255]))})
    b = load_bytes(raw)["b"]
    expected = [False, True, True, True, True]
    assert b.tolist() == expected
    assert (b == True).tolist() == expected and (~b).tolist() == [not v for v in expected]  # noqa: E712
    assert b.sum().item() == 4 and b.int().tolist() == [0, 1, 1, 1, 1] and b.numpy().view(np.uint8).max() == 1


@pytest.mark.parametrize("entry, message", [
    ({"dtype": ["F32"], "shape": [1], "data_offsets": [0, 4]}, "no dtype for"),  # unhashable: was a TypeError
    ({"dtype": None, "shape": [1], "data_offsets": [0, 4]}, "no dtype for"),
    ({"dtype": "F32", "shape": "1", "data_offsets": [0, 4]}, "invalid shape"),
    ({"dtype": "F32", "shape": {"0": 1}, "data_offsets": [0, 4]}, "invalid shape"),
    ({"dtype": "F32", "shape": [True], "data_offsets": [0, 4]}, "invalid shape"),
    ({"dtype": "F32", "shape": [1.0], "data_offsets": [0, 4]}, "invalid shape"),
    ({"dtype": "F32", "shape": [1] * 65, "data_offsets": [0, 4]}, "invalid shape"),
    ({"dtype": "F32", "shape": [2**62, 2**62], "data_offsets": [0, 8]}, "too large"),  # product overflows int64
    ({"dtype": "F32", "shape": [0, 2**40, 2**40], "data_offsets": [0, 0]}, "too large"),  # empty, strides overflow
    ({"dtype": "U8", "shape": [10**4000] * 64, "data_offsets": [0, 0]}, "too large"),  # stops at the first product
    ({"dtype": "F32", "shape": [1], "data_offsets": [-4, 0]}, "outside the"),
    ({"dtype": "F32", "shape": [1], "data_offsets": [8, 4]}, "outside the"),
    ({"dtype": "F32", "shape": [1], "data_offsets": [0, 2**70]}, "outside the"),
    ({"dtype": "F32", "shape": [1], "data_offsets": ["0", "4"]}, "invalid data_offsets"),
    ({"dtype": "F32", "shape": [1], "data_offsets": [0, 4, 8]}, "invalid data_offsets"),
    ({"dtype": "F32", "shape": [1], "data_offsets": {"0": 4}}, "invalid data_offsets"),
    ({"dtype": "F32", "shape": [2], "data_offsets": [0, 4]}, "needs 8 bytes"),
    ([1, 2, 3], "needs dtype, shape and data_offsets"),
    ("F32", "needs dtype, shape and data_offsets"),
])
def test_hostile_header_entries_raise(entry, message):
    with pytest.raises(RuntimeError, match=message):
        load_bytes(raw_header(json.dumps({"t": entry}).encode(), b"\0" * 8))


def test_empty_tensor_with_huge_dims_within_int64_loads():
    header = {"t": {"dtype": "U8", "shape": [0, 2**40], "data_offsets": [0, 0]}}
    back = load_bytes(raw_header(json.dumps(header).encode()))
    assert back["t"].shape == (0, 2**40) and back["t"].numel() == 0


def test_overlapping_data_offsets_raise():
    header = {"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
              "b": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}}
    with pytest.raises(RuntimeError, match="overlapping"):
        load_bytes(raw_header(json.dumps(header).encode(), b"\0" * 8))
    header["b"] = {"dtype": "F32", "shape": [0], "data_offsets": [4, 4]}  # empty tensors take no bytes
    assert load_bytes(raw_header(json.dumps(header).encode(), b"\0" * 8))["b"].shape == (0,)


@pytest.mark.parametrize("raw", [
    struct.pack("<Q", 2**64 - 1) + b"{}",  # huge header length: refused before reading or allocating
    raw_header(b"\xff\xfe{}"),  # not UTF-8
    raw_header(b"[]"),
    raw_header(b"null"),
    raw_header(b'{"t": 1' + b"1" * 5000 + b"}"),  # an int too long for Python to convert
    raw_header(b'{"__metadata__": [1]}'),
    raw_header(b'{"__metadata__": {"dyngraph": 5}}'),
    raw_header(b'{"__metadata__": {"dyngraph": "[1]"}}'),
    raw_header(b'{"__metadata__": {"dyngraph": "{\\"version\\": \\"1\\", \\"root\\": 1}"}}'),
])
def test_hostile_headers_raise(raw):
    with pytest.raises(RuntimeError, match=CORRUPT):
        load_bytes(raw)


@pytest.mark.parametrize("root", [
    [1, 2], {}, {"unknown": 1},
    {"list": "abc"}, {"list": {"a": 1}}, {"tuple": 5},  # strings and dicts used to be iterated as lists
    {"dict": [["a"]]}, {"dict": ["ab"]}, {"dict": "ab"}, {"dict": [[{"list": []}, 1]]},  # unhashable key
    {"dict": [], "_metadata": {}},
    {"complex": "ab"}, {"complex": [1]}, {"complex": [True, 1]}, {"complex": ["1", 2]},
    {"bytes": "not base64!"}, {"bytes": 5},
    {"device": "gpu"}, {"device": 5}, {"device": "cuda:-1"}, {"device": ["cpu"]},
    {"size": "abc"}, {"size": [1.5]}, {"size": [True]},
    {"tensor": ["t"]}, {"tensor": {"t": 1}}, {"tensor": "missing"},
    {"tensor": "t", "requires_grad": "yes"}, {"tensor": "t", "parameter": 1}, {"tensor": "t", "device": 3},
    {"tensor": "t", "device": "nowhere"}, {"tensor": "i", "requires_grad": True},  # ints can't require grad
    {"npscalar": "t"},  # not 0-d
    {"ndarray": "h"},  # NumPy has no bfloat16
])
def test_hostile_structures_raise(root):
    tensors = {"t": F32_ONE, "i": ("I64", [1], b"\0" * 8), "h": ("BF16", [1], b"\0" * 2)}
    with pytest.raises(RuntimeError, match=CORRUPT):
        load_bytes(with_structure(root, tensors))


def test_structure_version_must_be_an_int():
    with pytest.raises(RuntimeError, match=CORRUPT):
        load_bytes(with_structure(1, version="1"))
    with pytest.raises(RuntimeError, match="newer dyngraph"):
        load_bytes(with_structure(1, version=2))


def test_unpickling_checks_the_rebuild_arguments():
    rebuild, args = dyngraph.ones(2).bfloat16().__reduce__()
    assert rebuild(*args).dtype is dyngraph.bfloat16
    for bad in [([1.0, 2.0],) + args[1:], (args[0], "__file__") + args[2:], (args[0], "load") + args[2:],
                args[:2] + (0,) + args[3:], args[:3] + ("yes",)]:
        with pytest.raises(TypeError):
            rebuild(*bad)
    # The same through a damaged pickle: the dtype name swapped for another attribute of the same length.
    raw = pickle.dumps(dyngraph.ones(2).bfloat16()).replace(b"bfloat16", b"__file__")
    with pytest.raises(TypeError, match="dtype"):
        pickle.loads(raw)


def test_unpickled_bool_and_read_only_arrays():
    rebuild, _ = dyngraph.ones(1).__reduce__()
    b = rebuild(np.frombuffer(bytes([0, 1, 7]), dtype=np.bool_), None, "cpu")
    assert b.tolist() == [False, True, True] and b.int().sum().item() == 2
    data = bytes(4)
    t = rebuild(np.frombuffer(data, dtype=np.int32), None, "cpu")
    t.fill_(7)
    assert data == bytes(4)  # the tensor got its own memory, not the (immutable) bytes object's
