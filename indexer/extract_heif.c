/* extract_heif.c - HEIC/HEIF photos, which FFmpeg 5.1 cannot read, through
 * libheif: dimensions of the primary image and its EXIF block. */
#include "extract.h"

#include <libheif/heif.h>
#include <stdlib.h>
#include <string.h>

#include "exif.h"

static int heif_probe(const extract_ctx *x)
{
    enum heif_filetype_result r;
    if (x->head_len < 12 || memcmp(x->head + 4, "ftyp", 4) != 0)
        return 0;
    r = heif_check_filetype(x->head, (int)(x->head_len > 64 ? 64 : x->head_len));
    return r == heif_filetype_yes_supported || r == heif_filetype_yes_unsupported;
}

/* The Exif block of a HEIF starts with a 4-byte offset to the TIFF header;
 * libexif wants "Exif\0\0" followed by that header. */
static void read_exif(const struct heif_image_handle *h, json_t *rec)
{
    heif_item_id id;
    size_t size;
    unsigned char *buf = NULL;

    if (heif_image_handle_get_list_of_metadata_block_IDs(h, "Exif", &id, 1) < 1)
        return;
    size = heif_image_handle_get_metadata_size(h, id);
    if (size < 4 || !(buf = malloc(size + 6)))
        return;
    if (heif_image_handle_get_metadata(h, id, buf + 6).code == heif_error_Ok) {
        uint32_t skip = (uint32_t)buf[6] << 24 | buf[7] << 16 | buf[8] << 8 | buf[9];
        if (skip <= size - 4) {
            unsigned char *tiff = buf + 10 + skip;
            size_t len = size - 4 - skip;
            /* some writers include "Exif\0\0" themselves */
            if (len >= 6 && memcmp(tiff, "Exif\0\0", 6) == 0) {
                exif_read_fields(tiff, len, rec);
            } else {
                memcpy(tiff - 6, "Exif\0\0", 6);
                exif_read_fields(tiff - 6, len + 6, rec);
            }
        }
    }
    free(buf);
}

static int heif_extract(extract_ctx *x)
{
    struct heif_context *ctx = heif_context_alloc();
    struct heif_image_handle *h = NULL;
    struct heif_error err;
    int w, hh, rc = -1;
    const char *codec;

    if (!ctx)
        return extract_fail(x, "probe", "out of memory");
    err = heif_context_read_from_file(ctx, x->path, NULL);
    if (err.code != heif_error_Ok) {
        extract_fail(x, "probe", "not a readable HEIF image: %s", err.message);
        goto done;
    }
    err = heif_context_get_primary_image_handle(ctx, &h);
    if (err.code != heif_error_Ok) {
        extract_fail(x, "probe", "HEIF file has no primary image: %s", err.message);
        goto done;
    }
    /* the stored size, before the file's rotation, like JPEG and exiftool */
    w = heif_image_handle_get_ispe_width(h);
    hh = heif_image_handle_get_ispe_height(h);
    if (w <= 0 || hh <= 0) {
        w = heif_image_handle_get_width(h);
        hh = heif_image_handle_get_height(h);
    }
    read_exif(h, x->rec);
    json_object_del(x->rec, "exif_width");
    json_object_del(x->rec, "exif_height");
    codec = heif_check_filetype(x->head, (int)(x->head_len > 64 ? 64 : x->head_len))
                    == heif_filetype_yes_supported && memcmp(x->head + 8, "avif", 4) == 0
                ? "av1" : "hevc";
    json_object_set_new(x->rec, "kind", json_string("photo"));
    json_object_set_new(x->rec, "format", json_string("heif"));
    json_object_set_new(x->rec, "width", json_integer(w));
    json_object_set_new(x->rec, "height", json_integer(hh));
    if (!json_object_get(x->rec, "rotation"))
        json_object_set_new(x->rec, "rotation", json_integer(0));
    json_object_set_new(x->rec, "streams",
                        json_pack("[{s:i,s:s,s:s,s:i,s:i}]", "index", 0, "type", "video",
                                  "codec", codec, "width", w, "height", hh));
    rc = 0;
done:
    heif_image_handle_release(h);
    heif_context_free(ctx);
    return rc;
}

const extractor extract_heif = {"heif", heif_probe, heif_extract};
