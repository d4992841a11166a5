"""python -m dyngraph --cmake-dir: where the CMake package for C++ embedders lives."""

import argparse

from .utils import cmake_prefix_path, get_cmake_dir


def main():
    parser = argparse.ArgumentParser(prog="python -m dyngraph")
    parser.add_argument("--cmake-dir", action="store_true", help="print the directory holding dyngraphConfig.cmake")
    parser.add_argument("--prefix", action="store_true", help="print a CMAKE_PREFIX_PATH entry for find_package")
    args = parser.parse_args()
    if args.cmake_dir:
        print(get_cmake_dir())
    elif args.prefix:
        print(cmake_prefix_path)
    else:
        parser.print_help()


if __name__ == "__main__":
    main()
