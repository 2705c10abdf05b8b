/* hash.h - SHA-256 of a file's content with OpenSSL's libcrypto, which uses
 * the CPU's SHA extensions (about 2.5x faster here than libavutil's). The
 * library is loaded by the first hash, so that reel's own commands, which
 * never hash, do not load it. */
#ifndef REEL_HASH_H
#define REEL_HASH_H

#include <stdint.h>
#include <jansson.h>

/* Hashes everything readable from fd (from offset 0) into out as 64
 * lower-case hex digits and a NUL. *out_bytes (may be NULL) receives the
 * number of bytes hashed. Returns 0, or -errno on a read failure (-ELIBACC
 * when libcrypto cannot be loaded). */
int hash_fd_sha256(int fd, char out[65], int64_t *out_bytes);

/* What a failure of hash_fd_sha256 says: strerror's text, or that libcrypto
 * could not be loaded. */
const char *hash_strerror(int rc);

/* `reel verify`'s job: the SHA-256 and size of the file at path, as
 * {"sha256", "size"}, or {"error": {"stage": "read", "message"}} with
 * "gone": true when the file (or a folder above it) does not exist. *out is
 * the caller's. Returns 0. */
int hash_file_result(const char *path, json_t **out);

#endif
