/* tag.c - `reel tag`: edit a media file's own sidecar, then the catalogue.
 * The sidecar is the source of truth, so it is written first (atomically)
 * and the catalogue is recomputed from it like an index run would. */
#include "indexer.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <math.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "editorial.h"
#include "isocodes.h"
#include "sidecar.h"
#include "writer.h"

/* Is v the same value as want, for a list field? Countries and languages
 * compare by code, so "Belarus" removes "BY"; others ignore case. */
static int same_value(const iso_db *iso, const char *field, const char *v, const char *want)
{
    char a[4], b[4];
    if (strcmp(field, "countries") == 0 && iso_country(iso, v, a) == 0 && iso_country(iso, want, b) == 0)
        return strcmp(a, b) == 0;
    if (strcmp(field, "languages") == 0 && iso_language(iso, v, a) == 0
        && iso_language(iso, want, b) == 0)
        return strcmp(a, b) == 0;
    return strcasecmp(v, want) == 0;
}

static const char *person_name(json_t *p)
{
    return json_is_string(p) ? json_string_value(p) : json_string_value(json_object_get(p, "name"));
}

static double seg_time(json_t *v)
{
    return json_is_number(v) ? json_number_value(v)
         : json_is_string(v) ? sidecar_parse_time(json_string_value(v)) : -1;
}

static void remove_values(const iso_db *iso, json_t *doc, const char *field, json_t *which)
{
    json_t *list = json_object_get(doc, field), *w;
    size_t i;
    if (!json_is_array(list))
        return;
    json_array_foreach(which, i, w) {
        for (size_t k = json_array_size(list); k-- > 0;) {
            json_t *v = json_array_get(list, k);
            int hit;
            if (strcmp(field, "people") == 0)
                hit = person_name(v) && json_string_value(w) && strcasecmp(person_name(v), json_string_value(w)) == 0;
            else if (strcmp(field, "segments") == 0)
                hit = fabs(seg_time(json_object_get(v, "start")) - seg_time(json_object_get(w, "start"))) < 1e-3
                      && fabs(seg_time(json_object_get(v, "end")) - seg_time(json_object_get(w, "end"))) < 1e-3;
            else
                hit = json_is_string(v) && json_string_value(w)
                      && same_value(iso, field, json_string_value(v), json_string_value(w));
            if (hit)
                json_array_remove(list, k);
        }
    }
}

static void add_values(const iso_db *iso, json_t *doc, const char *field, json_t *values)
{
    json_t *list = json_object_get(doc, field), *v;
    size_t i;
    if (!json_is_array(list)) {
        list = json_array();
        json_object_set_new(doc, field, list);
    }
    json_array_foreach(values, i, v) {
        size_t k;
        json_t *have;
        int found = 0;
        json_array_foreach(list, k, have) {
            if (strcmp(field, "people") == 0 && person_name(have) && person_name(v)
                && strcasecmp(person_name(have), person_name(v)) == 0) {
                /* a known person: the edit sets the role */
                if (json_is_string(have))
                    json_array_set_new(list, k, json_pack("{s:s}", "name", person_name(have)));
                if (json_object_get(v, "role"))
                    json_object_set(json_array_get(list, k), "role", json_object_get(v, "role"));
                found = 1;
            } else if (json_is_string(have) && json_is_string(v)
                       && same_value(iso, field, json_string_value(have), json_string_value(v))) {
                found = 1;
            }
        }
        if (!found)
            json_array_append(list, v);
    }
}

static void apply(const iso_db *iso, json_t *doc, json_t *edits)
{
    const char *key;
    json_t *v;
    json_object_foreach(json_object_get(edits, "set"), key, v) {
        if (json_is_null(v))
            json_object_del(doc, key);
        else
            json_object_set(doc, key, v);
    }
    json_object_foreach(json_object_get(edits, "remove"), key, v)
        remove_values(iso, doc, key, v);
    json_object_foreach(json_object_get(edits, "add"), key, v)
        add_values(iso, doc, key, v);
}

/* temporary file (hidden, so a crash never leaves something the walker
 * would index) + fsync + rename + fsync of the folder */
static int write_atomically(const char *path, json_t *doc, char **errmsg)
{
    char *copy = strdup(path), *dir, tmp[PATH_MAX * 3];
    const char *base = strrchr(path, '/');
    int fd = -1, rc = -1, dfd;

    if (!copy)
        return -1;
    dir = dirname(copy);
    snprintf(tmp, sizeof tmp, "%s/.%s.tmp-XXXXXX", dir, base ? base + 1 : path);
    if ((fd = mkstemp(tmp)) < 0)
        goto fail;
    if (json_dumpfd(doc, fd, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12)) != 0
        || write(fd, "\n", 1) != 1 || fchmod(fd, 0644) != 0 || fsync(fd) != 0)
        goto fail;
    if (close(fd) != 0) {
        fd = -1;
        goto fail;
    }
    fd = -1;
    if (rename(tmp, path) != 0)
        goto fail;
    if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
        fsync(dfd);
        close(dfd);
    }
    rc = 0;
    goto done;
fail:
    if (asprintf(errmsg, "cannot write sidecar '%s': %s", path, strerror(errno)) < 0)
        *errmsg = NULL;
    if (fd >= 0)
        close(fd);
    unlink(tmp);
done:
    free(copy);
    return rc;
}

int index_tag(cat *c, const char *db_path, const char *target, json_t *edits,
              json_t **out_record, char **errmsg)
{
    writer w = {.c = c};
    editorial_ctx ed = {.c = c};
    iso_db *iso = NULL;
    int64_t rowid = 0, root_id = 0;
    double duration = 0;
    char *rel = NULL, *root = NULL, sidecar[PATH_MAX * 2], sidecar_rel[PATH_MAX];
    json_t *doc = NULL, *norm = NULL;
    json_error_t jerr;
    struct stat st;
    int lock = -1, rc;

    *out_record = NULL;
    *errmsg = NULL;
    if ((rc = writer_lock(db_path, &lock, errmsg)) != 0)
        return rc;
    if ((rc = cat_media_lookup(c, target, &rowid)) != CAT_OK
        || (rc = cat_media_where(c, rowid, &root_id, &rel, &duration)) != CAT_OK
        || (rc = cat_root_path(c, root_id, &root)) != CAT_OK) {
        *errmsg = strdup(cat_errmsg(c));
        goto done;
    }
    if (iso_db_load(&iso, NULL, errmsg) != 0) {
        rc = CAT_ERROR;
        goto done;
    }
    snprintf(sidecar, sizeof sidecar, "%s/%s.json", root, rel);
    snprintf(sidecar_rel, sizeof sidecar_rel, "%s.json", rel);
    if (stat(sidecar, &st) == 0) {
        doc = json_load_file(sidecar, JSON_REJECT_DUPLICATES, &jerr);
        if (!doc) {
            rc = INDEX_INVALID;
            if (asprintf(errmsg, "%s:%d:%d: %s: fix or remove it before tagging", sidecar,
                         jerr.line, jerr.column, jerr.text) < 0)
                *errmsg = NULL;
            goto done;
        }
        if (!json_is_object(doc)) {
            rc = INDEX_INVALID;
            if (asprintf(errmsg, "%s: not a JSON object: fix or remove it before tagging", sidecar) < 0)
                *errmsg = NULL;
            goto done;
        }
    } else {
        doc = json_object();
    }
    apply(iso, doc, edits);
    /* validated like every sidecar: an edit never writes one reel would reject */
    if (!(norm = sidecar_normalise(doc, SIDECAR_FILE, iso, duration, sidecar_rel, errmsg))) {
        rc = INDEX_INVALID;
        goto done;
    }
    if (write_atomically(sidecar, doc, errmsg) != 0) {
        rc = CAT_ERROR;
        goto done;
    }
    ed = (editorial_ctx){.c = c, .iso = iso};
    if (stat(sidecar, &st) != 0 || writer_need(&w)
        || cat_sidecar_put(c, root_id, sidecar_rel, "file", st.st_size,
                           (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec) != CAT_OK
        || editorial_refresh(&ed, root, rowid) != CAT_OK || writer_commit(&w) != 0) {
        writer_fail(&w, CAT_ERROR);
        rc = CAT_ERROR;
        if (asprintf(errmsg, "sidecar '%s' written, but the catalogue was not updated (%s): "
                             "run 'reel index' again", sidecar, w.err) < 0)
            *errmsg = NULL;
        goto done;
    }
    rc = cat_record_load(c, rowid, out_record);
    if (rc != CAT_OK)
        *errmsg = strdup(cat_errmsg(c));
done:
    editorial_cache_free(ed.cache);
    json_decref(doc);
    json_decref(norm);
    iso_db_free(iso);
    free(rel);
    free(root);
    if (lock >= 0)
        close(lock);
    return rc;
}

/* ---- codes for the command line ------------------------------------------------- */

/* The db load gives, loaded once per process; NULL when it cannot be. */
static const iso_db *loaded_once(iso_db **db, int (*load)(iso_db **, const char *, char **))
{
    char *err = NULL;
    if (!*db && load(db, NULL, &err) != 0)
        *db = NULL;
    free(err);
    return *db;
}

static iso_db *cli_iso, *cli_countries, *cli_language_codes;

int index_country_code(const char *text, char out[3])
{
    const iso_db *iso;
    out[0] = 0;
    /* a code or an English name (--country BY) needs no translations */
    if ((iso = loaded_once(&cli_countries, iso_db_load_countries)) && iso_country(iso, text, out) == 0)
        return 0;
    iso = loaded_once(&cli_iso, iso_db_load);
    return iso ? iso_country(iso, text, out) : -1;
}

int index_language_code(const char *text, char out[4])
{
    const iso_db *iso;
    out[0] = 0;
    /* a code (--language ru) needs neither ISO 639-3 nor the translations */
    if ((iso = loaded_once(&cli_language_codes, iso_db_load_language_codes))
        && iso_language_by_code(iso, text, out) == 0)
        return 0;
    iso = loaded_once(&cli_iso, iso_db_load);
    return iso ? iso_language(iso, text, out) : -1;
}
