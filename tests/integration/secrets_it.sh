#!/usr/bin/env bash
# Specification: secrets stay secret and the services are their owner's alone.
#  1. The daemons run with their secrets, each as the design allows (environment or a
#     0600 file): api with --auth-token-file, lake with the S3 secret in its environment,
#     stream with a PostgreSQL password in PINPIPE_PG_DSN, batch and cql with
#     --password-file (a Cassandra role of this test). Events go through all of them.
#  2. No file under the services directory (logs, pid files, data, configs), no log of
#     the daemons, and no process's command line (/proc/*/cmdline) holds any of the four
#     secrets: the PostgreSQL password, the S3 secret key, the Cassandra password, the API
#     token.
#  3. A secret on a command line is refused, and the refusal does not echo it:
#     api --auth-token, cql/batch --password, lake/s3 --secret-key, stream/parity --dsn
#     with a password; a secret file others may read (0644) is refused.
#  4. PostgreSQL: another local user cannot use the superuser: as `nobody`, psql over the
#     socket directory cannot connect (no COPY ... TO PROGRAM), and over TCP the superuser
#     has no password to give. The socket directory is 0700.
#  5. The service directories, data, logs, pid files are not readable or writable by
#     group or others.
#  6. Cassandra's JMX (nodetool) refuses a client without credentials and accepts the
#     ones in its 0600 credentials file.
# needs: postgres s3 cassandra kafka
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../../ci/services/env.sh"
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
ROOT="$PINPIPE_ROOT"
it_init secrets_it
umask 077
SVC="$PINPIPE_SERVICES_DIR"
rand() { head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n'; }

# ---- the secrets of this run ----------------------------------------------------------
ROLE="pp_sec_$RUN"
PG_PW="pgpw-$(rand)"
CASS_PW="casspw-$(rand)"
TOKEN="token-$(rand)"
S3_SECRET="$PINPIPE_S3_SECRET_KEY"
((${#S3_SECRET} >= 8)) || it_fail "PINPIPE_S3_SECRET_KEY is too short to look for"
# The patterns file: grep reads the secrets from it, so no grep command line holds one.
printf '%s\n' "$PG_PW" "$CASS_PW" "$TOKEN" "$S3_SECRET" >"$TMP/secrets"
printf '%s\n' "$TOKEN" >"$TMP/token"
printf '%s\n' "$CASS_PW" >"$TMP/cass.pw"
printf 'Authorization: Bearer %s\n' "$TOKEN" >"$TMP/auth.header"

# PostgreSQL: a role with a password and a schema of its own (created by the superuser,
# over the private socket; the password is on psql's stdin).
bash "$ROOT/ci/services/postgres.sh" psql -d "${PINPIPE_PG_DSN##*/}" >/dev/null <<SQL || it_fail "create PostgreSQL role"
SET log_min_error_statement = panic;
CREATE ROLE $ROLE LOGIN PASSWORD '$PG_PW';
CREATE SCHEMA $ROLE AUTHORIZATION $ROLE;
ALTER ROLE $ROLE SET search_path = $ROLE;
SQL
it_on_exit "bash '$ROOT/ci/services/postgres.sh' psql -d '${PINPIPE_PG_DSN##*/}' -c 'DROP SCHEMA IF EXISTS $ROLE CASCADE' -c 'DROP ROLE IF EXISTS $ROLE' >/dev/null 2>&1"
pg_hostport="${PINPIPE_PG_DSN#*@}"
pg_hostport="${pg_hostport%%/*}"
SEC_DSN="postgresql://$ROLE:$PG_PW@$pg_hostport/${PINPIPE_PG_DSN##*/}"

# Cassandra: a superuser role of this test (the batch creates its keyspace).
"$BIN/pinpipe" cql >/dev/null <<CQL || it_fail "create Cassandra role"
CREATE ROLE $ROLE WITH PASSWORD = '$CASS_PW' AND LOGIN = true AND SUPERUSER = true;
CQL
it_on_exit "echo 'DROP ROLE IF EXISTS $ROLE;' | '$BIN/pinpipe' cql >/dev/null 2>&1"
it_cql_keyspace "$ROLE"
BASE="it-sec-$RUN"
it_s3_prefix "$BASE/"
topic="pinpipe-it-sec-$RUN"

# ---- 1. the daemons, each with its secret ----------------------------------------------
pids=()
stop_all() { local p; for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
it_on_exit stop_all

"$BIN/pinpipe" api --port 0 --topic "$topic" --auth-token-file "$TMP/token" >"$TMP/api.log" 2>&1 &
api_pid=$!
pids+=("$api_pid")
api_port=""
api_listening() {
  api_port=$(sed -n 's|.*listening on http://[^ ]*:\([0-9][0-9]*\)/.*|\1|p' "$TMP/api.log" | head -n 1)
  [ -n "$api_port" ]
}
it_wait_until 30 api_listening || it_fail "api did not start: $(tail -n 5 "$TMP/api.log")"
"$BIN/pinpipe" lake --topic "$topic" --group "g-lake-$RUN" --prefix "$BASE/" --max-age-ms 500 \
  >"$TMP/lake.log" 2>&1 &  # S3 secret: PINPIPE_S3_SECRET_KEY, from the environment
pids+=("$!")
PINPIPE_PG_DSN="$SEC_DSN" "$BIN/pinpipe" stream --topic "$topic" --group "g-stream-$RUN" \
  >"$TMP/stream.log" 2>&1 &
pids+=("$!")

"$BIN/pinpipe-emulate" --seed 7 --count 20 --out "$TMP/events.jsonl" 2>/dev/null
n=0
while IFS= read -r line; do
  code=$(curl -s -o /dev/null -w '%{http_code}' -H @"$TMP/auth.header" -H 'Content-Type: application/json' \
    --data-binary "$line" "http://127.0.0.1:$api_port/pin/")
  [ "$code" = 200 ] && n=$((n + 1))
done <"$TMP/events.jsonl"
((n > 0)) || it_fail "the api accepted no event with the token from --auth-token-file"
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
  --data-binary "$(head -n 1 "$TMP/events.jsonl")" "http://127.0.0.1:$api_port/pin/")
[ "$code" = 401 ] || it_fail "a request without the token got HTTP $code, not 401"
it_ok "api (token from a 0600 file) accepted $n events, refused one without the token"

stored_pg() { [ "$(PGPASSWORD="$PG_PW" psql -X -h "${pg_hostport%:*}" -p "${pg_hostport##*:}" -U "$ROLE" \
  -d "${PINPIPE_PG_DSN##*/}" -qAt -c 'SELECT count(*) FROM pins' 2>/dev/null)" -gt 0 ] 2>/dev/null; }
it_wait_until 60 stored_pg || it_fail "the stream (password in PINPIPE_PG_DSN) stored nothing: $(tail -n 5 "$TMP/stream.log")"
lake_days() { "$BIN/pinpipe" s3 ls "$BASE/" 2>/dev/null | grep -o 'dt=[0-9-]*' | sort -u | sed 's/dt=//' >"$TMP/days"; [ -s "$TMP/days" ]; }
it_wait_until 60 lake_days || it_fail "the lake writer (S3 secret in its environment) stored nothing: $(tail -n 5 "$TMP/lake.log")"
while IFS= read -r day; do
  PINPIPE_CASSANDRA_PASSWORD="" "$BIN/pinpipe" batch --date "$day" --prefix "$BASE/" --keyspace "$ROLE" \
    --user "$ROLE" --password-file "$TMP/cass.pw" --no-coverage >>"$TMP/batch.log" 2>&1 ||
    it_fail "batch with --password-file: $(tail -n 5 "$TMP/batch.log")"
done <"$TMP/days"
got=$(PINPIPE_CASSANDRA_PASSWORD="" "$BIN/pinpipe" cql --user "$ROLE" --password-file "$TMP/cass.pw" \
  --format csv -e "SELECT count(*) FROM $ROLE.pins" 2>>"$TMP/cql.log" | tail -n 1 | tr -d "\r")
((got > 0)) || it_fail "cql with --password-file read no pins (got '$got')"
it_ok "stream (PINPIPE_PG_DSN), lake (environment), batch and cql (--password-file) worked"

# ---- 2. no secret in a file, a log or a command line ------------------------------------
# Every file under the services directory (Kafka holds the events: none carries a secret).
if leaks=$(grep -rlaF -f "$TMP/secrets" "$SVC" 2>/dev/null); then
  it_fail "secrets found in: $(echo "$leaks" | head -n 5 | tr '\n' ' ')"
fi
for f in api lake stream batch cql; do
  if grep -qaF -f "$TMP/secrets" "$TMP/$f.log"; then it_fail "a secret is in the $f log"; fi
done
for pid in $(ps -e -o pid=); do
  [ "$pid" = "$$" ] && continue
  if { tr '\0' '\n' <"/proc/$pid/cmdline"; } 2>/dev/null | grep -qaF -f "$TMP/secrets"; then
    it_fail "process $pid has a secret on its command line: $(tr '\0' ' ' <"/proc/$pid/cmdline" | cut -c1-60)..."
  fi
done
it_ok "no file under $SVC, no daemon log, no pid file and no command line holds a secret"

# ---- 3. secrets on a command line are refused, and not echoed ----------------------------
refused() {  # refused NAME ARGS...: exit 2 and stderr without the secret
  local name="$1" rc=0
  shift
  "$BIN/pinpipe" "$@" >"$TMP/refused.out" 2>&1 || rc=$?
  [ "$rc" = 2 ] || it_fail "$name: exit $rc, not 2 (refused): $(head -c 300 "$TMP/refused.out")"
  if grep -qaF -f "$TMP/secrets" "$TMP/refused.out"; then it_fail "$name: the refusal echoes the secret"; fi
}
bad_secret="$CASS_PW"  # any of them: must not be echoed
refused "api --auth-token" api --port 0 --auth-token "$TOKEN"
refused "cql --password" cql --password "$bad_secret" -e 'SELECT 1'
refused "batch --password" batch --date 2026-01-01 --password "$bad_secret"
refused "lake --secret-key" lake --secret-key "$S3_SECRET"
refused "s3 --secret-key" s3 --secret-key "$S3_SECRET" ls
refused "stream --dsn with a password" stream --dsn "$SEC_DSN"
refused "parity --dsn with a password" parity --date 2026-01-01 --dsn "$SEC_DSN"
cp "$TMP/cass.pw" "$TMP/open.pw"
chmod 644 "$TMP/open.pw"
refused "cql --password-file 0644" cql --password-file "$TMP/open.pw" -e 'SELECT 1'
grep -q 'chmod 600' "$TMP/refused.out" || it_fail "the refusal of a 0644 file does not say what to do"
it_ok "every secret-on-argv flag and a 0644 secret file are refused without echoing the secret"

# ---- 4. PostgreSQL: no superuser for other local users ------------------------------------
sock="$SVC/postgres/run"
if ((${#sock} > 80)); then sock="/tmp/pinpipe-pg-$(id -u)-$PINPIPE_PG_PORT"; fi
[ -S "$sock/.s.PGSQL.$PINPIPE_PG_PORT" ] || it_fail "no PostgreSQL socket in $sock"
mode=$(stat -c %a "$sock")
[ "$mode" = 700 ] || it_fail "socket directory $sock has mode $mode, not 700"
if [ "$(id -u)" -eq 0 ]; then
  as_nobody=(setpriv --reuid=nobody --regid=nogroup --clear-groups --)
  if "${as_nobody[@]}" psql -X -w -h "$sock" -p "$PINPIPE_PG_PORT" -U postgres -d postgres \
    -c "COPY (SELECT 1) TO PROGRAM 'id'" >"$TMP/nobody.out" 2>&1; then
    it_fail "user nobody ran COPY ... TO PROGRAM as the superuser over $sock"
  fi
  if "${as_nobody[@]}" psql -X -w -h 127.0.0.1 -p "$PINPIPE_PG_PORT" -U postgres -d postgres \
    -c 'SELECT 1' >>"$TMP/nobody.out" 2>&1; then
    it_fail "user nobody logged in as the superuser over TCP without a password"
  fi
  it_ok "as nobody: no superuser over the socket (mode 700) nor over TCP"
else
  [ -O "$sock" ] || it_fail "socket directory $sock is not ours"
  it_ok "socket directory $sock is ours and 0700 (not root: no other uid to try)"
fi

# ---- 5. owner-only service directories ----------------------------------------------------
top=$(stat -c %a "$SVC")
case "$top" in 700 | 711) ;; *) it_fail "$SVC has mode $top (want 700, or 711 as root)" ;; esac
for s in postgres s3 cassandra kafka; do
  [ -d "$SVC/$s" ] || it_fail "no $SVC/$s"
  # Read or write for group/others on anything but the socket (its directory guards it).
  open=$(find "$SVC/$s" \( -perm /066 \) ! -type s ! -type l -print 2>/dev/null | head -n 5)
  [ -z "$open" ] || it_fail "readable or writable by others: $open"
done
for f in "$SVC"/*/*.log "$SVC"/*/*.pid; do
  [ -e "$f" ] || continue
  mode=$(stat -c %a "$f")
  [ "$mode" = 600 ] || it_fail "$f has mode $mode, not 600"
done
it_ok "service directories, data, logs and pid files: owner only"

# ---- 6. Cassandra JMX needs credentials --------------------------------------------------
libs="$PINPIPE_CACHE_DIR/cassandra/libs"
mapfile -t jflags < <(grep -E '^--add-(exports|opens)' "$ROOT/ci/cassandra/jvm17-server.options")
if java "${jflags[@]}" -Dcassandra.logdir="$TMP" -cp "$libs/*" org.apache.cassandra.tools.NodeTool \
  -h 127.0.0.1 -p "$PINPIPE_CASSANDRA_JMX_PORT" version >"$TMP/jmx.out" 2>&1; then
  it_fail "nodetool without credentials was let in: $(head -n 2 "$TMP/jmx.out")"
fi
grep -q 'Authentication failed' "$TMP/jmx.out" || it_fail "nodetool without credentials: $(grep -m1 -i error "$TMP/jmx.out")"
bash "$ROOT/ci/services/cassandra.sh" nodetool version >"$TMP/jmx-ok.out" 2>&1 ||
  it_fail "nodetool with the credentials file failed: $(tail -n 3 "$TMP/jmx-ok.out")"
grep -q 'ReleaseVersion' "$TMP/jmx-ok.out" || it_fail "nodetool version printed no version"
mode=$(stat -c %a "$SVC/cassandra/jmx/nodetool.credentials")
[ "$mode" = 600 ] || it_fail "JMX credentials file has mode $mode"
it_ok "JMX: refused without credentials, nodetool works with the 0600 credentials file"
