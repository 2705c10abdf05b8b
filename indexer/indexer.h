/*
 * indexer.h - `reel index`: the only public header of indexer/.
 *
 * The pipeline of docs/ARCHITECTURE.md: a walker that only stats and
 * compares with the catalogue, worker processes that open and parse files,
 * and this process as the single writer of the catalogue.
 */
#ifndef REEL_INDEXER_H
#define REEL_INDEXER_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "catalog.h"

typedef struct index_progress {
    size_t done;          /* files finished by the workers so far */
    size_t total;         /* files the walker queued */
    double elapsed;       /* seconds since the run started */
} index_progress;

typedef void (*index_progress_cb)(const index_progress *p, void *payload);
/* A problem with a whole root or the run (not one file), as one line. */
typedef void (*index_warn_cb)(const char *message, void *payload);

typedef struct index_opts {
    int jobs;                  /* worker processes; <= 0: one per core */
    double file_timeout;       /* seconds a worker may spend parsing one file; 0: 30 */
    const char *thumbs_dir;    /* where posters go; NULL: no thumbnails */
    int thumb_width;           /* 0: 320 */
    int verbose;               /* print FFmpeg's messages about each file on stderr */
    const char *db_path;       /* the catalogue, so the walker can skip its files */
    index_progress_cb progress;
    index_warn_cb warn;
    void *payload;             /* given to progress and warn */
} index_opts;

typedef struct index_summary {
    int64_t scan_id;
    cat_scan_counts n;
    int roots_unavailable;     /* roots that could not be walked at all */
    double elapsed;
} index_summary;

/* Indexes the folders `roots` into the catalogue: new and changed files are
 * parsed by worker processes and stored; unchanged files are not opened;
 * vanished files are marked missing; moved files keep their id. Per-file
 * failures are recorded in the catalogue and counted, not returned.
 * Returns 0 when the run completed (see out->n.failed), or a negative
 * CAT_* code when the catalogue could not be written, or INDEX_LOCKED;
 * *errmsg (caller frees) then says why. */
enum index_error {
    INDEX_LOCKED = -10,        /* another `reel index` is writing this catalogue */
};

int index_run(cat *c, const char *const *roots, size_t n_roots, const index_opts *opts,
              index_summary *out, char **errmsg);

typedef struct thumbs_summary {
    int64_t made;        /* files that got new or remade thumbnails */
    int64_t kept;        /* files whose thumbnails were all on disk already */
    int64_t failed;      /* files with no poster, and why is recorded */
    double elapsed;
} thumbs_summary;

/* `reel thumbs`: makes the thumbnails (opts->thumbs_dir, thumb_width) that
 * present records lack, or whose files are gone from the thumbnails folder;
 * with force, remakes all of them. Runs in worker processes like index_run
 * and takes the same writer lock. Returns 0 or a negative code with *errmsg
 * (caller frees). */
int index_thumbs(cat *c, const index_opts *opts, int force, thumbs_summary *out, char **errmsg);

/* One summary as JSON: {"scan_id","new","changed","unchanged","moved",
 * "missing","reappeared","failed","opened","elapsed"}. Caller owns it. */
json_t *index_summary_json(const index_summary *s);

/* Extracts the technical record of one file in this process, as a worker
 * does (used by tests and by the worker loop). *out is the record, or
 * {"error": {"stage", "message"}}; caller owns it. */
int index_extract_file(const char *path, double timeout, json_t **out);

#endif
