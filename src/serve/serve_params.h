/* serve_params — the query parameters of the serving API, checked before any store
 * is asked.
 *
 * Each endpoint names the parameters it takes (a PP_SP_* mask); anything else, a
 * parameter given twice, an unknown metric or group, a date that is not YYYY-MM-DD,
 * `from` after `to`, a range over PP_SERVE_MAX_DAYS days, or a number out of its range
 * is refused with 400 and a JSON body naming the parameter and what it allows:
 *   {"error":"...","parameter":"group","allowed":"day, week, month, year, all"}
 * Values never reach CQL or SQL as text: the stores are asked with bound values.
 */
#ifndef PINPIPE_SERVE_PARAMS_H
#define PINPIPE_SERVE_PARAMS_H

#include <stddef.h>
#include <stdint.h>

#include "common/strbuf.h"
#include "serve/serve_period.h"

#define PP_SERVE_MAX_DAYS 3653 /* ten years, leap days included */
#define PP_SERVE_MAX_TOP 1000
#define PP_SERVE_MAX_MINUTES 1440

enum {
    PP_SP_METRIC = 1 << 0,
    PP_SP_FROM = 1 << 1,
    PP_SP_TO = 1 << 2,
    PP_SP_KEY = 1 << 3,
    PP_SP_GROUP = 1 << 4,
    PP_SP_TOP = 1 << 5,
    PP_SP_FORMAT = 1 << 6,
    PP_SP_MINUTES = 1 << 7,
    PP_SP_TABLE = 1 << 8,
    PP_SP_ANALYSIS = 1 << 9,
};

typedef struct {
    const char *name, *value;
} pp_serve_param;

typedef enum { PP_LIVE_ALL, PP_LIVE_PER_MINUTE, PP_LIVE_POSTERS, PP_LIVE_CATEGORIES } pp_serve_live_table;

/* The caller fills the defaults, then parses over them. */
typedef struct {
    int metric;      /* pp_metric_id; -1: none given */
    int analysis;    /* pp_serve_join_analysis (serve_join.h); -1: none given */
    int64_t from_ms; /* the first day's start (UTC); from and to default to the caller's */
    int64_t to_ms;   /* the last day's start */
    const char *key; /* one key only; NULL: every key (points into the parameters) */
    pp_serve_group group;
    long top;     /* rows per period; 0: every row */
    long minutes; /* the live view's window */
    int csv;      /* format=csv */
    pp_serve_live_table table;
} pp_serve_request;

/* 0 when every parameter is allowed and valid; else 400 with err holding the JSON
 * body. `required` parameters must be present. */
int pp_serve_params_parse(const pp_serve_param *p, size_t n, unsigned allowed, unsigned required, pp_serve_request *out,
                          pp_strbuf *err);

/* Writes a 400 body: {"error":message,"parameter":name,"allowed":allowed}. */
void pp_serve_params_error(pp_strbuf *err, const char *message, const char *name, const char *allowed);

#endif
