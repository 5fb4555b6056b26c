#include "api/api_health.h"

/* Apart from api_health.c so that a test double of the health probe links this one. */
const char *pp_api_kafka_state_name(pp_api_kafka_state s) {
    switch (s) {
    case PP_API_KAFKA_REACHABLE: return "reachable";
    case PP_API_KAFKA_UNREACHABLE: return "unreachable";
    case PP_API_KAFKA_FATAL: return "fatal";
    case PP_API_KAFKA_UNKNOWN: break;
    }
    return "unknown";
}
