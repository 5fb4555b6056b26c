/* pg_dsn_secret — does a PostgreSQL connection string carry a password?
 *
 * A --dsn flag is argv, and argv is readable by every local user (ps). The commands that
 * take a DSN refuse one with a password in a flag; the password goes in PINPIPE_PG_DSN
 * (the environment), PGPASSWORD or a password file (PGPASSFILE, ~/.pgpass, mode 0600).
 */
#ifndef PINPIPE_PG_DSN_SECRET_H
#define PINPIPE_PG_DSN_SECRET_H

/* 1 when dsn (a URI or key=value string) holds a non-empty password, else 0 (also for a
 * string libpq cannot parse: connecting reports that). */
int pp_pg_dsn_has_password(const char *dsn);

#endif
