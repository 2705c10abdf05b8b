/* thumb_make(): names, the already-made check, and the dispatch by kind of media. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "thumbs_int.h"

#define DEFAULT_WIDTH 320
#define DEFAULT_TILE_WIDTH 160
#define DEFAULT_STORYBOARD_MIN 30.0
#define DEFAULT_TIMEOUT 60.0
#define MIN_WIDTH 16
#define MAX_WIDTH 4096
/* Quantiser 3: close to what photo tools call quality 90, a few kB for a 320 px poster. */
#define POSTER_QSCALE 3
#define COMMENT_TAG "reel-poster "

typedef struct names {
    char sub[4096];         /* <dir>/<h0h1> */
    char poster_rel[128];   /* <h0h1>/<sha>-w<width>.jpg */
    char poster[4352];
    char sheet_name[96];    /* <sha>-sb<tile>.jpg, as the VTT names it */
    char sheet_rel[128];
    char sheet[4352];
    char vtt_rel[128];
    char vtt[4352];
} names;

static int valid_hash(const char *sha)
{
    size_t n = 0;

    for (; sha[n]; n++)
        if (!isxdigit((unsigned char)sha[n]) || isupper((unsigned char)sha[n]))
            return 0;
    return n == 64;
}

static int make_names(thumb_call *c, names *n, const char *dir, const char *sha, int width,
                      int tile_width)
{
    if (snprintf(n->sub, sizeof(n->sub), "%s/%.2s", dir, sha) >= (int)sizeof(n->sub))
        return thumb_fail(c, THUMB_EINVAL, "thumbnails folder path too long");
    snprintf(n->poster_rel, sizeof(n->poster_rel), "%.2s/%s-w%d.jpg", sha, sha, width);
    snprintf(n->sheet_name, sizeof(n->sheet_name), "%s-sb%d.jpg", sha, tile_width);
    snprintf(n->sheet_rel, sizeof(n->sheet_rel), "%.2s/%s", sha, n->sheet_name);
    snprintf(n->vtt_rel, sizeof(n->vtt_rel), "%.2s/%s-sb%d.vtt", sha, sha, tile_width);
    snprintf(n->poster, sizeof(n->poster), "%s/%s", dir, n->poster_rel);
    snprintf(n->sheet, sizeof(n->sheet), "%s/%s", dir, n->sheet_rel);
    snprintf(n->vtt, sizeof(n->vtt), "%s/%s", dir, n->vtt_rel);
    return 0;
}

static json_t *poster_json(const char *rel, int w, int h, long long size, const char *source,
                           double time)
{
    json_t *o = json_pack("{s:s, s:i, s:i, s:I, s:s}", "file", rel, "width", w, "height", h,
                          "size", (json_int_t)size, "source", source);

    if (o && time >= 0)
        json_object_set_new(o, "time", json_real(round(time * 1000) / 1000));
    return o;
}

static json_t *storyboard_json(const names *n, const thumb_storyboard *sb)
{
    return json_pack("{s:s, s:s, s:i, s:i, s:i, s:i, s:i}", "image", n->sheet_rel, "vtt",
                     n->vtt_rel, "interval", sb->interval, "tile_width", sb->tile_w,
                     "tile_height", sb->tile_h, "columns", sb->columns, "count", sb->count);
}

/* The facts of a poster made by an earlier call, from its headers and COM segment; NULL when
 * there is none or it is damaged (then it is made again). */
static json_t *existing_poster(const names *n)
{
    static const char *const sources[] = {"frame", "image", "exif", "embedded", "cover"};
    char comment[128], source[16];
    double time = -1;
    struct stat sb;
    int w, h, fields;

    if (stat(n->poster, &sb) < 0 ||
        thumb_jpeg_probe_file(n->poster, &w, &h, comment, sizeof(comment)) < 0)
        return NULL;
    fields = sscanf(comment, COMMENT_TAG "source=%15s time=%lf", source, &time);
    if (fields < 1)
        return NULL;
    for (size_t i = 0; i < sizeof(sources) / sizeof(sources[0]); i++)
        if (!strcmp(source, sources[i]))
            return poster_json(n->poster_rel, w, h, (long long)sb.st_size, sources[i],
                               fields == 2 ? time : -1);
    return NULL;
}

static int write_poster(thumb_call *c, const names *n, thumb_poster *p, json_t **facts)
{
    char comment[96];
    uint8_t *jpeg = NULL;
    size_t size = 0;
    int ret;

    if (p->time >= 0)
        snprintf(comment, sizeof(comment), COMMENT_TAG "source=%s time=%.3f", p->source, p->time);
    else
        snprintf(comment, sizeof(comment), COMMENT_TAG "source=%s", p->source);
    ret = thumb_jpeg_encode(c, p->pic, POSTER_QSCALE, comment, &jpeg, &size);
    if (ret == 0)
        ret = thumb_store_write(c, n->poster, jpeg, size);
    if (ret == 0) {
        *facts = poster_json(n->poster_rel, p->pic->width, p->pic->height, (long long)size,
                             p->source, p->time);
        if (!*facts)
            ret = thumb_fail(c, THUMB_ERROR, "out of memory");
    }
    av_free(jpeg);
    return ret;
}

static int resolve(thumb_call *c, const thumb_opts *in, thumb_opts *o)
{
    *o = *in;
    o->width = o->width ? o->width : DEFAULT_WIDTH;
    o->tile_width = o->tile_width ? o->tile_width : DEFAULT_TILE_WIDTH;
    o->storyboard_min = o->storyboard_min > 0 ? o->storyboard_min : DEFAULT_STORYBOARD_MIN;
    if (o->width < MIN_WIDTH || o->width > MAX_WIDTH || o->tile_width < MIN_WIDTH ||
        o->tile_width > MAX_WIDTH)
        return thumb_fail(c, THUMB_EINVAL, "width must be %d..%d", MIN_WIDTH, MAX_WIDTH);
    /* 4:2:0 JPEG: even sizes keep chroma aligned with luma. */
    o->width &= ~1;
    o->tile_width &= ~1;
    return 0;
}

/* Storyboard of an opened video. A failure here leaves the poster standing: it is reported
 * as "storyboard_error" in the result, with its own message. */
static void add_storyboard(thumb_media *m, const names *n, const thumb_opts *o, json_t *result)
{
    thumb_call *outer = m->call, own = *outer;
    thumb_storyboard sb;
    int ret;

    own.err[0] = '\0';
    m->call = &own;
    ret = thumb_storyboard_make(m, o->tile_width, n->sheet, n->vtt, n->sheet_name, &sb);
    m->call = outer;
    if (ret == 0)
        json_object_set_new(result, "storyboard", storyboard_json(n, &sb));
    else
        json_object_set_new(result, "storyboard_error", json_string(own.err));
}

int thumb_make(json_t **out, const char *path, const char *sha256, const thumb_opts *opts)
{
    thumb_call call;
    thumb_media media;
    thumb_poster poster = {NULL, NULL, -1};
    thumb_storyboard sb;
    thumb_opts o;
    names n;
    json_t *result = NULL, *facts = NULL;
    int have_poster = 0, have_storyboard = 0, ret = 0;

    memset(&media, 0, sizeof(media));
    thumb_call_init(&call, opts && opts->timeout > 0 ? opts->timeout : DEFAULT_TIMEOUT);
    if (!out)
        return THUMB_EINVAL;
    if (!path || !sha256 || !opts || !opts->dir || !opts->dir[0]) {
        ret = thumb_fail(&call, THUMB_EINVAL, "path, hash and thumbnails folder are required");
        goto done;
    }
    if (!valid_hash(sha256)) {
        ret = thumb_fail(&call, THUMB_EINVAL, "bad content hash '%.70s'", sha256);
        goto done;
    }
    ret = resolve(&call, opts, &o);
    if (ret == 0)
        ret = make_names(&call, &n, o.dir, sha256, o.width, o.tile_width);
    if (ret == 0)
        ret = thumb_store_mkdirs(&call, n.sub);
    if (ret < 0)
        goto done;
    result = json_object();
    if (!result) {
        ret = thumb_fail(&call, THUMB_ERROR, "out of memory");
        goto done;
    }

    /* Named by content: what exists was made from these very bytes. Nothing to decode. */
    if (!o.force) {
        facts = existing_poster(&n);
        if (facts) {
            have_poster = 1;
            json_object_set_new(result, "poster", facts);
        }
        if (o.storyboard && thumb_storyboard_read(&call, n.vtt, &sb) == 0 &&
            thumb_jpeg_probe_file(n.sheet, &(int){0}, &(int){0}, NULL, 0) == 0) {
            have_storyboard = 1;
            json_object_set_new(result, "storyboard", storyboard_json(&n, &sb));
        }
        if (have_poster && (!o.storyboard || have_storyboard))
            goto done;
    }

    if (thumb_photo_is_heif(path)) {
        if (!have_poster) {
            ret = thumb_poster_heif(&call, path, o.width, &poster);
            if (ret == 0)
                ret = write_poster(&call, &n, &poster, &facts);
            if (ret < 0)
                goto done;
            json_object_set_new(result, "poster", facts);
        }
        goto done;
    }

    ret = thumb_media_open(&media, &call, path);
    if (ret < 0)
        goto done;
    if (media.video >= 0 && !have_poster) {
        ret = media.photo ? thumb_poster_photo(&media, path, o.width, &poster)
                          : thumb_poster_video(&media, o.width, &poster);
    } else if (media.video < 0 && media.cover >= 0 && !have_poster) {
        ret = thumb_poster_cover(&media, o.width, &poster);
    } else if (media.video < 0 && media.cover < 0 && media.audio) {
        json_object_set_new(result, "reason", json_string("audio without cover art"));
    } else if (media.video < 0 && media.cover < 0) {
        ret = thumb_fail(&call, THUMB_ERROR, "no video or audio stream");
    }
    if (ret < 0)
        goto done;
    if (poster.pic) {
        ret = write_poster(&call, &n, &poster, &facts);
        if (ret < 0)
            goto done;
        json_object_set_new(result, "poster", facts);
    }
    if (o.storyboard && !have_storyboard && media.video >= 0 && !media.photo &&
        media.duration > o.storyboard_min)
        add_storyboard(&media, &n, &o, result);
done:
    thumb_poster_release(&poster);
    thumb_media_release(&media);
    if (ret < 0) {
        json_decref(result);
        result = json_pack("{s:s}", "error", call.err[0] ? call.err : "unknown error");
    }
    *out = result;
    return ret;
}
