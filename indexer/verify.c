/* verify.c - `reel verify`: fixity checks. Re-hashes catalogued files in
 * worker processes (hash-only jobs, so a hung read costs one worker) and
 * compares each hash with the one catalogued when the file was indexed.
 * This process is the single writer: it records each outcome in the
 * custody log and marks vanished files missing. */
#include "indexer.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "pool.h"
#include "writer.h"

enum vstate { V_PENDING, V_OK, V_ALTERED, V_MISSING, V_FAILED, V_UNAVAILABLE };

typedef struct vjob {
    int64_t media_id;
    int64_t root_id;
    char *uid, *root_name, *path, *abs;
    char sha[65];             /* catalogued */
    int64_t size;             /* catalogued */
    enum vstate state;
    char found_sha[65];
    int64_t found_size;
    char *message;            /* V_FAILED: why */
} vjob;

typedef struct vroot {
    int64_t id;
    int ok;
} vroot;

typedef struct vpass {
    writer w;
    const index_opts *o;
    const verify_select *sel;
    char **target_abs;        /* sel->targets made absolute (NULL: not a path) */
    int *target_hit;
    vjob *jobs;
    size_t n, cap;
    size_t *queue;            /* jobs for the workers, by index into jobs */
    size_t n_queue, done;
    vroot *roots;
    size_t n_roots;
    verify_summary s;
    double started;
} vpass;

static void warn(vpass *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warn(vpass *p, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (p->o->warn)
        p->o->warn(msg, p->o->payload);
}

/* ---- which files ------------------------------------------------------------ */

/* A target as an absolute path without a trailing '/', resolving links when
 * it exists (as the walker resolved the roots). */
static char *target_path(const char *t)
{
    char buf[PATH_MAX], cwd[PATH_MAX], *out = NULL;
    size_t n;

    if (realpath(t, buf))
        out = strdup(buf);
    else if (t[0] == '/')
        out = strdup(t);
    else if (getcwd(cwd, sizeof cwd) && asprintf(&out, "%s/%s", cwd, t) < 0)
        out = NULL;
    if (!out)
        return NULL;
    n = strlen(out);
    while (n > 1 && out[n - 1] == '/')
        out[--n] = 0;
    return out;
}

/* Does the row match a target: its id, its path relative to its root (as
 * `reel show` takes it), or its path on disk or a folder above that? */
static int selected(vpass *p, const cat_verify_row *row, const char *abs)
{
    int any = 0;
    if (p->sel->n_targets == 0)
        return 1;
    for (size_t i = 0; i < p->sel->n_targets; i++) {
        const char *t = p->target_abs[i];
        size_t n = t ? strlen(t) : 0;
        if (strcmp(p->sel->targets[i], row->uid) == 0
            || strcmp(p->sel->targets[i], row->path) == 0
            || (t && strncmp(abs, t, n) == 0 && (abs[n] == 0 || abs[n] == '/' || n == 1))) {
            p->target_hit[i] = 1;
            any = 1;
        }
    }
    return any;
}

static int collect(const cat_verify_row *row, void *payload)
{
    vpass *p = payload;
    vjob *j;
    char *abs = NULL;

    if (asprintf(&abs, "%s/%s", row->root_path, row->path) < 0)
        return writer_fail_msg(&p->w, "out of memory");
    if (!selected(p, row, abs)) {
        free(abs);
        return 0;
    }
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 256;
        vjob *nj = realloc(p->jobs, cap * sizeof *nj);
        if (!nj) {
            free(abs);
            return writer_fail_msg(&p->w, "out of memory");
        }
        p->jobs = nj;
        p->cap = cap;
    }
    j = &p->jobs[p->n++];
    *j = (vjob){.media_id = row->media_id, .root_id = row->root_id, .abs = abs,
                .uid = strdup(row->uid), .root_name = strdup(row->root_name),
                .path = strdup(row->path), .size = row->size};
    snprintf(j->sha, sizeof j->sha, "%s", row->sha256);
    if (!j->uid || !j->root_name || !j->path)
        return writer_fail_msg(&p->w, "out of memory");
    return 0;
}

/* ---- roots and vanished files ------------------------------------------------ */

/* Can the root be read, and does it hold anything? An unplugged drive
 * leaves an empty mount point: its files are not gone. */
static int root_available(vpass *p, int64_t id, const char *abs)
{
    DIR *d;
    int found = 0;

    for (size_t i = 0; i < p->n_roots; i++)
        if (p->roots[i].id == id)
            return p->roots[i].ok;
    if (!(d = opendir(abs))) {
        warn(p, "cannot read root '%s': %s: its files are not verified", abs, strerror(errno));
    } else {
        const struct dirent *e;
        while (!found && (e = readdir(d)))
            found = strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
        closedir(d);
        if (!found)
            warn(p, "root '%s' is empty: its files are not verified or marked missing "
                    "(is the drive mounted?)", abs);
    }
    /* roots are few: at most one entry per root, so a plain array does */
    vroot *nr = realloc(p->roots, (p->n_roots + 1) * sizeof *nr);
    if (nr) {
        p->roots = nr;
        p->roots[p->n_roots++] = (vroot){id, found};
    }
    return found;
}

static int record(vpass *p, vjob *j, enum cat_verify_outcome how)
{
    if (writer_need(&p->w)
        || cat_verify_put(p->w.c, j->media_id, how, j->found_sha[0] ? j->found_sha : NULL,
                          j->found_size) != CAT_OK)
        return writer_fail(&p->w, CAT_ERROR);
    return writer_tick(&p->w);
}

/* Files whose root is readable but which are gone are settled here, without
 * a worker; the rest are queued for hashing. */
static int triage(vpass *p)
{
    struct stat st;
    p->queue = malloc((p->n + 1) * sizeof *p->queue);
    if (!p->queue)
        return writer_fail_msg(&p->w, "out of memory");
    for (size_t i = 0; i < p->n && p->w.rc == 0; i++) {
        vjob *j = &p->jobs[i];
        const char *root = j->abs;
        char *slash = j->abs + strlen(j->abs) - strlen(j->path) - 1;
        int ok;
        *slash = 0;               /* j->abs is "<root>/<path>": look at the root alone */
        ok = root_available(p, j->root_id, root);
        *slash = '/';
        if (!ok) {
            j->state = V_UNAVAILABLE;
        } else if (stat(j->abs, &st) != 0 && (errno == ENOENT || errno == ENOTDIR)) {
            j->state = V_MISSING;
            record(p, j, CAT_VERIFIED_MISSING);
        } else {
            p->queue[p->n_queue++] = i;
        }
    }
    return p->w.rc;
}

/* ---- hashing ------------------------------------------------------------------- */

static void next_job(size_t i, const char **path, const char **thumbs_sha, void *payload)
{
    vpass *p = payload;
    *path = p->jobs[p->queue[i]].abs;
    *thumbs_sha = NULL;
}

static int store(size_t i, json_t *res, void *payload)
{
    vpass *p = payload;
    vjob *j = &p->jobs[p->queue[i]];
    json_t *err = json_object_get(res, "error");
    index_progress prog;
    int rc;

    if (err && json_is_true(json_object_get(res, "gone"))) {
        j->state = V_MISSING;
        rc = record(p, j, CAT_VERIFIED_MISSING);
    } else if (err) {
        /* unreadable is not altered: the content is unknown, nothing is logged */
        const char *msg = json_string_value(json_object_get(err, "message"));
        j->state = V_FAILED;
        j->message = strdup(msg ? msg : "cannot read");
        rc = p->w.rc;
    } else {
        const char *sha = json_string_value(json_object_get(res, "sha256"));
        snprintf(j->found_sha, sizeof j->found_sha, "%s", sha ? sha : "");
        j->found_size = json_integer_value(json_object_get(res, "size"));
        j->state = strcmp(j->found_sha, j->sha) == 0 ? V_OK : V_ALTERED;
        rc = record(p, j, j->state == V_OK ? CAT_VERIFIED_OK : CAT_VERIFIED_ALTERED);
    }
    prog = (index_progress){.done = ++p->done, .total = p->n_queue,
                            .elapsed = mono_now() - p->started};
    if (p->o->progress)
        p->o->progress(&prog, p->o->payload);
    return rc;
}

/* ---- the report ----------------------------------------------------------------- */

static void report(vpass *p)
{
    static const char *const names[] = {
        [V_ALTERED] = "altered", [V_MISSING] = "missing", [V_FAILED] = "failed",
    };
    p->s.problems = json_array();
    for (size_t i = 0; i < p->n; i++) {
        const vjob *j = &p->jobs[i];
        json_t *e;
        switch (j->state) {
        case V_OK: p->s.ok++; continue;
        case V_UNAVAILABLE: p->s.unavailable++; continue;
        case V_PENDING: continue;     /* the pass stopped before it */
        case V_ALTERED: p->s.altered++; break;
        case V_MISSING: p->s.missing++; break;
        case V_FAILED: p->s.failed++; break;
        }
        e = json_pack("{s:s,s:s,s:s,s:s,s:s,s:I}", "id", j->uid, "root", j->root_name,
                      "path", j->path, "status", names[j->state], "sha256_expected", j->sha,
                      "size_expected", (json_int_t)j->size);
        if (j->state == V_ALTERED) {
            json_object_set_new(e, "sha256", json_string(j->found_sha));
            json_object_set_new(e, "size", json_integer(j->found_size));
        }
        if (j->message)
            json_object_set_new(e, "message", json_string(j->message));
        json_array_append_new(p->s.problems, e);
    }
}

int index_verify(cat *c, const index_opts *o, const verify_select *sel, verify_summary *out,
                 char **errmsg)
{
    vpass p = {.w = {.c = c}, .o = o, .sel = sel, .started = mono_now()};
    pool_opts po = {
        .workers = o->jobs > 0 ? o->jobs : (int)sysconf(_SC_NPROCESSORS_ONLN),
        .file_timeout = o->file_timeout,
        .hash_only = 1,
        .memory_limit_mb = pool_memory_limit_mb(o->memory_limit_mb),
    };
    int lock_fd = -1, rc;

    memset(out, 0, sizeof *out);
    *errmsg = NULL;
    if (writer_lock(o->db_path, &lock_fd, errmsg) != 0)
        return INDEX_LOCKED;
    p.target_abs = calloc(sel->n_targets + 1, sizeof *p.target_abs);
    p.target_hit = calloc(sel->n_targets + 1, sizeof *p.target_hit);
    if (!p.target_abs || !p.target_hit) {
        writer_fail_msg(&p.w, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < sel->n_targets; i++)
        p.target_abs[i] = target_path(sel->targets[i]);
    rc = cat_verify_each(c, sel->older_than_days, collect, &p);
    if (rc != 0 && p.w.rc == 0)
        writer_fail(&p.w, rc);
    for (size_t i = 0; i < sel->n_targets && p.w.rc == 0; i++) {
        if (!p.target_hit[i] && sel->older_than_days < 0) {
            char msg[PATH_MAX + 64];
            snprintf(msg, sizeof msg, "no catalogued file is '%s' or under it", sel->targets[i]);
            writer_fail_msg(&p.w, msg);
            p.w.rc = CAT_NOTFOUND;
        }
    }
    if (p.w.rc || triage(&p))
        goto done;
    rc = pool_run_all(&po, p.n_queue, next_job, store, &p);
    if (rc < 0 && p.w.rc == 0) {
        char msg[256];
        snprintf(msg, sizeof msg, "cannot run worker processes: %s", pool_error(rc));
        writer_fail_msg(&p.w, msg);
    }
    writer_commit(&p.w);
done:
    if (p.w.in_tx)
        cat_rollback(c);
    if (lock_fd >= 0)
        close(lock_fd);
    report(&p);
    p.s.elapsed = mono_now() - p.started;
    *out = p.s;
    for (size_t i = 0; i < p.n; i++) {
        free(p.jobs[i].uid);
        free(p.jobs[i].root_name);
        free(p.jobs[i].path);
        free(p.jobs[i].abs);
        free(p.jobs[i].message);
    }
    for (size_t i = 0; p.target_abs && i < sel->n_targets; i++)
        free(p.target_abs[i]);
    free(p.target_abs);
    free(p.target_hit);
    free(p.jobs);
    free(p.queue);
    free(p.roots);
    if (p.w.rc)
        *errmsg = strdup(p.w.err[0] ? p.w.err : "verification failed");
    return p.w.rc;
}
