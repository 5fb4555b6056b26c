/* pinpipe parity — batch metrics (Cassandra) == stream metrics (PostgreSQL)? */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_secret.h"
#include "cli/cli_opts.h"
#include "cli/commands.h"
#include "common/mem.h"
#include "common/options.h"
#include "common/error.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "event/event_time.h"
#include "event/kind.h"
#include "kafka/kafka_admin.h"
#include "kafka/kafka_conf.h"
#include "common/clock.h"
#include "parity/parity_diff.h"
#include "parity/parity_export.h"
#include "parity/parity_load.h"
#include "pg/pg_conn.h"

#define MAX_DAYS 3660

typedef struct {
    const char *from, *to;
    int json, require_all;
    const char *keyspace, *dsn, *brokers, *topic, *geo_topic, *users_topic, *stream_group;
    const char *run_timeout;  /* checked after parsing: the flag and the variable alike */
    const char *textfile_dir; /* --metrics-textfile-dir */
} parity_cfg;

/* --date D: --from D --to D. */
static int opt_date(const pp_opt *o, void *cfg, const char *val, pp_opt_from from, char *err, size_t errlen) {
    (void)o, (void)from, (void)err, (void)errlen;
    ((parity_cfg *)cfg)->from = ((parity_cfg *)cfg)->to = val;
    return PP_OK;
}

#define F(x) offsetof(parity_cfg, x)
static const pp_opt ROWS[] = {
    {"date", 0, "D", NULL, NULL, opt_date, 0, 0, 0, 0, "one day (same as --from D --to D)"},
    {"from", 0, "D1", NULL, NULL, pp_opt_str, F(from), 0, 0, 0, "first day of a range"},
    {"to", 0, "D2", NULL, NULL, pp_opt_str, F(to), 0, 0, 0,
     "last day of the range (both included, at most " PP_STR(MAX_DAYS) " days)"},
    {"json", 0, NULL, NULL, NULL, pp_opt_true, F(json), 0, 0, 0, "machine-readable output (one JSON object)"},
    {"keyspace", 0, "K", "PINPIPE_CASSANDRA_KEYSPACE", "pinpipe", pp_opt_str, F(keyspace), 0, 0, 0, "batch keyspace"},
    {"dsn", 0, "DSN", "PINPIPE_PG_DSN", NULL, cli_opt_dsn, F(dsn), 0, 0, 0,
     "stream database (default " PP_PG_DEFAULT_DSN "); a password in --dsn is refused (ps shows it): "
     "PINPIPE_PG_DSN, PGPASSWORD or a 0600 PGPASSFILE hold it"},
    {"brokers", 0, "LIST", "PINPIPE_KAFKA_BROKERS", PP_KAFKA_DEFAULT_BROKERS, pp_opt_str, F(brokers), 0, 0,
     PP_OPT_ELSEWHERE, "Kafka bootstrap servers"},
    {"topic", 0, "T", "PINPIPE_TOPIC", PP_KAFKA_DEFAULT_TOPIC, pp_opt_str, F(topic), 0, 0, 0, "the pins topic"},
    {"geo-topic", 0, "T", "PINPIPE_GEO_TOPIC", NULL, pp_opt_str, F(geo_topic), 0, 0, 0,
     "the geo events' topic (docs/joins.md; default: geo when --topic is pins, else none; empty: none)"},
    {"users-topic", 0, "T", "PINPIPE_USERS_TOPIC", NULL, pp_opt_str, F(users_topic), 0, 0, 0,
     "the user events' topic (default: users when --topic is pins, else none; empty: none)"},
    {"stream-group", 0, "G", "PINPIPE_STREAM_GROUP", "pinpipe-stream", pp_opt_str, F(stream_group), 0, 0, 0,
     "the stream's consumer group"},
    {"run-timeout", 0, "S", "PINPIPE_PARITY_RUN_TIMEOUT", "21600", pp_opt_str, F(run_timeout), 0, 0, 0,
     "a batch run still 'running' S seconds after its last write (by Cassandra's clock) is presumed dead"},
    {"require-all", 0, NULL, NULL, NULL, pp_opt_true, F(require_all), 0, 0, 0,
     "a skipped day fails the check too (exit 3)"},
    CLI_ROW_TEXTFILE_DIR(F(textfile_dir)),
    CLI_ROW_HELP,
};
#undef F

static const char HEAD[] = "usage: pinpipe parity (--date D | --from D1 --to D2) [options]\n"
                           "\n"
                           "Compares the batch path's metrics (Cassandra) with the stream path's (PostgreSQL) for\n"
                           "every (metric, day, key) of the days asked for, and prints every difference (metric,\n"
                           "day, key, batch value, stream value) and a one-line verdict. A day is compared only\n"
                           "when both paths consumed the same prefix of every Kafka partition: the stream's\n"
                           "stored offsets equal the lake coverage of the day's newest batch run (the run with\n"
                           "the largest write timestamp, not the latest host clock); other days are skipped,\n"
                           "with the reason.\n"
                           "\n"
                           "A compared day is also checked against Kafka: the topic's partitions and high\n"
                           "watermarks, read when parity runs. Records a path has not read may be of any event\n"
                           "day, so unless both paths read every partition Kafka has up to its high watermark\n"
                           "(a partition added to the topic included), the day is INCOMPLETE: acknowledged\n"
                           "events may be in neither store, and the equal values prove nothing about them.\n"
                           "\n"
                           "options (environment variable and default in brackets; flags win):\n";
static const char TAIL[] = "Cassandra: PINPIPE_CASSANDRA_HOST, _PORT, _USER, _PASSWORD.\n"
                           "\n"
                           "exit status: 0 no difference and every compared day complete, 1 differences,\n"
                           "2 bad usage, 3 days skipped under --require-all (or no day could be compared),\n"
                           "4 a store or Kafka could not be read, 5 no difference but a compared day is\n"
                           "incomplete (Kafka holds records neither path has read)\n";
const pp_opts_spec CLI_PARITY_SPEC = PP_OPTS_SPEC("parity", ROWS, HEAD, TAIL);

typedef struct {
    char day[11];
    int comparable;
    pp_day_decision decision;
    pp_parity_diff diff;
} day_result;

typedef struct {
    size_t compared, skipped, incomplete, differences;
} totals;

static const char *verdict(const totals *t) {
    return t->differences ? "FAIL" : t->incomplete ? "INCOMPLETE" : t->compared ? "PASS" : "NOTHING COMPARED";
}

static void print_text(const day_result *days, size_t n, const totals *t) {
    for (size_t i = 0; i < n; i++) {
        const day_result *d = &days[i];
        if (!d->comparable) {
            printf("SKIP  %s  %s\n", d->day, d->decision.why_not_comparable);
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
        if (!d->decision.complete) printf("INCOMPLETE  %s  %s\n", d->day, d->decision.why_incomplete);
    }
    printf("parity: %s — %zu day(s) compared, %zu skipped, %zu incomplete, %zu difference(s)\n", verdict(t),
           t->compared, t->skipped, t->incomplete, t->differences);
}

static void print_json(const day_result *days, size_t n, const totals *t) {
    pp_strbuf sb;
    pp_sb_init(&sb);
    pp_sb_puts(&sb, "{\"verdict\":");
    pp_sb_json_cstr(&sb,
                    t->differences      ? "fail"
                        : t->incomplete ? "incomplete"
                        : t->compared   ? "pass"
                                        : "nothing_compared");
    pp_sb_printf(&sb,
                 ",\"days_compared\":%zu,\"days_skipped\":%zu,\"days_incomplete\":%zu,\"differences\":%zu,"
                 "\"days\":[",
                 t->compared, t->skipped, t->incomplete, t->differences);
    for (size_t i = 0; i < n; i++) {
        const day_result *d = &days[i];
        pp_sb_puts(&sb, i ? ",{\"day\":" : "{\"day\":");
        pp_sb_json_cstr(&sb, d->day);
        pp_sb_puts(&sb, ",\"status\":");
        pp_sb_json_cstr(&sb,
                        !d->comparable              ? "skipped"
                            : d->diff.n             ? "different"
                            : !d->decision.complete ? "incomplete"
                                                    : "equal");
        /* the day rule's answer: which store answers for the day, and is it final */
        pp_sb_puts(&sb, ",\"authority\":");
        pp_sb_json_cstr(&sb, d->decision.authority == PP_DAY_FROM_BATCH ? "batch" : "stream");
        pp_sb_printf(&sb, ",\"complete\":%s", d->decision.complete ? "true" : "false");
        if (!d->decision.complete) {
            pp_sb_puts(&sb, ",\"incomplete_reason\":");
            pp_sb_json_cstr(&sb, d->decision.why_incomplete);
        }
        if (!d->comparable) {
            pp_sb_puts(&sb, ",\"reason\":");
            pp_sb_json_cstr(&sb, d->decision.why_not_comparable);
        } else {
            pp_sb_printf(&sb, ",\"compared\":%zu,\"differences\":[", d->diff.compared);
            for (size_t k = 0; k < d->diff.n; k++) {
                const pp_parity_difference *x = &d->diff.items[k];
                pp_sb_puts(&sb, k ? ",{\"metric\":" : "{\"metric\":");
                pp_sb_json_cstr(&sb, PP_METRICS[x->metric].name);
                pp_sb_puts(&sb, ",\"key\":");
                pp_sb_json_cstr(&sb, x->key);
                pp_sb_puts(&sb, ",\"batch\":");
                if (x->has_batch)
                    pp_sb_put_i64(&sb, x->batch);
                else
                    pp_sb_puts(&sb, "null");
                pp_sb_puts(&sb, ",\"stream\":");
                if (x->has_stream)
                    pp_sb_put_i64(&sb, x->stream);
                else
                    pp_sb_puts(&sb, "null");
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

/* The verdicts of the days decided (n_decided: all of them, or none when a store could
 * not be read) for the monitoring export. */
static void export_verdicts(const char *dir, const day_result *days, size_t n_decided, int rc) {
    pp_parity_day_verdict *v = pp_xcalloc(n_decided ? n_decided : 1, sizeof *v);
    for (size_t i = 0; i < n_decided; i++) {
        const day_result *d = &days[i];
        snprintf(v[i].day, sizeof v[i].day, "%s", d->day);
        v[i].status = !d->comparable ? PP_PARITY_DAY_SKIPPED
            : d->diff.n              ? PP_PARITY_DAY_DIFFERENT
            : !d->decision.complete  ? PP_PARITY_DAY_INCOMPLETE
                                     : PP_PARITY_DAY_EQUAL;
        v[i].differences = d->comparable ? d->diff.n : 0;
    }
    char why[512];
    if (pp_parity_export_write(dir, v, n_decided, rc, (double)pp_wall_ms() / 1000.0, why, sizeof why))
        PP_WARN("parity", "monitoring export: %s", why);
    free(v);
}

/* The topic's partitions and watermarks, read after the stream's offsets. */
static int kafka_watermarks(const char *brokers, const char *topic, pp_kafka_watermark **wm, size_t *n, char *err,
                            size_t errlen) {
    pp_kafka_conf kc;
    pp_kafka_admin *admin = NULL;
    char why[512];
    int rc = pp_kafka_conf_for(&kc, brokers, topic, "pinpipe-parity", why, sizeof why);
    if (rc == PP_OK) {
        rc = pp_kafka_admin_create(&admin, &kc, why, sizeof why);
        pp_kafka_conf_free(&kc);
    }
    if (rc == PP_OK) rc = pp_kafka_admin_watermarks(admin, topic, 10000, wm, n, why, sizeof why);
    pp_kafka_admin_destroy(admin);
    if (rc) pp_errf(err, errlen, "Kafka: reading the partitions and watermarks of %s: %s", topic, why);
    return rc;
}

int cmd_parity(int argc, char **argv) {
    parity_cfg pc = {0};
    int next, parsed = pp_opts_parse(&CLI_PARITY_SPEC, &pc, argc, argv, &next);
    if (parsed != PP_OPTS_RUN) return pp_opts_exit(parsed);
    const char *from = pc.from, *to = pc.to, *topic = pc.topic, *timeout_s = pc.run_timeout;
    int64_t first, last;
    if (!from || !to || pp_day_parse(from, &first) || pp_day_parse(to, &last) || last < first ||
        (last - first) / 86400000 >= MAX_DAYS) {
        fprintf(stderr, "pinpipe parity: give --date YYYY-MM-DD or --from D1 --to D2 (D1 <= D2, at most %d days)\n",
                MAX_DAYS);
        return 2;
    }
    char *end = NULL;
    long long run_timeout = strtoll(timeout_s, &end, 10);
    if (!*timeout_s || *end || run_timeout < 1 || run_timeout > 365LL * 86400) {
        fprintf(stderr, "pinpipe parity: --run-timeout (PINPIPE_PARITY_RUN_TIMEOUT): seconds, 1..31536000, not '%s'\n",
                timeout_s);
        return 2;
    }
    size_t ndays = (size_t)((last - first) / 86400000) + 1;
    day_result *days = pp_xcalloc(ndays, sizeof *days);
    char err[512];
    pp_cql_config cfg;
    pp_cql_session *cql = NULL;
    pp_pg *pg = NULL;
    const char *names[3] = {topic, pp_kind_topic(PP_KIND_GEO, pc.geo_topic, topic),
                            pp_kind_topic(PP_KIND_USER, pc.users_topic, topic)};
    pp_parity_topic topics[3] = {{0}};
    size_t ntopics = 0;
    int rc = 4;
    if (!days || pp_cql_config_from_env(&cfg, err, sizeof err)) goto out;
    cfg.keyspace = pc.keyspace;
    if (pp_cql_session_create(&cfg, &cql, err, sizeof err) || pp_pg_connect(&pg, pc.dsn, err, sizeof err)) goto out;
    /* the stream's offsets first, Kafka's watermarks after: no store can be ahead of them */
    for (size_t i = 0; i < 3; i++) {
        if (!names[i] || !*names[i]) continue;
        pp_parity_topic *t = &topics[ntopics++];
        pp_parity_offset *offsets = NULL;
        t->topic = names[i];
        if (pp_parity_load_stream_offsets(pg, t->topic, pc.stream_group, &offsets, &t->nstream, err, sizeof err))
            goto out;
        t->stream = offsets;
    }
    for (size_t i = 0; i < ntopics; i++) {
        pp_kafka_watermark *wm = NULL;
        int wrc = kafka_watermarks(pc.brokers, topics[i].topic, &wm, &topics[i].nwm, err, sizeof err);
        if (wrc == PP_ENOTFOUND && i > 0) { /* a geo or users topic nobody created yet: no records */
            PP_INFO("parity", "topic %s does not exist: it holds nothing", topics[i].topic);
            wrc = PP_OK, topics[i].nwm = 0;
        }
        if (wrc) goto out;
        topics[i].wm = wm;
    }

    totals t = {0};
    for (size_t i = 0; i < ndays; i++) {
        day_result *d = &days[i];
        pp_event_day(first + (int64_t)i * 86400000, d->day);
        if (pp_parity_day_decide(cql, d->day, topics, ntopics, run_timeout * 1000, &d->decision, err, sizeof err))
            goto out;
        d->comparable = d->decision.comparable;
        if (!d->comparable) {
            t.skipped++;
            continue;
        }
        pp_agg *batch = pp_agg_create(), *stream = pp_agg_create();
        int lrc = pp_parity_load_batch(cql, d->day, NULL, batch, err, sizeof err);
        if (lrc == PP_OK) lrc = pp_parity_load_stream(pg, d->day, NULL, stream, err, sizeof err);
        if (lrc == PP_OK) pp_parity_compare(batch, stream, &d->diff);
        pp_agg_destroy(batch);
        pp_agg_destroy(stream);
        if (lrc) goto out;
        t.compared++;
        t.differences += d->diff.n;
        if (!d->decision.complete) t.incomplete++;
    }
    if (pc.json)
        print_json(days, ndays, &t);
    else
        print_text(days, ndays, &t);
    rc = t.differences ? 1 : t.incomplete ? 5 : (t.compared == 0 || (pc.require_all && t.skipped)) ? 3 : 0;
    err[0] = '\0';
out:
    if (rc == 4) fprintf(stderr, "pinpipe parity: %s\n", err);
    if (pc.textfile_dir && days) export_verdicts(pc.textfile_dir, days, rc == 4 ? 0 : ndays, rc);
    for (size_t i = 0; days && i < ndays; i++) pp_parity_diff_free(&days[i].diff);
    free(days);
    for (size_t i = 0; i < ntopics; i++) {
        free((void *)topics[i].stream);
        free((void *)topics[i].wm);
    }
    pp_cql_session_destroy(cql);
    pp_pg_destroy(pg);
    return rc;
}
