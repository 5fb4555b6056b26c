/* mem — the one memory policy: allocation failure aborts, with a message.
 *
 * pp_x* allocate or, when the allocator fails, write
 *   pinpipe: out of memory (N bytes)
 * to stderr and abort(). They never return NULL, so callers do not test the result.
 * Why: a daemon that cannot allocate cannot keep its guarantees (a half-built batch,
 * a dropped field, a skipped offset would be silently wrong data), and a crash is
 * safe — the supervisor restarts it and it resumes from its stored offsets, so
 * nothing that was acknowledged is lost. Returning ENOMEM through every layer bought
 * nothing but untested paths, and ignoring a NULL turned a failure into bad data.
 *
 * pp_try_* are the exception, for the few callers that truly recover: an allocation
 * whose size comes from input or a peer (a request body, a frame, an object), where
 * failing that one request or object is the right answer and the process is fine.
 * They return NULL on failure and the caller must handle it (PP_ENOMEM, a refusal).
 * Do not use them elsewhere; `make check-alloc` keeps raw malloc & co. out of the tree.
 *
 * jansson allocates through pp_xmalloc too (set once, when the library loads), so
 * a JSON parse never fails for want of memory: a NULL from json_loadb is always a
 * malformed input, never an out-of-memory read as bad data.
 *
 * Sizes: pp_xcalloc and pp_try_calloc check n * size for overflow (an overflow is a
 * failure); a zero size allocates one byte, so a successful result is never NULL.
 */
#ifndef PINPIPE_MEM_H
#define PINPIPE_MEM_H

#include <stddef.h>

void *pp_xmalloc(size_t size);
void *pp_xcalloc(size_t n, size_t size);
void *pp_xrealloc(void *p, size_t size);
char *pp_xstrdup(const char *s);
/* Copies at most n bytes of s (fewer when s has a NUL before n) and terminates. */
char *pp_xstrndup(const char *s, size_t n);

void *pp_try_malloc(size_t size);
void *pp_try_calloc(size_t n, size_t size);
/* On failure returns NULL and leaves p allocated and unchanged. */
void *pp_try_realloc(void *p, size_t size);

/* Writes the message and aborts; for allocators that are not ours (reported size). */
_Noreturn void pp_oom(size_t size);

#endif
