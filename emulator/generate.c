#include "common/mem.h"
#include "generate.h"

#include <stdlib.h>
#include <string.h>

#include "civil.h"
#include "common/error.h"
#include "jsonw.h"
#include "rng.h"

/* Event-level rates, in parts per million (see docs/emulator.md). */
#define REPOST_PPM 20000u /* the same pin again, shortly after, same day */
#define HOT_PPM 300000u   /* a draw from the hot 2% of the catalog */
#define RECENT 16u
#define LINE_CAP 32768u
#define SLOT_BODY 1200u /* rendered fields kept per cached row; longer ones are not cached */

const char *const pp_invalid_kind_names[PP_INV_KINDS] = {
    "missing_unique_id", "index_not_int",  "downloaded_not_int", "follower_count_not_string",
    "missing_field",     "truncated_json", "invalid_utf8"};

/* Members a missing_field event may lack: the seeds' required fields except
 * unique_id (its own kind). poster_name and timestamp are optional. */
enum { F_INDEX, F_TITLE, F_DESC, F_FC, F_TAGS, F_MEDIA, F_IMAGE, F_DOWNLOADED, F_SAVE, F_CAT, F_N };

static const char *const BAD_UTF8[] = {"\xff", "\xc3\x28", "\x80", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80"};
static const char *const EXTRA_FIELDS[] = {"\"source\": \"mobile-app\"",
                                           "\"client_version\": \"2.7.1\"",
                                           "\"lat\": 51.5072",
                                           "\"session\": {\"id\": 42, \"new\": true}",
                                           "\"tags_v2\": [\"a\", \"b\"]",
                                           "\"is_promoted\": false",
                                           "\"note\": null"};

typedef struct {
    uint64_t row_plus1; /* 0: empty */
    pp_pin_meta meta;
    size_t len;
    char body[SLOT_BODY];
} cache_slot;

struct pp_emu_gen {
    pp_emu_options o;
    pp_catalog cat;
    pp_rng rng;
    uint64_t produced;
    uint32_t day;
    uint64_t day_n, day_k; /* events in the current day, and made so far */
    uint64_t hot;          /* rows 0..hot-1 are the popular ones */
    uint64_t recent[RECENT];
    unsigned n_recent, recent_pos;
    char date[11];
    pp_pin pin;
    pp_pin_meta meta; /* the current event's row */
    cache_slot *cache;
    uint64_t n_slots;
    char line[LINE_CAP];
};

static uint64_t day_events(const pp_emu_gen *g, uint32_t d) {
    return g->o.count / g->o.days + (d < g->o.count % g->o.days ? 1 : 0);
}

int pp_emu_gen_create(const pp_emu_options *o, pp_emu_gen **out, char *err, size_t errlen) {
    *out = NULL;
    if (o->days == 0 || o->catalog_size == 0) {
        pp_errf(err, errlen, "days and catalog size must be at least 1");
        return PP_EINVAL;
    }
    pp_emu_gen *g = pp_xcalloc(1, sizeof *g);
    g->n_slots = o->catalog_size < PP_EMU_CACHE_SLOTS ? o->catalog_size : PP_EMU_CACHE_SLOTS;
    g->cache = pp_xcalloc((size_t)g->n_slots, sizeof *g->cache);
    g->o = *o;
    g->cat.size = o->catalog_size;
    g->cat.seed = o->catalog_seed;
    pp_rng_seed(&g->rng, o->seed, UINT64_C(0xE7E7));
    g->hot = o->catalog_size / 50 ? o->catalog_size / 50 : 1;
    g->day = 0;
    g->day_n = day_events(g, 0);
    pp_format_date(o->start_day, g->date);
    *out = g;
    return PP_OK;
}

void pp_emu_gen_destroy(pp_emu_gen *g) {
    if (!g) return;
    free(g->cache);
    free(g);
}

static uint64_t choose_row(pp_emu_gen *g) {
    uint64_t row;
    if (g->n_recent && pp_rng_chance(&g->rng, REPOST_PPM)) return g->recent[pp_rng_below(&g->rng, g->n_recent)];
    if (pp_rng_chance(&g->rng, HOT_PPM))
        row = pp_rng_below(&g->rng, g->hot);
    else
        row = pp_rng_below(&g->rng, g->cat.size);
    g->recent[g->recent_pos] = row;
    g->recent_pos = (g->recent_pos + 1) % RECENT;
    if (g->n_recent < RECENT) g->n_recent++;
    return row;
}

static int keep(pp_invalid_kind invalid, int missing, int field) {
    return !(invalid == PP_INV_MISSING_FIELD && missing == field);
}

static void key(pp_jw *w, const char *name, size_t len, int *first) {
    pp_jw_key_n(w, name, len, *first);
    *first = 0;
}
#define KEY(lit) key(w, lit, sizeof(lit) - 1, &first)

/* Writes the members of pin p from "index" to "category", in the seeds' order;
 * `invalid` (and `missing`, for PP_INV_MISSING_FIELD) shape the broken kinds. */
static void write_fields(pp_emu_gen *g, pp_jw *w, const pp_pin *p, pp_invalid_kind invalid, int missing) {
    int first = 1;
    if (keep(invalid, missing, F_INDEX)) {
        KEY("index");
        if (invalid == PP_INV_INDEX_NOT_INT)
            pp_jw_char(w, '"'), pp_jw_u64(w, p->m.index), pp_jw_cstr(w, "a\"");
        else
            pp_jw_u64(w, p->m.index);
    }
    if (invalid != PP_INV_MISSING_UNIQUE_ID) {
        KEY("unique_id");
        pp_jw_str(w, p->m.unique_id);
    }
    if (keep(invalid, missing, F_TITLE)) {
        KEY("title");
        pp_jw_str(w, p->title);
        if (invalid == PP_INV_INVALID_UTF8) { /* raw bad bytes before the closing quote */
            w->len--;
            pp_jw_cstr(w, BAD_UTF8[pp_rng_below(&g->rng, sizeof BAD_UTF8 / sizeof *BAD_UTF8)]);
            pp_jw_char(w, '"');
        }
    }
    if (keep(invalid, missing, F_DESC)) {
        KEY("description");
        pp_jw_str(w, p->description);
    }
    if (g->o.schema == PP_SCHEMA_V2) {
        KEY("poster_name");
        pp_jw_str(w, p->poster_name);
    }
    if (keep(invalid, missing, F_FC)) {
        KEY("follower_count");
        if (invalid == PP_INV_FOLLOWER_COUNT_NOT_STR)
            pp_jw_u64(w, p->m.followers);
        else
            pp_jw_str(w, p->follower_count);
    }
    if (keep(invalid, missing, F_TAGS)) {
        KEY("tag_list");
        pp_jw_str(w, p->tag_list);
    }
    if (keep(invalid, missing, F_MEDIA)) {
        KEY("is_image_or_video");
        pp_jw_str(w, pp_media_raw[p->m.media]);
    }
    if (keep(invalid, missing, F_IMAGE)) {
        KEY("image_src");
        pp_jw_str(w, p->image_src);
    }
    if (keep(invalid, missing, F_DOWNLOADED)) {
        KEY("downloaded");
        if (invalid == PP_INV_DOWNLOADED_NOT_INT)
            pp_jw_str(w, p->m.downloaded ? "yes" : "no");
        else
            pp_jw_u64(w, (uint64_t)p->m.downloaded);
    }
    if (keep(invalid, missing, F_SAVE)) {
        KEY("save_location");
        pp_jw_str(w, p->save_location);
    }
    if (keep(invalid, missing, F_CAT)) {
        KEY("category");
        pp_jw_str(w, pp_words_categories[p->m.category].name);
    }
}

/* The part after the fields: timestamp, an optional extra member, the brace. */
static void write_tail(pp_emu_gen *g, pp_jw *w, uint64_t sec, int extra) {
    pp_jw_raw(w, ", \"timestamp\": ", 15);
    pp_jw_timestamp(w, g->date, sec);
    if (extra) {
        pp_jw_raw(w, ", ", 2);
        pp_jw_cstr(w, EXTRA_FIELDS[pp_rng_below(&g->rng, sizeof EXTRA_FIELDS / sizeof *EXTRA_FIELDS)]);
    }
    pp_jw_char(w, '}');
}

int pp_emu_gen_next(pp_emu_gen *g, pp_emu_event *ev) {
    if (g->produced >= g->o.count) return 0;
    while (g->day_k >= g->day_n) { /* the next day with events */
        g->day++;
        g->day_k = 0;
        g->day_n = day_events(g, g->day);
        g->n_recent = g->recent_pos = 0;
        pp_format_date(g->o.start_day + g->day, g->date);
    }
    /* second of the day: the k-th of n events falls in the k-th n-th of the day */
    uint64_t lo = g->day_k * 86400 / g->day_n, hi = (g->day_k + 1) * 86400 / g->day_n;
    uint64_t sec = hi > lo ? pp_rng_range(&g->rng, lo, hi - 1) : lo;

    uint64_t row = choose_row(g);
    pp_invalid_kind invalid = PP_INV_NONE;
    int missing = -1, extra = 0;
    if (pp_rng_chance(&g->rng, g->o.invalid_ppm)) {
        invalid = (pp_invalid_kind)pp_rng_below(&g->rng, PP_INV_KINDS);
        if (invalid == PP_INV_MISSING_FIELD) missing = (int)pp_rng_below(&g->rng, F_N);
    } else if (pp_rng_chance(&g->rng, g->o.extra_ppm)) {
        extra = 1;
    }

    pp_jw w;
    pp_jw_init(&w, g->line, sizeof g->line);
    pp_jw_char(&w, '{');
    cache_slot *slot = &g->cache[row % g->n_slots];
    if (invalid == PP_INV_NONE && slot->row_plus1 == row + 1) {
        pp_jw_raw(&w, slot->body, slot->len); /* a cached valid rendering */
        g->meta = slot->meta;
    } else {
        pp_catalog_pin(&g->cat, row, &g->pin);
        g->meta = g->pin.m;
        size_t start = w.len;
        write_fields(g, &w, &g->pin, invalid, missing);
        if (invalid == PP_INV_NONE && !w.overflow && w.len - start <= sizeof slot->body) {
            slot->row_plus1 = row + 1;
            slot->meta = g->pin.m;
            slot->len = w.len - start;
            memcpy(slot->body, g->line + start, slot->len);
        }
    }
    write_tail(g, &w, sec, extra);
    if (w.overflow) return PP_EINVAL;
    if (invalid == PP_INV_TRUNCATED_JSON) {
        /* cut strictly inside the object, on a UTF-8 character boundary */
        size_t cut = (size_t)pp_rng_range(&g->rng, 1, w.len - 2);
        while (cut > 1 && ((unsigned char)g->line[cut] & 0xC0) == 0x80) cut--;
        w.len = cut;
    }

    ev->line = g->line;
    ev->len = w.len;
    ev->day = g->day;
    ev->sec = (uint32_t)sec;
    ev->seq = g->produced;
    ev->invalid = invalid;
    ev->extra_field = extra;
    ev->pin = &g->meta;
    g->produced++;
    g->day_k++;
    return 1;
}
