#!/usr/bin/env python3
"""The join corpus of stream_join_it.sh: pins, geo and user events of many posts
(event day, ind), spread over three partitions per topic in a shuffled order, in two
phases (phase 2 holds partners of phase-1 events: they arrive after the stream has
committed them). Hand-made cases first (out of order, late, never matched, repeated,
a partner on another day, rejects), then a seeded bulk.

Writes into OUT_DIR:
  <kind>.<phase>.<partition>   "key<TAB>value" lines for kcat -K '\\t'
  mixed.jsonl                  every event as `pinpipe metrics --input mixed` input
  expected-unmatched.<phase>   "join_unmatched|day|key|sum|value" lines after that phase
The expected join_unmatched follows docs/joins.md: a joined record is a pin (first per
(day, unique_id)) with the geo and the user (first per (day, ind)) of its post; a geo
or user in no joined record is unmatched (an unmatched pin is not counted there: it is
pins_total - posts_joined); a 0 is no row.
"""
import json
import os
import random
import sys

out, ingest_ms = sys.argv[1], int(sys.argv[2])
rng = random.Random(1717)
events = []  # (phase, kind, partition, key, value)


def pin(ind, uid, day, cat="travel", followers="12k"):
    return {"index": ind, "unique_id": uid, "title": "t", "description": "d", "poster_name": "p",
            "follower_count": followers, "tag_list": "a,b", "is_image_or_video": "image",
            "image_src": "https://i.pinimg.com/x.jpg", "downloaded": 1,
            "save_location": "Local save in /data/travel", "category": cat,
            "timestamp": day + " 10:00:00"}


def geo(ind, day, country="France"):
    return {"ind": ind, "timestamp": day + " 11:00:00", "latitude": 48.85, "longitude": 2.35, "country": country}


def user(ind, day, first="Ada", age=36):
    return {"ind": ind, "first_name": first, "last_name": "Lovelace", "age": age,
            "date_joined": "2020-03-01 00:00:00", "timestamp": day + " 12:00:00"}


def add(phase, kind, value, partition=None):
    key = value.get("unique_id") if kind == "pin" else value.get("ind")
    if partition is None:
        partition = rng.randrange(3)
    events.append((phase, kind, partition, "" if key is None else str(key), json.dumps(value)))


D1, D2, D3 = "2026-01-05", "2026-01-06", "2026-01-07"
# P1 (D1, 1): complete in phase 1, user first; its geo repeated (first wins), its pin too
add(1, "user", user(1, D1), 2)
add(1, "pin", pin(1, "a", D1), 0)
add(1, "geo", geo(1, D1), 1)
add(1, "geo", geo(1, D1, "Spain"), 1)
add(1, "pin", pin(1, "a", D1, "art"), 0)
# P2 (D1, 2): two pins and the geo now, the user late (and repeated)
add(1, "pin", pin(2, "b", D1), 0)
add(1, "pin", pin(2, "c", D1, "art", "3k"), 1)
add(1, "geo", geo(2, D1, "Italy"), 0)
add(2, "user", user(2, D1, "Grace", 45), 0)
add(2, "user", user(2, D1, "Late", 20), 0)
# P3 (D1, 3): a geo that never meets anything
add(1, "geo", geo(3, D1), 2)
# P4 (D1, 4): a user now, its pin late, no geo ever
add(1, "user", user(4, D1), 1)
add(2, "pin", pin(4, "d", D1), 2)
# P5 (D2, 1): a pin of ind 1 on another day: never meets P1's sides
add(1, "pin", pin(1, "e", D2), 1)
# P6 (D3, 6): pin and geo now, the user late: D3's unmatched fall back to 0
add(1, "pin", pin(6, "f", D3), 2)
add(1, "geo", geo(6, D3, " Unknown "), 0)
add(2, "user", user(6, D3, "Hedy"), 1)
# rejects of each kind
add(1, "geo", {"ind": 9}, 1)
add(1, "user", {"ind": 9, "first_name": "x"}, 2)
# the bulk: posts 100..399 on D1/D2, each side present or not, pins 0..3
for ind in range(100, 400):
    day = D1 if ind % 2 else D2
    sides = []
    if rng.random() < 0.7:
        sides.append(("geo", geo(ind, day, rng.choice(["France", "Japan", "Peru", "N/A"]))))
    if rng.random() < 0.7:
        sides.append(("user", user(ind, day, rng.choice(["Ada", "Alan", "Edsger"]), rng.randrange(10, 80))))
    for k in range(rng.randrange(4)):
        sides.append(("pin", pin(ind, "u%d-%d" % (ind, k), day, rng.choice(["art", "travel", "diy"]),
                                 str(rng.randrange(1, 900)) + "k")))
    if rng.random() < 0.1 and sides:  # a repeat of one side
        sides.append(sides[0])
    for kind, value in sides:
        add(rng.choice([1, 1, 2]), kind, value)
ordered = events[:19]
bulk = events[19:]
rng.shuffle(bulk)
events = ordered + bulk

# Kafka keeps order per partition; a repeat must follow its first occurrence in its
# partition, which holds when a key's events go to one partition: make it so.
part_of = {}
fixed = []
for phase, kind, partition, key, value in events:
    p = part_of.setdefault((kind, key), partition)
    fixed.append((phase, kind, p, key, value))
events = fixed

files = {}
for phase, kind, partition, key, value in events:
    files.setdefault("%s.%d.%d" % (kind, phase, partition), []).append(key + "\t" + value)
for name, lines in files.items():
    with open(os.path.join(out, name), "w") as f:
        f.write("\n".join(lines) + "\n")
with open(os.path.join(out, "mixed.jsonl"), "w") as f:
    for phase in (1, 2):
        for _, kind, _, _, value in (e for e in events if e[0] == phase):
            line = {"kind": kind, "event": json.loads(value), "ingest_time": ingest_ms}
            f.write(json.dumps(line, separators=(",", ":")) + "\n")


def unmatched(upto):
    """join_unmatched after the events of phases <= upto, in Kafka order per partition."""
    posts = {}
    seen_pins = set()
    for phase, kind, partition, key, value in events:
        if phase > upto:
            continue
        v = json.loads(value)
        if kind == "pin":
            day, ind = v["timestamp"][:10], v["index"]
        else:
            if "timestamp" not in v or "country" not in v and kind == "geo" or "age" not in v and kind == "user":
                continue  # a reject
            day, ind = v["timestamp"][:10], v["ind"]
        post = posts.setdefault((day, ind), {"geo": False, "user": False, "pins": 0})
        if kind == "pin":
            if (day, v["unique_id"]) in seen_pins:
                continue
            seen_pins.add((day, v["unique_id"]))
            post["pins"] += 1
        else:
            post[kind] = True
    rows = {}
    for (day, _), p in posts.items():
        joined = p["geo"] and p["user"] and p["pins"] > 0
        for key, n in (("geo", int(p["geo"] and not joined)), ("user", int(p["user"] and not joined))):
            rows[(day, key)] = rows.get((day, key), 0) + n
    return sorted("join_unmatched|%s|%s|sum|%d" % (d, k, n) for (d, k), n in rows.items() if n)


for phase in (1, 2):
    with open(os.path.join(out, "expected-unmatched.%d" % phase), "w") as f:
        f.write("\n".join(unmatched(phase)) + "\n")
print(len(events))
