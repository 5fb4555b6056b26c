/* pinpipe sql — ad-hoc SQL on Trino (catalogs batch, stream, lake: docs/sql.md): runs
 * statements through Trino's HTTP client protocol (sql/trino_client.h) and prints the
 * rows as an aligned table, CSV or JSON lines. A failed statement prints Trino's own
 * message (with its line and column) and exits 1.
 *
 * Why a C command and not a wrapper around the Trino CLI jar: no JVM start per query
 * (tests and scripts run many), the same flags, environment and output formats as
 * `pinpipe cql`, and errors surfaced the same way. The Trino CLI stays available for an
 * interactive prompt: bash ci/services/trino.sh cli.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli_opts.h"
#include "cli/cli_table.h"
#include "cli/commands.h"
#include "common/error.h"
#include "common/mem.h"
#include "common/options.h"
#include "common/strbuf.h"
#include "sql/trino_client.h"

#define MAX_SQL ((size_t)16 * 1024 * 1024)

static const char HEAD[] = "usage: pinpipe sql [options] [-e STATEMENT | --file F.sql]...\n"
                           "\n"
                           "Runs SQL statements on Trino and prints the rows each returns. The catalogs\n"
                           "(ci/services/trino.sh) are batch (Cassandra), stream (PostgreSQL) and lake (the\n"
                           "raw lake on S3, and the views of ci/trino/views.sh); queries and examples:\n"
                           "docs/sql.md. Statements run in the order given and stop at the first error.\n"
                           "Without -e or --file they are read from standard input. A file holds\n"
                           "statements each ending with ';' at the end of a line; lines starting with '--'\n"
                           "are comments.\n"
                           "\n"
                           "options (environment variable and default in brackets; flags win):\n";
static const char TAIL[] = "\n"
                           "Trino on loopback takes no password (only the user name, for its logs): none is\n"
                           "read or sent.\n"
                           "\n"
                           "exit status: 0 every statement succeeded, 1 an error (Trino's message for a\n"
                           "failed statement, or why the server could not be reached), 2 bad usage\n";

typedef struct {
    pp_trino_config t;
    int format;      /* CLI_FMT_* */
    cli_sources src; /* -e and -f in their order */
    int printed;
} sql_cfg;

#define F(x) offsetof(sql_cfg, t.x)
static const pp_opt ROWS[] = {
    {"execute", 'e', "SQL", NULL, NULL, cli_opt_source, offsetof(sql_cfg, src), 0, 0, 0,
     "run SQL (may be given more than once)"},
    {"file", 'f', "F.sql", NULL, NULL, cli_opt_source, offsetof(sql_cfg, src), 0, 0, 0,
     "run the statements in F.sql ('-': standard input)"},
    {"server", 0, "URL", "PINPIPE_TRINO_URL", "http://127.0.0.1:18080", pp_opt_str, F(url), 0, 0, 0,
     "Trino's HTTP address"},
    {"user", 0, "NAME", "PINPIPE_TRINO_USER", "pinpipe", pp_opt_str, F(user), 0, 0, 0,
     "user name sent to Trino (X-Trino-User)"},
    {"catalog", 'c', "NAME", "PINPIPE_TRINO_CATALOG", NULL, pp_opt_str, F(catalog), 0, 0, 0,
     "default catalog for unqualified names: batch, stream or lake (default none)"},
    {"schema", 's', "NAME", "PINPIPE_TRINO_SCHEMA", NULL, pp_opt_str, F(schema), 0, 0, 0,
     "default schema (a keyspace for batch, a schema for stream; default none)"},
    {"format", 0, "FMT", NULL, "table", cli_opt_format, offsetof(sql_cfg, format), 0, 0, 0,
     "table, csv, or json (one object per row)"},
    {"timeout", 0, "MS", "PINPIPE_TRINO_TIMEOUT_MS", "300000", pp_opt_long, F(timeout_ms), 1, 86400000L, 0,
     "longest a statement may take, queueing included; then it is cancelled"},
    {"connect-timeout", 0, "MS", NULL, "5000", pp_opt_long, F(connect_timeout_ms), 1, 3600000, 0,
     "TCP connect timeout"},
    {"max-rows", 0, "N", NULL, PP_STR(PP_TRINO_DEFAULT_MAX_ROWS), pp_opt_long, F(max_rows), 1, 100000000L, 0,
     "more rows than this fail the statement (they are held in memory)"},
    CLI_ROW_HELP,
};
#undef F

const pp_opts_spec CLI_SQL_SPEC = PP_OPTS_SPEC_HINT("sql", ROWS, HEAD, TAIL, "try 'pinpipe sql --help'");

/* ---- output ----------------------------------------------------------------------- */

static void print_table(const pp_trino_result *r) {
    size_t nc = r->ncols, nr = json_array_size(r->rows);
    char **cells = pp_xcalloc(nc * nr > 0 ? nc * nr : 1, sizeof *cells);
    for (size_t i = 0; i < nc * nr; i++)
        cells[i] = pp_trino_value_text(json_array_get(json_array_get(r->rows, i / nc), i % nc));
    cli_table_print(stdout, nc, (const char *const *)r->names, nr, (const char *const *)cells);
    for (size_t i = 0; i < nc * nr; i++) free(cells[i]);
    free(cells);
}

static void print_csv(const pp_trino_result *r) {
    for (size_t c = 0; c < r->ncols; c++) {
        if (c) fputc(',', stdout);
        cli_csv_field(stdout, r->names[c], 0);
    }
    fputs("\r\n", stdout);
    size_t i;
    json_t *row;
    json_array_foreach(r->rows, i, row) {
        for (size_t c = 0; c < r->ncols; c++) {
            if (c) fputc(',', stdout);
            char *s = pp_trino_value_text(json_array_get(row, c));
            if (!s) continue; /* null: an empty field */
            cli_csv_field(stdout, s, s[0] == '\0');
            free(s);
        }
        fputs("\r\n", stdout);
    }
}

static int print_json(const pp_trino_result *r) {
    size_t i;
    json_t *row;
    json_array_foreach(r->rows, i, row) {
        json_t *o = json_object();
        if (!o) return PP_ENOMEM;
        for (size_t c = 0; c < r->ncols; c++)
            if (json_object_set(o, r->names[c], json_array_get(row, c))) {
                json_decref(o);
                return PP_ENOMEM;
            }
        char *line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17));
        json_decref(o);
        if (!line) return PP_ENOMEM;
        puts(line);
        free(line);
    }
    return PP_OK;
}

static int print_result(sql_cfg *sc, const pp_trino_result *r) {
    if (!r->names) { /* CREATE, CALL ...: Trino's update type, as its CLI says it */
        if (sc->format == CLI_FMT_TABLE && r->update_type) printf("%s\n", r->update_type);
        return PP_OK;
    }
    int rc = PP_OK;
    switch (sc->format) {
    case CLI_FMT_CSV: print_csv(r); break;
    case CLI_FMT_JSON: rc = print_json(r); break;
    default:
        if (sc->printed) fputc('\n', stdout);
        print_table(r);
        break;
    }
    sc->printed++;
    return rc;
}

/* ---- statements -------------------------------------------------------------------- */

/* Splits text into statements: one ends with ';' at the end of a line (trailing
 * blanks allowed); lines starting with "--" are left out. The statement's first line
 * number goes in lines. Returns the count. */
static size_t split(const char *text, char ***stmts, size_t **lines) {
    size_t n = 0, cap = 8, line = 1, first = 0;
    *stmts = pp_xcalloc(cap, sizeof **stmts);
    *lines = pp_xcalloc(cap, sizeof **lines);
    pp_strbuf cur;
    pp_sb_init(&cur);
    for (const char *p = text; *p;) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        const char *q = p;
        while (q < p + len && (*q == ' ' || *q == '\t')) q++;
        int comment = (size_t)(p + len - q) >= 2 && q[0] == '-' && q[1] == '-';
        size_t end = len;
        while (end > 0 && (p[end - 1] == ' ' || p[end - 1] == '\t' || p[end - 1] == '\r')) end--;
        if (!comment && q < p + end) {
            if (!first) first = line;
            int last = p[end - 1] == ';';
            pp_sb_append(&cur, p, last ? end - 1 : end);
            pp_sb_putc(&cur, '\n');
            if (last) {
                if (n == cap) {
                    cap *= 2;
                    *stmts = pp_xrealloc(*stmts, cap * sizeof **stmts);
                    *lines = pp_xrealloc(*lines, cap * sizeof **lines);
                }
                (*lines)[n] = first;
                (*stmts)[n++] = pp_sb_steal(&cur);
                first = 0;
            }
        }
        p += len + (eol ? 1 : 0);
        line++;
    }
    if (cur.len) { /* the last statement may omit its ';' */
        if (n == cap) {
            cap++;
            *stmts = pp_xrealloc(*stmts, cap * sizeof **stmts);
            *lines = pp_xrealloc(*lines, cap * sizeof **lines);
        }
        (*lines)[n] = first;
        (*stmts)[n++] = pp_sb_steal(&cur);
    }
    pp_sb_free(&cur);
    return n;
}

static int run_one(sql_cfg *sc, const char *sql, const char *where, size_t line) {
    pp_trino_result r;
    pp_trino_result_init(&r);
    r.max_rows = sc->t.max_rows;
    char err[2048] = "";
    int rc = pp_trino_query(&sc->t, sql, &r, err, sizeof err);
    if (!rc) rc = print_result(sc, &r);
    if (rc) {
        if (where)
            fprintf(stderr, "pinpipe sql: %s:%zu: %s\n", where, line, err[0] ? err : pp_strerror(rc));
        else
            fprintf(stderr, "pinpipe sql: %s\n", err[0] ? err : pp_strerror(rc));
    }
    pp_trino_result_free(&r);
    return rc ? 1 : 0;
}

static int run_file(sql_cfg *sc, const char *path) {
    int is_stdin = !strcmp(path, "-");
    const char *name = is_stdin ? "<stdin>" : path;
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "pinpipe sql: %s: %s\n", path, strerror(errno));
        return 1;
    }
    pp_strbuf text;
    pp_sb_init(&text);
    char buf[65536];
    size_t got;
    int status = 0;
    while ((got = fread(buf, 1, sizeof buf, f)) > 0 && text.len <= MAX_SQL) pp_sb_append(&text, buf, got);
    if (ferror(f) || text.len > MAX_SQL) {
        fprintf(stderr, "pinpipe sql: %s: %s\n", name, ferror(f) ? strerror(errno) : "larger than 16 MiB");
        status = 1;
    }
    if (!is_stdin) fclose(f);
    char **stmts = NULL;
    size_t *lines = NULL, n = status ? 0 : split(text.data ? text.data : "", &stmts, &lines);
    for (size_t i = 0; i < n; i++) {
        if (!status) status = run_one(sc, stmts[i], name, lines[i]);
        free(stmts[i]);
    }
    free(stmts);
    free(lines);
    pp_sb_free(&text);
    return status;
}

int cmd_sql(int argc, char **argv) {
    sql_cfg sc = {.format = CLI_FMT_TABLE};
    sc.src.items = pp_xcalloc((size_t)argc + 1, sizeof *sc.src.items);
    int next, parsed = pp_opts_parse(&CLI_SQL_SPEC, &sc, argc, argv, &next);
    if (parsed == PP_OPTS_RUN && next < argc) {
        fprintf(stderr, "pinpipe sql: unexpected argument '%s' (statements go after -e)\n", argv[next]);
        fprintf(stderr, "%s\n", CLI_SQL_SPEC.hint);
        parsed = PP_OPTS_EXIT_USAGE;
    }
    if (parsed != PP_OPTS_RUN) {
        free(sc.src.items);
        return pp_opts_exit(parsed);
    }
    cli_source *src = sc.src.items;
    size_t nsrc = sc.src.n;
    if (nsrc == 0) src[nsrc++] = (cli_source){1, "-"};
    int status = 0;
    for (size_t i = 0; i < nsrc && !status; i++) {
        if (src[i].is_file) {
            status = run_file(&sc, src[i].arg);
        } else {
            /* -e: one statement; a trailing ';' is Trino's syntax error, so drop it */
            char *s = pp_xstrdup(src[i].arg);
            size_t n = strlen(s);
            while (n > 0 && (s[n - 1] == ';' || s[n - 1] == ' ' || s[n - 1] == '\n' || s[n - 1] == '\t')) s[--n] = '\0';
            status = run_one(&sc, s, NULL, 0);
            free(s);
        }
    }
    if (fflush(stdout) != 0 && !status) {
        fprintf(stderr, "pinpipe sql: writing standard output: %s\n", strerror(errno));
        status = 1;
    }
    free(src);
    return status;
}
