/* mixed — the line of one event in the mixed format that `pinpipe metrics --mixed`
 * reads (docs/joins.md): {"kind":"geo","event":{...}} with the event's bytes as
 * they are, or {"kind":"geo","raw":"..."} with the bytes as a JSON string when
 * they are not JSON (truncated, invalid UTF-8: those bytes pass through unescaped,
 * as jsonw.h writes every string, so that line is not JSON either).
 */
#ifndef PINPIPE_EMU_MIXED_H
#define PINPIPE_EMU_MIXED_H

#include <stdio.h>

#include "stream.h"

/* Writes the line and its newline; 0 or EOF on a write error. */
int pp_emu_mixed_write(FILE *f, const pp_emu_out *o);

#endif
