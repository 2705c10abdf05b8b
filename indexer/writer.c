/* writer.c - batched transactions for the single writer. */
#include "writer.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/file.h>
#include <unistd.h>

#include "indexer.h"

#include "clock.h"

int writer_fail(writer *w, int rc)
{
    if (w->rc == 0) {
        w->rc = rc;
        snprintf(w->err, sizeof w->err, "%s", cat_errmsg(w->c));
    }
    if (w->in_tx) {
        cat_rollback(w->c);
        w->in_tx = 0;
    }
    return w->rc;
}

int writer_fail_msg(writer *w, const char *msg)
{
    if (w->rc == 0) {
        w->rc = CAT_ERROR;
        snprintf(w->err, sizeof w->err, "%s", msg);
    }
    return w->rc;
}

int writer_need(writer *w)
{
    int rc;
    if (w->rc || w->in_tx)
        return w->rc;
    if ((rc = cat_begin(w->c)) != CAT_OK)
        return writer_fail(w, rc);
    w->in_tx = 1;
    w->files = 0;
    w->started = mono_now();
    return 0;
}

int writer_commit(writer *w)
{
    int rc;
    if (!w->in_tx)
        return w->rc;
    if ((rc = cat_commit(w->c)) != CAT_OK)
        return writer_fail(w, rc);
    w->in_tx = 0;
    return w->rc;
}

int writer_tick(writer *w)
{
    if (w->in_tx && (++w->files >= WRITER_BATCH_FILES
                     || mono_now() - w->started >= WRITER_BATCH_SECONDS))
        return writer_commit(w);
    return w->rc;
}

int writer_lock(const char *db_path, int *out_fd, char **errmsg)
{
    char path[PATH_MAX];
    int fd;

    *out_fd = -1;
    if (!db_path)
        return 0;
    snprintf(path, sizeof path, "%s-lock", db_path);
    fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return 0;     /* a read-only folder: SQLite's own locking still protects */
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        if (asprintf(errmsg, "another 'reel index' is writing catalogue '%s': "
                             "try again when it ends", db_path) < 0)
            *errmsg = NULL;
        close(fd);
        return INDEX_LOCKED;
    }
    *out_fd = fd;
    return 0;
}
