#include "common/clock.h"

static struct timespec now(clockid_t id) {
    struct timespec ts;
    clock_gettime(id, &ts);
    return ts;
}

int64_t pp_mono_ns(void) {
    struct timespec ts = now(CLOCK_MONOTONIC);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}
int64_t pp_mono_us(void) { return pp_mono_ns() / 1000; }
int64_t pp_mono_ms(void) { return pp_mono_ns() / 1000000; }

int64_t pp_wall_us(void) {
    struct timespec ts = now(CLOCK_REALTIME);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}
int64_t pp_wall_ms(void) { return pp_wall_us() / 1000; }

void pp_sleep_ms(long ms) {
    if (ms <= 0) return;
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0) {}
}

void pp_nap_ms(volatile sig_atomic_t *stop, long ms) {
    int64_t until = pp_mono_ms() + ms;
    while (!*stop) {
        int64_t left = until - pp_mono_ms();
        if (left <= 0) break;
        pp_sleep_ms(left > 100 ? 100 : (long)left);
    }
}

int pp_cond_init_mono(pthread_cond_t *cv) {
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    int rc = pthread_cond_init(cv, &ca);
    pthread_condattr_destroy(&ca);
    return rc;
}

struct timespec pp_mono_deadline(long ms) {
    struct timespec ts = now(CLOCK_MONOTONIC);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return ts;
}
