#include "clean/pin.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/mem.h"
#include "event/event_time.h"

void pp_pin_init(pp_pin *p) {
    memset(p, 0, sizeof *p);
    pp_arena_init(&p->arena);
    p->downloaded = -1;
}

void pp_pin_clear(pp_pin *p) {
    pp_arena_free(&p->arena);
    pp_pin_init(p);
}

const char *pp_media_name(pp_media m) { return m == PP_MEDIA_IMAGE ? "image" : m == PP_MEDIA_VIDEO ? "video" : NULL; }

/* Appends a string literal (a member's name and its punctuation), no strlen. */
#define PUT(out, lit) pp_sb_append((out), (lit), sizeof(lit) - 1)

void pp_pin_to_json(const pp_pin *p, pp_strbuf *out) {
    char iso[25];
    PUT(out, "{\"unique_id\":");
    pp_sb_json_cstr(out, p->text[PP_F_UNIQUE_ID]);
    PUT(out, ",\"ind\":");
    pp_sb_put_i64(out, p->ind);
    PUT(out, ",\"title\":");
    pp_sb_json_cstr(out, p->text[PP_F_TITLE]);
    PUT(out, ",\"description\":");
    pp_sb_json_cstr(out, p->text[PP_F_DESCRIPTION]);
    PUT(out, ",\"poster_name\":");
    pp_sb_json_cstr(out, p->text[PP_F_POSTER_NAME]);
    PUT(out, ",\"follower_count\":");
    if (p->has_follower_count)
        pp_sb_put_i64(out, p->follower_count);
    else
        PUT(out, "null");
    PUT(out, ",\"tag_list\":");
    if (p->has_tags) {
        pp_sb_putc(out, '[');
        for (size_t i = 0; i < p->n_tags; i++) {
            if (i) pp_sb_putc(out, ',');
            pp_sb_json_cstr(out, p->tags[i]);
        }
        pp_sb_putc(out, ']');
    } else {
        PUT(out, "null");
    }
    PUT(out, ",\"is_image_or_video\":");
    pp_sb_json_cstr(out, pp_media_name(p->media));
    PUT(out, ",\"image_src\":");
    pp_sb_json_cstr(out, p->text[PP_F_IMAGE_SRC]);
    PUT(out, ",\"downloaded\":");
    if (p->downloaded < 0)
        PUT(out, "null");
    else if (p->downloaded)
        PUT(out, "true");
    else
        PUT(out, "false");
    PUT(out, ",\"save_location\":");
    pp_sb_json_cstr(out, p->text[PP_F_SAVE_LOCATION]);
    PUT(out, ",\"category\":");
    pp_sb_json_cstr(out, p->text[PP_F_CATEGORY]);
    PUT(out, ",\"event_time\":");
    pp_event_time_iso(p->event_time_ms, iso);
    pp_sb_json_cstr(out, iso);
    PUT(out, ",\"event_day\":");
    pp_sb_json_cstr(out, p->event_day);
    pp_sb_putc(out, '}');
}

/* Copies an optional string member; returns -1 when it has the wrong type. */
static int take_text(pp_pin *p, json_t *root, const char *name, pp_field f) {
    json_t *v = json_object_get(root, name);
    if (!v || json_is_null(v)) return 0;
    if (!json_is_string(v)) return -1;
    p->text[f] = pp_arena_strndup(&p->arena, json_string_value(v), json_string_length(v));
    return 0;
}

int pp_pin_from_json(pp_pin *p, const char *buf, size_t len, char *err, size_t errlen) {
    pp_pin_init(p);
    json_error_t jerr;
    json_t *root = json_loadb(buf, len, 0, &jerr);
    int rc = PP_EINVAL;
    if (!root) {
        pp_errf(err, errlen, "not a cleaned pin: %s", jerr.text);
        return PP_EINVAL;
    }
    static const struct {
        const char *name;
        pp_field f;
    } TEXT[] = {{"unique_id", PP_F_UNIQUE_ID},     {"title", PP_F_TITLE},         {"description", PP_F_DESCRIPTION},
                {"poster_name", PP_F_POSTER_NAME}, {"image_src", PP_F_IMAGE_SRC}, {"save_location", PP_F_SAVE_LOCATION},
                {"category", PP_F_CATEGORY}};
    for (size_t i = 0; i < sizeof TEXT / sizeof TEXT[0]; i++) {
        if (take_text(p, root, TEXT[i].name, TEXT[i].f)) {
            pp_errf(err, errlen, "cleaned pin: %s must be a string or null", TEXT[i].name);
            goto out;
        }
    }
    json_t *ind = json_object_get(root, "ind"), *fc = json_object_get(root, "follower_count");
    json_t *tags = json_object_get(root, "tag_list"), *media = json_object_get(root, "is_image_or_video");
    json_t *dl = json_object_get(root, "downloaded"), *et = json_object_get(root, "event_time");
    if (!p->text[PP_F_UNIQUE_ID] || !json_is_integer(ind) || !json_is_string(et) ||
        pp_event_time_parse(json_string_value(et), json_string_length(et), &p->event_time_ms)) {
        pp_errf(err, errlen, "cleaned pin: unique_id, ind and event_time are required");
        goto out;
    }
    p->ind = json_integer_value(ind);
    if (json_is_integer(fc)) {
        p->follower_count = json_integer_value(fc);
        p->has_follower_count = 1;
    }
    if (json_is_array(tags)) {
        p->has_tags = 1;
        p->tags = pp_arena_alloc(&p->arena, (json_array_size(tags) + 1) * sizeof(char *));
        size_t i;
        json_t *t;
        json_array_foreach(tags, i, t) {
            if (json_is_string(t))
                p->tags[p->n_tags++] = pp_arena_strndup(&p->arena, json_string_value(t), json_string_length(t));
        }
    }
    const char *m = json_string_value(media);
    p->media = !m             ? PP_MEDIA_NULL
        : !strcmp(m, "image") ? PP_MEDIA_IMAGE
        : !strcmp(m, "video") ? PP_MEDIA_VIDEO
                              : PP_MEDIA_NULL;
    p->downloaded = json_is_boolean(dl) ? json_is_true(dl) : -1;
    pp_event_day(p->event_time_ms, p->event_day);
    rc = PP_OK;
out:
    json_decref(root);
    if (rc != PP_OK) pp_pin_clear(p);
    return rc;
}
