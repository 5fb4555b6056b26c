/* stream — what the emulator sends, in the order it sends it, for every sink.
 *
 * --kinds pin: the generator's pins, unchanged (the bytes of earlier versions).
 * --kinds all: every pin is a post's pin, and the post also gets a geo and a user
 * event with the pin's ind (its `index`) and event day. The post's events are
 * sent OUT OF ORDER and LATE: each is held back a uniform 0..--max-delay posts,
 * ties broken by a random rank, so a post's sides arrive in a random order spread
 * over up to about 3 x (max-delay + 1) events. Some posts miss a side, some send
 * one twice, and some "ghost" posts have a geo and a user but no pin (their ind is
 * beyond the catalog). The pins themselves are exactly those of --kinds pin.
 *
 * The stream feeds the manifest (may be NULL): pins when generated (the pin
 * statistics do not depend on order) and every event of --kinds all when sent
 * (the join's "first occurrence" does), plus the watermark that lets the manifest
 * close a day.
 *
 * Memory: the events held back, at most 5 x (max-delay + 1) lines.
 * Ownership: out->line and out->side stay valid until the next call.
 */
#ifndef PINPIPE_EMU_STREAM_H
#define PINPIPE_EMU_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "event/kind.h"
#include "generate.h"
#include "options.h"
#include "sides.h"

typedef struct pp_manifest pp_manifest;

typedef struct {
    pp_kind kind;
    const char *line; /* the event's bytes, not NUL-terminated */
    size_t len;
    uint32_t day; /* 0-based day of the --days range (the event day) */
    int64_t ind;
    int has_ind;               /* the bytes carry ind as an integer (the Kafka key of geo and user) */
    int json;                  /* 0: the bytes are not JSON (truncated, invalid UTF-8) */
    int valid;                 /* not one of the deliberately invalid kinds */
    const pp_emu_event *pin;   /* kind pin: the generator's account of it */
    const pp_side_truth *side; /* kind geo or user */
} pp_emu_out;

typedef struct pp_emu_stream pp_emu_stream;

int pp_emu_stream_create(const pp_emu_options *o, pp_manifest *man, pp_emu_stream **out, char *err, size_t errlen);
void pp_emu_stream_destroy(pp_emu_stream *s);
/* 1 and *out filled; 0 at the end; PP_EINVAL when an event did not fit its buffer. */
int pp_emu_stream_next(pp_emu_stream *s, pp_emu_out *out);

#endif
