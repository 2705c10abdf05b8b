/* catalog_int.h - private to schema/: the handle and its statement cache. */
#ifndef REEL_CATALOG_INT_H
#define REEL_CATALOG_INT_H

#include <sqlite3.h>
#include "catalog.h"

struct cat {
    sqlite3 *db;
    char err[512];
    sqlite3_stmt *stmt[64];   /* indexed by the small ids of cat_stmt() */
};

/* Returns the prepared statement for sql, preparing it once per handle
 * (SQLITE_PREPARE_PERSISTENT) under the slot `slot`; reset and unbound,
 * ready to bind. NULL on failure with the message set. */
sqlite3_stmt *cat_stmt(cat *c, int slot, const char *sql);
/* Copies SQLite's current message into the handle; returns CAT_ERROR. */
int cat_fail(cat *c, const char *what);
/* Current UTC time as ISO 8601 with milliseconds: buf needs 64 bytes. */
const char *cat_now(char buf[64]);

/* Statement slots. */
enum {
    S_ROOT_FIND, S_ROOT_ADD, S_ROOT_LAST_SCAN, S_SCAN_ADD, S_SCAN_FINISH, S_ROOT_SET_SCAN,
    S_KNOWN_MEDIA, S_KNOWN_ERRORS, S_MEDIA_BY_PATH, S_MEDIA_MISSING_BY_HASH,
    S_MEDIA_INSERT, S_MEDIA_UPDATE, S_STREAMS_DEL, S_STREAM_ADD, S_TAGS_DEL, S_TAG_ADD,
    S_CHAPTERS_DEL, S_CHAPTER_ADD, S_TEXT_UPSERT, S_MARK_MISSING, S_MARK_PRESENT,
    S_ERROR_PUT, S_ERROR_DEL,
    S_LOOKUP_UID, S_LOOKUP_PATH, S_ROOTS_ALL, S_RECORD, S_RECORD_STREAMS, S_RECORD_TAGS,
    S_RECORD_CHAPTERS, S_EACH, S_SEARCH_COUNT, S_SEARCH, S_ERRORS_LIST,
    S_THUMB_DEL, S_THUMB_ADD, S_THUMBS_EACH, S_RECORD_THUMBS,
    S_COUNT_
};

#endif
