/* index.c - one `reel index` run: walk every root, mark what vanished,
 * feed new and changed files to the workers, and write their results in
 * batched transactions. This process is the catalogue's single writer. */
#include "indexer.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "datetime.h"
#include "editorial.h"
#include "clock.h"
#include "pool.h"
#include "walk.h"
#include "writer.h"

typedef struct job {
    int root;
    char *rel;
} job;

typedef struct root_state {
    char abs[PATH_MAX];
    int64_t id;
    cat_known *known;
    size_t n_known;
    cat_known *sidecars;     /* sidecar and subtitle files seen last time */
    size_t n_sidecars;
    size_t files;            /* regular files the walk found */
    int ok;                  /* walked completely */
} root_state;

/* Media whose editorial values must be read again: a media row, or every
 * media row under a path prefix (a changed sidecar or subtitle file). */
typedef struct dirty {
    int root;
    int64_t media_id;        /* 0: use prefix */
    char *prefix;
    int same_folder;         /* prefix matches files of one folder only */
} dirty;

typedef struct run {
    writer w;
    const index_opts *o;
    int64_t scan_id;
    root_state *roots;
    size_t n_roots;
    int cur;                 /* root being walked */
    job *jobs;
    size_t n_jobs, cap_jobs;
    int64_t *marked;         /* rows marked missing by this run, sorted */
    size_t n_marked;
    cat_scan_counts n;
    dirty *dirty;
    size_t n_dirty, cap_dirty;
    editorial_ctx ed;
    size_t done;
    double started;
    char abs[PATH_MAX * 2];  /* scratch: the path of the job being submitted */
} run;

static void warn(run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warn(run *r, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (r->o->warn)
        r->o->warn(msg, r->o->payload);
}

/* ---- the walk ---------------------------------------------------------------- */

static int known_cmp(const void *key, const void *elem)
{
    return strcmp(key, ((const cat_known *)elem)->path);
}

static cat_known *known_find(root_state *rs, const char *rel)
{
    return rs->n_known ? bsearch(rel, rs->known, rs->n_known, sizeof *rs->known, known_cmp) : NULL;
}

static int add_job(run *r, const char *rel)
{
    if (r->n_jobs == r->cap_jobs) {
        size_t cap = r->cap_jobs ? r->cap_jobs * 2 : 1024;
        job *nj = realloc(r->jobs, cap * sizeof *nj);
        if (!nj)
            return writer_fail_msg(&r->w, "out of memory");
        r->jobs = nj;
        r->cap_jobs = cap;
    }
    r->jobs[r->n_jobs].root = r->cur;
    if (!(r->jobs[r->n_jobs].rel = strdup(rel)))
        return writer_fail_msg(&r->w, "out of memory");
    r->n_jobs++;
    return 0;
}

static int on_file(const char *rel, const struct stat *st, void *payload)
{
    run *r = payload;
    root_state *rs = &r->roots[r->cur];
    cat_known *k = known_find(rs, rel);
    int64_t mtime_ns = (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;

    rs->files++;
    if (!k || k->size != (int64_t)st->st_size || k->mtime_ns != mtime_ns) {
        if (k)
            k->seen = 1;
        return add_job(r, rel);
    }
    k->seen = 1;
    if (k->media_id && k->missing) {
        /* back where it was, unchanged: no need to read it again */
        if (writer_need(&r->w) || cat_media_mark_present(r->w.c, k->media_id, r->scan_id) != CAT_OK)
            return writer_fail(&r->w, CAT_ERROR);
        r->n.reappeared++;
    } else if (!k->media_id) {
        r->n.failed++;         /* still the same unreadable file */
    } else {
        r->n.unchanged++;
    }
    return 0;
}

static int add_dirty(run *r, int root, int64_t media_id, const char *prefix, int same_folder)
{
    if (r->n_dirty == r->cap_dirty) {
        size_t cap = r->cap_dirty ? r->cap_dirty * 2 : 256;
        dirty *nd = realloc(r->dirty, cap * sizeof *nd);
        if (!nd)
            return writer_fail_msg(&r->w, "out of memory");
        r->dirty = nd;
        r->cap_dirty = cap;
    }
    r->dirty[r->n_dirty] = (dirty){.root = root, .media_id = media_id, .same_folder = same_folder};
    if (prefix && !(r->dirty[r->n_dirty].prefix = strdup(prefix)))
        return writer_fail_msg(&r->w, "out of memory");
    r->n_dirty++;
    return 0;
}

/* Which media a sidecar or subtitle file speaks for, as a path prefix. */
static int dirty_for_sidecar(run *r, const char *rel, const char *kind)
{
    char prefix[PATH_MAX];
    const char *name = strrchr(rel, '/');
    size_t folder_len = name ? (size_t)(name - rel + 1) : 0;
    name = rel + folder_len;
    if (strcmp(kind, "folder") == 0) {
        snprintf(prefix, sizeof prefix, "%.*s", (int)folder_len, rel);
        return add_dirty(r, r->cur, 0, prefix, 0);
    }
    if (strcmp(kind, "file") == 0) {                 /* NAME.EXT.json -> NAME.EXT */
        snprintf(prefix, sizeof prefix, "%.*s", (int)(strlen(rel) - 5), rel);
        return add_dirty(r, r->cur, 0, prefix, 1);
    }
    /* NAME.info.json, NAME[.LANG].srt: media NAME.* in the same folder */
    snprintf(prefix, sizeof prefix, "%.*s%.*s.", (int)folder_len, rel,
             (int)strcspn(name, "."), name);
    return add_dirty(r, r->cur, 0, prefix, 1);
}

static int on_companion(const char *rel, const struct stat *st, void *payload)
{
    run *r = payload;
    root_state *rs = &r->roots[r->cur];
    const char *kind = editorial_sidecar_kind(rel);
    cat_known *k, *err_row;
    int64_t mtime_ns = (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;

    if (!kind)
        return 0;
    /* a recorded problem with this file stays until it is read again */
    if ((err_row = known_find(rs, rel)))
        err_row->seen = 1;
    k = rs->n_sidecars ? bsearch(rel, rs->sidecars, rs->n_sidecars, sizeof *k, known_cmp) : NULL;
    if (k) {
        k->seen = 1;
        if (k->size == (int64_t)st->st_size && k->mtime_ns == mtime_ns) {
            r->n.failed += err_row != NULL;     /* still the same broken sidecar */
            return 0;
        }
    }
    if (writer_need(&r->w)
        || cat_sidecar_put(r->w.c, rs->id, rel, kind, (int64_t)st->st_size, mtime_ns) != CAT_OK)
        return writer_fail(&r->w, CAT_ERROR);
    return dirty_for_sidecar(r, rel, kind);
}

/* Sidecars gone since the last run: their media lose what they said. */
static void settle_sidecars(run *r, root_state *rs)
{
    for (size_t i = 0; i < rs->n_sidecars && r->w.rc == 0; i++) {
        const char *kind;
        if (rs->sidecars[i].seen || !(kind = editorial_sidecar_kind(rs->sidecars[i].path)))
            continue;
        if (writer_need(&r->w) || cat_sidecar_forget(r->w.c, rs->id, rs->sidecars[i].path) != CAT_OK
            || cat_error_forget(r->w.c, rs->id, rs->sidecars[i].path) != CAT_OK) {
            writer_fail(&r->w, CAT_ERROR);
            return;
        }
        dirty_for_sidecar(r, rs->sidecars[i].path, kind);
    }
}

static void on_walk_error(const char *rel, const char *message, void *payload)
{
    run *r = payload;
    root_state *rs = &r->roots[r->cur];
    cat_known *k = known_find(rs, rel);
    if (k)
        k->seen = 1;
    if (writer_need(&r->w) == 0
        && cat_error_put(r->w.c, rs->id, rel, "walk", message, -1, 0, r->scan_id) != CAT_OK)
        writer_fail(&r->w, CAT_ERROR);
    r->n.failed++;
}

static int id_cmp(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* Files known to the catalogue that the walk did not find: media become
 * missing (never deleted), recorded failures are forgotten. */
static void settle_unseen(run *r, root_state *rs)
{
    char *last_seen = NULL;
    char now[DATETIME_MAX];
    size_t present = 0;

    for (size_t i = 0; i < rs->n_known; i++)
        present += rs->known[i].media_id && !rs->known[i].missing;
    /* an unplugged drive leaves an empty mount point: that is not a deletion */
    if (rs->files == 0 && present > 0) {
        warn(r, "root '%s' is empty but the catalogue holds %zu files from it: "
                "not marking them missing (is the drive mounted?)", rs->abs, present);
        rs->ok = 0;
        r->n.failed++;
        return;
    }
    last_seen = cat_root_last_scan_time(r->w.c, rs->id);
    datetime_now(now);
    for (size_t i = 0; i < rs->n_known && r->w.rc == 0; i++) {
        cat_known *k = &rs->known[i];
        if (k->seen || writer_need(&r->w))
            continue;
        if (!k->media_id) {
            if (cat_error_forget(r->w.c, rs->id, k->path) != CAT_OK)
                writer_fail(&r->w, CAT_ERROR);
        } else if (!k->missing) {
            if (cat_media_mark_missing(r->w.c, k->media_id, last_seen, now) != CAT_OK)
                writer_fail(&r->w, CAT_ERROR);
            r->marked[r->n_marked++] = k->media_id;
            r->n.missing++;
        }
    }
    free(last_seen);
}

static int walk_all(run *r, const walk_skip *skip)
{
    walk_callbacks cb = {on_file, on_walk_error, r, on_companion};
    size_t total_known = 0;

    for (size_t i = 0; i < r->n_roots; i++) {
        root_state *rs = &r->roots[i];
        if (cat_known_load(r->w.c, rs->id, &rs->known, &rs->n_known) != CAT_OK
            || cat_sidecars_load(r->w.c, rs->id, &rs->sidecars, &rs->n_sidecars) != CAT_OK)
            return writer_fail(&r->w, CAT_ERROR);
        total_known += rs->n_known;
    }
    r->marked = malloc((total_known + 1) * sizeof *r->marked);
    if (!r->marked)
        return writer_fail_msg(&r->w, "out of memory");
    for (size_t i = 0; i < r->n_roots && r->w.rc == 0; i++) {
        root_state *rs = &r->roots[i];
        int wrc;
        r->cur = (int)i;
        wrc = walk_root(rs->abs, skip, &cb);
        if (r->w.rc)
            break;
        if (wrc < 0) {
            warn(r, "cannot read root '%s': %s: its files are not marked missing", rs->abs,
                 strerror(-wrc));
            r->n.failed++;
            continue;
        }
        rs->ok = 1;
        settle_unseen(r, rs);
        if (rs->ok)
            settle_sidecars(r, rs);
    }
    qsort(r->marked, r->n_marked, sizeof *r->marked, id_cmp);
    return writer_commit(&r->w);
}

/* ---- results ------------------------------------------------------------------ */

static void next_job(size_t i, const char **path, const char **thumbs_sha, void *payload)
{
    run *r = payload;
    snprintf(r->abs, sizeof r->abs, "%s/%s", r->roots[r->jobs[i].root].abs, r->jobs[i].rel);
    *path = r->abs;
    *thumbs_sha = NULL;
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
    if (add_dirty(r, j->root, rowid, NULL, 0))
        return r->w.rc;
    if (how == CAT_PUT_NEW) {
        r->n.new_files++;
    } else if (how == CAT_PUT_CHANGED) {
        r->n.changed++;
    } else {
        r->n.moved++;
        /* it vanished from its old place in this very run: not missing after all */
        if (bsearch(&rowid, r->marked, r->n_marked, sizeof *r->marked, id_cmp))
            r->n.missing--;
    }
    return 0;
}

static int store(size_t i, json_t *res, void *payload)
{
    run *r = payload;
    json_t *err = json_object_get(res, "error");
    index_progress p;

    if (writer_need(&r->w))
        return r->w.rc;
    if ((err ? store_error(r, &r->jobs[i], err) : store_media(r, &r->jobs[i], res)) != 0)
        return r->w.rc;
    p = (index_progress){.done = ++r->done, .total = r->n_jobs,
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
    int rc = pool_run_all(&po, r->n_jobs, next_job, store, r);
    if (rc < 0 && r->w.rc == 0) {
        char msg[256];
        snprintf(msg, sizeof msg, "cannot run worker processes: %s", pool_error(rc));
        writer_fail_msg(&r->w, msg);
    }
    return r->w.rc ? r->w.rc : writer_commit(&r->w);
}

/* ---- editorial values ------------------------------------------------------------ */

typedef struct media_ref {
    int64_t id;
    int root;
} media_ref;

typedef struct collect_ids {
    media_ref *refs;
    size_t n, cap;
    int root;
    const dirty *d;
    cat *c;
} collect_ids;

static int collect_one(int64_t rowid, void *payload)
{
    collect_ids *k = payload;
    if (k->d && k->d->same_folder) {
        int64_t root_id;
        char *path = NULL;
        double duration;
        int other = cat_media_where(k->c, rowid, &root_id, &path, &duration) != CAT_OK
                    || (strlen(path) >= strlen(k->d->prefix) && strchr(path + strlen(k->d->prefix), '/'));
        free(path);
        if (other)
            return 0;
    }
    if (k->n == k->cap) {
        size_t cap = k->cap ? k->cap * 2 : 256;
        media_ref *nr = realloc(k->refs, cap * sizeof *nr);
        if (!nr)
            return CAT_ERROR;
        k->refs = nr;
        k->cap = cap;
    }
    k->refs[k->n++] = (media_ref){rowid, k->root};
    return 0;
}

static int ref_cmp(const void *a, const void *b)
{
    return id_cmp(&((const media_ref *)a)->id, &((const media_ref *)b)->id);
}

/* Reads the editorial values of every media file a changed sidecar, a
 * changed subtitle file or a new or changed media file touched. */
static int refresh_editorial(run *r)
{
    collect_ids k = {.c = r->w.c};
    int rc = 0;
    for (size_t i = 0; i < r->n_dirty && rc == 0; i++) {
        const dirty *d = &r->dirty[i];
        k.root = d->root;
        if (d->media_id) {
            k.d = NULL;
            rc = collect_one(d->media_id, &k);
        } else {
            k.d = d;
            rc = cat_media_under(r->w.c, r->roots[d->root].id, d->prefix, collect_one, &k);
        }
    }
    if (rc)
        writer_fail(&r->w, CAT_ERROR);
    /* a file may be touched by several sidecars: read it once */
    if (k.n) {
        qsort(k.refs, k.n, sizeof *k.refs, ref_cmp);
        need_iso(r);
    }
    for (size_t i = 0; i < k.n && r->w.rc == 0; i++) {
        if ((i && k.refs[i].id == k.refs[i - 1].id) || writer_need(&r->w))
            continue;
        if (editorial_refresh(&r->ed, r->roots[k.refs[i].root].abs, k.refs[i].id) != CAT_OK)
            writer_fail(&r->w, CAT_ERROR);
        else
            writer_tick(&r->w);
    }
    r->n.failed += r->ed.failed;
    free(k.refs);
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
            warn(r, "cannot read root '%s': %s", roots[i], strerror(errno));
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
    /* files this run marked missing and did not find moved get their event */
    if (writer_need(&r->w) == 0 && (cat_custody_settle(r->w.c, r->scan_id) != CAT_OK
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
    r.ed = (editorial_ctx){.c = c};
    names_text = json_dumps(names, JSON_COMPACT);
    /* the settle also catches up on a previous run killed before its end */
    if (cat_scan_begin(c, names_text ? names_text : "[]", &r.scan_id) != CAT_OK
        || cat_custody_settle(c, r.scan_id) != CAT_OK) {
        writer_fail(&r.w, CAT_ERROR);
        goto done;
    }
    r.ed.scan_id = r.scan_id;
    for (size_t i = 0; i < r.n_roots; i++)
        if (cat_root_ensure(c, r.roots[i].abs, &r.roots[i].id) != CAT_OK) {
            writer_fail(&r.w, CAT_ERROR);
            goto done;
        }
    if (walk_all(&r, &skip) == 0 && process_jobs(&r) == 0 && refresh_editorial(&r) == 0)
        finish(&r);
done:
    if (r.w.in_tx)
        cat_rollback(c);
    out->scan_id = r.scan_id;
    out->n = r.n;
    out->elapsed = mono_now() - r.started;
    for (size_t i = 0; i < r.n_roots; i++) {
        out->roots_unavailable += !r.roots[i].ok;
        cat_known_free(r.roots[i].known, r.roots[i].n_known);
        cat_known_free(r.roots[i].sidecars, r.roots[i].n_sidecars);
    }
    for (size_t i = 0; i < r.n_dirty; i++)
        free(r.dirty[i].prefix);
    free(r.dirty);
    editorial_cache_free(r.ed.cache);
    iso_db_free((iso_db *)r.ed.iso);
    out->roots_unavailable += (int)(n_roots - r.n_roots);
    for (size_t i = 0; i < r.n_jobs; i++)
        free(r.jobs[i].rel);
    free(r.jobs);
    free(r.roots);
    free(r.marked);
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
