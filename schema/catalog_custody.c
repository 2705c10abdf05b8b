/* catalog_custody.c - the append-only custody log and what `reel verify`
 * reads and records. Nothing here updates or deletes a custody row (and the
 * triggers of 003_custody.sql would refuse it). */
#include "catalog_int.h"

#include <stdio.h>
#include <string.h>

static void bind_scan(sqlite3_stmt *st, int i, int64_t scan_id)
{
    if (scan_id > 0)
        sqlite3_bind_int64(st, i, scan_id);
    else
        sqlite3_bind_null(st, i);
}

int cat_custody_log(cat *c, int64_t id, const char *event, int64_t scan_id,
                    const char *only_if_status)
{
    sqlite3_stmt *st = cat_stmt(c, S_CUSTODY_NOW,
        "INSERT INTO custody(media_id, event, at, scan_id, root_id, path, sha256, size)"
        " SELECT id, ?2, ?3, ?4, root_id, path, sha256, size FROM media"
        " WHERE id = ?1 AND (?5 IS NULL OR status = ?5)");
    char now[64];
    if (!st)
        return CAT_ERROR;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, event, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, cat_now(now), -1, SQLITE_TRANSIENT);
    bind_scan(st, 4, scan_id);
    if (only_if_status)
        sqlite3_bind_text(st, 5, only_if_status, -1, SQLITE_STATIC);
    return sqlite3_step(st) == SQLITE_DONE ? CAT_OK : cat_fail(c, "cannot append to the custody log");
}

int cat_custody_change(cat *c, int64_t id, const char *event, int64_t scan_id, int64_t root_id,
                       const char *path, const char *sha256, int64_t size)
{
    /* ?5..?8 are the new values, NULL for "as before"; the row's current
     * values become the old ones */
    sqlite3_stmt *st = cat_stmt(c, S_CUSTODY_CHANGE,
        "INSERT INTO custody(media_id, event, at, scan_id, root_id, path, sha256, size,"
        " old_root_id, old_path, old_sha256, old_size)"
        " SELECT id, ?2, ?3, ?4, coalesce(?5, root_id), coalesce(?6, path),"
        " coalesce(?7, sha256), coalesce(?8, size), root_id, path, sha256, size FROM media"
        " WHERE id = ?1 AND (root_id IS NOT coalesce(?5, root_id) OR path IS NOT coalesce(?6, path)"
        " OR sha256 IS NOT coalesce(?7, sha256))");
    char now[64];
    if (!st)
        return CAT_ERROR;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, event, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, cat_now(now), -1, SQLITE_TRANSIENT);
    bind_scan(st, 4, scan_id);
    if (root_id > 0)
        sqlite3_bind_int64(st, 5, root_id);
    if (path)
        sqlite3_bind_text(st, 6, path, -1, SQLITE_STATIC);
    if (sha256)
        sqlite3_bind_text(st, 7, sha256, -1, SQLITE_STATIC);
    if (size >= 0)
        sqlite3_bind_int64(st, 8, size);
    return sqlite3_step(st) == SQLITE_DONE ? CAT_OK : cat_fail(c, "cannot append to the custody log");
}

int cat_custody_settle_count(cat *c, int64_t scan_id, int64_t *out_logged)
{
    sqlite3_stmt *st = cat_stmt(c, S_CUSTODY_SETTLE,
        "INSERT INTO custody(media_id, event, at, scan_id, root_id, path, sha256, size)"
        " SELECT id, 'missing', coalesce(missing_since, ?2), ?1, root_id, path, sha256, size"
        " FROM media m WHERE status = 'missing' AND coalesce((SELECT event FROM custody k"
        "   WHERE k.media_id = m.id ORDER BY k.id DESC LIMIT 1), '')"
        "   NOT IN ('missing', 'verified_missing')"
        " ORDER BY id");
    char now[64];
    if (!st)
        return CAT_ERROR;
    bind_scan(st, 1, scan_id);
    sqlite3_bind_text(st, 2, cat_now(now), -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) != SQLITE_DONE)
        return cat_fail(c, "cannot append to the custody log");
    if (out_logged)
        *out_logged = sqlite3_changes(c->db);
    return CAT_OK;
}

int cat_custody_settle(cat *c, int64_t scan_id)
{
    return cat_custody_settle_count(c, scan_id, NULL);
}

int cat_custody_list(cat *c, int64_t media_id, json_t **out)
{
    sqlite3_stmt *st = cat_stmt(c, S_CUSTODY_LIST,
        "SELECT k.event, k.at, k.scan_id, r.name, k.path, k.sha256, k.size,"
        " o.name, k.old_path, k.old_sha256, k.old_size"
        " FROM custody k LEFT JOIN roots r ON r.id = k.root_id"
        " LEFT JOIN roots o ON o.id = k.old_root_id"
        " WHERE k.media_id = ?1 ORDER BY k.id");
    static const cat_column fields[] = {
        {"event", 't'}, {"at", 't'}, {"scan_id", 'i'}, {"root", 't'}, {"path", 't'},
        {"sha256", 't'}, {"size", 'i'}, {"old_root", 't'}, {"old_path", 't'},
        {"old_sha256", 't'}, {"old_size", 'i'}, {NULL, 0},
    };

    *out = NULL;
    if (!st)
        return CAT_ERROR;
    sqlite3_bind_int64(st, 1, media_id);
    if (!(*out = cat_rows(st, fields)))
        return cat_fail(c, "cannot read the custody log");
    return CAT_OK;
}

int cat_verify_each(cat *c, double older_than_days, cat_verify_cb cb, void *payload)
{
    /* times are stored as cat_now() writes them, so text order is time order */
    sqlite3_stmt *st = cat_stmt(c, S_VERIFY_EACH,
        "SELECT m.id, r.id, m.uid, r.path, r.name, m.path, m.sha256, m.size,"
        " m.status = 'missing' FROM media m JOIN roots r ON r.id = m.root_id"
        " WHERE ?1 IS NULL OR coalesce(m.verified_at, m.indexed_at)"
        "   < strftime('%Y-%m-%dT%H:%M:%fZ', 'now', printf('-%f days', ?1))"
        " ORDER BY r.path, m.path");
    int rc, stop = 0;

    if (!st)
        return CAT_ERROR;
    if (older_than_days >= 0)
        sqlite3_bind_double(st, 1, older_than_days);
    while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        cat_verify_row row = {
            .media_id = sqlite3_column_int64(st, 0),
            .root_id = sqlite3_column_int64(st, 1),
            .uid = (const char *)sqlite3_column_text(st, 2),
            .root_path = (const char *)sqlite3_column_text(st, 3),
            .root_name = (const char *)sqlite3_column_text(st, 4),
            .path = (const char *)sqlite3_column_text(st, 5),
            .sha256 = (const char *)sqlite3_column_text(st, 6),
            .size = sqlite3_column_int64(st, 7),
            .missing = sqlite3_column_int(st, 8),
        };
        stop = cb(&row, payload);
    }
    if (!stop && rc != SQLITE_DONE) {
        sqlite3_reset(st);
        return cat_fail(c, "cannot list files to verify");
    }
    sqlite3_reset(st);
    return stop;
}

int cat_verify_put(cat *c, int64_t media_id, enum cat_verify_outcome how, const char *sha256,
                   int64_t size)
{
    sqlite3_stmt *st;
    char now[64];
    int rc;

    cat_now(now);
    if (how == CAT_VERIFIED_MISSING)
        rc = cat_media_mark_missing(c, media_id, NULL, now);
    else
        rc = cat_media_mark_present(c, media_id, 0);   /* a no-op for a present row */
    if (rc != CAT_OK)
        return rc;
    if (how == CAT_VERIFIED_ALTERED)
        rc = cat_custody_change(c, media_id, "verified_altered", 0, 0, NULL, sha256, size);
    else
        rc = cat_custody_log(c, media_id, how == CAT_VERIFIED_OK ? "verified_ok" : "verified_missing",
                             0, NULL);
    if (rc != CAT_OK)
        return rc;
    st = cat_stmt(c, S_VERIFIED_AT, "UPDATE media SET verified_at = ?2 WHERE id = ?1");
    if (!st)
        return CAT_ERROR;
    sqlite3_bind_int64(st, 1, media_id);
    sqlite3_bind_text(st, 2, now, -1, SQLITE_TRANSIENT);
    return sqlite3_step(st) == SQLITE_DONE ? CAT_OK : cat_fail(c, "cannot record verification");
}
