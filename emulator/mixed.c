#include "common/mem.h"
#include "mixed.h"

#include <stdlib.h>
#include <string.h>

#include "common/strbuf.h"
#include "jsonw.h"

int pp_emu_mixed_write(FILE *f, const pp_emu_out *o) {
    if (fputs("{\"kind\":\"", f) == EOF || fputs(pp_kind_name(o->kind), f) == EOF) return EOF;
    if (o->json) {
        if (fputs("\",\"event\":", f) == EOF || fwrite(o->line, 1, o->len, f) != o->len) return EOF;
    } else if (!pp_utf8_valid(o->line, o->len)) { /* no JSON string can hold them */
        pp_strbuf b64;
        pp_sb_init(&b64);
        pp_sb_base64(&b64, o->line, o->len);
        int bad = fputs("\",\"raw_base64\":\"", f) == EOF || fwrite(b64.data, 1, b64.len, f) != b64.len ||
            fputc('"', f) == EOF;
        pp_sb_free(&b64);
        if (bad) return EOF;
    } else {
        /* escaping at most sextuples a byte */
        size_t cap = o->len * 6 + 2;
        char *buf = pp_xmalloc(cap), *text = pp_xmalloc(o->len + 1);
        memcpy(text, o->line, o->len);
        text[o->len] = '\0'; /* the events hold no NUL bytes */
        pp_jw w;
        pp_jw_init(&w, buf, cap);
        pp_jw_str(&w, text);
        int bad = fputs("\",\"raw\":", f) == EOF || fwrite(buf, 1, w.len, f) != w.len;
        free(buf);
        free(text);
        if (bad) return EOF;
    }
    return fputs("}\n", f) == EOF ? EOF : 0;
}
