#include "kafka/kafka_group.h"

#include <stdlib.h>

#include "common/error.h"
#include "common/mem.h"
#include "kafka/kafka_admin.h"
#include "kafka/kafka_rd.h"

int pp_kafka_group_committed(const pp_kafka_conf *kc, const char *topic, const char *group, int timeout_ms,
                             pp_kafka_committed **out, size_t *n, char *err, size_t errlen) {
    pp_kafka_admin *admin = NULL;
    rd_kafka_conf_t *conf = NULL;
    rd_kafka_t *rk = NULL;
    rd_kafka_topic_partition_list_t *l = NULL;
    pp_kafka_committed *res = NULL;
    int partitions = 0, rc;
    char why[512];
    *out = NULL;
    *n = 0;
    if ((rc = pp_kafka_admin_create(&admin, kc, err, errlen)) ||
        (rc = pp_kafka_admin_partitions(admin, topic, timeout_ms, &partitions, err, errlen)))
        goto out;
    const char *enforced[] = {"group.id", group, "enable.auto.commit", "false", NULL};
    if ((rc = pp_kafka_rdconf_new(kc, NULL, enforced, &conf, err, errlen))) goto out;
    if (!(rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, why, sizeof why))) {
        pp_errf(err, errlen, "kafka consumer: %s", why);
        rc = PP_EINVAL;
        goto out;
    }
    conf = NULL; /* rk owns it */
    l = rd_kafka_topic_partition_list_new(partitions);
    for (int p = 0; p < partitions; p++) rd_kafka_topic_partition_list_add(l, topic, p);
    rd_kafka_resp_err_t e = rd_kafka_committed(rk, l, timeout_ms);
    if (e) {
        rc = pp_kafka_fail(rk, e, "kafka committed", err, errlen);
        goto out;
    }
    res = pp_xcalloc(partitions ? (size_t)partitions : 1, sizeof *res);
    for (int i = 0; i < l->cnt; i++) {
        if (l->elems[i].err) {
            rc = pp_kafka_fail(rk, l->elems[i].err, "kafka committed", err, errlen);
            goto out;
        }
        res[i].partition = l->elems[i].partition;
        res[i].offset = l->elems[i].offset >= 0 ? l->elems[i].offset : -1;
    }
    *out = res;
    *n = (size_t)partitions;
    res = NULL;
    rc = PP_OK;
out:
    free(res);
    if (l) rd_kafka_topic_partition_list_destroy(l);
    if (rk) rd_kafka_destroy(rk);
    if (conf) rd_kafka_conf_destroy(conf);
    pp_kafka_admin_destroy(admin);
    return rc;
}
