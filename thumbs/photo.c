/* Posters of photos: EXIF orientation and embedded thumbnails (libexif) for JPEG, FFmpeg's
 * image decoders for the rest, libheif for HEIF/HEIC. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <libexif/exif-data.h>
#include <libexif/exif-loader.h>
#include <libheif/heif.h>
#include "thumbs_int.h"

/* EXIF orientation (TIFF tag 274) to the turn that shows the picture upright. */
static thumb_turn orientation_turn(int orientation)
{
    switch (orientation) {
    case 2: return (thumb_turn){0, 1};
    case 3: return (thumb_turn){180, 0};
    case 4: return (thumb_turn){180, 1};
    case 5: return (thumb_turn){90, 1};
    case 6: return (thumb_turn){90, 0};
    case 7: return (thumb_turn){270, 1};
    case 8: return (thumb_turn){270, 0};
    default: return (thumb_turn){0, 0};
    }
}

static ExifData *load_exif(const char *path)
{
    ExifLoader *loader = exif_loader_new();
    ExifData *data;

    if (!loader)
        return NULL;
    /* The loader reads only up to the end of the APP1 segment, not the image data. */
    exif_loader_write_file(loader, path);
    data = exif_loader_get_data(loader);
    exif_loader_unref(loader);
    return data;
}

static int exif_orientation(ExifData *exif)
{
    ExifEntry *e = exif_content_get_entry(exif->ifd[EXIF_IFD_0], EXIF_TAG_ORIENTATION);

    if (!e || e->format != EXIF_FORMAT_SHORT || e->components < 1 || e->size < 2)
        return 1;
    return exif_get_short(e->data, exif_data_get_byte_order(exif));
}

/* An embedded thumbnail is used only when it is wide enough once turned and shows the same
 * picture shape as the photo: some cameras pad 16:9 photos into 4:3 thumbnails. */
static int exif_thumb_fits(ExifData *exif, thumb_turn turn, int width, int main_w, int main_h)
{
    int tw, th;
    double a, b;

    if (!exif->data || exif->size == 0 || main_w <= 0 || main_h <= 0)
        return 0;
    if (thumb_jpeg_probe(exif->data, exif->size, &tw, &th, NULL, 0) < 0)
        return 0;
    if ((turn.rotation == 90 || turn.rotation == 270 ? th : tw) < width)
        return 0;
    a = (double)tw * main_h;
    b = (double)th * main_w;
    return fabs(a - b) <= 0.02 * a;
}

/* Scales and turns a decoded picture into the poster. */
static int finish(thumb_call *c, const AVFrame *frame, AVRational sar, thumb_turn turn,
                  int width, const char *source, thumb_poster *out)
{
    thumb_scaler sws = {0};
    AVFrame *pic = NULL;
    int sw, sh, ret;

    ret = thumb_fit(c, frame->width, frame->height, sar, turn, width, &sw, &sh);
    if (ret < 0)
        goto done;
    ret = thumb_scale(c, &sws, frame, sw, sh, &pic);
    if (ret < 0)
        goto done;
    ret = thumb_turn_pic(c, &pic, turn);
    if (ret < 0)
        goto done;
    out->pic = pic;
    out->source = source;
    out->time = -1;
    pic = NULL;
done:
    av_frame_free(&pic);
    thumb_scaler_release(&sws);
    return ret;
}

int thumb_poster_photo(thumb_media *m, const char *path, int width, thumb_poster *out)
{
    const AVStream *st = m->fmt->streams[m->video];
    ExifData *exif = NULL;
    AVCodecParameters *par = NULL;
    AVFrame *thumb = NULL;
    thumb_turn turn = {0, 0};
    int main_w = 0, main_h = 0, budget = 4, ret = 0, r;

    if (st->codecpar->codec_id == AV_CODEC_ID_MJPEG) {
        /* JPEG: the frame size costs a few header reads, EXIF one segment. */
        if (thumb_jpeg_probe_file(path, &main_w, &main_h, NULL, 0) < 0)
            main_w = main_h = 0;
        exif = load_exif(path);
    }
    if (exif)
        turn = orientation_turn(exif_orientation(exif));
    if (exif && exif_thumb_fits(exif, turn, width, main_w, main_h)) {
        thumb_call probe = *m->call;
        par = avcodec_parameters_alloc();
        if (!par) {
            ret = thumb_fail(m->call, THUMB_ERROR, "out of memory");
            goto done;
        }
        par->codec_type = AVMEDIA_TYPE_VIDEO;
        par->codec_id = AV_CODEC_ID_MJPEG;
        /* A broken embedded thumbnail is not the photo's fault: its message goes to a copy
         * of the call, and the photo itself is decoded instead. */
        if (thumb_decode_still(&probe, par, exif->data, exif->size, &thumb) == 0) {
            ret = finish(m->call, thumb, thumb->sample_aspect_ratio, turn, width, "exif", out);
            goto done;
        }
    }
    ret = thumb_media_open_decoder(m, FFMIN(main_w, main_h), width);
    if (ret < 0)
        goto done;
    r = thumb_media_next(m, &budget);
    if (r != 0) {
        char reason[AV_ERROR_MAX_STRING_SIZE] = "";
        if (r < 0) {
            ret = r;
            goto done;
        }
        if (m->last_error)
            av_strerror(m->last_error, reason, sizeof(reason));
        ret = thumb_fail(m->call, THUMB_ERROR, "no decodable image%s%s%s",
                         reason[0] ? " (" : "", reason, reason[0] ? ")" : "");
        goto done;
    }
    ret = finish(m->call, m->frame, thumb_media_sar(m), turn, width, "image", out);
done:
    av_frame_free(&thumb);
    avcodec_parameters_free(&par);
    if (exif)
        exif_data_unref(exif);
    return ret;
}

int thumb_photo_is_heif(const char *path)
{
    uint8_t head[32];
    FILE *f = fopen(path, "rb");
    size_t n;
    enum heif_filetype_result r;

    if (!f)
        return 0;
    n = fread(head, 1, sizeof(head), f);
    fclose(f);
    if (n < 12)
        return 0;
    r = heif_check_filetype(head, (int)n);
    return r == heif_filetype_yes_supported || r == heif_filetype_yes_unsupported;
}

int thumb_poster_heif(thumb_call *c, const char *path, int width, thumb_poster *out)
{
    struct heif_context *ctx = NULL;
    struct heif_image_handle *primary = NULL, *small = NULL;
    struct heif_image *img = NULL;
    struct heif_error herr;
    AVFrame *frame = NULL;
    const char *source = "image";
    const uint8_t *plane;
    int stride, ret = 0;

    ctx = heif_context_alloc();
    frame = av_frame_alloc();
    if (!ctx || !frame) {
        ret = thumb_fail(c, THUMB_ERROR, "out of memory");
        goto done;
    }
    /* One process per core already uses the machine; tiles decode one after another. */
    heif_context_set_max_decoding_threads(ctx, 1);
    herr = heif_context_read_from_file(ctx, path, NULL);
    if (herr.code == heif_error_Ok)
        herr = heif_context_get_primary_image_handle(ctx, &primary);
    if (herr.code != heif_error_Ok) {
        ret = thumb_fail(c, THUMB_ERROR, "cannot read heif: %s", herr.message);
        goto done;
    }
    /* Phones store a small preview item; decoding it instead of a 12-megapixel grid of
     * tiles is many times faster, when it is wide enough. */
    if (heif_image_handle_get_number_of_thumbnails(primary) > 0) {
        heif_item_id id;
        if (heif_image_handle_get_list_of_thumbnail_IDs(primary, &id, 1) == 1 &&
            heif_image_handle_get_thumbnail(primary, id, &small).code == heif_error_Ok &&
            heif_image_handle_get_width(small) >= width) {
            source = "embedded";
        } else if (small) {
            heif_image_handle_release(small);
            small = NULL;
        }
    }
    herr = heif_decode_image(small ? small : primary, &img, heif_colorspace_RGB,
                             heif_chroma_interleaved_RGB, NULL);
    if (herr.code != heif_error_Ok) {
        ret = thumb_fail(c, THUMB_ERROR, "cannot decode heif: %s", herr.message);
        goto done;
    }
    if (thumb_call_expired(c)) {
        ret = thumb_fail_av(c, AVERROR_EXIT, "");
        goto done;
    }
    plane = heif_image_get_plane_readonly(img, heif_channel_interleaved, &stride);
    if (!plane) {
        ret = thumb_fail(c, THUMB_ERROR, "cannot decode heif: no picture plane");
        goto done;
    }
    /* Borrow libheif's pixels for swscale; the frame owns no buffer. libheif already applied
     * the file's rotation and mirror properties. */
    frame->format = AV_PIX_FMT_RGB24;
    frame->width = heif_image_get_width(img, heif_channel_interleaved);
    frame->height = heif_image_get_height(img, heif_channel_interleaved);
    frame->data[0] = (uint8_t *)plane;
    frame->linesize[0] = stride;
    ret = finish(c, frame, (AVRational){1, 1}, (thumb_turn){0, 0}, width, source, out);
done:
    av_frame_free(&frame);
    if (img)
        heif_image_release(img);
    if (small)
        heif_image_handle_release(small);
    if (primary)
        heif_image_handle_release(primary);
    if (ctx)
        heif_context_free(ctx);
    return ret;
}
