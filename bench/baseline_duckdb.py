"""pinpipe's cleaning and metrics in DuckDB SQL: a baseline of `make bench`.

    baseline_duckdb.py clean   INPUT.jsonl OUTPUT.jsonl [--threads N]
    baseline_duckdb.py metrics INPUT.jsonl OUTPUT.jsonl [--threads N]

`clean` writes the cleaned pins (what `pinpipe clean` writes on standard output),
`metrics` the metrics table (what `pinpipe metrics` prints), both as JSON lines.
The SQL is bench/baseline_duckdb.sql (the rules, the corners it does not express);
this file only reads the input and writes the output:

* The input is read as lines (read_csv with one VARCHAR column, no quoting, a
  delimiter byte JSON text never holds raw). Lines that are not UTF-8 are set aside
  by DuckDB's reader (store_rejects) and counted as `invalid_utf8` rejects.
* `--threads N` is DuckDB's `threads` setting (the cores it may use).
"""
import argparse
import pathlib
import time

import duckdb

SQL = pathlib.Path(__file__).with_name("baseline_duckdb.sql")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=["clean", "metrics"])
    ap.add_argument("input")
    ap.add_argument("output")
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()

    t0 = time.monotonic()
    con = duckdb.connect()
    con.execute(f"SET threads = {args.threads}")
    con.execute("SET preserve_insertion_order = true")  # row_number() OVER () is file order
    path = args.input.replace("'", "''")
    # The lines, as one VARCHAR column: chr(1) never appears raw in JSON text. A view,
    # so the file is streamed, not loaded; the scan fills reject_errors as it goes.
    # clean needs no line number (its rows are independent); metrics does (the first
    # occurrence of a pin wins): row_number() OVER () in a scan that keeps file order.
    line_no = "NULL::BIGINT" if args.what == "clean" else "row_number() OVER ()"
    con.execute(f"""
        CREATE TEMP VIEW raw_lines AS
        SELECT {line_no} AS line_no, line
        FROM read_csv('{path}', columns = {{'line': 'VARCHAR'}}, header = false, delim = chr(1),
                      quote = '', escape = '', auto_detect = false, store_rejects = true)""")
    con.execute(SQL.read_text())
    out = args.output.replace("'", "''")
    if args.what == "clean":
        con.execute(f"COPY (SELECT * FROM cleaned) TO '{out}' (FORMAT json)")
    else:
        # The scan runs first; then the lines its reader refused as not UTF-8 join the
        # table as rejected_events/unknown/invalid_utf8.
        con.execute("CREATE TEMP TABLE m AS SELECT * FROM metrics")
        con.execute(f"""
            COPY (SELECT * FROM m
                  UNION ALL
                  SELECT 'rejected_events', 'unknown', 'invalid_utf8', 'count', count(*)
                  FROM reject_errors WHERE error_type = 'INVALID ENCODING' HAVING count(*) > 0
                  ORDER BY metric, day, key) TO '{out}' (FORMAT json)""")
    print(f"baseline_duckdb: {args.what} in {time.monotonic() - t0:.2f} s, {args.threads} thread(s)")


if __name__ == "__main__":
    main()
