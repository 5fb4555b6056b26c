/* serve_answers — rendered answers kept per (request, view fingerprint).
 *
 * A view's fingerprint covers every input of the serving rule and the stores'
 * versions (serve_store.h), so an answer computed from a view is the answer for every
 * view with the same fingerprint: a repeated question (a dashboard refreshing, many
 * users on the same range) is a lookup. What changes from view to view without
 * changing the answer — the freshness — is not kept: the caller appends it.
 * When the kept bytes pass the cap, everything is dropped. Thread-safe.
 */
#ifndef PINPIPE_SERVE_ANSWERS_H
#define PINPIPE_SERVE_ANSWERS_H

#include <stddef.h>
#include <stdint.h>

#include "common/strbuf.h"

typedef struct pp_serve_answers pp_serve_answers;

pp_serve_answers *pp_serve_answers_create(size_t cap_bytes);
void pp_serve_answers_destroy(pp_serve_answers *c);

/* Appends the answer kept for (request, fingerprint) to out: 1, or 0 when none. */
int pp_serve_answers_get(pp_serve_answers *c, const char *request, uint64_t fingerprint, pp_strbuf *out);
/* Keeps body[0..len) as the answer for (request, fingerprint). */
void pp_serve_answers_put(pp_serve_answers *c, const char *request, uint64_t fingerprint, const char *body, size_t len);

#endif
