/* mem — allocation that aborts on failure, and the try variants (see mem.h).
 * The only file under src/ that calls malloc & co. directly (make check-alloc). */
#include "common/mem.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Noreturn void pp_oom(size_t size) {
    fprintf(stderr, "pinpipe: out of memory (%zu bytes)\n", size);
    fflush(stderr);
    abort();
}

void *pp_try_malloc(size_t size) { return malloc(size ? size : 1); }

void *pp_try_calloc(size_t n, size_t size) {
    if (size && n > SIZE_MAX / size) return NULL;
    return n && size ? calloc(n, size) : calloc(1, 1);
}

void *pp_try_realloc(void *p, size_t size) { return realloc(p, size ? size : 1); }

void *pp_xmalloc(size_t size) {
    void *p = pp_try_malloc(size);
    if (!p) pp_oom(size);
    return p;
}

void *pp_xcalloc(size_t n, size_t size) {
    if (size && n > SIZE_MAX / size) pp_oom(SIZE_MAX); /* n * size does not fit */
    void *p = pp_try_calloc(n, size);
    if (!p) pp_oom(n * size);
    return p;
}

void *pp_xrealloc(void *p, size_t size) {
    void *q = pp_try_realloc(p, size);
    if (!q) pp_oom(size);
    return q;
}

char *pp_xstrndup(const char *s, size_t n) {
    size_t len = strnlen(s, n);
    char *d = pp_xmalloc(len + 1);
    memcpy(d, s, len);
    d[len] = '\0';
    return d;
}

char *pp_xstrdup(const char *s) {
    size_t len = strlen(s);
    char *d = pp_xmalloc(len + 1);
    memcpy(d, s, len + 1);
    return d;
}

/* jansson's allocations follow the same policy (see mem.h). */
__attribute__((constructor)) static void route_jansson_allocations(void) { json_set_alloc_funcs(pp_xmalloc, free); }
