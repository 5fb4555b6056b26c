/* join_truth — the manifest's ground truth for the join metrics (--kinds all),
 * counted from what the emulator knows it sent, by the definitions of
 * docs/joins.md and docs/metrics.md ("Join metrics"), not by the pipeline's code.
 *
 * A post is (event day, ind). Its sides are the first valid geo and the first valid
 * user sent for it (first occurrence wins, in the order sent) and its pin (one per
 * (day, ind): a row's ind and unique_id go together). A joined record is a post
 * with all three; every side of a post without all three is unmatched.
 *
 * Memory: the posts of the open days (about 48 bytes per distinct (day, ind));
 * a day is open from its first event until the watermark passes it, which with
 * the stream's delays is the day in progress and the one before. A closed day
 * keeps only its summary (a few hundred JSON entries at most). User names are
 * interned: at most the vocabulary's first x last names.
 * Ownership: the caller destroys; pp_join_truth_day returns a new reference.
 */
#ifndef PINPIPE_EMU_JOIN_TRUTH_H
#define PINPIPE_EMU_JOIN_TRUTH_H

#include <jansson.h>
#include <stdint.h>

#include "stream.h"

typedef struct pp_join_truth pp_join_truth;

pp_join_truth *pp_join_truth_create(uint32_t days);
void pp_join_truth_destroy(pp_join_truth *jt);
/* Accounts one event as sent (invalid ones are no side). */
void pp_join_truth_add(pp_join_truth *jt, const pp_emu_out *o);
/* No event of a day before `day` will come: their summaries are made. */
void pp_join_truth_close_before(pp_join_truth *jt, uint32_t day);
/* The summary of day d (closing every open day first). */
json_t *pp_join_truth_day(pp_join_truth *jt, uint32_t d);
/* The age group of an age: "0-17", "18-24", "25-35", "36-50", "50+". */
const char *pp_join_truth_age_group(int64_t age);

#endif
