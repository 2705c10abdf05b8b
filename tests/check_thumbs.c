/* Check suite "thumbs": posters and storyboards made by thumb_make().
 *
 * Fixtures are generated at test time with the ffmpeg command-line tool in a mkdtemp folder
 * (short, low-resolution clips), EXIF blocks are written with libexif, and every poster and
 * sheet is decoded back with libavcodec to measure what a person would see: its size, where
 * it is bright, how much picture it holds. Real files from ../shared/corpus are run too. */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libexif/exif-data.h>

#include "thumbs.h"

static char work[256]; /* fixtures */
static char out_root[300]; /* thumbnails folders, one per test below it */

/* ---- helpers ---- */

static void sh(const char *fmt, ...)
{
    char cmd[4096];
    va_list ap;
    int rc;

    va_start(ap, fmt);
    vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    rc = system(cmd);
    ck_assert_msg(rc == 0, "command failed (%d): %s", rc, cmd);
}

/* Path of fixture `name`, made by `ffmpeg -v error -y ARGS path` unless it exists already. */
static const char *fixture(const char *name, const char *args)
{
    static char path[8][512];
    static int next;
    char *p = path[next++ % 8];

    snprintf(p, 512, "%s/%s", work, name);
    if (access(p, F_OK) != 0)
        sh("ffmpeg -nostdin -v error -y %s '%s'", args, p);
    return p;
}

/* A 64-hex-digit name for a fixture: thumbs trusts the caller's hash, so any stable and
 * distinct value per content will do (FNV-1a of the label, stretched). */
static const char *hash_of(const char *label)
{
    static char out[4][65];
    static int next;
    char *o = out[next++ % 4];

    for (int part = 0; part < 4; part++) {
        unsigned long long h = 1469598103934665603ULL ^ (unsigned long long)part;
        for (const unsigned char *p = (const unsigned char *)label; *p; p++)
            h = (h ^ *p) * 1099511628211ULL;
        snprintf(o + part * 16, 17, "%016llx", h);
    }
    return o;
}

/* A fresh thumbnails folder for one test. */
static const char *outdir(const char *name)
{
    static char dir[512];

    snprintf(dir, sizeof(dir), "%s/%s", out_root, name);
    sh("rm -rf '%s'", dir);
    return dir;
}

static json_t *make(int expect, const char *path, const char *label, const thumb_opts *o)
{
    json_t *res = NULL;
    int rc = thumb_make(&res, path, hash_of(label), o);

    ck_assert_ptr_nonnull(res);
    if (rc != expect) {
        char *dump = json_dumps(res, 0);
        ck_abort_msg("thumb_make(%s) = %d, expected %d: %s", path, rc, expect, dump);
    }
    return res;
}

static const char *str(json_t *o, const char *path1, const char *key)
{
    json_t *v = path1 ? json_object_get(o, path1) : o;
    const char *s = json_string_value(json_object_get(v, key));

    ck_assert_msg(s != NULL, "missing string %s.%s", path1 ? path1 : "", key);
    return s;
}

static json_int_t num(json_t *o, const char *path1, const char *key)
{
    json_t *v = json_object_get(json_object_get(o, path1), key);

    ck_assert_msg(json_is_integer(v), "missing integer %s.%s", path1, key);
    return json_integer_value(v);
}

/* A decoded JPEG's luma plane. */
typedef struct picture {
    int w, h;
    uint8_t *y; /* w * h */
} picture;

static picture decode_jpeg(const char *path)
{
    picture pic = {0};
    const AVCodec *codec = avcodec_find_decoder(AV_CODEC_ID_MJPEG);
    AVCodecContext *dec = avcodec_alloc_context3(codec);
    AVPacket *pkt = av_packet_alloc();
    AVFrame *frame = av_frame_alloc();
    FILE *f = fopen(path, "rb");
    long size;

    ck_assert_msg(f != NULL, "cannot open '%s'", path);
    fseek(f, 0, SEEK_END);
    size = ftell(f);
    fseek(f, 0, SEEK_SET);
    ck_assert_int_eq(av_new_packet(pkt, (int)size), 0);
    ck_assert_int_eq(fread(pkt->data, 1, (size_t)size, f), (size_t)size);
    fclose(f);
    ck_assert_int_eq(avcodec_open2(dec, codec, NULL), 0);
    ck_assert_int_eq(avcodec_send_packet(dec, pkt), 0);
    ck_assert_int_eq(avcodec_receive_frame(dec, frame), 0);
    pic.w = frame->width;
    pic.h = frame->height;
    pic.y = malloc((size_t)pic.w * pic.h);
    for (int r = 0; r < pic.h; r++)
        memcpy(pic.y + (size_t)r * pic.w, frame->data[0] + (size_t)r * frame->linesize[0],
               (size_t)pic.w);
    av_frame_free(&frame);
    av_packet_free(&pkt);
    avcodec_free_context(&dec);
    return pic;
}

/* Mean luma of the rectangle [x0,x1) x [y0,y1) given in pixels. */
static double mean_rect(const picture *p, int x0, int y0, int x1, int y1)
{
    double sum = 0;

    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++)
            sum += p->y[(size_t)y * p->w + x];
    return sum / ((double)(x1 - x0) * (y1 - y0));
}

static double stddev_all(const picture *p)
{
    double m = mean_rect(p, 0, 0, p->w, p->h), sum = 0;

    for (size_t i = 0; i < (size_t)p->w * p->h; i++)
        sum += (p->y[i] - m) * (p->y[i] - m);
    return sqrt(sum / ((double)p->w * p->h));
}

static picture poster_of(json_t *res, const char *dir)
{
    char path[1024];

    snprintf(path, sizeof(path), "%s/%s", dir, str(res, "poster", "file"));
    return decode_jpeg(path);
}

/* The duration libavformat reports for a file, in milliseconds. */
static long long duration_ms(const char *path)
{
    AVFormatContext *fmt = NULL;
    long long ms;

    ck_assert_int_eq(avformat_open_input(&fmt, path, NULL, NULL), 0);
    ck_assert_int_ge(avformat_find_stream_info(fmt, NULL), 0);
    ms = llround(fmt->duration / 1000.0);
    avformat_close_input(&fmt);
    return ms;
}

/* Writes `in` (a JPEG) to `out` with an APP1 EXIF block holding Orientation and, when
 * thumb_path is given, that JPEG as the embedded thumbnail. */
static void add_exif(const char *in, const char *out, int orientation, const char *thumb_path)
{
    ExifData *ed = exif_data_new();
    ExifEntry *e = exif_entry_new();
    unsigned char *block = NULL;
    unsigned int block_len = 0;
    FILE *f;
    char *jpeg;
    long size;

    exif_data_set_byte_order(ed, EXIF_BYTE_ORDER_INTEL);
    exif_content_add_entry(ed->ifd[EXIF_IFD_0], e);
    exif_entry_initialize(e, EXIF_TAG_ORIENTATION);
    exif_set_short(e->data, EXIF_BYTE_ORDER_INTEL, (ExifShort)orientation);
    exif_entry_unref(e);
    if (thumb_path) {
        f = fopen(thumb_path, "rb");
        ck_assert_ptr_nonnull(f);
        fseek(f, 0, SEEK_END);
        ed->size = (unsigned int)ftell(f);
        fseek(f, 0, SEEK_SET);
        ed->data = malloc(ed->size); /* freed by exif_data_unref with the default allocator */
        ck_assert_int_eq(fread(ed->data, 1, ed->size, f), ed->size);
        fclose(f);
    }
    exif_data_save_data(ed, &block, &block_len);
    ck_assert_msg(block && block_len > 6 && block_len < 65000, "exif block of %u bytes",
                  block_len);
    exif_data_unref(ed);

    f = fopen(in, "rb");
    ck_assert_ptr_nonnull(f);
    fseek(f, 0, SEEK_END);
    size = ftell(f);
    fseek(f, 0, SEEK_SET);
    jpeg = malloc((size_t)size);
    ck_assert_int_eq(fread(jpeg, 1, (size_t)size, f), (size_t)size);
    fclose(f);
    ck_assert(size > 2 && (unsigned char)jpeg[0] == 0xFF && (unsigned char)jpeg[1] == 0xD8);

    /* SOI, then APP1 (length counts its own two bytes), then the rest of the original. */
    f = fopen(out, "wb");
    ck_assert_ptr_nonnull(f);
    fwrite("\xFF\xD8\xFF\xE1", 1, 4, f);
    fputc((int)((block_len + 2) >> 8), f);
    fputc((int)((block_len + 2) & 0xFF), f);
    fwrite(block, 1, block_len, f);
    fwrite(jpeg + 2, 1, (size_t)size - 2, f);
    fclose(f);
    free(jpeg);
    free(block);
}

/* ---- videos ---- */

START_TEST(test_thumbs_make__skips_black_intro)
{
    /* 1 s of black, then 4 s of picture: 10 % of the duration falls in the black. */
    const char *v = fixture(
        "black_intro.mp4",
        "-f lavfi -i color=black:s=320x180:r=25:d=1 -f lavfi -i testsrc2=s=320x180:r=25:d=4 "
        "-filter_complex '[0][1]concat=n=2:v=1' -c:v libx264 -preset ultrafast "
        "-pix_fmt yuv420p");
    const char *dir = outdir("black");
    thumb_opts o = {.dir = dir};
    json_t *res = make(0, v, "black_intro", &o);
    picture p = poster_of(res, dir);
    double t = json_real_value(json_object_get(json_object_get(res, "poster"), "time"));

    ck_assert_str_eq(str(res, "poster", "source"), "frame");
    ck_assert_int_eq(num(res, "poster", "width"), 320);
    ck_assert_int_eq(num(res, "poster", "height"), 180);
    ck_assert_int_eq(p.w, 320);
    ck_assert_int_eq(p.h, 180);
    ck_assert_msg(t >= 1.0 && t <= 5.0, "poster time %f is in the black part", t);
    ck_assert_msg(mean_rect(&p, 0, 0, p.w, p.h) > 40, "mean luma %f",
                  mean_rect(&p, 0, 0, p.w, p.h));
    ck_assert_msg(stddev_all(&p) > 30, "luma stddev %f", stddev_all(&p));
    free(p.y);
    json_decref(res);
}
END_TEST

START_TEST(test_thumbs_make__rotated_video_is_upright)
{
    /* Left half white. ffmpeg 5.1 writes a display matrix for "rotate" only when copying
     * streams, so the rotation is added by a remux. */
    const char *flat = fixture("half.mp4",
                               "-f lavfi -i 'color=black:s=320x180:r=10:d=1,drawbox=x=0:y=0:"
                               "w=160:h=180:color=white:t=fill' -c:v libx264 -preset ultrafast "
                               "-pix_fmt yuv420p");
    char args[1024], ref_args[1024];
    const char *v, *ref;
    const char *dir = outdir("rotated");
    thumb_opts o = {.dir = dir};
    json_t *res;
    picture p, r;
    double top, bottom, rtop, rbottom;

    snprintf(args, sizeof(args), "-i '%s' -c copy -metadata:s:v:0 rotate=90", flat);
    v = fixture("half_rotated.mp4", args);
    /* ffmpeg's own autorotation is the reference for the direction of the turn. */
    snprintf(ref_args, sizeof(ref_args), "-i '%s' -frames:v 1", v);
    ref = fixture("half_rotated_ref.jpg", ref_args);

    res = make(0, v, "half_rotated", &o);
    /* 320x180 turned a quarter: 320 wide, 320 * 320 / 180 = 568.9, even: 568. */
    ck_assert_int_eq(num(res, "poster", "width"), 320);
    ck_assert_int_eq(num(res, "poster", "height"), 568);
    p = poster_of(res, dir);
    ck_assert_int_eq(p.w, 320);
    ck_assert_int_eq(p.h, 568);
    r = decode_jpeg(ref);
    ck_assert_msg(r.h > r.w, "reference not portrait: %dx%d", r.w, r.h);
    top = mean_rect(&p, 0, 0, p.w, p.h / 2 - 20);
    bottom = mean_rect(&p, 0, p.h / 2 + 20, p.w, p.h);
    rtop = mean_rect(&r, 0, 0, r.w, r.h / 2 - 20);
    rbottom = mean_rect(&r, 0, r.h / 2 + 20, r.w, r.h);
    ck_assert_msg(fabs(top - bottom) > 150, "halves %f/%f not split", top, bottom);
    ck_assert_msg((top > bottom) == (rtop > rbottom),
                  "turned the wrong way: ours %f/%f, ffmpeg's %f/%f", top, bottom, rtop, rbottom);
    free(p.y);
    free(r.y);
    json_decref(res);
}
END_TEST

START_TEST(test_thumbs_make__anamorphic_uses_display_aspect)
{
    /* PAL 16:9: 720x576 pixels with sample aspect 64:45 show as 1024x576. */
    const char *v = fixture("anamorphic.mp4",
                            "-f lavfi -i testsrc2=s=720x576:r=25:d=1 -vf setsar=64/45 "
                            "-c:v libx264 -preset ultrafast -pix_fmt yuv420p");
    const char *dir = outdir("sar");
    thumb_opts o = {.dir = dir};
    json_t *res = make(0, v, "anamorphic", &o);
    picture p = poster_of(res, dir);

    ck_assert_int_eq(num(res, "poster", "width"), 320);
    ck_assert_int_eq(num(res, "poster", "height"), 180);
    ck_assert_int_eq(p.w, 320);
    ck_assert_int_eq(p.h, 180);
    free(p.y);
    json_decref(res);
}
END_TEST

START_TEST(test_thumbs_make__width_option)
{
    const char *v = fixture("plain.mp4", "-f lavfi -i testsrc2=s=320x240:r=25:d=2 -c:v libx264 "
                                         "-preset ultrafast -pix_fmt yuv420p");
    const char *dir = outdir("width");
    thumb_opts o = {.dir = dir, .width = 200};
    json_t *res = make(0, v, "plain", &o);
    picture p = poster_of(res, dir);
    char expect[128];

    snprintf(expect, sizeof(expect), "%.2s/%s-w200.jpg", hash_of("plain"), hash_of("plain"));
    ck_assert_str_eq(str(res, "poster", "file"), expect);
    ck_assert_int_eq(p.w, 200);
    ck_assert_int_eq(p.h, 150);
    free(p.y);
    json_decref(res);
}
END_TEST

/* ---- photos ---- */

/* 640x360, left half white, right half black. */
static const char *half_photo(void)
{
    return fixture("half.jpg", "-f lavfi -i 'color=black:s=640x360,drawbox=x=0:y=0:w=320:h=360:"
                               "color=white:t=fill' -frames:v 1 -q:v 2");
}

START_TEST(test_thumbs_make__exif_orientation_turns_photo)
{
    char path[512];
    const char *dir = outdir("orientation");
    thumb_opts o = {.dir = dir};
    json_t *res;
    picture p;
    double top, bottom;

    snprintf(path, sizeof(path), "%s/oriented6.jpg", work);
    add_exif(half_photo(), path, 6, NULL);
    res = make(0, path, "oriented6", &o);
    ck_assert_str_eq(str(res, "poster", "source"), "image");
    ck_assert_ptr_null(json_object_get(json_object_get(res, "poster"), "time"));
    p = poster_of(res, dir);
    ck_assert_int_eq(p.w, 320);
    ck_assert_int_eq(p.h, 568);
    /* Orientation 6: turn 90 degrees clockwise, so the white left half ends on top. */
    top = mean_rect(&p, 0, 0, p.w, p.h / 2 - 20);
    bottom = mean_rect(&p, 0, p.h / 2 + 20, p.w, p.h);
    ck_assert_msg(top > 200 && bottom < 50, "top %f bottom %f", top, bottom);
    free(p.y);
    json_decref(res);
}
END_TEST

START_TEST(test_thumbs_make__exif_thumbnail_used_when_wide)
{
    /* A white 400x225 thumbnail (16:9 like the photo) tells itself apart from the half-white
     * photo by its brightness. */
    const char *thumb = fixture("white400.jpg",
                                "-f lavfi -i color=white:s=400x225 -frames:v 1 -q:v 4");
    char path[512];
    const char *dir = outdir("exifthumb");
    thumb_opts o = {.dir = dir};
    json_t *res;
    picture p;

    snprintf(path, sizeof(path), "%s/with_thumb.jpg", work);
    add_exif(half_photo(), path, 1, thumb);
    res = make(0, path, "with_thumb", &o);
    ck_assert_str_eq(str(res, "poster", "source"), "exif");
    p = poster_of(res, dir);
    ck_assert_int_eq(p.w, 320);
    ck_assert_int_eq(p.h, 180);
    ck_assert_msg(mean_rect(&p, 0, 0, p.w, p.h) > 230, "not the white thumbnail: %f",
                  mean_rect(&p, 0, 0, p.w, p.h));
    free(p.y);
    json_decref(res);
}
END_TEST

START_TEST(test_thumbs_make__exif_thumbnail_too_small_decodes_image)
{
    const char *thumb = fixture("white160.jpg",
                                "-f lavfi -i color=white:s=160x90 -frames:v 1 -q:v 4");
    char path[512];
    const char *dir = outdir("smallthumb");
    thumb_opts o = {.dir = dir};
    json_t *res;
    picture p;
    double left, right;

    snprintf(path, sizeof(path), "%s/small_thumb.jpg", work);
    add_exif(half_photo(), path, 1, thumb);
    res = make(0, path, "small_thumb", &o);
    ck_assert_str_eq(str(res, "poster", "source"), "image");
    p = poster_of(res, dir);
    ck_assert_int_eq(p.w, 320);
    ck_assert_int_eq(p.h, 180);
    left = mean_rect(&p, 0, 0, p.w / 2 - 10, p.h);
    right = mean_rect(&p, p.w / 2 + 10, 0, p.w, p.h);
    ck_assert_msg(left > 230 && right < 25, "not the photo: left %f right %f", left, right);
    free(p.y);
    json_decref(res);
}
END_TEST

/* ---- storyboards ---- */

START_TEST(test_thumbs_make__storyboard_covers_duration)
{
    /* 35.5 s whose brightness rises with time (luma 6t+16), keyframe every second: each
     * tile's brightness tells which moment it shows; the last cue is half an interval. */
    const char *v = fixture("ramp.mp4",
                            "-f lavfi -i color=black:s=160x90:r=5:d=35.5 "
                            "-vf \"geq=lum='6*T+16':cb=128:cr=128\" -c:v libx264 -preset ultrafast "
                            "-g 5 -pix_fmt yuv420p");
    const char *dir = outdir("storyboard");
    thumb_opts o = {.dir = dir, .storyboard = 1};
    json_t *res = make(0, v, "ramp", &o);
    json_t *sb = json_object_get(res, "storyboard");
    char path[1024], line[512], expect_name[128];
    picture sheet;
    FILE *f;
    long long prev_end = 0, total = duration_ms(v);
    int cues = 0, tw, th;
    double prev_luma = -1;

    ck_assert_ptr_nonnull(sb);
    ck_assert_ptr_nonnull(json_object_get(res, "poster"));
    ck_assert_int_eq(num(res, "storyboard", "interval"), 1);
    ck_assert_int_eq(num(res, "storyboard", "count"), 36);
    ck_assert_int_eq(num(res, "storyboard", "columns"), 10);
    tw = (int)num(res, "storyboard", "tile_width");
    th = (int)num(res, "storyboard", "tile_height");
    ck_assert_int_eq(tw, 160);
    ck_assert_int_eq(th, 90);

    snprintf(path, sizeof(path), "%s/%s", dir, str(res, "storyboard", "image"));
    sheet = decode_jpeg(path);
    ck_assert_int_eq(sheet.w, 1600);
    ck_assert_int_eq(sheet.h, 360);
    snprintf(expect_name, sizeof(expect_name), "%s-sb160.jpg", hash_of("ramp"));

    snprintf(path, sizeof(path), "%s/%s", dir, str(res, "storyboard", "vtt"));
    f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    ck_assert_ptr_nonnull(fgets(line, sizeof(line), f));
    ck_assert_str_eq(line, "WEBVTT\n");
    while (fgets(line, sizeof(line), f)) {
        int h1, m1, s1, ms1, h2, m2, s2, ms2, x, y, w, h;
        long long start, end;
        char name[128], next[512];
        double luma;

        if (sscanf(line, "%d:%d:%d.%d --> %d:%d:%d.%d", &h1, &m1, &s1, &ms1, &h2, &m2, &s2,
                   &ms2) != 8)
            continue;
        start = ((h1 * 60LL + m1) * 60 + s1) * 1000 + ms1;
        end = ((h2 * 60LL + m2) * 60 + s2) * 1000 + ms2;
        ck_assert_msg(start == prev_end, "cue %d starts at %lld, previous ended at %lld", cues,
                      start, prev_end);
        ck_assert_msg(end > start, "empty cue %d", cues);
        prev_end = end;
        ck_assert_ptr_nonnull(fgets(next, sizeof(next), f));
        ck_assert_int_eq(sscanf(next, "%127[^#]#xywh=%d,%d,%d,%d", name, &x, &y, &w, &h), 5);
        ck_assert_str_eq(name, expect_name); /* bare name: the sheet sits beside the VTT */
        ck_assert_msg(x >= 0 && y >= 0 && w == tw && h == th && x + w <= sheet.w &&
                          y + h <= sheet.h,
                      "tile %d,%d,%d,%d outside the %dx%d sheet", x, y, w, h, sheet.w, sheet.h);
        luma = mean_rect(&sheet, x + 8, y + 8, x + w - 8, y + h - 8);
        ck_assert_msg(luma > prev_luma, "tile %d (%f) not brighter than the one before (%f)",
                      cues, luma, prev_luma);
        /* 6 * 0.5 + 16 = 19 in video range is 3.5 in JPEG's full range: no range
         * conversion would leave 19. */
        if (cues == 0)
            ck_assert_msg(luma < 8, "first tile %f: video range not expanded", luma);
        prev_luma = luma;
        cues++;
    }
    fclose(f);
    ck_assert_int_eq(cues, 36);
    ck_assert_msg(llabs(prev_end - total) <= 1, "cues end at %lld, file lasts %lld ms", prev_end,
                  total);
    /* Brightness 6t+16 at t = 35.25 s is 227 in video range, about 245 in full range. */
    ck_assert_msg(prev_luma > 200, "last tile too dark: %f", prev_luma);
    free(sheet.y);
    json_decref(res);
}
END_TEST

START_TEST(test_thumbs_make__no_storyboard_for_short_video)
{
    const char *v = fixture("plain.mp4", "-f lavfi -i testsrc2=s=320x240:r=25:d=2 -c:v libx264 "
                                         "-preset ultrafast -pix_fmt yuv420p");
    const char *dir = outdir("short");
    thumb_opts o = {.dir = dir, .storyboard = 1};
    json_t *res = make(0, v, "plain", &o);

    ck_assert_ptr_nonnull(json_object_get(res, "poster"));
    ck_assert_ptr_null(json_object_get(res, "storyboard"));
    ck_assert_ptr_null(json_object_get(res, "storyboard_error"));
    json_decref(res);
}
END_TEST

/* ---- audio ---- */

START_TEST(test_thumbs_make__audio_cover_art)
{
    const char *cover = fixture("cover.jpg", "-f lavfi -i color=white:s=300x300 -frames:v 1");
    char args[1024];
    const char *a;
    const char *dir = outdir("cover");
    thumb_opts o = {.dir = dir};
    json_t *res;
    picture p;

    snprintf(args, sizeof(args),
             "-f lavfi -i sine=frequency=440:duration=2 -i '%s' -map 0 -map 1 -c:a libmp3lame "
             "-c:v mjpeg -disposition:v attached_pic -id3v2_version 3",
             cover);
    a = fixture("with_cover.mp3", args);
    res = make(0, a, "with_cover", &o);
    ck_assert_str_eq(str(res, "poster", "source"), "cover");
    p = poster_of(res, dir);
    ck_assert_int_eq(p.w, 320);
    ck_assert_int_eq(p.h, 320);
    ck_assert_msg(mean_rect(&p, 0, 0, p.w, p.h) > 230, "not the white cover: %f",
                  mean_rect(&p, 0, 0, p.w, p.h));
    free(p.y);
    json_decref(res);
}
END_TEST

START_TEST(test_thumbs_make__audio_without_cover_has_no_poster)
{
    const char *a = fixture("plain.m4a", "-f lavfi -i sine=frequency=440:duration=2 -c:a aac");
    const char *dir = outdir("nocover");
    thumb_opts o = {.dir = dir, .storyboard = 1};
    json_t *res = make(0, a, "plain_audio", &o);
    char path[1024];

    ck_assert_ptr_null(json_object_get(res, "poster"));
    ck_assert_ptr_null(json_object_get(res, "error"));
    ck_assert_str_eq(str(res, NULL, "reason"), "audio without cover art");
    snprintf(path, sizeof(path), "%s/%.2s", dir, hash_of("plain_audio"));
    {
        DIR *d = opendir(path);
        struct dirent *e;
        int files = 0;
        ck_assert_ptr_nonnull(d);
        while ((e = readdir(d)))
            files += e->d_name[0] != '.';
        closedir(d);
        ck_assert_int_eq(files, 0);
    }
    json_decref(res);
}
END_TEST

/* ---- caching ---- */

START_TEST(test_thumbs_make__existing_files_are_not_rewritten)
{
    const char *v = fixture("ramp.mp4",
                            "-f lavfi -i color=black:s=160x90:r=5:d=35.5 "
                            "-vf \"geq=lum='6*T+16':cb=128:cr=128\" -c:v libx264 -preset ultrafast "
                            "-g 5 -pix_fmt yuv420p");
    const char *dir = outdir("cache");
    thumb_opts o = {.dir = dir, .storyboard = 1};
    json_t *first = make(0, v, "ramp", &o), *second, *third;
    char poster[1024], vtt[1024];
    struct stat a, b, c, va, vb;

    snprintf(poster, sizeof(poster), "%s/%s", dir, str(first, "poster", "file"));
    snprintf(vtt, sizeof(vtt), "%s/%s", dir, str(first, "storyboard", "vtt"));
    ck_assert_int_eq(stat(poster, &a), 0);
    ck_assert_int_eq(stat(vtt, &va), 0);
    ck_assert_int_eq((int)(a.st_mode & 0777), 0644);

    /* The same facts come back, read from the files, and the files are untouched. Even a
     * path that does not exist works: nothing is opened when the hash's files are there. */
    second = make(0, "/nonexistent/file.mp4", "ramp", &o);
    ck_assert_msg(json_equal(first, second), "facts differ: %s vs %s", json_dumps(first, 0),
                  json_dumps(second, 0));
    ck_assert_int_eq(stat(poster, &b), 0);
    ck_assert_int_eq(stat(vtt, &vb), 0);
    ck_assert(a.st_ino == b.st_ino && a.st_mtim.tv_sec == b.st_mtim.tv_sec &&
              a.st_mtim.tv_nsec == b.st_mtim.tv_nsec);
    ck_assert(va.st_ino == vb.st_ino && va.st_mtim.tv_nsec == vb.st_mtim.tv_nsec);

    /* force: made again, so a new file replaced the old one by rename. */
    o.force = 1;
    third = make(0, v, "ramp", &o);
    ck_assert_int_eq(stat(poster, &c), 0);
    ck_assert(c.st_ino != a.st_ino);
    ck_assert(json_equal(json_object_get(first, "poster"), json_object_get(third, "poster")));
    json_decref(first);
    json_decref(second);
    json_decref(third);
}
END_TEST

START_TEST(test_thumbs_make__damaged_poster_is_remade)
{
    const char *v = fixture("plain.mp4", "-f lavfi -i testsrc2=s=320x240:r=25:d=2 -c:v libx264 "
                                         "-preset ultrafast -pix_fmt yuv420p");
    const char *dir = outdir("damaged");
    thumb_opts o = {.dir = dir};
    json_t *first = make(0, v, "plain", &o), *second;
    char poster[1024];
    FILE *f;

    snprintf(poster, sizeof(poster), "%s/%s", dir, str(first, "poster", "file"));
    f = fopen(poster, "w"); /* as after a power cut: the name is there, the bytes are not */
    ck_assert_ptr_nonnull(f);
    fclose(f);
    second = make(0, v, "plain", &o);
    ck_assert(json_equal(first, second));
    json_decref(first);
    json_decref(second);
}
END_TEST

/* ---- bad input ---- */

START_TEST(test_thumbs_make__garbage_is_an_error)
{
    char path[512];
    const char *dir = outdir("garbage");
    thumb_opts o = {.dir = dir};
    json_t *res;
    FILE *f;

    snprintf(path, sizeof(path), "%s/garbage.mp4", work);
    f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    srand(7);
    for (int i = 0; i < 65536; i++)
        fputc(rand() & 0xFF, f);
    fclose(f);
    res = make(THUMB_ERROR, path, "garbage", &o);
    ck_assert_msg(strlen(str(res, NULL, "error")) > 0, "empty error message");
    json_decref(res);

    snprintf(path, sizeof(path), "%s/empty.jpg", work);
    f = fopen(path, "wb");
    fclose(f);
    res = make(THUMB_ERROR, path, "empty", &o);
    ck_assert_msg(strlen(str(res, NULL, "error")) > 0, "empty error message");
    json_decref(res);

    res = make(THUMB_ERROR, "/nonexistent/file.mp4", "missing", &o);
    ck_assert_ptr_nonnull(strstr(str(res, NULL, "error"), "cannot open"));
    json_decref(res);
}
END_TEST

START_TEST(test_thumbs_make__truncated_files_are_errors)
{
    const char *v = fixture("plain.mp4", "-f lavfi -i testsrc2=s=320x240:r=25:d=2 -c:v libx264 "
                                         "-preset ultrafast -pix_fmt yuv420p");
    const char *dir = outdir("truncated");
    thumb_opts o = {.dir = dir};
    char path[512];
    json_t *res;

    /* The mp4 muxer writes the index (moov) last: the head alone has no stream to decode. */
    snprintf(path, sizeof(path), "%s/head.mp4", work);
    sh("head -c 3000 '%s' > '%s'", v, path);
    res = make(THUMB_ERROR, path, "head", &o);
    ck_assert_msg(strlen(str(res, NULL, "error")) > 0, "empty error message");
    json_decref(res);

    /* A JPEG cut in its headers. */
    snprintf(path, sizeof(path), "%s/head.jpg", work);
    sh("head -c 300 '%s' > '%s'", half_photo(), path);
    res = make(THUMB_ERROR, path, "head_jpg", &o);
    ck_assert_msg(strlen(str(res, NULL, "error")) > 0, "empty error message");
    json_decref(res);
}
END_TEST

START_TEST(test_thumbs_make__deadline)
{
    const char *v = fixture("plain.mp4", "-f lavfi -i testsrc2=s=320x240:r=25:d=2 -c:v libx264 "
                                         "-preset ultrafast -pix_fmt yuv420p");
    const char *dir = outdir("deadline");
    thumb_opts o = {.dir = dir, .timeout = 1e-9};
    json_t *res = make(THUMB_TIMEOUT, v, "plain", &o);

    ck_assert_ptr_nonnull(strstr(str(res, NULL, "error"), "timed out"));
    json_decref(res);
}
END_TEST

START_TEST(test_thumbs_make__bad_arguments)
{
    const char *dir = outdir("args");
    thumb_opts o = {.dir = dir};
    json_t *res = NULL;

    ck_assert_int_eq(thumb_make(&res, "x.mp4", "abc", &o), THUMB_EINVAL);
    ck_assert_ptr_nonnull(strstr(str(res, NULL, "error"), "bad content hash"));
    json_decref(res);
    ck_assert_int_eq(thumb_make(&res, "x.mp4", hash_of("x"), NULL), THUMB_EINVAL);
    json_decref(res);
    o.width = 100000;
    ck_assert_int_eq(thumb_make(&res, "x.mp4", hash_of("x"), &o), THUMB_EINVAL);
    json_decref(res);
    ck_assert_int_eq(thumb_make(NULL, "x.mp4", hash_of("x"), &o), THUMB_EINVAL);
}
END_TEST

/* ---- real files ---- */

static int corpus_files(const char *dir, char (*out)[1024], int max, int n)
{
    DIR *d = opendir(dir);
    struct dirent *e;

    if (!d)
        return n;
    while ((e = readdir(d)) && n < max) {
        char path[1024];
        struct stat st;
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        if (stat(path, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode))
            n = corpus_files(path, out, max, n);
        else if (strcmp(e->d_name, "SOURCES.md") != 0)
            snprintf(out[n++], 1024, "%s", path);
    }
    closedir(d);
    return n;
}

START_TEST(test_thumbs_make__corpus_never_crashes)
{
    static char files[256][1024];
    char corpus[512];
    const char *dir = outdir("corpus");
    thumb_opts o = {.dir = dir, .storyboard = 1};
    int n, posters = 0, portrait_phone = 0;

    snprintf(corpus, sizeof(corpus), "%s/../shared/corpus", REEL_SOURCE_DIR);
    if (access(corpus, R_OK) != 0) {
        fprintf(stderr, "check_thumbs: %s absent, corpus test skipped\n", corpus);
        return;
    }
    n = corpus_files(corpus, files, 256, 0);
    ck_assert_int_gt(n, 10);
    for (int i = 0; i < n; i++) {
        json_t *res = NULL;
        int rc = thumb_make(&res, files[i], hash_of(files[i]), &o);
        ck_assert_ptr_nonnull(res);
        if (rc == 0) {
            json_t *poster = json_object_get(res, "poster");
            ck_assert_msg(poster || json_object_get(res, "reason"), "%s: neither poster nor "
                          "reason", files[i]);
            if (poster) {
                picture p = poster_of(res, dir);
                ck_assert_int_eq(p.w, 320);
                ck_assert_int_eq(p.h, num(res, "poster", "height"));
                posters++;
                /* An iPhone clip shot upright: 1280x720 coded, display matrix -90. */
                if (strstr(files[i], "quicktime-hvc1.mov")) {
                    ck_assert_msg(p.h > p.w, "phone video poster not upright: %dx%d", p.w,
                                  p.h);
                    portrait_phone = 1;
                }
                free(p.y);
            }
        } else {
            ck_assert_msg(rc == THUMB_ERROR || rc == THUMB_TIMEOUT, "%s: rc %d", files[i], rc);
            ck_assert_msg(strlen(str(res, NULL, "error")) > 0, "%s: empty error", files[i]);
        }
        json_decref(res);
    }
    ck_assert_int_gt(posters, n / 2);
    ck_assert_msg(portrait_phone, "quicktime-hvc1.mov not found in the corpus");
}
END_TEST

static Suite *thumbs_suite(void)
{
    Suite *s = suite_create("thumbs");
    TCase *tc = tcase_create("thumbs");

    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_thumbs_make__skips_black_intro);
    tcase_add_test(tc, test_thumbs_make__rotated_video_is_upright);
    tcase_add_test(tc, test_thumbs_make__anamorphic_uses_display_aspect);
    tcase_add_test(tc, test_thumbs_make__width_option);
    tcase_add_test(tc, test_thumbs_make__exif_orientation_turns_photo);
    tcase_add_test(tc, test_thumbs_make__exif_thumbnail_used_when_wide);
    tcase_add_test(tc, test_thumbs_make__exif_thumbnail_too_small_decodes_image);
    tcase_add_test(tc, test_thumbs_make__storyboard_covers_duration);
    tcase_add_test(tc, test_thumbs_make__no_storyboard_for_short_video);
    tcase_add_test(tc, test_thumbs_make__audio_cover_art);
    tcase_add_test(tc, test_thumbs_make__audio_without_cover_has_no_poster);
    tcase_add_test(tc, test_thumbs_make__existing_files_are_not_rewritten);
    tcase_add_test(tc, test_thumbs_make__damaged_poster_is_remade);
    tcase_add_test(tc, test_thumbs_make__garbage_is_an_error);
    tcase_add_test(tc, test_thumbs_make__truncated_files_are_errors);
    tcase_add_test(tc, test_thumbs_make__deadline);
    tcase_add_test(tc, test_thumbs_make__bad_arguments);
    tcase_add_test(tc, test_thumbs_make__corpus_never_crashes);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    SRunner *sr;
    int failed;

    snprintf(work, sizeof(work), "%s/check_thumbs.XXXXXX", tmp);
    if (!mkdtemp(work)) {
        fprintf(stderr, "check_thumbs: mkdtemp: %s\n", strerror(errno));
        return 1;
    }
    snprintf(out_root, sizeof(out_root), "%s/out", work);
    sr = srunner_create(thumbs_suite());
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    if (failed == 0) {
        char cmd[600];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", work);
        if (system(cmd) != 0)
            fprintf(stderr, "check_thumbs: cannot remove %s\n", work);
    }
    return failed == 0 ? 0 : 1;
}
