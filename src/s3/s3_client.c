#include "s3/s3_client.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/error.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/strbuf.h"

#define LIST_BODY_MAX (32u * 1024 * 1024) /* a 1000-key page is well under 1 MiB */

struct s3_client {
    s3_transport *t;
    char *bucket;
    char *region;
};

int s3_client_create(const s3_config *cfg, s3_client **out, char *err, size_t errlen) {
    int rc = PP_ENOMEM;
    *out = NULL;
    s3_client *c = pp_xcalloc(1, sizeof *c);
    c->bucket = pp_xstrdup(cfg->bucket ? cfg->bucket : "");
    c->region = pp_xstrdup(cfg->region ? cfg->region : "");
    if ((rc = s3_transport_create(cfg, &c->t, err, errlen))) goto fail;
    *out = c;
    return PP_OK;
fail:
    s3_client_destroy(c);
    return rc;
}

void s3_client_destroy(s3_client *c) {
    if (!c) return;
    s3_transport_destroy(c->t);
    free(c->bucket);
    free(c->region);
    free(c);
}

const char *s3_client_bucket(const s3_client *c) { return c->bucket; }

int s3_create_bucket(s3_client *c, char *err, size_t errlen) {
    char body[512] = "";
    if (strcmp(c->region, "us-east-1"))
        snprintf(body, sizeof body,
                 "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                 "<LocationConstraint>%s</LocationConstraint></CreateBucketConfiguration>",
                 c->region);
    s3_request r = {.method = "PUT",
                    .bucket = c->bucket,
                    .body = body,
                    .body_len = strlen(body),
                    .content_type = body[0] ? "application/xml" : NULL};
    int rc = s3_transport_run(c->t, &r, err, errlen);
    if (rc && r.status == 409 && !strcmp(r.error.code, "BucketAlreadyOwnedByYou")) {
        PP_DEBUG("s3", "bucket %s already exists and is ours", c->bucket);
        pp_errf(err, errlen, "%s", "");
        rc = PP_OK;
    }
    return rc;
}

int s3_put_buffer(s3_client *c, const char *key, const void *data, size_t len, const char *content_type, char *err,
                  size_t errlen) {
    if (!key) return PP_EINVAL;
    s3_request r =
        {.method = "PUT", .bucket = c->bucket, .key = key, .body = data, .body_len = len, .content_type = content_type};
    return s3_transport_run(c->t, &r, err, errlen);
}

int s3_put_stream(s3_client *c, const char *key, FILE *f, long long size, const char *content_type, char *err,
                  size_t errlen) {
    if (!key || !f) return PP_EINVAL;
    s3_request r = {.method = "PUT",
                    .bucket = c->bucket,
                    .key = key,
                    .body_file = f,
                    .body_file_size = size,
                    .content_type = content_type};
    return s3_transport_run(c->t, &r, err, errlen);
}

int s3_put_file(s3_client *c, const char *key, const char *path, const char *content_type, char *err, size_t errlen) {
    int rc = PP_EIO;
    struct stat st;
    FILE *f = fopen(path, "rb");
    if (!f || fstat(fileno(f), &st)) {
        pp_errf(err, errlen, "%s: %s", path, strerror(errno));
        goto done;
    }
    if (!S_ISREG(st.st_mode)) { /* S3 needs the size first: spool pipes to a file */
        pp_errf(err, errlen, "%s: not a regular file", path);
        rc = PP_EINVAL;
        goto done;
    }
    rc = s3_put_stream(c, key, f, (long long)st.st_size, content_type, err, errlen);
done:
    if (f) fclose(f);
    return rc;
}

int s3_get(s3_client *c, const char *key, s3_sink_fn sink, void *ud, s3_object_meta *meta, char *err, size_t errlen) {
    if (!key || !sink) return PP_EINVAL;
    s3_request r = {.method = "GET", .bucket = c->bucket, .key = key, .sink = sink, .sink_ud = ud, .meta = meta};
    return s3_transport_run(c->t, &r, err, errlen);
}

typedef struct {
    FILE *f;
    int errnum;
} file_sink;

static int to_file(void *ud, const void *data, size_t n) {
    file_sink *fs = ud;
    if (fwrite(data, 1, n, fs->f) != n) {
        fs->errnum = errno ? errno : EIO;
        return PP_EIO;
    }
    return 0;
}

int s3_get_to_file(s3_client *c, const char *key, FILE *out, s3_object_meta *meta, char *err, size_t errlen) {
    file_sink fs = {out, 0};
    errno = 0;
    int rc = s3_get(c, key, to_file, &fs, meta, err, errlen);
    if (rc && fs.errnum)
        pp_errf(err, errlen, "S3 GET %s/%s: writing the output: %s", c->bucket, key, strerror(fs.errnum));
    return rc;
}

int s3_get_to_buffer(s3_client *c, const char *key, size_t max_bytes, char **data, size_t *len, char *err,
                     size_t errlen) {
    pp_strbuf b;
    pp_sb_init(&b);
    *data = NULL;
    *len = 0;
    if (!key) return PP_EINVAL;
    s3_request r = {.method = "GET", .bucket = c->bucket, .key = key, .collect = &b, .collect_max = max_bytes};
    int rc = s3_transport_run(c->t, &r, err, errlen);
    if (rc) {
        pp_sb_free(&b);
        return rc;
    }
    pp_sb_append(&b, "", 0); /* an empty object still gets a "" */
    *len = b.len;
    *data = pp_sb_steal(&b);
    return PP_OK;
}

int s3_head(s3_client *c, const char *key, s3_object_meta *meta, char *err, size_t errlen) {
    if (!key || !meta) return PP_EINVAL;
    s3_request r = {.method = "HEAD", .bucket = c->bucket, .key = key, .meta = meta};
    return s3_transport_run(c->t, &r, err, errlen);
}

int s3_delete(s3_client *c, const char *key, char *err, size_t errlen) {
    if (!key) return PP_EINVAL;
    s3_request r = {.method = "DELETE", .bucket = c->bucket, .key = key};
    int rc = s3_transport_run(c->t, &r, err, errlen);
    if (rc == PP_ENOTFOUND && !strcmp(r.error.code, "NoSuchKey")) {
        pp_errf(err, errlen, "%s", "");
        rc = PP_OK;
    }
    return rc;
}

int s3_list_page_get(s3_client *c, const s3_list_opts *opts, const char *token, s3_list_page *page, char *err,
                     size_t errlen) {
    static const s3_list_opts none = {0};
    char max_keys[24] = "";
    s3_query_param q[6];
    size_t n = 0;
    pp_strbuf body;
    pp_sb_init(&body);
    memset(page, 0, sizeof *page);
    if (!opts) opts = &none;
    q[n++] = (s3_query_param){"list-type", "2"};
    if (opts->prefix && *opts->prefix) q[n++] = (s3_query_param){"prefix", opts->prefix};
    if (opts->delimiter && *opts->delimiter) q[n++] = (s3_query_param){"delimiter", opts->delimiter};
    if (opts->max_keys > 0) {
        snprintf(max_keys, sizeof max_keys, "%d", opts->max_keys);
        q[n++] = (s3_query_param){"max-keys", max_keys};
    }
    if (opts->start_after && *opts->start_after) q[n++] = (s3_query_param){"start-after", opts->start_after};
    if (token && *token) q[n++] = (s3_query_param){"continuation-token", token};
    s3_request r = {.method = "GET",
                    .bucket = c->bucket,
                    .query = q,
                    .n_query = n,
                    .collect = &body,
                    .collect_max = LIST_BODY_MAX};
    int rc = s3_transport_run(c->t, &r, err, errlen);
    if (!rc) {
        char xerr[256];
        rc = s3_xml_parse_list(body.data ? body.data : "", body.len, page, xerr, sizeof xerr);
        if (rc) pp_errf(err, errlen, "S3 GET %s/ (list): %s", c->bucket, xerr);
    }
    pp_sb_free(&body);
    return rc;
}

int s3_list_all(s3_client *c, const s3_list_opts *opts, s3_list_fn fn, void *ud, char *err, size_t errlen) {
    int rc = PP_OK;
    char *token = NULL;
    s3_list_page page = {0};
    for (;;) {
        if ((rc = s3_list_page_get(c, opts, token, &page, err, errlen))) break;
        for (size_t i = 0; i < page.n_prefixes && !rc; i++) {
            s3_list_entry dir = {page.common_prefixes[i], -1, NULL, NULL};
            rc = fn(ud, &dir);
        }
        for (size_t i = 0; i < page.n_entries && !rc; i++) rc = fn(ud, &page.entries[i]);
        if (rc || !page.is_truncated) break;
        if (!page.next_token || !*page.next_token || (token && !strcmp(token, page.next_token))) {
            pp_errf(err, errlen, "S3 GET %s/ (list): truncated page without a new continuation token", c->bucket);
            rc = PP_EPROTO;
            break;
        }
        free(token);
        token = page.next_token;
        page.next_token = NULL;
        s3_list_page_free(&page);
    }
    s3_list_page_free(&page);
    free(token);
    return rc;
}
