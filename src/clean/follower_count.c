#include "clean/follower_count.h"

#include "common/error.h"

static int is_digit(char c) { return c >= '0' && c <= '9'; }

int pp_follower_count_parse(const char *s, size_t n, int64_t *out) {
    int64_t multiplier = 1;
    if (n > 0) {
        switch (s[n - 1]) {
        case 'k':
        case 'K': multiplier = 1000; break;
        case 'm':
        case 'M': multiplier = 1000000; break;
        case 'b':
        case 'B': multiplier = 1000000000; break;
        default: break;
        }
        if (multiplier > 1) n--;
    }
    if (n == 0 || !is_digit(s[0])) return PP_EINVAL;

    /* Whole part: digits, optionally grouped by commas in threes ("12,345"). */
    int64_t whole = 0;
    size_t i = 0, group = 0;
    int seen_comma = 0;
    for (; i < n && (is_digit(s[i]) || s[i] == ','); i++) {
        if (s[i] == ',') {
            if ((seen_comma && group != 3) || (!seen_comma && (group == 0 || group > 3))) return PP_EINVAL;
            seen_comma = 1;
            group = 0;
            continue;
        }
        if (whole > PP_FOLLOWER_COUNT_MAX) return PP_EINVAL; /* stop before overflow */
        whole = whole * 10 + (s[i] - '0');
        group++;
    }
    if (seen_comma && group != 3) return PP_EINVAL;

    /* Fraction: only with a suffix, at most three digits, result must be whole. */
    int64_t frac = 0, frac_scale = 1;
    if (i < n && s[i] == '.') {
        if (multiplier == 1 || seen_comma) return PP_EINVAL;
        size_t start = ++i;
        for (; i < n && is_digit(s[i]); i++) {
            if (i - start >= 3) return PP_EINVAL;
            frac = frac * 10 + (s[i] - '0');
            frac_scale *= 10;
        }
        if (i == start) return PP_EINVAL;
    }
    if (i != n) return PP_EINVAL;
    if (whole > PP_FOLLOWER_COUNT_MAX / multiplier) return PP_EINVAL;
    int64_t value = whole * multiplier;
    if ((frac * multiplier) % frac_scale) return PP_EINVAL; /* "1.2345k" would not be whole */
    value += frac * multiplier / frac_scale;
    if (value > PP_FOLLOWER_COUNT_MAX) return PP_EINVAL;
    *out = value;
    return PP_OK;
}
