/* config — defaults < environment (PINPIPE_*) < command-line flags.
 *
 * Components start from their defaults, overlay the environment with these
 * getters, then overlay their flags. Getters return the default when the
 * variable is unset or empty; pp_env_long also when it does not parse (and logs
 * a warning naming the variable).
 */
#ifndef PINPIPE_CONFIG_H
#define PINPIPE_CONFIG_H

const char *pp_env_str(const char *name, const char *def);
long pp_env_long(const char *name, long def);

/* Parses a whole decimal long in [min, max]; returns 0 or PP_EINVAL. */
int pp_parse_long(const char *s, long min, long max, long *out);

#endif
