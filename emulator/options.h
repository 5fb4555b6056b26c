/* options — the emulator's settings: defaults < environment < command line.
 *
 * Every option --NAME VALUE (or --NAME=VALUE) may also come from the
 * environment variable PINPIPE_EMULATE_<NAME> (upper case, '-' -> '_'), e.g.
 * PINPIPE_EMULATE_SEED=7. Rates are decimal fractions ("0.05") or per cent
 * ("5%") read exactly into integer parts per million: no floating point.
 *
 * Ownership: pp_emu_options is a plain value; out_path and manifest_path point
 * into argv or the environment and live as long as the process.
 */
#ifndef PINPIPE_EMU_OPTIONS_H
#define PINPIPE_EMU_OPTIONS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef enum { PP_SCHEMA_V1 = 1, PP_SCHEMA_V2 = 2 } pp_schema;
typedef enum { PP_KINDS_PIN = 0, PP_KINDS_ALL = 1 } pp_kinds;

#define PP_EMU_MAX_COUNT UINT64_C(1000000000000) /* 10^12 events */
#define PP_EMU_MAX_CATALOG UINT64_C(100000000)   /* 10^8 pins */
#define PP_EMU_MAX_DAYS 3660u

typedef struct {
    uint64_t seed;             /* --seed, default 1 */
    uint64_t count;            /* --count, default 1000 */
    int64_t start_day;         /* --start-date, days since 1970-01-01; default 2026-01-01 */
    uint32_t days;             /* --days, default 3 */
    uint64_t catalog_size;     /* --catalog-size, default 11000 */
    uint64_t catalog_seed;     /* --catalog-seed, default 1 */
    pp_schema schema;          /* --schema v1|v2, default v2 */
    uint32_t invalid_ppm;      /* --invalid-rate, default 0 */
    uint32_t extra_ppm;        /* --extra-field-rate, default 0 */
    pp_kinds kinds;            /* --kinds pin|all, default pin */
    uint32_t max_delay;        /* --max-delay: posts a --kinds all event is held back at most (default 8) */
    const char *out_path;      /* --out, default NULL = stdout */
    const char *manifest_path; /* --manifest, default NULL = none */
    const char *target;        /* --target URL: POST to the API instead of writing JSONL */
    uint32_t concurrency;      /* --concurrency, requests in flight (default 8) */
    uint64_t rate;             /* --rate, events per second (default 0 = no limit) */
    uint32_t retries;          /* --retries per event on 503/429/connection errors (default 8) */
    const char *token;         /* --token, bearer token for the API */
    const char *kafka;         /* --kafka BROKERS: produce straight to Kafka instead */
    const char *topic;         /* --topic (default pins) */
    const char *geo_topic;     /* --geo-topic, --users-topic: NULL = pp_kind_topic's default */
    const char *users_topic;
    uint32_t partitions; /* --partitions: create the topic first (default 0 = no) */
    int help;            /* --help was given */
} pp_emu_options;

void pp_emu_options_defaults(pp_emu_options *o);
/* Overlays PINPIPE_EMULATE_* variables; 0 or PP_EINVAL naming the variable. */
int pp_emu_options_from_env(pp_emu_options *o, char *err, size_t errlen);
/* Overlays argv[1..argc-1]; 0 or PP_EINVAL naming the flag. */
int pp_emu_options_parse(pp_emu_options *o, int argc, char **argv, char *err, size_t errlen);
void pp_emu_options_usage(FILE *out);

/* "0.05", "5%", "1", "0" -> parts per million in [0, 1000000]; 0 or PP_EINVAL. */
int pp_parse_ppm(const char *s, uint32_t *out);
/* Whole decimal number in [min, max]; 0 or PP_EINVAL. */
int pp_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);

#endif
