"""Builds the C++ programs in tests/cpp and examples/cpp against the installed
package with CMake (find_package(dyngraph)), as a C++ embedder would, runs
them, and checks that checkpoints cross between Python and C++ both ways with
identical tensors and identical model outputs."""

import os
import pathlib
import shutil
import subprocess
import sys

import numpy as np
import pytest

import dyngraph
from dyngraph import nn

HERE = pathlib.Path(__file__).resolve().parent
EXAMPLES = HERE.parent / "examples" / "cpp"

pytestmark = pytest.mark.skipif(
    shutil.which("cmake") is None or (shutil.which("c++") is None and shutil.which("g++") is None),
    reason="CMake and a C++ compiler are needed to build C++ programs")

# One tensor per dtype, named after it; tests/cpp/test_api.cpp builds the same ones (sample()).
DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32", "float64",
          "complex64", "complex128"]


def sample(name):
    base = dyngraph.arange(6).reshape(2, 3)
    if name == "bool":
        return base % 2 == 1
    t = base.to(getattr(dyngraph, name))
    return t + 0.5j if t.is_complex() else t


def cmake_dir():
    out = subprocess.run([sys.executable, "-m", "dyngraph", "--cmake-dir"], capture_output=True, text=True, check=True)
    return out.stdout.strip()


def cmake_build(source, build):
    """Configures and builds the CMake project in source; returns the build folder."""
    for cmd in (["cmake", "-S", str(source), "-B", str(build), f"-Ddyngraph_DIR={cmake_dir()}",
                 "-DCMAKE_BUILD_TYPE=Release"],
                ["cmake", "--build", str(build), "-j", "2"]):
        result = subprocess.run(cmd, capture_output=True, text=True)
        assert result.returncode == 0, f"{' '.join(cmd)} failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
    return build


def run(cmd, cwd, env=None):
    result = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, cwd=cwd, timeout=300,
                            env={**os.environ, **(env or {})})
    assert result.returncode == 0, f"{cmd[0]} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def cpp_tests(tmp_path_factory):
    return cmake_build(HERE / "cpp", tmp_path_factory.mktemp("cpp_tests"))


@pytest.fixture(scope="module")
def examples(tmp_path_factory):
    return {name: cmake_build(EXAMPLES / name, tmp_path_factory.mktemp(name)) / name
            for name in ("train_mlp", "infer", "warp")}


def test_cmake_dir_holds_package_config():
    assert os.path.isfile(os.path.join(cmake_dir(), "dyngraphConfig.cmake"))


def test_cpp_core_tests(cpp_tests, tmp_path):
    out = run([cpp_tests / "test_core"], cwd=tmp_path)
    assert "0 failed" in out


def test_cpp_api_tests_and_tensor_exchange(cpp_tests, tmp_path):
    # Python writes one tensor of each dtype; test_api checks them and writes its own.
    dyngraph.save({name: sample(name) for name in DTYPES}, tmp_path / "py_tensors.safetensors")
    out = run([cpp_tests / "test_api"], cwd=tmp_path, env={"DG_INTEROP_DIR": str(tmp_path)})
    assert "0 failed" in out, out
    assert "DG_INTEROP_DIR not set" not in out
    from_cpp = dyngraph.load(tmp_path / "cpp_tensors.safetensors")
    assert sorted(from_cpp) == sorted(DTYPES)
    for name in DTYPES:
        assert from_cpp[name].dtype is getattr(dyngraph, name), name
        assert dyngraph.equal(from_cpp[name], sample(name)), name


def test_infer_example_runs_a_python_checkpoint(examples, tmp_path):
    dyngraph.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
    x = dyngraph.randn(5, 4)
    state = model.state_dict()
    state["input"] = x
    path = tmp_path / "from_python.safetensors"
    dyngraph.save(state, path)
    with dyngraph.no_grad():
        expected = model(x).flatten().tolist()

    printed = [float(line) for line in run([examples["infer"], path], cwd=tmp_path).split()]
    assert len(printed) == len(expected) == 15
    np.testing.assert_allclose(printed, expected, rtol=0, atol=1e-6)


def test_train_example_checkpoint_loads_in_python(examples, tmp_path):
    path = tmp_path / "from_cpp.safetensors"
    out = run([examples["train_mlp"], path], cwd=tmp_path)
    losses = [float(line.split()[-1]) for line in out.splitlines() if line.startswith("step ")]
    assert len(losses) > 5 and losses[-1] < 0.25 * losses[0], out
    printed = [float(line.split()[-1]) for line in out.splitlines() if line.startswith("prediction ")]
    assert len(printed) == 4, out

    state = dyngraph.load(path)
    assert sorted(state) == ["0.bias", "0.weight", "2.bias", "2.weight"]
    assert all(t.dtype is dyngraph.float32 and not t.requires_grad for t in state.values())
    model = nn.Sequential(nn.Linear(2, 32), nn.ReLU(), nn.Linear(32, 1))
    model.load_state_dict(state)
    with dyngraph.no_grad():
        outputs = model(dyngraph.linspace(-1, 1, 8).reshape(4, 2)).flatten().tolist()
    np.testing.assert_allclose(printed, outputs, rtol=0, atol=1e-6)


def test_warp_example_resizes_and_samples_like_python(examples, tmp_path):
    import math

    import dyngraph.nn.functional as F

    dyngraph.manual_seed(1)
    image = dyngraph.rand(2, 3, 5, 6)
    dyngraph.save({"image": image}, tmp_path / "image.safetensors")
    out = run([examples["warp"], tmp_path / "image.safetensors", tmp_path / "out.safetensors"], cwd=tmp_path)
    assert "resized 10 x 12, rotated 10 x 12" in out
    result = dyngraph.load(tmp_path / "out.safetensors")
    resized = F.interpolate(image, scale_factor=2, mode="bilinear")
    np.testing.assert_allclose(result["resized"].numpy(), resized.numpy(), rtol=0, atol=1e-6)
    c, s = math.cos(math.pi / 6), math.sin(math.pi / 6)
    xs = dyngraph.linspace(-1, 1, 12).view(1, 12).expand(10, 12)
    ys = dyngraph.linspace(-1, 1, 10).view(10, 1).expand(10, 12)
    grid = dyngraph.stack([xs * c - ys * s, xs * s + ys * c], -1).unsqueeze(0).expand(2, 10, 12, 2)
    rotated = F.grid_sample(resized, grid, align_corners=True)
    np.testing.assert_allclose(result["rotated"].numpy(), rotated.numpy(), rtol=0, atol=1e-6)
    assert float(rotated.abs().sum()) > 0 and float((rotated == 0).sum()) > 0  # turned: some corners fall outside
