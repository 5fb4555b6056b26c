/* pinpipe s3 — the S3 client from the command line: ls, get, put, head, rm, mb. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli_secret.h"
#include "cli/cli_opts.h"
#include "cli/commands.h"
#include "common/options.h"
#include "common/error.h"
#include "s3/s3_client.h"

#define EXIT_NOTFOUND 3

typedef struct {
    s3_config c;
    s3_list_opts lo;
    const char *content_type;
} s3_cfg;

#define F(x) offsetof(s3_cfg, x)
static const pp_opt ROWS[] = {
    {"endpoint", 0, "URL", "PINPIPE_S3_ENDPOINT", S3_DEFAULT_ENDPOINT, pp_opt_str, F(c.endpoint), 0, 0,
     PP_OPT_ELSEWHERE, "scheme://host[:port] (AWS: https://s3.REGION.amazonaws.com)"},
    {"region", 0, "NAME", "PINPIPE_S3_REGION", S3_DEFAULT_REGION, pp_opt_str, F(c.region), 0, 0, PP_OPT_ELSEWHERE,
     "signing region"},
    {"bucket", 0, "NAME", "PINPIPE_S3_BUCKET", NULL, pp_opt_str, F(c.bucket), 0, 0, PP_OPT_ELSEWHERE, "the bucket"},
    {"access-key", 0, "KEY", "PINPIPE_S3_ACCESS_KEY", NULL, pp_opt_str, F(c.access_key), 0, 0, PP_OPT_ELSEWHERE,
     "the access key"},
    {"secret-key", 0, "KEY", NULL, NULL, pp_opt_refuse, 0, 0, 0, PP_OPT_HIDDEN,
     "--secret-key-file FILE (mode 0600) or PINPIPE_S3_SECRET_KEY"},
    {"secret-key-file", 0, "F", NULL, NULL, cli_opt_secret_file, F(c.secret_key), 0, 0, 0,
     "the secret key is the content of F (mode 0600) (PINPIPE_S3_SECRET_KEY holds the key itself)"},
    {"content-type", 0, "TYPE", NULL, NULL, pp_opt_str, F(content_type), 0, 0, 0, "put: the object's Content-Type"},
    {"delimiter", 0, "STR", NULL, NULL, pp_opt_str, F(lo.delimiter), 0, 0, 0,
     "ls: group keys at STR (e.g. /) into common prefixes"},
    {"max-keys", 0, "N", NULL, NULL, pp_opt_int, F(lo.max_keys), 1, 1000, 0,
     "ls: keys per page request (default the server's)"},
    CLI_ROW_HELP,
};
#undef F

static const char HEAD[] = "usage: pinpipe s3 [options] COMMAND [ARGS]\n"
                           "\n"
                           "Talks to an S3-compatible object store (versitygw, MinIO, AWS S3) with path-style\n"
                           "URLs (ENDPOINT/BUCKET/KEY) and AWS SigV4. Every command works on one bucket.\n"
                           "\n"
                           "commands:\n"
                           "  ls [PREFIX]        list the keys under PREFIX (every page), one per line:\n"
                           "                     SIZE<TAB>LAST-MODIFIED<TAB>KEY; with --delimiter, common\n"
                           "                     prefixes print as -<TAB>-<TAB>PREFIX\n"
                           "  get KEY [FILE|-]   download KEY, streamed, to FILE (written to FILE.part-PID,\n"
                           "                     renamed when complete) or standard output (default, '-')\n"
                           "  put KEY [FILE|-]   upload FILE, or standard input (default, '-'); input that\n"
                           "                     is not a regular file is spooled to a temporary file first\n"
                           "                     (S3 needs the size up front)\n"
                           "  head KEY           print the object's size, etag, last-modified, content-type\n"
                           "  rm KEY             delete KEY (an absent key is not an error)\n"
                           "  mb                 create the bucket (idempotent)\n"
                           "\n"
                           "options (environment variable and default in brackets; flags win):\n";
static const char TAIL[] = "Retries: PINPIPE_S3_MAX_ATTEMPTS, PINPIPE_S3_RETRY_BUDGET_MS and more, see\n"
                           "docs/clients-s3.md. PINPIPE_LOG_LEVEL=debug shows the HTTP exchange.\n"
                           "\n"
                           "exit status: 0 done, 1 error, 2 bad usage, 3 not found (no such key or bucket)\n";
const pp_opts_spec CLI_S3_SPEC = PP_OPTS_SPEC("s3", ROWS, HEAD, TAIL);

static int fail(int rc, const char *err) {
    fprintf(stderr, "pinpipe s3: %s\n", err[0] ? err : pp_strerror(rc));
    return rc == PP_ENOTFOUND ? EXIT_NOTFOUND : 1;
}

static int print_entry(void *ud, const s3_list_entry *e) {
    (void)ud;
    if (e->size < 0)
        printf("-\t-\t%s\n", e->key);
    else
        printf("%lld\t%s\t%s\n", e->size, e->last_modified ? e->last_modified : "-", e->key);
    return ferror(stdout) ? PP_EIO : 0;
}

static int do_ls(s3_client *c, const char *prefix, const s3_list_opts *base) {
    char err[1024] = "";
    s3_list_opts o = *base;
    o.prefix = prefix;
    int rc = s3_list_all(c, &o, print_entry, NULL, err, sizeof err);
    if (fflush(stdout) && !rc) {
        pp_errf(err, sizeof err, "writing standard output: %s", strerror(errno));
        rc = PP_EIO;
    }
    return rc ? fail(rc, err) : 0;
}

static int do_get(s3_client *c, const char *key, const char *path) {
    char err[1024] = "";
    char tmp[4096];
    FILE *out = stdout;
    int to_stdout = !path || !strcmp(path, "-");
    if (!to_stdout) {
        snprintf(tmp, sizeof tmp, "%s.part-%ld", path, (long)getpid());
        if (!(out = fopen(tmp, "wb"))) {
            fprintf(stderr, "pinpipe s3: %s: %s\n", tmp, strerror(errno));
            return 1;
        }
    }
    int rc = s3_get_to_file(c, key, out, NULL, err, sizeof err);
    if (!rc && fflush(out)) {
        pp_errf(err, sizeof err, "writing %s: %s", to_stdout ? "standard output" : tmp, strerror(errno));
        rc = PP_EIO;
    }
    if (!to_stdout) {
        if (fclose(out) && !rc) {
            pp_errf(err, sizeof err, "writing %s: %s", tmp, strerror(errno));
            rc = PP_EIO;
        }
        if (!rc && rename(tmp, path)) {
            pp_errf(err, sizeof err, "renaming %s to %s: %s", tmp, path, strerror(errno));
            rc = PP_EIO;
        }
        if (rc) unlink(tmp);
    }
    return rc ? fail(rc, err) : 0;
}

/* Copies `in` (a pipe, a terminal...) into an anonymous temporary file; returns it
 * rewound, with its size. */
static FILE *spool(FILE *in, const char *name, long long *size) {
    char buf[64 * 1024];
    size_t n;
    FILE *f = tmpfile();
    if (!f) {
        fprintf(stderr, "pinpipe s3: temporary file: %s\n", strerror(errno));
        return NULL;
    }
    while ((n = fread(buf, 1, sizeof buf, in)) > 0) {
        if (fwrite(buf, 1, n, f) != n) {
            fprintf(stderr, "pinpipe s3: spooling %s: %s\n", name, strerror(errno));
            fclose(f);
            return NULL;
        }
    }
    if (ferror(in) || fflush(f) || (*size = ftello(f)) < 0 || fseeko(f, 0, SEEK_SET)) {
        fprintf(stderr, "pinpipe s3: spooling %s: %s\n", name, strerror(errno));
        fclose(f);
        return NULL;
    }
    return f;
}

static int do_put(s3_client *c, const char *key, const char *path, const char *content_type) {
    char err[1024] = "";
    int rc;
    struct stat st;
    int from_stdin = !path || !strcmp(path, "-");
    if (!from_stdin && !stat(path, &st) && S_ISREG(st.st_mode)) {
        rc = s3_put_file(c, key, path, content_type, err, sizeof err); /* streamed as is */
    } else { /* stdin, a pipe, a FIFO: the size is unknown until the end */
        FILE *in = from_stdin ? stdin : fopen(path, "rb");
        if (!in) {
            fprintf(stderr, "pinpipe s3: %s: %s\n", path, strerror(errno));
            return 1;
        }
        long long size = 0;
        FILE *f = spool(in, from_stdin ? "standard input" : path, &size);
        if (!from_stdin) fclose(in);
        if (!f) return 1;
        rc = s3_put_stream(c, key, f, size, content_type, err, sizeof err);
        fclose(f);
    }
    return rc ? fail(rc, err) : 0;
}

static int do_head(s3_client *c, const char *key) {
    char err[1024] = "";
    s3_object_meta m;
    int rc = s3_head(c, key, &m, err, sizeof err);
    if (rc) return fail(rc, err);
    printf("size: %lld\netag: %s\nlast-modified: %s\ncontent-type: %s\n", m.size, m.etag, m.last_modified,
           m.content_type);
    return 0;
}

static int do_rm(s3_client *c, const char *key) {
    char err[1024] = "";
    int rc = s3_delete(c, key, err, sizeof err);
    return rc ? fail(rc, err) : 0;
}

static int do_mb(s3_client *c) {
    char err[1024] = "";
    int rc = s3_create_bucket(c, err, sizeof err);
    return rc ? fail(rc, err) : 0;
}

typedef struct {
    const char *name;
    int min_args, max_args; /* after the command's name */
} subcommand;

static const subcommand SUBS[] = {{"ls", 0, 1},   {"get", 1, 2}, {"put", 1, 2},
                                  {"head", 1, 1}, {"rm", 1, 1},  {"mb", 0, 0}};

int cmd_s3(int argc, char **argv) {
    s3_cfg sc = {0};
    char err[1024] = "";
    s3_config_defaults(&sc.c);
    s3_config_from_env(&sc.c);
    int next, parsed = pp_opts_parse(&CLI_S3_SPEC, &sc, argc, argv, &next);
    if (parsed != PP_OPTS_RUN) return pp_opts_exit(parsed);
    s3_config cfg = sc.c;
    const s3_list_opts lo = sc.lo;
    const char *content_type = sc.content_type;
    if (next >= argc) {
        fprintf(stderr, "pinpipe s3: no command given\n\n");
        pp_opts_usage(stderr, &CLI_S3_SPEC);
        return 2;
    }
    const char *name = argv[next];
    int nargs = argc - next - 1;
    char **args = argv + next + 1;
    const subcommand *sub = NULL;
    for (size_t i = 0; i < sizeof SUBS / sizeof SUBS[0]; i++)
        if (!strcmp(name, SUBS[i].name)) sub = &SUBS[i];
    if (!sub) {
        fprintf(stderr, "pinpipe s3: unknown command '%s'\n\n", name);
        pp_opts_usage(stderr, &CLI_S3_SPEC);
        return 2;
    }
    if (nargs < sub->min_args || nargs > sub->max_args) {
        fprintf(stderr, "pinpipe s3 %s: expected %d to %d arguments, got %d (see --help)\n", name, sub->min_args,
                sub->max_args, nargs);
        return 2;
    }
    if (!cfg.bucket || !*cfg.bucket) {
        fprintf(stderr, "pinpipe s3: no bucket: set PINPIPE_S3_BUCKET or --bucket\n");
        return 2;
    }
    s3_client *client = NULL;
    int rc = s3_client_create(&cfg, &client, err, sizeof err);
    if (rc) {
        fprintf(stderr, "pinpipe s3: %s\n", err);
        return rc == PP_EINVAL ? 2 : 1;
    }
    int status;
    if (!strcmp(name, "ls"))
        status = do_ls(client, nargs ? args[0] : NULL, &lo);
    else if (!strcmp(name, "get"))
        status = do_get(client, args[0], nargs > 1 ? args[1] : NULL);
    else if (!strcmp(name, "put"))
        status = do_put(client, args[0], nargs > 1 ? args[1] : NULL, content_type);
    else if (!strcmp(name, "head"))
        status = do_head(client, args[0]);
    else if (!strcmp(name, "rm"))
        status = do_rm(client, args[0]);
    else
        status = do_mb(client);
    s3_client_destroy(client);
    return status;
}
