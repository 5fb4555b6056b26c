#include "cli/cli_io.h"

#include <errno.h>
#include <signal.h>
#include <string.h>

FILE *pp_cli_open_in(const char *cmd, const char *path) {
    if (!path || strcmp(path, "-") == 0) return stdin;
    FILE *f = fopen(path, "rb");
    if (!f) fprintf(stderr, "pinpipe %s: %s: %s\n", cmd, path, strerror(errno));
    return f;
}

FILE *pp_cli_open_out(const char *cmd, const char *path) {
    if (!path || strcmp(path, "-") == 0) return stdout;
    if (strcmp(path, "/dev/stderr") == 0) return stderr;
    FILE *f = fopen(path, "wb");
    if (!f) fprintf(stderr, "pinpipe %s: %s: %s\n", cmd, path, strerror(errno));
    return f;
}

void pp_cli_close(FILE *f) {
    if (f && f != stdin && f != stdout && f != stderr) fclose(f);
}

const char *pp_cli_name(const char *path) { return !path || strcmp(path, "-") == 0 ? "<stdin>" : path; }

volatile sig_atomic_t pp_cli_stop = 0;

static void on_stop_signal(int sig) {
    (void)sig;
    pp_cli_stop = 1;
}

void pp_cli_catch_stop_signals(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
}
