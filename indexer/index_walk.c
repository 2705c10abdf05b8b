/* index_walk.c - the walk of `reel index`, merged with the catalogue.
 *
 * The walker reports paths in the order of the catalogue's (root_id, path)
 * index, so the known files of a root are read alongside it, a chunk at a
 * time (known.c), instead of all at once: a known row that sorts before the
 * walk's current path was not found. New and changed files go to an on-disk
 * queue (jobq.c). The writer's memory thus stays the same for 10,000 files
 * or a million; an unchanged file costs one row read and no write. */
#include "index_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int64_t mtime_of(const struct stat *st)
{
    return (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
}

/* ---- files the walk did not find ------------------------------------------------ */

static int stop_at_file(const char *rel, const struct stat *st, void *payload)
{
    (void)rel, (void)st, (void)payload;
    return 1;
}

static void ignore_error(const char *rel, const char *message, void *payload)
{
    (void)rel, (void)message, (void)payload;
}

/* Decided at the first known file found gone before the walk found any:
 * a second walk that stops at the first file tells whether one exists. */
static int may_settle(run *r, root_state *rs)
{
    if (rs->settle == SETTLE_UNDECIDED) {
        walk_callbacks probe = {stop_at_file, ignore_error, NULL, NULL};
        if (rs->files > 0 || walk_root(rs->abs, r->skip, &probe) == 1) {
            rs->settle = SETTLE_YES;
        } else if (cat_root_present_count(r->w.c, rs->id, &rs->present) != CAT_OK) {
            writer_fail(&r->w, CAT_ERROR);
            return 0;
        } else {
            rs->settle = rs->present > 0 ? SETTLE_NO : SETTLE_YES;
        }
    }
    return rs->settle == SETTLE_YES;
}

/* A known file the walk did not find: media become missing (never
 * deleted; the end of the run counts those not found moved), a recorded
 * failure is forgotten. */
static int settle_unseen(run *r, const cat_known *k)
{
    root_state *rs = &r->roots[r->cur];
    if (!may_settle(r, rs) || writer_need(&r->w))
        return r->w.rc;
    if (!k->media_id) {
        if (cat_error_forget(r->w.c, rs->id, k->path) != CAT_OK)
            return writer_fail(&r->w, CAT_ERROR);
    } else if (!k->missing) {
        if (cat_media_mark_missing(r->w.c, k->media_id, r->last_seen, r->now) != CAT_OK)
            return writer_fail(&r->w, CAT_ERROR);
    }
    return 0;
}

/* Lists for the editorial phase the media a sidecar or subtitle file
 * speaks for, as a path prefix. */
static int dirty_for_sidecar(run *r, const char *rel, const char *kind)
{
    char prefix[PATH_MAX];
    const char *name = strrchr(rel, '/');
    size_t folder_len = name ? (size_t)(name - rel + 1) : 0;
    int same_folder = 1;

    name = rel + folder_len;
    if (strcmp(kind, "folder") == 0) {                /* _meta.json: the whole folder, below too */
        snprintf(prefix, sizeof prefix, "%.*s", (int)folder_len, rel);
        same_folder = 0;
    } else if (strcmp(kind, "file") == 0) {           /* NAME.EXT.json -> NAME.EXT */
        snprintf(prefix, sizeof prefix, "%.*s", (int)(strlen(rel) - 5), rel);
    } else {       /* NAME.info.json, NAME[.LANG].srt: media NAME.* in the same folder */
        snprintf(prefix, sizeof prefix, "%.*s%.*s.", (int)folder_len, rel,
                 (int)strcspn(name, "."), name);
    }
    if (cat_dirty_add_under(r->w.c, r->roots[r->cur].id, prefix, same_folder) != CAT_OK)
        return writer_fail(&r->w, CAT_ERROR);
    r->n_dirty++;
    return 0;
}

/* A sidecar gone since the last run: its media lose what it said. */
static int settle_sidecar(run *r, const cat_known *k)
{
    root_state *rs = &r->roots[r->cur];
    const char *kind = editorial_sidecar_kind(k->path);
    if (!kind || !may_settle(r, rs) || writer_need(&r->w))
        return r->w.rc;
    if (cat_sidecar_forget(r->w.c, rs->id, k->path) != CAT_OK
        || cat_error_forget(r->w.c, rs->id, k->path) != CAT_OK)
        return writer_fail(&r->w, CAT_ERROR);
    return dirty_for_sidecar(r, k->path, kind);
}

/* Settles the rows of s that sort before rel (all of them when rel is
 * NULL): the walk went past them without finding them. Returns the row at
 * rel, still at the head of s, or NULL; check r->w.rc. */
static cat_known *known_at(run *r, known_stream *s, const char *rel,
                           int (*settle)(run *, const cat_known *))
{
    cat_known *k;
    while ((k = known_head(s)) && (!rel || strcmp(k->path, rel) < 0)) {
        if (settle(r, k))
            return NULL;
        known_pop(s);
    }
    if (s->rc) {
        writer_fail(&r->w, s->rc);
        return NULL;
    }
    return k && rel && strcmp(k->path, rel) == 0 ? k : NULL;
}

/* ---- what the walk finds ------------------------------------------------------ */

static int on_file(const char *rel, const struct stat *st, void *payload)
{
    run *r = payload;
    root_state *rs = &r->roots[r->cur];
    cat_known *k;
    int64_t media_id;
    int missing;

    rs->files++;         /* first: a found file means the root is there */
    k = known_at(r, &r->known, rel, settle_unseen);
    if (r->w.rc)
        return r->w.rc;
    if (!k || k->size != (int64_t)st->st_size || k->mtime_ns != mtime_of(st)) {
        int rc;
        if (k)
            known_pop(&r->known);
        if ((rc = jobq_push(&r->queue, r->cur, rel)) != 0) {
            char msg[300];
            snprintf(msg, sizeof msg, "cannot queue files for the workers: %s", strerror(-rc));
            return writer_fail_msg(&r->w, msg);
        }
        return 0;
    }
    media_id = k->media_id;
    missing = k->missing;
    known_pop(&r->known);
    if (media_id && missing) {
        /* back where it was, unchanged: no need to read it again */
        if (writer_need(&r->w) || cat_media_mark_present(r->w.c, media_id, r->scan_id) != CAT_OK)
            return writer_fail(&r->w, CAT_ERROR);
        r->n.reappeared++;
    } else if (!media_id) {
        r->n.failed++;         /* still the same unreadable file */
    } else {
        r->n.unchanged++;
    }
    return 0;
}

static int on_companion(const char *rel, const struct stat *st, void *payload)
{
    run *r = payload;
    root_state *rs = &r->roots[r->cur];
    const char *kind = editorial_sidecar_kind(rel);
    cat_known *k;
    int has_error;

    if (!kind)
        return 0;
    /* a recorded problem with this file stays until it is read again */
    has_error = known_at(r, &r->known, rel, settle_unseen) != NULL;
    if (r->w.rc)
        return r->w.rc;
    if (has_error)
        known_pop(&r->known);
    k = known_at(r, &r->sidecars, rel, settle_sidecar);
    if (r->w.rc)
        return r->w.rc;
    if (k) {
        int same = k->size == (int64_t)st->st_size && k->mtime_ns == mtime_of(st);
        known_pop(&r->sidecars);
        if (same) {
            r->n.failed += has_error;     /* still the same broken sidecar */
            return 0;
        }
    }
    if (writer_need(&r->w)
        || cat_sidecar_put(r->w.c, rs->id, rel, kind, (int64_t)st->st_size, mtime_of(st)) != CAT_OK)
        return writer_fail(&r->w, CAT_ERROR);
    return dirty_for_sidecar(r, rel, kind);
}

static void on_walk_error(const char *rel, const char *message, void *payload)
{
    run *r = payload;
    root_state *rs = &r->roots[r->cur];
    /* a folder that cannot be entered is reported behind the walk's place
     * (see walk.h): its row, if any, was forgotten and is written again */
    if (known_at(r, &r->known, rel, settle_unseen))
        known_pop(&r->known);
    if (r->w.rc)
        return;
    if (writer_need(&r->w) == 0
        && cat_error_put(r->w.c, rs->id, rel, "walk", message, -1, 0, r->scan_id) != CAT_OK)
        writer_fail(&r->w, CAT_ERROR);
    r->n.failed++;
}

/* ---- every root ---------------------------------------------------------------- */

static int walk_one(run *r, root_state *rs)
{
    walk_callbacks cb = {on_file, on_walk_error, r, on_companion};
    int wrc;

    free(r->last_seen);
    r->last_seen = cat_root_last_scan_time(r->w.c, rs->id);
    datetime_now(r->now);
    known_open(&r->known, r->w.c, rs->id, 0);
    known_open(&r->sidecars, r->w.c, rs->id, 1);
    wrc = walk_root(rs->abs, r->skip, &cb);
    if (r->w.rc == 0 && wrc >= 0) {
        /* rows past the walk's last path were not found either */
        known_at(r, &r->known, NULL, settle_unseen);
        if (r->w.rc == 0)
            known_at(r, &r->sidecars, NULL, settle_sidecar);
    }
    known_close(&r->known);
    known_close(&r->sidecars);
    return wrc;
}

int index_walk_all(run *r)
{
    for (size_t i = 0; i < r->n_roots && r->w.rc == 0; i++) {
        root_state *rs = &r->roots[i];
        int wrc;
        r->cur = (int)i;
        wrc = walk_one(r, rs);
        if (r->w.rc)
            break;
        if (wrc < 0) {
            index_warn(r, "cannot read root '%s': %s: its files are not marked missing", rs->abs,
                       strerror(-wrc));
            r->n.failed++;
        } else if (rs->settle == SETTLE_NO) {
            index_warn(r, "root '%s' is empty but the catalogue holds %lld files from it: "
                          "not marking them missing (is the drive mounted?)",
                       rs->abs, (long long)rs->present);
            r->n.failed++;
        } else {
            rs->ok = 1;
        }
    }
    return writer_commit(&r->w);
}
