/* sidecar.c - editorial sidecars: validation, normalisation, merging. */
#include "sidecar.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datetime.h"
#include "geo.h"

static const char *const plain_fields[] = {
    "title", "description", "place", "event", "campaign", "organisation", "consent",
    "source_url", NULL,
};

typedef struct check {
    const iso_db *iso;
    double duration;
    const char *where;
    char *err;
} check;

static json_t *bad(check *k, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static json_t *bad(check *k, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (!k->err && asprintf(&k->err, "%s: %s", k->where, msg) < 0)
        k->err = NULL;
    return NULL;
}

double sidecar_parse_time(const char *s)
{
    double parts[3] = {0, 0, 0};
    int n = 0;
    char *end;
    if (!s || !*s)
        return -1;
    for (;;) {
        double v;
        if (!isdigit((unsigned char)*s))
            return -1;
        v = strtod(s, &end);
        if (n == 3)
            return -1;
        parts[n++] = v;
        if (*end == ':') {
            /* only the last part may have a fraction */
            if (strchr(s, '.') && strchr(s, '.') < end)
                return -1;
            s = end + 1;
            continue;
        }
        if (*end)
            return -1;
        break;
    }
    if (n == 1)
        return parts[0];
    if (n == 2)
        return parts[0] > 59 || parts[1] >= 60 ? -1 : parts[0] * 60 + parts[1];
    return parts[1] > 59 || parts[2] >= 60 ? -1 : parts[0] * 3600 + parts[1] * 60 + parts[2];
}

static double time_value(check *k, json_t *v, const char *what, size_t i)
{
    double t = -1;
    if (json_is_number(v))
        t = json_number_value(v);
    else if (json_is_string(v))
        t = sidecar_parse_time(json_string_value(v));
    if (!(t >= 0) || !isfinite(t)) {
        bad(k, "segments[%zu].%s: a time is HH:MM:SS[.fff] or seconds", i, what);
        return -1;
    }
    return t;
}

/* An array of strings, each passed through norm (may be NULL). */
static json_t *strings(check *k, json_t *v, const char *field,
                       int (*norm)(check *k, const char *in, char *out, size_t size))
{
    json_t *out, *e;
    size_t i;
    char buf[256];
    if (json_is_string(v))           /* one value for a list is a list of one */
        v = json_pack("[O]", v);
    else if (json_is_array(v))
        json_incref(v);
    else
        return bad(k, "'%s' must be a list of strings", field);
    out = json_array();
    json_array_foreach(v, i, e) {
        const char *s = json_string_value(e);
        if (!s || !*s) {
            json_decref(out);
            out = bad(k, "'%s'[%zu] must be a non-empty string", field, i);
            break;
        }
        if (norm) {
            if (norm(k, s, buf, sizeof buf) != 0) {
                json_decref(out);
                out = NULL;
                break;
            }
            s = buf;
        }
        /* keep the first of repeated values, in order */
        int dup = 0;
        size_t j;
        json_t *seen;
        json_array_foreach(out, j, seen)
            dup |= strcmp(json_string_value(seen), s) == 0;
        if (!dup)
            json_array_append_new(out, json_string(s));
    }
    json_decref(v);
    return out;
}

static int norm_country(check *k, const char *in, char *out, size_t size)
{
    char code[3];
    if (iso_country(k->iso, in, code) != 0) {
        bad(k, "unknown country '%s' (use an ISO 3166 code or a name)", in);
        return -1;
    }
    snprintf(out, size, "%s", code);
    return 0;
}

static int norm_language(check *k, const char *in, char *out, size_t size)
{
    char code[4];
    if (iso_language(k->iso, in, code) != 0) {
        bad(k, "unknown language '%s' (use an ISO 639 code or a name)", in);
        return -1;
    }
    snprintf(out, size, "%s", code);
    return 0;
}

static json_t *people(check *k, json_t *v, const char *field)
{
    json_t *out, *p;
    size_t i;
    if (!json_is_array(v))
        return bad(k, "'%s' must be a list", field);
    out = json_array();
    json_array_foreach(v, i, p) {
        json_t *one, *aliases = NULL;
        const char *name = json_is_string(p) ? json_string_value(p)
                                             : json_string_value(json_object_get(p, "name"));
        json_t *role = json_is_object(p) ? json_object_get(p, "role") : NULL;
        if (!name || !*name) {
            json_decref(out);
            return bad(k, "'%s'[%zu] needs a name", field, i);
        }
        if (role && !json_is_null(role) && (!json_is_string(role) || !*json_string_value(role))) {
            json_decref(out);
            return bad(k, "'%s'[%zu].role must be a string", field, i);
        }
        if (json_is_object(p) && json_object_get(p, "aliases")) {
            aliases = strings(k, json_object_get(p, "aliases"), "aliases", NULL);
            if (!aliases) {
                json_decref(out);
                return NULL;
            }
        }
        one = json_pack("{s:s}", "name", name);
        if (role && json_is_string(role))
            json_object_set(one, "role", role);
        if (aliases && json_array_size(aliases))
            json_object_set(one, "aliases", aliases);
        json_decref(aliases);
        json_array_append_new(out, one);
    }
    return out;
}

static json_t *segments(check *k, json_t *v)
{
    json_t *out, *s;
    size_t i;
    if (!json_is_array(v))
        return bad(k, "'segments' must be a list");
    out = json_array();
    json_array_foreach(v, i, s) {
        json_t *seg, *list;
        double start, end;
        const char *title;
        if (!json_is_object(s)) {
            json_decref(out);
            return bad(k, "segments[%zu] must be an object", i);
        }
        if ((start = time_value(k, json_object_get(s, "start"), "start", i)) < 0
            || (end = time_value(k, json_object_get(s, "end"), "end", i)) < 0) {
            json_decref(out);
            return NULL;
        }
        if (end <= start) {
            json_decref(out);
            return bad(k, "segments[%zu] ends (%.3f s) before it starts (%.3f s)", i, end, start);
        }
        if (k->duration > 0 && end > k->duration + 0.5) {
            json_decref(out);
            return bad(k, "segments[%zu] ends at %.3f s, after the end of the media (%.3f s)", i,
                       end, k->duration);
        }
        seg = json_pack("{s:f,s:f}", "start", start, "end", end);
        title = json_string_value(json_object_get(s, "title"));
        if (json_object_get(s, "title") && !json_is_null(json_object_get(s, "title")) && !title) {
            json_decref(seg);
            json_decref(out);
            return bad(k, "segments[%zu].title must be a string", i);
        }
        if (title)
            json_object_set_new(seg, "title", json_string(title));
        /* a clip may be less public than its file (the export drops it) */
        if (json_object_get(s, "visibility") && !json_is_null(json_object_get(s, "visibility"))) {
            const char *vis = json_string_value(json_object_get(s, "visibility"));
            if (!vis || (strcmp(vis, "public") && strcmp(vis, "internal") && strcmp(vis, "restricted"))) {
                json_decref(seg);
                json_decref(out);
                return bad(k, "segments[%zu].visibility is public, internal or restricted", i);
            }
            json_object_set_new(seg, "visibility", json_string(vis));
        }
        static const char *const lists[] = {"people", "countries", "keywords"};
        for (int l = 0; l < 3; l++) {
            json_t *in = json_object_get(s, lists[l]);
            if (!in || json_is_null(in))
                continue;
            list = strings(k, in, lists[l], l == 1 ? norm_country : NULL);
            if (!list) {
                json_decref(seg);
                json_decref(out);
                return NULL;
            }
            json_object_set_new(seg, lists[l], list);
        }
        json_array_append_new(out, seg);
    }
    return out;
}

/* yt-dlp's info.json, mapped onto sidecar fields. */
static json_t *from_ytdlp(check *k, json_t *doc)
{
    json_t *out = json_object(), *v;
    const char *d = json_string_value(json_object_get(doc, "upload_date"));

    if ((v = json_object_get(doc, "title")) && json_is_string(v))
        json_object_set(out, "title", v);
    if ((v = json_object_get(doc, "description")) && json_is_string(v))
        json_object_set(out, "description", v);
    if ((v = json_object_get(doc, "uploader")) && json_is_string(v))
        json_object_set(out, "organisation", v);
    if ((v = json_object_get(doc, "webpage_url")) && json_is_string(v))
        json_object_set(out, "source_url", v);
    if (d && strlen(d) == 8) {
        char iso[11], when[DATETIME_MAX];
        snprintf(iso, sizeof iso, "%.4s-%.2s-%.2s", d, d + 4, d + 6);
        if (datetime_from_container(iso, when) == 0)
            json_object_set_new(out, "recorded_at", json_string(iso));
    }
    if ((v = json_object_get(doc, "tags")) && json_is_array(v) && json_array_size(v)) {
        json_t *kw = strings(k, v, "tags", NULL);
        if (!kw) {
            json_decref(out);
            return NULL;
        }
        json_object_set_new(out, "keywords", kw);
    }
    if ((v = json_object_get(doc, "chapters")) && json_is_array(v)) {
        json_t *segs = json_array(), *ch;
        size_t i;
        json_array_foreach(v, i, ch) {
            json_t *seg = json_pack("{s:O?,s:O?}", "start", json_object_get(ch, "start_time"),
                                    "end", json_object_get(ch, "end_time"));
            if (json_is_string(json_object_get(ch, "title")))
                json_object_set(seg, "title", json_object_get(ch, "title"));
            json_array_append_new(segs, seg);
        }
        json_object_set_new(out, "segments", segs);
    }
    return out;
}

json_t *sidecar_normalise(json_t *doc, enum sidecar_kind kind, const iso_db *iso,
                          double duration, const char *where, char **errmsg)
{
    check k = {.iso = iso, .duration = duration, .where = where};
    json_t *out = NULL, *src = NULL, *v;
    const char *vis;

    *errmsg = NULL;
    if (!json_is_object(doc)) {
        bad(&k, "a sidecar is a JSON object");
        goto done;
    }
    src = kind == SIDECAR_YTDLP ? from_ytdlp(&k, doc) : json_incref(doc);
    if (!src)
        goto done;
    out = json_object();
    for (const char *const *f = plain_fields; *f; f++) {
        v = json_object_get(src, *f);
        if (!v)
            continue;
        if (!json_is_null(v) && !json_is_string(v)) {
            bad(&k, "'%s' must be a string or null", *f);
            goto fail;
        }
        json_object_set(out, *f, v);
    }
    if ((v = json_object_get(src, "recorded_at")) && !json_is_null(v)) {
        char when[DATETIME_MAX];
        if (!json_is_string(v) || datetime_from_container(json_string_value(v), when) != 0) {
            bad(&k, "'recorded_at' must be an ISO 8601 date or date and time, not %s",
                json_is_string(v) ? json_string_value(v) : "that");
            goto fail;
        }
        /* a date alone stays a date */
        json_object_set_new(out, "recorded_at",
                            json_string(strlen(json_string_value(v)) == 10 ? json_string_value(v) : when));
    } else if (v) {
        json_object_set(out, "recorded_at", v);
    }
    if ((v = json_object_get(src, "visibility")) && !json_is_null(v)) {
        vis = json_string_value(v);
        if (!vis || (strcmp(vis, "public") && strcmp(vis, "internal") && strcmp(vis, "restricted"))) {
            bad(&k, "'visibility' is public, internal or restricted");
            goto fail;
        }
        json_object_set(out, "visibility", v);
    }
    if ((v = json_object_get(src, "location")) && !json_is_null(v)) {
        json_t *la = json_object_get(v, "lat"), *lo = json_object_get(v, "lon");
        if (!json_is_number(la) || !json_is_number(lo)
            || !geo_valid(json_number_value(la), json_number_value(lo))) {
            bad(&k, "'location' must be {\"lat\": degrees, \"lon\": degrees} within range");
            goto fail;
        }
        json_object_set_new(out, "location", json_pack("{s:f,s:f}", "lat", json_number_value(la),
                                                       "lon", json_number_value(lo)));
    }
    if ((v = json_object_get(src, "people")) && !json_is_null(v)) {
        json_t *p = people(&k, v, "people");
        if (!p)
            goto fail;
        json_object_set_new(out, "people", p);
    }
    static const struct { const char *name; int (*norm)(check *, const char *, char *, size_t); } lists[] = {
        {"countries", norm_country}, {"languages", norm_language}, {"keywords", NULL},
    };
    for (size_t i = 0; i < sizeof lists / sizeof *lists; i++) {
        json_t *l;
        if (!(v = json_object_get(src, lists[i].name)) || json_is_null(v))
            continue;
        if (!(l = strings(&k, v, lists[i].name, lists[i].norm)))
            goto fail;
        json_object_set_new(out, lists[i].name, l);
    }
    if ((v = json_object_get(src, "segments")) && !json_is_null(v)) {
        json_t *s;
        if (kind == SIDECAR_FOLDER) {
            bad(&k, "'segments' belong in a file's own sidecar, not in _meta.json");
            goto fail;
        }
        if (!(s = segments(&k, v)))
            goto fail;
        json_object_set_new(out, "segments", s);
    }
    goto done;
fail:
    json_decref(out);
    out = NULL;
done:
    json_decref(src);
    if (!out && !k.err && asprintf(&k.err, "%s: not a valid sidecar", where) < 0)
        k.err = NULL;
    *errmsg = out ? NULL : k.err;
    if (out)
        free(k.err);
    return out;
}

json_t *sidecar_read(const char *path, enum sidecar_kind kind, const iso_db *iso,
                     double duration, char **errmsg)
{
    json_error_t e;
    json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &e), *out;
    *errmsg = NULL;
    if (!doc) {
        if (e.line > 0) {
            if (asprintf(errmsg, "%s:%d:%d: %s", path, e.line, e.column, e.text) < 0)
                *errmsg = NULL;
        } else if (asprintf(errmsg, "%s: %s", path, e.text) < 0) {
            *errmsg = NULL;
        }
        return NULL;
    }
    out = sidecar_normalise(doc, kind, iso, duration, path, errmsg);
    json_decref(doc);
    return out;
}

json_t *sidecar_merge(json_t *const *layers, size_t n)
{
    json_t *out = json_object();
    for (size_t i = 0; i < n; i++) {
        const char *key;
        json_t *v;
        json_object_foreach(layers[i], key, v) {
            if (json_is_null(v))
                json_object_del(out, key);
            else
                json_object_set(out, key, v);
        }
    }
    return out;
}
