/* catalog_int.h - private to schema/: the handle and its statement cache. */
#ifndef REEL_CATALOG_INT_H
#define REEL_CATALOG_INT_H

#include <sqlite3.h>
#include "catalog.h"

/* Statement slots. */
enum {
    S_ROOT_FIND, S_ROOT_ADD, S_ROOT_LAST_SCAN, S_SCAN_ADD, S_SCAN_FINISH, S_ROOT_SET_SCAN,
    S_KNOWN_MEDIA, S_MEDIA_BY_PATH, S_MEDIA_MISSING_BY_HASH,
    S_MEDIA_INSERT, S_MEDIA_UPDATE, S_STREAMS_DEL, S_STREAM_ADD, S_TAGS_DEL, S_TAG_ADD,
    S_CHAPTERS_DEL, S_CHAPTER_ADD, S_TEXT_UPSERT, S_MARK_MISSING, S_MARK_PRESENT,
    S_ERROR_PUT, S_ERROR_DEL,
    S_LOOKUP_UID, S_LOOKUP_PATH, S_ROOTS_ALL, S_RECORD, S_RECORD_STREAMS, S_RECORD_TAGS, 
    S_RECORD_CHAPTERS, S_ERRORS_LIST,
    S_THUMB_DEL, S_THUMB_ADD, S_THUMBS_EACH, S_RECORD_THUMBS,
    S_SIDECARS_LOAD, S_SIDECAR_PUT, S_SIDECAR_DEL, S_SIDECARS_IN, S_MEDIA_WHERE,
    S_ED_PUT, S_ED_TEXT, S_ED_PERSON, S_ED_COUNTRY, S_ED_LANG,
    S_ED_KEYWORD, S_ED_SEGMENT, S_PEOPLE_GET, S_PEOPLE_ADD, S_PEOPLE_SET, S_CUES_DEL, S_CUE_ADD,
    S_PEOPLE_MATCH, S_PEOPLE_COUNTS, S_COUNTRY_COUNTS, S_RECORD_ED, S_RECORD_SUBS,
    S_ROOT_PATH, S_AUDIO_LANGS, S_ED_CLEAR_FIRST, S_ED_CLEAR_LAST = S_ED_CLEAR_FIRST + 5,   /* six DELETEs in cat_editorial_put */
    S_CUSTODY_NOW, S_CUSTODY_CHANGE, S_CUSTODY_SETTLE, S_CUSTODY_LIST, S_VERIFY_EACH,
    S_VERIFIED_AT,
    S_PRESENT_COUNT, S_DIRTY_ADD, S_DIRTY_PREFIX, S_DIRTY_EXPAND, S_DIRTY_NEXT,
    S_SIEVE_GET, S_SIEVE_PUT, S_RECORD_BRIEF,
    S_COUNT_
};

typedef struct sieve sieve;

struct cat {
    sqlite3 *db;
    char err[512];
    sqlite3_stmt *stmt[S_COUNT_];   /* indexed by the slots above */
    sieve *sv;                      /* the running search's, for reel_sieve() */
};

/* Returns the prepared statement for sql, preparing it once per handle
 * (SQLITE_PREPARE_PERSISTENT) under the slot `slot`; reset and unbound,
 * ready to bind. NULL on failure with the message set. */
sqlite3_stmt *cat_stmt(cat *c, int slot, const char *sql);
/* Copies SQLite's current message into the handle; returns CAT_ERROR. */
int cat_fail(cat *c, const char *what);
/* Column col of the current row of st as o[key], left out when NULL. */
void cat_put_text(json_t *o, const char *key, sqlite3_stmt *st, int col);
void cat_put_int(json_t *o, const char *key, sqlite3_stmt *st, int col);
void cat_put_real(json_t *o, const char *key, sqlite3_stmt *st, int col);

/* One field of cat_rows: column i of a row is fields[i], of type 't'
 * (text), 'i' (integer) or 'r' (real). The list ends with a NULL name. */
typedef struct cat_column {
    const char *name;
    char type;
} cat_column;
/* Steps st (bound, not yet stepped) to its end and resets it: each row an
 * object of the fields (NULL columns left out). Returns the array, or NULL
 * when a step fails. */
json_t *cat_rows(sqlite3_stmt *st, const cat_column *fields);
/* rec[key] = arr when arr has an element; else frees arr. */
void cat_set_nonempty(json_t *rec, const char *key, json_t *arr);

/* One chunk of cat_known_load or cat_sidecars_load: st (its statement,
 * ?1 root, ?2 the path to start after, ?3 limit) selects path, size,
 * mtime_ns and, when it has five columns, media id and missing. */
int cat_known_chunk(cat *c, sqlite3_stmt *st, int64_t root_id, const char *after, size_t limit,
                    const char *what, cat_known **out, size_t *count);
/* What reel_rank_all(table, collector, weights...) (catalog_rank.c) hands
 * the hits of a one-phrase query to, bound as a pointer of type
 * "reel_collector": keep (NULL: every hit) says whether a rowid is wanted,
 * offer takes a kept hit's rowid and rank (lower is better, as
 * reel_rank's) and returns 0, or non-zero to stop (failed is then set).
 * unsupported is set when the query has more than one phrase: nothing was
 * offered, and the caller ranks row by row with reel_rank. */
typedef struct cat_rank_collector {
    int (*keep)(void *payload, int64_t rowid);
    int (*offer)(void *payload, int64_t rowid, double rank);
    void *payload;
    int unsupported, failed;
} cat_rank_collector;
/* Registers reel_rank() and reel_rank_all() (catalog_rank.c) with db's
 * FTS5. Returns 0 or -1. */
int cat_rank_register(sqlite3 *db);
/* The search sieve (catalog_sieve.c, migration 011). cat_sieve_for gives
 * the sieve of q's filters in *out, or NULL when the stored one is stale or
 * q has a filter it does not hold (then the search joins rows). */
int cat_sieve_for(cat *c, const cat_query *q, sieve **out);
void cat_sieve_free(sieve *s);
/* Whether a hit passes the filters: kind 'f' (a file id), 's' (a segment
 * id) or 'c' (a cue id). */
int cat_sieve_pass(sieve *s, char kind, int64_t id);
/* The file of a hit: its own id for a file ('f'), else the file of
 * cue or segment id by the runs (the hits of one kind asked in ascending
 * order, as a full-text query gives them); -1 when unknown. */
int64_t cat_sieve_media(sieve *s, char kind, int64_t id);
/* Keeps the recorded dates (dates 1) or the durations by file id open for
 * the two below (the other reads as none); 0 when the sieve stores no
 * dates (a date of another form). */
int cat_sieve_load_keys(cat *c, sieve *s, int dates);
/* A file's recorded date as YYYYMMDD + 1 (0: none), ordered as SQL orders
 * the date text against others of the kind; its duration (NaN: none). */
uint32_t cat_sieve_date(const sieve *s, int64_t media);
double cat_sieve_duration(const sieve *s, int64_t media);
/* The hits of a search without words, in id order: each file that passes,
 * then each segment that passes and itself holds a person, country or
 * keyword asked for. cb gets the kind ('f' or 's'), the id and the file's
 * id; a return other than CAT_OK stops the listing and is returned. */
typedef int (*cat_sieve_hit_fn)(void *payload, char kind, int64_t id, int64_t media_id);
int cat_sieve_listing(sieve *s, cat_sieve_hit_fn cb, void *payload);
/* Registers reel_sieve(kind, id), which is cat_sieve_pass with c->sv (1
 * when there is none), in c's connection. Returns 0 or -1. */
int cat_sieve_register(cat *c);

/* Current UTC time as ISO 8601 with milliseconds: buf needs 64 bytes. */
const char *cat_now(char buf[64]);

/* The custody log (catalog_custody.c), written where things happen.
 * cat_custody_log appends `event` for media row id with its current root,
 * path, hash and size, only when its status is only_if_status (NULL: any).
 * cat_custody_change appends an event that replaces the row's root, path,
 * hash or size (NULL / -1: unchanged), with the row's current values as the
 * old ones; call it before the row is updated. It appends nothing when
 * nothing differs (a touched file whose content is the same). scan_id 0:
 * not an index run. */
int cat_custody_log(cat *c, int64_t id, const char *event, int64_t scan_id,
                    const char *only_if_status);
int cat_custody_change(cat *c, int64_t id, const char *event, int64_t scan_id, int64_t root_id,
                       const char *path, const char *sha256, int64_t size);



#endif
