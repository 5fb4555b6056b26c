/* pinpipe parity — batch metrics (Cassandra) == stream metrics (PostgreSQL)? */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "common/config.h"
#include "common/error.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "event/event_time.h"
#include "parity/parity_diff.h"
#include "parity/parity_load.h"

#define MAX_DAYS 3660

static void usage(FILE *out) {
    fprintf(out,
            "usage: pinpipe parity (--date D | --from D1 --to D2) [options]\n"
            "\n"
            "Compares the batch path's metrics (Cassandra) with the stream path's (PostgreSQL) for\n"
            "every (metric, day, key) of the days asked for, and prints every difference (metric,\n"
            "day, key, batch value, stream value) and a one-line verdict. A day is compared only\n"
            "when both paths consumed the same prefix of every Kafka partition: the stream's\n"
            "stored offsets equal the lake coverage of the day's newest batch run; other days\n"
            "are skipped, with the reason.\n"
            "\n"
            "options (environment variable in brackets):\n"
            "  --json                 machine-readable output (one JSON object)\n"
            "  --keyspace K           batch keyspace [PINPIPE_CASSANDRA_KEYSPACE] (pinpipe)\n"
            "  --dsn DSN              stream database [PINPIPE_PG_DSN]\n"
            "  --topic T              [PINPIPE_TOPIC] (pins)\n"
            "  --stream-group G       the stream's consumer group [PINPIPE_STREAM_GROUP] (pinpipe-stream)\n"
            "  --require-all          a skipped day fails the check too (exit 3)\n"
            "Cassandra: PINPIPE_CASSANDRA_HOST, _PORT, _USER, _PASSWORD.\n"
            "\n"
            "exit status: 0 no difference, 1 differences, 2 bad usage, 3 days skipped under\n"
            "--require-all (or no day could be compared), 4 a store could not be read\n");
}

typedef struct {
    char day[11];
    int comparable;
    char reason[256];
    pp_parity_diff diff;
} day_result;

static void print_text(const day_result *days, size_t n, size_t compared, size_t skipped, size_t differences) {
    for (size_t i = 0; i < n; i++) {
        const day_result *d = &days[i];
        if (!d->comparable) {
            printf("SKIP  %s  %s\n", d->day, d->reason);
            continue;
        }
        for (size_t k = 0; k < d->diff.n; k++) {
            const pp_parity_difference *x = &d->diff.items[k];
            char b[24] = "missing", s[24] = "missing";
            if (x->has_batch) snprintf(b, sizeof b, "%lld", (long long)x->batch);
            if (x->has_stream) snprintf(s, sizeof s, "%lld", (long long)x->stream);
            printf("DIFF  %s  %-26s key=%s  batch=%s  stream=%s\n", x->day, PP_METRICS[x->metric].name, x->key, b, s);
        }
        printf("%s  %s  %zu values compared\n", d->diff.n ? "FAIL" : "OK  ", d->day, d->diff.compared);
    }
    printf("parity: %s — %zu day(s) compared, %zu skipped, %zu difference(s)\n",
           differences ? "FAIL" : compared ? "PASS" : "NOTHING COMPARED", compared, skipped, differences);
}

static void print_json(const day_result *days, size_t n, size_t compared, size_t skipped, size_t differences) {
    pp_strbuf sb;
    pp_sb_init(&sb);
    pp_sb_puts(&sb, "{\"verdict\":");
    pp_sb_json_cstr(&sb, differences ? "fail" : compared ? "pass" : "nothing_compared");
    pp_sb_printf(&sb, ",\"days_compared\":%zu,\"days_skipped\":%zu,\"differences\":%zu,\"days\":[", compared, skipped,
                 differences);
    for (size_t i = 0; i < n; i++) {
        const day_result *d = &days[i];
        pp_sb_puts(&sb, i ? ",{\"day\":" : "{\"day\":");
        pp_sb_json_cstr(&sb, d->day);
        pp_sb_puts(&sb, ",\"status\":");
        pp_sb_json_cstr(&sb, !d->comparable ? "skipped" : d->diff.n ? "different" : "equal");
        if (!d->comparable) {
            pp_sb_puts(&sb, ",\"reason\":");
            pp_sb_json_cstr(&sb, d->reason);
        } else {
            pp_sb_printf(&sb, ",\"compared\":%zu,\"differences\":[", d->diff.compared);
            for (size_t k = 0; k < d->diff.n; k++) {
                const pp_parity_difference *x = &d->diff.items[k];
                pp_sb_puts(&sb, k ? ",{\"metric\":" : "{\"metric\":");
                pp_sb_json_cstr(&sb, PP_METRICS[x->metric].name);
                pp_sb_puts(&sb, ",\"key\":");
                pp_sb_json_cstr(&sb, x->key);
                pp_sb_puts(&sb, ",\"batch\":");
                if (x->has_batch) pp_sb_put_i64(&sb, x->batch); else pp_sb_puts(&sb, "null");
                pp_sb_puts(&sb, ",\"stream\":");
                if (x->has_stream) pp_sb_put_i64(&sb, x->stream); else pp_sb_puts(&sb, "null");
                pp_sb_putc(&sb, '}');
            }
            pp_sb_putc(&sb, ']');
        }
        pp_sb_putc(&sb, '}');
    }
    pp_sb_puts(&sb, "]}\n");
    fwrite(sb.data, 1, sb.len, stdout);
    pp_sb_free(&sb);
}

int cmd_parity(int argc, char **argv) {
    static const struct option OPTS[] = {
        {"date", required_argument, 0, 'd'},  {"from", required_argument, 0, 'f'},
        {"to", required_argument, 0, 't'},    {"json", no_argument, 0, 'j'},
        {"keyspace", required_argument, 0, 'k'}, {"dsn", required_argument, 0, 'D'},
        {"topic", required_argument, 0, 'T'}, {"stream-group", required_argument, 0, 'g'},
        {"require-all", no_argument, 0, 'r'}, {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    const char *from = NULL, *to = NULL;
    const char *keyspace = pp_env_str("PINPIPE_CASSANDRA_KEYSPACE", "pinpipe");
    const char *dsn = pp_env_str("PINPIPE_PG_DSN", NULL);
    const char *topic = pp_env_str("PINPIPE_TOPIC", "pins");
    const char *group = pp_env_str("PINPIPE_STREAM_GROUP", "pinpipe-stream");
    int json = 0, require_all = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", OPTS, NULL)) != -1) {
        switch (c) {
        case 'd': from = to = optarg; break;
        case 'f': from = optarg; break;
        case 't': to = optarg; break;
        case 'j': json = 1; break;
        case 'k': keyspace = optarg; break;
        case 'D': dsn = optarg; break;
        case 'T': topic = optarg; break;
        case 'g': group = optarg; break;
        case 'r': require_all = 1; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    int64_t first, last;
    if (!from || !to || pp_day_parse(from, &first) || pp_day_parse(to, &last) || last < first ||
        (last - first) / 86400000 >= MAX_DAYS) {
        fprintf(stderr, "pinpipe parity: give --date YYYY-MM-DD or --from D1 --to D2 (D1 <= D2, at most %d days)\n",
                MAX_DAYS);
        return 2;
    }
    size_t ndays = (size_t)((last - first) / 86400000) + 1;
    day_result *days = calloc(ndays, sizeof *days);
    char err[512];
    pp_cql_config cfg;
    pp_cql_session *cql = NULL;
    pp_pg *pg = NULL;
    int rc = 4;
    if (!days || pp_cql_config_from_env(&cfg, err, sizeof err)) goto out;
    cfg.keyspace = keyspace;
    if (pp_cql_session_create(&cfg, &cql, err, sizeof err) || pp_pg_connect(&pg, dsn, err, sizeof err)) goto out;

    size_t compared = 0, skipped = 0, differences = 0;
    for (size_t i = 0; i < ndays; i++) {
        day_result *d = &days[i];
        pp_event_day(first + (int64_t)i * 86400000, d->day);
        int ok = pp_parity_day_comparable(cql, pg, d->day, topic, group, d->reason, sizeof d->reason, err, sizeof err);
        if (ok < 0) goto out;
        d->comparable = ok;
        if (!ok) {
            skipped++;
            continue;
        }
        pp_agg *batch = pp_agg_create(), *stream = pp_agg_create();
        int lrc = pp_parity_load_batch(cql, d->day, batch, err, sizeof err);
        if (lrc == PP_OK) lrc = pp_parity_load_stream(pg, d->day, stream, err, sizeof err);
        if (lrc == PP_OK) pp_parity_compare(batch, stream, &d->diff);
        pp_agg_destroy(batch);
        pp_agg_destroy(stream);
        if (lrc) goto out;
        compared++;
        differences += d->diff.n;
    }
    if (json)
        print_json(days, ndays, compared, skipped, differences);
    else
        print_text(days, ndays, compared, skipped, differences);
    rc = differences ? 1 : (compared == 0 || (require_all && skipped)) ? 3 : 0;
    err[0] = '\0';
out:
    if (rc == 4) fprintf(stderr, "pinpipe parity: %s\n", err);
    for (size_t i = 0; days && i < ndays; i++) pp_parity_diff_free(&days[i].diff);
    free(days);
    pp_cql_session_destroy(cql);
    pp_pg_destroy(pg);
    return rc;
}
