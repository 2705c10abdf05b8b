/* index.c - one `reel index` run: walk every root (index_walk.c), feed new
 * and changed files to the workers, write their results in batched
 * transactions, then read the editorial values they touch. This process is
 * the catalogue's single writer. */
#include "index_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "pool.h"

void index_warn(run *r, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (r->o->warn)
        r->o->warn(msg, r->o->payload);
}

/* ---- results ------------------------------------------------------------------ */

/* The workers hold at most one file each: the files at the workers are a
 * short list, searched by job number when a result comes back. */
static int busy_add(run *r, size_t id, int root, const char *rel)
{
    if (r->n_busy == r->cap_busy) {
        size_t cap = r->cap_busy ? r->cap_busy * 2 : 16;
        job *nb = realloc(r->busy, cap * sizeof *nb);
        if (!nb)
            return -ENOMEM;
        r->busy = nb;
        r->cap_busy = cap;
    }
    r->busy[r->n_busy] = (job){.id = id, .root = root, .rel = strdup(rel)};
    if (!r->busy[r->n_busy].rel)
        return -ENOMEM;
    r->n_busy++;
    return 0;
}

static job *busy_find(run *r, size_t id)
{
    for (size_t i = 0; i < r->n_busy; i++)
        if (r->busy[i].id == id)
            return &r->busy[i];
    return NULL;
}

static void busy_drop(run *r, job *j)
{
    free(j->rel);
    *j = r->busy[--r->n_busy];
}

static void next_job(size_t i, const char **path, const char **thumbs_sha, void *payload)
{
    run *r = payload;
    char rel[PATH_MAX];
    int root = 0, rc = jobq_take(&r->queue, &root, rel, sizeof rel);

    if (rc == 0 && (root < 0 || (size_t)root >= r->n_roots))
        rc = -EIO;
    if (rc == 0)
        rc = busy_add(r, i, root, rel);
    *thumbs_sha = NULL;
    *path = r->abs;
    if (rc != 0) {
        /* the worker gets a path it cannot open; store() then stops the run */
        char msg[300];
        snprintf(msg, sizeof msg, "cannot read back the queue of files to index: %s",
                 strerror(-rc));
        writer_fail_msg(&r->w, msg);
        r->abs[0] = 0;
        return;
    }
    snprintf(r->abs, sizeof r->abs, "%s/%s", r->roots[root].abs, rel);
    r->n.opened++;
}

static int store_error(run *r, const job *j, json_t *err)
{
    root_state *rs = &r->roots[j->root];
    char abs[PATH_MAX * 2];
    struct stat st;
    int64_t size = -1, mtime_ns = 0;

    snprintf(abs, sizeof abs, "%s/%s", rs->abs, j->rel);
    /* size and mtime let the next run skip this file while it stays the same */
    if (stat(abs, &st) == 0) {
        size = st.st_size;
        mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
    }
    if (cat_error_put(r->w.c, rs->id, j->rel, json_string_value(json_object_get(err, "stage")),
                      json_string_value(json_object_get(err, "message")), size, mtime_ns,
                      r->scan_id) != CAT_OK)
        return writer_fail(&r->w, CAT_ERROR);
    r->n.failed++;
    return 0;
}

/* The iso-codes data, loaded on first need: an unchanged re-run has no
 * sidecar or transcript to read and should not pay for it. */
static int need_iso(run *r)
{
    iso_db *iso = NULL;
    char *why = NULL, msg[600];
    if (r->ed.iso)
        return 0;
    if (iso_db_load(&iso, NULL, &why) == 0) {
        r->ed.iso = iso;
        return 0;
    }
    snprintf(msg, sizeof msg, "cannot load country and language names (Debian package iso-codes): %s",
             why ? why : "unknown error");
    free(why);
    return writer_fail_msg(&r->w, msg);
}

/* Text subtitle streams, decoded by the worker, become cues with their
 * language in one form ("eng" -> "en"); an unknown tag is kept as written. */
static int store_stream_cues(run *r, int64_t rowid, json_t *streams)
{
    json_t *tracks, *s;
    size_t i;
    int rc;
    if (json_array_size(streams) && need_iso(r))
        return CAT_ERROR;
    tracks = json_array();
    json_array_foreach(streams, i, s) {
        const char *lang = json_string_value(json_object_get(s, "language"));
        char name[32];
        json_t *t;
        snprintf(name, sizeof name, "stream:%lld", (long long)json_integer_value(json_object_get(s, "stream")));
        t = json_pack("{s:s,s:O}", "track", name, "cues", json_object_get(s, "cues"));
        if (lang && strcmp(lang, "und") != 0) {
            char code[4];
            json_object_set_new(t, "language",
                                json_string(r->ed.iso && iso_language(r->ed.iso, lang, code) == 0 ? code : lang));
        }
        json_array_append_new(tracks, t);
    }
    rc = cat_cues_put(r->w.c, rowid, "stream", tracks);
    json_decref(tracks);
    return rc;
}

static int store_media(run *r, const job *j, json_t *res)
{
    enum cat_put_outcome how;
    int64_t rowid = 0;
    json_t *thumbs = json_object_get(res, "thumbs");

    if (cat_media_put(r->w.c, r->roots[j->root].id, j->rel, res, r->scan_id, &how, &rowid) != CAT_OK
        || (thumbs && cat_thumbs_put(r->w.c, rowid, thumbs) != CAT_OK)
        || store_stream_cues(r, rowid, json_object_get(res, "subtitle_tracks")) != CAT_OK)
        return writer_fail(&r->w, CAT_ERROR);
    if (cat_dirty_add(r->w.c, rowid) != CAT_OK)
        return writer_fail(&r->w, CAT_ERROR);
    r->n_dirty++;
    /* a file found moved is no longer missing: the run's count of missing
     * files is taken at its end (finish) */
    if (how == CAT_PUT_NEW)
        r->n.new_files++;
    else if (how == CAT_PUT_CHANGED)
        r->n.changed++;
    else
        r->n.moved++;
    return 0;
}

static int store(size_t i, json_t *res, void *payload)
{
    run *r = payload;
    json_t *err = json_object_get(res, "error");
    index_progress p;
    job *j;
    int rc;

    if (writer_need(&r->w))
        return r->w.rc;
    if (!(j = busy_find(r, i)))
        return writer_fail_msg(&r->w, "a worker answered for a file it was not given");
    rc = err ? store_error(r, j, err) : store_media(r, j, res);
    busy_drop(r, j);
    if (rc != 0)
        return r->w.rc;
    p = (index_progress){.done = ++r->done, .total = r->queue.n,
                         .elapsed = mono_now() - r->started};
    if (r->o->progress)
        r->o->progress(&p, r->o->payload);
    return writer_tick(&r->w);
}

static int process_jobs(run *r)
{
    pool_opts po = {
        .workers = r->o->jobs > 0 ? r->o->jobs : (int)sysconf(_SC_NPROCESSORS_ONLN),
        .file_timeout = r->o->file_timeout,
        .thumbs_dir = r->o->thumbs_dir,
        .thumb_width = r->o->thumb_width,
        .verbose = r->o->verbose,
        .memory_limit_mb = pool_memory_limit_mb(r->o->memory_limit_mb),
    };
    int rc = jobq_rewind(&r->queue);
    if (rc < 0) {
        char msg[256];
        snprintf(msg, sizeof msg, "cannot read back the queue of files to index: %s", strerror(-rc));
        return writer_fail_msg(&r->w, msg);
    }
    rc = pool_run_all(&po, r->queue.n, next_job, store, r);
    if (rc < 0 && r->w.rc == 0) {
        char msg[256];
        snprintf(msg, sizeof msg, "cannot run worker processes: %s", pool_error(rc));
        writer_fail_msg(&r->w, msg);
    }
    return r->w.rc ? r->w.rc : writer_commit(&r->w);
}

/* ---- editorial values ------------------------------------------------------------ */

/* Reads the editorial values of every media file a changed sidecar, a
 * changed subtitle file or a new or changed media file touched, once each,
 * in row order, as the catalogue lists them (cat_dirty_*). */
static int refresh_editorial(run *r)
{
    int64_t id = 0, root_id = 0;
    if (r->n_dirty == 0)
        return 0;
    if (writer_need(&r->w) || cat_dirty_expand(r->w.c) != CAT_OK)
        return writer_fail(&r->w, CAT_ERROR);
    while (writer_need(&r->w) == 0) {
        size_t root = 0;
        if (cat_dirty_next(r->w.c, id, &id, &root_id) != CAT_OK) {
            writer_fail(&r->w, CAT_ERROR);
            break;
        }
        if (!id || need_iso(r))
            break;
        while (root < r->n_roots && r->roots[root].id != root_id)
            root++;
        if (root == r->n_roots)
            continue;          /* not a root of this run: cannot happen */
        if (editorial_refresh(&r->ed, r->roots[root].abs, id) != CAT_OK)
            writer_fail(&r->w, CAT_ERROR);
        else
            writer_tick(&r->w);
    }
    r->n.failed += r->ed.failed;
    return r->w.rc ? r->w.rc : writer_commit(&r->w);
}

/* ---- the run ------------------------------------------------------------------ */

static int resolve_roots(run *r, const char *const *roots, size_t n, json_t *names)
{
    r->roots = calloc(n ? n : 1, sizeof *r->roots);
    if (!r->roots)
        return writer_fail_msg(&r->w, "out of memory");
    for (size_t i = 0; i < n; i++) {
        root_state *rs = &r->roots[r->n_roots];
        if (!realpath(roots[i], rs->abs)) {
            index_warn(r, "cannot read root '%s': %s", roots[i], strerror(errno));
            r->n.failed++;
            continue;
        }
        json_array_append_new(names, json_string(rs->abs));
        r->n_roots++;
    }
    return 0;
}

static void skip_own_files(const index_opts *o, walk_skip *skip)
{
    static const char *const suffix[] = {"", "-wal", "-shm", "-journal", "-lock"};
    char p[PATH_MAX];
    for (size_t i = 0; o->db_path && i < sizeof suffix / sizeof *suffix; i++) {
        snprintf(p, sizeof p, "%s%s", o->db_path, suffix[i]);
        walk_skip_add(skip, p);
    }
    if (o->thumbs_dir)
        walk_skip_add(skip, o->thumbs_dir);
}

static int finish(run *r)
{
    int64_t *ids = calloc(r->n_roots + 1, sizeof *ids);
    size_t n_ok = 0;
    if (!ids)
        return writer_fail_msg(&r->w, "out of memory");
    for (size_t i = 0; i < r->n_roots; i++)
        if (r->roots[i].ok)
            ids[n_ok++] = r->roots[i].id;
    /* files this run marked missing and did not find moved get their event:
     * they are its count of missing files */
    if (writer_need(&r->w) == 0 && (cat_custody_settle_count(r->w.c, r->scan_id, &r->n.missing) != CAT_OK
                                    || cat_scan_finish(r->w.c, r->scan_id, &r->n, ids, n_ok) != CAT_OK))
        writer_fail(&r->w, CAT_ERROR);
    free(ids);
    return writer_commit(&r->w);
}

int index_run(cat *c, const char *const *roots, size_t n_roots, const index_opts *o,
              index_summary *out, char **errmsg)
{
    run r = {.w = {.c = c}, .o = o, .started = mono_now()};
    json_t *names = json_array();
    char *names_text = NULL;
    walk_skip skip = {.n = 0};
    int lock_fd = -1;

    memset(out, 0, sizeof *out);
    *errmsg = NULL;
    if (writer_lock(o->db_path, &lock_fd, errmsg) != 0) {
        json_decref(names);
        return INDEX_LOCKED;
    }
    if (resolve_roots(&r, roots, n_roots, names))
        goto done;
    skip_own_files(o, &skip);
    r.skip = &skip;
    r.ed = (editorial_ctx){.c = c};
    names_text = json_dumps(names, JSON_COMPACT);
    /* the settle also catches up on a previous run killed before its end */
    if (cat_scan_begin(c, names_text ? names_text : "[]", &r.scan_id) != CAT_OK
        || cat_custody_settle(c, r.scan_id) != CAT_OK || cat_dirty_reset(c) != CAT_OK) {
        writer_fail(&r.w, CAT_ERROR);
        goto done;
    }
    r.ed.scan_id = r.scan_id;
    for (size_t i = 0; i < r.n_roots; i++)
        if (cat_root_ensure(c, r.roots[i].abs, &r.roots[i].id) != CAT_OK) {
            writer_fail(&r.w, CAT_ERROR);
            goto done;
        }
    if (index_walk_all(&r) == 0 && process_jobs(&r) == 0 && refresh_editorial(&r) == 0)
        finish(&r);
done:
    if (r.w.in_tx)
        cat_rollback(c);
    out->scan_id = r.scan_id;
    out->n = r.n;
    out->elapsed = mono_now() - r.started;
    for (size_t i = 0; i < r.n_roots; i++)
        out->roots_unavailable += !r.roots[i].ok;
    known_close(&r.known);
    known_close(&r.sidecars);
    free(r.last_seen);
    editorial_cache_free(r.ed.cache);
    iso_db_free((iso_db *)r.ed.iso);
    out->roots_unavailable += (int)(n_roots - r.n_roots);
    jobq_close(&r.queue);
    for (size_t i = 0; i < r.n_busy; i++)
        free(r.busy[i].rel);
    free(r.busy);
    free(r.roots);
    free(names_text);
    json_decref(names);
    if (lock_fd >= 0)
        close(lock_fd);
    if (r.w.rc)
        *errmsg = strdup(r.w.err[0] ? r.w.err : "index run failed");
    return r.w.rc;
}

json_t *index_summary_json(const index_summary *s)
{
    return json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:f}",
                     "scan_id", (json_int_t)s->scan_id, "new", (json_int_t)s->n.new_files,
                     "changed", (json_int_t)s->n.changed, "unchanged", (json_int_t)s->n.unchanged,
                     "moved", (json_int_t)s->n.moved, "missing", (json_int_t)s->n.missing,
                     "reappeared", (json_int_t)s->n.reappeared, "failed", (json_int_t)s->n.failed,
                     "opened", (json_int_t)s->n.opened, "elapsed",
                     (double)((int64_t)(s->elapsed * 1000)) / 1000.0);
}
