# cli — unit tests that link the command files themselves (not only libpinpipe.a):
# tests/unit/test_cli_tables.c walks every command's option table.

CLI_TEST_OBJS := $(call obj,$(filter-out src/cli/main.c,$(CLI_SRCS)))

$(BUILD)/tests/unit/test_cli_tables: $(BUILD)/obj/tests/unit/test_cli_tables.o $(CLI_TEST_OBJS) $(LIB)
	@mkdir -p $(dir $@)
	$(quiet) LINK $@
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(LDFLAGS) $(TEST_LIBS) $(LDLIBS)
