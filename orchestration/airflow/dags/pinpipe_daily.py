"""pinpipe_daily: one day's batch, when the lake holds the whole day, sharded across
workers; then the shards' metrics merged, parity checked, and the previous days whose
lake grew (late events) re-run. docs/orchestration.md explains it.

    wait_for_lake (sensor, reschedule)
        -> shards -> batch_shard x N (dynamic mapping) -> finalize -> parity
        -> late_days -> rerun_if_grown x K (dynamic mapping)

Every task calls the pinpipe binary (pinpipe_run.py); retries apply only to transient
failures (exit 4), a permanent one (bad data, a refusal, parity differences) fails the
task at once with its reason.
"""
from __future__ import annotations

from datetime import date, timedelta

import pendulum
from airflow.providers.standard.sensors.python import PythonSensor
from airflow.sdk import DAG, CronDataIntervalTimetable, task
from airflow.sdk.exceptions import AirflowFailException

import pinpipe_run as pr

def lake_complete(ds: str) -> bool:
    """pinpipe lake status: 0 complete; 3 not yet and 4 cannot tell (Kafka down) poke again."""
    allowance = pr.setting("pinpipe_allowance_s", "PINPIPE_LAKE_ALLOWANCE_S", "3600")
    return pr.run(["lake", "status", "--date", ds, "--allowance-s", allowance], ok=(0, 3, 4)).returncode == 0


with DAG(
    dag_id="pinpipe_daily",
    description="batch a day from the lake when it is complete, sharded; finalize; parity; late days",
    # daily, over data intervals: the run for day D starts after D ends and its logical
    # date ({{ ds }}) is D itself (Airflow 3's plain "@daily" would name the run's own day)
    schedule=CronDataIntervalTimetable("@daily", timezone="UTC"),
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=True,
    max_active_runs=2,
    default_args=pr.DEFAULT_ARGS,
    tags=["pinpipe"],
) as dag:
    wait_for_lake = PythonSensor(
        task_id="wait_for_lake",
        python_callable=lake_complete,
        op_kwargs={"ds": "{{ ds }}"},
        mode="reschedule",  # frees the worker slot between pokes
        poke_interval=300,
        timeout=int(timedelta(hours=36).total_seconds()),
        execution_timeout=timedelta(minutes=5),  # one poke
    )

    @task
    def shards() -> list[str]:
        """The shard specs I/N of this run (the Variable pinpipe_shards, default 2)."""
        n = int(pr.setting("pinpipe_shards", "PINPIPE_SHARDS", "2"))
        if not 1 <= n <= 1024:
            raise AirflowFailException(f"pinpipe_shards must be 1..1024, not {n}")
        return [f"{i}/{n}" for i in range(n)]

    @task(max_active_tis_per_dag=8)
    def batch_shard(spec: str, ds: str | None = None) -> str:
        pr.run(["batch", "--date", ds, "--shard", spec])
        return spec

    @task
    def finalize(specs: list[str], ds: str | None = None) -> None:
        pr.run(["batch", "--date", ds, "--finalize", str(len(specs))])

    @task(execution_timeout=timedelta(minutes=30))
    def parity(ds: str | None = None) -> str:
        """0 equal; 3 not comparable yet and 5 incomplete (Kafka holds newer records) are
        normal while events flow; 1 (differences) fails the run naming metric and key."""
        proc = pr.run(["parity", "--date", ds], ok=(0, 1, 3, 5))
        verdict = (proc.stdout.strip().splitlines() or ["parity: (no output)"])[-1]
        if proc.returncode == 1:
            diffs = [line for line in proc.stdout.splitlines() if line.startswith("DIFF")]
            raise AirflowFailException(f"{verdict}; " + "; ".join(diffs[:10]))
        return verdict

    @task
    def late_days(ds: str | None = None) -> list[str]:
        """The K days before this one (the Variable pinpipe_late_days, default 3)."""
        k = int(pr.setting("pinpipe_late_days", "PINPIPE_LATE_DAYS", "3"))
        day = date.fromisoformat(ds)
        return [(day - timedelta(days=i)).isoformat() for i in range(1, k + 1)]

    @task(max_active_tis_per_dag=2)
    def rerun_if_grown(day: str) -> str:
        """Re-runs a day whose lake objects changed since its newest full run (late
        events), then checks its parity; an unchanged day is skipped by pinpipe."""
        proc = pr.run(["batch", "--date", day, "--if-lake-grew"])
        if "status=unchanged" in proc.stdout:
            return f"{day}: unchanged"
        pr.run(["parity", "--date", day], ok=(0, 3, 5))
        return f"{day}: re-run"

    specs = shards()
    done = batch_shard.expand(spec=specs)
    merged = finalize(specs)
    wait_for_lake >> specs
    done >> merged >> parity()
    late = late_days()
    wait_for_lake >> late
    rerun_if_grown.expand(day=late)
