/* subtitles_av.c - text subtitle streams inside the media, decoded with
 * libavcodec into cues. */
#include "subtitles.h"

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct subs_track {
    AVCodecContext *dec;      /* NULL: not a text subtitle stream we decode */
    json_t *cues;
    int errors;
} subs_track;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int interrupt_cb(void *opaque)
{
    const double *deadline = opaque;
    return now() > *deadline;
}

/* The text of one ASS event as decoders write it,
 * "ReadOrder,Layer,Style,Name,MarginL,MarginR,MarginV,Effect,Text":
 * everything after the eighth comma. */
static const char *ass_text(const char *ass)
{
    const char *s = ass;
    for (int commas = 0; commas < 8; commas++) {
        s = strchr(s, ',');
        if (!s)
            return ass;
        s++;
    }
    return s;
}

/* Opens a decoder for st when it is a text subtitle stream; NULL otherwise. */
static AVCodecContext *open_decoder(const AVStream *st)
{
    const AVCodecDescriptor *desc = avcodec_descriptor_get(st->codecpar->codec_id);
    const AVCodec *codec;
    AVCodecContext *dec = NULL;

    if (st->codecpar->codec_type != AVMEDIA_TYPE_SUBTITLE || !desc
        || !(desc->props & AV_CODEC_PROP_TEXT_SUB)
        || !(codec = avcodec_find_decoder(st->codecpar->codec_id)))
        return NULL;
    if (!(dec = avcodec_alloc_context3(codec))
        || avcodec_parameters_to_context(dec, st->codecpar) < 0)
        goto fail;
    dec->pkt_timebase = st->time_base;
    if (avcodec_open2(dec, codec, NULL) < 0)
        goto fail;
    return dec;
fail:
    avcodec_free_context(&dec);
    return NULL;
}

/* Appends the cue one decoded subtitle makes (if it has text). offset is
 * the media's start in AV_TIME_BASE units. */
static void add_cue(subs_track *t, const AVSubtitle *sub, const AVPacket *pkt, const AVStream *st,
                    int64_t offset)
{
    size_t len = 0, n;
    char *text = NULL, *plain = NULL;
    int64_t base = sub->pts;
    double start, end;

    for (unsigned i = 0; i < sub->num_rects; i++) {
        const AVSubtitleRect *r = sub->rects[i];
        const char *s = r->type == SUBTITLE_ASS && r->ass ? ass_text(r->ass)
                        : r->type == SUBTITLE_TEXT && r->text ? r->text : NULL;
        char *grown;
        if (!s)
            continue;
        n = strlen(s);
        if (!(grown = realloc(text, len + n + 2)))
            goto done;
        text = grown;
        if (len)
            text[len++] = '\n';
        memcpy(text + len, s, n + 1);
        len += n;
    }
    if (!text || !(plain = malloc(len + 1)) || subs_plain_text(text, plain, len + 1) == 0)
        goto done;
    if (base == AV_NOPTS_VALUE)
        base = pkt->pts == AV_NOPTS_VALUE ? 0 : av_rescale_q(pkt->pts, st->time_base, AV_TIME_BASE_Q);
    base -= offset;
    start = base / 1e6 + sub->start_display_time / 1e3;
    /* a decoder that does not know the duration leaves end_display_time at
     * 0 (then the packet's duration, if any, is all there is) */
    end = sub->end_display_time ? base / 1e6 + sub->end_display_time / 1e3
          : pkt->duration > 0 ? start + pkt->duration * av_q2d(st->time_base) : start;
    start = round(start * 1000) / 1000;
    end = round(end * 1000) / 1000;
    if (end < start)
        end = start;
    if (json_array_append_new(t->cues, json_pack("{s:f,s:f,s:s}", "start", start, "end", end,
                                                 "text", plain)) < 0)
        t->errors++;        /* text that is not UTF-8 */
done:
    free(text);
    free(plain);
}

static json_t *track_json(const AVStream *st, const subs_track *t)
{
    const AVDictionaryEntry *lang = av_dict_get(st->metadata, "language", NULL, 0);
    json_t *o = json_pack("{s:i,s:s,s:O}", "stream", st->index,
                          "codec", avcodec_get_name(st->codecpar->codec_id), "cues", t->cues);
    if (lang && lang->value[0] && strcmp(lang->value, "und") != 0)
        json_object_set_new(o, "language", json_string(lang->value));
    if (t->errors)
        json_object_set_new(o, "errors", json_integer(t->errors));
    return o;
}

int subs_from_streams(const char *path, double timeout, json_t **out_tracks)
{
    double deadline = now() + (timeout > 0 ? timeout : 30);
    AVFormatContext *fmt = NULL;
    AVPacket *pkt = NULL;
    subs_track *tracks = NULL;
    json_t *out = NULL;
    int64_t offset = 0;
    int rc = SUBS_EMEDIA, any = 0, err = 0;

    *out_tracks = NULL;
    if (!(fmt = avformat_alloc_context()))
        goto done;
    fmt->interrupt_callback.callback = interrupt_cb;
    fmt->interrupt_callback.opaque = &deadline;
    /* no avformat_find_stream_info: the headers of the containers that
     * carry text subtitles name their codecs, and probing would decode
     * video for nothing */
    if (avformat_open_input(&fmt, path, NULL, NULL) < 0) {
        fmt = NULL;     /* freed by avformat_open_input */
        goto done;
    }
    if (!(tracks = calloc(fmt->nb_streams ? fmt->nb_streams : 1, sizeof *tracks))
        || !(pkt = av_packet_alloc()))
        goto done;
    for (unsigned i = 0; i < fmt->nb_streams; i++) {
        tracks[i].dec = open_decoder(fmt->streams[i]);
        if (tracks[i].dec) {
            tracks[i].cues = json_array();
            any = 1;
        } else {
            fmt->streams[i]->discard = AVDISCARD_ALL;    /* the demuxer skips its packets */
        }
    }
    if (fmt->start_time != AV_NOPTS_VALUE)
        offset = fmt->start_time;
    while (any && (err = av_read_frame(fmt, pkt)) >= 0) {
        subs_track *t = (unsigned)pkt->stream_index < fmt->nb_streams ? &tracks[pkt->stream_index]
                                                                      : NULL;
        AVSubtitle sub;
        int got = 0;
        if (t && t->dec) {
            if (avcodec_decode_subtitle2(t->dec, &sub, &got, pkt) < 0) {
                t->errors++;
            } else if (got) {
                add_cue(t, &sub, pkt, fmt->streams[pkt->stream_index], offset);
                avsubtitle_free(&sub);
            }
        }
        av_packet_unref(pkt);
    }
    /* a read error other than the end keeps the cues read so far (a
     * truncated file), unless it is the time limit */
    if (any && err != AVERROR_EOF && now() > deadline) {
        rc = SUBS_ETIMEOUT;
        goto done;
    }
    out = json_array();
    for (unsigned i = 0; i < fmt->nb_streams; i++)
        if (tracks[i].dec)
            json_array_append_new(out, track_json(fmt->streams[i], &tracks[i]));
    *out_tracks = out;
    rc = 0;
done:
    for (unsigned i = 0; tracks && i < fmt->nb_streams; i++) {
        avcodec_free_context(&tracks[i].dec);
        json_decref(tracks[i].cues);
    }
    free(tracks);
    av_packet_free(&pkt);
    avformat_close_input(&fmt);
    return rc;
}
