/* manifest — the emulator's ground truth about what it wrote.
 *
 * Computed by the emulator from its own knowledge of each event (catalog row,
 * day, validity), independently of the pipeline's cleaning and metrics code, so
 * tests can compare the pipeline's numbers with it. Every number is defined in
 * docs/emulator.md. Pins are counted once per (event day, unique_id) among valid
 * events, exactly like the pipeline's metrics.
 *
 * Memory: one bitmap of catalog-size bits for the day in progress, plus a small
 * fixed record per day; pins must arrive in non-decreasing day order (the
 * generator's guarantee). Flat in the number of events. With --kinds all, the
 * join's ground truth too (join_truth.h: bounded by the posts of the open days).
 *
 * Ownership: pp_manifest_create copies the options it needs; the caller destroys.
 */
#ifndef PINPIPE_EMU_MANIFEST_H
#define PINPIPE_EMU_MANIFEST_H

#include <stddef.h>

#include "generate.h"
#include "options.h"
#include "stream.h"

typedef struct pp_manifest pp_manifest;

int pp_manifest_create(const pp_emu_options *o, pp_manifest **out, char *err, size_t errlen);
void pp_manifest_destroy(pp_manifest *m);
/* Accounts one written event; PP_EINVAL if it goes back to an earlier day. */
int pp_manifest_add(pp_manifest *m, const pp_emu_event *ev, char *err, size_t errlen);
/* --kinds all: one event as sent (its side statistics and the join's ground truth). */
void pp_manifest_add_sent(pp_manifest *m, const pp_emu_out *o);
/* --kinds all: what a post of day `day` lacked or repeated. */
void pp_manifest_post(pp_manifest *m, uint32_t day, int no_geo, int no_user, int repeated, int ghost);
/* --kinds all: no event of a day before `day` will be sent any more. */
void pp_manifest_watermark(pp_manifest *m, uint32_t day);
/* Writes the manifest as indented JSON (keys in a fixed order) to path. */
int pp_manifest_write(pp_manifest *m, const char *path, char *err, size_t errlen);

#endif
