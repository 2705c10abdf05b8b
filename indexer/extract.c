/* extract.c - one file's technical record: open, hash, pick an extractor. */
#include "extract.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "datetime.h"
#include "hash.h"
#include "indexer.h"

/* Most specific first; the FFmpeg extractor accepts anything and comes last. */
static const extractor *const extractors[] = {
    &extract_heif, &extract_jpeg, &extract_tiff, &extract_av, NULL,
};

int extract_fail(extract_ctx *x, const char *stage, const char *fmt, ...)
{
    va_list ap;
    snprintf(x->stage, sizeof x->stage, "%s", stage);
    va_start(ap, fmt);
    vsnprintf(x->msg, sizeof x->msg, fmt, ap);
    va_end(ap);
    return -1;
}

static json_t *error_json(const char *stage, const char *msg)
{
    return json_pack("{s:{s:s,s:s}}", "error", "stage", stage, "message", msg);
}

int index_extract_file(const char *path, double timeout, json_t **out)
{
    extract_ctx x = {.path = path, .fd = -1};
    unsigned char *head = NULL;
    struct stat st;
    char sha[65], when[DATETIME_MAX];
    int64_t hashed = 0;
    ssize_t n;
    int rc;

    *out = NULL;
    extract_av_log_begin(path);
    x.deadline = mono_now() + (timeout > 0 ? timeout : 30);
    x.fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (x.fd < 0) {
        char msg[300];
        snprintf(msg, sizeof msg, "cannot open: %s", strerror(errno));
        *out = error_json("read", msg);
        goto done;
    }
    if (fstat(x.fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        *out = error_json("read", "not a regular file");
        goto done;
    }
    if (st.st_size == 0) {
        *out = error_json("read", "empty file");
        goto done;
    }
    x.size = st.st_size;

    /* hash first: it reads the whole file, leaving it in the page cache for
     * the parser's seeks */
    rc = hash_fd_sha256(x.fd, sha, &hashed);
    if (rc < 0) {
        char msg[300];
        snprintf(msg, sizeof msg, "read failed: %s", hash_strerror(rc));
        *out = error_json("read", msg);
        goto done;
    }
    head = malloc(EXTRACT_HEAD);
    n = head ? pread(x.fd, head, EXTRACT_HEAD, 0) : -1;
    if (n <= 0) {
        *out = error_json("read", "cannot read the file's first bytes");
        goto done;
    }
    x.head = head;
    x.head_len = (size_t)n;
    x.rec = json_object();
    rc = -1;
    for (const extractor *const *e = extractors; *e; e++) {
        if (!(*e)->probe(&x))
            continue;
        rc = (*e)->extract(&x);
        break;
    }
    if (rc != 0) {
        json_decref(x.rec);
        *out = error_json(x.stage[0] ? x.stage : "probe", x.msg[0] ? x.msg : "unreadable file");
        goto done;
    }
    json_object_set_new(x.rec, "size", json_integer(st.st_size));
    json_object_set_new(x.rec, "mtime_ns",
                        json_integer((json_int_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec));
    json_object_set_new(x.rec, "sha256", json_string(sha));
    /* the file changed while we read it: its hash may not match its content */
    if (hashed != st.st_size) {
        json_decref(x.rec);
        *out = error_json("read", "file changed while it was being read");
        goto done;
    }
    if (!json_object_get(x.rec, "recorded_at")) {
        datetime_from_epoch_ns((int64_t)st.st_mtim.tv_sec * 1000000000, when);
        json_object_set_new(x.rec, "recorded_at", json_string(when));
        json_object_set_new(x.rec, "recorded_at_source", json_string("mtime"));
    }
    *out = x.rec;
done:
    free(head);
    if (x.fd >= 0)
        close(x.fd);
    return 0;
}
