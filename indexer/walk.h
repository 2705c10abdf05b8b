/* walk.h - the walker: finds the files under a root with stat alone. */
#ifndef REEL_WALK_H
#define REEL_WALK_H

#include <sys/stat.h>
#include <sys/types.h>

/* Files and folders the walker must not enter or report: the catalogue's
 * own files and the thumbnails folder. */
typedef struct walk_skip {
    dev_t dev[8];
    ino_t ino[8];
    int n;
} walk_skip;

/* Adds path's (dev, ino) to skip if it exists. */
void walk_skip_add(walk_skip *skip, const char *path);

typedef struct walk_callbacks {
    /* a regular file that may be media; rel is root-relative; non-zero stops the walk */
    int (*file)(const char *rel, const struct stat *st, void *payload);
    /* something that cannot be catalogued (rel escaped with \xNN when not UTF-8) */
    void (*error)(const char *rel, const char *message, void *payload);
    void *payload;
    /* an editorial companion file (sidecar .json, subtitle .srt/.vtt); may be NULL */
    int (*companion)(const char *rel, const struct stat *st, void *payload);
} walk_callbacks;

/* Walks root recursively, reporting root-relative paths in strcmp order of
 * the whole path (a folder's contents come where "NAME/" sorts among its
 * neighbours: after "NAME.jpg", before "NAME0.jpg"; a name that is not
 * UTF-8 where its escaped form sorts), the order of the catalogue's path
 * index. A folder that cannot be entered is reported at "NAME", which may
 * sort before paths already reported. Follows
 * symbolic links to folders but enters each folder once, so link loops end;
 * skips hidden names, non-regular files (FIFOs, sockets, devices), files
 * that are known not to be media (text, documents) and everything in skip.
 * Sidecars and subtitles go to the companion callback, not to file.
 * Returns 0, the file callback's non-zero value, or -errno when the root
 * itself cannot be read. */
int walk_root(const char *root, const walk_skip *skip, const walk_callbacks *cb);

/* Nonzero when s is valid UTF-8. */
int walk_utf8_valid(const char *s);
/* Copies s into out (size bytes) with each byte that is not part of valid
 * UTF-8 written as \xNN. */
void walk_escape(const char *s, char *out, size_t size);

#endif
