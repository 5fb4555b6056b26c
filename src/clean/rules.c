#include "clean/rules.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "clean/follower_count.h"
#include "clean/side_rules.h"
#include "common/mem.h"

/* ---- helpers --------------------------------------------------------------- */

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

/* Sets a text field to null, recording that cleaning nulled it. */
static void set_null(pp_pin *pin, pp_field f) {
    pin->text[f] = NULL; /* its bytes stay in the pin's arena */
    pin->nulled |= 1u << f;
}

/* Records that a non-null value could not be converted and is now null. */
static void mark_invalid(pp_pin *pin, pp_field f) {
    pin->nulled |= 1u << f;
    pin->invalid |= 1u << f;
}

static void set_invalid(pp_pin *pin, pp_field f) {
    set_null(pin, f);
    mark_invalid(pin, f);
}

static pp_rule_result null_if_equal(pp_pin *pin, pp_field f, const char *const *placeholders) {
    if (!pin->text[f]) return PP_RULE_UNCHANGED;
    for (; *placeholders; placeholders++) {
        if (strcmp(pin->text[f], *placeholders) == 0) {
            set_null(pin, f);
            return PP_RULE_CHANGED;
        }
    }
    return PP_RULE_UNCHANGED;
}

/* ---- the rules ------------------------------------------------------------- */

static pp_rule_result trim_text(pp_pin *pin, const char **reason) {
    (void)reason;
    pp_rule_result r = PP_RULE_UNCHANGED;
    for (int f = 0; f < PP_F_COUNT; f++) {
        char *s = pin->text[f];
        if (!s) continue;
        size_t n = strlen(s), start = 0;
        while (start < n && is_space(s[start])) start++;
        while (n > start && is_space(s[n - 1])) n--;
        if (start == 0 && s[n] == '\0') continue;
        s[n] = '\0';
        pin->text[f] = s + start; /* the arena's bytes: no copy */
        r = PP_RULE_CHANGED;
    }
    return r;
}

static pp_rule_result require_unique_id(pp_pin *pin, const char **reason) {
    if (pin->text[PP_F_UNIQUE_ID] && pin->text[PP_F_UNIQUE_ID][0]) return PP_RULE_UNCHANGED;
    *reason = "missing_unique_id";
    return PP_RULE_REJECT;
}

static pp_rule_result empty_to_null(pp_pin *pin, const char **reason) {
    (void)reason;
    pp_rule_result r = PP_RULE_UNCHANGED;
    for (int f = 0; f < PP_F_COUNT; f++) {
        if (f == PP_F_TIMESTAMP || !pin->text[f] || pin->text[f][0]) continue;
        set_null(pin, (pp_field)f);
        r = PP_RULE_CHANGED;
    }
    return r;
}

static pp_rule_result title_placeholder(pp_pin *pin, const char **reason) {
    (void)reason;
    static const char *const P[] = {"No Title Data Available", NULL};
    return null_if_equal(pin, PP_F_TITLE, P);
}

static pp_rule_result description_placeholder(pp_pin *pin, const char **reason) {
    (void)reason;
    static const char *const P[] = {"No description available Story format", "No description available", NULL};
    return null_if_equal(pin, PP_F_DESCRIPTION, P);
}

static pp_rule_result follower_count_placeholder(pp_pin *pin, const char **reason) {
    (void)reason;
    static const char *const P[] = {"User Info Error", NULL};
    return null_if_equal(pin, PP_F_FOLLOWER_COUNT, P);
}

static pp_rule_result poster_name_placeholder(pp_pin *pin, const char **reason) {
    (void)reason;
    static const char *const P[] = {"User Info Error", NULL};
    return null_if_equal(pin, PP_F_POSTER_NAME, P);
}

static pp_rule_result image_src_placeholder(pp_pin *pin, const char **reason) {
    (void)reason;
    static const char *const P[] = {"Image src error.", NULL};
    return null_if_equal(pin, PP_F_IMAGE_SRC, P);
}

static pp_rule_result tag_list_placeholder(pp_pin *pin, const char **reason) {
    (void)reason;
    static const char *const P[] = {"N,o, ,T,a,g,s, ,A,v,a,i,l,a,b,l,e", NULL};
    return null_if_equal(pin, PP_F_TAG_LIST, P);
}

static pp_rule_result follower_count_to_int(pp_pin *pin, const char **reason) {
    (void)reason;
    char *s = pin->text[PP_F_FOLLOWER_COUNT];
    if (!s) return PP_RULE_UNCHANGED;
    if (pp_follower_count_parse(s, strlen(s), &pin->follower_count) == 0)
        pin->has_follower_count = 1;
    else
        mark_invalid(pin, PP_F_FOLLOWER_COUNT);
    pin->text[PP_F_FOLLOWER_COUNT] = NULL; /* the value now lives in follower_count */
    return PP_RULE_CHANGED;
}

static pp_rule_result save_location_path(pp_pin *pin, const char **reason) {
    (void)reason;
    static const char PREFIX[] = "Local save in ";
    char *s = pin->text[PP_F_SAVE_LOCATION];
    if (!s) return PP_RULE_UNCHANGED;
    size_t skip = strncmp(s, PREFIX, sizeof PREFIX - 1) == 0 ? sizeof PREFIX - 1 : 0;
    while (is_space(s[skip])) skip++;
    if (s[skip] != '/') { /* no path in it */
        set_invalid(pin, PP_F_SAVE_LOCATION);
        return PP_RULE_CHANGED;
    }
    if (skip == 0) return PP_RULE_UNCHANGED;
    pin->text[PP_F_SAVE_LOCATION] = s + skip;
    return PP_RULE_CHANGED;
}

/* downloaded arrives as the raw int in pin->downloaded (set by the engine). */
static pp_rule_result downloaded_to_bool(pp_pin *pin, const char **reason) {
    (void)reason;
    if (pin->downloaded == 0 || pin->downloaded == 1) return PP_RULE_CHANGED;
    pin->downloaded = -1;
    mark_invalid(pin, PP_F_DOWNLOADED);
    return PP_RULE_CHANGED;
}

static pp_rule_result media_type(pp_pin *pin, const char **reason) {
    (void)reason;
    char *s = pin->text[PP_F_IS_IMAGE_OR_VIDEO];
    if (!s) return PP_RULE_UNCHANGED;
    if (strcasecmp(s, "image") == 0)
        pin->media = PP_MEDIA_IMAGE;
    else if (strcasecmp(s, "video") == 0 || strcasecmp(s, "multi-video(story page format)") == 0)
        pin->media = PP_MEDIA_VIDEO;
    else
        mark_invalid(pin, PP_F_IS_IMAGE_OR_VIDEO);
    pin->text[PP_F_IS_IMAGE_OR_VIDEO] = NULL; /* the value now lives in media */
    return PP_RULE_CHANGED;
}

/* Splits on commas, trims each tag, drops empty and repeated tags (first kept).
 * The tags are cut out of the text in place (a NUL where each one ends). */
static pp_rule_result tag_list_split(pp_pin *pin, const char **reason) {
    (void)reason;
    char *s = pin->text[PP_F_TAG_LIST];
    if (!s) return PP_RULE_UNCHANGED;
    size_t max = 1;
    for (char *c = s; (c = strchr(c, ',')); c++) max++;
    pin->tags = pp_arena_alloc(&pin->arena, max * sizeof(char *));
    for (char *tok = s; tok;) {
        char *comma = strchr(tok, ',');
        char *end = comma ? comma : tok + strlen(tok);
        while (tok < end && is_space(*tok)) tok++;
        while (end > tok && is_space(end[-1])) end--;
        size_t n = (size_t)(end - tok);
        int dup = n == 0;
        for (size_t i = 0; !dup && i < pin->n_tags; i++)
            dup = strncmp(pin->tags[i], tok, n) == 0 && pin->tags[i][n] == '\0';
        *end = '\0'; /* the comma, a trailing space or the text's own NUL */
        if (!dup) pin->tags[pin->n_tags++] = tok;
        tok = comma ? comma + 1 : NULL;
    }
    pin->text[PP_F_TAG_LIST] = NULL;
    if (pin->n_tags == 0) { /* only commas and spaces */
        pin->tags = NULL;
        mark_invalid(pin, PP_F_TAG_LIST);
        return PP_RULE_CHANGED;
    }
    pin->has_tags = 1;
    return PP_RULE_CHANGED;
}

/* Values that become keys — of the stores' primary keys and indexes, and of the
 * metrics — must fit every store: PostgreSQL refuses a btree index row over about
 * 2.7 KB and Cassandra a key over 64 KiB. One bound here keeps both paths equal
 * (a store refusing a value in one path only would break parity). */
static pp_rule_result key_length_limit(pp_pin *pin, const char **reason) {
    static const pp_field KEYS[] = {PP_F_UNIQUE_ID, PP_F_POSTER_NAME, PP_F_CATEGORY};
    for (size_t i = 0; i < sizeof KEYS / sizeof KEYS[0]; i++)
        if (pin->text[KEYS[i]] && pp_key_too_long(pin->text[KEYS[i]])) {
            *reason = "key_too_long";
            return PP_RULE_REJECT;
        }
    for (size_t i = 0; i < pin->n_tags; i++)
        if (pp_key_too_long(pin->tags[i])) {
            *reason = "key_too_long";
            return PP_RULE_REJECT;
        }
    return PP_RULE_UNCHANGED;
}

/* The documented example of key_length_limit: a category of 513 bytes. */
#define C8 "cccccccc"
#define C64 C8 C8 C8 C8 C8 C8 C8 C8
#define C513 C64 C64 C64 C64 C64 C64 C64 C64 "c"

const pp_rule PP_RULES[] = {
    {"trim_text", "*", "trim leading and trailing ASCII whitespace from every text field", "\"  Mixed Media \"",
     "\"Mixed Media\"", trim_text, PP_KIND_PIN, NULL, NULL},
    {"require_unique_id", "unique_id", "reject an event whose unique_id is empty after trimming", "\"  \"",
     "rejected: missing_unique_id", require_unique_id, PP_KIND_PIN, NULL, NULL},
    {"empty_to_null", "*", "an empty text value becomes null", "\"\"", "null", empty_to_null, PP_KIND_PIN, NULL, NULL},
    {"title_placeholder", "title", "\"No Title Data Available\" becomes null", "\"No Title Data Available\"", "null",
     title_placeholder, PP_KIND_PIN, NULL, NULL},
    {"description_placeholder", "description",
     "\"No description available Story format\" and \"No description available\" become null",
     "\"No description available Story format\"", "null", description_placeholder, PP_KIND_PIN, NULL, NULL},
    {"follower_count_placeholder", "follower_count", "\"User Info Error\" becomes null", "\"User Info Error\"", "null",
     follower_count_placeholder, PP_KIND_PIN, NULL, NULL},
    {"poster_name_placeholder", "poster_name", "\"User Info Error\" becomes null", "\"User Info Error\"", "null",
     poster_name_placeholder, PP_KIND_PIN, NULL, NULL},
    {"image_src_placeholder", "image_src", "\"Image src error.\" becomes null", "\"Image src error.\"", "null",
     image_src_placeholder, PP_KIND_PIN, NULL, NULL},
    {"tag_list_placeholder", "tag_list", "\"N,o, ,T,a,g,s, ,A,v,a,i,l,a,b,l,e\" becomes null",
     "\"N,o, ,T,a,g,s, ,A,v,a,i,l,a,b,l,e\"", "null", tag_list_placeholder, PP_KIND_PIN, NULL, NULL},
    {"follower_count_to_int", "follower_count",
     "\"940\", \"12,345\", \"6k\", \"1.5k\", \"3M\" become integers; anything else null (invalid)", "\"124k\"",
     "124000", follower_count_to_int, PP_KIND_PIN, NULL, NULL},
    {"save_location_path", "save_location", "keep only the path: drop \"Local save in \"; no path: null (invalid)",
     "\"Local save in /data/art\"", "\"/data/art\"", save_location_path, PP_KIND_PIN, NULL, NULL},
    {"downloaded_to_bool", "downloaded", "0 becomes false, 1 true, any other integer null (invalid)", "1", "true",
     downloaded_to_bool, PP_KIND_PIN, NULL, NULL},
    {"media_type", "is_image_or_video",
     "\"image\" or \"video\"; \"multi-video(story page format)\" is a video; anything else null (invalid)",
     "\"multi-video(story page format)\"", "\"video\"", media_type, PP_KIND_PIN, NULL, NULL},
    {"tag_list_split", "tag_list", "split on commas into trimmed, distinct, non-empty tags",
     "\"Mixed Media, Art Journaling,Collage\"", "[\"Mixed Media\",\"Art Journaling\",\"Collage\"]", tag_list_split,
     PP_KIND_PIN, NULL, NULL},
    {"key_length_limit", "category",
     "reject an event whose category, unique_id, poster_name or a tag is over 512 bytes as JSON text (they are keys)",
     "\"" C513 "\"", "rejected: key_too_long", key_length_limit, PP_KIND_PIN, NULL, NULL},
    /* geo (docs/joins.md) */
    {"geo_country_trim", "country", "trim ASCII whitespace; \"\", \"Unknown\" and \"N/A\" become null", "\" France \"",
     "\"France\"", NULL, PP_KIND_GEO, pp_rule_geo_country, NULL},
    {"geo_coordinates", "latitude",
     "coordinates = [latitude, longitude] when both are finite and in range (-90..90, -180..180), else null "
     "(invalid)",
     "{\"latitude\": 123.4}", "{\"coordinates\": null}", NULL, PP_KIND_GEO, pp_rule_geo_coordinates, NULL},
    {"geo_coordinates_placeholder", "latitude", "[0, 0] (no location) becomes null",
     "{\"latitude\": 0, \"longitude\": 0}", "{\"coordinates\": null}", NULL, PP_KIND_GEO,
     pp_rule_geo_coordinates_placeholder, NULL},
    {"geo_key_length_limit", "country",
     "reject a geo event whose country is over 512 bytes as JSON text (a metric key)", "\"" C513 "\"",
     "rejected: key_too_long", NULL, PP_KIND_GEO, pp_rule_geo_key_length, NULL},
    /* user */
    {"user_name", "first_name",
     "user_name = trimmed first_name, a space, trimmed last_name; an empty part is left out; both empty: null",
     "{\"first_name\": \" Ada \", \"last_name\": \"Lovelace\"}", "{\"user_name\": \"Ada Lovelace\"}", NULL,
     PP_KIND_USER, NULL, pp_rule_user_name},
    {"user_age_range", "age", "an age outside 0..120 becomes null (invalid)", "140", "null", NULL, PP_KIND_USER, NULL,
     pp_rule_user_age_range},
    {"user_date_joined", "date_joined", "a date_joined later than the event time becomes null (invalid)",
     "\"2030-01-01 00:00:00\"", "null", NULL, PP_KIND_USER, NULL, pp_rule_user_date_joined},
    {"user_key_length_limit", "first_name",
     "reject a user event whose user_name is over 512 bytes as JSON text (a metric key)", "\"" C513 "\"",
     "rejected: key_too_long", NULL, PP_KIND_USER, NULL, pp_rule_user_key_length},
};
const size_t PP_N_RULES = sizeof PP_RULES / sizeof PP_RULES[0];

int pp_key_too_long(const char *s) { return pp_json_escaped_len(s, strlen(s)) > PP_KEY_MAX_BYTES; }

int pp_rule_find(const char *name) {
    for (size_t i = 0; i < PP_N_RULES; i++)
        if (strcmp(PP_RULES[i].name, name) == 0) return (int)i;
    return -1;
}
