/* side_rules — the cleaning rules of the geo and user events (docs/joins.md).
 * Their rows are in the one rule table (rules.c); these are their functions. */
#ifndef PINPIPE_CLEAN_SIDE_RULES_H
#define PINPIPE_CLEAN_SIDE_RULES_H

#include "clean/rules.h"
#include "clean/side.h"

pp_rule_result pp_rule_geo_country(pp_geo *g, const char **reason);
pp_rule_result pp_rule_geo_coordinates(pp_geo *g, const char **reason);
pp_rule_result pp_rule_geo_coordinates_placeholder(pp_geo *g, const char **reason);
pp_rule_result pp_rule_geo_key_length(pp_geo *g, const char **reason);
pp_rule_result pp_rule_user_name(pp_user *u, const char **reason);
pp_rule_result pp_rule_user_age_range(pp_user *u, const char **reason);
pp_rule_result pp_rule_user_date_joined(pp_user *u, const char **reason);
pp_rule_result pp_rule_user_key_length(pp_user *u, const char **reason);

#endif
