/*
 * catalog.h - the SQLite catalogue: the only public header of schema/.
 *
 * One `cat` is one open catalogue file. Functions return 0 on success or a
 * negative CAT_E* code; the message of the last failure is kept in the
 * handle (cat_errmsg). Strings passed in are borrowed; `**out` results
 * belong to the caller. jansson rule for the whole module: a json_t passed in
 * is borrowed (never stolen); a json_t returned through `**out` carries one
 * reference that the caller must json_decref.
 */
#ifndef REEL_CATALOG_H
#define REEL_CATALOG_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

enum cat_error {
    CAT_OK = 0,
    CAT_ERROR = -1,      /* SQLite or I/O failure; see cat_errmsg */
    CAT_NOTFOUND = -2,   /* no such record */
    CAT_NEWER = -3,      /* the file was written by a newer reel */
    CAT_BUSY = -4,       /* another process holds the write lock */
};

typedef struct cat cat;

/* Opens (creating if needed) the catalogue at path, applies pending
 * migrations, and turns on WAL, foreign keys and a busy timeout. *out is
 * set to NULL on failure; the message is then in *errmsg_out (static or
 * caller-freed with free(); may be NULL). */
int cat_open(cat **out, const char *path, char **errmsg_out);
void cat_free(cat *c);
const char *cat_errmsg(const cat *c);
/* Schema version of the open catalogue (PRAGMA user_version). */
int cat_schema_version(cat *c);

int cat_begin(cat *c);   /* BEGIN IMMEDIATE */
int cat_commit(cat *c);
int cat_rollback(cat *c);

/* ---- writing (used by the indexer's single writer) ---------------------- */

/* Finds or adds the root with this absolute path; *out_id is its row id. */
int cat_root_ensure(cat *c, const char *abs_path, int64_t *out_id);
/* Started-at time of the root's previous completed scan, or NULL. Caller frees. */
char *cat_root_last_scan_time(cat *c, int64_t root_id);

typedef struct cat_scan_counts {
    int64_t new_files, changed, unchanged, moved, missing, reappeared, failed, opened;
} cat_scan_counts;

int cat_scan_begin(cat *c, const char *roots_json, int64_t *out_id);
int cat_scan_finish(cat *c, int64_t scan_id, const cat_scan_counts *counts,
                    const int64_t *root_ids, size_t n_roots);

/* What the walker needs to decide, without opening a file, whether it
 * changed: one entry per catalogued file or recorded failure of a root. */
typedef struct cat_known {
    char *path;          /* root-relative */
    int64_t size;        /* -1 when unknown (a failure found by the walker) */
    int64_t mtime_ns;
    int64_t media_id;    /* 0 for a recorded failure */
    int missing;         /* media row currently marked missing */
    int seen;            /* scratch flag for the walker */
} cat_known;

/* Loads the known files of a root, sorted by path in strcmp order.
 * Free with cat_known_free. */
int cat_known_load(cat *c, int64_t root_id, cat_known **out, size_t *count);
void cat_known_free(cat_known *k, size_t count);

enum cat_put_outcome { CAT_PUT_NEW, CAT_PUT_CHANGED, CAT_PUT_MOVED };

/* Stores the technical record `result` (the worker's JSON, see
 * docs/ARCHITECTURE.md) for root_id/path. An existing row at that path is
 * updated in place; otherwise a missing row with the same sha256 is taken
 * over (a move: its id and everything attached to it stay); otherwise a new
 * row with a fresh stable id is added. Clears any recorded error for path.
 * *out says which happened; *out_rowid is the row's id. */
int cat_media_put(cat *c, int64_t root_id, const char *path, json_t *result,
                  int64_t scan_id, enum cat_put_outcome *out, int64_t *out_rowid);
/* Marks a media row missing (keeping everything attached to it). */
int cat_media_mark_missing(cat *c, int64_t media_id, const char *last_seen,
                           const char *now);
/* A missing file is back, unchanged, at its old path. */
int cat_media_mark_present(cat *c, int64_t media_id);

/* Records (replacing any earlier one) why root_id/path could not be read. */
int cat_error_put(cat *c, int64_t root_id, const char *path, const char *stage,
                  const char *message, int64_t size, int64_t mtime_ns,
                  int64_t scan_id);
/* Forgets the recorded failure of a file that is gone from disk. */
int cat_error_forget(cat *c, int64_t root_id, const char *path);

/* Replaces the thumbnails of a media row with what thumb_make() returned:
 * {"poster": {...}, "storyboard": {...}} or {"error": "..."}; a poster or
 * storyboard that could not be made is stored with its reason. */
int cat_thumbs_put(cat *c, int64_t media_id, json_t *thumbs);

/* What `reel thumbs` needs to decide which records want thumbnails: every
 * present media row with its absolute path, hash, kind, and the files its
 * thumbnails are in (NULL when it has none). */
typedef struct cat_thumb_row {
    int64_t media_id;
    const char *abs_path;
    const char *sha256;
    const char *kind;
    double duration;        /* 0 when unknown */
    const char *poster;     /* relative to the thumbnails folder, or NULL */
    const char *poster_reason;
    const char *storyboard; /* sheet image, or NULL */
    const char *storyboard_vtt;
} cat_thumb_row;
typedef int (*cat_thumb_cb)(const cat_thumb_row *row, void *payload);
/* Calls cb for each present media row (strings borrowed for the call);
 * stops at cb's first non-zero value and returns it. */
int cat_thumbs_each(cat *c, cat_thumb_cb cb, void *payload);

/* ---- reading (used by api/) --------------------------------------------- */

/* Resolves a record's stable id, or a path (absolute, or relative to a
 * root), to its row id. CAT_NOTFOUND when nothing matches. */
int cat_media_lookup(cat *c, const char *id_or_path, int64_t *out_rowid);

/* Builds the record of PRODUCT.md for one media row into *out. */
int cat_record_load(cat *c, int64_t rowid, json_t **out);

/* Calls cb for every media row, ordered by root path then path; stops and
 * returns cb's value when it is non-zero. */
typedef int (*cat_rowid_cb)(int64_t rowid, void *payload);
int cat_media_each(cat *c, cat_rowid_cb cb, void *payload);

/* Full-text search (FTS5 query syntax). Calls cb for each matching row, best
 * first, at most limit (0 = no limit) after skipping offset; *out_total
 * receives the number of matches. A malformed query returns CAT_ERROR with
 * the FTS5 message. */
int cat_search(cat *c, const char *query, int limit, int offset,
               int64_t *out_total, cat_rowid_cb cb, void *payload);

/* Recorded failures, ordered by root then path, as
 * [{root, path, stage, message, at}] in *out. */
int cat_errors_list(cat *c, json_t **out);

#endif
