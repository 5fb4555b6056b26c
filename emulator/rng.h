/* rng — the emulator's portable pseudo-random number generator.
 *
 * A fixed algorithm so that the same seed gives the same numbers on every machine
 * and libc: xoshiro256** (Blackman & Vigna) seeded through splitmix64. Only integer
 * arithmetic; probabilities are integers in parts per million. Never rand().
 *
 * Ownership: pp_rng is a plain value the caller owns (no allocation, no destroy).
 */
#ifndef PINPIPE_EMU_RNG_H
#define PINPIPE_EMU_RNG_H

#include <stdint.h>

#define PP_PPM 1000000u /* one, in parts per million */

typedef struct {
    uint64_t s[4];
} pp_rng;

/* One step of splitmix64: advances *state and returns the next output. */
uint64_t pp_splitmix64(uint64_t *state);
/* A strong 64-bit mixer (splitmix64's finaliser); a bijection on uint64_t. */
uint64_t pp_mix64(uint64_t x);

/* Seeds r from a 64-bit seed and a stream number: (seed, stream) pairs give
 * independent sequences, so one seed can drive several unrelated streams. */
void pp_rng_seed(pp_rng *r, uint64_t seed, uint64_t stream);
uint64_t pp_rng_next(pp_rng *r);
/* Uniform in [0, n) without modulo bias; n == 0 returns 0. */
uint64_t pp_rng_below(pp_rng *r, uint64_t n);
/* Uniform in [lo, hi] (inclusive); requires lo <= hi. */
uint64_t pp_rng_range(pp_rng *r, uint64_t lo, uint64_t hi);
/* 1 with probability ppm / 1e6, else 0. */
int pp_rng_chance(pp_rng *r, uint32_t ppm);
/* Index i with probability weights[i] / sum(weights); n >= 1, sum > 0. */
unsigned pp_rng_weighted(pp_rng *r, const uint32_t *weights, unsigned n);

#endif
