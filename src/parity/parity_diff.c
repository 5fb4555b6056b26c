#include "parity/parity_diff.h"
#include "common/mem.h"

#include <stdlib.h>
#include <string.h>

static void push(pp_parity_diff *d, const pp_agg_entry *e, const pp_agg_entry *batch, const pp_agg_entry *stream) {
    if (d->n == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 16;
        d->items = pp_xrealloc(d->items, d->cap * sizeof *d->items);
    }
    pp_parity_difference *x = &d->items[d->n++];
    x->metric = e->metric;
    x->day = pp_xstrdup(e->day);
    x->key = pp_xstrndup(e->key, e->keylen);
    x->has_batch = batch != NULL;
    x->has_stream = stream != NULL;
    x->batch = batch ? batch->value : 0;
    x->stream = stream ? stream->value : 0;
}

void pp_parity_compare(const pp_agg *batch, const pp_agg *stream, pp_parity_diff *out) {
    memset(out, 0, sizeof *out);
    size_t nb, ns, i = 0, j = 0;
    pp_agg_entry *b = pp_agg_sorted(batch, &nb), *s = pp_agg_sorted(stream, &ns);
    while (i < nb || j < ns) {
        int c = i == nb ? 1 : j == ns ? -1 : pp_agg_entry_cmp(&b[i], &s[j]);
        out->compared++;
        if (c < 0) {
            push(out, &b[i], &b[i], NULL);
            i++;
        } else if (c > 0) {
            push(out, &s[j], NULL, &s[j]);
            j++;
        } else {
            if (b[i].value != s[j].value) push(out, &b[i], &b[i], &s[j]);
            i++;
            j++;
        }
    }
    free(b);
    free(s);
}

void pp_parity_diff_free(pp_parity_diff *d) {
    for (size_t i = 0; i < d->n; i++) {
        free(d->items[i].day);
        free(d->items[i].key);
    }
    free(d->items);
    memset(d, 0, sizeof *d);
}
