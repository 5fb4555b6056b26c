#include "serve/serve_params.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/options.h"
#include "event/event_time.h"
#include "metrics/metrics.h"
#include "serve/serve_join.h"

static const struct {
    unsigned bit;
    const char *name;
} KNOWN[] = {
    {PP_SP_METRIC, "metric"}, {PP_SP_FROM, "from"},         {PP_SP_TO, "to"},         {PP_SP_KEY, "key"},
    {PP_SP_GROUP, "group"},   {PP_SP_TOP, "top"},           {PP_SP_FORMAT, "format"}, {PP_SP_MINUTES, "minutes"},
    {PP_SP_TABLE, "table"},   {PP_SP_ANALYSIS, "analysis"},
};
#define N_KNOWN (sizeof KNOWN / sizeof KNOWN[0])

void pp_serve_params_error(pp_strbuf *err, const char *message, const char *name, const char *allowed) {
    pp_sb_puts(err, "{\"error\":");
    pp_sb_json_cstr(err, message);
    pp_sb_puts(err, ",\"parameter\":");
    pp_sb_json_cstr(err, name);
    pp_sb_puts(err, ",\"allowed\":");
    pp_sb_json_cstr(err, allowed);
    pp_sb_puts(err, "}\n");
}

static void names_of(unsigned mask, pp_strbuf *out) {
    for (size_t i = 0; i < N_KNOWN; i++)
        if (mask & KNOWN[i].bit) pp_sb_printf(out, "%s%s", out->len ? ", " : "", KNOWN[i].name);
}

static int bad(pp_strbuf *err, const char *message, const char *name, const char *allowed) {
    pp_serve_params_error(err, message, name, allowed);
    return 400;
}

static int parse_long(const char *s, long lo, long hi, long *out) {
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (!*s || *end || errno || v < lo || v > hi) return -1;
    *out = v;
    return 0;
}

/* One parameter's value into the request; 0 or 400. */
static int parse_one(unsigned bit, const char *name, const char *v, pp_serve_request *r, pp_strbuf *err) {
    switch (bit) {
    case PP_SP_METRIC:
        if ((r->metric = pp_metric_find(v)) < 0) {
            pp_strbuf all;
            pp_sb_init(&all);
            for (int m = 0; m < PP_M_COUNT; m++) pp_sb_printf(&all, "%s%s", m ? ", " : "", PP_METRICS[m].name);
            int rc = bad(err, "unknown metric", name, all.data);
            pp_sb_free(&all);
            return rc;
        }
        return 0;
    case PP_SP_ANALYSIS:
        if ((r->analysis = pp_serve_join_find(v)) < 0) {
            pp_strbuf all;
            pp_sb_init(&all);
            pp_serve_join_names(&all);
            int rc = bad(err, "unknown analysis", name, all.data);
            pp_sb_free(&all);
            return rc;
        }
        return 0;
    case PP_SP_FROM:
    case PP_SP_TO:
        if (pp_day_parse(v, bit == PP_SP_FROM ? &r->from_ms : &r->to_ms))
            return bad(err, "not a day", name, "YYYY-MM-DD (UTC), 1970-01-01 to 9999-12-31");
        return 0;
    case PP_SP_KEY:
        if (strlen(v) > 512) return bad(err, "key too long", name, "a metric key of at most 512 bytes");
        r->key = v;
        return 0;
    case PP_SP_GROUP:
        if (pp_serve_group_parse(v, &r->group)) return bad(err, "unknown group", name, PP_SERVE_GROUPS);
        return 0;
    case PP_SP_TOP:
        if (parse_long(v, 1, PP_SERVE_MAX_TOP, &r->top))
            return bad(err, "top out of range", name, "an integer from 1 to " PP_STR(PP_SERVE_MAX_TOP));
        return 0;
    case PP_SP_MINUTES:
        if (parse_long(v, 1, PP_SERVE_MAX_MINUTES, &r->minutes))
            return bad(err, "minutes out of range", name, "an integer from 1 to " PP_STR(PP_SERVE_MAX_MINUTES));
        return 0;
    case PP_SP_FORMAT:
        if (strcmp(v, "csv") != 0 && strcmp(v, "json") != 0) return bad(err, "unknown format", name, "json, csv");
        r->csv = strcmp(v, "csv") == 0;
        return 0;
    case PP_SP_TABLE:
        if (strcmp(v, "per_minute") == 0)
            r->table = PP_LIVE_PER_MINUTE;
        else if (strcmp(v, "posters") == 0)
            r->table = PP_LIVE_POSTERS;
        else if (strcmp(v, "categories") == 0)
            r->table = PP_LIVE_CATEGORIES;
        else
            return bad(err, "unknown table", name, "per_minute, posters, categories");
        return 0;
    }
    return 0;
}

int pp_serve_params_parse(const pp_serve_param *p, size_t n, unsigned allowed, unsigned required, pp_serve_request *out,
                          pp_strbuf *err) {
    unsigned seen = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned bit = 0;
        for (size_t k = 0; k < N_KNOWN && !bit; k++)
            if (strcmp(p[i].name, KNOWN[k].name) == 0) bit = KNOWN[k].bit;
        if (!(bit & allowed)) {
            pp_strbuf names;
            pp_sb_init(&names);
            names_of(allowed, &names);
            int rc = bad(err, "unknown parameter", p[i].name, names.len ? names.data : "none");
            pp_sb_free(&names);
            return rc;
        }
        if (seen & bit) return bad(err, "parameter given twice", p[i].name, "once");
        seen |= bit;
        if (!p[i].value) return bad(err, "parameter without a value", p[i].name, "name=value");
        int rc = parse_one(bit, p[i].name, p[i].value, out, err);
        if (rc) return rc;
    }
    for (size_t k = 0; k < N_KNOWN; k++)
        if ((required & KNOWN[k].bit) && !(seen & KNOWN[k].bit)) {
            pp_strbuf names;
            pp_sb_init(&names);
            if (KNOWN[k].bit == PP_SP_ANALYSIS) pp_serve_join_names(&names);
            int rc = bad(err, "missing parameter", KNOWN[k].name,
                         KNOWN[k].bit == PP_SP_METRIC         ? "a metric of GET /api/v1/metrics"
                             : KNOWN[k].bit == PP_SP_ANALYSIS ? names.data
                                                              : "a value");
            pp_sb_free(&names);
            return rc;
        }
    if (out->from_ms > out->to_ms) return bad(err, "from is after to", "from", "a day on or before to");
    if ((out->to_ms - out->from_ms) / 86400000 + 1 > PP_SERVE_MAX_DAYS)
        return bad(err, "range too long", "to", "at most " PP_STR(PP_SERVE_MAX_DAYS) " days (ten years) after from");
    return 0;
}
