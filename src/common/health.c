#include "common/health.h"

#include <stdio.h>

void pp_health_init(pp_health *h, long stall_ms) {
    atomic_store(&h->last_progress_ms, pp_mono_ms());
    h->stall_ms = stall_ms > 0 ? stall_ms : PP_HEALTH_DEFAULT_STALL_MS;
    pthread_mutex_init(&h->mu, NULL);
    h->last_error[0] = '\0';
}

void pp_health_destroy(pp_health *h) { pthread_mutex_destroy(&h->mu); }

void pp_health_progress(pp_health *h) {
    atomic_store(&h->last_progress_ms, pp_mono_ms());
    pthread_mutex_lock(&h->mu);
    h->last_error[0] = '\0';
    pthread_mutex_unlock(&h->mu);
}

void pp_health_error(pp_health *h, const char *err) {
    pthread_mutex_lock(&h->mu);
    snprintf(h->last_error, sizeof h->last_error, "%s", err ? err : "");
    pthread_mutex_unlock(&h->mu);
}

int pp_health_check(pp_health *h, long long waiting, const char *unit, pp_strbuf *out) {
    long long ago = (long long)(pp_mono_ms() - atomic_load(&h->last_progress_ms));
    int stalled = waiting > 0 && ago > h->stall_ms;
    pp_sb_printf(out, "{\"status\":\"%s\",\"waiting\":%lld,\"last_progress_ms_ago\":%lld,\"stall_ms\":%ld",
                 stalled ? "stalled" : "ok", waiting, ago, h->stall_ms);
    if (stalled) {
        char reason[160];
        snprintf(reason, sizeof reason, "no progress for %lld s while %lld %s wait", ago / 1000, waiting, unit);
        pp_sb_puts(out, ",\"reason\":");
        pp_sb_json_cstr(out, reason);
    }
    pthread_mutex_lock(&h->mu);
    if (h->last_error[0]) {
        pp_sb_puts(out, ",\"last_error\":");
        pp_sb_json_cstr(out, h->last_error);
    }
    pthread_mutex_unlock(&h->mu);
    pp_sb_puts(out, "}\n");
    return !stalled;
}
