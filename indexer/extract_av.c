/* extract_av.c - containers FFmpeg can read: video, audio, and still images
 * that arrive through FFmpeg's image demuxers (PNG, WebP, BMP, GIF...). */
#include "extract.h"

#include <libavformat/avformat.h>
#include <libavutil/display.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "compat.h"
#include "datetime.h"
#include "geo.h"

/* ---- FFmpeg's log, routed per file --------------------------------------- */

static char last_log[256];
static int log_verbose;
static const char *log_path;

/* Keeps FFmpeg's last error about the current file (it often says more
 * than the return code) and, with --verbose, prints its messages with the
 * file they are about. */
static void log_cb(void *avcl, int level, const char *fmt, va_list vl)
{
    char line[512];
    int prefix = 0;     /* no "[demuxer @ 0xADDRESS]": the file is named instead */
    size_t n;

    if (level > AV_LOG_WARNING && !(log_verbose && level <= AV_LOG_INFO))
        return;
    av_log_format_line(avcl, level, fmt, vl, line, sizeof line, &prefix);
    n = strlen(line);
    while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = 0;
    if (level <= AV_LOG_ERROR && n)
        snprintf(last_log, sizeof last_log, "%.255s", line);
    if (log_verbose)
        fprintf(stderr, "reel: %s: %s\n", log_path ? log_path : "?", line);
}

void extract_av_log_verbose(int verbose)
{
    log_verbose = verbose;
}

void extract_av_log_begin(const char *path)
{
    last_log[0] = 0;
    log_path = path;
    av_log_set_callback(log_cb);
}

const char *extract_av_last_log(void)
{
    return last_log;
}

/* ---- the record ------------------------------------------------------------ */

static int interrupt_cb(void *opaque)
{
    const extract_ctx *x = opaque;
    return mono_now() > x->deadline;
}

static int rotation_of(const AVStream *st)
{
    const int32_t *m = compat_display_matrix(st);
    double a;
    if (!m)
        return 0;
    a = av_display_rotation_get(m);
    if (isnan(a))
        return 0;
    /* av_display_rotation_get is counter-clockwise; players rotate clockwise */
    return (((int)lround(-a) % 360) + 360) % 360;
}

static double fps_of(const AVStream *st)
{
    AVRational r = st->avg_frame_rate.num && st->avg_frame_rate.den ? st->avg_frame_rate
                                                                   : st->r_frame_rate;
    return r.num > 0 && r.den > 0 ? av_q2d(r) : 0;
}

static void set_int(json_t *o, const char *k, int64_t v)
{
    if (v > 0)
        json_object_set_new(o, k, json_integer(v));
}

static json_t *stream_json(const AVStream *st)
{
    const AVCodecParameters *p = st->codecpar;
    const char *type = av_get_media_type_string(p->codec_type);
    AVDictionaryEntry *lang = av_dict_get(st->metadata, "language", NULL, 0);
    json_t *s = json_object();

    json_object_set_new(s, "index", json_integer(st->index));
    json_object_set_new(s, "type", json_string(type ? type : "unknown"));
    json_object_set_new(s, "codec", json_string(avcodec_get_name(p->codec_id)));
    if (p->codec_type == AVMEDIA_TYPE_VIDEO) {
        set_int(s, "width", p->width);
        set_int(s, "height", p->height);
        if (!(st->disposition & AV_DISPOSITION_ATTACHED_PIC) && fps_of(st) > 0)
            json_object_set_new(s, "fps", json_real(round(fps_of(st) * 1000) / 1000));
        if (rotation_of(st))
            json_object_set_new(s, "rotation", json_integer(rotation_of(st)));
        if (st->disposition & AV_DISPOSITION_ATTACHED_PIC)
            json_object_set_new(s, "attached_pic", json_true());
    } else if (p->codec_type == AVMEDIA_TYPE_AUDIO) {
        set_int(s, "sample_rate", p->sample_rate);
        set_int(s, "channels", p->ch_layout.nb_channels);
    }
    if (lang && lang->value[0] && strcmp(lang->value, "und") != 0)
        json_object_set_new(s, "language", json_string(lang->value));
    return s;
}

static void lower(char *s)
{
    for (; *s; s++)
        if (*s >= 'A' && *s <= 'Z')
            *s = (char)(*s + 32);
}

static void fill_tags(extract_ctx *x, const AVFormatContext *fmt)
{
    const AVDictionaryEntry *t = NULL;
    json_t *tags = json_object();
    const char *when_src[] = {"com.apple.quicktime.creationdate", "creation_time", "date"};
    const char *loc_src[] = {"com.apple.quicktime.location.iso6709", "location"};
    char key[128], when[DATETIME_MAX];
    double lat, lon;

    while ((t = av_dict_get(fmt->metadata, "", t, AV_DICT_IGNORE_SUFFIX))) {
        snprintf(key, sizeof key, "%s", t->key);
        lower(key);
        json_object_set_new(tags, key, json_string(t->value));
    }
    /* the QuickTime local date keeps the offset creation_time (UTC) lost */
    for (size_t i = 0; i < sizeof when_src / sizeof *when_src; i++) {
        const char *v = json_string_value(json_object_get(tags, when_src[i]));
        if (v && datetime_from_container(v, when) == 0) {
            json_object_set_new(x->rec, "recorded_at", json_string(when));
            json_object_set_new(x->rec, "recorded_at_source", json_string("container"));
            break;
        }
    }
    for (size_t i = 0; i < sizeof loc_src / sizeof *loc_src; i++) {
        const char *v = json_string_value(json_object_get(tags, loc_src[i]));
        if (v && geo_parse_iso6709(v, &lat, &lon) == 0) {
            json_object_set_new(x->rec, "location", json_pack("{s:f,s:f}", "lat", lat, "lon", lon));
            json_object_set_new(x->rec, "location_source", json_string("container"));
            break;
        }
    }
    if (json_object_size(tags))
        json_object_set_new(x->rec, "tags", tags);
    else
        json_decref(tags);
}

static void fill_chapters(extract_ctx *x, const AVFormatContext *fmt)
{
    json_t *arr;
    if (!fmt->nb_chapters)
        return;
    arr = json_array();
    for (unsigned i = 0; i < fmt->nb_chapters; i++) {
        const AVChapter *ch = fmt->chapters[i];
        AVDictionaryEntry *title = av_dict_get(ch->metadata, "title", NULL, 0);
        json_t *c = json_pack("{s:f,s:f}", "start", ch->start * av_q2d(ch->time_base),
                              "end", ch->end * av_q2d(ch->time_base));
        if (title)
            json_object_set_new(c, "title", json_string(title->value));
        json_array_append_new(arr, c);
    }
    json_object_set_new(x->rec, "chapters", arr);
}

/* FFmpeg reads still images through demuxers named "<codec>_pipe" or
 * "image2"; anything they produce is a photo. */
static int is_image_demuxer(const char *name)
{
    size_t n = strlen(name);
    return strcmp(name, "image2") == 0 || (n > 5 && strcmp(name + n - 5, "_pipe") == 0);
}

static int open_input(extract_ctx *x, AVFormatContext **out)
{
    AVFormatContext *fmt = avformat_alloc_context();
    int err;

    *out = NULL;
    if (!fmt)
        return extract_fail(x, "probe", "out of memory");
    fmt->interrupt_callback.callback = interrupt_cb;
    fmt->interrupt_callback.opaque = x;
    err = avformat_open_input(&fmt, x->path, NULL, NULL);
    if (err < 0) {
        if (mono_now() > x->deadline)
            return extract_fail(x, "timeout", "gave up reading the container after the time limit");
        return extract_fail(x, "probe", "not a readable media file: %s%s%s", av_err2str(err),
                            last_log[0] ? ": " : "", last_log);
    }
    err = avformat_find_stream_info(fmt, NULL);
    if (err < 0) {
        avformat_close_input(&fmt);
        if (mono_now() > x->deadline)
            return extract_fail(x, "timeout", "gave up reading the streams after the time limit");
        return extract_fail(x, "probe", "cannot read stream information: %s", av_err2str(err));
    }
    *out = fmt;
    return 0;
}

int extract_av_fill(extract_ctx *x)
{
    AVFormatContext *fmt = NULL;
    json_t *streams;
    int main_video = -1, audio = -1, rc = -1;

    if (open_input(x, &fmt) < 0)
        return -1;
    streams = json_array();
    for (unsigned i = 0; i < fmt->nb_streams; i++) {
        const AVStream *st = fmt->streams[i];
        const AVCodecParameters *p = st->codecpar;
        json_array_append_new(streams, stream_json(st));
        if (p->codec_type == AVMEDIA_TYPE_VIDEO && !(st->disposition & AV_DISPOSITION_ATTACHED_PIC)
            && p->width > 0 && p->height > 0 && main_video < 0)
            main_video = (int)i;
        if (p->codec_type == AVMEDIA_TYPE_AUDIO && p->codec_id != AV_CODEC_ID_NONE && audio < 0)
            audio = (int)i;
    }
    json_object_set_new(x->rec, "streams", streams);
    json_object_set_new(x->rec, "format", json_string(fmt->iformat->name));

    if (main_video >= 0) {
        const AVStream *st = fmt->streams[main_video];
        int photo = is_image_demuxer(fmt->iformat->name);
        json_object_set_new(x->rec, "kind", json_string(photo ? "photo" : "video"));
        set_int(x->rec, "width", st->codecpar->width);
        set_int(x->rec, "height", st->codecpar->height);
        json_object_set_new(x->rec, "rotation", json_integer(rotation_of(st)));
        if (!photo && fps_of(st) > 0)
            json_object_set_new(x->rec, "fps", json_real(round(fps_of(st) * 1000) / 1000));
    } else if (audio >= 0) {
        json_object_set_new(x->rec, "kind", json_string("audio"));
    } else {
        extract_fail(x, "probe", "no readable audio or video stream (format %s)",
                     fmt->iformat->name);
        goto done;
    }
    if (fmt->duration != AV_NOPTS_VALUE && fmt->duration > 0)
        json_object_set_new(x->rec, "duration",
                            json_real(round((double)fmt->duration / AV_TIME_BASE * 1e6) / 1e6));
    set_int(x->rec, "bit_rate", fmt->bit_rate);
    fill_chapters(x, fmt);
    fill_tags(x, fmt);
    rc = 0;
done:
    avformat_close_input(&fmt);
    return rc;
}

static int av_probe(const extract_ctx *x)
{
    (void)x;
    return 1;   /* the fallback: FFmpeg's own probing decides */
}

const extractor extract_av = {"ffmpeg", av_probe, extract_av_fill};
