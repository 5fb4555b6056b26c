/* line_reader — reads JSONL input a line at a time in bounded memory.
 *
 * A line longer than max_line is not kept: the reader skips to its end and
 * reports it as too long, so a 10 MB line costs no more memory than the limit.
 * The returned line excludes its '\n' (and a '\r' before it), and stays valid
 * until the next call. The reader does not own the FILE.
 */
#ifndef PINPIPE_LINE_READER_H
#define PINPIPE_LINE_READER_H

#include <stddef.h>
#include <stdio.h>

typedef struct pp_line_reader pp_line_reader;

typedef enum { PP_LINE_OK = 1, PP_LINE_EOF = 0, PP_LINE_TOO_LONG = 2, PP_LINE_ERROR = -1 } pp_line_status;

pp_line_reader *pp_line_reader_create(FILE *in, size_t max_line);
void pp_line_reader_destroy(pp_line_reader *r);
/* Next line; *lineno is its 1-based number. */
pp_line_status pp_line_reader_next(pp_line_reader *r, const char **line, size_t *len, size_t *lineno);
/* Did the last line end without a newline (a possibly truncated last line)?
 * Still answers for the last line after pp_line_reader_next returned PP_LINE_EOF. */
int pp_line_reader_unterminated(const pp_line_reader *r);

#endif
