/* hash.h - SHA-256 of a file's content with OpenSSL's libcrypto, which uses
 * the CPU's SHA extensions (about 2.5x faster here than libavutil's). */
#ifndef REEL_HASH_H
#define REEL_HASH_H

#include <stdint.h>
#include <jansson.h>

/* Hashes everything readable from fd (from offset 0) into out as 64
 * lower-case hex digits and a NUL. *out_bytes (may be NULL) receives the
 * number of bytes hashed. Returns 0, or -errno on a read failure. */
int hash_fd_sha256(int fd, char out[65], int64_t *out_bytes);

/* `reel verify`'s job: the SHA-256 and size of the file at path, as
 * {"sha256", "size"}, or {"error": {"stage": "read", "message"}} with
 * "gone": true when the file (or a folder above it) does not exist. *out is
 * the caller's. Returns 0. */
int hash_file_result(const char *path, json_t **out);

#endif
