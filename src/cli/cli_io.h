/* cli_io — file handling shared by the offline commands. */
#ifndef PINPIPE_CLI_IO_H
#define PINPIPE_CLI_IO_H

#include <signal.h>
#include <stdio.h>

#define PP_DEFAULT_MAX_LINE (1024 * 1024) /* the API's default body limit, too */

/* Opens path for reading ("-" or NULL = standard input); prints "CMD: PATH: reason" and returns NULL on failure. */
FILE *pp_cli_open_in(const char *cmd, const char *path);
/* Opens path for writing ("-" = standard output); NULL on failure with a message. */
FILE *pp_cli_open_out(const char *cmd, const char *path);
/* Closes a stream opened above unless it is a standard stream. */
void pp_cli_close(FILE *f);
/* The flag the daemons poll: set by SIGTERM and SIGINT once pp_cli_catch_stop_signals ran. */
extern volatile sig_atomic_t pp_cli_stop;
/* SIGTERM/SIGINT set pp_cli_stop (interrupted system calls are restarted). */
void pp_cli_catch_stop_signals(void);

/* Name of an input for messages. */
const char *pp_cli_name(const char *path);

#endif
