"""The table of `make bench` (bench/bench-clean.sh): min and median wall time,
records/s and peak RSS per command over its runs, and pinpipe's ratio against each
baseline doing the same job (clean vs clean, metrics vs metrics), per record.

    bench_clean_table.py RUNS.tsv
RUNS.tsv: one line per run: name, job (clean|metrics|io), cores, records, seconds,
peak RSS KiB; names in the order they should be shown.
"""
import statistics
import sys

# /usr/bin/time reports wall seconds in hundredths: a faster run (cat, or tiny
# BENCH_RECORDS) reads 0.00 and counts as one tick, so rates are then lower bounds.
TICK = 0.01


def main():
    runs = {}
    for line in open(sys.argv[1], encoding="utf-8"):
        name, job, cores, records, secs, rss = line.split("\t")
        r = runs.setdefault(name, {"job": job, "cores": cores, "records": int(records), "secs": [], "rss": []})
        r["secs"].append(max(float(secs), TICK))
        r["rss"].append(int(rss))
    print(f"{'command':<24} {'cores':>5} {'records':>9} {'runs':>4} {'min s':>8} {'median s':>9} "
          f"{'rec/s (median)':>15} {'peak RSS MiB':>13}")
    for name, r in runs.items():
        r["min"], r["med"] = min(r["secs"]), statistics.median(r["secs"])
        r["us_min"], r["us_med"] = r["min"] / r["records"] * 1e6, r["med"] / r["records"] * 1e6
        print(f"{name:<24} {r['cores']:>5} {r['records']:>9} {len(r['secs']):>4} {r['min']:>8.2f} {r['med']:>9.2f} "
              f"{r['records'] / r['med']:>15,.0f} {max(r['rss']) / 1024:>13.1f}")
    print()
    print("pinpipe vs each baseline, same job, time per record (baseline / pinpipe: x times faster),"
          " and peak RSS (baseline / pinpipe):")
    for job in ("clean", "metrics"):
        mine = runs.get(f"pinpipe-{job}")
        if not mine:
            continue
        for name, r in runs.items():
            if r["job"] != job or name == f"pinpipe-{job}":
                continue
            print(f"  pinpipe-{job} (1 core) vs {name:<22} ({r['cores']} core(s)): "
                  f"min {r['us_min'] / mine['us_min']:7.1f}x   median {r['us_med'] / mine['us_med']:7.1f}x   "
                  f"RSS {max(r['rss']) / max(mine['rss']):6.1f}x")


if __name__ == "__main__":
    main()
