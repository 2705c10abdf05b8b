/* catalog_thumbs.c - which posters and storyboards belong to which record. */
#include "catalog_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void bind_text_of(sqlite3_stmt *st, int i, json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    if (s)
        sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
}

static void bind_num_of(sqlite3_stmt *st, int i, json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    if (json_is_integer(v))
        sqlite3_bind_int64(st, i, json_integer_value(v));
    else if (json_is_real(v))
        sqlite3_bind_double(st, i, json_real_value(v));
}

/* One row: `o` is the poster or storyboard object, or NULL with a reason. */
static int add_row(cat *c, int64_t id, const char *role, json_t *o, const char *reason,
                   const char *now)
{
    sqlite3_stmt *st = cat_stmt(c, S_THUMB_ADD,
        "INSERT INTO thumbnails(media_id, role, file, vtt, width, height, size, time, source,"
        " interval, tile_width, tile_height, columns, count, reason, made_at)"
        " VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16)");
    if (!st)
        return CAT_ERROR;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, role, -1, SQLITE_STATIC);
    if (o) {
        bind_text_of(st, 3, o, strcmp(role, "poster") == 0 ? "file" : "image");
        bind_text_of(st, 4, o, "vtt");
        bind_num_of(st, 5, o, strcmp(role, "poster") == 0 ? "width" : "tile_width");
        bind_num_of(st, 6, o, strcmp(role, "poster") == 0 ? "height" : "tile_height");
        bind_num_of(st, 7, o, "size");
        bind_num_of(st, 8, o, "time");
        bind_text_of(st, 9, o, "source");
        bind_num_of(st, 10, o, "interval");
        bind_num_of(st, 11, o, "tile_width");
        bind_num_of(st, 12, o, "tile_height");
        bind_num_of(st, 13, o, "columns");
        bind_num_of(st, 14, o, "count");
    }
    if (reason)
        sqlite3_bind_text(st, 15, reason, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 16, now, -1, SQLITE_STATIC);
    return sqlite3_step(st) == SQLITE_DONE ? CAT_OK : cat_fail(c, "cannot store thumbnail");
}

int cat_thumbs_put(cat *c, int64_t id, json_t *t)
{
    sqlite3_stmt *st = cat_stmt(c, S_THUMB_DEL, "DELETE FROM thumbnails WHERE media_id = ?1");
    json_t *poster = json_object_get(t, "poster"), *sb = json_object_get(t, "storyboard");
    const char *err = json_string_value(json_object_get(t, "error"));
    const char *why = json_string_value(json_object_get(t, "reason"));
    const char *sb_err = json_string_value(json_object_get(t, "storyboard_error"));
    char now[64];
    int rc = CAT_OK;

    if (!st)
        return CAT_ERROR;
    sqlite3_bind_int64(st, 1, id);
    if (sqlite3_step(st) != SQLITE_DONE)
        return cat_fail(c, "cannot replace thumbnails");
    cat_now(now);
    if (poster || err || why)
        rc = add_row(c, id, "poster", poster, poster ? NULL : err ? err : why, now);
    if (rc == CAT_OK && (sb || sb_err))
        rc = add_row(c, id, "storyboard", sb, sb ? NULL : sb_err, now);
    return rc;
}

int cat_thumbs_each(cat *c, cat_thumb_cb cb, void *payload)
{
    sqlite3_stmt *st = cat_stmt(c, S_THUMBS_EACH,
        "SELECT m.id, r.path || '/' || m.path, m.sha256, m.kind, m.duration,"
        " p.file, p.reason, s.file, s.vtt"
        " FROM media m JOIN roots r ON r.id = m.root_id"
        " LEFT JOIN thumbnails p ON p.media_id = m.id AND p.role = 'poster'"
        " LEFT JOIN thumbnails s ON s.media_id = m.id AND s.role = 'storyboard'"
        " WHERE m.status = 'ok' ORDER BY r.path, m.path");
    int rc = 0, step;
    if (!st)
        return CAT_ERROR;
    /* the callback only collects; it runs no statement of this handle */
    while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
        cat_thumb_row row = {
            .media_id = sqlite3_column_int64(st, 0),
            .abs_path = (const char *)sqlite3_column_text(st, 1),
            .sha256 = (const char *)sqlite3_column_text(st, 2),
            .kind = (const char *)sqlite3_column_text(st, 3),
            .duration = sqlite3_column_double(st, 4),
            .poster = (const char *)sqlite3_column_text(st, 5),
            .poster_reason = (const char *)sqlite3_column_text(st, 6),
            .storyboard = (const char *)sqlite3_column_text(st, 7),
            .storyboard_vtt = (const char *)sqlite3_column_text(st, 8),
        };
        rc = cb(&row, payload);
    }
    sqlite3_reset(st);
    return rc;
}
