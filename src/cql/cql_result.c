#include "cql/cql_result.h"

#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/mem.h"
#include "cql/cql_arena.h"
#include "cql/cql_codec.h"
#include "cql/cql_wire.h"

enum { F_GLOBAL_SPEC = 0x0001, F_HAS_MORE = 0x0002, F_NO_METADATA = 0x0004 };

/* Columns without metadata are bounded by this, since nothing else bounds them. */
#define MAX_BARE_COLUMNS 65536

typedef struct {
    pp_cql_value v;
    const uint8_t *raw; /* NUL-terminated copy in the arena; NULL for null */
    int32_t raw_len;    /* -1 for null */
} cell;

struct pp_cql_result {
    pp_cql_result_kind kind;
    pp_cql_arena arena;
    /* Rows, and the result metadata of Prepared */
    size_t ncols, nrows;
    pp_cql_column *cols;
    cell *cells; /* nrows * ncols, row-major; malloc'd so pages can be appended */
    size_t cells_cap;
    bool has_more;
    const uint8_t *paging;
    size_t paging_len;
    /* Prepared */
    const uint8_t *prep_id;
    size_t prep_id_len;
    size_t nbind;
    pp_cql_column *bind;
    /* Set_keyspace, Schema_change */
    const char *keyspace;
    const char *change, *target, *sc_keyspace, *sc_name;
};

static char *dup_string(pp_cql_rd *r, pp_cql_arena *a, int *rc) {
    const char *s;
    size_t n;
    if (pp_cql_get_string(r, &s, &n)) {
        *rc = PP_EPROTO;
        return NULL;
    }
    char *d = pp_cql_arena_strndup(a, s, n);
    if (!d) *rc = PP_ENOMEM;
    return d;
}

/* <global_table_spec>?<col_spec_1>...<col_spec_n>, n columns. */
static int decode_col_specs(pp_cql_rd *r, pp_cql_arena *a, int32_t flags, size_t n, pp_cql_column *cols) {
    int rc = 0;
    const char *gks = "", *gtable = "";
    if (flags & F_GLOBAL_SPEC) {
        gks = dup_string(r, a, &rc);
        if (!rc) gtable = dup_string(r, a, &rc);
        if (rc) return rc;
    }
    for (size_t i = 0; i < n; i++) {
        pp_cql_column *c = &cols[i];
        if (flags & F_GLOBAL_SPEC) {
            c->keyspace = gks;
            c->table = gtable;
        } else {
            c->keyspace = dup_string(r, a, &rc);
            if (!rc) c->table = dup_string(r, a, &rc);
            if (rc) return rc;
        }
        c->name = dup_string(r, a, &rc);
        if (rc) return rc;
        rc = pp_cql_type_decode(r, a, &c->type);
        if (rc) return rc;
    }
    return 0;
}

/* Rows <metadata> (also a Prepared's <result_metadata>). */
static int decode_rows_metadata(pp_cql_rd *r, pp_cql_result *res) {
    int32_t flags, ncols;
    if (pp_cql_get_i32(r, &flags) || pp_cql_get_i32(r, &ncols) || ncols < 0) return PP_EPROTO;
    if (flags & F_HAS_MORE) {
        const uint8_t *p;
        int32_t n;
        if (pp_cql_get_bytes(r, &p, &n)) return PP_EPROTO;
        if (n >= 0) {
            res->has_more = true;
            res->paging = (const uint8_t *)pp_cql_arena_strndup(&res->arena, p, (size_t)n);
            if (!res->paging) return PP_ENOMEM;
            res->paging_len = (size_t)n;
        }
    }
    size_t limit = (flags & F_NO_METADATA) ? MAX_BARE_COLUMNS : pp_cql_rd_left(r) / 4;
    if ((size_t)ncols > limit) return PP_EPROTO;
    res->ncols = (size_t)ncols;
    res->cols = pp_cql_arena_alloc(&res->arena, res->ncols * sizeof *res->cols);
    if (!res->cols) return PP_ENOMEM;
    if (flags & F_NO_METADATA) {
        for (size_t i = 0; i < res->ncols; i++) {
            res->cols[i].keyspace = res->cols[i].table = res->cols[i].name = "";
            res->cols[i].type.id = PP_CQL_T_UNKNOWN;
        }
        return 0;
    }
    return decode_col_specs(r, &res->arena, flags, res->ncols, res->cols);
}

static int decode_rows(pp_cql_rd *r, pp_cql_result *res) {
    int rc = decode_rows_metadata(r, res);
    if (rc) return rc;
    int32_t nrows;
    if (pp_cql_get_i32(r, &nrows) || nrows < 0) return PP_EPROTO;
    /* every cell takes at least its 4-byte length: refuse counts the body cannot hold;
     * rows of no columns would take no bytes at all, so none may be announced */
    uint64_t ncells = (uint64_t)nrows * res->ncols;
    if (res->ncols == 0 && nrows > 0) return PP_EPROTO;
    if (ncells > pp_cql_rd_left(r) / 4) return PP_EPROTO;
    res->nrows = (size_t)nrows;
    if (ncells) {
        res->cells = pp_try_calloc((size_t)ncells, sizeof *res->cells); /* peer-sized */
        if (!res->cells) return PP_ENOMEM;
        res->cells_cap = (size_t)ncells;
    }
    for (size_t i = 0; i < ncells; i++) {
        cell *c = &res->cells[i];
        const uint8_t *p;
        int32_t n;
        if (pp_cql_get_bytes(r, &p, &n)) return PP_EPROTO;
        c->raw_len = n;
        if (n >= 0) {
            c->raw = (const uint8_t *)pp_cql_arena_strndup(&res->arena, p, (size_t)n);
            if (!c->raw) return PP_ENOMEM;
        }
        rc = pp_cql_value_decode(&res->cols[i % res->ncols].type, c->raw, n, &res->arena, &c->v);
        if (rc) return rc;
    }
    return 0;
}

static int decode_prepared(pp_cql_rd *r, pp_cql_result *res) {
    const uint8_t *id;
    size_t idlen;
    int32_t flags, nbind, npk;
    if (pp_cql_get_short_bytes(r, &id, &idlen)) return PP_EPROTO;
    res->prep_id = (const uint8_t *)pp_cql_arena_strndup(&res->arena, id, idlen);
    if (!res->prep_id) return PP_ENOMEM;
    res->prep_id_len = idlen;
    if (pp_cql_get_i32(r, &flags) || pp_cql_get_i32(r, &nbind) || pp_cql_get_i32(r, &npk) || nbind < 0 || npk < 0 ||
        (size_t)npk > pp_cql_rd_left(r) / 2)
        return PP_EPROTO;
    const uint8_t *skip;
    if (pp_cql_get_raw(r, (size_t)npk * 2, &skip)) return PP_EPROTO;
    if ((size_t)nbind > pp_cql_rd_left(r) / 4) return PP_EPROTO;
    res->nbind = (size_t)nbind;
    res->bind = pp_cql_arena_alloc(&res->arena, res->nbind * sizeof *res->bind);
    if (!res->bind) return PP_ENOMEM;
    int rc = decode_col_specs(r, &res->arena, flags, res->nbind, res->bind);
    if (rc) return rc;
    return decode_rows_metadata(r, res);
}

static int decode_schema_change(pp_cql_rd *r, pp_cql_result *res) {
    int rc = 0;
    res->change = dup_string(r, &res->arena, &rc);
    if (!rc) res->target = dup_string(r, &res->arena, &rc);
    if (!rc) res->sc_keyspace = dup_string(r, &res->arena, &rc);
    if (rc) return rc;
    res->sc_name = "";
    if (strcmp(res->target, "KEYSPACE") != 0) {
        res->sc_name = dup_string(r, &res->arena, &rc);
        if (rc) return rc;
        if (!strcmp(res->target, "FUNCTION") || !strcmp(res->target, "AGGREGATE"))
            if (pp_cql_skip_string_list(r)) return PP_EPROTO;
    }
    return 0;
}

int pp_cql_result_decode(const uint8_t *body, size_t len, pp_cql_result **out, char *err, size_t errlen) {
    *out = NULL;
    pp_cql_result *res = pp_xcalloc(1, sizeof *res);
    pp_cql_arena_init(&res->arena);
    pp_cql_rd r;
    pp_cql_rd_init(&r, body, len);
    int32_t kind = 0;
    int rc = 0;
    if (pp_cql_get_i32(&r, &kind)) {
        rc = PP_EPROTO;
        goto done;
    }
    res->kind = (pp_cql_result_kind)kind;
    switch (kind) {
    case PP_CQL_RESULT_VOID: break;
    case PP_CQL_RESULT_ROWS: rc = decode_rows(&r, res); break;
    case PP_CQL_RESULT_SET_KEYSPACE: res->keyspace = dup_string(&r, &res->arena, &rc); break;
    case PP_CQL_RESULT_PREPARED: rc = decode_prepared(&r, res); break;
    case PP_CQL_RESULT_SCHEMA_CHANGE: rc = decode_schema_change(&r, res); break;
    default:
        pp_errf(err, errlen, "RESULT of unknown kind 0x%04x", (unsigned)kind);
        rc = PP_EPROTO;
        goto done;
    }
    /* the spec allows extra bytes at the end of a body: they are ignored */
done:
    if (rc) {
        if (rc == PP_ENOMEM)
            pp_errf(err, errlen, "out of memory decoding a result");
        else if (kind >= 1 && kind <= 5)
            pp_errf(err, errlen, "malformed RESULT (kind 0x%04x) at byte %zu of %zu", (unsigned)kind, r.pos, len);
        else if (len < 4)
            pp_errf(err, errlen, "truncated RESULT (%zu bytes)", len);
        pp_cql_result_destroy(res);
        return rc;
    }
    *out = res;
    return 0;
}

void pp_cql_result_destroy(pp_cql_result *r) {
    if (!r) return;
    free(r->cells);
    pp_cql_arena_free(&r->arena);
    free(r);
}

int pp_cql_result_append(pp_cql_result *dst, pp_cql_result *src, char *err, size_t errlen) {
    int rc = 0;
    if (!src) return 0;
    if (dst->kind != PP_CQL_RESULT_ROWS || src->kind != PP_CQL_RESULT_ROWS || dst->ncols != src->ncols) {
        pp_errf(err, errlen, "cannot append a page of %zu columns to one of %zu", src->ncols, dst->ncols);
        rc = PP_EINVAL;
        goto done;
    }
    size_t add = src->nrows * src->ncols, have = dst->nrows * dst->ncols;
    if (add > dst->cells_cap - have) {
        size_t cap = dst->cells_cap ? dst->cells_cap : 64;
        while (cap - have < add) {
            if (cap > SIZE_MAX / 2 / sizeof(cell)) {
                rc = PP_ENOMEM;
                goto done;
            }
            cap *= 2;
        }
        cell *c = pp_try_realloc(dst->cells, cap * sizeof *c); /* peer-sized */
        if (!c) {
            rc = PP_ENOMEM;
            goto done;
        }
        dst->cells = c;
        dst->cells_cap = cap;
    }
    if (add) memcpy(dst->cells + have, src->cells, add * sizeof(cell));
    dst->nrows += src->nrows;
    dst->has_more = src->has_more;
    dst->paging = src->paging;
    dst->paging_len = src->paging_len;
    pp_cql_arena_steal(&dst->arena, &src->arena);
done:
    if (rc == PP_ENOMEM) pp_errf(err, errlen, "out of memory appending a page of rows");
    pp_cql_result_destroy(src);
    return rc;
}

pp_cql_result_kind pp_cql_result_kind_of(const pp_cql_result *r) { return r->kind; }
size_t pp_cql_result_ncols(const pp_cql_result *r) { return r->ncols; }
size_t pp_cql_result_nrows(const pp_cql_result *r) { return r->nrows; }

const pp_cql_column *pp_cql_result_column(const pp_cql_result *r, size_t col) {
    return col < r->ncols ? &r->cols[col] : NULL;
}

int pp_cql_result_column_index(const pp_cql_result *r, const char *name) {
    for (size_t i = 0; name && i < r->ncols; i++)
        if (!strcmp(r->cols[i].name, name)) return (int)i;
    return -1;
}

bool pp_cql_result_has_more(const pp_cql_result *r) { return r->has_more; }

void pp_cql_result_paging_state(const pp_cql_result *r, const uint8_t **p, size_t *len) {
    *p = r->has_more ? r->paging : NULL;
    *len = r->has_more ? r->paging_len : 0;
}

static const cell *cell_at(const pp_cql_result *r, size_t row, size_t col) {
    if (row >= r->nrows || col >= r->ncols) return NULL;
    return &r->cells[row * r->ncols + col];
}

const pp_cql_value *pp_cql_result_value(const pp_cql_result *r, size_t row, size_t col) {
    const cell *c = cell_at(r, row, col);
    return c ? &c->v : NULL;
}

int pp_cql_result_raw(const pp_cql_result *r, size_t row, size_t col, const uint8_t **p, int32_t *len) {
    const cell *c = cell_at(r, row, col);
    if (!c) return PP_EINVAL;
    *p = c->raw;
    *len = c->raw_len;
    return 0;
}

int pp_cql_result_is_null(const pp_cql_result *r, size_t row, size_t col) {
    const cell *c = cell_at(r, row, col);
    if (!c) return PP_EINVAL;
    return c->v.kind == PP_CQL_NULL;
}

/* The cell, if in range and its column's type is one of the accepted ids. */
static int typed(const pp_cql_result *r, size_t row, size_t col, const uint16_t *ids, size_t nids,
                 const pp_cql_value **v) {
    const cell *c = cell_at(r, row, col);
    if (!c) return PP_EINVAL;
    uint16_t id = r->cols[col].type.id;
    size_t i = 0;
    while (i < nids && ids[i] != id) i++;
    if (i == nids) return PP_EINVAL;
    *v = &c->v;
    return c->v.kind == PP_CQL_NULL ? PP_ENOTFOUND : 0;
}

int pp_cql_result_get_text(const pp_cql_result *r, size_t row, size_t col, const char **s, size_t *len) {
    static const uint16_t ids[] = {PP_CQL_T_VARCHAR, PP_CQL_T_ASCII, 0x000A};
    const pp_cql_value *v = NULL;
    int rc = typed(r, row, col, ids, 3, &v);
    *s = rc ? NULL : v->u.text.s;
    if (len) *len = rc ? 0 : v->u.text.len;
    return rc;
}

int pp_cql_result_get_int(const pp_cql_result *r, size_t row, size_t col, int32_t *out) {
    static const uint16_t ids[] = {PP_CQL_T_INT};
    const pp_cql_value *v = NULL;
    int rc = typed(r, row, col, ids, 1, &v);
    *out = rc ? 0 : v->u.i32;
    return rc;
}

int pp_cql_result_get_bigint(const pp_cql_result *r, size_t row, size_t col, int64_t *out) {
    static const uint16_t ids[] = {PP_CQL_T_BIGINT, PP_CQL_T_COUNTER, PP_CQL_T_INT};
    const pp_cql_value *v = NULL;
    int rc = typed(r, row, col, ids, 3, &v);
    *out = rc ? 0 : (v->kind == PP_CQL_INT ? v->u.i32 : v->u.i64);
    return rc;
}

int pp_cql_result_get_bool(const pp_cql_result *r, size_t row, size_t col, bool *out) {
    static const uint16_t ids[] = {PP_CQL_T_BOOLEAN};
    const pp_cql_value *v = NULL;
    int rc = typed(r, row, col, ids, 1, &v);
    *out = rc ? false : v->u.b;
    return rc;
}

int pp_cql_result_get_timestamp(const pp_cql_result *r, size_t row, size_t col, int64_t *out) {
    static const uint16_t ids[] = {PP_CQL_T_TIMESTAMP};
    const pp_cql_value *v = NULL;
    int rc = typed(r, row, col, ids, 1, &v);
    *out = rc ? 0 : v->u.i64;
    return rc;
}

int pp_cql_result_get_list(const pp_cql_result *r, size_t row, size_t col, const char *const **items,
                           const size_t **lens, size_t *count) {
    static const uint16_t ids[] = {PP_CQL_T_LIST, PP_CQL_T_SET};
    const pp_cql_value *v = NULL;
    int rc = typed(r, row, col, ids, 2, &v);
    if (!rc && v->kind != PP_CQL_LIST_TEXT && v->kind != PP_CQL_SET_TEXT) rc = PP_EINVAL;
    *items = rc ? NULL : v->u.list.items;
    if (lens) *lens = rc ? NULL : v->u.list.lens;
    *count = rc ? 0 : v->u.list.count;
    return rc;
}

const char *pp_cql_result_keyspace(const pp_cql_result *r) {
    return r->kind == PP_CQL_RESULT_SET_KEYSPACE ? r->keyspace : NULL;
}

int pp_cql_result_schema_change(const pp_cql_result *r, const char **change, const char **target, const char **keyspace,
                                const char **name) {
    if (r->kind != PP_CQL_RESULT_SCHEMA_CHANGE) return PP_EINVAL;
    if (change) *change = r->change;
    if (target) *target = r->target;
    if (keyspace) *keyspace = r->sc_keyspace;
    if (name) *name = r->sc_name;
    return 0;
}

int pp_cql_result_prepared_id(const pp_cql_result *r, const uint8_t **id, size_t *len) {
    if (r->kind != PP_CQL_RESULT_PREPARED) return PP_EINVAL;
    *id = r->prep_id;
    *len = r->prep_id_len;
    return 0;
}

size_t pp_cql_result_nbind(const pp_cql_result *r) { return r->nbind; }

const pp_cql_column *pp_cql_result_bind(const pp_cql_result *r, size_t i) { return i < r->nbind ? &r->bind[i] : NULL; }
