/* secret — credentials read from a file, never from argv.
 *
 * A secret on the command line is readable by every local user (ps, /proc/PID/cmdline),
 * so pinpipe takes secrets from the environment (PINPIPE_*) or from a file given by a
 * `--*-file` flag. Such a file must be a regular file its owner alone may read: one with
 * any group or other permission bit (e.g. 0644, 0640) is refused, so a secret someone
 * left readable is noticed instead of used. The secret is the file's content without
 * its trailing line ending ("\n" or "\r\n"); an empty secret, a NUL byte or a second
 * line is refused. No message ever contains the secret itself.
 */
#ifndef PINPIPE_SECRET_H
#define PINPIPE_SECRET_H

#include <stddef.h>

/* Largest secret file accepted, in bytes (a password or token, not a key ring). */
#define PP_SECRET_MAX 4096

/* Reads the secret in `path` into *out (malloc'ed; release with pp_secret_free).
 * Returns 0, PP_ENOTFOUND (no such file), PP_EINVAL (not a regular file, readable by
 * group/others, empty, too large, NUL or several lines) or PP_EIO; err names the file
 * and the reason, never the content. */
int pp_secret_read_file(const char *path, char **out, char *err, size_t errlen);

/* Overwrites the secret with zeros and frees it; NULL is fine. */
void pp_secret_free(char *secret);

#endif
