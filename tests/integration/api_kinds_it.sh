#!/usr/bin/env bash
# Specification of POST /geo/ and POST /user/ (docs/joins.md, docs/api.md) against a
# real Kafka broker — a hostile-input pass:
#  1. the three topics (pins, geo, users; 3 partitions each) are created first, as a
#     deployment does; the API is told their names (--topic, --geo-topic,
#     PINPIPE_USERS_TOPIC: flag and environment both work);
#  2. valid geo and user events — numbers as strings ("48.5", "7"), booleans where the
#     lax model takes them, quotes, backslashes and non-ASCII in values, unknown and
#     nested members — are answered 200 with the model echoed (floats as Python writes
#     them) and are in their kind's topic byte for byte, keyed by ind in decimal, with
#     pinpipe-kind, pinpipe-schema 1 and pinpipe-ingest-time headers and the ingest
#     time as timestamp; every repeat of an ind is in one partition; a pin posted
#     alongside is in the pins topic with pinpipe-kind pin;
#  3. every hostile body gets a 4xx with a JSON reason: malformed JSON, bytes that are
#     not UTF-8, lone surrogates (400 json_invalid); wrong types (latitude "north",
#     latitude {}, age "12a", age 12.5, country true), missing fields, \u0000 in a
#     string, a body that is not an object (422, the field named in loc); an empty
#     body (422); too large by Content-Length and chunked (413); wrong Content-Type
#     (415); GET (405 + Allow); /geo and /user (307 + Location); and none of them
#     reaches any topic;
#  4. with a token, /geo/ and /user/ need it (401 + WWW-Authenticate);
#  5. /metrics counts each kind under its route;
#  6. which kinds are on (pp_kind_topic, docs/joins.md): on the default pins topic,
#     /geo/ and /user/ are on by default; beside a pins topic of its own, a kind whose
#     topic is not named — or named "" — answers its paths 404 with a JSON reason;
#  7. `pinpipe produce` of a mixed file (the emulator's --kinds all output) puts each
#     kind's events in its topic, keyed as the API keys them; a kind that is off has its
#     lines refused with the reason (exit 1).
#   bash tests/integration/api_kinds_it.sh   (needs: bash ci/services.sh up kafka)
# needs: kafka
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
. "$ROOT/ci/services/env.sh"
. "$ROOT/tests/integration/lib/common.sh"
it_init api_kinds
unset PINPIPE_GEO_TOPIC PINPIPE_USERS_TOPIC # every topic is given below (part 6 relies on their absence)
PINPIPE="$BIN/pinpipe"
BROKERS="$PINPIPE_KAFKA_BROKERS"
PIDS=()
it_on_exit 'for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; wait "$p" 2>/dev/null; done'

[ -x "$PINPIPE" ] || it_fail "no $PINPIPE (make BUILD=$BIN all)"
for c in kcat curl python3; do command -v "$c" >/dev/null || it_fail "$c missing (bash ci/install-deps.sh)"; done
timeout 10 kcat -L -b "$BROKERS" -m 5 2>/dev/null | grep -q ' 1 brokers:' || it_fail "kafka at $BROKERS does not answer"

. "$(dirname "${BASH_SOURCE[0]}")/lib/api.sh" # start_api, stop_api, consume

cat >"$TMP/k.py" <<'PY'
import http.client, json, math, socket, sys

GEO = ["ind", "timestamp", "latitude", "longitude", "country"]
USER = ["ind", "first_name", "last_name", "age", "date_joined", "timestamp"]
MAX_BODY = 65536

def post(port, body, headers=None, path="/geo/", method="POST"):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    h = {"Content-Type": "application/json"} if headers is None else headers
    if isinstance(body, str):
        body = body.encode()
    c.request(method, path, body=body, headers=h)
    r = c.getresponse()
    out = (r.status, {k.lower(): v for k, v in r.getheaders()}, r.read())
    c.close()
    return out

def die(msg):
    print("api_kinds: FAIL: " + msg, file=sys.stderr)
    sys.exit(1)

def ok(msg):
    print("api_kinds: ok: " + msg)

def geo(**kw):
    ev = {"ind": 7, "timestamp": "2026-01-02 10:00:00", "latitude": 48.85, "longitude": 2.35, "country": "France"}
    ev.update(kw)
    return ev

def user(**kw):
    ev = {"ind": 7, "first_name": "Ada", "last_name": "Lovelace", "age": 36, "date_joined": "2025-01-01 00:00:00"}
    ev.update(kw)
    return ev

def pyfloat(v):
    """The echo of a float field: pydantic's float of the input, as JSON (not finite: null)."""
    f = float(v)
    return f if math.isfinite(f) else None

def want_echo(kind, ev):
    if kind == "geo":
        return {"ind": int(ev["ind"]), "timestamp": ev["timestamp"], "latitude": pyfloat(ev["latitude"]),
                "longitude": pyfloat(ev["longitude"]), "country": ev["country"]}
    return {"ind": int(ev["ind"]), "first_name": ev["first_name"], "last_name": ev["last_name"],
            "age": int(ev["age"]), "date_joined": ev["date_joined"], "timestamp": ev.get("timestamp")}

def cmd_valid(port, out):
    """Valid events of both kinds, each an edge of the lax model; writes what Kafka must hold."""
    cases = [
        ("geo", "plain", json.dumps(geo())),
        ("geo", "latitude and longitude as strings", json.dumps(geo(ind=8, latitude="48.5", longitude=" -2.25 "))),
        ("geo", "ind as a string, integral float longitude", json.dumps(geo(ind="9", longitude=3.0))),
        ("geo", "ints as floats: 2 -> 2.0", json.dumps(geo(ind=10, latitude=-90, longitude=180))),
        ("geo", "quotes, backslash and non-ASCII in country",
         json.dumps(geo(ind=11, country='C\u00f4te d\'Ivoire "CI" \\ \u4e2d\U0001F600'), ensure_ascii=False)),
        ("geo", "escaped non-ASCII", json.dumps(geo(ind=12, country="\u00e9\u00e8"))),
        ("geo", "unknown and nested members ignored",
         json.dumps(dict(geo(ind=13), extra={"a": [1, {"b": None}]}, more=[True, False]))),
        ("geo", "ISO-8601 timestamp", json.dumps(geo(ind=14, timestamp="2026-01-02T10:00:00Z"))),
        ("geo", "exponent latitude", '{"ind": 15, "timestamp": "2026-01-02 10:00:00", "latitude": 4.885e1, '
                                     '"longitude": 1E-5, "country": "FR"}'),
        ("geo", "out of range: the model takes it, cleaning nulls it", json.dumps(geo(ind=16, latitude=1000))),
        ("geo", "latitude \"nan\", longitude \"-inf\": echoed null", json.dumps(geo(ind=17, latitude="nan", longitude="-inf"))),
        ("geo", "repeat of ind 7 (same partition)", json.dumps(geo(country="Again"))),
        ("user", "plain", json.dumps(user())),
        ("user", "ind and age as strings", json.dumps(user(ind="8", age=" 41 "))),
        ("user", "age true (lax int)", json.dumps(user(ind=9, age=True))),
        ("user", "integral float age", json.dumps(user(ind=10, age=30.0))),
        ("user", "with timestamp", json.dumps(user(ind=11, timestamp="2026-01-02 10:00:00"))),
        ("user", "timestamp null", json.dumps(user(ind=12, timestamp=None))),
        ("user", "quotes and non-ASCII in names",
         json.dumps(user(ind=13, first_name='Jo "JJ" \\o/', last_name="M\u00fcller-\u00d8"), ensure_ascii=False)),
        ("user", "empty names", json.dumps(user(ind=14, first_name="", last_name=""))),
        ("user", "unknown nested members ignored", json.dumps(dict(user(ind=15), meta={"x": {"y": [1]}}))),
        ("user", "repeat of ind 7 (same partition)", json.dumps(user(age=37))),
    ]
    with open(out, "w") as f:
        for kind, name, body in cases:
            s, h, d = post(port, body, path="/%s/" % kind)
            if s != 200:
                die("valid %s %s: %d %s" % (kind, name, s, d[:300]))
            if h.get("content-type") != "application/json":
                die("valid %s %s: content-type %s" % (kind, name, h.get("content-type")))
            ans = json.loads(d)
            want = want_echo(kind, json.loads(body))
            if ans != want or list(ans) != (GEO if kind == "geo" else USER):
                die("valid %s %s: echo %s, want %s" % (kind, name, d.decode(), want))
            f.write(json.dumps({"kind": kind, "key": str(want["ind"]), "value": body}) + "\n")
            ok("valid %-4s %-44s -> 200 %s" % (kind, name, d.decode()[:60]))
        # a pin alongside: its own topic and kind
        pin = json.dumps({"index": 7, "unique_id": " pin-7 ", "title": "t", "description": "d",
                          "follower_count": "1", "tag_list": "a", "is_image_or_video": "image",
                          "image_src": "s", "downloaded": 1, "save_location": "l", "category": "c"})
        s, h, d = post(port, pin, path="/pin/")
        if s != 200:
            die("pin: %d %s" % (s, d[:200]))
        f.write(json.dumps({"kind": "pin", "key": "pin-7", "value": pin}) + "\n")
        ok("valid pin  alongside                                     -> 200")

def cmd_hostile(port):
    """Every bad body: a 4xx with a JSON reason naming the problem; nothing produced."""
    def check(name, kind, got, status, typ=None, field=None, headers=None):
        s, h, d = got
        if s != status:
            die("%s %s: %d, want %d: %s" % (kind, name, s, status, d[:300]))
        try:
            ans = json.loads(d) if d else None
        except ValueError:
            die("%s %s: the answer is not JSON: %r" % (kind, name, d[:200]))
        if status not in (307,) and (not isinstance(ans, dict) or "detail" not in ans):
            die("%s %s: no JSON detail: %r" % (kind, name, d[:200]))
        if typ:
            det = ans["detail"]
            if not isinstance(det, list) or not det:
                die("%s %s: detail is not a list: %s" % (kind, name, d[:200]))
            # loc: ["body"], ["body", FIELD], or ["body", POSITION] for json_invalid
            types = [(e["type"], e["loc"][1] if len(e["loc"]) > 1 and isinstance(e["loc"][1], str) else None)
                     for e in det]
            if (typ, field) not in types:
                die("%s %s: no %s at %s in %s" % (kind, name, typ, field, types))
            for e in det:
                if not (isinstance(e.get("msg"), str) and e["msg"] and e["loc"][0] == "body"):
                    die("%s %s: entry without msg or body loc: %s" % (kind, name, e))
        for k, v in (headers or {}).items():
            if h.get(k.lower()) != v:
                die("%s %s: header %s=%r, want %r" % (kind, name, k, h.get(k.lower()), v))
        ok("hostile %-4s %-42s -> %d %s" % (kind, name, s, (typ or "") + (" at " + field if field else "")))

    for kind, mk in (("geo", geo), ("user", user)):
        p = "/%s/" % kind
        P = lambda body, **kw: post(port, body, path=p, **kw)
        check("malformed JSON", kind, P('{"ind": 7,'), 400, "json_invalid", None)
        check("trailing garbage", kind, P(json.dumps(mk()) + " x"), 400, "json_invalid", None)
        check("single quotes", kind, P("{'ind': 7}"), 400, "json_invalid", None)
        check("NaN literal", kind, P('{"ind": NaN}'), 400, "json_invalid", None)
        check("not UTF-8 (0xff)", kind, P(b'{"ind": 7, "country": "\xff"}'), 400, "json_invalid", None)
        check("overlong UTF-8 (0xc0 0xaf)", kind, P(b'{"ind": 7, "first_name": "\xc0\xaf"}'), 400, "json_invalid", None)
        check("UTF-16 surrogate bytes", kind, P(b'{"ind": 7, "country": "\xed\xa0\x80"}'), 400, "json_invalid", None)
        check("lone surrogate escape", kind, P('{"ind": 7, "country": "\\ud800"}'), 400, "json_invalid", None)
        check("empty body", kind, P(b""), 422, "missing", None)
        check("JSON array", kind, P("[1, 2]"), 422, "model_attributes_type", None)
        check("JSON string", kind, P('"geo"'), 422, "model_attributes_type", None)
        check("JSON null", kind, P("null"), 422, "model_attributes_type", None)
        check("empty object", kind, P("{}"), 422, "missing", "ind")
        check("ind \"7a\"", kind, P(json.dumps(mk(ind="7a"))), 422, "int_parsing", "ind")
        check("ind 7.5", kind, P(json.dumps(mk(ind=7.5))), 422, "int_from_float", "ind")
        check("ind null", kind, P(json.dumps(mk(ind=None))), 422, "int_type", "ind")
        check("ind nested object", kind, P(json.dumps(mk(ind={"v": 7}))), 422, "int_type", "ind")
        check("timestamp \"yesterday\"", kind, P(json.dumps(mk(timestamp="yesterday"))), 422, "datetime_parsing", "timestamp")
        check("timestamp a number", kind, P(json.dumps(mk(timestamp=1700000000))), 422, "string_type", "timestamp")
    G = lambda body: post(port, body, path="/geo/")
    U = lambda body: post(port, body, path="/user/")
    check("latitude \"north\"", "geo", G(json.dumps(geo(latitude="north"))), 422, "float_parsing", "latitude")
    check("latitude \"\"", "geo", G(json.dumps(geo(latitude=""))), 422, "float_parsing", "latitude")
    check("latitude \"0x10\" (hex)", "geo", G(json.dumps(geo(latitude="0x10"))), 422, "float_parsing", "latitude")
    check("latitude \"48,5\"", "geo", G(json.dumps(geo(latitude="48,5"))), 422, "float_parsing", "latitude")
    check("latitude nested object", "geo", G(json.dumps(geo(latitude={"v": 48.5}))), 422, "float_type", "latitude")
    check("longitude array", "geo", G(json.dumps(geo(longitude=[2.35]))), 422, "float_type", "longitude")
    check("longitude null", "geo", G(json.dumps(geo(longitude=None))), 422, "float_type", "longitude")
    check("country true", "geo", G(json.dumps(geo(country=True))), 422, "string_type", "country")
    check("country 33", "geo", G(json.dumps(geo(country=33))), 422, "string_type", "country")
    check("country with \\u0000", "geo", G(json.dumps(geo(country="Fr\u0000ance"))), 422, "string_nul", "country")
    g = geo(); del g["country"]
    check("country missing", "geo", G(json.dumps(g)), 422, "missing", "country")
    check("age \"12a\"", "user", U(json.dumps(user(age="12a"))), 422, "int_parsing", "age")
    check("age 12.5", "user", U(json.dumps(user(age=12.5))), 422, "int_from_float", "age")
    check("age \"12.5\"", "user", U(json.dumps(user(age="12.5"))), 422, "int_parsing", "age")
    check("age 1e400 (not a finite number)", "user", U('{"ind": 7, "first_name": "a", "last_name": "b", "age": 1e400, '
                                                        '"date_joined": "2025-01-01 00:00:00"}'), 400, "json_invalid", None)
    check("age nested array", "user", U(json.dumps(user(age=[36]))), 422, "int_type", "age")
    check("first_name 5", "user", U(json.dumps(user(first_name=5))), 422, "string_type", "first_name")
    check("last_name false", "user", U(json.dumps(user(last_name=False))), 422, "string_type", "last_name")
    check("first_name with \\u0000", "user", U(json.dumps(user(first_name="A\u0000"))), 422, "string_nul", "first_name")
    check("date_joined \"soon\"", "user", U(json.dumps(user(date_joined="soon"))), 422, "datetime_parsing", "date_joined")
    u = user(); del u["last_name"]; del u["age"]
    s, h, d = U(json.dumps(u))
    check("two fields missing", "user", (s, h, d), 422, "missing", "last_name")
    if [e["loc"] for e in json.loads(d)["detail"]] != [["body", "last_name"], ["body", "age"]]:
        die("two fields missing: %s" % d)
    if json.loads(d)["detail"][0]["input"] != u:
        die("a missing field's input is not the body: %s" % d)
    # framing, size, media type, method, redirect — the same on both routes
    for kind, mk in (("geo", geo), ("user", user)):
        p = "/%s/" % kind
        good = json.dumps(mk())
        check("text/plain", kind, post(port, good, {"Content-Type": "text/plain"}, path=p), 415)
        check("charset latin-1", kind, post(port, good, {"Content-Type": "application/json; charset=latin-1"}, path=p), 415)
        big = json.dumps(mk(country="x" * (MAX_BODY + 10), first_name="x" * (MAX_BODY + 10)))
        check("body over the limit (Content-Length)", kind, post(port, big, path=p), 413)
        check("GET", kind, post(port, None, {}, path=p, method="GET"), 405, headers={"Allow": "POST"})
        check("PUT", kind, post(port, good, path=p, method="PUT"), 405, headers={"Allow": "POST"})
        check("no slash: redirect", kind, post(port, good, path=p[:-1]), 307, headers={"Location": p})
        c = socket.create_connection(("127.0.0.1", port), timeout=30)
        c.sendall(b"POST " + p.encode() + b" HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  b"Transfer-Encoding: chunked\r\n\r\n")
        resp = b""
        try:
            for i in range(8):
                c.sendall(b"%x\r\n%s\r\n" % (16384, b"x" * 16384))
        except OSError:
            pass  # closed once the limit was passed
        try:
            while True:
                d = c.recv(65536)
                if not d:
                    break
                resp += d
        except OSError:
            pass
        c.close()
        if not resp.startswith(b"HTTP/1.1 413") or b'"detail"' not in resp:
            die("%s chunked body over the limit: %r" % (kind, resp[:120]))
        ok("hostile %-4s %-42s -> 413" % (kind, "body over the limit (chunked)"))

def cmd_check_topics(accepted, t0, t1, *topic_files):
    """Each topic holds exactly its kind's accepted bodies, keyed, with headers; every
    repeat of a key is in one partition."""
    want = {}
    for l in open(accepted):
        a = json.loads(l)
        want.setdefault(a["kind"], []).append((a["key"], a["value"]))
    for spec in topic_files:
        kind, path = spec.split("=", 1)
        got, parts = [], {}
        for l in open(path):
            m = json.loads(l)
            h = m.get("headers") or []
            hd = dict(zip(h[0::2], h[1::2]))
            if hd.get("pinpipe-kind") != kind:
                die("%s topic: message %s/%s has pinpipe-kind %r" % (kind, m["partition"], m["offset"], hd.get("pinpipe-kind")))
            want_schema = "1"
            if kind == "pin":
                ev = json.loads(m["payload"])
                want_schema = "2" if ev.get("poster_name") is not None else "1"
            if hd.get("pinpipe-schema") != want_schema:
                die("%s topic: pinpipe-schema %r" % (kind, hd.get("pinpipe-schema")))
            ing = hd.get("pinpipe-ingest-time", "")
            if not ing.isdigit() or not (int(t0) - 1000 <= int(ing) <= int(t1) + 1000) or m.get("ts") != int(ing):
                die("%s topic: ingest time %r, timestamp %r" % (kind, ing, m.get("ts")))
            if parts.setdefault(m["key"], m["partition"]) != m["partition"]:
                die("%s topic: key %s in two partitions" % (kind, m["key"]))
            got.append((m["key"], m["payload"]))
        if sorted(got) != sorted(want.get(kind, [])):
            die("%s topic differs from the accepted %s events:\n got  %s\n want %s" %
                (kind, kind, sorted(got)[:5], sorted(want.get(kind, []))[:5]))
        ok("%s topic holds exactly the %d accepted %s bodies byte for byte, keyed by %s, with pinpipe-kind %s" %
           (kind, len(got), kind, "unique_id" if kind == "pin" else "ind", kind))

def cmd_auth(port, token):
    for kind, mk in (("geo", geo), ("user", user)):
        p = "/%s/" % kind
        for name, hdrs, want in [("no token", {}, 401), ("wrong token", {"Authorization": "Bearer nope"}, 401),
                                 ("right token", {"Authorization": "Bearer " + token}, 200)]:
            hdrs["Content-Type"] = "application/json"
            s, h, d = post(port, json.dumps(mk()), hdrs, path=p)
            if s != want or (want == 401 and h.get("www-authenticate") != "Bearer"):
                die("auth %s %s: %d %s" % (kind, name, s, h))
            ok("auth %-4s %-38s -> %d" % (kind, name, s))

def cmd_kinds_on(port, want):
    """want: "geo=on,user=off". An off kind's paths are 404 with a reason naming its topic flag;
    an on kind answers {} with 422 (nothing is produced)."""
    for item in want.split(","):
        kind, state = item.split("=")
        s, h, d = post(port, "{}", path="/%s/" % kind)
        r, rh, rd = post(port, "{}", path="/%s" % kind)
        if state == "on":
            if s != 422 or r != 307:
                die("%s should be on: %d %s, redirect %d" % (kind, s, d[:200], r))
        else:
            flag = "--geo-topic" if kind == "geo" else "--users-topic"
            for code, body in ((s, d), (r, rd)):
                if code != 404 or flag not in json.loads(body).get("detail", ""):
                    die("%s should be off (404 naming %s): %d %s" % (kind, flag, code, body[:200]))
        ok("%-4s %s" % (kind, "on" if state == "on" else "off: 404 " + json.loads(d)["detail"]))

def cmd_metrics(port):
    s, h, d = post(port, None, {}, path="/metrics", method="GET")
    text = d.decode()
    for line in ['pinpipe_api_requests_total{route="/geo/",code="200"} 12',
                 'pinpipe_api_requests_total{route="/user/",code="200"} 10',
                 'pinpipe_api_requests_total{route="/pin/",code="200"} 1',
                 'pinpipe_api_requests_total{route="/geo/",code="422"}',
                 'pinpipe_api_requests_total{route="/user/",code="400"}',
                 'pinpipe_api_requests_total{route="/geo",code="307"} 1',
                 'pinpipe_api_requests_total{route="/user",code="307"} 1']:
        if line not in text:
            die("/metrics lacks %s:\n%s" % (line, "\n".join(l for l in text.splitlines() if "requests_total" in l)))
    ok("/metrics counts each kind under its route")

def cmd_check_produced(mixed, t0, t1, *topic_files):
    """`pinpipe produce` of a mixed file: each kind's topic holds exactly that kind's
    events of the file (JSON-equal: the mixed line's event is re-serialised), in file
    order per key, keyed as the API keys them, with pinpipe-kind."""
    want = {}
    for l in open(mixed):
        m = json.loads(l)
        ev = m["event"]
        key = ev["unique_id"].strip() if m["kind"] == "pin" else str(int(ev["ind"]))
        want.setdefault(m["kind"], []).append((key, ev))
    for spec in topic_files:
        kind, path = spec.split("=", 1)
        got = []
        for l in open(path):
            m = json.loads(l)
            h = m.get("headers") or []
            hd = dict(zip(h[0::2], h[1::2]))
            if hd.get("pinpipe-kind", "pin") != kind:
                die("produce: %s topic: message with pinpipe-kind %r" % (kind, hd.get("pinpipe-kind")))
            ing = hd.get("pinpipe-ingest-time", "")
            if not ing.isdigit() or not (int(t0) - 1000 <= int(ing) <= int(t1) + 1000):
                die("produce: %s topic: ingest time %r" % (kind, ing))
            got.append((m["key"], json.loads(m["payload"])))
        key_of = lambda kv: (kv[0], json.dumps(kv[1], sort_keys=True))
        if sorted(got, key=key_of) != sorted(want.get(kind, []), key=key_of):
            die("produce: the %s topic differs from the file's %s events (%d messages, %d events)" %
                (kind, kind, len(got), len(want.get(kind, []))))
        ok("produce --input mixed: the %s topic holds the file's %d %s events, keyed by %s" %
           (kind, len(got), kind, "unique_id" if kind == "pin" else "ind"))

globals()["cmd_" + sys.argv[1].replace("-", "_")](*sys.argv[2:])
PY
k() { python3 "$TMP/k.py" "$@"; }

# ---- 1. topics, as a deployment creates them -------------------------------------------
t_pins="pinpipe-it-kinds-$RUN" t_geo="pinpipe-it-kinds-$RUN-geo" t_users="pinpipe-it-kinds-$RUN-users"
for t in "$t_pins" "$t_geo" "$t_users"; do
  "$PINPIPE" produce --topic "$t" --partitions 3 /dev/null 2>"$TMP/topic.log" || { cat "$TMP/topic.log"; it_fail "create $t"; }
  n=$(timeout 10 kcat -L -b "$BROKERS" -t "$t" 2>/dev/null | grep -c 'partition [0-9]') || true
  [ "$n" = 3 ] || it_fail "topic $t has $n partitions, want 3"
done
it_ok "topics $t_pins, $t_geo, $t_users: 3 partitions each"

# ---- 2, 3, 5. valid events, hostile inputs, metrics ----------------------------------------
t0=$(($(date +%s%N) / 1000000))
PINPIPE_USERS_TOPIC="$t_users" start_api main --topic "$t_pins" --geo-topic "$t_geo" --max-body 65536
MAIN_PID=$PID
grep -q "topics: pin $t_pins, geo $t_geo, user $t_users" "$TMP/api-main.log" || it_fail "the API does not log its three topics"
k valid "$PORT" "$TMP/accepted.jsonl"
k hostile "$PORT"
k metrics "$PORT"
t1=$(($(date +%s%N) / 1000000))
stop_api "$MAIN_PID"
consume "$t_pins" "$TMP/pins.jsonl"
consume "$t_geo" "$TMP/geo.jsonl"
consume "$t_users" "$TMP/users.jsonl"
k check-topics "$TMP/accepted.jsonl" "$t0" "$t1" "pin=$TMP/pins.jsonl" "geo=$TMP/geo.jsonl" "user=$TMP/users.jsonl"

# ---- 4. auth ---------------------------------------------------------------------------------
(umask 077 && printf 'kinds-token-%s\n' "$RUN" >"$TMP/token")
start_api auth --topic "$t_pins" --geo-topic "$t_geo-auth" --users-topic "$t_users-auth" --auth-token-file "$TMP/token"
AUTH_PID=$PID
k auth "$PORT" "kinds-token-$RUN"
stop_api "$AUTH_PID"

# ---- 6. which kinds are on ----------------------------------------------------------------------
start_api default --topic pins # the default pins topic, the others not named: every kind on
k kinds-on "$PORT" "geo=on,user=on"
stop_api "$PID"
start_api own-pins --topic "$t_pins" # a pins topic of its own, the others not named
grep -q "topics: pin $t_pins, geo off, user off" "$TMP/api-own-pins.log" || it_fail "the API does not log its kinds off"
k kinds-on "$PORT" "geo=off,user=off"
stop_api "$PID"
start_api geo-only --topic "$t_pins" --geo-topic "$t_geo" --users-topic ""
k kinds-on "$PORT" "geo=on,user=off"
stop_api "$PID"
# ---- 7. pinpipe produce of a mixed file (the emulator's --kinds all output) -------------------
"$BIN/pinpipe-emulate" --seed 9 --count 60 --days 1 --start-date 2026-01-02 --kinds all --out "$TMP/mixed.jsonl" 2>/dev/null ||
  it_fail "emulator --kinds all --out"
p_pins="$t_pins-produce" p_geo="$t_pins-produce-geo" p_users="$t_pins-produce-users"
t0=$(($(date +%s%N) / 1000000))
"$PINPIPE" produce --topic "$p_pins" --geo-topic "$p_geo" --users-topic "$p_users" --partitions 3 "$TMP/mixed.jsonl" \
  2>"$TMP/produce.log" || { cat "$TMP/produce.log"; it_fail "produce of a mixed file"; }
t1=$(($(date +%s%N) / 1000000))
grep -q "failed to $p_pins, $p_geo, $p_users\$" "$TMP/produce.log" || { cat "$TMP/produce.log"; it_fail "produce: no summary naming the three topics"; }
consume "$p_pins" "$TMP/p_pins.jsonl"
consume "$p_geo" "$TMP/p_geo.jsonl"
consume "$p_users" "$TMP/p_users.jsonl"
k check-produced "$TMP/mixed.jsonl" "$t0" "$t1" "pin=$TMP/p_pins.jsonl" "geo=$TMP/p_geo.jsonl" "user=$TMP/p_users.jsonl"
# a kind that is off: its lines are refused with the reason, the others still go, exit 1
set +e
PINPIPE_USERS_TOPIC="" "$PINPIPE" produce --topic "$p_pins" --geo-topic "$p_geo" "$TMP/mixed.jsonl" 2>"$TMP/produce-off.log"
rc=$?
set -e
n_user=$(grep -c '^{"kind":"user"' "$TMP/mixed.jsonl") || true
n_refused=$(grep -c 'a user event, but user events are off (no topic: --users-topic)$' "$TMP/produce-off.log") || true
if [ "$rc" != 1 ] || [ "$n_refused" != "$n_user" ] || [ "$n_user" = 0 ]; then
  sed -n 1,5p "$TMP/produce-off.log"
  it_fail "produce with users off: exit $rc, $n_refused of $n_user user lines refused"
fi
grep -q "(users off)\$" "$TMP/produce-off.log" || it_fail "produce with users off: the summary does not say so"
it_ok "produce --input mixed: with users off, its $n_user user lines are refused with the reason (exit 1)"
# malformed mixed lines: each refused with its reason, the good ones still sent, exit 1
printf '%s\n' '{"kind":"geo","event":{"ind":1,"timestamp":"2026-01-02 10:00:00","latitude":1,"longitude":2,"country":"X"}}' \
  '{"kind":"nope","event":{}}' '{"kind":"geo","event":' '{"kind":"pin","raw":"not json"}' >"$TMP/bad-mixed.jsonl"
set +e
"$PINPIPE" produce --topic "$p_pins" --geo-topic "$p_geo" --users-topic "$p_users" "$TMP/bad-mixed.jsonl" 2>"$TMP/produce-bad.log"
rc=$?
set -e
{ [ "$rc" = 1 ] && grep -q ':2: not a mixed-input line: "kind" is not pin, geo or user$' "$TMP/produce-bad.log" &&
  grep -q ':3: not a mixed-input line: not a JSON object$' "$TMP/produce-bad.log" &&
  grep -q '^pinpipe produce: 2 sent, 2 delivered, 2 failed to ' "$TMP/produce-bad.log"; } ||
  { cat "$TMP/produce-bad.log"; it_fail "produce of malformed mixed lines: exit $rc"; }
it_ok "produce --input mixed: malformed lines refused with their reason, the others sent (exit 1)"

it_ok "all checks passed"
