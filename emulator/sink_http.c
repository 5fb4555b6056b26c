#include "common/mem.h"
#include "sink_http.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "common/error.h"
#include "common/log.h"

typedef struct {
    CURL *easy;
    pp_kind kind;
    int64_t ind; /* geo and user with has_ind: one in flight per (kind, ind) */
    int ordered;
    char *body;
    size_t len, cap;
    unsigned attempt;
    double first_sent_ms;
    double retry_at_ms; /* > 0: waiting to be retried */
    int busy;
} slot;

static double mono_ms_f(void) { return pp_mono_us() / 1000.0; }

static size_t discard(char *p, size_t size, size_t n, void *ud) {
    (void)p;
    (void)ud;
    return size * n;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void pp_emu_target_url(const char *target, pp_kind k, char *out, size_t outlen) {
    size_t n = strlen(target);
    if (n >= 5 && !strcmp(target + n - 5, "/pin/"))
        n -= 5;
    else if (n >= 4 && !strcmp(target + n - 4, "/pin"))
        n -= 4;
    while (n && target[n - 1] == '/') n--;
    snprintf(out, outlen, "%.*s%s", (int)n, target, pp_kind_path(k));
}

/* An event waiting for the earlier one of its (kind, ind) to be answered: the others
 * go on meanwhile, so a repeated side does not stall every connection. */
typedef struct {
    pp_kind kind;
    int64_t ind;
    char *body;
    size_t len;
} parked;

static int same_key(pp_kind ka, int64_t ia, pp_kind kb, int64_t ib) { return ka == kb && ia == ib; }

/* Another event of this geo or user's (kind, ind) is in flight (or waiting for its retry),
 * or parked before position `before`. Pins never wait (their repeats are identical). */
static int must_wait(const slot *slots, unsigned n, const parked *pk, size_t before, pp_kind kind, int64_t ind,
                     int ordered) {
    if (kind == PP_KIND_PIN || !ordered) return 0;
    for (unsigned i = 0; i < n; i++)
        if (slots[i].busy && slots[i].ordered && same_key(slots[i].kind, slots[i].ind, kind, ind)) return 1;
    for (size_t i = 0; i < before; i++)
        if (same_key(pk[i].kind, pk[i].ind, kind, ind)) return 1;
    return 0;
}

static void fill(slot *s, pp_kind kind, int64_t ind, int ordered, const char *body, size_t len) {
    s->kind = kind;
    s->ind = ind;
    s->ordered = ordered;
    if (len + 1 > s->cap) {
        s->cap = len + 1;
        s->body = pp_xrealloc(s->body, s->cap);
    }
    memcpy(s->body, body, len);
    s->len = len;
    s->attempt = 0;
}

static void start(CURLM *multi, slot *s, char urls[PP_KIND_COUNT][1024], struct curl_slist *headers) {
    curl_easy_setopt(s->easy, CURLOPT_URL, urls[s->kind]);
    curl_easy_setopt(s->easy, CURLOPT_POSTFIELDS, s->body);
    curl_easy_setopt(s->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)s->len);
    curl_easy_setopt(s->easy, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(s->easy, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(s->easy, CURLOPT_TIMEOUT_MS, 30000L);
    curl_easy_setopt(s->easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(s->easy, CURLOPT_PRIVATE, s);
    s->busy = 1;
    s->retry_at_ms = 0;
    curl_multi_add_handle(multi, s->easy);
}

int pp_emu_http_run(pp_emu_stream *gen, const pp_emu_http_opts *o, pp_emu_http_stats *st, char *err, size_t errlen) {
    memset(st, 0, sizeof *st);
    char urls[PP_KIND_COUNT][1024];
    for (int k = 0; k < PP_KIND_COUNT; k++) pp_emu_target_url(o->url, (pp_kind)k, urls[k], sizeof urls[k]);
    size_t max_parked = 4 * (size_t)(o->concurrency ? o->concurrency : 1), n_parked = 0;
    parked *pk = pp_xcalloc(max_parked, sizeof *pk);
    unsigned n = o->concurrency ? o->concurrency : 1;
    slot *slots = pp_xcalloc(n, sizeof *slots);
    size_t lat_cap = 1024, lat_n = 0;
    double *lat = pp_xmalloc(lat_cap * sizeof *lat);
    CURLM *multi = curl_multi_init();
    struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: application/json");
    char auth[512];
    int rc = PP_OK, more = 1;
    if (o->token) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", o->token);
        headers = curl_slist_append(headers, auth);
    }
    for (unsigned i = 0; i < n; i++) slots[i].easy = curl_easy_init();
    double t0 = mono_ms_f();
    unsigned active = 0;
    while (more || n_parked || active) {
        double now = mono_ms_f();
        for (unsigned i = 0; i < n; i++) { /* fill idle slots, restart due retries */
            slot *s = &slots[i];
            if (s->busy && s->retry_at_ms > 0 && now >= s->retry_at_ms) {
                start(multi, s, urls, headers);
                st->requests++;
                continue;
            }
            if (s->busy || (!more && !n_parked)) continue;
            if (o->rate && (double)st->sent * 1000.0 > (now - t0) * (double)o->rate) break;
            size_t k = 0; /* the first parked event free to go, in order */
            while (k < n_parked && must_wait(slots, n, pk, k, pk[k].kind, pk[k].ind, 1)) k++;
            if (k < n_parked) {
                fill(s, pk[k].kind, pk[k].ind, 1, pk[k].body, pk[k].len);
                free(pk[k].body);
                memmove(pk + k, pk + k + 1, (n_parked - k - 1) * sizeof *pk);
                n_parked--;
            } else {
                if (!more) break; /* only parked events are left, and they must wait */
                pp_emu_out ev;
                int g = 1, got = 0;
                /* from the stream: an event that must wait is parked (up to max_parked) */
                while (n_parked < max_parked) {
                    if ((g = pp_emu_stream_next(gen, &ev)) != 1) break;
                    if (!must_wait(slots, n, pk, n_parked, ev.kind, ev.ind, ev.has_ind)) {
                        got = 1;
                        break;
                    }
                    pk[n_parked].kind = ev.kind;
                    pk[n_parked].ind = ev.ind;
                    pk[n_parked].body = pp_xmalloc(ev.len ? ev.len : 1);
                    memcpy(pk[n_parked].body, ev.line, ev.len);
                    pk[n_parked].len = ev.len;
                    n_parked++;
                }
                if (g < 0) rc = PP_EINVAL;
                if (g <= 0) more = 0;
                if (!got) break; /* the stream is done, or the parking is full: wait for answers */
                fill(s, ev.kind, ev.ind, ev.has_ind, ev.line, ev.len);
            }
            s->first_sent_ms = now;
            start(multi, s, urls, headers);
            active++;
            st->sent++;
            st->requests++;
        }
        int running;
        curl_multi_perform(multi, &running);
        CURLMsg *msg;
        int left;
        while ((msg = curl_multi_info_read(multi, &left))) {
            if (msg->msg != CURLMSG_DONE) continue;
            slot *s;
            long status = 0;
            curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&s);
            curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &status);
            CURLcode cc = msg->data.result;
            curl_multi_remove_handle(multi, msg->easy_handle);
            int retry = cc != CURLE_OK || status == 503 || status == 429;
            if (retry && s->attempt < o->retries) {
                double backoff = 100.0 * (1u << (s->attempt < 6 ? s->attempt : 6));
                s->retry_at_ms = mono_ms_f() + (backoff > 5000 ? 5000 : backoff);
                s->attempt++;
                st->retries++;
                continue;
            }
            if (cc == CURLE_OK && status >= 200 && status < 300) {
                st->acked++;
                if (lat_n == lat_cap) lat = pp_xrealloc(lat, (lat_cap *= 2) * sizeof *lat);
                lat[lat_n++] = mono_ms_f() - s->first_sent_ms;
            } else if (cc == CURLE_OK && status >= 400 && status < 500 && status != 429) {
                st->rejected++;
            } else {
                st->failed++;
                PP_WARN("emulate", "event failed after %u attempts: %s (HTTP %ld)", s->attempt + 1,
                        cc != CURLE_OK ? curl_easy_strerror(cc) : "server error", status);
            }
            s->busy = 0;
            active--;
        }
        int waiting_retry = 0;
        for (unsigned i = 0; i < n; i++) waiting_retry |= slots[i].busy && slots[i].retry_at_ms > 0;
        curl_multi_poll(multi, NULL, 0, waiting_retry || (o->rate && more) ? 1 : 100, NULL);
    }
    st->seconds = (mono_ms_f() - t0) / 1000.0;
    if (lat_n) {
        qsort(lat, lat_n, sizeof *lat, cmp_double);
        st->p50_ms = lat[lat_n / 2];
        st->p99_ms = lat[(size_t)((double)lat_n * 0.99) < lat_n ? (size_t)((double)lat_n * 0.99) : lat_n - 1];
    }
    for (unsigned i = 0; i < n; i++) {
        if (slots[i].busy && slots[i].retry_at_ms == 0) curl_multi_remove_handle(multi, slots[i].easy);
        curl_easy_cleanup(slots[i].easy);
        free(slots[i].body);
    }
    for (size_t i = 0; i < n_parked; i++) free(pk[i].body);
    free(pk);
    curl_slist_free_all(headers);
    curl_multi_cleanup(multi);
    free(slots);
    free(lat);
    if (rc == PP_EINVAL && err && !err[0]) pp_errf(err, errlen, "an event did not fit the line buffer");
    return rc;
}
