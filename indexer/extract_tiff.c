/* extract_tiff.c - TIFF and the raw formats built on it (DNG, CR2, NEF,
 * ARW...): EXIF straight from the TIFF header; dimensions from FFmpeg's
 * TIFF reader when it can decode the file, else from EXIF. */
#include "extract.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exif.h"

/* EXIF offsets can point anywhere in the file (libexif reads only the
 * first 64 KiB, hence exif_read_tiff); raw files are tens of MB, so read at
 * most this much of them. */
#define TIFF_EXIF_MAX (64 << 20)

static int tiff_probe(const extract_ctx *x)
{
    return x->head_len >= 4 && (memcmp(x->head, "II*\0", 4) == 0 || memcmp(x->head, "MM\0*", 4) == 0);
}

static int tiff_extract(extract_ctx *x)
{
    size_t len = x->size < TIFF_EXIF_MAX ? (size_t)x->size : TIFF_EXIF_MAX;
    unsigned char *buf = malloc(len);
    size_t got = 0;
    json_t *w, *h;

    if (!buf)
        return extract_fail(x, "read", "out of memory");
    while (got < len) {
        ssize_t n = pread(x->fd, buf + got, len - got, (off_t)got);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    if (extract_av_fill(x) != 0) {
        /* FFmpeg cannot decode most raw formats: the EXIF alone still makes
         * a photo record when it gives the size */
        json_object_clear(x->rec);
        x->stage[0] = 0;
        x->msg[0] = 0;
    }
    exif_read_tiff(buf, got, x->rec);
    free(buf);
    w = json_object_get(x->rec, "exif_width");
    h = json_object_get(x->rec, "exif_height");
    if (!json_object_get(x->rec, "width")) {
        if (!w || !h)
            return extract_fail(x, "probe", "TIFF file with neither a readable image nor EXIF dimensions");
        json_object_set(x->rec, "width", w);
        json_object_set(x->rec, "height", h);
        json_object_set_new(x->rec, "format", json_string("tiff_pipe"));
        json_object_set_new(x->rec, "streams",
                            json_pack("[{s:i,s:s,s:s,s:O,s:O}]", "index", 0, "type", "video",
                                      "codec", "tiff", "width", w, "height", h));
    }
    json_object_del(x->rec, "exif_width");
    json_object_del(x->rec, "exif_height");
    json_object_set_new(x->rec, "kind", json_string("photo"));
    return 0;
}

const extractor extract_tiff = {"tiff", tiff_probe, tiff_extract};
