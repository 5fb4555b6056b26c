/* pinpipe-emulate — deterministic user-posting emulator (load generator).
 *
 * Wires options -> stream (the generator's pins, or with --kinds all the posts'
 * three kinds in the order sent: stream.h) -> a sink: the file (JSONL, or the
 * mixed format with --kinds all), the API (sink_http) or Kafka (sink_kafka); the
 * stream feeds the manifest.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/log.h"
#include "event/kind.h"
#include "manifest.h"
#include "mixed.h"
#include "options.h"
#include "sink_http.h"
#include "sink_kafka.h"
#include "stream.h"

#define OUT_BUFFER (1u << 20)

/* Target mode; returns the exit status: 0 all acknowledged, 3 some not, 1 error. */
static int run_http(const pp_emu_options *o, pp_emu_stream *gen, char *err, size_t errlen) {
    pp_emu_http_opts ho = {o->target, o->concurrency, o->rate, o->retries, o->token};
    pp_emu_http_stats st;
    if (pp_emu_http_run(gen, &ho, &st, err, errlen)) return 1;
    printf("emulate: target %s: %llu sent, %llu acknowledged, %llu rejected, %llu failed, %llu retries, "
           "%llu requests in %.2f s (%.0f acknowledged/s, p50 %.1f ms, p99 %.1f ms)\n",
           o->target, (unsigned long long)st.sent, (unsigned long long)st.acked, (unsigned long long)st.rejected,
           (unsigned long long)st.failed, (unsigned long long)st.retries, (unsigned long long)st.requests, st.seconds,
           st.seconds > 0 ? (double)st.acked / st.seconds : 0.0, st.p50_ms, st.p99_ms);
    return st.failed ? 3 : 0;
}

/* Direct mode; returns 0 all delivered, 3 some not, 1 error. */
static int run_kafka(const pp_emu_options *o, pp_emu_stream *gen, char *err, size_t errlen) {
    pp_emu_kafka_stats st;
    if (pp_emu_kafka_run(gen, o, &st, err, errlen)) return 1;
    const char *geo = pp_kind_topic(PP_KIND_GEO, o->geo_topic, o->topic);
    const char *users = pp_kind_topic(PP_KIND_USER, o->users_topic, o->topic);
    char topics[512];
    if (o->kinds == PP_KINDS_ALL)
        snprintf(topics, sizeof topics, "topics %s, %s, %s", o->topic, geo ? geo : "-", users ? users : "-");
    else
        snprintf(topics, sizeof topics, "topic %s", o->topic);
    printf("emulate: kafka %s %s: %llu sent, %llu delivered, %llu failed in %.2f s\n", o->kafka, topics,
           (unsigned long long)st.sent, (unsigned long long)st.delivered, (unsigned long long)st.failed, st.seconds);
    return st.failed || st.delivered != st.sent ? 3 : 0;
}

int main(int argc, char **argv) {
    char err[256] = "";
    int status = 1;
    pp_emu_options o;
    pp_emu_stream *gen = NULL;
    pp_manifest *man = NULL;
    FILE *out = NULL;
    static char obuf[OUT_BUFFER]; /* static: stdout may still use it at exit */

    pp_log_init_from_env();
    pp_emu_options_defaults(&o);
    if (pp_emu_options_from_env(&o, err, sizeof err) || pp_emu_options_parse(&o, argc, argv, err, sizeof err)) {
        fprintf(stderr, "pinpipe-emulate: %s\n", err);
        return 2;
    }
    if (o.help) {
        pp_emu_options_usage(stdout);
        return 0;
    }

    if (o.manifest_path && pp_manifest_create(&o, &man, err, sizeof err)) goto fail;
    if (pp_emu_stream_create(&o, man, &gen, err, sizeof err)) goto fail;
    if (o.target || o.kafka) {
        status = o.target ? run_http(&o, gen, err, sizeof err) : run_kafka(&o, gen, err, sizeof err);
        if (status == 1) goto fail;
        if (man && pp_manifest_write(man, o.manifest_path, err, sizeof err)) goto fail;
        goto done;
    }
    if (o.out_path && !strcmp(o.out_path, "-")) o.out_path = NULL; /* "-": standard output */
    out = o.out_path ? fopen(o.out_path, "wb") : stdout;
    if (!out) {
        pp_errf(err, sizeof err, "cannot create %s: %s", o.out_path, strerror(errno));
        goto fail;
    }
    setvbuf(out, obuf, _IOFBF, sizeof obuf);

    pp_emu_out ev;
    uint64_t written = 0, invalid = 0;
    int rc;
    while ((rc = pp_emu_stream_next(gen, &ev)) == 1) {
        int bad = o.kinds == PP_KINDS_ALL ? pp_emu_mixed_write(out, &ev) == EOF
                                          : fwrite(ev.line, 1, ev.len, out) != ev.len || putc('\n', out) == EOF;
        if (bad) {
            pp_errf(err, sizeof err, "writing %s: %s", o.out_path ? o.out_path : "standard output", strerror(errno));
            goto fail;
        }
        written++;
        invalid += !ev.valid;
    }
    if (rc < 0) {
        pp_errf(err, sizeof err, "event %llu did not fit the line buffer", (unsigned long long)written);
        goto fail;
    }
    int bad = fflush(out) != 0 || ferror(out);
    if (out != stdout) bad |= fclose(out) != 0;
    out = NULL;
    if (bad) {
        pp_errf(err, sizeof err, "writing %s: %s", o.out_path ? o.out_path : "standard output", strerror(errno));
        goto fail;
    }
    if (man && pp_manifest_write(man, o.manifest_path, err, sizeof err)) goto fail;
    PP_INFO("emulate", "wrote %llu events (%llu invalid) to %s%s%s", (unsigned long long)written,
            (unsigned long long)invalid, o.out_path ? o.out_path : "standard output", man ? ", manifest " : "",
            man ? o.manifest_path : "");
    status = 0;
    goto done;
fail:
    fprintf(stderr, "pinpipe-emulate: %s\n", err);
done:
    if (out && out != stdout)
        fclose(out);
    else if (out)
        fflush(out);
    pp_emu_stream_destroy(gen);
    pp_manifest_destroy(man);
    return status;
}
