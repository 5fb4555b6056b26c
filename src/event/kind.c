#include "event/kind.h"

#include <string.h>

static const struct {
    const char *name, *topic, *path;
} KINDS[PP_KIND_COUNT] = {
    [PP_KIND_PIN] = {"pin", "pins", "/pin/"},
    [PP_KIND_GEO] = {"geo", "geo", "/geo/"},
    [PP_KIND_USER] = {"user", "users", "/user/"},
};

const char *pp_kind_name(pp_kind k) { return (unsigned)k < PP_KIND_COUNT ? KINDS[k].name : "unknown"; }
const char *pp_kind_default_topic(pp_kind k) { return (unsigned)k < PP_KIND_COUNT ? KINDS[k].topic : NULL; }
const char *pp_kind_path(pp_kind k) { return (unsigned)k < PP_KIND_COUNT ? KINDS[k].path : NULL; }

int pp_kind_parse(const char *name, size_t n, pp_kind *k) {
    for (int i = 0; i < PP_KIND_COUNT; i++)
        if (strlen(KINDS[i].name) == n && memcmp(KINDS[i].name, name, n) == 0) {
            *k = (pp_kind)i;
            return 0;
        }
    return -1;
}

const char *pp_kind_topic(pp_kind k, const char *configured, const char *pins_topic) {
    if (k == PP_KIND_PIN) return pins_topic;
    if (configured) return *configured ? configured : NULL;
    return pins_topic && strcmp(pins_topic, KINDS[PP_KIND_PIN].topic) == 0 ? KINDS[k].topic : NULL;
}
