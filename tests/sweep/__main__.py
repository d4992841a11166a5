"""`cd tests && python -m sweep [--only SUBSTR] [--update-known] [--report FILE]`: run the sweep by hand."""

import argparse
import collections
import json

from . import cases, runner


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--only", help="run only case ids containing this text")
    p.add_argument("--jobs", type=int)
    p.add_argument("--update-known", action="store_true",
                   help="rewrite known_divergences.txt (and torch_names.txt) from this run")
    p.add_argument("--report", help="write the full report (every outcome) as JSON here")
    a = p.parse_args()
    rep = runner.sweep(only=a.only, jobs=a.jobs, rerun_torch_failures=a.update_known)
    print(json.dumps(rep["counts"], indent=1))
    for f in rep["failures"]:
        print(f"{f['o'].upper()} {f['sig']} {'alone' if f['alone'] else 'after ' + repr(f['after'])}: {f['repro']}")
    for t, i in rep["slow"]:
        print(f"slow {t:.1f}s: {runner.reproducer(i)}")
    if rep["build_errors"]:
        print("build errors:", rep["build_errors"][:10])
    by_cat = collections.defaultdict(list)
    for i, cat in rep["divergences"].items():
        by_cat[cat].append(i)
    for cat, ids in sorted(by_cat.items(), key=lambda kv: -len(kv[1])):
        print(f"{len(ids):6d} {cat}: {', '.join(ids[:4])}")
    if a.report:
        with open(a.report, "w") as f:
            json.dump(rep, f, indent=0)
    if a.update_known:
        if rep["torch"] is None:
            raise SystemExit("--update-known needs torch importable")
        if a.only:
            raise SystemExit("--update-known needs the full sweep (no --only)")
        cases.write_torch_names()
        runner.write_known(rep["divergences"])
        print(f"wrote {runner.KNOWN_FILE} ({len(rep['divergences'])} entries)")


if __name__ == "__main__":
    main()
