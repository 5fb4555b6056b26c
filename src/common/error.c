#include "common/error.h"

#include <stdarg.h>
#include <stdio.h>

void pp_errf(char *err, size_t errlen, const char *fmt, ...) {
    if (!err || errlen == 0) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

const char *pp_strerror(int code) {
    switch (code) {
    case PP_OK: return "ok";
    case PP_EINVAL: return "invalid input";
    case PP_ENOMEM: return "out of memory";
    case PP_EIO: return "I/O error";
    case PP_EPROTO: return "protocol error";
    case PP_ETIMEOUT: return "timed out";
    case PP_ESERVER: return "server error";
    case PP_ENOTFOUND: return "not found";
    case PP_EBUSY: return "busy, retry later";
    case PP_EREFUSED: return "refused for good";
    default: return "unknown error";
    }
}

int pp_err_transient(int code) { return code == PP_EIO || code == PP_ETIMEOUT || code == PP_EBUSY; }
