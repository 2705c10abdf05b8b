/* check_editorial.c - sidecars, normalisation, segments, transcripts and
 * `reel tag`, end to end through the CLI on tests/fixtures/make-editorial.sh. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "support.h"

static char *tmp, *arch, *db;

static void setup(void)
{
    char cmd[1024];
    tmp = sup_tmpdir("reel-editorial");
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

static json_t *reel(int want_status, ...)
{
    va_list ap;
    int status;
    json_t *j;
    va_start(ap, want_status);
    j = sup_reel_jsonv(&status, NULL, db, ap);
    va_end(ap);
    ck_assert_ptr_nonnull(j);
    if (want_status >= 0)
        ck_assert_int_eq(status, want_status);
    return j;
}

static json_t *index_archive(void)
{
    return reel(1, "index", "--no-thumbs", "--json", "-j", "2", arch, SUP_END);
}

static json_t *record(const char *path)
{
    char full[1024];
    snprintf(full, sizeof full, "%s/%s", arch, path);
    return reel(0, "show", "--json", full, SUP_END);
}

static const char *str(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    ck_assert_msg(s != NULL, "no string '%s' in %s", key, sup_json_text(o));
    return s;
}

/* The hits of a search as "match path start-end" strings, sorted as returned. */
static char *hits_of(json_t *res)
{
    struct sup_str b = {0};
    size_t i;
    json_t *h;
    json_array_foreach(json_object_get(res, "hits"), i, h) {
        sup_str_printf(&b, "%s%s %s", i ? "; " : "", str(h, "match"), str(h, "path"));
        if (json_object_get(h, "start"))
            sup_str_printf(&b, " %.3f-%.3f", json_number_value(json_object_get(h, "start")),
                           json_number_value(json_object_get(h, "end")));
    }
    return b.s ? b.s : strdup("");
}

/* Runs `reel --db DB search --json --sort path ARGS...` and compares its
 * hits, in order, with want. */
static void assert_search(const char *want, ...)
{
    va_list ap;
    const char *argv[40];
    struct sup_result out;
    struct sup_str line = {0};
    int n = 0;
    json_t *res;
    char *got;
    argv[n++] = REEL_BIN;
    argv[n++] = "--db";
    argv[n++] = db;
    argv[n++] = "search";
    argv[n++] = "--json";
    argv[n++] = "--sort";
    argv[n++] = "path";
    va_start(ap, want);
    for (const char *a = va_arg(ap, const char *); a && n < 38; a = va_arg(ap, const char *)) {
        sup_str_printf(&line, "%s ", a);
        argv[n++] = a;
    }
    va_end(ap);
    argv[n] = NULL;
    ck_assert_int_eq(sup_run(&out, argv, NULL), 0);
    res = json_loadb(out.out, out.len, 0, NULL);
    ck_assert_ptr_nonnull(res);
    got = hits_of(res);
    ck_assert_msg(strcmp(got, want) == 0, "search %s: got [%s], want [%s]", sup_str_cstr(&line),
                  got, want);
    free(got);
    json_decref(res);
    sup_result_release(&out);
    sup_str_release(&line);
}

START_TEST(test_editorial_sidecars__layers_and_normalisation)
{
    json_t *s = index_archive(), *r, *p;
    ck_assert_int_eq(json_integer_value(json_object_get(s, "new")), 8);
    json_decref(s);

    r = record("Belarus/talk.mp4");
    ck_assert_str_eq(str(r, "title"), "Meet Belarus' most prominent human rights defender");
    ck_assert_str_eq(str(r, "recorded_at"), "2014-10-24T09:00:00+02:00");
    ck_assert_str_eq(str(r, "recorded_at_source"), "sidecar");
    ck_assert_str_eq(str(r, "location_source"), "sidecar");
    ck_assert_str_eq(str(r, "organisation"), "Civil Rights Defenders");       /* root _meta.json */
    ck_assert_str_eq(str(r, "event"), "One Hour of Human Rights");
    ck_assert_str_eq(str(r, "campaign"), "Free Ales");                        /* folder _meta.json */
    ck_assert_str_eq(str(r, "visibility"), "public");                         /* file wins */
    ck_assert_str_eq(json_string_value(json_array_get(json_object_get(r, "countries"), 0)), "BY");
    ck_assert_str_eq(json_string_value(json_array_get(json_object_get(r, "languages"), 0)), "en");
    p = json_array_get(json_object_get(r, "people"), 0);
    ck_assert_str_eq(str(p, "name"), "Ales Bialiatski");
    ck_assert_str_eq(str(p, "role"), "speaker");
    ck_assert_ptr_null(json_object_get(p, "aliases"));
    p = json_array_get(json_object_get(r, "segments"), 0);
    ck_assert_double_eq_tol(json_number_value(json_object_get(p, "start")), 0.5, 1e-9);
    ck_assert_double_eq_tol(json_number_value(json_object_get(p, "end")), 2.0, 1e-9);
    ck_assert_str_eq(str(p, "title"), "Life after prison");
    ck_assert_uint_eq(json_array_size(json_object_get(r, "subtitles")), 2);
    json_decref(r);

    r = record("Azerbaijan/interview.mp4");
    ck_assert_str_eq(json_string_value(json_array_get(json_object_get(r, "countries"), 0)), "AZ");
    ck_assert_str_eq(str(r, "event"), "Seminar 2015");                        /* overrides the root */
    ck_assert_str_eq(str(r, "recorded_at"), "2015-03-01");
    ck_assert_str_eq(str(r, "visibility"), "internal");
    json_decref(r);

    r = record("Poland/film.mp4");
    ck_assert_str_eq(str(r, "title"), "Campaign film");                       /* yt-dlp */
    ck_assert_str_eq(str(r, "organisation"), "Civil Rights Defenders");       /* _meta beats yt-dlp */
    ck_assert_str_eq(str(r, "recorded_at"), "2019-03-08");
    ck_assert_str_eq(str(r, "source_url"), "https://example.org/watch?v=abc");
    ck_assert_str_eq(json_string_value(json_array_get(json_object_get(r, "countries"), 0)), "PL");
    ck_assert_str_eq(json_string_value(json_array_get(json_object_get(r, "keywords"), 0)), "campaign");
    json_decref(r);
}
END_TEST

START_TEST(test_editorial_sidecars__broken_ones_reported)
{
    json_t *s = index_archive(), *errs, *e, *r;
    json_decref(s);
    errs = reel(0, "errors", "--json", SUP_END);
    e = (json_t *)sup_find_error(errs, NULL, "Broken/bad.mp4.json");
    ck_assert_ptr_nonnull(e);
    ck_assert_str_eq(str(e, "stage"), "sidecar");
    ck_assert_ptr_nonnull(strstr(str(e, "message"), "Broken/bad.mp4.json:3:"));
    e = (json_t *)sup_find_error(errs, NULL, "Broken/wrongtype.mp4.json");
    ck_assert_ptr_nonnull(e);
    ck_assert_ptr_nonnull(strstr(str(e, "message"), "'title' must be a string"));
    e = (json_t *)sup_find_error(errs, NULL, "Broken/unknown.mp4.json");
    ck_assert_ptr_nonnull(e);
    ck_assert_ptr_nonnull(strstr(str(e, "message"), "unknown country 'Atlantis'"));
    e = (json_t *)sup_find_error(errs, NULL, "Broken/late.mp4.json");
    ck_assert_ptr_nonnull(e);
    ck_assert_ptr_nonnull(strstr(str(e, "message"), "after the end of the media"));
    e = (json_t *)sup_find_error(errs, NULL, "Broken/subs.en.srt");
    ck_assert_ptr_nonnull(e);
    ck_assert_str_eq(str(e, "stage"), "subtitle");
    ck_assert_ptr_nonnull(strstr(str(e, "message"), "line 6"));
    json_decref(errs);

    /* the media are catalogued with their technical record and nothing of the broken sidecar */
    r = record("Broken/wrongtype.mp4");
    ck_assert_str_eq(str(r, "kind"), "video");
    ck_assert_ptr_null(json_object_get(r, "title"));
    ck_assert_str_eq(str(r, "organisation"), "Civil Rights Defenders");
    json_decref(r);
    r = record("Broken/late.mp4");
    ck_assert_ptr_null(json_object_get(r, "segments"));
    json_decref(r);
    /* a bad cue costs that cue only */
    r = record("Broken/subs.mp4");
    ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(json_object_get(r, "subtitles"), 0),
                                                        "cues")), 2);
    json_decref(r);
}
END_TEST

START_TEST(test_editorial_search__people_clips_and_words)
{
    json_decref(index_archive());
    /* any spelling a sidecar gives: the file and the clip where he speaks */
    assert_search("file Belarus/talk.mp4; segment Belarus/talk.mp4 0.500-2.000",
                  "--speaker", "ales bialiatski", SUP_END);
    assert_search("file Belarus/talk.mp4; segment Belarus/talk.mp4 0.500-2.000",
                  "--speaker", "Aleś Bialacki", SUP_END);
    assert_search("file Belarus/talk.mp4; segment Belarus/talk.mp4 0.500-2.000",
                  "--speaker", "Алесь Бяляцкі", SUP_END);
    /* a third script (FTS5 folds case here, but not Greek accents) */
    assert_search("file Belarus/talk.mp4; segment Belarus/talk.mp4 0.500-2.000",
                  "--speaker", "άλες μπιαλιάτσκι", SUP_END);
    assert_search("file Azerbaijan/interview.mp4", "--speaker", "EMIN MILLI", SUP_END);
    assert_search("", "--speaker", "Anna Lind", SUP_END);                    /* she interviews */
    assert_search("file Azerbaijan/interview.mp4", "--person", "anna lind", SUP_END);
    /* words spoken: the cue with its time and text */
    assert_search("file Belarus/talk.mp4; cue Belarus/talk.mp4 1.000-2.500",
                  "\"political prisoners\"", SUP_END);
    assert_search("cue Azerbaijan/interview.mp4 1.000-2.000", "freedom", SUP_END);
    assert_search("cue Belarus/talk.mp4 1.000-2.500", "заключённые", SUP_END);
    /* countries typed as names in other languages */
    assert_search("file Belarus/talk.mp4; segment Belarus/talk.mp4 0.500-2.000",
                  "--country", "Belarus", "--kind", "video", SUP_END);
    assert_search("file Azerbaijan/interview.mp4", "--country", "AZE", SUP_END);
    assert_search("file Poland/film.mp4", "--country", "pl", "--from", "2019", "--to", "2019", SUP_END);
    assert_search("file Belarus/talk.mp4", "--from", "2014-01-01", "--to", "2014-12-31", SUP_END);
    /* the description says "in prison"; the clip is titled "Life after prison" */
    assert_search("file Belarus/talk.mp4; segment Belarus/talk.mp4 0.500-2.000", "prison", SUP_END);
    assert_search("segment Belarus/talk.mp4 0.500-2.000", "life", "after", SUP_END);
}
END_TEST

START_TEST(test_editorial_people_and_countries__counts)
{
    json_t *p, *c;
    json_decref(index_archive());
    p = reel(0, "people", "--json", SUP_END);
    ck_assert_uint_eq(json_array_size(json_object_get(p, "people")), 3);
    c = reel(0, "countries", "--json", SUP_END);
    ck_assert_uint_eq(json_array_size(json_object_get(c, "countries")), 3);
    ck_assert_str_eq(str(json_array_get(json_object_get(c, "countries"), 0), "code"), "AZ");
    ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(json_object_get(c, "countries"), 0),
                                                        "count")), 1);
    json_decref(p);
    json_decref(c);
}
END_TEST

static void rewrite(const char *rel, const char *text)
{
    char path[1024];
    FILE *f;
    snprintf(path, sizeof path, "%s/%s", arch, rel);
    f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

START_TEST(test_editorial_index__changed_sidecar_rereads_without_reprobing)
{
    json_t *s, *r;
    json_decref(index_archive());
    rewrite("Azerbaijan/interview.mp4.json", "{\"title\": \"Second title\", \"countries\": [\"GE\"]}");
    rewrite("_meta.json", "{\"organisation\": \"CRD\"}");
    s = index_archive();
    ck_assert_int_eq(json_integer_value(json_object_get(s, "opened")), 0);
    ck_assert_int_eq(json_integer_value(json_object_get(s, "unchanged")), 8);
    json_decref(s);
    r = record("Azerbaijan/interview.mp4");
    ck_assert_str_eq(str(r, "title"), "Second title");
    ck_assert_str_eq(json_string_value(json_array_get(json_object_get(r, "countries"), 0)), "GE");
    ck_assert_ptr_null(json_object_get(r, "people"));
    ck_assert_str_eq(str(r, "organisation"), "CRD");
    json_decref(r);
    r = record("Poland/film.mp4");                                            /* the root's folder sidecar */
    ck_assert_str_eq(str(r, "organisation"), "CRD");
    ck_assert_ptr_null(json_object_get(r, "event"));
    json_decref(r);
}
END_TEST

static json_t *editorial_of(json_t *rec)
{
    static const char *const keys[] = {"title", "description", "recorded_at", "recorded_at_source",
        "people", "countries", "place", "event", "campaign", "organisation", "languages",
        "keywords", "visibility", "consent", "location", "segments", "subtitles", NULL};
    json_t *o = json_object();
    for (const char *const *k = keys; *k; k++)
        if (json_object_get(rec, *k))
            json_object_set(o, *k, json_object_get(rec, *k));
    return o;
}

START_TEST(test_editorial_rebuild__nothing_lost)
{
    static const char *const paths[] = {"Belarus/talk.mp4", "Azerbaijan/interview.mp4",
                                        "Poland/film.mp4", "Broken/subs.mp4", NULL};
    json_t *before[4];
    char cmd[1024];
    json_decref(index_archive());
    for (int i = 0; paths[i]; i++) {
        json_t *r = record(paths[i]);
        before[i] = editorial_of(r);
        json_decref(r);
    }
    snprintf(cmd, sizeof cmd, "rm -f '%s' '%s-wal' '%s-shm'", db, db, db);
    ck_assert_int_eq(system(cmd), 0);
    json_decref(index_archive());
    for (int i = 0; paths[i]; i++) {
        json_t *r = record(paths[i]), *after = editorial_of(r);
        ck_assert_msg(json_equal(before[i], after), "%s: before %s after %s", paths[i],
                      sup_json_text(before[i]), sup_json_text(after));
        json_decref(after);
        json_decref(r);
        json_decref(before[i]);
    }
}
END_TEST

START_TEST(test_editorial_tag__edits_sidecar_and_catalogue)
{
    char path[1024], sidecar[1100], *text;
    json_t *r, *doc;
    json_error_t e;

    json_decref(index_archive());
    snprintf(path, sizeof path, "%s/Belarus/talk.mp4", arch);
    snprintf(sidecar, sizeof sidecar, "%s.json", path);
    r = reel(0, "tag", path, "--keyword", "free speech", "--remove-keyword", "amnesty",
             "--country", "Polska", "--speaker", "Natalia Pinchuk",
             "--segment", "00:00:02-00:00:03.5:Questions", "--title", "New title", "--json", SUP_END);
    ck_assert_str_eq(str(r, "title"), "New title");
    ck_assert_uint_eq(json_array_size(json_object_get(r, "segments")), 3);
    ck_assert_uint_eq(json_array_size(json_object_get(r, "people")), 2);
    json_decref(r);
    doc = json_load_file(sidecar, 0, &e);
    ck_assert_ptr_nonnull(doc);
    ck_assert(json_is_true(json_object_get(json_object_get(doc, "x-custom"), "kept")));
    text = sup_json_text(json_object_get(doc, "keywords"));
    ck_assert_str_eq(text, "[\"political prisoners\",\"free speech\"]");
    free(text);
    text = sup_json_text(json_object_get(doc, "countries"));
    ck_assert_str_eq(text, "[\"Polska\"]");
    free(text);
    ck_assert_str_eq(str(json_array_get(json_object_get(doc, "segments"), 2), "title"), "Questions");
    json_decref(doc);
    assert_search("file Belarus/talk.mp4; file Poland/film.mp4", "--country", "PL", SUP_END);
    assert_search("file Belarus/talk.mp4", "--speaker", "natalia pinchuk", SUP_END);

    /* an invalid edit is refused and writes nothing */
    {
        const char *argv[] = {REEL_BIN, "--db", db, "tag", path, "--country", "Atlantis", NULL};
        struct sup_opts quiet = {.quiet = 1};
        struct sup_result out;
        int status = sup_run(&out, argv, &quiet);
        ck_assert_int_eq(status, 2);
        sup_result_release(&out);
    }
    doc = json_load_file(sidecar, 0, &e);
    text = sup_json_text(json_object_get(doc, "countries"));
    ck_assert_str_eq(text, "[\"Polska\"]");
    free(text);
    json_decref(doc);

    /* and a rebuild from the sidecars keeps the edit */
    ck_assert_int_eq(unlink(db), 0);
    json_decref(index_archive());
    r = record("Belarus/talk.mp4");
    ck_assert_str_eq(str(r, "title"), "New title");
    json_decref(r);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("editorial");
    TCase *tc = tcase_create("editorial");
    SRunner *sr;
    int failed;

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_editorial_sidecars__layers_and_normalisation);
    tcase_add_test(tc, test_editorial_sidecars__broken_ones_reported);
    tcase_add_test(tc, test_editorial_search__people_clips_and_words);
    tcase_add_test(tc, test_editorial_people_and_countries__counts);
    tcase_add_test(tc, test_editorial_index__changed_sidecar_rereads_without_reprobing);
    tcase_add_test(tc, test_editorial_rebuild__nothing_lost);
    tcase_add_test(tc, test_editorial_tag__edits_sidecar_and_catalogue);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
