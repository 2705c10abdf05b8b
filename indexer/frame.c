/* frame.c - length-prefixed messages over pipes. */
#include "frame.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

static int write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* 0 when n bytes were read, 1 at end of stream before the first byte. */
static int read_all(int fd, char *p, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, p + got, n - got);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        if (r == 0)
            return got == 0 ? 1 : -EPIPE;
        got += (size_t)r;
    }
    return 0;
}

int frame_write(int fd, const void *data, size_t len)
{
    uint32_t n = (uint32_t)len;
    int rc;
    if (len > FRAME_MAX)
        return -EMSGSIZE;
    if ((rc = write_all(fd, (const char *)&n, sizeof n)) != 0)
        return rc;
    return write_all(fd, data, len);
}

int frame_read(int fd, char **out, size_t *len)
{
    uint32_t n;
    char *buf;
    int rc;

    *out = NULL;
    if ((rc = read_all(fd, (char *)&n, sizeof n)) != 0)
        return rc;
    if (n > FRAME_MAX)
        return -EPROTO;
    if (!(buf = malloc((size_t)n + 1)))
        return -ENOMEM;
    if ((rc = read_all(fd, buf, n)) != 0) {
        free(buf);
        return rc == 1 ? -EPIPE : rc;
    }
    buf[n] = 0;
    *out = buf;
    if (len)
        *len = n;
    return 0;
}
