"""The seeds' ingest stack, as the baseline of `make bench-api`: FastAPI on uvicorn
with a kafka-python producer (project_pin_API.py of the seeds, plus poster_name and
timestamp as pinpipe's model has them).

Unlike the seeds, which fire and forget (`producer.send(...)` and return), this
version waits for Kafka's acknowledgement before answering, with acks='all', so it
gives the same guarantee as `pinpipe api` and the comparison is fair:
    producer.send(...).get(timeout=...)
The item is produced keyed by unique_id, serialised as the seeds do (json.dumps of
the model's dict).

Settings (environment): PINPIPE_KAFKA_BROKERS (default 127.0.0.1:19092),
BENCH_TOPIC (default pins-fastapi-baseline), BENCH_PRODUCE_TIMEOUT_S (default 5).
Run: uvicorn fastapi_baseline:app --host 127.0.0.1 --port 8001 --no-access-log
"""
import json
import os
from typing import Optional

from fastapi import FastAPI
from kafka import KafkaProducer
from pydantic import BaseModel

app = FastAPI()

TOPIC = os.environ.get("BENCH_TOPIC", "pins-fastapi-baseline")
TIMEOUT_S = float(os.environ.get("BENCH_PRODUCE_TIMEOUT_S", "5"))

producer = KafkaProducer(
    bootstrap_servers=os.environ.get("PINPIPE_KAFKA_BROKERS", "127.0.0.1:19092"),
    client_id="pinterest-data-producer",
    acks="all",
    key_serializer=lambda k: k.encode("utf-8"),
    value_serializer=lambda m: json.dumps(m).encode("ascii"),
)


class Data(BaseModel):
    index: int
    unique_id: str
    title: str
    description: str
    poster_name: Optional[str] = None
    follower_count: str
    tag_list: str
    is_image_or_video: str
    image_src: str
    downloaded: int
    save_location: str
    category: str
    timestamp: Optional[str] = None


@app.post("/pin/")
def get_db_row(item: Data):
    data = dict(item)
    # wait for the acknowledgement (acks=all), as pinpipe api does
    producer.send(TOPIC, key=item.unique_id, value=data).get(timeout=TIMEOUT_S)
    return item
