/* worker.c - the loop a worker process runs: path in, result out. */
#include <stdlib.h>
#include <string.h>

#include "extract.h"
#include "frame.h"
#include "indexer.h"
#include "pool.h"

void pool_worker_main(int in_fd, int out_fd, const pool_opts *opts)
{
    char *path = NULL;

    extract_av_log_verbose(opts->verbose);
    while (frame_read(in_fd, &path, NULL) == 0) {
        json_t *result = NULL;
        char *text;

        index_extract_file(path, opts->file_timeout, &result);
        text = json_dumps(result, JSON_COMPACT);
        json_decref(result);
        free(path);
        path = NULL;
        if (!text || frame_write(out_fd, text, strlen(text)) != 0) {
            free(text);
            break;
        }
        free(text);
    }
    free(path);
}
