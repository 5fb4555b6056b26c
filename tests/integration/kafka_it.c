/* Specification of pinpipe's Kafka client against a real broker (librdkafka 2.0.2
 * from Debian, the broker of ci/services/kafka.sh):
 *   - topics are created idempotently and their partition count is readable;
 *   - the idempotent producer, called from several threads, hands every record's
 *     delivery report to its caller, keys and headers included;
 *   - a consumer group with manual commits resumes from the committed offsets
 *     after a clean close and a new member's join;
 *   - the assignment callback decides where each partition starts;
 *   - nothing is committed unless the caller commits; lag reaches 0.
 * needs: kafka        (bash ci/services.sh up kafka; PINPIPE_KAFKA_BROKERS); skipped
 *                      when PINPIPE_IT_SERVICES is set without kafka.
 * Every wait is bounded and waits on a condition (readiness, a message count),
 * never on a fixed sleep. Each run uses its own topic and groups. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/error.h"
#include "common/log.h"
#include "kafka/kafka_admin.h"
#include "kafka/kafka_conf.h"
#include "kafka/kafka_consumer.h"
#include "kafka/kafka_producer.h"

#define PARTITIONS 3
#define M 60          /* records produced asynchronously */
#define TOTAL (M + 1) /* plus one through the synchronous helper */
#define THREADS 3
#define WAIT_MS 60000 /* upper bound of every wait */

typedef struct {
    int index;
    char key[16];
    char value[64];
    char seq[16];
    /* filled by the delivery report */
    int reported;
    int status;
    int32_t partition;
    int64_t offset;
} sent_rec;

static pp_kafka_conf g_kc;
static pp_kafka_admin *g_admin;
static char g_topic[128];
static char g_run[64];
static sent_rec g_sent[TOTAL];
static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static int g_reports;

static int64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int setup(void **state) {
    (void)state;
    char err[512];
    pp_log_init_from_env();
    if (pp_kafka_conf_init(&g_kc, err, sizeof err) != PP_OK) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    if (pp_kafka_admin_create(&g_admin, &g_kc, err, sizeof err) != PP_OK) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    /* readiness: a Metadata request answered */
    int64_t until = now_ms() + WAIT_MS;
    int rc, brokers = 0;
    while ((rc = pp_kafka_admin_ping(g_admin, 2000, &brokers, err, sizeof err)) != PP_OK && now_ms() < until) {
        usleep(200 * 1000); /* between attempts, not instead of one */
    }
    if (rc != PP_OK) {
        fprintf(stderr, "kafka at %s not ready: %s (start it: bash ci/services.sh up kafka)\n", g_kc.brokers, err);
        return -1;
    }
    snprintf(g_run, sizeof g_run, "%d-%lld", (int)getpid(), (long long)time(NULL));
    snprintf(g_topic, sizeof g_topic, "pinpipe-it-kafka-%s", g_run);
    return 0;
}

static int teardown(void **state) {
    (void)state;
    char err[512];
    if (g_admin && g_topic[0] && pp_kafka_admin_delete_topic(g_admin, g_topic, 30000, err, sizeof err) != PP_OK)
        fprintf(stderr, "cleanup: %s\n", err);
    pp_kafka_admin_destroy(g_admin);
    pp_kafka_conf_free(&g_kc);
    return 0;
}

static void topic_is_created_idempotently(void **state) {
    (void)state;
    char err[512] = "";
    int n = 0;
    assert_int_equal(pp_kafka_admin_create_topic(g_admin, g_topic, PARTITIONS, 1, 30000, err, sizeof err), PP_OK);
    /* again: already exists counts as success */
    assert_int_equal(pp_kafka_admin_create_topic(g_admin, g_topic, PARTITIONS, 1, 30000, err, sizeof err), PP_OK);
    assert_int_equal(pp_kafka_admin_partitions(g_admin, g_topic, 10000, &n, err, sizeof err), PP_OK);
    assert_int_equal(n, PARTITIONS);
    char missing[160];
    snprintf(missing, sizeof missing, "%s-missing", g_topic);
    assert_int_equal(pp_kafka_admin_partitions(g_admin, missing, 10000, &n, err, sizeof err), PP_ENOTFOUND);
}

static void on_report(const pp_delivery_report *r, void *opaque) {
    sent_rec *s = opaque;
    pthread_mutex_lock(&g_mu);
    s->reported++;
    s->status = r->status;
    s->partition = r->partition;
    s->offset = r->offset;
    g_reports++;
    pthread_mutex_unlock(&g_mu);
}

static void fill_record(sent_rec *s, pp_kafka_record *rec, pp_kafka_header *h) {
    snprintf(s->key, sizeof s->key, "k%03d", s->index);
    snprintf(s->value, sizeof s->value, "{\"index\":%d,\"title\":\"t\\tab\"}", s->index);
    snprintf(s->seq, sizeof s->seq, "%d", s->index);
    h[0] = (pp_kafka_header){"pinpipe-schema", "1", 1};
    h[1] = (pp_kafka_header){"pinpipe-seq", s->seq, strlen(s->seq)};
    h[2] = (pp_kafka_header){"pinpipe-empty", "", 0};
    memset(rec, 0, sizeof *rec);
    rec->topic = g_topic;
    rec->partition = PP_KAFKA_PARTITION_ANY;
    rec->key = s->key;
    rec->key_len = strlen(s->key);
    rec->value = s->value;
    rec->value_len = strlen(s->value);
    rec->headers = h;
    rec->nheaders = 3;
}

typedef struct {
    pp_producer *p;
    int first, step;
    int failures;
} producer_job;

static void *produce_some(void *arg) {
    producer_job *job = arg;
    for (int i = job->first; i < M; i += job->step) {
        pp_kafka_record rec;
        pp_kafka_header h[3];
        char err[256];
        g_sent[i].index = i;
        fill_record(&g_sent[i], &rec, h);
        if (pp_producer_send(job->p, &rec, on_report, &g_sent[i], err, sizeof err) != PP_OK) {
            fprintf(stderr, "send %d: %s\n", i, err);
            job->failures++;
        }
    }
    return NULL;
}

static void producer_reports_every_delivery(void **state) {
    (void)state;
    pp_producer *p = NULL;
    char err[512] = "";
    assert_int_equal(pp_producer_create(&p, &g_kc, NULL, err, sizeof err), PP_OK);
    pthread_t th[THREADS];
    producer_job jobs[THREADS];
    for (int t = 0; t < THREADS; t++) {
        jobs[t] = (producer_job){p, t, THREADS, 0};
        assert_int_equal(pthread_create(&th[t], NULL, produce_some, &jobs[t]), 0);
    }
    for (int t = 0; t < THREADS; t++) {
        pthread_join(th[t], NULL);
        assert_int_equal(jobs[t].failures, 0);
    }
    assert_int_equal(pp_producer_flush(p, WAIT_MS, err, sizeof err), PP_OK);
    assert_int_equal(g_reports, M);

    /* the synchronous helper, for tools */
    pp_kafka_record rec;
    pp_kafka_header h[3];
    g_sent[M].index = M;
    fill_record(&g_sent[M], &rec, h);
    int32_t part = -1;
    int64_t off = -1;
    assert_int_equal(pp_producer_send_sync(p, &rec, &part, &off, err, sizeof err), PP_OK);
    g_sent[M].reported = 1;
    g_sent[M].status = PP_OK;
    g_sent[M].partition = part;
    g_sent[M].offset = off;

    for (int i = 0; i < TOTAL; i++) {
        assert_int_equal(g_sent[i].reported, 1);
        assert_int_equal(g_sent[i].status, PP_OK);
        assert_in_range(g_sent[i].partition, 0, PARTITIONS - 1);
        assert_true(g_sent[i].offset >= 0);
        for (int j = 0; j < i; j++) /* (partition, offset) identifies a record */
            assert_false(g_sent[j].partition == g_sent[i].partition && g_sent[j].offset == g_sent[i].offset);
    }
    assert_int_equal(pp_producer_check(p, err, sizeof err), PP_OK);
    /* flush returns once every report's callback has returned */
    assert_int_equal(pp_producer_flush(p, WAIT_MS, err, sizeof err), PP_OK);
    assert_int_equal(pp_producer_pending(p), 0);
    pp_producer_destroy(p);
}

/* ---- consuming ---- */

static sent_rec *find_sent(int32_t partition, int64_t offset) {
    for (int i = 0; i < TOTAL; i++)
        if (g_sent[i].partition == partition && g_sent[i].offset == offset) return &g_sent[i];
    return NULL;
}

/* Checks that m is exactly what was produced at its coordinates. */
static void check_message(const pp_kafka_message *m) {
    sent_rec *s = find_sent(m->partition, m->offset);
    if (!s) fail_msg("unexpected record %d/%lld", (int)m->partition, (long long)m->offset);
    assert_string_equal(m->topic, g_topic);
    assert_int_equal(m->key_len, strlen(s->key));
    assert_memory_equal(m->key, s->key, m->key_len);
    assert_int_equal(m->value_len, strlen(s->value));
    assert_memory_equal(m->value, s->value, m->value_len);
    assert_true(m->timestamp_ms > 0);
    assert_int_equal(m->nheaders, 3);
    assert_string_equal(m->headers[0].name, "pinpipe-schema");
    assert_memory_equal(m->headers[0].value, "1", 1);
    assert_string_equal(m->headers[1].name, "pinpipe-seq");
    assert_int_equal(m->headers[1].value_len, strlen(s->seq));
    assert_memory_equal(m->headers[1].value, s->seq, strlen(s->seq));
    assert_string_equal(m->headers[2].name, "pinpipe-empty");
    assert_int_equal(m->headers[2].value_len, 0);
}

typedef struct {
    int assigned_events, revoked_events;
    int assigned_parts;
    int all_committed_sentinel; /* every ASSIGNED partition arrived as OFFSET_COMMITTED */
    int64_t choose[PARTITIONS]; /* offsets to set on assignment; 0 = leave as is */
    int fail_with;              /* make the assignment fail */
} rebal_state;

static int on_rebalance(pp_kafka_rebalance ev, pp_kafka_partition *parts, size_t n, void *opaque, char *err,
                        size_t errlen) {
    rebal_state *st = opaque;
    if (ev != PP_KAFKA_ASSIGNED) {
        st->revoked_events++;
        return PP_OK;
    }
    st->assigned_events++;
    st->assigned_parts += (int)n;
    for (size_t i = 0; i < n; i++) {
        if (parts[i].offset != PP_KAFKA_OFFSET_COMMITTED) st->all_committed_sentinel = 0;
        if (parts[i].partition >= 0 && parts[i].partition < PARTITIONS && st->choose[parts[i].partition] != 0)
            parts[i].offset = st->choose[parts[i].partition];
    }
    if (st->fail_with) {
        pp_errf(err, errlen, "offsets store unavailable (test)");
        return st->fail_with;
    }
    return PP_OK;
}

static pp_consumer *open_consumer(const char *group, rebal_state *st) {
    pp_consumer *c = NULL;
    pp_consumer_opts o;
    const char *topics[] = {g_topic};
    char err[512] = "";
    memset(&o, 0, sizeof o);
    o.group_id = group;
    o.topics = topics;
    o.ntopics = 1;
    o.rebalance = on_rebalance;
    o.rebalance_opaque = st;
    st->all_committed_sentinel = 1;
    if (pp_consumer_create(&c, &g_kc, &o, err, sizeof err) != PP_OK) fail_msg("%s", err);
    return c;
}

typedef struct {
    int32_t partition;
    int64_t offset;
} coord;

/* Polls until `want` messages arrived (bounded by WAIT_MS); checks each one. */
static int consume(pp_consumer *c, int want, coord *got, int cap) {
    pp_kafka_batch b;
    char err[512] = "";
    int n = 0;
    pp_kafka_batch_init(&b);
    int64_t until = now_ms() + WAIT_MS;
    while (n < want && now_ms() < until) {
        if (pp_consumer_poll_batch(c, &b, 16, 500, err, sizeof err) != PP_OK) fail_msg("%s", err);
        assert_true(b.count <= 16);
        for (size_t i = 0; i < b.count; i++) {
            check_message(&b.msgs[i]);
            if (n < cap) got[n] = (coord){b.msgs[i].partition, b.msgs[i].offset};
            n++;
        }
    }
    pp_kafka_batch_free(&b);
    return n;
}

static int count_in(int32_t partition) {
    int n = 0;
    for (int i = 0; i < TOTAL; i++) n += g_sent[i].partition == partition;
    return n;
}

static int64_t lowest_in(int32_t partition) {
    int64_t lo = -1;
    for (int i = 0; i < TOTAL; i++)
        if (g_sent[i].partition == partition && (lo < 0 || g_sent[i].offset < lo)) lo = g_sent[i].offset;
    return lo;
}

static void group_resumes_from_committed_offsets(void **state) {
    (void)state;
    char group[128], err[512] = "";
    coord got[TOTAL * 2];
    rebal_state st1 = {0}, st2 = {0};
    snprintf(group, sizeof group, "pinpipe-it-group-%s", g_run);

    /* first member: reads everything, commits the first half of each partition */
    pp_consumer *c = open_consumer(group, &st1);
    assert_int_equal(consume(c, TOTAL, got, TOTAL * 2), TOTAL);
    assert_true(st1.all_committed_sentinel);
    assert_int_equal(st1.assigned_parts, PARTITIONS);

    pp_kafka_partition commit[PARTITIONS];
    int64_t next[PARTITIONS];
    int expect_rest = 0;
    for (int p = 0; p < PARTITIONS; p++) {
        int cnt = count_in(p);
        int64_t lo = lowest_in(p);
        next[p] = cnt > 0 ? lo + cnt / 2 : 0;
        expect_rest += cnt - cnt / 2;
        commit[p] = (pp_kafka_partition){g_topic, p, next[p]};
    }
    assert_int_equal(pp_consumer_commit(c, commit, PARTITIONS, err, sizeof err), PP_OK);

    pp_kafka_partition check[PARTITIONS];
    for (int p = 0; p < PARTITIONS; p++) check[p] = (pp_kafka_partition){g_topic, p, 0};
    assert_int_equal(pp_consumer_committed(c, check, PARTITIONS, 10000, err, sizeof err), PP_OK);
    for (int p = 0; p < PARTITIONS; p++) assert_int_equal(check[p].offset, next[p]);

    /* everything consumed: lag 0 on every assigned partition */
    pp_kafka_lag *lag = NULL;
    size_t nlag = 0;
    assert_int_equal(pp_consumer_lag(c, &lag, &nlag, 10000, err, sizeof err), PP_OK);
    assert_int_equal(nlag, PARTITIONS);
    for (size_t i = 0; i < nlag; i++) {
        if (count_in(lag[i].partition) == 0) continue; /* nothing read: position unknown */
        assert_int_equal(lag[i].lag, 0);
        assert_int_equal(lag[i].position, lag[i].high);
    }
    free(lag);

    assert_int_equal(pp_consumer_close(c, err, sizeof err), PP_OK);
    assert_true(st1.revoked_events >= 1); /* told before leaving the group */
    pp_consumer_destroy(c);

    /* second member of the same group: exactly the uncommitted half, once each */
    c = open_consumer(group, &st2);
    int n = consume(c, expect_rest, got, TOTAL * 2);
    assert_int_equal(n, expect_rest);
    for (int i = 0; i < n; i++) {
        assert_true(got[i].offset >= next[got[i].partition]);
        for (int j = 0; j < i; j++)
            assert_false(got[j].partition == got[i].partition && got[j].offset == got[i].offset);
    }
    assert_true(st2.all_committed_sentinel);
    pp_consumer_destroy(c); /* closes: leaves the group */
}

static void assignment_callback_chooses_start_offsets(void **state) {
    (void)state;
    char group[128], err[512] = "";
    coord got[TOTAL * 2];
    rebal_state st = {0};
    snprintf(group, sizeof group, "pinpipe-it-seek-%s", g_run);
    /* e.g. offsets kept in PostgreSQL: p0 from its second record, p1 only new
     * records, p2 from the beginning */
    st.choose[0] = lowest_in(0) + 1;
    st.choose[1] = PP_KAFKA_OFFSET_END;
    st.choose[2] = PP_KAFKA_OFFSET_BEGINNING;
    int want = (count_in(0) > 0 ? count_in(0) - 1 : 0) + count_in(2);

    pp_consumer *c = open_consumer(group, &st);
    int n = consume(c, want, got, TOTAL * 2);
    assert_int_equal(n, want);
    for (int i = 0; i < n; i++) {
        assert_int_not_equal(got[i].partition, 1);
        if (got[i].partition == 0) assert_true(got[i].offset >= st.choose[0]);
    }
    /* nothing was committed by anyone: auto-commit is off */
    pp_kafka_partition check[PARTITIONS];
    for (int p = 0; p < PARTITIONS; p++) check[p] = (pp_kafka_partition){g_topic, p, 0};
    assert_int_equal(pp_consumer_committed(c, check, PARTITIONS, 10000, err, sizeof err), PP_OK);
    for (int p = 0; p < PARTITIONS; p++) assert_int_equal(check[p].offset, PP_KAFKA_OFFSET_COMMITTED);
    pp_consumer_destroy(c);
}

static void failed_assignment_callback_surfaces_in_poll(void **state) {
    (void)state;
    char group[128], err[512] = "";
    rebal_state st = {0};
    pp_kafka_batch b;
    snprintf(group, sizeof group, "pinpipe-it-fail-%s", g_run);
    st.fail_with = PP_EIO;
    pp_consumer *c = open_consumer(group, &st);
    pp_kafka_batch_init(&b);
    int rc = PP_OK;
    int64_t until = now_ms() + WAIT_MS;
    while (rc == PP_OK && now_ms() < until) {
        rc = pp_consumer_poll_batch(c, &b, 16, 500, err, sizeof err);
        if (rc == PP_OK) assert_int_equal(b.count, 0); /* nothing assigned, nothing read */
    }
    assert_int_equal(rc, PP_EIO);
    assert_non_null(strstr(err, "offsets store unavailable"));
    pp_kafka_batch_free(&b);
    pp_consumer_destroy(c);
}

/* Skipped (exit 0) when PINPIPE_IT_SERVICES is set without kafka. */
static int service_wanted(void) {
    const char *svcs = getenv("PINPIPE_IT_SERVICES");
    if (!svcs || !*svcs) return 1;
    char padded[512];
    snprintf(padded, sizeof padded, " %s ", svcs);
    return strstr(padded, " kafka ") != NULL;
}

int main(void) {
    if (!service_wanted()) {
        printf("kafka_it: SKIP (kafka not in PINPIPE_IT_SERVICES)\n");
        return 0;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(topic_is_created_idempotently),
        cmocka_unit_test(producer_reports_every_delivery),
        cmocka_unit_test(group_resumes_from_committed_offsets),
        cmocka_unit_test(assignment_callback_chooses_start_offsets),
        cmocka_unit_test(failed_assignment_callback_surfaces_in_poll),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
