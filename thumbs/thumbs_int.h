/* Internal interfaces of the thumbs module; never included outside thumbs/.
 *
 * A picture on its way to a JPEG ("pic") is always an AVFrame in AV_PIX_FMT_YUVJ420P (full
 * range, even width and height), the format FFmpeg's MJPEG encoder wants. Every function that
 * can fail returns 0 or a negative enum thumb_status and writes the message into the
 * thumb_call it is given; the first message set wins, because it names the root cause. */
#ifndef REEL_THUMBS_INT_H
#define REEL_THUMBS_INT_H

#include <stddef.h>
#include <stdint.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/frame.h>

#include "thumbs.h"

struct SwsContext;

/* ---- call.c: the state of one thumb_make() call ---- */

typedef struct thumb_call {
    int64_t deadline; /* CLOCK_MONOTONIC nanoseconds */
    double timeout;   /* seconds, for the message */
    char err[256];    /* first error message, "" when none */
} thumb_call;

/* Starts a call that must end within timeout seconds. */
void thumb_call_init(thumb_call *c, double timeout);

/* Nonzero once the deadline has passed. */
int thumb_call_expired(const thumb_call *c);

/* Records a printf-style message (unless one is already recorded) and returns status. */
int thumb_fail(thumb_call *c, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Maps an FFmpeg error to a status: THUMB_TIMEOUT when the deadline passed (the interrupt
 * callback makes FFmpeg return AVERROR_EXIT), else THUMB_ERROR with "what: reason". */
int thumb_fail_av(thumb_call *c, int averr, const char *what);

/* ---- picture.c: geometry, scaling, rotation, measures ---- */

/* How a picture must be turned to be shown upright: rotation clockwise (0, 90, 180, 270),
 * then a horizontal mirror when mirror is nonzero (EXIF orientations 2, 4, 5, 7). */
typedef struct thumb_turn {
    int rotation;
    int mirror;
} thumb_turn;

/* Sizes a src_w x src_h picture with sample aspect sar, shown turned by turn, so that it is
 * `width` pixels wide once turned. Sets *scale_w x *scale_h, the even size to scale to before
 * turning. Returns 0, or THUMB_ERROR for a picture without size. */
int thumb_fit(thumb_call *c, int src_w, int src_h, AVRational sar, thumb_turn turn, int width,
              int *scale_w, int *scale_h);

/* Allocates a black w x h pic into *out (caller owns, av_frame_free). */
int thumb_pic_alloc(thumb_call *c, int w, int h, AVFrame **out);

/* A swscale context kept across frames of the same size and format. Zero-initialise; free
 * with thumb_scaler_release(). */
typedef struct thumb_scaler {
    struct SwsContext *sws;
    int src_w, src_h, src_fmt, src_full, dst_w, dst_h;
} thumb_scaler;

void thumb_scaler_release(thumb_scaler *s);

/* Scales any decoded frame to a new w x h pic in *out (caller owns), converting video range
 * to the full range of JPEG. */
int thumb_scale(thumb_call *c, thumb_scaler *s, const AVFrame *src, int w, int h,
                AVFrame **out);

/* Replaces *pic by its turned copy; a no-op for {0, 0}. */
int thumb_turn_pic(thumb_call *c, AVFrame **pic, thumb_turn turn);

/* Copies pic into dst with its top-left corner at even (x, y); clips at dst's edges. */
void thumb_blit(AVFrame *dst, const AVFrame *pic, int x, int y);

/* Luma measures of a pic: standard deviation (0..127.5) and entropy in bits of a 64-bin
 * histogram (0..6). Both are near 0 for a uniform (black, grey, faded) picture. */
void thumb_luma_stats(const AVFrame *pic, double *stddev, double *entropy);

/* ---- jpeg.c: encoding, decoding stills, reading headers ---- */

/* Encodes pic as a baseline JPEG at quantiser qscale (2 best .. 31 worst), with `comment`
 * stored in a COM segment. Sets *out (caller frees with av_free) and *size. */
int thumb_jpeg_encode(thumb_call *c, AVFrame *pic, int qscale, const char *comment,
                      uint8_t **out, size_t *size);

/* Decodes one still picture (a JPEG or PNG in memory, e.g. an EXIF thumbnail or cover art)
 * with the decoder for par (codec parameters, may carry extradata) into *out (caller owns). */
int thumb_decode_still(thumb_call *c, const AVCodecParameters *par, const uint8_t *data,
                       size_t size, AVFrame **out);

/* Facts of a JPEG read from its markers only: frame size from the SOF segment and the text of
 * the first COM segment (truncated to cap, "" when none). Returns 0, or THUMB_ERROR when the
 * data is not a JPEG with a frame header. */
int thumb_jpeg_probe(const uint8_t *data, size_t size, int *w, int *h, char *comment,
                     size_t cap);

/* Same, reading the file at path; only the headers are read, never the scan data. */
int thumb_jpeg_probe_file(const char *path, int *w, int *h, char *comment, size_t cap);

/* ---- store.c: names and atomic files ---- */

/* Creates dir and its parents (mode 0755). */
int thumb_store_mkdirs(thumb_call *c, const char *dir);

/* Writes size bytes to path atomically: a temporary file in the same folder, renamed over
 * path, so a reader never sees half a file. */
int thumb_store_write(thumb_call *c, const char *path, const void *data, size_t size);

/* Reads the whole file at path, at most max bytes, into *out (caller frees, NUL-terminated). */
int thumb_store_read(thumb_call *c, const char *path, size_t max, char **out, size_t *size);

/* ---- media.c: demuxing and decoding one video stream ---- */

typedef struct thumb_media {
    thumb_call *call;
    AVFormatContext *fmt;
    AVCodecContext *dec;
    AVPacket *pkt;
    AVFrame *frame;  /* the last decoded frame; kept when thumb_media_next() returns 1 */
    AVFrame *scratch;
    int video;       /* index of the main video stream, -1 when none */
    int cover;       /* index of an attached-picture stream, -1 when none */
    int audio;       /* nonzero when there is an audio stream */
    int photo;       /* nonzero when an image demuxer opened the file */
    int rotation;    /* clockwise degrees from the display matrix */
    double duration; /* seconds, the file's (the player's timeline), 0 when unknown */
    double video_duration; /* seconds, the video stream's own, 0 when unknown; a subtitle
                            * or audio track can make the file longer than its picture */
    int drained;     /* the decoder was sent its end-of-stream flush */
    int decode_errors;
    int last_error;  /* last AVERROR from reading or decoding, 0 when none */
} thumb_media;

/* Opens path under c's deadline and classifies its streams. thumb_media_release() must be
 * called even when this fails. */
int thumb_media_open(thumb_media *m, thumb_call *c, const char *path);

/* Opens the decoder of the main video stream. When the picture's shorter side short_side and
 * the pixels needed `need` are both > 0, a decoder that can (JPEG) decodes at 1/2, 1/4 or 1/8
 * size while the shorter side stays >= need. */
int thumb_media_open_decoder(thumb_media *m, int short_side, int need);

/* Seeks to the keyframe at or before t seconds and resets the decoder. Returns 0 or
 * THUMB_ERROR (the format cannot seek there; the position is then unchanged). */
int thumb_media_seek(thumb_media *m, double t);

/* Decodes the next frame of the main video stream into m->frame, reading at most *budget more
 * packets of that stream (decremented). Returns 0 for a frame, 1 when no frame came (end of
 * the stream, a read error, or the budget spent), or THUMB_TIMEOUT. */
int thumb_media_next(thumb_media *m, int *budget);

/* Keyframe-only decoding: reads on to the next keyframe packet of the main video stream
 * (within *budget packets of that stream), decodes it alone and leaves the decoder drained,
 * so that only thumb_media_seek() may follow. Cheaper than AVDISCARD_NONKEY: the other
 * packets never reach the decoder. Returns like thumb_media_next(). */
int thumb_media_key(thumb_media *m, int *budget);

/* Presentation time of m->frame in seconds from the stream start (>= 0), or -1 if unknown. */
double thumb_media_frame_time(const thumb_media *m);

/* Sample aspect ratio of m->frame, from the frame or else the stream. */
AVRational thumb_media_sar(const thumb_media *m);

/* Frees everything m holds; safe on a zeroed or partly opened m. */
void thumb_media_release(thumb_media *m);

/* ---- poster.c, storyboard.c, photo.c: the three kinds of pictures ---- */

/* A finished poster picture and where it came from. */
typedef struct thumb_poster {
    AVFrame *pic;       /* turned, width-wide pic (owned) */
    const char *source; /* "frame", "image", "exif", "embedded", "cover" */
    double time;        /* seconds, for "frame"; -1 otherwise */
} thumb_poster;

/* Picks the most informative of several candidate frames of m's video stream. */
int thumb_poster_video(thumb_media *m, int width, thumb_poster *out);

/* Decodes m's attached picture (cover art). */
int thumb_poster_cover(thumb_media *m, int width, thumb_poster *out);

/* Poster of a photo opened by an image demuxer: EXIF thumbnail when it is wide enough, else
 * the decoded image; EXIF orientation applied. */
int thumb_poster_photo(thumb_media *m, const char *path, int width, thumb_poster *out);

/* Nonzero when the file starts like a HEIF/HEIC/AVIF file (libheif's check). */
int thumb_photo_is_heif(const char *path);

/* Poster of a HEIF photo through libheif (its thumbnail item when wide enough). */
int thumb_poster_heif(thumb_call *c, const char *path, int width, thumb_poster *out);

/* The files and facts of a storyboard. */
typedef struct thumb_storyboard {
    int interval;   /* seconds per tile */
    int columns;
    int count;      /* tiles, = cues */
    int tile_w, tile_h;
} thumb_storyboard;

/* Makes the sheet and VTT of m's video stream (duration known) at sheet_path and vtt_path; the
 * VTT names the sheet sheet_name. Sets *out to the facts. */
int thumb_storyboard_make(thumb_media *m, int tile_width, const char *sheet_path,
                          const char *vtt_path, const char *sheet_name, thumb_storyboard *out);

/* Reads the facts of an existing storyboard back from its VTT. Returns 0, or THUMB_ERROR when
 * the VTT is missing or was not written by thumb_storyboard_make(). */
int thumb_storyboard_read(const thumb_call *c, const char *vtt_path, thumb_storyboard *out);

void thumb_poster_release(thumb_poster *p);

#endif
