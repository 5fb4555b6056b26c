#include "lake/lake_writer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/log.h"
#include "common/mem.h"
#include "contract/lake_name.h"
#include "contract/lake_record.h"
#include "contract/message.h"
#include "lake/lake_day.h"
#include "lake/lake_gzip.h"
#include "lake/lake_partition.h"
#include "lake/lake_spares.h"
#include "lake/lake_upload.h"

struct pp_lake_writer {
    char *prefix;
    int gzip;
    pp_lake_limits limits;
    pp_clean_opts clean;
    pp_lake_put_fn put;
    void *put_ud;
    pp_lake_stats *stats;
    pp_lake_stats own_stats; /* when the caller gave none */
    pp_lake_partition **parts;
    size_t n_parts, cap_parts;
    size_t last; /* index of the partition found last (cheap lookups) */
    pp_kafka_partition *commits;
    size_t cap_commits;
    pp_strbuf zbuf;      /* the gzip of the object being stored (no upload threads) */
    pp_lake_uploads *up; /* the upload threads; NULL: flush stores */
    uint64_t next_job;
    pp_lake_spares spares; /* stored objects' buffers, for the next objects */
    size_t queue_max;      /* bytes of sealed objects that may wait for a thread */
};

int pp_lake_writer_create(pp_lake_writer **out, const pp_lake_writer_opts *o, char *err, size_t errlen) {
    *out = NULL;
    if (!o->put || o->limits.max_records < 1 || o->limits.max_bytes < 1 || o->limits.max_age_ms < 1) {
        pp_errf(err, errlen, "lake writer: a put function and limits >= 1 are required");
        return PP_EINVAL;
    }
    pp_lake_writer *w = pp_xcalloc(1, sizeof *w);
    w->prefix = pp_xstrdup(o->prefix ? o->prefix : "");
    w->gzip = o->gzip;
    w->limits = o->limits;
    w->clean = o->clean;
    w->put = o->put;
    w->put_ud = o->put_ud;
    pp_lake_stats_init(&w->own_stats);
    w->stats = o->stats ? o->stats : &w->own_stats;
    atomic_store(&w->stats->max_age_ms, o->limits.max_age_ms);
    pp_sb_init(&w->zbuf);
    /* as many spares as objects stored at once, each of an object's size (its buffer
     * doubles past max_bytes: twice that) */
    size_t per = 2 * (size_t)o->limits.max_bytes;
    pp_lake_spares_init(&w->spares, (size_t)(o->uploads > 0 ? o->uploads + 1 : 1) * per);
    w->queue_max = (size_t)(o->uploads > 0 ? o->uploads : 0) * (size_t)o->limits.max_bytes;
    if (o->uploads > 0) {
        int rc = pp_lake_uploads_create(&w->up, o->uploads, o->put, o->put_uds, o->gzip, err, errlen);
        if (rc) {
            pp_lake_writer_destroy(w);
            return rc;
        }
    }
    *out = w;
    return PP_OK;
}

static void update_gauges(pp_lake_writer *w) {
    long long objects = 0, bytes = 0, oldest = -1;
    for (size_t i = 0; i < w->n_parts; i++) {
        objects += (long long)w->parts[i]->n_open;
        bytes += (long long)pp_lake_partition_open_bytes(w->parts[i]);
        for (size_t k = 0; k < w->parts[i]->n_open; k++)
            if (oldest < 0 || w->parts[i]->open[k].opened_ms < oldest) oldest = w->parts[i]->open[k].opened_ms;
    }
    atomic_store(&w->stats->open_objects, objects);
    atomic_store(&w->stats->open_bytes, bytes);
    atomic_store(&w->stats->oldest_open_mono_ms, oldest);
}

void pp_lake_writer_destroy(pp_lake_writer *w) {
    if (!w) return;
    pp_lake_uploads_destroy(w->up); /* first: the threads read the objects' bytes */
    for (size_t i = 0; i < w->n_parts; i++) {
        pp_lake_partition_free(w->parts[i]);
        free(w->parts[i]);
    }
    free(w->parts);
    free(w->commits);
    free(w->prefix);
    pp_sb_free(&w->zbuf);
    pp_lake_spares_free(&w->spares);
    free(w);
}

static long find(const pp_lake_writer *w, const char *topic, int32_t partition) {
    if (w->last < w->n_parts && w->parts[w->last]->partition == partition &&
        strcmp(w->parts[w->last]->topic, topic) == 0)
        return (long)w->last;
    for (size_t i = 0; i < w->n_parts; i++)
        if (w->parts[i]->partition == partition && strcmp(w->parts[i]->topic, topic) == 0) return (long)i;
    return -1;
}

static pp_lake_partition *lookup(pp_lake_writer *w, const char *topic, int32_t partition) {
    long i = find(w, topic, partition);
    if (i < 0) return NULL;
    w->last = (size_t)i;
    return w->parts[i];
}

int pp_lake_writer_owns(const pp_lake_writer *w, const char *topic, int32_t partition) {
    return find(w, topic, partition) >= 0;
}

static int reap_one(pp_lake_writer *w, int wait, int *got, char *err, size_t errlen);
static int in_flight(const pp_lake_partition *p);

size_t pp_lake_writer_release(pp_lake_writer *w, const char *topic, int32_t partition) {
    long i = find(w, topic, partition);
    if (i < 0) return 0;
    char why[512];
    int got;
    while (in_flight(w->parts[i])) /* its bytes are being read: wait (the outcome no longer matters) */
        (void)reap_one(w, 1, &got, why, sizeof why);
    pp_lake_partition *p = w->parts[i];
    size_t dropped = pp_lake_partition_open_records(p);
    if (dropped) {
        PP_WARN("lake",
                "%s[%d]: dropping %zu unstored record(s) in %zu object(s); the partition's next owner "
                "re-reads them from the committed offset",
                p->topic, (int)p->partition, dropped, p->n_open);
        atomic_fetch_add(&w->stats->dropped_records, dropped);
    }
    pp_lake_partition_free(p);
    free(p);
    w->parts[i] = w->parts[--w->n_parts];
    w->last = 0;
    update_gauges(w);
    return dropped;
}

void pp_lake_writer_assign(pp_lake_writer *w, const char *topic, int32_t partition) {
    pp_lake_writer_release(w, topic, partition);
    if (w->n_parts == w->cap_parts) {
        w->cap_parts = w->cap_parts ? w->cap_parts * 2 : 8;
        w->parts = pp_xrealloc(w->parts, w->cap_parts * sizeof *w->parts);
    }
    pp_lake_partition *p = pp_xmalloc(sizeof *p);
    pp_lake_partition_init(p, topic, partition);
    w->parts[w->n_parts++] = p;
}

int pp_lake_writer_add(pp_lake_writer *w, const pp_kafka_message *m, int64_t now_mono_ms) {
    pp_lake_partition *p = m->topic ? lookup(w, m->topic, m->partition) : NULL;
    if (!p || m->offset < 0 || (p->next_offset >= 0 && m->offset < p->next_offset)) {
        PP_DEBUG("lake", "skipping %s[%d]@%lld (%s)", m->topic ? m->topic : "?", (int)m->partition,
                 (long long)m->offset, p ? "offset already taken" : "partition not assigned");
        atomic_fetch_add(&w->stats->skipped, 1);
        return 0;
    }
    int64_t ingest = pp_message_ingest_time(m);
    char day[11];
    pp_kind kind;
    if (pp_message_kind(m, &kind) != 0) kind = PP_KIND_PIN; /* a header naming no kind: the batch reports the line */
    pp_lake_event_day(kind, m->value, m->value_len, ingest, &w->clean, day);
    size_t n_open = p->n_open;
    pp_lake_object *o = pp_lake_partition_object(p, day, m->offset, now_mono_ms);
    if (o->data.cap == 0) (void)pp_lake_spares_take(&w->spares, &o->data);
    size_t before = o->data.len;
    pp_lake_line_append(&o->data, m, ingest);
    o->records++;
    o->last_offset = m->offset;
    if (p->next_offset < 0) p->committed = m->offset; /* where we started: the group has it */
    p->next_offset = m->offset + 1;
    atomic_fetch_add(&w->stats->records, 1);
    atomic_fetch_add(&w->stats->open_bytes, (long long)(o->data.len - before));
    if (p->n_open != n_open) {
        atomic_fetch_add(&w->stats->open_objects, 1);
        /* objects open in time order: a new one is the oldest only when none was open */
        long long none = -1;
        atomic_compare_exchange_strong(&w->stats->oldest_open_mono_ms, &none, (long long)o->opened_ms);
    }
    return pp_lake_rotation_due(&w->limits, o->records, o->data.len, now_mono_ms - o->opened_ms) != PP_LAKE_KEEP;
}

static int object_key(const pp_lake_writer *w, const pp_lake_partition *p, const pp_lake_object *o,
                      char key[PP_LAKE_KEY_MAX], char *err, size_t errlen) {
    pp_lake_key k;
    memset(&k, 0, sizeof k);
    memcpy(k.day, o->day, sizeof k.day);
    snprintf(k.topic, sizeof k.topic, "%s", p->topic);
    k.partition = p->partition;
    k.first_offset = o->first_offset;
    k.gzip = w->gzip;
    return pp_lake_key_format(key, PP_LAKE_KEY_MAX, w->prefix, &k, err, errlen);
}

static void count_stored(pp_lake_writer *w, const pp_lake_partition *p, pp_lake_object *o, size_t len) {
    char key[PP_LAKE_KEY_MAX], why[64];
    if (object_key(w, p, o, key, why, sizeof why)) snprintf(key, sizeof key, "%s[%d]", p->topic, (int)p->partition);
    PP_DEBUG("lake", "stored %s: %zu records (offsets %lld..%lld), %zu bytes (%s)", key, o->records,
             (long long)o->first_offset, (long long)o->last_offset, len, pp_lake_reason_name((pp_lake_reason)o->why));
    atomic_fetch_add(&w->stats->objects[o->why], 1);
    atomic_fetch_add(&w->stats->object_bytes, len);
    atomic_fetch_add(&w->stats->stored_records, o->records);
    o->stored = 1;
}

/* Stores o here and now (no upload threads). A failure leaves it open and intact, as
 * if never due (nothing else of its day was opened meanwhile). */
static int store(pp_lake_writer *w, const pp_lake_partition *p, pp_lake_object *o, char *err, size_t errlen) {
    char key[PP_LAKE_KEY_MAX];
    const char *data = o->data.data ? o->data.data : "";
    size_t len = o->data.len;
    int rc = object_key(w, p, o, key, err, errlen);
    if (rc == PP_OK && w->gzip && (rc = pp_lake_gzip(data, len, &w->zbuf, err, errlen)) == PP_OK) {
        data = w->zbuf.data;
        len = w->zbuf.len;
    }
    if (rc == PP_OK && (rc = w->put(w->put_ud, key, data, len, err, errlen)))
        atomic_fetch_add(&w->stats->upload_failures, 1);
    if (rc) {
        o->sealed = 0;
        return rc;
    }
    count_stored(w, p, o, len);
    return PP_OK;
}

static int in_flight(const pp_lake_partition *p) {
    for (size_t k = 0; k < p->n_open; k++)
        if (p->open[k].job) return 1;
    return 0;
}

/* Handles one finished upload (waiting for one when wait; *got says whether one
 * finished): its object is stored, or stays sealed to be tried again (the failure is
 * returned). */
static int reap_one(pp_lake_writer *w, int wait, int *got, char *err, size_t errlen) {
    pp_lake_upload_done d;
    *got = w->up && pp_lake_uploads_reap(w->up, wait, &d);
    if (!*got) return PP_OK;
    for (size_t i = 0; i < w->n_parts; i++)
        for (size_t k = 0; k < w->parts[i]->n_open; k++) {
            pp_lake_object *o = &w->parts[i]->open[k];
            if (o->job != d.id) continue;
            o->job = 0;
            if (d.rc == PP_OK) {
                count_stored(w, w->parts[i], o, d.stored);
                return PP_OK;
            }
            atomic_fetch_add(&w->stats->upload_failures, 1);
            pp_errf(err, errlen, "%s", d.err);
            return d.rc;
        }
    return PP_OK; /* its partition was released meanwhile */
}

/* Bytes of the sealed objects waiting for a thread (not in flight, not stored). */
static size_t queued_bytes(const pp_lake_writer *w) {
    size_t n = 0;
    for (size_t i = 0; i < w->n_parts; i++)
        for (size_t k = 0; k < w->parts[i]->n_open; k++) {
            const pp_lake_object *o = &w->parts[i]->open[k];
            if (o->sealed && !o->job && !o->stored) n += o->data.len;
        }
    return n;
}

/* Hands o to an upload thread. When every thread is busy, o waits sealed in its
 * partition (a later flush hands it over) as long as the waiting objects' bytes stay
 * within queue_max; past that, or when wait, this waits for a thread. A failure
 * reaped while waiting is returned (o is then not handed over). */
static int submit(pp_lake_writer *w, const pp_lake_partition *p, pp_lake_object *o, int wait, char *err,
                  size_t errlen) {
    char key[PP_LAKE_KEY_MAX];
    int rc = object_key(w, p, o, key, err, errlen);
    if (rc) return rc;
    uint64_t id = ++w->next_job;
    int got;
    while (pp_lake_uploads_submit(w->up, id, key, o->data.data ? o->data.data : "", o->data.len) != PP_OK) {
        if (!wait && queued_bytes(w) <= w->queue_max) return PP_OK; /* o included: it is sealed, not in flight */
        if ((rc = reap_one(w, 1, &got, err, errlen))) return rc;
    }
    o->job = id;
    return PP_OK;
}

/* Forgets the stored objects of p, keeping their buffers as spares. */
static void sweep(pp_lake_writer *w, pp_lake_partition *p) {
    size_t i = 0;
    while (i < p->n_open)
        if (p->open[i].stored) {
            pp_lake_spares_put(&w->spares, &p->open[i].data);
            pp_lake_partition_close(p, i); /* open[i] is now another object */
        } else {
            i++;
        }
}

/* Seals p's due objects (every one for FLUSH_ALL) and stores the sealed ones: here,
 * or by handing them to the upload threads. */
static int flush_partition(pp_lake_writer *w, pp_lake_partition *p, pp_lake_flush_mode mode, int64_t now_mono_ms,
                           char *err, size_t errlen) {
    int rc = PP_OK;
    for (size_t i = 0; i < p->n_open && rc == PP_OK; i++) {
        pp_lake_object *o = &p->open[i];
        if (!o->sealed) {
            pp_lake_reason why = pp_lake_rotation_due(&w->limits, o->records, o->data.len, now_mono_ms - o->opened_ms);
            if (why == PP_LAKE_KEEP && mode == PP_LAKE_FLUSH_ALL) why = PP_LAKE_DUE_DRAIN;
            if (why == PP_LAKE_KEEP) continue;
            o->sealed = 1;
            o->why = (int)why;
        }
        if (o->job || o->stored) continue;
        rc = w->up ? submit(w, p, o, mode == PP_LAKE_FLUSH_ALL, err, errlen) : store(w, p, o, err, errlen);
    }
    return rc;
}

static int wanted(const pp_lake_partition *p, const char *topic, int32_t partition) {
    return !topic || (p->partition == partition && strcmp(p->topic, topic) == 0);
}

int pp_lake_writer_flush(pp_lake_writer *w, pp_lake_flush_mode mode, const char *topic, int32_t partition,
                         int64_t now_mono_ms, char *err, size_t errlen) {
    int rc = PP_OK, r, got = 1;
    /* what finished meanwhile; a failure: the caller waits before the next try */
    while (got)
        if ((r = reap_one(w, 0, &got, err, errlen)) != PP_OK && rc == PP_OK) rc = r;
    for (size_t i = 0; i < w->n_parts && rc == PP_OK; i++)
        if (wanted(w->parts[i], topic, partition)) rc = flush_partition(w, w->parts[i], mode, now_mono_ms, err, errlen);
    /* FLUSH_ALL: until every upload of the partitions asked for is answered */
    for (size_t i = 0; w->up && mode == PP_LAKE_FLUSH_ALL && i < w->n_parts; i++)
        while (wanted(w->parts[i], topic, partition) && in_flight(w->parts[i]))
            if ((r = reap_one(w, 1, &got, err, errlen)) != PP_OK && rc == PP_OK) rc = r;
    for (size_t i = 0; i < w->n_parts; i++) sweep(w, w->parts[i]);
    update_gauges(w);
    return rc;
}

size_t pp_lake_writer_commits(pp_lake_writer *w, const char *topic, int32_t partition, const pp_kafka_partition **out) {
    if (w->cap_commits < w->n_parts) {
        w->cap_commits = w->n_parts;
        w->commits = pp_xrealloc(w->commits, w->cap_commits * sizeof *w->commits);
    }
    size_t n = 0;
    for (size_t i = 0; i < w->n_parts; i++) {
        const pp_lake_partition *p = w->parts[i];
        if (topic && (p->partition != partition || strcmp(p->topic, topic) != 0)) continue;
        int64_t c = pp_lake_partition_committable(p);
        if (c < 0 || c <= p->committed) continue;
        w->commits[n].topic = p->topic;
        w->commits[n].partition = p->partition;
        w->commits[n].offset = c;
        n++;
    }
    *out = w->commits;
    return n;
}

void pp_lake_writer_committed(pp_lake_writer *w, const pp_kafka_partition *c, size_t n) {
    for (size_t i = 0; i < n; i++) {
        pp_lake_partition *p = lookup(w, c[i].topic, c[i].partition);
        if (p && c[i].offset > p->committed) p->committed = c[i].offset;
    }
}

int64_t pp_lake_writer_next_due(const pp_lake_writer *w, int64_t now_mono_ms) {
    int64_t best = -1;
    for (size_t i = 0; i < w->n_parts; i++)
        for (size_t k = 0; k < w->parts[i]->n_open; k++) {
            if (w->parts[i]->open[k].sealed) continue; /* being stored, or tried again by the caller */
            int64_t left = w->parts[i]->open[k].opened_ms + w->limits.max_age_ms - now_mono_ms;
            if (left < 0) left = 0;
            if (best < 0 || left < best) best = left;
        }
    return best;
}

size_t pp_lake_writer_open_objects(const pp_lake_writer *w) {
    size_t n = 0;
    for (size_t i = 0; i < w->n_parts; i++) n += w->parts[i]->n_open;
    return n;
}

size_t pp_lake_writer_open_records(const pp_lake_writer *w) {
    size_t n = 0;
    for (size_t i = 0; i < w->n_parts; i++) n += pp_lake_partition_open_records(w->parts[i]);
    return n;
}
