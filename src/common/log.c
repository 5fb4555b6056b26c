#include "common/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static volatile int g_level = PP_LOG_INFO;

static const char *const LEVEL_NAMES[] = {"error", "warn", "info", "debug"};

void pp_log_set_level(pp_log_level level) { g_level = (int)level; }

int pp_log_parse_level(const char *name) {
    for (int i = 0; i < 4; i++)
        if (name && strcasecmp(name, LEVEL_NAMES[i]) == 0) return i;
    return -1;
}

void pp_log_init_from_env(void) {
    int lvl = pp_log_parse_level(getenv("PINPIPE_LOG_LEVEL"));
    if (lvl >= 0) g_level = lvl;
}

int pp_log_enabled(pp_log_level level) { return (int)level <= g_level; }

void pp_vlog(pp_log_level level, const char *component, const char *fmt, va_list ap) {
    if (!pp_log_enabled(level)) return;
    char line[2048];
    struct timeval tv;
    struct tm tm;
    gettimeofday(&tv, NULL);
    gmtime_r(&tv.tv_sec, &tm);
    int n = snprintf(line, sizeof line, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ %s %s: ", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(tv.tv_usec / 1000), LEVEL_NAMES[level],
                     component ? component : "pinpipe");
    if (n < 0) return;
    if ((size_t)n < sizeof line) {
        int m = vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
        if (m > 0) n += m;
    }
    if ((size_t)n >= sizeof line - 1) n = (int)sizeof line - 2; /* truncated */
    line[n++] = '\n';
    ssize_t ignored = write(STDERR_FILENO, line, (size_t)n);
    (void)ignored;
}

void pp_log(pp_log_level level, const char *component, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    pp_vlog(level, component, fmt, ap);
    va_end(ap);
}
