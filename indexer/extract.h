/* extract.h - private to indexer/: reading one file's technical record.
 *
 * Extractors are descriptors in a NULL-terminated table, tried in order;
 * the first whose probe() accepts the file's first bytes extracts it. Kind
 * is decided by content, never by the file name. */
#ifndef REEL_EXTRACT_H
#define REEL_EXTRACT_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#define EXTRACT_HEAD (256 * 1024)   /* holds any JPEG APP1 (EXIF) segment */

typedef struct extract_ctx {
    const char *path;
    int fd;
    const unsigned char *head;   /* the file's first bytes */
    size_t head_len;
    int64_t size;
    double deadline;             /* CLOCK_MONOTONIC seconds; parsing stops after it */
    json_t *rec;                 /* the record being filled */
    char stage[16];              /* on failure: where it failed ("probe", "timeout"...) */
    char msg[512];               /* on failure: why, lower-case, no final period */
} extract_ctx;

typedef struct extractor {
    const char *name;
    int (*probe)(const extract_ctx *x);   /* nonzero: this one reads the file */
    int (*extract)(extract_ctx *x);       /* 0, or -1 with stage/msg set */
} extractor;

extern const extractor extract_heif;
extern const extractor extract_jpeg;
extern const extractor extract_tiff;
extern const extractor extract_av;

/* Sets x->stage and a printf-style message; returns -1. */
int extract_fail(extract_ctx *x, const char *stage, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* FFmpeg part shared by the generic and TIFF extractors: opens x->path with
 * the deadline, fills format, duration, bit rate, streams, chapters, tags,
 * recorded_at/location from tags, and kind. */
int extract_av_fill(extract_ctx *x);

/* FFmpeg's log goes to our callback: kept as the current file's last error
 * and, when verbose, printed with the file's name. extract_av_log_begin
 * starts a new file (and installs the callback if needed). */
void extract_av_log_verbose(int verbose);
void extract_av_log_begin(const char *path);
/* The last error FFmpeg logged while reading the current file ("" if none). */
const char *extract_av_last_log(void);

#endif
