#include "cql/cql_script.h"

#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/mem.h"

static int is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

static void push(pp_cql_script *s, const char *p, size_t n, size_t line) {
    while (n && (is_blank(*p) || *p == '\n')) p++, n--;
    while (n && (is_blank(p[n - 1]) || p[n - 1] == '\n')) n--;
    if (n == 0) return;
    s->stmts = pp_xrealloc(s->stmts, (s->n + 1) * sizeof *s->stmts);
    s->lines = pp_xrealloc(s->lines, (s->n + 1) * sizeof *s->lines);
    char *d = pp_xmalloc(n + 1);
    memcpy(d, p, n);
    d[n] = '\0';
    s->stmts[s->n] = d;
    s->lines[s->n] = line;
    s->n++;
}

int pp_cql_script_split(const char *text, size_t len, pp_cql_script *out, char *err, size_t errlen) {
    memset(out, 0, sizeof *out);
    char *cur = pp_xmalloc(len + 1); /* the statement being gathered */
    (void)err, (void)errlen;         /* nothing can fail: allocation failure aborts (common/mem.h) */
    size_t cn = 0, start_line = 0, line = 0;
    size_t pos = 0;
    while (pos < len) {
        size_t eol = pos;
        while (eol < len && text[eol] != '\n') eol++;
        line++;
        size_t a = pos, z = eol;
        while (a < z && is_blank(text[a])) a++;
        while (z > a && is_blank(text[z - 1])) z--;
        int comment = z - a >= 2 && ((text[a] == '-' && text[a + 1] == '-') || (text[a] == '/' && text[a + 1] == '/'));
        if (!comment && z > a) {
            if (cn == 0)
                start_line = line;
            else
                cur[cn++] = '\n';
            /* the line as written (string literals may span lines), up to its ';' */
            int ends = text[z - 1] == ';';
            size_t take = (ends ? z - 1 : eol) - pos;
            memcpy(cur + cn, text + pos, take);
            cn += take;
            if (ends) {
                push(out, cur, cn, start_line);
                cn = 0;
            }
        }
        pos = eol + 1;
    }
    if (cn) push(out, cur, cn, start_line);
    free(cur);
    return 0;
}

void pp_cql_script_free(pp_cql_script *s) {
    for (size_t i = 0; i < s->n; i++) free(s->stmts[i]);
    free(s->stmts);
    free(s->lines);
    memset(s, 0, sizeof *s);
}
