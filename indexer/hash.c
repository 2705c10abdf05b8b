/* hash.c - streaming SHA-256 over a file descriptor. */
#include "hash.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <unistd.h>

#define HASH_CHUNK (1 << 20)

int hash_fd_sha256(int fd, char out[65], int64_t *out_bytes)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned char *buf = malloc(HASH_CHUNK);
    unsigned char md[32];
    unsigned int mdlen = 0;
    int64_t total = 0;
    off_t off = 0;
    int rc = -ENOMEM;

    if (!ctx || !buf || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
        goto done;
    /* the kernel reads ahead more aggressively for a sequential reader */
    posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    for (;;) {
        ssize_t n = pread(fd, buf, HASH_CHUNK, off);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            rc = -errno;
            goto done;
        }
        if (n == 0)
            break;
        EVP_DigestUpdate(ctx, buf, (size_t)n);
        off += n;
        total += n;
    }
    EVP_DigestFinal_ex(ctx, md, &mdlen);
    for (unsigned i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
    if (out_bytes)
        *out_bytes = total;
    rc = 0;
done:
    free(buf);
    EVP_MD_CTX_free(ctx);
    return rc;
}

static json_t *read_error(const char *msg)
{
    return json_pack("{s:{s:s,s:s}}", "error", "stage", "read", "message", msg);
}

int hash_file_result(const char *path, json_t **out)
{
    struct stat st;
    char sha[65], msg[300];
    int64_t hashed = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK), rc;

    if (fd < 0) {
        int gone = errno == ENOENT || errno == ENOTDIR;
        snprintf(msg, sizeof msg, "cannot open: %s", strerror(errno));
        *out = read_error(msg);
        if (gone)
            json_object_set_new(*out, "gone", json_true());
        return 0;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        *out = read_error("not a regular file");
    } else if ((rc = hash_fd_sha256(fd, sha, &hashed)) < 0) {
        snprintf(msg, sizeof msg, "read failed: %s", strerror(-rc));
        *out = read_error(msg);
    } else if (hashed != st.st_size) {
        *out = read_error("file changed while it was being read");
    } else {
        *out = json_pack("{s:s,s:I}", "sha256", sha, "size", (json_int_t)hashed);
    }
    close(fd);
    return 0;
}
