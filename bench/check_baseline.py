"""Checks a baseline of `make bench` against pinpipe before it is timed.

    check_baseline.py rows    EXPECTED ACTUAL NAME   # cleaned pins (pinpipe clean's output)
    check_baseline.py metrics EXPECTED ACTUAL NAME   # metrics (pinpipe metrics' output)

EXPECTED and ACTUAL are JSON-lines files, or directories of them (Spark writes
part-* files). Both sides are normalised: every line is parsed as JSON and compared as
a value (member order and spacing do not matter), rows as a multiset (order does not
matter: the baselines write in parallel), metrics as a map (metric, day, key) ->
(kind, value). Exit 0 when equal; else 1 with the first differences on standard error.
"""
import collections
import json
import pathlib
import sys

SHOW = 10


def lines(path):
    p = pathlib.Path(path)
    files = sorted(f for f in p.iterdir() if f.is_file() and not f.name.startswith((".", "_"))) if p.is_dir() else [p]
    for f in files:
        with open(f, encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    yield json.loads(line)


def canon(value):
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def check_rows(expected, actual, name):
    want = collections.Counter(canon(v) for v in lines(expected))
    got = collections.Counter(canon(v) for v in lines(actual))
    missing, extra = want - got, got - want
    if not missing and not extra:
        print(f"check: {name}: {sum(got.values())} cleaned rows equal pinpipe clean's")
        return 0
    print(f"check: {name}: cleaned rows DIFFER from pinpipe clean's: {sum(missing.values())} of pinpipe's rows "
          f"missing, {sum(extra.values())} rows pinpipe does not write ({sum(want.values())} vs "
          f"{sum(got.values())} rows)", file=sys.stderr)
    for row in sorted(missing)[:SHOW]:
        print(f"  - pinpipe:  {row}", file=sys.stderr)
    for row in sorted(extra)[:SHOW]:
        print(f"  + {name}: {row}", file=sys.stderr)
    return 1


def metric_map(path):
    out = {}
    for r in lines(path):
        out[(r["metric"], r["day"], r["key"])] = (r["kind"], int(r["value"]))
    return out


def check_metrics(expected, actual, name):
    want, got = metric_map(expected), metric_map(actual)
    diff = sorted(k for k in want.keys() | got.keys() if want.get(k) != got.get(k))
    if not diff:
        print(f"check: {name}: {len(got)} metric rows equal pinpipe metrics'")
        return 0
    print(f"check: {name}: {len(diff)} metric rows DIFFER from pinpipe metrics' ({len(want)} vs {len(got)} rows):",
          file=sys.stderr)
    for k in diff[:SHOW]:
        print(f"  {'/'.join(k)}: pinpipe {want.get(k)}, {name} {got.get(k)}", file=sys.stderr)
    return 1


def main():
    if len(sys.argv) != 5 or sys.argv[1] not in ("rows", "metrics"):
        sys.exit(__doc__)
    what, expected, actual, name = sys.argv[1:]
    sys.exit((check_rows if what == "rows" else check_metrics)(expected, actual, name))


if __name__ == "__main__":
    main()
