/* catalog_search.c - searches that return clips: whole files, segments
 * (time-coded clips from sidecars) and transcript cues, under the same
 * filters. The SQL is assembled from fixed fragments; every value the user
 * typed reaches SQLite as a bound parameter. */
#include "catalog_int.h"

#include <math.h>
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
/* Whether a filter reads the file's editorial row. */
static int filters_use_editorial(const cat_query *q)
{
    return q->changed_since || q->event || q->campaign || q->organisation || q->visibility
           || q->from || q->to;
}

/* need_rec: f's rec (the recorded date) is used. Otherwise, and when no
 * filter reads editorial, f does not join it: SQLite keeps the LEFT JOIN
 * and looks the row up for every hit even when nothing uses it. narrow:
 * only f's id is used, so f reads media through the index media_facts
 * (migration 009) when every column the filters test is in it. Editorial
 * values always come from the index editorial_facts (010), which has every
 * column f reads but not the wide sidecar document. */
static void media_filters(sql *s, const cat_query *q, int need_rec, int narrow)
{
    const char *media = narrow && !q->path_glob && !q->changed_since
                            ? "media m INDEXED BY media_facts" : "media m";
    if (need_rec || filters_use_editorial(q))
        fprintf(s->f, "WITH f AS NOT MATERIALIZED (SELECT m.id, m.path, r.path AS rpath,"
                      " m.duration, coalesce(e.recorded_at, m.recorded_at) AS rec"
                      " FROM %s JOIN roots r ON r.id = m.root_id"
                      " LEFT JOIN editorial e INDEXED BY editorial_facts"
                      " ON e.media_id = m.id WHERE 1", media);
    else
        fprintf(s->f, "WITH f AS NOT MATERIALIZED (SELECT m.id, m.path, r.path AS rpath,"
                      " m.duration, NULL AS rec FROM %s JOIN roots r ON r.id = m.root_id WHERE 1",
                media);
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

/* One condition at file level, written for media id column `col`. Written
 * as `col IN (...)` rather than EXISTS so that SQLite may start from the
 * index on the name, country or keyword instead of probing every file. */
static void file_person(sql *s, const char *col, const char *names_json, int speaker)
{
    char frag[300];
    snprintf(frag, sizeof frag, " %s IN (SELECT p.media_id FROM media_people p"
             " WHERE p.name IN (SELECT value FROM json_each(?%%d))%s)", col,
             speaker ? " AND p.role = 'speaker'" : "");
    add_text(s, frag, names_json);
}

static void file_country(sql *s, const char *col, const char *code)
{
    char frag[200];
    snprintf(frag, sizeof frag, " %s IN (SELECT k.media_id FROM media_countries k WHERE k.code = ?%%d)",
             col);
    add_text(s, frag, code);
}

static void file_keyword(sql *s, const char *col, const char *kw)
{
    char frag[200];
    snprintf(frag, sizeof frag, " %s IN (SELECT w.media_id FROM media_keywords w"
             " WHERE w.keyword = ?%%d COLLATE NOCASE)", col);
    add_text(s, frag, kw);
}

/* The file's own people, countries and keywords satisfy the filters; col
 * is the file's id as early in the join as it is known (a cue's media_id),
 * so that a hit of another file is dropped before its file is read. */
static void file_about(sql *s, const cat_query *q, const char *col)
{
    if (q->speakers) {
        add(s, " AND");
        file_person(s, col, q->speakers, 1);
    }
    if (q->people) {
        add(s, " AND");
        file_person(s, col, q->people, 0);
    }
    if (q->country) {
        add(s, " AND");
        file_country(s, col, q->country);
    }
    if (q->keyword) {
        add(s, " AND");
        file_keyword(s, col, q->keyword);
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

/* What a hit fragment selects: kind, id and rank (ranked_page), or the
 * columns of the other orders (sorted_page), with the recorded date or the
 * duration only for the order that uses it: the date is a look-up in
 * editorial for every hit. */
enum cols { RANKED, BY_PATH, BY_RECORDED, BY_DURATION };

static void hit_cols(sql *s, enum cols cols, const char *kind, const char *rid, const char *times,
                     const char *rank)
{
    if (cols == RANKED) {
        fprintf(s->f, " SELECT '%c' AS hit, %s AS rid, %s AS rank", kind[0], rid, rank);
        return;
    }
    fprintf(s->f, " SELECT '%s' AS hit, f.id AS media_id, %s AS rid, %s, 0 AS rank,"
            " f.rpath AS rpath, f.path AS path, %s AS rec, %s AS duration",
            kind, rid, times, cols == BY_RECORDED ? "f.rec" : "NULL",
            cols == BY_DURATION ? "f.duration" : "NULL");
}

static void file_hits(sql *s, const cat_query *q, enum cols cols)
{
    hit_cols(s, cols, "file", "f.id", "NULL AS start, NULL AS end",
             "reel_rank(media_fts, 10.0, 4.0, 2.0, 1.0, 3.0)");
    if (q->words)
        add_text(s, " FROM media_fts CROSS JOIN f ON f.id = media_fts.rowid WHERE media_fts MATCH ?%d",
                 q->words);
    else
        add(s, " FROM f WHERE 1");
    file_about(s, q, "f.id");
}

/* Whether FTS5's unicode61 tokenizer surely finds a word in t: an ASCII
 * letter or digit, or a Latin, Greek, Cyrillic, CJK or Hangul letter. */
static int has_word(const char *t)
{
    const unsigned char *p = (const unsigned char *)t;
    while (*p) {
        unsigned cp = *p, extra = cp >= 0xF0 ? 3 : cp >= 0xE0 ? 2 : cp >= 0xC0 ? 1 : 0;
        if (cp < 0x80 && ((cp | 0x20) - 'a' < 26 || cp - '0' < 10))
            return 1;
        if (extra)
            cp &= 0x3F >> extra;
        for (p++; extra && (*p & 0xC0) == 0x80; extra--)
            cp = cp << 6 | (*p++ & 0x3F);
        if ((cp >= 0xC0 && cp <= 0x24F && cp != 0xD7 && cp != 0xF7) || (cp >= 0x391 && cp <= 0x3C9)
            || (cp >= 0x400 && cp <= 0x481) || (cp >= 0x48A && cp <= 0x52F)
            || (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0xAC00 && cp <= 0xD7A3))
            return 1;
    }
    return 0;
}

static int names_have_words(const char *names_json)
{
    json_t *names = json_loads(names_json, 0, NULL), *v;
    size_t i;
    int ok = json_is_array(names);
    json_array_foreach(names, i, v)
        ok = ok && json_is_string(v) && has_word(json_string_value(v));
    json_decref(names);
    return ok;
}

/* A segment found by its people or keywords is first looked up in
 * segments_fts (columns people and keywords), then checked exactly by
 * seg_has: a phrase query on the name's words finds every segment whose
 * list holds the name, so this only avoids reading every segment. Not for
 * countries (no such column) or a name without a word to look up. */
static int seg_prefilter_ok(const cat_query *q)
{
    return !q->country && (q->speakers || q->people || q->keyword)
           && (!q->speakers || names_have_words(q->speakers)) && (!q->people || names_have_words(q->people))
           && (!q->keyword || has_word(q->keyword));
}

static void seg_prefilter(sql *s, const cat_query *q)
{
    int n = 0;
    add(s, " AND s.id IN (SELECT rowid FROM segments_fts WHERE segments_fts MATCH"
           " (SELECT group_concat(x, ' OR ') FROM (");
    for (int i = 0; i < 2; i++) {
        const char *names = i ? q->people : q->speakers;
        if (!names)
            continue;
        add(s, n++ ? " UNION ALL" : "");
        add_text(s, " SELECT 'people : \"' || replace(value, '\"', '\"\"') || '\"' AS x"
                    " FROM json_each(?%d)", names);
    }
    if (q->keyword) {
        add(s, n ? " UNION ALL" : "");
        add_text(s, " SELECT 'keywords : \"' || replace(?%d, '\"', '\"\"') || '\"' AS x", q->keyword);
    }
    add(s, ")))");
}

/* Opens " AND (segment has value OR": the caller adds the file's own
 * condition and the closing parenthesis. */
static void seg_or_file(sql *s, const char *column, const char *value, int json_list)
{
    add(s, " AND (");
    seg_has(s, column, value, json_list);
    add(s, " OR");
}

/* Segments: each filter holds for the segment itself or for its file, and
 * the segment itself matches at least one thing asked (words, a person, a
 * country, a keyword): a clip is listed for what it is about. */
static void segment_hits(sql *s, const cat_query *q, enum cols cols)
{
    hit_cols(s, cols, "segment", "s.id", "s.start AS start, s.end AS end", "reel_rank(segments_fts)");
    if (q->words)
        add_text(s, " FROM segments_fts CROSS JOIN segments s ON s.id = segments_fts.rowid"
                    " CROSS JOIN f ON f.id = s.media_id WHERE segments_fts MATCH ?%d",
                 q->words);
    else if (seg_prefilter_ok(q)) {
        /* CROSS JOIN: start from the few segments found, not from every file */
        add(s, " FROM segments s CROSS JOIN f ON f.id = s.media_id WHERE 1");
        seg_prefilter(s, q);
    } else
        add(s, " FROM segments s JOIN f ON f.id = s.media_id WHERE 1");
    /* each filter holds for the segment itself or for its file */
    if (q->speakers) {
        seg_or_file(s, "people", q->speakers, 1);
        file_person(s, "f.id", q->speakers, 1);
        add(s, ")");
    }
    if (q->people) {
        seg_or_file(s, "people", q->people, 1);
        file_person(s, "f.id", q->people, 0);
        add(s, ")");
    }
    if (q->country) {
        seg_or_file(s, "countries", q->country, 0);
        file_country(s, "f.id", q->country);
        add(s, ")");
    }
    if (q->keyword) {
        seg_or_file(s, "keywords", q->keyword, 0);
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
static void cue_hits(sql *s, const cat_query *q, enum cols cols)
{
    hit_cols(s, cols, "cue", "c.id", "c.start AS start, c.end AS end", "reel_rank(cues_fts)");
    add_text(s, " FROM cues_fts CROSS JOIN cues c INDEXED BY cues_file ON c.id = cues_fts.rowid"
                " CROSS JOIN f ON f.id = c.media_id WHERE cues_fts MATCH ?%d", q->words);
    /* unary +: the file filters are checked on each hit's file id, never
     * used to walk cues_file (which would read the list once per hit) */
    file_about(s, q, "+c.media_id");
}

/* The union of the sources after `head` ("SELECT ... FROM ("). */
static void hits(sql *s, const cat_query *q, const char *head, enum cols cols)
{
    media_filters(s, q, cols == BY_RECORDED, cols == RANKED);
    add(s, head);
    file_hits(s, q, cols);
    if (q->words || q->speakers || q->people || q->country || q->keyword) {
        add(s, " UNION ALL");
        segment_hits(s, q, cols);
    }
    if (q->words) {
        add(s, " UNION ALL");
        cue_hits(s, q, cols);
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

static int search_fail(cat *c, sqlite3_stmt *st)
{
    snprintf(c->err, sizeof c->err, "bad search query: %s", sqlite3_errmsg(c->db));
    sqlite3_finalize(st);
    return CAT_ERROR;
}

/* Runs a one-row, one-number statement text with the words as ?1. */
static int one_number(cat *c, const char *text, const char *words, int64_t *out)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(c->db, text, -1, &st, NULL) != SQLITE_OK)
        return search_fail(c, st);
    if (words)
        sqlite3_bind_text(st, 1, words, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW)
        return search_fail(c, st);
    *out = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return CAT_OK;
}

/* Whether every hit's file passes the filters, so that hits can be counted
 * and ranked from the full-text tables alone: no filter is given and (unless
 * every status is asked for) no file is missing. The joins the full query
 * makes cannot drop a hit then: foreign keys tie each cue, segment and text
 * row to its file and each file to its root, and triggers keep the
 * full-text tables in step with their rows. */
static int unfiltered(cat *c, const cat_query *q, int *out)
{
    int64_t missing = 0;
    *out = 0;
    if (q->missing || q->changed_since || q->kind || q->event || q->campaign || q->organisation
        || q->visibility || q->from || q->to || q->min_duration >= 0 || q->max_duration >= 0
        || q->language || q->has_subtitles || q->root || q->path_glob || q->speakers || q->people
        || q->country || q->keyword)
        return CAT_OK;
    if (!q->any_status
        && one_number(c, "SELECT EXISTS (SELECT 1 FROM media WHERE status = 'missing')", NULL,
                      &missing) != CAT_OK)
        return CAT_ERROR;
    *out = !missing;
    return CAT_OK;
}

/* One hit of the page, before its text is read. */
typedef struct row {
    char kind;                          /* 'f', 's' or 'c', as in "file", "segment", "cue" */
    int has_time, has_duration;
    int64_t media_id, rid;              /* rid: the file, segment or cue */
    double start, end, rank, duration;
    char *rpath, *path, *rec;           /* sort keys of the orders other than relevance */
} row;

typedef struct rows {
    row *v;
    size_t n, cap;
} rows;

static row *rows_add(rows *r)
{
    if (r->n == r->cap) {
        size_t ncap = r->cap ? r->cap * 2 : 64;
        row *nv = realloc(r->v, ncap * sizeof *nv);
        if (!nv)
            return NULL;
        r->v = nv;
        r->cap = ncap;
    }
    memset(&r->v[r->n], 0, sizeof r->v[0]);
    return &r->v[r->n++];
}

static void row_keys_free(row *h)
{
    free(h->rpath);
    free(h->path);
    free(h->rec);
    h->rpath = h->path = h->rec = NULL;
}

static void rows_free(rows *r)
{
    for (size_t i = 0; i < r->n; i++)
        row_keys_free(&r->v[i]);
    free(r->v);
}

/* ---- the unfiltered page by relevance --------------------------------------
 * Ranking needs the rank of every hit (catalog_rank.c), but joining every hit to its file (a cue
 * to its row, the row to its file) costs far more. So the ranks are read
 * from the full-text tables alone (which also count them), the offset+limit
 * best kept in order of rank, kind and id (by_rank), and only
 * the page's hits joined to their rows. */

/* The orders of --sort, as SQL's ORDER BY would give them: NULL first
 * unless said otherwise, text in BINARY collation (strcmp on UTF-8), and
 * every order ends with kind and id, so no two hits are ever equal. */
typedef int (*row_cmp_fn)(const row *a, const row *b);

static int cmp_num(double a, double b) { return a < b ? -1 : a > b; }

/* kind, then id: 'c' < 'f' < 's', as "cue" < "file" < "segment" */
static int cmp_kind_id(const row *a, const row *b)
{
    if (a->kind != b->kind)
        return a->kind < b->kind ? -1 : 1;
    return a->rid < b->rid ? -1 : a->rid > b->rid;
}

/* root path, path, then (path order only) files before their clips, start */
static int cmp_place(const row *a, const row *b, int files_first)
{
    int d;
    if ((d = strcmp(a->rpath, b->rpath)) != 0 || (d = strcmp(a->path, b->path)) != 0)
        return d;
    if (files_first && (a->kind != 'f') != (b->kind != 'f'))
        return a->kind != 'f' ? 1 : -1;
    if (a->has_time != b->has_time)
        return a->has_time ? 1 : -1;
    if (a->has_time && (d = cmp_num(a->start, b->start)) != 0)
        return d;
    return cmp_kind_id(a, b);
}

static int by_rank(const row *a, const row *b)
{
    int d = cmp_num(a->rank, b->rank);
    return d ? d : cmp_kind_id(a, b);
}

static int by_path(const row *a, const row *b) { return cmp_place(a, b, 1); }

/* catalogue order: by file id, each file before its clips, clips by id */
static int by_catalogue(const row *a, const row *b)
{
    if (a->media_id != b->media_id)
        return a->media_id < b->media_id ? -1 : 1;
    if ((a->kind != 'f') != (b->kind != 'f'))
        return a->kind != 'f' ? 1 : -1;
    return cmp_kind_id(a, b);
}

static int by_recorded(const row *a, const row *b)
{
    int d;
    if (!a->rec != !b->rec)
        return a->rec ? -1 : 1;        /* undated last */
    if (a->rec && (d = strcmp(a->rec, b->rec)) != 0)
        return d;
    return cmp_place(a, b, 0);
}

static int by_duration(const row *a, const row *b)
{
    int d;
    if (a->has_duration != b->has_duration)
        return a->has_duration ? -1 : 1;
    if (a->has_duration && (d = cmp_num(b->duration, a->duration)) != 0)
        return d;                      /* longest first */
    return cmp_place(a, b, 0);
}

static row_cmp_fn sort_cmp;            /* for qsort, which takes no context */

static int qsort_cmp(const void *a, const void *b) { return sort_cmp(a, b); }

/* hits: every hit of the words; sieved: those that pass the sieve's
 * filters, tested before the rank is computed (WHERE comes first) */
/* all: every hit ranked in C by reel_rank_all (a one-phrase query) */
static const struct ranked_source {
    char kind;
    const char *hits, *sieved, *all, *keys;
} ranked_sources[] = {
    {'f', "SELECT rowid, reel_rank(media_fts, 10.0, 4.0, 2.0, 1.0, 3.0) FROM media_fts WHERE media_fts MATCH ?1",
     "SELECT rowid, reel_rank(media_fts, 10.0, 4.0, 2.0, 1.0, 3.0) FROM media_fts WHERE media_fts MATCH ?1"
     " AND reel_sieve('f', rowid)",
     "SELECT reel_rank_all(media_fts, ?2, 10.0, 4.0, 2.0, 1.0, 3.0) FROM media_fts"
     " WHERE media_fts MATCH ?1 LIMIT 1",
     NULL},                             /* a file hit is its own file (ranked_keys) */
    {'s', "SELECT rowid, reel_rank(segments_fts) FROM segments_fts WHERE segments_fts MATCH ?1",
     "SELECT rowid, reel_rank(segments_fts) FROM segments_fts WHERE segments_fts MATCH ?1"
     " AND reel_sieve('s', rowid)",
     "SELECT reel_rank_all(segments_fts, ?2) FROM segments_fts WHERE segments_fts MATCH ?1 LIMIT 1",
     "SELECT media_id, start, end FROM segments WHERE id = ?1"},
    {'c', "SELECT rowid, reel_rank(cues_fts) FROM cues_fts WHERE cues_fts MATCH ?1",
     "SELECT rowid, reel_rank(cues_fts) FROM cues_fts WHERE cues_fts MATCH ?1"
     " AND reel_sieve('c', rowid)",
     "SELECT reel_rank_all(cues_fts, ?2) FROM cues_fts WHERE cues_fts MATCH ?1 LIMIT 1",
     "SELECT media_id, start, end FROM cues WHERE id = ?1"},
};

/* The best hits so far: with a limit, a max-heap of the `cap` best in
 * row_cmp order (its root the worst of them), so memory and work stay small
 * however many thousands of hits a common word has; without one, all. */
typedef struct best {
    rows r;
    size_t cap;                  /* 0: keep every hit */
    row_cmp_fn cmp;
} best;

static void sift_down(row_cmp_fn cmp, row *v, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, top = i;
        row t;
        if (l < n && cmp(&v[l], &v[top]) > 0)
            top = l;
        if (r < n && cmp(&v[r], &v[top]) > 0)
            top = r;
        if (top == i)
            return;
        t = v[i];
        v[i] = v[top];
        v[top] = t;
        i = top;
    }
}

/* A copy of h whose sort keys it owns (h's may be SQLite's, valid only
 * until the next step). */
static int row_own(row *to, const row *h)
{
    *to = *h;
    to->rpath = h->rpath ? strdup(h->rpath) : NULL;
    to->path = h->path ? strdup(h->path) : NULL;
    to->rec = h->rec ? strdup(h->rec) : NULL;
    if ((h->rpath && !to->rpath) || (h->path && !to->path) || (h->rec && !to->rec)) {
        row_keys_free(to);
        return CAT_ERROR;
    }
    return CAT_OK;
}

static int best_offer(best *b, const row *h)
{
    row *v;
    if (b->cap && b->r.n == b->cap) {
        row kept;
        if (b->cmp(h, &b->r.v[0]) >= 0)
            return CAT_OK;
        if (row_own(&kept, h) != CAT_OK)
            return CAT_ERROR;
        row_keys_free(&b->r.v[0]);
        b->r.v[0] = kept;
        sift_down(b->cmp, b->r.v, b->r.n, 0);
        return CAT_OK;
    }
    if (!(v = rows_add(&b->r)) || row_own(v, h) != CAT_OK) {
        if (v)
            b->r.n--;
        return CAT_ERROR;
    }
    if (b->cap && b->r.n == b->cap)
        for (size_t i = b->cap / 2; i-- > 0;)
            sift_down(b->cmp, b->r.v, b->r.n, i);
    return CAT_OK;
}

/* All the hits of q, filtered, as a prepared statement: `head` then the
 * union of the sources with their `cols`. NULL on failure. */
static sqlite3_stmt *all_hits(cat *c, const cat_query *q, const char *head, enum cols cols)
{
    sql s;
    sqlite3_stmt *st;
    if (open_sql(&s) != 0)
        return NULL;
    hits(&s, q, head, cols);
    st = prepare(c, &s);
    free(s.text);
    return st;
}

/* Offers every row (kind, id, rank) of st to b; *total counts them. The
 * kind is column 0's first letter, or `kind` when not 0. */
static int offer_rows(cat *c, sqlite3_stmt *st, char kind, best *b, int64_t *total)
{
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        int col = kind ? 0 : 1;
        row h = {.kind = kind ? kind : (char)sqlite3_column_text(st, 0)[0],
                 .rid = sqlite3_column_int64(st, col), .rank = sqlite3_column_double(st, col + 1)};
        (*total)++;
        if (best_offer(b, &h) != CAT_OK) {
            sqlite3_finalize(st);
            return CAT_ERROR;
        }
    }
    if (step != SQLITE_DONE)
        return search_fail(c, st);
    sqlite3_finalize(st);
    return CAT_OK;
}

/* A source's hits as reel_rank_all hands them over. */
typedef struct collect {
    cat_rank_collector coll;
    sieve *sv;
    char kind;
    best *b;
    int64_t *total;
} collect;

static int collect_keep(void *payload, int64_t rowid)
{
    collect *k = payload;
    return cat_sieve_pass(k->sv, k->kind, rowid);
}

static int collect_offer(void *payload, int64_t rowid, double rank)
{
    collect *k = payload;
    row h = {.kind = k->kind, .rid = rowid, .rank = rank};
    (*k->total)++;
    return best_offer(k->b, &h) == CAT_OK ? 0 : -1;
}

/* Whether the words may be one phrase to reel_rank_all: no column filter
 * (':'), initial token ('^') or NEAR group, whose conditions a phrase
 * walked alone would not apply. (It also checks that there is one phrase.) */
static int plain_phrase(const char *words)
{
    return !strpbrk(words, ":^") && !strstr(words, "NEAR");
}

/* Hands the hits of source k to coll by reel_rank_all. Returns CAT_OK
 * with coll->unsupported set when the query has more than one phrase
 * (nothing handed over). */
static int walk_all(cat *c, const cat_query *q, size_t k, cat_rank_collector *coll)
{
    sqlite3_stmt *st = NULL;
    int step;
    if (sqlite3_prepare_v2(c->db, ranked_sources[k].all, -1, &st, NULL) != SQLITE_OK)
        return search_fail(c, st);
    sqlite3_bind_text(st, 1, q->words, -1, SQLITE_STATIC);
    sqlite3_bind_pointer(st, 2, coll, "reel_collector", NULL);
    step = sqlite3_step(st);
    if (coll->failed) {                 /* the collector: out of memory */
        sqlite3_finalize(st);
        snprintf(c->err, sizeof c->err, "out of memory");
        return CAT_ERROR;
    }
    if (step != SQLITE_ROW && step != SQLITE_DONE)
        return search_fail(c, st);
    sqlite3_finalize(st);
    return CAT_OK;
}

/* Offers the hits of source k to b by reel_rank_all; *unsupported as
 * walk_all's. */
static int ranked_all(cat *c, const cat_query *q, size_t k, sieve *sv, best *b, int64_t *total,
                      int *unsupported)
{
    collect col = {.coll = {.keep = sv ? collect_keep : NULL, .offer = collect_offer},
                   .sv = sv, .kind = ranked_sources[k].kind, .b = b, .total = total};
    int rc;
    col.coll.payload = &col;
    rc = walk_all(c, q, k, &col.coll);
    *unsupported = col.coll.unsupported;
    return rc;
}

/* Every hit's kind, id and rank offered to b, *total counting them: with no
 * filter, from the three full-text tables alone; with filters the sieve
 * holds (fresh), from the same tables with each hit tested in memory;
 * else from one pass of the hits joined to their files, which both counts
 * and ranks them. */
static int ranked_hits(cat *c, const cat_query *q, int filtered, best *b, int64_t *total)
{
    sieve *sv = NULL;
    int rc = CAT_OK;
    *total = 0;
    if (filtered && (rc = cat_sieve_for(c, q, &sv)) != CAT_OK)
        return rc;
    if (filtered && !sv) {
        sqlite3_stmt *st = all_hits(c, q, " SELECT * FROM (", RANKED);
        return st ? offer_rows(c, st, 0, b, total) : CAT_ERROR;
    }
    c->sv = sv;
    for (size_t k = 0; rc == CAT_OK && k < sizeof ranked_sources / sizeof *ranked_sources; k++) {
        sqlite3_stmt *st = NULL;
        int unsupported = 1;
        if (plain_phrase(q->words) && (rc = ranked_all(c, q, k, sv, b, total, &unsupported)) != CAT_OK)
            break;
        if (!unsupported)
            continue;
        if (sqlite3_prepare_v2(c->db, sv ? ranked_sources[k].sieved : ranked_sources[k].hits, -1,
                               &st, NULL) != SQLITE_OK) {
            rc = search_fail(c, st);
            break;
        }
        sqlite3_bind_text(st, 1, q->words, -1, SQLITE_STATIC);
        rc = offer_rows(c, st, ranked_sources[k].kind, b, total);
    }
    c->sv = NULL;
    cat_sieve_free(sv);
    return rc;
}

/* Reads the file and times of a hit of the page (a file hit is its own
 * file, without times). */
static int ranked_keys(cat *c, sqlite3_stmt *keys[3], row *h)
{
    size_t k = h->kind == 'f' ? 0 : h->kind == 's' ? 1 : 2;
    sqlite3_stmt *st = keys[k];
    if (k == 0) {
        h->media_id = h->rid;
        h->has_time = 0;
        return CAT_OK;
    }
    if (!st && sqlite3_prepare_v2(c->db, ranked_sources[k].keys, -1, &keys[k], NULL) != SQLITE_OK)
        return cat_fail(c, "cannot read search hits");
    st = keys[k];
    sqlite3_bind_int64(st, 1, h->rid);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_reset(st);
        return cat_fail(c, "cannot read search hits");
    }
    h->media_id = sqlite3_column_int64(st, 0);
    h->has_time = sqlite3_column_type(st, 1) != SQLITE_NULL;
    h->start = sqlite3_column_double(st, 1);
    h->end = sqlite3_column_double(st, 2);
    sqlite3_reset(st);
    return CAT_OK;
}

/* When rc is CAT_OK: sorts b's rows by b->cmp and moves those from offset
 * on, with their keys, into out (the page). Frees b. Returns rc, or
 * CAT_ERROR when out cannot grow. */
static int take_page(best *b, int rc, size_t offset, rows *out)
{
    sort_cmp = b->cmp;
    if (rc == CAT_OK && b->r.n > 1)   /* (no hits: v is NULL, which qsort may not take) */
        qsort(b->r.v, b->r.n, sizeof *b->r.v, qsort_cmp);
    for (size_t i = offset; rc == CAT_OK && i < b->r.n; i++) {
        row *h = rows_add(out);
        if (!h) {
            rc = CAT_ERROR;
            break;
        }
        *h = b->r.v[i];
        b->r.v[i].rpath = b->r.v[i].path = b->r.v[i].rec = NULL;
    }
    rows_free(&b->r);
    return rc;
}

/* take_page, then the file and times of each of the page's hits. */
static int keyed_page(cat *c, best *b, int rc, size_t offset, rows *out)
{
    sqlite3_stmt *keys[3] = {NULL, NULL, NULL};
    rc = take_page(b, rc, offset, out);
    for (size_t i = 0; rc == CAT_OK && i < out->n; i++)
        rc = ranked_keys(c, keys, &out->v[i]);
    for (size_t k = 0; k < 3; k++)
        sqlite3_finalize(keys[k]);
    return rc;
}

static int ranked_page(cat *c, const cat_query *q, int filtered, rows *out, int64_t *total)
{
    size_t offset = q->offset > 0 ? (size_t)q->offset : 0;
    best b = {.cap = q->limit > 0 ? offset + (size_t)q->limit : 0, .cmp = by_rank};
    int rc = ranked_hits(c, q, filtered, &b, total);

    /* the whole order is known without the hits' rows: only the page's
     * own hits are read */
    return keyed_page(c, &b, rc, offset, out);
}

/* The page in another order (path, recorded, duration): one pass over every
 * hit with its sort keys, which also counts them, into a heap of the
 * offset+limit first (it had been two passes, a count and the page). */
static int sorted_page(cat *c, const cat_query *q, row_cmp_fn cmp, rows *out, int64_t *total)
{
    size_t offset = q->offset > 0 ? (size_t)q->offset : 0;
    best b = {.cap = q->limit > 0 ? offset + (size_t)q->limit : 0, .cmp = cmp};
    sqlite3_stmt *st = all_hits(c, q, " SELECT * FROM (",
                                cmp == by_recorded ? BY_RECORDED
                                : cmp == by_duration ? BY_DURATION : BY_PATH);
    int rc = CAT_OK, step;

    *total = 0;
    if (!st)
        return CAT_ERROR;
    while (rc == CAT_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
        /* hit, media_id, rid, start, end, rank, rpath, path, rec, duration */
        row h = {.kind = (char)sqlite3_column_text(st, 0)[0],
                 .media_id = sqlite3_column_int64(st, 1),
                 .rid = sqlite3_column_int64(st, 2),
                 .has_time = sqlite3_column_type(st, 3) != SQLITE_NULL,
                 .start = sqlite3_column_double(st, 3),
                 .end = sqlite3_column_double(st, 4),
                 .rpath = (char *)sqlite3_column_text(st, 6),
                 .path = (char *)sqlite3_column_text(st, 7),
                 .rec = (char *)sqlite3_column_text(st, 8),
                 .has_duration = sqlite3_column_type(st, 9) != SQLITE_NULL,
                 .duration = sqlite3_column_double(st, 9)};
        if (!h.rpath || !h.path)
            rc = cat_fail(c, "cannot read search hits");
        else
            rc = best_offer(&b, &h);
        (*total)++;
    }
    if (rc == CAT_OK && step != SQLITE_DONE)
        rc = search_fail(c, st);
    else
        sqlite3_finalize(st);
    return take_page(&b, rc, offset, out);
}

/* ---- recorded and duration orders with the sieve ---------------------------
 * The sieve keeps each file's recorded day and duration, which order the
 * hits as the exact keys do, except among equals (the same day; the same
 * duration, then the place). So every hit that passes is ordered by them
 * in memory, and only the hits up to the last one equal to the page's last
 * are read for their exact keys and ordered by the sort's comparator. */

typedef struct coarse {
    char kind;
    int64_t rid, media;
    uint32_t date;                      /* cat_sieve_date; 0: none */
    double duration;                    /* NaN: none */
} coarse;

static int by_day(const coarse *a, const coarse *b)
{
    if (!a->date != !b->date)
        return a->date ? -1 : 1;        /* undated last */
    return a->date < b->date ? -1 : a->date > b->date;
}

static int by_length(const coarse *a, const coarse *b)
{
    int ha = !isnan(a->duration), hb = !isnan(b->duration);
    if (ha != hb)
        return ha ? -1 : 1;
    if (!ha)
        return 0;
    return a->duration > b->duration ? -1 : a->duration < b->duration;   /* longest first */
}

static int (*coarse_cmp)(const coarse *, const coarse *);

static int qsort_coarse(const void *a, const void *b) { return coarse_cmp(a, b); }

/* The exact keys of one hit, as sorted_page reads them. */
static int exact_keys(cat *c, sqlite3_stmt *st[3], const coarse *h, row *out)
{
    static const char *const sql[3] = {
        "SELECT r.path, m.path, coalesce(e.recorded_at, m.recorded_at), m.duration, NULL, NULL"
        " FROM media m JOIN roots r ON r.id = m.root_id LEFT JOIN editorial e ON e.media_id = m.id"
        " WHERE m.id = ?1",
        "SELECT r.path, m.path, coalesce(e.recorded_at, m.recorded_at), m.duration, s.start, s.end"
        " FROM segments s JOIN media m ON m.id = s.media_id JOIN roots r ON r.id = m.root_id"
        " LEFT JOIN editorial e ON e.media_id = m.id WHERE s.id = ?1",
        "SELECT r.path, m.path, coalesce(e.recorded_at, m.recorded_at), m.duration, q.start, q.end"
        " FROM cues q JOIN media m ON m.id = q.media_id JOIN roots r ON r.id = m.root_id"
        " LEFT JOIN editorial e ON e.media_id = m.id WHERE q.id = ?1",
    };
    size_t k = h->kind == 'f' ? 0 : h->kind == 's' ? 1 : 2;
    int rc;
    if (!st[k] && sqlite3_prepare_v2(c->db, sql[k], -1, &st[k], NULL) != SQLITE_OK)
        return cat_fail(c, "cannot read search hits");
    sqlite3_bind_int64(st[k], 1, h->rid);
    if (sqlite3_step(st[k]) != SQLITE_ROW || sqlite3_column_type(st[k], 0) == SQLITE_NULL) {
        sqlite3_reset(st[k]);
        return cat_fail(c, "cannot read search hits");
    }
    *out = (row){.kind = h->kind, .rid = h->rid, .media_id = h->media,
                 .rpath = (char *)sqlite3_column_text(st[k], 0),
                 .path = (char *)sqlite3_column_text(st[k], 1),
                 .rec = (char *)sqlite3_column_text(st[k], 2),
                 .has_duration = sqlite3_column_type(st[k], 3) != SQLITE_NULL,
                 .duration = sqlite3_column_double(st[k], 3),
                 .has_time = sqlite3_column_type(st[k], 4) != SQLITE_NULL,
                 .start = sqlite3_column_double(st[k], 4),
                 .end = sqlite3_column_double(st[k], 5)};
    rc = out->path ? CAT_OK : cat_fail(c, "cannot read search hits");
    return rc;                          /* the text stays SQLite's until the reset */
}

/* The hits coarse_hits gathers. */
typedef struct coarse_list {
    cat_rank_collector coll;            /* for walk_all */
    sieve *sv;
    char kind;
    coarse *v;
    size_t n, cap;
} coarse_list;

static int coarse_add(coarse_list *l, int64_t rid)
{
    int64_t media = cat_sieve_media(l->sv, l->kind, rid);
    if (l->n == l->cap) {
        size_t ncap = l->cap ? l->cap * 2 : 1024;
        coarse *nv = realloc(l->v, ncap * sizeof *nv);
        if (!nv)
            return -1;
        l->v = nv;
        l->cap = ncap;
    }
    l->v[l->n++] = (coarse){l->kind, rid, media, cat_sieve_date(l->sv, media),
                            cat_sieve_duration(l->sv, media)};
    return 0;
}

static int coarse_keep(void *payload, int64_t rowid)
{
    coarse_list *l = payload;
    return cat_sieve_pass(l->sv, l->kind, rowid);
}

static int coarse_offer(void *payload, int64_t rowid, double rank)
{
    (void)rank;
    return coarse_add(payload, rowid);
}

/* Every hit of the words that passes the sieve, with its coarse keys: by
 * walk_all for one phrase, else row by row. */
static int coarse_hits(cat *c, const cat_query *q, sieve *sv, coarse **out, size_t *n)
{
    coarse_list l = {.coll = {.keep = coarse_keep, .offer = coarse_offer}, .sv = sv};
    int rc = CAT_OK;
    l.coll.payload = &l;
    c->sv = sv;
    for (size_t k = 0; rc == CAT_OK && k < sizeof ranked_sources / sizeof *ranked_sources; k++) {
        sqlite3_stmt *st = NULL;
        int step;
        l.kind = ranked_sources[k].kind;
        if (plain_phrase(q->words)) {
            l.coll.unsupported = 0;
            if ((rc = walk_all(c, q, k, &l.coll)) != CAT_OK)
                break;
            if (!l.coll.unsupported)
                continue;
        }
        /* (the rank it also reads is not used) */
        if (sqlite3_prepare_v2(c->db, ranked_sources[k].sieved, -1, &st, NULL) != SQLITE_OK) {
            rc = search_fail(c, st);
            break;
        }
        sqlite3_bind_text(st, 1, q->words, -1, SQLITE_STATIC);
        while (rc == CAT_OK && (step = sqlite3_step(st)) == SQLITE_ROW)
            if (coarse_add(&l, sqlite3_column_int64(st, 0)) != 0)
                rc = CAT_ERROR;
        if (rc == CAT_OK && step != SQLITE_DONE)
            rc = search_fail(c, st);
        else
            sqlite3_finalize(st);
    }
    c->sv = NULL;
    *out = l.v;
    *n = l.n;
    return rc;
}

/* The page by recorded date or duration with the sieve; *done 0 when the
 * sieve cannot answer q (then sorted_page joins rows). */
static int sieved_sorted_page(cat *c, const cat_query *q, row_cmp_fn cmp, rows *out, int64_t *total,
                              int *done)
{
    size_t offset = q->offset > 0 ? (size_t)q->offset : 0, n = 0, m;
    best b = {.cap = q->limit > 0 ? offset + (size_t)q->limit : 0, .cmp = cmp};
    sqlite3_stmt *keys[3] = {NULL, NULL, NULL};
    coarse *found = NULL;
    sieve *sv = NULL;
    int rc;

    *done = 0;
    if (!q->words || (rc = cat_sieve_for(c, q, &sv)) != CAT_OK || !sv)
        return q->words ? rc : CAT_OK;
    if (!cat_sieve_load_keys(c, sv, cmp == by_recorded)) {
        cat_sieve_free(sv);
        return CAT_OK;
    }
    *done = 1;
    rc = coarse_hits(c, q, sv, &found, &n);
    *total = (int64_t)n;
    coarse_cmp = cmp == by_recorded ? by_day : by_length;
    if (rc == CAT_OK && n > 1)
        qsort(found, n, sizeof *found, qsort_coarse);
    /* up to the last hit equal to the page's last one by the coarse keys */
    m = b.cap && b.cap < n ? b.cap : n;
    while (m < n && coarse_cmp(&found[m], &found[m - 1]) == 0)
        m++;
    for (size_t i = 0; rc == CAT_OK && i < m; i++) {
        row h;
        size_t k = found[i].kind == 'f' ? 0 : found[i].kind == 's' ? 1 : 2;
        if ((rc = exact_keys(c, keys, &found[i], &h)) == CAT_OK)
            rc = best_offer(&b, &h);
        sqlite3_reset(keys[k]);
    }
    for (size_t k = 0; k < 3; k++)
        sqlite3_finalize(keys[k]);
    free(found);
    cat_sieve_free(sv);
    return take_page(&b, rc, offset, out);
}

/* the hits of catalogue_page and their count */
typedef struct listing {
    best *b;
    int64_t *total;
} listing;

static int listed(void *payload, char kind, int64_t id, int64_t media_id)
{
    listing *l = payload;
    row h = {.kind = kind, .rid = id, .media_id = media_id};
    (*l->total)++;
    return best_offer(l->b, &h);
}

/* The page of a search without words in catalogue order: with the sieve
 * (fresh, holding q's filters), its hits come from it alone, and only the
 * page's rows are read; else as the other orders. */
static int catalogue_page(cat *c, const cat_query *q, rows *out, int64_t *total)
{
    size_t offset = q->offset > 0 ? (size_t)q->offset : 0;
    best b = {.cap = q->limit > 0 ? offset + (size_t)q->limit : 0, .cmp = by_catalogue};
    listing l = {&b, total};
    sieve *sv = NULL;
    int rc = cat_sieve_for(c, q, &sv);

    if (rc != CAT_OK)
        return rc;
    if (!sv)
        return sorted_page(c, q, by_catalogue, out, total);
    *total = 0;
    rc = cat_sieve_listing(sv, listed, &l);
    cat_sieve_free(sv);
    return keyed_page(c, &b, rc, offset, out);
}

/* The text shown with a page row: the snippet of a file's match, the
 * segment's title, the cue's text. Read for the page only: a snippet
 * re-reads and re-tokenizes the file's text. */
static int row_text(cat *c, const cat_query *q, sqlite3_stmt *texts[3], const row *h, char **out)
{
    static const char *const sql_of[3] = {
        "SELECT snippet(media_fts, -1, '[', ']', '…', 10) FROM media_fts WHERE media_fts MATCH ?2 AND rowid = ?1",
        "SELECT title FROM segments WHERE id = ?1",
        "SELECT text FROM cues WHERE id = ?1",
    };
    size_t k = h->kind == 'f' ? 0 : h->kind == 's' ? 1 : 2;
    int step;
    *out = NULL;
    if (k == 0 && (!q->words || q->no_file_text))
        return CAT_OK;
    if (!texts[k] && sqlite3_prepare_v2(c->db, sql_of[k], -1, &texts[k], NULL) != SQLITE_OK)
        return search_fail(c, NULL);
    sqlite3_bind_int64(texts[k], 1, h->rid);
    if (k == 0)
        sqlite3_bind_text(texts[k], 2, q->words, -1, SQLITE_STATIC);
    step = sqlite3_step(texts[k]);
    if (step == SQLITE_ROW && sqlite3_column_type(texts[k], 0) != SQLITE_NULL
        && !(*out = strdup((const char *)sqlite3_column_text(texts[k], 0))))
        step = SQLITE_NOMEM;
    sqlite3_reset(texts[k]);
    return step == SQLITE_ROW ? CAT_OK : cat_fail(c, "cannot read search hits");
}

int cat_find(cat *c, const cat_query *q, int64_t *out_total, cat_hit_cb cb, void *payload)
{
    static const struct { const char *name; row_cmp_fn cmp; } sorts[] = {
        /* equal ranks: by kind and id, which the full-text tables give
         * without reading a hit's row (see ranked_page) */
        {"relevance", by_rank},
        {"recorded", by_recorded},
        {"duration", by_duration},
        {"path", by_path},
        {"catalogue", by_catalogue},
    };
    /* without words nothing ranks the hits: catalogue order, which the
     * sieve gives without reading a hit's row */
    row_cmp_fn cmp = q->words ? by_rank : by_catalogue;
    sqlite3_stmt *texts[3] = {NULL, NULL, NULL};
    rows page = {0};
    int rc, plain;

    for (size_t i = 0; q->sort && i < sizeof sorts / sizeof *sorts; i++)
        if (strcmp(q->sort, sorts[i].name) == 0)
            cmp = sorts[i].cmp;
    if ((rc = unfiltered(c, q, &plain)) != CAT_OK)
        return rc;

    /* the page; rows and texts are read before the callbacks, which may use
     * the handle */
    /* each page counts its hits as it orders them */
    if (q->words && cmp == by_rank) {
        rc = ranked_page(c, q, !(plain && q->words), &page, out_total);
    } else if (!q->words && cmp == by_catalogue) {
        rc = catalogue_page(c, q, &page, out_total);
    } else {
        int done = 0;
        rc = cmp == by_recorded || cmp == by_duration
                 ? sieved_sorted_page(c, q, cmp, &page, out_total, &done) : CAT_OK;
        if (rc == CAT_OK && !done)
            rc = sorted_page(c, q, cmp, &page, out_total);
    }
    {
        char **text = calloc(page.n ? page.n : 1, sizeof *text);
        if (!text)
            rc = CAT_ERROR;
        for (size_t i = 0; rc == CAT_OK && i < page.n; i++)
            rc = row_text(c, q, texts, &page.v[i], &text[i]);
        for (size_t k = 0; k < 3; k++)
            sqlite3_finalize(texts[k]);
        for (size_t i = 0; i < page.n; i++) {
            const row *r = &page.v[i];
            cat_hit h = {r->kind == 'f' ? "file" : r->kind == 's' ? "segment" : "cue", r->media_id,
                         r->has_time, r->start, r->end, text ? text[i] : NULL};
            if (rc == CAT_OK)
                rc = cb(&h, payload);
            if (text)
                free(text[i]);
        }
        free(text);
    }
    rows_free(&page);
    return rc;
}

/* ---- whole files: export and facets ----------------------------------------- */

/* The files of q (no clips), as CTE g after f. */
static void file_set(sql *s, const cat_query *q)
{
    media_filters(s, q, 1, 0);   /* facets count by year */
    add(s, ", g AS (SELECT f.* FROM f WHERE 1");
    if (q->words)
        add_text(s, " AND f.id IN (SELECT rowid FROM media_fts WHERE media_fts MATCH ?%d)", q->words);
    file_about(s, q, "f.id");
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
