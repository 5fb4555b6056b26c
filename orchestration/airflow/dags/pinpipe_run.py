"""Runs the pinpipe binary for Airflow tasks and turns its exit status into Airflow's
retry policy. No pipeline logic lives here: every decision is the binary's.

Exit statuses (pinpipe batch/parity/lake status --help):
    0   done                                   -> success
    4   transient (a store, S3 or Kafka down)  -> exception: the task's retries apply
    1,2 permanent (bad data, a refusal, usage) -> AirflowFailException: no retry
Commands may declare more statuses as success (parity's 3 "not comparable yet" and 5
"incomplete: Kafka holds newer records", both normal under live traffic).

Settings, read when a task runs (never at DAG parse time): Airflow Variables first, then
the environment, then the defaults below.
    pinpipe_bin            PINPIPE_BIN            the pinpipe binary          (pinpipe on PATH)
    pinpipe_shards         PINPIPE_SHARDS         batch shards per day        (2)
    pinpipe_allowance_s    PINPIPE_LAKE_ALLOWANCE_S  late events waited for   (3600)
    pinpipe_late_days      PINPIPE_LATE_DAYS      previous days re-checked    (3)
    pinpipe_env            -                      a JSON object of PINPIPE_* settings laid
                                                  over the worker's environment for every
                                                  command, e.g. {"PINPIPE_TOPIC": "pins",
                                                  "PINPIPE_CASSANDRA_KEYSPACE": "pinpipe"}
Connections to the stores are the PINPIPE_* variables of the workers' environment
(ci/services/env.sh names them); secrets (passwords) stay there, never in a Variable or
a DAG: pinpipe_env refuses names holding PASSWORD, SECRET, TOKEN or KEY, and a DSN.
"""
from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
from datetime import timedelta

log = logging.getLogger(__name__)

TRANSIENT = 4

# The DAGs' task defaults: retries (for transient failures only: see run) with
# exponential backoff, and a timeout on every task.
DEFAULT_ARGS = {
    "owner": "pinpipe",
    "retries": 3,
    "retry_delay": timedelta(minutes=1),
    "retry_exponential_backoff": True,
    "max_retry_delay": timedelta(minutes=20),
    "execution_timeout": timedelta(hours=2),
}


def setting(name: str, env: str, default: str) -> str:
    """An Airflow Variable, else the environment, else the default."""
    try:
        from airflow.sdk import Variable

        value = Variable.get(name, default=None)
        if value is not None:
            return str(value)
    except Exception:  # no metadata database (unit tests, a plain python run)
        pass
    return os.environ.get(env, default)


def pinpipe_bin() -> str:
    binary = setting("pinpipe_bin", "PINPIPE_BIN", "pinpipe")
    found = shutil.which(binary)
    if not found:
        from airflow.sdk.exceptions import AirflowFailException

        raise AirflowFailException(f"pinpipe binary not found: {binary} (set the Variable pinpipe_bin or PINPIPE_BIN)")
    return found


SECRET_WORDS = ("PASSWORD", "SECRET", "TOKEN", "KEY", "DSN")


def command_env() -> dict[str, str]:
    """The worker's environment with the Variable pinpipe_env laid over it."""
    from airflow.sdk.exceptions import AirflowFailException

    env = dict(os.environ)
    extra = json.loads(setting("pinpipe_env", "PINPIPE_AIRFLOW_ENV", "{}") or "{}")
    if not isinstance(extra, dict):
        raise AirflowFailException("pinpipe_env must be a JSON object of PINPIPE_* settings")
    for name, value in extra.items():
        if not name.startswith("PINPIPE_") or any(w in name.upper() for w in SECRET_WORDS):
            raise AirflowFailException(f"pinpipe_env: {name} is not a PINPIPE_* setting without secrets")
        env[name] = str(value)
    return env


class TransientFailure(RuntimeError):
    """A failure worth retrying (exit status 4)."""


def run(args: list[str], ok: tuple[int, ...] = (0,)) -> subprocess.CompletedProcess:
    """Runs `pinpipe ARGS`; returns it when its status is in ok, else raises by policy."""
    from airflow.sdk.exceptions import AirflowFailException

    cmd = [pinpipe_bin(), *args]
    log.info("running %s", " ".join(cmd))
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, env=command_env())
    for line in proc.stdout.splitlines():
        log.info("%s", line)
    for line in proc.stderr.splitlines():
        log.info("stderr: %s", line)
    if proc.returncode in ok:
        return proc
    tail = (proc.stderr.strip().splitlines() or proc.stdout.strip().splitlines() or [""])[-1]
    if proc.returncode == TRANSIENT:
        raise TransientFailure(f"{' '.join(args)}: exit 4 (transient, retried): {tail}")
    raise AirflowFailException(f"{' '.join(args)}: exit {proc.returncode} (permanent, not retried): {tail}")
