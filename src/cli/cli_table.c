#include "cli/cli_table.h"

#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/mem.h"

int cli_opt_format(const pp_opt *o, void *cfg, const char *val, pp_opt_from from, char *err, size_t errlen) {
    (void)from;
    static const char *const NAMES[] = {[CLI_FMT_TABLE] = "table", [CLI_FMT_CSV] = "csv", [CLI_FMT_JSON] = "json"};
    for (int i = 0; i < (int)(sizeof NAMES / sizeof NAMES[0]); i++)
        if (!strcmp(val, NAMES[i])) {
            *(int *)((char *)cfg + o->off) = i;
            return PP_OK;
        }
    pp_errf(err, errlen, "--%s %s: want table, csv or json", o->flag, val);
    return PP_EINVAL;
}

int cli_opt_source(const pp_opt *o, void *cfg, const char *val, pp_opt_from from, char *err, size_t errlen) {
    (void)from, (void)err, (void)errlen;
    cli_sources *s = (cli_sources *)((char *)cfg + o->off);
    s->items[s->n++] = (cli_source){o->short_flag == 'f', val};
    return PP_OK;
}

/* Display width: UTF-8 code points (continuation bytes do not count), escapes as 2. */
static size_t escaped_width(const char *s) {
    size_t w = 0;
    for (; *s; s++) {
        if (((unsigned char)*s & 0xC0) != 0x80) w++;
        if (*s == '\n' || *s == '\t' || *s == '\r') w++;
    }
    return w;
}

static void pad(FILE *out, size_t n) {
    for (size_t i = 0; i < n; i++) fputc(' ', out);
}

static void put_cell(FILE *out, const char *s) {
    for (; *s; s++) {
        if (*s == '\n')
            fputs("\\n", out);
        else if (*s == '\t')
            fputs("\\t", out);
        else if (*s == '\r')
            fputs("\\r", out);
        else
            fputc(*s, out);
    }
}

static void put_row(FILE *out, size_t nc, const char *const *cells, const size_t *w) {
    for (size_t c = 0; c < nc; c++) {
        const char *s = cells[c] ? cells[c] : "null";
        fputs(c ? " | " : " ", out);
        put_cell(out, s);
        if (c + 1 < nc) pad(out, w[c] - escaped_width(s));
    }
    fputc('\n', out);
}

void cli_table_print(FILE *out, size_t nc, const char *const *names, size_t nr, const char *const *cells) {
    size_t *w = pp_xcalloc(nc ? nc : 1, sizeof *w);
    for (size_t c = 0; c < nc; c++) w[c] = escaped_width(names[c]);
    for (size_t i = 0; i < nr * nc; i++) {
        size_t cw = escaped_width(cells[i] ? cells[i] : "null");
        if (cw > w[i % nc]) w[i % nc] = cw;
    }
    put_row(out, nc, names, w);
    for (size_t c = 0; c < nc; c++) {
        fputs(c ? "-+-" : "-", out);
        for (size_t i = 0; i < w[c]; i++) fputc('-', out);
    }
    fputs("-\n", out);
    for (size_t row = 0; row < nr; row++) put_row(out, nc, cells + row * nc, w);
    fprintf(out, "\n(%zu row%s)\n", nr, nr == 1 ? "" : "s");
    free(w);
}

void cli_csv_field(FILE *out, const char *s, int quote_always) {
    if (!quote_always && strpbrk(s, ",\"\r\n") == NULL) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"') fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}
