#include "event/event_time.h"

#include "common/error.h"

#define MS_PER_DAY 86400000LL

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, int m, int d) {
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int *y, int *m, int *d) {
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

static int days_in_month(int y, int m) {
    static const int DAYS[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return DAYS[m - 1] + (m == 2 && leap);
}

/* Reads exactly `width` digits at s[*i]. */
static int digits(const char *s, size_t n, size_t *i, int width, int *out) {
    int v = 0;
    for (int k = 0; k < width; k++) {
        if (*i >= n || s[*i] < '0' || s[*i] > '9') return -1;
        v = v * 10 + (s[(*i)++] - '0');
    }
    *out = v;
    return 0;
}

static int expect(const char *s, size_t n, size_t *i, char c) {
    if (*i >= n || s[*i] != c) return -1;
    (*i)++;
    return 0;
}

static int parse_date(const char *s, size_t n, size_t *i, int *y, int *mo, int *d) {
    if (digits(s, n, i, 4, y) || expect(s, n, i, '-') || digits(s, n, i, 2, mo) || expect(s, n, i, '-') ||
        digits(s, n, i, 2, d))
        return -1;
    if (*y < 1970 || *mo < 1 || *mo > 12 || *d < 1 || *d > days_in_month(*y, *mo)) return -1;
    return 0;
}

int pp_event_time_in_range(int64_t ms) { return ms >= PP_EVENT_TIME_MIN_MS && ms <= PP_EVENT_TIME_MAX_MS; }

static int64_t clamp(int64_t ms) {
    return ms < PP_EVENT_TIME_MIN_MS ? PP_EVENT_TIME_MIN_MS : ms > PP_EVENT_TIME_MAX_MS ? PP_EVENT_TIME_MAX_MS : ms;
}

int pp_event_time_parse(const char *s, size_t n, int64_t *ms_out) {
    size_t i = 0;
    int y, mo, d, h, mi, sec, ms = 0;
    if (parse_date(s, n, &i, &y, &mo, &d)) return PP_EINVAL;
    if (i >= n || (s[i] != ' ' && s[i] != 'T')) return PP_EINVAL;
    i++;
    if (digits(s, n, &i, 2, &h) || expect(s, n, &i, ':') || digits(s, n, &i, 2, &mi) || expect(s, n, &i, ':') ||
        digits(s, n, &i, 2, &sec))
        return PP_EINVAL;
    if (h > 23 || mi > 59 || sec > 59) return PP_EINVAL;
    if (i < n && s[i] == '.') { /* fraction: keep milliseconds, ignore the rest */
        i++;
        size_t start = i;
        int scale = 100;
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            ms += (s[i] - '0') * scale;
            scale /= 10;
            i++;
        }
        if (i == start) return PP_EINVAL;
    }
    int64_t offset_min = 0;
    if (i < n && s[i] == 'Z') {
        i++;
    } else if (i < n && (s[i] == '+' || s[i] == '-')) {
        int sign = s[i++] == '-' ? -1 : 1, oh, om;
        if (digits(s, n, &i, 2, &oh) || expect(s, n, &i, ':') || digits(s, n, &i, 2, &om) || oh > 23 || om > 59)
            return PP_EINVAL;
        offset_min = sign * (oh * 60 + om);
    }
    if (i != n) return PP_EINVAL;
    int64_t t =
        days_from_civil(y, mo, d) * MS_PER_DAY + ((int64_t)h * 3600 + mi * 60 + sec) * 1000 + ms - offset_min * 60000;
    if (!pp_event_time_in_range(t)) return PP_EINVAL; /* e.g. 9999-12-31T23:59:59-05:00 */
    *ms_out = t;
    return PP_OK;
}

int pp_day_parse(const char *s, int64_t *ms_out) {
    size_t n = 0, i = 0;
    while (s[n]) n++;
    int y, mo, d;
    if (parse_date(s, n, &i, &y, &mo, &d) || i != n) return PP_EINVAL;
    *ms_out = days_from_civil(y, mo, d) * MS_PER_DAY;
    return PP_OK;
}

/* Writes v as exactly `width` zero-padded digits. */
static char *put_digits(char *p, int64_t v, int width) {
    for (int i = width - 1; i >= 0; i--) {
        p[i] = (char)('0' + v % 10);
        v /= 10;
    }
    return p + width;
}

static char *put_day(char *p, int64_t days) {
    int y, m, d;
    civil_from_days(days, &y, &m, &d);
    p = put_digits(p, y, 4);
    *p++ = '-';
    p = put_digits(p, m, 2);
    *p++ = '-';
    return put_digits(p, d, 2);
}

static int64_t floor_days(int64_t ms) { return ms >= 0 ? ms / MS_PER_DAY : (ms - MS_PER_DAY + 1) / MS_PER_DAY; }

void pp_event_day(int64_t ms, char out[11]) {
    ms = clamp(ms);
    *put_day(out, floor_days(ms)) = '\0';
}

void pp_event_time_iso(int64_t ms, char out[25]) {
    ms = clamp(ms);
    int64_t days = floor_days(ms), rem = ms - days * MS_PER_DAY;
    char *p = put_day(out, days);
    *p++ = 'T';
    p = put_digits(p, rem / 3600000, 2);
    *p++ = ':';
    p = put_digits(p, rem / 60000 % 60, 2);
    *p++ = ':';
    p = put_digits(p, rem / 1000 % 60, 2);
    *p++ = '.';
    p = put_digits(p, rem % 1000, 3);
    *p++ = 'Z';
    *p = '\0';
}
