#include "batch/batch_shard.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/mem.h"

/* A decimal number without sign or spaces, at most 4 digits; -1 otherwise. */
static int small_number(const char *s, size_t n) {
    if (n == 0 || n > 4) return -1;
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

int pp_batch_shard_parse(const char *s, pp_batch_shard *out) {
    const char *slash = s ? strchr(s, '/') : NULL;
    if (!slash) return -1;
    int i = small_number(s, (size_t)(slash - s)), n = small_number(slash + 1, strlen(slash + 1));
    if (i < 0 || n < 1 || n > PP_BATCH_MAX_SHARDS || i >= n) return -1;
    out->index = i;
    out->count = n;
    return 0;
}

void pp_batch_shard_format(const pp_batch_shard *sh, char *out, size_t n) {
    if (sh->count <= 0)
        snprintf(out, n, "%s", "");
    else if (sh->index < 0)
        snprintf(out, n, "all/%d", sh->count);
    else
        snprintf(out, n, "%d/%d", sh->index, sh->count);
}

int pp_batch_shard_owns(const pp_batch_shard *sh, int32_t partition) {
    if (sh->count <= 0 || sh->index < 0) return 1;
    return partition >= 0 && partition % sh->count == sh->index;
}

int pp_batch_finalize_pick(const pp_parity_run_row *rows, size_t n, int n_shards, long *chosen, char *why,
                           size_t whylen) {
    long base = -1; /* the newest single-process run of the whole day */
    for (size_t i = 0; i < n; i++) {
        const pp_parity_run_row *r = &rows[i];
        if (pp_parity_run_kind(r->shard) == PP_RUN_KIND_FULL && !(r->metric && *r->metric) &&
            (base < 0 || pp_parity_run_newer(r, &rows[base])))
            base = (long)i;
    }
    for (int s = 0; s < n_shards; s++) chosen[s] = -1;
    for (size_t i = 0; i < n; i++) {
        pp_batch_shard sh;
        if (pp_parity_run_kind(rows[i].shard) != PP_RUN_KIND_SHARD || pp_batch_shard_parse(rows[i].shard, &sh) ||
            sh.count != n_shards)
            continue;
        if (chosen[sh.index] < 0 || pp_parity_run_newer(&rows[i], &rows[chosen[sh.index]])) chosen[sh.index] = (long)i;
    }
    long oldest = -1;
    for (int s = 0; s < n_shards; s++) {
        long c = chosen[s];
        const char *status = c >= 0 && rows[c].status ? rows[c].status : "";
        if (c < 0 || (base >= 0 && !pp_parity_run_newer(&rows[c], &rows[base]))) {
            snprintf(why, whylen, "shard %d/%d has no run%s: run `pinpipe batch --date %s --shard %d/%d` first", s,
                     n_shards, c < 0 ? "" : " since the day's last single-process run", n ? rows[0].day : "DAY", s,
                     n_shards);
            return -1;
        }
        if (strcmp(status, "done") != 0) {
            snprintf(why, whylen, "shard %d/%d: its newest run is '%s'%s (re-run the shard)", s, n_shards, status,
                     strcmp(status, "running") == 0 ? ": wait for it to end, or if it died" : "");
            return -1;
        }
        if (oldest < 0 || pp_parity_run_newer(&rows[oldest], &rows[c])) oldest = c;
    }
    for (size_t i = 0; i < n; i++) {
        pp_batch_shard sh;
        if (pp_parity_run_kind(rows[i].shard) == PP_RUN_KIND_SHARD && pp_batch_shard_parse(rows[i].shard, &sh) == 0 &&
            sh.count != n_shards && oldest >= 0 && pp_parity_run_newer(&rows[i], &rows[oldest])) {
            snprintf(why, whylen,
                     "shard run %s (of another layout) is newer than shard runs of %d: it replaced part of their "
                     "share; run every shard of one layout again, then finalize it",
                     rows[i].shard, n_shards);
            return -1;
        }
    }
    why[0] = '\0';
    return 0;
}

/* Into dst: every "<partition>": value of src whose partition shard `index` of n owns. */
static void take_owned(json_t *dst, json_t *src, int index, int n) {
    const char *k;
    json_t *v;
    pp_batch_shard sh = {index, n};
    json_object_foreach(src, k, v) {
        if (pp_batch_shard_owns(&sh, (int32_t)atoi(k))) json_object_set(dst, k, v);
    }
}

void pp_batch_shard_union(const pp_parity_run_row *const *runs, int n_shards, char **coverage, char **read) {
    json_t *cov = NULL, *offsets = json_object(), *rd = json_object();
    int none = 0;
    for (int s = 0; s < n_shards; s++) {
        json_t *c = json_loads(runs[s]->coverage ? runs[s]->coverage : "", 0, NULL);
        json_t *next = json_object_get(c, "next_offsets");
        if (!json_is_object(next))
            none = 1;
        else {
            if (!cov) cov = json_deep_copy(c);
            take_owned(offsets, next, s, n_shards);
        }
        json_decref(c);
        json_t *r = json_loads(runs[s]->read ? runs[s]->read : "{}", 0, NULL);
        const char *topic;
        json_t *parts;
        json_object_foreach(r, topic, parts) {
            json_t *t = json_object_get(rd, topic);
            if (!t) json_object_set_new(rd, topic, t = json_object());
            take_owned(t, parts, s, n_shards);
        }
        json_decref(r);
    }
    if (none || !cov) {
        json_decref(cov);
        cov = json_pack("{s:s}", "source", "none");
    } else {
        json_object_set(cov, "next_offsets", offsets);
    }
    *coverage = json_dumps(cov, JSON_COMPACT | JSON_SORT_KEYS);
    *read = json_dumps(rd, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(cov);
    json_decref(offsets);
    json_decref(rd);
}
