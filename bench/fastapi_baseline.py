"""The ingest API as people deploy it in Python, the baseline of `make bench-api`:
FastAPI on uvicorn (uvloop + httptools, as many worker processes as `pinpipe api`
has threads), an async handler that awaits Kafka's acknowledgement from an aiokafka
AIOKafkaProducer (acks=all, idempotent, as pinpipe's producer) before answering.

Validation is pinpipe's model (docs/cleaning-rules.md, "The raw event"; docs/api.md):
pydantic v2 in lax mode, as the seeds' `Data` model plus poster_name and timestamp,
both optional; int fields take ints, integral floats, booleans and decimal strings, str
fields only strings; a timestamp must be 'YYYY-MM-DD HH:MM:SS' or ISO-8601. An invalid
body is answered 422 (FastAPI's own error), a valid one 200 with the item echoed, once
Kafka has acknowledged it. The message is what pinpipe produces: key the trimmed
unique_id, value the request body as received, headers pinpipe-ingest-time and
pinpipe-schema. Not modelled: pinpipe's U+0000 rule (string_nul), its event-time
range, its 413/415/400 answers (the bench sends none of those).

Settings (environment): PINPIPE_KAFKA_BROKERS (default 127.0.0.1:19092), BENCH_TOPIC
(default pins-fastapi-baseline), BENCH_PRODUCE_TIMEOUT_S (default 5).
Run: uvicorn fastapi_baseline:app --host 127.0.0.1 --port 8001 --workers 2 \
        --loop uvloop --http httptools --no-access-log
"""
import asyncio
import contextlib
import datetime
import os
import time
from typing import Annotated, Optional

from aiokafka import AIOKafkaProducer
from fastapi import FastAPI, Request
from pydantic import AfterValidator, BaseModel

TOPIC = os.environ.get("BENCH_TOPIC", "pins-fastapi-baseline")
TIMEOUT_S = float(os.environ.get("BENCH_PRODUCE_TIMEOUT_S", "5"))
ASCII_WS = " \t\n\r\v\f"


def event_time(value: str) -> str:
    """'YYYY-MM-DD HH:MM:SS' or ISO-8601 (fromisoformat takes both); echoed as given."""
    datetime.datetime.fromisoformat(value)
    return value


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
    timestamp: Optional[Annotated[str, AfterValidator(event_time)]] = None


producer: Optional[AIOKafkaProducer] = None


@contextlib.asynccontextmanager
async def lifespan(_app):
    global producer
    producer = AIOKafkaProducer(bootstrap_servers=os.environ.get("PINPIPE_KAFKA_BROKERS", "127.0.0.1:19092"),
                                client_id="pinterest-data-producer", acks="all", enable_idempotence=True,
                                linger_ms=0)
    await producer.start()
    try:
        yield
    finally:
        await producer.stop()


app = FastAPI(lifespan=lifespan)


@app.post("/pin/")
async def post_pin(item: Data, request: Request):
    body = await request.body()  # already read by FastAPI for the model: cached
    headers = [("pinpipe-ingest-time", str(int(time.time() * 1000)).encode()),
               ("pinpipe-schema", b"2" if item.poster_name is not None else b"1")]
    # wait for the acknowledgement (acks=all), as pinpipe api does
    await asyncio.wait_for(producer.send_and_wait(TOPIC, value=body, key=item.unique_id.strip(ASCII_WS).encode(),
                                                  headers=headers), TIMEOUT_S)
    return item
