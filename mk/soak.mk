# soak — the chaos soak (tests/soak/soak.sh, docs/soak.md): the whole pipeline under
# emulator load while its components and services are killed and restarted at random.
#
#   make soak          SOAK_SECONDS (default 600) of load and faults, then the checks
#   make soak-short    the same for a minute (SOAK_SECONDS=60): the version `make test` runs
#
# Both use the services that are up and start the missing ones (ci/services/env.sh:
# ports and data dir), and leave every service up at the end, stopping only what they
# started. SOAK_SEED replays a fault plan; the rest of the settings: docs/soak.md.

SOAK_SHORT_SECONDS ?= 60

.PHONY: soak soak-short

## soak: the chaos soak, SOAK_SECONDS (default 600) of load and faults, then the checks
soak: $(PINPIPE) $(EMULATE)
	@bash tests/soak/soak.sh $(BUILD)

## soak-short: the chaos soak for SOAK_SHORT_SECONDS (default 60)
soak-short: $(PINPIPE) $(EMULATE)
	@SOAK_SECONDS=$(SOAK_SHORT_SECONDS) bash tests/soak/soak.sh $(BUILD)
