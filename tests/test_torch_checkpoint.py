"""dyngraph.load reads checkpoints written by PyTorch's torch.save (zip format) with PyTorch's
weights_only rules: a committed checkpoint (no PyTorch needed), round trips through PyTorch when
installed, the safe-globals allowlist, and hostile archives (bad storages, strides, globals)."""

import io
import pickle
import zipfile
from pathlib import Path

import numpy as np
import pytest

import dyngraph
from dyngraph.serialization import add_safe_globals, clear_safe_globals, get_safe_globals, safe_globals

DATA = Path(__file__).parent / "data"


def test_committed_pytorch_checkpoint_loads_without_pytorch():
    ckpt = dyngraph.load(DATA / "torch_checkpoint.pt")
    assert ckpt["epoch"] == 4 and ckpt["name"] == "tiny"
    state = ckpt["state"]
    assert list(state) == ["linear.weight", "linear.bias", "steps", "mask", "half", "view"]
    np.testing.assert_array_equal(state["linear.weight"].numpy(), np.arange(6, dtype=np.float32).reshape(2, 3) / 4)
    assert state["linear.weight"].dtype == dyngraph.float32
    assert state["steps"].dtype == dyngraph.int64 and state["steps"].dim() == 0 and state["steps"].item() == 3
    assert state["mask"].tolist() == [True, False, True]
    assert state["half"].dtype == dyngraph.bfloat16 and state["half"].float().tolist() == [1.5, -2.0]
    assert state["view"].tolist() == [2, 4, 6]  # a strided view of a larger storage
    model = dyngraph.nn.Module()
    model.linear = dyngraph.nn.Linear(3, 2)
    model.load_state_dict({k: v for k, v in state.items() if k.startswith("linear.")})
    assert model.linear(dyngraph.ones(1, 3)).tolist()[0] == pytest.approx([0.75 + 0.5, 3.0 - 1.0])


def test_round_trips_through_pytorch():
    torch = pytest.importorskip("torch")
    obj = {"t": torch.arange(12.0).reshape(3, 4).t(), "p": torch.nn.Parameter(torch.ones(2)),
           "c": torch.tensor([1 + 2j]), "e": torch.zeros(0, 3), "shared": [torch.ones(1)] * 2,
           "size": torch.Size([2, 3]), "dtype": torch.float16, "nested": ({"x": 1.5}, [None, "s"])}
    buf = io.BytesIO()
    torch.save(obj, buf)
    got = dyngraph.load(io.BytesIO(buf.getvalue()))
    assert got["t"].tolist() == obj["t"].tolist() and got["t"].stride() == (1, 4)
    assert isinstance(got["p"], dyngraph.nn.Parameter) and got["p"].requires_grad
    assert got["c"].dtype == dyngraph.complex64 and got["c"].tolist() == [1 + 2j]
    assert tuple(got["e"].shape) == (0, 3)
    assert got["shared"][0] is got["shared"][1]
    assert isinstance(got["size"], dyngraph.Size) and got["size"] == (2, 3)
    assert got["dtype"] is dyngraph.float16 and got["nested"] == ({"x": 1.5}, [None, "s"])

    model = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.BatchNorm1d(3), torch.nn.Linear(3, 2)).eval()
    buf = io.BytesIO()
    torch.save(model.state_dict(), buf)
    mine = dyngraph.nn.Sequential(dyngraph.nn.Linear(4, 3), dyngraph.nn.BatchNorm1d(3), dyngraph.nn.Linear(3, 2))
    mine.load_state_dict(dyngraph.load(io.BytesIO(buf.getvalue())))
    x = np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32)
    np.testing.assert_allclose(mine.eval()(dyngraph.tensor(x)).detach().numpy(),
                               model(torch.tensor(x)).detach().numpy(), rtol=1e-6, atol=1e-6)


class Point:
    def __init__(self, x=0):
        self.x = x


def _archive(pickled, storages=None, prefix="ckpt/"):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(prefix + "data.pkl", pickled)
        for key, raw in (storages or {}).items():
            z.writestr(f"{prefix}data/{key}", raw)
    return io.BytesIO(buf.getvalue())


def test_unknown_globals_are_refused_unless_allowed():
    pickled = pickle.dumps({"p": Point(3)}, protocol=2)
    with pytest.raises(pickle.UnpicklingError, match=r"Unsupported global: GLOBAL .*Point") as refused:
        dyngraph.load(_archive(pickled))
    assert isinstance(refused.value, RuntimeError)  # dyngraph.load's contract: every failure is one
    with safe_globals([Point]):
        assert Point in get_safe_globals()
        assert dyngraph.load(_archive(pickled))["p"].x == 3
    assert Point not in get_safe_globals()
    add_safe_globals([Point])
    try:
        assert dyngraph.load(_archive(pickled))["p"].x == 3
    finally:
        clear_safe_globals()
    with pytest.raises(pickle.UnpicklingError):
        dyngraph.load(_archive(pickle.dumps(print, protocol=2)))  # builtins.print: never by default


# Hostile tensors: pickled with stand-ins, then renamed to PyTorch's globals (protocol 2 names globals as text).
class FloatStorage:
    pass


def _rebuild_tensor_v2(*args):
    raise AssertionError("never called: only pickled")


class _Tensor:
    def __init__(self, offset, size, stride, numel):
        self.args = (offset, size, stride, numel)

    def __reduce__(self):
        offset, size, stride, numel = self.args
        return _rebuild_tensor_v2, (_StorageRef(numel), offset, size, stride, False, None)


class _StorageRef:
    def __init__(self, numel):
        self.numel = numel


class _Pickler(pickle.Pickler):
    def persistent_id(self, obj):
        if isinstance(obj, _StorageRef):
            return ("storage", FloatStorage, "0", "cpu", obj.numel)
        return None


def _hostile(offset, size, stride, numel, stored_bytes):
    buf = io.BytesIO()
    _Pickler(buf, protocol=2).dump({"t": _Tensor(offset, size, stride, numel)})
    module = __name__.encode()
    pickled = (buf.getvalue().replace(module + b"\n_rebuild_tensor_v2", b"torch._utils\n_rebuild_tensor_v2")
               .replace(module + b"\nFloatStorage", b"torch\nFloatStorage"))
    return _archive(pickled, {"0": b"\0" * stored_bytes})


def test_a_well_formed_stand_in_loads():
    t = dyngraph.load(_hostile(1, (2, 2), (2, 1), 6, 24))["t"]
    assert tuple(t.shape) == (2, 2) and t.dtype == dyngraph.float32


@pytest.mark.parametrize("offset,size,stride,numel,stored,why", [
    (0, (2, 2), (5, 1), 6, 24, "reads past its storage"),
    (0, (4, 4), (4, 1), 6, 24, "views that repeat elements"),
    (0, (8,), (0,), 6, 24, "views that repeat elements"),
    (5, (2,), (1,), 6, 24, "reads past its storage"),
    (0, (2,), (-1,), 6, 24, "non-negative"),
    (0, (2, 2), (1,), 6, 24, "differ in length"),
    (0, (2,), (1,), 6, 8, "not 6 elements"),
    (0, (2,), (1,), -1, 24, "not -1 elements"),
    (0, (2 ** 62, 2 ** 62), (1, 1), 6, 24, "views that repeat elements"),
])
def test_hostile_tensor_geometry_raises(offset, size, stride, numel, stored, why):
    with pytest.raises(RuntimeError, match=why):
        dyngraph.load(_hostile(offset, size, stride, numel, stored))


def test_damaged_archives_raise_runtime_errors():
    good = (DATA / "torch_checkpoint.pt").read_bytes()
    with pytest.raises(RuntimeError):
        dyngraph.load(io.BytesIO(good[: len(good) // 2]))
    with pytest.raises(RuntimeError, match="no single data.pkl"):
        dyngraph.load(io.BytesIO(_zip_without_pickle()))


def _zip_without_pickle():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("readme.txt", "hello")
    return buf.getvalue()


def test_bad_flags_and_devices_are_corrupt_files():
    def saved(requires_grad=False, location="cpu"):
        buf = io.BytesIO()

        class Pickler(_Pickler):
            def persistent_id(self, obj):
                return ("storage", FloatStorage, "0", location, 6) if isinstance(obj, _StorageRef) else None

        Pickler(buf, protocol=2).dump({"t": _FlaggedTensor(requires_grad)})
        module = __name__.encode()
        pickled = (buf.getvalue().replace(module + b"\n_rebuild_tensor_v2", b"torch._utils\n_rebuild_tensor_v2")
                   .replace(module + b"\nFloatStorage", b"torch\nFloatStorage"))
        return _archive(pickled, {"0": b"\0" * 24})

    assert dyngraph.load(saved(requires_grad=True))["t"].requires_grad
    with pytest.raises(RuntimeError, match="requires_grad"):
        dyngraph.load(saved(requires_grad=2))
    with pytest.raises(RuntimeError, match="is not a device"):
        dyngraph.load(saved(location="moon"))


class _FlaggedTensor:
    def __init__(self, requires_grad):
        self.requires_grad = requires_grad

    def __reduce__(self):
        return _rebuild_tensor_v2, (_StorageRef(6), 0, (2,), (1,), self.requires_grad, None)


def test_malformed_pickles_and_compressed_members_are_corrupt_files():
    with pytest.raises(RuntimeError, match="malformed"):
        dyngraph.load(_archive(b"\x80\x02}q\x00(X"))  # truncated
    with pytest.raises(RuntimeError, match="malformed"):
        dyngraph.load(_archive(b"\xff\xfe garbage"))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("ckpt/data.pkl", pickle.dumps({"a": 1}, protocol=2))
    with pytest.raises(RuntimeError, match="compressed"):
        dyngraph.load(io.BytesIO(buf.getvalue()))
    nested = b"\x80\x02" + b"]" * 100000 + b"a" * 99999 + b"."  # a list in a list in ... 100000 deep
    with pytest.raises(RuntimeError, match="nests too deeply"):
        dyngraph.load(_archive(nested))
