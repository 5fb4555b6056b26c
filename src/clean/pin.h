/* pin — a cleaned pin: the output contract of the cleaning engine.
 *
 * Both stores and every output use these names and types (docs/cleaning-rules.md):
 *   unique_id text, ind bigint, title text?, description text?, poster_name text?,
 *   follower_count bigint?, tag_list list<text>?, is_image_or_video "image"|"video"?,
 *   image_src text?, downloaded boolean?, save_location text?, category text?,
 *   event_time timestamp (UTC), event_day date          (? = may be null)
 *
 * Ownership: every string and the tag array of a pp_pin live in its arena (one
 * allocation per pin, not one per string; a rule that changes a string points
 * into the same memory or takes a new string from the arena, never frees);
 * pp_pin_clear frees the arena and leaves an empty pin that can be reused.
 */
#ifndef PINPIPE_PIN_H
#define PINPIPE_PIN_H

#include <stddef.h>
#include <stdint.h>

#include "common/arena.h"
#include "common/strbuf.h"
#include "event/event.h"

typedef enum { PP_MEDIA_NULL = 0, PP_MEDIA_IMAGE, PP_MEDIA_VIDEO } pp_media;

typedef struct {
    /* Text of every str field while cleaning runs; NULL = null. Conversion rules
     * move follower_count, tag_list, is_image_or_video into the typed fields
     * below and leave their text NULL. */
    char *text[PP_F_COUNT];
    int64_t ind;
    int64_t follower_count;
    int has_follower_count;
    char **tags;
    size_t n_tags;
    int has_tags;
    pp_media media;
    int downloaded; /* -1 null, 0 false, 1 true */
    int64_t event_time_ms;
    char event_day[11];
    /* Data quality, bit per pp_field: the raw value was non-null and is now null
     * (nulled), and of those, it could not be converted (invalid). */
    uint32_t nulled;
    uint32_t invalid;
    pp_arena arena; /* holds text[], tags and each tag */
} pp_pin;

void pp_pin_init(pp_pin *p);
void pp_pin_clear(pp_pin *p);

const char *pp_media_name(pp_media m); /* "image", "video" or NULL */

/* Appends the pin as one JSON object (no newline), fields in contract order. */
void pp_pin_to_json(const pp_pin *p, pp_strbuf *out);

/* Reads a cleaned pin back from its JSON form (what pp_pin_to_json wrote).
 * Data-quality bits are not part of the JSON and stay 0. */
int pp_pin_from_json(pp_pin *p, const char *buf, size_t len, char *err, size_t errlen);

#endif
