#include "cql/cql_value.h"

#include <strings.h>

const char *pp_cql_kind_name(pp_cql_kind kind) {
    switch (kind) {
    case PP_CQL_NULL: return "null";
    case PP_CQL_TEXT: return "text";
    case PP_CQL_INT: return "int";
    case PP_CQL_BIGINT: return "bigint";
    case PP_CQL_BOOLEAN: return "boolean";
    case PP_CQL_TIMESTAMP: return "timestamp";
    case PP_CQL_LIST_TEXT: return "list<text>";
    case PP_CQL_SET_TEXT: return "set<text>";
    case PP_CQL_BLOB: return "blob";
    case PP_CQL_OTHER: return "other";
    }
    return "unknown";
}

static const struct {
    const char *name;
    int code;
} CONSISTENCIES[] = {
    {"ANY", PP_CQL_ANY},
    {"ONE", PP_CQL_ONE},
    {"TWO", PP_CQL_TWO},
    {"THREE", PP_CQL_THREE},
    {"QUORUM", PP_CQL_QUORUM},
    {"ALL", PP_CQL_ALL},
    {"LOCAL_QUORUM", PP_CQL_LOCAL_QUORUM},
    {"EACH_QUORUM", PP_CQL_EACH_QUORUM},
    {"SERIAL", PP_CQL_SERIAL},
    {"LOCAL_SERIAL", PP_CQL_LOCAL_SERIAL},
    {"LOCAL_ONE", PP_CQL_LOCAL_ONE},
};
#define N_CONSISTENCIES (sizeof CONSISTENCIES / sizeof CONSISTENCIES[0])

int pp_cql_consistency_parse(const char *name) {
    for (size_t i = 0; name && i < N_CONSISTENCIES; i++)
        if (strcasecmp(name, CONSISTENCIES[i].name) == 0) return CONSISTENCIES[i].code;
    return -1;
}

const char *pp_cql_consistency_name(int code) {
    for (size_t i = 0; i < N_CONSISTENCIES; i++)
        if (CONSISTENCIES[i].code == code) return CONSISTENCIES[i].name;
    return "UNKNOWN";
}
