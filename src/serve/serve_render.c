#include "serve/serve_render.h"

#include <string.h>

#include "event/event_time.h"
#include "metrics/metrics.h"

void pp_serve_render_time(pp_strbuf *out, int64_t ms) {
    if (ms < 0) {
        pp_sb_puts(out, "null");
        return;
    }
    char iso[25];
    pp_event_time_iso(ms, iso);
    pp_sb_json_cstr(out, iso);
}

static void store_state(pp_strbuf *out, const char *name, int ok, const char *err) {
    pp_sb_printf(out, "\"%s\":{\"ok\":%s,\"error\":", name, ok ? "true" : "false");
    if (ok)
        pp_sb_puts(out, "null");
    else
        pp_sb_json_cstr(out, err);
    pp_sb_putc(out, '}');
}

void pp_serve_render_freshness(const pp_serve_freshness *f, pp_strbuf *out) {
    pp_sb_puts(out, "{\"as_of\":");
    pp_serve_render_time(out, f->view_ms);
    pp_sb_puts(out, ",\"stream\":{\"lag_records\":");
    if (f->lag_records < 0)
        pp_sb_puts(out, "null");
    else
        pp_sb_put_i64(out, f->lag_records);
    pp_sb_puts(out, ",\"last_commit_at\":");
    pp_serve_render_time(out, f->last_commit_ms);
    pp_sb_puts(out, ",\"newest_event_time\":");
    pp_serve_render_time(out, f->newest_event_ms);
    pp_sb_puts(out, ",\"newest_ingested_at\":");
    pp_serve_render_time(out, f->newest_ingest_ms);
    pp_sb_puts(out, "},\"stores\":{");
    store_state(out, "cassandra", f->batch_ok, f->batch_err);
    pp_sb_putc(out, ',');
    store_state(out, "postgresql", f->stream_ok, f->stream_err);
    pp_sb_putc(out, ',');
    store_state(out, "kafka", f->kafka_ok, f->kafka_err);
    pp_sb_puts(out, "}}");
}

static void day_json(const pp_serve_day_answer *da, pp_strbuf *out) {
    const pp_serve_day *d = &da->day;
    pp_sb_puts(out, "{\"day\":");
    pp_sb_json_cstr(out, d->day);
    pp_sb_puts(out, ",\"source\":");
    pp_sb_json_cstr(out, pp_serve_source_name(d->source));
    pp_sb_printf(out, ",\"complete\":%s,\"incomplete_reason\":", d->decision.complete ? "true" : "false");
    if (d->decision.complete)
        pp_sb_puts(out, "null");
    else
        pp_sb_json_cstr(out, d->decision.why_incomplete[0] ? d->decision.why_incomplete : "Kafka could not be read");
    pp_sb_puts(out, ",\"note\":");
    if (*d->note)
        pp_sb_json_cstr(out, d->note);
    else
        pp_sb_puts(out, "null");
    pp_sb_puts(out, ",\"batch_finished_at\":");
    pp_serve_render_time(out, da->batch_finished_ms);
    pp_sb_printf(out, ",\"stream_holds_day\":%s,\"parity\":", d->stream_has_day ? "true" : "false");
    pp_sb_json_cstr(out, pp_serve_parity_name(da->parity));
    if (da->parity == PP_PARITY_EQUAL || da->parity == PP_PARITY_DIFFERENT)
        pp_sb_printf(out, ",\"parity_compared\":%zu,\"parity_differences\":%zu", da->compared, da->differences);
    if (da->parity == PP_PARITY_NOT_COMPARABLE) {
        pp_sb_puts(out, ",\"parity_reason\":");
        pp_sb_json_cstr(out, d->decision.why_not_comparable);
    }
    pp_sb_putc(out, '}');
}

static void days_json(const pp_serve_answer *a, pp_strbuf *out) {
    pp_sb_puts(out, "\"days\":[");
    for (size_t i = 0; i < a->ndays; i++) {
        if (i) pp_sb_putc(out, ',');
        day_json(&a->days[i], out);
    }
    pp_sb_puts(out, "],\"freshness\":");
}

static void range_json(const pp_serve_request *r, pp_strbuf *out) {
    char from[11], to[11];
    pp_event_day(r->from_ms, from);
    pp_event_day(r->to_ms, to);
    pp_sb_puts(out, "\"from\":");
    pp_sb_json_cstr(out, from);
    pp_sb_puts(out, ",\"to\":");
    pp_sb_json_cstr(out, to);
}

/* The days of a metric answer as spans of consecutive days served alike (a year is a
 * handful of spans, not 365 objects): from, to, source, complete, parity. */
static void spans_json(const pp_serve_answer *a, pp_strbuf *out) {
    pp_sb_puts(out, "\"sources\":[");
    for (size_t i = 0, first = 0; i < a->ndays; i++) {
        const pp_serve_day_answer *x = &a->days[i], *y = i + 1 < a->ndays ? &a->days[i + 1] : NULL;
        if (y && y->day.source == x->day.source && y->day.decision.complete == x->day.decision.complete &&
            y->parity == x->parity)
            continue;
        pp_sb_puts(out, first ? ",{\"from\":" : "{\"from\":");
        pp_sb_json_cstr(out, a->days[first].day.day);
        pp_sb_puts(out, ",\"to\":");
        pp_sb_json_cstr(out, x->day.day);
        pp_sb_printf(out, ",\"days\":%zu,\"source\":\"%s\",\"complete\":%s,\"parity\":\"%s\"}", i - first + 1,
                     pp_serve_source_name(x->day.source), x->day.decision.complete ? "true" : "false",
                     pp_serve_parity_name(x->parity));
        first = i + 1;
    }
    pp_sb_puts(out, "],\"freshness\":");
}

void pp_serve_render_query(const pp_serve_request *r, const pp_serve_answer *a, const pp_serve_row *rows, size_t n,
                           pp_strbuf *out) {
    if (r->csv) {
        pp_sb_puts(out, "period,key,value\r\n");
        for (size_t i = 0; i < n; i++) {
            pp_sb_csv_field(out, rows[i].period, strlen(rows[i].period));
            pp_sb_putc(out, ',');
            pp_sb_csv_field(out, rows[i].key, rows[i].keylen);
            pp_sb_putc(out, ',');
            pp_sb_put_i64(out, rows[i].value);
            pp_sb_puts(out, "\r\n");
        }
        return;
    }
    const pp_metric_def *m = &PP_METRICS[r->metric];
    pp_sb_puts(out, "{\"metric\":");
    pp_sb_json_cstr(out, m->name);
    pp_sb_puts(out, ",\"kind\":");
    pp_sb_json_cstr(out, pp_agg_kind_name(m->kind));
    pp_sb_putc(out, ',');
    range_json(r, out);
    pp_sb_puts(out, ",\"group\":");
    pp_sb_json_cstr(out, pp_serve_group_name(r->group));
    pp_sb_puts(out, ",\"key\":");
    if (r->key)
        pp_sb_json_cstr(out, r->key);
    else
        pp_sb_puts(out, "null");
    pp_sb_printf(out, ",\"top\":%ld,\"rows\":[", r->top);
    for (size_t i = 0; i < n; i++) {
        pp_sb_puts(out, i ? ",{\"period\":" : "{\"period\":");
        pp_sb_json_cstr(out, rows[i].period);
        pp_sb_puts(out, ",\"key\":");
        pp_sb_json_str(out, rows[i].key, rows[i].keylen);
        pp_sb_puts(out, ",\"value\":");
        pp_sb_put_i64(out, rows[i].value);
        pp_sb_putc(out, '}');
    }
    pp_sb_puts(out, "],");
    spans_json(a, out);
}

void pp_serve_render_join(const pp_serve_request *r, const pp_serve_answer *a, const pp_serve_join_table *t,
                          pp_strbuf *out) {
    const pp_serve_join_def *d = &PP_SERVE_JOIN[r->analysis];
    size_t w = t->ncols + 1;
    if (r->csv) {
        pp_sb_puts(out, "period");
        for (size_t c = 0; c < d->ncolumns; c++) pp_sb_printf(out, ",%s", d->columns[c]);
        pp_sb_puts(out, "\r\n");
        for (size_t i = 0; i < t->nrows; i++) {
            for (size_t c = 0; c < w; c++) {
                if (c) pp_sb_putc(out, ',');
                pp_serve_join_cell_csv(t, &t->cells[i * w + c], out);
            }
            pp_sb_puts(out, "\r\n");
        }
        return;
    }
    pp_sb_puts(out, "{\"analysis\":");
    pp_sb_json_cstr(out, d->name);
    pp_sb_puts(out, ",\"description\":");
    pp_sb_json_cstr(out, d->description);
    pp_sb_puts(out, ",\"metrics\":[");
    for (size_t m = 0; m < d->nmetrics; m++) {
        if (m) pp_sb_putc(out, ',');
        pp_sb_json_cstr(out, PP_METRICS[d->metrics[m]].name);
    }
    pp_sb_puts(out, "],");
    range_json(r, out);
    pp_sb_puts(out, ",\"group\":");
    pp_sb_json_cstr(out, pp_serve_group_name(r->group));
    pp_sb_puts(out, ",\"columns\":[\"period\"");
    for (size_t c = 0; c < d->ncolumns; c++) {
        pp_sb_putc(out, ',');
        pp_sb_json_cstr(out, d->columns[c]);
    }
    pp_sb_puts(out, "],\"rows\":[");
    for (size_t i = 0; i < t->nrows; i++) {
        pp_sb_puts(out, i ? ",{" : "{");
        for (size_t c = 0; c < w; c++) {
            if (c) pp_sb_putc(out, ',');
            pp_sb_json_cstr(out, c ? d->columns[c - 1] : "period");
            pp_sb_putc(out, ':');
            pp_serve_join_cell_json(t, &t->cells[i * w + c], out);
        }
        pp_sb_putc(out, '}');
    }
    pp_sb_puts(out, "],");
    spans_json(a, out);
}

void pp_serve_render_days(const pp_serve_request *r, const pp_serve_answer *a, pp_strbuf *out) {
    if (r->csv) {
        pp_sb_puts(out, "day,source,complete,parity,parity_differences,batch_finished_at,reason\r\n");
        for (size_t i = 0; i < a->ndays; i++) {
            const pp_serve_day_answer *da = &a->days[i];
            const pp_serve_day *d = &da->day;
            char at[25] = "";
            if (da->batch_finished_ms >= 0) pp_event_time_iso(da->batch_finished_ms, at);
            const char *why = *d->note ? d->note : d->decision.why_incomplete;
            pp_sb_printf(out, "%s,%s,%s,%s,", d->day, pp_serve_source_name(d->source),
                         d->decision.complete ? "true" : "false", pp_serve_parity_name(da->parity));
            if (da->parity == PP_PARITY_EQUAL || da->parity == PP_PARITY_DIFFERENT)
                pp_sb_printf(out, "%zu", da->differences);
            pp_sb_printf(out, ",%s,", at);
            pp_sb_csv_field(out, why, strlen(why));
            pp_sb_puts(out, "\r\n");
        }
        return;
    }
    pp_sb_putc(out, '{');
    range_json(r, out);
    pp_sb_putc(out, ',');
    days_json(a, out);
}

void pp_serve_render_close(const pp_serve_freshness *f, int csv, pp_strbuf *out) {
    if (csv) return;
    pp_serve_render_freshness(f, out);
    pp_sb_puts(out, "}\n");
}

void pp_serve_render_metrics(int csv, pp_strbuf *out) {
    pp_sb_puts(out, csv ? "metric,kind,key,description\r\n" : "{\"metrics\":[");
    for (int i = 0; i < PP_M_COUNT; i++) {
        const pp_metric_def *m = &PP_METRICS[i];
        if (csv) {
            pp_sb_printf(out, "%s,%s,", m->name, pp_agg_kind_name(m->kind));
            pp_sb_csv_field(out, m->key, strlen(m->key));
            pp_sb_putc(out, ',');
            pp_sb_csv_field(out, m->description, strlen(m->description));
            pp_sb_puts(out, "\r\n");
            continue;
        }
        pp_sb_puts(out, i ? ",{\"metric\":" : "{\"metric\":");
        pp_sb_json_cstr(out, m->name);
        pp_sb_puts(out, ",\"kind\":");
        pp_sb_json_cstr(out, pp_agg_kind_name(m->kind));
        pp_sb_puts(out, ",\"key\":");
        pp_sb_json_cstr(out, m->key);
        pp_sb_puts(out, ",\"description\":");
        pp_sb_json_cstr(out, m->description);
        pp_sb_putc(out, '}');
    }
    if (!csv) pp_sb_puts(out, "]}\n");
}

void pp_serve_render_unavailable(const pp_serve_answer *a, int retry_after_s, pp_strbuf *out) {
    pp_sb_puts(out, "{\"error\":");
    pp_sb_json_cstr(out, a->error);
    pp_sb_puts(out, ",\"store\":");
    pp_sb_json_cstr(out, a->store ? a->store : "");
    pp_sb_printf(out, ",\"retry_after_s\":%d,\"freshness\":", retry_after_s);
    pp_serve_render_freshness(&a->fresh, out);
    pp_sb_puts(out, "}\n");
}
