/* Demuxing and decoding the main video stream of a file, under a deadline. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <libavutil/display.h>

#include "compat.h"
#include "thumbs_int.h"

static int interrupted(void *opaque)
{
    return thumb_call_expired(opaque);
}

/* Image demuxers ("jpeg_pipe", "png_pipe", "image2"...) mean a photo, not a video. */
static int is_image_format(const AVInputFormat *f)
{
    size_t n = strlen(f->name);

    return !strcmp(f->name, "image2") || (n > 5 && !strcmp(f->name + n - 5, "_pipe"));
}

static int stream_rotation(const AVStream *st)
{
    const int32_t *matrix = thumb_compat_display_matrix(st);
    double angle;

    if (!matrix)
        return 0;
    angle = av_display_rotation_get(matrix);
    if (isnan(angle))
        return 0;
    /* av_display_rotation_get() is counter-clockwise; we store clockwise degrees 0..359 as
     * ffprobe's consumers expect. Only quarter turns are applied to pictures. */
    return ((int)lround(-angle) % 360 + 360) % 360;
}

/* The video stream's own length: the header's, else Matroska's per-track DURATION tag that
 * mkvmerge writes ("00:00:30.076000000"); 0 when unknown. */
static double stream_duration(const AVStream *st)
{
    const AVDictionaryEntry *tag = av_dict_get(st->metadata, "DURATION", NULL, 0);
    int h, mi;
    double sec;

    if (st->duration > 0)
        return st->duration * av_q2d(st->time_base);
    if (tag && sscanf(tag->value, "%d:%d:%lf", &h, &mi, &sec) == 3 && h >= 0 && mi >= 0 &&
        sec >= 0)
        return h * 3600.0 + mi * 60.0 + sec;
    return 0;
}

/* Classifies the streams: the largest real video stream (default disposition first), an
 * attached picture, any audio. Everything else is discarded so the demuxer skips it. */
static void pick_streams(thumb_media *m)
{
    int64_t best = -1;

    for (unsigned i = 0; i < m->fmt->nb_streams; i++) {
        AVStream *st = m->fmt->streams[i];
        enum AVMediaType type = st->codecpar->codec_type;

        st->discard = AVDISCARD_ALL;
        if (type == AVMEDIA_TYPE_AUDIO) {
            m->audio = 1;
        } else if (type == AVMEDIA_TYPE_VIDEO && (st->disposition & AV_DISPOSITION_ATTACHED_PIC)) {
            if (m->cover < 0 && st->attached_pic.size > 0)
                m->cover = (int)i;
        } else if (type == AVMEDIA_TYPE_VIDEO) {
            int64_t rank = (int64_t)st->codecpar->width * st->codecpar->height;
            if (st->disposition & AV_DISPOSITION_DEFAULT)
                rank += INT64_C(1) << 40;
            if (rank > best) {
                best = rank;
                m->video = (int)i;
            }
        }
    }
    if (m->video >= 0) {
        AVStream *st = m->fmt->streams[m->video];
        st->discard = AVDISCARD_DEFAULT;
        m->rotation = stream_rotation(st);
        m->video_duration = stream_duration(st);
        if (m->fmt->duration > 0)
            m->duration = m->fmt->duration / (double)AV_TIME_BASE;
        else
            m->duration = m->video_duration;
    }
}

int thumb_media_open(thumb_media *m, thumb_call *c, const char *path)
{
    int err;

    memset(m, 0, sizeof(*m));
    m->call = c;
    m->video = m->cover = -1;
    m->fmt = avformat_alloc_context();
    m->pkt = av_packet_alloc();
    m->frame = av_frame_alloc();
    m->scratch = av_frame_alloc();
    if (!m->fmt || !m->pkt || !m->frame || !m->scratch)
        return thumb_fail(c, THUMB_ERROR, "out of memory");
    /* Checked by every blocking read inside libavformat: a hostile file cannot hang us. */
    m->fmt->interrupt_callback.callback = interrupted;
    m->fmt->interrupt_callback.opaque = c;
    err = avformat_open_input(&m->fmt, path, NULL, NULL);
    if (err < 0) /* avformat_open_input() freed the context */
        return thumb_fail_av(c, err, "cannot open media");
    m->photo = is_image_format(m->fmt->iformat);
    /* An image demuxer already knows the codec; probing would decode the whole picture once
     * more only to learn its pixel format, which our own decode learns anyway. */
    if (!m->photo) {
        err = avformat_find_stream_info(m->fmt, NULL);
        /* Partial information is still worth a try when streams were found; the decoder
         * has the last word. Nothing at all is an error. */
        if (err < 0 && m->fmt->nb_streams == 0)
            return thumb_fail_av(c, err, "cannot read stream info");
    }
    if (thumb_call_expired(c))
        return thumb_fail_av(c, AVERROR_EXIT, "");
    pick_streams(m);
    return 0;
}

int thumb_media_open_decoder(thumb_media *m, int short_side, int need)
{
    const AVStream *st = m->fmt->streams[m->video];
    const AVCodec *codec = avcodec_find_decoder(st->codecpar->codec_id);
    int err;

    if (!codec)
        return thumb_fail(m->call, THUMB_ERROR, "no decoder for video codec %s",
                          avcodec_get_name(st->codecpar->codec_id));
    m->dec = avcodec_alloc_context3(codec);
    if (!m->dec)
        return thumb_fail(m->call, THUMB_ERROR, "out of memory");
    err = avcodec_parameters_to_context(m->dec, st->codecpar);
    if (err < 0)
        return thumb_fail_av(m->call, err, "cannot set up decoder");
    m->dec->pkt_timebase = st->time_base;
    /* The caller runs one process per core; threads would only add start-up cost and
     * frame delay for the one frame we need. */
    m->dec->thread_count = 1;
    if (short_side > 0 && need > 0) {
        int lowres = 0;
        /* JPEG decodes at 1/2, 1/4 or 1/8 size for a fraction of the cost: a 12-megapixel
         * photo needs no more than a poster's worth of pixels. */
        while (lowres < codec->max_lowres && (short_side >> (lowres + 1)) >= need)
            lowres++;
        m->dec->lowres = lowres;
    }
    err = avcodec_open2(m->dec, codec, NULL);
    if (err < 0)
        return thumb_fail_av(m->call, err, "cannot open video decoder");
    return 0;
}

int thumb_media_seek(thumb_media *m, double t)
{
    const AVStream *st = m->fmt->streams[m->video];
    int64_t ts = (int64_t)llrint(t / av_q2d(st->time_base));

    if (st->start_time != AV_NOPTS_VALUE)
        ts += st->start_time;
    if (av_seek_frame(m->fmt, m->video, ts, AVSEEK_FLAG_BACKWARD) < 0)
        return THUMB_ERROR;
    avcodec_flush_buffers(m->dec);
    m->drained = 0;
    return 0;
}

int thumb_media_next(thumb_media *m, int *budget)
{
    int errors = 0;

    for (;;) {
        /* Into a scratch frame: receive_frame() empties its argument even when it returns
         * nothing, and callers keep using the last good frame after the stream ends. */
        int err = avcodec_receive_frame(m->dec, m->scratch);

        if (err == 0) {
            av_frame_unref(m->frame);
            av_frame_move_ref(m->frame, m->scratch);
            return 0;
        }
        if (err == AVERROR_EOF)
            return 1;
        if (err != AVERROR(EAGAIN)) {
            /* A broken frame: note it and keep going, the next one may decode; but a decoder
             * that only ever fails must not keep us here. */
            m->decode_errors++;
            m->last_error = err;
            if (++errors > 64)
                return 1;
            continue;
        }
        if (thumb_call_expired(m->call))
            return thumb_fail_av(m->call, AVERROR_EXIT, "");
        if (m->drained || *budget <= 0)
            return 1;
        err = av_read_frame(m->fmt, m->pkt);
        if (err == AVERROR_EXIT)
            return thumb_fail_av(m->call, err, "");
        if (err < 0) {
            /* End of file or a truncated/corrupt file: drain what the decoder holds. */
            if (err != AVERROR_EOF)
                m->last_error = err;
            m->drained = 1;
            avcodec_send_packet(m->dec, NULL);
            continue;
        }
        if (m->pkt->stream_index == m->video) {
            (*budget)--;
            err = avcodec_send_packet(m->dec, m->pkt);
            if (err < 0 && err != AVERROR(EAGAIN)) {
                m->decode_errors++;
                m->last_error = err;
            }
        }
        av_packet_unref(m->pkt);
    }
}

int thumb_media_key(thumb_media *m, int *budget)
{
    for (;;) {
        int err, zero = 0, r;

        if (thumb_call_expired(m->call))
            return thumb_fail_av(m->call, AVERROR_EXIT, "");
        if (*budget <= 0)
            return 1;
        err = av_read_frame(m->fmt, m->pkt);
        if (err == AVERROR_EXIT)
            return thumb_fail_av(m->call, err, "");
        if (err < 0) {
            if (err != AVERROR_EOF)
                m->last_error = err;
            return 1;
        }
        if (m->pkt->stream_index != m->video) {
            av_packet_unref(m->pkt);
            continue;
        }
        (*budget)--;
        if (!(m->pkt->flags & AV_PKT_FLAG_KEY)) {
            av_packet_unref(m->pkt);
            continue;
        }
        err = avcodec_send_packet(m->dec, m->pkt);
        av_packet_unref(m->pkt);
        if (err < 0) {
            m->decode_errors++;
            m->last_error = err;
            continue;
        }
        /* Drain at once: a decoder with frame reordering holds the keyframe back until later
         * frames arrive, and we want no later frames. */
        avcodec_send_packet(m->dec, NULL);
        m->drained = 1;
        r = thumb_media_next(m, &zero);
        if (r != 1)
            return r;
        /* This keyframe did not decode; reset the drained decoder and try the next one. */
        avcodec_flush_buffers(m->dec);
        m->drained = 0;
    }
}

double thumb_media_frame_time(const thumb_media *m)
{
    const AVStream *st = m->fmt->streams[m->video];
    int64_t ts = m->frame->best_effort_timestamp;
    double t;

    if (ts == AV_NOPTS_VALUE)
        return -1;
    if (st->start_time != AV_NOPTS_VALUE)
        ts -= st->start_time;
    t = ts * av_q2d(st->time_base);
    return t < 0 ? 0 : t;
}

AVRational thumb_media_sar(const thumb_media *m)
{
    return av_guess_sample_aspect_ratio(m->fmt, m->fmt->streams[m->video], m->frame);
}

void thumb_media_release(thumb_media *m)
{
    avcodec_free_context(&m->dec);
    avformat_close_input(&m->fmt);
    av_packet_free(&m->pkt);
    av_frame_free(&m->frame);
    av_frame_free(&m->scratch);
}
