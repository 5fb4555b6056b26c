"""pinpipe_backfill: recompute one metric over a range of days from the lake (after a
metric was added or fixed), one task per day, days in parallel. Triggered by hand:

    airflow dags trigger pinpipe_backfill --conf '{"metric": "pins_by_tag", "from": "2026-01-01", "to": "2026-01-31"}'

Each task runs `pinpipe batch --date D --metric M` (docs/batch.md: a back-fill rewrites
that metric's rows only); retries apply to transient failures only (pinpipe_run.py).
"""
from __future__ import annotations

from datetime import date, timedelta

import pendulum
from airflow.sdk import DAG, Param, task
from airflow.sdk.exceptions import AirflowFailException

import pinpipe_run as pr

MAX_DAYS = 3660

with DAG(
    dag_id="pinpipe_backfill",
    description="recompute one metric over a range of days from the lake",
    schedule=None,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    default_args=pr.DEFAULT_ARGS,
    params={
        "metric": Param("pins_by_category", type="string", description="a metric of `pinpipe metrics`"),
        "from": Param(type="string", format="date", description="first day, YYYY-MM-DD"),
        "to": Param(type="string", format="date", description="last day, YYYY-MM-DD (included)"),
    },
    tags=["pinpipe"],
) as dag:

    @task
    def days(params: dict | None = None) -> list[str]:
        first, last = date.fromisoformat(params["from"]), date.fromisoformat(params["to"])
        n = (last - first).days + 1
        if not 1 <= n <= MAX_DAYS:
            raise AirflowFailException(f"from..to must hold 1..{MAX_DAYS} days, not {n}")
        return [(first + timedelta(days=i)).isoformat() for i in range(n)]

    @task(max_active_tis_per_dag=4)
    def backfill(day: str, params: dict | None = None) -> str:
        pr.run(["batch", "--date", day, "--metric", params["metric"]])
        return day

    backfill.expand(day=days())
