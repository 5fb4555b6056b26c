#include "metrics/tally.h"

#include <string.h>

#include "common/error.h"

void pp_tally_init_counts(pp_tally *t, const pp_clean_opts *opts) {
    memset(t, 0, sizeof *t);
    t->opts = *opts;
}

void pp_tally_init(pp_tally *t, const pp_clean_opts *opts) {
    pp_tally_init_counts(t, opts);
    t->dedup = pp_dedup_create();
    t->agg = pp_agg_create();
}

void pp_tally_free(pp_tally *t) {
    pp_dedup_destroy(t->dedup);
    pp_agg_destroy(t->agg);
    memset(t, 0, sizeof *t);
}

pp_tally_result pp_tally_pin(pp_tally *t, const pp_pin *pin) {
    if (!t->dedup) return PP_TALLY_NEW; /* counts only */
    if (!pp_dedup_add(t->dedup, pin->event_day, pin->text[PP_F_UNIQUE_ID])) {
        t->duplicates++;
        return PP_TALLY_DUPLICATE;
    }
    pp_metrics_of_pin(pin, pp_agg_emit, t->agg);
    return PP_TALLY_NEW;
}

void pp_tally_reject(pp_tally *t, const pp_reject *rej) {
    t->rejected++;
    if (t->agg) pp_metrics_of_reject(rej, pp_agg_emit, t->agg);
}

pp_tally_result pp_tally_raw(pp_tally *t, const char *buf, size_t len, int64_t ingest_time_ms, pp_pin *pin,
                             pp_reject *rej) {
    pp_clean_opts opts = t->opts;
    opts.ingest_time_ms = ingest_time_ms;
    uint64_t fired;
    t->records++;
    if (pp_clean(buf, len, &opts, pin, rej, &fired) != PP_OK) {
        pp_tally_reject(t, rej);
        return PP_TALLY_REJECTED;
    }
    t->cleaned++;
    for (size_t i = 0; i < PP_N_RULES; i++)
        if (fired & (UINT64_C(1) << i)) t->fired[i]++;
    return pp_tally_pin(t, pin);
}
