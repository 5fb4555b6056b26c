-- pinpipe's cleaning rules and metrics in DuckDB SQL: the baseline of `make bench`
-- (bench/bench-clean.sh). The rules are docs/cleaning-rules.md, the metrics
-- docs/metrics.md; bench/check_baseline.py checks this against `pinpipe clean` and
-- `pinpipe metrics` before anything is timed.
--
-- Input: a view `raw_lines(line_no, line)` of the JSON lines that are valid UTF-8
-- (bench/baseline_duckdb.py reads the file with read_csv, one column, and lets
-- DuckDB's reader set aside the lines that are not UTF-8: the driver adds them to
-- the metrics as `invalid_utf8` rejects, from the reader's reject_errors table).
--
-- Exact for the bench input (emulator events, 1% invalid); these corners are NOT
-- expressed (the bench input does not exercise them; pinpipe handles them):
--   * which JSON error it is (pinpipe: jansson's verdict, e.g. an int beyond int64 is
--     invalid_json; here json_extract failing is invalid_json, an int beyond int64 is
--     taken);
--   * duplicate keys (pinpipe: the last wins), strings holding U+0000 (string_nul);
--   * timestamps other than 'YYYY-MM-DD HH:MM:SS' and 'YYYY-MM-DDTHH:MM:SS' (no
--     fraction, no zone), and the 1970..9999 event-time range;
--   * pydantic's lax int strings: only [+-]digits with '_' between digits, trimmed;
--   * ASCII-only case folding of is_image_or_video (lower() here is Unicode's).

-- The ASCII whitespace pinpipe trims: space, \t, \n, \v, \f, \r.
CREATE OR REPLACE MACRO ws() AS ' ' || chr(9) || chr(10) || chr(11) || chr(12) || chr(13);
CREATE OR REPLACE MACRO trim_ws(s) AS trim(s, ws());

-- A follower count (docs/cleaning-rules.md#follower_count): digits, or digits in
-- groups of three, optionally with up to three decimals and a k/M/B suffix (decimals
-- only with a suffix and without groups), at most 10^12. m is the match of
-- follower_match(s); NULL when s is not a follower count.
CREATE OR REPLACE MACRO follower_match(s) AS
  regexp_extract(s, '^([0-9]+|[0-9]{1,3}(?:,[0-9]{3})+)(?:\.([0-9]{1,3}))?([kKmMbB]?)$', ['whole', 'frac', 'suffix']);
CREATE OR REPLACE MACRO follower_mult(suffix) AS
  CASE lower(suffix) WHEN 'k' THEN 1000 WHEN 'm' THEN 1000000 WHEN 'b' THEN 1000000000 ELSE 1 END::HUGEINT;
CREATE OR REPLACE MACRO follower_value(m) AS
  CASE WHEN m.whole <> '' AND (m.frac = '' OR (m.suffix <> '' AND NOT contains(m.whole, ',')))
        AND length(ltrim(replace(m.whole, ',', ''), '0')) <= 13  -- larger is over 10^12 anyway
  THEN replace(m.whole, ',', '')::HUGEINT * follower_mult(m.suffix)
       + coalesce(nullif(rpad(m.frac, 3, '0'), ''), '0')::HUGEINT * follower_mult(m.suffix) // 1000 END;

-- Stage 1: parse each line once and take the 13 members of the model as JSON values.
CREATE OR REPLACE VIEW parsed AS
SELECT line_no, line, v,
       [json_type(x) for x in v] AS t,            -- NULL: member absent
       [json_extract_string(x, '$') for x in v] AS s
FROM (SELECT line_no, line,
             try(json_extract(line, ['$.index', '$.unique_id', '$.title', '$.description', '$.poster_name',
                                     '$.follower_count', '$.tag_list', '$.is_image_or_video', '$.image_src',
                                     '$.downloaded', '$.save_location', '$.category', '$.timestamp'])) AS v
      FROM raw_lines);

-- Stage 2: validate as pydantic v2 (lax) does: int fields take JSON ints, integral
-- floats, booleans and decimal strings; str fields only strings; poster_name and
-- timestamp are optional (null = absent). The first error in field order decides.
CREATE OR REPLACE MACRO int_error(typ, str) AS
  CASE WHEN typ IS NULL THEN 'missing_field'
       WHEN typ IN ('BIGINT', 'UBIGINT', 'BOOLEAN') THEN NULL
       WHEN typ = 'DOUBLE' AND str::DOUBLE = trunc(str::DOUBLE) THEN NULL
       WHEN typ = 'VARCHAR' AND regexp_full_match(str, '\s*[+-]?[0-9]+(_[0-9]+)*\s*') THEN NULL
       ELSE 'wrong_type' END;
CREATE OR REPLACE MACRO int_value(typ, str) AS
  CASE typ WHEN 'BOOLEAN' THEN (str = 'true')::BIGINT WHEN 'DOUBLE' THEN str::DOUBLE::BIGINT
           ELSE replace(trim(str), '_', '')::BIGINT END;
CREATE OR REPLACE MACRO str_error(typ) AS
  CASE WHEN typ IS NULL THEN 'missing_field' WHEN typ <> 'VARCHAR' THEN 'wrong_type' END;
CREATE OR REPLACE MACRO opt_str_error(typ) AS CASE WHEN typ NOT IN ('VARCHAR', 'NULL') THEN 'wrong_type' END;
CREATE OR REPLACE MACRO event_ts(typ, str) AS
  CASE WHEN typ = 'VARCHAR' THEN coalesce(try_strptime(str, '%Y-%m-%d %H:%M:%S'), try_strptime(str, '%Y-%m-%dT%H:%M:%S')) END;

CREATE OR REPLACE VIEW validated AS
SELECT line_no, t, s, ts,
       CASE WHEN v IS NULL THEN 'invalid_json'
            WHEN list_bool_and([x IS NULL for x in t]) AND json_type(line) <> 'OBJECT' THEN 'not_object'
            ELSE coalesce(int_error(t[1], s[1]), str_error(t[2]), str_error(t[3]), str_error(t[4]),
                          opt_str_error(t[5]), str_error(t[6]), str_error(t[7]), str_error(t[8]),
                          str_error(t[9]), int_error(t[10], s[10]), str_error(t[11]), str_error(t[12]),
                          CASE WHEN t[13] NOT IN ('NULL') AND ts IS NULL THEN 'invalid_timestamp' END,
                          CASE WHEN ts IS NULL THEN 'missing_event_time' END)
       END AS reason
FROM (SELECT *, event_ts(t[13], s[13]) AS ts FROM parsed);

-- Stage 3: the rules, in table order (trim, require_unique_id, empty_to_null, the
-- placeholders, then the conversions), on the events the model accepted (the rows
-- the model rejected go along with their reason, so the file is scanned once). For
-- each field: the cleaned value and whether a present value was nulled / invalid.
CREATE OR REPLACE VIEW trimmed AS
SELECT line_no, ts, reason AS model_reason,
       CASE WHEN reason IS NULL THEN int_value(t[1], s[1]) END AS ind,
       trim_ws(s[2]) AS unique_id,
       trim_ws(s[3]) AS title_t, trim_ws(s[4]) AS description_t, trim_ws(s[5]) AS poster_t,
       trim_ws(s[6]) AS follower_t, trim_ws(s[7]) AS tags_t, trim_ws(s[8]) AS media_t,
       trim_ws(s[9]) AS image_t, CASE WHEN reason IS NULL THEN int_value(t[10], s[10]) END AS downloaded_i,
       trim_ws(s[11]) AS save_t, trim_ws(s[12]) AS category_t
FROM validated;

CREATE OR REPLACE VIEW converted AS
SELECT *,
       CASE WHEN follower_hugeint <= 1000000000000 THEN follower_hugeint::BIGINT END AS follower_count,
       CASE WHEN save_p LIKE '/%' THEN save_p END AS save_location,
       CASE WHEN tags_p IS NOT NULL THEN
         list_filter(tags_all, lambda x, i: x <> '' AND list_position(tags_all, x) = i) END AS tags_l
FROM (SELECT *,
             CASE WHEN follower_t NOT IN ('', 'User Info Error') THEN follower_value(follower_match(follower_t))
             END AS follower_hugeint,
             nullif(nullif(tags_t, ''), 'N,o, ,T,a,g,s, ,A,v,a,i,l,a,b,l,e') AS tags_p,
             [trim_ws(x) for x in string_split(nullif(nullif(tags_t, ''), 'N,o, ,T,a,g,s, ,A,v,a,i,l,a,b,l,e'), ',')]
               AS tags_all,
             CASE WHEN lower(media_t) = 'image' THEN 'image'
                  WHEN lower(media_t) IN ('video', 'multi-video(story page format)') THEN 'video' END AS media,
             CASE WHEN save_t <> '' THEN
               CASE WHEN starts_with(save_t, 'Local save in ') THEN ltrim(save_t[15:], ws()) ELSE save_t END
             END AS save_p
      FROM trimmed);

CREATE OR REPLACE VIEW cleaned_dq AS
SELECT line_no, ts,
       unique_id, ind,
       nullif(nullif(title_t, ''), 'No Title Data Available') AS title,
       CASE WHEN description_t NOT IN ('', 'No description available Story format', 'No description available')
            THEN description_t END AS description,
       nullif(nullif(poster_t, ''), 'User Info Error') AS poster_name,
       follower_count,
       CASE WHEN len(tags_l) > 0 THEN tags_l END AS tag_list,
       media AS is_image_or_video,
       nullif(nullif(image_t, ''), 'Image src error.') AS image_src,
       CASE downloaded_i WHEN 0 THEN false WHEN 1 THEN true END AS downloaded,
       save_location,
       nullif(category_t, '') AS category,
       strftime(ts, '%Y-%m-%dT%H:%M:%S.%gZ') AS event_time,
       strftime(ts, '%Y-%m-%d') AS event_day,
       -- data quality: [nulled, invalid] per field (a present value that is now null)
       title_t IN ('', 'No Title Data Available') AS n_title,
       description_t IN ('', 'No description available Story format', 'No description available') AS n_description,
       poster_t IN ('', 'User Info Error') AS n_poster_name,
       follower_t IS NOT NULL AND follower_count IS NULL AS n_follower_count,
       follower_t NOT IN ('', 'User Info Error') AND follower_count IS NULL AS i_follower_count,
       tags_t IS NOT NULL AND coalesce(len(tags_l), 0) = 0 AS n_tag_list,
       tags_p IS NOT NULL AND len(tags_l) = 0 AS i_tag_list,
       media IS NULL AS n_media, media_t <> '' AND media IS NULL AS i_media,
       image_t IN ('', 'Image src error.') AS n_image_src,
       downloaded_i NOT IN (0, 1) AS n_downloaded,
       save_location IS NULL AS n_save_location, save_p IS NOT NULL AND save_location IS NULL AS i_save_location,
       category_t = '' AS n_category,
       -- the model's verdict, then the rules that reject: require_unique_id (2) and
       -- key_length_limit (15)
       CASE WHEN model_reason IS NOT NULL THEN model_reason
            WHEN unique_id = '' THEN 'missing_unique_id'
            WHEN strlen(unique_id) > 512 OR strlen(coalesce(poster_name, '')) > 512
              OR strlen(coalesce(category, '')) > 512
              OR list_bool_or([strlen(x) > 512 for x in coalesce(tags_l, [])]) THEN 'key_too_long' END AS reason
FROM converted;

-- The cleaned pins, as `pinpipe clean` writes them (docs/cleaning-rules.md).
CREATE OR REPLACE VIEW cleaned AS
SELECT unique_id, ind, title, description, poster_name, follower_count, tag_list, is_image_or_video, image_src,
       downloaded, save_location, category, event_time, event_day
FROM cleaned_dq WHERE reason IS NULL;

-- Metrics (docs/metrics.md). One pass over the outcome of every line, narrowed to
-- what the metrics read and materialised once: each pin counts once per (event day,
-- unique_id), the first occurrence in file order winning; a reject counts on its
-- event day when its timestamp could be read, else on `unknown` (offline, no
-- ingest time).
CREATE OR REPLACE VIEW metrics AS
WITH outcome AS MATERIALIZED (
  SELECT line_no, reason, coalesce(event_day, strftime(ts, '%Y-%m-%d'), 'unknown') AS day, unique_id,
         category, is_image_or_video, tag_list, poster_name, follower_count,
         n_title, n_description, n_poster_name, n_follower_count, i_follower_count, n_tag_list, i_tag_list,
         n_media, i_media, n_image_src, n_downloaded, n_save_location, i_save_location, n_category
  FROM cleaned_dq),
pins AS MATERIALIZED (
  SELECT * EXCLUDE (day), day AS event_day FROM outcome WHERE reason IS NULL
  QUALIFY row_number() OVER (PARTITION BY day, unique_id ORDER BY line_no) = 1),
rejects AS (SELECT day, reason FROM outcome WHERE reason IS NOT NULL)
SELECT metric, day, key, kind, value FROM (
  SELECT 'pins_total' AS metric, event_day AS day, 'all' AS key, 'count' AS kind, count(*) AS value
    FROM pins GROUP BY ALL
  UNION ALL SELECT 'pins_by_category', event_day, coalesce(category, '(null)'), 'count', count(*) FROM pins GROUP BY ALL
  UNION ALL SELECT 'pins_by_media_type', event_day, coalesce(is_image_or_video, '(null)'), 'count', count(*)
    FROM pins GROUP BY ALL
  UNION ALL SELECT 'pins_by_tag', event_day, tag, 'count', count(*)
    FROM (SELECT event_day, unnest(tag_list) AS tag FROM pins) GROUP BY ALL
  UNION ALL SELECT 'pins_by_poster', event_day, poster_name, 'count', count(*)
    FROM pins WHERE poster_name IS NOT NULL GROUP BY ALL
  UNION ALL SELECT 'max_followers_by_poster', event_day, poster_name, 'max', max(follower_count)
    FROM pins WHERE poster_name IS NOT NULL AND follower_count IS NOT NULL GROUP BY ALL
  UNION ALL SELECT 'followers_sum_by_category', event_day, coalesce(category, '(null)'), 'sum', sum(follower_count)
    FROM pins WHERE follower_count IS NOT NULL GROUP BY ALL
  UNION ALL SELECT metric, event_day, field, 'count', count(*)
    FROM (SELECT event_day, unnest([
            {'metric': 'nulled_values', 'field': 'title', 'on': n_title},
            {'metric': 'nulled_values', 'field': 'description', 'on': n_description},
            {'metric': 'nulled_values', 'field': 'poster_name', 'on': n_poster_name},
            {'metric': 'nulled_values', 'field': 'follower_count', 'on': n_follower_count},
            {'metric': 'nulled_values', 'field': 'tag_list', 'on': n_tag_list},
            {'metric': 'nulled_values', 'field': 'is_image_or_video', 'on': n_media},
            {'metric': 'nulled_values', 'field': 'image_src', 'on': n_image_src},
            {'metric': 'nulled_values', 'field': 'downloaded', 'on': n_downloaded},
            {'metric': 'nulled_values', 'field': 'save_location', 'on': n_save_location},
            {'metric': 'nulled_values', 'field': 'category', 'on': n_category},
            {'metric': 'invalid_values', 'field': 'follower_count', 'on': i_follower_count},
            {'metric': 'invalid_values', 'field': 'tag_list', 'on': i_tag_list},
            {'metric': 'invalid_values', 'field': 'is_image_or_video', 'on': i_media},
            {'metric': 'invalid_values', 'field': 'downloaded', 'on': n_downloaded},
            {'metric': 'invalid_values', 'field': 'save_location', 'on': i_save_location}], recursive := true)
          FROM pins) WHERE "on" GROUP BY ALL
  UNION ALL SELECT 'rejected_events', day, reason, 'count', count(*) FROM rejects GROUP BY ALL
)
ORDER BY metric, day, key;
