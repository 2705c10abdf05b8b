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

/* Callback over media rows: a non-zero return stops the iteration and is
 * returned by the iterating function. */
typedef int (*cat_rowid_cb)(int64_t rowid, void *payload);

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
/* A read transaction (BEGIN DEFERRED): one consistent snapshot for a whole
 * listing, and one shared lock instead of one per statement. End it with
 * cat_commit. */
int cat_read_begin(cat *c);
int cat_commit(cat *c);
int cat_rollback(cat *c);

/* Rebuilds the search sieve (what search filters test, kept by id; see
 * catalog_sieve.c) when a change has made it stale, in its own write
 * transaction, without waiting for another writer: when one holds the
 * catalogue it does nothing, and searches join rows until a later call.
 * Costs about 0.5 s per 100,000 files. Returns CAT_OK unless the
 * catalogue cannot be read. */
int cat_sieve_refresh(cat *c);

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
} cat_known;

/* Loads, in path order (strcmp), up to limit known files of a root whose
 * path sorts after `after` ("" for the first ones): the walker reads them in
 * chunks, as it goes, so its memory does not grow with the tree.
 * Free with cat_known_free. */
int cat_known_load(cat *c, int64_t root_id, const char *after, size_t limit, cat_known **out,
                   size_t *count);
void cat_known_free(cat_known *k, size_t count);
/* The number of present media rows of a root. */
int cat_root_present_count(cat *c, int64_t root_id, int64_t *out);

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
/* A missing file is back, unchanged, at its old path (a no-op for a
 * present row). scan_id: the index run, or 0. */
int cat_media_mark_present(cat *c, int64_t media_id, int64_t scan_id);

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

/* ---- editorial values (sidecars, segments, transcripts) ------------------- */

/* Like cat_known_load for the sidecar and subtitle files last seen under a
 * root (media_id and missing are 0). Free with cat_known_free. */
int cat_sidecars_load(cat *c, int64_t root_id, const char *after, size_t limit, cat_known **out,
                      size_t *count);
/* kind: "file", "folder", "ytdlp" or "subtitle". */
int cat_sidecar_put(cat *c, int64_t root_id, const char *path, const char *kind, int64_t size,
                    int64_t mtime_ns);
int cat_sidecar_forget(cat *c, int64_t root_id, const char *path);
/* Calls cb for each sidecar or subtitle file directly in folder (root-
 * relative, "" for the root itself, else ending in '/'), in path order. */
typedef int (*cat_sidecar_cb)(const char *path, const char *kind, void *payload);
int cat_sidecars_in_folder(cat *c, int64_t root_id, const char *folder, cat_sidecar_cb cb,
                           void *payload);
/* The media whose editorial values an index run must read again, listed in
 * TEMP tables of this connection (never in the catalogue file), so a run
 * that touches every file does not hold them all in memory.
 * cat_dirty_reset empties the list; cat_dirty_add lists one media row;
 * cat_dirty_add_under lists, when cat_dirty_expand runs, every media row of
 * root_id that is present then and whose path starts with prefix ("" for
 * all), with same_folder only those directly in prefix's folder;
 * cat_dirty_next gives the listed row with the smallest id above `after`
 * (*out_id 0 at the end) and its root. */
int cat_dirty_reset(cat *c);
int cat_dirty_add(cat *c, int64_t media_id);
int cat_dirty_add_under(cat *c, int64_t root_id, const char *prefix, int same_folder);
int cat_dirty_expand(cat *c);
int cat_dirty_next(cat *c, int64_t after, int64_t *out_id, int64_t *out_root_id);
/* The language tags of a media row's audio streams, as written, distinct,
 * in stream order, as a JSON array in *out. */
int cat_audio_languages(cat *c, int64_t media_id, json_t **out);
/* The absolute path of a root; caller frees. */
int cat_root_path(cat *c, int64_t root_id, char **out);
/* A media row's root, path and duration (0 when unknown); *path freed by the caller. */
int cat_media_where(cat *c, int64_t rowid, int64_t *root_id, char **path, double *duration);

/* Replaces the editorial values of a media row with doc (the merged,
 * normalised sidecar fields; NULL or {} clears them) and its searchable
 * text (people and aliases, places, events, countries, keywords). */
int cat_editorial_put(cat *c, int64_t media_id, json_t *doc, const char *search_text);
/* Replaces the cues of one source ("file" or "stream") of a media row with
 * tracks: [{"track": name, "language": code or absent, "cues": [{start, end, text}]}]. */
int cat_cues_put(cat *c, int64_t media_id, const char *source, json_t *tracks);
/* The names of everyone whose name or alias matches `name` as a phrase,
 * ignoring case and diacritics, as a JSON array in *out. */
int cat_people_match(cat *c, const char *name, json_t **out);
/* Value counts for `reel people` / `reel countries`:
 * [{"name"|"code", "roles"?, "count"}] ordered by count, then value. */
int cat_people_counts(cat *c, json_t **out);
int cat_country_counts(cat *c, json_t **out);

/* ---- fixity and custody (003_custody.sql) --------------------------------- */

/* The custody log is append-only. cat_media_put logs first_seen, changed
 * (content only), moved and reappeared; cat_media_mark_present logs
 * reappeared; cat_verify_put logs verified_*. A row marked missing gets its
 * 'missing' event from cat_custody_settle, which an index run calls when it
 * starts and ends: a file found moved in the same run then logs only
 * "moved", and a run killed in between loses no event. Appends 'missing'
 * (at missing_since) for every missing row whose last event is not one. */
int cat_custody_settle(cat *c, int64_t scan_id);
/* cat_custody_settle, and *out_logged: how many 'missing' events it appended
 * (at the end of an index run: the files that run marked missing and did
 * not find moved). */
int cat_custody_settle_count(cat *c, int64_t scan_id, int64_t *out_logged);

/* The log of a media row, oldest first, as [{event, at, scan_id, root,
 * path, sha256, size, old_root, old_path, old_sha256, old_size}] (absent
 * values omitted) in *out. */
int cat_custody_list(cat *c, int64_t media_id, json_t **out);

/* What `reel verify` needs of one media row (strings borrowed for the call). */
typedef struct cat_verify_row {
    int64_t media_id;
    int64_t root_id;
    const char *uid;
    const char *root_path;   /* absolute */
    const char *root_name;
    const char *path;        /* root-relative */
    const char *sha256;      /* the catalogued hash */
    int64_t size;
    int missing;             /* status 'missing' */
} cat_verify_row;
typedef int (*cat_verify_cb)(const cat_verify_row *row, void *payload);
/* Calls cb for every media row, present or missing, ordered by root then
 * path; with older_than_days >= 0 only for those whose content was last
 * hashed (by `reel verify`, else by indexing) longer ago than that. Stops at
 * cb's first non-zero value and returns it. */
int cat_verify_each(cat *c, double older_than_days, cat_verify_cb cb, void *payload);

enum cat_verify_outcome { CAT_VERIFIED_OK, CAT_VERIFIED_ALTERED, CAT_VERIFIED_MISSING };
/* Records one verification of media_id: sets verified_at and appends
 * verified_ok, verified_altered (with the sha256 and size found; the
 * catalogued hash stays as the reference) or verified_missing (and marks a
 * present row missing). A missing row found again at its path is marked
 * present ('reappeared') first. */
int cat_verify_put(cat *c, int64_t media_id, enum cat_verify_outcome how, const char *sha256,
                   int64_t size);

/* ---- reading (used by api/) --------------------------------------------- */

/* Resolves a record's stable id, or a path (absolute, or relative to a
 * root), to its row id. CAT_NOTFOUND when nothing matches. */
int cat_media_lookup(cat *c, const char *id_or_path, int64_t *out_rowid);

/* Builds the record of PRODUCT.md for one media row into *out. */
int cat_record_load(cat *c, int64_t rowid, json_t **out);
/* What a search hit shows of a record, with the same values as
 * cat_record_load: id, root, path, kind, duration, recorded_at, title,
 * people, countries and thumbnail. */
int cat_record_brief(cat *c, int64_t rowid, json_t **out);

/* Records as JSON text, for listings of many records (`reel export`): the
 * fields of cat_record_load, in its order, each value written as
 * json_dumps(value, JSON_COMPACT | JSON_PRESERVE_ORDER |
 * JSON_REAL_PRECISION(12)) would write it, without building the tree. */
typedef struct cat_lister cat_lister;
enum {
    /* records that are not present, or not public, come back incomplete:
     * only the fields up to "status", and "visibility" (enough to count
     * them), without reading their streams, tags, subtitles... */
    CAT_LIST_PUBLISHED_ONLY = 1,
    /* reals with 17 digits (they read back as the same double), for a
     * caller that parses the text again */
    CAT_LIST_EXACT_REALS = 2,
};
typedef struct cat_text {
    const char *json;
    size_t len;
} cat_text;
typedef struct cat_field {
    const char *key;             /* plain ASCII: needs no escaping */
    cat_text value;
} cat_field;
typedef struct cat_segment_text {
    cat_text json;               /* one element of "segments" */
    cat_text visibility;         /* its own "visibility" when a string (with
                                  * quotes), else json NULL */
} cat_segment_text;
typedef struct cat_record_text {
    const cat_field *field;
    size_t n;
    int complete;                /* 0: see CAT_LIST_PUBLISHED_ONLY */
    int segments_array;          /* "segments" is an array, of these: */
    const cat_segment_text *segment;
    size_t n_segments;
} cat_record_text;
int cat_lister_open(cat *c, int flags, cat_lister **out);
/* The record of a media row; *out stays valid until the next call. */
int cat_lister_record(cat_lister *l, int64_t rowid, cat_record_text *out);
void cat_lister_free(cat_lister *l);

/* A search: words (FTS5 syntax, over titles, descriptions, tags, paths,
 * editorial values, segments and transcripts) and filters; NULL or a
 * negative number means "no filter". Names in people/speakers are a JSON
 * array text of canonical names (see cat_people_match). */
typedef struct cat_query {
    const char *words;
    const char *speakers, *people;      /* JSON arrays of names */
    const char *country;                /* alpha-2 */
    const char *language;               /* ISO 639 code as stored */
    const char *event, *campaign, *organisation, *keyword, *kind, *visibility, *root;
    const char *path_glob;
    const char *from, *to;              /* "YYYY-MM-DD", inclusive */
    double min_duration, max_duration;
    int has_subtitles;
    int missing;                        /* list missing files instead of present ones */
    int any_status;                     /* present and missing files alike */
    const char *changed_since;          /* ISO 8601 UTC: records changed at or after it */
    const char *sort;                   /* relevance, recorded, duration, path, catalogue */
    int limit, offset;
    int no_file_text;                   /* the caller shows no text for whole-file hits:
                                         * their snippets are not made */
} cat_query;

/* One hit: a whole file, or a clip inside it (a segment or a cue). */
typedef struct cat_hit {
    const char *kind;                   /* "file", "segment", "cue" */
    int64_t media_id;
    int has_time;
    double start, end;                  /* clips only */
    const char *text;                   /* why it matched: snippet, segment title, cue text */
} cat_hit;
typedef int (*cat_hit_cb)(const cat_hit *hit, void *payload);

/* Runs q: *out_total is the number of hits; cb is called for the page
 * (limit/offset) in the asked order, and a non-zero return stops it. A
 * malformed FTS5 query returns CAT_ERROR with its message. */
int cat_find(cat *c, const cat_query *q, int64_t *out_total, cat_hit_cb cb, void *payload);

/* Calls cb for each file (no clips) that q selects, in catalogue order
 * (media.id: the order they were first stored in); limit, offset and sort
 * are ignored. */
int cat_files_matching(cat *c, const cat_query *q, cat_rowid_cb cb, void *payload);

/* Counts by speaker, country, event, year, kind and language over the
 * files q selects: {"files": N, "speaker": [{value, count}], ...}, each list
 * largest first (at most 100 values). */
int cat_facets(cat *c, const cat_query *q, json_t **out);

/* Records that left a listing since a time: ids of files that went missing
 * at or after `since`, and (when visible_only) of files changed since then
 * that are not public, as a JSON array of ids in *out. */
int cat_withdrawn_since(cat *c, const char *since, int visible_only, json_t **out);

/* Recorded failures, ordered by root then path, as
 * [{root, path, stage, message, at}] in *out. */
int cat_errors_list(cat *c, json_t **out);

#endif
