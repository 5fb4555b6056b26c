/* serve_render — the serving API's answers as JSON or CSV (docs/serve.md shows each).
 *
 * JSON answers carry the days that served them (source, completeness, parity, the
 * batch run's finish time) and the freshness of both paths; CSV answers are the
 * table alone, with a header, fields quoted RFC 4180 style.
 */
#ifndef PINPIPE_SERVE_RENDER_H
#define PINPIPE_SERVE_RENDER_H

#include "common/strbuf.h"
#include "serve/serve_engine.h"
#include "serve/serve_join.h"
#include "serve/serve_params.h"
#include "serve/serve_period.h"

/* A metric query: its rows (ranked, serve_period.h) and days. JSON stops before the
 * freshness's value, which changes with every view while the rest does not
 * (serve_answers.h): pp_serve_render_close finishes it. */
void pp_serve_render_query(const pp_serve_request *r, const pp_serve_answer *a, const pp_serve_row *rows, size_t n,
                           pp_strbuf *out);
/* A join analysis (serve_join.h): its table and days, as pp_serve_render_query (JSON
 * stops before the freshness's value). */
void pp_serve_render_join(const pp_serve_request *r, const pp_serve_answer *a, const pp_serve_join_table *t,
                          pp_strbuf *out);
/* The days of a range: source, completeness, parity and freshness. */
void pp_serve_render_days(const pp_serve_request *r, const pp_serve_answer *a, pp_strbuf *out);
/* Finishes a JSON answer of pp_serve_render_query/_days with f (CSV: nothing). */
void pp_serve_render_close(const pp_serve_freshness *f, int csv, pp_strbuf *out);
/* Every metric with its kind, key and description. */
void pp_serve_render_metrics(int csv, pp_strbuf *out);
/* A 503 body: {"error":...,"store":...,"retry_after_s":N,"freshness":{...}}. */
void pp_serve_render_unavailable(const pp_serve_answer *a, int retry_after_s, pp_strbuf *out);
/* The freshness object alone. */
void pp_serve_render_freshness(const pp_serve_freshness *f, pp_strbuf *out);
/* An ISO-8601 UTC time or null (ms < 0). */
void pp_serve_render_time(pp_strbuf *out, int64_t ms);

#endif
