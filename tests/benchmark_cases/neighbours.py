"""Benchmark cases for tests/test_benchmark_harness.py, timed by the real
worker processes. Pure Python: no library is needed.

"noisy neighbour": after its warm-up, each "subject" call leaves busy
processes behind (twice as many as there are cores, for SPIN_SECONDS), as a
library's spinning thread pool would. The "reference" runs fast alone and
slowly right after the subject: the harness must refuse that ratio.
"quiet neighbour": the same without the busy processes.
"""

import os
import signal
import time

from harness import Case

SPIN_SECONDS = 1.0


def _work():
    """A fixed amount of CPU work (not of time)."""
    total = 0
    for i in range(20000):
        total += i * i
    return total


def _busy(seconds):
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


def _noisy_subject():
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the busy children reap themselves
    calls = 0
    busy_until = 0.0

    def run():
        nonlocal calls, busy_until
        _work()
        calls += 1
        now = time.perf_counter()
        if calls > 2 and now > busy_until:  # after the two warm-up calls, one set at a time
            busy_until = now + SPIN_SECONDS
            for _ in range(min(32, 2 * (os.cpu_count() or 1))):
                if os.fork() == 0:
                    _busy(SPIN_SECONDS)
                    os._exit(0)
    return run


CASES = [
    Case("noisy neighbour", {"subject": _noisy_subject, "reference": lambda: _work}, number=40),
    Case("quiet neighbour", {"subject": lambda: _work, "reference": lambda: _work}, number=40),
]
