/* jobq.h - private to indexer/: the files a walk found new or changed, in
 * an unnamed temporary file until the workers take them. A first index
 * finds every file new; holding their paths in memory until the walk ends
 * made the writer grow with the tree. */
#ifndef REEL_JOBQ_H
#define REEL_JOBQ_H

#include <stddef.h>
#include <stdio.h>

typedef struct jobq {
    FILE *f;                 /* opened on the first push */
    size_t n;                /* files pushed */
} jobq;

/* Appends root (an index into the run's roots) and rel. Returns 0 or -errno. */
int jobq_push(jobq *q, int root, const char *rel);
/* Ends the pushing; the files then come back in the order pushed. Returns 0 or -errno. */
int jobq_rewind(jobq *q);
/* The next file into *root and rel (size bytes). Returns 0, or -errno
 * (-ENODATA past the end). */
int jobq_take(jobq *q, int *root, char *rel, size_t size);
void jobq_close(jobq *q);

#endif
