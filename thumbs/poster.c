/* Posters of videos (the most informative of a few candidate frames) and of audio files
 * (their cover art). */
#include <math.h>

#include "thumbs_int.h"

/* Where to look, as fractions of the duration: past intros and fades, spread over the
 * body of the video. */
static const double candidates[] = {0.10, 0.25, 0.40, 0.55, 0.70};
#define NCAND (int)(sizeof(candidates) / sizeof(candidates[0]))

/* Packets of the video stream read for one candidate after its seek: enough for decoder
 * delay (B-frames, a few broken packets), small enough that one candidate stays cheap. */
#define CANDIDATE_PACKETS 64
/* Packets walked forward when a seek lands on a keyframe already judged (long GOPs). */
#define FORWARD_PACKETS 64
/* Without a usable duration or seeking: candidates every SEQUENTIAL_STEP frames. */
#define SEQUENTIAL_STEP 25

/* A frame this spread out and this varied is clearly a picture: stop looking. Measured on
 * pics scaled to poster size (entropy of 64 bins, at most 6 bits): black, grey and faded
 * frames score near 0 on both; title cards (two flat colours) stay under 2 bits; camera
 * footage in the corpus scores 5 to 5.5, synthetic test patterns 3.5. */
#define GOOD_STDDEV 32.0
#define GOOD_ENTROPY 3.0

void thumb_poster_release(thumb_poster *p)
{
    av_frame_free(&p->pic);
}

/* Scales m->frame to poster size and keeps it in *best when it beats best_score. */
static int consider(thumb_media *m, int width, thumb_scaler *sws, thumb_poster *best,
                    double *best_score, int *good)
{
    thumb_turn turn = {m->rotation, 0};
    AVFrame *pic = NULL;
    double stddev, entropy, score;
    int sw, sh, ret;

    ret = thumb_fit(m->call, m->frame->width, m->frame->height, thumb_media_sar(m), turn, width,
                    &sw, &sh);
    if (ret < 0)
        goto done;
    ret = thumb_scale(m->call, sws, m->frame, sw, sh, &pic);
    if (ret < 0)
        goto done;
    thumb_luma_stats(pic, &stddev, &entropy);
    score = stddev * entropy;
    if (score > *best_score) {
        av_frame_free(&best->pic);
        best->pic = pic;
        best->time = thumb_media_frame_time(m);
        *best_score = score;
        pic = NULL;
    }
    *good = stddev >= GOOD_STDDEV && entropy >= GOOD_ENTROPY;
done:
    av_frame_free(&pic);
    return ret;
}

static int seen(const double *times, int n, double t)
{
    for (int i = 0; i < n; i++)
        if (t >= 0 && fabs(times[i] - t) < 1e-3)
            return 1;
    return 0;
}

/* Seeks near each candidate time and judges the first frame there. */
static int by_seeking(thumb_media *m, int width, thumb_scaler *sws, thumb_poster *best,
                      double *best_score, int *good)
{
    double judged[NCAND], spent[NCAND];
    /* Candidates within the picture, not within a longer audio or subtitle track. */
    double span = m->video_duration > 0 && m->video_duration < m->duration ? m->video_duration
                                                                           : m->duration;
    int njudged = 0, nspent = 0;

    for (int i = 0; i < NCAND && !*good; i++) {
        double target = candidates[i] * span, key, t;
        int budget = CANDIDATE_PACKETS, r, ret;

        if (thumb_media_seek(m, target) < 0)
            return 0; /* not seekable: the caller reads sequentially */
        /* The keyframe alone first: one decoded frame per candidate in the common case. */
        r = thumb_media_key(m, &budget);
        if (r == 1 && thumb_media_seek(m, target) == 0) {
            budget = CANDIDATE_PACKETS; /* no packet flagged key: decode whatever comes */
            r = thumb_media_next(m, &budget);
        }
        if (r < 0)
            return r;
        if (r > 0)
            continue;
        key = t = thumb_media_frame_time(m);
        if (seen(judged, njudged, t)) {
            /* Keyframes are sparser than candidates: walk to the candidate time instead of
             * judging the same keyframe twice. A walk from a keyframe that already ran out
             * of budget would only end on a frame already judged. */
            if (seen(spent, nspent, key) || thumb_media_seek(m, target) < 0)
                continue;
            budget = FORWARD_PACKETS;
            while (r == 0 && t < target)
                if ((r = thumb_media_next(m, &budget)) == 0)
                    t = thumb_media_frame_time(m);
            if (r < 0)
                return r;
            if (t < target && nspent < NCAND)
                spent[nspent++] = key;
            if (seen(judged, njudged, t))
                continue;
        }
        ret = consider(m, width, sws, best, best_score, good);
        if (ret < 0)
            return ret;
        judged[njudged++] = t;
    }
    return 0;
}

/* For files without duration or index: judge every SEQUENTIAL_STEP-th frame from the start. */
static int by_reading(thumb_media *m, int width, thumb_scaler *sws, thumb_poster *best,
                      double *best_score, int *good)
{
    int budget = NCAND * SEQUENTIAL_STEP + CANDIDATE_PACKETS;

    thumb_media_seek(m, 0); /* best effort: a format that cannot seek is still at its start */
    for (int i = 0; i < NCAND && !*good; i++) {
        int r = 0, ret;
        for (int skip = i ? SEQUENTIAL_STEP : 1; skip > 0 && r == 0; skip--)
            r = thumb_media_next(m, &budget);
        if (r < 0)
            return r;
        if (r > 0)
            break;
        ret = consider(m, width, sws, best, best_score, good);
        if (ret < 0)
            return ret;
    }
    return 0;
}

int thumb_poster_video(thumb_media *m, int width, thumb_poster *out)
{
    thumb_scaler sws = {0};
    thumb_poster best = {NULL, "frame", -1};
    double best_score = -1;
    int good = 0, ret;

    ret = thumb_media_open_decoder(m, 0, 0);
    if (ret < 0)
        goto done;
    if (m->duration > 0) {
        ret = by_seeking(m, width, &sws, &best, &best_score, &good);
        if (ret < 0)
            goto done;
    }
    if (!best.pic) {
        ret = by_reading(m, width, &sws, &best, &best_score, &good);
        if (ret < 0)
            goto done;
    }
    if (!best.pic) {
        char reason[AV_ERROR_MAX_STRING_SIZE] = "";
        if (m->last_error)
            av_strerror(m->last_error, reason, sizeof(reason));
        ret = thumb_fail(m->call, THUMB_ERROR, "no decodable video frame%s%s%s",
                         reason[0] ? " (" : "", reason, reason[0] ? ")" : "");
        goto done;
    }
    ret = thumb_turn_pic(m->call, &best.pic, (thumb_turn){m->rotation, 0});
    if (ret < 0)
        goto done;
    *out = best;
    best.pic = NULL;
done:
    thumb_poster_release(&best);
    thumb_scaler_release(&sws);
    return ret;
}

int thumb_poster_cover(thumb_media *m, int width, thumb_poster *out)
{
    const AVStream *st = m->fmt->streams[m->cover];
    thumb_scaler sws = {0};
    AVFrame *frame = NULL, *pic = NULL;
    int sw, sh, ret;

    ret = thumb_decode_still(m->call, st->codecpar, st->attached_pic.data,
                             (size_t)st->attached_pic.size, &frame);
    if (ret < 0)
        goto done;
    ret = thumb_fit(m->call, frame->width, frame->height, frame->sample_aspect_ratio,
                    (thumb_turn){0, 0}, width, &sw, &sh);
    if (ret < 0)
        goto done;
    ret = thumb_scale(m->call, &sws, frame, sw, sh, &pic);
    if (ret < 0)
        goto done;
    out->pic = pic;
    out->source = "cover";
    out->time = -1;
    pic = NULL;
done:
    av_frame_free(&pic);
    av_frame_free(&frame);
    thumb_scaler_release(&sws);
    return ret;
}
