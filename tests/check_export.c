/* check_export.c - `reel export` and `reel facets`: profiles, the schema,
 * the incremental feed, the bundle, filters and bad queries, on the
 * editorial archive (tests/fixtures/make-editorial.sh). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "support.h"

static char *tmp, *arch, *db;

static void setup(void)
{
    char cmd[1024];
    tmp = sup_tmpdir("reel-export");
    ck_assert_ptr_nonnull(tmp);
    arch = sup_join(tmp, "A");
    db = sup_join(tmp, "cat.db");
    snprintf(cmd, sizeof cmd, "bash '%s/tests/fixtures/make-editorial.sh' '%s'", REEL_SOURCE_DIR, arch);
    ck_assert_int_eq(system(cmd), 0);
}

static void teardown(void)
{
    sup_rmtree(tmp);
    free(tmp);
    free(arch);
    free(db);
}

/* Runs reel with argv (after --db DB); *out gets stdout. Returns the status. */
static int run(char **out, const char *const *args)
{
    const char *argv[40];
    struct sup_result r;
    struct sup_opts quiet = {.quiet = 1};
    int n = 0;
    argv[n++] = REEL_BIN;
    argv[n++] = "--db";
    argv[n++] = db;
    for (int i = 0; args[i] && n < 39; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    sup_run(&r, argv, &quiet);
    *out = r.out;
    return r.status;
}

static json_t *run_json(int want, const char *const *args)
{
    char *out = NULL;
    int status = run(&out, args);
    json_t *j = json_loads(out, 0, NULL);
    ck_assert_msg(status == want, "status %d, want %d: %s", status, want, out);
    ck_assert_msg(j != NULL, "not JSON: %.500s", out);
    free(out);
    return j;
}

static void index_archive(int thumbs)
{
    const char *with[] = {"index", "--json", arch, NULL};
    const char *without[] = {"index", "--no-thumbs", "--json", arch, NULL};
    json_decref(run_json(1, thumbs ? with : without));       /* the broken fixtures fail */
}

/* Validates a document against schema/export.schema.json. */
static void assert_valid(const char *text)
{
    char path[1024], cmd[2048];
    FILE *f;
    snprintf(path, sizeof path, "%s/listing.json", tmp);
    f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 '%s/tests/fixtures/validate-json.py' "
             "'%s/schema/export.schema.json' '%s'", REEL_SOURCE_DIR, REEL_SOURCE_DIR, path);
    ck_assert_msg(system(cmd) == 0, "export does not validate against its schema");
}

static const json_t *item(const json_t *doc, const char *path)
{
    return sup_find_item(doc, NULL, path);
}

START_TEST(test_export_public__only_public_nothing_private)
{
    const char *args[] = {"export", NULL};
    char *out = NULL;
    json_t *doc;
    const json_t *talk;
    ck_assert_ptr_nonnull(tmp);
    index_archive(0);
    ck_assert_int_eq(run(&out, args), 0);
    assert_valid(out);
    /* scanned as text: whatever the structure, none of these may appear */
    ck_assert_ptr_null(strstr(out, "\"location"));
    ck_assert_ptr_null(strstr(out, "\"lat\""));
    ck_assert_ptr_null(strstr(out, "59.3293"));
    ck_assert_ptr_null(strstr(out, "consent"));
    ck_assert_ptr_null(strstr(out, "Speaker agreed"));
    ck_assert_ptr_null(strstr(out, tmp));                  /* no path outside the root */
    ck_assert_ptr_null(strstr(out, "\"internal\""));
    ck_assert_ptr_null(strstr(out, "\"restricted\""));
    ck_assert_ptr_null(strstr(out, "Names of witnesses"));  /* a restricted clip */
    doc = json_loads(out, 0, NULL);
    ck_assert_str_eq(json_string_value(json_object_get(doc, "profile")), "public");
    ck_assert_uint_eq(json_array_size(json_object_get(doc, "items")), 1);
    talk = item(doc, "Belarus/talk.mp4");
    ck_assert_ptr_nonnull(talk);
    ck_assert_uint_eq(json_array_size(json_object_get(talk, "segments")), 1);
    ck_assert_str_eq(json_string_value(json_object_get(talk, "root")), "A");
    json_decref(doc);
    free(out);
}
END_TEST

START_TEST(test_export_internal__everything_and_valid)
{
    const char *args[] = {"export", "--profile", "internal", NULL};
    const char *by[] = {"export", "--profile", "internal", "--country", "Беларусь", NULL};
    char *out = NULL;
    json_t *doc;
    index_archive(0);
    ck_assert_int_eq(run(&out, args), 0);
    assert_valid(out);
    doc = json_loads(out, 0, NULL);
    ck_assert_uint_eq(json_array_size(json_object_get(doc, "items")), 8);
    ck_assert_ptr_nonnull(json_object_get(item(doc, "Belarus/talk.mp4"), "location"));
    ck_assert_uint_eq(json_array_size(json_object_get(item(doc, "Belarus/talk.mp4"), "segments")), 2);
    /* ordered by path: two exports diff cleanly */
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(json_object_get(doc, "items"), 0),
                                                       "path")), "Azerbaijan/interview.mp4");
    json_decref(doc);
    free(out);
    /* the filters of search restrict an export */
    doc = run_json(0, by);
    ck_assert_uint_eq(json_array_size(json_object_get(doc, "items")), 1);
    ck_assert_ptr_nonnull(item(doc, "Belarus/talk.mp4"));
    json_decref(doc);
}
END_TEST

START_TEST(test_export_since__changes_and_deletions)
{
    char since[40], film[1024], *out = NULL;
    time_t t;
    struct tm tm;
    json_t *doc, *del;
    const json_t *it;
    const char *show[] = {"show", "--json", "Poland/film.mp4", NULL};
    char film_id[32];

    index_archive(0);
    doc = run_json(0, show);
    snprintf(film_id, sizeof film_id, "%s", json_string_value(json_object_get(doc, "id")));
    json_decref(doc);
    sleep(1);                                  /* catalogue times have millisecond resolution */
    t = time(NULL);
    gmtime_r(&t, &tm);
    strftime(since, sizeof since, "%Y-%m-%dT%H:%M:%SZ", &tm);
    sleep(1);
    {
        char interview[1024], talk[1024];
        snprintf(interview, sizeof interview, "%s/Azerbaijan/interview.mp4", arch);
        snprintf(talk, sizeof talk, "%s/Belarus/talk.mp4", arch);
        const char *pub[] = {"tag", interview, "--visibility", "public", NULL};
        const char *hide[] = {"tag", talk, "--visibility", "internal", NULL};
        ck_assert_int_eq(run(&out, pub), 0);
        free(out);
        ck_assert_int_eq(run(&out, hide), 0);
        free(out);
    }
    snprintf(film, sizeof film, "%s/Poland/film.mp4", arch);
    ck_assert_int_eq(unlink(film), 0);
    index_archive(0);
    {
        const char *feed[] = {"export", "--since", since, NULL};
        ck_assert_int_eq(run(&out, feed), 0);
    }
    assert_valid(out);
    doc = json_loads(out, 0, NULL);
    ck_assert_uint_eq(json_array_size(json_object_get(doc, "items")), 1);
    it = item(doc, "Azerbaijan/interview.mp4");
    ck_assert_ptr_nonnull(it);
    del = json_object_get(doc, "deleted");
    ck_assert_uint_eq(json_array_size(del), 2);   /* the film is gone; the talk is no longer public */
    ck_assert(strstr(out, film_id) != NULL);
    json_decref(doc);
    free(out);
}
END_TEST

START_TEST(test_export_out__bundle_with_thumbnails_and_jsonld)
{
    char bundle[1024], listing[1100], file[2048];
    const char *args[] = {"export", "--out", bundle, "--jsonld", NULL};
    char *out = NULL, *text;
    json_t *doc, *ld;
    const json_t *talk;
    struct stat st;
    json_error_t e;

    snprintf(bundle, sizeof bundle, "%s/site", tmp);
    index_archive(1);
    ck_assert_int_eq(run(&out, args), 0);
    free(out);
    snprintf(listing, sizeof listing, "%s/listing.json", bundle);
    doc = json_load_file(listing, 0, &e);
    ck_assert_msg(doc != NULL, "%s", e.text);
    text = json_dumps(doc, 0);
    assert_valid(text);
    free(text);
    talk = item(doc, "Belarus/talk.mp4");
    ck_assert_ptr_nonnull(talk);
    ck_assert_int_eq(strncmp(json_string_value(json_object_get(talk, "thumbnail")), "thumbs/", 7), 0);
    snprintf(file, sizeof file, "%s/%s", bundle, json_string_value(json_object_get(talk, "thumbnail")));
    ck_assert_int_eq(stat(file, &st), 0);
    ck_assert_int_gt(st.st_size, 0);
    ld = json_object_get(talk, "jsonld");
    ck_assert_str_eq(json_string_value(json_object_get(ld, "@type")), "VideoObject");
    ck_assert_str_eq(json_string_value(json_object_get(ld, "name")),
                     "Meet Belarus' most prominent human rights defender");
    ck_assert_str_eq(json_string_value(json_object_get(ld, "thumbnailUrl")),
                     json_string_value(json_object_get(talk, "thumbnail")));
    ck_assert_str_eq(json_string_value(json_object_get(ld, "duration")), "PT0H0M4.000S");
    json_decref(doc);
}
END_TEST

START_TEST(test_facets__counts_under_filters)
{
    const char *all[] = {"facets", "--json", NULL};
    const char *video_2014[] = {"facets", "--json", "--kind", "video", "--from", "2014", "--to", "2014", NULL};
    json_t *f = NULL;
    index_archive(0);
    f = run_json(0, all);
    ck_assert_int_eq(json_integer_value(json_object_get(f, "files")), 8);
    ck_assert_uint_eq(json_array_size(json_object_get(f, "speaker")), 2);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(json_object_get(f, "kind"), 0),
                                                       "value")), "video");
    ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(json_object_get(f, "kind"), 0),
                                                        "count")), 8);
    json_decref(f);
    f = run_json(0, video_2014);
    ck_assert_int_eq(json_integer_value(json_object_get(f, "files")), 1);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(json_object_get(f, "country"), 0),
                                                       "value")), "BY");
    json_decref(f);
}
END_TEST

static const char *const bad_queries[][6] = {
    {"search", "\"unbalanced", NULL},
    {"search", "--from", "last year", NULL},
    {"search", "--kind", "film", NULL},
    {"search", "--country", "Atlantis", NULL},
    {"search", "--bogus", NULL},
    {"search", "--sort", "size", "x", NULL},
    {"facets", "--max-duration", "ten", NULL},
    {"export", "--since", "yesterday", NULL},
    {"export", "--profile", "everyone", NULL},
};

START_TEST(test_queries__bad_ones_exit_2)
{
    char *out = NULL;
    index_archive(0);
    ck_assert_int_eq(run(&out, bad_queries[_i]), 2);
    free(out);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("export");
    TCase *tc = tcase_create("export");
    SRunner *sr;
    int failed;

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_export_public__only_public_nothing_private);
    tcase_add_test(tc, test_export_internal__everything_and_valid);
    tcase_add_test(tc, test_export_since__changes_and_deletions);
    tcase_add_test(tc, test_export_out__bundle_with_thumbnails_and_jsonld);
    tcase_add_test(tc, test_facets__counts_under_filters);
    tcase_add_loop_test(tc, test_queries__bad_ones_exit_2, 0, (int)(sizeof bad_queries / sizeof *bad_queries));
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
