/* serve_live — the live view, from the stream's PostgreSQL tables alone: pins stored
 * per minute over the last hour, and the most active posters and categories of the
 * last N minutes.
 *
 * "When" is the pin's ingest time (when the API accepted it), so the view shows the
 * pipeline's traffic now even while clients post old events; PostgreSQL's clock
 * decides "now" (minutes are UTC). Uses the index pins_ingested_idx (stream schema
 * version 2). Only distinct pins are counted (the first occurrence per day), as the
 * stream stores them.
 */
#ifndef PINPIPE_SERVE_LIVE_H
#define PINPIPE_SERVE_LIVE_H

#include <stddef.h>

#include "common/strbuf.h"
#include "serve/serve_params.h"
#include "serve/serve_store.h"

#define PP_LIVE_MINUTES_SHOWN 60

/* Answers r (minutes, top, table, csv) into out; 0, or PP_E* with err (the store). */
int pp_serve_live(pp_serve_conn *c, const pp_serve_request *r, pp_strbuf *out, char *err, size_t errlen);

#endif
