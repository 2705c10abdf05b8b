/* worker_args.c - finding reel-worker, and the arguments that carry a
 * pool's options to it. Both sides are here so they cannot drift apart. */
#include "pool.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *pool_worker_path(void)
{
    static char path[PATH_MAX];
    const char *env = getenv("REEL_WORKER");
    ssize_t n;

    if (env && *env)
        return access(env, X_OK) == 0 ? env : NULL;
    /* installed or copied together: the worker sits next to reel */
    n = readlink("/proc/self/exe", path, sizeof path - 1);
    if (n > 0) {
        char *slash;
        path[n] = 0;
        slash = strrchr(path, '/');
        if (slash && (size_t)(slash - path) + sizeof "/reel-worker" <= sizeof path) {
            strcpy(slash, "/reel-worker");
            if (access(path, X_OK) == 0)
                return path;
        }
    }
#ifdef REEL_WORKER_BUILD_PATH
    /* programs of the build tree that are not next to it (the tests) */
    if (access(REEL_WORKER_BUILD_PATH, X_OK) == 0)
        return REEL_WORKER_BUILD_PATH;
#endif
    return NULL;
}

int pool_worker_argv(const pool_opts *o, const char *path, char **argv, size_t max,
                     char *buf, size_t buflen)
{
    size_t n = 0;
    int k;

    if (max < 10)
        return -1;
    argv[n++] = (char *)path;
    argv[n++] = "--timeout";
    k = snprintf(buf, buflen, "%.17g", o->file_timeout);
    if (k < 0 || (size_t)k >= buflen / 2)
        return -1;
    argv[n++] = buf;
    if (o->verbose)
        argv[n++] = "--verbose";
    if (o->thumbs_dir) {
        argv[n++] = "--thumbs";
        argv[n++] = (char *)o->thumbs_dir;
        k = snprintf(buf + buflen / 2, buflen / 2, "%d", o->thumb_width);
        if (k < 0 || (size_t)k >= buflen / 2)
            return -1;
        argv[n++] = "--thumb-width";
        argv[n++] = buf + buflen / 2;
        if (o->thumbs_force)
            argv[n++] = "--force";
    }
    argv[n] = NULL;
    return 0;
}

int pool_worker_args(int argc, char **argv, pool_opts *o)
{
    *o = (pool_opts){.file_timeout = 30};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int more = i + 1 < argc;
        if (strcmp(a, "--timeout") == 0 && more)
            o->file_timeout = strtod(argv[++i], NULL);
        else if (strcmp(a, "--verbose") == 0)
            o->verbose = 1;
        else if (strcmp(a, "--thumbs") == 0 && more)
            o->thumbs_dir = argv[++i];
        else if (strcmp(a, "--thumb-width") == 0 && more)
            o->thumb_width = atoi(argv[++i]);
        else if (strcmp(a, "--force") == 0)
            o->thumbs_force = 1;
        else
            return -1;
    }
    return o->file_timeout > 0 ? 0 : -1;
}
