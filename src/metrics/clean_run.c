#define _GNU_SOURCE /* memmem */
#include "metrics/clean_run.h"

#include <string.h>

#include "common/line_reader.h"
#include "common/strbuf.h"
#include "contract/mixed_line.h"
#include "contract/reject_record.h"

/* One line of raw input: its pin to cleaned_out, or its reject to rejects_out. */
static void run_raw(const pp_clean_run_opts *o, pp_tally *t, const char *line, size_t len, size_t lineno, int too_long,
                    pp_strbuf *sb) {
    pp_pin pin;
    pp_reject rej;
    if (too_long) {
        char detail[96];
        snprintf(detail, sizeof detail, "line longer than %zu bytes", o->max_line);
        pp_reject_set(&rej, "too_large", detail, o->ingest_time_ms);
        t->records++;
        pp_tally_reject(t, &rej);
        if (!o->rejects_out) fprintf(stderr, "pinpipe: %s:%zu: %s, rejected\n", o->name, lineno, detail);
        line = "";
        len = 0;
    } else if (pp_tally_raw(t, line, len, o->ingest_time_ms, &pin, &rej) != PP_TALLY_REJECTED) {
        if (o->cleaned_out) {
            pp_pin_to_json(&pin, sb);
            pp_sb_putc(sb, '\n');
            fwrite(sb->data, 1, sb->len, o->cleaned_out);
        }
        pp_pin_clear(&pin);
        return;
    }
    if (!o->rejects_out) return;
    pp_reject_json_open(&rej, sb);
    pp_sb_printf(sb, ",\"line\":%zu", lineno);
    pp_reject_json_raw(line, len, sb);
    pp_sb_puts(sb, "}\n");
    fwrite(sb->data, 1, sb->len, o->rejects_out);
}

static void write_record(const pp_record *rec, pp_strbuf *sb, FILE *out) {
    if (rec->kind == PP_KIND_GEO)
        pp_geo_to_json(&rec->geo, sb);
    else if (rec->kind == PP_KIND_USER)
        pp_user_to_json(&rec->user, sb);
    else
        pp_pin_to_json(&rec->pin, sb);
    pp_sb_putc(sb, '\n');
    fwrite(sb->data, 1, sb->len, out);
}

/* One line of mixed input; 1 when it is not an envelope. */
static int run_mixed(const pp_clean_run_opts *o, pp_tally *t, const char *line, size_t len, size_t lineno, int too_long,
                     pp_strbuf *sb) {
    if (too_long) {
        fprintf(stderr, "pinpipe: %s:%zu: line longer than %zu bytes, not read\n", o->name, lineno, o->max_line);
        return 1;
    }
    pp_strbuf raw;
    pp_sb_init(&raw);
    pp_kind kind;
    int64_t ingest = o->ingest_time_ms;
    const char *why;
    int rc = pp_mixed_line_parse(line, len, &kind, &ingest, &raw, &why) ? 1 : 0;
    if (rc) fprintf(stderr, "pinpipe: %s:%zu: %s, not a mixed-input line\n", o->name, lineno, why);
    if (rc == 0) {
        pp_record rec;
        pp_reject rej;
        if (pp_tally_record(t, kind, raw.data ? raw.data : "", raw.len, ingest, &rec, &rej) != PP_TALLY_REJECTED) {
            if (o->cleaned_out) write_record(&rec, sb, o->cleaned_out);
            pp_record_clear(&rec);
        } else if (o->rejects_out) {
            pp_reject_json_open(&rej, sb);
            pp_sb_printf(sb, ",\"line\":%zu", lineno);
            pp_reject_json_raw(raw.data ? raw.data : "", raw.len, sb);
            pp_sb_puts(sb, "}\n");
            fwrite(sb->data, 1, sb->len, o->rejects_out);
        }
    }
    pp_sb_free(&raw);
    return rc;
}

/* One line of cleaned input; 1 when it is not a cleaned pin. */
static int run_cleaned(const pp_clean_run_opts *o, pp_tally *t, const char *line, size_t len, size_t lineno,
                       int too_long) {
    pp_pin pin;
    char err[256];
    if (too_long) {
        fprintf(stderr, "pinpipe: %s:%zu: line longer than %zu bytes, not a cleaned pin\n", o->name, lineno,
                o->max_line);
        return 1;
    }
    if (pp_pin_from_json(&pin, line, len, err, sizeof err)) {
        fprintf(stderr, "pinpipe: %s:%zu: %s\n", o->name, lineno, err);
        return 1;
    }
    pp_tally_pin(t, &pin);
    pp_pin_clear(&pin);
    return 0;
}

int pp_clean_run(FILE *in, const pp_clean_run_opts *o, pp_tally *t, size_t *lines) {
    pp_line_reader *reader = pp_line_reader_create(in, o->max_line);
    pp_strbuf sb;
    pp_sb_init(&sb);
    pp_input_kind kind = o->input;
    const char *line;
    size_t len, lineno = 0;
    int rc = 0;
    pp_line_status st;
    while ((st = pp_line_reader_next(reader, &line, &len, &lineno)) != PP_LINE_EOF) {
        if (st == PP_LINE_ERROR) {
            fprintf(stderr, "pinpipe: %s: read error after line %zu\n", o->name, lineno);
            rc = 3;
            break;
        }
        if (st == PP_LINE_OK && len == 0) continue; /* blank lines are not events */
        if ((kind == PP_INPUT_AUTO || kind == PP_INPUT_EVENTS) && st == PP_LINE_OK)
            kind = pp_mixed_line_sniff(line, len)                          ? PP_INPUT_MIXED
                : kind == PP_INPUT_AUTO && memmem(line, len, "\"ind\"", 5) ? PP_INPUT_CLEANED
                                                                           : PP_INPUT_RAW;
        pp_sb_reset(&sb);
        int too_long = st == PP_LINE_TOO_LONG;
        if (kind == PP_INPUT_CLEANED) {
            if (run_cleaned(o, t, line, len, lineno, too_long)) rc = 1;
        } else if (kind == PP_INPUT_MIXED) {
            if (run_mixed(o, t, line, len, lineno, too_long, &sb)) rc = 1;
        } else {
            run_raw(o, t, line, len, lineno, too_long, &sb);
        }
    }
    if (pp_line_reader_unterminated(reader))
        fprintf(stderr, "pinpipe: %s: line %zu has no final newline (truncated input?)\n", o->name, lineno);
    if (lineno == 0 && rc == 0) fprintf(stderr, "pinpipe: %s: empty input\n", o->name);
    *lines = lineno;
    pp_sb_free(&sb);
    pp_line_reader_destroy(reader);
    return rc;
}
