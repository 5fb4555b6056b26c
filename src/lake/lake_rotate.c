#include "lake/lake_rotate.h"

void pp_lake_limits_default(pp_lake_limits *l) {
    l->max_records = PP_LAKE_DEFAULT_MAX_RECORDS;
    l->max_bytes = PP_LAKE_DEFAULT_MAX_BYTES;
    l->max_age_ms = PP_LAKE_DEFAULT_MAX_AGE_MS;
}

pp_lake_reason pp_lake_rotation_due(const pp_lake_limits *l, size_t records, size_t bytes, int64_t age_ms) {
    if (records == 0) return PP_LAKE_KEEP;
    if (records >= (size_t)l->max_records) return PP_LAKE_DUE_RECORDS;
    if (bytes >= (size_t)l->max_bytes) return PP_LAKE_DUE_BYTES;
    if (age_ms >= l->max_age_ms) return PP_LAKE_DUE_AGE;
    return PP_LAKE_KEEP;
}

const char *pp_lake_reason_name(pp_lake_reason r) {
    switch (r) {
    case PP_LAKE_DUE_RECORDS: return "records";
    case PP_LAKE_DUE_BYTES: return "bytes";
    case PP_LAKE_DUE_AGE: return "age";
    case PP_LAKE_DUE_DRAIN: return "drain";
    default: return "keep";
    }
}
