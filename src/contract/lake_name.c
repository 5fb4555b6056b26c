#include "contract/lake_name.h"

#include <stdio.h>
#include <string.h>

#include "common/error.h"
#include "event/event_time.h"

static int valid_day(const char *day, size_t n) {
    int64_t ms;
    char copy[11];
    if (n != 10) return 0;
    memcpy(copy, day, 10);
    copy[10] = '\0';
    return pp_day_parse(copy, &ms) == PP_OK;
}

int pp_lake_key_format(char *out, size_t outlen, const char *prefix, const pp_lake_key *k, char *err, size_t errlen) {
    size_t plen = prefix ? strlen(prefix) : 0;
    const char *slash = plen && prefix[plen - 1] != '/' ? "/" : "";
    if (!valid_day(k->day, strnlen(k->day, sizeof k->day))) {
        pp_errf(err, errlen, "lake key: '%.10s' is not a day (YYYY-MM-DD)", k->day);
        return PP_EINVAL;
    }
    if (!k->topic[0] || strchr(k->topic, '/') || k->partition < 0 || k->first_offset < 0) {
        pp_errf(err, errlen, "lake key: bad coordinates (topic '%s', partition %d, offset %lld)", k->topic,
                (int)k->partition, (long long)k->first_offset);
        return PP_EINVAL;
    }
    int n = snprintf(out, outlen, "%s%sdt=%s/%s-%04d-%020lld.jsonl%s", prefix ? prefix : "", slash, k->day, k->topic,
                     (int)k->partition, (long long)k->first_offset, k->gzip ? ".gz" : "");
    if (n < 0 || (size_t)n >= outlen) {
        pp_errf(err, errlen, "lake key: longer than %zu bytes (prefix '%s')", outlen ? outlen - 1 : 0,
                prefix ? prefix : "");
        return PP_EINVAL;
    }
    return PP_OK;
}

/* Reads the decimal number that ends at s[end) going left (1..maxdigits digits);
 * returns its first index, or -1. */
static long digits_before(const char *s, long end, int maxdigits, int64_t *v) {
    long i = end;
    while (i > 0 && s[i - 1] >= '0' && s[i - 1] <= '9' && end - i < maxdigits) i--;
    if (i == end || (i > 0 && s[i - 1] >= '0' && s[i - 1] <= '9')) return -1;
    int64_t x = 0;
    for (long j = i; j < end; j++) {
        int d = s[j] - '0';
        if (x > (INT64_MAX - d) / 10) return -1;
        x = x * 10 + d;
    }
    *v = x;
    return i;
}

int pp_lake_key_parse(const char *key, pp_lake_key *k) {
    static const char EXT[] = ".jsonl", GZ[] = ".gz";
    memset(k, 0, sizeof *k);
    const char *base = strrchr(key, '/');
    if (!base) return PP_EINVAL;
    /* the directory component just before the name: dt=YYYY-MM-DD */
    const char *dir = base;
    while (dir > key && dir[-1] != '/') dir--;
    if (base - dir != 13 || strncmp(dir, "dt=", 3) != 0 || !valid_day(dir + 3, 10)) return PP_EINVAL;
    memcpy(k->day, dir + 3, 10);
    base++;
    long end = (long)strlen(base);
    if (end > (long)(sizeof GZ - 1) && strcmp(base + end - (sizeof GZ - 1), GZ) == 0) {
        k->gzip = 1;
        end -= (long)(sizeof GZ - 1);
    }
    if (end <= (long)(sizeof EXT - 1) || strncmp(base + end - (sizeof EXT - 1), EXT, sizeof EXT - 1) != 0)
        return PP_EINVAL;
    end -= (long)(sizeof EXT - 1);
    int64_t offset, partition;
    long i = digits_before(base, end, 20, &offset);
    if (i < 2 || base[i - 1] != '-') return PP_EINVAL;
    long j = digits_before(base, i - 1, 10, &partition);
    if (j < 2 || base[j - 1] != '-' || partition > INT32_MAX) return PP_EINVAL;
    size_t tlen = (size_t)(j - 1);
    if (tlen == 0 || tlen >= sizeof k->topic) return PP_EINVAL;
    memcpy(k->topic, base, tlen);
    k->topic[tlen] = '\0';
    k->partition = (int32_t)partition;
    k->first_offset = offset;
    return PP_OK;
}
