/* api_reply — the JSON bodies the ingest API answers with (pure functions, no MHD,
 * so the shapes are unit-tested on their own). Each appends to a caller's strbuf.
 *
 * The shapes follow FastAPI + pydantic v2, so clients written for the seeds' API
 * read them unchanged:
 *   200  the item echoed back, as pydantic serialises the model (see echo below)
 *   422  {"detail":[{"type":T,"loc":["body",FIELD],"msg":M,"input":V}, ...]}
 *   400  {"detail":[{"type":"json_invalid","loc":["body",POS],"msg":"JSON decode error",
 *                    "input":{},"ctx":{"error":TEXT}}]}   (FastAPI: the same body, 422)
 *   4xx  {"detail":"Not Found"} and the like
 *   503  {"detail":TEXT,"reason":R}
 */
#ifndef PINPIPE_API_REPLY_H
#define PINPIPE_API_REPLY_H

#include <stddef.h>

#include "common/strbuf.h"
#include "event/event.h"
#include "event/kind_event.h"

/* For "missing" errors pydantic's input is the whole body object; bodies larger than
 * this are not repeated (the input is then {}), so an error reply stays small. */
#define PP_API_REPLY_MAX_ECHOED_INPUT 65536

/* The validated event ev (pp_event_parse returned PP_OK) as pydantic serialises the
 * model: every field of the model in model order (index, unique_id, title,
 * description, poster_name, follower_count, tag_list, is_image_or_video, image_src,
 * downloaded, save_location, category, timestamp), int fields as coerced numbers
 * ("12" -> 12), optional fields that were absent as null, unknown fields dropped. */
void pp_api_reply_echo(pp_strbuf *sb, const pp_event *ev);

/* 422 body for an event that is JSON but fails the model (status NOT_OBJECT or
 * INVALID_FIELDS): one entry per error in ev->errors, in order. body_len is the
 * request body's size (see PP_API_REPLY_MAX_ECHOED_INPUT). */
void pp_api_reply_invalid(pp_strbuf *sb, const pp_event *ev, size_t body_len);

/* The validated geo or user event ev (pp_kind_event_parse returned PP_OK) the same
 * way: every field of its model (kind_event.h) in model order; ints as numbers, float
 * fields as Python's repr of the float ("48.5" -> 48.5, 2 -> 2.0; not finite: null, as
 * pydantic's default ser_json_inf_nan), str and datetime fields as the strings given,
 * the optional user timestamp null when absent. */
void pp_api_reply_kind_echo(pp_strbuf *sb, const pp_kind_event *ev);

/* 422 body for a geo or user event that is JSON but fails its model, as
 * pp_api_reply_invalid; loc names the kind's fields (pp_kind_field_name). */
void pp_api_reply_kind_invalid(pp_strbuf *sb, const pp_kind_event *ev, size_t body_len);

/* Appends d as Python's repr(float) writes it (shortest text that reads back as d:
 * 0.1, 2.0, 1e+16, 1.5e-05), or null when d is not finite. */
void pp_api_reply_float(pp_strbuf *sb, double d);

/* 422 body for an empty body: [{"type":"missing","loc":["body"],"msg":"Field required",
 * "input":null}], as FastAPI answers. */
void pp_api_reply_body_missing(pp_strbuf *sb);

/* 400 body for body[0..len) that is not JSON (or not UTF-8): re-parses it to find
 * the byte position and reason. */
void pp_api_reply_json_invalid(pp_strbuf *sb, const char *body, size_t len);

/* {"detail":MSG} */
void pp_api_reply_detail(pp_strbuf *sb, const char *msg);

/* {"detail":MSG,"reason":REASON} (503 answers) */
void pp_api_reply_unavailable(pp_strbuf *sb, const char *msg, const char *reason);

#endif
