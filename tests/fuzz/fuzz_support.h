/* fuzz_support — what the libFuzzer targets (tests/fuzz/fuzz_*.c) share.
 *
 * FUZZ_CHECK states a property that must hold for every input; when it does not, it
 * names the property and aborts, which libFuzzer reports as a crash and saves the
 * input under build-fuzz/artifacts/<target>/ (tests/fuzz/run.sh).
 */
#ifndef PINPIPE_FUZZ_SUPPORT_H
#define PINPIPE_FUZZ_SUPPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

#define FUZZ_CHECK(cond, ...)                                                                     \
    do {                                                                                          \
        if (!(cond)) {                                                                            \
            fprintf(stderr, "fuzz: property failed at %s:%d: %s\n  ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                                         \
            fputc('\n', stderr);                                                                  \
            abort();                                                                              \
        }                                                                                         \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* buf[0..len) is one JSON document (RFC 8259: UTF-8, no NUL inside strings, no
 * trailing bytes); its root, or NULL (the reason printed) when it is not. Caller
 * decrefs. */
static inline json_t *fuzz_json_parse(const char *buf, size_t len) {
    json_error_t e;
    json_t *root = json_loadb(buf, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &e);
    if (!root) fprintf(stderr, "fuzz: not JSON (%s at %d): %.*s\n", e.text, e.position, (int)len, buf);
    return root;
}

#endif
