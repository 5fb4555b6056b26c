/* pinpipe rules — list the cleaning rules; `rules check` runs them over the fixtures. */
#define _GNU_SOURCE /* open_memstream is POSIX 2008; glob too */
#include <glob.h>
#include <jansson.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clean/clean.h"
#include "clean/rules.h"
#include "contract/mixed_line.h"
#include "event/kind_event.h"
#include "metrics/clean_run.h"
#include "cli/cli_io.h"
#include "cli/cli_opts.h"
#include "cli/commands.h"
#include "common/mem.h"
#include "common/options.h"
#include "common/strbuf.h"

#define MAX_EXAMPLES 3

typedef struct {
    const char *dir; /* --fixtures */
    long examples;   /* --examples */
} check_cfg;

static const pp_opt ROWS[] = {
    {"fixtures", 0, "DIR", "PINPIPE_FIXTURES", "fixtures", pp_opt_str, offsetof(check_cfg, dir), 0, 0, 0,
     "the fixture corpus"},
    {"examples", 0, "N", NULL, PP_STR(MAX_EXAMPLES), pp_opt_long, offsetof(check_cfg, examples), 0, LONG_MAX, 0,
     "examples per rule"},
    CLI_ROW_HELP,
};

static const char HEAD[] = "usage: pinpipe rules [--examples]\n"
                           "       pinpipe rules check [--fixtures DIR] [--examples N]\n"
                           "\n"
                           "`pinpipe rules` lists the cleaning rules in the order they run: name, field, and\n"
                           "what the rule does (--examples adds an input and output for each).\n"
                           "\n"
                           "`pinpipe rules check` runs the rules over the fixture corpus DIR/raw/*.jsonl\n"
                           "(default ./fixtures, env PINPIPE_FIXTURES) and shows\n"
                           "  - per rule, how many records it changed, with up to N examples (default 3) of\n"
                           "    the fields it changed (found by running the corpus without that rule);\n"
                           "  - every difference between the output and DIR/expected/NAME.{cleaned,rejects,\n"
                           "    metrics}.jsonl.\n"
                           "It exits 0 when the output equals the expectations, 1 when it differs, 3 when a\n"
                           "file cannot be read. `make fixtures` rewrites the expectations for review.\n"
                           "\n"
                           "options of `rules check` (environment variable and default in brackets):\n";
const pp_opts_spec CLI_RULES_SPEC = PP_OPTS_SPEC("rules check", ROWS, HEAD, NULL);

static int list_rules(int examples) {
    printf("%-3s %-28s %-18s %s\n", "#", "rule", "field", "description");
    for (size_t i = 0; i < PP_N_RULES; i++) {
        printf("%-3zu %-28s %-18s %s\n", i + 1, PP_RULES[i].name, PP_RULES[i].field, PP_RULES[i].description);
        if (examples) printf("    %-28s %s -> %s\n", "", PP_RULES[i].example_in, PP_RULES[i].example_out);
    }
    return 0;
}

/* ---- rules check ----------------------------------------------------------- */

typedef struct {
    char **items;
    size_t n, cap;
} lines;

static void lines_push(lines *l, char *s) {
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->items = pp_xrealloc(l->items, l->cap * sizeof(char *));
    }
    l->items[l->n++] = s;
}

static void lines_free(lines *l) {
    for (size_t i = 0; i < l->n; i++) free(l->items[i]);
    free(l->items);
    memset(l, 0, sizeof *l);
}

/* Splits a buffer into lines (without '\n'); keeps empty lines so numbers match. */
static void split_lines(const char *buf, size_t len, lines *out, int keep_empty) {
    size_t start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && buf[i] != '\n') continue;
        if (i > start || (keep_empty && i < len)) lines_push(out, pp_xstrndup(buf + start, i - start));
        start = i + 1;
    }
}

static int read_file(const char *path, lines *out, int keep_empty) {
    pp_strbuf sb;
    pp_sb_init(&sb);
    int rc = pp_sb_append_file(&sb, path);
    if (rc == 0) split_lines(sb.data ? sb.data : "", sb.len, out, keep_empty);
    pp_sb_free(&sb);
    return rc;
}

/* Appends ,"name":[fields...] for the fields of kind whose bit is set in mask. */
static void put_dq(pp_strbuf *sb, pp_kind kind, const char *name, uint32_t mask) {
    pp_sb_printf(sb, ",\"%s\":[", name);
    for (int f = 0, n = 0; f < 32; f++) {
        if (!(mask & (1u << f))) continue;
        if (n++) pp_sb_putc(sb, ',');
        pp_sb_json_cstr(sb, pp_kind_field_name(kind, f));
    }
    pp_sb_putc(sb, ']');
}

/* The outcome of cleaning one line, as text: the cleaned JSON plus its data-quality
 * bits (a rule may change only those: a placeholder is nulled, not invalid), or
 * {"rejected": reason}. */
static char *outcome(const char *line, uint64_t disabled) {
    pp_clean_opts opts;
    pp_clean_opts_default(&opts);
    opts.disabled_rules |= disabled;
    pp_kind kind = PP_KIND_PIN;
    pp_strbuf raw, sb;
    pp_sb_init(&raw);
    pp_sb_init(&sb);
    const char *why;
    int64_t ingest = -1;
    if (pp_mixed_line_sniff(line, strlen(line)) && pp_mixed_line_parse(line, strlen(line), &kind, &ingest, &raw, &why))
        pp_sb_printf(&sb, "{\"unreadable\":\"%s\"}", why);
    else if (raw.len == 0)
        pp_sb_puts(&raw, line);
    pp_record rec;
    pp_reject rej;
    if (sb.len) {
        /* not a mixed-input line: said above */
    } else if (pp_clean_record(kind, raw.data, raw.len, &opts, &rec, &rej, NULL) == 0) {
        uint32_t nulled = kind == PP_KIND_GEO ? rec.geo.nulled
            : kind == PP_KIND_USER            ? rec.user.nulled
                                              : rec.pin.nulled;
        uint32_t invalid = kind == PP_KIND_GEO ? rec.geo.invalid
            : kind == PP_KIND_USER             ? rec.user.invalid
                                               : rec.pin.invalid;
        if (kind == PP_KIND_GEO)
            pp_geo_to_json(&rec.geo, &sb);
        else if (kind == PP_KIND_USER)
            pp_user_to_json(&rec.user, &sb);
        else
            pp_pin_to_json(&rec.pin, &sb);
        sb.data[--sb.len] = '\0'; /* reopen the object */
        put_dq(&sb, kind, "_nulled", nulled);
        put_dq(&sb, kind, "_invalid", invalid);
        pp_sb_putc(&sb, '}');
        pp_record_clear(&rec);
    } else {
        pp_sb_printf(&sb, "{\"rejected\":\"%s\"}", rej.reason);
    }
    pp_sb_free(&raw);
    return pp_sb_steal(&sb);
}

/* Prints the members whose values differ: "field: before -> after". */
static void print_field_changes(const char *before, const char *after) {
    json_t *a = json_loads(before, 0, NULL), *b = json_loads(after, 0, NULL);
    const char *k;
    json_t *va;
    int printed = 0;
    if (a && b) {
        json_object_foreach(b, k, va) {
            json_t *vb = json_object_get(a, k);
            if (vb && json_equal(va, vb)) continue;
            char *sa = vb ? json_dumps(vb, JSON_ENCODE_ANY) : pp_xstrdup("(absent)");
            char *sb = json_dumps(va, JSON_ENCODE_ANY);
            printf("%s%s: %s -> %s", printed++ ? ", " : "", k, sa, sb);
            free(sa);
            free(sb);
        }
        json_object_foreach(a, k, va) {
            if (json_object_get(b, k)) continue;
            printf("%s%s: removed", printed++ ? ", " : "", k);
        }
    }
    printf("\n");
    json_decref(a);
    json_decref(b);
}

/* Shows per rule what it changes: the corpus with the rule vs without it. */
static void show_rule_effects(const lines *raw, const char *name, long examples) {
    char **full = pp_xcalloc(raw->n + 1, sizeof(char *));
    for (size_t i = 0; i < raw->n; i++) full[i] = raw->items[i][0] ? outcome(raw->items[i], 0) : NULL;
    printf("\n%s: what each rule changes (%zu input lines)\n", name, raw->n);
    for (size_t r = 0; r < PP_N_RULES; r++) {
        size_t changed = 0;
        for (size_t i = 0; i < raw->n; i++) {
            if (!full[i]) continue;
            char *without = outcome(raw->items[i], UINT64_C(1) << r);
            if (strcmp(without, full[i]) != 0) {
                if ((long)changed < examples) {
                    printf("  %-28s line %zu: ", PP_RULES[r].name, i + 1);
                    print_field_changes(without, full[i]);
                }
                changed++;
            }
            free(without);
        }
        printf("  %-28s changed %zu record(s)\n", PP_RULES[r].name, changed);
    }
    for (size_t i = 0; i < raw->n; i++) free(full[i]);
    free(full);
}

/* Compares produced lines with the expected file; prints each difference. */
static int compare(const char *what, const char *expected_path, const char *got, size_t got_len) {
    lines exp = {0}, have = {0};
    if (read_file(expected_path, &exp, 0) != 0) {
        printf("  %s: MISSING %s (run `make fixtures`)\n", what, expected_path);
        return 1;
    }
    split_lines(got, got_len, &have, 0);
    int diffs = 0;
    size_t n = exp.n > have.n ? exp.n : have.n;
    for (size_t i = 0; i < n; i++) {
        const char *e = i < exp.n ? exp.items[i] : "(no line)", *g = i < have.n ? have.items[i] : "(no line)";
        if (strcmp(e, g) == 0) continue;
        if (diffs++ < 20) printf("  %s line %zu differs:\n    expected: %s\n    got:      %s\n", what, i + 1, e, g);
    }
    printf("  %-8s %s (%zu lines expected, %zu produced, %d differ)\n", what, diffs ? "DIFFERS" : "ok", exp.n, have.n,
           diffs);
    lines_free(&exp);
    lines_free(&have);
    return diffs != 0;
}

static int check_one(const char *dir, const char *raw_path, long examples) {
    const char *base = strrchr(raw_path, '/') ? strrchr(raw_path, '/') + 1 : raw_path;
    char name[256], path[1024];
    snprintf(name, sizeof name, "%.*s", (int)(strlen(base) - 6), base); /* strip .jsonl */

    FILE *in = fopen(raw_path, "rb");
    if (!in) {
        fprintf(stderr, "pinpipe rules check: %s: cannot open\n", raw_path);
        return 3;
    }
    char *cleaned = NULL, *rejects = NULL, *metrics = NULL;
    size_t cleaned_len = 0, rejects_len = 0, metrics_len = 0, nlines = 0;
    FILE *c = open_memstream(&cleaned, &cleaned_len), *r = open_memstream(&rejects, &rejects_len);
    FILE *m = open_memstream(&metrics, &metrics_len);
    pp_clean_opts opts;
    pp_clean_opts_default(&opts);
    pp_tally t;
    pp_tally_init(&t, &opts);
    pp_tally_enable_join(&t);
    pp_clean_run_opts ro = {.name = raw_path,
                            .input = PP_INPUT_EVENTS,
                            .max_line = PP_DEFAULT_MAX_LINE,
                            .ingest_time_ms = -1,
                            .cleaned_out = c,
                            .rejects_out = r};
    int rc = pp_clean_run(in, &ro, &t, &nlines);
    pp_tally_finish_join(&t);
    pp_agg_write_jsonl(t.agg, m);
    fclose(c);
    fclose(r);
    fclose(m);
    fclose(in);
    printf("%s: %zu lines, %llu cleaned, %llu rejected, %llu repeats\n", name, nlines, (unsigned long long)t.cleaned,
           (unsigned long long)t.rejected, (unsigned long long)t.duplicates);
    if (rc == 0) {
        snprintf(path, sizeof path, "%s/expected/%s.cleaned.jsonl", dir, name);
        rc |= compare("cleaned", path, cleaned, cleaned_len);
        snprintf(path, sizeof path, "%s/expected/%s.rejects.jsonl", dir, name);
        rc |= compare("rejects", path, rejects, rejects_len);
        snprintf(path, sizeof path, "%s/expected/%s.metrics.jsonl", dir, name);
        rc |= compare("metrics", path, metrics, metrics_len);
    }
    lines raw = {0};
    if (read_file(raw_path, &raw, 1) == 0) show_rule_effects(&raw, name, examples);
    lines_free(&raw);
    pp_tally_free(&t);
    free(cleaned);
    free(rejects);
    free(metrics);
    return rc;
}

static int check(int argc, char **argv) {
    check_cfg cfg = {0};
    int rc = pp_opts_parse(&CLI_RULES_SPEC, &cfg, argc, argv, NULL);
    if (rc != PP_OPTS_RUN) return pp_opts_exit(rc);
    const char *dir = cfg.dir;
    long examples = cfg.examples;
    char pattern[1024];
    snprintf(pattern, sizeof pattern, "%s/raw/*.jsonl", dir);
    glob_t g;
    if (glob(pattern, 0, NULL, &g) != 0) {
        fprintf(stderr, "pinpipe rules check: no fixtures match %s\n", pattern);
        return 3;
    }
    for (size_t i = 0; i < g.gl_pathc; i++) {
        int r = check_one(dir, g.gl_pathv[i], examples);
        if (r > rc) rc = r;
    }
    globfree(&g);
    printf("\nrules check: %s\n", rc == 0 ? "output equals the expectations" : "DIFFERENCES (see above)");
    return rc;
}

int cmd_rules(int argc, char **argv) {
    if (argc >= 2 && strcmp(argv[1], "check") == 0) return check(argc - 1, argv + 1);
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")))
        return pp_opts_usage(stdout, &CLI_RULES_SPEC), 0;
    if (argc >= 2 && !strcmp(argv[1], "--examples")) return list_rules(1);
    if (argc >= 2) {
        fprintf(stderr, "pinpipe rules: unknown argument '%s'\n", argv[1]);
        pp_opts_usage(stderr, &CLI_RULES_SPEC);
        return 2;
    }
    return list_rules(0);
}
