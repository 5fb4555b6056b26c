/* pinpipe cql — run CQL statements against Cassandra with pinpipe's own client and
 * print the rows (an aligned table, CSV or JSON lines). Also the Cassandra readiness
 * probe: a refused connection fails at once with the reason.
 */
#include <errno.h>
#include <stddef.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli_opts.h"
#include "cli/cli_table.h"
#include "cli/commands.h"
#include "common/mem.h"
#include "common/options.h"
#include "common/error.h"
#include "cql/cql_format.h"
#include "cql/cql_script.h"
#include "cql/cql_session.h"

#define MAX_SCRIPT ((size_t)64 * 1024 * 1024)

static const char HEAD[] = "usage: pinpipe cql [options] [-e STATEMENT | --file F.cql]...\n"
                           "\n"
                           "Runs CQL statements on Cassandra (native protocol v4, pinpipe's own client) and\n"
                           "prints the rows each SELECT returns, every page of them. Statements run in the\n"
                           "order given and stop at the first error. Without -e or --file, the statements\n"
                           "are read from standard input.\n"
                           "Scripts: a statement ends with ';' at the end of a line; lines starting with\n"
                           "'--' or '//' are comments.\n"
                           "\n"
                           "options (environment variable and default in brackets; flags win):\n";
static const char TAIL[] = "\n"
                           "exit status: 0 every statement succeeded, 1 an error (connection refused,\n"
                           "bad credentials, or the server's message for a statement), 2 bad usage\n";

typedef struct {
    int format;
    int printed; /* results printed so far (table: blank line between them) */
} out_opts;

/* ---- rendering ---------------------------------------------------------- */

/* The text of cell (row, col); "null" for null. Returns a malloc'd string. */
static char *cell_text(const pp_cql_result *r, size_t row, size_t col) {
    const uint8_t *p;
    int32_t n;
    pp_cql_buf b;
    pp_cql_buf_init(&b);
    pp_cql_result_raw(r, row, col, &p, &n);
    if (pp_cql_format(&pp_cql_result_column(r, col)->type, p, n, &b) != 0 && !b.err) {
        pp_cql_buf_reset(&b);
        pp_cql_put_raw(&b, "<malformed>", 11);
    }
    pp_cql_put_u8(&b, 0);
    if (b.err) {
        pp_cql_buf_free(&b);
        return pp_xstrdup("<out of memory>");
    }
    return (char *)b.data;
}

static int print_table(const pp_cql_result *r) {
    size_t nc = pp_cql_result_ncols(r), nr = pp_cql_result_nrows(r);
    const char **names = pp_xcalloc(nc ? nc : 1, sizeof *names);
    char **cells = pp_xcalloc((nc * nr) > 0 ? nc * nr : 1, sizeof *cells);
    for (size_t c = 0; c < nc; c++) names[c] = pp_cql_result_column(r, c)->name;
    for (size_t i = 0; i < nr * nc; i++) cells[i] = cell_text(r, i / nc, i % nc);
    cli_table_print(stdout, nc, names, nr, (const char *const *)cells);
    for (size_t i = 0; i < nr * nc; i++) free(cells[i]);
    free(cells);
    free(names);
    return 0;
}

static int print_csv(const pp_cql_result *r) {
    size_t nc = pp_cql_result_ncols(r), nr = pp_cql_result_nrows(r);
    for (size_t c = 0; c < nc; c++) {
        if (c) fputc(',', stdout);
        cli_csv_field(stdout, pp_cql_result_column(r, c)->name, 0);
    }
    fputs("\r\n", stdout);
    for (size_t row = 0; row < nr; row++) {
        for (size_t c = 0; c < nc; c++) {
            if (c) fputc(',', stdout);
            if (pp_cql_result_is_null(r, row, c) == 1) continue; /* null: empty field */
            char *s = cell_text(r, row, c);
            if (!s) return PP_ENOMEM;
            /* an empty string is quoted so it differs from null */
            cli_csv_field(stdout, s, s[0] == '\0');
            free(s);
        }
        fputs("\r\n", stdout);
    }
    return 0;
}

static json_t *json_cell(const pp_cql_result *r, size_t row, size_t col) {
    const pp_cql_value *v = pp_cql_result_value(r, row, col);
    const pp_cql_type *t = &pp_cql_result_column(r, col)->type;
    json_t *j = NULL;
    switch (v->kind) {
    case PP_CQL_NULL: return json_null();
    case PP_CQL_TEXT: j = json_stringn(v->u.text.s, v->u.text.len); break;
    case PP_CQL_INT: return json_integer(v->u.i32);
    case PP_CQL_BIGINT: return json_integer((json_int_t)v->u.i64);
    case PP_CQL_BOOLEAN: return json_boolean(v->u.b);
    case PP_CQL_LIST_TEXT:
    case PP_CQL_SET_TEXT:
        j = json_array();
        for (size_t i = 0; j && i < v->u.list.count; i++) {
            json_t *s = json_stringn(v->u.list.items[i], v->u.list.lens[i]);
            if (!s || json_array_append_new(j, s)) {
                json_decref(j);
                j = NULL;
            }
        }
        break;
    default: break;
    }
    if (j) return j;
    /* everything else (and text that is not valid UTF-8): its text form; numbers as
       JSON numbers */
    char *s = cell_text(r, row, col);
    if (!s) return NULL;
    if (t->id == PP_CQL_T_SMALLINT || t->id == PP_CQL_T_TINYINT || t->id == PP_CQL_T_VARINT ||
        t->id == PP_CQL_T_COUNTER || t->id == PP_CQL_T_FLOAT || t->id == PP_CQL_T_DOUBLE || t->id == PP_CQL_T_DECIMAL)
        j = json_loads(s, JSON_DECODE_ANY, NULL);
    if (j && !json_is_number(j)) {
        json_decref(j);
        j = NULL;
    }
    if (!j) j = json_string(s);
    free(s);
    if (!j) { /* not UTF-8 (a text column can hold anything): its bytes in hex */
        const uint8_t *p;
        int32_t n;
        pp_cql_type blob = {.id = PP_CQL_T_BLOB};
        pp_cql_buf b;
        pp_cql_buf_init(&b);
        pp_cql_result_raw(r, row, col, &p, &n);
        pp_cql_format(&blob, p, n, &b);
        if (!b.err) j = json_stringn((const char *)b.data, b.len);
        pp_cql_buf_free(&b);
    }
    return j;
}

static int print_json(const pp_cql_result *r) {
    size_t nc = pp_cql_result_ncols(r), nr = pp_cql_result_nrows(r);
    for (size_t row = 0; row < nr; row++) {
        json_t *o = json_object();
        if (!o) return PP_ENOMEM;
        for (size_t c = 0; c < nc; c++) {
            json_t *v = json_cell(r, row, c);
            if (!v || json_object_set_new(o, pp_cql_result_column(r, c)->name, v)) {
                json_decref(o);
                return PP_ENOMEM;
            }
        }
        char *line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
        json_decref(o);
        if (!line) return PP_ENOMEM;
        puts(line);
        free(line);
    }
    return 0;
}

static int print_result(const pp_cql_result *r, out_opts *o) {
    if (!r || pp_cql_result_kind_of(r) != PP_CQL_RESULT_ROWS) return 0;
    int rc;
    switch (o->format) {
    case CLI_FMT_CSV: rc = print_csv(r); break;
    case CLI_FMT_JSON: rc = print_json(r); break;
    default:
        if (o->printed) fputc('\n', stdout);
        rc = print_table(r);
        break;
    }
    o->printed++;
    return rc;
}

/* ---- running ------------------------------------------------------------ */

static char *read_all(FILE *f, size_t *len) {
    size_t cap = 4096, n = 0;
    char *buf = pp_xmalloc(cap);
    while (buf) {
        if (n == cap) {
            if (cap >= MAX_SCRIPT) {
                free(buf);
                errno = EFBIG;
                return NULL;
            }
            buf = pp_xrealloc(buf, cap * 2);
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) {
            if (ferror(f)) break;
            *len = n;
            return buf;
        }
    }
    free(buf);
    return NULL;
}

/* Runs every statement of text; where names the source for messages. */
static int run_text(pp_cql_session *s, const char *text, size_t len, const char *where, int single, out_opts *o) {
    pp_cql_script sc;
    char err[2048] = "";
    int rc = pp_cql_script_split(text, len, &sc, err, sizeof err);
    if (rc) {
        fprintf(stderr, "pinpipe cql: %s\n", err);
        return 1;
    }
    int status = 0;
    for (size_t i = 0; i < sc.n && !status; i++) {
        pp_cql_result *res = NULL;
        rc = pp_cql_query(s, sc.stmts[i], NULL, 0, &res, err, sizeof err);
        if (!rc) rc = print_result(res, o);
        pp_cql_result_destroy(res);
        if (rc) {
            if (single)
                fprintf(stderr, "pinpipe cql: %s\n", err[0] ? err : pp_strerror(rc));
            else
                fprintf(stderr, "pinpipe cql: %s:%zu: %s\n", where, sc.lines[i], err[0] ? err : pp_strerror(rc));
            status = 1;
        }
    }
    if (fflush(stdout) != 0 && !status) {
        fprintf(stderr, "pinpipe cql: writing standard output: %s\n", strerror(errno));
        status = 1;
    }
    pp_cql_script_free(&sc);
    return status;
}

static int run_file(pp_cql_session *s, const char *path, out_opts *o) {
    int stdin_ = !strcmp(path, "-");
    FILE *f = stdin_ ? stdin : fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "pinpipe cql: %s: %s\n", path, strerror(errno));
        return 1;
    }
    size_t len = 0;
    char *text = read_all(f, &len);
    int e = errno;
    if (!stdin_) fclose(f);
    if (!text) {
        fprintf(stderr, "pinpipe cql: %s: cannot read: %s\n", stdin_ ? "<stdin>" : path, strerror(e));
        return 1;
    }
    int rc = run_text(s, text, len, stdin_ ? "<stdin>" : path, 0, o);
    free(text);
    return rc;
}

typedef struct {
    pp_cql_config c;
    int format;      /* CLI_FMT_* */
    cli_sources src; /* -e and -f in their order */
} cql_cfg;

/* -e STMT, -f FILE: one more source, in order. */
static int opt_consistency(const pp_opt *o, void *cfg, const char *val, pp_opt_from from, char *err, size_t errlen) {
    (void)from;
    int code = pp_cql_consistency_parse(val);
    if (code < 0) {
        pp_errf(err, errlen, "--%s %s: unknown level", o->flag, val);
        return PP_EINVAL;
    }
    ((cql_cfg *)cfg)->c.consistency = code;
    return PP_OK;
}

#define F(x) offsetof(cql_cfg, c.x)
static const pp_opt ROWS[] = {
    {"execute", 'e', "STMT", NULL, NULL, cli_opt_source, offsetof(cql_cfg, src), 0, 0, 0,
     "run STMT (may be given more than once)"},
    {"file", 'f', "F.cql", NULL, NULL, cli_opt_source, offsetof(cql_cfg, src), 0, 0, 0,
     "run the statements in F.cql ('-': standard input)"},
    CLI_ROWS_CASSANDRA(F(host), F(port), F(user), F(password)),
    {"keyspace", 'k', "K", NULL, NULL, pp_opt_str, F(keyspace), 0, 0, 0, "USE K before the statements (default none)"},
    {"consistency", 0, "CL", "PINPIPE_CASSANDRA_CONSISTENCY", "LOCAL_ONE", opt_consistency, 0, 0, 0, PP_OPT_ELSEWHERE,
     "ONE, LOCAL_ONE, QUORUM, ..."},
    {"format", 0, "FMT", NULL, "table", cli_opt_format, offsetof(cql_cfg, format), 0, 0, 0,
     "table, csv, or json (one object per row)"},
    {"page-size", 0, "N", NULL, PP_STR(PP_CQL_DEFAULT_PAGE_SIZE), pp_opt_int, F(page_size), 1, 1000000,
     PP_OPT_ELSEWHERE, "rows per page fetched"},
    {"connect-timeout", 0, "MS", NULL, "5000", pp_opt_int, F(connect_timeout_ms), 1, 3600000, PP_OPT_ELSEWHERE,
     "TCP connect timeout"},
    {"timeout", 0, "MS", NULL, "12000", pp_opt_int, F(request_timeout_ms), 1, 3600000, PP_OPT_ELSEWHERE,
     "per-request timeout"},
    CLI_ROW_HELP,
};
#undef F

const pp_opts_spec CLI_CQL_SPEC = PP_OPTS_SPEC_HINT("cql", ROWS, HEAD, TAIL, "try 'pinpipe cql --help'");

int cmd_cql(int argc, char **argv) {
    cql_cfg cc = {.format = CLI_FMT_TABLE};
    char err[2048] = "";
    if (pp_cql_config_from_env(&cc.c, err, sizeof err)) {
        fprintf(stderr, "pinpipe cql: %s\n", err);
        return 2;
    }
    cc.src.items = pp_xcalloc((size_t)argc + 1, sizeof *cc.src.items);
    int next, parsed = pp_opts_parse(&CLI_CQL_SPEC, &cc, argc, argv, &next);
    if (parsed == PP_OPTS_RUN && next < argc) {
        fprintf(stderr, "pinpipe cql: unexpected argument '%s' (statements go after -e)\n", argv[next]);
        fprintf(stderr, "%s\n", CLI_CQL_SPEC.hint);
        parsed = PP_OPTS_EXIT_USAGE;
    }
    cli_source *src = cc.src.items;
    if (parsed != PP_OPTS_RUN) {
        free(src);
        return pp_opts_exit(parsed);
    }
    const pp_cql_config cfg = cc.c;
    out_opts o = {.format = cc.format};
    size_t nsrc = cc.src.n;
    int status = 0;
    if (nsrc == 0) src[nsrc++] = (cli_source){1, "-"};

    pp_cql_session *s = NULL;
    int rc = pp_cql_session_create(&cfg, &s, err, sizeof err);
    if (rc) {
        fprintf(stderr, "pinpipe cql: %s\n", err[0] ? err : pp_strerror(rc));
        free(src);
        return 1;
    }
    for (size_t i = 0; i < nsrc && !status; i++) {
        if (src[i].is_file)
            status = run_file(s, src[i].arg, &o);
        else
            status = run_text(s, src[i].arg, strlen(src[i].arg), "-e", 1, &o);
    }
    pp_cql_session_destroy(s);
    free(src);
    return status;
}
