"""Argument sweep: every public callable run with pathological arguments, in worker processes.

cases.py  builds the case list and, inside a worker, turns a case id into a call for one library;
worker.py runs case ids read from stdin and prints one JSON outcome per case;
runner.py drives workers (batches, per-case timeout, crash pinning) and compares dyngraph with torch.
`cd tests && python -m sweep --help` runs it by hand (and `--update-known` rewrites known_divergences.txt).
"""
