/* serve_assets — the dashboard's files, compiled into the binary from web/serve/
 * (ci/embed-assets.sh generates the table at build time). */
#ifndef PINPIPE_SERVE_ASSETS_H
#define PINPIPE_SERVE_ASSETS_H

#include <stddef.h>

typedef struct {
    const char *path; /* "/index.html" */
    const char *type; /* Content-Type */
    const unsigned char *data;
    size_t len;
} pp_serve_asset;

extern const pp_serve_asset PP_SERVE_ASSETS[];
extern const size_t PP_SERVE_NASSETS;

#endif
