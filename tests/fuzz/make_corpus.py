#!/usr/bin/env python3
"""Writes the seed corpus of the fuzz targets, tests/fuzz/corpus/<target>/, from the
fixture corpus (fixtures/raw/) and the shapes the unit tests use. Deterministic:
the same fixtures give the same files, named by the SHA-1 of their bytes (as
libFuzzer names what it finds). Run it (make fuzz-corpus) after the fixtures change
and commit the result; it keeps a few dozen small files per target.

  event      raw event lines: one per distinct shape of the fixture corpus, plus edge cases
  clean      the same lines behind an option byte (see fuzz_clean.c)
  cql_frame  CQL v4 response frames: every opcode the client decodes, every RESULT kind,
             every column type, flags (warnings, tracing, custom payload)
  s3_xml     ListObjectsV2 pages and Error documents
  api        raw HTTP requests behind a control byte (see fuzz_api.c)
"""
import hashlib
import json
import os
import shutil
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
OUT = os.path.join(HERE, "corpus")
MAX_EVENT_SEEDS = 48


def write(target, items):
    d = os.path.join(OUT, target)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    for b in items:
        with open(os.path.join(d, hashlib.sha1(b).hexdigest()), "wb") as f:
            f.write(b)
    print(f"make_corpus: {len(set(items)):3d} seeds in tests/fuzz/corpus/{target}/")


# ---- events ---------------------------------------------------------------------

def shape(line):
    """What kind of line this is: its keys and the class of each value."""
    try:
        v = json.loads(line)
    except (ValueError, UnicodeDecodeError) as e:
        return ("not-json", type(e).__name__, line[:1], line[-1:])
    if not isinstance(v, dict):
        return ("not-object", type(v).__name__)

    def cls(x):
        if isinstance(x, str):
            if not x.strip():
                return "str-blank"
            if x.strip().lstrip("-").isdigit():
                return "str-int"
            return "str-" + str(len(x) > 64) + str(any(ord(c) > 127 for c in x)) + x[:4]
        return type(x).__name__
    return tuple(sorted((k, cls(x)) for k, x in v.items()))


def fixture_lines():
    lines = []
    for name in ("corpus.jsonl", "emulator_sample.jsonl"):
        with open(os.path.join(ROOT, "fixtures", "raw", name), "rb") as f:
            lines += [l.rstrip(b"\n") for l in f if l.strip()]
    seen, picked = set(), []
    for l in lines:
        s = shape(l)
        if s not in seen and len(picked) < MAX_EVENT_SEEDS:
            seen.add(s)
            picked.append(l)
    return picked


BASE = {"index": 7, "unique_id": "u-1", "title": "T", "description": "D", "poster_name": "P",
        "follower_count": "6k", "tag_list": "a,b", "is_image_or_video": "image",
        "image_src": "http://x", "downloaded": 1, "save_location": "Local save in /x",
        "category": "art", "timestamp": "2026-01-01 09:00:00"}


def event_with(**kw):
    d = dict(BASE)
    for k, v in kw.items():
        if v is None:
            d.pop(k, None)
        else:
            d[k] = v
    return json.dumps(d).encode()


EVENT_EDGES = [
    event_with(timestamp="9999-12-31T23:59:59-05:00"),
    event_with(timestamp="1970-01-01T00:00:00.000+00:01"),
    event_with(timestamp="2024-02-29T23:59:59.999999Z"),
    event_with(index="12", downloaded=True, follower_count="3M"),
    event_with(index=1.0, downloaded="0"),
    event_with(index=9223372036854775807, downloaded=-1),
    event_with(title="caf\\u00e9 \\ud83d\\ude00", unique_id="  u-2  ").replace(b"\\\\u", b"\\u"),
    event_with(title="\\u0000").replace(b"\\\\u", b"\\u"),
    event_with(poster_name=None, timestamp=None),
    b'{"index": 1, "index": "x", ' + event_with()[1:],
    b'[' * 40 + b']' * 40,
    b'{"a":' * 30 + b'1' + b'}' * 30,
    b"\xef\xbb\xbf" + event_with(),
    event_with(title="\xff".encode("latin-1").decode("latin-1")),
]


# ---- CQL frames -----------------------------------------------------------------

def cql_string(s):
    b = s.encode()
    return struct.pack(">H", len(b)) + b


def cql_bytes(b):
    return struct.pack(">i", -1) if b is None else struct.pack(">i", len(b)) + b


def frame(opcode, body, flags=0, stream=1):
    return struct.pack(">BBhBI", 0x84, flags, stream, opcode, len(body)) + body


def opt(t, *sub):
    return struct.pack(">H", t) + b"".join(sub)


def rows(cols, values, flags=0x0001, paging=None):
    """cols: [(name, type option bytes)], values: rows of serialized cells (or None)."""
    meta = struct.pack(">ii", flags | (0x0002 if paging is not None else 0), len(cols))
    if paging is not None:
        meta += cql_bytes(paging)
    if flags & 0x0001:
        meta += cql_string("ks") + cql_string("t")
    for name, t in cols:
        if not flags & 0x0001:
            meta += cql_string("ks") + cql_string("t")
        meta += cql_string(name) + t
    body = struct.pack(">i", 2) + meta + struct.pack(">i", len(values))
    for r in values:
        body += b"".join(cql_bytes(c) for c in r)
    return frame(0x08, body)


def cql_seeds():
    text, i32, i64, b, ts = opt(0x0D), opt(0x09), opt(0x02), opt(0x04), opt(0x0B)
    lst = opt(0x20, text)
    st = opt(0x22, text)
    mp = opt(0x21, text, i32)
    tup = opt(0x31, struct.pack(">H", 2), text, i64)
    udt = opt(0x30, cql_string("ks"), cql_string("addr"), struct.pack(">H", 2),
              cql_string("street"), text, cql_string("no"), i32)
    custom = opt(0x00, cql_string("org.apache.cassandra.db.marshal.DurationType"))
    coll = lambda items: struct.pack(">i", len(items)) + b"".join(cql_bytes(x) for x in items)
    out = [
        frame(0x02, b""),
        frame(0x00, struct.pack(">i", 0x2200) + cql_string("Invalid query")),
        frame(0x00, struct.pack(">i", 0x1000) + cql_string("Cannot achieve consistency") +
              struct.pack(">HII", 1, 3, 1)),
        frame(0x00, struct.pack(">i", 0x1100) + cql_string("timeout") + struct.pack(">HiiB", 1, 0, 1, 0) +
              cql_string("BATCH_LOG")),
        frame(0x00, struct.pack(">i", 0x2500) + cql_string("Unprepared") + struct.pack(">H", 4) + b"\x01\x02\x03\x04"),
        frame(0x03, cql_string("org.apache.cassandra.auth.PasswordAuthenticator")),
        frame(0x0E, cql_bytes(b"challenge")),
        frame(0x10, cql_bytes(None)),
        frame(0x06, struct.pack(">H", 1) + cql_string("CQL_VERSION") + struct.pack(">H", 1) + cql_string("3.4.7")),
        frame(0x08, struct.pack(">i", 1)),
        frame(0x08, struct.pack(">i", 3) + cql_string("pinpipe")),
        frame(0x08, struct.pack(">i", 5) + cql_string("CREATED") + cql_string("TABLE") + cql_string("ks") +
              cql_string("pins")),
        frame(0x08, struct.pack(">i", 4) + struct.pack(">H", 2) + b"\xab\xcd" +
              struct.pack(">iii", 1, 2, 1) + struct.pack(">H", 0) + cql_string("ks") + cql_string("t") +
              cql_string("a") + text + cql_string("b") + i64 + struct.pack(">ii", 4, 0)),
        rows([("id", text), ("n", i32), ("big", i64), ("ok", b), ("at", ts)],
             [[b"u-1", struct.pack(">i", 7), struct.pack(">q", 1 << 40), b"\x01", struct.pack(">q", 1767225600000)],
              [None, b"", None, b"\x00", struct.pack(">q", -1)]]),
        rows([("tags", lst), ("s", st)], [[coll([b"a", b"b"]), coll([b"x"])], [coll([]), None]]),
        rows([("m", mp), ("tp", tup), ("u", udt), ("c", custom)],
             [[struct.pack(">i", 1) + cql_bytes(b"k") + cql_bytes(struct.pack(">i", 3)),
               cql_bytes(b"x") + cql_bytes(struct.pack(">q", 9)),
               cql_bytes(b"main st") + cql_bytes(struct.pack(">i", 12)), b"\x00\x02\x04"]]),
        rows([("u", opt(0x0C)), ("ip", opt(0x10)), ("d", opt(0x11)), ("t", opt(0x12)), ("v", opt(0x0E)),
              ("dec", opt(0x06)), ("f", opt(0x08)), ("db", opt(0x07)), ("sm", opt(0x13)), ("ti", opt(0x14)),
              ("bl", opt(0x03)), ("tu", opt(0x0F)), ("as", opt(0x01)), ("ct", opt(0x05))],
             [[bytes(range(16)), b"\x7f\x00\x00\x01", struct.pack(">I", 1 << 31), struct.pack(">q", 3600 * 10**9),
               b"\x00\xff", struct.pack(">i", 2) + b"\x30\x39", struct.pack(">f", 1.5), struct.pack(">d", -2.25),
               struct.pack(">h", -3), b"\x05", b"\xde\xad", bytes(16), b"abc", struct.pack(">q", 5)]]),
        rows([("id", text)], [[b"u-1"]], flags=0x0001, paging=b"\x00\x04page"),
        rows([("id", text)], [[b"u-1"]], flags=0x0004),
        frame(0x08, struct.pack(">i", 2) + struct.pack(">ii", 0x0004, 1) + struct.pack(">i", 0)),
    ]
    warn = struct.pack(">H", 1) + cql_string("Batch is too large")
    out.append(frame(0x08, warn + struct.pack(">i", 1), flags=0x08))
    out.append(frame(0x08, b"\x00" * 16 + struct.pack(">i", 1), flags=0x02))
    out.append(frame(0x08, struct.pack(">H", 1) + cql_string("k") + cql_bytes(b"v") + struct.pack(">i", 1), flags=0x04))
    out.append(frame(0x0C, cql_string("SCHEMA_CHANGE") + cql_string("DROPPED") + cql_string("KEYSPACE") +
                     cql_string("ks"), stream=-1))
    full = out[13]
    out += [full[:9], full[:len(full) // 2]]  # truncated prefixes
    return out


# ---- S3 XML ---------------------------------------------------------------------

S3_SEEDS = [
    b'<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
    b"<Name>lake</Name><Prefix>raw/</Prefix><KeyCount>2</KeyCount><MaxKeys>1000</MaxKeys>"
    b"<IsTruncated>true</IsTruncated><NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>"
    b"<Contents><Key>raw/dt=2026-01-01/pins-0-0.jsonl</Key><LastModified>2026-01-02T00:00:00.000Z</LastModified>"
    b"<ETag>&quot;d41d8cd98f00b204e9800998ecf8427e&quot;</ETag><Size>1234</Size><StorageClass>STANDARD</StorageClass></Contents>"
    b"<Contents><Key>raw/dt=2026-01-01/pins-1-&amp;&lt;&#x41;.jsonl</Key><Size>0</Size></Contents>"
    b"</ListBucketResult>",
    b"<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>only</Key><Size>5</Size></Contents></ListBucketResult>",
    b"<ListBucketResult><IsTruncated>false</IsTruncated><Delimiter>/</Delimiter>"
    b"<CommonPrefixes><Prefix>raw/dt=2026-01-01/</Prefix></CommonPrefixes>"
    b"<CommonPrefixes><Prefix>raw/dt=2026-01-02/</Prefix></CommonPrefixes></ListBucketResult>",
    b'<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><KeyCount>0</KeyCount>'
    b"<IsTruncated>false</IsTruncated></ListBucketResult>",
    b"<ListBucketResult><Contents><Key>k</Key><Size>-1</Size></Contents><Contents><Key><![CDATA[a]]>b</Key>"
    b"<Size>99999999999999999999</Size></Contents></ListBucketResult>",
    b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SignatureDoesNotMatch</Code>'
    b"<Message>The request signature we calculated does not match the signature you provided.</Message>"
    b"<Resource>/lake/raw</Resource><RequestId>4442587FB7D0A2F9</RequestId></Error>",
    b"<Error><Code>NoSuchKey</Code><Message>" + b"x" * 1500 + b"</Message><Key>k</Key></Error>",
    b'<!DOCTYPE x [<!ENTITY a "aaaa">]><Error><Code>&a;</Code></Error>',
    b"<Other><Contents><Key>k</Key></Contents></Other>",
    b"<ListBucketResult><Contents><Key>k",
]


# ---- HTTP requests --------------------------------------------------------------

def post(body, ctl=0, headers=None, path=b"/pin/"):
    h = headers if headers is not None else [b"Content-Type: application/json",
                                             b"Content-Length: " + str(len(body)).encode()]
    return bytes([ctl]) + b"POST " + path + b" HTTP/1.1\r\nHost: 127.0.0.1:8000\r\n" + b"\r\n".join(h) + \
        b"\r\n\r\n" + body


def chunked(body, ctl=0):
    half = len(body) // 2
    chunks = b"%x\r\n%s\r\n%x\r\n%s\r\n0\r\n\r\n" % (half, body[:half], len(body) - half, body[half:])
    return post(chunks, ctl, [b"Content-Type: application/json", b"Transfer-Encoding: chunked"])


def api_seeds(events):
    ok = event_with()
    out = [post(e, ctl=i % 8) for i, e in enumerate(events[:12])]
    out += [
        post(ok, ctl=0x08, headers=[b"Content-Type: application/json", b"Authorization: Bearer fuzz-token",
                                    b"Content-Length: %d" % len(ok)]),
        post(ok, ctl=0x08),
        post(ok, headers=[b"Content-Type: application/json; charset=utf-8", b"Content-Length: %d" % len(ok)]),
        post(ok, headers=[b"Content-Type: text/plain", b"Content-Length: %d" % len(ok)]),
        post(ok, headers=[b"Content-Length: %d" % len(ok)]),
        post(ok, headers=[b"Content-Type: application/json", b"Content-Length: 99999999"]),
        post(ok, headers=[b"Content-Type: application/json", b"Content-Length: %d" % len(ok),
                          b"Content-Length: %d" % (len(ok) + 1)]),
        post(ok, headers=[b"Content-Type: application/json", b"Content-Type: text/plain",
                          b"Content-Length: %d" % len(ok)]),
        post(b"", headers=[b"Content-Type: application/json", b"Content-Length: 0"]),
        post(b"{not json", headers=[b"Content-Type: application/json", b"Content-Length: 9"]),
        post(ok, path=b"/pin"),
        chunked(ok),
        chunked(ok, ctl=3),
        b"\x00GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
        b"\x10GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
        b"\x00HEAD /metrics HTTP/1.1\r\nHost: x\r\n\r\n",
        b"\x00GET /pin/ HTTP/1.1\r\nHost: x\r\n\r\n",
        b"\x00GET /nowhere HTTP/1.0\r\n\r\n",
        b"\x00GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /metrics HTTP/1.1\r\nHost: x\r\n\r\n",
    ]
    return out


def main():
    events = fixture_lines() + EVENT_EDGES
    write("event", events)
    write("clean", [bytes([flags]) + e for flags, e in zip([0x00, 0x01, 0x81, 0x9f, 0x00, 0x01] * 20, events)])
    write("cql_frame", cql_seeds())
    write("s3_xml", S3_SEEDS)
    write("api", api_seeds(events))


if __name__ == "__main__":
    main()
