/* error — the house error convention.
 *
 * Functions return 0 on success or a negative PP_E* code, and fill the caller's
 * buffer (char *err, size_t errlen) with a readable message. pp_errf is the one
 * way to fill it; it accepts err == NULL.
 */
#ifndef PINPIPE_ERROR_H
#define PINPIPE_ERROR_H

#include <stddef.h>

enum {
    PP_OK = 0,
    PP_EINVAL = -1,   /* bad argument or bad input */
    PP_ENOMEM = -2,   /* allocation failed */
    PP_EIO = -3,      /* I/O or network error; may be retried */
    PP_EPROTO = -4,   /* peer violated its protocol */
    PP_ETIMEOUT = -5, /* deadline passed */
    PP_ESERVER = -6,  /* the server answered with an error */
    PP_ENOTFOUND = -7, /* the thing asked for does not exist */
    PP_EBUSY = -8,     /* temporarily full (e.g. producer queue); retry later, HTTP 503 */
    PP_EREFUSED = -9   /* the peer refused this data for good (a constraint, a value out of its
                          range, too large): retrying cannot help; reject it and move on */
};

/* The one classification of errors (docs/operations.md): transient errors
 * (PP_EIO, PP_ETIMEOUT, PP_EBUSY) may succeed when retried with backoff; every
 * other code is permanent and must never be retried. */
int pp_err_transient(int code);

void pp_errf(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Human name of a PP_E* code. */
const char *pp_strerror(int code);

#endif
