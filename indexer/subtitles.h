/* subtitles.h - private to indexer/: transcripts as time-coded cues, from
 * subtitle files beside the media (NAME.LANG.srt, NAME.LANG.vtt) and from
 * the text subtitle streams inside it.
 *
 * A cue is {"start": seconds, "end": seconds, "text": "..."}: times rounded
 * to the millisecond, text plain UTF-8 (markup removed, lines joined with
 * "\n"). Every json_t ** result belongs to the caller (one reference). */
#ifndef REEL_SUBTITLES_H
#define REEL_SUBTITLES_H

#include <jansson.h>

enum subs_error {
    SUBS_EREAD = -1,      /* the file cannot be read (or is not text) */
    SUBS_ENOCUE = -2,     /* it was read, but holds no valid cue */
    SUBS_ETIMEOUT = -3,   /* the media took longer than the time limit */
    SUBS_EMEDIA = -4,     /* libavformat cannot read the media */
};

#define SUBS_FILE_MAX (64 << 20)    /* larger "subtitle files" are not read */

/* Parses the SubRip or WebVTT file at path, recognised by its content
 * (a "WEBVTT" first line) or else read as SubRip, which also takes the
 * '.' decimal separator. UTF-8 with or without a BOM; LF, CRLF or CR line
 * ends. SubRip cue numbers are optional; WebVTT headers, NOTE, STYLE and
 * REGION blocks, cue identifiers and cue settings are skipped. Timestamps
 * are [HH:]MM:SS[,.]fff (a shorter fraction, or none, is read too). Text
 * is stripped of <i>, <b>, <u>, <font>, <c.x>, <v Name>, <lang>, <ruby>,
 * karaoke timestamps and {\an8}-style override blocks, and the entities
 * &amp; &lt; &gt; &nbsp; &lrm; &rlm; are decoded.
 *
 * *out_cues gets the good cues in file order and *out_errors
 * [{"line": N, "message": "..."}] for each block that was skipped (a bad
 * timestamp, an end before the start, text that is not UTF-8, lines with
 * no timing), N being the 1-based line of the problem. Empty cues are
 * dropped silently. Returns 0 when at least one cue was read (errors may
 * still be listed), SUBS_EREAD when the file cannot be read, is larger
 * than SUBS_FILE_MAX or holds NUL bytes (binary, or UTF-16), SUBS_ENOCUE
 * when no cue is valid; *out_errors then says why (line 0 for the whole
 * file). Both out-parameters are always set. */
int subs_parse_file(const char *path, json_t **out_cues, json_t **out_errors);

/* Decodes every text subtitle stream of the media at path (SubRip,
 * mov_text, ASS/SSA, WebVTT, plain text and the other codecs FFmpeg marks
 * as text subtitles; bitmap ones such as DVD or PGS are skipped) with
 * libavcodec, giving up after timeout seconds (<= 0: 30). Cue times are
 * relative to the start of the media (the container's start time is
 * subtracted); ASS lines are reduced to their text, without override tags.
 *
 * *out_tracks = [{"stream": index, "codec": "subrip", "language": "pol"
 * (the stream's tag as written; absent when missing or "und"),
 * "cues": [...], "errors": N (packets that failed to decode, absent
 * when 0)}], one per text subtitle stream, possibly empty. Returns 0,
 * SUBS_EMEDIA or SUBS_ETIMEOUT; *out_tracks is NULL on failure. */
int subs_from_streams(const char *path, double timeout, json_t **out_tracks);

/* Tells whether the subtitle file named sub_name belongs to the media file
 * named media_name (both names without folders) and in which language:
 * for media "talk.mp4", "talk.en.srt" gives "en", "talk.pt-BR.vtt"
 * "pt-BR" (as written: 1 to 15 letters, digits, '-' or '_'), "talk.srt"
 * and "talk.mp4.srt" give "" (unknown). Returns 0 with out set, or -1
 * when the name is not a .srt/.vtt (any case) of this media ("other.en.srt",
 * "talk.en.forced.srt", which may belong to "talk.en.mp4"); out is then "". */
int subs_language_from_name(const char *media_name, const char *sub_name, char out[16]);

/* Reduces the text of one cue to plain text into out (size bytes):
 * HTML-like tags (<i>, </font>, <00:01.000>...) and {\...} override blocks
 * removed, the few entities above decoded, ASS escapes \N and \n made line
 * breaks and \h a space, each line trimmed, empty lines dropped. A '<' or
 * '{' that opens no tag is kept. Returns the length written. */
size_t subs_plain_text(const char *in, char *out, size_t size);

#endif
