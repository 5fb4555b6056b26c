#include "batch/batch_spool.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/error.h"
#include "common/mem.h"

#define SPOOL_BUF (1 << 20)

struct pp_batch_spool {
    FILE *f;
    char *fbuf;
    uint64_t size; /* bytes written */
    pp_batch_rec *recs;
    size_t n, cap;
    char **topics;
    size_t ntopics;
    uint32_t last_topic; /* the topic of the last add (most records share it) */
    const char *map;
    int sealed;
};

int pp_batch_spool_create(pp_batch_spool **out, char *err, size_t errlen) {
    const char *dir = getenv("TMPDIR");
    char path[4096];
    *out = NULL;
    snprintf(path, sizeof path, "%s/pinpipe-batch-XXXXXX", dir && *dir ? dir : "/tmp");
    pp_batch_spool *s = pp_xcalloc(1, sizeof *s);
    int fd = mkstemp(path);
    if (fd < 0) {
        pp_errf(err, errlen, "spool file %s: %s", path, strerror(errno));
        free(s);
        return PP_EIO;
    }
    unlink(path); /* gone when closed, whatever happens */
    s->f = fdopen(fd, "w+b");
    s->fbuf = pp_xmalloc(SPOOL_BUF);
    if (!s->f) { /* fdopen allocates its FILE */
        close(fd);
        free(s->fbuf);
        free(s);
        pp_errf(err, errlen, "spool file: out of memory");
        return PP_ENOMEM;
    }
    setvbuf(s->f, s->fbuf, _IOFBF, SPOOL_BUF);
    *out = s;
    return PP_OK;
}

void pp_batch_spool_destroy(pp_batch_spool *s) {
    if (!s) return;
    if (s->map) munmap((void *)(uintptr_t)s->map, (size_t)s->size);
    if (s->f) fclose(s->f);
    free(s->fbuf);
    free(s->recs);
    for (size_t i = 0; i < s->ntopics; i++) free(s->topics[i]);
    free(s->topics);
    free(s);
}

static void intern(pp_batch_spool *s, const char *topic, uint32_t *id) {
    if (s->ntopics && strcmp(s->topics[s->last_topic], topic) == 0) {
        *id = s->last_topic;
        return;
    }
    for (size_t i = 0; i < s->ntopics; i++)
        if (strcmp(s->topics[i], topic) == 0) {
            *id = s->last_topic = (uint32_t)i;
            return;
        }
    s->topics = pp_xrealloc(s->topics, (s->ntopics + 1) * sizeof *s->topics);
    s->topics[s->ntopics] = pp_xstrdup(topic);
    *id = s->last_topic = (uint32_t)s->ntopics++;
}

int pp_batch_spool_add(pp_batch_spool *s, const char *topic, pp_kind kind, int32_t partition, int64_t offset,
                       int64_t ingest_time_ms, uint32_t object, uint32_t line, const void *raw, size_t len, char *err,
                       size_t errlen) {
    if (s->sealed || len > UINT32_MAX || s->n >= UINT32_MAX) {
        pp_errf(err, errlen, s->sealed ? "spool: already sealed" : "spool: record or day too large");
        return PP_EINVAL;
    }
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 4096;
        s->recs = pp_xrealloc(s->recs, cap * sizeof *s->recs);
        s->cap = cap;
    }
    uint32_t tid;
    intern(s, topic, &tid);
    if (len && fwrite(raw, 1, len, s->f) != len) {
        pp_errf(err, errlen, "spool file: write failed: %s", strerror(errno));
        return PP_EIO;
    }
    s->recs[s->n] = (pp_batch_rec){.offset = offset,
                                   .ingest_time_ms = ingest_time_ms,
                                   .at = s->size,
                                   .len = (uint32_t)len,
                                   .partition = partition,
                                   .topic = tid,
                                   .object = object,
                                   .line = line,
                                   .seq = (uint32_t)s->n,
                                   .kind = (uint8_t)kind};
    s->n++;
    s->size += len;
    return PP_OK;
}

pp_batch_spool_mark pp_batch_spool_get_mark(const pp_batch_spool *s) {
    pp_batch_spool_mark m = {s->n, s->size};
    return m;
}

int pp_batch_spool_rewind(pp_batch_spool *s, pp_batch_spool_mark m) {
    if (s->sealed || m.n > s->n || m.size > s->size) return PP_EINVAL;
    if (fflush(s->f) != 0 || fseeko(s->f, (off_t)m.size, SEEK_SET) != 0) return PP_EIO;
    s->n = m.n;
    s->size = m.size;
    return PP_OK;
}

static int cmp_rec(const void *a, const void *b) {
    const pp_batch_rec *x = a, *y = b;
    if (x->topic != y->topic) return x->topic < y->topic ? -1 : 1;
    if (x->partition != y->partition) return x->partition < y->partition ? -1 : 1;
    if (x->offset != y->offset) return x->offset < y->offset ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Renumbers topics in name order, so sorting by id sorts by name. */
static void rank_topics(pp_batch_spool *s) {
    if (s->ntopics < 2) return;
    char **sorted = pp_xmalloc(s->ntopics * sizeof *sorted);
    uint32_t *rank = pp_xmalloc(s->ntopics * sizeof *rank);
    memcpy(sorted, s->topics, s->ntopics * sizeof *sorted);
    qsort(sorted, s->ntopics, sizeof *sorted, cmp_str);
    for (size_t i = 0; i < s->ntopics; i++)
        for (size_t k = 0; k < s->ntopics; k++)
            if (sorted[k] == s->topics[i]) rank[i] = (uint32_t)k;
    for (size_t i = 0; i < s->n; i++) s->recs[i].topic = rank[s->recs[i].topic];
    memcpy(s->topics, sorted, s->ntopics * sizeof *sorted);
    free(sorted);
    free(rank);
}

int pp_batch_spool_seal(pp_batch_spool *s, pp_batch_spool_stats *stats, char *err, size_t errlen) {
    pp_batch_spool_stats st = {.added = s->n};
    if (s->sealed) {
        pp_errf(err, errlen, "spool: already sealed");
        return PP_EINVAL;
    }
    s->sealed = 1;
    if (fflush(s->f) != 0) {
        pp_errf(err, errlen, "spool file: write failed: %s", strerror(errno));
        return PP_EIO;
    }
    if (s->size) {
        void *m = mmap(NULL, (size_t)s->size, PROT_READ, MAP_PRIVATE, fileno(s->f), 0);
        if (m == MAP_FAILED) {
            pp_errf(err, errlen, "spool file: mmap of %llu bytes: %s", (unsigned long long)s->size, strerror(errno));
            return PP_EIO;
        }
        s->map = m;
    }
    rank_topics(s);
    if (s->n) qsort(s->recs, s->n, sizeof *s->recs, cmp_rec);
    size_t kept = 0;
    for (size_t i = 0; i < s->n; i++) {
        const pp_batch_rec *r = &s->recs[i];
        if (kept) {
            const pp_batch_rec *k = &s->recs[kept - 1];
            if (k->topic == r->topic && k->partition == r->partition && k->offset == r->offset) {
                st.duplicates++;
                if (k->len != r->len || (r->len && memcmp(s->map + k->at, s->map + r->at, r->len) != 0)) st.conflicts++;
                continue;
            }
        }
        s->recs[kept++] = *r;
    }
    s->n = kept;
    if (stats) *stats = st;
    return PP_OK;
}

size_t pp_batch_spool_count(const pp_batch_spool *s) { return s->n; }
const pp_batch_rec *pp_batch_spool_rec(const pp_batch_spool *s, size_t i) { return &s->recs[i]; }
const char *pp_batch_spool_bytes(const pp_batch_spool *s, const pp_batch_rec *r) {
    return r->len ? s->map + r->at : "";
}
const char *pp_batch_spool_topic(const pp_batch_spool *s, uint32_t topic) {
    return topic < s->ntopics ? s->topics[topic] : "";
}
size_t pp_batch_spool_topics(const pp_batch_spool *s) { return s->ntopics; }
