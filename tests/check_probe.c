/* check_probe.c - one file's technical record (indexer/extract*.c), and the
 * date and location parsers it relies on. Media are made with the ffmpeg CLI. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "datetime.h"
#include "geo.h"
#include "indexer.h"

static char dir[64];

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/reel-probe-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

/* Runs an ffmpeg command line (after "ffmpeg -v error -y") writing dir/name. */
static const char *make(const char *name, const char *args)
{
    static char path[256];
    char cmd[2048];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    snprintf(cmd, sizeof cmd, "ffmpeg -nostdin -v error -y %s '%s'", args, path);
    ck_assert_msg(system(cmd) == 0, "fixture failed: %s", cmd);
    return path;
}

static json_t *extract(const char *path)
{
    json_t *rec = NULL;
    ck_assert_int_eq(index_extract_file(path, 10, &rec), 0);
    ck_assert_ptr_nonnull(rec);
    return rec;
}

static const char *str(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    ck_assert_msg(s != NULL, "no string '%s'", key);
    return s;
}

static json_int_t num(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    ck_assert_msg(json_is_integer(v), "no integer '%s'", key);
    return json_integer_value(v);
}

static void assert_error(json_t *rec, const char *stage, const char *fragment)
{
    json_t *e = json_object_get(rec, "error");
    ck_assert_ptr_nonnull(e);
    ck_assert_str_eq(str(e, "stage"), stage);
    ck_assert_msg(strstr(str(e, "message"), fragment), "'%s' lacks '%s'", str(e, "message"), fragment);
}

/* ---- dates and places ---------------------------------------------------------- */

START_TEST(test_probe_datetime_from_exif__forms)
{
    char out[DATETIME_MAX];
    ck_assert_int_eq(datetime_from_exif("2019:03:17 11:25:10", "+01:00", out), 0);
    ck_assert_str_eq(out, "2019-03-17T11:25:10+01:00");
    ck_assert_int_eq(datetime_from_exif("2019:03:17 11:25:10", NULL, out), 0);
    ck_assert_str_eq(out, "2019-03-17T11:25:10");
    ck_assert_int_eq(datetime_from_exif("2019:03:17 11:25:10", "junk", out), 0);
    ck_assert_str_eq(out, "2019-03-17T11:25:10");
    ck_assert_int_eq(datetime_from_exif("0000:00:00 00:00:00", NULL, out), -1);
    ck_assert_int_eq(datetime_from_exif("    :  :     :  :  ", NULL, out), -1);
    ck_assert_int_eq(datetime_from_exif("2019:13:17 11:25:10", NULL, out), -1);
    ck_assert_int_eq(datetime_from_exif("2019", NULL, out), -1);
}
END_TEST

START_TEST(test_probe_datetime_from_container__forms)
{
    char out[DATETIME_MAX];
    ck_assert_int_eq(datetime_from_container("2014-10-24T09:00:00.000000Z", out), 0);
    ck_assert_str_eq(out, "2014-10-24T09:00:00Z");
    ck_assert_int_eq(datetime_from_container("2014-10-24T09:00:00.250000Z", out), 0);
    ck_assert_str_eq(out, "2014-10-24T09:00:00.25Z");
    ck_assert_int_eq(datetime_from_container("2019-03-17T11:25:10+0100", out), 0);
    ck_assert_str_eq(out, "2019-03-17T11:25:10+01:00");
    ck_assert_int_eq(datetime_from_container("2019-03-17T11:25:10-05:30", out), 0);
    ck_assert_str_eq(out, "2019-03-17T11:25:10-05:30");
    ck_assert_int_eq(datetime_from_container("2014-10-24 09:00:00", out), 0);
    ck_assert_str_eq(out, "2014-10-24T09:00:00");
    ck_assert_int_eq(datetime_from_container("2014-10-24", out), 0);
    ck_assert_str_eq(out, "2014-10-24T00:00:00");
    ck_assert_int_eq(datetime_from_container("1904-01-01T00:00:00.000000Z", out), -1);
    ck_assert_int_eq(datetime_from_container("1970-01-01T00:00:00Z", out), -1);
    ck_assert_int_eq(datetime_from_container("2014", out), -1);
    ck_assert_int_eq(datetime_from_container("yesterday at noon", out), -1);
    ck_assert_int_eq(datetime_from_container("2014-10-24T09:00:00+25:00", out), -1);
}
END_TEST

START_TEST(test_probe_geo_parse_iso6709__forms)
{
    double lat = 0, lon = 0;
    ck_assert_int_eq(geo_parse_iso6709("+59.3293+018.0686/", &lat, &lon), 0);
    ck_assert_double_eq_tol(lat, 59.3293, 1e-9);
    ck_assert_double_eq_tol(lon, 18.0686, 1e-9);
    ck_assert_int_eq(geo_parse_iso6709("-33.8680-070.6510+010.500/", &lat, &lon), 0);
    ck_assert_double_eq_tol(lat, -33.868, 1e-9);
    ck_assert_double_eq_tol(lon, -70.651, 1e-9);
    ck_assert_int_eq(geo_parse_iso6709("+5919.758+01804.116/", &lat, &lon), 0);
    ck_assert_double_eq_tol(lat, 59 + 19.758 / 60, 1e-9);
    ck_assert_double_eq_tol(lon, 18 + 4.116 / 60, 1e-9);
    ck_assert_int_eq(geo_parse_iso6709("+591945.5+0180407/", &lat, &lon), 0);
    ck_assert_double_eq_tol(lat, 59 + 19 / 60.0 + 45.5 / 3600, 1e-9);
    ck_assert_double_eq_tol(lon, 18 + 4 / 60.0 + 7 / 3600.0, 1e-9);
    ck_assert_int_eq(geo_parse_iso6709("+91.0000+018.0000/", &lat, &lon), -1);
    ck_assert_int_eq(geo_parse_iso6709("+00.0000+000.0000/", &lat, &lon), -1);
    ck_assert_int_eq(geo_parse_iso6709("59.3293,18.0686", &lat, &lon), -1);
    ck_assert_int_eq(geo_parse_iso6709("+59.3293", &lat, &lon), -1);
    ck_assert(geo_valid(-90, 180));
    ck_assert(!geo_valid(0, 0));
    ck_assert(!geo_valid(NAN, 10));
}
END_TEST

/* ---- files ------------------------------------------------------------------- */

START_TEST(test_probe_extract__mp4_tags_and_streams)
{
    const char *p = make("talk.mp4",
        "-f lavfi -i testsrc2=size=320x180:rate=25:duration=2 -f lavfi -i sine=f=440:r=48000:d=2 "
        "-ac 2 -c:v libx264 -preset ultrafast -c:a aac -metadata title='Life after prison' "
        "-metadata creation_time=2014-10-24T09:00:00Z -metadata location=+59.3293+018.0686/");
    json_t *r = extract(p), *s;
    ck_assert_str_eq(str(r, "kind"), "video");
    ck_assert_str_eq(str(r, "format"), "mov,mp4,m4a,3gp,3g2,mj2");
    ck_assert_double_eq_tol(json_number_value(json_object_get(r, "duration")), 2.0, 0.05);
    ck_assert_int_eq(num(r, "width"), 320);
    ck_assert_int_eq(num(r, "height"), 180);
    ck_assert_int_eq(num(r, "rotation"), 0);
    ck_assert_double_eq_tol(json_number_value(json_object_get(r, "fps")), 25.0, 1e-6);
    ck_assert_str_eq(str(r, "recorded_at"), "2014-10-24T09:00:00Z");
    ck_assert_str_eq(str(r, "recorded_at_source"), "container");
    ck_assert_str_eq(str(r, "location_source"), "container");
    ck_assert_double_eq_tol(json_number_value(json_object_get(json_object_get(r, "location"), "lat")),
                            59.3293, 1e-6);
    ck_assert_str_eq(str(json_object_get(r, "tags"), "title"), "Life after prison");
    ck_assert_int_eq(json_array_size(json_object_get(r, "streams")), 2);
    s = json_array_get(json_object_get(r, "streams"), 1);
    ck_assert_str_eq(str(s, "type"), "audio");
    ck_assert_str_eq(str(s, "codec"), "aac");
    ck_assert_int_eq(num(s, "sample_rate"), 48000);
    ck_assert_int_eq(num(s, "channels"), 2);
    ck_assert_int_eq(strlen(str(r, "sha256")), 64);
    ck_assert_int_gt(num(r, "size"), 0);
    json_decref(r);
}
END_TEST

START_TEST(test_probe_extract__rotated_mov)
{
    char args[512];
    json_t *r;
    make("plain.mov", "-f lavfi -i testsrc2=size=320x180:rate=30:duration=1 -c:v libx264 "
                      "-preset ultrafast");
    /* FFmpeg 5.1 writes the display matrix of `rotate` only on a stream copy;
     * its rotate=270 (counter-clockwise) is what phones held upright record */
    snprintf(args, sizeof args, "-i '%s/plain.mov' -c copy -metadata:s:v:0 rotate=270", dir);
    r = extract(make("phone.mov", args));
    ck_assert_int_eq(num(r, "rotation"), 90);
    ck_assert_int_eq(num(json_array_get(json_object_get(r, "streams"), 0), "rotation"), 90);
    /* stored size, not the displayed one */
    ck_assert_int_eq(num(r, "width"), 320);
    json_decref(r);
}
END_TEST

START_TEST(test_probe_extract__mkv_chapters_languages)
{
    char meta[256], args[1024];
    FILE *f;
    const char *p;
    json_t *r, *ch, *streams;

    snprintf(meta, sizeof meta, "%s/chapters.txt", dir);
    f = fopen(meta, "w");
    ck_assert_ptr_nonnull(f);
    fputs(";FFMETADATA1\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=0\nEND=1500\ntitle=Opening\n"
          "[CHAPTER]\nTIMEBASE=1/1000\nSTART=1500\nEND=3000\ntitle=Вопросы\n", f);
    fclose(f);
    snprintf(args, sizeof args,
             "-f lavfi -i testsrc2=size=160x90:rate=25:duration=3 -f lavfi -i sine=r=44100:d=3 "
             "-f lavfi -i sine=r=22050:d=3 -i '%s' -map 0 -map 1 -map 2 -map_metadata 3 "
             "-c:v libx264 -preset ultrafast -c:a libopus -metadata:s:a:0 language=eng "
             "-metadata:s:a:1 language=rus", meta);
    p = make("interview.mkv", args);
    r = extract(p);
    ck_assert_str_eq(str(r, "format"), "matroska,webm");
    streams = json_object_get(r, "streams");
    ck_assert_int_eq(json_array_size(streams), 3);
    ck_assert_str_eq(str(json_array_get(streams, 1), "language"), "eng");
    ck_assert_str_eq(str(json_array_get(streams, 2), "language"), "rus");
    ck_assert_str_eq(str(json_array_get(streams, 1), "codec"), "opus");
    ch = json_object_get(r, "chapters");
    ck_assert_int_eq(json_array_size(ch), 2);
    ck_assert_str_eq(str(json_array_get(ch, 1), "title"), "Вопросы");
    ck_assert_double_eq_tol(json_number_value(json_object_get(json_array_get(ch, 1), "start")), 1.5, 1e-6);
    ck_assert_double_eq_tol(json_number_value(json_object_get(json_array_get(ch, 1), "end")), 3.0, 1e-6);
    /* no date in the file: the modification time stands in, and says so */
    ck_assert_str_eq(str(r, "recorded_at_source"), "mtime");
    json_decref(r);
}
END_TEST

START_TEST(test_probe_extract__audio_and_image_kinds)
{
    json_t *r = extract(make("voice.wav", "-f lavfi -i sine=r=16000:d=1 -ac 1"));
    ck_assert_str_eq(str(r, "kind"), "audio");
    ck_assert_str_eq(str(r, "format"), "wav");
    ck_assert_int_eq(num(json_array_get(json_object_get(r, "streams"), 0), "sample_rate"), 16000);
    ck_assert_int_eq(num(json_array_get(json_object_get(r, "streams"), 0), "channels"), 1);
    json_decref(r);

    r = extract(make("poster.png", "-f lavfi -i testsrc2=size=64x48 -frames:v 1"));
    ck_assert_str_eq(str(r, "kind"), "photo");
    ck_assert_str_eq(str(r, "format"), "png_pipe");
    ck_assert_int_eq(num(r, "width"), 64);
    ck_assert_int_eq(num(r, "height"), 48);
    json_decref(r);
}
END_TEST

START_TEST(test_probe_extract__jpeg_named_mp4_is_photo)
{
    const char *jpg = make("still.jpg", "-f lavfi -i testsrc2=size=200x100 -frames:v 1");
    char mislabelled[256];
    json_t *r;
    snprintf(mislabelled, sizeof mislabelled, "%s/clip.mp4", dir);
    ck_assert_int_eq(rename(jpg, mislabelled), 0);
    r = extract(mislabelled);
    ck_assert_str_eq(str(r, "kind"), "photo");
    ck_assert_str_eq(str(r, "format"), "jpeg_pipe");
    ck_assert_int_eq(num(r, "width"), 200);
    ck_assert_int_eq(num(r, "height"), 100);
    ck_assert_str_eq(str(json_array_get(json_object_get(r, "streams"), 0), "codec"), "mjpeg");
    json_decref(r);
}
END_TEST

static const char *write_bytes(const char *name, const void *data, size_t len)
{
    static char path[256];
    FILE *f;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(data, 1, len, f), len);
    fclose(f);
    return path;
}

START_TEST(test_probe_extract__bad_files)
{
    static const unsigned char no_frame[] = {0xFF, 0xD8, 0xFF, 0xFE, 0x00, 0x04, 'h', 'i',
                                             0xFF, 0xD9};
    json_t *r;
    char fifo[256];

    r = extract(write_bytes("empty.mp4", "", 0));
    assert_error(r, "read", "empty file");
    json_decref(r);
    r = extract(write_bytes("notes.mov", "this is not a video\n", 20));
    assert_error(r, "probe", "not a readable media file");
    json_decref(r);
    r = extract(write_bytes("nothing.jpg", no_frame, sizeof no_frame));
    assert_error(r, "probe", "no frame header");
    json_decref(r);
    r = extract("/nonexistent/reel/file.mp4");
    assert_error(r, "read", "No such file");
    json_decref(r);
    snprintf(fifo, sizeof fifo, "%s/pipe.mp4", dir);
    ck_assert_int_eq(mkfifo(fifo, 0644), 0);
    r = extract(fifo);              /* must not block */
    assert_error(r, "read", "not a regular file");
    json_decref(r);
}
END_TEST

START_TEST(test_probe_extract__truncated_mp4)
{
    const char *p = make("cut.mp4", "-f lavfi -i testsrc2=size=160x90:rate=25:duration=2 "
                                     "-c:v libx264 -preset ultrafast");
    struct stat st;
    json_t *r;
    ck_assert_int_eq(stat(p, &st), 0);
    /* without faststart the index (moov) is at the end: cutting loses it */
    ck_assert_int_eq(truncate(p, st.st_size / 2), 0);
    r = extract(p);
    assert_error(r, "probe", "moov atom not found");
    json_decref(r);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("probe");
    TCase *parse = tcase_create("parse"), *files = tcase_create("files");
    SRunner *sr;
    int failed;

    tcase_add_test(parse, test_probe_datetime_from_exif__forms);
    tcase_add_test(parse, test_probe_datetime_from_container__forms);
    tcase_add_test(parse, test_probe_geo_parse_iso6709__forms);
    suite_add_tcase(s, parse);
    tcase_add_checked_fixture(files, setup, teardown);
    tcase_set_timeout(files, 60);
    tcase_add_test(files, test_probe_extract__mp4_tags_and_streams);
    tcase_add_test(files, test_probe_extract__rotated_mov);
    tcase_add_test(files, test_probe_extract__mkv_chapters_languages);
    tcase_add_test(files, test_probe_extract__audio_and_image_kinds);
    tcase_add_test(files, test_probe_extract__jpeg_named_mp4_is_photo);
    tcase_add_test(files, test_probe_extract__bad_files);
    tcase_add_test(files, test_probe_extract__truncated_mp4);
    suite_add_tcase(s, files);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
