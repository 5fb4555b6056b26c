/* mixed_line — one line of mixed input: an event of any kind with its kind
 * (docs/joins.md), what `pinpipe metrics --input mixed` and the fixtures read and
 * the emulator writes for --kinds all:
 *
 *   {"kind":"geo","event":{...the event...}}                   a JSON event
 *   {"kind":"pin","raw":"<the bytes, as a JSON string>"}        bytes that are not JSON
 *   optional "ingest_time": ms since the epoch (the API's ingest time)
 *
 * The event's bytes for "event" are its compact JSON text (jansson), so what the
 * cleaner sees equals what the API would have received up to spacing and number
 * spelling, which no rule looks at.
 */
#ifndef PINPIPE_CONTRACT_MIXED_LINE_H
#define PINPIPE_CONTRACT_MIXED_LINE_H

#include <stddef.h>
#include <stdint.h>

#include "common/strbuf.h"
#include "event/kind.h"

/* 1 when the line starts like a mixed-input line ({"kind":). */
int pp_mixed_line_sniff(const char *line, size_t len);
/* 0 with *kind, *ingest_time_ms (left as it was when absent) and the event's bytes
 * appended to raw; -1 with *why when the line is not a mixed-input line. */
int pp_mixed_line_parse(const char *line, size_t len, pp_kind *kind, int64_t *ingest_time_ms, pp_strbuf *raw,
                        const char **why);

#endif
