/* worker.c - the loop a worker process runs: a job in, a result out. */
#include <stdlib.h>
#include <string.h>

#include "extract.h"
#include "frame.h"
#include "indexer.h"
#include "pool.h"
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

static json_t *run_job(const char *job, size_t len, const pool_opts *o)
{
    json_t *result = NULL;

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
    if (o->thumbs_dir && !json_object_get(result, "error"))
        add_thumbs(result, job + 1, json_string_value(json_object_get(result, "sha256")), o);
    return result;
}

void pool_worker_main(int in_fd, int out_fd, const pool_opts *opts)
{
    char *job = NULL;
    size_t len = 0;

    extract_av_log_verbose(opts->verbose);
    while (frame_read(in_fd, &job, &len) == 0) {
        json_t *result = len > 1 ? run_job(job, len, opts) : NULL;
        char *text = result ? json_dumps(result, JSON_COMPACT) : NULL;
        json_decref(result);
        free(job);
        job = NULL;
        if (!text || frame_write(out_fd, text, strlen(text)) != 0) {
            free(text);
            break;
        }
        free(text);
    }
    free(job);
}
