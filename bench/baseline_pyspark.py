"""pinpipe's cleaning and metrics in PySpark (Spark SQL, local mode): a baseline of
`make bench`, what the seeds' Spark job would be with pinpipe's rules.

    baseline_pyspark.py clean   INPUT.jsonl OUTDIR [--cores N]
    baseline_pyspark.py metrics INPUT.jsonl OUTDIR [--cores N]

`clean` writes the cleaned pins (what `pinpipe clean` writes on standard output),
`metrics` the metrics table (what `pinpipe metrics` prints), as JSON lines in OUTDIR's
part-* files (Spark writes a directory). `--cores N` runs Spark as local[N] with N
shuffle partitions. The rules are docs/cleaning-rules.md, the metrics docs/metrics.md,
stage for stage as in bench/baseline_duckdb.sql; bench/check_baseline.py checks the
output against pinpipe's before anything is timed.

How it reads the input: spark.read.text (one row per line; monotonically_increasing_id
follows file order, so the first occurrence of a pin is well defined); a line that is
not UTF-8 is an `invalid_utf8` reject (is_valid_utf8); try_parse_json makes each line
a VARIANT, whose schema_of_variant gives the JSON type of each member, so the model's
type verdicts (a string where an int is due, a number where a string is) are exact.

Exact for the bench input (emulator events, 1% invalid); NOT expressed (the input does
not exercise them; pinpipe handles them): which JSON error it is (an int beyond int64,
duplicate keys: try_parse_json's verdict here), strings holding U+0000, timestamps other
than 'YYYY-MM-DD HH:MM:SS' / 'YYYY-MM-DDTHH:MM:SS' and the 1970..9999 event-time range,
pydantic's lax int strings beyond [+-]digits with '_' between digits, Unicode (not
ASCII-only) case folding of is_image_or_video.
"""
import argparse
import time

from pyspark.sql import SparkSession

WS = " \t\n\x0b\x0c\r"  # the ASCII whitespace pinpipe trims (raw in the SQL literals)
FIELDS = ["index", "unique_id", "title", "description", "poster_name", "follower_count", "tag_list",
          "is_image_or_video", "image_src", "downloaded", "save_location", "category", "timestamp"]


def trim_ws(expr):
    return f"trim(BOTH '{WS}' FROM {expr})"


# Stage 1: each line parsed once into a VARIANT; per member its JSON type
# (schema_of_variant: BIGINT, STRING, DOUBLE, DECIMAL(p,s), BOOLEAN, VOID for null;
# NULL when absent) and its string value.
PARSED = f"""
SELECT line_no, utf8_ok, v IS NULL AND utf8_ok AS bad_json, {", ".join(
    f"schema_of_variant(variant_get(v, '$.{f}', 'variant')) AS t_{f}, "
    f"try_variant_get(v, '$.{f}', 'string') AS s_{f}" for f in FIELDS)},
    schema_of_variant(v) LIKE 'OBJECT%' AS is_object, try_variant_get(v, '$.index', 'double') AS d_index,
    try_variant_get(v, '$.downloaded', 'double') AS d_downloaded
FROM (SELECT line_no, is_valid_utf8(value) AS utf8_ok,
             CASE WHEN is_valid_utf8(value) THEN try_parse_json(value) END AS v
      FROM raw_lines)
"""


def int_error(f):
    return (f"CASE WHEN t_{f} IS NULL THEN 'missing_field' WHEN t_{f} IN ('BIGINT', 'BOOLEAN') THEN NULL "
            f"WHEN (t_{f} = 'DOUBLE' OR t_{f} LIKE 'DECIMAL%') AND d_{f} = floor(d_{f}) THEN NULL "
            f"WHEN t_{f} = 'STRING' AND s_{f} RLIKE '^\\s*[+-]?[0-9]+(_[0-9]+)*\\s*$' THEN NULL "
            f"ELSE 'wrong_type' END")


def int_value(f):
    return (f"CASE t_{f} WHEN 'BOOLEAN' THEN CASE WHEN s_{f} = 'true' THEN 1L ELSE 0L END "
            f"WHEN 'STRING' THEN CAST(replace(trim(s_{f}), '_', '') AS BIGINT) ELSE CAST(d_{f} AS BIGINT) END")


def str_error(f):
    return f"CASE WHEN t_{f} IS NULL THEN 'missing_field' WHEN t_{f} <> 'STRING' THEN 'wrong_type' END"


# Stage 2: the model (pydantic v2, lax): the first error in field order decides.
VALIDATED = f"""
SELECT *, CASE WHEN NOT utf8_ok THEN 'invalid_utf8' WHEN bad_json THEN 'invalid_json'
               WHEN NOT is_object THEN 'not_object'
               ELSE coalesce({int_error("index")}, {str_error("unique_id")}, {str_error("title")},
                             {str_error("description")},
                             CASE WHEN t_poster_name NOT IN ('STRING', 'VOID') THEN 'wrong_type' END,
                             {", ".join(str_error(f) for f in FIELDS[5:9])}, {int_error("downloaded")},
                             {str_error("save_location")}, {str_error("category")},
                             CASE WHEN t_timestamp <> 'VOID' AND ts IS NULL THEN 'invalid_timestamp' END,
                             CASE WHEN ts IS NULL THEN 'missing_event_time' END) END AS model_reason
FROM (SELECT *, CASE WHEN t_timestamp = 'STRING' THEN
                  coalesce(try_to_timestamp(s_timestamp, 'yyyy-MM-dd HH:mm:ss'),
                           try_to_timestamp(s_timestamp, "yyyy-MM-dd'T'HH:mm:ss")) END AS ts
      FROM parsed)
"""

# Stage 3: the rules in table order: trim, require_unique_id, empty_to_null, the
# placeholders, the conversions (follower_count, save_location, downloaded, media,
# tags), key_length_limit.
TRIMMED = f"""
SELECT line_no, ts, model_reason,
       CASE WHEN model_reason IS NULL THEN {int_value("index")} END AS ind,
       CASE WHEN model_reason IS NULL THEN {int_value("downloaded")} END AS downloaded_i,
       {", ".join(f"{trim_ws('s_' + f)} AS {f}_t" for f in FIELDS[1:9] + FIELDS[10:12])}
FROM validated
"""

FOLLOWER_RE = r"^([0-9]+|[0-9]{1,3}(?:,[0-9]{3})+)(?:\.([0-9]{1,3}))?([kKmMbB]?)$"
CONVERTED = f"""
SELECT *,
       CASE WHEN fc_whole <> '' AND (fc_frac = '' OR (fc_suffix <> '' AND NOT contains(fc_whole, ',')))
             AND length(TRIM(LEADING '0' FROM replace(fc_whole, ',', ''))) <= 13
            THEN CAST(replace(fc_whole, ',', '') AS DECIMAL(38, 0)) * fc_mult
                 + CAST(coalesce(nullif(rpad(fc_frac, 3, '0'), ''), '0') AS DECIMAL(38, 0)) * fc_mult div 1000
       END AS follower_dec,
       CASE WHEN save_p LIKE '/%' THEN save_p END AS save_location,
       CASE WHEN tags_p IS NOT NULL THEN
         filter(tags_all, (x, i) -> x <> '' AND array_position(tags_all, x) = i + 1) END AS tags_l
FROM (SELECT *,
             regexp_extract(fc_in, '{FOLLOWER_RE}', 1) AS fc_whole,
             regexp_extract(fc_in, '{FOLLOWER_RE}', 2) AS fc_frac,
             regexp_extract(fc_in, '{FOLLOWER_RE}', 3) AS fc_suffix,
             CASE lower(regexp_extract(fc_in, '{FOLLOWER_RE}', 3)) WHEN 'k' THEN 1000 WHEN 'm' THEN 1000000
                  WHEN 'b' THEN 1000000000 ELSE 1 END AS fc_mult,
             transform(split(tags_p, ','), x -> {trim_ws('x')}) AS tags_all,
             CASE WHEN lower(is_image_or_video_t) = 'image' THEN 'image'
                  WHEN lower(is_image_or_video_t) IN ('video', 'multi-video(story page format)') THEN 'video'
             END AS media,
             CASE WHEN save_location_t <> '' THEN
               CASE WHEN startswith(save_location_t, 'Local save in ')
                    THEN {trim_ws("substr(save_location_t, 15)").replace("BOTH", "LEADING")}
                    ELSE save_location_t END END AS save_p
      FROM (SELECT *,
                   CASE WHEN follower_count_t NOT IN ('', 'User Info Error') THEN follower_count_t END AS fc_in,
                   nullif(nullif(tag_list_t, ''), 'N,o, ,T,a,g,s, ,A,v,a,i,l,a,b,l,e') AS tags_p
            FROM trimmed))
"""

CLEANED_DQ = """
SELECT line_no, ts, unique_id_t AS unique_id, ind,
       nullif(nullif(title_t, ''), 'No Title Data Available') AS title,
       CASE WHEN description_t NOT IN ('', 'No description available Story format', 'No description available')
            THEN description_t END AS description,
       nullif(nullif(poster_name_t, ''), 'User Info Error') AS poster_name,
       CASE WHEN follower_dec <= 1000000000000 THEN CAST(follower_dec AS BIGINT) END AS follower_count,
       CASE WHEN size(tags_l) > 0 THEN tags_l END AS tag_list,
       media AS is_image_or_video,
       nullif(nullif(image_src_t, ''), 'Image src error.') AS image_src,
       CASE downloaded_i WHEN 0 THEN false WHEN 1 THEN true END AS downloaded,
       save_location,
       nullif(category_t, '') AS category,
       date_format(ts, "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'") AS event_time,
       date_format(ts, 'yyyy-MM-dd') AS event_day,
       -- data quality: a present value that is now null (n_), and could not be converted (i_)
       title_t IN ('', 'No Title Data Available') AS n_title,
       description_t IN ('', 'No description available Story format', 'No description available') AS n_description,
       poster_name_t IN ('', 'User Info Error') AS n_poster_name,
       follower_count_t IS NOT NULL AND NOT coalesce(follower_dec <= 1000000000000, false) AS n_follower_count,
       fc_in IS NOT NULL AND NOT coalesce(follower_dec <= 1000000000000, false) AS i_follower_count,
       tag_list_t IS NOT NULL AND coalesce(size(tags_l), 0) <= 0 AS n_tag_list,
       tags_p IS NOT NULL AND size(tags_l) = 0 AS i_tag_list,
       media IS NULL AS n_media, is_image_or_video_t <> '' AND media IS NULL AS i_media,
       image_src_t IN ('', 'Image src error.') AS n_image_src,
       downloaded_i NOT IN (0, 1) AS n_downloaded,
       save_location IS NULL AS n_save_location, save_p IS NOT NULL AND save_location IS NULL AS i_save_location,
       category_t = '' AS n_category,
       CASE WHEN model_reason IS NOT NULL THEN model_reason
            WHEN unique_id_t = '' THEN 'missing_unique_id'
            WHEN octet_length(unique_id_t) > 512 OR octet_length(coalesce(poster_name_t, '')) > 512
              OR octet_length(category_t) > 512 OR exists(tags_l, x -> octet_length(x) > 512)
            THEN 'key_too_long' END AS reason,
       -- a non-deterministic column keeps the optimizer from pushing `reason IS NULL`
       -- below this projection, which would compute every rule twice (3x slower)
       rand() AS no_pushdown
FROM converted
"""

CLEANED = """
SELECT unique_id, ind, title, description, poster_name, follower_count, tag_list, is_image_or_video, image_src,
       downloaded, save_location, category, event_time, event_day
FROM cleaned_dq WHERE reason IS NULL
"""

DQ = [("nulled_values", f, c) for f, c in [
    ("title", "n_title"), ("description", "n_description"), ("poster_name", "n_poster_name"),
    ("follower_count", "n_follower_count"), ("tag_list", "n_tag_list"), ("is_image_or_video", "n_media"),
    ("image_src", "n_image_src"), ("downloaded", "n_downloaded"), ("save_location", "n_save_location"),
    ("category", "n_category")]] + [("invalid_values", f, c) for f, c in [
    ("follower_count", "i_follower_count"), ("tag_list", "i_tag_list"), ("is_image_or_video", "i_media"),
    ("downloaded", "n_downloaded"), ("save_location", "i_save_location")]]

# Metrics: each pin once per (event day, unique_id), first occurrence in file order;
# a reject on its event day when its timestamp could be read, else `unknown`.
PINS = """
SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY event_day, unique_id ORDER BY line_no) AS occurrence
               FROM cleaned_dq WHERE reason IS NULL) WHERE occurrence = 1
"""
METRICS = f"""
SELECT metric, day, key, kind, value FROM (
  SELECT 'pins_total' AS metric, event_day AS day, 'all' AS key, 'count' AS kind, count(*) AS value
    FROM pins GROUP BY event_day
  UNION ALL SELECT 'pins_by_category', event_day, coalesce(category, '(null)'), 'count', count(*)
    FROM pins GROUP BY 2, 3
  UNION ALL SELECT 'pins_by_media_type', event_day, coalesce(is_image_or_video, '(null)'), 'count', count(*)
    FROM pins GROUP BY 2, 3
  UNION ALL SELECT 'pins_by_tag', event_day, tag, 'count', count(*)
    FROM pins LATERAL VIEW explode(tag_list) AS tag GROUP BY 2, 3
  UNION ALL SELECT 'pins_by_poster', event_day, poster_name, 'count', count(*)
    FROM pins WHERE poster_name IS NOT NULL GROUP BY 2, 3
  UNION ALL SELECT 'max_followers_by_poster', event_day, poster_name, 'max', max(follower_count)
    FROM pins WHERE poster_name IS NOT NULL AND follower_count IS NOT NULL GROUP BY 2, 3
  UNION ALL SELECT 'followers_sum_by_category', event_day, coalesce(category, '(null)'), 'sum', sum(follower_count)
    FROM pins WHERE follower_count IS NOT NULL GROUP BY 2, 3
  UNION ALL SELECT dq.metric, event_day, dq.field, 'count', count(*)
    FROM pins LATERAL VIEW explode(array({", ".join(
        f"named_struct('metric', '{m}', 'field', '{f}', 'on', {c})" for m, f, c in DQ)})) AS dq
    WHERE dq.on GROUP BY 1, 2, 3
  UNION ALL SELECT 'rejected_events', coalesce(event_day, date_format(ts, 'yyyy-MM-dd'), 'unknown'), reason,
                   'count', count(*)
    FROM cleaned_dq WHERE reason IS NOT NULL GROUP BY 2, 3
) ORDER BY metric, day, key
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=["clean", "metrics"])
    ap.add_argument("input")
    ap.add_argument("output")
    ap.add_argument("--cores", type=int, default=1)
    args = ap.parse_args()

    t0 = time.monotonic()
    spark = (SparkSession.builder.master(f"local[{args.cores}]").appName("pinpipe-bench-baseline")
             .config("spark.sql.shuffle.partitions", str(args.cores))
             .config("spark.sql.session.timeZone", "UTC")
             .config("spark.sql.parser.escapedStringLiterals", "true")  # regexes as written
             .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
             .getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    t_up = time.monotonic()
    spark.read.text(args.input).selectExpr("monotonically_increasing_id() AS line_no", "value") \
        .createOrReplaceTempView("raw_lines")
    for name, sql in [("parsed", PARSED), ("validated", VALIDATED), ("trimmed", TRIMMED), ("converted", CONVERTED),
                      ("cleaned_dq", CLEANED_DQ), ("cleaned", CLEANED)]:
        spark.sql(sql).createOrReplaceTempView(name)
    if args.what == "clean":
        out = spark.table("cleaned")
    else:
        spark.table("cleaned_dq").cache()  # pins and rejects both read it: one scan of the file
        spark.sql(PINS).createOrReplaceTempView("pins")
        spark.sql("CACHE TABLE pins")
        out = spark.sql(METRICS).coalesce(1)
    out.write.mode("overwrite").option("ignoreNullFields", "false").json(args.output)
    print(f"baseline_pyspark: {args.what} in {time.monotonic() - t0:.2f} s (Spark up in {t_up - t0:.2f} s), "
          f"local[{args.cores}]")
    spark.stop()


if __name__ == "__main__":
    main()
