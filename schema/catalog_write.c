/* catalog_write.c - what the indexer's single writer stores. */
#include "catalog_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

int cat_root_ensure(cat *c, const char *abs_path, int64_t *out_id)
{
    sqlite3_stmt *st = cat_stmt(c, S_ROOT_FIND, "SELECT id FROM roots WHERE path = ?1");
    const char *name;
    char now[64];

    if (!st)
        return CAT_ERROR;
    sqlite3_bind_text(st, 1, abs_path, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        *out_id = sqlite3_column_int64(st, 0);
        sqlite3_reset(st);
        return CAT_OK;
    }
    sqlite3_reset(st);
    name = strrchr(abs_path, '/');
    name = name && name[1] ? name + 1 : abs_path;
    st = cat_stmt(c, S_ROOT_ADD, "INSERT INTO roots(path, name, added_at) VALUES (?1, ?2, ?3)");
    if (!st)
        return CAT_ERROR;
    sqlite3_bind_text(st, 1, abs_path, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, cat_now(now), -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) != SQLITE_DONE)
        return cat_fail(c, "cannot add root");
    *out_id = sqlite3_last_insert_rowid(c->db);
    sqlite3_reset(st);
    return CAT_OK;
}

char *cat_root_last_scan_time(cat *c, int64_t root_id)
{
    sqlite3_stmt *st = cat_stmt(c, S_ROOT_LAST_SCAN,
        "SELECT s.started_at FROM roots r JOIN scans s ON s.id = r.last_scan WHERE r.id = ?1");
    char *t = NULL;
    if (!st)
        return NULL;
    sqlite3_bind_int64(st, 1, root_id);
    if (sqlite3_step(st) == SQLITE_ROW)
        t = strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_reset(st);
    return t;
}

int cat_scan_begin(cat *c, const char *roots_json, int64_t *out_id)
{
    sqlite3_stmt *st = cat_stmt(c, S_SCAN_ADD,
                                "INSERT INTO scans(started_at, roots) VALUES (?1, ?2)");
    char now[64];
    if (!st)
        return CAT_ERROR;
    sqlite3_bind_text(st, 1, cat_now(now), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, roots_json, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
        return cat_fail(c, "cannot record scan");
    *out_id = sqlite3_last_insert_rowid(c->db);
    sqlite3_reset(st);
    return CAT_OK;
}

int cat_scan_finish(cat *c, int64_t scan_id, const cat_scan_counts *n,
                    const int64_t *root_ids, size_t n_roots)
{
    sqlite3_stmt *st = cat_stmt(c, S_SCAN_FINISH,
        "UPDATE scans SET finished_at = ?2, new = ?3, changed = ?4, unchanged = ?5,"
        " moved = ?6, missing = ?7, failed = ?8, opened = ?9 WHERE id = ?1");
    char now[64];
    if (!st)
        return CAT_ERROR;
    sqlite3_bind_int64(st, 1, scan_id);
    sqlite3_bind_text(st, 2, cat_now(now), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, n->new_files);
    sqlite3_bind_int64(st, 4, n->changed);
    sqlite3_bind_int64(st, 5, n->unchanged);
    sqlite3_bind_int64(st, 6, n->moved);
    sqlite3_bind_int64(st, 7, n->missing);
    sqlite3_bind_int64(st, 8, n->failed);
    sqlite3_bind_int64(st, 9, n->opened);
    if (sqlite3_step(st) != SQLITE_DONE)
        return cat_fail(c, "cannot finish scan");
    for (size_t i = 0; i < n_roots; i++) {
        st = cat_stmt(c, S_ROOT_SET_SCAN, "UPDATE roots SET last_scan = ?2 WHERE id = ?1");
        if (!st)
            return CAT_ERROR;
        sqlite3_bind_int64(st, 1, root_ids[i]);
        sqlite3_bind_int64(st, 2, scan_id);
        if (sqlite3_step(st) != SQLITE_DONE)
            return cat_fail(c, "cannot finish scan");
    }
    return CAT_OK;
}

int cat_known_load(cat *c, int64_t root_id, const char *after, size_t limit, cat_known **out,
                   size_t *count)
{
    /* both halves walk their (root_id, path) index in order and SQLite merges
     * them, so a chunk costs its own rows, not the root's. A changed file
     * that now fails keeps its media row (nothing already catalogued is
     * lost) and gets an error row too: it is listed once, as media. */
    sqlite3_stmt *st = cat_stmt(c, S_KNOWN_MEDIA,
        "SELECT path, size, mtime_ns, id, status = 'missing' FROM media"
        " WHERE root_id = ?1 AND path > ?2"
        " UNION ALL"
        " SELECT path, coalesce(size, -1), coalesce(mtime_ns, -1), 0, 0 FROM errors e"
        " WHERE root_id = ?1 AND path > ?2 AND NOT EXISTS"
        " (SELECT 1 FROM media m WHERE m.root_id = e.root_id AND m.path = e.path)"
        " ORDER BY 1 LIMIT ?3");
    return cat_known_chunk(c, st, root_id, after, limit, "known files", out, count);
}

int cat_known_chunk(cat *c, sqlite3_stmt *st, int64_t root_id, const char *after, size_t limit,
                    const char *what, cat_known **out, size_t *count)
{
    cat_known *k;
    size_t n = 0;
    int rc = SQLITE_DONE, with_ids;

    *out = NULL;
    *count = 0;
    if (!st)
        return CAT_ERROR;
    if (!(k = calloc(limit ? limit : 1, sizeof *k))) {
        snprintf(c->err, sizeof c->err, "out of memory");
        return CAT_ERROR;
    }
    with_ids = sqlite3_column_count(st) >= 5;
    sqlite3_bind_int64(st, 1, root_id);
    sqlite3_bind_text(st, 2, after, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)limit);
    while (n < limit && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        k[n] = (cat_known){.path = strdup((const char *)sqlite3_column_text(st, 0)),
                           .size = sqlite3_column_int64(st, 1),
                           .mtime_ns = sqlite3_column_int64(st, 2),
                           .media_id = with_ids ? sqlite3_column_int64(st, 3) : 0,
                           .missing = with_ids ? sqlite3_column_int(st, 4) : 0};
        if (!k[n].path) {
            rc = SQLITE_NOMEM;
            break;
        }
        n++;
    }
    sqlite3_reset(st);
    if (n < limit && rc != SQLITE_DONE) {
        cat_known_free(k, n);
        snprintf(c->err, sizeof c->err, "cannot load %s: %s", what,
                 rc == SQLITE_NOMEM ? "out of memory" : sqlite3_errmsg(c->db));
        return CAT_ERROR;
    }
    *out = k;
    *count = n;
    return CAT_OK;
}

int cat_root_present_count(cat *c, int64_t root_id, int64_t *out)
{
    sqlite3_stmt *st = cat_stmt(c, S_PRESENT_COUNT,
        "SELECT count(*) FROM media WHERE root_id = ?1 AND status = 'ok'");
    if (!st)
        return CAT_ERROR;
    sqlite3_bind_int64(st, 1, root_id);
    if (sqlite3_step(st) != SQLITE_ROW)
        return cat_fail(c, "cannot count files");
    *out = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return CAT_OK;
}

void cat_known_free(cat_known *k, size_t count)
{
    if (!k)
        return;
    for (size_t i = 0; i < count; i++)
        free(k[i].path);
    free(k);
}

/* ---- media rows ---------------------------------------------------------- */

static void bind_str(sqlite3_stmt *st, int i, json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    if (s)
        sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

static void bind_int(sqlite3_stmt *st, int i, json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    if (json_is_integer(v))
        sqlite3_bind_int64(st, i, json_integer_value(v));
    else
        sqlite3_bind_null(st, i);
}

static void bind_real(sqlite3_stmt *st, int i, json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    if (json_is_number(v))
        sqlite3_bind_double(st, i, json_number_value(v));
    else
        sqlite3_bind_null(st, i);
}

/* Binds the technical columns, numbered from ?3 on, shared by INSERT and UPDATE. */
static void bind_technical(sqlite3_stmt *st, json_t *r, int64_t scan_id, const char *now)
{
    json_t *loc = json_object_get(r, "location");
    json_t *cam = json_object_get(r, "camera");
    bind_int(st, 3, r, "size");
    bind_int(st, 4, r, "mtime_ns");
    bind_str(st, 5, r, "sha256");
    bind_str(st, 6, r, "kind");
    bind_str(st, 7, r, "format");
    bind_real(st, 8, r, "duration");
    bind_int(st, 9, r, "bit_rate");
    bind_int(st, 10, r, "width");
    bind_int(st, 11, r, "height");
    bind_int(st, 12, r, "rotation");
    bind_real(st, 13, r, "fps");
    bind_str(st, 14, r, "recorded_at");
    bind_str(st, 15, r, "recorded_at_source");
    bind_real(st, 16, loc, "lat");
    bind_real(st, 17, loc, "lon");
    bind_str(st, 18, r, "location_source");
    bind_str(st, 19, cam, "make");
    bind_str(st, 20, cam, "model");
    bind_int(st, 21, r, "orientation");
    sqlite3_bind_text(st, 22, now, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 23, scan_id);
}

#define TECH_SET \
    " size = ?3, mtime_ns = ?4, sha256 = ?5, kind = ?6, format = ?7, duration = ?8," \
    " bit_rate = ?9, width = ?10, height = ?11, rotation = ?12, fps = ?13," \
    " recorded_at = ?14, recorded_at_source = ?15, lat = ?16, lon = ?17," \
    " location_source = ?18, camera_make = ?19, camera_model = ?20, orientation = ?21," \
    " indexed_at = ?22, last_seen = ?22, scan_id = ?23, status = 'ok', missing_since = NULL"

static void new_uid(char out[17])
{
    unsigned char b[8];
    size_t got = 0;
    while (got < sizeof b) {
        ssize_t r = getrandom(b + got, sizeof b - got, 0);
        if (r > 0)
            got += (size_t)r;
    }
    for (int i = 0; i < 8; i++)
        snprintf(out + 2 * i, 3, "%02x", b[i]);
}

static int replace_children(cat *c, int64_t id, json_t *r)
{
    static const int del_slot[3] = {S_STREAMS_DEL, S_TAGS_DEL, S_CHAPTERS_DEL};
    static const char *const del_sql[3] = {
        "DELETE FROM streams WHERE media_id = ?1",
        "DELETE FROM tags WHERE media_id = ?1",
        "DELETE FROM chapters WHERE media_id = ?1",
    };
    sqlite3_stmt *st;
    size_t i;
    json_t *v;
    const char *key;

    for (int t = 0; t < 3; t++) {
        if (!(st = cat_stmt(c, del_slot[t], del_sql[t])))
            return CAT_ERROR;
        sqlite3_bind_int64(st, 1, id);
        if (sqlite3_step(st) != SQLITE_DONE)
            return cat_fail(c, "cannot replace streams");
    }
    json_array_foreach(json_object_get(r, "streams"), i, v) {
        st = cat_stmt(c, S_STREAM_ADD,
            "INSERT INTO streams(media_id, idx, type, codec, width, height, fps, rotation,"
            " sample_rate, channels, language) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)");
        if (!st)
            return CAT_ERROR;
        sqlite3_bind_int64(st, 1, id);
        bind_int(st, 2, v, "index");
        bind_str(st, 3, v, "type");
        bind_str(st, 4, v, "codec");
        bind_int(st, 5, v, "width");
        bind_int(st, 6, v, "height");
        bind_real(st, 7, v, "fps");
        bind_int(st, 8, v, "rotation");
        bind_int(st, 9, v, "sample_rate");
        bind_int(st, 10, v, "channels");
        bind_str(st, 11, v, "language");
        if (sqlite3_step(st) != SQLITE_DONE)
            return cat_fail(c, "cannot store stream");
    }
    json_object_foreach(json_object_get(r, "tags"), key, v) {
        if (!json_is_string(v))
            continue;
        st = cat_stmt(c, S_TAG_ADD, "INSERT INTO tags(media_id, key, value) VALUES (?1,?2,?3)"
                                    " ON CONFLICT DO UPDATE SET value = excluded.value");
        if (!st)
            return CAT_ERROR;
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, json_string_value(v), -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
            return cat_fail(c, "cannot store tag");
    }
    json_array_foreach(json_object_get(r, "chapters"), i, v) {
        st = cat_stmt(c, S_CHAPTER_ADD, "INSERT INTO chapters(media_id, idx, start, end, title)"
                                        " VALUES (?1,?2,?3,?4,?5)");
        if (!st)
            return CAT_ERROR;
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
        bind_real(st, 3, v, "start");
        bind_real(st, 4, v, "end");
        bind_str(st, 5, v, "title");
        if (sqlite3_step(st) != SQLITE_DONE)
            return cat_fail(c, "cannot store chapter");
    }
    return CAT_OK;
}

/* The searchable text of a record: its title and description tags, every
 * other tag value, and its path (words of folder and file names). */
static int update_text(cat *c, int64_t id, const char *path, json_t *r)
{
    json_t *tags = json_object_get(r, "tags");
    const char *key;
    json_t *v;
    char *all = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&all, &len);
    sqlite3_stmt *st;
    int rc = CAT_ERROR;

    if (!mem)
        return CAT_ERROR;
    json_object_foreach(tags, key, v) {
        if (strcmp(key, "title") && strcmp(key, "description") && json_is_string(v))
            fprintf(mem, "%s\n", json_string_value(v));
    }
    fclose(mem);
    st = cat_stmt(c, S_TEXT_UPSERT,
        "INSERT INTO media_text(media_id, title, description, tags, path) VALUES (?1,?2,?3,?4,?5)"
        " ON CONFLICT(media_id) DO UPDATE SET title = excluded.title,"
        " description = excluded.description, tags = excluded.tags, path = excluded.path");
    if (st) {
        sqlite3_bind_int64(st, 1, id);
        bind_str(st, 2, tags, "title");
        bind_str(st, 3, tags, "description");
        sqlite3_bind_text(st, 4, all, (int)len, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, path, -1, SQLITE_STATIC);
        rc = sqlite3_step(st) == SQLITE_DONE ? CAT_OK : cat_fail(c, "cannot index text");
        sqlite3_reset(st);
    }
    free(all);
    return rc;
}

static int find_id(cat *c, int slot, const char *sql, int64_t a, const char *b, int64_t *out)
{
    sqlite3_stmt *st = cat_stmt(c, slot, sql);
    int rc;
    if (!st)
        return CAT_ERROR;
    if (a >= 0)
        sqlite3_bind_int64(st, 1, a);
    sqlite3_bind_text(st, a >= 0 ? 2 : 1, b, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *out = sqlite3_column_int64(st, 0);
        sqlite3_reset(st);
        return CAT_OK;
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? CAT_NOTFOUND : cat_fail(c, "cannot look up media");
}

int cat_media_put(cat *c, int64_t root_id, const char *path, json_t *r,
                  int64_t scan_id, enum cat_put_outcome *out, int64_t *out_rowid)
{
    int64_t id = 0;
    char now[64];
    sqlite3_stmt *st;
    int rc;

    cat_now(now);
    rc = find_id(c, S_MEDIA_BY_PATH, "SELECT id FROM media WHERE root_id = ?1 AND path = ?2",
                 root_id, path, &id);
    if (rc == CAT_OK) {
        *out = CAT_PUT_CHANGED;
    } else if (rc == CAT_NOTFOUND) {
        const char *sha = json_string_value(json_object_get(r, "sha256"));
        rc = find_id(c, S_MEDIA_MISSING_BY_HASH,
                     "SELECT id FROM media WHERE sha256 = ?1 AND status = 'missing'"
                     " ORDER BY missing_since DESC LIMIT 1", -1, sha ? sha : "", &id);
        if (rc == CAT_OK)
            *out = CAT_PUT_MOVED;
        else if (rc != CAT_NOTFOUND)
            return rc;
    } else {
        return rc;
    }

    if (id) {
        /* the custody log takes the row's current values as the old ones,
         * so it is written before the update */
        const char *sha = json_string_value(json_object_get(r, "sha256"));
        int64_t size = json_integer_value(json_object_get(r, "size"));
        if (*out == CAT_PUT_CHANGED)
            rc = cat_custody_log(c, id, "reappeared", scan_id, "missing");
        if (rc == CAT_OK)
            rc = cat_custody_change(c, id, *out == CAT_PUT_MOVED ? "moved" : "changed", scan_id,
                                    root_id, path, sha, size);
        if (rc != CAT_OK)
            return rc;
        st = cat_stmt(c, S_MEDIA_UPDATE,
                      "UPDATE media SET root_id = ?24, path = ?2," TECH_SET " WHERE id = ?1");
        if (!st)
            return CAT_ERROR;
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_int64(st, 24, root_id);
    } else {
        char uid[17];
        new_uid(uid);
        st = cat_stmt(c, S_MEDIA_INSERT,
            "INSERT INTO media(uid, path, size, mtime_ns, sha256, kind, format, duration,"
            " bit_rate, width, height, rotation, fps, recorded_at, recorded_at_source, lat, lon,"
            " location_source, camera_make, camera_model, orientation, indexed_at, scan_id,"
            " root_id, first_seen, last_seen)"
            " VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,?20,"
            " ?21,?22,?23,?24,?22,?22)");
        if (!st)
            return CAT_ERROR;
        sqlite3_bind_text(st, 1, uid, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 24, root_id);
        *out = CAT_PUT_NEW;
    }
    sqlite3_bind_text(st, 2, path, -1, SQLITE_STATIC);
    bind_technical(st, r, scan_id, now);
    if (sqlite3_step(st) != SQLITE_DONE)
        return cat_fail(c, "cannot store media");
    if (!id)
        id = sqlite3_last_insert_rowid(c->db);
    sqlite3_reset(st);
    *out_rowid = id;
    if (*out == CAT_PUT_NEW && (rc = cat_custody_log(c, id, "first_seen", scan_id, NULL)) != CAT_OK)
        return rc;
    if ((rc = replace_children(c, id, r)) != CAT_OK || (rc = update_text(c, id, path, r)) != CAT_OK)
        return rc;
    return cat_error_forget(c, root_id, path);
}

int cat_media_mark_missing(cat *c, int64_t media_id, const char *last_seen, const char *now)
{
    sqlite3_stmt *st = cat_stmt(c, S_MARK_MISSING,
        "UPDATE media SET status = 'missing', missing_since = ?3,"
        " last_seen = coalesce(?2, last_seen) WHERE id = ?1 AND status = 'ok'");
    if (!st)
        return CAT_ERROR;
    sqlite3_bind_int64(st, 1, media_id);
    if (last_seen)
        sqlite3_bind_text(st, 2, last_seen, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, now, -1, SQLITE_STATIC);
    return sqlite3_step(st) == SQLITE_DONE ? CAT_OK : cat_fail(c, "cannot mark missing");
}

int cat_media_mark_present(cat *c, int64_t media_id, int64_t scan_id)
{
    sqlite3_stmt *st;
    char now[64];
    int rc = cat_custody_log(c, media_id, "reappeared", scan_id, "missing");
    if (rc != CAT_OK)
        return rc;
    st = cat_stmt(c, S_MARK_PRESENT, "UPDATE media SET status = 'ok', missing_since = NULL,"
                                     " last_seen = ?2 WHERE id = ?1 AND status = 'missing'");
    if (!st)
        return CAT_ERROR;
    sqlite3_bind_int64(st, 1, media_id);
    sqlite3_bind_text(st, 2, cat_now(now), -1, SQLITE_TRANSIENT);
    return sqlite3_step(st) == SQLITE_DONE ? CAT_OK : cat_fail(c, "cannot mark present");
}

int cat_error_put(cat *c, int64_t root_id, const char *path, const char *stage,
                  const char *message, int64_t size, int64_t mtime_ns, int64_t scan_id)
{
    sqlite3_stmt *st = cat_stmt(c, S_ERROR_PUT,
        "INSERT INTO errors(root_id, path, stage, message, size, mtime_ns, at, scan_id)"
        " VALUES (?1,?2,?3,?4,?5,?6,?7,?8) ON CONFLICT(root_id, path) DO UPDATE SET"
        " stage = excluded.stage, message = excluded.message, size = excluded.size,"
        " mtime_ns = excluded.mtime_ns, at = excluded.at, scan_id = excluded.scan_id");
    char now[64];
    if (!st)
        return CAT_ERROR;
    sqlite3_bind_int64(st, 1, root_id);
    sqlite3_bind_text(st, 2, path, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, stage, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, message, -1, SQLITE_STATIC);
    if (size >= 0)
        sqlite3_bind_int64(st, 5, size);
    if (size >= 0)
        sqlite3_bind_int64(st, 6, mtime_ns);
    sqlite3_bind_text(st, 7, cat_now(now), -1, SQLITE_TRANSIENT);
    if (scan_id > 0)         /* `reel tag` records problems outside any scan */
        sqlite3_bind_int64(st, 8, scan_id);
    return sqlite3_step(st) == SQLITE_DONE ? CAT_OK : cat_fail(c, "cannot record error");
}

int cat_error_forget(cat *c, int64_t root_id, const char *path)
{
    sqlite3_stmt *st = cat_stmt(c, S_ERROR_DEL,
                                "DELETE FROM errors WHERE root_id = ?1 AND path = ?2");
    if (!st)
        return CAT_ERROR;
    sqlite3_bind_int64(st, 1, root_id);
    sqlite3_bind_text(st, 2, path, -1, SQLITE_STATIC);
    return sqlite3_step(st) == SQLITE_DONE ? CAT_OK : cat_fail(c, "cannot clear error");
}
