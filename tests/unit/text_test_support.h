/* Text helpers shared by the unit tests of Prometheus expositions (API metrics,
 * monitoring exports). Header-only (static inline); include after <cmocka.h>. */
#ifndef PINPIPE_TEXT_TEST_SUPPORT_H
#define PINPIPE_TEXT_TEST_SUPPORT_H

#include <string.h>

/* Fails unless text holds line as a whole line. */
static inline void assert_has_line(const char *text, const char *line) {
    size_t n = strlen(line);
    for (const char *p = text; (p = strstr(p, line)) != NULL; p++)
        if ((p == text || p[-1] == '\n') && p[n] == '\n') return;
    fail_msg("missing line: %s\n--- exposition:\n%s", line, text);
}

/* Fails when piece occurs anywhere in text. */
static inline void assert_no_text(const char *text, const char *piece) {
    if (strstr(text, piece)) fail_msg("unexpected '%s' in:\n%s", piece, text);
}

#endif
