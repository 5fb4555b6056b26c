#include "stream/stream_pins_sql.h"

#include "contract/pin_columns.h"

/* Appends "a, b, c": of each column that keep() accepts, what put() writes. */
static void list(pp_strbuf *out, int (*keep)(const pp_pin_column *), void (*put)(pp_strbuf *, const pp_pin_column *)) {
    size_t n = 0;
    for (size_t i = 0; i < PP_N_PIN_COLUMNS; i++) {
        const pp_pin_column *c = &PP_PIN_COLUMNS[i];
        if (!keep(c)) continue;
        if (n++) pp_sb_puts(out, ", ");
        put(out, c);
    }
}

static int first_version(const pp_pin_column *c) { return c->since <= 1; }
static int written(const pp_pin_column *c) { return c->get != NULL; }
static int key(const pp_pin_column *c) { return c->key != PP_KEY_NONE; }

static void put_name(pp_strbuf *out, const pp_pin_column *c) { pp_sb_puts(out, c->name); }
static void put_def(pp_strbuf *out, const pp_pin_column *c) {
    pp_sb_printf(out, "%s %s%s", c->name, c->sql_type, c->sql_extra);
}
static void put_stage_name(pp_strbuf *out, const pp_pin_column *c) {
    pp_sb_puts(out, c->stage_name ? c->stage_name : c->name);
}
static void put_stage_def(pp_strbuf *out, const pp_pin_column *c) {
    pp_sb_printf(out, "%s %s", c->stage_name ? c->stage_name : c->name, c->stage_type ? c->stage_type : c->sql_type);
}
static void put_stage_select(pp_strbuf *out, const pp_pin_column *c) {
    pp_sb_puts(out, c->stage_select ? c->stage_select : c->name);
}

void pp_stream_pins_create(pp_strbuf *out) {
    pp_sb_puts(out, "CREATE TABLE pins (");
    list(out, first_version, put_def);
    pp_sb_puts(out, ", PRIMARY KEY (");
    list(out, key, put_name);
    pp_sb_puts(out, "))");
}

int pp_stream_pins_alter(pp_strbuf *out, int version) {
    size_t n = 0;
    for (size_t i = 0; i < PP_N_PIN_COLUMNS; i++) {
        const pp_pin_column *c = &PP_PIN_COLUMNS[i];
        if (c->since != version || version <= 1) continue;
        pp_sb_puts(out, n++ ? ", ADD COLUMN " : "ALTER TABLE pins ADD COLUMN ");
        put_def(out, c);
    }
    return n > 0;
}

void pp_stream_pins_stage_create(pp_strbuf *out) {
    pp_sb_puts(out, "CREATE TEMP TABLE IF NOT EXISTS stage_pins (");
    list(out, written, put_stage_def);
    pp_sb_puts(out, ") ON COMMIT DELETE ROWS");
}

void pp_stream_pins_copy(pp_strbuf *out) {
    pp_sb_puts(out, "COPY stage_pins (");
    list(out, written, put_stage_name);
    pp_sb_puts(out, ") FROM STDIN");
}

void pp_stream_pins_insert(pp_strbuf *out) {
    pp_sb_puts(out, "INSERT INTO pins (");
    list(out, written, put_name);
    pp_sb_puts(out, ") SELECT DISTINCT ON (");
    list(out, key, put_name);
    pp_sb_puts(out, ") ");
    list(out, written, put_stage_select);
    /* the first occurrence in Kafka order wins */
    pp_sb_puts(out, " FROM stage_pins ORDER BY ");
    list(out, key, put_name);
    pp_sb_puts(out, ", kafka_partition, kafka_offset ON CONFLICT (");
    list(out, key, put_name);
    pp_sb_puts(out, ") DO NOTHING RETURNING kafka_topic, kafka_partition, kafka_offset");
}
