/* catalog_sieve_build.c - rebuilds the search sieve (catalog_sieve.c) from
 * the catalogue when the triggers of migration 011 have marked it stale.
 * Every table is read once in id order, so each set's ids arrive sorted. */
#include "catalog_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* key -> ascending ids, in an open-addressing table */
typedef struct idlist {
    char *key;
    uint32_t *ids;
    size_t n, cap;
} idlist;

typedef struct keymap {
    idlist *v;
    size_t n, cap;                      /* cap: a power of two */
} keymap;

static uint64_t hash_of(const char *s, size_t len)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    return h;
}

static idlist *slot_of(idlist *v, size_t cap, const char *key, size_t len)
{
    size_t i = hash_of(key, len) & (cap - 1);
    while (v[i].key && (strncmp(v[i].key, key, len) != 0 || v[i].key[len] != 0))
        i = (i + 1) & (cap - 1);
    return &v[i];
}

static int map_grow(keymap *m)
{
    size_t ncap = m->cap ? m->cap * 2 : 1024;
    idlist *nv = calloc(ncap, sizeof *nv);
    if (!nv)
        return -1;
    for (size_t i = 0; i < m->cap; i++)
        if (m->v[i].key)
            *slot_of(nv, ncap, m->v[i].key, strlen(m->v[i].key)) = m->v[i];
    free(m->v);
    m->v = nv;
    m->cap = ncap;
    return 0;
}

/* Adds id to the set prefix+value (value of len bytes); ids come in
 * ascending order, and a repeated one is kept once. */
static int map_add(keymap *m, const char *prefix, const char *value, size_t len, uint32_t id)
{
    size_t plen = strlen(prefix);
    char stack[256], *key = plen + len < sizeof stack ? stack : malloc(plen + len + 1);
    idlist *l = NULL;
    int rc = 0;
    if (!key)
        return -1;
    memcpy(key, prefix, plen);
    memcpy(key + plen, value, len);
    key[plen + len] = 0;
    if ((m->n + 1) * 2 <= m->cap || map_grow(m) == 0) {
        l = slot_of(m->v, m->cap, key, plen + len);
        if (!l->key && (l->key = strdup(key)) != NULL)
            m->n++;
    }
    if (!l || !l->key)
        rc = -1;
    else if (!l->n || l->ids[l->n - 1] != id) {
        if (l->n == l->cap) {
            size_t ncap = l->cap ? l->cap * 2 : 4;
            uint32_t *ni = realloc(l->ids, ncap * sizeof *ni);
            if (!ni)
                rc = -1;
            else {
                l->ids = ni;
                l->cap = ncap;
            }
        }
        if (rc == 0)
            l->ids[l->n++] = id;
    }
    if (key != stack)
        free(key);
    return rc;
}

static void map_free(keymap *m)
{
    for (size_t i = 0; i < m->cap; i++) {
        free(m->v[i].key);
        free(m->v[i].ids);
    }
    free(m->v);
}

static void put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}

static int store(cat *c, const char *key, const void *data, size_t len)
{
    sqlite3_stmt *st = cat_stmt(c, S_SIEVE_PUT, "INSERT INTO sieve (key, data) VALUES (?1, ?2)");
    if (!st)
        return CAT_ERROR;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_blob64(st, 2, data, len, SQLITE_STATIC);
    return sqlite3_step(st) == SQLITE_DONE ? CAT_OK : cat_fail(c, "cannot store the search sieve");
}

/* Each set as a bitmap over ids below n or a list, whichever is smaller. */
static int store_sets(cat *c, const keymap *m, size_t n)
{
    int rc = CAT_OK;
    for (size_t i = 0; rc == CAT_OK && i < m->cap; i++) {
        const idlist *l = &m->v[i];
        size_t map_len = 1 + (n + 7) / 8, list_len = 1 + 4 * l->n;
        unsigned char *d;
        if (!l->key)
            continue;
        if (!(d = calloc(map_len < list_len ? map_len : list_len, 1)))
            return CAT_ERROR;
        d[0] = map_len < list_len ? 'B' : 'L';
        for (size_t j = 0; j < l->n; j++) {
            if (d[0] == 'B')
                d[1 + l->ids[j] / 8] |= (unsigned char)(1u << (l->ids[j] % 8));
            else
                put32(d + 1 + 4 * j, l->ids[j]);
        }
        rc = store(c, l->key, d, d[0] == 'B' ? map_len : list_len);
        free(d);
    }
    return rc;
}

/* Runs of consecutive ids of one file, from (id, media_id) rows in id
 * order. A run is the distance of its first id from the previous run's
 * and of its file id from the previous run's file: one byte, the first
 * distance, when the file is the next one and the distance is 1..127 (a
 * catalogue's usual case: each file's ids together, files in order); else
 * a zero byte, then both as varints, the file's zigzag-coded. */
typedef struct runs {
    unsigned char *d;
    size_t n, cap;                      /* bytes */
    int64_t last_first, last_media;
    int any;
} runs;

static size_t put_varint(unsigned char *p, uint64_t v)
{
    size_t n = 0;
    do {
        p[n++] = (unsigned char)((v & 0x7F) | (v > 0x7F ? 0x80 : 0));
        v >>= 7;
    } while (v);
    return n;
}

static int runs_add(runs *r, int64_t id, int64_t media)
{
    int64_t dm;
    if (r->any && r->last_media == media)
        return 0;
    if (r->n + 20 > r->cap) {
        size_t ncap = r->cap ? r->cap * 2 : 4096;
        unsigned char *nd = realloc(r->d, ncap);
        if (!nd)
            return -1;
        r->d = nd;
        r->cap = ncap;
    }
    dm = media - r->last_media;
    if (dm == 1 && id - r->last_first >= 1 && id - r->last_first <= 127) {
        r->d[r->n++] = (unsigned char)(id - r->last_first);
    } else {
        r->d[r->n++] = 0;
        r->n += put_varint(r->d + r->n, (uint64_t)(id - r->last_first));
        r->n += put_varint(r->d + r->n, dm < 0 ? ((uint64_t)(-dm) << 1) - 1 : (uint64_t)dm << 1);
    }
    r->last_first = id;
    r->last_media = media;
    r->any = 1;
    return 0;
}

static int fits(int64_t id) { return id >= 0 && id < UINT32_MAX; }

/* Adds each line of a segment's newline-separated list (an empty list is
 * one empty line, as instr() sees it). */
static int add_lines(keymap *m, const char *prefix, const char *list, uint32_t id)
{
    const char *p = list ? list : "";
    for (;;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        if (map_add(m, prefix, p, len, id) != 0)
            return -1;
        if (!nl)
            return 0;
        p = nl + 1;
    }
}

static void ascii_lower(char *s)
{
    for (; *s; s++)
        if (*s >= 'A' && *s <= 'Z')
            *s = (char)(*s - 'A' + 'a');
}

/* Adds column col of st (text, lower-cased when lower) to prefix's set. */
static int add_text(keymap *m, const char *prefix, sqlite3_stmt *st, int col, uint32_t id, int lower)
{
    const char *v = (const char *)sqlite3_column_text(st, col);
    char *l;
    int rc;
    if (!v)
        return 0;
    if (!lower)
        return map_add(m, prefix, v, strlen(v), id);
    if (!(l = strdup(v)))
        return -1;
    ascii_lower(l);
    rc = map_add(m, prefix, l, strlen(l), id);
    free(l);
    return rc;
}

typedef struct build {
    cat *c;
    keymap files, segs;
    size_t media_n, segment_n;
    double *duration;
    uint32_t *recorded;                 /* date_key; 0: none */
    int odd_dates;                      /* a date date_key cannot order */
    runs cue, seg;
    unsigned char *has_cues;
} build;

/* substr(date, 1, 10) as a number that orders as SQL orders the text
 * against a full date "YYYY-MM-DD": YYYYMMDD, with a missing month or day
 * as 00 ("2016" sorts before "2016-01-01", as the shorter text does).
 * Returns 0 for any other text (then the sieve stores no dates). */
static int date_key(const char *d, uint32_t *out)
{
    unsigned y = 0, m = 0, day = 0;
    size_t n = strnlen(d, 10);
    for (size_t i = 0; i < n; i++) {
        int digit = d[i] >= '0' && d[i] <= '9';
        if ((i == 4 || i == 7) ? d[i] != '-' : !digit)
            return 0;
    }
    if (n != 4 && n != 7 && n != 10)
        return 0;
    for (size_t i = 0; i < 4; i++)
        y = y * 10 + (unsigned)(d[i] - '0');
    if (n >= 7)
        m = (unsigned)(d[5] - '0') * 10 + (unsigned)(d[6] - '0');
    if (n == 10)
        day = (unsigned)(d[8] - '0') * 10 + (unsigned)(d[9] - '0');
    *out = y * 10000 + m * 100 + day + 1;   /* + 1: 0 is "none" */
    return 1;
}

static sqlite3_stmt *query(cat *c, const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK) {
        cat_fail(c, "cannot build the search sieve");
        sqlite3_finalize(st);
        return NULL;
    }
    return st;
}

/* Steps st, calling row(b, st) for each row; -1 from row stops with an error. */
static int each_row(build *b, const char *sql, int (*row)(build *, sqlite3_stmt *))
{
    sqlite3_stmt *st = query(b->c, sql);
    int step = SQLITE_ERROR;
    if (!st)
        return CAT_ERROR;
    while ((step = sqlite3_step(st)) == SQLITE_ROW)
        if (row(b, st) != 0) {
            step = SQLITE_ERROR;
            break;
        }
    sqlite3_finalize(st);
    return step == SQLITE_DONE ? CAT_OK : cat_fail(b->c, "cannot build the search sieve");
}

static int media_row(build *b, sqlite3_stmt *st)
{
    int64_t id = sqlite3_column_int64(st, 0);
    int t = sqlite3_column_type(st, 4);
    const char *rec = (const char *)sqlite3_column_text(st, 5);
    if (!fits(id) || (size_t)id >= b->media_n || (t != SQLITE_NULL && t != SQLITE_FLOAT
                                                   && t != SQLITE_INTEGER))
        return -1;                      /* ids past 32 bits, a duration that is not a number */
    b->duration[id] = t == SQLITE_NULL ? NAN : sqlite3_column_double(st, 4);
    if (rec && !date_key(rec, &b->recorded[id]))
        b->odd_dates = 1;
    if (b->recorded[id]) {              /* year sets; dates without a day marked */
        char year[12];
        snprintf(year, sizeof year, "%04u", (b->recorded[id] - 1) / 10000 % 10000);
        if (map_add(&b->files, "year:", year, 4, (uint32_t)id) != 0
            || ((b->recorded[id] - 1) % 100 == 0
                && map_add(&b->files, "date_partial", "", 0, (uint32_t)id) != 0))
            return -1;
    }
    return add_text(&b->files, "status:", st, 1, (uint32_t)id, 0)
        || add_text(&b->files, "kind:", st, 2, (uint32_t)id, 0)
        || add_text(&b->files, "root:", st, 3, (uint32_t)id, 0)
        || add_text(&b->files, "vis:", st, 6, (uint32_t)id, 0)
        || add_text(&b->files, "event:", st, 7, (uint32_t)id, 1)
        || add_text(&b->files, "campaign:", st, 8, (uint32_t)id, 1)
        || add_text(&b->files, "org:", st, 9, (uint32_t)id, 1) ? -1 : 0;
}

static int person_row(build *b, sqlite3_stmt *st)
{
    int64_t id = sqlite3_column_int64(st, 0);
    const char *role = (const char *)sqlite3_column_text(st, 2);
    if (!fits(id) || add_text(&b->files, "person:", st, 1, (uint32_t)id, 0))
        return -1;
    return role && strcmp(role, "speaker") == 0 ? add_text(&b->files, "speaker:", st, 1, (uint32_t)id, 0)
                                                : 0;
}

static int country_row(build *b, sqlite3_stmt *st)
{
    int64_t id = sqlite3_column_int64(st, 0);
    return fits(id) ? add_text(&b->files, "country:", st, 1, (uint32_t)id, 0) : -1;
}

static int language_row(build *b, sqlite3_stmt *st)
{
    int64_t id = sqlite3_column_int64(st, 0);
    return fits(id) ? add_text(&b->files, "lang:", st, 1, (uint32_t)id, 0) : -1;
}

static int keyword_row(build *b, sqlite3_stmt *st)
{
    int64_t id = sqlite3_column_int64(st, 0);
    return fits(id) ? add_text(&b->files, "keyword:", st, 1, (uint32_t)id, 1) : -1;
}

static int cue_row(build *b, sqlite3_stmt *st)
{
    int64_t id = sqlite3_column_int64(st, 0), media = sqlite3_column_int64(st, 1);
    if (!fits(id) || !fits(media) || (size_t)media >= b->media_n)
        return -1;
    b->has_cues[media] = 1;
    return runs_add(&b->cue, id, media);
}

static int segment_row(build *b, sqlite3_stmt *st)
{
    int64_t id = sqlite3_column_int64(st, 0), media = sqlite3_column_int64(st, 1);
    if (!fits(id) || !fits(media))
        return -1;
    return runs_add(&b->seg, id, media)
        || add_lines(&b->segs, "seg_person:", (const char *)sqlite3_column_text(st, 2), (uint32_t)id)
        || add_lines(&b->segs, "seg_country:", (const char *)sqlite3_column_text(st, 3), (uint32_t)id)
        || add_lines(&b->segs, "seg_keyword:", (const char *)sqlite3_column_text(st, 4), (uint32_t)id)
        ? -1 : 0;
}

static int one_int(cat *c, const char *sql, int64_t *out)
{
    sqlite3_stmt *st = query(c, sql);
    int ok = st && sqlite3_step(st) == SQLITE_ROW;
    *out = ok ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    return ok ? CAT_OK : cat_fail(c, "cannot build the search sieve");
}

static int build_all(build *b)
{
    cat *c = b->c;
    int64_t mn, sn;
    int rc;
    if ((rc = one_int(c, "SELECT coalesce(max(id), 0) + 1 FROM media", &mn)) != CAT_OK
        || (rc = one_int(c, "SELECT coalesce(max(id), 0) + 1 FROM segments", &sn)) != CAT_OK)
        return rc;
    if (!fits(mn) || !fits(sn))
        return CAT_ERROR;
    b->media_n = (size_t)mn;
    b->segment_n = (size_t)sn;
    b->duration = malloc(b->media_n * sizeof *b->duration);
    b->recorded = calloc(b->media_n, sizeof *b->recorded);
    b->has_cues = calloc(b->media_n, 1);
    if (!b->duration || !b->recorded || !b->has_cues)
        return CAT_ERROR;
    for (size_t i = 0; i < b->media_n; i++)
        b->duration[i] = NAN;

    rc = each_row(b, "SELECT m.id, m.status, m.kind, m.root_id, m.duration,"
                     " substr(coalesce(e.recorded_at, m.recorded_at), 1, 10),"
                     " coalesce(e.visibility, 'internal'), e.event, e.campaign, e.organisation"
                     " FROM media m LEFT JOIN editorial e ON e.media_id = m.id ORDER BY m.id",
                  media_row);
    if (rc == CAT_OK)
        rc = each_row(b, "SELECT media_id, name, role FROM media_people ORDER BY media_id", person_row);
    if (rc == CAT_OK)
        rc = each_row(b, "SELECT media_id, code FROM media_countries ORDER BY media_id", country_row);
    if (rc == CAT_OK)
        rc = each_row(b, "SELECT media_id, code FROM media_languages ORDER BY media_id", language_row);
    if (rc == CAT_OK)
        rc = each_row(b, "SELECT media_id, keyword FROM media_keywords ORDER BY media_id", keyword_row);
    if (rc == CAT_OK)
        rc = each_row(b, "SELECT id, media_id FROM cues INDEXED BY cues_file ORDER BY id", cue_row);
    for (size_t i = 0; rc == CAT_OK && i < b->media_n; i++)
        if (b->has_cues[i] && map_add(&b->files, "subtitles", "", 0, (uint32_t)i) != 0)
            rc = CAT_ERROR;
    if (rc == CAT_OK)
        rc = each_row(b, "SELECT id, media_id, people, lower(countries), lower(keywords)"
                         " FROM segments ORDER BY id", segment_row);

    if (rc == CAT_OK)
        rc = store_sets(c, &b->files, b->media_n);
    if (rc == CAT_OK)
        rc = store_sets(c, &b->segs, b->segment_n);
    if (rc == CAT_OK) {
        unsigned char *d = malloc(b->media_n * 8 + 1);
        if (!d)
            return CAT_ERROR;
        for (size_t i = 0; i < b->media_n; i++) {
            uint64_t u;
            memcpy(&u, &b->duration[i], sizeof u);
            put32(d + i * 8, (uint32_t)u);
            put32(d + i * 8 + 4, (uint32_t)(u >> 32));
        }
        rc = store(c, "duration", d, b->media_n * 8);
        free(d);
    }
    if (rc == CAT_OK && !b->odd_dates) {   /* else --from and --to join rows */
        unsigned char *d = malloc(b->media_n * 4 + 1);
        if (!d)
            return CAT_ERROR;
        for (size_t i = 0; i < b->media_n; i++)
            put32(d + i * 4, b->recorded[i]);
        rc = store(c, "recorded", d, b->media_n * 4);
        free(d);
    }
    if (rc == CAT_OK)
        rc = store(c, "cue_runs", b->cue.d ? (void *)b->cue.d : "", b->cue.n);
    if (rc == CAT_OK)
        rc = store(c, "seg_runs", b->seg.d ? (void *)b->seg.d : "", b->seg.n);
    return rc;
}

static int is_stale(cat *c)
{
    int64_t stale = 0;
    return one_int(c, "SELECT stale FROM sieve_state", &stale) == CAT_OK && stale;
}

int cat_sieve_refresh(cat *c)
{
    build b = {.c = c};
    int rc;

    if (!is_stale(c))
        return CAT_OK;
    /* never wait for another writer: a search must not stall behind an
     * index run, and the sieve is only a cache (a stale one is not read) */
    sqlite3_busy_timeout(c->db, 0);
    rc = sqlite3_exec(c->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    sqlite3_busy_timeout(c->db, 5000);
    if (rc != SQLITE_OK)
        return CAT_OK;
    if (is_stale(c)) {
        rc = sqlite3_exec(c->db, "DELETE FROM sieve", NULL, NULL, NULL) == SQLITE_OK
                 ? build_all(&b) : cat_fail(c, "cannot build the search sieve");
        if (rc == CAT_OK) {
            sqlite3_stmt *st = query(c, "UPDATE sieve_state SET stale = 0, media_n = ?1, segment_n = ?2");
            if (st) {
                sqlite3_bind_int64(st, 1, (int64_t)b.media_n);
                sqlite3_bind_int64(st, 2, (int64_t)b.segment_n);
                rc = sqlite3_step(st) == SQLITE_DONE ? CAT_OK : cat_fail(c, "cannot build the search sieve");
                sqlite3_finalize(st);
            } else
                rc = CAT_ERROR;
        }
    }
    map_free(&b.files);
    map_free(&b.segs);
    free(b.duration);
    free(b.recorded);
    free(b.has_cues);
    free(b.cue.d);
    free(b.seg.d);
    /* a sieve that cannot be built (ids past 32 bits) leaves it stale:
     * searches join rows as before */
    return sqlite3_exec(c->db, rc == CAT_OK ? "COMMIT" : "ROLLBACK", NULL, NULL, NULL) == SQLITE_OK
               ? CAT_OK : cat_fail(c, "cannot store the search sieve");
}
