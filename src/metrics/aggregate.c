#include "metrics/aggregate.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/hashmap.h"
#include "common/mem.h"
#include "common/strbuf.h"

/* Map key: metric id byte, day, NUL, key bytes. Values are stored in the void*
 * slot itself (int64 fits a pointer on every platform pinpipe supports). */
_Static_assert(sizeof(void *) >= sizeof(int64_t), "values are stored in pointer slots");

struct pp_agg {
    pp_hashmap *map;
    pp_strbuf scratch;
};

pp_agg *pp_agg_create(void) {
    pp_agg *a = pp_xcalloc(1, sizeof *a);
    a->map = pp_hashmap_create(1024);
    pp_sb_init(&a->scratch);
    return a;
}

void pp_agg_destroy(pp_agg *a) {
    if (!a) return;
    pp_hashmap_destroy(a->map);
    pp_sb_free(&a->scratch);
    free(a);
}

void pp_agg_add(pp_agg *a, pp_metric_id metric, const char *day, const char *key, size_t keylen, int64_t value) {
    pp_sb_reset(&a->scratch);
    pp_sb_putc(&a->scratch, (char)('A' + metric));
    pp_sb_puts(&a->scratch, day);
    pp_sb_putc(&a->scratch, '\0');
    pp_sb_append(&a->scratch, key, keylen);
    int inserted;
    void **slot = pp_hashmap_upsert(a->map, a->scratch.data, a->scratch.len, &inserted);
    int64_t old = (int64_t)(intptr_t)*slot;
    int64_t v = inserted ? value : pp_agg_merge_values(PP_METRICS[metric].kind, old, value);
    *slot = (void *)(intptr_t)v;
}

void pp_agg_emit(void *agg, pp_metric_id metric, const char *day, const char *key, size_t keylen, int64_t value) {
    pp_agg_add(agg, metric, day, key, keylen, value);
}

static void decode(const char *k, size_t klen, void *v, pp_agg_entry *e) {
    e->metric = (pp_metric_id)(k[0] - 'A');
    e->day = k + 1;
    size_t daylen = strlen(e->day);
    e->key = e->day + daylen + 1;
    e->keylen = klen - daylen - 2;
    e->value = (int64_t)(intptr_t)v;
}

void pp_agg_merge(pp_agg *dst, const pp_agg *src) {
    size_t pos = 0, klen;
    const char *k;
    void *v;
    while (pp_hashmap_next(src->map, &pos, &k, &klen, &v)) {
        pp_agg_entry e;
        decode(k, klen, v, &e);
        pp_agg_add(dst, e.metric, e.day, e.key, e.keylen, e.value);
    }
}

size_t pp_agg_size(const pp_agg *a) { return pp_hashmap_size(a->map); }

int pp_agg_entry_cmp(const pp_agg_entry *a, const pp_agg_entry *b) {
    int c = strcmp(PP_METRICS[a->metric].name, PP_METRICS[b->metric].name);
    if (c) return c;
    if ((c = strcmp(a->day, b->day))) return c;
    size_t n = a->keylen < b->keylen ? a->keylen : b->keylen;
    if ((c = memcmp(a->key, b->key, n))) return c;
    return (a->keylen > b->keylen) - (a->keylen < b->keylen);
}

static int cmp_entry(const void *a, const void *b) { return pp_agg_entry_cmp(a, b); }

pp_agg_entry *pp_agg_sorted(const pp_agg *a, size_t *n) {
    size_t count = pp_hashmap_size(a->map), pos = 0, i = 0, klen;
    pp_agg_entry *out = pp_xcalloc(count ? count : 1, sizeof *out);
    const char *k;
    void *v;
    while (pp_hashmap_next(a->map, &pos, &k, &klen, &v)) decode(k, klen, v, &out[i++]);
    qsort(out, count, sizeof *out, cmp_entry);
    *n = count;
    return out;
}

void pp_agg_write_jsonl(const pp_agg *a, FILE *out) {
    size_t n;
    pp_agg_entry *e = pp_agg_sorted(a, &n);
    pp_strbuf sb;
    pp_sb_init(&sb);
    for (size_t i = 0; i < n; i++) {
        pp_sb_reset(&sb);
        pp_sb_puts(&sb, "{\"metric\":");
        pp_sb_json_cstr(&sb, PP_METRICS[e[i].metric].name);
        pp_sb_puts(&sb, ",\"day\":");
        pp_sb_json_cstr(&sb, e[i].day);
        pp_sb_puts(&sb, ",\"key\":");
        pp_sb_json_str(&sb, e[i].key, e[i].keylen);
        pp_sb_puts(&sb, ",\"kind\":");
        pp_sb_json_cstr(&sb, pp_agg_kind_name(PP_METRICS[e[i].metric].kind));
        pp_sb_puts(&sb, ",\"value\":");
        pp_sb_put_i64(&sb, e[i].value);
        pp_sb_puts(&sb, "}\n");
        fwrite(sb.data, 1, sb.len, out);
    }
    pp_sb_free(&sb);
    free(e);
}

void pp_agg_write_csv(const pp_agg *a, FILE *out) {
    size_t n;
    pp_agg_entry *e = pp_agg_sorted(a, &n);
    pp_strbuf sb;
    pp_sb_init(&sb);
    fputs("metric,day,key,kind,value\n", out);
    for (size_t i = 0; i < n; i++) {
        pp_sb_reset(&sb);
        pp_sb_puts(&sb, PP_METRICS[e[i].metric].name);
        pp_sb_putc(&sb, ',');
        pp_sb_puts(&sb, e[i].day);
        pp_sb_putc(&sb, ',');
        pp_sb_csv_field(&sb, e[i].key, e[i].keylen);
        pp_sb_putc(&sb, ',');
        pp_sb_puts(&sb, pp_agg_kind_name(PP_METRICS[e[i].metric].kind));
        pp_sb_putc(&sb, ',');
        pp_sb_put_i64(&sb, e[i].value);
        pp_sb_putc(&sb, '\n');
        fwrite(sb.data, 1, sb.len, out);
    }
    pp_sb_free(&sb);
    free(e);
}
