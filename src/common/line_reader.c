#include "common/line_reader.h"

#include <stdlib.h>
#include <string.h>

#include "common/mem.h"
#include "common/strbuf.h"

struct pp_line_reader {
    FILE *in;
    size_t max_line;
    size_t lineno;
    int unterminated;
    int eof;
    pp_strbuf line;
    char buf[65536]; /* bytes read but not yet consumed: buf[pos..end) */
    size_t pos, end;
};

pp_line_reader *pp_line_reader_create(FILE *in, size_t max_line) {
    pp_line_reader *r = pp_xcalloc(1, sizeof *r);
    r->in = in;
    r->max_line = max_line;
    pp_sb_init(&r->line);
    return r;
}

void pp_line_reader_destroy(pp_line_reader *r) {
    if (!r) return;
    pp_sb_free(&r->line);
    free(r);
}

int pp_line_reader_unterminated(const pp_line_reader *r) { return r->unterminated; }

/* Reads with fread, not fgets: input may hold NUL bytes, which are data here. */
pp_line_status pp_line_reader_next(pp_line_reader *r, const char **line, size_t *len, size_t *lineno) {
    int too_long = 0, got_any = 0;
    pp_sb_reset(&r->line);
    for (;;) {
        if (r->pos == r->end) {
            if (r->eof) break;
            r->pos = 0;
            r->end = fread(r->buf, 1, sizeof r->buf, r->in);
            if (r->end == 0) {
                if (ferror(r->in)) return PP_LINE_ERROR;
                r->eof = 1;
                break;
            }
        }
        got_any = 1;
        char *start = r->buf + r->pos;
        char *nl = memchr(start, '\n', r->end - r->pos);
        size_t n = nl ? (size_t)(nl - start) : r->end - r->pos;
        if (!too_long) {
            if (r->line.len + n > r->max_line) {
                too_long = 1;
                pp_sb_reset(&r->line);
            } else {
                pp_sb_append(&r->line, start, n);
            }
        }
        r->pos += n + (nl ? 1 : 0);
        if (nl) {
            r->unterminated = 0;
            goto done;
        }
    }
    if (!got_any) return PP_LINE_EOF; /* unterminated still describes the last line */
    r->unterminated = 1;
done:
    r->lineno++;
    *lineno = r->lineno;
    if (too_long) return PP_LINE_TOO_LONG;
    if (r->line.len && r->line.data[r->line.len - 1] == '\r') r->line.data[--r->line.len] = '\0';
    *line = r->line.data ? r->line.data : "";
    *len = r->line.len;
    return PP_LINE_OK;
}
