/* catalog_sieve.c - the search sieve (migration 011): what search filters
 * test, kept so that a hit is tested in memory instead of being joined to
 * its file's rows.
 *
 * Stored in the table sieve, one row per key:
 *   sets of file ids      status:ok, kind:video, root:3, vis:public, event:x,
 *                         campaign:x, org:x (event, campaign, organisation
 *                         and keyword in lower case: they match NOCASE),
 *                         person:NAME, speaker:NAME, country:BY, lang:ru,
 *                         keyword:x, subtitles
 *   sets of segment ids   seg_person:NAME, seg_country:by, seg_keyword:x (a
 *                         segment's own newline-separated lists, in SQL's
 *                         lower() where the search compares lower())
 *   by file id            duration (doubles, NaN for none), recorded (32-bit
 *                         YYYYMMDD + 1 of the recorded date, 0 for none;
 *                         absent when a date has another form)
 *   runs                  cue_runs, seg_runs: (first id, file id) for each
 *                         run of consecutive ids of one file, as distances
 *                         from the previous run (one byte in the usual case)
 * A set is 'B' + a bitmap (bit i of byte i/8 is id i) or, when smaller,
 * 'L' + ascending 32-bit ids; every number is little-endian. */
#include "catalog_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>

/* ---- bit sets -------------------------------------------------------------- */

typedef struct bits {
    uint64_t *w;
    size_t n;                           /* ids 0..n-1 */
} bits;

/* An empty set of ids below n. */
static int bits_init(bits *b, size_t n)
{
    b->n = n;
    b->w = calloc(n / 64 + 1, sizeof *b->w);
    return b->w ? 0 : -1;
}

static int bit(const bits *b, uint64_t i) { return i < b->n && (b->w[i / 64] >> (i % 64) & 1); }

static void bit_set(bits *b, uint64_t i)
{
    if (i < b->n)
        b->w[i / 64] |= (uint64_t)1 << (i % 64);
}

static void bits_and(bits *into, const bits *b)
{
    for (size_t i = 0; i < into->n / 64 + 1; i++)
        into->w[i] &= b->w[i];
}

/* Runs of consecutive cue or segment ids of one file, read as stored
 * (catalog_sieve_build.c, runs_add) from a statement kept on its row for
 * the whole search: decoding them into arrays touched megabytes of fresh
 * memory, whose page faults cost more than the search. */
typedef struct runs {
    sqlite3_stmt *st;
    const unsigned char *d;
    size_t len, at;                     /* at: the byte after the current run */
    int64_t first, media, next;         /* the current run; next: the next run's first id */
    int started;
} runs;

struct sieve {
    size_t media_n, segment_n;
    bits media_ok;                      /* the filters on the file itself */
    bits file_ok;                       /* and its people, countries, keywords */
    int about_n;                        /* those filters, each a file's or its segment's */
    bits about_file[4], about_seg[4];
    runs cue_runs, seg_runs;
    sqlite3_stmt *recorded, *duration;  /* kept on their rows (cat_sieve_load_keys) */
    const unsigned char *rec_d, *dur_d;
    size_t rec_len, dur_len;
};

void cat_sieve_free(sieve *s)
{
    if (!s)
        return;
    free(s->media_ok.w);
    free(s->file_ok.w);
    for (int k = 0; k < s->about_n; k++) {
        free(s->about_file[k].w);
        free(s->about_seg[k].w);
    }
    sqlite3_finalize(s->cue_runs.st);
    sqlite3_finalize(s->seg_runs.st);
    sqlite3_finalize(s->recorded);
    sqlite3_finalize(s->duration);
    free(s);
}

static uint32_t get32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The stored value of key, or NULL (with *len 0) when there is none. The
 * pointer is valid until st is reset. */
static const unsigned char *stored(cat *c, const char *key, size_t klen, size_t *len)
{
    sqlite3_stmt *st = cat_stmt(c, S_SIEVE_GET, "SELECT data FROM sieve WHERE key = ?1");
    *len = 0;
    if (!st)
        return NULL;
    sqlite3_bind_text(st, 1, key, (int)klen, SQLITE_TRANSIENT);
    if (sqlite3_step(st) != SQLITE_ROW)
        return NULL;
    *len = (size_t)sqlite3_column_bytes(st, 0);
    return sqlite3_column_blob(st, 0);
}

/* Whether key is stored, without reading its value. */
static int has_key(cat *c, const char *key)
{
    sqlite3_stmt *st = NULL;
    int yes = sqlite3_prepare_v2(c->db, "SELECT 1 FROM sieve WHERE key = ?1", -1, &st, NULL) == SQLITE_OK
              && sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC) == SQLITE_OK
              && sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return yes;
}

/* ORs the set stored under prefix+value into b. */
static int set_or(cat *c, const char *prefix, const char *value, bits *b)
{
    size_t plen = strlen(prefix), vlen = value ? strlen(value) : 0, len;
    char *key = malloc(plen + vlen + 1);
    const unsigned char *d;
    if (!key)
        return CAT_ERROR;
    memcpy(key, prefix, plen);
    if (vlen)
        memcpy(key + plen, value, vlen);
    key[plen + vlen] = 0;
    d = stored(c, key, plen + vlen, &len);
    free(key);
    if (d && len >= 1 && d[0] == 'B') {
        /* byte i of the map is bits 8i..8i+7: OR'd in a word at a time */
        size_t bytes = len - 1 < (b->n + 7) / 8 ? len - 1 : (b->n + 7) / 8;
        for (size_t i = 0; i < bytes; i += 8) {
            uint64_t w = 0;
            for (size_t j = 0; j < 8 && i + j < bytes; j++)
                w |= (uint64_t)d[1 + i + j] << (8 * j);
            b->w[i / 8] |= w;
        }
        if (b->n % 64)                  /* no bit past n */
            b->w[b->n / 64] &= ((uint64_t)1 << (b->n % 64)) - 1;
    } else if (d && len >= 1 && d[0] == 'L') {
        for (size_t i = 1; i + 4 <= len; i += 4)
            bit_set(b, get32(d + i));
    }
    return CAT_OK;
}

/* ANDs into b the union of the sets prefix+name for each name of the JSON
 * array (one name when json is 0). */
static int and_any(cat *c, bits *b, const char *prefix, const char *values, int json, size_t n)
{
    bits any;
    int rc = CAT_OK;
    if (bits_init(&any, n) != 0)
        return CAT_ERROR;
    if (json) {
        json_t *names = json_loads(values, 0, NULL), *v;
        size_t i;
        json_array_foreach(names, i, v)
            if (rc == CAT_OK && json_is_string(v))
                rc = set_or(c, prefix, json_string_value(v), &any);
        json_decref(names);
    } else {
        rc = set_or(c, prefix, values, &any);
    }
    if (b->w == NULL) {
        *b = any;
        return rc;
    }
    bits_and(b, &any);
    free(any.w);
    return rc;
}

/* ASCII lower case, as NOCASE compares. */
static char *ascii_lower(const char *s)
{
    char *l = strdup(s);
    for (char *p = l; p && *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    return l;
}

static int and_nocase(cat *c, bits *b, const char *prefix, const char *value, size_t n)
{
    char *l = ascii_lower(value);
    int rc = l ? and_any(c, b, prefix, l, 0, n) : CAT_ERROR;
    free(l);
    return rc;
}

/* SQL's lower(), which a segment's countries and keywords are compared in. */
static char *sql_lower(cat *c, const char *s)
{
    sqlite3_stmt *st = NULL;
    char *out = NULL;
    if (sqlite3_prepare_v2(c->db, "SELECT lower(?1)", -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, s, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW)
            out = strdup((const char *)sqlite3_column_text(st, 0));
    }
    sqlite3_finalize(st);
    return out;
}

static uint64_t get_varint(const unsigned char *d, size_t len, size_t *at)
{
    uint64_t v = 0;
    for (int shift = 0; *at < len && shift < 64; shift += 7) {
        unsigned char b = d[(*at)++];
        v |= (uint64_t)(b & 0x7F) << shift;
        if (!(b & 0x80))
            break;
    }
    return v;
}

/* Opens the value of key on a statement kept on its row until the sieve
 * is freed (its blob is read in place, never copied): 0, or -1 when the key
 * is not stored (or cannot be read). */
static int keep_row(cat *c, const char *key, sqlite3_stmt **st, const unsigned char **d, size_t *len)
{
    if (!*st && sqlite3_prepare_v2(c->db, "SELECT data FROM sieve WHERE key = ?1", -1, st, NULL)
                    != SQLITE_OK)
        return -1;
    sqlite3_bind_text(*st, 1, key, -1, SQLITE_STATIC);
    if (sqlite3_step(*st) != SQLITE_ROW)
        return -1;
    *d = sqlite3_column_blob(*st, 0);
    *len = (size_t)sqlite3_column_bytes(*st, 0);
    return 0;
}

/* Opens the runs stored under key (none stored: no runs). */
static int load_runs(cat *c, const char *key, runs *r)
{
    memset(r, 0, sizeof *r);
    keep_row(c, key, &r->st, &r->d, &r->len);
    return r->st ? CAT_OK : cat_fail(c, "cannot read the search sieve");
}

/* Reads the run at *at (catalog_sieve_build.c, runs_add): the distances
 * of its first id and of its file from the previous run's. */
static void read_run(const runs *r, size_t *at, int64_t *dfirst, int64_t *dmedia)
{
    uint64_t dm;
    unsigned char b = r->d[(*at)++];
    if (b) {
        *dfirst = b;
        *dmedia = 1;
        return;
    }
    *dfirst = (int64_t)get_varint(r->d, r->len, at);
    dm = get_varint(r->d, r->len, at);
    *dmedia = dm & 1 ? -(int64_t)((dm + 1) >> 1) : (int64_t)(dm >> 1);
}

/* Reads the run after the current one into next (INT64_MAX at the end). */
static void peek_next(runs *r)
{
    size_t at = r->at;
    int64_t df, dm;
    if (at >= r->len) {
        r->next = INT64_MAX;
        return;
    }
    read_run(r, &at, &df, &dm);
    r->next = r->first + df;
}

static void step_run(runs *r)
{
    int64_t df, dm;
    read_run(r, &r->at, &df, &dm);
    r->first += df;
    r->media += dm;
    peek_next(r);
}

/* The file of id by its runs; -1 when none. The hits of a source come in
 * ascending id order, so the cursor only moves forward; an id before the
 * current run starts it over. */
static int64_t run_owner(runs *r, int64_t id)
{
    if (!r->len)
        return -1;
    if (!r->started || id < r->first) {
        r->at = 0;
        r->first = r->media = 0;
        r->started = 1;
        step_run(r);
        if (id < r->first)
            return -1;
    }
    while (r->next <= id)
        step_run(r);
    return r->media;
}

int64_t cat_sieve_media(sieve *s, char kind, int64_t id)
{
    return kind == 'f' ? id : run_owner(kind == 'c' ? &s->cue_runs : &s->seg_runs, id);
}

int cat_sieve_load_keys(cat *c, sieve *s, int dates)
{
    if (dates)
        return s->rec_d || keep_row(c, "recorded", &s->recorded, &s->rec_d, &s->rec_len) == 0;
    return s->dur_d || keep_row(c, "duration", &s->duration, &s->dur_d, &s->dur_len) == 0;
}

uint32_t cat_sieve_date(const sieve *s, int64_t media)
{
    return media >= 0 && (size_t)(media + 1) * 4 <= s->rec_len ? get32(s->rec_d + media * 4) : 0;
}

double cat_sieve_duration(const sieve *s, int64_t media)
{
    uint64_t u;
    double v = NAN;
    if (media >= 0 && (size_t)(media + 1) * 8 <= s->dur_len) {
        u = (uint64_t)get32(s->dur_d + media * 8) | (uint64_t)get32(s->dur_d + media * 8 + 4) << 32;
        memcpy(&v, &u, sizeof v);
    }
    return v;
}

int cat_sieve_pass(sieve *s, char kind, int64_t id)
{
    int64_t m;
    if (id < 0)
        return 0;
    if (kind == 'f')
        return bit(&s->file_ok, (uint64_t)id);
    if (kind == 'c')
        return (m = run_owner(&s->cue_runs, id)) >= 0 && bit(&s->file_ok, (uint64_t)m);
    m = run_owner(&s->seg_runs, id);
    if (m < 0 || !bit(&s->media_ok, (uint64_t)m))
        return 0;
    /* each filter holds for the segment itself or for its file */
    for (int k = 0; k < s->about_n; k++)
        if (!bit(&s->about_seg[k], (uint64_t)id) && !bit(&s->about_file[k], (uint64_t)m))
            return 0;
    return 1;
}

static int full_date(const char *d)
{
    if (!d)
        return 1;
    for (int i = 0; i < 10; i++)
        if ((i == 4 || i == 7) ? d[i] != '-' : !(d[i] >= '0' && d[i] <= '9'))
            return 0;
    return d[10] == 0;
}

/* "YYYY-MM-DD" as YYYYMMDD (the filters give full dates). */
static uint32_t date_number(const char *d)
{
    return (uint32_t)strtoul(d, NULL, 10) * 10000 + (uint32_t)strtoul(d + 5, NULL, 10) * 100
           + (uint32_t)strtoul(d + 8, NULL, 10);
}

/* The next set bit of b at or after i; b->n when none. */
static size_t next_bit(const bits *b, size_t i)
{
    while (i < b->n) {
        uint64_t w = b->w[i / 64] >> (i % 64);
        if (w)
            return i + (size_t)__builtin_ctzll(w) < b->n ? i + (size_t)__builtin_ctzll(w) : b->n;
        i = (i / 64 + 1) * 64;
    }
    return b->n;
}

int cat_sieve_listing(sieve *s, cat_sieve_hit_fn cb, void *payload)
{
    bits any;
    int rc = CAT_OK;
    for (size_t i = next_bit(&s->file_ok, 0); rc == CAT_OK && i < s->file_ok.n;
         i = next_bit(&s->file_ok, i + 1))
        rc = cb(payload, 'f', (int64_t)i, (int64_t)i);
    if (rc != CAT_OK || !s->about_n)
        return rc;
    /* a segment is listed for what it holds itself: one of the filters on
     * people, countries and keywords (each of which it or its file holds) */
    if (bits_init(&any, s->segment_n) != 0)
        return CAT_ERROR;
    for (int k = 0; k < s->about_n; k++)
        for (size_t i = 0; i < any.n / 64 + 1; i++)
            any.w[i] |= s->about_seg[k].w[i];
    for (size_t i = next_bit(&any, 0); rc == CAT_OK && i < any.n; i = next_bit(&any, i + 1))
        if (cat_sieve_pass(s, 's', (int64_t)i))
            rc = cb(payload, 's', (int64_t)i, run_owner(&s->seg_runs, (int64_t)i));
    free(any.w);
    return rc;
}

/* The file-level filters whose columns are stored by file id: the recorded
 * date and the duration. Clears the bits of s->media_ok's files that fail.
 * Returns 1 when the sieve holds no dates to test (then the search joins
 * rows). */
static int by_columns(cat *c, const cat_query *q, sieve *s)
{
    bits *b = &s->media_ok;
    if (q->from || q->to) {
        /* date_key of catalog_sieve_build.c: YYYYMMDD + 1, 0 for none */
        uint32_t from = q->from ? date_number(q->from) + 1 : 0, to = q->to ? date_number(q->to) + 1 : 0;
        bits partial = {0};
        int whole_years = q->from && q->to && strcmp(q->from + 4, "-01-01") == 0
                          && strcmp(q->to + 4, "-12-31") == 0 && strncmp(q->from, q->to, 4) <= 0;
        if (!full_date(q->from) || !full_date(q->to) || !has_key(c, "recorded"))
            return 1;                   /* not in the sieve */
        if (whole_years) {
            /* --from 2016 --to 2018: the files of those years, from their
             * sets; only a date without a day is checked against the column
             * ("2016" is before "2016-01-01", as SQL orders the text) */
            bits years;
            char year[8];
            if (bits_init(&years, b->n) != 0 || bits_init(&partial, b->n) != 0) {
                free(years.w);
                return CAT_ERROR;
            }
            for (int y = atoi(q->from); y <= atoi(q->to); y++) {
                snprintf(year, sizeof year, "%04d", y);
                set_or(c, "year:", year, &years);
            }
            set_or(c, "date_partial", NULL, &partial);
            bits_and(b, &years);
            free(years.w);
        }
        /* the exact test, for the files left that need it (the column is
         * opened by the first) */
        for (size_t i = 0, opened = 0; i < b->n; i++) {
            uint32_t r;
            if (!bit(b, i) || (whole_years && !bit(&partial, i)))
                continue;
            if (!opened++ && !cat_sieve_load_keys(c, s, 1)) {
                free(partial.w);
                return CAT_ERROR;
            }
            r = cat_sieve_date(s, (int64_t)i);
            if (!r || (from && r < from) || (to && r > to))
                b->w[i / 64] &= ~((uint64_t)1 << (i % 64));
        }
        free(partial.w);
    }
    if (q->min_duration >= 0 || q->max_duration >= 0) {
        cat_sieve_load_keys(c, s, 0);   /* none stored: every duration NaN, none passes */
        for (size_t i = 0; i < b->n; i++) {
            double v = cat_sieve_duration(s, (int64_t)i);
            /* NaN (no duration) fails both, as NULL does in SQL */
            if (bit(b, i) && (!(q->min_duration < 0 || v >= q->min_duration)
                              || !(q->max_duration < 0 || v <= q->max_duration)))
                b->w[i / 64] &= ~((uint64_t)1 << (i % 64));
        }
    }
    return CAT_OK;
}

/* The roots --root names, by name or path. */
static int and_root(cat *c, bits *b, const char *root)
{
    sqlite3_stmt *st = NULL;
    bits any;
    int rc = CAT_OK;
    if (bits_init(&any, b->n) != 0)
        return CAT_ERROR;
    if (sqlite3_prepare_v2(c->db, "SELECT id FROM roots WHERE name = ?1 OR path = ?1", -1, &st,
                           NULL) != SQLITE_OK)
        rc = cat_fail(c, "cannot read roots");
    else
        sqlite3_bind_text(st, 1, root, -1, SQLITE_STATIC);
    while (rc == CAT_OK && sqlite3_step(st) == SQLITE_ROW)
        rc = set_or(c, "root:", (const char *)sqlite3_column_text(st, 0), &any);
    sqlite3_finalize(st);
    bits_and(b, &any);
    free(any.w);
    return rc;
}

static int has_newline(const char *names_json)
{
    return names_json && strchr(names_json, '\n') != NULL;
}

/* Whether the sieve can answer q's filters: it is fresh and holds every
 * filter q has (a path pattern and --changed-since are not in it). */
static int sieve_fresh(cat *c, const cat_query *q, size_t *media_n, size_t *segment_n)
{
    sqlite3_stmt *st = NULL;
    int ok = 0;
    if (q->path_glob || q->changed_since || has_newline(q->speakers) || has_newline(q->people)
        || (q->keyword && strchr(q->keyword, '\n')) || (q->country && strchr(q->country, '\n')))
        return 0;
    if (sqlite3_prepare_v2(c->db, "SELECT stale, media_n, segment_n FROM sieve_state", -1, &st,
                           NULL) == SQLITE_OK
        && sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) == 0) {
        *media_n = (size_t)sqlite3_column_int64(st, 1);
        *segment_n = (size_t)sqlite3_column_int64(st, 2);
        ok = 1;
    }
    sqlite3_finalize(st);
    return ok;
}

int cat_sieve_for(cat *c, const cat_query *q, sieve **out)
{
    sieve *s;
    size_t mn, sn;
    int rc = CAT_OK;
    char *low = NULL;

    *out = NULL;
    if (!sieve_fresh(c, q, &mn, &sn))
        return CAT_OK;
    if (!(s = calloc(1, sizeof *s)))
        return CAT_ERROR;
    s->media_n = mn;
    s->segment_n = sn;
    if (bits_init(&s->media_ok, mn) != 0) {
        free(s);
        return CAT_ERROR;
    }
    if (!q->missing || q->any_status)
        rc = set_or(c, "status:", "ok", &s->media_ok);
    if (rc == CAT_OK && (q->missing || q->any_status))
        rc = set_or(c, "status:", "missing", &s->media_ok);
    if (rc == CAT_OK && q->kind)
        rc = and_any(c, &s->media_ok, "kind:", q->kind, 0, mn);
    if (rc == CAT_OK && q->root)
        rc = and_root(c, &s->media_ok, q->root);
    if (rc == CAT_OK && q->visibility)
        rc = and_any(c, &s->media_ok, "vis:", q->visibility, 0, mn);
    if (rc == CAT_OK && q->event)
        rc = and_nocase(c, &s->media_ok, "event:", q->event, mn);
    if (rc == CAT_OK && q->campaign)
        rc = and_nocase(c, &s->media_ok, "campaign:", q->campaign, mn);
    if (rc == CAT_OK && q->organisation)
        rc = and_nocase(c, &s->media_ok, "org:", q->organisation, mn);
    if (rc == CAT_OK && q->language)
        rc = and_any(c, &s->media_ok, "lang:", q->language, 0, mn);
    if (rc == CAT_OK && q->has_subtitles)
        rc = and_any(c, &s->media_ok, "subtitles", NULL, 0, mn);
    if (rc == CAT_OK && (rc = by_columns(c, q, s)) == 1) {
        cat_sieve_free(s);
        return CAT_OK;
    }

    /* what the file is about; a segment may hold each of these itself */
    for (int k = 0; rc == CAT_OK && k < 4; k++) {
        bits *f = &s->about_file[s->about_n], *g = &s->about_seg[s->about_n];
        const char *v = k == 0 ? q->speakers : k == 1 ? q->people : k == 2 ? q->country : q->keyword;
        if (!v)
            continue;
        s->about_n++;
        if (k < 2) {
            rc = and_any(c, f, k ? "person:" : "speaker:", v, 1, mn);
            if (rc == CAT_OK)
                rc = and_any(c, g, "seg_person:", v, 1, sn);
        } else {
            rc = k == 2 ? and_any(c, f, "country:", v, 0, mn) : and_nocase(c, f, "keyword:", v, mn);
            if (rc == CAT_OK && !(low = sql_lower(c, v)))
                rc = CAT_ERROR;
            if (rc == CAT_OK)
                rc = and_any(c, g, k == 2 ? "seg_country:" : "seg_keyword:", low, 0, sn);
            free(low);
            low = NULL;
        }
    }
    if (rc == CAT_OK && bits_init(&s->file_ok, mn) == 0) {
        memcpy(s->file_ok.w, s->media_ok.w, (mn / 64 + 1) * sizeof *s->file_ok.w);
        for (int k = 0; k < s->about_n; k++)
            bits_and(&s->file_ok, &s->about_file[k]);
    } else if (rc == CAT_OK) {
        rc = CAT_ERROR;
    }
    if (rc == CAT_OK && q->words)
        rc = load_runs(c, "cue_runs", &s->cue_runs);
    if (rc == CAT_OK && (q->words || s->about_n))
        rc = load_runs(c, "seg_runs", &s->seg_runs);
    if (rc != CAT_OK) {
        cat_sieve_free(s);
        return rc;
    }
    *out = s;
    return CAT_OK;
}

static void sieve_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    cat *c = sqlite3_user_data(ctx);
    const unsigned char *kind = sqlite3_value_text(argv[0]);
    (void)argc;
    sqlite3_result_int(ctx, !c->sv || (kind && cat_sieve_pass(c->sv, (char)kind[0],
                                                               sqlite3_value_int64(argv[1]))));
}

int cat_sieve_register(cat *c)
{
    return sqlite3_create_function(c->db, "reel_sieve", 2, SQLITE_UTF8, c, sieve_fn, NULL, NULL)
                   == SQLITE_OK ? 0 : -1;
}
