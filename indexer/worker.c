/* worker.c - reel-worker, the executable that opens, parses, hashes and
 * thumbnails files for reel's worker pool (indexer/pool.c). It alone links
 * FFmpeg, libexif and libheif; see pool.h for why it is a program of its
 * own. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef REEL_TEST_HOOKS
#include <signal.h>
#include <unistd.h>
#endif

#include "extract.h"
#include "indexer.h"
#include "pool.h"
#include "subtitles.h"
#include "thumbs.h"

/* Adds {"thumbs": ...} to result: thumb_make's answer, or its error. */
static void add_thumbs(json_t *result, const char *path, const char *sha, const pool_opts *o)
{
    thumb_opts to = {
        .dir = o->thumbs_dir,
        .width = o->thumb_width,
        .storyboard = 1,
        .force = o->thumbs_force,
        .timeout = o->file_timeout * 2,
    };
    json_t *t = NULL;
    thumb_make(&t, path, sha, &to);
    if (t)
        json_object_set_new(result, "thumbs", t);
}

static int has_subtitle_stream(json_t *rec)
{
    size_t i;
    json_t *s;
    json_array_foreach(json_object_get(rec, "streams"), i, s)
        if (json_is_string(json_object_get(s, "type"))
            && strcmp(json_string_value(json_object_get(s, "type")), "subtitle") == 0)
            return 1;
    return 0;
}

#ifdef REEL_TEST_HOOKS
/* Only in the test binary reel-worker-hooked (tests/CMakeLists.txt), never in
 * reel-worker: REEL_TEST_FAULT="KIND:NAME[,KIND:NAME...]" makes the worker fail
 * while reading a file whose name contains NAME, the ways a hostile file
 * can make a parser fail: segv (SIGSEGV), abort, kill (SIGKILL), hang
 * (never answers), hog (allocates until malloc refuses, then aborts); and
 * slow (takes 20 ms longer), to make a run last. */
static void test_fault(const char *path)
{
    const char *spec = getenv("REEL_TEST_FAULT");
    const char *base = strrchr(path, '/');
    char kind[16], name[256];
    int n = 0;

    base = base ? base + 1 : path;
    while (spec && sscanf(spec, "%15[^:]:%255[^,]%n", kind, name, &n) == 2) {
        spec += n + (spec[n] == ',');
        if (!strstr(base, name))
            continue;
        if (strcmp(kind, "segv") == 0) {
            signal(SIGSEGV, SIG_DFL);   /* not a sanitizer's report: the signal itself */
            raise(SIGSEGV);
        } else if (strcmp(kind, "abort") == 0) {
            abort();
        } else if (strcmp(kind, "kill") == 0) {
            raise(SIGKILL);
        } else if (strcmp(kind, "hang") == 0) {
            for (;;)
                pause();
        } else if (strcmp(kind, "slow") == 0) {
            usleep(20000);
        } else if (strcmp(kind, "hog") == 0) {
            /* untouched 1 MiB blocks: address space, not resident memory */
            for (int i = 0; i < 16 * 1024; i++)
                if (!malloc(1 << 20))
                    abort();
            _exit(97);   /* 16 GiB and no refusal: no limit in force */
        }
    }
}
#endif

static json_t *run_job(const char *job, size_t len, const pool_opts *o)
{
    json_t *result = NULL;

#ifdef REEL_TEST_HOOKS
    test_fault(len >= 66 && job[0] == 'T' ? job + 65 : job + 1);
#endif
    if (job[0] == 'H')
        return pool_hash_job(job, len, o);

    if (len >= 66 && job[0] == 'T') {
        char sha[65];
        memcpy(sha, job + 1, 64);
        sha[64] = 0;
        result = json_object();
        extract_av_log_begin(job + 65);
        add_thumbs(result, job + 65, sha, o);
        return result;
    }
    index_extract_file(job + 1, o->file_timeout, &result);
    if (json_object_get(result, "error"))
        return result;
    if (has_subtitle_stream(result)) {
        json_t *tracks = NULL;
        /* a transcript that cannot be decoded costs its cues, not the record */
        if (subs_from_streams(job + 1, o->file_timeout, &tracks) == 0 && tracks)
            json_object_set_new(result, "subtitle_tracks", tracks);
        else
            json_decref(tracks);
    }
    if (o->thumbs_dir)
        add_thumbs(result, job + 1, json_string_value(json_object_get(result, "sha256")), o);
    return result;
}

int main(int argc, char **argv)
{
    pool_opts opts;

    if (pool_worker_args(argc, argv, &opts) != 0) {
        fprintf(stderr, "reel-worker: started by reel's worker pool, not by hand "
                        "(jobs on fd 3, results on fd 4)\n");
        return 2;
    }
    extract_av_log_verbose(opts.verbose);
    pool_serve(3, 4, run_job, &opts);
    return 0;
}
