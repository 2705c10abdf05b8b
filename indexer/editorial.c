/* editorial.c - sidecar layers and subtitle files -> editorial values. */
#include "editorial.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "sidecar.h"
#include "subtitles.h"

/* Folder sidecars apply to every file below them: read each once a run. */
#define CACHE_MAX 64

struct editorial_cache {
    char *path[CACHE_MAX];
    json_t *doc[CACHE_MAX];      /* NULL when broken */
    int n;
};

void editorial_cache_free(editorial_cache *cache)
{
    if (!cache)
        return;
    for (int i = 0; i < cache->n; i++) {
        free(cache->path[i]);
        json_decref(cache->doc[i]);
    }
    free(cache);
}

const char *editorial_sidecar_kind(const char *rel)
{
    const char *name = strrchr(rel, '/');
    size_t n;
    name = name ? name + 1 : rel;
    n = strlen(name);
    if (n > 4 && (strcasecmp(name + n - 4, ".srt") == 0 || strcasecmp(name + n - 4, ".vtt") == 0))
        return "subtitle";
    if (strcmp(name, "_meta.json") == 0)
        return "folder";
    if (n > 10 && strcmp(name + n - 10, ".info.json") == 0)
        return "ytdlp";
    /* NAME.EXT.json: a media name with its own extension, then .json */
    if (n > 5 && strcmp(name + n - 5, ".json") == 0 && memchr(name, '.', n - 5))
        return "file";
    return NULL;
}

typedef struct layers {
    json_t *ytdlp;
    json_t *folders[64];
    int n_folders;
    json_t *file;
} layers;

static void stat_of(const char *abs, int64_t *size, int64_t *mtime_ns)
{
    struct stat st;
    *size = -1;
    *mtime_ns = 0;
    if (stat(abs, &st) == 0) {
        *size = st.st_size;
        *mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
    }
}

static int record_problem(editorial_ctx *e, int64_t root_id, const char *root_abs, const char *rel,
                          const char *stage, const char *msg)
{
    char abs[PATH_MAX * 2];
    int64_t size, mtime;
    snprintf(abs, sizeof abs, "%s/%s", root_abs, rel);
    stat_of(abs, &size, &mtime);
    e->failed++;
    return cat_error_put(e->c, root_id, rel, stage, msg, size, mtime, e->scan_id);
}

/* Reads one sidecar (rel to the root); NULL when absent or broken (then
 * recorded). The message names the file by its root-relative path. */
static json_t *read_layer(editorial_ctx *e, int64_t root_id, const char *root_abs, const char *rel,
                          enum sidecar_kind kind, double duration, int *rc)
{
    char abs[PATH_MAX * 2];
    char *err = NULL;
    json_t *doc;
    struct stat st;

    snprintf(abs, sizeof abs, "%s/%s", root_abs, rel);
    if (stat(abs, &st) != 0)
        return NULL;
    doc = sidecar_read(abs, kind, e->iso, duration, &err);
    if (doc) {
        *rc = cat_error_forget(e->c, root_id, rel);
        return doc;
    }
    /* messages name the file as the user knows it: relative to the root */
    if (err && strncmp(err, abs, strlen(abs)) == 0) {
        char *short_msg = NULL;
        if (asprintf(&short_msg, "%s%s", rel, err + strlen(abs)) >= 0) {
            free(err);
            err = short_msg;
        }
    }
    *rc = record_problem(e, root_id, root_abs, rel, "sidecar", err ? err : "unreadable sidecar");
    free(err);
    return NULL;
}

static json_t *folder_layer(editorial_ctx *e, int64_t root_id, const char *root_abs, const char *rel,
                            int *rc)
{
    editorial_cache *k = e->cache;
    json_t *doc;
    for (int i = 0; k && i < k->n; i++)
        if (strcmp(k->path[i], rel) == 0)
            return json_incref(k->doc[i]);
    doc = read_layer(e, root_id, root_abs, rel, SIDECAR_FOLDER, 0, rc);
    if (!k && !(k = e->cache = calloc(1, sizeof *k)))
        return doc;
    /* a full cache only costs re-reading: deep trees have few folders open at once */
    if (k->n < CACHE_MAX && (k->path[k->n] = strdup(rel))) {
        k->doc[k->n] = json_incref(doc);
        k->n++;
    }
    return doc;
}

/* The words a search should find this record by. */
static char *search_text(const editorial_ctx *e, json_t *doc)
{
    static const char *const plain[] = {"place", "event", "campaign", "organisation", NULL};
    char *out = NULL;
    size_t len = 0, i, j;
    json_t *v, *a;
    FILE *m = open_memstream(&out, &len);
    if (!m)
        return NULL;
    for (const char *const *k = plain; *k; k++)
        if (json_is_string(json_object_get(doc, *k)))
            fprintf(m, "%s\n", json_string_value(json_object_get(doc, *k)));
    json_array_foreach(json_object_get(doc, "people"), i, v) {
        fprintf(m, "%s\n", json_string_value(json_object_get(v, "name")));
        json_array_foreach(json_object_get(v, "aliases"), j, a)
            fprintf(m, "%s\n", json_string_value(a));
    }
    json_array_foreach(json_object_get(doc, "countries"), i, v) {
        const char *name = iso_country_name(e->iso, json_string_value(v));
        fprintf(m, "%s %s\n", json_string_value(v), name ? name : "");
    }
    json_array_foreach(json_object_get(doc, "keywords"), i, v)
        fprintf(m, "%s\n", json_string_value(v));
    fclose(m);
    return out;
}

/* ---- subtitle files ------------------------------------------------------------ */

typedef struct subs_scan {
    editorial_ctx *e;
    int64_t root_id;
    const char *root_abs;
    const char *media_name;      /* file name of the media */
    const char *folder;          /* root-relative, "" or ending in '/' */
    json_t *tracks;
    json_t *layers_found;        /* {"file": rel, "ytdlp": rel} */
    int rc;
} subs_scan;

static int on_sidecar_in_folder(const char *path, const char *kind, void *payload)
{
    subs_scan *s = payload;
    const char *name = path + strlen(s->folder);
    char lang[16], abs[PATH_MAX * 2], msg[512];
    json_t *cues = NULL, *errs = NULL, *track;

    if (strcmp(kind, "file") == 0 || strcmp(kind, "ytdlp") == 0) {
        /* NAME.EXT.json for the media NAME.EXT; yt-dlp's NAME.info.json */
        const char *dot = strrchr(s->media_name, '.');
        size_t n = strcmp(kind, "file") == 0 || !dot ? strlen(s->media_name)
                                                     : (size_t)(dot - s->media_name);
        if (strncmp(name, s->media_name, n) == 0
            && strcmp(name + n, strcmp(kind, "file") == 0 ? ".json" : ".info.json") == 0)
            json_object_set_new(s->layers_found, kind, json_string(path));
        return 0;
    }
    if (strcmp(kind, "subtitle") != 0 || subs_language_from_name(s->media_name, name, lang) != 0)
        return 0;
    snprintf(abs, sizeof abs, "%s/%s", s->root_abs, path);
    if (subs_parse_file(abs, &cues, &errs) < 0) {
        json_t *first = json_array_get(errs, 0);
        snprintf(msg, sizeof msg, "no readable cue%s%s", first ? ": " : "",
                 first ? json_string_value(json_object_get(first, "message")) : "");
        s->rc = record_problem(s->e, s->root_id, s->root_abs, path, "subtitle", msg);
        json_decref(cues);
        json_decref(errs);
        return s->rc;
    }
    if (json_array_size(errs)) {
        json_t *first = json_array_get(errs, 0);
        snprintf(msg, sizeof msg, "line %lld: %s (%zu bad cue%s skipped, %zu kept)",
                 (long long)json_integer_value(json_object_get(first, "line")),
                 json_string_value(json_object_get(first, "message")), json_array_size(errs),
                 json_array_size(errs) == 1 ? "" : "s", json_array_size(cues));
        s->rc = record_problem(s->e, s->root_id, s->root_abs, path, "subtitle", msg);
    } else {
        s->rc = cat_error_forget(s->e->c, s->root_id, path);
    }
    track = json_pack("{s:s,s:o}", "track", name, "cues", cues);
    if (lang[0]) {
        char code[4];
        json_object_set_new(track, "language",
                            json_string(iso_language(s->e->iso, lang, code) == 0 ? code : lang));
    }
    json_array_append_new(s->tracks, track);
    json_decref(errs);
    return s->rc;
}

/* No sidecar names the languages: the audio streams' tags do, in one form
 * ("eng" -> "en"); a tag iso-codes does not know is kept as written. */
static int add_stream_languages(editorial_ctx *e, int64_t media_id, json_t *merged)
{
    json_t *tags = NULL, *langs, *t;
    size_t i;
    int rc = cat_audio_languages(e->c, media_id, &tags);
    if (rc != CAT_OK)
        return rc;
    langs = json_array();
    json_array_foreach(tags, i, t) {
        char code[4];
        const char *v = json_string_value(t);
        if (strcmp(v, "und") == 0)
            continue;
        if (iso_language(e->iso, v, code) == 0)
            v = code;
        size_t j;
        json_t *have;
        int dup = 0;
        json_array_foreach(langs, j, have)
            dup |= strcmp(json_string_value(have), v) == 0;
        if (!dup)
            json_array_append_new(langs, json_string(v));
    }
    if (json_array_size(langs))
        json_object_set(merged, "languages", langs);
    json_decref(langs);
    json_decref(tags);
    return CAT_OK;
}

/* ---- the refresh ------------------------------------------------------------------ */

int editorial_refresh(editorial_ctx *e, const char *root_abs, int64_t media_id)
{
    int64_t root_id = 0;
    double duration = 0;
    char *path = NULL, *text = NULL;
    json_t *stack[66], *merged = NULL;
    layers L = {0};
    subs_scan s;
    const char *slash;
    int rc = CAT_OK, n = 0;

    if ((rc = cat_media_where(e->c, media_id, &root_id, &path, &duration)) != CAT_OK)
        return rc == CAT_NOTFOUND ? CAT_OK : rc;
    slash = strrchr(path, '/');
    {
        char folder[PATH_MAX];
        size_t flen = slash ? (size_t)(slash - path + 1) : 0;
        snprintf(folder, sizeof folder, "%.*s", (int)flen, path);
        s = (subs_scan){.e = e, .root_id = root_id, .root_abs = root_abs,
                        .media_name = path + flen, .folder = folder,
                        .tracks = json_array(), .layers_found = json_object()};
        rc = cat_sidecars_in_folder(e->c, root_id, folder, on_sidecar_in_folder, &s);
        /* every folder from the root down to the media's own has its _meta.json */
        for (size_t i = 0; rc == CAT_OK && i <= flen && L.n_folders < 64; i++) {
            if (i == 0 || path[i - 1] == '/') {
                char rel[PATH_MAX];
                snprintf(rel, sizeof rel, "%.*s_meta.json", (int)i, path);
                json_t *doc = folder_layer(e, root_id, root_abs, rel, &rc);
                if (doc)
                    L.folders[L.n_folders++] = doc;
            }
        }
    }
    if (rc == CAT_OK && json_object_get(s.layers_found, "ytdlp"))
        L.ytdlp = read_layer(e, root_id, root_abs,
                             json_string_value(json_object_get(s.layers_found, "ytdlp")),
                             SIDECAR_YTDLP, duration, &rc);
    if (rc == CAT_OK && json_object_get(s.layers_found, "file"))
        L.file = read_layer(e, root_id, root_abs,
                            json_string_value(json_object_get(s.layers_found, "file")),
                            SIDECAR_FILE, duration, &rc);
    if (rc != CAT_OK)
        goto done;
    if (L.ytdlp)
        stack[n++] = L.ytdlp;
    for (int i = 0; i < L.n_folders; i++)
        stack[n++] = L.folders[i];
    if (L.file)
        stack[n++] = L.file;
    merged = sidecar_merge(stack, (size_t)n);
    if (!json_object_get(merged, "languages") && (rc = add_stream_languages(e, media_id, merged)) != CAT_OK)
        goto done;
    text = search_text(e, merged);
    if ((rc = cat_editorial_put(e->c, media_id, merged, text)) == CAT_OK)
        rc = cat_cues_put(e->c, media_id, "file", s.tracks);
done:
    json_decref(L.ytdlp);
    json_decref(L.file);
    for (int i = 0; i < L.n_folders; i++)
        json_decref(L.folders[i]);
    json_decref(merged);
    json_decref(s.tracks);
    json_decref(s.layers_found);
    free(text);
    free(path);
    return rc;
}
