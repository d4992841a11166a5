"""Builds the C++ programs in tests/cpp against the installed package with
CMake (find_package(dyngraph)) and runs them, as a C++ embedder would."""

import os
import shutil
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))

needs_toolchain = pytest.mark.skipif(
    shutil.which("cmake") is None or (shutil.which("c++") is None and shutil.which("g++") is None),
    reason="CMake and a C++ compiler are needed to build C++ programs")


def cmake_dir():
    out = subprocess.run([sys.executable, "-m", "dyngraph", "--cmake-dir"], capture_output=True, text=True, check=True)
    return out.stdout.strip()


@needs_toolchain
def test_cmake_dir_holds_package_config():
    assert os.path.isfile(os.path.join(cmake_dir(), "dyngraphConfig.cmake"))


@needs_toolchain
def test_cpp_core_tests(tmp_path):
    build = tmp_path / "build"
    subprocess.run(["cmake", "-S", os.path.join(HERE, "cpp"), "-B", str(build), f"-Ddyngraph_DIR={cmake_dir()}",
                    "-DCMAKE_BUILD_TYPE=Release"], check=True, capture_output=True)
    subprocess.run(["cmake", "--build", str(build), "-j", "2"], check=True, capture_output=True)
    run = subprocess.run([str(build / "test_core")], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "0 failed" in run.stdout
