/* cql_frame — frames of the CQL native protocol v4 (spec sections 1-4): the 9-byte
 * header, the bodies of the requests pinpipe sends, and the decoding of every
 * response body.
 *
 * Encoders append to a pp_cql_buf (the caller owns it). Decoders borrow the bytes
 * they read; a decoded pp_cql_response owns what it holds (free with
 * pp_cql_response_clear). Every length field is checked against the bytes present
 * and against the frame-size limit before anything is allocated.
 */
#ifndef PINPIPE_CQL_FRAME_H
#define PINPIPE_CQL_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "cql/cql_result.h"
#include "cql/cql_value.h"
#include "cql/cql_wire.h"

#define PP_CQL_HEADER_LEN 9
/* The spec limits a frame to 256 MB. */
#define PP_CQL_MAX_FRAME_DEFAULT ((size_t)256 * 1024 * 1024)

enum { PP_CQL_V4_REQUEST = 0x04, PP_CQL_V4_RESPONSE = 0x84 };

enum {
    PP_CQL_FLAG_COMPRESSION = 0x01,
    PP_CQL_FLAG_TRACING = 0x02,
    PP_CQL_FLAG_CUSTOM_PAYLOAD = 0x04,
    PP_CQL_FLAG_WARNING = 0x08
};

enum {
    PP_CQL_OP_ERROR = 0x00,
    PP_CQL_OP_STARTUP = 0x01,
    PP_CQL_OP_READY = 0x02,
    PP_CQL_OP_AUTHENTICATE = 0x03,
    PP_CQL_OP_OPTIONS = 0x05,
    PP_CQL_OP_SUPPORTED = 0x06,
    PP_CQL_OP_QUERY = 0x07,
    PP_CQL_OP_RESULT = 0x08,
    PP_CQL_OP_PREPARE = 0x09,
    PP_CQL_OP_EXECUTE = 0x0A,
    PP_CQL_OP_REGISTER = 0x0B,
    PP_CQL_OP_EVENT = 0x0C,
    PP_CQL_OP_BATCH = 0x0D,
    PP_CQL_OP_AUTH_CHALLENGE = 0x0E,
    PP_CQL_OP_AUTH_RESPONSE = 0x0F,
    PP_CQL_OP_AUTH_SUCCESS = 0x10
};

/* Server error codes (spec section 9) that callers act on. */
enum {
    PP_CQL_ERR_SERVER = 0x0000,
    PP_CQL_ERR_PROTOCOL = 0x000A,
    PP_CQL_ERR_AUTH = 0x0100,
    PP_CQL_ERR_UNAVAILABLE = 0x1000,
    PP_CQL_ERR_OVERLOADED = 0x1001,
    PP_CQL_ERR_WRITE_TIMEOUT = 0x1100,
    PP_CQL_ERR_READ_TIMEOUT = 0x1200,
    PP_CQL_ERR_SYNTAX = 0x2000,
    PP_CQL_ERR_UNAUTHORIZED = 0x2100,
    PP_CQL_ERR_INVALID = 0x2200,
    PP_CQL_ERR_CONFIG = 0x2300,
    PP_CQL_ERR_ALREADY_EXISTS = 0x2400,
    PP_CQL_ERR_UNPREPARED = 0x2500
};

enum { PP_CQL_BATCH_LOGGED = 0, PP_CQL_BATCH_UNLOGGED = 1, PP_CQL_BATCH_COUNTER = 2 };

typedef struct {
    uint8_t version, flags;
    int16_t stream;
    uint8_t opcode;
    uint32_t length; /* of the body */
} pp_cql_header;

/* Decodes a header from the first 9 of len bytes. Checks the version byte equals
 * `version` (PP_CQL_V4_RESPONSE for a client) and length <= max_body.
 * 0 or PP_EPROTO with a message. */
int pp_cql_header_decode(const uint8_t *p, size_t len, uint8_t version, size_t max_body, pp_cql_header *h, char *err,
                         size_t errlen);

/* Starts a frame in b (a header with length 0); returns the header's offset. */
size_t pp_cql_frame_begin(pp_cql_buf *b, uint8_t version, int16_t stream, uint8_t opcode);
/* Ends the frame started at `start`: patches its length. PP_EINVAL if the body is
 * larger than max_body, else b->err; message in err. */
int pp_cql_frame_end(pp_cql_buf *b, size_t start, size_t max_body, char *err, size_t errlen);
/* Rewrites the stream id of the frame at `frame`. */
void pp_cql_frame_set_stream(uint8_t *frame, int16_t stream);

/* Request bodies. */
void pp_cql_body_startup(pp_cql_buf *b); /* CQL_VERSION 3.0.0, no compression */
void pp_cql_body_auth_plain(pp_cql_buf *b, const char *user, const char *password);

/* "<n><value_1>...<value_n>": n values, each encoded for bind[i].type when bind is
 * given (nbind must then equal n), else by its own kind. PP_EINVAL with a message
 * naming the value on a mismatch. */
int pp_cql_encode_values(pp_cql_buf *b, const pp_cql_value *vals, size_t n, const pp_cql_column *bind, size_t nbind,
                         char *err, size_t errlen);

typedef struct {
    uint16_t consistency;
    int32_t page_size;           /* > 0: pages of this many rows; else no paging */
    const uint8_t *paging_state; /* non-NULL: continue from this state */
    size_t paging_len;
    const uint8_t *values; /* output of pp_cql_encode_values, or NULL */
    size_t values_len;
} pp_cql_query_params;

/* <query_parameters> of QUERY and EXECUTE. */
void pp_cql_body_query_params(pp_cql_buf *b, const pp_cql_query_params *p);

/* BATCH: begin, then one item per statement (prepared id or query text, and its
 * encoded values or NULL), then end. */
void pp_cql_body_batch_begin(pp_cql_buf *b, uint8_t type, uint16_t n);
void pp_cql_body_batch_prepared(pp_cql_buf *b, const uint8_t *id, size_t idlen, const uint8_t *values,
                                size_t values_len);
void pp_cql_body_batch_query(pp_cql_buf *b, const char *cql, const uint8_t *values, size_t values_len);
void pp_cql_body_batch_end(pp_cql_buf *b, uint16_t consistency);

typedef struct {
    pp_cql_header h;
    int32_t error_code;    /* ERROR */
    char *message;         /* ERROR: message; AUTHENTICATE: authenticator class */
    uint8_t *token;        /* AUTH_CHALLENGE/AUTH_SUCCESS token; ERROR 0x2500: the id */
    int32_t token_len;     /* -1: null */
    pp_cql_result *result; /* RESULT */
    size_t nwarnings;      /* warnings the server attached (logged as they arrive) */
} pp_cql_response;

/* Decodes a response body (after its header h). On success *out owns what it holds.
 * 0, PP_EPROTO (malformed, unexpected opcode) or PP_ENOMEM, message in err. */
int pp_cql_response_decode(const pp_cql_header *h, const uint8_t *body, size_t len, pp_cql_response *out, char *err,
                           size_t errlen);
/* Decodes one whole response frame (header and body) from buf. */
int pp_cql_frame_decode(const uint8_t *buf, size_t len, size_t max_body, pp_cql_response *out, char *err,
                        size_t errlen);
void pp_cql_response_clear(pp_cql_response *r);

/* "Invalid", "Syntax error", ... ; "Unknown" for codes the spec does not name. */
const char *pp_cql_error_name(int32_t code);
/* "code 0x2200 Invalid: <message>" */
void pp_cql_error_format(int32_t code, const char *message, char *err, size_t errlen);

#endif
