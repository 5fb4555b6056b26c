#include "pipeline/clean_run.h"

#include "common/line_reader.h"
#include "common/strbuf.h"

int pp_clean_run(FILE *in, const char *name, pp_tally *t, FILE *cleaned_out, FILE *rejects_out, size_t max_line,
                 int64_t ingest_time_ms, size_t *lines) {
    pp_line_reader *reader = pp_line_reader_create(in, max_line);
    pp_strbuf sb;
    pp_sb_init(&sb);
    const char *line;
    size_t len, lineno = 0;
    int rc = 0;
    pp_line_status st;
    while ((st = pp_line_reader_next(reader, &line, &len, &lineno)) != PP_LINE_EOF) {
        if (st == PP_LINE_ERROR) {
            fprintf(stderr, "pinpipe: %s: read error after line %zu\n", name, lineno);
            rc = 3;
            break;
        }
        if (st == PP_LINE_OK && len == 0) continue; /* blank lines are not events */
        pp_pin pin;
        pp_reject rej;
        pp_sb_reset(&sb);
        if (st == PP_LINE_TOO_LONG) {
            char detail[96];
            snprintf(detail, sizeof detail, "line longer than %zu bytes", max_line);
            pp_reject_set(&rej, "too_large", detail, ingest_time_ms);
            t->records++;
            pp_tally_reject(t, &rej);
            line = "";
            len = 0;
        } else if (pp_tally_raw(t, line, len, ingest_time_ms, &pin, &rej) != PP_TALLY_REJECTED) {
            pp_pin_to_json(&pin, &sb);
            pp_sb_putc(&sb, '\n');
            fwrite(sb.data, 1, sb.len, cleaned_out);
            pp_pin_clear(&pin);
            continue;
        }
        pp_reject_json_open(&rej, &sb);
        pp_sb_printf(&sb, ",\"line\":%zu", lineno);
        pp_reject_json_raw(line, len, &sb);
        pp_sb_puts(&sb, "}\n");
        fwrite(sb.data, 1, sb.len, rejects_out);
    }
    if (pp_line_reader_unterminated(reader))
        fprintf(stderr, "pinpipe: %s: line %zu has no final newline (truncated input?)\n", name, lineno);
    if (lineno == 0 && rc == 0) fprintf(stderr, "pinpipe: %s: empty input\n", name);
    *lines = lineno;
    pp_sb_free(&sb);
    pp_line_reader_destroy(reader);
    return rc;
}
