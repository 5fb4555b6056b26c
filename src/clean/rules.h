/* rules — the cleaning rules, each declared once.
 *
 * A rule has a name, the kind of event it cleans (pin, geo or user: docs/joins.md),
 * the field it touches, a one-line description and an example; `pinpipe rules` lists this table and docs/cleaning-rules.md explains
 * it. Rules of a kind run in table order over a record whose text fields hold the raw values
 * (see pin.h). Adding a rule: write its function in rules.c, add a row to the
 * table, add fixture lines that exercise it, run `make fixtures` and review the
 * diff (docs/cleaning-rules.md, "Adding a rule").
 */
#ifndef PINPIPE_RULES_H
#define PINPIPE_RULES_H

#include <stddef.h>
#include <stdint.h>

#include "clean/pin.h"
#include "clean/side.h"
#include "event/kind.h"

/* The longest unique_id, poster_name, category, tag, country or user_name, in
 * bytes of its JSON text (rules key_length_limit, geo_ and user_key_length_limit):
 * values that become keys in the stores and the metrics. Counted as JSON because the
 * join's keys are JSON arrays (["France","art"]): a control character takes up to 6
 * bytes there, and two such values must still fit PostgreSQL's ~2.7 KB index row. */
#define PP_KEY_MAX_BYTES 512

/* 1 when s is over PP_KEY_MAX_BYTES as JSON text (pp_json_escaped_len). */
int pp_key_too_long(const char *s);

typedef enum {
    PP_RULE_UNCHANGED = 0, /* the rule did not apply to this pin */
    PP_RULE_CHANGED,       /* the rule changed the pin (counted as "fired") */
    PP_RULE_REJECT         /* the pin cannot be cleaned; *reason says why */
} pp_rule_result;

typedef struct {
    const char *name;
    const char *field;
    const char *description;
    const char *example_in;                                    /* raw value, as JSON */
    const char *example_out;                                   /* cleaned value, as JSON */
    pp_rule_result (*apply)(pp_pin *pin, const char **reason); /* a pin rule */
    pp_kind kind;                                              /* the kind it cleans (PP_KIND_PIN: apply) */
    pp_rule_result (*apply_geo)(pp_geo *geo, const char **reason);
    pp_rule_result (*apply_user)(pp_user *user, const char **reason);
} pp_rule;

extern const pp_rule PP_RULES[];
extern const size_t PP_N_RULES;

/* Index of the rule called name, or -1. */
int pp_rule_find(const char *name);

#endif
