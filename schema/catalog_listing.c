/* catalog_listing.c - records as JSON text, for listings of the whole
 * catalogue (`reel export`). The text is what json_dumps would make of
 * cat_record_load's tree (same fields, same order, same bytes): it reads
 * the same rows with the same statements, but writes each value straight
 * into one buffer instead of building, copying and freeing json_t trees,
 * and copies the stored editorial document instead of parsing it
 * (json_text.c). cat_record_load stays the reference; tests/check_export.c
 * compares the two on every record of its archive. */
#include "catalog_int.h"
#include "json_text.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The statements of cat_record_load (catalog_read.c), prepared for this
 * lister: the same SQL, so the same rows in the same order. */
enum { Q_MEDIA, Q_STREAMS, Q_CHAPTERS, Q_TAGS, Q_EDITORIAL, Q_SUBS, Q_THUMBS, Q_COUNT_ };
static const char *const queries[Q_COUNT_] = {
    "SELECT m.uid, r.name, m.path, m.kind, m.status, m.size, m.mtime_ns, m.sha256,"
    " m.format, m.duration, m.bit_rate, m.width, m.height, m.rotation, m.fps,"
    " m.recorded_at, m.recorded_at_source, m.lat, m.lon, m.location_source,"
    " m.camera_make, m.camera_model, m.orientation, m.first_seen, m.last_seen,"
    " m.missing_since, m.indexed_at"
    " FROM media m JOIN roots r ON r.id = m.root_id WHERE m.id = ?1",
    "SELECT idx, type, codec, width, height, fps, rotation, sample_rate, channels, language"
    " FROM streams WHERE media_id = ?1 ORDER BY idx",
    "SELECT start, end, title FROM chapters WHERE media_id = ?1 ORDER BY idx",
    "SELECT key, value FROM tags WHERE media_id = ?1 ORDER BY key",
    "SELECT doc FROM editorial WHERE media_id = ?1",
    "SELECT language, source, track, count(*) FROM cues WHERE media_id = ?1"
    " GROUP BY source, track ORDER BY source, track",
    "SELECT role, file, vtt, time, interval, tile_width, tile_height, columns, count, reason"
    " FROM thumbnails WHERE media_id = ?1 ORDER BY role",
};

typedef struct field {
    const char *key;               /* always a string literal */
    jt_span value;
} field;

struct cat_lister {
    cat *c;
    sqlite3_stmt *st[Q_COUNT_];
    int flags, precision;
    jt_buf buf;                    /* every value of the current record */
    field *f;
    size_t n, cap;
    jt_doc doc;
    cat_field *out;                /* f resolved to pointers, for the caller */
    cat_segment_text *seg;
    size_t out_cap, seg_cap;
};

/* json_object_set: a new key goes last, a known one keeps its place. */
static void set_span(cat_lister *l, const char *key, jt_span v)
{
    /* the first letters tell most keys apart: strcmp was 6% of an export */
    for (size_t i = 0; i < l->n; i++)
        if (l->f[i].key[0] == key[0] && strcmp(l->f[i].key, key) == 0) {
            l->f[i].value = v;
            return;
        }
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        field *f = realloc(l->f, cap * sizeof *f);
        if (!f) {
            l->buf.oom = 1;
            return;
        }
        l->f = f;
        l->cap = cap;
    }
    l->f[l->n++] = (field){key, v};
}

/* The field's value is what was written from start on. */
static void set(cat_lister *l, const char *key, size_t start)
{
    set_span(l, key, (jt_span){start, l->buf.len - start});
}

static void set_literal(cat_lister *l, const char *key, const char *json)
{
    size_t start = l->buf.len;
    jt_put(&l->buf, json, strlen(json));
    set(l, key, start);
}

/* ---- values from columns, with json_string / json_real's refusals ----------- */

/* The column as json_string() takes it: NULL when SQL NULL or not UTF-8. */
static const char *text_of(sqlite3_stmt *st, int col, size_t *n)
{
    const char *s;
    if (sqlite3_column_type(st, col) == SQLITE_NULL)
        return NULL;
    s = (const char *)sqlite3_column_text(st, col);
    if (!s)
        return NULL;
    *n = strlen(s);                /* json_string stops at a NUL too */
    return jt_utf8_ok(s, *n) ? s : NULL;
}

/* Members of an object being written: `first` tracks the comma. */
typedef struct obj {
    jt_buf *b;
    int n;
} obj;

static void key(obj *o, const char *k)
{
    if (o->n++)
        jt_putc(o->b, ',');
    jt_string(o->b, k, strlen(k));
    jt_putc(o->b, ':');
}

static void m_text(obj *o, const char *k, sqlite3_stmt *st, int col)
{
    size_t n;
    const char *s = text_of(st, col, &n);
    if (s) {
        key(o, k);
        jt_string(o->b, s, n);
    }
}

static void m_int(obj *o, const char *k, sqlite3_stmt *st, int col)
{
    if (sqlite3_column_type(st, col) != SQLITE_NULL) {
        key(o, k);
        jt_int(o->b, sqlite3_column_int64(st, col));
    }
}

/* json_real refuses NaN and infinities: the member is then left out. */
static void m_real(obj *o, const char *k, sqlite3_stmt *st, int col, int precision)
{
    double v = sqlite3_column_double(st, col);
    if (sqlite3_column_type(st, col) != SQLITE_NULL && isfinite(v)) {
        key(o, k);
        jt_real(o->b, v, precision);
    }
}

/* Top-level fields: the same, each into its own slot. */
static void f_text(cat_lister *l, const char *k, sqlite3_stmt *st, int col)
{
    size_t n, start = l->buf.len;
    const char *s = text_of(st, col, &n);
    if (s) {
        jt_string(&l->buf, s, n);
        set(l, k, start);
    }
}

static void f_int(cat_lister *l, const char *k, sqlite3_stmt *st, int col)
{
    size_t start = l->buf.len;
    if (sqlite3_column_type(st, col) != SQLITE_NULL) {
        jt_int(&l->buf, sqlite3_column_int64(st, col));
        set(l, k, start);
    }
}

static void f_real(cat_lister *l, const char *k, sqlite3_stmt *st, int col)
{
    size_t start = l->buf.len;
    double v = sqlite3_column_double(st, col);
    if (sqlite3_column_type(st, col) != SQLITE_NULL && isfinite(v)) {
        jt_real(&l->buf, v, l->precision);
        set(l, k, start);
    }
}

/* ---- the parts of a record, as in catalog_read.c --------------------------------- */

static void media_row(cat_lister *l, sqlite3_stmt *st)
{
    static const char *const text1[] = {"id", "root", "path", "kind", "status"};
    size_t start;
    char ts[40];
    struct tm tm;
    time_t t = (time_t)(sqlite3_column_int64(st, 6) / 1000000000);

    for (int i = 0; i < 5; i++)
        f_text(l, text1[i], st, i);
    f_int(l, "size", st, 5);
    gmtime_r(&t, &tm);
    strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
    start = l->buf.len;
    jt_string(&l->buf, ts, strlen(ts));
    set(l, "mtime", start);
    f_text(l, "sha256", st, 7);
    f_text(l, "format", st, 8);
    f_real(l, "duration", st, 9);
    f_int(l, "bit_rate", st, 10);
    f_int(l, "width", st, 11);
    f_int(l, "height", st, 12);
    f_int(l, "rotation", st, 13);
    f_real(l, "fps", st, 14);
    f_text(l, "recorded_at", st, 15);
    f_text(l, "recorded_at_source", st, 16);
    if (sqlite3_column_type(st, 17) != SQLITE_NULL && sqlite3_column_type(st, 18) != SQLITE_NULL) {
        double lat = sqlite3_column_double(st, 17), lon = sqlite3_column_double(st, 18);
        /* json_pack fails on a non-finite number: no location then, but
         * its source all the same */
        if (isfinite(lat) && isfinite(lon)) {
            obj o = {&l->buf, 0};
            start = l->buf.len;
            jt_putc(&l->buf, '{');
            key(&o, "lat");
            jt_real(&l->buf, lat, l->precision);
            key(&o, "lon");
            jt_real(&l->buf, lon, l->precision);
            jt_putc(&l->buf, '}');
            set(l, "location", start);
        }
        f_text(l, "location_source", st, 19);
    }
    if (sqlite3_column_type(st, 20) != SQLITE_NULL || sqlite3_column_type(st, 21) != SQLITE_NULL) {
        obj o = {&l->buf, 0};
        start = l->buf.len;
        jt_putc(&l->buf, '{');
        m_text(&o, "make", st, 20);
        m_text(&o, "model", st, 21);
        jt_putc(&l->buf, '}');
        set(l, "camera", start);
    }
    f_int(l, "orientation", st, 22);
    f_text(l, "first_seen", st, 23);
    f_text(l, "last_seen", st, 24);
    f_text(l, "missing_since", st, 25);
    f_text(l, "indexed_at", st, 26);
}

/* Runs statement q for the record; row() writes each row as an element of
 * an array that becomes field k when it is not empty. */
static int rows(cat_lister *l, int q, int64_t id, const char *k,
                void (*row)(cat_lister *, sqlite3_stmt *, obj *))
{
    sqlite3_stmt *st = l->st[q];
    size_t start = l->buf.len;
    obj list = {&l->buf, 0};
    int rc;
    sqlite3_bind_int64(st, 1, id);
    jt_putc(&l->buf, '[');
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        row(l, st, &list);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return cat_fail(l->c, "cannot read record");
    jt_putc(&l->buf, ']');
    if (list.n)
        set(l, k, start);
    else
        l->buf.len = start;
    return CAT_OK;
}

static void item_begin(obj *list, obj *o)
{
    if (list->n++)
        jt_putc(list->b, ',');
    *o = (obj){list->b, 0};
    jt_putc(o->b, '{');
}

static void stream_row(cat_lister *l, sqlite3_stmt *st, obj *list)
{
    obj o;
    item_begin(list, &o);
    m_int(&o, "index", st, 0);
    m_text(&o, "type", st, 1);
    m_text(&o, "codec", st, 2);
    m_int(&o, "width", st, 3);
    m_int(&o, "height", st, 4);
    m_real(&o, "fps", st, 5, l->precision);
    m_int(&o, "rotation", st, 6);
    m_int(&o, "sample_rate", st, 7);
    m_int(&o, "channels", st, 8);
    m_text(&o, "language", st, 9);
    jt_putc(o.b, '}');
}

static void chapter_row(cat_lister *l, sqlite3_stmt *st, obj *list)
{
    obj o;
    item_begin(list, &o);
    m_real(&o, "start", st, 0, l->precision);
    m_real(&o, "end", st, 1, l->precision);
    m_text(&o, "title", st, 2);
    jt_putc(o.b, '}');
}

static void subtitle_row(cat_lister *l, sqlite3_stmt *st, obj *list)
{
    obj o;
    (void)l;
    item_begin(list, &o);
    m_text(&o, "language", st, 0);
    m_text(&o, "source", st, 1);
    m_text(&o, "track", st, 2);
    m_int(&o, "cues", st, 3);
    jt_putc(o.b, '}');
}

/* Container tags: {key: value}, ordered by key; a key or value that is not
 * UTF-8 is left out, as json_object_set_new does. */
static int add_tags(cat_lister *l, int64_t id)
{
    sqlite3_stmt *st = l->st[Q_TAGS];
    size_t start = l->buf.len, n, title_at = 0, title_len = 0, desc_at = 0, desc_len = 0;
    obj tags = {&l->buf, 0};
    int rc;
    sqlite3_bind_int64(st, 1, id);
    jt_putc(&l->buf, '{');
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *k = text_of(st, 0, &n), *v;
        size_t vn, at;
        if (!k || !(v = text_of(st, 1, &vn)))
            continue;
        if (tags.n++)
            jt_putc(&l->buf, ',');
        jt_string(&l->buf, k, n);
        jt_putc(&l->buf, ':');
        at = l->buf.len;
        jt_string(&l->buf, v, vn);
        if (strcmp(k, "title") == 0)
            title_at = at, title_len = l->buf.len - at;
        else if (strcmp(k, "description") == 0)
            desc_at = at, desc_len = l->buf.len - at;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return cat_fail(l->c, "cannot read record");
    jt_putc(&l->buf, '}');
    /* with no sidecar yet, the container's own title and description are
     * the best editorial values there are; they come before "tags" */
    if (title_len)
        set_span(l, "title", (jt_span){title_at, title_len});
    if (desc_len)
        set_span(l, "description", (jt_span){desc_at, desc_len});
    if (tags.n)
        set(l, "tags", start);
    return CAT_OK;
}

/* ---- editorial values ---------------------------------------------------------- */

/* The document members a record takes (add_editorial in catalog_read.c),
 * in the order it takes them. */
static const char *const copied[] = {
    "title", "description", "people", "countries", "place", "event", "campaign",
    "organisation", "languages", "keywords", "consent", "source_url", "segments",
};
enum { N_COPIED = sizeof copied / sizeof *copied, W_RECORDED = N_COPIED, W_LOCATION,
       W_VISIBILITY, N_WANTED };
static const char *const extra[] = {"recorded_at", "location", "visibility"};

static void want_from(cat_lister *l, jt_span want[N_WANTED])
{
    for (int i = 0; i < N_WANTED; i++) {
        const jt_member *m = jt_doc_get(&l->doc, i < N_COPIED ? copied[i] : extra[i - N_COPIED]);
        want[i] = m ? m->value : (jt_span){0, 0};
    }
}

static void dump_into(cat_lister *l, json_t *v, jt_span *span)
{
    char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT | JSON_PRESERVE_ORDER
                                | JSON_REAL_PRECISION(l->precision));
    span->off = l->buf.len;
    jt_put(&l->buf, s ? s : "null", s ? strlen(s) : 4);
    span->len = l->buf.len - span->off;
    free(s);
}

/* A document outside jt_doc_scan's subset: json_loads and json_dumps, as
 * cat_record_load does. Returns 0 when json_loads refuses it (no document). */
static int doc_by_jansson(cat_lister *l, const char *text, jt_span want[N_WANTED])
{
    json_t *doc, *v, *p;
    size_t i;
    l->doc.n = l->doc.n_seg = 0;      /* what the scan had found is void */
    l->doc.segments_array = 0;
    if (!(doc = json_loads(text, 0, NULL)))
        return 0;
    json_array_foreach(json_object_get(doc, "people"), i, p)
        json_object_del(p, "aliases");
    for (int w = 0; w < N_WANTED; w++) {
        want[w] = (jt_span){0, 0};
        if ((v = json_object_get(doc, w < N_COPIED ? copied[w] : extra[w - N_COPIED])))
            dump_into(l, v, &want[w]);
    }
    if (json_is_array(v = json_object_get(doc, "segments"))) {
        jt_doc *d = &l->doc;
        d->segments_array = 1;
        json_array_foreach(v, i, p) {
            json_t *vis = json_object_get(p, "visibility");
            if (d->n_seg == d->seg_cap) {
                size_t cap = d->seg_cap ? d->seg_cap * 2 : 8;
                jt_span *a = realloc(d->seg, cap * sizeof *a), *b;
                if (a)
                    d->seg = a;
                if (!a || !(b = realloc(d->seg_vis, cap * sizeof *b))) {
                    l->buf.oom = 1;
                    break;
                }
                d->seg_vis = b;
                d->seg_cap = cap;
            }
            dump_into(l, p, &d->seg[d->n_seg]);
            d->seg_vis[d->n_seg] = (jt_span){0, 0};
            if (json_is_string(vis))
                dump_into(l, vis, &d->seg_vis[d->n_seg]);
            d->n_seg++;
        }
    }
    json_decref(doc);
    return 1;
}

/* Reads the document into want[] (spans of canonical text; len 0: absent).
 * Returns 1 when the record has a document, 0 when not, <0 on failure. */
static int read_doc(cat_lister *l, int64_t id, jt_span want[N_WANTED])
{
    sqlite3_stmt *st = l->st[Q_EDITORIAL];
    const char *text;
    int rc, have = 0;
    sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && (text = (const char *)sqlite3_column_text(st, 0))) {
        size_t mark = l->buf.len;
        if (jt_doc_scan(&l->doc, text, &l->buf, l->precision) == 0) {
            want_from(l, want);       /* keys point into the row: read them now */
            have = 1;
        } else {
            l->buf.len = mark;
            l->buf.oom = 0;
            have = doc_by_jansson(l, text, want);
        }
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return cat_fail(l->c, "cannot read record");
    return have;
}

/* add_editorial's order: the copied members, recorded_at and location with
 * their source, visibility ("internal" where nothing says otherwise). */
static void apply_doc(cat_lister *l, int have, const jt_span want[N_WANTED])
{
    const jt_span *vis = &want[W_VISIBILITY];
    for (int i = 0; have && i < N_COPIED; i++)
        if (want[i].len)
            set_span(l, copied[i], want[i]);
    if (have && want[W_RECORDED].len) {
        set_span(l, "recorded_at", want[W_RECORDED]);
        set_literal(l, "recorded_at_source", "\"sidecar\"");
    }
    if (have && want[W_LOCATION].len) {
        set_span(l, "location", want[W_LOCATION]);
        set_literal(l, "location_source", "\"sidecar\"");
    }
    if (have && vis->len && l->buf.p[vis->off] == '"')
        set_span(l, "visibility", *vis);
    else
        set_literal(l, "visibility", "\"internal\"");
}

/* "thumbnail" (and the time its frame came from) and "storyboard". */
static void thumb_row(cat_lister *l, sqlite3_stmt *st)
{
    int poster = strcmp((const char *)sqlite3_column_text(st, 0), "poster") == 0;
    if (sqlite3_column_type(st, 1) == SQLITE_NULL) {
        if (poster)
            f_text(l, "thumbnail_reason", st, 9);
    } else if (poster) {
        f_text(l, "thumbnail", st, 1);
        f_real(l, "thumbnail_time", st, 3);
    } else {
        obj o = {&l->buf, 0};
        size_t start = l->buf.len;
        jt_putc(&l->buf, '{');
        m_text(&o, "image", st, 1);
        m_text(&o, "vtt", st, 2);
        m_real(&o, "interval", st, 4, l->precision);
        m_int(&o, "tile_width", st, 5);
        m_int(&o, "tile_height", st, 6);
        m_int(&o, "columns", st, 7);
        m_int(&o, "count", st, 8);
        jt_putc(&l->buf, '}');
        set(l, "storyboard", start);
    }
}

static int add_thumbs(cat_lister *l, int64_t id)
{
    sqlite3_stmt *st = l->st[Q_THUMBS];
    int rc;
    sqlite3_bind_int64(st, 1, id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        thumb_row(l, st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? CAT_OK : cat_fail(l->c, "cannot read record");
}

/* ---- the lister ------------------------------------------------------------------ */

int cat_lister_open(cat *c, int flags, cat_lister **out)
{
    cat_lister *l = calloc(1, sizeof *l);
    *out = NULL;
    if (!l)
        return CAT_ERROR;
    l->c = c;
    l->flags = flags;
    l->precision = flags & CAT_LIST_EXACT_REALS ? 17 : 12;
    for (int q = 0; q < Q_COUNT_; q++)
        if (sqlite3_prepare_v3(c->db, queries[q], -1, SQLITE_PREPARE_PERSISTENT, &l->st[q], NULL)
            != SQLITE_OK) {
            cat_fail(c, "cannot prepare statement");
            cat_lister_free(l);
            return CAT_ERROR;
        }
    *out = l;
    return CAT_OK;
}

void cat_lister_free(cat_lister *l)
{
    if (!l)
        return;
    for (int q = 0; q < Q_COUNT_; q++)
        sqlite3_finalize(l->st[q]);
    free(l->buf.p);
    free(l->f);
    jt_doc_free(&l->doc);
    free(l->out);
    free(l->seg);
    free(l);
}

static const field *find(const cat_lister *l, const char *key)
{
    for (size_t i = 0; i < l->n; i++)
        if (l->f[i].key[0] == key[0] && strcmp(l->f[i].key, key) == 0)
            return &l->f[i];
    return NULL;
}

static int is_text(const cat_lister *l, const field *f, const char *json)
{
    return f->value.len == strlen(json) && memcmp(l->buf.p + f->value.off, json, f->value.len) == 0;
}

/* Spans to pointers, once the buffer has stopped moving. */
static int resolve(cat_lister *l, int complete, cat_record_text *out)
{
    size_t nseg = l->doc.n_seg;
    if (l->n > l->out_cap) {
        cat_field *f = realloc(l->out, l->cap * sizeof *f);
        if (!f)
            return CAT_ERROR;
        l->out = f;
        l->out_cap = l->cap;
    }
    if (nseg > l->seg_cap) {
        cat_segment_text *g = realloc(l->seg, l->doc.seg_cap * sizeof *g);
        if (!g)
            return CAT_ERROR;
        l->seg = g;
        l->seg_cap = l->doc.seg_cap;
    }
    if (l->buf.oom)
        return CAT_ERROR;
    for (size_t i = 0; i < l->n; i++)
        l->out[i] = (cat_field){l->f[i].key, {l->buf.p + l->f[i].value.off, l->f[i].value.len}};
    for (size_t i = 0; i < nseg; i++) {
        const jt_span *v = &l->doc.seg_vis[i];
        l->seg[i].json = (cat_text){l->buf.p + l->doc.seg[i].off, l->doc.seg[i].len};
        l->seg[i].visibility = (cat_text){v->len ? l->buf.p + v->off : NULL, v->len};
    }
    *out = (cat_record_text){.field = l->out, .n = l->n, .complete = complete,
                             .segments_array = l->doc.segments_array,
                             .segment = l->seg, .n_segments = nseg};
    return CAT_OK;
}

int cat_lister_record(cat_lister *l, int64_t id, cat_record_text *out)
{
    sqlite3_stmt *st = l->st[Q_MEDIA];
    jt_span want[N_WANTED];
    const field *status;
    int rc, have;

    memset(out, 0, sizeof *out);
    l->buf.len = 0;
    l->buf.oom = 0;
    l->n = 0;
    l->doc.n = l->doc.n_seg = 0;
    l->doc.segments_array = 0;
    sqlite3_bind_int64(st, 1, id);
    if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
        sqlite3_reset(st);
        if (rc != SQLITE_DONE)
            return cat_fail(l->c, "cannot read record");
        snprintf(l->c->err, sizeof l->c->err, "no record %lld", (long long)id);
        return CAT_NOTFOUND;
    }
    media_row(l, st);
    sqlite3_reset(st);
    /* a listing of published records needs no more of the others than
     * what withheld them (their status, or their visibility) */
    status = find(l, "status");
    if ((l->flags & CAT_LIST_PUBLISHED_ONLY) && status && !is_text(l, status, "\"ok\""))
        return resolve(l, 0, out);
    /* the document first, so an unpublished record costs no more reads;
     * its members still take their places after the tags */
    if ((have = read_doc(l, id, want)) < 0)
        return have;
    if (l->flags & CAT_LIST_PUBLISHED_ONLY) {
        const jt_span *v = &want[W_VISIBILITY];
        if (!have || v->len != 8 || memcmp(l->buf.p + v->off, "\"public\"", 8) != 0) {
            apply_doc(l, have, want);
            return resolve(l, 0, out);
        }
    }
    if ((rc = rows(l, Q_STREAMS, id, "streams", stream_row)) != CAT_OK
        || (rc = rows(l, Q_CHAPTERS, id, "chapters", chapter_row)) != CAT_OK
        || (rc = add_tags(l, id)) != CAT_OK)
        return rc;
    apply_doc(l, have, want);
    if ((rc = rows(l, Q_SUBS, id, "subtitles", subtitle_row)) != CAT_OK
        || (rc = add_thumbs(l, id)) != CAT_OK)
        return rc;
    return resolve(l, 1, out);
}
