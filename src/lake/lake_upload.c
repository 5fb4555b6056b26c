#include "lake/lake_upload.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/mem.h"
#include "common/strbuf.h"
#include "contract/lake_name.h"
#include "lake/lake_gzip.h"

typedef enum { IDLE = 0, RUNNING, DONE } job_state;

typedef struct {
    pp_lake_uploads *u;
    pthread_t thread;
    void *ud;
    pp_strbuf zbuf; /* this thread's gzip */
    /* the job, under u->mu */
    job_state state;
    uint64_t id;
    char key[PP_LAKE_KEY_MAX];
    const void *data;
    size_t len;
    int rc;
    size_t stored;
    char err[512];
} worker;

struct pp_lake_uploads {
    pthread_mutex_t mu;
    pthread_cond_t work, done;
    int stopping;
    pp_lake_put_fn put;
    int gzip;
    int n, busy;
    worker w[PP_LAKE_UPLOADS_MAX];
};

static void *worker_main(void *arg) {
    worker *w = arg;
    pp_lake_uploads *u = w->u;
    pthread_mutex_lock(&u->mu);
    for (;;) {
        while (w->state != RUNNING && !u->stopping) pthread_cond_wait(&u->work, &u->mu);
        if (w->state != RUNNING) break; /* stopping, nothing to do */
        pthread_mutex_unlock(&u->mu);
        /* the job's fields are this thread's until it sets DONE */
        const void *data = w->data;
        size_t len = w->len;
        int rc = PP_OK;
        w->err[0] = '\0';
        if (u->gzip && (rc = pp_lake_gzip(data, len, &w->zbuf, w->err, sizeof w->err)) == PP_OK) {
            data = w->zbuf.data;
            len = w->zbuf.len;
        }
        if (rc == PP_OK) rc = u->put(w->ud, w->key, data, len, w->err, sizeof w->err);
        pthread_mutex_lock(&u->mu);
        w->rc = rc;
        w->stored = len;
        w->state = DONE;
        pthread_cond_broadcast(&u->done);
    }
    pthread_mutex_unlock(&u->mu);
    return NULL;
}

static void stop_workers(pp_lake_uploads *u, int started) {
    pthread_mutex_lock(&u->mu);
    u->stopping = 1;
    pthread_cond_broadcast(&u->work);
    pthread_mutex_unlock(&u->mu);
    for (int i = 0; i < started; i++) pthread_join(u->w[i].thread, NULL);
}

int pp_lake_uploads_create(pp_lake_uploads **out, int n, pp_lake_put_fn put, void *const *uds, int gzip, char *err,
                           size_t errlen) {
    *out = NULL;
    if (n < 1 || n > PP_LAKE_UPLOADS_MAX || !put) {
        pp_errf(err, errlen, "lake uploads: 1 to %d threads and a put function", PP_LAKE_UPLOADS_MAX);
        return PP_EINVAL;
    }
    pp_lake_uploads *u = pp_xcalloc(1, sizeof *u);
    pthread_mutex_init(&u->mu, NULL);
    pthread_cond_init(&u->work, NULL);
    pthread_cond_init(&u->done, NULL);
    u->put = put;
    u->gzip = gzip;
    u->n = n;
    for (int i = 0; i < n; i++) {
        worker *w = &u->w[i];
        w->u = u;
        w->ud = uds[i];
        pp_sb_init(&w->zbuf);
        if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
            pp_errf(err, errlen, "lake uploads: cannot start a thread");
            stop_workers(u, i);
            for (int k = 0; k < n; k++) pp_sb_free(&u->w[k].zbuf);
            free(u);
            return PP_ENOMEM;
        }
    }
    *out = u;
    return PP_OK;
}

void pp_lake_uploads_destroy(pp_lake_uploads *u) {
    if (!u) return;
    stop_workers(u, u->n); /* a running upload finishes first */
    for (int i = 0; i < u->n; i++) pp_sb_free(&u->w[i].zbuf);
    pthread_cond_destroy(&u->work);
    pthread_cond_destroy(&u->done);
    pthread_mutex_destroy(&u->mu);
    free(u);
}

int pp_lake_uploads_submit(pp_lake_uploads *u, uint64_t id, const char *key, const void *data, size_t len) {
    pthread_mutex_lock(&u->mu);
    worker *w = NULL;
    for (int i = 0; i < u->n && !w; i++)
        if (u->w[i].state == IDLE) w = &u->w[i];
    if (w) {
        w->id = id;
        snprintf(w->key, sizeof w->key, "%s", key);
        w->data = data;
        w->len = len;
        w->state = RUNNING;
        u->busy++;
        pthread_cond_broadcast(&u->work);
    }
    pthread_mutex_unlock(&u->mu);
    return w ? PP_OK : PP_EBUSY;
}

int pp_lake_uploads_reap(pp_lake_uploads *u, int wait, pp_lake_upload_done *out) {
    int got = 0;
    pthread_mutex_lock(&u->mu);
    for (;;) {
        for (int i = 0; i < u->n && !got; i++) {
            worker *w = &u->w[i];
            if (w->state != DONE) continue;
            out->id = w->id;
            out->rc = w->rc;
            out->stored = w->stored;
            snprintf(out->err, sizeof out->err, "%s", w->err);
            w->state = IDLE;
            u->busy--;
            got = 1;
        }
        if (got || !wait || u->busy == 0) break;
        pthread_cond_wait(&u->done, &u->mu);
    }
    pthread_mutex_unlock(&u->mu);
    return got;
}

int pp_lake_uploads_busy(const pp_lake_uploads *u) { return u->busy; /* only the caller's thread changes it */ }
