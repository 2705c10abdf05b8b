/* JPEG in and out: MJPEG encoding of pics, decoding of stills, and reading JPEG headers
 * without decoding them. */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "thumbs_int.h"

int thumb_jpeg_encode(thumb_call *c, AVFrame *pic, int qscale, const char *comment,
                      uint8_t **out, size_t *size)
{
    const AVCodec *codec = avcodec_find_encoder(AV_CODEC_ID_MJPEG);
    AVCodecContext *enc = NULL;
    AVPacket *pkt = NULL;
    uint8_t *buf = NULL;
    size_t clen = strlen(comment), total;
    int ret = 0, err;

    *out = NULL;
    *size = 0;
    if (!codec) {
        ret = thumb_fail(c, THUMB_ERROR, "ffmpeg has no mjpeg encoder");
        goto done;
    }
    if (clen > 60000)
        clen = 60000;
    enc = avcodec_alloc_context3(codec);
    pkt = av_packet_alloc();
    if (!enc || !pkt) {
        ret = thumb_fail(c, THUMB_ERROR, "out of memory");
        goto done;
    }
    enc->width = pic->width;
    enc->height = pic->height;
    enc->pix_fmt = AV_PIX_FMT_YUVJ420P;
    enc->color_range = AVCOL_RANGE_JPEG;
    enc->time_base = (AVRational){1, 25};
    enc->thread_count = 1;
    /* Fixed quantiser, not a bit rate: a poster's size should follow its content. Bit-exact
     * leaves out the encoder's version comment, so equal footage gives equal bytes. */
    enc->flags |= AV_CODEC_FLAG_QSCALE | AV_CODEC_FLAG_BITEXACT;
    enc->global_quality = FF_QP2LAMBDA * qscale;
    err = avcodec_open2(enc, codec, NULL);
    if (err < 0) {
        ret = thumb_fail_av(c, err, "cannot open jpeg encoder");
        goto done;
    }
    pic->quality = enc->global_quality;
    pic->pts = 0;
    err = avcodec_send_frame(enc, pic);
    if (err >= 0)
        err = avcodec_receive_packet(enc, pkt);
    if (err < 0) {
        ret = thumb_fail_av(c, err, "cannot encode jpeg");
        goto done;
    }
    if (pkt->size < 4 || pkt->data[0] != 0xFF || pkt->data[1] != 0xD8) {
        ret = thumb_fail(c, THUMB_ERROR, "jpeg encoder gave no jpeg");
        goto done;
    }
    /* Splice a COM segment right after SOI: it carries the facts that a later call returns
     * without decoding anything (time and source of the poster). */
    total = (size_t)pkt->size + 4 + clen;
    buf = av_malloc(total);
    if (!buf) {
        ret = thumb_fail(c, THUMB_ERROR, "out of memory");
        goto done;
    }
    buf[0] = 0xFF;
    buf[1] = 0xD8;
    buf[2] = 0xFF;
    buf[3] = 0xFE;
    buf[4] = (uint8_t)((clen + 2) >> 8);
    buf[5] = (uint8_t)((clen + 2) & 0xFF);
    memcpy(buf + 6, comment, clen);
    memcpy(buf + 6 + clen, pkt->data + 2, (size_t)pkt->size - 2);
    *out = buf;
    *size = total;
    buf = NULL;
done:
    av_free(buf);
    av_packet_free(&pkt);
    avcodec_free_context(&enc);
    return ret;
}

int thumb_decode_still(thumb_call *c, const AVCodecParameters *par, const uint8_t *data,
                       size_t size, AVFrame **out)
{
    const AVCodec *codec = avcodec_find_decoder(par->codec_id);
    AVCodecContext *dec = NULL;
    AVPacket *pkt = NULL;
    AVFrame *frame = NULL;
    int ret = 0, err;

    *out = NULL;
    if (!codec) {
        ret = thumb_fail(c, THUMB_ERROR, "no decoder for %s", avcodec_get_name(par->codec_id));
        goto done;
    }
    if (size == 0 || size > INT_MAX - AV_INPUT_BUFFER_PADDING_SIZE) {
        ret = thumb_fail(c, THUMB_ERROR, "picture of %zu bytes", size);
        goto done;
    }
    dec = avcodec_alloc_context3(codec);
    pkt = av_packet_alloc();
    frame = av_frame_alloc();
    if (!dec || !pkt || !frame || av_new_packet(pkt, (int)size) < 0) {
        ret = thumb_fail(c, THUMB_ERROR, "out of memory");
        goto done;
    }
    /* A private padded copy: decoders may read past the end of the data they are given. */
    memcpy(pkt->data, data, size);
    err = avcodec_parameters_to_context(dec, par);
    if (err >= 0) {
        dec->thread_count = 1;
        err = avcodec_open2(dec, codec, NULL);
    }
    if (err < 0) {
        ret = thumb_fail_av(c, err, "cannot open picture decoder");
        goto done;
    }
    err = avcodec_send_packet(dec, pkt);
    if (err >= 0)
        err = avcodec_send_packet(dec, NULL);
    if (err >= 0)
        err = avcodec_receive_frame(dec, frame);
    if (err < 0) {
        ret = thumb_fail_av(c, err, "cannot decode picture");
        goto done;
    }
    *out = frame;
    frame = NULL;
done:
    av_frame_free(&frame);
    av_packet_free(&pkt);
    avcodec_free_context(&dec);
    return ret;
}

static int is_sof(int m)
{
    /* SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC). */
    return m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;
}

/* Walks the marker segments of the JPEG in f up to the first SOF. */
static int probe_stream(FILE *f, int *w, int *h, char *comment, size_t cap)
{
    int got_comment = 0;

    if (cap)
        comment[0] = '\0';
    if (fgetc(f) != 0xFF || fgetc(f) != 0xD8)
        return THUMB_ERROR;
    for (;;) {
        int m, hi, lo;
        long len;

        m = fgetc(f);
        if (m != 0xFF)
            return THUMB_ERROR;
        while ((m = fgetc(f)) == 0xFF) /* fill bytes */
            ;
        if (m == EOF || m == 0xD9 || m == 0xDA)
            return THUMB_ERROR; /* end of image or scan data before any frame header */
        if (m == 0x01 || (m >= 0xD0 && m <= 0xD7))
            continue; /* markers without a length */
        hi = fgetc(f);
        lo = fgetc(f);
        if (hi == EOF || lo == EOF)
            return THUMB_ERROR;
        len = (hi << 8 | lo) - 2;
        if (len < 0)
            return THUMB_ERROR;
        if (is_sof(m)) {
            uint8_t b[5];
            if (len < 5 || fread(b, 1, 5, f) != 5)
                return THUMB_ERROR;
            *h = b[1] << 8 | b[2];
            *w = b[3] << 8 | b[4];
            return *w > 0 && *h > 0 ? 0 : THUMB_ERROR;
        }
        if (m == 0xFE && !got_comment && cap) {
            size_t n = (size_t)len < cap - 1 ? (size_t)len : cap - 1;
            if (fread(comment, 1, n, f) != n)
                return THUMB_ERROR;
            comment[n] = '\0';
            got_comment = 1;
            len -= (long)n;
        }
        if (len && fseek(f, len, SEEK_CUR) != 0)
            return THUMB_ERROR;
    }
}

int thumb_jpeg_probe(const uint8_t *data, size_t size, int *w, int *h, char *comment,
                     size_t cap)
{
    FILE *f;
    int ret;

    if (size < 4)
        return THUMB_ERROR;
    f = fmemopen((void *)data, size, "rb");
    if (!f)
        return THUMB_ERROR;
    ret = probe_stream(f, w, h, comment, cap);
    fclose(f);
    return ret;
}

int thumb_jpeg_probe_file(const char *path, int *w, int *h, char *comment, size_t cap)
{
    FILE *f = fopen(path, "rb");
    int ret;

    if (!f)
        return THUMB_ERROR;
    ret = probe_stream(f, w, h, comment, cap);
    fclose(f);
    return ret;
}
