#include "common/mem.h"
#include "stream.h"

#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "manifest.h"
#include "people.h"

/* Post-level rates, in parts per million of posts (see docs/emulator.md). */
#define MISSING_GEO_PPM 30000u
#define MISSING_USER_PPM 30000u
#define REPEATED_SIDE_PPM 20000u
#define GHOST_POST_PPM 20000u
#define SIDE_JITTER_S 120u /* a side's time: the pin's plus 0..120 s, within the day */
#define SIDE_LINE_CAP 1024u

typedef struct {
    uint64_t release, post, rank; /* sent in this order */
    pp_emu_out out;
    pp_emu_event ev;
    pp_pin_meta meta;
    pp_side_truth side;
    char *buf;
    size_t cap;
} held;

struct pp_emu_stream {
    pp_emu_options o;
    pp_emu_gen *gen;
    pp_manifest *man;
    pp_rng rng;
    int all, gen_done;
    uint64_t posts;    /* posts generated */
    uint32_t last_day; /* day of the last post generated */
    int wm_behind;     /* the manifest's watermark may be below last_day */
    held *slots;       /* storage; heap holds indices into it */
    size_t n_slots, *heap, n_heap, *free_list, n_free;
    size_t sent_slot;    /* the slot returned last (freed on the next call), or SIZE_MAX */
    pp_emu_event pin_ev; /* --kinds pin */
};

int pp_emu_stream_create(const pp_emu_options *o, pp_manifest *man, pp_emu_stream **out, char *err, size_t errlen) {
    *out = NULL;
    pp_emu_stream *s = pp_xcalloc(1, sizeof *s);
    s->o = *o;
    s->man = man;
    s->all = o->kinds == PP_KINDS_ALL;
    s->sent_slot = SIZE_MAX;
    pp_rng_seed(&s->rng, o->seed, UINT64_C(0x4B1D5));
    int rc = pp_emu_gen_create(o, &s->gen, err, errlen);
    if (rc) {
        free(s);
        return rc;
    }
    *out = s;
    return PP_OK;
}

void pp_emu_stream_destroy(pp_emu_stream *s) {
    if (!s) return;
    for (size_t i = 0; i < s->n_slots; i++) free(s->slots[i].buf);
    free(s->slots);
    free(s->heap);
    free(s->free_list);
    pp_emu_gen_destroy(s->gen);
    free(s);
}

static int before(const held *a, const held *b) {
    if (a->release != b->release) return a->release < b->release;
    if (a->post != b->post) return a->post < b->post;
    return a->rank < b->rank;
}

static void heap_push(pp_emu_stream *s, size_t slot) {
    size_t i = s->n_heap++;
    s->heap[i] = slot;
    while (i && before(&s->slots[s->heap[i]], &s->slots[s->heap[(i - 1) / 2]])) {
        size_t p = (i - 1) / 2, t = s->heap[p];
        s->heap[p] = s->heap[i];
        s->heap[i] = t;
        i = p;
    }
}

static size_t heap_pop(pp_emu_stream *s) {
    size_t top = s->heap[0];
    s->heap[0] = s->heap[--s->n_heap];
    for (size_t i = 0;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < s->n_heap && before(&s->slots[s->heap[l]], &s->slots[s->heap[m]])) m = l;
        if (r < s->n_heap && before(&s->slots[s->heap[r]], &s->slots[s->heap[m]])) m = r;
        if (m == i) break;
        size_t t = s->heap[m];
        s->heap[m] = s->heap[i];
        s->heap[i] = t;
        i = m;
    }
    return top;
}

static size_t take_slot(pp_emu_stream *s) {
    if (!s->n_free) { /* grow: heap and free list never exceed the slots */
        size_t n = s->n_slots ? s->n_slots * 2 : 16;
        s->slots = pp_xrealloc(s->slots, n * sizeof *s->slots);
        memset(s->slots + s->n_slots, 0, (n - s->n_slots) * sizeof *s->slots);
        s->heap = pp_xrealloc(s->heap, n * sizeof *s->heap);
        s->free_list = pp_xrealloc(s->free_list, n * sizeof *s->free_list);
        for (size_t i = n; i > s->n_slots; i--) s->free_list[s->n_free++] = i - 1;
        s->n_slots = n;
    }
    return s->free_list[--s->n_free];
}

static void put_bytes(held *h, const char *p, size_t n) {
    if (n > h->cap) {
        h->cap = n;
        h->buf = pp_xrealloc(h->buf, n);
    }
    memcpy(h->buf, p, n);
    h->out.len = n;
}

/* Holds one event of post `post` back by a random 0..max-delay posts. */
static held *hold(pp_emu_stream *s, uint64_t post, pp_kind kind, uint32_t day, int64_t ind) {
    size_t slot = take_slot(s);
    held *h = &s->slots[slot];
    h->release = post + pp_rng_below(&s->rng, (uint64_t)s->o.max_delay + 1);
    h->post = post;
    h->rank = pp_rng_next(&s->rng);
    memset(&h->out, 0, sizeof h->out);
    h->out.kind = kind;
    h->out.day = day;
    h->out.ind = ind;
    heap_push(s, slot);
    return h;
}

static int hold_side(pp_emu_stream *s, uint64_t post, pp_kind kind, const pp_emu_event *pin, int64_t ind,
                     const pp_person *person, int away) {
    char line[SIDE_LINE_CAP];
    pp_jw w;
    pp_jw_init(&w, line, sizeof line);
    uint32_t sec = pin->sec + (uint32_t)pp_rng_below(&s->rng, SIDE_JITTER_S + 1);
    pp_side_ctx c = {ind, s->o.start_day + pin->day, sec < 86400 ? sec : 86399, person, away, s->o.invalid_ppm};
    pp_side_truth t;
    if (kind == PP_KIND_GEO)
        pp_side_geo(&s->rng, &c, &w, &t);
    else
        pp_side_user(&s->rng, &c, &w, &t);
    if (w.overflow) return PP_EINVAL;
    held *h = hold(s, post, kind, pin->day, ind);
    h->side = t;
    h->out.has_ind = t.has_ind;
    h->out.json = t.json;
    h->out.valid = t.invalid == PP_SIDE_INV_NONE;
    put_bytes(h, line, w.len);
    return PP_OK;
}

/* Generates the next post and holds its events back. 0 when the pins are done. */
static int next_post(pp_emu_stream *s) {
    pp_emu_event ev;
    int rc = pp_emu_gen_next(s->gen, &ev);
    if (rc <= 0) return rc;
    if (s->man) pp_manifest_add(s->man, &ev, NULL, 0); /* days only grow here */
    uint64_t post = s->posts++;
    s->wm_behind |= ev.day != s->last_day;
    s->last_day = ev.day;
    int64_t ind = (int64_t)ev.pin->index;

    held *h = hold(s, post, PP_KIND_PIN, ev.day, ind);
    h->ev = ev;
    h->meta = *ev.pin;
    put_bytes(h, ev.line, ev.len);
    h->out.json = ev.invalid != PP_INV_TRUNCATED_JSON && ev.invalid != PP_INV_INVALID_UTF8;
    h->out.valid = ev.invalid == PP_INV_NONE;

    pp_person person;
    pp_person_make(s->o.catalog_seed, pp_person_of_row(s->o.catalog_seed, ev.pin->index), s->o.start_day, &person);
    int no_geo = pp_rng_chance(&s->rng, MISSING_GEO_PPM), no_user = pp_rng_chance(&s->rng, MISSING_USER_PPM);
    int repeat = pp_rng_chance(&s->rng, REPEATED_SIDE_PPM), ghost = pp_rng_chance(&s->rng, GHOST_POST_PPM);
    pp_kind again = pp_rng_chance(&s->rng, 500000) ? PP_KIND_GEO : PP_KIND_USER;
    if ((again == PP_KIND_GEO && no_geo) || (again == PP_KIND_USER && no_user)) repeat = 0;
    if (!no_geo && (rc = hold_side(s, post, PP_KIND_GEO, &ev, ind, &person, 0))) return rc;
    if (!no_user && (rc = hold_side(s, post, PP_KIND_USER, &ev, ind, &person, 0))) return rc;
    if (repeat && (rc = hold_side(s, post, again, &ev, ind, &person, 1))) return rc;
    if (ghost) { /* a post without a pin: an ind no catalog row has */
        int64_t gind = (int64_t)(s->o.catalog_size + post);
        pp_person gp;
        pp_person_make(s->o.catalog_seed, pp_person_of_row(s->o.catalog_seed, (uint64_t)gind), s->o.start_day, &gp);
        if ((rc = hold_side(s, post, PP_KIND_GEO, &ev, gind, &gp, 0))) return rc;
        if ((rc = hold_side(s, post, PP_KIND_USER, &ev, gind, &gp, 0))) return rc;
    }
    if (s->man) pp_manifest_post(s->man, ev.day, no_geo, no_user, repeat, ghost);
    return 1;
}

/* The lowest day an event sent from now on can have. */
static uint32_t watermark(const pp_emu_stream *s) {
    uint32_t wm = s->gen_done ? UINT32_MAX : s->last_day;
    for (size_t i = 0; i < s->n_heap; i++)
        if (s->slots[s->heap[i]].out.day < wm) wm = s->slots[s->heap[i]].out.day;
    return wm;
}

int pp_emu_stream_next(pp_emu_stream *s, pp_emu_out *out) {
    if (!s->all) { /* the pins as they come */
        int rc = pp_emu_gen_next(s->gen, &s->pin_ev);
        if (rc <= 0) return rc;
        if (s->man) pp_manifest_add(s->man, &s->pin_ev, NULL, 0);
        const pp_emu_event *ev = &s->pin_ev;
        *out = (pp_emu_out){PP_KIND_PIN,
                            ev->line,
                            ev->len,
                            ev->day,
                            (int64_t)ev->pin->index,
                            0,
                            ev->invalid != PP_INV_TRUNCATED_JSON && ev->invalid != PP_INV_INVALID_UTF8,
                            ev->invalid == PP_INV_NONE,
                            ev,
                            NULL};
        return 1;
    }
    if (s->sent_slot != SIZE_MAX) s->free_list[s->n_free++] = s->sent_slot;
    s->sent_slot = SIZE_MAX;
    while (!s->gen_done && (!s->n_heap || s->slots[s->heap[0]].release >= s->posts)) {
        int rc = next_post(s); /* events released by post p go once post p exists */
        if (rc < 0) return rc;
        if (rc == 0) s->gen_done = 1;
    }
    if (!s->n_heap) return 0;
    s->sent_slot = heap_pop(s);
    held *h = &s->slots[s->sent_slot];
    /* pointers into the slot are set now: the slots move when they grow */
    h->out.line = h->buf;
    if (h->out.kind == PP_KIND_PIN) {
        h->ev.line = h->buf;
        h->ev.pin = &h->meta;
        h->out.pin = &h->ev;
    } else {
        h->out.side = &h->side;
    }
    *out = h->out;
    if (s->man) {
        pp_manifest_add_sent(s->man, out);
        /* the watermark moves only when an older day's event leaves or a new day begins */
        if (out->day < s->last_day || s->wm_behind || s->gen_done) {
            uint32_t wm = watermark(s);
            s->wm_behind = wm < s->last_day;
            pp_manifest_watermark(s->man, wm);
        }
    }
    return 1;
}
