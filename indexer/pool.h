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
    int thumbs_force;         /* remake thumbnails even when their files exist */
    int verbose;
    int hash_only;            /* jobs only hash the file (`reel verify`): the result is
                               * {"sha256", "size"} or {"error": {...}, "gone": true?} */
    long memory_limit_mb;     /* each worker's address space (RLIMIT_AS); 0: unlimited */
} pool_opts;

typedef struct pool pool;

typedef struct pool_event {
    size_t job;               /* the id given to pool_submit */
    json_t *result;           /* the record, or {"error": {stage, message}}; caller owns */
} pool_event;

/* Starts opts->workers processes. Returns 0, -errno, or POOL_NO_WORKER. */
#define POOL_NO_WORKER (-1000)
/* A pool_* error code as a phrase. */
const char *pool_error(int rc);
int pool_start(pool **out, const pool_opts *opts);
/* Index of a worker with nothing to do, or -1. */
int pool_idle(const pool *p);
/* Gives worker w the file at path; the hard limit for it is limit seconds,
 * after which the worker is killed and replaced. In a hash_only pool the
 * worker only hashes the file. Else, with thumbs_sha NULL the worker
 * extracts the file's record (and its thumbnails when the pool makes them);
 * with the file's SHA-256 it makes only the thumbnails, and the result is
 * {"thumbs": {...}}. */
void pool_submit(pool *p, int w, size_t job, const char *path, const char *thumbs_sha,
                 double limit);
/* Waits for the next finished file: a result, or an error for a worker
 * that died (signal, exit) or passed its hard limit. Returns 0, 1 when no
 * worker is busy, or -errno when a replacement worker cannot be started. */
int pool_next(pool *p, pool_event *ev);
/* Ends the workers (closing their pipes, reaping them) and frees p. */
void pool_free(pool *p);

/* Runs n jobs through a pool of opts->workers processes (fewer when there
 * are fewer jobs): next(i) names job i (path, and thumbs_sha or NULL, both
 * borrowed until the call returns), done(i, result) takes its result (still
 * owned by the pool: borrow or json_incref). A non-zero value from done
 * stops the run and is returned. Returns 0, done's value, or -errno when
 * the workers cannot be started. */
typedef void (*pool_next_fn)(size_t i, const char **path, const char **thumbs_sha, void *payload);
typedef int (*pool_done_fn)(size_t i, json_t *result, void *payload);
int pool_run_all(const pool_opts *opts, size_t n, pool_next_fn next, pool_done_fn done,
                 void *payload);

/* index_opts.memory_limit_mb as pool_opts wants it: 0 becomes
 * INDEX_MEMORY_LIMIT_MB, a negative value 0 (no limit). */
long pool_memory_limit_mb(long requested);

/* The worker's side. A job is 'I' + path (the record; thumbnails too when
 * the pool makes them), 'T' + 64 hex digits of SHA-256 + path (thumbnails
 * only) or 'H' + path (hash only); paths are raw bytes. run answers one job
 * (len bytes, NUL-terminated) with a result the loop frees. */
typedef json_t *(*pool_job_fn)(const char *job, size_t len, const pool_opts *opts);
/* Serves jobs from in_fd, results to out_fd, until in_fd closes. */
void pool_serve(int in_fd, int out_fd, pool_job_fn run, const pool_opts *opts);
/* The hash-only job (`reel verify`), which needs no FFmpeg: run in a fork of
 * reel itself, or by reel-worker. */
json_t *pool_hash_job(const char *job, size_t len, const pool_opts *opts);

/* Every other job runs in the executable reel-worker (indexer/worker.c), so
 * that reel itself does not load FFmpeg and its ~140 shared objects (60-70
 * ms at every start, for every command). It is found through $REEL_WORKER,
 * else next to the running executable, else where the build put it. The
 * pool starts it with the job pipe on fd 3, the result pipe on fd 4, and
 * the options as arguments (pool_worker_args). Returns the path, or NULL. */
const char *pool_worker_path(void);
/* Fills argv (at least 10 slots) to start the worker at path with o's
 * options; buf holds the numbers. Returns 0, or -1 when they do not fit. */
int pool_worker_argv(const pool_opts *o, const char *path, char **argv, size_t max,
                     char *buf, size_t buflen);
/* reel-worker's side: parses the arguments pool.c passed into *o (strings
 * borrowed from argv). Returns 0, or -1 on an argument it does not know. */
int pool_worker_args(int argc, char **argv, pool_opts *o);

#endif
