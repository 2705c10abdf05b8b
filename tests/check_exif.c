/* check_exif.c - EXIF fields of the record, from JPEGs whose EXIF block the
 * fixture tool reel-exif-write builds with libexif. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exif.h"

static char dir[64];
static char plain[128];

static void setup(void)
{
    char cmd[512];
    snprintf(dir, sizeof dir, "/tmp/reel-exif-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(plain, sizeof plain, "%s/plain.jpg", dir);
    snprintf(cmd, sizeof cmd, "ffmpeg -nostdin -v error -y -f lavfi -i testsrc2=size=64x48 "
                              "-frames:v 1 '%s'", plain);
    ck_assert_int_eq(system(cmd), 0);
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

/* Writes dir/out.jpg with the given key=value EXIF and parses its head. */
static json_t *read_with(const char *kv, int *had_exif)
{
    char cmd[1024], out[128];
    unsigned char buf[65536];
    size_t n;
    FILE *f;
    json_t *rec = json_object();

    snprintf(out, sizeof out, "%s/out.jpg", dir);
    snprintf(cmd, sizeof cmd, "'%s' '%s' '%s' %s", REEL_EXIF_WRITE_BIN, plain, out, kv);
    ck_assert_msg(system(cmd) == 0, "failed: %s", cmd);
    f = fopen(out, "rb");
    ck_assert_ptr_nonnull(f);
    n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    *had_exif = exif_read_fields(buf, n, rec);
    return rec;
}

static const char *str(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

START_TEST(test_exif_read_fields__all_fields)
{
    int had;
    json_t *r = read_with("datetime_original='2019:03:17 11:25:10' offset_time_original=+01:00 "
                          "make=Canon model='EOS 5D' orientation=6 gps_lat=-33.8680 "
                          "gps_lon=-70.6510 description='Protest in Minsk' artist='A. Photographer'",
                          &had);
    json_t *loc = json_object_get(r, "location");
    ck_assert_int_eq(had, 1);
    ck_assert_str_eq(str(r, "recorded_at"), "2019-03-17T11:25:10+01:00");
    ck_assert_str_eq(str(r, "recorded_at_source"), "exif");
    ck_assert_str_eq(str(json_object_get(r, "camera"), "make"), "Canon");
    ck_assert_str_eq(str(json_object_get(r, "camera"), "model"), "EOS 5D");
    ck_assert_int_eq(json_integer_value(json_object_get(r, "orientation")), 6);
    ck_assert_int_eq(json_integer_value(json_object_get(r, "rotation")), 90);
    ck_assert_ptr_nonnull(loc);
    ck_assert_double_eq_tol(json_number_value(json_object_get(loc, "lat")), -33.8680, 1e-4);
    ck_assert_double_eq_tol(json_number_value(json_object_get(loc, "lon")), -70.6510, 1e-4);
    ck_assert_str_eq(str(r, "location_source"), "exif");
    ck_assert_str_eq(str(json_object_get(r, "tags"), "description"), "Protest in Minsk");
    ck_assert_str_eq(str(json_object_get(r, "tags"), "artist"), "A. Photographer");
    json_decref(r);
}
END_TEST

START_TEST(test_exif_read_fields__north_east_no_offset)
{
    int had;
    json_t *r = read_with("datetime_original='2015:06:01 08:00:00' orientation=8 "
                          "gps_lat=53.9 gps_lon=27.5667", &had);
    ck_assert_str_eq(str(r, "recorded_at"), "2015-06-01T08:00:00");
    ck_assert_int_eq(json_integer_value(json_object_get(r, "rotation")), 270);
    ck_assert_double_eq_tol(json_number_value(json_object_get(json_object_get(r, "location"), "lat")),
                            53.9, 1e-4);
    ck_assert_double_eq_tol(json_number_value(json_object_get(json_object_get(r, "location"), "lon")),
                            27.5667, 1e-4);
    ck_assert_ptr_null(json_object_get(r, "camera"));
    json_decref(r);
}
END_TEST

START_TEST(test_exif_read_fields__placeholders_dropped)
{
    int had;
    /* cameras without a fix write 0,0; without a clock, zeros */
    json_t *r = read_with("datetime_original='0000:00:00 00:00:00' gps_lat=0 gps_lon=0 "
                          "orientation=9 make=Nikon", &had);
    ck_assert_int_eq(had, 1);
    ck_assert_ptr_null(json_object_get(r, "recorded_at"));
    ck_assert_ptr_null(json_object_get(r, "location"));
    ck_assert_ptr_null(json_object_get(r, "orientation"));
    ck_assert_str_eq(str(json_object_get(r, "camera"), "make"), "Nikon");
    json_decref(r);
}
END_TEST

START_TEST(test_exif_read_fields__none_and_garbage)
{
    unsigned char junk[4096];
    json_t *r = json_object();
    FILE *f = fopen(plain, "rb");
    unsigned char buf[65536];
    size_t n;

    ck_assert_ptr_nonnull(f);
    n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    ck_assert_int_eq(exif_read_fields(buf, n, r), 0);
    ck_assert_int_eq(json_object_size(r), 0);
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (unsigned char)(i * 2654435761u >> 13);
    memcpy(junk, "Exif\0\0II*\0", 10);
    exif_read_fields(junk, sizeof junk, r);     /* must not crash */
    ck_assert_int_eq(exif_read_fields((const unsigned char *)"", 0, r), 0);
    json_decref(r);
}
END_TEST

START_TEST(test_exif_orientation_rotation__table)
{
    static const int want[10] = {0, 0, 0, 180, 180, 90, 90, 270, 270, 0};
    for (int o = 0; o <= 9; o++)
        ck_assert_int_eq(exif_orientation_rotation(o), want[o]);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("exif");
    TCase *tc = tcase_create("exif");
    SRunner *sr;
    int failed;

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_exif_read_fields__all_fields);
    tcase_add_test(tc, test_exif_read_fields__north_east_no_offset);
    tcase_add_test(tc, test_exif_read_fields__placeholders_dropped);
    tcase_add_test(tc, test_exif_read_fields__none_and_garbage);
    tcase_add_test(tc, test_exif_orientation_rotation__table);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
