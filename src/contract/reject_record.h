/* reject_record — how a reject (clean/clean.h) is written down, in every path.
 *
 * As JSON (the CLI's rejects output, the stores' errors column):
 *   {"reason":"..","detail":"..","day":"YYYY-MM-DD"|null, ["kind":"geo"|"user",]
 *    "errors":[{"field":..,"type":..,"msg":..},...]   ...the caller's members...
 *    ,"raw":"<the bytes>" | ,"raw_base64":"<their base64>"}
 *
 * As a store row (the stream's and the batch's rejects tables): the errors column
 * is that JSON object closed right after "errors"; the raw bytes go in the raw
 * column as text when they are UTF-8 without NUL, else in raw_base64 as base64.
 *
 * Ownership: everything is appended to or points into the caller's buffers.
 */
#ifndef PINPIPE_CONTRACT_REJECT_RECORD_H
#define PINPIPE_CONTRACT_REJECT_RECORD_H

#include <stddef.h>

#include "clean/clean.h"
#include "common/strbuf.h"

/* Appends a reject as one JSON object: {"reason":..,"detail":..,"errors":[..]}
 * without the closing brace, so the caller can add where it came from and the
 * raw bytes (pp_reject_json_raw), then close it. */
void pp_reject_json_open(const pp_reject *rej, pp_strbuf *out);
/* Appends ,"raw":"..." (valid UTF-8) or ,"raw_base64":"..." (anything else). */
void pp_reject_json_raw(const char *buf, size_t len, pp_strbuf *out);

/* The reject's columns shared by both stores' rejects tables. */
typedef struct {
    const char *errors; /* the JSON object above, without raw */
    size_t errors_len;
    const char *raw; /* the bytes when they are text (UTF-8 without NUL), else NULL */
    size_t raw_len;
    const char *raw_base64; /* else their base64, else NULL */
    size_t raw_base64_len;
} pp_reject_row;

/* Fills *row for rej and its bytes raw[0..raw_len). force_base64: store the bytes
 * as base64 even when they are text (the stream's choice for a value PostgreSQL
 * refused). errors and b64 are the caller's buffers (reset here); row points into
 * them and into raw. */
void pp_reject_row_fill(pp_reject_row *row, const pp_reject *rej, const char *raw, size_t raw_len, int force_base64,
                        pp_strbuf *errors, pp_strbuf *b64);

#endif
