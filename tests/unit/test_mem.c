/* mem — the allocation wrappers: they allocate, copy, and abort with the message. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/mem.h"

/* Under AddressSanitizer (make asan) and ThreadSanitizer (make tsan) an impossible
 * size must fail like the real allocator's NULL rather than stop the test: the
 * wrapper's own path is under test. */
const char *__asan_default_options(void);
const char *__asan_default_options(void) { return "allocator_may_return_null=1"; }
const char *__tsan_default_options(void);
const char *__tsan_default_options(void) { return "allocator_may_return_null=1"; }

static void test_alloc_basics(void **state) {
    (void)state;
    char *p = pp_xmalloc(16);
    memset(p, 'a', 16);
    p = pp_xrealloc(p, 4096);
    assert_int_equal(p[15], 'a');
    free(p);
    unsigned char *z = pp_xcalloc(100, 4);
    for (size_t i = 0; i < 400; i++) assert_int_equal(z[i], 0);
    free(z);
    free(pp_xmalloc(0)); /* zero sizes give a pointer, never NULL */
    void *c0 = pp_xcalloc(0, 8);
    assert_non_null(c0);
    free(c0);
    void *t = pp_try_malloc(8);
    assert_non_null(t);
    t = pp_try_realloc(t, 64);
    assert_non_null(t);
    free(t);
    free(pp_try_calloc(3, 3));
}

static void test_strdup_family(void **state) {
    (void)state;
    char *d = pp_xstrdup("hello");
    assert_string_equal(d, "hello");
    free(d);
    d = pp_xstrdup("");
    assert_string_equal(d, "");
    free(d);
    const char src[5] = {'a', 'b', 'c', 'd', 'e'}; /* not terminated: at most n bytes are read */
    d = pp_xstrndup(src, 3);
    assert_string_equal(d, "abc");
    free(d);
    d = pp_xstrndup(src, 5);
    assert_int_equal(strlen(d), 5);
    assert_memory_equal(d, "abcde", 6);
    free(d);
    d = pp_xstrndup("ab\0cd", 5); /* stops at an earlier NUL */
    assert_string_equal(d, "ab");
    free(d);
    d = pp_xstrndup("xyz", 0);
    assert_string_equal(d, "");
    free(d);
}

static void test_try_overflow_is_null(void **state) {
    (void)state;
    assert_null(pp_try_calloc(SIZE_MAX / 2, 4)); /* n * size overflows */
    void *p = pp_xmalloc(8);
    assert_null(pp_try_realloc(p, SIZE_MAX - 16)); /* p stays ours */
    free(p);
}

/* Runs fn in a child; asserts it aborted and wrote the message (stderr captured). */
static void expect_abort(void (*fn)(void), const char *want) {
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        dup2(fds[1], STDERR_FILENO);
        fn();
        _exit(0); /* not reached when fn aborts */
    }
    close(fds[1]);
    char buf[256];
    size_t n = 0;
    ssize_t r;
    while (n < sizeof buf - 1 && (r = read(fds[0], buf + n, sizeof buf - 1 - n)) > 0) n += (size_t)r;
    buf[n] = '\0';
    close(fds[0]);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGABRT);
    assert_non_null(strstr(buf, want));
}

static void calloc_overflow(void) {
    void *volatile p = pp_xcalloc(SIZE_MAX / 2, 4);
    free(p);
}

static void malloc_huge(void) {
    void *volatile p = pp_xmalloc(SIZE_MAX - 4096);
    free(p);
}

static void test_calloc_overflow_aborts(void **state) {
    (void)state;
    expect_abort(calloc_overflow, "pinpipe: out of memory (");
}

static void test_malloc_failure_aborts_with_size(void **state) {
    (void)state;
    char want[64];
    snprintf(want, sizeof want, "pinpipe: out of memory (%zu bytes)\n", (size_t)SIZE_MAX - 4096);
    expect_abort(malloc_huge, want);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alloc_basics),
        cmocka_unit_test(test_strdup_family),
        cmocka_unit_test(test_try_overflow_is_null),
        cmocka_unit_test(test_calloc_overflow_aborts),
        cmocka_unit_test(test_malloc_failure_aborts_with_size),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
