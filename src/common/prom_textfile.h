/* prom_textfile — Prometheus text files for jobs that are not daemons (batch,
 * parity), read by node_exporter's textfile collector
 * (--collector.textfile.directory; docs/monitoring.md).
 *
 * A file is replaced whole and atomically (written to a temporary name in the same
 * directory, then renamed), so the collector never reads half a file. Names end in
 * .prom; the temporary one does not, so the collector skips it.
 *
 * Ownership: the caller owns every buffer; nothing is kept.
 */
#ifndef PINPIPE_PROM_TEXTFILE_H
#define PINPIPE_PROM_TEXTFILE_H

#include <stddef.h>

#include "common/strbuf.h"

/* Replaces dir/name with body (mode 0644: the collector may run as another user). */
int pp_prom_textfile_write(const char *dir, const char *name, const pp_strbuf *body, char *err, size_t errlen);

/* The value of the first sample of metric (exactly that name, no labels) in
 * dir/name: *out set and PP_OK; PP_ENOTFOUND when the file or the sample is
 * missing. */
int pp_prom_textfile_read_value(const char *dir, const char *name, const char *metric, double *out);

#endif
