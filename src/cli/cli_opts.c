#include "cli/cli_opts.h"

#include <stdint.h>
#include <string.h>

#include "common/error.h"
#include "event/event_time.h"

int cli_opt_time(const pp_opt *o, void *cfg, const char *val, pp_opt_from from, char *err, size_t errlen) {
    (void)from;
    int64_t t;
    if (pp_event_time_parse(val, strlen(val), &t)) {
        pp_errf(err, errlen, "--%s: not a time: '%s'", o->flag, val);
        return PP_EINVAL;
    }
    *(int64_t *)((char *)cfg + o->off) = t;
    return PP_OK;
}
