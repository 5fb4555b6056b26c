#include "common/config.h"

#include <errno.h>
#include <stdlib.h>

#include "common/error.h"
#include "common/log.h"

const char *pp_env_str(const char *name, const char *def) {
    const char *v = getenv(name);
    return (v && *v) ? v : def;
}

int pp_parse_long(const char *s, long min, long max, long *out) {
    if (!s || !*s) return PP_EINVAL;
    char *end = NULL;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end != '\0' || v < min || v > max) return PP_EINVAL;
    *out = v;
    return PP_OK;
}

long pp_env_long(const char *name, long def) {
    const char *v = getenv(name);
    if (!v || !*v) return def;
    long out;
    if (pp_parse_long(v, -0x7fffffffL, 0x7fffffffL, &out) != PP_OK) {
        PP_WARN("config", "ignoring %s=%s: not an integer", name, v);
        return def;
    }
    return out;
}
