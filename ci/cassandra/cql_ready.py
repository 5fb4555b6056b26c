#!/usr/bin/env python3
"""Readiness probe of the local Cassandra node, speaking CQL native protocol v4 itself.

STARTUP -> AUTHENTICATE -> AUTH_RESPONSE (SASL PLAIN) -> AUTH_SUCCESS -> QUERY
"SELECT release_version FROM system.local" -> RESULT of kind Rows. Exit 0 and print the
release version if so; exit 1 with the reason otherwise. Spec: doc/native_protocol_v4.spec.
Usage: cql_ready.py [--host H] [--port P] [--user U] [--password PW] [--timeout S]
Defaults come from PINPIPE_CASSANDRA_{HOST,PORT,USER,PASSWORD}.
"""
import argparse
import os
import socket
import struct
import sys

VERSION = 0x04
OP_ERROR, OP_STARTUP, OP_READY, OP_AUTHENTICATE = 0x00, 0x01, 0x02, 0x03
OP_QUERY, OP_RESULT, OP_AUTH_RESPONSE, OP_AUTH_SUCCESS = 0x07, 0x08, 0x0F, 0x10
RESULT_ROWS = 0x0002
CONSISTENCY_ONE = 0x0001


class ProbeError(Exception):
    pass


def string(s):  # [string]: [short] n, then n bytes of UTF-8
    b = s.encode()
    return struct.pack(">H", len(b)) + b


def recv_exact(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise ProbeError("connection closed by the server")
        buf += chunk
    return buf


def request(sock, opcode, body):
    sock.sendall(struct.pack(">BBhBI", VERSION, 0, 0, opcode, len(body)) + body)
    version, _flags, _stream, op, length = struct.unpack(">BBhBI", recv_exact(sock, 9))
    if version != (0x80 | VERSION):
        raise ProbeError("unexpected response version 0x%02x" % version)
    payload = recv_exact(sock, length)
    if op == OP_ERROR:
        code, mlen = struct.unpack(">iH", payload[:6])
        raise ProbeError("server error 0x%04x: %s" % (code, payload[6:6 + mlen].decode(errors="replace")))
    return op, payload


def probe(host, port, user, password, timeout):
    with socket.create_connection((host, port), timeout=timeout) as sock:
        op, _ = request(sock, OP_STARTUP, struct.pack(">H", 1) + string("CQL_VERSION") + string("3.0.0"))
        if op == OP_AUTHENTICATE:
            token = b"\0" + user.encode() + b"\0" + password.encode()
            op, _ = request(sock, OP_AUTH_RESPONSE, struct.pack(">i", len(token)) + token)
            if op != OP_AUTH_SUCCESS:
                raise ProbeError("expected AUTH_SUCCESS, got opcode 0x%02x" % op)
        elif op != OP_READY:
            raise ProbeError("expected READY or AUTHENTICATE, got opcode 0x%02x" % op)
        query = b"SELECT release_version FROM system.local"
        body = struct.pack(">I", len(query)) + query + struct.pack(">HB", CONSISTENCY_ONE, 0)
        op, payload = request(sock, OP_QUERY, body)
        if op != OP_RESULT or struct.unpack(">i", payload[:4])[0] != RESULT_ROWS:
            raise ProbeError("expected RESULT Rows, got opcode 0x%02x" % op)
        return rows_first_text(payload[4:])


def rows_first_text(b):
    """First cell of a Rows body whose columns are all simple types (spec 4.2.5.2)."""
    def skip_string(pos):
        return pos + 2 + struct.unpack_from(">H", b, pos)[0]

    flags, ncols = struct.unpack_from(">ii", b)
    pos = 8
    if flags & 0x0002:  # Has_more_pages: [bytes] paging_state
        pos += 4 + max(struct.unpack_from(">i", b, pos)[0], 0)
    if flags & 0x0001:  # Global_tables_spec: keyspace, table
        pos = skip_string(skip_string(pos))
    for _ in range(ncols):
        if not flags & 0x0001:
            pos = skip_string(skip_string(pos))
        pos = skip_string(pos) + 2  # column name, [option] id of a simple type
    nrows, n = struct.unpack_from(">ii", b, pos)
    if nrows < 1 or ncols < 1:
        raise ProbeError("system.local returned no row")
    return b[pos + 8:pos + 8 + n].decode(errors="replace") if n >= 0 else "null"


def main():
    env = os.environ.get
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--host", default=env("PINPIPE_CASSANDRA_HOST", "127.0.0.1"))
    ap.add_argument("--port", type=int, default=int(env("PINPIPE_CASSANDRA_PORT", "19042")))
    ap.add_argument("--user", default=env("PINPIPE_CASSANDRA_USER", "cassandra"))
    ap.add_argument("--password", default=env("PINPIPE_CASSANDRA_PASSWORD", "cassandra"))
    ap.add_argument("--timeout", type=float, default=5.0)
    a = ap.parse_args()
    try:
        version = probe(a.host, a.port, a.user, a.password, a.timeout)
    except (OSError, ProbeError, struct.error) as e:
        print("cql_ready: %s:%d not ready: %s" % (a.host, a.port, e), file=sys.stderr)
        return 1
    print("cql_ready: %s:%d ready, release_version %s" % (a.host, a.port, version))
    return 0


if __name__ == "__main__":
    sys.exit(main())
