/* error — the house error convention.
 *
 * Functions return 0 on success or a negative PP_E* code, and fill the caller's
 * buffer (char *err, size_t errlen) with a readable message. pp_errf is the one
 * way to fill it; it accepts err == NULL.
 *
 * The codes, their messages and their class are one list, PP_ERRORS: the enum,
 * pp_strerror and pp_err_transient are generated from it.
 */
#ifndef PINPIPE_ERROR_H
#define PINPIPE_ERROR_H

#include <stddef.h>

/* X(code, value, message, transient)
 *   PP_EINVAL    bad argument or bad input
 *   PP_ENOMEM    allocation failed
 *   PP_EIO       I/O or network error; may be retried
 *   PP_EPROTO    peer violated its protocol
 *   PP_ETIMEOUT  deadline passed
 *   PP_ESERVER   the server answered with an error
 *   PP_ENOTFOUND the thing asked for does not exist
 *   PP_EBUSY     temporarily full (e.g. producer queue); retry later, HTTP 503
 *   PP_EREFUSED  the peer refused this data for good (a constraint, a value out of its
 *                range, too large): retrying cannot help; reject it and move on */
#define PP_ERRORS(X)                        \
    X(PP_OK, 0, "ok", 0)                    \
    X(PP_EINVAL, -1, "invalid input", 0)    \
    X(PP_ENOMEM, -2, "out of memory", 0)    \
    X(PP_EIO, -3, "I/O error", 1)           \
    X(PP_EPROTO, -4, "protocol error", 0)   \
    X(PP_ETIMEOUT, -5, "timed out", 1)      \
    X(PP_ESERVER, -6, "server error", 0)    \
    X(PP_ENOTFOUND, -7, "not found", 0)     \
    X(PP_EBUSY, -8, "busy, retry later", 1) \
    X(PP_EREFUSED, -9, "refused for good", 0)

enum {
#define PP_ERROR_ENUM(code, value, message, transient) code = (value),
    PP_ERRORS(PP_ERROR_ENUM)
#undef PP_ERROR_ENUM
};

/* The one classification of errors (docs/operations.md): transient errors
 * (PP_EIO, PP_ETIMEOUT, PP_EBUSY: the last column of PP_ERRORS) may succeed when
 * retried with backoff; every other code is permanent and must never be retried. */
int pp_err_transient(int code);

void pp_errf(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Human name of a PP_E* code ("unknown error" for another number). */
const char *pp_strerror(int code);

#endif
