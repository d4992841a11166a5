"""Helpers around the package: where the C++ library and CMake files are."""

import os

from .. import _C

# The installed package directory (an editable install keeps Python files in
# the source tree but the compiled files next to _C).
_package_dir = os.path.dirname(os.path.abspath(_C.__file__))

cmake_prefix_path = _package_dir


def get_cmake_dir():
    """The directory holding dyngraphConfig.cmake (for -Ddyngraph_DIR=...)."""
    return os.path.join(_package_dir, "lib", "cmake", "dyngraph")


def __getattr__(name):
    # utils.data (and its multiprocessing machinery) loads on first use, keeping `import dyngraph` fast;
    # utils.dlpack too, as torch.utils.dlpack is reachable without an import.
    if name in ("data", "dlpack", "checkpoint"):
        import importlib

        return importlib.import_module("." + name, __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
