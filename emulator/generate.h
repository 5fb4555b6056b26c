/* generate — the emulator's event generator: one event at a time, into a buffer.
 *
 * pp_emu_gen_next() produces the next event as one JSON text (no trailing
 * newline) in a buffer the generator owns, plus what the generator knows about
 * it (day, catalog row, validity). The caller decides where the bytes go: the
 * JSONL writer in main.c today; an HTTP poster (--target http://...) or a Kafka
 * producer (--kafka) later, without changing this module.
 *
 * Order and time: events come day by day (the --days range, in order); within a
 * day the timestamps never decrease and stay inside the day (UTC). Day d gets
 * count/days events, the first count%days days one more.
 *
 * Randomness: one xoshiro256** stream seeded from --seed drives every per-event
 * choice (time, catalog row, repeats, invalid kind); pin content comes from the
 * catalog (see catalog.h) and does not depend on --seed.
 *
 * Speed: the rendered fields of recently used catalog rows are kept in a
 * direct-mapped cache (at most PP_EMU_CACHE_SLOTS rows, ~1 KiB each), so a
 * repeated pin costs a copy; the bytes are those of a fresh render.
 *
 * Ownership: the generator owns its buffers; ev->line and ev->pin stay valid
 * until the next pp_emu_gen_next() or pp_emu_gen_destroy().
 */
#ifndef PINPIPE_EMU_GENERATE_H
#define PINPIPE_EMU_GENERATE_H

#include <stddef.h>
#include <stdint.h>

#include "catalog.h"
#include "options.h"

#define PP_EMU_CACHE_SLOTS 16384u

/* Kinds of deliberately invalid events (--invalid-rate). */
typedef enum {
    PP_INV_NONE = -1,
    PP_INV_MISSING_UNIQUE_ID = 0,  /* no "unique_id" member */
    PP_INV_INDEX_NOT_INT,          /* "index": "12a" */
    PP_INV_DOWNLOADED_NOT_INT,     /* "downloaded": "yes" */
    PP_INV_FOLLOWER_COUNT_NOT_STR, /* "follower_count": 6000 */
    PP_INV_MISSING_FIELD,          /* another required member is absent */
    PP_INV_TRUNCATED_JSON,         /* the line is cut short: not JSON */
    PP_INV_INVALID_UTF8,           /* raw invalid UTF-8 bytes inside the title */
    PP_INV_KINDS
} pp_invalid_kind;
extern const char *const pp_invalid_kind_names[PP_INV_KINDS];

typedef struct {
    const char *line; /* the event's JSON text, not NUL-terminated */
    size_t len;
    uint32_t day;            /* 0-based day of the --days range */
    uint32_t sec;            /* second of that day of the timestamp */
    uint64_t seq;            /* 0-based position in the output */
    pp_invalid_kind invalid; /* PP_INV_NONE for a valid event */
    int extra_field;         /* a valid event carrying an unknown extra member */
    const pp_pin_meta *pin;  /* the catalog row the event was made from */
} pp_emu_event;

typedef struct pp_emu_gen pp_emu_gen;

int pp_emu_gen_create(const pp_emu_options *o, pp_emu_gen **out, char *err, size_t errlen);
void pp_emu_gen_destroy(pp_emu_gen *g);
/* 1 and *ev filled; 0 once --count events have been produced; PP_EINVAL if an
 * event did not fit the buffer (cannot happen with the built-in vocabulary). */
int pp_emu_gen_next(pp_emu_gen *g, pp_emu_event *ev);

#endif
