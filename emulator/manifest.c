#include "common/mem.h"
#include "manifest.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civil.h"
#include "common/error.h"
#include "join_truth.h"

typedef struct {
    uint64_t events, valid, invalid, extra;
    uint64_t invalid_by_kind[PP_INV_KINDS];
    uint64_t distinct;
    uint64_t by_category[PP_N_CATEGORIES];
    uint64_t by_media[2]; /* image, video (stories count as video) */
    uint64_t story;
    uint64_t ph_events[PP_PH_FIELDS], ph_pins[PP_PH_FIELDS];
    uint64_t fc_pins[PP_FC_KINDS];
} day_stats;

/* --kinds all: the geo and user events sent, and what posts lacked or repeated. */
typedef struct {
    uint64_t geo, user;
    uint64_t invalid_geo[PP_SIDE_INV_KINDS], invalid_user[PP_SIDE_INV_KINDS];
    uint64_t mess[PP_MESS_KINDS];
    uint64_t no_geo, no_user, repeated, ghost;
} side_stats;

struct pp_manifest {
    pp_emu_options o;
    day_stats *days;     /* o.days records */
    side_stats *sides;   /* o.days records, --kinds all */
    pp_join_truth *join; /* --kinds all */
    uint8_t *seen;       /* catalog-size bits: row seen valid in the current day */
    size_t seen_bytes;
    uint32_t current_day;
};

int pp_manifest_create(const pp_emu_options *o, pp_manifest **out, char *err, size_t errlen) {
    (void)err, (void)errlen; /* cannot fail today: allocation failure aborts (common/mem.h) */
    *out = NULL;
    pp_manifest *m = pp_xcalloc(1, sizeof *m);
    m->o = *o;
    m->days = pp_xcalloc(o->days, sizeof *m->days);
    m->seen_bytes = (size_t)((o->catalog_size + 7) / 8);
    m->seen = pp_xcalloc(m->seen_bytes, 1);
    if (o->kinds == PP_KINDS_ALL) {
        m->sides = pp_xcalloc(o->days, sizeof *m->sides);
        m->join = pp_join_truth_create(o->days);
    }
    *out = m;
    return PP_OK;
}

void pp_manifest_destroy(pp_manifest *m) {
    if (!m) return;
    free(m->days);
    free(m->sides);
    pp_join_truth_destroy(m->join);
    free(m->seen);
    free(m);
}

int pp_manifest_add(pp_manifest *m, const pp_emu_event *ev, char *err, size_t errlen) {
    if (ev->day < m->current_day || ev->day >= m->o.days) {
        pp_errf(err, errlen, "manifest: event day %u out of order", (unsigned)ev->day);
        return PP_EINVAL;
    }
    if (ev->day != m->current_day) {
        memset(m->seen, 0, m->seen_bytes);
        m->current_day = ev->day;
    }
    day_stats *d = &m->days[ev->day];
    const pp_pin_meta *p = ev->pin;
    d->events++;
    if (ev->invalid != PP_INV_NONE) {
        d->invalid++;
        d->invalid_by_kind[ev->invalid]++;
        return PP_OK;
    }
    d->valid++;
    d->extra += ev->extra_field ? 1 : 0;
    unsigned ph = p->placeholders;
    if (m->o.schema == PP_SCHEMA_V1) ph &= ~(1u << PP_PH_POSTER_NAME); /* not written */
    for (unsigned f = 0; f < PP_PH_FIELDS; f++)
        if (ph & (1u << f)) d->ph_events[f]++;

    uint8_t bit = (uint8_t)(1u << (p->index & 7));
    if (m->seen[p->index >> 3] & bit) return PP_OK; /* same pin, same day: a repeat */
    m->seen[p->index >> 3] |= bit;
    d->distinct++;
    d->by_category[p->category]++;
    d->by_media[p->media == PP_MEDIA_IMAGE ? 0 : 1]++;
    d->story += p->media == PP_MEDIA_STORY;
    for (unsigned f = 0; f < PP_PH_FIELDS; f++)
        if (ph & (1u << f)) d->ph_pins[f]++;
    d->fc_pins[p->fc_kind]++;
    return PP_OK;
}

void pp_manifest_add_sent(pp_manifest *m, const pp_emu_out *o) {
    if (!m->join || o->day >= m->o.days) return;
    pp_join_truth_add(m->join, o);
    if (o->kind == PP_KIND_PIN) return;
    side_stats *s = &m->sides[o->day];
    int geo = o->kind == PP_KIND_GEO;
    if (geo)
        s->geo++;
    else
        s->user++;
    if (!o->valid) {
        (geo ? s->invalid_geo : s->invalid_user)[o->side->invalid]++;
        return;
    }
    for (unsigned k = 0; k < PP_MESS_KINDS; k++)
        if (o->side->mess & (1u << k)) s->mess[k]++;
}

void pp_manifest_post(pp_manifest *m, uint32_t day, int no_geo, int no_user, int repeated, int ghost) {
    if (!m->sides || day >= m->o.days) return;
    side_stats *s = &m->sides[day];
    s->no_geo += no_geo != 0;
    s->no_user += no_user != 0;
    s->repeated += repeated != 0;
    s->ghost += ghost != 0;
}

void pp_manifest_watermark(pp_manifest *m, uint32_t day) {
    if (m->join) pp_join_truth_close_before(m->join, day);
}

/* Every member of these records is a uint64_t counter: sum them member-wise. */
static void add_counters(void *total, const void *d, size_t size) {
    uint64_t *tp = total;
    const uint64_t *dp = d;
    for (size_t i = 0; i < size / sizeof(uint64_t); i++) tp[i] += dp[i];
}
static void add_totals(day_stats *t, const day_stats *d) { add_counters(t, d, sizeof *t); }

static json_t *u(uint64_t v);

static json_t *side_json(const side_stats *s) {
    json_t *o = json_object(), *t;
    json_object_set_new(o, "geo_events", u(s->geo));
    json_object_set_new(o, "user_events", u(s->user));
    t = json_object();
    for (unsigned k = 0; k < PP_SIDE_INV_KINDS; k++)
        json_object_set_new(t, pp_side_invalid_names[k], u(s->invalid_geo[k]));
    json_object_set_new(o, "invalid_geo_by_kind", t);
    t = json_object();
    for (unsigned k = 0; k < PP_SIDE_INV_KINDS; k++)
        json_object_set_new(t, pp_side_invalid_names[k], u(s->invalid_user[k]));
    json_object_set_new(o, "invalid_user_by_kind", t);
    t = json_object();
    for (unsigned k = 0; k < PP_MESS_KINDS; k++) json_object_set_new(t, pp_mess_names[k], u(s->mess[k]));
    json_object_set_new(o, "messiness", t);
    json_object_set_new(o, "posts_missing_geo", u(s->no_geo));
    json_object_set_new(o, "posts_missing_user", u(s->no_user));
    json_object_set_new(o, "repeated_sides", u(s->repeated));
    json_object_set_new(o, "ghost_posts", u(s->ghost));
    return o;
}

static json_t *u(uint64_t v) { return json_integer((json_int_t)v); }

static json_t *stats_json(json_t *o, const day_stats *d, int v1) {
    json_object_set_new(o, "events", u(d->events));
    json_object_set_new(o, "valid_events", u(d->valid));
    json_object_set_new(o, "invalid_events", u(d->invalid));
    json_t *inv = json_object();
    for (unsigned k = 0; k < PP_INV_KINDS; k++)
        json_object_set_new(inv, pp_invalid_kind_names[k], u(d->invalid_by_kind[k]));
    json_object_set_new(o, "invalid_by_kind", inv);
    json_object_set_new(o, "extra_field_events", u(d->extra));
    json_object_set_new(o, "distinct_pins", u(d->distinct));
    json_object_set_new(o, "repeat_events", u(d->valid - d->distinct));
    json_t *cat = json_object();
    for (unsigned c = 0; c < PP_N_CATEGORIES; c++)
        json_object_set_new(cat, pp_words_categories[c].name, u(d->by_category[c]));
    json_object_set_new(o, "pins_by_category", cat);
    json_t *media = json_object();
    json_object_set_new(media, "image", u(d->by_media[0]));
    json_object_set_new(media, "video", u(d->by_media[1]));
    json_object_set_new(o, "pins_by_media_type", media);
    json_object_set_new(o, "story_pins", u(d->story));
    json_t *phe = json_object(), *php = json_object();
    for (unsigned f = 0; f < PP_PH_FIELDS; f++) {
        if (v1 && f == PP_PH_POSTER_NAME) continue;
        json_object_set_new(phe, pp_ph_field_names[f], u(d->ph_events[f]));
        json_object_set_new(php, pp_ph_field_names[f], u(d->ph_pins[f]));
    }
    json_object_set_new(o, "placeholder_events", phe);
    json_object_set_new(o, "placeholder_pins", php);
    json_t *fc = json_object();
    for (unsigned k = 0; k < PP_FC_KINDS; k++) json_object_set_new(fc, pp_fc_kind_names[k], u(d->fc_pins[k]));
    json_object_set_new(o, "follower_count_format_pins", fc);
    return o;
}

static json_t *manifest_json(const pp_manifest *m) {
    const pp_emu_options *o = &m->o;
    int v1 = o->schema == PP_SCHEMA_V1;
    char date[11];
    json_t *root = json_object();
    json_object_set_new(root, "generator", json_string("pinpipe-emulate"));
    json_object_set_new(root, "manifest_version", json_integer(m->join ? 2 : 1));
    json_object_set_new(root, "seed", u(o->seed));
    json_t *opts = json_object();
    json_object_set_new(opts, "count", u(o->count));
    pp_format_date(o->start_day, date);
    json_object_set_new(opts, "start_date", json_string(date));
    json_object_set_new(opts, "days", u(o->days));
    json_object_set_new(opts, "catalog_size", u(o->catalog_size));
    json_object_set_new(opts, "catalog_seed", u(o->catalog_seed));
    json_object_set_new(opts, "schema", json_string(v1 ? "v1" : "v2"));
    json_object_set_new(opts, "invalid_rate_ppm", u(o->invalid_ppm));
    json_object_set_new(opts, "extra_field_rate_ppm", u(o->extra_ppm));
    if (m->join) {
        json_object_set_new(opts, "kinds", json_string("all"));
        json_object_set_new(opts, "max_delay", u(o->max_delay));
    }
    json_object_set_new(root, "options", opts);

    day_stats total;
    memset(&total, 0, sizeof total);
    for (uint32_t i = 0; i < o->days; i++) add_totals(&total, &m->days[i]);
    json_t *totals = stats_json(json_object(), &total, v1);
    if (m->join) {
        side_stats st;
        memset(&st, 0, sizeof st);
        for (uint32_t i = 0; i < o->days; i++) add_counters(&st, &m->sides[i], sizeof st);
        json_object_set_new(totals, "sides", side_json(&st));
    }
    json_object_set_new(root, "totals", totals);

    json_t *days = json_array();
    for (uint32_t i = 0; i < o->days; i++) {
        json_t *d = json_object();
        pp_format_date(o->start_day + i, date);
        json_object_set_new(d, "day", json_string(date));
        stats_json(d, &m->days[i], v1);
        if (m->join) {
            json_object_set_new(d, "sides", side_json(&m->sides[i]));
            json_object_set_new(d, "join", pp_join_truth_day(m->join, i));
        }
        json_array_append_new(days, d);
    }
    json_object_set_new(root, "days", days);
    return root;
}

int pp_manifest_write(pp_manifest *m, const char *path, char *err, size_t errlen) {
    int rc = PP_EIO;
    char *text = NULL, *tmp = NULL;
    FILE *f = NULL;
    json_t *root = manifest_json(m);
    if (root) text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
    size_t tlen = strlen(path) + 16;
    tmp = pp_xmalloc(tlen);
    if (!root || !text) { /* jansson's allocations */
        pp_errf(err, errlen, "out of memory for the manifest");
        rc = PP_ENOMEM;
        goto out;
    }
    /* write beside the target and rename: never a half-written manifest */
    snprintf(tmp, tlen, "%s.tmp", path);
    f = fopen(tmp, "w");
    if (!f) {
        pp_errf(err, errlen, "cannot create %s", tmp);
        goto out;
    }
    int bad = fputs(text, f) < 0 || fputc('\n', f) == EOF;
    bad |= fclose(f) != 0;
    f = NULL;
    if (bad || rename(tmp, path) != 0) {
        pp_errf(err, errlen, "cannot write manifest %s", path);
        remove(tmp);
        goto out;
    }
    rc = PP_OK;
out:
    if (f) fclose(f);
    free(tmp);
    free(text);
    json_decref(root);
    return rc;
}
