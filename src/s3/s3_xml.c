#include "s3/s3_xml.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <expat.h>

#include "common/error.h"
#include "common/mem.h"
#include "common/strbuf.h"

#define MAX_DEPTH 16
#define MAX_TEXT (64 * 1024) /* no S3 value is near this; bounds a hostile body */

/* Which document is being parsed. */
typedef enum { DOC_LIST, DOC_ERROR } doc_kind;

typedef struct {
    XML_Parser parser;
    doc_kind kind;
    int depth;
    const char *path[MAX_DEPTH]; /* element names of interest, NULL for others */
    pp_strbuf text;              /* character data of the current element */
    int failed;                  /* set by a handler; message in err */
    char err[256];
    /* DOC_LIST */
    s3_list_page *page;
    size_t cap_entries, cap_prefixes;
    /* DOC_ERROR */
    s3_error_info *info;
} parse_state;

static void fail(parse_state *st, const char *fmt, const char *arg) {
    if (!st->failed) {
        st->failed = 1;
        snprintf(st->err, sizeof st->err, fmt, arg);
    }
    XML_StopParser(st->parser, XML_FALSE);
}

/* Interned names: handlers compare pointers to these, so path[] needs no copies. */
static const char *const NAMES[] = {
    "ListBucketResult", "Contents", "Key",   "Size", "ETag",    "LastModified", "IsTruncated", "NextContinuationToken",
    "CommonPrefixes",   "Prefix",   "Error", "Code", "Message", "RequestId",    "Resource"};

static const char *intern(const char *name) {
    for (size_t i = 0; i < sizeof NAMES / sizeof NAMES[0]; i++)
        if (!strcmp(NAMES[i], name)) return NAMES[i];
    return NULL;
}

static int at(const parse_state *st, const char *a, const char *b, const char *c) {
    int want = c ? 3 : b ? 2 : 1;
    if (st->depth != want) return 0;
    return !strcmp(st->path[0] ? st->path[0] : "", a) && (!b || !strcmp(st->path[1] ? st->path[1] : "", b)) &&
        (!c || !strcmp(st->path[2] ? st->path[2] : "", c));
}

static void XMLCALL on_start(void *ud, const XML_Char *name, const XML_Char **attrs) {
    parse_state *st = ud;
    (void)attrs;
    if (st->depth == 0) {
        const char *root = st->kind == DOC_LIST ? "ListBucketResult" : "Error";
        if (strcmp(name, root)) {
            fail(st, "unexpected root element <%s>", name);
            return;
        }
    }
    if (st->depth >= MAX_DEPTH) {
        fail(st, "XML nested too deeply at <%s>", name);
        return;
    }
    st->path[st->depth++] = intern(name);
    pp_sb_reset(&st->text);
    if (st->kind == DOC_LIST && at(st, "ListBucketResult", "Contents", NULL)) {
        s3_list_page *p = st->page;
        if (p->n_entries == st->cap_entries) {
            size_t cap = st->cap_entries ? st->cap_entries * 2 : 16;
            p->entries = pp_xrealloc(p->entries, cap * sizeof *p->entries);
            st->cap_entries = cap;
        }
        p->entries[p->n_entries++] = (s3_list_entry){NULL, -1, NULL, NULL};
    }
}

static void XMLCALL on_text(void *ud, const XML_Char *s, int len) {
    parse_state *st = ud;
    if (st->failed) return;
    if (st->text.len + (size_t)len > MAX_TEXT) {
        fail(st, "%s", "XML text value too long");
        return;
    }
    pp_sb_append(&st->text, s, (size_t)len);
}

static const char *text_of(const parse_state *st) { return st->text.data ? st->text.data : ""; }

static int set_str(parse_state *st, char **dst) {
    char *copy = pp_xstrdup(text_of(st));
    free(*dst);
    *dst = copy;
    return 0;
}

static void copy_fixed(char *dst, size_t cap, const char *src) { snprintf(dst, cap, "%s", src); }

static void end_list(parse_state *st) {
    s3_list_page *p = st->page;
    const char *v = text_of(st);
    if (at(st, "ListBucketResult", "Contents", "Key")) {
        set_str(st, &p->entries[p->n_entries - 1].key);
    } else if (at(st, "ListBucketResult", "Contents", "ETag")) {
        set_str(st, &p->entries[p->n_entries - 1].etag);
    } else if (at(st, "ListBucketResult", "Contents", "LastModified")) {
        set_str(st, &p->entries[p->n_entries - 1].last_modified);
    } else if (at(st, "ListBucketResult", "Contents", "Size")) {
        char *end = NULL;
        errno = 0;
        long long n = strtoll(v, &end, 10);
        if (!*v || *v == '-' || *end || errno || n < 0)
            fail(st, "bad <Size> value '%s'", v);
        else
            p->entries[p->n_entries - 1].size = n;
    } else if (at(st, "ListBucketResult", "Contents", NULL)) {
        if (!p->entries[p->n_entries - 1].key) fail(st, "%s", "<Contents> without <Key>");
    } else if (at(st, "ListBucketResult", "IsTruncated", NULL)) {
        if (!strcmp(v, "true"))
            p->is_truncated = 1;
        else if (!strcmp(v, "false"))
            p->is_truncated = 0;
        else
            fail(st, "bad <IsTruncated> value '%s'", v);
    } else if (at(st, "ListBucketResult", "NextContinuationToken", NULL)) {
        set_str(st, &p->next_token);
    } else if (at(st, "ListBucketResult", "CommonPrefixes", "Prefix")) {
        if (p->n_prefixes == st->cap_prefixes) {
            size_t cap = st->cap_prefixes ? st->cap_prefixes * 2 : 8;
            p->common_prefixes = pp_xrealloc(p->common_prefixes, cap * sizeof *p->common_prefixes);
            st->cap_prefixes = cap;
        }
        p->common_prefixes[p->n_prefixes] = NULL;
        if (!set_str(st, &p->common_prefixes[p->n_prefixes])) p->n_prefixes++;
    }
}

static void end_error(parse_state *st) {
    s3_error_info *e = st->info;
    const char *v = text_of(st);
    if (at(st, "Error", "Code", NULL))
        copy_fixed(e->code, sizeof e->code, v);
    else if (at(st, "Error", "Message", NULL))
        copy_fixed(e->message, sizeof e->message, v);
    else if (at(st, "Error", "RequestId", NULL))
        copy_fixed(e->request_id, sizeof e->request_id, v);
    else if (at(st, "Error", "Resource", NULL))
        copy_fixed(e->resource, sizeof e->resource, v);
}

static void XMLCALL on_end(void *ud, const XML_Char *name) {
    parse_state *st = ud;
    (void)name;
    if (st->failed) return;
    if (st->kind == DOC_LIST)
        end_list(st);
    else
        end_error(st);
    st->depth--;
    pp_sb_reset(&st->text);
}

static void XMLCALL on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid, const XML_Char *pubid,
                               int has_internal_subset) {
    (void)sysid;
    (void)pubid;
    (void)has_internal_subset;
    fail(ud, "DOCTYPE <!DOCTYPE %s> not allowed", name);
}

static int run(parse_state *st, const char *xml, size_t len, char *err, size_t errlen) {
    int rc = PP_OK;
    if (len > INT_MAX) {
        pp_errf(err, errlen, "S3 XML body too large (%zu bytes)", len);
        return PP_EPROTO;
    }
    st->parser = XML_ParserCreate(NULL);
    if (!st->parser) {
        pp_errf(err, errlen, "out of memory creating the XML parser");
        return PP_ENOMEM;
    }
    XML_SetUserData(st->parser, st);
    XML_SetElementHandler(st->parser, on_start, on_end);
    XML_SetCharacterDataHandler(st->parser, on_text);
    XML_SetStartDoctypeDeclHandler(st->parser, on_doctype);
    if (XML_Parse(st->parser, xml, (int)len, XML_TRUE) != XML_STATUS_OK || st->failed) {
        rc = PP_EPROTO;
        if (st->failed)
            pp_errf(err, errlen, "S3 XML: %s", st->err);
        else
            pp_errf(err, errlen, "S3 XML: %s at line %lu column %lu", XML_ErrorString(XML_GetErrorCode(st->parser)),
                    (unsigned long)XML_GetCurrentLineNumber(st->parser),
                    (unsigned long)XML_GetCurrentColumnNumber(st->parser));
    }
    XML_ParserFree(st->parser);
    pp_sb_free(&st->text);
    return rc;
}

int s3_xml_parse_list(const char *xml, size_t len, s3_list_page *out, char *err, size_t errlen) {
    memset(out, 0, sizeof *out);
    parse_state st = {.kind = DOC_LIST, .page = out};
    int rc = run(&st, xml, len, err, errlen);
    if (rc) s3_list_page_free(out);
    return rc;
}

void s3_list_page_free(s3_list_page *page) {
    if (!page) return;
    for (size_t i = 0; i < page->n_entries; i++) {
        free(page->entries[i].key);
        free(page->entries[i].etag);
        free(page->entries[i].last_modified);
    }
    for (size_t i = 0; i < page->n_prefixes; i++) free(page->common_prefixes[i]);
    free(page->entries);
    free(page->common_prefixes);
    free(page->next_token);
    memset(page, 0, sizeof *page);
}

int s3_xml_parse_error(const char *xml, size_t len, s3_error_info *out, char *err, size_t errlen) {
    memset(out, 0, sizeof *out);
    parse_state st = {.kind = DOC_ERROR, .info = out};
    int rc = run(&st, xml, len, err, errlen);
    if (rc) memset(out, 0, sizeof *out);
    return rc;
}
