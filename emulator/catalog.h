/* catalog — the fixed "table" of pins the emulator posts from.
 *
 * Like the original project's emulator, which posted random rows of one fixed
 * table (~11k rows), every event is a row of a catalog of `size` pins. Row i is a
 * pure function of (catalog seed, i): nothing is stored, so memory does not grow
 * with the catalog, and the same row always has the same unique_id, category,
 * text and placeholders. A repeated unique_id is therefore always the same pin.
 *
 * Guarantees: unique_ids are distinct for distinct rows of one catalog (the low
 * 62 bits are a bijection of the row number), and the UUID text is version-4
 * shaped. `index` is the row number.
 *
 * Ownership: pp_pin is caller-owned storage (about 4 KiB); its string pointers
 * point into the pin itself or at static placeholder strings, and stay valid
 * until the pin is overwritten.
 */
#ifndef PINPIPE_EMU_CATALOG_H
#define PINPIPE_EMU_CATALOG_H

#include <stdint.h>

#include "words.h"

/* Placeholder strings, exactly as in the public data. */
#define PP_PH_TITLE_TEXT "No Title Data Available"
#define PP_PH_DESC_STORY_TEXT "No description available Story format"
#define PP_PH_DESC_TEXT "No description available"
#define PP_PH_USER_TEXT "User Info Error"
#define PP_PH_IMAGE_TEXT "Image src error."
#define PP_PH_TAGS_TEXT "N,o, ,T,a,g,s, ,A,v,a,i,l,a,b,l,e"

/* Fields that can hold a placeholder (bit i of pp_pin.placeholders). */
enum {
    PP_PH_TITLE = 0,
    PP_PH_DESCRIPTION,
    PP_PH_POSTER_NAME,
    PP_PH_FOLLOWER_COUNT,
    PP_PH_TAG_LIST,
    PP_PH_IMAGE_SRC,
    PP_PH_FIELDS
};
extern const char *const pp_ph_field_names[PP_PH_FIELDS];

enum { PP_MEDIA_IMAGE = 0, PP_MEDIA_VIDEO, PP_MEDIA_STORY, PP_MEDIA_KINDS };
/* The raw is_image_or_video value of each media kind. */
extern const char *const pp_media_raw[PP_MEDIA_KINDS];

/* How follower_count is written. The first four are the public formats. */
enum {
    PP_FC_PLAIN = 0,   /* "940" */
    PP_FC_K,           /* "6k", "124k" */
    PP_FC_M,           /* "1M", "3M" */
    PP_FC_PLACEHOLDER, /* "User Info Error" */
    PP_FC_EMPTY,       /* "" */
    PP_FC_DECIMAL,     /* "1.5k", "2.3M" */
    PP_FC_THOUSANDS,   /* "12,345" */
    PP_FC_GARBAGE,     /* "N/A", "12kk", ... */
    PP_FC_KINDS
};
extern const char *const pp_fc_kind_names[PP_FC_KINDS];

/* What a pin is, apart from its text: small enough to keep per cached row. */
typedef struct {
    uint64_t index;
    char unique_id[37];
    unsigned category;     /* index into pp_words_categories */
    unsigned media;        /* PP_MEDIA_* */
    unsigned placeholders; /* bit PP_PH_* set when that field holds its placeholder */
    unsigned fc_kind;      /* PP_FC_* */
    uint64_t followers;    /* the number behind follower_count (0 for placeholders) */
    int downloaded;
} pp_pin_meta;

typedef struct {
    pp_pin_meta m;
    const char *title, *description, *poster_name, *follower_count, *tag_list, *image_src;
    char save_location[64];
    char text[3072]; /* backing store for the strings above */
} pp_pin;

typedef struct {
    uint64_t size; /* rows 0 .. size-1 */
    uint64_t seed;
} pp_catalog;

/* Fills *pin with row `index` (< c->size) of the catalog. Always succeeds; text
 * that would not fit the pin's store is cut at a UTF-8 boundary (never happens
 * with the built-in vocabulary). */
void pp_catalog_pin(const pp_catalog *c, uint64_t index, pp_pin *pin);

#endif
