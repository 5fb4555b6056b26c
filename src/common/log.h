/* log — pinpipe's one logger.
 *
 * Every component, and every library log callback (librdkafka, libpq notices,
 * libmicrohttpd errors), writes through pp_log so that output has one format:
 *   2026-11-25T17:55:10.123Z level component: message
 * on standard error. The level threshold comes from PINPIPE_LOG_LEVEL
 * (error, warn, info, debug; default info) or pp_log_set_level().
 * Thread-safe: one write(2) per line.
 */
#ifndef PINPIPE_LOG_H
#define PINPIPE_LOG_H

#include <stdarg.h>

typedef enum { PP_LOG_ERROR = 0, PP_LOG_WARN, PP_LOG_INFO, PP_LOG_DEBUG } pp_log_level;

void pp_log_set_level(pp_log_level level);
/* Reads PINPIPE_LOG_LEVEL; unknown values leave the level unchanged. */
void pp_log_init_from_env(void);
/* Parses "error|warn|info|debug"; returns -1 if unknown. */
int pp_log_parse_level(const char *name);
int pp_log_enabled(pp_log_level level);

void pp_log(pp_log_level level, const char *component, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void pp_vlog(pp_log_level level, const char *component, const char *fmt, va_list ap);

#define PP_ERROR(comp, ...) pp_log(PP_LOG_ERROR, comp, __VA_ARGS__)
#define PP_WARN(comp, ...) pp_log(PP_LOG_WARN, comp, __VA_ARGS__)
#define PP_INFO(comp, ...) pp_log(PP_LOG_INFO, comp, __VA_ARGS__)
#define PP_DEBUG(comp, ...) pp_log(PP_LOG_DEBUG, comp, __VA_ARGS__)

#endif
