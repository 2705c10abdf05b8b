/* jobq.c - a first-in first-out list of root-relative paths on disk. */
#include "jobq.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* An unnamed file in $TMPDIR (else /tmp): nothing is left behind when the
 * run is killed. A file system without O_TMPFILE gets a named file,
 * unlinked at once. */
static FILE *open_spill(void)
{
    const char *dir = getenv("TMPDIR");
    int fd;
    FILE *f;

    if (!dir || !*dir)
        dir = "/tmp";
    fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd < 0) {
        char path[PATH_MAX];
        snprintf(path, sizeof path, "%s/reel-jobs-XXXXXX", dir);
        if ((fd = mkostemp(path, O_CLOEXEC)) < 0)
            return NULL;
        unlink(path);
    }
    if (!(f = fdopen(fd, "w+")))
        close(fd);
    return f;
}

int jobq_push(jobq *q, int root, const char *rel)
{
    /* a record: root and length as two 32-bit numbers, then the path's bytes */
    uint32_t head[2] = {(uint32_t)root, (uint32_t)strlen(rel)};
    if (!q->f && !(q->f = open_spill()))
        return -errno;
    if (fwrite(head, sizeof head, 1, q->f) != 1 || fwrite(rel, 1, head[1], q->f) != head[1])
        return -(errno ? errno : EIO);
    q->n++;
    return 0;
}

int jobq_rewind(jobq *q)
{
    if (q->f && (fflush(q->f) != 0 || fseek(q->f, 0, SEEK_SET) != 0))
        return -(errno ? errno : EIO);
    return 0;
}

int jobq_take(jobq *q, int *root, char *rel, size_t size)
{
    uint32_t head[2];
    if (!q->f || fread(head, sizeof head, 1, q->f) != 1)
        return q->f && ferror(q->f) ? -EIO : -ENODATA;
    if (head[1] >= size || fread(rel, 1, head[1], q->f) != head[1])
        return -EIO;
    rel[head[1]] = 0;
    *root = (int)head[0];
    return 0;
}

void jobq_close(jobq *q)
{
    if (q->f)
        fclose(q->f);
    q->f = NULL;
    q->n = 0;
}
