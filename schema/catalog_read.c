/* catalog_read.c - records, lookups, search and errors for api/. */
#include "catalog_int.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int lookup_rel(cat *c, int64_t root_id, const char *rel, int64_t *out)
{
    sqlite3_stmt *st = cat_stmt(c, S_LOOKUP_PATH,
        "SELECT id FROM media WHERE (?1 = 0 OR root_id = ?1) AND path = ?2"
        " ORDER BY root_id LIMIT 1");
    int rc;
    if (!st)
        return CAT_ERROR;
    sqlite3_bind_int64(st, 1, root_id);
    sqlite3_bind_text(st, 2, rel, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *out = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? CAT_OK : rc == SQLITE_DONE ? CAT_NOTFOUND : cat_fail(c, "lookup");
}

/* An on-disk path: made absolute (resolving symlinks when the file still
 * exists), then matched against each root as a prefix. */
static int lookup_disk_path(cat *c, const char *p, int64_t *out)
{
    char abs[PATH_MAX];
    sqlite3_stmt *st;
    int rc = CAT_NOTFOUND;

    if (!realpath(p, abs)) {
        char cwd[PATH_MAX];
        if (p[0] == '/')
            snprintf(abs, sizeof abs, "%s", p);
        else if (getcwd(cwd, sizeof cwd))
            snprintf(abs, sizeof abs, "%.2000s/%.2000s", cwd, p);
        else
            return CAT_NOTFOUND;
    }
    st = cat_stmt(c, S_ROOTS_ALL, "SELECT id, path FROM roots ORDER BY length(path) DESC");
    if (!st)
        return CAT_ERROR;
    while (rc == CAT_NOTFOUND && sqlite3_step(st) == SQLITE_ROW) {
        const char *root = (const char *)sqlite3_column_text(st, 1);
        size_t n = strlen(root);
        if (strncmp(abs, root, n) == 0 && abs[n] == '/')
            rc = lookup_rel(c, sqlite3_column_int64(st, 0), abs + n + 1, out);
    }
    sqlite3_reset(st);
    return rc;
}

int cat_media_lookup(cat *c, const char *id_or_path, int64_t *out)
{
    sqlite3_stmt *st = cat_stmt(c, S_LOOKUP_UID, "SELECT id FROM media WHERE uid = ?1");
    int rc;
    if (!st)
        return CAT_ERROR;
    sqlite3_bind_text(st, 1, id_or_path, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *out = sqlite3_column_int64(st, 0);
        sqlite3_reset(st);
        return CAT_OK;
    }
    sqlite3_reset(st);
    rc = lookup_disk_path(c, id_or_path, out);
    if (rc == CAT_NOTFOUND)
        rc = lookup_rel(c, 0, id_or_path, out);
    if (rc == CAT_NOTFOUND)
        snprintf(c->err, sizeof c->err, "no record for '%s'", id_or_path);
    return rc;
}

/* ---- the record ---------------------------------------------------------- */

static json_t *iso_from_ns(int64_t ns)
{
    char buf[40];
    struct tm tm;
    time_t t = (time_t)(ns / 1000000000);
    gmtime_r(&t, &tm);
    strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return json_string(buf);
}

static int add_streams(cat *c, int64_t id, json_t *rec)
{
    sqlite3_stmt *st = cat_stmt(c, S_RECORD_STREAMS,
        "SELECT idx, type, codec, width, height, fps, rotation, sample_rate, channels, language"
        " FROM streams WHERE media_id = ?1 ORDER BY idx");
    static const cat_column fields[] = {
        {"index", 'i'}, {"type", 't'}, {"codec", 't'}, {"width", 'i'}, {"height", 'i'},
        {"fps", 'r'}, {"rotation", 'i'}, {"sample_rate", 'i'}, {"channels", 'i'},
        {"language", 't'}, {NULL, 0},
    };
    json_t *arr;
    if (!st)
        return CAT_ERROR;
    sqlite3_bind_int64(st, 1, id);
    if (!(arr = cat_rows(st, fields)))
        return cat_fail(c, "cannot read streams");
    cat_set_nonempty(rec, "streams", arr);
    return CAT_OK;
}

/* The container's own title and description: with no sidecar yet, the best
 * editorial values there are (a sidecar's, read later, win). */
static void tags_as_editorial(json_t *tags, json_t *rec)
{
    if (json_object_get(tags, "title"))
        json_object_set(rec, "title", json_object_get(tags, "title"));
    if (json_object_get(tags, "description"))
        json_object_set(rec, "description", json_object_get(tags, "description"));
}

/* The (key, value) rows of st for media id, into tags. */
static void read_tags(sqlite3_stmt *st, int64_t id, json_t *tags)
{
    sqlite3_bind_int64(st, 1, id);
    while (sqlite3_step(st) == SQLITE_ROW)
        cat_put_text(tags, (const char *)sqlite3_column_text(st, 0), st, 1);
    sqlite3_reset(st);
}

static const cat_column chapter_fields[] = {
    {"start", 'r'}, {"end", 'r'}, {"title", 't'}, {NULL, 0},
};

/* chapters and every tag */
static int add_chapters_and_tags(cat *c, int64_t id, json_t *rec)
{
    sqlite3_stmt *st;
    json_t *arr, *tags = json_object();

    st = cat_stmt(c, S_RECORD_CHAPTERS,
        "SELECT start, end, title FROM chapters WHERE media_id = ?1 ORDER BY idx");
    if (st)
        sqlite3_bind_int64(st, 1, id);
    if (!st || !(arr = cat_rows(st, chapter_fields))) {
        json_decref(tags);
        return st ? cat_fail(c, "cannot read chapters") : CAT_ERROR;
    }
    cat_set_nonempty(rec, "chapters", arr);

    st = cat_stmt(c, S_RECORD_TAGS, "SELECT key, value FROM tags WHERE media_id = ?1 ORDER BY key");
    if (!st) {
        json_decref(tags);
        return CAT_ERROR;
    }
    read_tags(st, id, tags);
    tags_as_editorial(tags, rec);
    if (json_object_size(tags))
        json_object_set_new(rec, "tags", tags);
    else
        json_decref(tags);
    return CAT_OK;
}

/* The editorial values (sidecars) over the technical ones, and the
 * transcripts. Visibility is always present: "internal" where nothing says
 * otherwise, so a record is never public by accident. */
static const cat_column subtitle_fields[] = {
    {"language", 't'}, {"source", 't'}, {"track", 't'}, {"cues", 'i'}, {NULL, 0},
};

static int add_editorial(cat *c, int64_t id, json_t *rec)
{
    static const char *const copied[] = {
        "title", "description", "people", "countries", "place", "event", "campaign",
        "organisation", "languages", "keywords", "consent", "source_url", "segments", NULL,
    };
    sqlite3_stmt *st = cat_stmt(c, S_RECORD_ED, "SELECT doc FROM editorial WHERE media_id = ?1");
    json_t *doc = NULL, *subs;
    if (!st)
        return CAT_ERROR;
    sqlite3_bind_int64(st, 1, id);
    if (sqlite3_step(st) == SQLITE_ROW)
        doc = json_loads((const char *)sqlite3_column_text(st, 0), 0, NULL);
    sqlite3_reset(st);
    if (doc) {
        size_t i;
        json_t *p;
        for (const char *const *k = copied; *k; k++)
            if (json_object_get(doc, *k))
                json_object_set(rec, *k, json_object_get(doc, *k));
        /* people in the record are {name, role}; aliases serve search only */
        json_array_foreach(json_object_get(rec, "people"), i, p)
            json_object_del(p, "aliases");
        if (json_object_get(doc, "recorded_at")) {
            json_object_set(rec, "recorded_at", json_object_get(doc, "recorded_at"));
            json_object_set_new(rec, "recorded_at_source", json_string("sidecar"));
        }
        if (json_object_get(doc, "location")) {
            json_object_set(rec, "location", json_object_get(doc, "location"));
            json_object_set_new(rec, "location_source", json_string("sidecar"));
        }
    }
    json_object_set_new(rec, "visibility",
                        json_string(doc && json_is_string(json_object_get(doc, "visibility"))
                                        ? json_string_value(json_object_get(doc, "visibility"))
                                        : "internal"));
    json_decref(doc);

    st = cat_stmt(c, S_RECORD_SUBS,
        "SELECT language, source, track, count(*) FROM cues WHERE media_id = ?1"
        " GROUP BY source, track ORDER BY source, track");
    if (!st)
        return CAT_ERROR;
    sqlite3_bind_int64(st, 1, id);
    if (!(subs = cat_rows(st, subtitle_fields)))
        return cat_fail(c, "cannot read subtitle tracks");
    cat_set_nonempty(rec, "subtitles", subs);
    return CAT_OK;
}

/* "thumbnail" (and the time its frame came from) and "storyboard". */
static int add_thumbs(cat *c, int64_t id, json_t *rec)
{
    sqlite3_stmt *st = cat_stmt(c, S_RECORD_THUMBS,
        "SELECT role, file, vtt, time, interval, tile_width, tile_height, columns, count, reason"
        " FROM thumbnails WHERE media_id = ?1 ORDER BY role");
    if (!st)
        return CAT_ERROR;
    sqlite3_bind_int64(st, 1, id);
    while (sqlite3_step(st) == SQLITE_ROW) {
        int poster = strcmp((const char *)sqlite3_column_text(st, 0), "poster") == 0;
        if (sqlite3_column_type(st, 1) == SQLITE_NULL) {
            if (poster)
                cat_put_text(rec, "thumbnail_reason", st, 9);
        } else if (poster) {
            cat_put_text(rec, "thumbnail", st, 1);
            cat_put_real(rec, "thumbnail_time", st, 3);
        } else {
            json_t *sb = json_object();
            cat_put_text(sb, "image", st, 1);
            cat_put_text(sb, "vtt", st, 2);
            cat_put_real(sb, "interval", st, 4);
            cat_put_int(sb, "tile_width", st, 5);
            cat_put_int(sb, "tile_height", st, 6);
            cat_put_int(sb, "columns", st, 7);
            cat_put_int(sb, "count", st, 8);
            json_object_set_new(rec, "storyboard", sb);
        }
    }
    sqlite3_reset(st);
    return CAT_OK;
}

/* Steps st (the record statement of a loader, NULL when it could not be
 * prepared) to media row id's row: CAT_OK on it, else reset, with the
 * message set. */
static int record_row(cat *c, sqlite3_stmt *st, int64_t id)
{
    int rc;
    if (!st)
        return CAT_ERROR;
    sqlite3_bind_int64(st, 1, id);
    if ((rc = sqlite3_step(st)) == SQLITE_ROW)
        return CAT_OK;
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return cat_fail(c, "cannot read record");
    snprintf(c->err, sizeof c->err, "no record %lld", (long long)id);
    return CAT_NOTFOUND;
}

int cat_record_load(cat *c, int64_t id, json_t **out)
{
    sqlite3_stmt *st = cat_stmt(c, S_RECORD,
        "SELECT m.uid, r.name, m.path, m.kind, m.status, m.size, m.mtime_ns, m.sha256,"
        " m.format, m.duration, m.bit_rate, m.width, m.height, m.rotation, m.fps,"
        " m.recorded_at, m.recorded_at_source, m.lat, m.lon, m.location_source,"
        " m.camera_make, m.camera_model, m.orientation, m.first_seen, m.last_seen,"
        " m.missing_since, m.indexed_at"
        " FROM media m JOIN roots r ON r.id = m.root_id WHERE m.id = ?1");
    json_t *rec = NULL;
    int rc;

    *out = NULL;
    if ((rc = record_row(c, st, id)) != CAT_OK)
        return rc;
    rec = json_object();
    cat_put_text(rec, "id", st, 0);
    cat_put_text(rec, "root", st, 1);
    cat_put_text(rec, "path", st, 2);
    cat_put_text(rec, "kind", st, 3);
    cat_put_text(rec, "status", st, 4);
    cat_put_int(rec, "size", st, 5);
    json_object_set_new(rec, "mtime", iso_from_ns(sqlite3_column_int64(st, 6)));
    cat_put_text(rec, "sha256", st, 7);
    cat_put_text(rec, "format", st, 8);
    cat_put_real(rec, "duration", st, 9);
    cat_put_int(rec, "bit_rate", st, 10);
    cat_put_int(rec, "width", st, 11);
    cat_put_int(rec, "height", st, 12);
    cat_put_int(rec, "rotation", st, 13);
    cat_put_real(rec, "fps", st, 14);
    cat_put_text(rec, "recorded_at", st, 15);
    cat_put_text(rec, "recorded_at_source", st, 16);
    if (sqlite3_column_type(st, 17) != SQLITE_NULL && sqlite3_column_type(st, 18) != SQLITE_NULL) {
        json_object_set_new(rec, "location",
                            json_pack("{s:f,s:f}", "lat", sqlite3_column_double(st, 17),
                                      "lon", sqlite3_column_double(st, 18)));
        cat_put_text(rec, "location_source", st, 19);
    }
    if (sqlite3_column_type(st, 20) != SQLITE_NULL || sqlite3_column_type(st, 21) != SQLITE_NULL) {
        json_t *cam = json_object();
        cat_put_text(cam, "make", st, 20);
        cat_put_text(cam, "model", st, 21);
        json_object_set_new(rec, "camera", cam);
    }
    cat_put_int(rec, "orientation", st, 22);
    cat_put_text(rec, "first_seen", st, 23);
    cat_put_text(rec, "last_seen", st, 24);
    cat_put_text(rec, "missing_since", st, 25);
    cat_put_text(rec, "indexed_at", st, 26);
    sqlite3_reset(st);

    if ((rc = add_streams(c, id, rec)) != CAT_OK || (rc = add_chapters_and_tags(c, id, rec)) != CAT_OK
        || (rc = add_editorial(c, id, rec)) != CAT_OK || (rc = add_thumbs(c, id, rec)) != CAT_OK) {
        json_decref(rec);
        return rc;
    }
    *out = rec;
    return CAT_OK;
}

/* A JSON column (SQLite's -> gives a value's JSON text) into o[key]. */
static void put_json(json_t *o, const char *key, sqlite3_stmt *st, int col)
{
    const char *text = (const char *)sqlite3_column_text(st, col);
    json_t *v = text ? json_loads(text, JSON_DECODE_ANY, NULL) : NULL;
    if (v)
        json_object_set_new(o, key, v);
}

int cat_record_brief(cat *c, int64_t id, json_t **out)
{
    /* one statement; the sidecar document is not decoded whole, only the
     * four values a hit shows are taken from it (as cat_record_load takes
     * them: the sidecar's title over the container's, its date over the
     * file's) */
    sqlite3_stmt *st = cat_stmt(c, S_RECORD_BRIEF,
        "SELECT m.uid, r.name, m.path, m.kind, m.duration, m.recorded_at,"
        " (SELECT t.value FROM tags t WHERE t.media_id = m.id AND t.key = 'title'),"
        " (SELECT h.file FROM thumbnails h WHERE h.media_id = m.id AND h.role = 'poster'),"
        " d -> '$.title', d -> '$.people', d -> '$.countries', d -> '$.recorded_at'"
        " FROM media m JOIN roots r ON r.id = m.root_id"
        " LEFT JOIN (SELECT media_id, CASE WHEN json_valid(doc) THEN doc END AS d FROM editorial) e"
        " ON e.media_id = m.id WHERE m.id = ?1");
    json_t *rec, *p;
    size_t i;
    int rc;

    *out = NULL;
    if ((rc = record_row(c, st, id)) != CAT_OK)
        return rc;
    rec = json_object();
    cat_put_text(rec, "id", st, 0);
    cat_put_text(rec, "root", st, 1);
    cat_put_text(rec, "path", st, 2);
    cat_put_text(rec, "kind", st, 3);
    cat_put_real(rec, "duration", st, 4);
    cat_put_text(rec, "recorded_at", st, 5);
    cat_put_text(rec, "title", st, 6);
    cat_put_text(rec, "thumbnail", st, 7);
    put_json(rec, "title", st, 8);
    put_json(rec, "people", st, 9);
    put_json(rec, "countries", st, 10);
    put_json(rec, "recorded_at", st, 11);
    sqlite3_reset(st);
    /* people in the record are {name, role}; aliases serve search only */
    json_array_foreach(json_object_get(rec, "people"), i, p)
        json_object_del(p, "aliases");
    *out = rec;
    return CAT_OK;
}

/* ---- listings ------------------------------------------------------------ */

int cat_errors_list(cat *c, json_t **out)
{
    sqlite3_stmt *st = cat_stmt(c, S_ERRORS_LIST,
        "SELECT r.name, e.path, e.stage, e.message, e.at FROM errors e"
        " JOIN roots r ON r.id = e.root_id ORDER BY r.path, e.path");
    static const cat_column fields[] = {
        {"root", 't'}, {"path", 't'}, {"stage", 't'}, {"message", 't'}, {"at", 't'}, {NULL, 0},
    };
    if (!st)
        return CAT_ERROR;
    if (!(*out = cat_rows(st, fields)))
        return cat_fail(c, "cannot list errors");
    return CAT_OK;
}
