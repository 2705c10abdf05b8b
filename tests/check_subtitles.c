/* check_subtitles.c - transcripts (indexer/subtitles*.c): SubRip and WebVTT
 * files, text subtitle streams decoded from media made with the ffmpeg CLI,
 * and which subtitle file belongs to which media. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "subtitles.h"

static char dir[64];

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/reel-subs-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

/* Writes len bytes (or the string, when len is 0) to dir/name. */
static const char *write_file(const char *name, const char *text, size_t len)
{
    static char path[256];
    FILE *f;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    len = len ? len : strlen(text);
    ck_assert_uint_eq(fwrite(text, 1, len, f), len);
    ck_assert_int_eq(fclose(f), 0);
    return path;
}

/* Runs "ffmpeg -v error -y ARGS dir/name"; %D in args is the folder. */
static const char *make(const char *name, const char *args)
{
    static char path[256];
    char cmd[2048], expanded[1024];
    size_t o = 0;
    for (const char *a = args; *a && o + 64 < sizeof expanded; a++) {
        if (a[0] == '%' && a[1] == 'D') {
            o += (size_t)snprintf(expanded + o, sizeof expanded - o, "%s", dir);
            a++;
        } else {
            expanded[o++] = *a;
        }
    }
    expanded[o] = 0;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    snprintf(cmd, sizeof cmd, "ffmpeg -nostdin -v error -y %s '%s'", expanded, path);
    ck_assert_msg(system(cmd) == 0, "fixture failed: %s", cmd);
    return path;
}

static void cue_is(json_t *cues, size_t i, double start, double end, const char *text)
{
    json_t *c = json_array_get(cues, i);
    ck_assert_msg(c != NULL, "no cue %zu", i);
    ck_assert_double_eq_tol(json_real_value(json_object_get(c, "start")), start, 1e-9);
    ck_assert_double_eq_tol(json_real_value(json_object_get(c, "end")), end, 1e-9);
    ck_assert_str_eq(json_string_value(json_object_get(c, "text")), text);
}

static void error_is(json_t *errors, size_t i, long line, const char *fragment)
{
    json_t *e = json_array_get(errors, i);
    const char *msg = json_string_value(json_object_get(e, "message"));
    ck_assert_msg(e != NULL, "no error %zu", i);
    ck_assert_int_eq(json_integer_value(json_object_get(e, "line")), line);
    ck_assert_msg(msg && strstr(msg, fragment), "'%s' lacks '%s'", msg ? msg : "", fragment);
}

/* ---- files ------------------------------------------------------------------ */

START_TEST(test_subtitles_subs_parse_file__srt)
{
    json_t *cues = NULL, *errors = NULL;
    const char *path = write_file("talk.en.srt",
        "1\n"
        "00:00:01,000 --> 00:00:02,500\n"
        "Hello, world.\n"
        "\n"
        "2\n"
        "00:00:03,250 --> 00:00:05,000\n"
        "<i>Political prisoners</i>\n"
        "must be <font color=\"red\">released</font>.\n"
        "\n"
        "3\n"
        "00:01:02,003 --> 01:00:00,000 X1:10 X2:20 Y1:1 Y2:2\n"
        "{\\an8}Top line &amp; a < b\n"
        "\n\n", 0);

    ck_assert_int_eq(subs_parse_file(path, &cues, &errors), 0);
    ck_assert_uint_eq(json_array_size(cues), 3);
    ck_assert_uint_eq(json_array_size(errors), 0);
    cue_is(cues, 0, 1.0, 2.5, "Hello, world.");
    cue_is(cues, 1, 3.25, 5.0, "Political prisoners\nmust be released.");
    cue_is(cues, 2, 62.003, 3600.0, "Top line & a < b");
    json_decref(cues);
    json_decref(errors);
}
END_TEST

START_TEST(test_subtitles_subs_parse_file__vtt)
{
    json_t *cues = NULL, *errors = NULL;
    const char *path = write_file("talk.ru.vtt",
        "WEBVTT - a seminar\n"
        "Kind: captions\n"
        "\n"
        "NOTE this is a comment\n"
        "spanning two lines\n"
        "\n"
        "STYLE\n"
        "::cue { color: yellow }\n"
        "\n"
        "intro\n"
        "00:01.000 --> 00:04.000 align:start position:10%\n"
        "<v Ales>Добрый <c.yellow>вечер</c></v>\n"
        "\n"
        "00:00:05.500 --> 00:00:07.000\n"
        "<00:00:05.500>Karaoke <00:00:06.000>words\n"
        "  second line  \n", 0);

    ck_assert_int_eq(subs_parse_file(path, &cues, &errors), 0);
    ck_assert_uint_eq(json_array_size(errors), 0);
    ck_assert_uint_eq(json_array_size(cues), 2);
    cue_is(cues, 0, 1.0, 4.0, "Добрый вечер");
    cue_is(cues, 1, 5.5, 7.0, "Karaoke words\nsecond line");
    json_decref(cues);
    json_decref(errors);
}
END_TEST

START_TEST(test_subtitles_subs_parse_file__bom_crlf)
{
    json_t *cues = NULL, *errors = NULL;
    const char *path = write_file("talk.srt",
        "\xEF\xBB\xBF"
        "00:00:00,500 --> 00:00:01,000\r\n"
        "First\r\n"
        "line two\r\n"
        "\r\n"
        "00:00:02.000 --> 00:00:03.000\r\n"   /* '.' in SubRip, no numbers */
        "Second\r\n", 0);

    ck_assert_int_eq(subs_parse_file(path, &cues, &errors), 0);
    ck_assert_uint_eq(json_array_size(errors), 0);
    ck_assert_uint_eq(json_array_size(cues), 2);
    cue_is(cues, 0, 0.5, 1.0, "First\nline two");
    cue_is(cues, 1, 2.0, 3.0, "Second");
    json_decref(cues);
    json_decref(errors);

    /* a WebVTT file with a BOM and CR line ends */
    path = write_file("cr.vtt", "\xEF\xBB\xBFWEBVTT\r\r00:01.000 --> 00:02.000\rOne\r", 0);
    ck_assert_int_eq(subs_parse_file(path, &cues, &errors), 0);
    ck_assert_uint_eq(json_array_size(cues), 1);
    cue_is(cues, 0, 1.0, 2.0, "One");
    json_decref(cues);
    json_decref(errors);

    /* no blank line after the header; a fraction of one digit */
    path = write_file("tight.vtt", "WEBVTT\n00:01.5 --> 00:02\nTight\n", 0);
    ck_assert_int_eq(subs_parse_file(path, &cues, &errors), 0);
    ck_assert_uint_eq(json_array_size(errors), 0);
    ck_assert_uint_eq(json_array_size(cues), 1);
    cue_is(cues, 0, 1.5, 2.0, "Tight");
    json_decref(cues);
    json_decref(errors);
}
END_TEST

START_TEST(test_subtitles_subs_parse_file__broken_timestamp)
{
    json_t *cues = NULL, *errors = NULL;
    const char *path = write_file("broken.srt",
        "1\n"                                   /* line 1 */
        "00:00:01,000 --> 00:00:02,000\n"
        "Good one\n"
        "\n"
        "2\n"                                   /* line 5 */
        "00:00:0x,000 --> 00:00:04,000\n"       /* line 6 */
        "Bad one\n"
        "\n"
        "3\n"
        "00:00:05,000 --> 00:00:06,000\n"
        "Good two\n", 0);

    ck_assert_int_eq(subs_parse_file(path, &cues, &errors), 0);
    ck_assert_uint_eq(json_array_size(cues), 2);
    cue_is(cues, 0, 1.0, 2.0, "Good one");
    cue_is(cues, 1, 5.0, 6.0, "Good two");
    ck_assert_uint_eq(json_array_size(errors), 1);
    error_is(errors, 0, 6, "bad cue timing '00:00:0x,000 --> 00:00:04,000'");
    json_decref(cues);
    json_decref(errors);
}
END_TEST

START_TEST(test_subtitles_subs_parse_file__bad_cues)
{
    json_t *cues = NULL, *errors = NULL;
    const char *path = write_file("bad.srt",
        "1\n"                                   /* line 1 */
        "00:00:05,000 --> 00:00:04,000\n"       /* line 2: ends before it starts */
        "Backwards\n"
        "\n"
        "2\n"                                   /* line 5 */
        "00:00:06,000 --> 00:00:07,000\n"
        "Caf\xE9 in Latin-1\n"                  /* line 7: not UTF-8 */
        "\n"
        "3\n"                                   /* line 9 */
        "00:00:08,000 --> 00:00:09,000\n"
        "No blank line after me\n"
        "4\n"
        "00:00:10,000 --> 00:00:11,000\n"
        "Kept too\n"
        "\n"
        "stray text\n"                          /* line 16: no timing */
        "\n"
        "00:61:00,000 --> 00:62:00,000\n"       /* line 18: minutes past 59 */
        "Bad minutes\n", 0);

    ck_assert_int_eq(subs_parse_file(path, &cues, &errors), 0);
    ck_assert_uint_eq(json_array_size(cues), 2);
    cue_is(cues, 0, 8.0, 9.0, "No blank line after me");
    cue_is(cues, 1, 10.0, 11.0, "Kept too");
    ck_assert_uint_eq(json_array_size(errors), 4);
    error_is(errors, 0, 2, "ends before it starts");
    error_is(errors, 1, 7, "not UTF-8");
    error_is(errors, 2, 16, "no cue timing line");
    error_is(errors, 3, 18, "bad cue timing");
    json_decref(cues);
    json_decref(errors);
}
END_TEST

START_TEST(test_subtitles_subs_parse_file__not_subtitles)
{
    json_t *cues = NULL, *errors = NULL;
    const char *path = write_file("notes.srt", "Just some notes\nabout the talk.\n\nNothing more.\n", 0);

    ck_assert_int_eq(subs_parse_file(path, &cues, &errors), SUBS_ENOCUE);
    ck_assert_uint_eq(json_array_size(cues), 0);
    ck_assert_uint_eq(json_array_size(errors), 1);
    error_is(errors, 0, 0, "not a SubRip or WebVTT file");
    json_decref(cues);
    json_decref(errors);

    path = write_file("binary.srt", "\x1a\x45\xdf\xa3\0\0\0\0 --> ", 13);
    ck_assert_int_eq(subs_parse_file(path, &cues, &errors), SUBS_EREAD);
    error_is(errors, 0, 0, "not a text file");
    json_decref(cues);
    json_decref(errors);

    path = write_file("all-bad.srt", "1\n00:00:02,000 --> 00:00:01,000\nBackwards\n", 0);
    ck_assert_int_eq(subs_parse_file(path, &cues, &errors), SUBS_ENOCUE);
    error_is(errors, 0, 2, "ends before it starts");
    json_decref(cues);
    json_decref(errors);

    path = write_file("empty.vtt", "WEBVTT\n", 0);
    ck_assert_int_eq(subs_parse_file(path, &cues, &errors), SUBS_ENOCUE);
    json_decref(cues);
    json_decref(errors);

    ck_assert_int_eq(subs_parse_file("/nonexistent/x.srt", &cues, &errors), SUBS_EREAD);
    ck_assert_ptr_nonnull(cues);
    error_is(errors, 0, 0, "cannot read: No such file or directory");
    json_decref(cues);
    json_decref(errors);
}
END_TEST

START_TEST(test_subtitles_subs_plain_text__forms)
{
    char out[128];
    ck_assert_uint_eq(subs_plain_text("  <i> </i>  \n\n<b>bold</b> &lt;3 &nbsp;\n", out, sizeof out), 7);
    ck_assert_str_eq(out, "bold <3");
    subs_plain_text("a <3 b {not an override} {\\i1}c{\\i0}", out, sizeof out);
    ck_assert_str_eq(out, "a <3 b {not an override} c");
    subs_plain_text("one\\Ntwo\\hthree\\nfour", out, sizeof out);
    ck_assert_str_eq(out, "one\ntwo three\nfour");
    subs_plain_text("<unclosed tag", out, sizeof out);
    ck_assert_str_eq(out, "<unclosed tag");
    ck_assert_uint_eq(subs_plain_text("truncated text", out, 5), 4);
    ck_assert_str_eq(out, "trun");
}
END_TEST

/* ---- streams ---------------------------------------------------------------- */

static const char *const stream_srt =
    "1\n"
    "00:00:00,500 --> 00:00:01,750\n"
    "<i>Więźniowie</i> polityczni\n"
    "druga linia\n"
    "\n"
    "2\n"
    "00:00:02,000 --> 00:00:03,250\n"
    "Wolność\n";

static json_t *one_track(const char *path, const char *codec, const char *language)
{
    json_t *tracks = NULL, *t;
    ck_assert_int_eq(subs_from_streams(path, 20, &tracks), 0);
    ck_assert_uint_eq(json_array_size(tracks), 1);
    t = json_array_get(tracks, 0);
    ck_assert_int_eq(json_integer_value(json_object_get(t, "stream")), 1);
    ck_assert_str_eq(json_string_value(json_object_get(t, "codec")), codec);
    ck_assert_str_eq(json_string_value(json_object_get(t, "language")), language);
    ck_assert_ptr_null(json_object_get(t, "errors"));
    return tracks;
}

START_TEST(test_subtitles_subs_from_streams__mkv_subrip)
{
    json_t *tracks, *cues;
    const char *path;

    write_file("in.srt", stream_srt, 0);
    path = make("talk.mkv", "-f lavfi -i color=c=black:s=32x32:r=5:d=4 -i %D/in.srt "
                            "-map 0 -map 1 -c:v mpeg4 -c:s srt -metadata:s:s:0 language=pol");
    tracks = one_track(path, "subrip", "pol");
    cues = json_object_get(json_array_get(tracks, 0), "cues");
    ck_assert_uint_eq(json_array_size(cues), 2);
    cue_is(cues, 0, 0.5, 1.75, "Więźniowie polityczni\ndruga linia");
    cue_is(cues, 1, 2.0, 3.25, "Wolność");
    json_decref(tracks);
}
END_TEST

START_TEST(test_subtitles_subs_from_streams__mp4_mov_text)
{
    json_t *tracks, *cues;
    const char *path;

    write_file("in.srt", stream_srt, 0);
    path = make("talk.mp4", "-f lavfi -i color=c=black:s=32x32:r=5:d=4 -i %D/in.srt "
                            "-map 0 -map 1 -c:v mpeg4 -c:s mov_text -metadata:s:s:0 language=eng");
    tracks = one_track(path, "mov_text", "eng");
    cues = json_object_get(json_array_get(tracks, 0), "cues");
    ck_assert_uint_eq(json_array_size(cues), 2);
    cue_is(cues, 0, 0.5, 1.75, "Więźniowie polityczni\ndruga linia");
    cue_is(cues, 1, 2.0, 3.25, "Wolność");
    json_decref(tracks);
}
END_TEST

START_TEST(test_subtitles_subs_from_streams__ass_in_mkv)
{
    json_t *tracks = NULL, *cues, *t;
    const char *path;

    write_file("in.ass",
        "[Script Info]\nScriptType: v4.00+\n\n"
        "[V4+ Styles]\n"
        "Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, "
        "BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, "
        "BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding\n"
        "Style: Default,Arial,20,&H00FFFFFF,&H000000FF,&H00000000,&H00000000,0,0,0,0,100,100,"
        "0,0,1,1,0,2,10,10,10,1\n\n"
        "[Events]\n"
        "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n"
        "Dialogue: 0,0:00:01.00,0:00:02.50,Default,Ales,0,0,0,,{\\an8}{\\i1}Hello,{\\i0} "
        "world\\Nsecond line\n", 0);
    path = make("ass.mkv", "-i %D/in.ass -c:s copy");
    ck_assert_int_eq(subs_from_streams(path, 20, &tracks), 0);
    ck_assert_uint_eq(json_array_size(tracks), 1);
    t = json_array_get(tracks, 0);
    ck_assert_int_eq(json_integer_value(json_object_get(t, "stream")), 0);
    ck_assert_str_eq(json_string_value(json_object_get(t, "codec")), "ass");
    ck_assert_ptr_null(json_object_get(t, "language"));
    cues = json_object_get(t, "cues");
    ck_assert_uint_eq(json_array_size(cues), 1);
    cue_is(cues, 0, 1.0, 2.5, "Hello, world\nsecond line");
    json_decref(tracks);
}
END_TEST

START_TEST(test_subtitles_subs_from_streams__none)
{
    json_t *tracks = NULL;
    const char *path = make("plain.mp4", "-f lavfi -i color=c=black:s=32x32:r=5:d=1 -c:v mpeg4");

    ck_assert_int_eq(subs_from_streams(path, 20, &tracks), 0);
    ck_assert_ptr_nonnull(tracks);
    ck_assert_uint_eq(json_array_size(tracks), 0);
    json_decref(tracks);

    path = write_file("text.mp4", "this is not a video\n", 0);
    ck_assert_int_eq(subs_from_streams(path, 20, &tracks), SUBS_EMEDIA);
    ck_assert_ptr_null(tracks);
}
END_TEST

/* ---- names ------------------------------------------------------------------ */

static void lang_is(const char *media, const char *sub, const char *want)
{
    char out[16] = "?";
    ck_assert_msg(subs_language_from_name(media, sub, out) == 0, "%s not of %s", sub, media);
    ck_assert_str_eq(out, want);
}

static void not_of(const char *media, const char *sub)
{
    char out[16] = "?";
    ck_assert_msg(subs_language_from_name(media, sub, out) == -1, "%s taken for %s", sub, media);
    ck_assert_str_eq(out, "");
}

START_TEST(test_subtitles_subs_language_from_name__with_language)
{
    lang_is("talk.mp4", "talk.en.srt", "en");
    lang_is("talk.mp4", "talk.ru.vtt", "ru");
    lang_is("talk.mp4", "talk.pt-BR.srt", "pt-BR");
    lang_is("talk.mp4", "talk.POL.SRT", "POL");
    lang_is("talk.mp4", "talk.mp4.en.srt", "en");
    lang_is("talk.part1.mov", "talk.part1.be.vtt", "be");
}
END_TEST

START_TEST(test_subtitles_subs_language_from_name__without_language)
{
    lang_is("talk.mp4", "talk.srt", "");
    lang_is("talk.mp4", "talk.mp4.vtt", "");
    lang_is("talk", "talk.srt", "");
    lang_is("talk", "talk.de.srt", "de");
}
END_TEST

START_TEST(test_subtitles_subs_language_from_name__other_media)
{
    not_of("talk.mp4", "other.en.srt");
    not_of("talk.mp4", "talkative.en.srt");
    not_of("talk.mp4", "talk.en.forced.srt");
    not_of("talk.mp4", "talk.en.txt");
    not_of("talk.mp4", "talk.en");
    not_of("talk.mp4", "talk..srt");
    not_of("talk.mp4", "talk.this-tag-is-far-too-long.srt");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("subtitles");
    TCase *files = tcase_create("files"), *streams = tcase_create("streams");
    TCase *names = tcase_create("names");
    SRunner *sr;
    int failed;

    tcase_add_checked_fixture(files, setup, teardown);
    tcase_add_test(files, test_subtitles_subs_parse_file__srt);
    tcase_add_test(files, test_subtitles_subs_parse_file__vtt);
    tcase_add_test(files, test_subtitles_subs_parse_file__bom_crlf);
    tcase_add_test(files, test_subtitles_subs_parse_file__broken_timestamp);
    tcase_add_test(files, test_subtitles_subs_parse_file__bad_cues);
    tcase_add_test(files, test_subtitles_subs_parse_file__not_subtitles);
    tcase_add_test(files, test_subtitles_subs_plain_text__forms);
    suite_add_tcase(s, files);

    tcase_add_checked_fixture(streams, setup, teardown);
    tcase_add_test(streams, test_subtitles_subs_from_streams__mkv_subrip);
    tcase_add_test(streams, test_subtitles_subs_from_streams__mp4_mov_text);
    tcase_add_test(streams, test_subtitles_subs_from_streams__ass_in_mkv);
    tcase_add_test(streams, test_subtitles_subs_from_streams__none);
    suite_add_tcase(s, streams);

    tcase_add_test(names, test_subtitles_subs_language_from_name__with_language);
    tcase_add_test(names, test_subtitles_subs_language_from_name__without_language);
    tcase_add_test(names, test_subtitles_subs_language_from_name__other_media);
    suite_add_tcase(s, names);

    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
