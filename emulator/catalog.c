#include "catalog.h"

#include <string.h>

#include "rng.h"

/* Rates, in parts per million of catalog pins (see docs/emulator.md). */
#define MEDIA_IMAGE_PPM 830000u
#define MEDIA_VIDEO_PPM 125000u
#define MEDIA_STORY_PPM 45000u
#define PH_TITLE_PPM 8000u
#define PH_DESC_PPM 25000u
#define PH_USER_PPM 12000u /* poster_name and follower_count together */
#define PH_TAGS_PPM 15000u
#define PH_IMAGE_PPM 4000u
#define NOT_DOWNLOADED_PPM 15000u
#define FC_EMPTY_PPM 3000u
#define FC_DECIMAL_PPM 5000u
#define FC_THOUSANDS_PPM 4000u
#define FC_GARBAGE_PPM 2000u
#define TITLE_EMOJI_PPM 80000u
#define TITLE_CJK_PPM 20000u
#define TITLE_BACKSLASH_PPM 10000u
#define DESC_NEWLINE_PPM 15000u
#define DESC_EMOJI_PPM 60000u
#define DESC_CJK_PPM 15000u
#define DESC_BACKSLASH_PPM 10000u

const char *const pp_ph_field_names[PP_PH_FIELDS] = {"title",          "description", "poster_name",
                                                     "follower_count", "tag_list",    "image_src"};
const char *const pp_media_raw[PP_MEDIA_KINDS] = {"image", "video", "multi-video(story page format)"};
const char *const pp_fc_kind_names[PP_FC_KINDS] = {
    "plain", "k", "M", "placeholder", "empty", "decimal", "thousands_separator", "garbage"};

/* Appends into the pin's text store; a piece that does not fit is dropped whole,
 * so the text stays valid UTF-8. */
typedef struct {
    char *buf;
    size_t len, cap;
    size_t start;
} text_builder;

static void tb_add(text_builder *t, const char *s, size_t n) {
    if (n >= t->cap - t->len) return; /* keep one byte for the NUL */
    memcpy(t->buf + t->len, s, n);
    t->len += n;
}
static void tb_cstr(text_builder *t, const char *s) { tb_add(t, s, strlen(s)); }
static void tb_lower(text_builder *t, const char *s) {
    size_t n = strlen(s);
    if (n >= t->cap - t->len) return;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        t->buf[t->len++] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
    }
}
static void tb_u64(text_builder *t, uint64_t v) {
    char tmp[24];
    int n = 0;
    do {
        tmp[sizeof tmp - 1 - n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    tb_add(t, tmp + sizeof tmp - n, (size_t)n);
}
static void tb_begin(text_builder *t) { t->start = t->len; }
/* Terminates the current string and returns it. */
static const char *tb_end(text_builder *t) {
    if (t->len >= t->cap) t->len = t->cap - 1;
    t->buf[t->len++] = '\0';
    return t->buf + t->start;
}

static const char *pick(pp_rng *r, const char *const *v, unsigned n) { return v[pp_rng_below(r, n)]; }
static const char *pick_list(pp_rng *r, const pp_word_list *l) { return pick(r, l->v, l->n); }

/* Low 62 bits: a bijection of x, so distinct rows get distinct ids. */
static uint64_t perm62(uint64_t x, uint64_t key) {
    const uint64_t m = (UINT64_C(1) << 62) - 1;
    x = (x ^ key) & m;
    x = (x * UINT64_C(0x9E3779B97F4A7C15)) & m; /* odd multiplier: bijective mod 2^62 */
    x ^= x >> 29;
    x = (x * UINT64_C(0xBF58476D1CE4E5B9)) & m;
    x ^= x >> 32;
    x = (x * UINT64_C(0x94D049BB133111EB)) & m;
    x ^= x >> 29;
    return x;
}

static void hex_u64(char *out, uint64_t v, int digits) {
    static const char hex[] = "0123456789abcdef";
    for (int i = digits - 1; i >= 0; i--, v >>= 4) out[i] = hex[v & 15];
}

static void make_uuid(const pp_catalog *c, uint64_t index, char out[37]) {
    uint64_t lo = perm62(index, pp_mix64(c->seed ^ UINT64_C(0x5DEECE66D)));
    uint64_t hi = pp_mix64(lo ^ pp_mix64(c->seed + 1));
    hi = (hi & ~UINT64_C(0xF000)) | UINT64_C(0x4000);       /* version 4 */
    lo = (lo & ~(UINT64_C(3) << 62)) | (UINT64_C(2) << 62); /* RFC 4122 variant */
    hex_u64(out, hi >> 32, 8);
    out[8] = '-';
    hex_u64(out + 9, (hi >> 16) & 0xFFFF, 4);
    out[13] = '-';
    hex_u64(out + 14, hi & 0xFFFF, 4);
    out[18] = '-';
    hex_u64(out + 19, lo >> 48, 4);
    out[23] = '-';
    hex_u64(out + 24, lo & UINT64_C(0xFFFFFFFFFFFF), 12);
    out[36] = '\0';
}

static void make_title(pp_rng *r, const pp_category_words *cw, text_builder *t) {
    static const uint32_t pattern_w[] = {30, 25, 20, 12, 10, 3};
    const char *noun = pick(r, cw->nouns, cw->n_nouns);
    const char *adj = pick_list(r, &pp_words_adjectives);
    switch (pp_rng_weighted(r, pattern_w, 6)) {
    case 0: tb_cstr(t, adj), tb_cstr(t, " "), tb_cstr(t, noun), tb_cstr(t, " Ideas"); break;
    case 1:
        tb_u64(t, pp_rng_range(r, 5, 50)), tb_cstr(t, " "), tb_cstr(t, adj), tb_cstr(t, " ");
        tb_cstr(t, noun), tb_cstr(t, " Ideas for "), tb_cstr(t, pick_list(r, &pp_words_audiences));
        break;
    case 2: tb_cstr(t, "How to "), tb_cstr(t, pick(r, cw->hows, cw->n_hows)); break;
    case 3: tb_cstr(t, noun); break;
    case 4:
        tb_cstr(t, adj), tb_cstr(t, " "), tb_cstr(t, noun), tb_cstr(t, " | ");
        tb_cstr(t, pick_list(r, &pp_words_audiences));
        break;
    default: tb_cstr(t, "The \""), tb_cstr(t, adj), tb_cstr(t, "\" "), tb_cstr(t, noun); break;
    }
    if (pp_rng_chance(r, TITLE_CJK_PPM)) tb_cstr(t, " "), tb_cstr(t, pick_list(r, &pp_words_cjk));
    if (pp_rng_chance(r, TITLE_BACKSLASH_PPM)) tb_cstr(t, " "), tb_cstr(t, pick_list(r, &pp_words_backslash));
    if (pp_rng_chance(r, TITLE_EMOJI_PPM)) tb_cstr(t, " "), tb_cstr(t, pick_list(r, &pp_words_emoji));
}

static void make_sentence(pp_rng *r, const pp_category_words *cw, text_builder *t) {
    const char *s = pick_list(r, &pp_words_sentences);
    const char *noun = pick(r, cw->nouns, cw->n_nouns);
    const char *adj = pick_list(r, &pp_words_adjectives);
    const char *run = s;
    for (const char *p = s; *p; p++) {
        if (*p != '%' || !p[1]) continue;
        tb_add(t, run, (size_t)(p - run));
        switch (p[1]) {
        case 'A': tb_cstr(t, adj); break;
        case 'a': tb_lower(t, adj); break;
        case 'N': tb_cstr(t, noun); break;
        case 'n': tb_lower(t, noun); break;
        default: tb_add(t, p, 2); break;
        }
        p++;
        run = p + 1;
    }
    tb_cstr(t, run);
}

static void make_description(pp_rng *r, const pp_category_words *cw, text_builder *t) {
    const char *sep = pp_rng_chance(r, DESC_NEWLINE_PPM) ? "\n" : " ";
    uint64_t n = pp_rng_range(r, 1, 4);
    for (uint64_t i = 0; i < n; i++) {
        if (i) tb_cstr(t, sep);
        make_sentence(r, cw, t);
    }
    if (pp_rng_chance(r, DESC_CJK_PPM)) tb_cstr(t, " "), tb_cstr(t, pick_list(r, &pp_words_cjk));
    if (pp_rng_chance(r, DESC_BACKSLASH_PPM)) tb_cstr(t, " "), tb_cstr(t, pick_list(r, &pp_words_backslash));
    if (pp_rng_chance(r, DESC_EMOJI_PPM)) tb_cstr(t, " "), tb_cstr(t, pick_list(r, &pp_words_emoji));
}

static void make_poster(pp_rng *r, text_builder *t) {
    tb_cstr(t, pick_list(r, &pp_words_first_names));
    const char *suffix = pick_list(r, &pp_words_name_suffixes);
    if (*suffix && *suffix != '\'') tb_cstr(t, " ");
    tb_cstr(t, suffix);
}

static void make_tags(pp_rng *r, const pp_category_words *cw, text_builder *t) {
    unsigned order[32];
    unsigned n = cw->n_tags < 32 ? cw->n_tags : 32;
    for (unsigned i = 0; i < n; i++) order[i] = i;
    unsigned k = (unsigned)pp_rng_range(r, 3, n < 8 ? n : 8);
    for (unsigned i = 0; i < k; i++) { /* partial Fisher-Yates: k distinct tags */
        unsigned j = i + (unsigned)pp_rng_below(r, n - i);
        unsigned tmp = order[i];
        order[i] = order[j];
        order[j] = tmp;
        if (i) tb_cstr(t, ",");
        tb_cstr(t, cw->tags[order[i]]);
    }
}

static void make_image_src(pp_rng *r, text_builder *t) {
    char h[33];
    hex_u64(h, pp_rng_next(r), 16);
    hex_u64(h + 16, pp_rng_next(r), 16);
    h[32] = '\0';
    tb_cstr(t, "https://i.pinimg.com/originals/");
    tb_add(t, h, 2), tb_cstr(t, "/"), tb_add(t, h + 2, 2), tb_cstr(t, "/");
    tb_add(t, h + 4, 2), tb_cstr(t, "/"), tb_add(t, h, 32), tb_cstr(t, ".jpg");
}

/* Writes follower_count in one of its formats; returns the kind. */
static unsigned make_followers(pp_rng *r, text_builder *t, uint64_t *followers) {
    uint64_t x = pp_rng_below(r, PP_PPM);
    *followers = 0;
    if (x < FC_EMPTY_PPM) return PP_FC_EMPTY;
    x -= FC_EMPTY_PPM;
    if (x < FC_DECIMAL_PPM) {
        int mega = pp_rng_chance(r, 250000);
        uint64_t whole = pp_rng_range(r, 1, mega ? 9 : 99), tenth = pp_rng_range(r, 1, 9);
        tb_u64(t, whole), tb_cstr(t, "."), tb_u64(t, tenth), tb_cstr(t, mega ? "M" : "k");
        *followers = (whole * 10 + tenth) * (mega ? 100000 : 100);
        return PP_FC_DECIMAL;
    }
    x -= FC_DECIMAL_PPM;
    if (x < FC_THOUSANDS_PPM) {
        uint64_t n = pp_rng_range(r, 1000, 999999);
        tb_u64(t, n / 1000), tb_cstr(t, ",");
        char three[4] = {(char)('0' + n / 100 % 10), (char)('0' + n / 10 % 10), (char)('0' + n % 10), 0};
        tb_cstr(t, three);
        *followers = n;
        return PP_FC_THOUSANDS;
    }
    x -= FC_THOUSANDS_PPM;
    if (x < FC_GARBAGE_PPM) {
        tb_cstr(t, pick_list(r, &pp_words_garbage_followers));
        return PP_FC_GARBAGE;
    }
    static const uint32_t bucket_w[] = {25, 60, 15};
    switch (pp_rng_weighted(r, bucket_w, 3)) {
    case 0:
        *followers = pp_rng_range(r, 0, 999);
        tb_u64(t, *followers);
        return PP_FC_PLAIN;
    case 1: {
        static const uint32_t exp_w[] = {50, 35, 15};
        static const uint64_t lo[] = {1, 10, 100}, hi[] = {9, 99, 999};
        unsigned e = pp_rng_weighted(r, exp_w, 3);
        uint64_t k = pp_rng_range(r, lo[e], hi[e]);
        tb_u64(t, k), tb_cstr(t, "k");
        *followers = k * 1000;
        return PP_FC_K;
    }
    default: {
        uint64_t m = pp_rng_chance(r, 750000) ? pp_rng_range(r, 1, 3) : pp_rng_range(r, 4, 40);
        tb_u64(t, m), tb_cstr(t, "M");
        *followers = m * 1000000;
        return PP_FC_M;
    }
    }
}

void pp_catalog_pin(const pp_catalog *c, uint64_t index, pp_pin *pin) {
    pp_rng r;
    pp_rng_seed(&r, c->seed, index);
    text_builder t = {pin->text, 0, sizeof pin->text, 0};

    pin->m.index = index;
    make_uuid(c, index, pin->m.unique_id);
    uint32_t cat_w[PP_N_CATEGORIES];
    for (unsigned i = 0; i < PP_N_CATEGORIES; i++) cat_w[i] = pp_words_categories[i].weight;
    pin->m.category = pp_rng_weighted(&r, cat_w, PP_N_CATEGORIES);
    const pp_category_words *cw = &pp_words_categories[pin->m.category];
    static const uint32_t media_w[] = {MEDIA_IMAGE_PPM, MEDIA_VIDEO_PPM, MEDIA_STORY_PPM};
    pin->m.media = pp_rng_weighted(&r, media_w, PP_MEDIA_KINDS);

    memcpy(pin->save_location, "Local save in /data/", 20);
    size_t cl = strlen(cw->name);
    memcpy(pin->save_location + 20, cw->name, cl + 1);

    if (pin->m.media == PP_MEDIA_STORY) {
        /* story pages carry every placeholder at once and are never downloaded */
        pin->m.placeholders = (1u << PP_PH_FIELDS) - 1;
        pin->m.fc_kind = PP_FC_PLACEHOLDER;
        pin->m.followers = 0;
        pin->m.downloaded = 0;
        pin->title = PP_PH_TITLE_TEXT;
        pin->description = PP_PH_DESC_STORY_TEXT;
        pin->poster_name = PP_PH_USER_TEXT;
        pin->follower_count = PP_PH_USER_TEXT;
        pin->tag_list = PP_PH_TAGS_TEXT;
        pin->image_src = PP_PH_IMAGE_TEXT;
        return;
    }

    unsigned ph = 0;
    if (pp_rng_chance(&r, PH_TITLE_PPM)) ph |= 1u << PP_PH_TITLE;
    if (pp_rng_chance(&r, PH_DESC_PPM)) ph |= 1u << PP_PH_DESCRIPTION;
    if (pp_rng_chance(&r, PH_USER_PPM)) ph |= (1u << PP_PH_POSTER_NAME) | (1u << PP_PH_FOLLOWER_COUNT);
    if (pp_rng_chance(&r, PH_TAGS_PPM)) ph |= 1u << PP_PH_TAG_LIST;
    if (pp_rng_chance(&r, PH_IMAGE_PPM)) ph |= 1u << PP_PH_IMAGE_SRC;
    pin->m.placeholders = ph;

    /* Every part is generated (consuming the same random numbers) whether or not
     * a placeholder replaces it, so one rate does not shift the others. */
    tb_begin(&t), make_title(&r, cw, &t);
    const char *title = tb_end(&t);
    tb_begin(&t), make_description(&r, cw, &t);
    const char *desc = tb_end(&t);
    tb_begin(&t), make_poster(&r, &t);
    const char *poster = tb_end(&t);
    tb_begin(&t);
    unsigned fc_kind = make_followers(&r, &t, &pin->m.followers);
    const char *fc = tb_end(&t);
    tb_begin(&t), make_tags(&r, cw, &t);
    const char *tags = tb_end(&t);
    tb_begin(&t), make_image_src(&r, &t);
    const char *img = tb_end(&t);
    int downloaded = !pp_rng_chance(&r, NOT_DOWNLOADED_PPM);

    pin->title = (ph & (1u << PP_PH_TITLE)) ? PP_PH_TITLE_TEXT : title;
    pin->description = (ph & (1u << PP_PH_DESCRIPTION)) ? PP_PH_DESC_TEXT : desc;
    pin->poster_name = (ph & (1u << PP_PH_POSTER_NAME)) ? PP_PH_USER_TEXT : poster;
    if (ph & (1u << PP_PH_FOLLOWER_COUNT)) {
        pin->follower_count = PP_PH_USER_TEXT;
        pin->m.fc_kind = PP_FC_PLACEHOLDER;
        pin->m.followers = 0;
    } else {
        pin->follower_count = fc;
        pin->m.fc_kind = fc_kind;
    }
    pin->tag_list = (ph & (1u << PP_PH_TAG_LIST)) ? PP_PH_TAGS_TEXT : tags;
    pin->image_src = (ph & (1u << PP_PH_IMAGE_SRC)) ? PP_PH_IMAGE_TEXT : img;
    pin->m.downloaded = (ph & (1u << PP_PH_IMAGE_SRC)) ? 0 : downloaded;
}
