/* catalog_search.c - searches that return clips: whole files, segments
 * (time-coded clips from sidecars) and transcript cues, under the same
 * filters. The SQL is assembled from fixed fragments; every value the user
 * typed reaches SQLite as a bound parameter. */
#include "catalog_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_BINDS 64

typedef struct sql {
    FILE *f;
    char *text;
    size_t len;
    const char *bind_text[MAX_BINDS];
    double bind_num[MAX_BINDS];
    int is_num[MAX_BINDS];
    int n;
} sql;

/* Appends a fragment; each '?' in it takes the next of the given values. */
static void add(sql *s, const char *fragment)
{
    fputs(fragment, s->f);
}

static void add_text(sql *s, const char *fragment, const char *value)
{
    if (s->n >= MAX_BINDS)
        return;
    fprintf(s->f, fragment, s->n + 1);
    s->bind_text[s->n] = value;
    s->is_num[s->n++] = 0;
}

static void add_num(sql *s, const char *fragment, double value)
{
    if (s->n >= MAX_BINDS)
        return;
    fprintf(s->f, fragment, s->n + 1);
    s->bind_num[s->n] = value;
    s->is_num[s->n++] = 1;
}

/* The filtered media rows, as a CTE named f. */
/* f is inlined, not materialised (NOT MATERIALIZED), and the FTS tables
 * drive the joins (CROSS JOIN keeps that order): otherwise SQLite scans
 * every file and probes the full-text index once per file. */
static void media_filters(sql *s, const cat_query *q)
{
    add(s, "WITH f AS NOT MATERIALIZED (SELECT m.id, m.path, r.path AS rpath, m.duration,"
           " coalesce(e.recorded_at, m.recorded_at) AS rec"
           " FROM media m JOIN roots r ON r.id = m.root_id"
           " LEFT JOIN editorial e ON e.media_id = m.id WHERE 1");
    if (!q->any_status)
        add(s, q->missing ? " AND m.status = 'missing'" : " AND m.status = 'ok'");
    if (q->changed_since)
        /* a record changes when it is read again, moved, its sidecars change,
         * it goes missing or comes back, or its thumbnails are made */
        add_text(s, " AND max(m.indexed_at, m.last_seen, coalesce(m.missing_since, ''),"
                    " coalesce(e.updated_at, ''), coalesce((SELECT max(t.made_at) FROM thumbnails t"
                    " WHERE t.media_id = m.id), '')) >= ?%d", q->changed_since);
    if (q->kind)
        add_text(s, " AND m.kind = ?%d", q->kind);
    if (q->event)
        add_text(s, " AND e.event = ?%d COLLATE NOCASE", q->event);
    if (q->campaign)
        add_text(s, " AND e.campaign = ?%d COLLATE NOCASE", q->campaign);
    if (q->organisation)
        add_text(s, " AND e.organisation = ?%d COLLATE NOCASE", q->organisation);
    if (q->visibility)
        add_text(s, " AND coalesce(e.visibility, 'internal') = ?%d", q->visibility);
    if (q->from)
        add_text(s, " AND substr(coalesce(e.recorded_at, m.recorded_at), 1, 10) >= ?%d", q->from);
    if (q->to)
        add_text(s, " AND substr(coalesce(e.recorded_at, m.recorded_at), 1, 10) <= ?%d", q->to);
    if (q->min_duration >= 0)
        add_num(s, " AND m.duration >= ?%d", q->min_duration);
    if (q->max_duration >= 0)
        add_num(s, " AND m.duration <= ?%d", q->max_duration);
    if (q->language)
        add_text(s, " AND EXISTS (SELECT 1 FROM media_languages l WHERE l.media_id = m.id"
                    " AND l.code = ?%d)", q->language);
    if (q->has_subtitles)
        add(s, " AND EXISTS (SELECT 1 FROM cues c WHERE c.media_id = m.id)");
    if (q->root)
        add_text(s, " AND (r.name = ?%1$d OR r.path = ?%1$d)", q->root);
    if (q->path_glob)
        add_text(s, " AND m.path GLOB ?%d", q->path_glob);
    add(s, ")");
}

/* One condition at file level, written for media id column `col`. */
static void file_person(sql *s, const char *col, const char *names_json, int speaker)
{
    char frag[300];
    snprintf(frag, sizeof frag, " EXISTS (SELECT 1 FROM media_people p WHERE p.media_id = %s%s"
             " AND p.name IN (SELECT value FROM json_each(?%%d)))", col,
             speaker ? " AND p.role = 'speaker'" : "");
    add_text(s, frag, names_json);
}

static void file_country(sql *s, const char *col, const char *code)
{
    char frag[200];
    snprintf(frag, sizeof frag, " EXISTS (SELECT 1 FROM media_countries k WHERE k.media_id = %s"
             " AND k.code = ?%%d)", col);
    add_text(s, frag, code);
}

static void file_keyword(sql *s, const char *col, const char *kw)
{
    char frag[200];
    snprintf(frag, sizeof frag, " EXISTS (SELECT 1 FROM media_keywords w WHERE w.media_id = %s"
             " AND w.keyword = ?%%d COLLATE NOCASE)", col);
    add_text(s, frag, kw);
}

/* The file's own people, countries and keywords satisfy the filters. */
static void file_about(sql *s, const cat_query *q)
{
    if (q->speakers) {
        add(s, " AND");
        file_person(s, "f.id", q->speakers, 1);
    }
    if (q->people) {
        add(s, " AND");
        file_person(s, "f.id", q->people, 0);
    }
    if (q->country) {
        add(s, " AND");
        file_country(s, "f.id", q->country);
    }
    if (q->keyword) {
        add(s, " AND");
        file_keyword(s, "f.id", q->keyword);
    }
}

/* A segment's newline-separated list holds value (exactly, or any of a
 * JSON array of values). */
static void seg_has(sql *s, const char *column, const char *value, int json_list)
{
    char frag[300];
    if (json_list)
        snprintf(frag, sizeof frag, " EXISTS (SELECT 1 FROM json_each(?%%d) j WHERE"
                 " instr(char(10) || s.%s || char(10), char(10) || j.value || char(10)) > 0)", column);
    else
        snprintf(frag, sizeof frag, " instr(char(10) || lower(s.%s) || char(10),"
                 " char(10) || lower(?%%d) || char(10)) > 0", column);
    add_text(s, frag, value);
}

static void file_hits(sql *s, const cat_query *q)
{
    if (q->words)
        add_text(s, " SELECT 'file' AS hit, f.id AS media_id, NULL AS start, NULL AS end,"
                    " snippet(media_fts, -1, '[', ']', '…', 10) AS text,"
                    " bm25(media_fts, 10.0, 4.0, 2.0, 1.0, 3.0) AS rank, f.rpath, f.path, f.rec, f.duration"
                    " FROM media_fts CROSS JOIN f ON f.id = media_fts.rowid WHERE media_fts MATCH ?%d",
                 q->words);
    else
        add(s, " SELECT 'file' AS hit, f.id AS media_id, NULL AS start, NULL AS end, NULL AS text,"
               " 0 AS rank, f.rpath, f.path, f.rec, f.duration FROM f WHERE 1");
    file_about(s, q);
}

/* Segments: each filter holds for the segment itself or for its file, and
 * the segment itself matches at least one thing asked (words, a person, a
 * country, a keyword): a clip is listed for what it is about. */
static void segment_hits(sql *s, const cat_query *q)
{
    if (q->words)
        add_text(s, " SELECT 'segment', f.id, s.start, s.end, s.title, bm25(segments_fts),"
                    " f.rpath, f.path, f.rec, f.duration"
                    " FROM segments_fts CROSS JOIN segments s ON s.id = segments_fts.rowid"
                    " CROSS JOIN f ON f.id = s.media_id WHERE segments_fts MATCH ?%d",
                 q->words);
    else
        add(s, " SELECT 'segment', f.id, s.start, s.end, s.title, 0, f.rpath, f.path, f.rec, f.duration"
               " FROM segments s JOIN f ON f.id = s.media_id WHERE 1");
    if (q->speakers) {
        add(s, " AND (");
        seg_has(s, "people", q->speakers, 1);
        add(s, " OR");
        file_person(s, "f.id", q->speakers, 1);
        add(s, ")");
    }
    if (q->people) {
        add(s, " AND (");
        seg_has(s, "people", q->people, 1);
        add(s, " OR");
        file_person(s, "f.id", q->people, 0);
        add(s, ")");
    }
    if (q->country) {
        add(s, " AND (");
        seg_has(s, "countries", q->country, 0);
        add(s, " OR");
        file_country(s, "f.id", q->country);
        add(s, ")");
    }
    if (q->keyword) {
        add(s, " AND (");
        seg_has(s, "keywords", q->keyword, 0);
        add(s, " OR");
        file_keyword(s, "f.id", q->keyword);
        add(s, ")");
    }
    if (!q->words) {
        add(s, " AND (0");
        if (q->speakers) {
            add(s, " OR");
            seg_has(s, "people", q->speakers, 1);
        }
        if (q->people) {
            add(s, " OR");
            seg_has(s, "people", q->people, 1);
        }
        if (q->country) {
            add(s, " OR");
            seg_has(s, "countries", q->country, 0);
        }
        if (q->keyword) {
            add(s, " OR");
            seg_has(s, "keywords", q->keyword, 0);
        }
        add(s, ")");
    }
}

/* Cues: words spoken; the other filters hold for the file. */
static void cue_hits(sql *s, const cat_query *q)
{
    add_text(s, " SELECT 'cue', f.id, c.start, c.end, c.text, bm25(cues_fts),"
                " f.rpath, f.path, f.rec, f.duration"
                " FROM cues_fts CROSS JOIN cues c ON c.id = cues_fts.rowid"
                " CROSS JOIN f ON f.id = c.media_id WHERE cues_fts MATCH ?%d", q->words);
    file_about(s, q);
}

static void hits(sql *s, const cat_query *q)
{
    media_filters(s, q);
    add(s, " SELECT * FROM (");
    file_hits(s, q);
    if (q->words || q->speakers || q->people || q->country || q->keyword) {
        add(s, " UNION ALL");
        segment_hits(s, q);
    }
    if (q->words) {
        add(s, " UNION ALL");
        cue_hits(s, q);
    }
    add(s, ")");
}

static sqlite3_stmt *prepare(cat *c, sql *s)
{
    sqlite3_stmt *st = NULL;
    fclose(s->f);
    s->f = NULL;
    if (!s->text || s->n >= MAX_BINDS) {
        snprintf(c->err, sizeof c->err, "search too complex");
        return NULL;
    }
    if (sqlite3_prepare_v2(c->db, s->text, -1, &st, NULL) != SQLITE_OK) {
        snprintf(c->err, sizeof c->err, "bad search query: %s", sqlite3_errmsg(c->db));
        return NULL;
    }
    for (int i = 0; i < s->n; i++) {
        if (s->is_num[i])
            sqlite3_bind_double(st, i + 1, s->bind_num[i]);
        else
            sqlite3_bind_text(st, i + 1, s->bind_text[i], -1, SQLITE_STATIC);
    }
    return st;
}

static int open_sql(sql *s)
{
    memset(s, 0, sizeof *s);
    s->f = open_memstream(&s->text, &s->len);
    return s->f ? 0 : -1;
}

int cat_find(cat *c, const cat_query *q, int64_t *out_total, cat_hit_cb cb, void *payload)
{
    static const struct { const char *name, *order; } sorts[] = {
        {"relevance", "rank, rpath, path, start"},
        {"recorded", "rec IS NULL, rec, rpath, path, start"},
        {"duration", "duration IS NULL, duration DESC, rpath, path, start"},
        {"path", "rpath, path, hit <> 'file', start"},
    };
    const char *order = q->words ? sorts[0].order : sorts[3].order;
    sql s;
    sqlite3_stmt *st;
    int rc, step;

    for (size_t i = 0; q->sort && i < sizeof sorts / sizeof *sorts; i++)
        if (strcmp(q->sort, sorts[i].name) == 0)
            order = sorts[i].order;
    /* the count */
    if (open_sql(&s) != 0)
        return CAT_ERROR;
    hits(&s, q);
    fputs(" ", s.f);
    {
        /* wrap: SELECT count(*) FROM (<hits>) */
        char *inner;
        fclose(s.f);
        inner = s.text;
        s.text = NULL;
        s.f = open_memstream(&s.text, &s.len);
        if (!s.f) {
            free(inner);
            return CAT_ERROR;
        }
        /* the CTE must stay first: split it from the union */
        char *sel = strstr(inner, ") SELECT * FROM (");
        if (!sel) {
            free(inner);
            fclose(s.f);
            free(s.text);
            return CAT_ERROR;
        }
        fprintf(s.f, "%.*s) SELECT count(*) FROM (%s", (int)(sel - inner), inner,
                sel + strlen(") SELECT * FROM ("));
        free(inner);
    }
    st = prepare(c, &s);
    free(s.text);
    if (!st)
        return CAT_ERROR;
    step = sqlite3_step(st);
    if (step != SQLITE_ROW) {
        snprintf(c->err, sizeof c->err, "bad search query: %s", sqlite3_errmsg(c->db));
        sqlite3_finalize(st);
        return CAT_ERROR;
    }
    *out_total = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);

    /* the page */
    if (open_sql(&s) != 0)
        return CAT_ERROR;
    hits(&s, q);
    fprintf(s.f, " ORDER BY %s", order);
    add_num(&s, " LIMIT ?%d", q->limit > 0 ? q->limit : -1);
    add_num(&s, " OFFSET ?%d", q->offset > 0 ? q->offset : 0);
    st = prepare(c, &s);
    free(s.text);
    if (!st)
        return CAT_ERROR;
    /* rows are copied out before the callbacks, which may use the handle */
    {
        cat_hit *all = NULL;
        size_t n = 0, cap = 0;
        rc = CAT_OK;
        while ((step = sqlite3_step(st)) == SQLITE_ROW) {
            cat_hit h;
            if (n == cap) {
                size_t ncap = cap ? cap * 2 : 64;
                cat_hit *na = realloc(all, ncap * sizeof *na);
                if (!na)
                    break;
                all = na;
                cap = ncap;
            }
            h.kind = (const char *)sqlite3_column_text(st, 0);
            h.kind = h.kind[0] == 'f' ? "file" : h.kind[0] == 's' ? "segment" : "cue";
            h.media_id = sqlite3_column_int64(st, 1);
            h.has_time = sqlite3_column_type(st, 2) != SQLITE_NULL;
            h.start = sqlite3_column_double(st, 2);
            h.end = sqlite3_column_double(st, 3);
            h.text = sqlite3_column_type(st, 4) == SQLITE_NULL ? NULL
                                                               : strdup((const char *)sqlite3_column_text(st, 4));
            all[n++] = h;
        }
        if (step != SQLITE_DONE && step != SQLITE_ROW) {
            snprintf(c->err, sizeof c->err, "bad search query: %s", sqlite3_errmsg(c->db));
            rc = CAT_ERROR;
        }
        sqlite3_finalize(st);
        for (size_t i = 0; i < n; i++) {
            if (rc == CAT_OK)
                rc = cb(&all[i], payload);
            free((char *)all[i].text);
        }
        free(all);
    }
    return rc;
}

/* ---- whole files: export and facets ----------------------------------------- */

/* The files of q (no clips), as CTE g after f. */
static void file_set(sql *s, const cat_query *q)
{
    media_filters(s, q);
    add(s, ", g AS (SELECT f.* FROM f WHERE 1");
    if (q->words)
        add_text(s, " AND f.id IN (SELECT rowid FROM media_fts WHERE media_fts MATCH ?%d)", q->words);
    file_about(s, q);
    add(s, ")");
}

int cat_files_matching(cat *c, const cat_query *q, cat_rowid_cb cb, void *payload)
{
    sql s;
    sqlite3_stmt *st;
    int64_t *ids = NULL;
    size_t n = 0, cap = 0;
    int rc = CAT_OK, step;

    if (open_sql(&s) != 0)
        return CAT_ERROR;
    file_set(&s, q);
    /* catalogue order, not path order: stable all the same (ids never
     * change), and it reads every per-record table in its own key order;
     * path order made each record a handful of random page reads (export
     * of 100,000 records: 5.1 -> 1.9 s CPU) */
    add(&s, " SELECT id FROM g ORDER BY id");
    st = prepare(c, &s);
    free(s.text);
    if (!st)
        return CAT_ERROR;
    /* ids first (8 bytes a file): the callback reads records with this handle */
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 1024;
            int64_t *ni = realloc(ids, ncap * sizeof *ni);
            if (!ni) {
                step = SQLITE_NOMEM;
                break;
            }
            ids = ni;
            cap = ncap;
        }
        ids[n++] = sqlite3_column_int64(st, 0);
    }
    if (step != SQLITE_DONE) {
        snprintf(c->err, sizeof c->err, "bad search query: %s", sqlite3_errmsg(c->db));
        rc = CAT_ERROR;
    }
    sqlite3_finalize(st);
    for (size_t i = 0; rc == CAT_OK && i < n; i++)
        rc = cb(ids[i], payload);
    free(ids);
    return rc;
}

int cat_facets(cat *c, const cat_query *q, json_t **out)
{
    static const struct { const char *name, *select; } facets[] = {
        {"speaker", "SELECT p.name, count(DISTINCT g.id) FROM g JOIN media_people p"
                    " ON p.media_id = g.id AND p.role = 'speaker'"},
        {"country", "SELECT k.code, count(*) FROM g JOIN media_countries k ON k.media_id = g.id"},
        {"event", "SELECT e.event, count(*) FROM g JOIN editorial e ON e.media_id = g.id"
                  " AND e.event IS NOT NULL"},
        {"year", "SELECT substr(g.rec, 1, 4), count(*) FROM g WHERE g.rec IS NOT NULL"},
        {"kind", "SELECT m.kind, count(*) FROM g JOIN media m ON m.id = g.id"},
        {"language", "SELECT l.code, count(*) FROM g JOIN media_languages l ON l.media_id = g.id"},
    };
    json_t *doc = json_object();
    int64_t total = 0;

    for (size_t i = 0; i < sizeof facets / sizeof *facets; i++) {
        sql s;
        sqlite3_stmt *st;
        json_t *list = json_array();
        int step;
        if (open_sql(&s) != 0) {
            json_decref(list);
            json_decref(doc);
            return CAT_ERROR;
        }
        file_set(&s, q);
        fprintf(s.f, " %s GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 100", facets[i].select);
        st = prepare(c, &s);
        free(s.text);
        if (!st) {
            json_decref(list);
            json_decref(doc);
            return CAT_ERROR;
        }
        while ((step = sqlite3_step(st)) == SQLITE_ROW)
            json_array_append_new(list, json_pack("{s:s,s:I}", "value",
                                                  (const char *)sqlite3_column_text(st, 0), "count",
                                                  (json_int_t)sqlite3_column_int64(st, 1)));
        sqlite3_finalize(st);
        if (step != SQLITE_DONE) {
            snprintf(c->err, sizeof c->err, "bad search query: %s", sqlite3_errmsg(c->db));
            json_decref(list);
            json_decref(doc);
            return CAT_ERROR;
        }
        json_object_set_new(doc, facets[i].name, list);
    }
    /* how many files the facets count */
    {
        sql s;
        sqlite3_stmt *st;
        if (open_sql(&s) != 0) {
            json_decref(doc);
            return CAT_ERROR;
        }
        file_set(&s, q);
        add(&s, " SELECT count(*) FROM g");
        st = prepare(c, &s);
        free(s.text);
        if (st && sqlite3_step(st) == SQLITE_ROW)
            total = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    json_object_set_new(doc, "files", json_integer(total));
    *out = doc;
    return CAT_OK;
}

int cat_withdrawn_since(cat *c, const char *since, int visible_only, json_t **out)
{
    sqlite3_stmt *st = NULL;
    json_t *ids = json_array();
    int step;
    const char *q =
        "SELECT m.uid FROM media m LEFT JOIN editorial e ON e.media_id = m.id"
        " WHERE (m.status = 'missing' AND m.missing_since >= ?1)"
        " OR (?2 AND m.status = 'ok' AND coalesce(e.visibility, 'internal') <> 'public'"
        "     AND max(m.indexed_at, m.last_seen, coalesce(e.updated_at, '')) >= ?1)"
        " ORDER BY m.uid";
    if (sqlite3_prepare_v2(c->db, q, -1, &st, NULL) != SQLITE_OK) {
        json_decref(ids);
        return cat_fail(c, "cannot list withdrawn records");
    }
    sqlite3_bind_text(st, 1, since, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, visible_only);
    while ((step = sqlite3_step(st)) == SQLITE_ROW)
        json_array_append_new(ids, json_string((const char *)sqlite3_column_text(st, 0)));
    sqlite3_finalize(st);
    if (step != SQLITE_DONE) {
        json_decref(ids);
        return cat_fail(c, "cannot list withdrawn records");
    }
    *out = ids;
    return CAT_OK;
}
