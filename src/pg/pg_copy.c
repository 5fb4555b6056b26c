#include "pg/pg_copy.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/mem.h"
#include "pg/pg_copy_text.h"
#include "pg/pg_internal.h"

enum { CHUNK = 64 * 1024 };

struct pp_pg_copy {
    pp_pg *pg;
    size_t ncols;
    char *buf;
    size_t len, cap;
    int send_failed; /* PQputCopyData failed: the connection is gone */
};

int pp_pg_copy_begin(pp_pg *pg, const char *copy_sql, size_t ncols, pp_pg_copy **out, char *err, size_t errlen) {
    if (!copy_sql || ncols == 0) {
        pp_errf(err, errlen, "pg copy: need a COPY statement and a column count");
        return PP_EINVAL;
    }
    pp_pg_copy *cp = pp_xcalloc(1, sizeof *cp);
    char *buf = pp_xmalloc(CHUNK);
    int rc = pp_pg__ready(pg, err, errlen);
    if (rc == PP_OK) {
        PGresult *r = PQexec(pg->conn, copy_sql);
        rc = pp_pg__check(pg, r, PGRES_COPY_IN, PGRES_COPY_IN, "pg copy", err, errlen);
        if (rc == PP_OK) PQclear(r);
    }
    if (rc != PP_OK) {
        free(cp);
        free(buf);
        return rc;
    }
    cp->pg = pg;
    cp->ncols = ncols;
    cp->buf = buf;
    cp->cap = CHUNK;
    *out = cp;
    return PP_OK;
}

/* Hands data to libpq; a failure means the connection is gone. */
static int send_data(pp_pg_copy *cp, const char *data, size_t len, char *err, size_t errlen) {
    if (PQputCopyData(cp->pg->conn, data, (int)len) == 1) return PP_OK;
    cp->send_failed = 1;
    cp->pg->lost = PQstatus(cp->pg->conn) != CONNECTION_OK;
    pp_errf(err, errlen, "pg copy: sending rows failed: %s", PQerrorMessage(cp->pg->conn));
    return PP_EIO;
}

static int flush(pp_pg_copy *cp, char *err, size_t errlen) {
    if (cp->len == 0 || cp->send_failed) return cp->send_failed ? PP_EIO : PP_OK;
    int rc = send_data(cp, cp->buf, cp->len, err, errlen);
    if (rc == PP_OK) cp->len = 0;
    return rc;
}

int pp_pg_copy_row(pp_pg_copy *cp, const char *const *values, const size_t *lens, char *err, size_t errlen) {
    if (cp->send_failed) {
        pp_errf(err, errlen, "pg copy: the connection failed earlier");
        return PP_EIO;
    }
    size_t need = pp_pg_copy_row_len(values, lens, cp->ncols);
    if (need > cp->cap - cp->len) {
        int rc = flush(cp, err, errlen);
        if (rc != PP_OK) return rc;
        if (need > cp->cap) {
            cp->buf = pp_xrealloc(cp->buf, need);
            cp->cap = need;
        }
    }
    int rc = pp_pg_copy_encode_row(values, lens, cp->ncols, cp->buf + cp->len, err, errlen);
    if (rc != PP_OK) return rc;
    cp->len += need;
    return cp->len >= CHUNK ? flush(cp, err, errlen) : PP_OK;
}

int pp_pg_copy_data(pp_pg_copy *cp, const void *data, size_t len, char *err, size_t errlen) {
    if (cp->send_failed) {
        pp_errf(err, errlen, "pg copy: the connection failed earlier");
        return PP_EIO;
    }
    if (len > cp->cap - cp->len) {
        int rc = flush(cp, err, errlen);
        if (rc != PP_OK) return rc;
        if (len >= cp->cap) return send_data(cp, data, len, err, errlen); /* a large piece as it is */
    }
    memcpy(cp->buf + cp->len, data, len);
    cp->len += len;
    return cp->len >= CHUNK ? flush(cp, err, errlen) : PP_OK;
}

/* Reads the remaining results of the COPY so the connection is usable again. */
static void drain(pp_pg *pg) {
    PGresult *r;
    while ((r = PQgetResult(pg->conn)) != NULL) PQclear(r);
    PGTransactionStatusType ts = PQtransactionStatus(pg->conn);
    if (ts != PQTRANS_UNKNOWN) pg->in_txn = ts != PQTRANS_IDLE;
}

static void copy_free(pp_pg_copy *cp) {
    free(cp->buf);
    free(cp);
}

int pp_pg_copy_end(pp_pg_copy *cp, long long *rows, char *err, size_t errlen) {
    pp_pg *pg = cp->pg;
    char sendmsg[512] = "";
    int sent = flush(cp, sendmsg, sizeof sendmsg);
    int rc = PP_OK;
    if (PQputCopyEnd(pg->conn, sent == PP_OK ? NULL : "client failed to send rows") != 1) {
        pg->lost = PQstatus(pg->conn) != CONNECTION_OK;
        pp_errf(err, errlen, "pg copy: ending failed: %s", PQerrorMessage(pg->conn));
        rc = PP_EIO;
    } else {
        PGresult *r = PQgetResult(pg->conn);
        rc = pp_pg__check(pg, r, PGRES_COMMAND_OK, PGRES_COMMAND_OK, "pg copy", err, errlen);
        if (rc == PP_OK) {
            if (rows) *rows = strtoll(PQcmdTuples(r), NULL, 10);
            PQclear(r);
        }
        if (sent != PP_OK && rc == PP_OK) {
            pp_errf(err, errlen, "%s", sendmsg);
            rc = PP_EIO;
        }
    }
    drain(pg);
    copy_free(cp);
    return rc;
}

void pp_pg_copy_abort(pp_pg_copy *cp, const char *reason) {
    pp_pg *pg = cp->pg;
    if (PQputCopyEnd(pg->conn, reason ? reason : "aborted by the client") == 1) drain(pg);
    copy_free(cp);
}
