# parity — test helpers of the parity checks.
#
#   $(BUILD)/tests/tools/kafka-add-partitions TOPIC N   grows a topic (built with `all`);
#   tests/integration/parity_partitions_it.sh uses it to add partitions to a live topic.

PARITY_TOOLS := $(BUILD)/tests/tools/kafka-add-partitions

all: $(PARITY_TOOLS)

$(BUILD)/tests/tools/kafka-add-partitions: $(BUILD)/obj/tests/tools/kafka_add_partitions.o $(LIB)
	@mkdir -p $(dir $@)
	$(quiet) LINK $@
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(LDFLAGS) $(LDLIBS)
