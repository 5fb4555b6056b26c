/* kafka-add-partitions — grows a topic to N partitions (a test helper; Kafka's own
 * kafka-topics.sh is not in the service cache). Used by
 * tests/integration/parity_partitions_it.sh.
 *
 *   kafka-add-partitions TOPIC N     brokers from PINPIPE_KAFKA_BROKERS
 * exit 0 when the topic has N partitions, 1 on an error (printed), 2 bad usage.
 */
#include <stdio.h>
#include <stdlib.h>

#include "kafka/kafka_admin.h"
#include "kafka/kafka_conf.h"

int main(int argc, char **argv) {
    char err[512];
    int n = argc == 3 ? atoi(argv[2]) : 0;
    if (n < 1) {
        fprintf(stderr, "usage: kafka-add-partitions TOPIC N (N >= 1)\n");
        return 2;
    }
    pp_kafka_conf kc;
    pp_kafka_admin *a = NULL;
    int rc = pp_kafka_conf_init(&kc, err, sizeof err);
    if (rc == 0) {
        rc = pp_kafka_admin_create(&a, &kc, err, sizeof err);
        pp_kafka_conf_free(&kc);
    }
    if (rc == 0) rc = pp_kafka_admin_add_partitions(a, argv[1], n, 15000, err, sizeof err);
    pp_kafka_admin_destroy(a);
    if (rc) fprintf(stderr, "kafka-add-partitions: %s\n", err);
    return rc ? 1 : 0;
}
