/* mixed — the line of one event in the mixed format that `pinpipe metrics --input mixed`
 * reads (docs/joins.md): {"kind":"geo","event":{...}} with the event's bytes as
 * they are, or {"kind":"geo","raw":"..."} with the bytes as a JSON string when
 * they are not JSON (truncated), or {"kind":"geo","raw_base64":"..."} when they are
 * not UTF-8 (contract/mixed_line.h reads all three).
 */
#ifndef PINPIPE_EMU_MIXED_H
#define PINPIPE_EMU_MIXED_H

#include <stdio.h>

#include "stream.h"

/* Writes the line and its newline; 0 or EOF on a write error. */
int pp_emu_mixed_write(FILE *f, const pp_emu_out *o);

#endif
