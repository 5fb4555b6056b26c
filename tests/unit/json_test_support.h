/* JSON helpers shared by the event and cleaning-rule unit tests. Header-only
 * (static inline); include after <cmocka.h>. */
#ifndef PINPIPE_JSON_TEST_SUPPORT_H
#define PINPIPE_JSON_TEST_SUPPORT_H

#include <jansson.h>

/* The JSON object `base` with member `name` set to the JSON text `value` (any JSON,
 * NULs allowed), or removed when value is NULL; member order kept. Caller frees. */
static inline char *json_with_member(const char *base, const char *name, const char *value) {
    json_t *root = json_loads(base, 0, NULL);
    if (!root) fail_msg("bad JSON base: %s", base);
    if (value) {
        json_t *v = json_loads(value, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
        if (!v) fail_msg("bad JSON in a test row: %s", value);
        json_object_set_new(root, name, v);
    } else {
        json_object_del(root, name);
    }
    char *s = json_dumps(root, JSON_PRESERVE_ORDER);
    json_decref(root);
    return s;
}

#endif
