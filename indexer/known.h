/* known.h - private to indexer/: the catalogue's known files of one root,
 * read in path order a chunk at a time, for a merge with the walk (which
 * reports paths in the same order). The writer's memory stays one chunk
 * however many files the root holds. */
#ifndef REEL_KNOWN_H
#define REEL_KNOWN_H

#include <stddef.h>
#include "catalog.h"

#define KNOWN_CHUNK 512

typedef struct known_stream {
    cat *c;
    int64_t root_id;
    int sidecars;            /* 0: media and recorded failures; 1: sidecar files */
    cat_known *row;          /* the current chunk */
    size_t n, pos;
    char *after;             /* path of the last row read: the next chunk starts past it */
    int end;                 /* the catalogue has no rows past `after` */
    int rc;                  /* CAT_* of a failed read, sticky */
} known_stream;

void known_open(known_stream *s, cat *c, int64_t root_id, int sidecars);
/* The next unconsumed row, or NULL at the end or after a failure (s->rc). */
cat_known *known_head(known_stream *s);
/* Consumes the head row. */
void known_pop(known_stream *s);
void known_close(known_stream *s);

#endif
