/* manifest — the emulator's ground truth about what it wrote.
 *
 * Computed by the emulator from its own knowledge of each event (catalog row,
 * day, validity), independently of the pipeline's cleaning and metrics code, so
 * tests can compare the pipeline's numbers with it. Every number is defined in
 * docs/emulator.md. Pins are counted once per (event day, unique_id) among valid
 * events, exactly like the pipeline's metrics.
 *
 * Memory: one bitmap of catalog-size bits for the day in progress, plus a small
 * fixed record per day; events must arrive in non-decreasing day order (the
 * generator's guarantee). Flat in the number of events.
 *
 * Ownership: pp_manifest_create copies the options it needs; the caller destroys.
 */
#ifndef PINPIPE_EMU_MANIFEST_H
#define PINPIPE_EMU_MANIFEST_H

#include <stddef.h>

#include "generate.h"
#include "options.h"

typedef struct pp_manifest pp_manifest;

int pp_manifest_create(const pp_emu_options *o, pp_manifest **out, char *err, size_t errlen);
void pp_manifest_destroy(pp_manifest *m);
/* Accounts one written event; PP_EINVAL if it goes back to an earlier day. */
int pp_manifest_add(pp_manifest *m, const pp_emu_event *ev, char *err, size_t errlen);
/* Writes the manifest as indented JSON (keys in a fixed order) to path. */
int pp_manifest_write(pp_manifest *m, const char *path, char *err, size_t errlen);

#endif
