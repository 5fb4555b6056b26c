#include "cql/cql_session.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/config.h"
#include "common/error.h"
#include "common/log.h"
#include "common/mem.h"
#include "cql/cql_conn.h"
#include "cql/cql_wire.h"

#define KEYSPACE_MAX 48

struct pp_cql_prepared {
    pp_cql_prepared *next;
    char *cql;
    char keyspace[KEYSPACE_MAX + 1]; /* in use when it was prepared (ids depend on it) */
    pp_cql_result *meta;             /* the Prepared result: id, bind markers, columns */
};

/* A request, kept whole until answered so it can be sent again: after an Unprepared
 * answer (with the new id) and for the next page (with the new paging state). */
struct pp_cql_future {
    pp_cql_future *next, *prev; /* the session's outstanding list (async only) */
    int linked;
    int stream; /* in flight on s->conn; -1 when not */
    int rc;     /* when not in flight: why it failed locally */
    char *msg;
    uint8_t opcode;
    char *cql;             /* QUERY */
    pp_cql_prepared *stmt; /* EXECUTE */
    pp_cql_buf values;     /* "<n><value>..." (BATCH: every item's, back to back) */
    int has_values;
    uint16_t consistency;
    int32_t page_size;
    uint8_t *paging;
    size_t paging_len;
    uint8_t batch_type;
    size_t nitems;
    pp_cql_prepared **items; /* BATCH */
    size_t *seg_end;         /* BATCH: item i's values end at values.data + seg_end[i] */
    int retried;
};

struct pp_cql_session {
    pp_cql_conn *conn;
    pp_cql_conn_config ccfg;
    char *host, *user, *password;
    char keyspace[KEYSPACE_MAX + 1];
    uint16_t consistency;
    int32_t page_size;
    pp_cql_prepared *prepared;
    pp_cql_future *futures;
    int32_t server_code;
    uint64_t reprepares;
    pp_cql_buf frame; /* scratch for building requests */
};

/* ---- config ------------------------------------------------------------- */

void pp_cql_config_defaults(pp_cql_config *c) {
    memset(c, 0, sizeof *c);
    c->host = "127.0.0.1";
    c->port = PP_CQL_DEFAULT_PORT;
    c->user = "cassandra";
    c->password = "cassandra";
    c->keyspace = NULL;
    c->consistency = PP_CQL_LOCAL_ONE;
    c->page_size = PP_CQL_DEFAULT_PAGE_SIZE;
    c->connect_timeout_ms = 5000;
    c->request_timeout_ms = 12000;
    c->max_frame = PP_CQL_MAX_FRAME_DEFAULT;
    c->max_streams = 1024;
}

int pp_cql_config_from_env(pp_cql_config *c, char *err, size_t errlen) {
    pp_cql_config_defaults(c);
    c->host = pp_env_str("PINPIPE_CASSANDRA_HOST", c->host);
    c->user = pp_env_str("PINPIPE_CASSANDRA_USER", c->user);
    c->password = pp_env_str("PINPIPE_CASSANDRA_PASSWORD", c->password);
    const char *port = pp_env_str("PINPIPE_CASSANDRA_PORT", NULL);
    long p;
    if (port) {
        if (pp_parse_long(port, 1, 65535, &p) != PP_OK) {
            pp_errf(err, errlen, "PINPIPE_CASSANDRA_PORT=%s: not a port number", port);
            return PP_EINVAL;
        }
        c->port = (int)p;
    }
    const char *cl = pp_env_str("PINPIPE_CASSANDRA_CONSISTENCY", NULL);
    if (cl) {
        int code = pp_cql_consistency_parse(cl);
        if (code < 0) {
            pp_errf(err, errlen, "PINPIPE_CASSANDRA_CONSISTENCY=%s: not a consistency level", cl);
            return PP_EINVAL;
        }
        c->consistency = code;
    }
    return 0;
}

static int valid_keyspace(const char *ks) {
    size_t n = strlen(ks);
    if (n == 0 || n > KEYSPACE_MAX) return 0;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)ks[i]) && ks[i] != '_') return 0;
    return 1;
}

/* ---- futures ------------------------------------------------------------ */

static pp_cql_future *future_new(uint8_t opcode, const pp_cql_session *s) {
    pp_cql_future *f = pp_xcalloc(1, sizeof *f);
    f->stream = -1;
    f->opcode = opcode;
    f->consistency = s->consistency;
    f->page_size = opcode == PP_CQL_OP_BATCH ? 0 : s->page_size;
    pp_cql_buf_init(&f->values);
    return f;
}

static void future_free(pp_cql_session *s, pp_cql_future *f) {
    if (!f) return;
    if (f->linked) {
        if (f->prev)
            f->prev->next = f->next;
        else
            s->futures = f->next;
        if (f->next) f->next->prev = f->prev;
    }
    if (f->stream >= 0 && s->conn) pp_cql_conn_abandon(s->conn, f->stream); /* never waited */
    free(f->msg);
    free(f->cql);
    free(f->paging);
    free(f->items);
    free(f->seg_end);
    pp_cql_buf_free(&f->values);
    free(f);
}

static void future_link(pp_cql_session *s, pp_cql_future *f) {
    f->linked = 1;
    f->prev = NULL;
    f->next = s->futures;
    if (s->futures) s->futures->prev = f;
    s->futures = f;
}

static int set_paging(pp_cql_future *f, const pp_cql_result *prev, char *err, size_t errlen) {
    const uint8_t *p;
    size_t n;
    free(f->paging);
    f->paging = NULL;
    f->paging_len = 0;
    if (!prev) return 0;
    pp_cql_result_paging_state(prev, &p, &n);
    if (!p) {
        pp_errf(err, errlen, "the previous page was the last one");
        return PP_EINVAL;
    }
    f->paging = pp_xmalloc(n ? n : 1);
    if (n) memcpy(f->paging, p, n);
    f->paging_len = n;
    return 0;
}

/* ---- requests ----------------------------------------------------------- */

static void prepared_id(const pp_cql_prepared *p, const uint8_t **id, size_t *n) {
    if (pp_cql_result_prepared_id(p->meta, id, n)) {
        *id = (const uint8_t *)"";
        *n = 0;
    }
}

static int build_frame(pp_cql_session *s, const pp_cql_future *f, char *err, size_t errlen) {
    pp_cql_buf *b = &s->frame;
    pp_cql_buf_reset(b);
    size_t at = pp_cql_frame_begin(b, PP_CQL_V4_REQUEST, 0, f->opcode);
    pp_cql_query_params qp = {
        .consistency = f->consistency,
        .page_size = f->page_size,
        .paging_state = f->paging,
        .paging_len = f->paging_len,
        .values = f->has_values ? f->values.data : NULL,
        .values_len = f->has_values ? f->values.len : 0,
    };
    const uint8_t *id;
    size_t idlen;
    switch (f->opcode) {
    case PP_CQL_OP_QUERY:
        pp_cql_put_long_string(b, f->cql, strlen(f->cql));
        pp_cql_body_query_params(b, &qp);
        break;
    case PP_CQL_OP_EXECUTE:
        prepared_id(f->stmt, &id, &idlen);
        pp_cql_put_short_bytes(b, id, idlen);
        pp_cql_body_query_params(b, &qp);
        break;
    case PP_CQL_OP_BATCH:
        pp_cql_body_batch_begin(b, f->batch_type, (uint16_t)f->nitems);
        for (size_t i = 0; i < f->nitems; i++) {
            size_t from = i ? f->seg_end[i - 1] : 0;
            prepared_id(f->items[i], &id, &idlen);
            pp_cql_body_batch_prepared(b, id, idlen, f->values.data + from, f->seg_end[i] - from);
        }
        pp_cql_body_batch_end(b, f->consistency);
        break;
    default: break;
    }
    return pp_cql_frame_end(b, at, s->ccfg.max_frame, err, errlen);
}

static int use_keyspace(pp_cql_session *s, const char *ks, char *err, size_t errlen);

/* A usable connection: reconnects when the last one broke. Requests still in
 * flight on a broken connection fail ("connection lost"). */
static int ensure_conn(pp_cql_session *s, char *err, size_t errlen) {
    if (s->conn && !pp_cql_conn_broken(s->conn)) return 0;
    if (s->conn) {
        PP_WARN("cql", "reconnecting to %s:%d", s->host, s->ccfg.port);
        for (pp_cql_future *f = s->futures; f; f = f->next) {
            if (f->stream < 0) continue;
            f->stream = -1;
            f->rc = PP_EIO;
            free(f->msg);
            f->msg = pp_xstrdup("connection lost before the response arrived");
        }
        pp_cql_conn_close(s->conn);
        s->conn = NULL;
    }
    int32_t code = -1;
    int rc = pp_cql_conn_open(&s->ccfg, &s->conn, &code, err, errlen);
    if (code >= 0) s->server_code = code;
    if (rc) return rc;
    if (s->keyspace[0]) rc = use_keyspace(s, s->keyspace, err, errlen);
    return rc;
}

static int send_future(pp_cql_session *s, pp_cql_future *f, char *err, size_t errlen) {
    int rc = ensure_conn(s, err, errlen);
    if (!rc) rc = build_frame(s, f, err, errlen);
    if (!rc) rc = pp_cql_conn_send(s->conn, &s->frame, &f->stream, err, errlen);
    return rc;
}

/* Turns an ERROR response into PP_ESERVER and the house message. */
static int server_error(pp_cql_session *s, const pp_cql_response *r, char *err, size_t errlen) {
    s->server_code = r->error_code;
    pp_cql_error_format(r->error_code, r->message, err, errlen);
    return PP_ESERVER;
}

/* Sends a QUERY without values or a PREPARE, and waits; the response's result goes to
 * *out. Used for USE and PREPARE. */
static int simple_request(pp_cql_session *s, uint8_t opcode, const char *cql, pp_cql_result **out, char *err,
                          size_t errlen) {
    *out = NULL;
    pp_cql_buf *b = &s->frame;
    pp_cql_buf_reset(b);
    size_t at = pp_cql_frame_begin(b, PP_CQL_V4_REQUEST, 0, opcode);
    pp_cql_put_long_string(b, cql, strlen(cql));
    if (opcode == PP_CQL_OP_QUERY) {
        pp_cql_query_params qp = {.consistency = s->consistency};
        pp_cql_body_query_params(b, &qp);
    }
    pp_cql_response r;
    int rc = pp_cql_frame_end(b, at, s->ccfg.max_frame, err, errlen);
    if (!rc) rc = pp_cql_conn_request(s->conn, b, &r, err, errlen);
    if (rc) return rc;
    if (r.h.opcode == PP_CQL_OP_ERROR) {
        rc = server_error(s, &r, err, errlen);
    } else if (r.h.opcode != PP_CQL_OP_RESULT || !r.result) {
        pp_errf(err, errlen, "unexpected response opcode 0x%02x", r.h.opcode);
        rc = PP_EPROTO;
    } else {
        *out = r.result;
        r.result = NULL;
    }
    pp_cql_response_clear(&r);
    return rc;
}

static int use_keyspace(pp_cql_session *s, const char *ks, char *err, size_t errlen) {
    if (!valid_keyspace(ks)) {
        pp_errf(err, errlen, "keyspace '%s': use 1 to %d letters, digits or '_'", ks, KEYSPACE_MAX);
        return PP_EINVAL;
    }
    char cql[KEYSPACE_MAX + 8];
    snprintf(cql, sizeof cql, "USE %s", ks); /* an identifier, checked above */
    pp_cql_result *res = NULL;
    int rc = simple_request(s, PP_CQL_OP_QUERY, cql, &res, err, errlen);
    if (!rc) {
        const char *now = pp_cql_result_keyspace(res);
        snprintf(s->keyspace, sizeof s->keyspace, "%s", now ? now : ks);
    }
    pp_cql_result_destroy(res);
    return rc;
}

static int do_prepare(pp_cql_session *s, pp_cql_prepared *p, char *err, size_t errlen) {
    pp_cql_result *res = NULL;
    int rc = ensure_conn(s, err, errlen);
    if (!rc) rc = simple_request(s, PP_CQL_OP_PREPARE, p->cql, &res, err, errlen);
    if (!rc && pp_cql_result_kind_of(res) != PP_CQL_RESULT_PREPARED) {
        pp_errf(err, errlen, "PREPARE answered with a result of kind %d", (int)pp_cql_result_kind_of(res));
        rc = PP_EPROTO;
    }
    if (rc) {
        pp_cql_result_destroy(res);
        return rc;
    }
    pp_cql_result_destroy(p->meta);
    p->meta = res;
    snprintf(p->keyspace, sizeof p->keyspace, "%s", s->keyspace);
    return 0;
}

static int reprepare(pp_cql_session *s, pp_cql_prepared *p, char *err, size_t errlen) {
    PP_INFO("cql", "server no longer knows a prepared statement; re-preparing: %.200s", p->cql);
    s->reprepares++;
    return do_prepare(s, p, err, errlen);
}

/* After Unprepared(id): re-prepares the statements of f that had that id (all of
 * them when none matches). */
static int reprepare_for(pp_cql_session *s, pp_cql_future *f, const uint8_t *bad, int32_t badlen, char *err,
                         size_t errlen) {
    if (f->opcode == PP_CQL_OP_EXECUTE) return reprepare(s, f->stmt, err, errlen);
    size_t matched = 0;
    for (int pass = 0; pass < 2 && !matched; pass++) {
        for (size_t i = 0; i < f->nitems; i++) {
            pp_cql_prepared *p = f->items[i];
            const uint8_t *id;
            size_t n;
            int dup = 0;
            for (size_t j = 0; j < i; j++) dup |= f->items[j] == p;
            if (dup) continue;
            prepared_id(p, &id, &n);
            int same = bad && badlen >= 0 && (size_t)badlen == n && memcmp(id, bad, n) == 0;
            if (pass == 1 || same) {
                int rc = reprepare(s, p, err, errlen);
                if (rc) return rc;
                matched++;
            }
        }
    }
    return 0;
}

/* Collects f's response (re-preparing and resending once on Unprepared). */
static int collect(pp_cql_session *s, pp_cql_future *f, pp_cql_result **out, char *err, size_t errlen) {
    if (out) *out = NULL;
    if (f->stream < 0) {
        pp_errf(err, errlen, "%s", f->msg ? f->msg : "request was not sent");
        return f->rc ? f->rc : PP_EIO;
    }
    pp_cql_response r;
    int rc = pp_cql_conn_wait(s->conn, f->stream, &r, err, errlen);
    f->stream = -1;
    if (rc) return rc;
    if (r.h.opcode == PP_CQL_OP_ERROR) {
        if (r.error_code == PP_CQL_ERR_UNPREPARED && !f->retried &&
            (f->opcode == PP_CQL_OP_EXECUTE || f->opcode == PP_CQL_OP_BATCH)) {
            f->retried = 1;
            rc = reprepare_for(s, f, r.token, r.token_len, err, errlen);
            pp_cql_response_clear(&r);
            if (!rc) rc = send_future(s, f, err, errlen);
            if (!rc) rc = collect(s, f, out, err, errlen);
            return rc;
        }
        rc = server_error(s, &r, err, errlen);
    } else if (r.h.opcode != PP_CQL_OP_RESULT || !r.result) {
        pp_errf(err, errlen, "unexpected response opcode 0x%02x", r.h.opcode);
        rc = PP_EPROTO;
    } else {
        const char *ks = pp_cql_result_keyspace(r.result);
        if (ks) snprintf(s->keyspace, sizeof s->keyspace, "%s", ks);
        if (out) {
            *out = r.result;
            r.result = NULL;
        }
    }
    pp_cql_response_clear(&r);
    return rc;
}

/* Sends f and collects its answer; with all_pages, follows every page into one
 * result (only when the caller wants the result). */
static int run(pp_cql_session *s, pp_cql_future *f, int all_pages, pp_cql_result **out, char *err, size_t errlen) {
    pp_cql_result *res = NULL, *page = NULL;
    int rc = send_future(s, f, err, errlen);
    if (!rc) rc = collect(s, f, out ? &res : NULL, err, errlen);
    while (!rc && all_pages && res && pp_cql_result_kind_of(res) == PP_CQL_RESULT_ROWS && pp_cql_result_has_more(res)) {
        rc = set_paging(f, res, err, errlen);
        if (!rc) rc = send_future(s, f, err, errlen);
        if (!rc) rc = collect(s, f, &page, err, errlen);
        if (!rc) rc = pp_cql_result_append(res, page, err, errlen);
        page = NULL;
    }
    if (rc) {
        pp_cql_result_destroy(res);
        res = NULL;
    }
    if (out) *out = res;
    return rc;
}

/* ---- building requests -------------------------------------------------- */

static int make_query(pp_cql_session *s, const char *cql, const pp_cql_value *vals, size_t n, pp_cql_future **out,
                      char *err, size_t errlen) {
    *out = NULL;
    if (!cql) {
        pp_errf(err, errlen, "no statement");
        return PP_EINVAL;
    }
    pp_cql_future *f = future_new(PP_CQL_OP_QUERY, s);
    f->cql = pp_xstrdup(cql);
    int rc = 0;
    if (n > 0) {
        f->has_values = 1;
        rc = pp_cql_encode_values(&f->values, vals, n, NULL, 0, err, errlen);
    }
    if (rc) {
        future_free(s, f);
        return rc;
    }
    *out = f;
    return 0;
}

static int make_execute(pp_cql_session *s, const pp_cql_prepared *p, const pp_cql_value *vals, size_t n,
                        pp_cql_future **out, char *err, size_t errlen) {
    *out = NULL;
    if (!p) {
        pp_errf(err, errlen, "no prepared statement");
        return PP_EINVAL;
    }
    pp_cql_future *f = future_new(PP_CQL_OP_EXECUTE, s);
    f->stmt = (pp_cql_prepared *)p; /* the session's own: re-prepares update it */
    f->has_values = n > 0;
    int rc = 0;
    if (n != pp_cql_prepared_nbind(p)) {
        pp_errf(err, errlen, "the statement takes %zu bound values, %zu given", pp_cql_prepared_nbind(p), n);
        rc = PP_EINVAL;
    }
    if (!rc && n > 0)
        rc = pp_cql_encode_values(&f->values, vals, n, pp_cql_prepared_bind(p, 0), pp_cql_prepared_nbind(p), err,
                                  errlen);
    if (rc) {
        future_free(s, f);
        return rc;
    }
    *out = f;
    return 0;
}

static int make_batch(pp_cql_session *s, int type, const pp_cql_batch_item *items, size_t n, pp_cql_future **out,
                      char *err, size_t errlen) {
    *out = NULL;
    if (n == 0 || n > 0xFFFF || type < PP_CQL_BATCH_LOGGED || type > PP_CQL_BATCH_COUNTER) {
        pp_errf(err, errlen, "a batch takes 1 to 65535 statements and a type 0..2");
        return PP_EINVAL;
    }
    pp_cql_future *f = future_new(PP_CQL_OP_BATCH, s);
    int rc = 0;
    f->items = pp_xcalloc(n, sizeof *f->items);
    f->seg_end = pp_xcalloc(n, sizeof *f->seg_end);
    f->batch_type = (uint8_t)type;
    f->nitems = n;
    for (size_t i = 0; i < n && !rc; i++) {
        const pp_cql_prepared *p = items[i].stmt;
        if (!p) {
            pp_errf(err, errlen, "batch statement %zu: no prepared statement", i + 1);
            rc = PP_EINVAL;
            break;
        }
        f->items[i] = (pp_cql_prepared *)p;
        char why[256];
        if (items[i].nvalues != pp_cql_prepared_nbind(p)) {
            pp_errf(err, errlen, "batch statement %zu takes %zu bound values, %zu given", i + 1,
                    pp_cql_prepared_nbind(p), items[i].nvalues);
            rc = PP_EINVAL;
            break;
        }
        rc = pp_cql_encode_values(&f->values, items[i].values, items[i].nvalues, pp_cql_prepared_bind(p, 0),
                                  pp_cql_prepared_nbind(p), why, sizeof why);
        if (rc) pp_errf(err, errlen, "batch statement %zu: %s", i + 1, why);
        f->seg_end[i] = f->values.len;
    }
    if (rc) {
        future_free(s, f);
        return rc;
    }
    *out = f;
    return 0;
}

/* ---- public ------------------------------------------------------------- */

int pp_cql_session_create(const pp_cql_config *cfg, pp_cql_session **out, char *err, size_t errlen) {
    *out = NULL;
    if (cfg->consistency < 0 || cfg->consistency > 0xFFFF) {
        pp_errf(err, errlen, "bad consistency level %d", cfg->consistency);
        return PP_EINVAL;
    }
    if (cfg->keyspace && *cfg->keyspace && !valid_keyspace(cfg->keyspace)) {
        pp_errf(err, errlen, "keyspace '%s': use 1 to %d letters, digits or '_'", cfg->keyspace, KEYSPACE_MAX);
        return PP_EINVAL;
    }
    pp_cql_session *s = pp_xcalloc(1, sizeof *s);
    pp_cql_buf_init(&s->frame);
    s->server_code = -1;
    s->host = pp_xstrdup(cfg->host ? cfg->host : "");
    s->user = pp_xstrdup(cfg->user ? cfg->user : "");
    s->password = pp_xstrdup(cfg->password ? cfg->password : "");
    s->consistency = (uint16_t)cfg->consistency;
    s->page_size = cfg->page_size > 0 ? cfg->page_size : 0;
    s->ccfg = (pp_cql_conn_config){
        .host = s->host,
        .port = cfg->port,
        .user = s->user,
        .password = s->password,
        .connect_timeout_ms = cfg->connect_timeout_ms,
        .request_timeout_ms = cfg->request_timeout_ms,
        .max_frame = cfg->max_frame,
        .max_streams = cfg->max_streams,
    };
    if (cfg->keyspace) snprintf(s->keyspace, sizeof s->keyspace, "%s", cfg->keyspace);
    int rc = ensure_conn(s, err, errlen);
    if (rc) {
        pp_cql_session_destroy(s);
        return rc;
    }
    *out = s;
    return 0;
}

void pp_cql_session_destroy(pp_cql_session *s) {
    if (!s) return;
    while (s->futures) future_free(s, s->futures);
    pp_cql_prepared *p = s->prepared;
    while (p) {
        pp_cql_prepared *next = p->next;
        free(p->cql);
        pp_cql_result_destroy(p->meta);
        free(p);
        p = next;
    }
    pp_cql_conn_close(s->conn);
    pp_cql_buf_free(&s->frame);
    free(s->host);
    free(s->user);
    free(s->password);
    free(s);
}

int32_t pp_cql_session_server_code(const pp_cql_session *s) { return s->server_code; }
const char *pp_cql_session_keyspace(const pp_cql_session *s) { return s->keyspace; }
uint64_t pp_cql_session_reprepares(const pp_cql_session *s) { return s->reprepares; }

int pp_cql_prepare(pp_cql_session *s, const char *cql, const pp_cql_prepared **out, char *err, size_t errlen) {
    *out = NULL;
    if (!cql) {
        pp_errf(err, errlen, "no statement");
        return PP_EINVAL;
    }
    for (pp_cql_prepared *p = s->prepared; p; p = p->next) {
        if (!strcmp(p->cql, cql) && !strcmp(p->keyspace, s->keyspace)) {
            *out = p;
            return 0;
        }
    }
    pp_cql_prepared *p = pp_xcalloc(1, sizeof *p);
    p->cql = pp_xstrdup(cql);
    int rc = do_prepare(s, p, err, errlen);
    if (rc) {
        free(p->cql);
        free(p);
        return rc;
    }
    p->next = s->prepared;
    s->prepared = p;
    *out = p;
    return 0;
}

const char *pp_cql_prepared_query(const pp_cql_prepared *p) { return p->cql; }
size_t pp_cql_prepared_nbind(const pp_cql_prepared *p) { return pp_cql_result_nbind(p->meta); }
const pp_cql_column *pp_cql_prepared_bind(const pp_cql_prepared *p, size_t i) { return pp_cql_result_bind(p->meta, i); }

static int sync_run(pp_cql_session *s, pp_cql_future *f, int rc, const pp_cql_result *prev, int all_pages,
                    pp_cql_result **out, char *err, size_t errlen) {
    if (out) *out = NULL;
    if (!rc && prev) rc = set_paging(f, prev, err, errlen);
    if (!rc) rc = run(s, f, all_pages, out, err, errlen);
    future_free(s, f);
    return rc;
}

int pp_cql_query(pp_cql_session *s, const char *cql, const pp_cql_value *vals, size_t n, pp_cql_result **out, char *err,
                 size_t errlen) {
    pp_cql_future *f;
    int rc = make_query(s, cql, vals, n, &f, err, errlen);
    return sync_run(s, f, rc, NULL, 1, out, err, errlen);
}

int pp_cql_query_page(pp_cql_session *s, const char *cql, const pp_cql_value *vals, size_t n, const pp_cql_result *prev,
                      pp_cql_result **out, char *err, size_t errlen) {
    pp_cql_future *f;
    int rc = make_query(s, cql, vals, n, &f, err, errlen);
    return sync_run(s, f, rc, prev, 0, out, err, errlen);
}

int pp_cql_execute(pp_cql_session *s, const pp_cql_prepared *p, const pp_cql_value *vals, size_t n, pp_cql_result **out,
                   char *err, size_t errlen) {
    pp_cql_future *f;
    int rc = make_execute(s, p, vals, n, &f, err, errlen);
    return sync_run(s, f, rc, NULL, 1, out, err, errlen);
}

int pp_cql_execute_page(pp_cql_session *s, const pp_cql_prepared *p, const pp_cql_value *vals, size_t n,
                        const pp_cql_result *prev, pp_cql_result **out, char *err, size_t errlen) {
    pp_cql_future *f;
    int rc = make_execute(s, p, vals, n, &f, err, errlen);
    return sync_run(s, f, rc, prev, 0, out, err, errlen);
}

int pp_cql_batch(pp_cql_session *s, int type, const pp_cql_batch_item *items, size_t n, char *err, size_t errlen) {
    pp_cql_future *f;
    int rc = make_batch(s, type, items, n, &f, err, errlen);
    return sync_run(s, f, rc, NULL, 0, NULL, err, errlen);
}

static int submit(pp_cql_session *s, pp_cql_future *f, int rc, pp_cql_future **out, char *err, size_t errlen) {
    *out = NULL;
    if (!rc) rc = send_future(s, f, err, errlen);
    if (rc) {
        future_free(s, f);
        return rc;
    }
    future_link(s, f);
    *out = f;
    return 0;
}

int pp_cql_submit_query(pp_cql_session *s, const char *cql, const pp_cql_value *vals, size_t n, pp_cql_future **out,
                        char *err, size_t errlen) {
    pp_cql_future *f;
    int rc = make_query(s, cql, vals, n, &f, err, errlen);
    return submit(s, f, rc, out, err, errlen);
}

int pp_cql_submit_execute(pp_cql_session *s, const pp_cql_prepared *p, const pp_cql_value *vals, size_t n,
                          pp_cql_future **out, char *err, size_t errlen) {
    pp_cql_future *f;
    int rc = make_execute(s, p, vals, n, &f, err, errlen);
    return submit(s, f, rc, out, err, errlen);
}

int pp_cql_submit_batch(pp_cql_session *s, int type, const pp_cql_batch_item *items, size_t n, pp_cql_future **out,
                        char *err, size_t errlen) {
    pp_cql_future *f;
    int rc = make_batch(s, type, items, n, &f, err, errlen);
    return submit(s, f, rc, out, err, errlen);
}

int pp_cql_future_stream(const pp_cql_future *f) { return f->stream; }

int pp_cql_poll(pp_cql_session *s, int timeout_ms, pp_cql_future **ready, char *err, size_t errlen) {
    *ready = NULL;
    if (!s->futures) {
        pp_errf(err, errlen, "no request outstanding");
        return PP_EINVAL;
    }
    for (pp_cql_future *f = s->futures; f; f = f->next) {
        if (f->stream < 0) { /* failed locally: ready at once */
            *ready = f;
            return 0;
        }
    }
    for (;;) {
        int stream;
        int rc = pp_cql_conn_poll(s->conn, timeout_ms, &stream, err, errlen);
        if (rc) return rc;
        for (pp_cql_future *f = s->futures; f; f = f->next) {
            if (f->stream == stream) {
                *ready = f;
                return 0;
            }
        }
        /* not a future's (cannot happen: every other request is collected as it is
           sent); drop it so it is not returned again */
        pp_cql_conn_abandon(s->conn, stream);
    }
}

int pp_cql_wait(pp_cql_session *s, pp_cql_future *f, pp_cql_result **out, char *err, size_t errlen) {
    int rc = collect(s, f, out, err, errlen);
    future_free(s, f);
    return rc;
}
