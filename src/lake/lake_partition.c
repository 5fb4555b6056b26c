#include "lake/lake_partition.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/mem.h"
#include "lake/lake_commit.h"

void pp_lake_partition_init(pp_lake_partition *p, const char *topic, int32_t partition) {
    memset(p, 0, sizeof *p);
    snprintf(p->topic, sizeof p->topic, "%s", topic);
    p->partition = partition;
    p->next_offset = -1;
    p->committed = -1;
}

void pp_lake_partition_free(pp_lake_partition *p) {
    for (size_t i = 0; i < p->n_open; i++) pp_sb_free(&p->open[i].data);
    free(p->open);
    p->open = NULL;
    p->n_open = p->cap_open = 0;
}

pp_lake_object *pp_lake_partition_object(pp_lake_partition *p, const char *day, int64_t offset, int64_t now_mono_ms) {
    for (size_t i = 0; i < p->n_open; i++)
        if (!p->open[i].sealed && memcmp(p->open[i].day, day, 10) == 0) return &p->open[i];
    if (p->n_open == p->cap_open) {
        size_t cap = p->cap_open ? p->cap_open * 2 : 4;
        p->open = pp_xrealloc(p->open, cap * sizeof *p->open);
        p->cap_open = cap;
    }
    pp_lake_object *o = &p->open[p->n_open++];
    memset(o, 0, sizeof *o);
    memcpy(o->day, day, 10);
    o->first_offset = o->last_offset = offset;
    o->opened_ms = now_mono_ms;
    pp_sb_init(&o->data);
    return o;
}

void pp_lake_partition_close(pp_lake_partition *p, size_t i) {
    pp_sb_free(&p->open[i].data);
    p->open[i] = p->open[--p->n_open];
}

int64_t pp_lake_partition_committable(const pp_lake_partition *p) {
    int64_t firsts[64];
    int64_t c = p->next_offset;
    /* in chunks, so any number of open objects works without allocating */
    for (size_t i = 0; i < p->n_open; i += 64) {
        size_t n = p->n_open - i < 64 ? p->n_open - i : 64;
        for (size_t k = 0; k < n; k++) firsts[k] = p->open[i + k].first_offset;
        c = pp_lake_committable(firsts, n, c);
    }
    return c;
}

size_t pp_lake_partition_open_records(const pp_lake_partition *p) {
    size_t n = 0;
    for (size_t i = 0; i < p->n_open; i++) n += p->open[i].records;
    return n;
}

size_t pp_lake_partition_open_bytes(const pp_lake_partition *p) {
    size_t n = 0;
    for (size_t i = 0; i < p->n_open; i++) n += p->open[i].data.len;
    return n;
}
