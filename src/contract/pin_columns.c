#include "contract/pin_columns.h"

#include <string.h>

static void text_field(const pp_pin_row *r, int f, pp_col_value *v) {
    v->text = r->pin->text[f];
    v->null = !v->text;
}
static void event_day(const pp_pin_row *r, int arg, pp_col_value *v) {
    (void)arg;
    v->text = r->pin->event_day;
}
static void ind(const pp_pin_row *r, int arg, pp_col_value *v) {
    (void)arg;
    v->i = r->pin->ind;
}
static void follower_count(const pp_pin_row *r, int arg, pp_col_value *v) {
    (void)arg;
    v->i = r->pin->follower_count;
    v->null = !r->pin->has_follower_count;
}
static void tag_list(const pp_pin_row *r, int arg, pp_col_value *v) {
    (void)arg;
    v->list = (const char *const *)r->pin->tags;
    v->n = r->pin->n_tags;
    v->null = !r->pin->has_tags;
}
static void media(const pp_pin_row *r, int arg, pp_col_value *v) {
    (void)arg;
    v->text = pp_media_name(r->pin->media);
    v->null = !v->text;
}
static void downloaded(const pp_pin_row *r, int arg, pp_col_value *v) {
    (void)arg;
    v->i = r->pin->downloaded != 0;
    v->null = r->pin->downloaded < 0;
}
static void event_time(const pp_pin_row *r, int arg, pp_col_value *v) {
    (void)arg;
    v->i = r->pin->event_time_ms;
}
static void kafka_topic(const pp_pin_row *r, int arg, pp_col_value *v) {
    (void)arg;
    v->text = r->topic;
}
static void kafka_partition(const pp_pin_row *r, int arg, pp_col_value *v) {
    (void)arg;
    v->i = r->partition;
}
static void kafka_offset(const pp_pin_row *r, int arg, pp_col_value *v) {
    (void)arg;
    v->i = r->offset;
}
static void ingested_at(const pp_pin_row *r, int arg, pp_col_value *v) {
    (void)arg;
    v->i = r->ingest_time_ms;
    v->null = r->ingest_time_ms < 0;
}

#define NN " NOT NULL"
#define TEXT(f) PP_COL_TEXT, "text", "", "text", PP_KEY_NONE, 1, f, text_field

/* name, kind, sql type, sql constraint, cql type, key, since, arg, getter */
const pp_pin_column PP_PIN_COLUMNS[] = {
    {"event_day", PP_COL_TEXT, "date", NN, "text", PP_KEY_PARTITION, 1, 0, event_day},
    {"unique_id", PP_COL_TEXT, "text", NN, "text", PP_KEY_CLUSTERING, 1, PP_F_UNIQUE_ID, text_field},
    {"ind", PP_COL_BIGINT, "bigint", NN, "bigint", PP_KEY_NONE, 1, 0, ind},
    {"title", TEXT(PP_F_TITLE)},
    {"description", TEXT(PP_F_DESCRIPTION)},
    {"poster_name", TEXT(PP_F_POSTER_NAME)},
    {"follower_count", PP_COL_BIGINT, "bigint", "", "bigint", PP_KEY_NONE, 1, 0, follower_count},
    /* frozen in Cassandra: one cell per row, not a collection tombstone and a cell per tag */
    {"tag_list", PP_COL_TAGS, "text[]", "", "frozen<list<text>>", PP_KEY_NONE, 1, 0, tag_list},
    {"is_image_or_video", PP_COL_TEXT, "text", " CHECK (is_image_or_video IN ('image','video'))", "text", PP_KEY_NONE,
     1, 0, media},
    {"image_src", TEXT(PP_F_IMAGE_SRC)},
    {"downloaded", PP_COL_BOOL, "boolean", "", "boolean", PP_KEY_NONE, 1, 0, downloaded},
    {"save_location", TEXT(PP_F_SAVE_LOCATION)},
    {"category", TEXT(PP_F_CATEGORY)},
    {"event_time", PP_COL_TIME, "timestamptz", NN, "timestamp", PP_KEY_NONE, 1, 0, event_time},
    {"kafka_topic", PP_COL_TEXT, "text", NN, "text", PP_KEY_NONE, 1, 0, kafka_topic},
    {"kafka_partition", PP_COL_INT, "int", NN, "int", PP_KEY_NONE, 1, 0, kafka_partition},
    {"kafka_offset", PP_COL_BIGINT, "bigint", NN, "bigint", PP_KEY_NONE, 1, 0, kafka_offset},
    {"ingested_at", PP_COL_TIME, "timestamptz", "", "timestamp", PP_KEY_NONE, 1, 0, ingested_at},
    /* PostgreSQL only: when the stream stored the row */
    {"stored_at", PP_COL_TIME, "timestamptz", " NOT NULL DEFAULT clock_timestamp()", NULL, PP_KEY_NONE, 1, 0, NULL},
};
const size_t PP_N_PIN_COLUMNS = sizeof PP_PIN_COLUMNS / sizeof PP_PIN_COLUMNS[0];
_Static_assert(sizeof PP_PIN_COLUMNS / sizeof PP_PIN_COLUMNS[0] <= PP_PIN_COLUMNS_MAX, "raise PP_PIN_COLUMNS_MAX");

int pp_pin_columns_version(void) {
    int v = 1;
    for (size_t i = 0; i < PP_N_PIN_COLUMNS; i++)
        if (PP_PIN_COLUMNS[i].since > v) v = PP_PIN_COLUMNS[i].since;
    return v;
}

void pp_pin_column_get(const pp_pin_column *c, const pp_pin_row *r, pp_col_value *v) {
    memset(v, 0, sizeof *v);
    if (c->get)
        c->get(r, c->arg, v);
    else
        v->null = 1;
}
