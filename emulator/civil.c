#include "civil.h"

#include "common/error.h"

/* Howard Hinnant's days_from_civil / civil_from_days algorithms. */
int64_t pp_days_from_civil(int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

void pp_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d) {
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static int digits(const char *s, int n, unsigned *out) {
    unsigned v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    *out = v;
    return 0;
}

int pp_parse_date(const char *s, int64_t *days) {
    unsigned y, m, d;
    if (!s || digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &m) || s[7] != '-' || digits(s + 8, 2, &d) ||
        s[10] != '\0')
        return PP_EINVAL;
    if (y < 1970 || m < 1 || m > 12 || d < 1) return PP_EINVAL;
    int64_t z = pp_days_from_civil(y, m, d);
    int64_t y2;
    unsigned m2, d2;
    pp_civil_from_days(z, &y2, &m2, &d2); /* round trip rejects 2026-02-30 */
    if (y2 != (int64_t)y || m2 != m || d2 != d) return PP_EINVAL;
    *days = z;
    return PP_OK;
}

void pp_format_date(int64_t days, char out[11]) {
    int64_t y;
    unsigned m, d;
    pp_civil_from_days(days, &y, &m, &d);
    unsigned uy = (unsigned)y;
    out[0] = (char)('0' + uy / 1000 % 10);
    out[1] = (char)('0' + uy / 100 % 10);
    out[2] = (char)('0' + uy / 10 % 10);
    out[3] = (char)('0' + uy % 10);
    out[4] = '-';
    out[5] = (char)('0' + m / 10);
    out[6] = (char)('0' + m % 10);
    out[7] = '-';
    out[8] = (char)('0' + d / 10);
    out[9] = (char)('0' + d % 10);
    out[10] = '\0';
}
