/* cql_conn — one TCP connection to a Cassandra node speaking protocol v4:
 * connect (with a timeout), STARTUP, SASL PLAIN authentication, and requests in
 * flight identified by stream ids, answered in any order.
 *
 * Ownership: the connection owns its socket, buffers and the responses that have
 * arrived but not been collected; pp_cql_conn_wait hands a response to the caller,
 * who then owns it (pp_cql_response_clear). Not thread-safe: one thread at a time.
 *
 * Every request has a deadline (request_timeout_ms from the send). A request whose
 * deadline passes is abandoned: its id stays held until its late response arrives
 * and is dropped. A frame header with a bad version or a body over max_frame, an
 * I/O error or EOF breaks the connection: every request in flight then fails with
 * that reason and later sends fail at once.
 */
#ifndef PINPIPE_CQL_CONN_H
#define PINPIPE_CQL_CONN_H

#include <stddef.h>
#include <stdint.h>

#include "cql/cql_frame.h"
#include "cql/cql_wire.h"

typedef struct {
    const char *host; /* name or address */
    int port;
    const char *user; /* NULL or "": send no credentials */
    const char *password;
    int connect_timeout_ms; /* TCP connect */
    int request_timeout_ms; /* each request, the handshake included */
    size_t max_frame;       /* largest response body accepted */
    int max_streams;        /* requests in flight at most (1..32768) */
} pp_cql_conn_config;

typedef struct pp_cql_conn pp_cql_conn;

/* Connects and completes STARTUP and authentication. On PP_ESERVER (e.g. bad
 * credentials) *server_code (if not NULL) is the server's error code and err reads
 * "code 0x0100 Bad credentials: <server's message>". Others: PP_EIO (connect
 * failed: refused, unreachable, name not found), PP_ETIMEOUT, PP_EPROTO. */
int pp_cql_conn_open(const pp_cql_conn_config *cfg, pp_cql_conn **out, int32_t *server_code, char *err, size_t errlen);
void pp_cql_conn_close(pp_cql_conn *c);

/* Sends a request frame built with any stream id; the allocated id is written into
 * it and into *stream. PP_EINVAL when every stream id is held, PP_EIO/PP_ETIMEOUT
 * when the connection broke (it stays broken). */
int pp_cql_conn_send(pp_cql_conn *c, pp_cql_buf *frame, int *stream, char *err, size_t errlen);

/* Waits for the response to `stream` and collects it into *out (0), releasing the
 * id. PP_ETIMEOUT: its deadline passed (abandoned). PP_EPROTO: its response was
 * malformed. PP_EIO: the connection broke. PP_EINVAL: stream not in flight. */
int pp_cql_conn_wait(pp_cql_conn *c, int stream, pp_cql_response *out, char *err, size_t errlen);

/* Reads until some request in flight is ready to collect (answered, failed or past
 * its deadline) and returns its id in *stream, without collecting it. Waits at most
 * timeout_ms (< 0: until the earliest deadline). PP_ETIMEOUT if none became ready,
 * PP_EINVAL if nothing is in flight. Ready requests come out in arrival order. */
int pp_cql_conn_poll(pp_cql_conn *c, int timeout_ms, int *stream, char *err, size_t errlen);

/* Gives up on `stream` without collecting it: an answer already here is dropped and
 * the id released; else the answer is dropped when it arrives. */
void pp_cql_conn_abandon(pp_cql_conn *c, int stream);

/* send + wait. */
int pp_cql_conn_request(pp_cql_conn *c, pp_cql_buf *frame, pp_cql_response *out, char *err, size_t errlen);

int pp_cql_conn_inflight(const pp_cql_conn *c);
/* 0 while usable, else the PP_E* that broke it. */
int pp_cql_conn_broken(const pp_cql_conn *c);
size_t pp_cql_conn_max_frame(const pp_cql_conn *c);

#endif
