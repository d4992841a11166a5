"""Shared by the fuzz targets: which exceptions count as a proper refusal, size caps, and the atheris entry point.

A target catches only EXPECTED, so anything else (a signal, MemoryError, KeyError, an AssertionError from a
target's own consistency check) stops the fuzzer and leaves a crash-<hash> reproducer.
"""

import sys

import atheris

# What PyTorch raises for bad arguments. RecursionError is a RuntimeError subclass but means a missing depth
# check, and OutOfMemoryError one means a size check came too late, so both are re-raised (see refused()).
EXPECTED = (RuntimeError, IndexError, ValueError, TypeError, OverflowError)

# No input may make a target touch more than a few MB: inputs whose element count would pass this are skipped
# before the call (except where the call itself is what must refuse the size).
MAX_NUMEL = 1 << 16


def refused(e):
    """True when e is an ordinary refusal; re-raise otherwise."""
    if isinstance(e, (RecursionError, MemoryError)):
        return False
    return isinstance(e, EXPECTED)


def attempt(fn, *args, **kwargs):
    """fn(*args, **kwargs), or None when dyngraph refuses the arguments with an expected exception."""
    try:
        return fn(*args, **kwargs)
    except EXPECTED as e:
        if not refused(e):
            raise
        return None


def numel(shape):
    n = 1
    for s in shape:
        n *= s
    return n


def pick(fdp, options):
    return options[fdp.ConsumeIntInRange(0, len(options) - 1)]


# Integers that hit the usual edge cases of size, stride and index arithmetic.
EDGE_INTS = [0, 1, 2, 3, -1, -2, -3, 7, 2**31 - 1, 2**31, 2**32, 2**62, 2**63 - 1, -2**63, 2**63, 2**64, -2**64]


def fuzz_int(fdp, small=8):
    """Mostly small ints (so ops succeed and go deep), sometimes an edge case."""
    if fdp.ConsumeIntInRange(0, 3) == 0:
        return pick(fdp, EDGE_INTS)
    return fdp.ConsumeIntInRange(-small, small)


def main(test_one_input):
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()
