/* clock — the one clock vocabulary.
 *
 * Two clocks, never mixed:
 *   monotonic ("mono"): durations, deadlines, timeouts, rates. It never jumps, and
 *     its values mean nothing outside this process (never stored or sent).
 *   wall ("wall"): times that mean a moment in the world — event, ingest and run
 *     times, write timestamps, log lines. Milliseconds (or microseconds) since the
 *     Unix epoch, UTC. It can jump (NTP, an operator), so it never measures a
 *     duration.
 * Every function here is named for its clock and unit; a variable holding one of
 * these values says which in its name (…_mono_ms, …_wall_ms, deadline_ms is mono).
 */
#ifndef PINPIPE_CLOCK_H
#define PINPIPE_CLOCK_H

#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <time.h>

int64_t pp_mono_ms(void);
int64_t pp_mono_us(void);
int64_t pp_mono_ns(void);
int64_t pp_wall_ms(void);
int64_t pp_wall_us(void);

/* Sleeps ms (resumed after signals). */
void pp_sleep_ms(long ms);
/* Sleeps ms, waking within 100 ms once *stop is non-zero (a daemon's back-off). */
void pp_nap_ms(volatile sig_atomic_t *stop, long ms);

/* A condition variable whose timed waits use the monotonic clock, and the absolute
 * time ms from now on that clock (for pthread_cond_timedwait). */
int pp_cond_init_mono(pthread_cond_t *cv);
struct timespec pp_mono_deadline(long ms);

#endif
