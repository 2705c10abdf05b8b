/* Storyboards: a sprite sheet of tiles at a fixed interval and a WebVTT file that maps every
 * time range to its tile, as video players' seek-bar previews expect. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "thumbs_int.h"

#define MAX_TILES 100
#define COLUMNS 10
/* Longer than any real recording (four months); beyond it the duration is a lie. */
#define MAX_DURATION 1e7
/* JPEG stores sizes in 16 bits. */
#define MAX_SHEET_SIDE 65500
/* Packets read to reach one tile in keyframe mode: the keyframe itself and, when keyframes
 * are far apart there, the frames up to the tile's time. */
#define TILE_PACKETS 96
#define SHEET_QSCALE 6

/* Round numbers of seconds a person reads off a seek bar. */
static const int nice_intervals[] = {1,  2,  3,  4,   5,   6,   10,  12,  15,   20,   30,  45,
                                     60, 90, 120, 180, 240, 300, 600, 900, 1200, 1800, 3600};

static int pick_interval(double duration)
{
    double raw = ceil(duration / MAX_TILES);

    for (size_t i = 0; i < sizeof(nice_intervals) / sizeof(nice_intervals[0]); i++)
        if (nice_intervals[i] >= raw)
            return nice_intervals[i];
    return (int)(ceil(raw / 3600) * 3600);
}

/* Keyframe-only decoding is good enough when keyframes are at least as dense as tiles; the
 * demuxer's index (mp4, mov, mkv cues, avi) tells without decoding. No index: seek and see. */
static int keyframes_dense(AVStream *st, double duration, int interval)
{
    int n = avformat_index_get_entries_count(st), keys = 0;

    for (int i = 0; i < n; i++) {
        const AVIndexEntry *e = avformat_index_get_entry(st, i);
        if (e && (e->flags & AVINDEX_KEYFRAME))
            keys++;
    }
    return keys == 0 || duration / keys <= interval;
}

static void format_time(char *buf, size_t cap, int64_t ms)
{
    snprintf(buf, cap, "%02lld:%02lld:%02lld.%03lld", (long long)(ms / 3600000),
             (long long)(ms / 60000 % 60), (long long)(ms / 1000 % 60), (long long)(ms % 1000));
}

/* Brings the decoder to a frame at or just before `t` in keyframe mode. Returns 0 with a frame
 * in m->frame, 1 without, or THUMB_TIMEOUT. */
static int tile_by_keyframe(thumb_media *m, double t, int interval)
{
    int budget = TILE_PACKETS, r;
    double ft;

    if (thumb_media_seek(m, t) < 0)
        return 1;
    r = thumb_media_key(m, &budget);
    if (r < 0)
        return r;
    ft = r == 0 ? thumb_media_frame_time(m) : -1;
    if (r == 0 && (ft < 0 || ft >= t - interval))
        return 0;
    /* No keyframe there, or one much older than the tile: decode on from it to the tile's
     * time, all frames this once. */
    if (thumb_media_seek(m, t) < 0)
        return 1;
    budget = TILE_PACKETS;
    while ((r = thumb_media_next(m, &budget)) == 0)
        if ((ft = thumb_media_frame_time(m)) < 0 || ft >= t)
            return 0;
    return r < 0 ? r : m->frame->width > 0 ? 0 : 1;
}

/* Brings the decoder forward, never back, to the first frame at or after `t`. */
static int tile_by_reading(thumb_media *m, double t, int budget)
{
    int r = 0;

    while ((r = thumb_media_next(m, &budget)) == 0)
        if (thumb_media_frame_time(m) >= t || thumb_media_frame_time(m) < 0)
            return 0;
    return r < 0 ? r : 0; /* end of stream: the last frame stands for the remaining tiles */
}

static int write_vtt(thumb_call *c, const char *vtt_path, const char *sheet_name,
                     const thumb_storyboard *sb, int64_t duration_ms)
{
    size_t cap = 256 + (size_t)sb->count * (64 + strlen(sheet_name)), len = 0;
    char *buf = malloc(cap);
    int ret;

    if (!buf)
        return thumb_fail(c, THUMB_ERROR, "out of memory");
    /* The NOTE carries the facts a later call returns without re-reading the cues. */
    len += (size_t)snprintf(buf + len, cap - len,
                            "WEBVTT\n\nNOTE reel-storyboard interval=%d columns=%d count=%d "
                            "tile=%dx%d\n\n",
                            sb->interval, sb->columns, sb->count, sb->tile_w, sb->tile_h);
    for (int i = 0; i < sb->count && len < cap; i++) {
        char from[32], to[32];
        int64_t start = (int64_t)i * sb->interval * 1000;
        int64_t end = i == sb->count - 1 ? duration_ms : start + (int64_t)sb->interval * 1000;
        format_time(from, sizeof(from), start);
        format_time(to, sizeof(to), end);
        len += (size_t)snprintf(buf + len, cap - len, "%s --> %s\n%s#xywh=%d,%d,%d,%d\n\n", from,
                                to, sheet_name, i % sb->columns * sb->tile_w,
                                i / sb->columns * sb->tile_h, sb->tile_w, sb->tile_h);
    }
    ret = len < cap ? thumb_store_write(c, vtt_path, buf, len)
                    : thumb_fail(c, THUMB_ERROR, "storyboard cues overflow");
    free(buf);
    return ret;
}

int thumb_storyboard_make(thumb_media *m, int tile_width, const char *sheet_path,
                          const char *vtt_path, const char *sheet_name, thumb_storyboard *out)
{
    thumb_call *c = m->call;
    AVStream *st = m->fmt->streams[m->video];
    thumb_scaler sws = {0};
    AVFrame *sheet = NULL, *tile = NULL;
    uint8_t *jpeg = NULL;
    size_t jpeg_size = 0;
    thumb_storyboard sb = {0};
    thumb_turn turn = {m->rotation, 0};
    int64_t duration_ms;
    int sw, sh, rows, keyframe_mode, seq_budget, ret;
    double fps;

    if (!(m->duration > 0 && m->duration < MAX_DURATION)) {
        ret = thumb_fail(c, THUMB_ERROR, "no usable duration for a storyboard");
        goto done;
    }
    duration_ms = llround(m->duration * 1000);
    sb.interval = pick_interval(m->duration);
    sb.count = (int)((duration_ms + sb.interval * 1000 - 1) / (sb.interval * 1000));
    if (sb.count < 1)
        sb.count = 1;
    sb.columns = FFMIN(COLUMNS, sb.count);
    ret = thumb_fit(c, st->codecpar->width, st->codecpar->height,
                    av_guess_sample_aspect_ratio(m->fmt, st, NULL), turn, tile_width,
                    &sw, &sh);
    if (ret < 0)
        goto done;
    sb.tile_w = turn.rotation == 90 || turn.rotation == 270 ? sh : sw;
    sb.tile_h = turn.rotation == 90 || turn.rotation == 270 ? sw : sh;
    rows = (sb.count + sb.columns - 1) / sb.columns;
    if ((int64_t)rows * sb.tile_h > MAX_SHEET_SIDE) {
        ret = thumb_fail(c, THUMB_ERROR, "storyboard tiles too tall (%dx%d)", sb.tile_w,
                         sb.tile_h);
        goto done;
    }
    ret = thumb_pic_alloc(c, sb.columns * sb.tile_w, rows * sb.tile_h, &sheet);
    if (ret < 0)
        goto done;
    if (!m->dec) {
        ret = thumb_media_open_decoder(m, 0, 0);
        if (ret < 0)
            goto done;
    }
    keyframe_mode = keyframes_dense(st,
                                    m->video_duration > 0 ? fmin(m->video_duration, m->duration)
                                                          : m->duration,
                                    sb.interval);
    fps = av_q2d(st->avg_frame_rate) > 0 ? av_q2d(st->avg_frame_rate) : 60;
    seq_budget = TILE_PACKETS + (int)fmin(2 * fps * sb.interval, 1e6);
    if (!keyframe_mode) {
        /* Sparse keyframes: one pass from the start, reference frames only (B-frames are
         * never needed for a tile and are half the decoding work). */
        thumb_media_seek(m, 0);
        m->dec->skip_frame = AVDISCARD_NONREF;
    }
    for (int i = 0; i < sb.count; i++) {
        double start = (double)i * sb.interval;
        double end = fmin(start + sb.interval, m->duration);
        double t = (start + end) / 2; /* the middle stands for its range best */
        int r;

        /* Past the end of the picture (a longer audio or subtitle track): the last tile
         * stands for the rest, without decoding anything more. */
        if (tile && m->video_duration > 0 && start >= m->video_duration)
            r = 1;
        else
            r = keyframe_mode ? tile_by_keyframe(m, t, sb.interval)
                              : tile_by_reading(m, t, seq_budget);

        if (r < 0) {
            ret = r;
            goto done;
        }
        if (r == 0 && m->frame->width > 0) {
            AVFrame *fresh = NULL;
            ret = thumb_scale(c, &sws, m->frame, sw, sh, &fresh);
            if (ret == 0)
                ret = thumb_turn_pic(c, &fresh, turn);
            if (ret < 0) {
                av_frame_free(&fresh);
                goto done;
            }
            av_frame_free(&tile);
            tile = fresh;
        }
        /* A tile that could not be decoded repeats the one before: no holes in the sheet. */
        if (tile)
            thumb_blit(sheet, tile, i % sb.columns * sb.tile_w, i / sb.columns * sb.tile_h);
    }
    if (!tile) {
        ret = thumb_fail(c, THUMB_ERROR, "no decodable video frame for the storyboard");
        goto done;
    }
    ret = thumb_jpeg_encode(c, sheet, SHEET_QSCALE, "reel-storyboard", &jpeg, &jpeg_size);
    if (ret < 0)
        goto done;
    /* Sheet first: the VTT is the marker that the storyboard is complete. */
    ret = thumb_store_write(c, sheet_path, jpeg, jpeg_size);
    if (ret < 0)
        goto done;
    ret = write_vtt(c, vtt_path, sheet_name, &sb, duration_ms);
    if (ret < 0)
        goto done;
    *out = sb;
done:
    if (m->dec)
        m->dec->skip_frame = AVDISCARD_DEFAULT;
    av_free(jpeg);
    av_frame_free(&tile);
    av_frame_free(&sheet);
    thumb_scaler_release(&sws);
    return ret;
}

int thumb_storyboard_read(const thumb_call *c, const char *vtt_path, thumb_storyboard *out)
{
    thumb_call quiet = *c;
    char *text = NULL;
    const char *note;
    size_t size;
    thumb_storyboard sb = {0};
    int ret;

    /* A missing VTT is the normal "not made yet" answer, not an error of this call. */
    ret = thumb_store_read(&quiet, vtt_path, 4096, &text, &size);
    if (ret < 0)
        goto done;
    note = strstr(text, "\nNOTE reel-storyboard ");
    if (strncmp(text, "WEBVTT", 6) != 0 || !note ||
        sscanf(note, "\nNOTE reel-storyboard interval=%d columns=%d count=%d tile=%dx%d",
               &sb.interval, &sb.columns, &sb.count, &sb.tile_w, &sb.tile_h) != 5 ||
        sb.interval <= 0 || sb.count <= 0) {
        ret = THUMB_ERROR;
        goto done;
    }
    *out = sb;
done:
    free(text);
    return ret;
}
