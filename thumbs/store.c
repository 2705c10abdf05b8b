/* Files of the thumbnails folder: folders, atomic writes, reads. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "thumbs_int.h"

int thumb_store_mkdirs(thumb_call *c, const char *dir)
{
    char buf[4096];
    size_t len = strlen(dir);

    if (len == 0 || len >= sizeof(buf))
        return thumb_fail(c, THUMB_EINVAL, "bad thumbnails folder '%s'", dir);
    memcpy(buf, dir, len + 1);
    /* Create each prefix in turn; EEXIST is the common case and fine. */
    for (size_t i = 1; i <= len; i++) {
        if (buf[i] != '/' && buf[i] != '\0')
            continue;
        buf[i] = '\0';
        if (mkdir(buf, 0755) < 0 && errno != EEXIST)
            return thumb_fail(c, THUMB_EWRITE, "cannot create '%s': %s", buf, strerror(errno));
        buf[i] = i < len ? '/' : '\0';
    }
    return 0;
}

int thumb_store_write(thumb_call *c, const char *path, const void *data, size_t size)
{
    char tmp[4096];
    const uint8_t *p = data;
    int fd = -1, ret = 0;

    if (snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path) >= (int)sizeof(tmp))
        return thumb_fail(c, THUMB_EWRITE, "path too long: '%s'", path);
    fd = mkstemp(tmp);
    if (fd < 0) {
        tmp[0] = '\0';
        ret = thumb_fail(c, THUMB_EWRITE, "cannot write '%s': %s", path, strerror(errno));
        goto done;
    }
    while (size > 0) {
        ssize_t n = write(fd, p, size);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            ret = thumb_fail(c, THUMB_EWRITE, "cannot write '%s': %s", path, strerror(errno));
            goto done;
        }
        p += n;
        size -= (size_t)n;
    }
    /* mkstemp makes 0600; thumbnails are served to web teams. No fsync: a poster is derived
     * data, and a torn file after a power cut fails the JPEG header check and is remade. */
    if (fchmod(fd, 0644) < 0 || close(fd) < 0) {
        fd = -1;
        ret = thumb_fail(c, THUMB_EWRITE, "cannot write '%s': %s", path, strerror(errno));
        goto done;
    }
    fd = -1;
    if (rename(tmp, path) < 0) {
        ret = thumb_fail(c, THUMB_EWRITE, "cannot rename to '%s': %s", path, strerror(errno));
        goto done;
    }
    tmp[0] = '\0';
done:
    if (fd >= 0)
        close(fd);
    if (tmp[0])
        unlink(tmp);
    return ret;
}

int thumb_store_read(thumb_call *c, const char *path, size_t max, char **out, size_t *size)
{
    FILE *f = NULL;
    char *buf = NULL;
    size_t n;
    int ret = 0;

    *out = NULL;
    *size = 0;
    f = fopen(path, "rb");
    if (!f) {
        ret = thumb_fail(c, THUMB_ERROR, "cannot open '%s': %s", path, strerror(errno));
        goto done;
    }
    buf = malloc(max + 1);
    if (!buf) {
        ret = thumb_fail(c, THUMB_ERROR, "out of memory");
        goto done;
    }
    n = fread(buf, 1, max, f);
    if (ferror(f)) {
        ret = thumb_fail(c, THUMB_ERROR, "cannot read '%s'", path);
        goto done;
    }
    buf[n] = '\0';
    *out = buf;
    *size = n;
    buf = NULL;
done:
    free(buf);
    if (f)
        fclose(f);
    return ret;
}
