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
#define PP_ERROR_MESSAGE(code, value, message, transient) \
    case code: return message;
        PP_ERRORS(PP_ERROR_MESSAGE)
#undef PP_ERROR_MESSAGE
    default: return "unknown error";
    }
}

int pp_err_transient(int code) {
    switch (code) {
#define PP_ERROR_TRANSIENT(code, value, message, transient) \
    case code: return transient;
        PP_ERRORS(PP_ERROR_TRANSIENT)
#undef PP_ERROR_TRANSIENT
    default: return 0;
    }
}
