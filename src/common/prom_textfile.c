#include "common/prom_textfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/error.h"

int pp_prom_textfile_write(const char *dir, const char *name, const pp_strbuf *body, char *err, size_t errlen) {
    char path[4096], tmp[4200];
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path) {
        pp_errf(err, errlen, "textfile: path too long: %s/%s", dir, name);
        return PP_EINVAL;
    }
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    int rc = PP_OK;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        pp_errf(err, errlen, "textfile: cannot create %s: %s", tmp, strerror(errno));
        return PP_EIO;
    }
    fchmod(fd, 0644); /* whatever the umask: the collector may run as another user */
    size_t off = 0;
    while (off < body->len) {
        ssize_t w = write(fd, body->data + off, body->len - off);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            pp_errf(err, errlen, "textfile: writing %s: %s", tmp, strerror(errno));
            rc = PP_EIO;
            break;
        }
        off += (size_t)w;
    }
    if (close(fd) != 0 && rc == PP_OK) {
        pp_errf(err, errlen, "textfile: closing %s: %s", tmp, strerror(errno));
        rc = PP_EIO;
    }
    if (rc == PP_OK && rename(tmp, path) != 0) {
        pp_errf(err, errlen, "textfile: renaming %s to %s: %s", tmp, path, strerror(errno));
        rc = PP_EIO;
    }
    if (rc != PP_OK) unlink(tmp);
    return rc;
}

int pp_prom_textfile_read_value(const char *dir, const char *name, const char *metric, double *out) {
    char path[4096], line[1024];
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path) return PP_ENOTFOUND;
    FILE *f = fopen(path, "r");
    if (!f) return PP_ENOTFOUND;
    size_t mlen = strlen(metric);
    int rc = PP_ENOTFOUND;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, metric, mlen) != 0 || line[mlen] != ' ') continue;
        char *end;
        double v = strtod(line + mlen + 1, &end);
        if (end == line + mlen + 1) continue;
        *out = v;
        rc = PP_OK;
        break;
    }
    fclose(f);
    return rc;
}
