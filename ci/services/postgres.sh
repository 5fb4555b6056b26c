#!/usr/bin/env bash
# PostgreSQL 15 (Debian's postgresql-15) as pinpipe's own cluster, not the system one.
#   bash ci/services/postgres.sh up|down|status
# Data: .services/postgres/data (owned by the `postgres` system user when run as root:
# initdb and postgres refuse to run as root). Socket dir: .services/postgres/run.
# Listens on 127.0.0.1:$PINPIPE_PG_PORT only. Local socket: trust (for set-up);
# TCP: scram-sha-256, so $PINPIPE_PG_DSN's password is really checked.
# `up` creates the role and database named in $PINPIPE_PG_DSN (idempotent).
# Conventions: ci/services/lib.sh.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
pp_svc_init postgres

PG_BIN="${PINPIPE_PG_BIN:-/usr/lib/postgresql/15/bin}"
PG_DATA="$SVC_DIR/data"
PG_SOCK="$SVC_DIR/run"
# A Unix socket path is limited to 107 bytes; use /tmp when the checkout is deep.
if ((${#PG_SOCK} > 80)); then PG_SOCK="/tmp/pinpipe-pg-$(id -u)-$PINPIPE_PG_PORT"; fi

SVC_PORTS="$PINPIPE_PG_PORT"
SVC_PID_MATCH="-D $PG_DATA "  # this checkout's cluster only
SVC_READY_TIMEOUT=60
SVC_STOP_SIGNAL=INT   # "fast shutdown": roll back open transactions, checkpoint, exit
SVC_STOP_TIMEOUT=60

# Role, password and database come from the DSN: postgresql://USER:PASS@HOST:PORT/DB
dsn_re='^postgres(ql)?://([^:@/]+):([^@/]*)@[^/]*/([^?]+)'
[[ "$PINPIPE_PG_DSN" =~ $dsn_re ]] ||
  pp_die "PINPIPE_PG_DSN must look like postgresql://USER:PASS@127.0.0.1:PORT/DB"
PG_ROLE="${BASH_REMATCH[2]}"
PG_PASS="${BASH_REMATCH[3]}"
PG_DB="${BASH_REMATCH[4]}"

# as_pg CMD...: run CMD as the postgres system user when we are root.
# setpriv execs in place (no forked parent, unlike runuser), so the pid that pp_spawn
# records is the postmaster's own (the first line of data/postmaster.pid).
AS_PG=()
if [ "$(id -u)" -eq 0 ]; then
  AS_PG=(setpriv --reuid=postgres --regid=postgres --init-groups --reset-env --)
fi
as_pg() { "${AS_PG[@]}" "$@"; }

# psql as the superuser over the Unix socket (trust).
su_psql() {
  psql -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCK" -p "$PINPIPE_PG_PORT" -U postgres -d postgres "$@"
}

svc_install() {
  [ -x "$PG_BIN/postgres" ] || pp_die "$PG_BIN/postgres not found; run: bash ci/install-deps.sh (postgresql-15)"
  pp_need psql pg_isready setpriv
  if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || pp_die "no 'postgres' system user (the postgresql-15 package creates it)"
  fi
}

svc_prepare() {
  chmod 755 "$SVC_DIR"
  mkdir -p "$PG_SOCK"
  [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$PG_SOCK"
  if [ ! -s "$PG_DATA/PG_VERSION" ]; then
    pp_log "initdb $PG_DATA"
    rm -rf "$PG_DATA"
    mkdir -p "$PG_DATA"
    [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$PG_DATA"
    chmod 700 "$PG_DATA"
    as_pg "$PG_BIN/initdb" -D "$PG_DATA" -U postgres -E UTF8 --locale=C.UTF-8 \
      --auth-local=trust --auth-host=scram-sha-256 >>"$SVC_LOG" 2>&1
  fi
  # A postmaster.pid left by a killed server is handled by postgres itself (it checks
  # whether that pid still runs); nothing to do here.
}

svc_start() {
  # fsync=off: test data only; it still survives a crash of postgres (not of the OS).
  pp_spawn "${AS_PG[@]}" "$PG_BIN/postgres" -D "$PG_DATA" \
    -c listen_addresses=127.0.0.1 -c port="$PINPIPE_PG_PORT" \
    -c unix_socket_directories="$PG_SOCK" -c fsync=off \
    -c logging_collector=off -c log_min_messages=warning -c log_line_prefix='%m [%p] '
}

svc_probe() {
  pg_isready -q -h 127.0.0.1 -p "$PINPIPE_PG_PORT" -t 2 &&
    su_psql -tA -c 'select 1' | grep -qx 1
}

dsn_works() { psql -X -q "$PINPIPE_PG_DSN" -tA -c 'select 1' 2>>"$SVC_LOG" | grep -qx 1; }

svc_post_ready() {
  dsn_works 2>/dev/null && return 0  # role and database already there: change nothing
  pp_log "creating role $PG_ROLE and database $PG_DB"
  su_psql -v role="$PG_ROLE" -v pw="$PG_PASS" -v db="$PG_DB" <<'SQL' >>"$SVC_LOG" 2>&1
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', :'role', :'pw')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'role') \gexec
SELECT format('ALTER ROLE %I LOGIN PASSWORD %L', :'role', :'pw') \gexec
SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'role')
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'db') \gexec
SQL
  # The real check: the DSN the project uses works over TCP with its password.
  dsn_works || { pp_err "cannot connect with PINPIPE_PG_DSN"; return 1; }
}

svc_info() { echo "dsn=$PINPIPE_PG_DSN"; }

pp_main "$@"
