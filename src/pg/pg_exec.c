#include "pg/pg_exec.h"

#include <errno.h>
#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/mem.h"
#include "pg/pg_internal.h"

static int finish(pp_pg *pg, PGresult *r, const char *what, pp_pg_result **res, char *err, size_t errlen) {
    int rc = pp_pg__check(pg, r, PGRES_COMMAND_OK, PGRES_TUPLES_OK, what, err, errlen);
    if (rc != PP_OK) return rc; /* r already cleared */
    if (res)
        *res = r;
    else
        PQclear(r);
    return PP_OK;
}

int pp_pg_exec(pp_pg *pg, const char *sql, int nparams, const char *const *params, pp_pg_result **res, char *err,
               size_t errlen) {
    if (res) *res = NULL;
    if (!sql || nparams < 0 || (nparams > 0 && !params)) {
        pp_errf(err, errlen, "pg exec: bad arguments");
        return PP_EINVAL;
    }
    int rc = pp_pg__ready(pg, err, errlen);
    if (rc != PP_OK) return rc;
    PGresult *r = PQexecParams(pg->conn, sql, nparams, NULL, params, NULL, NULL, 0);
    return finish(pg, r, "pg exec", res, err, errlen);
}

int pp_pg__prepare_one(pp_pg *pg, const pg_prepared *p, char *err, size_t errlen) {
    PGresult *r = PQprepare(pg->conn, p->name, p->sql, p->nparams, NULL);
    int rc = pp_pg__check(pg, r, PGRES_COMMAND_OK, PGRES_COMMAND_OK, "pg prepare", err, errlen);
    if (rc == PP_OK) PQclear(r);
    return rc;
}

int pp_pg_prepare(pp_pg *pg, const char *name, const char *sql, int nparams, char *err, size_t errlen) {
    if (!name || !*name || !sql || nparams < 0) {
        pp_errf(err, errlen, "pg prepare: bad arguments");
        return PP_EINVAL;
    }
    for (size_t i = 0; i < pg->nprep; i++) {
        if (strcmp(pg->prep[i].name, name) != 0) continue;
        if (strcmp(pg->prep[i].sql, sql) == 0 && pg->prep[i].nparams == nparams) return PP_OK;
        pp_errf(err, errlen, "pg prepare: statement '%s' is already prepared differently", name);
        return PP_EINVAL;
    }
    int rc = pp_pg__ready(pg, err, errlen);
    if (rc != PP_OK) return rc;
    pg_prepared np = {pp_xstrdup(name), pp_xstrdup(sql), nparams};
    pg->prep = pp_xrealloc(pg->prep, (pg->nprep + 1) * sizeof *pg->prep);
    rc = pp_pg__prepare_one(pg, &np, err, errlen);
    if (rc != PP_OK) {
        free(np.name);
        free(np.sql);
        return rc;
    }
    pg->prep[pg->nprep++] = np;
    return PP_OK;
}

int pp_pg_exec_prepared(pp_pg *pg, const char *name, int nparams, const char *const *params, pp_pg_result **res,
                        char *err, size_t errlen) {
    if (res) *res = NULL;
    if (!name || nparams < 0 || (nparams > 0 && !params)) {
        pp_errf(err, errlen, "pg exec prepared: bad arguments");
        return PP_EINVAL;
    }
    int rc = pp_pg__ready(pg, err, errlen);
    if (rc != PP_OK) return rc;
    PGresult *r = PQexecPrepared(pg->conn, name, nparams, params, NULL, NULL, 0);
    return finish(pg, r, "pg exec prepared", res, err, errlen);
}

int pp_pg_query_value(pp_pg *pg, const char *sql, int nparams, const char *const *params, char **value, char *err,
                      size_t errlen) {
    pp_pg_result *r = NULL;
    *value = NULL;
    int rc = pp_pg_exec(pg, sql, nparams, params, &r, err, errlen);
    if (rc != PP_OK) return rc;
    if (PQntuples(r) < 1 || PQnfields(r) < 1) {
        pp_errf(err, errlen, "pg query: no row");
        rc = PP_ENOTFOUND;
    } else if (!PQgetisnull(r, 0, 0)) {
        *value = pp_xstrdup(PQgetvalue(r, 0, 0));
    }
    PQclear(r);
    return rc;
}

int pp_pg_query_int64(pp_pg *pg, const char *sql, int nparams, const char *const *params, long long *value, char *err,
                      size_t errlen) {
    char *text = NULL;
    int rc = pp_pg_query_value(pg, sql, nparams, params, &text, err, errlen);
    if (rc != PP_OK) return rc;
    char *end = NULL;
    errno = 0;
    long long v = text ? strtoll(text, &end, 10) : 0;
    if (!text || errno || end == text || *end) {
        pp_errf(err, errlen, "pg query: '%s' is not an integer", text ? text : "NULL");
        rc = PP_EINVAL;
    } else {
        *value = v;
    }
    free(text);
    return rc;
}

int pp_pg_result_rows(const pp_pg_result *r) { return r ? PQntuples(r) : 0; }
int pp_pg_result_cols(const pp_pg_result *r) { return r ? PQnfields(r) : 0; }
int pp_pg_result_col(const pp_pg_result *r, const char *name) { return r ? PQfnumber(r, name) : -1; }

const char *pp_pg_result_value(const pp_pg_result *r, int row, int col) {
    if (!r || row < 0 || col < 0 || row >= PQntuples(r) || col >= PQnfields(r)) return NULL;
    return PQgetisnull(r, row, col) ? NULL : PQgetvalue(r, row, col);
}

size_t pp_pg_result_len(const pp_pg_result *r, int row, int col) {
    if (!pp_pg_result_value(r, row, col)) return 0;
    return (size_t)PQgetlength(r, row, col);
}

long long pp_pg_result_affected(const pp_pg_result *r) {
    const char *n = r ? PQcmdTuples((PGresult *)r) : "";
    return *n ? strtoll(n, NULL, 10) : 0;
}

void pp_pg_result_free(pp_pg_result *r) { PQclear(r); }
