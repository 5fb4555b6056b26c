#!/usr/bin/env bash
# Specification: $PINPIPE_PG_DSN reaches the local PostgreSQL 15 as its own role, which
# owns its database and can create tables and commit transactions there; a wrong
# password is refused (TCP logins are password-checked, scram-sha-256).
#   bash tests/integration/postgres_dsn_it.sh      (needs: bash ci/services.sh up postgres)
# needs: postgres
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../../ci/services/env.sh"
fail() { echo "postgres_dsn_it: FAIL: $*" >&2; exit 1; }

got=$(psql -X -q -v ON_ERROR_STOP=1 -tA "$PINPIPE_PG_DSN" <<'SQL'
BEGIN;
CREATE TEMP TABLE it_probe (id int PRIMARY KEY, v text) ON COMMIT DROP;
INSERT INTO it_probe VALUES (1, 'a'), (2, 'b');
SELECT current_user || ' ' || current_database() || ' ' || count(*) || ' '
       || split_part(current_setting('server_version'), '.', 1) FROM it_probe;
COMMIT;
SQL
) || fail "psql with PINPIPE_PG_DSN"
want_user=$(sed -E 's|^postgres(ql)?://([^:@/]+).*|\2|' <<<"$PINPIPE_PG_DSN")
want_db=$(sed -E 's|^[^/]*//[^/]*/([^?]+).*|\1|' <<<"$PINPIPE_PG_DSN")
[ "$got" = "$want_user $want_db 2 15" ] || fail "got '$got', expected '$want_user $want_db 2 15'"

bad=$(sed -E 's|^(postgres(ql)?://[^:@/]+):[^@/]*@|\1:not-the-password@|' <<<"$PINPIPE_PG_DSN")
if psql -X -q -tA "$bad" -c 'select 1' >/dev/null 2>&1; then fail "a wrong password was accepted"; fi

echo "postgres_dsn_it: ok ($got; wrong password refused)"
