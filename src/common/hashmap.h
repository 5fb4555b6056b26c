/* hashmap — an open-addressing map from byte-string keys to a caller's value.
 *
 * The map copies keys (it owns its copies) and stores values as void pointers
 * the caller owns. Iteration order is unspecified; callers that print sort.
 * Not thread-safe.
 */
#ifndef PINPIPE_HASHMAP_H
#define PINPIPE_HASHMAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct pp_hashmap pp_hashmap;

pp_hashmap *pp_hashmap_create(size_t initial_capacity);
void pp_hashmap_destroy(pp_hashmap *m);
/* Destroys m and free()s every value (values the caller allocated one block each). */
void pp_hashmap_destroy_free(pp_hashmap *m);

/* Finds key; returns a pointer to its value slot, or NULL. */
void **pp_hashmap_get(const pp_hashmap *m, const void *key, size_t keylen);
/* Finds or inserts key (value NULL when new); *inserted tells which. */
void **pp_hashmap_upsert(pp_hashmap *m, const void *key, size_t keylen, int *inserted);
size_t pp_hashmap_size(const pp_hashmap *m);

/* Iteration: start with *pos = 0; returns 0 when done. */
int pp_hashmap_next(const pp_hashmap *m, size_t *pos, const char **key, size_t *keylen, void **value);

uint64_t pp_hash_bytes(const void *data, size_t n);

#endif
