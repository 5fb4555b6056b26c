#include "rng.h"

uint64_t pp_splitmix64(uint64_t *state) {
    uint64_t z = (*state += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

uint64_t pp_mix64(uint64_t x) {
    x = (x ^ (x >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    x = (x ^ (x >> 27)) * UINT64_C(0x94D049BB133111EB);
    return x ^ (x >> 31);
}

void pp_rng_seed(pp_rng *r, uint64_t seed, uint64_t stream) {
    uint64_t st = pp_mix64(seed) ^ pp_mix64(stream * UINT64_C(0xD1B54A32D192ED03) + 1);
    for (int i = 0; i < 4; i++) r->s[i] = pp_splitmix64(&st);
    /* splitmix64 never yields four zeros in a row, but keep the invariant explicit */
    if (!(r->s[0] | r->s[1] | r->s[2] | r->s[3])) r->s[0] = 1;
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t pp_rng_next(pp_rng *r) {
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

uint64_t pp_rng_below(pp_rng *r, uint64_t n) {
    if (n == 0) return 0;
    /* rejection sampling: accept x below the largest multiple of n */
    uint64_t limit = UINT64_MAX - (UINT64_MAX % n);
    uint64_t x;
    do x = pp_rng_next(r);
    while (x >= limit);
    return x % n;
}

uint64_t pp_rng_range(pp_rng *r, uint64_t lo, uint64_t hi) {
    if (hi - lo == UINT64_MAX) return pp_rng_next(r);
    return lo + pp_rng_below(r, hi - lo + 1);
}

int pp_rng_chance(pp_rng *r, uint32_t ppm) {
    if (ppm == 0) return 0;
    if (ppm >= PP_PPM) return 1;
    return pp_rng_below(r, PP_PPM) < ppm;
}

unsigned pp_rng_weighted(pp_rng *r, const uint32_t *weights, unsigned n) {
    uint64_t sum = 0;
    for (unsigned i = 0; i < n; i++) sum += weights[i];
    uint64_t x = pp_rng_below(r, sum);
    for (unsigned i = 0; i < n; i++) {
        if (x < weights[i]) return i;
        x -= weights[i];
    }
    return n - 1;
}
