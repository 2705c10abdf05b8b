/* check_export.c - `reel export` and `reel facets`: profiles, the schema,
 * the incremental feed, the bundle, filters and bad queries, on the
 * editorial archive (tests/fixtures/make-editorial.sh). */
#include <check.h>
#include <sqlite3.h>
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

static void index_archive(int thumbs);

/* The read-only cases share one indexed archive, made once. */
static void setup_indexed(void)
{
    setup();
    index_archive(0);
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

/* sqlite3_exec callback: the one row's one column must be 1. */
static int sup_expect_one(void *unused, int n, char **vals, char **names)
{
    (void)unused;
    (void)names;
    ck_assert_int_eq(n, 1);
    ck_assert_str_eq(vals[0], "1");
    return 0;
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

/* The items of doc come in the order of the catalogue's own row ids
 * (media.id): the order reel first stored them in. */
static void assert_catalogue_order(json_t *doc)
{
    sqlite3 *h;
    sqlite3_stmt *st;
    json_t *items = json_object_get(doc, "items");
    size_t i = 0;
    ck_assert_int_eq(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_prepare_v2(h, "SELECT uid FROM media "
                                           "ORDER BY id", -1, &st, NULL), SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *id = json_string_value(json_object_get(json_array_get(items, i++), "id"));
        ck_assert_ptr_nonnull(id);
        ck_assert_str_eq(id, (const char *)sqlite3_column_text(st, 0));
    }
    ck_assert_uint_eq(i, json_array_size(items));
    sqlite3_finalize(st);
    sqlite3_close(h);
}

START_TEST(test_export_internal__everything_and_valid)
{
    const char *args[] = {"export", "--profile", "internal", NULL};
    const char *by[] = {"export", "--profile", "internal", "--country", "Беларусь", NULL};
    char *out = NULL;
    json_t *doc;
    ck_assert_int_eq(run(&out, args), 0);
    assert_valid(out);
    doc = json_loads(out, 0, NULL);
    ck_assert_uint_eq(json_array_size(json_object_get(doc, "items")), 8);
    ck_assert_ptr_nonnull(json_object_get(item(doc, "Belarus/talk.mp4"), "location"));
    ck_assert_uint_eq(json_array_size(json_object_get(item(doc, "Belarus/talk.mp4"), "segments")), 2);
    /* in the order the catalogue took the records in, so two exports diff
     * cleanly and a moved file keeps its place */
    assert_catalogue_order(doc);
    json_decref(doc);
    free(out);
    /* the filters of search restrict an export */
    doc = run_json(0, by);
    ck_assert_uint_eq(json_array_size(json_object_get(doc, "items")), 1);
    ck_assert_ptr_nonnull(item(doc, "Belarus/talk.mp4"));
    json_decref(doc);
}
END_TEST

/* Exports write records as text (schema/catalog_listing.c); `reel show`
 * builds them with jansson (cat_record_load). Both must give the same bytes,
 * also for stored documents outside the plain form the listing copies
 * (whitespace, \\u and \\/ escapes, a repeated key, reals with 17 digits, a
 * document json_loads refuses), which it hands to jansson. */
START_TEST(test_export_internal__same_bytes_as_show)
{
    static const char *const docs[] = {
        "UPDATE editorial SET doc = ' { \"title\" : \"caf\\u00e9 \\/ x\", \"title\": \"again\","
        " \"people\": [{\"name\": \"A\", \"aliases\": [\"b\"], \"role\": \"speaker\"}],"
        " \"segments\": [{\"start\": 1.1234567890123457, \"end\": 2e1}], \"visibility\": \"public\" }'"
        " WHERE media_id = (SELECT min(media_id) FROM editorial)",
        "UPDATE editorial SET doc = '{\"title\":\"tab\\tquote\\\"\",\"location\":{\"lat\":1.5,\"lon\":-0.0},"
        "\"recorded_at\":null,\"campaign\":null,\"segments\":{},\"people\":[{\"name\":\"B\",\"aliases\":[]},7],"
        "\"visibility\":\"public\",\"n\":-0,\"big\":123456789012345678}'"
        " WHERE media_id = (SELECT max(media_id) FROM editorial)",
        "UPDATE editorial SET doc = '{\"title\":\"broken' WHERE media_id = (SELECT min(media_id) + 1 FROM editorial)",
    };
    const char *args[] = {"export", "--profile", "internal", NULL};
    char *out = NULL, *line, *save = NULL;
    sqlite3 *h;
    int items = 0;
    index_archive(0);
    ck_assert_int_eq(sqlite3_open(db, &h), SQLITE_OK);
    for (size_t i = 0; i < sizeof docs / sizeof *docs; i++)
        ck_assert_msg(sqlite3_exec(h, docs[i], NULL, NULL, NULL) == SQLITE_OK, "%s", sqlite3_errmsg(h));
    sqlite3_close(h);
    ck_assert_int_eq(run(&out, args), 0);
    /* one record a line: "{...}," */
    for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        json_t *rec;
        const char *show[] = {"show", "--json", NULL, NULL};
        char *shown = NULL;
        size_t n = strlen(line);
        if (line[0] != '{' || strncmp(line, "{\"format\"", 9) == 0)
            continue;
        if (line[n - 1] == ',')
            line[--n] = 0;
        rec = json_loads(line, 0, NULL);
        ck_assert_msg(rec != NULL, "not JSON: %s", line);
        show[2] = json_string_value(json_object_get(rec, "id"));
        ck_assert_int_eq(run(&shown, show), 0);
        shown[strcspn(shown, "\n")] = 0;
        ck_assert_str_eq(line, shown);
        free(shown);
        json_decref(rec);
        items++;
    }
    ck_assert_int_eq(items, 8);
    free(out);
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

/* Each filter of search, alone and combined: the files (paths) it must
 * return, in path order. The archive: Azerbaijan/interview.mp4 (3 s, AZ,
 * "Seminar 2015", mov_text subtitles), Belarus/talk.mp4 (4 s, BY, public,
 * en, SRT and VTT files), Poland/film.mp4 (3 s, PL, yt-dlp title), and the
 * five 2 s files of Broken/ (organisation and event from the root). */
/* (cppcheck cannot see the uses inside Check's START_TEST macro) */
static const struct {
    const char *args[8];   /* cppcheck-suppress unusedStructMember */
    const char *want;      /* cppcheck-suppress unusedStructMember */
} filter_cases[] = {
    {{"--event", "seminar 2015"}, "file Azerbaijan/interview.mp4"},
    {{"--campaign", "Free Ales"}, "file Belarus/talk.mp4"},
    {{"--organisation", "civil rights defenders", "--path", "Poland/*"}, "file Poland/film.mp4"},
    {{"--keyword", "amnesty"}, "file Belarus/talk.mp4"},
    {{"--keyword", "prison"}, "segment Belarus/talk.mp4 0.500-2.000"},
    {{"--language", "English"}, "file Belarus/talk.mp4"},
    {{"--min-duration", "3.5"}, "file Belarus/talk.mp4"},
    {{"--max-duration", "2.5", "--path", "Broken/s*"}, "file Broken/subs.mp4"},
    {{"--has-subtitles", "--max-duration", "3.5"}, "file Azerbaijan/interview.mp4; file Broken/subs.mp4"},
    {{"--visibility", "public"}, "file Belarus/talk.mp4"},
    {{"--visibility", "restricted"}, ""},
    {{"--root", "A", "--country", "AZ", "--kind", "video"}, "file Azerbaijan/interview.mp4"},
    {{"--root", "elsewhere", "--kind", "video"}, ""},
    {{"--kind", "photo"}, ""},
    {{"--from", "2015", "--to", "2019-12-31", "--path", "[AP]*"},
     "file Azerbaijan/interview.mp4; file Poland/film.mp4"},
    {{"--speaker", "emin milli", "--country", "BY"}, ""},
    {{"freedom", "--country", "AZ"}, "cue Azerbaijan/interview.mp4 1.000-2.000"},
    {{"campaign", "--path", "Poland/*"}, "file Poland/film.mp4"},
};

static char *hits_of(const json_t *res)
{
    struct sup_str b = {0};
    size_t i;
    json_t *h;
    json_array_foreach(json_object_get(res, "hits"), i, h) {
        sup_str_printf(&b, "%s%s %s", i ? "; " : "", json_string_value(json_object_get(h, "match")),
                       json_string_value(json_object_get(h, "path")));
        if (json_object_get(h, "start"))
            sup_str_printf(&b, " %.3f-%.3f", json_number_value(json_object_get(h, "start")),
                           json_number_value(json_object_get(h, "end")));
    }
    return b.s ? b.s : strdup("");
}

START_TEST(test_search__each_filter)
{
    const char *args[16] = {"search", "--json", "--sort", "path"};
    int n = 4;
    json_t *res;
    char *got;
    for (int i = 0; filter_cases[_i].args[i]; i++)
        args[n++] = filter_cases[_i].args[i];
    args[n] = NULL;
    res = run_json(0, args);
    got = hits_of(res);
    ck_assert_msg(strcmp(got, filter_cases[_i].want) == 0, "case %d: got [%s], want [%s]", _i, got,
                  filter_cases[_i].want);
    ck_assert_int_eq(json_integer_value(json_object_get(res, "total")),
                     (json_int_t)json_array_size(json_object_get(res, "hits")));
    free(got);
    json_decref(res);
}
END_TEST

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The hits of res, one per element, sorted: the set, whatever the order. */
static char *hit_set(const json_t *res)
{
    char *all = hits_of(res), *parts[256] = {0}, *save = NULL;
    size_t n = 0;
    struct sup_str b = {0};
    for (char *p = strtok_r(all, ";", &save); p && n < 256; p = strtok_r(NULL, ";", &save))
        parts[n++] = p + (*p == ' ');
    qsort(parts, n, sizeof *parts, cmp_str);
    for (size_t i = 0; i < n; i++)
        sup_str_printf(&b, "%s%s", i ? "; " : "", parts[i]);
    free(all);
    return b.s ? b.s : strdup("");
}

/* By relevance (the default with words) a search counts and ranks its hits
 * in one pass (schema/catalog_search.c, ranked_page), with or without
 * filters; it must find exactly what the path order finds. */
START_TEST(test_search__relevance_same_hits_as_path_order)
{
    static const char *const cases[][6] = {
        {"t*", NULL},
        {"t*", "--kind", "video", NULL},
        {"t*", "--country", "BY", NULL},
        {"t* OR f*", "--has-subtitles", NULL},
        {"freedom", "--country", "AZ", NULL},
        {"t*", "--limit", "2", NULL},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        const char *by_rank[12] = {"search", "--json"}, *by_path[12] = {"search", "--json", "--sort", "path"};
        int n = 2, m = 4;
        json_t *a, *b;
        char *sa, *sb;
        for (int i = 0; cases[k][i]; i++) {
            by_rank[n++] = cases[k][i];
            by_path[m++] = cases[k][i];
        }
        by_rank[n] = by_path[m] = NULL;
        a = run_json(0, by_rank);
        b = run_json(0, by_path);
        ck_assert_int_eq(json_integer_value(json_object_get(a, "total")),
                         json_integer_value(json_object_get(b, "total")));
        if (k == 0)
            ck_assert_int_gt(json_integer_value(json_object_get(a, "total")), 2);
        sa = hit_set(a);
        sb = hit_set(b);
        if (k + 1 < sizeof cases / sizeof *cases)
            ck_assert_msg(strcmp(sa, sb) == 0, "case %zu: by rank [%s], by path [%s]", k, sa, sb);
        else   /* a page of 2: the best two, which need not be the first two by path */
            ck_assert_uint_eq(json_array_size(json_object_get(a, "hits")), 2);
        free(sa);
        free(sb);
        json_decref(a);
        json_decref(b);
    }
}
END_TEST

/* The words of the sieve cases: most words of the archive, so that every
 * filter has files, segments and cues to keep or drop. */
static const char broad[] = "a* OR b* OR c* OR d* OR e* OR f* OR g* OR h* OR i* OR l* OR m* OR n*"
                            " OR o* OR p* OR r* OR s* OR t* OR w*";

/* Hits and total of a relevance search (the sieve, fresh after the index
 * run; without words, in catalogue order, by the sieve too) and of the same
 * search in path order (which joins every hit to its file's rows) for the
 * args; asserts they are the same set. */
static void assert_sieve_as_joins(const char *const *filters, const char *what, int words)
{
    const char *by_rank[20] = {"search", "--json", "--limit", "0", broad},
               *by_path[20] = {"search", "--json", "--limit", "0", "--sort", "path", broad};
    int n = 5 - !words, m = 7 - !words;   /* without words: catalogue order, by the sieve */
    json_t *a, *b;
    char *sa, *sb;
    for (int i = 0; filters[i]; i++) {
        by_rank[n++] = filters[i];
        by_path[m++] = filters[i];
    }
    by_rank[n] = by_path[m] = NULL;
    a = run_json(0, by_rank);
    b = run_json(0, by_path);
    sa = hit_set(a);
    sb = hit_set(b);
    ck_assert_msg(strcmp(sa, sb) == 0, "%s: by the sieve [%s], by joins [%s]", what, sa, sb);
    ck_assert_int_eq(json_integer_value(json_object_get(a, "total")),
                     json_integer_value(json_object_get(b, "total")));
    free(sa);
    free(sb);
    json_decref(a);
    json_decref(b);
}

/* Each filter case with words: by relevance the filters are tested by the
 * search sieve (schema/catalog_sieve.c), in path order by joins; the two
 * must keep exactly the same hits. */
START_TEST(test_search__sieve_same_hits_as_joins)
{
    char what[32];
    snprintf(what, sizeof what, "filter case %d", _i);
    assert_sieve_as_joins(filter_cases[_i].args, what, 1);
    snprintf(what, sizeof what, "filter case %d, no words", _i);
    assert_sieve_as_joins(filter_cases[_i].args, what, 0);
}
END_TEST

/* Filters the generated filter cases lack: several people, a person, a
 * missing file, dates inside a year, the segment's own country. */
START_TEST(test_search__sieve_more_filters)
{
    static const char *const cases[][8] = {
        {"--speaker", "ales bialiatski", NULL},
        {"--person", "Emin Milli", NULL},
        {"--speaker", "ales bialiatski", "--country", "BY", NULL},
        {"--country", "PL", NULL},
        {"--from", "2015-03-01", "--to", "2019-06-30", NULL},
        {"--from", "2016", NULL},
        {"--to", "2016", NULL},
        {"--missing", NULL},
        {"--missing", "--kind", "video", NULL},
        {"--language", "ru", "--has-subtitles", NULL},
        {"--keyword", "PRISON", NULL},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        char what[32];
        snprintf(what, sizeof what, "case %zu", k);
        assert_sieve_as_joins(cases[k], what, 1);
        snprintf(what, sizeof what, "case %zu, no words", k);
        assert_sieve_as_joins(cases[k], what, 0);
    }
}
END_TEST

/* A change marks the sieve stale (the triggers of migration 011); a search
 * while another writer holds the catalogue cannot rebuild it, and must
 * then join rows rather than read the stale sieve. After, it rebuilds. */
START_TEST(test_search__stale_sieve_is_not_read)
{
    const char *by_country[] = {"search", "--json", "--limit", "0", "--country", "PL", broad, NULL};
    sqlite3 *h = NULL;
    json_t *before, *during, *after;
    int64_t n_before;
    index_archive(0);
    before = run_json(0, by_country);
    n_before = json_integer_value(json_object_get(before, "total"));
    ck_assert_int_eq(sqlite3_open(db, &h), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(h, "UPDATE media_countries SET code = 'PL'"
                                     " WHERE media_id = (SELECT id FROM media WHERE path = 'Belarus/talk.mp4')",
                                  NULL, NULL, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(h, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    during = run_json(0, by_country);
    ck_assert_int_gt(json_integer_value(json_object_get(during, "total")), n_before);
    ck_assert_int_eq(sqlite3_exec(h, "SELECT stale FROM sieve_state", sup_expect_one, NULL, NULL),
                     SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(h, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
    after = run_json(0, by_country);
    ck_assert_int_eq(json_integer_value(json_object_get(after, "total")),
                     json_integer_value(json_object_get(during, "total")));
    ck_assert_int_eq(sqlite3_exec(h, "SELECT 1 - stale FROM sieve_state", sup_expect_one, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(h);
    json_decref(before);
    json_decref(during);
    json_decref(after);
}
END_TEST

/* Search output (stdout) of args. */
static char *search_text(const char *const *args)
{
    char *out = NULL;
    ck_assert_int_eq(run(&out, args), 0);
    return out;
}

/* By recorded date and by duration, a search with words orders the hits
 * the sieve keeps by the sieve's day and duration, and reads exact keys
 * only up to the page's last equal (sieved_sorted_page); the same search
 * while the sieve is stale and another writer holds the catalogue joins
 * every hit's rows. Both must give the same document. */
START_TEST(test_search__sorted_by_the_sieve_as_by_joins)
{
    static const char *const cases[][10] = {
        {NULL},
        {"--kind", "video", NULL},
        {"--country", "BY", NULL},
        {"--limit", "2", "--offset", "1", NULL},
        {"--limit", "1", "--has-subtitles", NULL},
        {"--limit", "0", NULL},
    };
    static const char *const sorts[] = {"recorded", "duration"};
    char *sieved[12] = {NULL}, *joined[12] = {NULL};
    sqlite3 *h = NULL;
    size_t n = 0;
    index_archive(0);
    for (size_t pass = 0; pass < 2; pass++) {
        n = 0;
        if (pass == 1) {   /* stale, and the catalogue held: the searches join rows */
            ck_assert_int_eq(sqlite3_open(db, &h), SQLITE_OK);
            ck_assert_int_eq(sqlite3_exec(h, "UPDATE sieve_state SET stale = 1", NULL, NULL, NULL),
                             SQLITE_OK);
            ck_assert_int_eq(sqlite3_exec(h, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
        }
        for (size_t k = 0; k < sizeof cases / sizeof *cases; k++)
            for (size_t o = 0; o < 2; o++) {
                const char *args[20] = {"search", "--json", "--sort", sorts[o], broad};
                int m = 5;
                for (int i = 0; cases[k][i]; i++)
                    args[m++] = cases[k][i];
                args[m] = NULL;
                if (pass)
                    joined[n++] = search_text(args);
                else
                    sieved[n++] = search_text(args);
            }
    }
    ck_assert_int_eq(sqlite3_exec(h, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(h);
    for (size_t i = 0; i < n; i++) {
        json_t *doc = json_loads(sieved[i], 0, NULL);
        ck_assert_msg(strcmp(sieved[i], joined[i]) == 0, "case %zu: by the sieve\n%.600s\nby joins\n%.600s",
                      i, sieved[i], joined[i]);
        ck_assert_ptr_nonnull(doc);
        if (i / 2 != 3 && i / 2 != 4)   /* the cases without a limit of their own */
            ck_assert_int_gt(json_array_size(json_object_get(doc, "hits")), 2);
        json_decref(doc);
        free(sieved[i]);
        free(joined[i]);
    }
}
END_TEST

/* A hit shows the fields of its record (cat_record_brief reads them in one
 * statement): each equal to what `reel show --json` gives, thumbnails too. */
START_TEST(test_search__hits_show_their_records)
{
    static const char *const keys[] = {"id", "root", "path", "kind", "title", "people", "countries",
                                       "recorded_at", "duration", "thumbnail", NULL};
    const char *args[] = {"search", "--json", "--limit", "0", broad, NULL};
    json_t *res, *h;
    size_t i, with_title = 0, with_people = 0, with_thumb = 0;
    index_archive(1);
    res = run_json(0, args);
    ck_assert_int_gt(json_array_size(json_object_get(res, "hits")), 5);
    json_array_foreach(json_object_get(res, "hits"), i, h) {
        const char *show[] = {"show", "--json", json_string_value(json_object_get(h, "id")), NULL};
        json_t *rec = run_json(0, show);
        for (const char *const *k = keys; *k; k++) {
            json_t *a = json_object_get(h, *k), *b = json_object_get(rec, *k);
            char *ta = a ? json_dumps(a, JSON_ENCODE_ANY) : NULL, *tb = b ? json_dumps(b, JSON_ENCODE_ANY) : NULL;
            ck_assert_msg((!a && !b) || (a && b && json_equal(a, b)), "%s of %s: hit %s, show %s", *k,
                          json_string_value(json_object_get(h, "path")), ta ? ta : "-", tb ? tb : "-");
            free(ta);
            free(tb);
        }
        with_title += json_object_get(h, "title") != NULL;
        with_people += json_object_get(h, "people") != NULL;
        with_thumb += json_object_get(h, "thumbnail") != NULL;
        json_decref(rec);
    }
    /* the archive gives each of them to some hits */
    ck_assert_uint_gt(with_title, 0);
    ck_assert_uint_gt(with_people, 0);
    ck_assert_uint_gt(with_thumb, 0);
    json_decref(res);
}
END_TEST

START_TEST(test_search__output_formats)
{
    const char *csv[] = {"search", "--csv", "--sort", "path", "--speaker", "ales bialiatski", NULL};
    const char *jsonl[] = {"search", "--jsonl", "--sort", "path", "--speaker", "ales bialiatski", NULL};
    const char *page[] = {"search", "--json", "--sort", "path", "--kind", "video", "--limit", "2",
                          "--offset", "1", NULL};
    char *out = NULL, *line2;
    json_t *a, *b, *p;
    ck_assert_int_eq(run(&out, csv), 0);
    ck_assert_int_eq(strncmp(out, "match,id,root,path,start,end,title,", 35), 0);
    ck_assert_ptr_nonnull(strstr(out, "\n\"segment\","));
    ck_assert_ptr_nonnull(strstr(out, "\"00:00:00.500\",\"00:00:02.000\",\"Meet Belarus' most"));
    free(out);
    ck_assert_int_eq(run(&out, jsonl), 0);
    line2 = strchr(out, '\n');
    ck_assert_ptr_nonnull(line2);
    *line2++ = 0;
    a = json_loads(out, 0, NULL);
    b = json_loads(line2, JSON_DISABLE_EOF_CHECK, NULL);
    ck_assert_str_eq(json_string_value(json_object_get(a, "match")), "file");
    ck_assert_str_eq(json_string_value(json_object_get(b, "match")), "segment");
    json_decref(a);
    json_decref(b);
    free(out);
    p = run_json(0, page);
    ck_assert_int_eq(json_integer_value(json_object_get(p, "total")), 8);
    ck_assert_uint_eq(json_array_size(json_object_get(p, "hits")), 2);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(json_object_get(p, "hits"), 0), "path")),
                     "Belarus/talk.mp4");
    json_decref(p);
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
    ck_assert_int_eq(run(&out, bad_queries[_i]), 2);
    free(out);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("export");
    TCase *tc = tcase_create("read"), *w = tcase_create("write");
    SRunner *sr;
    int failed;

    /* cases that change the archive get their own copy */
    tcase_add_checked_fixture(w, setup, teardown);
    tcase_set_timeout(w, 120);
    tcase_add_test(w, test_export_since__changes_and_deletions);
    tcase_add_test(w, test_export_out__bundle_with_thumbnails_and_jsonld);
    tcase_add_test(w, test_export_internal__same_bytes_as_show);
    tcase_add_test(w, test_search__stale_sieve_is_not_read);
    tcase_add_test(w, test_search__hits_show_their_records);
    tcase_add_test(w, test_search__sorted_by_the_sieve_as_by_joins);
    suite_add_tcase(s, w);

    tcase_add_unchecked_fixture(tc, setup_indexed, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_export_public__only_public_nothing_private);
    tcase_add_test(tc, test_export_internal__everything_and_valid);
    tcase_add_test(tc, test_facets__counts_under_filters);
    tcase_add_loop_test(tc, test_search__each_filter, 0, (int)(sizeof filter_cases / sizeof *filter_cases));
    tcase_add_test(tc, test_search__output_formats);
    tcase_add_test(tc, test_search__relevance_same_hits_as_path_order);
    tcase_add_loop_test(tc, test_search__sieve_same_hits_as_joins, 0,
                        (int)(sizeof filter_cases / sizeof *filter_cases));
    tcase_add_test(tc, test_search__sieve_more_filters);
    tcase_add_loop_test(tc, test_queries__bad_ones_exit_2, 0, (int)(sizeof bad_queries / sizeof *bad_queries));
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
