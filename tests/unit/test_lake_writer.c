/* Specification of the lake writer (src/lake/lake_writer.h) against an in-memory
 * store: records are filed by (partition, event day) as the cleaning engine says,
 * objects close at their limits and are named by their first record, a failed store
 * loses nothing and commits nothing past it, and the committed offset of a
 * partition never passes a record that is not in a stored object. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <zlib.h>

#include "common/error.h"
#include "lake/lake_day.h"
#include "lake/lake_writer.h"
#include "contract/message.h"

#define EVENT(uid, ts)                                                                                            \
    "{\"index\": 1, \"unique_id\": \"" uid "\", \"title\": \"t\", \"description\": \"d\", "                       \
    "\"follower_count\": \"6k\", \"tag_list\": \"a,b\", \"is_image_or_video\": \"image\", \"image_src\": \"x\", " \
    "\"downloaded\": 1, \"save_location\": \"Local save in /data/x\", \"category\": \"art\"" ts "}"
#define TS(s) ", \"timestamp\": \"" s "\""

/* 2026-01-05 12:00:00 UTC, the ingest time of every test message */
#define INGEST "1767614400000"
static const pp_kafka_header HDR[] = {{PP_HDR_INGEST_TIME, INGEST, sizeof INGEST - 1}};

/* ---- the in-memory store -------------------------------------------------------- */
typedef struct {
    char key[256];
    char *data;
    size_t len;
} stored;

typedef struct {
    stored objs[64];
    size_t n;
    int fail; /* the next `fail` puts fail */
} store;

static int put(void *ud, const char *key, const void *data, size_t len, char *err, size_t errlen) {
    store *s = ud;
    if (s->fail > 0) {
        s->fail--;
        pp_errf(err, errlen, "S3 PUT %s: connection refused", key);
        return PP_EIO;
    }
    assert_true(s->n < 64);
    stored *o = &s->objs[s->n++];
    snprintf(o->key, sizeof o->key, "%s", key);
    o->data = malloc(len + 1);
    memcpy(o->data, data, len);
    o->data[len] = '\0';
    o->len = len;
    return PP_OK;
}

static void store_free(store *s) {
    for (size_t i = 0; i < s->n; i++) free(s->objs[i].data);
    s->n = 0;
}

static const stored *find_key(const store *s, const char *key) {
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->objs[i].key, key) == 0) return &s->objs[i];
    return NULL;
}

static size_t count_lines(const char *s) {
    size_t n = 0;
    for (; *s; s++) n += *s == '\n';
    return n;
}

static pp_lake_writer *writer(store *s, long max_records, long max_age_ms, int gzip) {
    pp_lake_writer_opts o;
    memset(&o, 0, sizeof o);
    o.prefix = "raw";
    o.gzip = gzip;
    o.limits.max_records = max_records;
    o.limits.max_bytes = 1 << 20;
    o.limits.max_age_ms = max_age_ms;
    pp_clean_opts_default(&o.clean);
    o.put = put;
    o.put_ud = s;
    pp_lake_writer *w = NULL;
    char err[256];
    assert_int_equal(pp_lake_writer_create(&w, &o, err, sizeof err), PP_OK);
    pp_lake_writer_assign(w, "pins", 0);
    pp_lake_writer_assign(w, "pins", 1);
    return w;
}

static pp_kafka_message msg(int32_t partition, int64_t offset, const char *value) {
    pp_kafka_message m = {.topic = "pins",
                          .partition = partition,
                          .offset = offset,
                          .key = "k",
                          .key_len = 1,
                          .value = value,
                          .value_len = strlen(value),
                          .headers = HDR,
                          .nheaders = 1,
                          .timestamp_ms = -1};
    return m;
}

static int add(pp_lake_writer *w, int32_t partition, int64_t offset, const char *value, int64_t now) {
    pp_kafka_message m = msg(partition, offset, value);
    return pp_lake_writer_add(w, &m, now);
}

/* The one owed commit of partition p, or -1. */
static int64_t owed(pp_lake_writer *w, int32_t p) {
    const pp_kafka_partition *c;
    size_t n = pp_lake_writer_commits(w, "pins", p, &c);
    assert_true(n <= 1);
    return n ? c[0].offset : -1;
}

static void commit(pp_lake_writer *w) {
    const pp_kafka_partition *c;
    size_t n = pp_lake_writer_commits(w, NULL, 0, &c);
    pp_lake_writer_committed(w, c, n);
}

/* ---- the event day ---------------------------------------------------------------- */
static void the_day_is_the_cleaning_engines(void **state) {
    (void)state;
    pp_clean_opts o;
    pp_clean_opts_default(&o);
    static const struct {
        const char *what, *value;
        int64_t ingest;
        const char *day;
    } CASES[] = {
        {"a pin: its timestamp's day", EVENT("u", TS("2026-01-02 23:59:59")), 1767614400000LL, "2026-01-02"},
        {"a pin without timestamp: the ingest day", EVENT("u", ""), 1767614400000LL, "2026-01-05"},
        {"a reject with a readable timestamp: its day",
         "{\"unique_id\": \"u\", \"timestamp\": \"2026-01-03 01:00:00\"}", 1767614400000LL, "2026-01-03"},
        {"a reject that is not JSON: the ingest day", "not json", 1767614400000LL, "2026-01-05"},
        {"an unreadable timestamp: the ingest day", EVENT("u", TS("yesterday")), 1767614400000LL, "2026-01-05"},
        {"no time at all", "not json", -1, PP_LAKE_NO_TIME_DAY},
        {"an empty value", "", 1767614400000LL, "2026-01-05"},
        /* 10000-01-01T04:59:59Z in UTC: out of the event-time range, the ingest day
         * (this came out as "0000-01-01", a key the writer refused forever) */
        {"a timestamp past the range: the ingest day", EVENT("u", TS("9999-12-31T23:59:59-05:00")), 1767614400000LL,
         "2026-01-05"},
        {"an ingest time past the range: no time", "not json", 253402300800000LL, PP_LAKE_NO_TIME_DAY},
    };
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        char day[11];
        pp_lake_event_day(PP_KIND_PIN, CASES[i].value, strlen(CASES[i].value), CASES[i].ingest, &o, day);
        if (strcmp(day, CASES[i].day) != 0) fail_msg("%s: got %s, want %s", CASES[i].what, day, CASES[i].day);
    }
}

/* ---- filing and naming -------------------------------------------------------------- */
/* The poison pill of issue 10: a record whose timestamp is past the event-time range
 * is stored (under its ingest day) and the partition's offset moves past it. */
static void a_timestamp_past_the_range_is_stored_and_committed(void **state) {
    (void)state;
    store s = {0};
    pp_lake_writer *w = writer(&s, 1000, 10000, 0);
    char err[256];
    assert_int_equal(add(w, 0, 7, EVENT("x", TS("9999-12-31T23:59:59-05:00")), 0), 0);
    assert_int_equal(add(w, 0, 8, EVENT("y", TS("2026-01-01 10:00:00")), 0), 0);
    assert_int_equal(pp_lake_writer_flush(w, PP_LAKE_FLUSH_ALL, NULL, 0, 0, err, sizeof err), PP_OK);
    assert_non_null(find_key(&s, "raw/dt=2026-01-05/pins-0000-00000000000000000007.jsonl"));
    assert_non_null(find_key(&s, "raw/dt=2026-01-01/pins-0000-00000000000000000008.jsonl"));
    assert_int_equal(owed(w, 0), 9);
    pp_lake_writer_destroy(w);
    store_free(&s);
}

static void records_are_filed_by_partition_and_event_day(void **state) {
    (void)state;
    store s = {0};
    pp_lake_writer *w = writer(&s, 1000, 10000, 0);
    assert_int_equal(add(w, 0, 0, EVENT("a", TS("2026-01-01 10:00:00")), 0), 0);
    assert_int_equal(add(w, 0, 1, EVENT("b", TS("2026-01-02 10:00:00")), 0), 0);
    assert_int_equal(add(w, 0, 2, EVENT("c", TS("2026-01-01 11:00:00")), 0), 0);
    assert_int_equal(add(w, 0, 3, "not json", 0), 0); /* a reject: the ingest day */
    assert_int_equal(add(w, 1, 40, EVENT("d", TS("2026-01-01 12:00:00")), 0), 0);
    assert_int_equal(pp_lake_writer_open_objects(w), 4);
    assert_int_equal(pp_lake_writer_open_records(w), 5);
    char err[256];
    assert_int_equal(pp_lake_writer_flush(w, PP_LAKE_FLUSH_ALL, NULL, 0, 0, err, sizeof err), PP_OK);
    assert_int_equal(s.n, 4);
    const stored *day1 = find_key(&s, "raw/dt=2026-01-01/pins-0000-00000000000000000000.jsonl");
    assert_non_null(day1);
    assert_int_equal(count_lines(day1->data), 2);
    assert_non_null(strstr(day1->data, "\"offset\":0,"));
    assert_non_null(strstr(day1->data, "\"offset\":2,"));
    assert_true(strstr(day1->data, "\"offset\":0,") < strstr(day1->data, "\"offset\":2,")); /* offset order */
    assert_non_null(find_key(&s, "raw/dt=2026-01-02/pins-0000-00000000000000000001.jsonl"));
    const stored *rej = find_key(&s, "raw/dt=2026-01-05/pins-0000-00000000000000000003.jsonl");
    assert_non_null(rej);
    assert_string_equal(rej->data,
                        "{\"topic\":\"pins\",\"kind\":\"pin\",\"partition\":0,\"offset\":3,\"ingest_time\":" INGEST
                        ",\"key\":\"k\",\"raw\":\"not json\"}\n");
    assert_non_null(find_key(&s, "raw/dt=2026-01-01/pins-0001-00000000000000000040.jsonl"));
    assert_int_equal(pp_lake_writer_open_objects(w), 0);
    pp_lake_writer_destroy(w);
    store_free(&s);
}

/* The three topics through one writer: each record filed under its own kind's event
 * day, objects named by their topic, lines naming their kind; commits per topic. */
static void kinds_are_filed_by_topic_and_their_own_event_day(void **state) {
    (void)state;
    store s = {0};
    pp_lake_writer *w = writer(&s, 1000, 10000, 0);
    pp_lake_writer_assign(w, "geo", 0);
    pp_lake_writer_assign(w, "users", 0);
    static const pp_kafka_header GEO[] = {{PP_HDR_INGEST_TIME, INGEST, sizeof INGEST - 1}, {PP_HDR_KIND, "geo", 3}};
    static const pp_kafka_header USER[] = {{PP_HDR_INGEST_TIME, INGEST, sizeof INGEST - 1}, {PP_HDR_KIND, "user", 4}};
    static const char G[] = "{\"ind\": 7, \"timestamp\": \"2026-01-01 10:00:00\", \"latitude\": 1.5, "
                            "\"longitude\": 2, \"country\": \"France\"}";
    static const char U[] = "{\"ind\": 7, \"first_name\": \"A\", \"last_name\": \"B\", \"age\": 30, "
                            "\"date_joined\": \"2020-01-01 00:00:00\"}"; /* no timestamp: the ingest day */
    pp_kafka_message g = {.topic = "geo",
                          .partition = 0,
                          .offset = 5,
                          .key = "7",
                          .key_len = 1,
                          .value = G,
                          .value_len = sizeof G - 1,
                          .headers = GEO,
                          .nheaders = 2,
                          .timestamp_ms = -1};
    pp_kafka_message u = {.topic = "users",
                          .partition = 0,
                          .offset = 9,
                          .key = "7",
                          .key_len = 1,
                          .value = U,
                          .value_len = sizeof U - 1,
                          .headers = USER,
                          .nheaders = 2,
                          .timestamp_ms = -1};
    assert_int_equal(pp_lake_writer_add(w, &g, 0), 0);
    assert_int_equal(pp_lake_writer_add(w, &u, 0), 0);
    assert_int_equal(add(w, 0, 0, EVENT("a", TS("2026-01-01 10:00:00")), 0), 0);
    char err[256];
    assert_int_equal(pp_lake_writer_flush(w, PP_LAKE_FLUSH_ALL, NULL, 0, 0, err, sizeof err), PP_OK);
    const stored *go = find_key(&s, "raw/dt=2026-01-01/geo-0000-00000000000000000005.jsonl");
    const stored *uo = find_key(&s, "raw/dt=2026-01-05/users-0000-00000000000000000009.jsonl");
    assert_non_null(go);
    assert_non_null(uo);
    assert_non_null(find_key(&s, "raw/dt=2026-01-01/pins-0000-00000000000000000000.jsonl"));
    assert_non_null(strstr(go->data, "{\"topic\":\"geo\",\"kind\":\"geo\","));
    assert_non_null(strstr(uo->data, "{\"topic\":\"users\",\"kind\":\"user\","));
    const pp_kafka_partition *c;
    assert_int_equal(pp_lake_writer_commits(w, "geo", 0, &c), 1);
    assert_int_equal(c[0].offset, 6);
    assert_int_equal(pp_lake_writer_commits(w, "users", 0, &c), 1);
    assert_int_equal(c[0].offset, 10);
    pp_lake_writer_destroy(w);
    store_free(&s);
}

static void objects_close_at_max_records_and_take_their_first_offset(void **state) {
    (void)state;
    store s = {0};
    pp_lake_writer *w = writer(&s, 2, 10000, 0);
    char err[256];
    const char *ev = EVENT("a", TS("2026-01-01 10:00:00"));
    for (int64_t off = 10; off < 15; off++) {
        int due = add(w, 0, off, ev, 0);
        assert_int_equal(due, (off - 10) % 2 == 1); /* the 2nd and 4th fill their object */
        if (due) assert_int_equal(pp_lake_writer_flush(w, PP_LAKE_FLUSH_DUE, NULL, 0, 0, err, sizeof err), PP_OK);
    }
    assert_int_equal(s.n, 2);
    assert_string_equal(s.objs[0].key, "raw/dt=2026-01-01/pins-0000-00000000000000000010.jsonl");
    assert_string_equal(s.objs[1].key, "raw/dt=2026-01-01/pins-0000-00000000000000000012.jsonl");
    assert_int_equal(owed(w, 0), 14);
    assert_int_equal(pp_lake_writer_flush(w, PP_LAKE_FLUSH_ALL, NULL, 0, 0, err, sizeof err), PP_OK);
    assert_string_equal(s.objs[2].key, "raw/dt=2026-01-01/pins-0000-00000000000000000014.jsonl");
    assert_int_equal(count_lines(s.objs[2].data), 1);
    assert_int_equal(owed(w, 0), 15);
    pp_lake_writer_destroy(w);
    store_free(&s);
}

/* ---- commits ---------------------------------------------------------------------- */
static void commits_never_pass_an_unstored_record(void **state) {
    (void)state;
    store s = {0};
    pp_lake_writer *w = writer(&s, 1000, 1000, 0);
    char err[256];
    const char *a = EVENT("a", TS("2026-01-01 10:00:00")), *b = EVENT("b", TS("2026-01-02 10:00:00"));
    add(w, 0, 100, a, 0);   /* day A opens at t=0 */
    add(w, 0, 101, b, 500); /* day B opens at t=500 */
    add(w, 0, 102, a, 600);
    add(w, 0, 103, b, 700);
    assert_int_equal(owed(w, 0), -1); /* nothing stored: nothing past where we started (100) */
    assert_int_equal(pp_lake_writer_next_due(w, 600), 400);

    /* t=1000: day A is due, day B (opened at 500) not: A is stored, B still holds 101 */
    assert_int_equal(pp_lake_writer_flush(w, PP_LAKE_FLUSH_DUE, NULL, 0, 1000, err, sizeof err), PP_OK);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.objs[0].key, "raw/dt=2026-01-01/pins-0000-00000000000000000100.jsonl");
    assert_int_equal(owed(w, 0), 101);
    commit(w);
    assert_int_equal(owed(w, 0), -1); /* committed: owed no more */
    assert_int_equal(pp_lake_writer_next_due(w, 1000), 500);

    /* the store fails: B stays open and intact, nothing more is owed */
    s.fail = 1;
    assert_int_equal(pp_lake_writer_flush(w, PP_LAKE_FLUSH_DUE, NULL, 0, 1500, err, sizeof err), PP_EIO);
    assert_non_null(strstr(err, "connection refused"));
    assert_int_equal(pp_lake_writer_open_records(w), 2);
    assert_int_equal(owed(w, 0), -1);
    /* tried again, it lands whole; everything consumed is now committable */
    assert_int_equal(pp_lake_writer_flush(w, PP_LAKE_FLUSH_DUE, NULL, 0, 1600, err, sizeof err), PP_OK);
    assert_string_equal(s.objs[1].key, "raw/dt=2026-01-02/pins-0000-00000000000000000101.jsonl");
    assert_int_equal(count_lines(s.objs[1].data), 2);
    assert_int_equal(owed(w, 0), 104);
    assert_int_equal(pp_lake_writer_next_due(w, 1600), -1);
    pp_lake_writer_destroy(w);
    store_free(&s);
}

static void a_failed_drain_stops_at_the_failure_and_keeps_the_rest(void **state) {
    (void)state;
    store s = {0};
    pp_lake_writer *w = writer(&s, 1000, 10000, 0);
    char err[256];
    add(w, 0, 0, EVENT("a", TS("2026-01-01 10:00:00")), 0);
    add(w, 1, 0, EVENT("b", TS("2026-01-01 10:00:00")), 0);
    add(w, 1, 1, EVENT("c", TS("2026-01-02 10:00:00")), 0);
    s.fail = 1;
    assert_int_equal(pp_lake_writer_flush(w, PP_LAKE_FLUSH_ALL, NULL, 0, 0, err, sizeof err), PP_EIO);
    assert_int_equal(s.n, 0);
    assert_int_equal(pp_lake_writer_open_records(w), 3);
    /* one partition at a time (a revoke) */
    assert_int_equal(pp_lake_writer_flush(w, PP_LAKE_FLUSH_ALL, "pins", 1, 0, err, sizeof err), PP_OK);
    assert_int_equal(s.n, 2);
    assert_int_equal(owed(w, 1), 2);
    assert_int_equal(owed(w, 0), -1);
    pp_lake_writer_destroy(w);
    store_free(&s);
}

/* ---- upload threads ---------------------------------------------------------------- */
/* The store behind a gate: puts (from the upload threads) wait while it is shut. */
typedef struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int shut;
    store s;
} gated;

static int gated_put(void *ud, const char *key, const void *data, size_t len, char *err, size_t errlen) {
    gated *g = ud;
    pthread_mutex_lock(&g->mu);
    while (g->shut) pthread_cond_wait(&g->cv, &g->mu);
    int rc = put(&g->s, key, data, len, err, errlen);
    pthread_mutex_unlock(&g->mu);
    return rc;
}

static void gate(gated *g, int shut, int fail) {
    pthread_mutex_lock(&g->mu);
    g->shut = shut;
    g->s.fail = fail;
    pthread_cond_broadcast(&g->cv);
    pthread_mutex_unlock(&g->mu);
}

/* A writer of partition 0 of "pins" whose `uploads` threads all PUT through the gate g
 * (objects of 2 records, 1 MiB, 10 s). */
static pp_lake_writer *gated_writer(gated *g, int uploads) {
    assert_true(uploads >= 1 && uploads <= 2);
    void *uds[2] = {g, g};
    pp_lake_writer_opts o;
    memset(&o, 0, sizeof o);
    o.prefix = "raw";
    o.limits.max_records = 2;
    o.limits.max_bytes = 1 << 20;
    o.limits.max_age_ms = 10000;
    pp_clean_opts_default(&o.clean);
    o.put = gated_put;
    o.uploads = uploads;
    o.put_uds = uds;
    pp_lake_writer *w = NULL;
    char err[256];
    assert_int_equal(pp_lake_writer_create(&w, &o, err, sizeof err), PP_OK);
    pp_lake_writer_assign(w, "pins", 0);
    return w;
}

static void upload_threads_store_while_consuming_and_commits_wait_for_them(void **state) {
    (void)state;
    gated g = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER, .shut = 1};
    pp_lake_writer *w = gated_writer(&g, 2);
    char err[256];
    const char *a = EVENT("a", TS("2026-01-01 10:00:00"));

    /* two objects in flight at once, neither stored: nothing is owed, flush did not wait */
    for (int64_t off = 10; off < 14; off++)
        if (add(w, 0, off, a, 0))
            assert_int_equal(pp_lake_writer_flush(w, PP_LAKE_FLUSH_DUE, NULL, 0, 0, err, sizeof err), PP_OK);
    assert_int_equal(pp_lake_writer_open_records(w), 4);
    assert_int_equal(owed(w, 0), -1);
    assert_int_equal(pp_lake_writer_next_due(w, 0), -1); /* in flight: not due again */
    gate(&g, 0, 0);
    assert_int_equal(pp_lake_writer_flush(w, PP_LAKE_FLUSH_ALL, NULL, 0, 0, err, sizeof err), PP_OK);
    assert_int_equal(g.s.n, 2);
    assert_int_equal(owed(w, 0), 14);
    commit(w);

    /* an object in flight takes no more records: its day opens a new one */
    gate(&g, 1, 1);
    add(w, 0, 14, a, 0);
    assert_int_equal(add(w, 0, 15, a, 0), 1);
    assert_int_equal(pp_lake_writer_flush(w, PP_LAKE_FLUSH_DUE, NULL, 0, 0, err, sizeof err), PP_OK);
    add(w, 0, 16, a, 0);
    assert_int_equal(pp_lake_writer_open_objects(w), 2);
    /* its upload fails: reported (by a later flush), kept, nothing owed; tried again,
     * it lands whole */
    gate(&g, 0, 1);
    int rc = PP_OK;
    for (int i = 0; i < 5000 && rc == PP_OK; i++) {
        rc = pp_lake_writer_flush(w, PP_LAKE_FLUSH_DUE, NULL, 0, 0, err, sizeof err);
        if (rc == PP_OK) usleep(1000);
    }
    assert_int_equal(rc, PP_EIO);
    assert_non_null(strstr(err, "connection refused"));
    assert_int_equal(owed(w, 0), -1);
    assert_int_equal(pp_lake_writer_flush(w, PP_LAKE_FLUSH_ALL, NULL, 0, 0, err, sizeof err), PP_OK);
    const stored *o14 = find_key(&g.s, "raw/dt=2026-01-01/pins-0000-00000000000000000014.jsonl");
    const stored *o16 = find_key(&g.s, "raw/dt=2026-01-01/pins-0000-00000000000000000016.jsonl");
    assert_non_null(o14);
    assert_non_null(o16);
    assert_int_equal(count_lines(o14->data), 2);
    assert_int_equal(count_lines(o16->data), 1);
    assert_int_equal(owed(w, 0), 17);
    assert_int_equal(pp_lake_writer_open_objects(w), 0);
    pp_lake_writer_destroy(w);
    store_free(&g.s);
}

/* Every thread busy: a due object waits sealed (the consumer goes on) while the waiting
 * bytes stay within uploads x max_bytes; past that, flush waits for a thread. Nothing
 * waiting is committed past. */
static void a_due_object_waits_for_a_thread_without_blocking_within_the_byte_bound(void **state) {
    (void)state;
    gated g = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER, .shut = 1};
    pp_lake_writer *w = gated_writer(&g, 1);
    char err[256];
    const char *a = EVENT("a", TS("2026-01-01 10:00:00"));
    /* the one thread is held at the gate: the second object would block if it could not wait */
    for (int64_t off = 10; off < 16; off++)
        if (add(w, 0, off, a, 0))
            assert_int_equal(pp_lake_writer_flush(w, PP_LAKE_FLUSH_DUE, NULL, 0, 0, err, sizeof err), PP_OK);
    assert_int_equal(pp_lake_writer_open_objects(w), 3); /* one in flight, two waiting */
    assert_int_equal(g.s.n, 0);
    assert_int_equal(owed(w, 0), -1);
    gate(&g, 0, 0);
    assert_int_equal(pp_lake_writer_flush(w, PP_LAKE_FLUSH_ALL, NULL, 0, 0, err, sizeof err), PP_OK);
    assert_int_equal(g.s.n, 3);
    assert_int_equal(owed(w, 0), 16);
    pp_lake_writer_destroy(w);
    store_free(&g.s);
}

/* ---- ownership -------------------------------------------------------------------- */
static void foreign_partitions_and_taken_offsets_are_skipped(void **state) {
    (void)state;
    store s = {0};
    pp_lake_stats st;
    pp_lake_stats_init(&st);
    pp_lake_writer_opts o;
    memset(&o, 0, sizeof o);
    o.prefix = "raw/";
    o.limits.max_records = 1000;
    o.limits.max_bytes = 1 << 20;
    o.limits.max_age_ms = 1000;
    pp_clean_opts_default(&o.clean);
    o.put = put;
    o.put_ud = &s;
    o.stats = &st;
    pp_lake_writer *w;
    char err[256];
    assert_int_equal(pp_lake_writer_create(&w, &o, err, sizeof err), PP_OK);
    pp_lake_writer_assign(w, "pins", 0);
    assert_true(pp_lake_writer_owns(w, "pins", 0));
    assert_false(pp_lake_writer_owns(w, "pins", 2));
    const char *ev = EVENT("a", TS("2026-01-01 10:00:00"));
    add(w, 2, 0, ev, 0); /* not ours */
    add(w, 0, 5, ev, 0);
    add(w, 0, 5, ev, 0); /* redelivered */
    add(w, 0, 3, ev, 0); /* behind */
    add(w, 0, 6, ev, 0);
    assert_int_equal(atomic_load(&st.skipped), 3);
    assert_int_equal(atomic_load(&st.records), 2);
    assert_int_equal(atomic_load(&st.open_objects), 1);
    assert_true(atomic_load(&st.open_bytes) > 0);

    /* released: the open object is dropped unstored, nothing is owed for it */
    assert_int_equal(pp_lake_writer_release(w, "pins", 0), 2);
    assert_false(pp_lake_writer_owns(w, "pins", 0));
    assert_int_equal(atomic_load(&st.dropped_records), 2);
    assert_int_equal(atomic_load(&st.open_objects), 0);
    assert_int_equal(pp_lake_writer_flush(w, PP_LAKE_FLUSH_ALL, NULL, 0, 0, err, sizeof err), PP_OK);
    assert_int_equal(s.n, 0);
    const pp_kafka_partition *c;
    assert_int_equal(pp_lake_writer_commits(w, NULL, 0, &c), 0);

    /* assigned again, it starts afresh */
    pp_lake_writer_assign(w, "pins", 0);
    add(w, 0, 5, ev, 0);
    assert_int_equal(pp_lake_writer_flush(w, PP_LAKE_FLUSH_ALL, NULL, 0, 0, err, sizeof err), PP_OK);
    assert_string_equal(s.objs[0].key, "raw/dt=2026-01-01/pins-0000-00000000000000000005.jsonl");
    assert_int_equal(atomic_load(&st.objects[PP_LAKE_DUE_DRAIN]), 1);
    assert_int_equal(atomic_load(&st.stored_records), 1);
    pp_lake_writer_destroy(w);
    store_free(&s);
}

/* ---- gzip -------------------------------------------------------------------------- */
static void gzip_objects_inflate_to_the_same_lines(void **state) {
    (void)state;
    store plain = {0}, gz = {0};
    pp_lake_writer *wp = writer(&plain, 1000, 10000, 0), *wz = writer(&gz, 1000, 10000, 1);
    char err[256];
    for (int64_t off = 0; off < 50; off++) {
        add(wp, 0, off, EVENT("a", TS("2026-01-01 10:00:00")), 0);
        add(wz, 0, off, EVENT("a", TS("2026-01-01 10:00:00")), 0);
    }
    add(wz, 0, 50, "p\xff", 0);
    add(wp, 0, 50, "p\xff", 0);
    assert_int_equal(pp_lake_writer_flush(wp, PP_LAKE_FLUSH_ALL, NULL, 0, 0, err, sizeof err), PP_OK);
    assert_int_equal(pp_lake_writer_flush(wz, PP_LAKE_FLUSH_ALL, NULL, 0, 0, err, sizeof err), PP_OK);
    assert_int_equal(gz.n, 2);
    for (size_t i = 0; i < gz.n; i++) {
        const stored *z = &gz.objs[i];
        char key[256];
        snprintf(key, sizeof key, "%s", z->key);
        size_t kl = strlen(key);
        assert_string_equal(key + kl - 9, ".jsonl.gz");
        key[kl - 3] = '\0';
        const stored *p = find_key(&plain, key);
        assert_non_null(p);
        assert_memory_equal(z->data, "\x1f\x8b", 2); /* a gzip member */
        assert_true(z->len < p->len || p->len < 200);
        char *out = malloc(p->len + 16);
        z_stream zs;
        memset(&zs, 0, sizeof zs);
        assert_int_equal(inflateInit2(&zs, 15 + 16), Z_OK);
        zs.next_in = (Bytef *)z->data;
        zs.avail_in = (uInt)z->len;
        zs.next_out = (Bytef *)out;
        zs.avail_out = (uInt)(p->len + 16);
        assert_int_equal(inflate(&zs, Z_FINISH), Z_STREAM_END);
        assert_int_equal(zs.total_out, p->len);
        assert_memory_equal(out, p->data, p->len);
        inflateEnd(&zs);
        free(out);
    }
    pp_lake_writer_destroy(wp);
    pp_lake_writer_destroy(wz);
    store_free(&plain);
    store_free(&gz);
}

static void bad_options_are_refused(void **state) {
    (void)state;
    pp_lake_writer_opts o;
    memset(&o, 0, sizeof o);
    o.put = put;
    o.limits.max_records = 1;
    o.limits.max_bytes = 1;
    o.limits.max_age_ms = 0;
    pp_lake_writer *w = (pp_lake_writer *)1;
    char err[256] = "";
    assert_int_equal(pp_lake_writer_create(&w, &o, err, sizeof err), PP_EINVAL);
    assert_null(w);
    assert_true(err[0] != '\0');
    pp_lake_writer_destroy(NULL);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_day_is_the_cleaning_engines),
        cmocka_unit_test(records_are_filed_by_partition_and_event_day),
        cmocka_unit_test(kinds_are_filed_by_topic_and_their_own_event_day),
        cmocka_unit_test(a_timestamp_past_the_range_is_stored_and_committed),
        cmocka_unit_test(objects_close_at_max_records_and_take_their_first_offset),
        cmocka_unit_test(commits_never_pass_an_unstored_record),
        cmocka_unit_test(a_failed_drain_stops_at_the_failure_and_keeps_the_rest),
        cmocka_unit_test(upload_threads_store_while_consuming_and_commits_wait_for_them),
        cmocka_unit_test(a_due_object_waits_for_a_thread_without_blocking_within_the_byte_bound),
        cmocka_unit_test(foreign_partitions_and_taken_offsets_are_skipped),
        cmocka_unit_test(gzip_objects_inflate_to_the_same_lines),
        cmocka_unit_test(bad_options_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
