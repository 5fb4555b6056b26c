#!/usr/bin/env bash
# Specification: the local S3 server speaks path-style S3 with AWS SigV4 the way
# pinpipe's libcurl client does (curl --aws-sigv4, x-amz-content-sha256 signed):
# put, get, list and delete an object in $PINPIPE_S3_BUCKET; and it verifies
# signatures: a wrong secret and an unsigned request are both refused with 403.
#   bash tests/integration/s3_sigv4_it.sh      (needs: bash ci/services.sh up s3)
# needs: s3
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../../ci/services/env.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "s3_sigv4_it: FAIL: $*" >&2; exit 1; }

key="it/s3-sigv4-$$-$(date +%s).jsonl"
url="$PINPIPE_S3_ENDPOINT/$PINPIPE_S3_BUCKET/$key"

# s3 SECRET BODYFILE|- curl-args... URL: signed request; prints the HTTP status.
# Query values must be given already URI-encoded (SigV4 signs the encoded form).
s3() {
  local secret="$1" body="$2" sha data=()
  shift 2
  if [ "$body" = - ]; then
    sha=$(sha256sum </dev/null | cut -d' ' -f1)
  else
    sha=$(sha256sum <"$body" | cut -d' ' -f1)
    data=(--data-binary "@$body")
  fi
  curl -sS -o "$tmp/resp" -w '%{http_code}' --max-time 20 \
    --aws-sigv4 "aws:amz:$PINPIPE_S3_REGION:s3" --user "$PINPIPE_S3_ACCESS_KEY:$secret" \
    -H "x-amz-content-sha256: $sha" "${data[@]}" "$@"
}

printf '{"topic":"pins","partition":0,"offset":%d}\n' 1 2 3 >"$tmp/obj"

{ code=$(s3 "$PINPIPE_S3_SECRET_KEY" "$tmp/obj" -X PUT "$url") && [ "$code" = 200 ]; } || fail "PUT: HTTP $code $(cat "$tmp/resp")"
{ code=$(s3 "$PINPIPE_S3_SECRET_KEY" - "$url") && [ "$code" = 200 ]; } || fail "GET: HTTP $code"
cmp -s "$tmp/obj" "$tmp/resp" || fail "GET returned other bytes"
{ code=$(s3 "$PINPIPE_S3_SECRET_KEY" - "$PINPIPE_S3_ENDPOINT/$PINPIPE_S3_BUCKET?list-type=2&prefix=it%2F") &&
  [ "$code" = 200 ]; } || fail "ListObjectsV2: HTTP $code"
grep -qF "<Key>$key</Key>" "$tmp/resp" || fail "ListObjectsV2 does not list $key"

code=$(s3 "wrong-$PINPIPE_S3_SECRET_KEY" - "$url") || true
[ "$code" = 403 ] || fail "GET with a wrong secret: HTTP $code, expected 403"
grep -q SignatureDoesNotMatch "$tmp/resp" || fail "wrong secret: no SignatureDoesNotMatch"
code=$(curl -sS -o /dev/null -w '%{http_code}' --max-time 10 "$url") || true
[ "$code" = 403 ] || fail "unsigned GET: HTTP $code, expected 403"

{ code=$(s3 "$PINPIPE_S3_SECRET_KEY" - -X DELETE "$url") && [ "$code" = 204 ]; } || fail "DELETE: HTTP $code"
echo "s3_sigv4_it: ok (put/get/list/delete signed; wrong secret and unsigned both 403)"
