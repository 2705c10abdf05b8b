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
    long memory_limit_mb;      /* each worker's address space (RLIMIT_AS), MiB;
                                * 0: INDEX_MEMORY_LIMIT_MB; < 0: unlimited */
    index_progress_cb progress;
    index_warn_cb warn;
    void *payload;             /* given to progress and warn */
} index_opts;

/* Generous on purpose: it counts address space, not resident memory, and
 * libavcodec's probe may start a thread (stack, malloc arena) per core. */
#define INDEX_MEMORY_LIMIT_MB 4096

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
    INDEX_INVALID = -11,       /* an edit would make an invalid sidecar */
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

/* `reel tag`: edits the sidecar of one media file (named by id or path)
 * and the catalogue, in one step. edits is
 *   {"set":    {field: value or null, ...},
 *    "add":    {"people": [{name, role}], "countries": [..], "languages": [..],
 *               "keywords": [..], "segments": [{start, end, title}]},
 *    "remove": {"people": [names], "countries": [..], "languages": [..],
 *               "keywords": [..], "segments": [{start, end}]}}
 * The sidecar NAME.EXT.json keeps every field it had that is not edited,
 * unknown ones included; the result is validated like any sidecar before
 * anything is written, then written atomically (temporary file, fsync,
 * rename). Returns 0 with *out_record (caller owns) the updated record, or
 * a negative code with *errmsg (caller frees): CAT_NOTFOUND for an unknown
 * file, INDEX_INVALID for edits that make an invalid sidecar, INDEX_LOCKED. */
int index_tag(cat *c, const char *db_path, const char *target, json_t *edits,
              json_t **out_record, char **errmsg);

/* `reel verify`: which files to re-hash. */
typedef struct verify_select {
    const char *const *targets;  /* ids, paths relative to a root, or paths on disk
                                  * (a file, or a folder and everything under it);
                                  * none: every file */
    size_t n_targets;
    double older_than_days;      /* < 0: any; else only files whose content was last
                                  * hashed (verified or indexed) longer ago */
} verify_select;

typedef struct verify_summary {
    int64_t ok;
    int64_t altered;          /* content differs from the catalogued hash */
    int64_t missing;          /* gone from disk (now marked missing) */
    int64_t failed;           /* could not be read (permission, I/O error...) */
    int64_t unavailable;      /* skipped: their root is not mounted or readable */
    json_t *problems;         /* [{id, root, path, status: "altered"|"missing"|"failed"|
                               * "unavailable", sha256_expected, sha256, size_expected,
                               * size, message}], root then path order; caller decrefs */
    double elapsed;
} verify_summary;

/* `reel verify`: re-hashes the selected catalogued files in worker
 * processes (opts->jobs, memory limit, progress, warn; a hung read is
 * bounded like an index run's) and compares with the catalogued SHA-256.
 * Each outcome is appended to the file's custody log; a file gone from
 * disk is marked missing, and a missing one found intact at its path is
 * marked present again. A root that cannot be read, or is empty, is
 * reported through opts->warn and its files are left as they are. Takes
 * the writer lock like index_run. Returns 0 when the pass completed (see
 * the counts), CAT_NOTFOUND when a target names nothing catalogued, or a
 * negative code; *errmsg (caller frees) then says why. */
int index_verify(cat *c, const index_opts *opts, const verify_select *sel, verify_summary *out,
                 char **errmsg);

/* A country or language as a person types it (a code, or a name in
 * English or any language Debian's iso-codes translates) -> the code the
 * catalogue stores (alpha-2; ISO 639-1, else 639-2/T). Returns 0, or -1
 * when unknown (out is then ""). Loads the iso-codes data on first use. */
int index_country_code(const char *text, char out[3]);
int index_language_code(const char *text, char out[4]);

/* One summary as JSON: {"scan_id","new","changed","unchanged","moved",
 * "missing","reappeared","failed","opened","elapsed"}. Caller owns it. */
json_t *index_summary_json(const index_summary *s);

/* Extracts the technical record of one file in this process, as a worker
 * does (used by tests and by the worker loop). *out is the record, or
 * {"error": {"stage", "message"}}; caller owns it. */
int index_extract_file(const char *path, double timeout, json_t **out);

#endif
