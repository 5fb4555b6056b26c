#include "api/api_ingest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "api/api_http.h"
#include "api/api_reply.h"
#include "api/api_respond.h"
#include "api/api_validate.h"
#include "common/clock.h"
#include "common/error.h"
#include "common/log.h"
#include "common/mem.h"
#include "contract/message.h"

typedef enum {
    PHASE_READING,   /* body arriving */
    PHASE_PRODUCING, /* handed to the producer; connection suspended */
    PHASE_REPORTED,  /* delivery report stored; connection resumed */
    PHASE_ANSWERED   /* an answer is queued */
} phase;

struct pp_api_ingest_req {
    pp_api_ingest *ing;
    pp_kind kind;
    struct MHD_Connection *conn;
    atomic_int phase;
    char *body;
    size_t len, cap;
    pp_strbuf echo; /* the 200 answer, built before producing */
    int64_t produce_start_us;
    int report_status;    /* PP_OK or the PP_E* code of the delivery report */
    int report_too_large; /* with PP_EREFUSED: Kafka refused it for its size */
    size_t record_bytes;  /* key + value + headers of the record produced */
    char report_err[160];
};

void pp_api_ingest_init(pp_api_ingest *ing, pp_producer *producer, pp_api_metrics *metrics,
                        const char *const topics[PP_KIND_COUNT], size_t max_body, int retry_after_s,
                        const atomic_int *draining) {
    ing->producer = producer;
    ing->metrics = metrics;
    for (int k = 0; k < PP_KIND_COUNT; k++) ing->topics[k] = topics[k];
    ing->max_body = max_body;
    ing->retry_after_s = retry_after_s > 0 ? retry_after_s : 1;
    ing->draining = draining;
    atomic_init(&ing->closing, 0);
    atomic_init(&ing->pending, 0);
}

int pp_api_ingest_req_reading(const pp_api_ingest_req *r) {
    return r && atomic_load(&((pp_api_ingest_req *)r)->phase) == PHASE_READING;
}

void pp_api_ingest_req_free(pp_api_ingest_req *r) {
    if (!r) return;
    free(r->body);
    pp_sb_free(&r->echo);
    free(r);
}

static int draining(const pp_api_ingest *ing) { return ing->draining && atomic_load(ing->draining); }

/* Queues an answer and records it. */
static enum MHD_Result answer(pp_api_ingest *ing, pp_api_ingest_req *r, struct MHD_Connection *c, unsigned code,
                              pp_strbuf *body, const char *const *headers, unsigned *status) {
    if (r) atomic_store(&r->phase, PHASE_ANSWERED);
    *status = code;
    return pp_api_respond(c, code, body, PP_API_JSON, headers, draining(ing));
}

static enum MHD_Result answer_detail(pp_api_ingest *ing, pp_api_ingest_req *r, struct MHD_Connection *c, unsigned code,
                                     const char *msg, unsigned *status) {
    if (r) atomic_store(&r->phase, PHASE_ANSWERED);
    *status = code;
    return pp_api_respond_detail(c, code, msg, NULL, draining(ing));
}

static enum MHD_Result answer_unavailable(pp_api_ingest *ing, pp_api_ingest_req *r, struct MHD_Connection *c,
                                          const char *msg, const char *reason, unsigned *status) {
    char retry[16];
    snprintf(retry, sizeof retry, "%d", ing->retry_after_s);
    const char *const headers[] = {MHD_HTTP_HEADER_RETRY_AFTER, retry, NULL};
    pp_strbuf sb;
    pp_sb_init(&sb);
    pp_api_reply_unavailable(&sb, msg, reason);
    return answer(ing, r, c, MHD_HTTP_SERVICE_UNAVAILABLE, &sb, headers, status);
}

/* A produce error that retrying cannot fix (kafka_producer.h classifies): 413 when it
 * is the size, else 500 `kafka_refused`; never 503, never Retry-After. */
static enum MHD_Result answer_refused(pp_api_ingest *ing, pp_api_ingest_req *r, struct MHD_Connection *c,
                                      int too_large_for_kafka, const char *why, unsigned *status) {
    char msg[400];
    if (too_large_for_kafka) {
        snprintf(msg, sizeof msg,
                 "Request body too large for Kafka: the record (body, key and headers: %zu bytes) is "
                 "over the topic's or producer's message size limit (producer: %ld bytes)",
                 r ? r->record_bytes : 0, pp_producer_max_message_bytes(ing->producer));
        return answer_detail(ing, r, c, MHD_HTTP_CONTENT_TOO_LARGE, msg, status);
    }
    snprintf(msg, sizeof msg, "Kafka refused the event for good (%s); retrying will not help",
             why && *why ? why : "no reason given");
    pp_strbuf sb;
    pp_sb_init(&sb);
    pp_api_reply_unavailable(&sb, msg, "kafka_refused");
    return answer(ing, r, c, MHD_HTTP_INTERNAL_SERVER_ERROR, &sb, NULL, status);
}

static enum MHD_Result too_large(pp_api_ingest *ing, pp_api_ingest_req *r, struct MHD_Connection *c, unsigned *status) {
    char msg[96];
    snprintf(msg, sizeof msg, "Request body too large: the limit is %zu bytes", ing->max_body);
    return answer_detail(ing, r, c, MHD_HTTP_CONTENT_TOO_LARGE, msg, status);
}

/* Failures come in floods when Kafka is down: log the first ten, then one in 1000
 * (the metrics count them all). */
static int log_failure(void) {
    static atomic_ulong n;
    unsigned long k = atomic_fetch_add(&n, 1);
    return k < 10 || k % 1000 == 0;
}

/* The last resort for a chunked body over the limit (see the caller): a complete
 * 413 answer written straight to the socket; nothing else has been sent for this
 * request. Best effort: a short write only loses the answer, not the close. */
static void write_raw_413(const pp_api_ingest *ing, struct MHD_Connection *c) {
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
    if (!ci) return;
    char body[96], msg[256];
    int bn =
        snprintf(body, sizeof body, "{\"detail\":\"Request body too large: the limit is %zu bytes\"}", ing->max_body);
    int n = snprintf(msg, sizeof msg,
                     "HTTP/1.1 413 Content Too Large\r\nContent-Type: application/json\r\n"
                     "Content-Length: %d\r\nConnection: close\r\n\r\n%s",
                     bn, body);
    if (n > 0 && (size_t)n < sizeof msg) {
        ssize_t w = send(ci->connect_fd, msg, (size_t)n, MSG_NOSIGNAL);
        (void)w;
    }
}

/* The delivery report, on the producer's poll thread. After MHD_resume_connection the
 * request may be answered and freed at any moment by an MHD thread: r is not touched
 * after it. */
static void on_delivery(const pp_delivery_report *rep, void *opaque) {
    pp_api_ingest_req *r = opaque;
    pp_api_ingest *ing = r->ing;
    struct MHD_Connection *c = r->conn;
    r->report_status = rep->status;
    r->report_too_large = rep->status == PP_EREFUSED && rep->too_large;
    snprintf(r->report_err, sizeof r->report_err, "%s", rep->errstr ? rep->errstr : "");
    pp_api_metrics_produce_done(ing->metrics, pp_mono_us() - r->produce_start_us);
    if (rep->status != PP_OK)
        pp_api_metrics_produce_error(ing->metrics,
                                     rep->status == PP_ETIMEOUT          ? PP_API_PERR_TIMEOUT
                                         : r->report_too_large           ? PP_API_PERR_TOO_LARGE
                                         : pp_err_transient(rep->status) ? PP_API_PERR_KAFKA
                                                                         : PP_API_PERR_REFUSED);
    atomic_store(&r->phase, PHASE_REPORTED);
    MHD_resume_connection(c);
    atomic_fetch_sub(&ing->pending, 1);
}

/* The body is complete: validate, then produce (suspending the connection) or answer. */
static enum MHD_Result body_done(pp_api_ingest *ing, pp_api_ingest_req *r, struct MHD_Connection *c, unsigned *status) {
    pp_api_body b;
    char err[256];
    enum MHD_Result res;

    unsigned code = pp_api_validate(&b, r->kind, r->body, r->len, &r->echo);
    if (code != MHD_HTTP_OK) {
        pp_strbuf sb = r->echo; /* the 4xx answer */
        pp_sb_init(&r->echo);
        pp_api_body_clear(&b);
        return answer(ing, r, c, code, &sb, NULL, status);
    }

    /* Counted before `closing` is read (the server reads them the other way round),
     * so the server never misses a record on its way to the producer. */
    atomic_fetch_add(&ing->pending, 1);
    if (atomic_load(&ing->closing)) {
        atomic_fetch_sub(&ing->pending, 1);
        pp_api_body_clear(&b);
        return answer_unavailable(ing, r, c, "The server is shutting down", "shutting_down", status);
    }

    int64_t ingest_ms = pp_wall_ms();
    pp_message m;
    pp_api_body_message(&b, &m, ing->topics[r->kind], r->body, r->len, ingest_ms);
    m.rec.timestamp_ms = ingest_ms; /* the API's records carry their ingest time as timestamp too */
    r->record_bytes = m.rec.value_len + m.rec.key_len;
    for (size_t i = 0; i < m.rec.nheaders; i++)
        r->record_bytes += strlen(m.rec.headers[i].name) + m.rec.headers[i].value_len;
    r->conn = c;
    r->produce_start_us = pp_mono_us();
    atomic_store(&r->phase, PHASE_PRODUCING);
    /* Suspended before sending: the report may come before pp_producer_send returns,
     * and a resume must never precede its suspend. */
    MHD_suspend_connection(c);
    int rc = pp_producer_send(ing->producer, &m.rec, on_delivery, r, err, sizeof err);
    pp_api_body_clear(&b); /* the producer copied the record */
    if (rc == PP_OK) return MHD_YES;

    /* No callback will come: answer now. */
    atomic_fetch_sub(&ing->pending, 1);
    MHD_resume_connection(c);
    if (rc == PP_EBUSY) {
        pp_api_metrics_produce_error(ing->metrics, PP_API_PERR_QUEUE_FULL);
        res = answer_unavailable(ing, r, c, "The Kafka producer's queue is full", "queue_full", status);
    } else if (rc == PP_EREFUSED) { /* over the producer's message.max.bytes */
        pp_api_metrics_produce_error(ing->metrics, PP_API_PERR_TOO_LARGE);
        if (log_failure()) PP_WARN("api", "produce refused: %s", err);
        res = answer_refused(ing, r, c, 1, err, status);
    } else if (!pp_err_transient(rc)) { /* unknown topic or partition, bad record */
        pp_api_metrics_produce_error(ing->metrics, PP_API_PERR_REFUSED);
        if (log_failure()) PP_WARN("api", "produce refused: %s", err);
        res = answer_refused(ing, r, c, 0, pp_strerror(rc), status);
    } else {
        pp_api_metrics_produce_error(ing->metrics, PP_API_PERR_REJECTED);
        if (log_failure()) PP_WARN("api", "produce refused: %s", err);
        res = answer_unavailable(ing, r, c, "Kafka did not accept the event", "kafka_error", status);
    }
    return res;
}

enum MHD_Result pp_api_ingest_step(pp_api_ingest *ing, pp_kind kind, struct MHD_Connection *c, const char *upload_data,
                                   size_t *upload_data_size, pp_api_ingest_req **reqp, unsigned *status) {
    pp_api_ingest_req *r = *reqp;

    if (!r) { /* headers only so far */
        const char *ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
        if (!pp_api_content_type_is_json(ct))
            return answer_detail(ing, NULL, c, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE,
                                 "Unsupported Media Type: the body must be application/json", status);
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        uint64_t declared = 0;
        int has_cl = cl && pp_api_parse_content_length(cl, &declared) == PP_OK;
        if (has_cl && declared > ing->max_body) return too_large(ing, NULL, c, status);
        r = pp_xcalloc(1, sizeof *r);
        r->ing = ing;
        r->kind = kind;
        atomic_init(&r->phase, PHASE_READING);
        pp_sb_init(&r->echo);
        if (has_cl && declared > 0) {
            r->body = pp_try_malloc((size_t)declared); /* peer-sized: refuse this one request */
            if (!r->body) {
                free(r);
                return MHD_NO;
            }
            r->cap = (size_t)declared;
        }
        *reqp = r;
        return MHD_YES;
    }

    switch ((phase)atomic_load(&r->phase)) {
    case PHASE_READING:
        if (*upload_data_size == 0) return body_done(ing, r, c, status);
        if (*upload_data_size > ing->max_body - r->len) {
            *upload_data_size = 0;
            if (too_large(ing, r, c, status) == MHD_YES) return MHD_YES;
            /* MHD 0.9.75 cannot queue an answer in the middle of a body: write the 413
             * on the socket ourselves and close (MHD_NO), which stops the upload. */
            write_raw_413(ing, c);
            return MHD_NO;
        }
        if (r->len + *upload_data_size > r->cap) {
            size_t cap = r->cap ? r->cap : 4096;
            while (cap < r->len + *upload_data_size) cap *= 2;
            if (cap > ing->max_body) cap = ing->max_body;
            char *grown = pp_try_realloc(r->body, cap); /* peer-sized */
            if (!grown) return MHD_NO;
            r->body = grown;
            r->cap = cap;
        }
        memcpy(r->body + r->len, upload_data, *upload_data_size);
        r->len += *upload_data_size;
        *upload_data_size = 0;
        return MHD_YES;
    case PHASE_PRODUCING: /* not expected: MHD does not call a suspended connection */
        *upload_data_size = 0;
        return MHD_YES;
    case PHASE_REPORTED:
        if (r->report_status == PP_OK) {
            pp_strbuf body = r->echo;
            pp_sb_init(&r->echo);
            return answer(ing, r, c, MHD_HTTP_OK, &body, NULL, status);
        }
        if (log_failure())
            PP_WARN("api", "event not acknowledged by Kafka: %s (%s)", r->report_err, pp_strerror(r->report_status));
        if (!pp_err_transient(r->report_status))
            return answer_refused(ing, r, c, r->report_too_large, r->report_err, status);
        return answer_unavailable(ing, r, c,
                                  r->report_status == PP_ETIMEOUT ? "Kafka did not acknowledge the event in time"
                                                                  : "Kafka did not acknowledge the event",
                                  r->report_status == PP_ETIMEOUT ? "timeout" : "kafka_error", status);
    case PHASE_ANSWERED:
        *upload_data_size = 0; /* the rest of a body we already answered */
        return MHD_YES;
    }
    return MHD_NO;
}
