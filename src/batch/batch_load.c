#include "batch/batch_load.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch/batch_object.h"
#include "common/error.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/strbuf.h"
#include "contract/lake_record.h"

#define OBJECT_TRIES 3

int pp_batch_day_prefix(char *out, size_t outlen, const char *prefix, const char *day) {
    size_t plen = prefix ? strlen(prefix) : 0;
    int n = snprintf(out, outlen, "%s%sdt=%s/", prefix ? prefix : "", plen && prefix[plen - 1] != '/' ? "/" : "", day);
    return n < 0 || (size_t)n >= outlen ? PP_EINVAL : PP_OK;
}

void pp_batch_load_free(pp_batch_load *l) {
    if (!l) return;
    for (size_t i = 0; i < l->nobjects; i++) free(l->objects[i].key);
    for (size_t i = 0; i < l->ncorrupt; i++) free(l->corrupt[i].bytes);
    free(l->objects);
    free(l->corrupt);
    memset(l, 0, sizeof *l);
}

typedef struct {
    pp_batch_load *load;
    const char *day;
    const pp_batch_shard *shard;
    size_t cap;
} list_ctx;

static int on_key(void *ud, const s3_list_entry *e) {
    list_ctx *c = ud;
    pp_lake_key k;
    if (e->size < 0) return 0; /* a common prefix: none without a delimiter */
    if (pp_lake_key_parse(e->key, &k) != PP_OK || strcmp(k.day, c->day) != 0) {
        PP_WARN("batch", "%s: not a lake object of %s, skipped", e->key, c->day);
        c->load->skipped++;
        return 0;
    }
    if (c->shard && !pp_batch_shard_owns(c->shard, k.partition)) return 0; /* another shard's */
    pp_batch_load *l = c->load;
    if (l->nobjects == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 64;
        l->objects = pp_xrealloc(l->objects, cap * sizeof *l->objects);
        c->cap = cap;
    }
    pp_batch_object_ref *o = &l->objects[l->nobjects];
    o->key = pp_xstrdup(e->key);
    o->name = k;
    o->size = e->size;
    l->nobjects++;
    return 0;
}

static int cmp_object(const void *a, const void *b) {
    const pp_batch_object_ref *x = a, *y = b;
    int c = strcmp(x->name.topic, y->name.topic);
    if (c) return c;
    if (x->name.partition != y->name.partition) return x->name.partition < y->name.partition ? -1 : 1;
    if (x->name.first_offset != y->name.first_offset) return x->name.first_offset < y->name.first_offset ? -1 : 1;
    return strcmp(x->key, y->key); /* the same object stored plain and gzipped: both are read */
}

typedef struct {
    pp_batch_load *load;
    pp_batch_spool *spool;
    uint32_t index;
    const pp_batch_object_ref *obj;
    pp_batch_object *reader;
    pp_strbuf raw;
    size_t max_line;
    size_t corrupt_cap;
    int rc; /* a failure of ours (not the object's): out of memory, spool full */
    char err[512];
} read_ctx;

static int add_corrupt(read_ctx *c, size_t lineno, const char *line, size_t len, const char *why) {
    pp_batch_load *l = c->load;
    if (l->ncorrupt == c->corrupt_cap) {
        size_t cap = c->corrupt_cap ? c->corrupt_cap * 2 : 16;
        l->corrupt = pp_xrealloc(l->corrupt, cap * sizeof *l->corrupt);
        c->corrupt_cap = cap;
    }
    pp_batch_corrupt *k = &l->corrupt[l->ncorrupt];
    memset(k, 0, sizeof *k);
    k->object = c->index;
    k->line = (uint32_t)lineno;
    snprintf(k->why, sizeof k->why, "%s", why);
    if (line) {
        k->len = len < PP_BATCH_CORRUPT_KEEP ? len : PP_BATCH_CORRUPT_KEEP;
        k->bytes = pp_xmalloc(k->len + 1);
        memcpy(k->bytes, line, k->len);
        k->bytes[k->len] = '\0';
    }
    l->ncorrupt++;
    PP_WARN("batch", "%s:%zu: corrupt lake line: %s", c->obj->key, lineno, why);
    return PP_OK;
}

static int on_line(void *ud, const char *line, size_t len, size_t lineno) {
    read_ctx *c = ud;
    char why[256];
    pp_batch_line rec;
    c->load->lines++;
    if (!line) {
        snprintf(why, sizeof why, "line of %zu bytes, over the limit of %zu", len, c->max_line);
        return c->rc = add_corrupt(c, lineno, NULL, 0, why);
    }
    if (pp_batch_line_parse(line, len, &rec, &c->raw, why, sizeof why) != PP_OK)
        return c->rc = add_corrupt(c, lineno, line, len, why);
    const pp_lake_key *k = &c->obj->name;
    if (strcmp(rec.topic, k->topic) != 0 || rec.partition != k->partition || rec.offset < k->first_offset) {
        snprintf(why, sizeof why, "coordinates %.100s/%d/%lld do not belong in this object", rec.topic,
                 (int)rec.partition, (long long)rec.offset);
        return c->rc = add_corrupt(c, lineno, line, len, why);
    }
    c->rc = pp_batch_spool_add(c->spool, rec.topic, rec.kind, rec.partition, rec.offset, rec.ingest_time_ms, c->index,
                               (uint32_t)lineno, rec.raw, rec.raw_len, c->err, sizeof c->err);
    return c->rc;
}

static int on_bytes(void *ud, const void *data, size_t n) {
    read_ctx *c = ud;
    c->load->bytes += n;
    int rc = pp_batch_object_feed(c->reader, data, n, c->err, sizeof c->err);
    return rc ? rc : 0;
}

/* Reads one object into the spool; a failure rewinds what it added. */
static int read_object(s3_client *s3, read_ctx *c, char *err, size_t errlen) {
    pp_batch_spool_mark mark = pp_batch_spool_get_mark(c->spool);
    size_t ncorrupt = c->load->ncorrupt;
    uint64_t bytes = c->load->bytes, lines = c->load->lines;
    int rc = PP_OK;
    for (int attempt = 1; attempt <= OBJECT_TRIES; attempt++) {
        char why[512] = "";
        c->rc = PP_OK;
        c->err[0] = '\0';
        rc = pp_batch_object_create(&c->reader, c->obj->name.gzip, c->max_line, on_line, c);
        if (rc) {
            pp_errf(err, errlen, "out of memory");
            return rc;
        }
        rc = s3_get(s3, c->obj->key, on_bytes, c, NULL, why, sizeof why);
        if (rc == PP_OK) rc = pp_batch_object_finish(c->reader, c->err, sizeof c->err);
        if (rc == PP_OK) c->load->raw_bytes += pp_batch_object_bytes(c->reader);
        pp_batch_object_destroy(c->reader);
        c->reader = NULL;
        if (rc == PP_OK) return PP_OK;
        if (c->rc) { /* ours: no point trying again */
            pp_errf(err, errlen, "%s: %s", c->obj->key, c->err[0] ? c->err : pp_strerror(c->rc));
            return c->rc;
        }
        /* rewind what this try added, then try again from the start */
        pp_batch_spool_rewind(c->spool, mark);
        for (size_t i = ncorrupt; i < c->load->ncorrupt; i++) free(c->load->corrupt[i].bytes);
        c->load->ncorrupt = ncorrupt;
        c->load->bytes = bytes;
        c->load->lines = lines;
        pp_errf(err, errlen, "lake object %s is unreadable: %s", c->obj->key, c->err[0] ? c->err : why);
        if (attempt < OBJECT_TRIES) PP_WARN("batch", "%s; trying again", err);
    }
    return rc;
}

/* The day's lake objects (of shard's partitions) into out, in read order. */
static int list_day(s3_client *s3, const char *prefix, const char *day, const pp_batch_shard *shard, pp_batch_load *out,
                    char *err, size_t errlen) {
    char dprefix[PP_LAKE_KEY_MAX], why[512];
    memset(out, 0, sizeof *out);
    if (pp_batch_day_prefix(dprefix, sizeof dprefix, prefix, day)) {
        pp_errf(err, errlen, "prefix too long: '%s'", prefix);
        return PP_EINVAL;
    }
    list_ctx lc = {.load = out, .day = day, .shard = shard};
    s3_list_opts lo = {.prefix = dprefix};
    int rc = s3_list_all(s3, &lo, on_key, &lc, why, sizeof why);
    if (rc) {
        pp_errf(err, errlen, "listing the lake at %s/%s: %s", s3_client_bucket(s3), dprefix, why);
        return rc;
    }
    if (out->nobjects > UINT32_MAX) {
        pp_errf(err, errlen, "%zu objects in %s: too many", out->nobjects, dprefix);
        return PP_EINVAL;
    }
    if (out->nobjects) qsort(out->objects, out->nobjects, sizeof *out->objects, cmp_object);
    return PP_OK;
}

int pp_batch_lake_size(s3_client *s3, const char *prefix, const char *day, uint64_t *objects, uint64_t *bytes,
                       char *err, size_t errlen) {
    pp_batch_load l;
    int rc = list_day(s3, prefix, day, NULL, &l, err, errlen);
    *objects = 0;
    *bytes = 0;
    for (size_t i = 0; rc == PP_OK && i < l.nobjects; i++) {
        (*objects)++;
        *bytes += l.objects[i].size > 0 ? (uint64_t)l.objects[i].size : 0;
    }
    pp_batch_load_free(&l);
    return rc;
}

int pp_batch_load_day(s3_client *s3, const char *prefix, const char *day, const pp_batch_shard *shard, size_t max_line,
                      pp_batch_spool *spool, pp_batch_load *out, char *err, size_t errlen) {
    int rc = list_day(s3, prefix, day, shard, out, err, errlen);
    if (rc) return rc;
    read_ctx c = {.load = out, .spool = spool, .max_line = max_line};
    pp_sb_init(&c.raw);
    for (size_t i = 0; i < out->nobjects && rc == PP_OK; i++) {
        c.index = (uint32_t)i;
        c.obj = &out->objects[i];
        rc = read_object(s3, &c, err, errlen);
    }
    pp_sb_free(&c.raw);
    return rc;
}
