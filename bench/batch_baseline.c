/* batch_baseline — the Cassandra baselines of bench/bench-batch.sh, through the same
 * CQL client and writer (src/batch/batch_writer.h) as `pinpipe batch`:
 *
 *   batch_baseline plain KEYSPACE ROWS CONCURRENCY BYTES
 *       ROWS plain single-row INSERTs of BYTES of text each, every row its own
 *       partition, CONCURRENCY in flight: Cassandra's write rate with this client.
 *   batch_baseline pins KEYSPACE CLEANED.jsonl CONCURRENCY GROUP_ROWS DAY
 *       the first occurrence of each (event day, unique_id) of a `pinpipe clean`
 *       output written exactly as the batch writes pins (batch_store.h: the day's
 *       bucket partitions, UNLOGGED single-partition groups, explicit timestamps), without
 *       reading the lake or cleaning: the batch's write path alone.
 *
 * Prints `rows=N seconds=S rows_per_s=R`. Built and run by bench/bench-batch.sh;
 * the keyspace is the caller's to drop.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "batch/batch_schema.h"
#include "batch/batch_store.h"
#include "batch/batch_writer.h"
#include "clean/pin.h"
#include "common/error.h"
#include "common/line_reader.h"
#include "common/log.h"
#include "cql/cql_session.h"
#include "metrics/dedup.h"

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int die(const char *what, const char *err) {
    fprintf(stderr, "batch_baseline: %s: %s\n", what, err);
    return 1;
}

static int plain(pp_cql_session *s, const char *ks, long rows, int conc, long bytes) {
    char err[1024], cql[512];
    snprintf(cql, sizeof cql, "CREATE TABLE IF NOT EXISTS %s.baseline_plain (id bigint PRIMARY KEY, payload text)", ks);
    if (pp_cql_query(s, cql, NULL, 0, NULL, err, sizeof err)) return die("create table", err);
    snprintf(cql, sizeof cql, "INSERT INTO %s.baseline_plain (id, payload) VALUES (?, ?)", ks);
    const pp_cql_prepared *ins;
    if (pp_cql_prepare(s, cql, &ins, err, sizeof err)) return die("prepare", err);
    char *payload = malloc((size_t)bytes + 1);
    memset(payload, 'x', (size_t)bytes);
    payload[bytes] = '\0';
    pp_batch_writer *w;
    pp_batch_writer_opts o = {.max_inflight = conc, .group_rows = 1};
    if (pp_batch_writer_create(&w, s, &o)) return die("writer", "out of memory");
    double t0 = now_s();
    int rc = PP_OK;
    for (long i = 0; i < rows && rc == PP_OK; i++) {
        pp_cql_value v[2] = {pp_cql_bigint(i), pp_cql_textn(payload, (size_t)bytes)};
        rc = pp_batch_writer_add(w, 0, ins, v, 2, err, sizeof err);
    }
    if (rc == PP_OK) rc = pp_batch_writer_drain(w, err, sizeof err);
    double secs = now_s() - t0;
    pp_batch_writer_destroy(w);
    free(payload);
    if (rc) return die("insert", err);
    printf("rows=%ld seconds=%.3f rows_per_s=%.0f\n", rows, secs, (double)rows / secs);
    return 0;
}

static int pins(pp_cql_session *s, const char *ks, const char *path, int conc, int group, const char *day) {
    char err[1024];
    if (pp_batch_schema_ensure(s, ks, 1, err, sizeof err)) return die("schema", err);
    FILE *in = fopen(path, "rb");
    if (!in) return die(path, "cannot open");
    /* the pins to write, first occurrence per pair, read before the clock starts */
    pp_dedup *seen = pp_dedup_create();
    pp_line_reader *r = pp_line_reader_create(in, 1 << 24);
    pp_pin *list = NULL;
    size_t n = 0, cap = 0;
    const char *line;
    size_t len, lineno;
    pp_line_status st;
    while ((st = pp_line_reader_next(r, &line, &len, &lineno)) != PP_LINE_EOF) {
        if (st != PP_LINE_OK || len == 0) continue;
        pp_pin p;
        if (pp_pin_from_json(&p, line, len, err, sizeof err)) return die(path, err);
        if (strcmp(p.event_day, day) != 0 || !pp_dedup_add(seen, p.event_day, p.text[PP_F_UNIQUE_ID])) {
            pp_pin_clear(&p);
            continue;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 4096;
            list = realloc(list, cap * sizeof *list);
        }
        list[n++] = p;
    }
    pp_line_reader_destroy(r);
    fclose(in);
    pp_dedup_destroy(seen);

    pp_batch_store *store;
    pp_batch_writer_opts o = {.max_inflight = conc, .group_rows = group};
    if (pp_batch_store_create(&store, s, ks, &o, err, sizeof err)) return die("store", err);
    pp_batch_summary run;
    memset(&run, 0, sizeof run);
    snprintf(run.day, sizeof run.day, "%s", day);
    run.status = "baseline";
    double t0 = now_s();
    int rc = pp_batch_store_begin(store, &run, err, sizeof err);
    if (rc == PP_OK) rc = pp_batch_store_clear(store, err, sizeof err);
    for (size_t i = 0; i < n && rc == PP_OK; i++) {
        pp_batch_origin origin = {"pins", 0, (int64_t)i, list[i].event_time_ms, "baseline", 0};
        rc = pp_batch_store_pin(store, &list[i], &origin, err, sizeof err);
    }
    if (rc == PP_OK) rc = pp_batch_store_drain(store, err, sizeof err);
    double secs = now_s() - t0;
    pp_batch_store_destroy(store);
    for (size_t i = 0; i < n; i++) pp_pin_clear(&list[i]);
    free(list);
    if (rc) return die("write", err);
    printf("rows=%zu seconds=%.3f rows_per_s=%.0f\n", n, secs, (double)n / secs);
    return 0;
}

int main(int argc, char **argv) {
    pp_log_init_from_env();
    int is_plain = argc == 6 && strcmp(argv[1], "plain") == 0;
    int is_pins = argc == 7 && strcmp(argv[1], "pins") == 0;
    if (!is_plain && !is_pins) {
        fprintf(stderr,
                "usage: batch_baseline plain KEYSPACE ROWS CONCURRENCY BYTES\n"
                "       batch_baseline pins KEYSPACE CLEANED.jsonl CONCURRENCY GROUP_ROWS DAY\n");
        return 2;
    }
    char err[1024];
    pp_cql_config cfg;
    if (pp_cql_config_from_env(&cfg, err, sizeof err)) return die("settings", err);
    if (cfg.max_streams < atoi(argv[4]) + 8) cfg.max_streams = atoi(argv[4]) + 8;
    pp_cql_session *s;
    if (pp_cql_session_create(&cfg, &s, err, sizeof err)) return die("connect", err);
    int rc;
    if (is_plain) {
        char cql[256];
        snprintf(cql, sizeof cql,
                 "CREATE KEYSPACE IF NOT EXISTS %s WITH replication = {'class': 'SimpleStrategy', "
                 "'replication_factor': 1}",
                 argv[2]);
        rc = pp_batch_keyspace_valid(argv[2]) && !pp_cql_query(s, cql, NULL, 0, NULL, err, sizeof err)
            ? plain(s, argv[2], atol(argv[3]), atoi(argv[4]), atol(argv[5]))
            : die("keyspace", err);
    } else {
        rc = pins(s, argv[2], argv[3], atoi(argv[4]), atoi(argv[5]), argv[6]);
    }
    pp_cql_session_destroy(s);
    return rc;
}
