#include "metrics/dedup.h"

#include <stdlib.h>
#include <string.h>

#include "common/hashmap.h"
#include "common/mem.h"
#include "common/strbuf.h"

struct pp_dedup {
    pp_hashmap *seen;
    pp_strbuf key;
};

pp_dedup *pp_dedup_create(void) {
    pp_dedup *d = pp_xcalloc(1, sizeof *d);
    d->seen = pp_hashmap_create(4096);
    pp_sb_init(&d->key);
    return d;
}

void pp_dedup_destroy(pp_dedup *d) {
    if (!d) return;
    pp_hashmap_destroy(d->seen);
    pp_sb_free(&d->key);
    free(d);
}

int pp_dedup_add(pp_dedup *d, const char *day, const char *unique_id) {
    pp_sb_reset(&d->key);
    pp_sb_puts(&d->key, day);
    pp_sb_putc(&d->key, '\0'); /* days have no NUL, so the pair is unambiguous */
    pp_sb_puts(&d->key, unique_id);
    int inserted;
    pp_hashmap_upsert(d->seen, d->key.data, d->key.len, &inserted);
    return inserted;
}

size_t pp_dedup_size(const pp_dedup *d) { return pp_hashmap_size(d->seen); }
