/* serve.c - a worker's loop: a job in, a result out, until the pipe closes.
 * Shared by the hash-only workers (forks of reel) and reel-worker. */
#include "pool.h"

#include <stdlib.h>
#include <string.h>

#include "frame.h"
#include "hash.h"

void pool_serve(int in_fd, int out_fd, pool_job_fn run, const pool_opts *opts)
{
    char *job = NULL;
    size_t len = 0;

    while (frame_read(in_fd, &job, &len) == 0) {
        json_t *result = len > 1 ? run(job, len, opts) : NULL;
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

json_t *pool_hash_job(const char *job, size_t len, const pool_opts *opts)
{
    json_t *result = NULL;
    (void)len;
    (void)opts;
    if (job[0] != 'H')
        return json_pack("{s:{s:s,s:s}}", "error", "stage", "crash", "message",
                         "a hash-only worker was given another job");
    hash_file_result(job + 1, &result);
    return result;
}
