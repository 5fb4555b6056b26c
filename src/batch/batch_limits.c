#include "batch/batch_limits.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "common/error.h"

static const struct {
    const char *suffix;
    uint64_t mult;
} UNITS[] = {
    {"B", 1},
    {"KiB", 1024},
    {"MiB", 1024 * 1024},
    {"GiB", 1024 * 1024 * 1024},
    {"KB", 1024}, /* older spellings, powers of 1024 as Cassandra reads them */
    {"MB", 1024 * 1024},
    {"GB", 1024 * 1024 * 1024},
};

int pp_batch_limits_parse_size(const char *s, uint64_t unit, uint64_t *out) {
    uint64_t v = 0;
    size_t i = 0;
    if (!s) return PP_EINVAL;
    for (; s[i] >= '0' && s[i] <= '9'; i++) {
        if (v > (UINT64_MAX - 9) / 10) return PP_EINVAL;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    if (i == 0 || v == 0) return PP_EINVAL;
    uint64_t mult = unit ? unit : 1;
    if (s[i]) {
        size_t k = 0;
        while (k < sizeof UNITS / sizeof UNITS[0] && strcasecmp(s + i, UNITS[k].suffix) != 0) k++;
        if (k == sizeof UNITS / sizeof UNITS[0]) return PP_EINVAL;
        mult = UNITS[k].mult;
    }
    if (v > UINT64_MAX / mult) return PP_EINVAL;
    *out = v * mult;
    return PP_OK;
}

static uint64_t min_u64(uint64_t a, uint64_t b) { return a < b ? a : b; }

void pp_batch_limits_derive(uint64_t max_mutation_size, uint64_t commitlog_segment_size,
                            uint64_t batch_size_fail_threshold, uint64_t max_frame_size, pp_batch_limits *out) {
    memset(out, 0, sizeof *out);
    out->source = "system_views.settings";
    if (!max_mutation_size)
        max_mutation_size = commitlog_segment_size ? commitlog_segment_size / 2 : PP_BATCH_FALLBACK_MAX_MUTATION;
    if (!batch_size_fail_threshold) batch_size_fail_threshold = PP_BATCH_FALLBACK_BATCH_FAIL;
    if (!max_frame_size) max_frame_size = PP_BATCH_FALLBACK_MAX_FRAME;
    out->max_mutation_size = max_mutation_size;
    out->batch_size_fail_threshold = batch_size_fail_threshold;
    out->max_frame_size = max_frame_size;
    uint64_t group = min_u64(batch_size_fail_threshold, max_mutation_size);
    group -= group / 8;
    uint64_t row =
        max_frame_size > 2 * PP_BATCH_FRAME_OVERHEAD ? max_frame_size - PP_BATCH_FRAME_OVERHEAD : max_frame_size / 2;
    out->group_bytes = (size_t)min_u64(group ? group : 1, SIZE_MAX);
    out->row_bytes = (size_t)min_u64(row ? row : 1, SIZE_MAX);
}

void pp_batch_limits_defaults(pp_batch_limits *out) {
    pp_batch_limits_derive(0, 0, 0, 0, out);
    out->source = "fallback";
}

/* The settings asked for, newest names (4.1+). */
enum { S_MUTATION, S_SEGMENT, S_BATCH_FAIL, S_FRAME, N_SETTINGS };
static const char *const NAMES[N_SETTINGS] = {"max_mutation_size", "commitlog_segment_size",
                                              "batch_size_fail_threshold", "native_transport_max_frame_size"};

int pp_batch_limits_query(pp_cql_session *s, pp_batch_limits *out, char *err, size_t errlen) {
    static const char Q[] = "SELECT name, value FROM system_views.settings WHERE name IN (?, ?, ?, ?)";
    pp_cql_value args[N_SETTINGS];
    uint64_t v[N_SETTINGS] = {0};
    pp_cql_result *res = NULL;
    char why[512];
    pp_batch_limits_defaults(out);
    for (int i = 0; i < N_SETTINGS; i++) args[i] = pp_cql_text(NAMES[i]);
    int rc = pp_cql_query(s, Q, args, N_SETTINGS, &res, why, sizeof why);
    if (rc) {
        pp_errf(err, errlen, "reading system_views.settings: %s", why);
        return rc;
    }
    for (size_t r = 0; r < pp_cql_result_nrows(res); r++) {
        const char *name, *value;
        if (pp_cql_result_get_text(res, r, 0, &name, NULL) || pp_cql_result_is_null(res, r, 1) ||
            pp_cql_result_get_text(res, r, 1, &value, NULL))
            continue; /* unset: its default applies */
        for (int i = 0; i < N_SETTINGS; i++) {
            if (strcmp(name, NAMES[i]) != 0) continue;
            if (pp_batch_limits_parse_size(value, 1, &v[i]) != PP_OK) {
                pp_errf(err, errlen, "system_views.settings: %s = '%.64s' is not a size", name, value);
                rc = PP_EPROTO;
            }
        }
    }
    pp_cql_result_destroy(res);
    if (rc) return rc;
    pp_batch_limits_derive(v[S_MUTATION], v[S_SEGMENT], v[S_BATCH_FAIL], v[S_FRAME], out);
    return PP_OK;
}
