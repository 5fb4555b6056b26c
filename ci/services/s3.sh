#!/usr/bin/env bash
# S3-compatible object store: versitygw (Apache-2.0), posix backend, SigV4 checked.
#   bash ci/services/s3.sh up|down|status
# Built once with `go install github.com/versity/versitygw/cmd/versitygw@$VERSION`
# (GOPATH, module and build caches under .cache/go; binary in .cache/s3/bin-<version>).
# v1.8.0 is the newest version the Go module proxy serves here; it builds with Go 1.26.
# Serves 127.0.0.1:$PINPIPE_S3_PORT; buckets are the directories of .services/s3/data
# (object metadata in extended attributes, or in .services/s3/meta when the file
# system has none); objects 0600, directories 0700. Root credentials:
# PINPIPE_S3_ACCESS_KEY / PINPIPE_S3_SECRET_KEY, given to the server in its environment.
# `up` creates the bucket $PINPIPE_S3_BUCKET (idempotent) and checks that a request
# signed with a wrong secret is refused (403), i.e. signatures are really verified.
# Conventions: ci/services/lib.sh.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
pp_svc_init s3

VGW_MODULE="github.com/versity/versitygw"
VGW_VERSION="${PINPIPE_VERSITYGW_VERSION:-v1.8.0}"
VGW_BIN_DIR="$SVC_CACHE/bin-$VGW_VERSION"
VGW="$VGW_BIN_DIR/versitygw"
S3_DATA="$SVC_DIR/data"
S3_META="$SVC_DIR/meta"

SVC_PORTS="$PINPIPE_S3_PORT"
SVC_PID_MATCH=" $S3_DATA"  # this checkout's gateway only (its last argument)
SVC_READY_TIMEOUT=30
SVC_STOP_TIMEOUT=15

svc_install() {
  pp_need curl
  [ -x "$VGW" ] && return 0
  pp_need go
  pp_log "building $VGW_MODULE@$VGW_VERSION (go install; cached in .cache/go)"
  local go_cache="$PINPIPE_CACHE_DIR/go"
  mkdir -p "$go_cache" "$VGW_BIN_DIR"
  # nice: the machine is shared; a warm module+build cache makes this a few seconds
  GOPATH="$go_cache" GOMODCACHE="$go_cache/mod" GOCACHE="$go_cache/build" \
    GOBIN="$VGW_BIN_DIR" GOFLAGS="-modcacherw -buildvcs=false" \
    nice -n 10 go install "$VGW_MODULE/cmd/versitygw@$VGW_VERSION" >>"$SVC_LOG" 2>&1 ||
    { pp_log_tail; pp_die "go install $VGW_MODULE/cmd/versitygw@$VGW_VERSION failed"; }
  [ -x "$VGW" ] || pp_die "no binary at $VGW after go install"
}

# Does the data directory's file system take user extended attributes?
has_xattr() {
  command -v python3 >/dev/null || return 1
  python3 - "$S3_DATA" <<'PY' 2>/dev/null
import os, sys, tempfile
with tempfile.NamedTemporaryFile(dir=sys.argv[1]) as f:
    os.setxattr(f.name, "user.pinpipe", b"1")
PY
}

META_ARGS=()
svc_prepare() {
  mkdir -p "$S3_DATA"
  if has_xattr; then
    META_ARGS=()
  else
    mkdir -p "$S3_META"
    META_ARGS=(--sidecar "$S3_META")
  fi
}

svc_start() {
  # Credentials go through the environment (readable by the owner only), never argv:
  # argv is world-readable in ps and pp_spawn writes it to the log. Assignments before
  # a function call are exported to what it runs.
  ROOT_ACCESS_KEY="$PINPIPE_S3_ACCESS_KEY" ROOT_SECRET_KEY="$PINPIPE_S3_SECRET_KEY" pp_spawn \
    "$VGW" --port "127.0.0.1:$PINPIPE_S3_PORT" --region "$PINPIPE_S3_REGION" \
    posix --dir-perms 0700 --file-perms 0600 "${META_ARGS[@]}" "$S3_DATA"
}

# versitygw (like AWS S3) requires x-amz-content-sha256, which curl 7.88's --aws-sigv4
# does not add by itself; given as a header, curl signs it. Our requests have no body.
EMPTY_SHA256=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855

# curl_quote S: S as a double-quoted string of a curl config file.
curl_quote() {
  local s="${1//\\/\\\\}"
  s="${s//\"/\\\"}"
  printf '"%s"' "$s"
}

# s3_curl SECRET [curl args...] PATH: a SigV4-signed, bodyless request; prints the
# HTTP status code. The credentials reach curl as a config file on its stdin (-K -),
# not on its command line, which every local user can read.
s3_curl() {
  local secret="$1" path="${*: -1}"
  shift
  printf 'user = %s\n' "$(curl_quote "$PINPIPE_S3_ACCESS_KEY:$secret")" |
    curl -K - -sS -o /dev/null -w '%{http_code}' --max-time 10 \
      --aws-sigv4 "aws:amz:$PINPIPE_S3_REGION:s3" \
      -H "x-amz-content-sha256: $EMPTY_SHA256" \
      "${@:1:$#-1}" "$PINPIPE_S3_ENDPOINT$path"
}

# Ready = a signed ListBuckets answers 200.
svc_probe() {
  [ "$(s3_curl "$PINPIPE_S3_SECRET_KEY" /)" = 200 ]
}

svc_post_ready() {
  local code
  code=$(s3_curl "$PINPIPE_S3_SECRET_KEY" -I "/$PINPIPE_S3_BUCKET")
  if [ "$code" != 200 ]; then
    code=$(s3_curl "$PINPIPE_S3_SECRET_KEY" -X PUT "/$PINPIPE_S3_BUCKET")
    case "$code" in
      200 | 409) pp_log "bucket $PINPIPE_S3_BUCKET ready" ;;
      *) pp_err "creating bucket $PINPIPE_S3_BUCKET: HTTP $code"; return 1 ;;
    esac
  fi
  # Signatures must really be checked: the same request with a wrong secret is refused.
  code=$(s3_curl "not-the-$PINPIPE_S3_SECRET_KEY" /)
  [ "$code" = 403 ] || { pp_err "a wrongly signed request got HTTP $code, expected 403"; return 1; }
}

svc_info() { echo "endpoint=$PINPIPE_S3_ENDPOINT bucket=$PINPIPE_S3_BUCKET region=$PINPIPE_S3_REGION"; }

pp_main "$@"
