# Helpers shared by the integration scripts. Source it after ci/services/env.sh.
#   it_init NAME     sets RUN (unique id), TMP (a temp dir removed on exit), BIN (build dir)
#   it_fail MSG      prints "NAME: FAIL: MSG" and exits 1
#   it_ok MSG        prints "NAME: ok: MSG"
#   it_pg_schema S   creates schema S and prints a DSN whose search_path is S
#   it_metrics_offline FILE INGEST   offline metrics as sorted "metric|day|key|kind|value"
#   it_metrics_pg DSN                the stream's metrics table in the same form
#   it_on_exit CMD   adds CMD to what runs on exit

it_init() {
  IT_NAME="$1"
  RUN="$(date +%s)_$$"
  BIN="${PINPIPE_BUILD:-$PINPIPE_ROOT/build}"
  TMP="$(mktemp -d)"
  IT_EXIT_CMDS=("rm -rf '$TMP'")
  trap 'for c in "${IT_EXIT_CMDS[@]}"; do eval "$c" || true; done' EXIT
}

it_on_exit() { IT_EXIT_CMDS=("$1" "${IT_EXIT_CMDS[@]}"); }
it_fail() { echo "$IT_NAME: FAIL: $*" >&2; exit 1; }
it_ok() { echo "$IT_NAME: ok: $*"; }

it_pg_schema() {
  psql "$PINPIPE_PG_DSN" -qAt -v ON_ERROR_STOP=1 -c "CREATE SCHEMA $1" >/dev/null || it_fail "create schema $1"
  it_on_exit "psql '$PINPIPE_PG_DSN' -qAt -c 'DROP SCHEMA IF EXISTS $1 CASCADE' >/dev/null"
  case "$PINPIPE_PG_DSN" in
    *\?*) echo "$PINPIPE_PG_DSN&options=-csearch_path%3D$1" ;;
    *) echo "$PINPIPE_PG_DSN?options=-csearch_path%3D$1" ;;
  esac
}

it_metrics_offline() {
  "$BIN/pinpipe" metrics --ingest-time "$2" "$1" |
    jq -r '[.metric, .day, .key, .kind, (.value | tostring)] | join("|")' | LC_ALL=C sort
}

it_metrics_pg() {
  psql "$1" -qAt -F'|' -c "SELECT metric, day, key, kind, value FROM metrics" | LC_ALL=C sort
}
