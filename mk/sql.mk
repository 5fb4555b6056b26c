# sql — ad-hoc SQL with Trino (docs/sql.md): the benchmark. Trino itself is a service
# (ci/services/trino.sh); its integration test is tests/integration/trino_it.sh.

.PHONY: bench-sql

## bench-sql: year-range top categories through Trino vs pinpipe reading Cassandra directly (starts Cassandra, Trino)
bench-sql: $(PINPIPE) $(EMULATE)
	@bash bench/bench-sql.sh $(BUILD)
