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
#include <sys/file.h>
#include <unistd.h>

#include "datetime.h"
#include "extract.h"
#include "pool.h"
#include "walk.h"

#define BATCH_FILES 500      /* results per transaction at most */
#define BATCH_SECONDS 1.0    /* and at most this long uncommitted */

typedef struct job {
    int root;
    char *rel;
} job;

typedef struct root_state {
    char abs[PATH_MAX];
    int64_t id;
    cat_known *known;
    size_t n_known;
    size_t files;            /* regular files the walk found */
    int ok;                  /* walked completely */
} root_state;

typedef struct run {
    cat *c;
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
    int in_tx;
    size_t tx_files;
    double tx_start;
    int rc;
    char err[512];
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

static int fail(run *r, int rc)
{
    if (r->rc == 0) {
        r->rc = rc;
        snprintf(r->err, sizeof r->err, "%s", cat_errmsg(r->c));
    }
    return rc;
}

/* ---- transactions ---------------------------------------------------------- */

static int tx_need(run *r)
{
    int rc;
    if (r->in_tx)
        return 0;
    if ((rc = cat_begin(r->c)) != CAT_OK)
        return fail(r, rc);
    r->in_tx = 1;
    r->tx_files = 0;
    r->tx_start = extract_now();
    return 0;
}

static int tx_commit(run *r)
{
    int rc;
    if (!r->in_tx)
        return 0;
    r->in_tx = 0;
    if ((rc = cat_commit(r->c)) != CAT_OK) {
        cat_rollback(r->c);
        return fail(r, rc);
    }
    return 0;
}

static int tx_maybe_commit(run *r)
{
    if (r->in_tx && (++r->tx_files >= BATCH_FILES || extract_now() - r->tx_start >= BATCH_SECONDS))
        return tx_commit(r);
    return 0;
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

static int on_file(const char *rel, const struct stat *st, void *payload)
{
    run *r = payload;
    root_state *rs = &r->roots[r->cur];
    cat_known *k = known_find(rs, rel);
    int64_t mtime_ns = (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;

    rs->files++;
    if (k) {
        k->seen = 1;
        if (k->size == (int64_t)st->st_size && k->mtime_ns == mtime_ns) {
            if (k->media_id && k->missing) {
                /* back where it was, unchanged: no need to read it again */
                if (tx_need(r) || cat_media_mark_present(r->c, k->media_id) != CAT_OK)
                    return fail(r, CAT_ERROR);
                r->n.reappeared++;
            } else if (!k->media_id) {
                r->n.failed++;     /* still the same unreadable file */
            } else {
                r->n.unchanged++;
            }
            return 0;
        }
    }
    if (r->n_jobs == r->cap_jobs) {
        size_t cap = r->cap_jobs ? r->cap_jobs * 2 : 1024;
        job *nj = realloc(r->jobs, cap * sizeof *nj);
        if (!nj) {
            snprintf(r->err, sizeof r->err, "out of memory");
            return r->rc = CAT_ERROR;
        }
        r->jobs = nj;
        r->cap_jobs = cap;
    }
    r->jobs[r->n_jobs].root = r->cur;
    if (!(r->jobs[r->n_jobs].rel = strdup(rel))) {
        snprintf(r->err, sizeof r->err, "out of memory");
        return r->rc = CAT_ERROR;
    }
    r->n_jobs++;
    return 0;
}

static void on_walk_error(const char *rel, const char *message, void *payload)
{
    run *r = payload;
    root_state *rs = &r->roots[r->cur];
    cat_known *k = known_find(rs, rel);
    if (k)
        k->seen = 1;
    if (tx_need(r) == 0
        && cat_error_put(r->c, rs->id, rel, "walk", message, -1, 0, r->scan_id) != CAT_OK)
        fail(r, CAT_ERROR);
    r->n.failed++;
}

static int id_cmp(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* Files known to the catalogue that the walk did not find: media become
 * missing (never deleted), recorded failures are forgotten. */
static int settle_unseen(run *r, root_state *rs)
{
    char *last_seen = cat_root_last_scan_time(r->c, rs->id);
    char now[DATETIME_MAX];
    size_t present = 0;

    for (size_t i = 0; i < rs->n_known; i++)
        present += rs->known[i].media_id && !rs->known[i].missing;
    /* an unplugged drive leaves an empty mount point: that is not a deletion */
    if (rs->files == 0 && present > 0) {
        warn(r, "root '%s' is empty but the catalogue holds %zu files from it: "
                "not marking them missing (is the drive mounted?)", rs->abs, present);
        r->n.failed++;
        free(last_seen);
        return 0;
    }
    datetime_now(now);
    for (size_t i = 0; i < rs->n_known && r->rc == 0; i++) {
        cat_known *k = &rs->known[i];
        if (k->seen)
            continue;
        if (tx_need(r))
            break;
        if (!k->media_id) {
            if (cat_error_forget(r->c, rs->id, k->path) != CAT_OK)
                fail(r, CAT_ERROR);
        } else if (!k->missing) {
            if (cat_media_mark_missing(r->c, k->media_id, last_seen, now) != CAT_OK)
                fail(r, CAT_ERROR);
            r->marked[r->n_marked++] = k->media_id;
            r->n.missing++;
        }
    }
    free(last_seen);
    return r->rc;
}

static int walk_all(run *r, const walk_skip *skip)
{
    walk_callbacks cb = {on_file, on_walk_error, r};
    size_t total_known = 0;

    for (size_t i = 0; i < r->n_roots; i++) {
        root_state *rs = &r->roots[i];
        if (cat_known_load(r->c, rs->id, &rs->known, &rs->n_known) != CAT_OK)
            return fail(r, CAT_ERROR);
        total_known += rs->n_known;
    }
    r->marked = malloc((total_known + 1) * sizeof *r->marked);
    if (!r->marked) {
        snprintf(r->err, sizeof r->err, "out of memory");
        return r->rc = CAT_ERROR;
    }
    for (size_t i = 0; i < r->n_roots && r->rc == 0; i++) {
        root_state *rs = &r->roots[i];
        int wrc;
        r->cur = (int)i;
        wrc = walk_root(rs->abs, skip, &cb);
        if (r->rc)
            break;
        if (wrc < 0) {
            warn(r, "cannot read root '%s': %s: its files are not marked missing", rs->abs,
                 strerror(-wrc));
            r->n.failed++;
            continue;
        }
        rs->ok = 1;
        settle_unseen(r, rs);
    }
    if (r->rc == 0)
        qsort(r->marked, r->n_marked, sizeof *r->marked, id_cmp);
    return r->rc ? r->rc : tx_commit(r);
}

/* ---- results ------------------------------------------------------------------ */

static int store(run *r, const job *j, json_t *res)
{
    root_state *rs = &r->roots[j->root];
    json_t *err = json_object_get(res, "error");

    if (tx_need(r))
        return r->rc;
    if (err) {
        char abs[PATH_MAX * 2];
        struct stat st;
        int64_t size = -1, mtime_ns = 0;
        snprintf(abs, sizeof abs, "%s/%s", rs->abs, j->rel);
        /* size and mtime let the next run skip this file while it stays the same */
        if (stat(abs, &st) == 0) {
            size = st.st_size;
            mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
        }
        if (cat_error_put(r->c, rs->id, j->rel,
                          json_string_value(json_object_get(err, "stage")),
                          json_string_value(json_object_get(err, "message")), size, mtime_ns,
                          r->scan_id) != CAT_OK)
            return fail(r, CAT_ERROR);
        r->n.failed++;
    } else {
        enum cat_put_outcome how;
        int64_t rowid = 0;
        if (cat_media_put(r->c, rs->id, j->rel, res, r->scan_id, &how, &rowid) != CAT_OK)
            return fail(r, CAT_ERROR);
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
    }
    return tx_maybe_commit(r);
}

static void report_progress(run *r, size_t done, double started)
{
    index_progress p = {.done = done, .total = r->n_jobs, .elapsed = extract_now() - started};
    if (r->o->progress)
        r->o->progress(&p, r->o->payload);
}

static int process_jobs(run *r, double started)
{
    pool_opts po = {
        .workers = r->o->jobs > 0 ? r->o->jobs : (int)sysconf(_SC_NPROCESSORS_ONLN),
        .file_timeout = r->o->file_timeout > 0 ? r->o->file_timeout : 30,
        .thumbs_dir = r->o->thumbs_dir,
        .thumb_width = r->o->thumb_width,
        .verbose = r->o->verbose,
    };
    pool *p = NULL;
    size_t next = 0, done = 0;
    int rc;

    if (r->n_jobs == 0)
        return 0;
    if (po.workers < 1)
        po.workers = 1;
    if ((size_t)po.workers > r->n_jobs)
        po.workers = (int)r->n_jobs;
    if (po.workers > 64)
        po.workers = 64;
    if ((rc = pool_start(&p, &po)) != 0) {
        snprintf(r->err, sizeof r->err, "cannot start workers: %s", strerror(-rc));
        return r->rc = CAT_ERROR;
    }
    while (r->rc == 0 && done < r->n_jobs) {
        pool_event ev;
        int w;
        while (next < r->n_jobs && (w = pool_idle(p)) >= 0) {
            const job *j = &r->jobs[next];
            char abs[PATH_MAX * 2];
            struct stat st;
            double limit = po.file_timeout * 2 + 10;
            snprintf(abs, sizeof abs, "%s/%s", r->roots[j->root].abs, j->rel);
            /* hashing is bounded by the disk, not by the parser: allow 20 MB/s */
            if (stat(abs, &st) == 0)
                limit += (double)st.st_size / 20e6;
            pool_submit(p, w, next, abs, limit);
            r->n.opened++;
            next++;
        }
        rc = pool_next(p, &ev);
        if (rc < 0) {
            snprintf(r->err, sizeof r->err, "cannot restart a worker: %s", strerror(-rc));
            r->rc = CAT_ERROR;
            break;
        }
        if (rc == 1)
            continue;
        store(r, &r->jobs[ev.job], ev.result);
        json_decref(ev.result);
        done++;
        report_progress(r, done, started);
    }
    pool_free(p);
    return r->rc ? r->rc : tx_commit(r);
}

/* ---- the run ------------------------------------------------------------------ */

/* One writer at a time: a second `reel index` on the same catalogue is
 * refused at once instead of waiting on SQLite's lock for the whole run. */
static int take_lock(const char *db_path, int *out_fd, char *err, size_t errsize)
{
    char path[PATH_MAX];
    int fd;
    *out_fd = -1;
    if (!db_path)
        return 0;
    snprintf(path, sizeof path, "%s-lock", db_path);
    fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return 0;     /* a read-only folder: SQLite's own locking still protects */
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        snprintf(err, errsize, "another 'reel index' is writing catalogue '%s': try again when it ends",
                 db_path);
        close(fd);
        return INDEX_LOCKED;
    }
    *out_fd = fd;
    return 0;
}

static int resolve_roots(run *r, const char *const *roots, size_t n, json_t *names)
{
    r->roots = calloc(n ? n : 1, sizeof *r->roots);
    if (!r->roots) {
        snprintf(r->err, sizeof r->err, "out of memory");
        return r->rc = CAT_ERROR;
    }
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

int index_run(cat *c, const char *const *roots, size_t n_roots, const index_opts *o,
              index_summary *out, char **errmsg)
{
    run r = {.c = c, .o = o};
    json_t *names = json_array();
    char *names_text = NULL;
    walk_skip skip = {.n = 0};
    double started = extract_now();
    int lock_fd = -1;

    memset(out, 0, sizeof *out);
    *errmsg = NULL;
    if ((r.rc = take_lock(o->db_path, &lock_fd, r.err, sizeof r.err)) != 0)
        goto done;
    if (resolve_roots(&r, roots, n_roots, names))
        goto done;
    if (o->db_path) {
        static const char *const suffix[] = {"", "-wal", "-shm", "-journal", "-lock"};
        char p[PATH_MAX];
        for (size_t i = 0; i < sizeof suffix / sizeof *suffix; i++) {
            snprintf(p, sizeof p, "%s%s", o->db_path, suffix[i]);
            walk_skip_add(&skip, p);
        }
    }
    if (o->thumbs_dir)
        walk_skip_add(&skip, o->thumbs_dir);

    names_text = json_dumps(names, JSON_COMPACT);
    if (cat_scan_begin(c, names_text ? names_text : "[]", &r.scan_id) != CAT_OK) {
        fail(&r, CAT_ERROR);
        goto done;
    }
    for (size_t i = 0; i < r.n_roots; i++)
        if (cat_root_ensure(c, r.roots[i].abs, &r.roots[i].id) != CAT_OK) {
            fail(&r, CAT_ERROR);
            goto done;
        }
    if (walk_all(&r, &skip) || process_jobs(&r, started))
        goto done;
    {
        int64_t *ids = calloc(r.n_roots + 1, sizeof *ids);
        size_t n_ok = 0;
        for (size_t i = 0; ids && i < r.n_roots; i++)
            if (r.roots[i].ok)
                ids[n_ok++] = r.roots[i].id;
        if (tx_need(&r) == 0 && cat_scan_finish(c, r.scan_id, &r.n, ids, n_ok) != CAT_OK)
            fail(&r, CAT_ERROR);
        if (r.rc == 0)
            tx_commit(&r);
        free(ids);
    }
done:
    if (r.in_tx)
        cat_rollback(c);
    out->scan_id = r.scan_id;
    out->n = r.n;
    out->elapsed = extract_now() - started;
    for (size_t i = 0; i < r.n_roots; i++) {
        out->roots_unavailable += !r.roots[i].ok;
        cat_known_free(r.roots[i].known, r.roots[i].n_known);
    }
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
    if (r.rc)
        *errmsg = strdup(r.err[0] ? r.err : "index run failed");
    return r.rc;
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
