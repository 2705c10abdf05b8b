/* catalog_dirty.c - the media whose editorial values an index run must read
 * again. A first index touches every file, and one _meta.json at a root's
 * top touches every file under it: the list lives in TEMP tables (a
 * temporary file with a small page cache, private to this connection) so
 * the writer's memory does not grow with the tree, and the primary key
 * reads each file once however many sidecars touch it. */
#include "catalog_int.h"

#include <stdio.h>

int cat_dirty_reset(cat *c)
{
    char *msg = NULL;
    /* the prefixes are expanded after the workers' phase, when the files a
     * run finds gone are marked missing and new ones are stored */
    if (sqlite3_exec(c->db,
                     "PRAGMA temp.cache_size = -256;"
                     "CREATE TEMP TABLE IF NOT EXISTS dirty_media (id INTEGER PRIMARY KEY);"
                     "CREATE TEMP TABLE IF NOT EXISTS dirty_prefix"
                     " (root_id INTEGER NOT NULL, prefix TEXT NOT NULL, same_folder INTEGER NOT NULL);"
                     "DELETE FROM dirty_media; DELETE FROM dirty_prefix;",
                     NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(c->err, sizeof c->err, "cannot list files to re-read: %s",
                 msg ? msg : sqlite3_errmsg(c->db));
        sqlite3_free(msg);
        return CAT_ERROR;
    }
    return CAT_OK;
}

int cat_dirty_add(cat *c, int64_t media_id)
{
    sqlite3_stmt *st = cat_stmt(c, S_DIRTY_ADD, "INSERT OR IGNORE INTO dirty_media(id) VALUES (?1)");
    if (!st)
        return CAT_ERROR;
    sqlite3_bind_int64(st, 1, media_id);
    return sqlite3_step(st) == SQLITE_DONE ? CAT_OK : cat_fail(c, "cannot list a file to re-read");
}

int cat_dirty_add_under(cat *c, int64_t root_id, const char *prefix, int same_folder)
{
    sqlite3_stmt *st = cat_stmt(c, S_DIRTY_PREFIX,
        "INSERT INTO dirty_prefix(root_id, prefix, same_folder) VALUES (?1, ?2, ?3)");
    if (!st)
        return CAT_ERROR;
    sqlite3_bind_int64(st, 1, root_id);
    sqlite3_bind_text(st, 2, prefix, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, same_folder != 0);
    return sqlite3_step(st) == SQLITE_DONE ? CAT_OK : cat_fail(c, "cannot list files to re-read");
}

int cat_dirty_expand(cat *c)
{
    /* paths in [prefix, prefix + U+10FFFF): a range of the (root_id, path)
     * index per prefix (CROSS JOIN keeps the prefixes outside: the planner
     * would rather scan every present row); same_folder drops paths with a
     * '/' after the prefix */
    sqlite3_stmt *st = cat_stmt(c, S_DIRTY_EXPAND,
        "INSERT OR IGNORE INTO dirty_media(id)"
        " SELECT m.id FROM dirty_prefix p CROSS JOIN media m ON m.root_id = p.root_id"
        " AND m.path >= p.prefix AND m.path < p.prefix || x'F48FBFBF'"
        " WHERE m.status = 'ok'"
        " AND (NOT p.same_folder OR instr(substr(m.path, length(p.prefix) + 1), '/') = 0)");
    if (!st)
        return CAT_ERROR;
    if (sqlite3_step(st) != SQLITE_DONE)
        return cat_fail(c, "cannot list files to re-read");
    sqlite3_reset(st);
    return CAT_OK;
}

int cat_dirty_next(cat *c, int64_t after, int64_t *out_id, int64_t *out_root_id)
{
    sqlite3_stmt *st = cat_stmt(c, S_DIRTY_NEXT,
        "SELECT d.id, m.root_id FROM dirty_media d JOIN media m ON m.id = d.id"
        " WHERE d.id > ?1 ORDER BY d.id LIMIT 1");
    int rc;
    if (!st)
        return CAT_ERROR;
    sqlite3_bind_int64(st, 1, after);
    *out_id = 0;
    if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        *out_id = sqlite3_column_int64(st, 0);
        *out_root_id = sqlite3_column_int64(st, 1);
    } else if (rc != SQLITE_DONE) {
        return cat_fail(c, "cannot read files to re-read");
    }
    sqlite3_reset(st);
    return CAT_OK;
}
