#!/usr/bin/env bash
# Specification of `pinpipe api` (the ingest HTTP API) against a real Kafka broker:
#  1. every line of fixtures/raw/corpus.jsonl posted to /pin/ gets the answer its
#     fixture expectation implies (model rejects 400/422, the rest 200 with the item
#     echoed back as FastAPI would), and exactly the accepted lines are in Kafka,
#     byte for byte, keyed by the trimmed unique_id, with the pinpipe-ingest-time and
#     pinpipe-schema headers and the ingest time as message timestamp;
#  2. emulator events (v1 and v2) echo back exactly; lax ints are coerced in the
#     echo ("12" -> 12) while Kafka keeps the bytes as sent;
#  3. every bad-input case gets its status, headers and JSON body: 400, 422, 415,
#     413 (Content-Length and chunked), 404, 405 + Allow, 307 + Location, and none
#     of them reaches Kafka; /metrics and /healthz answer;
#  4. bearer auth: 401 + WWW-Authenticate without or with a wrong token;
#  5. a stalled client is dropped after --connection-timeout while others are served;
#  6. SIGTERM under load: exit 0, and every acknowledged (200) event is in Kafka;
#     SIGKILL under load: every event acknowledged before the crash is in Kafka;
#  7. Kafka stopped (`bash ci/services.sh down kafka`): 503 with Retry-After and
#     /healthz 503; Kafka back: 200 again, and no acknowledged event is missing.
#     Part 7 uses a private broker (own ports and data dir under a temp dir) so other
#     tests using the shared broker are not disturbed; PINPIPE_API_IT_OUTAGE=shared
#     stops and restarts the shared broker instead (it is always brought back up).
#   bash tests/integration/api_it.sh   (needs: bash ci/services.sh up kafka)
# needs: kafka
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
. "$ROOT/ci/services/env.sh"
BIN="${PINPIPE_BUILD:-$ROOT/build}"
PINPIPE="$BIN/pinpipe"
EMULATE="$BIN/pinpipe-emulate"
RUN="$(date +%s)-$$"
TMP="$(mktemp -d)"
SHARED_BROKERS="$PINPIPE_KAFKA_BROKERS"
PIDS=()
STOP_SHARED_KAFKA=0  # set when this test started the shared broker itself
PRIVATE_KAFKA_ENV=() # set while a private broker may be running

say() { echo "api_it: $*"; }
ok() { echo "api_it: ok: $*"; }
fail() {
  echo "api_it: FAIL: $*" >&2
  for f in "$TMP"/api-*.log; do [ -f "$f" ] && { echo "--- $f (tail)" >&2; tail -n 15 "$f" >&2; }; done
  exit 1
}

cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  if ((${#PRIVATE_KAFKA_ENV[@]})); then
    env "${PRIVATE_KAFKA_ENV[@]}" bash "$ROOT/ci/services.sh" down kafka >/dev/null 2>&1 || true
  fi
  if [ "${PINPIPE_API_IT_OUTAGE:-private}" = shared ] || ((STOP_SHARED_KAFKA)); then
    # the shared broker must be up again after this test, unless we started it
    if ((STOP_SHARED_KAFKA)); then
      bash "$ROOT/ci/services.sh" down kafka >/dev/null 2>&1 || true
    elif ! bash "$ROOT/ci/services/kafka.sh" status >/dev/null 2>&1; then
      bash "$ROOT/ci/services.sh" up kafka >/dev/null 2>&1 || echo "api_it: could not restart kafka" >&2
    fi
  fi
  rm -rf "$TMP"
}
trap cleanup EXIT

[ -x "$PINPIPE" ] || fail "no $PINPIPE (make BUILD=$BIN all)"
[ -x "$EMULATE" ] || fail "no $EMULATE"
for c in kcat curl python3; do command -v "$c" >/dev/null || fail "$c missing (bash ci/install-deps.sh)"; done

# ---- helpers -------------------------------------------------------------------------

# kafka_ready BROKERS SECONDS: polls a metadata request until the broker answers.
kafka_ready() {
  local until=$((SECONDS + $2))
  while ((SECONDS < until)); do
    timeout 10 kcat -L -b "$1" -m 5 2>/dev/null | grep -q ' 1 brokers:' && return 0
    sleep 0.5
  done
  return 1
}

# launch_api, stop_api, consume (lib/api.sh)
it_fail() { fail "$@"; }
BROKERS="$SHARED_BROKERS"
. "$ROOT/tests/integration/lib/api.sh"

# wait_health PORT CODE SECONDS: polls /healthz until it answers CODE.
wait_health() {
  local until=$((SECONDS + $3)) code
  while ((SECONDS < until)); do
    code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$1/healthz" || true)
    [ "$code" = "$2" ] && return 0
    sleep 0.2
  done
  return 1
}

# The checks are done in Python (stdlib only): api_it.py CHECK ARGS...
cat >"$TMP/api_it.py" <<'PY'
import http.client, json, os, socket, sys, threading, time

MODEL = ["index", "unique_id", "title", "description", "poster_name", "follower_count", "tag_list",
         "is_image_or_video", "image_src", "downloaded", "save_location", "category", "timestamp"]

def post(port, body, headers=None, path="/pin/", method="POST"):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    h = {"Content-Type": "application/json"}
    if headers is not None:
        h = headers
    c.request(method, path, body=body, headers=h)
    r = c.getresponse()
    data = r.read()
    out = (r.status, {k.lower(): v for k, v in r.getheaders()}, data)
    c.close()
    return out

def die(msg):
    print("api_it: FAIL: " + msg, file=sys.stderr)
    sys.exit(1)

def lines(path):
    """The corpus lines as the line reader sees them: without \\n and a \\r before it."""
    with open(path, "rb") as f:
        data = f.read()
    out = data.split(b"\n")
    if out and out[-1] == b"":
        out.pop()
    return [l[:-1] if l.endswith(b"\r") else l for l in out]

def kafka_key(uid):
    """The message key: unique_id without surrounding ASCII whitespace (architecture.md)."""
    return uid.strip(" \t\n\r\v\f")

def expected_echo(body):
    ev = json.loads(body)
    out = {}
    for k in MODEL:
        v = ev.get(k)
        if k in ("index", "downloaded"):
            v = int(v) if not isinstance(v, bool) else int(v)
        out[k] = v
    return out

def cmd_post_corpus(port, corpus, rejects, accepted_out):
    """Posts every corpus line; the expected status comes from the fixture rejects."""
    want = {}
    with open(rejects) as f:
        for l in f:
            r = json.loads(l)
            d = r.get("detail", "")
            if d.startswith(("invalid_json", "invalid_utf8")):
                want[r["line"]] = 400
            elif d.startswith(("invalid_fields", "not_object")):
                want[r["line"]] = 422
    accepted = []
    counts = {}
    for n, body in enumerate(lines(corpus), 1):
        status, hdr, data = post(port, body)
        exp = 422 if body.strip() == b"" else want.get(n, 200)
        if status != exp:
            die("corpus line %d: got %d, want %d: %s" % (n, status, exp, data[:300]))
        counts[status] = counts.get(status, 0) + 1
        ans = json.loads(data)
        if status == 200:
            if ans != expected_echo(body):
                die("corpus line %d: echo %s != %s" % (n, ans, expected_echo(body)))
            if list(ans.keys()) != MODEL:
                die("corpus line %d: echo keys not in model order: %s" % (n, list(ans.keys())))
            accepted.append({"key": kafka_key(json.loads(body)["unique_id"]), "value": body.decode()})
        else:
            det = ans.get("detail")
            if not isinstance(det, list) or not det or not all("type" in d and "loc" in d and "msg" in d for d in det):
                die("corpus line %d: %d body without a detail list: %s" % (n, status, data[:300]))
            if status == 400 and det[0]["type"] != "json_invalid":
                die("corpus line %d: 400 type %s" % (n, det[0]["type"]))
            if status == 422 and det[0]["loc"][0] != "body":
                die("corpus line %d: 422 loc %s" % (n, det[0]["loc"]))
    with open(accepted_out, "w") as f:
        for a in accepted:
            f.write(json.dumps(a) + "\n")
    print("api_it: corpus: %s" % ", ".join("%d x %d" % (counts[k], k) for k in sorted(counts)))

def cmd_post_events(port, events, accepted_out):
    """Posts emulator events; each must be 200 and echo exactly the model's fields."""
    out = open(accepted_out, "a")
    n = 0
    for body in lines(events):
        status, hdr, data = post(port, body, {"Content-Type": "application/json; charset=utf-8"})
        if status != 200:
            die("event %d: %d %s" % (n, status, data[:300]))
        ans = json.loads(data)
        if ans != expected_echo(body):
            die("event %d: echo differs:\n%s\n%s" % (n, ans, expected_echo(body)))
        if hdr.get("content-type") != "application/json":
            die("event %d: content-type %s" % (n, hdr.get("content-type")))
        out.write(json.dumps({"key": kafka_key(ans["unique_id"]), "value": body.decode()}) + "\n")
        n += 1
    out.close()
    print("api_it: %d emulator events acknowledged" % n)

def cmd_check_kafka(messages, accepted, t0_ms, t1_ms):
    """Kafka holds exactly the accepted bodies (multiset of key/value), with headers."""
    want = {}
    for l in open(accepted):
        a = json.loads(l)
        k = (a["key"], a["value"])
        want[k] = want.get(k, 0) + 1
    got = {}
    for l in open(messages):
        m = json.loads(l)
        h = m.get("headers") or []
        hd = dict(zip(h[0::2], h[1::2]))
        ing = hd.get("pinpipe-ingest-time")
        if ing is None or not ing.isdigit() or not (int(t0_ms) - 1000 <= int(ing) <= int(t1_ms) + 1000):
            die("message at %s/%s: bad pinpipe-ingest-time %r" % (m["partition"], m["offset"], ing))
        if m.get("ts") != int(ing):
            die("message timestamp %s != ingest time %s" % (m.get("ts"), ing))
        ev = json.loads(m["payload"])
        schema = "2" if isinstance(ev, dict) and ev.get("poster_name") is not None else "1"
        if hd.get("pinpipe-schema") != schema:
            die("message %s: pinpipe-schema %r, want %s" % (m["key"], hd.get("pinpipe-schema"), schema))
        k = (m["key"], m["payload"])
        got[k] = got.get(k, 0) + 1
    if got != want:
        missing = [k for k in want if got.get(k, 0) < want[k]]
        extra = [k for k in got if want.get(k, 0) < got[k]]
        die("Kafka differs from the accepted events: %d missing, %d unexpected; e.g. %s" %
            (len(missing), len(extra), (missing or extra)[0]))
    print("api_it: Kafka holds the %d accepted bodies byte for byte, keyed, with headers" % sum(want.values()))

def cmd_bad_inputs(port, max_body):
    max_body = int(max_body)
    good = json.dumps({"index": 1, "unique_id": "bad-case", "title": "t", "description": "d",
                       "follower_count": "1", "tag_list": "a", "is_image_or_video": "image",
                       "image_src": "s", "downloaded": 1, "save_location": "l", "category": "c"})
    def check(name, status, hdr, data, want_status, want_body=None, want_headers=None, detail_type=None, loc=None):
        if status != want_status:
            die("%s: status %d, want %d (%s)" % (name, status, want_status, data[:200]))
        if want_body is not None and json.loads(data) != want_body:
            die("%s: body %s, want %s" % (name, data, want_body))
        for k, v in (want_headers or {}).items():
            if hdr.get(k.lower()) != v:
                die("%s: header %s=%r, want %r" % (name, k, hdr.get(k.lower()), v))
        if detail_type:
            d = json.loads(data)["detail"]
            if d[0]["type"] != detail_type or (loc and d[0]["loc"] != loc):
                die("%s: detail %s" % (name, d))
        print("api_it: ok: %-44s -> %d" % (name, status))
    check("malformed JSON", *post(port, b'{"index": 1,'), 400, detail_type="json_invalid")
    check("not UTF-8", *post(port, b'{"title": "\xff"}'), 400, detail_type="json_invalid")
    ev = json.loads(good); ev["follower_count"] = 940
    check("follower_count not a string", *post(port, json.dumps(ev)), 422,
          want_body={"detail": [{"type": "string_type", "loc": ["body", "follower_count"],
                                 "msg": "Input should be a valid string", "input": 940}]})
    ev = json.loads(good); del ev["category"]; ev["index"] = "x"
    s, h, d = post(port, json.dumps(ev))
    check("two errors listed", s, h, d, 422)
    locs = [e["loc"] for e in json.loads(d)["detail"]]
    if locs != [["body", "index"], ["body", "category"]]:
        die("two errors listed: locs %s" % locs)
    check("JSON array", *post(port, b"[1,2]"), 422, detail_type="model_attributes_type", loc=["body"])
    check("empty body", *post(port, b""), 422,
          want_body={"detail": [{"type": "missing", "loc": ["body"], "msg": "Field required", "input": None}]})
    check("text/plain", *post(port, good, {"Content-Type": "text/plain"}), 415)
    check("form encoded", *post(port, good, {"Content-Type": "application/x-www-form-urlencoded"}), 415)
    check("charset latin-1", *post(port, good, {"Content-Type": "application/json; charset=latin-1"}), 415)
    big = b'{"pad":"' + b"x" * (max_body + 10) + b'"}'
    check("body over the limit (Content-Length)", *post(port, big), 413)
    # chunked: the limit is enforced while the body arrives
    c = socket.create_connection(("127.0.0.1", port), timeout=30)
    c.sendall(b"POST /pin/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
              b"Transfer-Encoding: chunked\r\n\r\n")
    resp = b""
    try:
        for i in range(64):
            chunk = b"x" * 65536
            c.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
    except OSError:
        pass  # the server closed the connection once the limit was passed
    try:
        while True:
            d = c.recv(65536)
            if not d:
                break
            resp += d
    except OSError:
        pass
    c.close()
    if not resp.startswith(b"HTTP/1.1 413"):
        die("chunked body over the limit: got %r" % resp[:100])
    print("api_it: ok: %-44s -> 413" % "body over the limit (chunked)")
    check("unknown path", *post(port, good, path="/nope"), 404, want_body={"detail": "Not Found"})
    check("GET unknown path", *post(port, None, {}, path="/", method="GET"), 404, want_body={"detail": "Not Found"})
    check("GET /pin/", *post(port, None, {}, method="GET"), 405,
          want_body={"detail": "Method Not Allowed"}, want_headers={"Allow": "POST"})
    check("PUT /pin/", *post(port, good, method="PUT"), 405, want_headers={"Allow": "POST"})
    check("POST /healthz", *post(port, good, path="/healthz"), 405, want_headers={"Allow": "GET, HEAD"})
    check("POST /pin (no slash)", *post(port, good, path="/pin"), 307, want_headers={"Location": "/pin/"})
    s, h, d = post(port, None, {}, path="/healthz", method="GET")
    check("GET /healthz", s, h, d, 200, want_body={"status": "ok", "kafka": "reachable"})
    s, h, d = post(port, None, {}, path="/metrics", method="GET")
    check("GET /metrics", s, h, d, 200, want_headers={"Content-Type": "text/plain; version=0.0.4; charset=utf-8"})
    text = d.decode()
    for line in ['pinpipe_api_requests_total{route="/pin/",code="422"}',
                 'pinpipe_api_requests_total{route="/pin/",code="413"}',
                 'pinpipe_api_requests_total{route="/pin",code="307"}',
                 'pinpipe_api_produce_duration_seconds_count', 'pinpipe_api_in_flight_requests',
                 'pinpipe_api_producer_queue_depth', 'pinpipe_api_kafka_reachable 1']:
        if line not in text:
            die("/metrics lacks %s" % line)

def cmd_auth(port, token):
    body = json.dumps({"index": 1, "unique_id": "auth-1", "title": "t", "description": "d",
                       "follower_count": "1", "tag_list": "a", "is_image_or_video": "image",
                       "image_src": "s", "downloaded": 1, "save_location": "l", "category": "c"})
    for name, hdrs, want in [("no token", {}, 401), ("wrong token", {"Authorization": "Bearer nope"}, 401),
                             ("basic scheme", {"Authorization": "Basic " + token}, 401),
                             ("right token", {"Authorization": "Bearer " + token}, 200)]:
        hdrs["Content-Type"] = "application/json"
        s, h, d = post(port, body, hdrs)
        if s != want:
            die("auth %s: %d, want %d" % (name, s, want))
        if want == 401 and h.get("www-authenticate") != "Bearer":
            die("auth %s: WWW-Authenticate %r" % (name, h.get("www-authenticate")))
        print("api_it: ok: auth %-39s -> %d" % (name, s))
    s, h, d = post(port, None, {}, path="/healthz", method="GET")
    if s != 200:
        die("/healthz needs no token, got %d" % s)

def cmd_stalled(port, timeout_s):
    """A client that sends half a request is closed after the timeout; others are served."""
    stalled = socket.create_connection(("127.0.0.1", port))
    stalled.sendall(b"POST /pin/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"a\"")
    idle = socket.create_connection(("127.0.0.1", port))  # connects, sends nothing
    t0 = time.monotonic()
    for i in range(5):
        s, h, d = post(port, None, {}, path="/healthz", method="GET")
        if s != 200:
            die("while a client stalls, /healthz answered %d" % s)
    stalled.settimeout(float(timeout_s) + 20)
    idle.settimeout(float(timeout_s) + 20)
    for name, c in (("stalled body", stalled), ("idle connection", idle)):
        try:
            d = c.recv(4096)
            while d and not d.startswith(b"HTTP"):
                d = c.recv(4096)
        except socket.timeout:
            die("%s was not closed within %s s + 20 s" % (name, timeout_s))
        except OSError:
            pass
        c.close()
    took = time.monotonic() - t0
    if took < float(timeout_s) - 0.5:
        die("stalled client closed after %.1f s, before the %s s timeout" % (took, timeout_s))
    print("api_it: ok: stalled and idle clients closed after %.1f s (timeout %s s); others were served" % (took, timeout_s))

def event(uid):
    return json.dumps({"index": 7, "unique_id": uid, "title": "load", "description": "d",
                       "poster_name": "p", "follower_count": "1k", "tag_list": "a,b",
                       "is_image_or_video": "image", "image_src": "s", "downloaded": 1,
                       "save_location": "Local save in /data/x", "category": "c",
                       "timestamp": "2026-01-01 10:00:00"}).encode()

def cmd_load(port, prefix, threads, seconds, acked_out, stop_file=""):
    """Posts unique events from several threads until `seconds` pass (or stop_file
    appears), reconnecting on errors; writes the ids answered 200. Stops a thread
    early once the server is gone (connection refused for 3 s)."""
    acked, lock = [], threading.Lock()
    stats = {"200": 0, "503": 0, "other": 0, "conn_err": 0}
    end = time.monotonic() + float(seconds)
    def run(t):
        i, c, refused_since = 0, None, None
        while time.monotonic() < end and not (stop_file and os.path.exists(stop_file)):
            uid = "%s-%d-%d" % (prefix, t, i)
            i += 1
            try:
                if c is None:
                    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                c.request("POST", "/pin/", body=event(uid), headers={"Content-Type": "application/json"})
                r = c.getresponse()
                r.read()
                refused_since = None
                with lock:
                    if r.status == 200:
                        acked.append(uid); stats["200"] += 1
                    elif r.status == 503:
                        stats["503"] += 1
                        if r.getheader("Retry-After") is None:
                            stats["other"] += 1
                    else:
                        stats["other"] += 1
                if r.status == 503:
                    time.sleep(0.05)
                if r.getheader("Connection", "").lower() == "close":
                    c.close(); c = None
            except (OSError, http.client.HTTPException):
                with lock:
                    stats["conn_err"] += 1
                if c is not None:
                    c.close()
                c = None
                now = time.monotonic()
                refused_since = refused_since or now
                if now - refused_since > 3:
                    return
                time.sleep(0.05)
    ts = [threading.Thread(target=run, args=(t,)) for t in range(int(threads))]
    for t in ts: t.start()
    for t in ts: t.join()
    with open(acked_out, "w") as f:
        for a in acked:
            f.write(a + "\n")
    print("api_it: load %s: %d acknowledged, %d answered 503, %d other answers, %d connection errors" %
          (prefix, stats["200"], stats["503"], stats["other"], stats["conn_err"]))
    if stats["other"]:
        die("load %s: %d answers were neither 200 nor 503 with Retry-After" % (prefix, stats["other"]))

def cmd_acked_in_kafka(acked, messages):
    ids = [l.strip() for l in open(acked) if l.strip()]
    keys = set()
    n = 0
    for l in open(messages):
        m = json.loads(l)
        keys.add(m["key"]); n += 1
    missing = [i for i in ids if i not in keys]
    if missing:
        die("%d acknowledged events are not in Kafka, e.g. %s" % (len(missing), missing[:3]))
    print("api_it: ok: all %d acknowledged events are in Kafka (%d messages there)" % (len(ids), n))

def cmd_wait_ack(port, prefix, seconds, acked_out):
    """Posts one event at a time until one is acknowledged (Kafka is back)."""
    end, i = time.monotonic() + float(seconds), 0
    while time.monotonic() < end:
        uid = "%s-%d" % (prefix, i)
        i += 1
        s, h, d = post(port, event(uid))
        if s == 200:
            with open(acked_out, "a") as f:
                f.write(uid + "\n")
            print("api_it: ok: %s: first event acknowledged after %d tries" % (prefix, i))
            return
        if s != 503:
            die("while Kafka recovers: %d %s" % (s, d[:200]))
        time.sleep(0.2)
    die("no event acknowledged within %s s after Kafka came back" % seconds)

def cmd_expect_503(port):
    s, h, d = post(port, event("outage-probe"))
    if s != 503:
        die("with Kafka down: %d, want 503: %s" % (s, d[:200]))
    if not h.get("retry-after", "").isdigit():
        die("503 without a Retry-After: %s" % h)
    body = json.loads(d)
    if body.get("reason") not in ("timeout", "kafka_error", "queue_full") or not body.get("detail"):
        die("503 body: %s" % body)
    print("api_it: ok: Kafka down -> 503, Retry-After: %s, %s" % (h["retry-after"], d.decode()))

globals()["cmd_" + sys.argv[1].replace("-", "_")](*sys.argv[2:])
PY
it() { python3 "$TMP/api_it.py" "$@"; }

# ---- the shared broker ---------------------------------------------------------------
if ! bash "$ROOT/ci/services/kafka.sh" status >/dev/null 2>&1; then
  say "kafka is not running: bash ci/services.sh up kafka"
  STOP_SHARED_KAFKA=1
  bash "$ROOT/ci/services.sh" up kafka >/dev/null || fail "kafka did not come up"
fi
kafka_ready "$SHARED_BROKERS" 120 || fail "kafka at $SHARED_BROKERS does not answer"

# ---- 1-3. contract, echo, bad inputs -------------------------------------------------
topic="pinpipe-it-api-$RUN"
t0=$(($(date +%s%N) / 1000000))
launch_api main --brokers "$SHARED_BROKERS" --topic "$topic" --max-body 65536 --connection-timeout 2
MAIN_PID=$PID MAIN_PORT=$PORT
wait_health "$MAIN_PORT" 200 60 || fail "/healthz did not turn 200 (kafka reachable)"
ok "pinpipe api listening on port $MAIN_PORT, /healthz 200"

it post-corpus "$MAIN_PORT" "$ROOT/fixtures/raw/corpus.jsonl" "$ROOT/fixtures/expected/corpus.rejects.jsonl" "$TMP/accepted.jsonl"
"$EMULATE" --seed 5 --count 40 --schema v2 --out "$TMP/v2.jsonl" 2>/dev/null
"$EMULATE" --seed 6 --count 10 --schema v1 --out "$TMP/v1.jsonl" 2>/dev/null
printf '%s\n' '{"index": "12", "unique_id": "lax-1", "title": "t", "description": "d", "follower_count": "1", "tag_list": "a", "is_image_or_video": "image", "image_src": "s", "downloaded": true, "save_location": "l", "category": "c", "extra": {"kept": "in Kafka"}}' >"$TMP/lax.jsonl"
it post-events "$MAIN_PORT" "$TMP/v2.jsonl" "$TMP/accepted.jsonl"
it post-events "$MAIN_PORT" "$TMP/v1.jsonl" "$TMP/accepted.jsonl"
it post-events "$MAIN_PORT" "$TMP/lax.jsonl" "$TMP/accepted.jsonl"
it bad-inputs "$MAIN_PORT" 65536
t1=$(($(date +%s%N) / 1000000))
consume "$topic" "$TMP/main-topic.jsonl"
it check-kafka "$TMP/main-topic.jsonl" "$TMP/accepted.jsonl" "$t0" "$t1"

# ---- 5. stalled clients ----------------------------------------------------------------
it stalled "$MAIN_PORT" 2
stop_api "$MAIN_PID"
ok "SIGTERM: exit 0"

# ---- 4. auth ---------------------------------------------------------------------------
(umask 077 && printf 'it-token-%s\n' "$RUN" >"$TMP/token")  # a token file others may read is refused
launch_api auth --brokers "$SHARED_BROKERS" --topic "$topic-auth" --auth-token-file "$TMP/token"
AUTH_PID=$PID
wait_health "$PORT" 200 60 || fail "auth api: /healthz did not turn 200"
it auth "$PORT" "it-token-$RUN"
stop_api "$AUTH_PID"

# ---- 6. SIGTERM under load -------------------------------------------------------------
topic_load="pinpipe-it-api-load-$RUN"
launch_api load --brokers "$SHARED_BROKERS" --topic "$topic_load"
LOAD_PID=$PID
wait_health "$PORT" 200 60 || fail "load api: /healthz did not turn 200"
it wait-ack "$PORT" "term-first-$RUN" 60 "$TMP/acked-term-first.txt" # the topic exists now
it load "$PORT" "term-$RUN" 16 30 "$TMP/acked-term.txt" &
LOADER=$!
sleep 3
kill -TERM "$LOAD_PID"
rc=0
wait "$LOAD_PID" || rc=$?
((rc == 0)) || fail "SIGTERM under load: pinpipe api exited $rc"
wait "$LOADER" || fail "load client failed"
[ -s "$TMP/acked-term.txt" ] || fail "SIGTERM under load: nothing was acknowledged before the signal"
consume "$topic_load" "$TMP/load-topic.jsonl"
cat "$TMP/acked-term-first.txt" >>"$TMP/acked-term.txt"
it acked-in-kafka "$TMP/acked-term.txt" "$TMP/load-topic.jsonl"
ok "SIGTERM under load: exit 0, nothing acknowledged was lost"

# ---- 6b. SIGKILL under load: a crash loses no acknowledged event -------------------------
topic_kill="pinpipe-it-api-kill-$RUN"
launch_api kill --brokers "$SHARED_BROKERS" --topic "$topic_kill"
KILL_PID=$PID
wait_health "$PORT" 200 60 || fail "kill api: /healthz did not turn 200"
it wait-ack "$PORT" "kill-first-$RUN" 60 "$TMP/acked-kill-first.txt"
it load "$PORT" "kill-$RUN" 16 30 "$TMP/acked-kill.txt" &
LOADER=$!
sleep 3
kill -KILL "$KILL_PID"
wait "$KILL_PID" 2>/dev/null || true
wait "$LOADER" || fail "load client failed"
[ -s "$TMP/acked-kill.txt" ] || fail "SIGKILL under load: nothing was acknowledged before the signal"
consume "$topic_kill" "$TMP/kill-topic.jsonl"
cat "$TMP/acked-kill-first.txt" >>"$TMP/acked-kill.txt"
it acked-in-kafka "$TMP/acked-kill.txt" "$TMP/kill-topic.jsonl"
ok "SIGKILL under load: every event acknowledged before the crash is in Kafka ($(wc -l < "$TMP/acked-kill.txt"))"

# ---- 7. Kafka outage -------------------------------------------------------------------
if [ "${PINPIPE_API_IT_OUTAGE:-private}" = shared ]; then
  OUT_BROKERS="$SHARED_BROKERS"
  kafka_cmd() { bash "$ROOT/ci/services.sh" "$1" kafka; }
  say "outage on the shared broker ($OUT_BROKERS)"
else
  read -r kp cp < <(python3 -c 'import socket
s=[socket.socket() for _ in range(2)]
[x.bind(("127.0.0.1",0)) for x in s]
print(*[x.getsockname()[1] for x in s])')
  OUT_BROKERS="127.0.0.1:$kp"
  PRIVATE_KAFKA_ENV=(PINPIPE_SERVICES_DIR="$TMP/services" PINPIPE_KAFKA_PORT="$kp" PINPIPE_KAFKA_METRICS_PORT=0
    PINPIPE_KAFKA_CONTROLLER_PORT="$cp" PINPIPE_KAFKA_BROKERS="$OUT_BROKERS")
  kafka_cmd() { env "${PRIVATE_KAFKA_ENV[@]}" bash "$ROOT/ci/services.sh" "$1" kafka; }
  say "outage on a private broker at $OUT_BROKERS (its own data dir)"
  # one retry: a fresh data dir is formatted with a random cluster id, and the first
  # start can fail on its own (e.g. an id beginning with '-' in ci/services/kafka.sh)
  kafka_cmd up >"$TMP/kafka-up.log" 2>&1 || kafka_cmd up >>"$TMP/kafka-up.log" 2>&1 ||
    { cat "$TMP/kafka-up.log"; fail "private kafka did not come up"; }
fi
topic_out="pinpipe-it-api-outage-$RUN"
launch_api outage --brokers "$OUT_BROKERS" --topic "$topic_out" --produce-timeout-ms 2000
OUT_PID=$PID OUT_PORT=$PORT
wait_health "$OUT_PORT" 200 60 || fail "outage api: /healthz did not turn 200"
it load "$OUT_PORT" "before-$RUN" 4 2 "$TMP/acked-before.txt"
# a poster keeps going through the outage and the recovery
it load "$OUT_PORT" "during-$RUN" 4 600 "$TMP/acked-during.txt" "$TMP/stop-poster" &
POSTER=$!
kafka_cmd down >"$TMP/kafka-down.log" 2>&1 || { cat "$TMP/kafka-down.log"; fail "could not stop kafka"; }
ok "kafka stopped"
it expect-503 "$OUT_PORT"
wait_health "$OUT_PORT" 503 30 || fail "/healthz still 200 with Kafka down"
ok "/healthz 503 with Kafka down"
kafka_cmd up >"$TMP/kafka-up2.log" 2>&1 || { cat "$TMP/kafka-up2.log"; fail "kafka did not come back"; }
ok "kafka restarted"
wait_health "$OUT_PORT" 200 120 || fail "/healthz did not recover after Kafka came back"
it wait-ack "$OUT_PORT" "first-$RUN" 60 "$TMP/acked-first.txt"
it load "$OUT_PORT" "after-$RUN" 4 2 "$TMP/acked-after.txt"
touch "$TMP/stop-poster"
wait "$POSTER" || fail "the poster failed"
[ -s "$TMP/acked-after.txt" ] || fail "nothing acknowledged after Kafka came back"
stop_api "$OUT_PID"
cat "$TMP"/acked-before.txt "$TMP"/acked-during.txt "$TMP"/acked-first.txt "$TMP"/acked-after.txt >"$TMP/acked-outage.txt"
consume "$topic_out" "$TMP/outage-topic.jsonl" "$OUT_BROKERS"
it acked-in-kafka "$TMP/acked-outage.txt" "$TMP/outage-topic.jsonl"
if ((${#PRIVATE_KAFKA_ENV[@]})); then
  kafka_cmd down >/dev/null 2>&1 || true
  PRIVATE_KAFKA_ENV=()
fi
ok "Kafka outage: 503 + Retry-After while down, 200 after, no acknowledged event missing"
say "all checks passed"
