/* pool.c - forking, feeding, watching and replacing worker processes. */
#include "pool.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "frame.h"
#include "indexer.h"

typedef struct worker {
    pid_t pid;
    int to;            /* jobs to the worker */
    int from;          /* results from the worker */
    int busy;
    size_t job;
    double deadline;   /* CLOCK_MONOTONIC */
} worker;

struct pool {
    pool_opts opts;
    worker *w;
    int n;
    char *argv[12];    /* reel-worker and its options; unused by hash-only pools */
    char argbuf[64];
};

static void close_fd(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

/* AddressSanitizer reserves terabytes of address space for its shadow
 * memory, so a sanitizer build cannot limit a worker's address space. */
#if defined(__SANITIZE_ADDRESS__)
#define POOL_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define POOL_ASAN 1
#endif
#endif

/* In the new worker: caps its address space, so a file that makes a parser
 * allocate without bound fails that file (malloc returns NULL: FFmpeg
 * reports ENOMEM, a library that aborts kills only this worker) instead of
 * swapping the machine to a halt. */
static void limit_memory(const pool_opts *o)
{
#ifndef POOL_ASAN
    if (o->memory_limit_mb > 0) {
        rlim_t bytes = (rlim_t)o->memory_limit_mb << 20;
        struct rlimit rl = {bytes, bytes};
        setrlimit(RLIMIT_AS, &rl);
    }
#else
    (void)o;
#endif
}

static int spawn(pool *p, int i)
{
    int job[2], res[2];
    pid_t pid;

    if (pipe2(job, O_CLOEXEC) != 0)
        return -errno;
    if (pipe2(res, O_CLOEXEC) != 0) {
        int e = errno;
        close(job[0]);
        close(job[1]);
        return -e;
    }
    pid = fork();
    if (pid < 0) {
        int e = errno;
        close(job[0]);
        close(job[1]);
        close(res[0]);
        close(res[1]);
        return -e;
    }
    if (pid == 0) {
        /* keep only our two pipe ends: no other worker's pipes, no
         * catalogue file descriptor */
        int in = fcntl(job[0], F_DUPFD, 1000), out = fcntl(res[1], F_DUPFD, 1001);
        if (in < 0 || out < 0)
            _exit(127);
        close_range(3, (unsigned)(in < out ? in : out) - 1, 0);
        dup2(in, 3);
        dup2(out, 4);
        close_range(5, ~0U, 0);
        signal(SIGPIPE, SIG_DFL);
        signal(SIGINT, SIG_IGN);   /* the parent decides when the run stops */
        limit_memory(&p->opts);
        if (p->opts.hash_only) {
            /* hashing needs no FFmpeg: a fork of reel, which loads
             * libcrypto at its first hash (hash.c) */
            pool_serve(3, 4, pool_hash_job, &p->opts);
            _exit(0);
        }
        execv(p->argv[0], p->argv);
        _exit(127);
    }
    close(job[0]);
    close(res[1]);
    p->w[i] = (worker){.pid = pid, .to = job[1], .from = res[0]};
    return 0;
}

int pool_start(pool **out, const pool_opts *opts)
{
    pool *p = calloc(1, sizeof *p);
    int rc = 0;

    *out = NULL;
    if (!p)
        return -ENOMEM;
    p->opts = *opts;
    if (!opts->hash_only) {
        const char *worker_path = pool_worker_path();
        if (!worker_path || pool_worker_argv(&p->opts, worker_path, p->argv, 12, p->argbuf,
                                             sizeof p->argbuf) != 0) {
            free(p);
            return POOL_NO_WORKER;
        }
    }
    p->n = opts->workers > 0 ? opts->workers : 1;
    p->w = calloc((size_t)p->n, sizeof *p->w);
    if (!p->w) {
        free(p);
        return -ENOMEM;
    }
    for (int i = 0; i < p->n; i++)
        p->w[i] = (worker){.pid = -1, .to = -1, .from = -1};
    /* a dead worker's pipe must give EPIPE, not kill the writer */
    signal(SIGPIPE, SIG_IGN);
    for (int i = 0; i < p->n && rc == 0; i++)
        rc = spawn(p, i);
    if (rc != 0) {
        pool_free(p);
        return rc;
    }
    *out = p;
    return 0;
}

int pool_idle(const pool *p)
{
    for (int i = 0; i < p->n; i++)
        if (!p->w[i].busy && p->w[i].pid > 0)
            return i;
    return -1;
}

void pool_submit(pool *p, int i, size_t job, const char *path, const char *thumbs_sha,
                 double limit)
{
    worker *w = &p->w[i];
    size_t len = strlen(path);
    char *msg = malloc(len + 66);

    /* a job: 'I' + path, 'H' + path (hash only), or 'T' + 64 hex digits +
     * path. Paths stay raw bytes: a root's name need not be UTF-8. */
    if (msg) {
        size_t n = 0;
        msg[n++] = p->opts.hash_only ? 'H' : thumbs_sha ? 'T' : 'I';
        if (p->opts.hash_only)
            thumbs_sha = NULL;
        if (thumbs_sha) {
            memcpy(msg + n, thumbs_sha, 64);
            n += 64;
        }
        memcpy(msg + n, path, len);
        /* a worker that died between jobs shows up as a failed write; its
         * closed pipe then makes pool_next report this job as a crash */
        if (frame_write(w->to, msg, n + len) != 0)
            close_fd(&w->to);
        free(msg);
    }
    w->busy = 1;
    w->job = job;
    w->deadline = mono_now() + limit;
}

/* What may have killed a worker besides a parser bug: an allocation the
 * address-space limit refused makes a library abort (C++ code such as
 * libheif's throws bad_alloc, glibc aborts on a corrupt heap); the kernel's
 * OOM killer sends SIGKILL (the writer's own SIGKILL is a timeout). */
static const char *oom_hint(const pool *p, int sig)
{
    if (sig == SIGKILL)
        return ", possibly the system ran out of memory";
    if (sig == SIGABRT && p->opts.memory_limit_mb > 0) {
        static char hint[96];
        snprintf(hint, sizeof hint, ", possibly the memory limit (%ld MB, --memory-limit)",
                 p->opts.memory_limit_mb);
        return hint;
    }
    return "";
}

/* Ends worker i for good and reports why, then starts its replacement. */
static int replace(pool *p, int i, int timed_out, pool_event *ev)
{
    worker *w = &p->w[i];
    char msg[256];
    int status = 0;

    if (timed_out)
        kill(w->pid, SIGKILL);
    close_fd(&w->to);
    close_fd(&w->from);
    while (waitpid(w->pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (timed_out)
        snprintf(msg, sizeof msg, "no result within the time limit: worker stopped");
    else if (WIFSIGNALED(status))
        snprintf(msg, sizeof msg, "worker killed by signal %d (%s) while reading this file%s",
                 WTERMSIG(status), strsignal(WTERMSIG(status)), oom_hint(p, WTERMSIG(status)));
    else if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
        snprintf(msg, sizeof msg, "worker could not be started (%s)", p->argv[0]);
    else
        snprintf(msg, sizeof msg, "worker exited with status %d while reading this file",
                 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    ev->job = w->job;
    ev->result = json_pack("{s:{s:s,s:s}}", "error", "stage", timed_out ? "timeout" : "crash",
                           "message", msg);
    w->busy = 0;
    w->pid = -1;
    return spawn(p, i);
}

int pool_next(pool *p, pool_event *ev)
{
    struct pollfd fds[64];
    int map[64];

    ev->result = NULL;
    for (;;) {
        int nf = 0, rc;
        double now = mono_now(), soonest = -1;

        for (int i = 0; i < p->n && nf < 64; i++) {
            worker *w = &p->w[i];
            if (!w->busy)
                continue;
            if (now > w->deadline)
                return replace(p, i, 1, ev);
            if (soonest < 0 || w->deadline < soonest)
                soonest = w->deadline;
            fds[nf] = (struct pollfd){.fd = w->from, .events = POLLIN};
            map[nf++] = i;
        }
        if (nf == 0)
            return 1;
        rc = poll(fds, (nfds_t)nf, (int)((soonest - now) * 1000) + 1);
        if (rc < 0 && errno != EINTR)
            return -errno;
        for (int k = 0; rc > 0 && k < nf; k++) {
            worker *w = &p->w[map[k]];
            char *buf = NULL;
            json_error_t jerr;
            if (!fds[k].revents)
                continue;
            if (frame_read(w->from, &buf, NULL) != 0)
                return replace(p, map[k], 0, ev);
            ev->job = w->job;
            ev->result = json_loads(buf, 0, &jerr);
            free(buf);
            w->busy = 0;
            if (!ev->result)
                ev->result = json_pack("{s:{s:s,s:s}}", "error", "stage", "crash", "message",
                                       "worker sent an unreadable result");
            return 0;
        }
    }
}

void pool_free(pool *p)
{
    if (!p)
        return;
    for (int i = 0; i < p->n; i++) {
        close_fd(&p->w[i].to);        /* end of jobs: the worker exits */
        if (p->w[i].busy && p->w[i].pid > 0)
            kill(p->w[i].pid, SIGKILL);
    }
    for (int i = 0; i < p->n; i++) {
        if (p->w[i].pid > 0)
            while (waitpid(p->w[i].pid, NULL, 0) < 0 && errno == EINTR)
                ;
        close_fd(&p->w[i].from);
    }
    free(p->w);
    free(p);
}

const char *pool_error(int rc)
{
    if (rc == POOL_NO_WORKER)
        return "the program reel-worker was not found (next to reel, or at $REEL_WORKER)";
    return strerror(-rc);
}

long pool_memory_limit_mb(long requested)
{
    return requested == 0 ? INDEX_MEMORY_LIMIT_MB : requested < 0 ? 0 : requested;
}

/* The writer's budget for one file: the worker's own parsing deadline twice
 * (probe, then thumbnails), 10 s of slack, and 1 s per 20 MB for hashing,
 * which is bounded by the disk, not by the parser. */
static double hard_limit(const pool_opts *o, const char *path)
{
    struct stat st;
    double limit = o->file_timeout * 2 + 10;
    if (stat(path, &st) == 0)
        limit += (double)st.st_size / 20e6;
    return limit;
}

int pool_run_all(const pool_opts *opts, size_t n, pool_next_fn next, pool_done_fn done,
                 void *payload)
{
    pool_opts po = *opts;
    pool *p = NULL;
    size_t submitted = 0, finished = 0;
    int rc = 0;

    if (n == 0)
        return 0;
    if (po.workers < 1)
        po.workers = 1;
    if ((size_t)po.workers > n)
        po.workers = (int)n;
    if (po.workers > 64)
        po.workers = 64;
    if (po.file_timeout <= 0)
        po.file_timeout = 30;
    if ((rc = pool_start(&p, &po)) != 0)
        return rc;
    while (rc == 0 && finished < n) {
        pool_event ev;
        int w, got;
        while (submitted < n && (w = pool_idle(p)) >= 0) {
            const char *path = NULL, *sha = NULL;
            next(submitted, &path, &sha, payload);
            pool_submit(p, w, submitted, path, sha, hard_limit(&po, path));
            submitted++;
        }
        got = pool_next(p, &ev);
        if (got < 0) {
            rc = got;
            break;
        }
        if (got == 1)
            continue;
        rc = done(ev.job, ev.result, payload);
        json_decref(ev.result);
        finished++;
    }
    pool_free(p);
    return rc;
}
