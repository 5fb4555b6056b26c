#include "options.h"

#include <stdlib.h>
#include <string.h>

#include "civil.h"
#include "common/error.h"
#include "event/kind.h"

int pp_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out) {
    if (!s || !*s) return PP_EINVAL;
    uint64_t v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9') return PP_EINVAL;
        unsigned d = (unsigned)(*p - '0');
        if (v > (UINT64_MAX - d) / 10) return PP_EINVAL;
        v = v * 10 + d;
    }
    if (v < min || v > max) return PP_EINVAL;
    *out = v;
    return PP_OK;
}

int pp_parse_ppm(const char *s, uint32_t *out) {
    if (!s || !*s) return PP_EINVAL;
    size_t n = strlen(s);
    int percent = s[n - 1] == '%';
    if (percent) n--;
    /* whole part, then up to 6 (fraction) or 4 (per cent) decimals */
    uint64_t whole = 0, frac = 0;
    size_t i = 0, nd = 0;
    int any = 0;
    for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, any = 1) {
        whole = whole * 10 + (uint64_t)(s[i] - '0');
        if (whole > 100) return PP_EINVAL;
    }
    if (i < n && s[i] == '.') {
        for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++, nd++, any = 1) {
            if (nd >= (percent ? 4u : 6u)) {
                if (s[i] != '0') return PP_EINVAL; /* more precision than a ppm */
                continue;
            }
            frac = frac * 10 + (uint64_t)(s[i] - '0');
        }
    }
    if (i != n || !any) return PP_EINVAL;
    unsigned places = percent ? 4 : 6;
    for (size_t k = nd < places ? nd : places; k < places; k++) frac *= 10;
    uint64_t ppm = whole * (percent ? 10000 : 1000000) + frac;
    if (ppm > 1000000) return PP_EINVAL;
    *out = (uint32_t)ppm;
    return PP_OK;
}

typedef enum { OPT_U64, OPT_U32, OPT_DATE, OPT_SCHEMA, OPT_KINDS, OPT_PPM, OPT_PATH } opt_type;

typedef struct {
    const char *name; /* flag without "--" */
    opt_type type;
    size_t offset;
    uint64_t min, max;
} opt_spec;

#define OFF(f) offsetof(pp_emu_options, f)
static const opt_spec SPECS[] = {
    {"seed", OPT_U64, OFF(seed), 0, INT64_MAX},
    {"count", OPT_U64, OFF(count), 0, PP_EMU_MAX_COUNT},
    {"start-date", OPT_DATE, OFF(start_day), 0, 0},
    {"days", OPT_U32, OFF(days), 1, PP_EMU_MAX_DAYS},
    {"catalog-size", OPT_U64, OFF(catalog_size), 1, PP_EMU_MAX_CATALOG},
    {"catalog-seed", OPT_U64, OFF(catalog_seed), 0, INT64_MAX},
    {"schema", OPT_SCHEMA, OFF(schema), 0, 0},
    {"invalid-rate", OPT_PPM, OFF(invalid_ppm), 0, 0},
    {"extra-field-rate", OPT_PPM, OFF(extra_ppm), 0, 0},
    {"kinds", OPT_KINDS, OFF(kinds), 0, 0},
    {"max-delay", OPT_U32, OFF(max_delay), 0, 100000},
    {"out", OPT_PATH, OFF(out_path), 0, 0},
    {"manifest", OPT_PATH, OFF(manifest_path), 0, 0},
    {"target", OPT_PATH, OFF(target), 0, 0},
    {"concurrency", OPT_U32, OFF(concurrency), 1, 4096},
    {"rate", OPT_U64, OFF(rate), 0, 100000000},
    {"retries", OPT_U32, OFF(retries), 0, 1000},
    {"token", OPT_PATH, OFF(token), 0, 0},
    {"kafka", OPT_PATH, OFF(kafka), 0, 0},
    {"topic", OPT_PATH, OFF(topic), 0, 0},
    {"geo-topic", OPT_PATH, OFF(geo_topic), 0, 0},
    {"users-topic", OPT_PATH, OFF(users_topic), 0, 0},
    {"partitions", OPT_U32, OFF(partitions), 0, 10000},
};
#define N_SPECS (sizeof SPECS / sizeof SPECS[0])

void pp_emu_options_defaults(pp_emu_options *o) {
    memset(o, 0, sizeof *o);
    o->seed = 1;
    o->count = 1000;
    o->start_day = pp_days_from_civil(2026, 1, 1);
    o->days = 3;
    o->catalog_size = 11000;
    o->catalog_seed = 1;
    o->schema = PP_SCHEMA_V2;
    o->concurrency = 8;
    o->retries = 8;
    o->topic = "pins";
    o->max_delay = 8;
}

void pp_emu_options_usage(FILE *out) {
    fprintf(out,
            "usage: pinpipe-emulate [options]\n"
            "\n"
            "Writes deterministic raw pin events (the seeds' Data model) as JSON lines; with\n"
            "--kinds all, each pin's post also gets a geo and a user event (docs/joins.md).\n"
            "Same seed and options => the same bytes on any machine.\n"
            "\n"
            "  --seed N              event stream seed (default 1)\n"
            "  --count N             pin events to write: with --kinds all, posts (default 1000)\n"
            "  --start-date DATE     first event day, YYYY-MM-DD UTC (default 2026-01-01)\n"
            "  --days N              days the events spread over, in order (default 3)\n"
            "  --catalog-size N      pins in the fixed catalog events repeat (default 11000)\n"
            "  --catalog-seed N      seed of the catalog's content (default 1)\n"
            "  --schema v1|v2        v2 adds poster_name (default v2)\n"
            "  --invalid-rate R      fraction of deliberately invalid events, e.g. 0.05 or 5%%\n"
            "                        (default 0)\n"
            "  --extra-field-rate R  fraction of valid events with an extra unknown field\n"
            "                        (default 0; extras are not invalid)\n"
            "  --kinds pin|all       pin: pins only (default). all: every pin is a post with a\n"
            "                        geo and a user event of its ind and day, sent out of order\n"
            "                        and late; the file is then in the mixed format\n"
            "                        {\"kind\":\"geo\",\"event\":{...}} that `pinpipe metrics\n"
            "                        --input mixed` reads\n"
            "  --max-delay N         with --kinds all: an event is sent up to N posts after its\n"
            "                        pin was made (default 8; 0: each post's events together,\n"
            "                        in a random order)\n"
            "  --out FILE            events file (default, or -, standard output)\n"
            "  --manifest FILE       write the ground truth (JSON) there; with --kinds all it\n"
            "                        holds the join metrics' ground truth per day\n"
            "\n"
            "Instead of writing JSONL (the events are the same bytes):\n"
            "  --target URL          POST each event to the API, e.g. http://127.0.0.1:8000/pin/,\n"
            "                        over keep-alive connections; retries 503, 429 and connection\n"
            "                        errors with backoff; reports sent, acknowledged, rejected,\n"
            "                        failed. The API's base URL (http://127.0.0.1:8000) works too:\n"
            "                        each kind goes to its path (/pin/, /geo/, /user/)\n"
            "  --concurrency N       requests in flight in target mode (default 8)\n"
            "  --rate N              at most N events per second in target mode (default: no limit)\n"
            "  --retries N           attempts after the first, per event (default 8)\n"
            "  --token T             bearer token for an API that requires one\n"
            "  --kafka BROKERS       produce straight to Kafka (no API), with the API's message\n"
            "                        contract: key unique_id (geo, user: ind), ingest-time,\n"
            "                        schema and kind headers\n"
            "  --topic NAME          topic of the pins with --kafka (default pins)\n"
            "  --geo-topic NAME      with --kafka --kinds all: topic of the geo events, and\n"
            "  --users-topic NAME    of the user events (default geo and users when --topic is\n"
            "                        pins; a --topic of its own needs both named)\n"
            "  --partitions N        with --kafka: create the topics with N partitions if missing\n"
            "  --help                this text\n"
            "\n"
            "Every option can also be set as PINPIPE_EMULATE_<NAME>, e.g.\n"
            "PINPIPE_EMULATE_SEED=7 or PINPIPE_EMULATE_INVALID_RATE=0.01; flags win.\n"
            "See docs/emulator.md for the data model, rates and the manifest.\n");
}

static int apply(pp_emu_options *o, const opt_spec *sp, const char *value, const char *what, char *err, size_t errlen) {
    char *base = (char *)o + sp->offset;
    uint64_t u;
    uint32_t ppm;
    int64_t day;
    switch (sp->type) {
    case OPT_U64:
        if (pp_parse_u64(value, sp->min, sp->max, &u)) goto bad;
        memcpy(base, &u, sizeof u);
        return PP_OK;
    case OPT_U32: {
        if (pp_parse_u64(value, sp->min, sp->max, &u)) goto bad;
        uint32_t v = (uint32_t)u;
        memcpy(base, &v, sizeof v);
        return PP_OK;
    }
    case OPT_DATE:
        if (pp_parse_date(value, &day)) goto bad;
        memcpy(base, &day, sizeof day);
        return PP_OK;
    case OPT_SCHEMA: {
        pp_schema s;
        if (!strcmp(value, "v1"))
            s = PP_SCHEMA_V1;
        else if (!strcmp(value, "v2"))
            s = PP_SCHEMA_V2;
        else
            goto bad;
        memcpy(base, &s, sizeof s);
        return PP_OK;
    }
    case OPT_KINDS: {
        pp_kinds k;
        if (!strcmp(value, "pin"))
            k = PP_KINDS_PIN;
        else if (!strcmp(value, "all"))
            k = PP_KINDS_ALL;
        else
            goto bad;
        memcpy(base, &k, sizeof k);
        return PP_OK;
    }
    case OPT_PPM:
        if (pp_parse_ppm(value, &ppm)) goto bad;
        memcpy(base, &ppm, sizeof ppm);
        return PP_OK;
    case OPT_PATH:
        if (!*value) goto bad;
        memcpy(base, &value, sizeof value);
        return PP_OK;
    }
bad:
    pp_errf(err, errlen, "%s: invalid value '%s'", what, value);
    return PP_EINVAL;
}

/* Checks across options, once flags are in (the environment alone may be incomplete). */
static int check_final(const pp_emu_options *o, char *err, size_t errlen) {
    if (o->kafka && o->kinds == PP_KINDS_ALL &&
        (!pp_kind_topic(PP_KIND_GEO, o->geo_topic, o->topic) ||
         !pp_kind_topic(PP_KIND_USER, o->users_topic, o->topic))) {
        pp_errf(err, errlen, "--kafka --kinds all with --topic %s: name --geo-topic and --users-topic too", o->topic);
        return PP_EINVAL;
    }
    return PP_OK;
}

static int check(const pp_emu_options *o, char *err, size_t errlen) {
    int64_t last = pp_days_from_civil(9999, 12, 31);
    if (o->start_day + (int64_t)o->days - 1 > last) {
        pp_errf(err, errlen, "--start-date plus --days goes past 9999-12-31");
        return PP_EINVAL;
    }
    return PP_OK;
}

int pp_emu_options_from_env(pp_emu_options *o, char *err, size_t errlen) {
    for (size_t i = 0; i < N_SPECS; i++) {
        char var[64] = "PINPIPE_EMULATE_";
        size_t n = strlen(var);
        for (const char *p = SPECS[i].name; *p && n + 1 < sizeof var; p++)
            var[n++] = *p == '-' ? '_' : (char)(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p);
        var[n] = '\0';
        const char *v = getenv(var);
        if (!v || !*v) continue;
        int rc = apply(o, &SPECS[i], v, var, err, errlen);
        if (rc) return rc;
    }
    return check(o, err, errlen);
}

int pp_emu_options_parse(pp_emu_options *o, int argc, char **argv, char *err, size_t errlen) {
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            o->help = 1;
            continue;
        }
        if (strncmp(a, "--", 2) != 0) {
            pp_errf(err, errlen, "unexpected argument '%s'", a);
            return PP_EINVAL;
        }
        const char *name = a + 2, *eq = strchr(name, '=');
        size_t nlen = eq ? (size_t)(eq - name) : strlen(name);
        const opt_spec *sp = NULL;
        for (size_t k = 0; k < N_SPECS; k++)
            if (strlen(SPECS[k].name) == nlen && !strncmp(SPECS[k].name, name, nlen)) sp = &SPECS[k];
        if (!sp) {
            pp_errf(err, errlen, "unknown option '%s' (see --help)", a);
            return PP_EINVAL;
        }
        const char *value = eq ? eq + 1 : NULL;
        if (!value) {
            if (i + 1 >= argc) {
                pp_errf(err, errlen, "option '--%s' needs a value", sp->name);
                return PP_EINVAL;
            }
            value = argv[++i];
        }
        char what[48];
        snprintf(what, sizeof what, "--%s", sp->name);
        int rc = apply(o, sp, value, what, err, errlen);
        if (rc) return rc;
    }
    int rc = check(o, err, errlen);
    return rc ? rc : check_final(o, err, errlen);
}
