#include "sql/trino_client.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "common/clock.h"
#include "common/error.h"
#include "common/mem.h"
#include "common/strbuf.h"

void pp_trino_result_init(pp_trino_result *r) { memset(r, 0, sizeof *r); }

void pp_trino_result_free(pp_trino_result *r) {
    for (size_t i = 0; i < r->ncols; i++) {
        free(r->names[i]);
        free(r->types[i]);
    }
    free(r->names);
    free(r->types);
    json_decref(r->rows);
    free(r->update_type);
    long max_rows = r->max_rows;
    memset(r, 0, sizeof *r);
    r->max_rows = max_rows;
}

/* The length of base without a trailing '/'. */
static size_t base_len(const char *base) {
    size_t n = strlen(base);
    while (n > 0 && base[n - 1] == '/') n--;
    return n;
}

static int take_columns(pp_trino_result *r, json_t *cols, char *err, size_t errlen) {
    if (r->names || !json_is_array(cols)) return PP_OK; /* once; later pages repeat them */
    size_t n = json_array_size(cols);
    r->names = pp_xcalloc(n ? n : 1, sizeof *r->names);
    r->types = pp_xcalloc(n ? n : 1, sizeof *r->types);
    for (size_t i = 0; i < n; i++) {
        json_t *c = json_array_get(cols, i);
        const char *name = json_string_value(json_object_get(c, "name"));
        const char *type = json_string_value(json_object_get(c, "type"));
        if (!name || !type) {
            r->ncols = i;
            pp_errf(err, errlen, "Trino: column %zu of the response has no name or type", i + 1);
            return PP_EPROTO;
        }
        r->names[i] = pp_xstrdup(name);
        r->types[i] = pp_xstrdup(type);
        r->ncols = i + 1;
    }
    return PP_OK;
}

static int take_rows(pp_trino_result *r, json_t *data, char *err, size_t errlen) {
    if (!data) return PP_OK;
    if (!json_is_array(data) || !r->names) {
        pp_errf(err, errlen, "Trino: a page of data %s", r->names ? "is not an array" : "came before the columns");
        return PP_EPROTO;
    }
    if (!r->rows) r->rows = json_array();
    if (!r->rows) return PP_ENOMEM;
    long max = r->max_rows > 0 ? r->max_rows : PP_TRINO_DEFAULT_MAX_ROWS;
    size_t i;
    json_t *row;
    json_array_foreach(data, i, row) {
        if (!json_is_array(row) || json_array_size(row) != r->ncols) {
            pp_errf(err, errlen, "Trino: a row has %zu values for %zu columns", json_array_size(row), r->ncols);
            return PP_EPROTO;
        }
        if (json_array_size(r->rows) >= (size_t)max) {
            pp_errf(err, errlen, "the result has more than %ld rows (--max-rows): narrow the query or add LIMIT", max);
            return PP_EINVAL;
        }
        if (json_array_append(r->rows, row)) return PP_ENOMEM;
    }
    return PP_OK;
}

/* "Trino: line 1:8: Column 'x' cannot be resolved (COLUMN_NOT_FOUND)" */
static void query_error(json_t *e, char *err, size_t errlen) {
    const char *msg = json_string_value(json_object_get(e, "message"));
    const char *name = json_string_value(json_object_get(e, "errorName"));
    json_t *loc = json_object_get(e, "errorLocation");
    json_int_t line = json_integer_value(json_object_get(loc, "lineNumber"));
    json_int_t col = json_integer_value(json_object_get(loc, "columnNumber"));
    char where[64] = "";
    /* Trino's message for a syntax or semantic error already starts with "line L:C: " */
    if (line > 0 && col > 0 && msg && strncmp(msg, "line ", 5) != 0)
        snprintf(where, sizeof where, "line %" JSON_INTEGER_FORMAT ":%" JSON_INTEGER_FORMAT ": ", line, col);
    pp_errf(err, errlen, "Trino: %s%s%s%s%s", where, msg ? msg : "the query failed", name ? " (" : "", name ? name : "",
            name ? ")" : "");
}

int pp_trino_apply_page(pp_trino_result *r, const char *body, size_t len, const char *base, char **next_uri, char *err,
                        size_t errlen) {
    *next_uri = NULL;
    json_error_t je;
    json_t *doc = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
    if (!json_is_object(doc)) {
        pp_errf(err, errlen, "Trino: the response is not a JSON object%s%s", doc ? "" : ": ", doc ? "" : je.text);
        json_decref(doc);
        return PP_EPROTO;
    }
    int rc = PP_OK;
    const char *id = json_string_value(json_object_get(doc, "id"));
    if (id && !r->query_id[0]) snprintf(r->query_id, sizeof r->query_id, "%s", id);
    json_t *e = json_object_get(doc, "error");
    if (json_is_object(e)) {
        query_error(e, err, errlen);
        rc = PP_ESERVER;
    }
    if (!rc) rc = take_columns(r, json_object_get(doc, "columns"), err, errlen);
    if (!rc) rc = take_rows(r, json_object_get(doc, "data"), err, errlen);
    const char *ut = json_string_value(json_object_get(doc, "updateType"));
    if (!rc && ut && !r->update_type) r->update_type = pp_xstrdup(ut);
    json_t *next = json_object_get(doc, "nextUri");
    if (!rc && next) {
        const char *uri = json_string_value(next);
        size_t bl = base_len(base);
        if (!uri || strncmp(uri, base, bl) != 0 || uri[bl] != '/') {
            pp_errf(err, errlen, "Trino: refusing to follow nextUri '%.200s': not on the server %.*s", uri ? uri : "?",
                    (int)bl, base);
            rc = PP_EPROTO;
        } else {
            *next_uri = pp_xstrdup(uri);
        }
    }
    json_decref(doc);
    return rc;
}

char *pp_trino_value_text(const json_t *v) {
    if (!v || json_is_null(v)) return NULL;
    if (json_is_string(v)) return pp_xstrndup(json_string_value(v), json_string_length(v));
    char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17));
    if (!s) pp_oom(64);
    char *out = pp_xstrdup(s);
    free(s);
    return out;
}

/* ---- HTTP ------------------------------------------------------------------- */

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc = CURLE_OK;
static void global_init(void) { global_rc = curl_global_init(CURL_GLOBAL_DEFAULT); }

typedef struct {
    pp_strbuf body;
    int overflow;
} sink;

static size_t on_body(char *p, size_t size, size_t n, void *arg) {
    sink *s = arg;
    size_t len = size * n;
    if (s->body.len + len > PP_TRINO_MAX_BODY) {
        s->overflow = 1;
        return 0;
    }
    pp_sb_append(&s->body, p, len);
    return len;
}

/* One request: POST sql to url, or GET url (sql NULL), or DELETE (del). */
static int http(CURL *h, struct curl_slist *hdrs, const char *url, const char *sql, int del, long timeout_ms,
                long connect_ms, sink *s, long *status, char *err, size_t errlen) {
    char cerr[CURL_ERROR_SIZE] = "";
    pp_sb_reset(&s->body);
    s->overflow = 0;
    curl_easy_reset(h);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, s);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, cerr);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, connect_ms);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms < 1 ? 1L : timeout_ms);
    if (sql) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, sql);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(sql));
    } else if (del) {
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, "DELETE");
    }
    CURLcode cc = curl_easy_perform(h);
    if (cc != CURLE_OK) {
        if (s->overflow) {
            pp_errf(err, errlen, "Trino: a response is larger than %zu bytes", PP_TRINO_MAX_BODY);
            return PP_EPROTO;
        }
        pp_errf(err, errlen, "Trino at %s: %s", url, cerr[0] ? cerr : curl_easy_strerror(cc));
        return cc == CURLE_OPERATION_TIMEDOUT ? PP_ETIMEOUT : PP_EIO;
    }
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
    return PP_OK;
}

static struct curl_slist *headers(const pp_trino_config *c) {
    struct curl_slist *l = NULL;
    char line[512];
    snprintf(line, sizeof line, "X-Trino-User: %s", c->user && *c->user ? c->user : "pinpipe");
    l = curl_slist_append(l, line);
    l = curl_slist_append(l, "X-Trino-Source: pinpipe-sql");
    l = curl_slist_append(l, "Content-Type: text/plain; charset=utf-8");
    l = curl_slist_append(l, "Expect:");
    if (c->catalog && *c->catalog) {
        snprintf(line, sizeof line, "X-Trino-Catalog: %s", c->catalog);
        l = curl_slist_append(l, line);
    }
    if (c->schema && *c->schema) {
        snprintf(line, sizeof line, "X-Trino-Schema: %s", c->schema);
        l = curl_slist_append(l, line);
    }
    if (!l) pp_oom(sizeof line);
    return l;
}

static int bad_header_value(const char *s) { return s && strpbrk(s, "\r\n") != NULL; }

int pp_trino_query(const pp_trino_config *c, const char *sql, pp_trino_result *r, char *err, size_t errlen) {
    pthread_once(&global_once, global_init);
    if (global_rc != CURLE_OK) {
        pp_errf(err, errlen, "curl_global_init: %s", curl_easy_strerror(global_rc));
        return PP_EIO;
    }
    if (bad_header_value(c->user) || bad_header_value(c->catalog) || bad_header_value(c->schema) ||
        strlen(c->user ? c->user : "") > 256 || strlen(c->catalog ? c->catalog : "") > 256 ||
        strlen(c->schema ? c->schema : "") > 256) {
        pp_errf(err, errlen, "user, catalog and schema: at most 256 characters, no line breaks");
        return PP_EINVAL;
    }
    CURL *h = curl_easy_init();
    if (!h) return PP_ENOMEM;
    struct curl_slist *hdrs = headers(c);
    sink s = {.overflow = 0};
    pp_sb_init(&s.body);
    pp_strbuf url;
    pp_sb_init(&url);
    pp_sb_append(&url, c->url, base_len(c->url));
    pp_sb_puts(&url, "/v1/statement");
    char *next = NULL;
    int64_t deadline = pp_mono_ms() + (c->timeout_ms > 0 ? c->timeout_ms : 1);
    long backoff = 50;
    int rc = PP_OK, first = 1;
    for (;;) {
        long left = (long)(deadline - pp_mono_ms()), status = 0;
        if (left <= 0) {
            pp_errf(err, errlen, "Trino: the query did not finish within %ld ms (--timeout); cancelled", c->timeout_ms);
            rc = PP_ETIMEOUT;
            break;
        }
        rc = http(h, hdrs, first ? url.data : next, first ? sql : NULL, 0, left, c->connect_timeout_ms, &s, &status,
                  err, errlen);
        if (rc) break;
        if (status == 429 || status == 502 || status == 503 || status == 504) { /* the protocol: retry */
            pp_sleep_ms(backoff);
            backoff = backoff * 2 > 1000 ? 1000 : backoff * 2;
            continue;
        }
        if (status != 200) {
            pp_errf(err, errlen, "Trino: HTTP %ld from %s: %.300s", status, first ? url.data : next,
                    s.body.len ? s.body.data : "(no body)");
            rc = PP_ESERVER;
            break;
        }
        backoff = 50;
        first = 0;
        free(next);
        next = NULL;
        rc = pp_trino_apply_page(r, s.body.data ? s.body.data : "", s.body.len, c->url, &next, err, errlen);
        if (rc || !next) break;
    }
    if (next && rc) { /* stop the query on the server too (best effort, bounded) */
        long st = 0;
        char ignored[256];
        http(h, hdrs, next, NULL, 1, 2000, c->connect_timeout_ms, &s, &st, ignored, sizeof ignored);
    }
    free(next);
    pp_sb_free(&url);
    pp_sb_free(&s.body);
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(h);
    return rc;
}
