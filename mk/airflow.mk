# Airflow: the DAGs of orchestration/airflow/ (docs/orchestration.md).

.PHONY: airflow-test

## airflow-test: DAG integrity under pytest (imports, task graph, schedule, retries, exit-status policy); no services
airflow-test:
	@venv="$$(bash ci/install-airflow.sh | tail -1)" && home="$$(mktemp -d)" && \
	  AIRFLOW_HOME="$$home" AIRFLOW__CORE__LOAD_EXAMPLES=False "$$venv/bin/python" -m pytest -q -p no:cacheprovider \
	    orchestration/airflow/tests; rc=$$?; rm -rf "$$home"; exit $$rc
