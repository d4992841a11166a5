"""The benchmark harness (benchmarks/harness.py) reports a ratio only when
the reference library times the same in the harness as alone (issue #22)."""

import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "benchmarks"))

import harness  # noqa: E402

CASE_FILE = os.path.join(ROOT, "tests", "benchmark_cases", "neighbours.py")


def test_reference_check_accepts_within_tolerance():
    assert harness.reference_check([1.0, 1.02, 0.98], [1.05, 1.08, 1.06], 0.10) is None
    assert harness.reference_check([1.0, 1.0, 1.0], [0.93, 0.92, 0.95], 0.10) is None


@pytest.mark.parametrize("in_harness", [[1.2, 1.25, 1.3], [0.8, 0.85, 0.7]])
def test_reference_check_refuses_a_changed_reference(in_harness):
    reason = harness.reference_check([1.0, 1.0, 1.01], in_harness, 0.10)
    assert reason is not None and "torch" in reason and "tolerance 10%" in reason


def test_summary_gives_median_and_spread():
    s = harness.summary([5.0, 1.0, 3.0, 2.0, 4.0])
    assert (s["median"], s["q1"], s["q3"], s["min"], s["max"]) == (3.0, 2.0, 4.0, 1.0, 5.0)


@pytest.fixture
def workers():
    started = [harness.Worker(lib, CASE_FILE, threads=1) for lib in ("subject", "reference")]
    yield started
    for w in started:
        w.close()


def _case(name):
    sys.modules.pop("neighbours", None)
    sys.path.insert(0, os.path.dirname(CASE_FILE))
    try:
        import neighbours
    finally:
        sys.path.pop(0)
    return next(c for c in neighbours.CASES if c.name == name)


def test_a_deliberately_slowed_reference_is_refused(workers):
    result = harness.measure_case(_case("noisy neighbour"), workers, rounds=5, retries=0, pause=0,
                                  reference="reference", subject="subject")
    assert result["ratio"] is None
    assert "reference took +" in result["refused"]
    alone, together = result["reference_alone"]["median"], result["libs"]["reference"]["median"]
    assert together > 1.10 * alone  # the harness measured the slowdown it refused for
    assert len(result["libs"]["subject"]["samples"]) == 5


def test_an_undisturbed_reference_gives_a_ratio(workers):
    # Both sides do the same work; only machine noise separates them, hence the wide tolerance.
    result = harness.measure_case(_case("quiet neighbour"), workers, rounds=5, retries=3, pause=0,
                                  tolerance=0.5, reference="reference", subject="subject")
    assert result["refused"] is None
    assert 0.5 < result["ratio"] < 2.0
    assert result["number"] == 40


def test_a_failing_setup_is_reported(workers):
    bad = harness.Case("no such case", {"subject": None})
    with pytest.raises(harness.BenchmarkError, match="subject: KeyError"):
        harness.measure_case(bad, workers, reference="reference", subject="subject")
