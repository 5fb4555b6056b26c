# alloc — keeps the one memory policy (src/common/mem.h): no raw allocator calls.
#
# Every malloc/calloc/realloc/strdup/strndup under src/ and emulator/ goes through
# pp_x* (abort with a message) or, where a peer-sized allocation may fail one request,
# pp_try_*. Only src/common/mem.c calls the C allocator. A match in a comment counts
# too: say "allocate" instead.

## check-alloc: fail if raw malloc/calloc/realloc/strdup/strndup appear in src/ or emulator/ (only src/common/mem.c may)
ALLOC_RAW := (^|[^[:alnum:]_.>])(malloc|calloc|realloc|strdup|strndup)[[:space:]]*\(

.PHONY: check-alloc
check-alloc:
	@if grep -rnE --include='*.c' --include='*.h' '$(ALLOC_RAW)' src emulator \
	        | grep -v '^src/common/mem\.c:'; then \
	    echo 'check-alloc: raw allocation above; use pp_xmalloc & co. or pp_try_* (src/common/mem.h)' >&2; \
	    exit 1; \
	else \
	    echo 'check-alloc: ok'; \
	fi

# `make check` (and so `make test`) runs it (it is a grep: no build needed).
check: check-alloc
