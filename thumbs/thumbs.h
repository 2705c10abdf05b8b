/* thumbs: posters and storyboards of media files.
 *
 * The only header other modules include. One call, thumb_make(), turns one media file into
 * files under a thumbnails folder named by the file's content hash, so identical footage
 * shares one poster and web teams can cache them forever:
 *
 *   <dir>/<h0h1>/<sha256>-w<width>.jpg        poster (video frame, photo, or audio cover art)
 *   <dir>/<h0h1>/<sha256>-sb<tile>.jpg        storyboard sprite sheet (long videos only)
 *   <dir>/<h0h1>/<sha256>-sb<tile>.vtt        WebVTT cues "sheet.jpg#xywh=x,y,w,h"
 *
 * Thread safety: thumb_make() keeps no global state; calls on different files may run
 * concurrently. It never prints and never calls av_log_set_callback(): FFmpeg's own messages go
 * to whatever callback the program installed.
 *
 * jansson rule (one rule, stated once): every json_t ** out-parameter hands the caller one
 * reference, which the caller releases with json_decref(). */
#ifndef REEL_THUMBS_H
#define REEL_THUMBS_H

#include <jansson.h>

/* Return codes of thumb_make(): 0 or one of these negative values. */
enum thumb_status {
    THUMB_OK = 0,
    THUMB_ERROR = -1,   /* the file cannot be read or has no decodable picture */
    THUMB_EINVAL = -2,  /* bad arguments (NULL path, malformed hash, missing dir) */
    THUMB_TIMEOUT = -3, /* the deadline in thumb_opts.timeout passed */
    THUMB_EWRITE = -4,  /* the thumbnails folder or a file in it cannot be written */
};

/* Options of thumb_make(). Zero means "default" for every numeric field, so
 * `thumb_opts o = {.dir = "thumbs"};` is a complete configuration. */
typedef struct thumb_opts {
    const char *dir;       /* thumbnails folder; created (with parents) if missing */
    int width;             /* poster width in pixels, 320 when 0; height keeps the aspect */
    int storyboard;        /* nonzero: also make a storyboard for long videos */
    double storyboard_min; /* storyboards only for videos longer than this, 30 s when 0 */
    int tile_width;        /* storyboard tile width in pixels, 160 when 0 */
    int force;             /* nonzero: regenerate even when the files already exist */
    double timeout;        /* seconds for the whole call, 60 when 0; checked inside every
                            * FFmpeg read and between frames (a HEIF photo's decode in
                            * libheif cannot be interrupted and is checked after it) */
} thumb_opts;

/* Makes the poster (and, if asked, the storyboard) of the media file at `path`, whose
 * content hash is `sha256` (64 hex digits, as computed by the caller).
 *
 * Returns 0 and sets *out to an object:
 *   {"poster": {"file": "ab/abcd...-w320.jpg", "width": 320, "height": 180, "size": 12345,
 *               "time": 12.5, "source": "frame"},
 *    "storyboard": {"image": "ab/...-sb160.jpg", "vtt": "ab/...-sb160.vtt", "interval": 10,
 *                   "tile_width": 160, "tile_height": 90, "columns": 10, "count": 42}}
 * Paths are relative to opts->dir. "source" is "frame" (a video frame; "time" says which, in
 * seconds), "image" (the decoded photo), "exif" (a JPEG's embedded EXIF thumbnail),
 * "embedded" (a HEIF thumbnail item) or "cover" (an audio file's attached picture); "time"
 * is present only for "frame". "poster" is absent for audio without cover art, and then
 * "reason" says why. "storyboard" is absent when not asked for or the file is not a video
 * longer than opts->storyboard_min; when making it failed, "storyboard_error" holds the
 * message and the call still returns 0. When the files already exist and opts->force is 0,
 * nothing is decoded or written: their facts are read back from them.
 *
 * Fails with a negative enum thumb_status and sets *out to {"error": "message"} (lower case,
 * no final period) when no poster can be made. *out is always set; the caller owns it.
 * Never exits and never aborts on bad media. */
int thumb_make(json_t **out, const char *path, const char *sha256, const thumb_opts *opts);

#endif
