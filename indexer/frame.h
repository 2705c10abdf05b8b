/* frame.h - messages between the writer and its workers over pipes: a
 * 4-byte length in host order, then that many bytes. Paths may hold any
 * byte but NUL, so no delimiter would do. */
#ifndef REEL_FRAME_H
#define REEL_FRAME_H

#include <stddef.h>

#define FRAME_MAX (64u << 20)

/* Writes one frame; 0, or -errno. */
int frame_write(int fd, const void *data, size_t len);
/* Reads one frame into *out (malloc'd, NUL-terminated; caller frees).
 * Returns 0, 1 at a clean end of stream, or -errno (-EPROTO: bad length). */
int frame_read(int fd, char **out, size_t *len);

#endif
