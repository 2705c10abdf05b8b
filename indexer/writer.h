/* writer.h - private to indexer/: the single writer's batched transactions.
 * Results are written in BEGIN IMMEDIATE .. COMMIT batches of at most
 * WRITER_BATCH_FILES results or WRITER_BATCH_SECONDS, so a run costs few
 * fsyncs and an interrupted run keeps every batch it committed. */
#ifndef REEL_WRITER_H
#define REEL_WRITER_H

#include <stddef.h>
#include "catalog.h"

#define WRITER_BATCH_FILES 500
#define WRITER_BATCH_SECONDS 1.0

typedef struct writer {
    cat *c;
    int in_tx;
    size_t files;            /* results in the open transaction */
    double started;          /* when it began (CLOCK_MONOTONIC) */
    int rc;                  /* first failure, sticky */
    char err[512];
} writer;

/* Opens a transaction unless one is open. Returns 0 or the sticky failure. */
int writer_need(writer *w);
/* Counts one result and commits when the batch is full or old. */
int writer_tick(writer *w);
/* Commits the open transaction, if any. */
int writer_commit(writer *w);
/* Records rc and the catalogue's message as the run's failure (the first
 * one wins) and rolls back; returns rc. */
int writer_fail(writer *w, int rc);
/* Records a failure that is not the catalogue's (out of memory...). */
int writer_fail_msg(writer *w, const char *msg);

/* One writer per catalogue: takes an exclusive lock on "<db_path>-lock", so
 * a second `reel index` is refused at once instead of waiting on SQLite's
 * lock for a whole run. Returns 0 with *out_fd (close it to release; -1
 * when no lock file could be made, e.g. a read-only folder, where SQLite's
 * own locking still protects), or INDEX_LOCKED with *errmsg set. */
int writer_lock(const char *db_path, int *out_fd, char **errmsg);

#endif
