#include "common/secret.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/error.h"
#include "common/mem.h"

/* Reads at most max bytes of fd into buf; returns the count or -1. */
static ssize_t read_all(int fd, char *buf, size_t max) {
    size_t len = 0;
    while (len < max) {
        ssize_t n = read(fd, buf + len, max - len);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return -1;
        if (n == 0) break;
        len += (size_t)n;
    }
    return (ssize_t)len;
}

/* Checks the content (len bytes, trailing line ending already removed). */
static int check_content(const char *path, const char *s, size_t len, char *err, size_t errlen) {
    if (len == 0) {
        pp_errf(err, errlen, "secret file '%s' is empty", path);
        return PP_EINVAL;
    }
    if (memchr(s, '\0', len)) {
        pp_errf(err, errlen, "secret file '%s' holds a NUL byte", path);
        return PP_EINVAL;
    }
    if (memchr(s, '\n', len) || memchr(s, '\r', len)) {
        pp_errf(err, errlen, "secret file '%s' holds more than one line", path);
        return PP_EINVAL;
    }
    return PP_OK;
}

int pp_secret_read_file(const char *path, char **out, char *err, size_t errlen) {
    int rc = PP_EIO, fd = -1;
    char *buf = NULL;
    *out = NULL;
    if (!path || !*path) {
        pp_errf(err, errlen, "no secret file given");
        return PP_EINVAL;
    }
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        rc = errno == ENOENT ? PP_ENOTFOUND : PP_EIO;
        pp_errf(err, errlen, "secret file '%s': %s", path, strerror(errno));
        goto out;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        pp_errf(err, errlen, "secret file '%s': %s", path, strerror(errno));
        goto out;
    }
    rc = PP_EINVAL;
    if (!S_ISREG(st.st_mode)) {
        pp_errf(err, errlen, "secret file '%s' is not a regular file", path);
        goto out;
    }
    if (st.st_mode & (S_IRWXG | S_IRWXO)) {
        pp_errf(err, errlen,
                "secret file '%s' has mode %04o: readable by others than its owner; "
                "chmod 600 it (and change the secret if others may have read it)",
                path, (unsigned)(st.st_mode & 07777));
        goto out;
    }
    buf = pp_xmalloc(PP_SECRET_MAX + 2);
    ssize_t n = read_all(fd, buf, PP_SECRET_MAX + 1);
    if (n < 0) {
        rc = PP_EIO;
        pp_errf(err, errlen, "secret file '%s': %s", path, strerror(errno));
        goto out;
    }
    size_t len = (size_t)n;
    if (len > PP_SECRET_MAX) {
        pp_errf(err, errlen, "secret file '%s' is larger than %d bytes", path, PP_SECRET_MAX);
        goto out;
    }
    if (len > 0 && buf[len - 1] == '\n') len--;
    if (len > 0 && buf[len - 1] == '\r') len--;
    buf[len] = '\0';
    if ((rc = check_content(path, buf, len, err, errlen)) != PP_OK) goto out;
    *out = buf;
    buf = NULL;
out:
    if (buf) {
        memset(buf, 0, PP_SECRET_MAX + 2);
        free(buf);
    }
    if (fd >= 0) close(fd);
    return rc;
}

void pp_secret_free(char *secret) {
    if (!secret) return;
    /* volatile: the compiler may not drop the wipe of memory about to be freed */
    volatile char *p = secret;
    while (*p) *p++ = '\0';
    free(secret);
}
