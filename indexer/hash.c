/* hash.c - streaming SHA-256 over a file descriptor. */
#include "hash.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>   /* the prototypes only: libcrypto is loaded, not linked */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <unistd.h>

#define HASH_CHUNK (1 << 20)

/* libcrypto, opened by the first hash of a process (a worker's). Linked, it
 * was loaded by every reel command: 3 ms of each start, a third of a search.
 * REEL_LIBCRYPTO is the soname of the library the build found. */
static struct {
    int tried, ok;
    void *lib;                          /* open for the process's life */
    __typeof__(EVP_MD_CTX_new) *ctx_new;
    __typeof__(EVP_MD_CTX_free) *ctx_free;
    __typeof__(EVP_sha256) *sha256;
    __typeof__(EVP_DigestInit_ex) *init;
    __typeof__(EVP_DigestUpdate) *update;
    __typeof__(EVP_DigestFinal_ex) *final;
} evp;

static int evp_load(void)
{
    void *lib;
    if (evp.tried)
        return evp.ok;
    evp.tried = 1;
    if (!(lib = evp.lib = dlopen(REEL_LIBCRYPTO, RTLD_NOW | RTLD_LOCAL)))
        return 0;
    /* (a function pointer from dlsym's void *: POSIX allows it) */
    *(void **)&evp.ctx_new = dlsym(lib, "EVP_MD_CTX_new");
    *(void **)&evp.ctx_free = dlsym(lib, "EVP_MD_CTX_free");
    *(void **)&evp.sha256 = dlsym(lib, "EVP_sha256");
    *(void **)&evp.init = dlsym(lib, "EVP_DigestInit_ex");
    *(void **)&evp.update = dlsym(lib, "EVP_DigestUpdate");
    *(void **)&evp.final = dlsym(lib, "EVP_DigestFinal_ex");
    evp.ok = evp.ctx_new && evp.ctx_free && evp.sha256 && evp.init && evp.update && evp.final;
    return evp.ok;
}

int hash_fd_sha256(int fd, char out[65], int64_t *out_bytes)
{
    EVP_MD_CTX *ctx;
    unsigned char *buf;
    unsigned char md[32];
    unsigned int mdlen = 0;
    int64_t total = 0;
    off_t off = 0;
    int rc = -ENOMEM;

    if (!evp_load())
        return -ELIBACC;
    ctx = evp.ctx_new();
    buf = malloc(HASH_CHUNK);
    if (!ctx || !buf || evp.init(ctx, evp.sha256(), NULL) != 1)
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
        evp.update(ctx, buf, (size_t)n);
        off += n;
        total += n;
    }
    evp.final(ctx, md, &mdlen);
    for (unsigned i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
    if (out_bytes)
        *out_bytes = total;
    rc = 0;
done:
    free(buf);
    evp.ctx_free(ctx);
    return rc;
}

const char *hash_strerror(int rc)
{
    return rc == -ELIBACC ? "cannot load the SHA-256 library " REEL_LIBCRYPTO : strerror(-rc);
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
        snprintf(msg, sizeof msg, "read failed: %s", hash_strerror(rc));
        *out = read_error(msg);
    } else if (hashed != st.st_size) {
        *out = read_error("file changed while it was being read");
    } else {
        *out = json_pack("{s:s,s:I}", "sha256", sha, "size", (json_int_t)hashed);
    }
    close(fd);
    return 0;
}
