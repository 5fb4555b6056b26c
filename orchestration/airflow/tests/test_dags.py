"""DAG integrity (no services, no scheduler): the DAGs import, have the intended task
graph, schedule, retries and timeouts, and pinpipe_run maps exit statuses to Airflow's
retry policy. Run by `make airflow-test` (part of `make test`)."""
from __future__ import annotations

import os
import stat
import sys
from datetime import timedelta
from pathlib import Path

import pytest

DAGS = Path(__file__).resolve().parent.parent / "dags"
sys.path.insert(0, str(DAGS))


@pytest.fixture(scope="module")
def dagbag():
    from airflow.dag_processing.dagbag import DagBag

    os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
    return DagBag(dag_folder=str(DAGS))


def test_dags_import_without_errors(dagbag):
    assert dagbag.import_errors == {}
    assert set(dagbag.dag_ids) == {"pinpipe_daily", "pinpipe_backfill"}


def test_daily_schedule_and_graph(dagbag):
    dag = dagbag.dags["pinpipe_daily"]
    assert dag.catchup is True
    from airflow.sdk import CronDataIntervalTimetable

    # data intervals: the run of day D has logical date D and starts once D is over
    assert isinstance(dag.timetable, CronDataIntervalTimetable)
    assert dag.timetable.expression in ("@daily", "0 0 * * *")
    t = dag.task_dict
    assert set(t) == {"wait_for_lake", "shards", "batch_shard", "finalize", "parity", "late_days", "rerun_if_grown"}
    down = lambda name: {x.task_id for x in t[name].downstream_list}  # noqa: E731
    assert down("wait_for_lake") == {"shards", "late_days"}
    assert down("shards") == {"batch_shard", "finalize"}
    assert down("batch_shard") == {"finalize"}
    assert down("finalize") == {"parity"}
    assert down("late_days") == {"rerun_if_grown"}
    assert t["wait_for_lake"].mode == "reschedule"
    # dynamic task mapping: one batch task per shard, one re-run per late day
    assert t["batch_shard"].is_mapped and t["rerun_if_grown"].is_mapped
    for task in dag.tasks:
        assert task.retries >= 1, task.task_id
        assert task.retry_exponential_backoff, task.task_id
        assert task.execution_timeout is not None and task.execution_timeout <= timedelta(hours=2), task.task_id


def test_backfill_params_and_graph(dagbag):
    dag = dagbag.dags["pinpipe_backfill"]
    assert not dag.timetable.can_be_scheduled  # triggered by hand only
    assert set(dag.params.keys()) == {"metric", "from", "to"}
    assert dag.task_dict["backfill"].is_mapped
    assert {x.task_id for x in dag.task_dict["days"].downstream_list} == {"backfill"}


def test_no_cycles(dagbag):
    for dag_id in dagbag.dag_ids:
        dagbag.dags[dag_id].check_cycle()


def fake_pinpipe(tmp_path: Path, status: int) -> str:
    script = tmp_path / "pinpipe"
    script.write_text(f"#!/bin/sh\necho \"batch day=x status=done\"\necho 'why it ended' >&2\nexit {status}\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return str(script)


@pytest.mark.parametrize("status", [0, 1, 2, 4])
def test_exit_status_policy(tmp_path, monkeypatch, status):
    import pinpipe_run as pr
    from airflow.sdk.exceptions import AirflowFailException

    monkeypatch.setenv("PINPIPE_BIN", fake_pinpipe(tmp_path, status))
    if status == 0:
        assert pr.run(["batch", "--date", "2026-01-01"]).returncode == 0
    elif status == 4:
        with pytest.raises(pr.TransientFailure, match=r"exit 4 \(transient, retried\): why it ended"):
            pr.run(["batch", "--date", "2026-01-01"])
    else:
        with pytest.raises(AirflowFailException, match=rf"exit {status} \(permanent, not retried\)"):
            pr.run(["batch", "--date", "2026-01-01"])


def test_settings_come_from_the_environment(monkeypatch):
    import pinpipe_run as pr

    monkeypatch.setenv("PINPIPE_SHARDS", "5")
    assert pr.setting("pinpipe_shards", "PINPIPE_SHARDS", "2") == "5"
    monkeypatch.delenv("PINPIPE_SHARDS")
    assert pr.setting("pinpipe_shards", "PINPIPE_SHARDS", "2") == "2"
    assert os.environ.get("AIRFLOW_HOME"), "run through make airflow-test (a private AIRFLOW_HOME)"


def test_pinpipe_env_is_laid_over_and_refuses_secrets(monkeypatch):
    import pinpipe_run as pr
    from airflow.sdk.exceptions import AirflowFailException

    monkeypatch.setenv("PINPIPE_AIRFLOW_ENV", '{"PINPIPE_TOPIC": "t1"}')
    assert pr.command_env()["PINPIPE_TOPIC"] == "t1"
    for bad in ('{"PINPIPE_PG_DSN": "postgresql://u:p@h/db"}', '{"PINPIPE_CASSANDRA_PASSWORD": "x"}', '{"PATH": "/"}', "[1]"):
        monkeypatch.setenv("PINPIPE_AIRFLOW_ENV", bad)
        with pytest.raises(AirflowFailException):
            pr.command_env()


def test_backfill_range_is_checked(dagbag):
    from airflow.sdk.exceptions import AirflowFailException

    days = dagbag.dags["pinpipe_backfill"].task_dict["days"].python_callable
    assert days(params={"metric": "m", "from": "2026-01-30", "to": "2026-02-02"}) == [
        "2026-01-30", "2026-01-31", "2026-02-01", "2026-02-02"]
    for bad in ({"from": "2026-02-02", "to": "2026-01-30"}, {"from": "2000-01-01", "to": "2026-01-01"}):
        with pytest.raises(AirflowFailException, match="1..3660 days"):
            days(params={"metric": "m", **bad})
    with pytest.raises(ValueError):
        days(params={"metric": "m", "from": "yesterday", "to": "2026-01-01"})


def test_shard_count_is_checked(dagbag, monkeypatch):
    from airflow.sdk.exceptions import AirflowFailException

    shards = dagbag.dags["pinpipe_daily"].task_dict["shards"].python_callable
    monkeypatch.setenv("PINPIPE_SHARDS", "3")
    assert shards() == ["0/3", "1/3", "2/3"]
    for bad in ("0", "1025", "-2"):
        monkeypatch.setenv("PINPIPE_SHARDS", bad)
        with pytest.raises(AirflowFailException):
            shards()
