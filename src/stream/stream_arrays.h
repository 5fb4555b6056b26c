/* stream_arrays — the array-literal elements pg_array.h has no helper for, as the
 * stream's unnest($n::type[]) parameters need them: NULL, a double, a timestamp,
 * and text that may be null. Each appends one element (with its comma).
 */
#ifndef PINPIPE_STREAM_ARRAYS_H
#define PINPIPE_STREAM_ARRAYS_H

#include <stdint.h>

#include "common/strbuf.h"

void pp_stream_array_null(pp_strbuf *sb);
/* Round-trips exactly ("%.17g"); the value must be finite. */
void pp_stream_array_double(pp_strbuf *sb, double v);
/* ISO-8601 UTC with milliseconds; ms < 0: NULL. */
void pp_stream_array_time(pp_strbuf *sb, int64_t ms);
/* NULL for v == NULL; PP_EINVAL when v holds a NUL byte (as pp_pg_array_text). */
int pp_stream_array_text_or_null(pp_strbuf *sb, const char *v);

#endif
