/* Geometry, scaling, turning and measuring of pics (full-range YUV 4:2:0 frames). */
#include <math.h>
#include <string.h>

#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>

#include "thumbs_int.h"

/* Beyond this the picture is a strip, not a poster; also keeps hostile sizes from asking
 * for huge buffers. */
#define MAX_SIDE 8192

static int even(double v)
{
    long e = 2 * lround(v / 2);

    return e < 2 ? 2 : e > MAX_SIDE ? MAX_SIDE : (int)e;
}

int thumb_fit(thumb_call *c, int src_w, int src_h, AVRational sar, thumb_turn turn, int width,
              int *scale_w, int *scale_h)
{
    double dw, dh;
    int out_w, out_h;

    if (src_w <= 0 || src_h <= 0)
        return thumb_fail(c, THUMB_ERROR, "picture has no size");
    dw = src_w;
    dh = src_h;
    /* Anamorphic video: pixels are sar wide, so the shown width differs from the coded one. */
    if (sar.num > 0 && sar.den > 0)
        dw = dw * sar.num / sar.den;
    if (turn.rotation == 90 || turn.rotation == 270) {
        double t = dw;
        dw = dh;
        dh = t;
    }
    out_w = even(width);
    out_h = even(out_w * dh / dw);
    if (turn.rotation == 90 || turn.rotation == 270) {
        *scale_w = out_h;
        *scale_h = out_w;
    } else {
        *scale_w = out_w;
        *scale_h = out_h;
    }
    return 0;
}

int thumb_pic_alloc(thumb_call *c, int w, int h, AVFrame **out)
{
    AVFrame *pic = NULL;
    int ret = 0;

    *out = NULL;
    pic = av_frame_alloc();
    if (!pic) {
        ret = thumb_fail(c, THUMB_ERROR, "out of memory");
        goto done;
    }
    pic->format = AV_PIX_FMT_YUVJ420P;
    pic->color_range = AVCOL_RANGE_JPEG;
    pic->width = w;
    pic->height = h;
    if (av_frame_get_buffer(pic, 0) < 0) {
        ret = thumb_fail(c, THUMB_ERROR, "out of memory");
        goto done;
    }
    /* Black in full range: Y 0, chroma neutral; padding of partial sheets stays black. */
    for (int y = 0; y < h; y++)
        memset(pic->data[0] + (size_t)y * pic->linesize[0], 0, (size_t)w);
    for (int p = 1; p < 3; p++)
        for (int y = 0; y < h / 2; y++)
            memset(pic->data[p] + (size_t)y * pic->linesize[p], 128, (size_t)w / 2);
    *out = pic;
    pic = NULL;
done:
    av_frame_free(&pic);
    return ret;
}

/* The deprecated full-range "J" formats make swscale warn; scale from their plain twins and
 * say the range instead. */
static enum AVPixelFormat unj(enum AVPixelFormat f, int *full)
{
    switch (f) {
    case AV_PIX_FMT_YUVJ420P: *full = 1; return AV_PIX_FMT_YUV420P;
    case AV_PIX_FMT_YUVJ422P: *full = 1; return AV_PIX_FMT_YUV422P;
    case AV_PIX_FMT_YUVJ444P: *full = 1; return AV_PIX_FMT_YUV444P;
    case AV_PIX_FMT_YUVJ440P: *full = 1; return AV_PIX_FMT_YUV440P;
    case AV_PIX_FMT_YUVJ411P: *full = 1; return AV_PIX_FMT_YUV411P;
    default: return f;
    }
}

void thumb_scaler_release(thumb_scaler *s)
{
    sws_freeContext(s->sws);
    s->sws = NULL;
}

/* The ranges must be known when the context is made: with equal ranges swscale picks a plain
 * copy for same-size frames, and changing them afterwards does not undo that choice. */
static int scaler_for(thumb_scaler *s, const AVFrame *src, enum AVPixelFormat fmt, int full,
                      int w, int h)
{
    struct SwsContext *sws;

    if (s->sws && s->src_w == src->width && s->src_h == src->height && s->src_fmt == fmt &&
        s->src_full == full && s->dst_w == w && s->dst_h == h)
        return 0;
    thumb_scaler_release(s);
    sws = sws_alloc_context();
    if (!sws)
        return AVERROR(ENOMEM);
    /* Bicubic: posters are looked at; at these sizes the cost is small next to decoding. */
    if (av_opt_set_int(sws, "srcw", src->width, 0) < 0 ||
        av_opt_set_int(sws, "srch", src->height, 0) < 0 ||
        av_opt_set_int(sws, "src_format", fmt, 0) < 0 ||
        av_opt_set_int(sws, "src_range", full, 0) < 0 ||
        av_opt_set_int(sws, "dstw", w, 0) < 0 || av_opt_set_int(sws, "dsth", h, 0) < 0 ||
        av_opt_set_int(sws, "dst_format", AV_PIX_FMT_YUV420P, 0) < 0 ||
        av_opt_set_int(sws, "dst_range", 1, 0) < 0 ||
        av_opt_set_int(sws, "sws_flags", SWS_BICUBIC, 0) < 0 ||
        sws_init_context(sws, NULL, NULL) < 0) {
        sws_freeContext(sws);
        return AVERROR(EINVAL);
    }
    *s = (thumb_scaler){sws, src->width, src->height, fmt, full, w, h};
    return 0;
}

int thumb_scale(thumb_call *c, thumb_scaler *s, const AVFrame *src, int w, int h,
                AVFrame **out)
{
    AVFrame *pic = NULL;
    int full = src->color_range == AVCOL_RANGE_JPEG;
    enum AVPixelFormat fmt = unj((enum AVPixelFormat)src->format, &full);
    int ret;

    *out = NULL;
    ret = thumb_pic_alloc(c, w, h, &pic);
    if (ret < 0)
        goto done;
    if (scaler_for(s, src, fmt, full, w, h) < 0) {
        const char *name = av_get_pix_fmt_name(fmt);
        ret = thumb_fail(c, THUMB_ERROR, "cannot convert pixel format %s",
                         name ? name : "unknown");
        goto done;
    }
    if (sws_scale(s->sws, (const uint8_t *const *)src->data, src->linesize, 0, src->height,
                  pic->data, pic->linesize) != h) {
        ret = thumb_fail(c, THUMB_ERROR, "cannot scale picture");
        goto done;
    }
    *out = pic;
    pic = NULL;
done:
    av_frame_free(&pic);
    return ret;
}

/* Writes src (w x h) into dst turned clockwise by rot, then mirrored if asked. */
static void turn_plane(const uint8_t *src, int sls, int w, int h, uint8_t *dst, int dls,
                       int rot, int mirror)
{
    int dw = (rot == 90 || rot == 270) ? h : w;

    for (int y = 0; y < h; y++) {
        const uint8_t *row = src + (size_t)y * sls;
        for (int x = 0; x < w; x++) {
            int dx, dy;
            switch (rot) {
            case 90: dx = h - 1 - y; dy = x; break;
            case 180: dx = w - 1 - x; dy = h - 1 - y; break;
            case 270: dx = y; dy = w - 1 - x; break;
            default: dx = x; dy = y; break;
            }
            if (mirror)
                dx = dw - 1 - dx;
            dst[(size_t)dy * dls + dx] = row[x];
        }
    }
}

int thumb_turn_pic(thumb_call *c, AVFrame **pic, thumb_turn turn)
{
    AVFrame *src = *pic, *dst = NULL;
    int swap = turn.rotation == 90 || turn.rotation == 270;
    int ret;

    if (turn.rotation == 0 && !turn.mirror)
        return 0;
    ret = thumb_pic_alloc(c, swap ? src->height : src->width, swap ? src->width : src->height,
                          &dst);
    if (ret < 0)
        return ret;
    for (int p = 0; p < 3; p++) {
        int sh = p ? 1 : 0;
        turn_plane(src->data[p], src->linesize[p], src->width >> sh, src->height >> sh,
                   dst->data[p], dst->linesize[p], turn.rotation, turn.mirror);
    }
    av_frame_free(pic);
    *pic = dst;
    return 0;
}

void thumb_blit(AVFrame *dst, const AVFrame *pic, int x, int y)
{
    int w = FFMIN(pic->width, dst->width - x);
    int h = FFMIN(pic->height, dst->height - y);

    if (w <= 0 || h <= 0)
        return;
    for (int p = 0; p < 3; p++) {
        int sh = p ? 1 : 0;
        for (int row = 0; row < h >> sh; row++)
            memcpy(dst->data[p] + (size_t)((y >> sh) + row) * dst->linesize[p] + (x >> sh),
                   pic->data[p] + (size_t)row * pic->linesize[p], (size_t)(w >> sh));
    }
}

void thumb_luma_stats(const AVFrame *pic, double *stddev, double *entropy)
{
    uint64_t hist[64] = {0};
    double sum = 0, sum2 = 0, n = (double)pic->width * pic->height, ent = 0;

    for (int y = 0; y < pic->height; y++) {
        const uint8_t *row = pic->data[0] + (size_t)y * pic->linesize[0];
        for (int x = 0; x < pic->width; x++) {
            sum += row[x];
            sum2 += (double)row[x] * row[x];
            hist[row[x] >> 2]++;
        }
    }
    for (int i = 0; i < 64; i++) {
        if (hist[i]) {
            double p = hist[i] / n;
            ent -= p * log2(p);
        }
    }
    *stddev = sqrt(fmax(0, sum2 / n - (sum / n) * (sum / n)));
    *entropy = ent;
}
