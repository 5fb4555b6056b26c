#include "contract/mixed_line.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

int pp_mixed_line_sniff(const char *line, size_t len) { return len >= 8 && memcmp(line, "{\"kind\":", 8) == 0; }

int pp_mixed_line_parse(const char *line, size_t len, pp_kind *kind, int64_t *ingest_time_ms, pp_strbuf *raw,
                        const char **why) {
    json_error_t jerr;
    /* JSON_ALLOW_NUL: an event with "\u0000" is kept for the model to refuse */
    json_t *root = json_loadb(line, len, JSON_ALLOW_NUL, &jerr), *k, *ev = NULL, *rw, *it;
    *why = NULL;
    if (!root || !json_is_object(root))
        *why = "not a JSON object";
    else if (!json_is_string(k = json_object_get(root, "kind")) ||
             pp_kind_parse(json_string_value(k), json_string_length(k), kind))
        *why = "\"kind\" is not pin, geo or user";
    else if ((ev = json_object_get(root, "event")) && !json_object_get(root, "raw")) {
        char *text = json_dumps(ev, JSON_COMPACT | JSON_ENCODE_ANY);
        pp_sb_puts(raw, text);
        free(text);
    } else if (json_is_string(rw = json_object_get(root, "raw")) && !ev)
        pp_sb_append(raw, json_string_value(rw), json_string_length(rw));
    else
        *why = "needs one of \"event\" (JSON) or \"raw\" (a string)";
    if (!*why && (it = json_object_get(root, "ingest_time")) && !json_is_null(it)) {
        if (json_is_integer(it))
            *ingest_time_ms = (int64_t)json_integer_value(it);
        else
            *why = "\"ingest_time\" is not an integer (ms)";
    }
    if (root) json_decref(root);
    return *why ? -1 : 0;
}
