/* index_int.h - private to indexer/: the state of one `reel index` run,
 * shared by index.c (the run, the workers' results, the editorial phase)
 * and index_walk.c (the walk merged with the catalogue). */
#ifndef REEL_INDEX_INT_H
#define REEL_INDEX_INT_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "datetime.h"
#include "editorial.h"
#include "indexer.h"
#include "jobq.h"
#include "known.h"
#include "walk.h"
#include "writer.h"

/* Whether the files of a root that the walk did not find may be marked
 * missing: not when the walk finds no file at all while the catalogue holds
 * present ones (an unplugged drive leaves an empty mount point). */
enum { SETTLE_UNDECIDED, SETTLE_YES, SETTLE_NO };

typedef struct root_state {
    char abs[PATH_MAX];
    int64_t id;
    size_t files;            /* regular files the walk found */
    int settle;              /* SETTLE_* */
    int64_t present;         /* present media rows, counted when settle is SETTLE_NO */
    int ok;                  /* walked completely */
} root_state;

/* A file handed to a worker and not yet stored. */
typedef struct job {
    size_t id;               /* the pool's job number */
    int root;
    char *rel;
} job;

typedef struct run {
    writer w;
    const index_opts *o;
    const walk_skip *skip;
    int64_t scan_id;
    root_state *roots;
    size_t n_roots;
    int cur;                 /* root being walked */
    known_stream known;      /* its catalogued files and recorded failures, in path order */
    known_stream sidecars;   /* its sidecar and subtitle files seen last time */
    char *last_seen;         /* its previous scan's start, for the files found missing */
    char now[DATETIME_MAX];
    jobq queue;              /* new and changed files, for the workers */
    job *busy;               /* files at the workers */
    size_t n_busy, cap_busy;
    size_t n_dirty;          /* media listed for the editorial phase (cat_dirty_*) */
    cat_scan_counts n;
    editorial_ctx ed;
    size_t done;
    double started;
    char abs[PATH_MAX * 2];  /* scratch: the path of the job being submitted */
} run;

void index_warn(run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Walks every root, comparing with the catalogue: queues new and changed
 * files, marks vanished ones missing, records changed sidecars. Returns 0
 * or the writer's failure. */
int index_walk_all(run *r);

#endif
