#include "metrics/tally.h"

#include <string.h>

#include <stdio.h>

#include "common/error.h"
#include "join/join_set.h"

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
    pp_dedup_destroy(t->sides);
    pp_join_set_destroy(t->join);
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
    if (t->join) pp_join_post_add_pin_side(pp_join_set_post(t->join, pin->event_day, pin->ind), pin);
    return PP_TALLY_NEW;
}

void pp_tally_enable_join(pp_tally *t) {
    if (!t->join) t->join = pp_join_set_create();
}

void pp_tally_finish_join(pp_tally *t) {
    if (t->join && t->agg) pp_join_set_metrics(t->join, pp_agg_emit, t->agg);
}

pp_tally_result pp_tally_cleaned(pp_tally *t, const pp_record *rec) {
    if (rec->kind == PP_KIND_PIN) return pp_tally_pin(t, &rec->pin);
    if (!t->agg) return PP_TALLY_NEW; /* counts only */
    if (!t->sides) t->sides = pp_dedup_create();
    const char *day = pp_record_day(rec);
    int64_t ind = rec->kind == PP_KIND_GEO ? rec->geo.ind : rec->user.ind;
    char id[32];
    snprintf(id, sizeof id, "%s/%lld", pp_kind_name(rec->kind), (long long)ind);
    if (!pp_dedup_add(t->sides, day, id)) {
        t->duplicates++;
        return PP_TALLY_DUPLICATE;
    }
    pp_join_post *post = t->join ? pp_join_set_post(t->join, day, ind) : NULL;
    if (rec->kind == PP_KIND_GEO) {
        pp_metrics_of_geo(&rec->geo, pp_agg_emit, t->agg);
        if (post) pp_join_post_add_geo_side(post, &rec->geo);
    } else {
        pp_metrics_of_user(&rec->user, pp_agg_emit, t->agg);
        if (post) pp_join_post_add_user_side(post, &rec->user);
    }
    return PP_TALLY_NEW;
}

/* Counts one record's cleaning outcome (rc, the rules that fired); 1 when cleaned. */
static int count_outcome(pp_tally *t, int rc, uint64_t fired, const pp_reject *rej) {
    t->records++;
    if (rc != PP_OK) {
        pp_tally_reject(t, rej);
        return 0;
    }
    t->cleaned++;
    for (size_t i = 0; i < PP_N_RULES; i++)
        if (fired & (UINT64_C(1) << i)) t->fired[i]++;
    return 1;
}

pp_tally_result pp_tally_record(pp_tally *t, pp_kind kind, const char *buf, size_t len, int64_t ingest_time_ms,
                                pp_record *rec, pp_reject *rej) {
    pp_clean_opts opts = t->opts;
    opts.ingest_time_ms = ingest_time_ms;
    uint64_t fired;
    int rc = pp_clean_record(kind, buf, len, &opts, rec, rej, &fired);
    return count_outcome(t, rc, fired, rej) ? pp_tally_cleaned(t, rec) : PP_TALLY_REJECTED;
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
    int rc = pp_clean(buf, len, &opts, pin, rej, &fired);
    return count_outcome(t, rc, fired, rej) ? pp_tally_pin(t, pin) : PP_TALLY_REJECTED;
}
