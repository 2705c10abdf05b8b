/* thumbs_pass.c - `reel thumbs`: fill in or remake posters and storyboards
 * for records already in the catalogue, through the same worker processes
 * and single writer as an index run. */
#include "indexer.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "pool.h"
#include "writer.h"

/* Videos longer than this get a storyboard (thumbs/'s default). */
#define STORYBOARD_MIN_SECONDS 30.0

typedef struct thumb_job {
    int64_t media_id;
    char *path;
    char sha[65];
} thumb_job;

typedef struct pass {
    writer w;
    const index_opts *o;
    int force;
    thumb_job *jobs;
    size_t n, cap;
    thumbs_summary s;
    double started;
} pass;

static int on_disk(const char *dir, const char *rel)
{
    char p[PATH_MAX];
    struct stat st;
    snprintf(p, sizeof p, "%s/%s", dir, rel);
    return stat(p, &st) == 0 && st.st_size > 0;
}

/* Does this record lack a thumbnail it should have? A recorded reason for
 * having no poster is final until --force. */
static int wants_work(const pass *p, const cat_thumb_row *row)
{
    const char *dir = p->o->thumbs_dir;
    if (p->force)
        return 1;
    if (!row->poster)
        return !row->poster_reason;
    if (!on_disk(dir, row->poster))
        return 1;
    if (strcmp(row->kind, "video") == 0 && row->duration > STORYBOARD_MIN_SECONDS) {
        if (!row->storyboard || !row->storyboard_vtt)
            return 1;
        return !on_disk(dir, row->storyboard) || !on_disk(dir, row->storyboard_vtt);
    }
    return 0;
}

static int collect(const cat_thumb_row *row, void *payload)
{
    pass *p = payload;
    thumb_job *j;
    if (!wants_work(p, row)) {
        p->s.kept++;
        return 0;
    }
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 256;
        thumb_job *nj = realloc(p->jobs, cap * sizeof *nj);
        if (!nj)
            return writer_fail_msg(&p->w, "out of memory");
        p->jobs = nj;
        p->cap = cap;
    }
    j = &p->jobs[p->n];
    j->media_id = row->media_id;
    snprintf(j->sha, sizeof j->sha, "%s", row->sha256);
    if (!(j->path = strdup(row->abs_path)))
        return writer_fail_msg(&p->w, "out of memory");
    p->n++;
    return 0;
}

static void next_job(size_t i, const char **path, const char **thumbs_sha, void *payload)
{
    pass *p = payload;
    *path = p->jobs[i].path;
    *thumbs_sha = p->jobs[i].sha;
}

static int store(size_t i, json_t *res, void *payload)
{
    pass *p = payload;
    json_t *t = json_object_get(res, "thumbs");
    json_t *err = json_object_get(res, "error");
    index_progress prog;

    if (writer_need(&p->w))
        return p->w.rc;
    /* a worker that crashed or timed out answers {"error": {stage, message}} */
    if (!t && err) {
        json_t *as_thumbs = json_pack("{s:O}", "error", json_object_get(err, "message"));
        int rc = cat_thumbs_put(p->w.c, p->jobs[i].media_id, as_thumbs);
        json_decref(as_thumbs);
        if (rc != CAT_OK)
            return writer_fail(&p->w, CAT_ERROR);
        p->s.failed++;
    } else if (t) {
        if (cat_thumbs_put(p->w.c, p->jobs[i].media_id, t) != CAT_OK)
            return writer_fail(&p->w, CAT_ERROR);
        if (json_object_get(t, "poster"))
            p->s.made++;
        else
            p->s.failed++;
    }
    prog = (index_progress){.done = p->s.made + p->s.failed, .total = p->n,
                            .elapsed = mono_now() - p->started};
    if (p->o->progress)
        p->o->progress(&prog, p->o->payload);
    return writer_tick(&p->w);
}

int index_thumbs(cat *c, const index_opts *o, int force, thumbs_summary *out, char **errmsg)
{
    pass p = {.w = {.c = c}, .o = o, .force = force, .started = mono_now()};
    pool_opts po = {
        .workers = o->jobs > 0 ? o->jobs : (int)sysconf(_SC_NPROCESSORS_ONLN),
        .file_timeout = o->file_timeout,
        .thumbs_dir = o->thumbs_dir,
        .thumb_width = o->thumb_width,
        .thumbs_force = force,
        .verbose = o->verbose,
        .memory_limit_mb = pool_memory_limit_mb(o->memory_limit_mb),
    };
    int lock_fd = -1, rc;

    memset(out, 0, sizeof *out);
    *errmsg = NULL;
    if (!o->thumbs_dir) {
        *errmsg = strdup("no thumbnails folder given");
        return CAT_ERROR;
    }
    if (writer_lock(o->db_path, &lock_fd, errmsg) != 0)
        return INDEX_LOCKED;
    rc = cat_thumbs_each(c, collect, &p);
    if (rc != 0 && p.w.rc == 0)
        writer_fail(&p.w, rc);
    if (p.w.rc == 0) {
        rc = pool_run_all(&po, p.n, next_job, store, &p);
        if (rc < 0 && p.w.rc == 0) {
            char msg[256];
            snprintf(msg, sizeof msg, "cannot run worker processes: %s", pool_error(rc));
            writer_fail_msg(&p.w, msg);
        }
        writer_commit(&p.w);
    }
    if (p.w.in_tx)
        cat_rollback(c);
    for (size_t i = 0; i < p.n; i++)
        free(p.jobs[i].path);
    free(p.jobs);
    if (lock_fd >= 0)
        close(lock_fd);
    p.s.elapsed = mono_now() - p.started;
    *out = p.s;
    if (p.w.rc)
        *errmsg = strdup(p.w.err[0] ? p.w.err : "thumbnail run failed");
    return p.w.rc;
}
