#include "kafka/kafka_lag_render.h"

#include <stdlib.h>

#include "common/error.h"

void pp_consumer_lag_render(pp_consumer *c, const char *prefix, pp_strbuf *out) {
    pp_kafka_lag *lag = NULL;
    size_t n = 0;
    char err[256];
    if (!c || pp_consumer_lag(c, &lag, &n, 0, err, sizeof err) != PP_OK) return;
    long long total = 0;
    pp_sb_printf(out,
                 "# HELP %s_consumer_lag Records in the partition not yet consumed (-1: unknown).\n"
                 "# TYPE %s_consumer_lag gauge\n",
                 prefix, prefix);
    for (size_t i = 0; i < n; i++) {
        pp_sb_printf(out, "%s_consumer_lag{topic=\"%s\",partition=\"%d\"} %lld\n", prefix, lag[i].topic,
                     (int)lag[i].partition, (long long)lag[i].lag);
        if (lag[i].lag > 0) total += lag[i].lag;
    }
    pp_sb_printf(out,
                 "# HELP %s_consumer_lag_total Records not yet consumed, over the assigned partitions.\n"
                 "# TYPE %s_consumer_lag_total gauge\n%s_consumer_lag_total %lld\n",
                 prefix, prefix, prefix, total);
    free(lag);
}
