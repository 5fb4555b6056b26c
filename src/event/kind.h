/* kind — the three kinds of event a post is made of: pin, geo and user
 * (docs/joins.md). They share the post's `ind`.
 *
 * Each kind has a name (the `pinpipe-kind` header, the lake line's "kind", the
 * `--mixed` input's "kind"), an API path and a default topic. Nothing allocates.
 */
#ifndef PINPIPE_EVENT_KIND_H
#define PINPIPE_EVENT_KIND_H

#include <stddef.h>

typedef enum { PP_KIND_PIN = 0, PP_KIND_GEO, PP_KIND_USER, PP_KIND_COUNT } pp_kind;

const char *pp_kind_name(pp_kind k);          /* "pin", "geo", "user" */
const char *pp_kind_default_topic(pp_kind k); /* "pins", "geo", "users" */
const char *pp_kind_path(pp_kind k);          /* "/pin/", "/geo/", "/user/" */
/* The topic a component uses for kind k (docs/joins.md, "Which topics"):
 *   configured non-NULL: it ("" turns the kind off: NULL is returned);
 *   configured NULL: the kind's default topic when pins_topic is the default "pins",
 *   else NULL (a pipeline with a topic of its own names its other topics, or carries
 *   pins only). For PP_KIND_PIN it returns pins_topic. */
const char *pp_kind_topic(pp_kind k, const char *configured, const char *pins_topic);

/* 0 and *k set when name[0..n) is a kind's name, else -1. */
int pp_kind_parse(const char *name, size_t n, pp_kind *k);

#endif
