/* reel-thumbs-bench: makes the poster of every file named on the command line, in one
 * process, as a reel worker would. Used by bench/thumbs/run.
 *
 *   reel-thumbs-bench OUTDIR FILE...
 *
 * Prints one line per file that failed to stderr; exits 1 if any did. The content hash that
 * names the poster is derived from the file's path (FNV-1a, stretched to 64 hex digits):
 * the benchmark measures thumbnails, not hashing, which the indexer does anyway. */
#include <stdint.h>
#include <stdio.h>

#include "thumbs.h"

static void path_hash(const char *path, char out[65])
{
    for (int part = 0; part < 4; part++) {
        uint64_t h = 1469598103934665603ULL ^ (uint64_t)part;
        for (const unsigned char *p = (const unsigned char *)path; *p; p++)
            h = (h ^ *p) * 1099511628211ULL;
        snprintf(out + part * 16, 17, "%016llx", (unsigned long long)h);
    }
}

int main(int argc, char **argv)
{
    thumb_opts opts = {0};
    int failed = 0;

    if (argc < 3) {
        fprintf(stderr, "usage: reel-thumbs-bench OUTDIR FILE...\n");
        return 2;
    }
    opts.dir = argv[1];
    opts.force = 1; /* measure the work even when a previous run left posters behind */
    for (int i = 2; i < argc; i++) {
        char sha[65];
        json_t *res = NULL;
        path_hash(argv[i], sha);
        if (thumb_make(&res, argv[i], sha, &opts) < 0) {
            fprintf(stderr, "%s: %s\n", argv[i], json_string_value(json_object_get(res, "error")));
            failed = 1;
        }
        json_decref(res);
    }
    return failed;
}
