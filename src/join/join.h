/* join — the post: a pin, a geo and a user sharing (event day, ind), and the
 * metrics of their join, defined once for batch, stream and the CLI (docs/joins.md).
 *
 * A pp_join_post holds the sides of ONE (event day, ind) that are known: the geo
 * (first occurrence), the user (first occurrence) and every distinct pin (first
 * occurrence per (event day, unique_id)). Only the values the join metrics read
 * are kept. pp_join_post_metrics emits what the post contributes: each pin joined
 * with the geo and the user is one joined record; a geo or user that is in no joined
 * record counts in join_unmatched. An unmatched pin is not counted there (it is
 * pins_total - posts_joined), so a post made of pins only emits nothing and a
 * pin-only pipeline's metrics are what they were before kinds existed.
 *
 * The stream adds the CHANGE a micro-batch makes to a post: pp_join_post_delta emits
 * metrics(after) - metrics(before) for counts and sums, and metrics(after) for maxes
 * (a post only gains sides, so a max never falls). Batch and offline emit
 * pp_join_post_metrics of the complete post. Either way the totals are equal.
 *
 * Ownership: a post owns copies of its strings (pp_join_post_free).
 */
#ifndef PINPIPE_JOIN_H
#define PINPIPE_JOIN_H

#include <stddef.h>
#include <stdint.h>

#include "clean/pin.h"
#include "clean/side.h"
#include "metrics/metrics.h"

typedef struct {
    char *unique_id;
    char *category; /* NULL = null */
    int has_follower_count;
    int64_t follower_count;
} pp_join_pin;

typedef struct {
    char day[11];
    int64_t ind;
    int has_geo;
    char *country; /* NULL = null */
    int has_user;
    char *user_name; /* NULL = null */
    int has_age;
    int64_t age;
    int join_year; /* -1 = null */
    pp_join_pin *pins;
    size_t n_pins, cap_pins;
} pp_join_post;

void pp_join_post_init(pp_join_post *p, const char *day, int64_t ind);
void pp_join_post_free(pp_join_post *p);
/* Deep copy (for the stream's before/after). */
void pp_join_post_copy(pp_join_post *dst, const pp_join_post *src);

/* Adding a side. The caller has already de-duplicated (first occurrence wins); adding a
 * second geo or user replaces nothing and returns 0, else 1. */
int pp_join_post_set_geo(pp_join_post *p, const char *country);
int pp_join_post_set_user(pp_join_post *p, const char *user_name, int has_age, int64_t age, int join_year);
int pp_join_post_add_pin(pp_join_post *p, const char *unique_id, const char *category, int has_follower_count,
                         int64_t follower_count);
/* The same from cleaned records. */
int pp_join_post_add_geo_side(pp_join_post *p, const pp_geo *g);
int pp_join_post_add_user_side(pp_join_post *p, const pp_user *u);
int pp_join_post_add_pin_side(pp_join_post *p, const pp_pin *pin);

/* The age group of an age: "0-17", "18-24", "25-35", "36-50", "50+" (over 50). */
const char *pp_join_age_group(int64_t age);

/* What the post contributes (docs/metrics.md, "Join metrics"). */
void pp_join_post_metrics(const pp_join_post *p, pp_metric_emit_fn emit, void *ctx);
/* What turning `before` into `after` (the same post with more sides) changes. Emits
 * nothing for a metric whose change is 0. */
void pp_join_post_delta(const pp_join_post *before, const pp_join_post *after, pp_metric_emit_fn emit, void *ctx);

/* Join rules that a test can switch off (PINPIPE_DISABLE_JOIN_RULES, comma-separated):
 *   join_requires_geo  a joined record needs the geo side (off: a pin and a user join
 *                      without it, country null). Read once per process. */
int pp_join_requires_geo(void);

#endif
