/* extract_jpeg.c - JPEG photos: dimensions from the frame header, the rest
 * from EXIF. Reading the SOF marker instead of decoding the image keeps a
 * 24-megapixel photo as cheap as a thumbnail. */
#include "extract.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exif.h"

static int jpeg_probe(const extract_ctx *x)
{
    return x->head_len >= 3 && x->head[0] == 0xFF && x->head[1] == 0xD8 && x->head[2] == 0xFF;
}

static int is_sof(unsigned m)
{
    return m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;
}

/* Walks the marker segments up to the first start-of-frame. */
static int read_sof(int fd, int64_t size, int *w, int *h, int *components)
{
    int64_t pos = 2;
    unsigned char b[10];

    for (int guard = 0; guard < 4096 && pos + 4 <= size; guard++) {
        unsigned marker, len;
        if (pread(fd, b, 4, pos) != 4)
            return -1;
        if (b[0] != 0xFF)
            return -1;
        marker = b[1];
        if (marker == 0xFF) {          /* fill byte */
            pos++;
            continue;
        }
        if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
            pos += 2;                  /* markers without a length */
            continue;
        }
        if (marker == 0xD9 || marker == 0xDA)
            return -1;                 /* end of image or scan data before any frame */
        len = (unsigned)b[2] << 8 | b[3];
        if (len < 2)
            return -1;
        if (is_sof(marker)) {
            if (len < 8 || pread(fd, b, 6, pos + 4) != 6)
                return -1;
            *h = b[1] << 8 | b[2];
            *w = b[3] << 8 | b[4];
            *components = b[5];
            return *w > 0 && *h > 0 ? 0 : -1;
        }
        pos += 2 + len;
    }
    return -1;
}

/* An EXIF block past the first bytes read: read it on its own. */
static void read_exif_at(extract_ctx *x, long off, size_t len)
{
    unsigned char *buf = malloc(len);
    if (buf && pread(x->fd, buf, len, off) == (ssize_t)len)
        exif_read_fields(buf, len, x->rec);
    free(buf);
}

static int jpeg_extract(extract_ctx *x)
{
    int w = 0, h = 0, comps = 0;
    json_t *stream;

    long app1;
    size_t app1_len = 0;

    if (read_sof(x->fd, x->size, &w, &h, &comps) != 0)
        return extract_fail(x, "probe", "not a readable JPEG: no frame header before the image data");
    /* libexif looks for EXIF only right after SOI or APP0; cameras and
     * editors put COM and other APPn segments first, so find it ourselves */
    app1 = exif_find_jpeg_app1(x->fd, (long)x->size, &app1_len);
    if (app1 >= 0 && (size_t)app1 + app1_len <= x->head_len)
        exif_read_fields(x->head + app1, app1_len, x->rec);
    else if (app1 >= 0)
        read_exif_at(x, app1, app1_len);
    json_object_del(x->rec, "exif_width");
    json_object_del(x->rec, "exif_height");
    json_object_set_new(x->rec, "kind", json_string("photo"));
    /* the names ffprobe gives, so both tools agree */
    json_object_set_new(x->rec, "format", json_string("jpeg_pipe"));
    json_object_set_new(x->rec, "width", json_integer(w));
    json_object_set_new(x->rec, "height", json_integer(h));
    if (!json_object_get(x->rec, "rotation"))
        json_object_set_new(x->rec, "rotation", json_integer(0));
    stream = json_pack("{s:i,s:s,s:s,s:i,s:i}", "index", 0, "type", "video", "codec", "mjpeg",
                       "width", w, "height", h);
    json_object_set_new(x->rec, "streams", json_pack("[o]", stream));
    return 0;
}

const extractor extract_jpeg = {"jpeg", jpeg_probe, jpeg_extract};
