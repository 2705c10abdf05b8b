/* catalog_editorial.c - sidecars seen, editorial values, segments, cues. */
#include "catalog_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the sidecar files the walker saw ------------------------------------------- */

int cat_sidecars_load(cat *c, int64_t root_id, const char *after, size_t limit, cat_known **out,
                      size_t *count)
{
    sqlite3_stmt *st = cat_stmt(c, S_SIDECARS_LOAD,
        "SELECT path, size, mtime_ns FROM sidecars WHERE root_id = ?1 AND path > ?2"
        " ORDER BY path LIMIT ?3");
    return cat_known_chunk(c, st, root_id, after, limit, "sidecars", out, count);
}

int cat_sidecar_put(cat *c, int64_t root_id, const char *path, const char *kind, int64_t size,
                    int64_t mtime_ns)
{
    sqlite3_stmt *st = cat_stmt(c, S_SIDECAR_PUT,
        "INSERT INTO sidecars(root_id, path, kind, size, mtime_ns) VALUES (?1,?2,?3,?4,?5)"
        " ON CONFLICT(root_id, path) DO UPDATE SET kind = excluded.kind, size = excluded.size,"
        " mtime_ns = excluded.mtime_ns");
    if (!st)
        return CAT_ERROR;
    sqlite3_bind_int64(st, 1, root_id);
    sqlite3_bind_text(st, 2, path, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, kind, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, size);
    sqlite3_bind_int64(st, 5, mtime_ns);
    return sqlite3_step(st) == SQLITE_DONE ? CAT_OK : cat_fail(c, "cannot record sidecar");
}

int cat_sidecar_forget(cat *c, int64_t root_id, const char *path)
{
    sqlite3_stmt *st = cat_stmt(c, S_SIDECAR_DEL,
                                "DELETE FROM sidecars WHERE root_id = ?1 AND path = ?2");
    if (!st)
        return CAT_ERROR;
    sqlite3_bind_int64(st, 1, root_id);
    sqlite3_bind_text(st, 2, path, -1, SQLITE_STATIC);
    return sqlite3_step(st) == SQLITE_DONE ? CAT_OK : cat_fail(c, "cannot forget sidecar");
}

/* Rows of one statement, copied out first: callbacks may use the handle. */
typedef struct pair_list {
    char **a, **b;
    size_t n, cap;
} pair_list;

static int pairs_add(pair_list *l, const char *a, const char *b)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 32;
        char **na = realloc(l->a, cap * sizeof *na), **nb;
        if (!na)
            return -1;
        l->a = na;
        if (!(nb = realloc(l->b, cap * sizeof *nb)))
            return -1;
        l->b = nb;
        l->cap = cap;
    }
    l->a[l->n] = strdup(a);
    l->b[l->n] = strdup(b ? b : "");
    l->n++;
    return l->a[l->n - 1] && l->b[l->n - 1] ? 0 : -1;
}

static void pairs_free(pair_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->a[i]);
        free(l->b[i]);
    }
    free(l->a);
    free(l->b);
}

int cat_sidecars_in_folder(cat *c, int64_t root_id, const char *folder, cat_sidecar_cb cb,
                           void *payload)
{
    /* paths in [folder, folder + U+10FFFF) with no '/' after the folder */
    sqlite3_stmt *st = cat_stmt(c, S_SIDECARS_IN,
        "SELECT path, kind FROM sidecars WHERE root_id = ?1 AND path >= ?2 AND path < ?2 || x'F48FBFBF'"
        " AND instr(substr(path, length(?2) + 1), '/') = 0 ORDER BY path");
    pair_list l = {0};
    int rc = 0;
    if (!st)
        return CAT_ERROR;
    sqlite3_bind_int64(st, 1, root_id);
    sqlite3_bind_text(st, 2, folder, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW)
        if (pairs_add(&l, (const char *)sqlite3_column_text(st, 0),
                      (const char *)sqlite3_column_text(st, 1)) != 0)
            break;
    sqlite3_reset(st);
    for (size_t i = 0; i < l.n && rc == 0; i++)
        rc = cb(l.a[i], l.b[i], payload);
    pairs_free(&l);
    return rc;
}

int cat_audio_languages(cat *c, int64_t media_id, json_t **out)
{
    sqlite3_stmt *st = cat_stmt(c, S_AUDIO_LANGS,
        "SELECT language FROM streams WHERE media_id = ?1 AND type = 'audio'"
        " AND language IS NOT NULL GROUP BY language ORDER BY min(idx)");
    json_t *arr;
    int rc;
    if (!st)
        return CAT_ERROR;
    arr = json_array();
    sqlite3_bind_int64(st, 1, media_id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        json_array_append_new(arr, json_string((const char *)sqlite3_column_text(st, 0)));
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        json_decref(arr);
        return cat_fail(c, "cannot read stream languages");
    }
    *out = arr;
    return CAT_OK;
}

int cat_root_path(cat *c, int64_t root_id, char **out)
{
    sqlite3_stmt *st = cat_stmt(c, S_ROOT_PATH, "SELECT path FROM roots WHERE id = ?1");
    int rc;
    *out = NULL;
    if (!st)
        return CAT_ERROR;
    sqlite3_bind_int64(st, 1, root_id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *out = strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? (*out ? CAT_OK : CAT_ERROR) : CAT_NOTFOUND;
}

int cat_media_where(cat *c, int64_t rowid, int64_t *root_id, char **path, double *duration)
{
    sqlite3_stmt *st = cat_stmt(c, S_MEDIA_WHERE,
                                "SELECT root_id, path, coalesce(duration, 0) FROM media WHERE id = ?1");
    int rc;
    *path = NULL;
    if (!st)
        return CAT_ERROR;
    sqlite3_bind_int64(st, 1, rowid);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *root_id = sqlite3_column_int64(st, 0);
        *path = strdup((const char *)sqlite3_column_text(st, 1));
        *duration = sqlite3_column_double(st, 2);
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? (*path ? CAT_OK : CAT_ERROR) : CAT_NOTFOUND;
}

/* ---- editorial values --------------------------------------------------------- */

static int exec_id(cat *c, int slot, const char *sql, int64_t id)
{
    sqlite3_stmt *st = cat_stmt(c, slot, sql);
    if (!st)
        return CAT_ERROR;
    sqlite3_bind_int64(st, 1, id);
    return sqlite3_step(st) == SQLITE_DONE ? CAT_OK : cat_fail(c, "cannot store editorial values");
}

static int add_pair(cat *c, int slot, const char *sql, int64_t id, const char *a, const char *b)
{
    sqlite3_stmt *st = cat_stmt(c, slot, sql);
    if (!st)
        return CAT_ERROR;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, a, -1, SQLITE_STATIC);
    if (b)
        sqlite3_bind_text(st, 3, b, -1, SQLITE_STATIC);
    return sqlite3_step(st) == SQLITE_DONE ? CAT_OK : cat_fail(c, "cannot store editorial values");
}

/* Adds a person, or merges new aliases into the ones known (stored one per
 * line, each followed by a newline). */
static int person_learn(cat *c, const char *name, json_t *aliases)
{
    sqlite3_stmt *st = cat_stmt(c, S_PEOPLE_GET, "SELECT id, aliases FROM people WHERE name = ?1");
    char *merged = NULL;
    size_t len = 0;
    int64_t id = 0;
    int rc = CAT_OK, changed = 0;
    FILE *m;
    size_t i;
    json_t *a;

    if (!st || !(m = open_memstream(&merged, &len)))
        return CAT_ERROR;
    fputc('\n', m);      /* a leading newline lets "\nalias\n" find the first one too */
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        id = sqlite3_column_int64(st, 0);
        fputs((const char *)sqlite3_column_text(st, 1), m);
    }
    sqlite3_reset(st);
    json_array_foreach(aliases, i, a) {
        char line[512];
        const char *s = json_string_value(a);
        if (!s || strchr(s, '\n'))
            continue;
        snprintf(line, sizeof line, "\n%s\n", s);
        fflush(m);
        if (strstr(merged, line))
            continue;
        fprintf(m, "%s\n", s);
        changed = 1;
    }
    fclose(m);
    if (!id) {
        st = cat_stmt(c, S_PEOPLE_ADD, "INSERT INTO people(name, aliases) VALUES (?1, ?2)");
    } else if (changed) {
        st = cat_stmt(c, S_PEOPLE_SET, "UPDATE people SET aliases = ?2 WHERE name = ?1");
    } else {
        st = NULL;
    }
    if (st) {
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, merged + 1, -1, SQLITE_STATIC);
        rc = sqlite3_step(st) == SQLITE_DONE ? CAT_OK : cat_fail(c, "cannot store person");
    }
    free(merged);
    return rc;
}

static char *joined(json_t *arr)
{
    char *out = NULL;
    size_t len = 0, i;
    json_t *v;
    FILE *m = open_memstream(&out, &len);
    if (!m)
        return NULL;
    json_array_foreach(arr, i, v)
        fprintf(m, "%s%s", i ? "\n" : "", json_string_value(v) ? json_string_value(v) : "");
    fclose(m);
    return out;
}

static int put_segments(cat *c, int64_t id, json_t *segs)
{
    size_t i;
    json_t *s;
    json_array_foreach(segs, i, s) {
        sqlite3_stmt *st = cat_stmt(c, S_ED_SEGMENT,
            "INSERT INTO segments(media_id, idx, start, end, title, people, countries, keywords)"
            " VALUES (?1,?2,?3,?4,?5,?6,?7,?8)");
        char *lists[3] = {NULL, NULL, NULL};
        static const char *const names[3] = {"people", "countries", "keywords"};
        int rc;
        if (!st)
            return CAT_ERROR;
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
        sqlite3_bind_double(st, 3, json_number_value(json_object_get(s, "start")));
        sqlite3_bind_double(st, 4, json_number_value(json_object_get(s, "end")));
        if (json_is_string(json_object_get(s, "title")))
            sqlite3_bind_text(st, 5, json_string_value(json_object_get(s, "title")), -1, SQLITE_STATIC);
        for (int l = 0; l < 3; l++) {
            lists[l] = joined(json_object_get(s, names[l]));
            sqlite3_bind_text(st, 6 + l, lists[l] ? lists[l] : "", -1, SQLITE_STATIC);
        }
        rc = sqlite3_step(st) == SQLITE_DONE ? CAT_OK : cat_fail(c, "cannot store segment");
        for (int l = 0; l < 3; l++)
            free(lists[l]);
        if (rc != CAT_OK)
            return rc;
    }
    return CAT_OK;
}

int cat_editorial_put(cat *c, int64_t id, json_t *doc, const char *search_text)
{
    static const char *const child_tables[] = {
        "DELETE FROM media_people WHERE media_id = ?1", "DELETE FROM media_countries WHERE media_id = ?1",
        "DELETE FROM media_languages WHERE media_id = ?1", "DELETE FROM media_keywords WHERE media_id = ?1",
        "DELETE FROM segments WHERE media_id = ?1", "DELETE FROM editorial WHERE media_id = ?1",
    };
    sqlite3_stmt *st;
    char *text = NULL;
    int rc = CAT_OK;

    for (size_t k = 0; k < sizeof child_tables / sizeof *child_tables; k++)
        if ((rc = exec_id(c, S_ED_CLEAR_FIRST + (int)k, child_tables[k], id)) != CAT_OK)
            return rc;
    /* a row even for no values: its updated_at tells an export feed when a
     * record stopped being public */
    {
        json_t *empty = doc ? NULL : json_object();
        const char *vis = json_string_value(json_object_get(doc, "visibility"));
        char now[64];
        size_t i;
        json_t *v;
        text = json_dumps(doc ? doc : empty, JSON_COMPACT | JSON_PRESERVE_ORDER);
        json_decref(empty);
        st = cat_stmt(c, S_ED_PUT,
            "INSERT INTO editorial(media_id, doc, visibility, recorded_at, event, campaign,"
            " organisation, place, updated_at) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9)");
        if (!st || !text) {
            free(text);
            return CAT_ERROR;
        }
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_text(st, 2, text, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, vis ? vis : "internal", -1, SQLITE_STATIC);
        static const char *const cols[] = {"recorded_at", "event", "campaign", "organisation", "place"};
        for (int k = 0; k < 5; k++) {
            const char *s = json_string_value(json_object_get(doc, cols[k]));
            if (s)
                sqlite3_bind_text(st, 4 + k, s, -1, SQLITE_STATIC);
        }
        sqlite3_bind_text(st, 9, cat_now(now), -1, SQLITE_TRANSIENT);
        rc = sqlite3_step(st) == SQLITE_DONE ? CAT_OK : cat_fail(c, "cannot store editorial values");
        free(text);
        json_array_foreach(json_object_get(doc, "people"), i, v) {
            const char *name = json_string_value(json_object_get(v, "name"));
            const char *role = json_string_value(json_object_get(v, "role"));
            if (rc == CAT_OK)
                rc = add_pair(c, S_ED_PERSON, "INSERT OR IGNORE INTO media_people(media_id, name, role)"
                              " VALUES (?1, ?2, coalesce(?3, ''))", id, name, role);
            if (rc == CAT_OK)
                rc = person_learn(c, name, json_object_get(v, "aliases"));
        }
        json_array_foreach(json_object_get(doc, "countries"), i, v)
            if (rc == CAT_OK)
                rc = add_pair(c, S_ED_COUNTRY, "INSERT OR IGNORE INTO media_countries(media_id, code)"
                              " VALUES (?1, ?2)", id, json_string_value(v), NULL);
        json_array_foreach(json_object_get(doc, "languages"), i, v)
            if (rc == CAT_OK)
                rc = add_pair(c, S_ED_LANG, "INSERT OR IGNORE INTO media_languages(media_id, code)"
                              " VALUES (?1, ?2)", id, json_string_value(v), NULL);
        json_array_foreach(json_object_get(doc, "keywords"), i, v)
            if (rc == CAT_OK)
                rc = add_pair(c, S_ED_KEYWORD, "INSERT OR IGNORE INTO media_keywords(media_id, keyword)"
                              " VALUES (?1, ?2)", id, json_string_value(v), NULL);
        json_array_foreach(json_object_get(doc, "segments"), i, v) {
            json_t *names;
            size_t j;
            json_t *n;
            names = json_object_get(v, "people");
            json_array_foreach(names, j, n)
                if (rc == CAT_OK)
                    rc = person_learn(c, json_string_value(n), NULL);
        }
        if (rc == CAT_OK)
            rc = put_segments(c, id, json_object_get(doc, "segments"));
    }
    if (rc != CAT_OK)
        return rc;
    /* the sidecar's title and description are the record's, for search too */
    st = cat_stmt(c, S_ED_TEXT,
        "UPDATE media_text SET"
        " title = coalesce(?2, (SELECT value FROM tags WHERE media_id = ?1 AND key = 'title')),"
        " description = coalesce(?3, (SELECT value FROM tags WHERE media_id = ?1 AND key = 'description')),"
        " editorial = ?4 WHERE media_id = ?1");
    if (!st)
        return CAT_ERROR;
    sqlite3_bind_int64(st, 1, id);
    if (doc && json_is_string(json_object_get(doc, "title")))
        sqlite3_bind_text(st, 2, json_string_value(json_object_get(doc, "title")), -1, SQLITE_STATIC);
    if (doc && json_is_string(json_object_get(doc, "description")))
        sqlite3_bind_text(st, 3, json_string_value(json_object_get(doc, "description")), -1,
                          SQLITE_STATIC);
    if (search_text)
        sqlite3_bind_text(st, 4, search_text, -1, SQLITE_STATIC);
    return sqlite3_step(st) == SQLITE_DONE ? CAT_OK : cat_fail(c, "cannot index editorial text");
}

int cat_cues_put(cat *c, int64_t id, const char *source, json_t *tracks)
{
    sqlite3_stmt *st = cat_stmt(c, S_CUES_DEL, "DELETE FROM cues WHERE media_id = ?1 AND source = ?2");
    size_t i, j;
    json_t *t, *cue;
    if (!st)
        return CAT_ERROR;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, source, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
        return cat_fail(c, "cannot replace cues");
    json_array_foreach(tracks, i, t) {
        json_array_foreach(json_object_get(t, "cues"), j, cue) {
            const char *text = json_string_value(json_object_get(cue, "text"));
            if (!text)
                continue;
            st = cat_stmt(c, S_CUE_ADD, "INSERT INTO cues(media_id, source, track, language, start,"
                                        " end, text) VALUES (?1,?2,?3,?4,?5,?6,?7)");
            if (!st)
                return CAT_ERROR;
            sqlite3_bind_int64(st, 1, id);
            sqlite3_bind_text(st, 2, source, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 3, json_string_value(json_object_get(t, "track")) ?: "", -1,
                              SQLITE_STATIC);
            if (json_is_string(json_object_get(t, "language")))
                sqlite3_bind_text(st, 4, json_string_value(json_object_get(t, "language")), -1,
                                  SQLITE_STATIC);
            sqlite3_bind_double(st, 5, json_number_value(json_object_get(cue, "start")));
            sqlite3_bind_double(st, 6, json_number_value(json_object_get(cue, "end")));
            sqlite3_bind_text(st, 7, text, -1, SQLITE_STATIC);
            if (sqlite3_step(st) != SQLITE_DONE)
                return cat_fail(c, "cannot store cue");
        }
    }
    return CAT_OK;
}

/* ---- people and countries -------------------------------------------------------- */

/* The words of name as one FTS5 phrase: quotes doubled, so any input is
 * a literal phrase and never query syntax. */
static char *as_phrase(const char *name)
{
    size_t n = strlen(name);
    char *out = malloc(2 * n + 3), *o = out;
    if (!out)
        return NULL;
    *o++ = '"';
    for (const char *p = name; *p; p++) {
        if (*p == '"')
            *o++ = '"';
        *o++ = *p;
    }
    *o++ = '"';
    *o = 0;
    return out;
}

int cat_people_match(cat *c, const char *name, json_t **out)
{
    sqlite3_stmt *st = cat_stmt(c, S_PEOPLE_MATCH,
        "SELECT p.name FROM people_fts f JOIN people p ON p.id = f.rowid WHERE people_fts MATCH ?1"
        " ORDER BY p.name");
    char *phrase = as_phrase(name);
    json_t *names = json_array();
    int rc;
    if (!st || !phrase) {
        free(phrase);
        json_decref(names);
        return CAT_ERROR;
    }
    sqlite3_bind_text(st, 1, phrase, -1, SQLITE_TRANSIENT);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        json_array_append_new(names, json_string((const char *)sqlite3_column_text(st, 0)));
    sqlite3_reset(st);
    free(phrase);
    if (rc != SQLITE_DONE) {
        json_decref(names);
        return cat_fail(c, "cannot match people");
    }
    *out = names;
    return CAT_OK;
}

static int counts(cat *c, int slot, const char *sql, const char *key, json_t **out)
{
    sqlite3_stmt *st = cat_stmt(c, slot, sql);
    json_t *arr = json_array();
    int rc;
    if (!st) {
        json_decref(arr);
        return CAT_ERROR;
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *o = json_pack("{s:s,s:I}", key, (const char *)sqlite3_column_text(st, 0), "count",
                              (json_int_t)sqlite3_column_int64(st, 1));
        if (sqlite3_column_count(st) > 2 && sqlite3_column_type(st, 2) != SQLITE_NULL
            && *(const char *)sqlite3_column_text(st, 2)) {
            json_t *roles = json_array();
            char *r = strdup((const char *)sqlite3_column_text(st, 2)), *save = NULL;
            for (char *tok = r ? strtok_r(r, ",", &save) : NULL; tok; tok = strtok_r(NULL, ",", &save))
                json_array_append_new(roles, json_string(tok));
            free(r);
            json_object_set_new(o, "roles", roles);
        }
        json_array_append_new(arr, o);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        json_decref(arr);
        return cat_fail(c, "cannot count values");
    }
    *out = arr;
    return CAT_OK;
}

int cat_people_counts(cat *c, json_t **out)
{
    return counts(c, S_PEOPLE_COUNTS,
        "SELECT p.name, count(DISTINCT p.media_id), group_concat(DISTINCT nullif(p.role, ''))"
        " FROM media_people p JOIN media m ON m.id = p.media_id WHERE m.status = 'ok'"
        " GROUP BY p.name ORDER BY 2 DESC, 1", "name", out);
}

int cat_country_counts(cat *c, json_t **out)
{
    return counts(c, S_COUNTRY_COUNTS,
        "SELECT k.code, count(*) FROM media_countries k JOIN media m ON m.id = k.media_id"
        " WHERE m.status = 'ok' GROUP BY k.code ORDER BY 2 DESC, 1", "code", out);
}
