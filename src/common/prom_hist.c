#include "common/prom_hist.h"

void pp_prom_hist_init(pp_prom_hist *h, const int *bounds_ms, size_t n) {
    h->bounds_ms = bounds_ms;
    h->n = n < PP_PROM_HIST_MAX_BUCKETS ? n : PP_PROM_HIST_MAX_BUCKETS;
    for (size_t i = 0; i <= PP_PROM_HIST_MAX_BUCKETS; i++) atomic_init(&h->buckets[i], 0);
    atomic_init(&h->sum_ms, 0);
    atomic_init(&h->count, 0);
}

void pp_prom_hist_observe(pp_prom_hist *h, int64_t ms) {
    if (ms < 0) ms = 0;
    size_t i = 0;
    while (i < h->n && ms > h->bounds_ms[i]) i++;
    atomic_fetch_add(&h->buckets[i], 1);
    atomic_fetch_add(&h->sum_ms, (unsigned long long)ms);
    atomic_fetch_add(&h->count, 1);
}

void pp_prom_hist_render(const pp_prom_hist *h, const char *name, const char *help, pp_strbuf *out) {
    pp_prom_hist *m = (pp_prom_hist *)h; /* atomic loads take non-const pointers */
    if (help) pp_sb_printf(out, "# HELP %s %s\n", name, help);
    pp_sb_printf(out, "# TYPE %s histogram\n", name);
    unsigned long long cum = 0;
    for (size_t i = 0; i < m->n; i++) {
        cum += atomic_load(&m->buckets[i]);
        pp_sb_printf(out, "%s_bucket{le=\"%g\"} %llu\n", name, m->bounds_ms[i] / 1000.0, cum);
    }
    cum += atomic_load(&m->buckets[m->n]);
    pp_sb_printf(out, "%s_bucket{le=\"+Inf\"} %llu\n%s_sum %g\n%s_count %llu\n", name, cum, name,
                 atomic_load(&m->sum_ms) / 1000.0, name, cum);
}
