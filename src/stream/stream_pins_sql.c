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

void pp_stream_pins_copy(pp_strbuf *out) {
    pp_sb_puts(out, "COPY pins (");
    list(out, written, put_name);
    pp_sb_puts(out, ") FROM STDIN");
}

/* "a = k.a AND b = k.b" over the key columns */
static void key_match(pp_strbuf *out) {
    size_t n = 0;
    for (size_t i = 0; i < PP_N_PIN_COLUMNS; i++) {
        const pp_pin_column *c = &PP_PIN_COLUMNS[i];
        if (!key(c)) continue;
        pp_sb_printf(out, "%sp.%s = k.%s", n++ ? " AND " : "", c->name, c->name);
    }
}

/* "unnest($1::date[], $2::text[])" over the key columns */
static void key_unnest(pp_strbuf *out) {
    size_t n = 0;
    pp_sb_puts(out, "unnest(");
    for (size_t i = 0; i < PP_N_PIN_COLUMNS; i++) {
        const pp_pin_column *c = &PP_PIN_COLUMNS[i];
        if (!key(c)) continue;
        if (n++) pp_sb_puts(out, ", ");
        pp_sb_printf(out, "$%zu::%s[]", n, c->sql_type);
    }
    pp_sb_putc(out, ')');
}

void pp_stream_pins_existing(pp_strbuf *out) {
    pp_sb_puts(out, "SELECT k.i FROM ");
    key_unnest(out);
    pp_sb_puts(out, " WITH ORDINALITY AS k(");
    list(out, key, put_name);
    pp_sb_puts(out, ", i) WHERE EXISTS (SELECT 1 FROM pins p WHERE ");
    key_match(out);
    pp_sb_puts(out, ")");
}
