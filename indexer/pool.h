/* pool.h - the worker processes. Each worker reads paths from a pipe,
 * extracts each file in its own address space and writes back the result,
 * so a file that crashes or hangs a parser costs one worker, never the run
 * or the catalogue. Only the parent (the single writer) touches SQLite. */
#ifndef REEL_POOL_H
#define REEL_POOL_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

typedef struct pool_opts {
    int workers;
    double file_timeout;      /* the worker's own deadline for parsing a file */
    const char *thumbs_dir;   /* NULL: no thumbnails */
    int thumb_width;
    int verbose;
} pool_opts;

typedef struct pool pool;

typedef struct pool_event {
    size_t job;               /* the id given to pool_submit */
    json_t *result;           /* the record, or {"error": {stage, message}}; caller owns */
} pool_event;

/* Starts opts->workers processes. Returns 0 or -errno. */
int pool_start(pool **out, const pool_opts *opts);
/* Index of a worker with nothing to do, or -1. */
int pool_idle(const pool *p);
/* Number of workers busy with a file. */
int pool_busy(const pool *p);
/* Gives worker w the file at path; the hard limit for it is limit seconds,
 * after which the worker is killed and replaced. Returns 0 or -errno. */
int pool_submit(pool *p, int w, size_t job, const char *path, double limit);
/* Waits for the next finished file: a result, or an error for a worker
 * that died (signal, exit) or passed its hard limit. Returns 0, 1 when no
 * worker is busy, or -errno when a replacement worker cannot be started. */
int pool_next(pool *p, pool_event *ev);
/* Ends the workers (closing their pipes, reaping them) and frees p. */
void pool_free(pool *p);

/* The worker's side: serve jobs from in_fd until it closes. */
void pool_worker_main(int in_fd, int out_fd, const pool_opts *opts);

#endif
