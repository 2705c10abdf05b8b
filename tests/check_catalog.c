/* check_catalog.c - the SQLite catalogue: migrations, writes, moves, reads. */
#include <check.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalog.h"
#include "catalog_int.h"

static char dir[64], db[128];
static cat *c;
static int64_t scan;   /* the scan every write belongs to */

static void setup(void)
{
    char *err = NULL;
    snprintf(dir, sizeof dir, "/tmp/reel-cat-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(db, sizeof db, "%s/cat.db", dir);
    ck_assert_int_eq(cat_open(&c, db, &err), CAT_OK);
    ck_assert_ptr_null(err);
    ck_assert_int_eq(cat_scan_begin(c, "[]", &scan), CAT_OK);
}

static void teardown(void)
{
    char cmd[128];
    cat_free(c);
    c = NULL;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

static json_t *record(const char *sha, const char *title, double duration)
{
    return json_pack("{s:s,s:s,s:f,s:i,s:i,s:i,s:i,s:s,s:I,s:I,s:[{s:i,s:s,s:s,s:i,s:i}],"
                     "s:{s:s,s:s},s:[{s:f,s:f,s:s}],s:{s:f,s:f},s:s}",
                     "kind", "video", "format", "matroska,webm", "duration", duration,
                     "width", 640, "height", 360, "rotation", 90, "bit_rate", 500000,
                     "sha256", sha, "size", (json_int_t)1234, "mtime_ns", (json_int_t)5678,
                     "streams", "index", 0, "type", "video", "codec", "h264", "width", 640,
                     "height", 360, "tags", "title", title, "artist", "Civil Rights Defenders",
                     "chapters", "start", 0.0, "end", 1.5, "title", "Opening",
                     "location", "lat", -33.868, "lon", -70.651, "location_source", "container");
}

static int64_t put(int64_t root, const char *path, json_t *r, enum cat_put_outcome want)
{
    enum cat_put_outcome how;
    int64_t id = 0;
    ck_assert_int_eq(cat_begin(c), CAT_OK);
    ck_assert_msg(cat_media_put(c, root, path, r, scan, &how, &id) == CAT_OK, "%s", cat_errmsg(c));
    ck_assert_int_eq(cat_commit(c), CAT_OK);
    ck_assert_int_eq(how, want);
    json_decref(r);
    return id;
}

START_TEST(test_catalog_open__migrates_and_uses_wal)
{
    sqlite3 *h;
    sqlite3_stmt *st;
    ck_assert_int_ge(cat_schema_version(c), 1);
    ck_assert_int_eq(sqlite3_open(db, &h), SQLITE_OK);
    ck_assert_int_eq(sqlite3_prepare_v2(h, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    ck_assert_str_eq((const char *)sqlite3_column_text(st, 0), "wal");
    sqlite3_finalize(st);
    sqlite3_close(h);
}
END_TEST

START_TEST(test_catalog_open__refuses_newer_schema)
{
    sqlite3 *h;
    cat *other = NULL;
    char *err = NULL;
    ck_assert_int_eq(sqlite3_open(db, &h), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(h, "PRAGMA user_version = 999", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(h);
    ck_assert_int_eq(cat_open(&other, db, &err), CAT_NEWER);
    ck_assert_ptr_null(other);
    ck_assert_ptr_nonnull(strstr(err, "newer"));
    free(err);
}
END_TEST

START_TEST(test_catalog_media_put__new_changed_record)
{
    int64_t root, id, id2;
    json_t *rec = NULL;
    ck_assert_int_eq(cat_root_ensure(c, "/archive/drive1", &root), CAT_OK);
    id = put(root, "Belarus/talk.mkv", record("aa11", "Meet Belarus' defender", 61.5), CAT_PUT_NEW);
    id2 = put(root, "Belarus/talk.mkv", record("bb22", "Second cut", 62.0), CAT_PUT_CHANGED);
    ck_assert_int_eq(id, id2);

    ck_assert_int_eq(cat_record_load(c, id, &rec), CAT_OK);
    ck_assert_str_eq(json_string_value(json_object_get(rec, "root")), "drive1");
    ck_assert_str_eq(json_string_value(json_object_get(rec, "path")), "Belarus/talk.mkv");
    ck_assert_str_eq(json_string_value(json_object_get(rec, "sha256")), "bb22");
    ck_assert_str_eq(json_string_value(json_object_get(rec, "title")), "Second cut");
    ck_assert_str_eq(json_string_value(json_object_get(rec, "status")), "ok");
    ck_assert_str_eq(json_string_value(json_object_get(rec, "mtime")), "1970-01-01T00:00:00Z");
    ck_assert_double_eq_tol(json_number_value(json_object_get(rec, "duration")), 62.0, 1e-9);
    ck_assert_int_eq(json_integer_value(json_object_get(rec, "rotation")), 90);
    ck_assert_int_eq(json_array_size(json_object_get(rec, "streams")), 1);
    ck_assert_str_eq(json_string_value(json_object_get(
                         json_array_get(json_object_get(rec, "chapters"), 0), "title")), "Opening");
    ck_assert_double_eq_tol(json_number_value(json_object_get(json_object_get(rec, "location"), "lat")),
                            -33.868, 1e-9);
    ck_assert_int_eq(strlen(json_string_value(json_object_get(rec, "id"))), 16);
    json_decref(rec);
}
END_TEST

START_TEST(test_catalog_media_put__move_keeps_id)
{
    int64_t root, id, moved;
    json_t *a = NULL, *b = NULL;
    char now[] = "2026-01-01T00:00:00Z";
    ck_assert_int_eq(cat_root_ensure(c, "/archive", &root), CAT_OK);
    id = put(root, "old/clip.mp4", record("cafe", "Clip", 10), CAT_PUT_NEW);
    ck_assert_int_eq(cat_record_load(c, id, &a), CAT_OK);
    ck_assert_int_eq(cat_begin(c), CAT_OK);
    ck_assert_int_eq(cat_media_mark_missing(c, id, "2025-12-31T00:00:00Z", now), CAT_OK);
    ck_assert_int_eq(cat_commit(c), CAT_OK);
    moved = put(root, "new/clip.mp4", record("cafe", "Clip", 10), CAT_PUT_MOVED);
    ck_assert_int_eq(moved, id);
    ck_assert_int_eq(cat_record_load(c, id, &b), CAT_OK);
    ck_assert_str_eq(json_string_value(json_object_get(b, "path")), "new/clip.mp4");
    ck_assert_str_eq(json_string_value(json_object_get(b, "id")),
                     json_string_value(json_object_get(a, "id")));
    ck_assert_str_eq(json_string_value(json_object_get(b, "status")), "ok");
    ck_assert_ptr_null(json_object_get(b, "missing_since"));
    json_decref(a);
    json_decref(b);
}
END_TEST

START_TEST(test_catalog_media_mark_missing__kept_with_dates)
{
    int64_t root, id, found = 0;
    json_t *r = NULL;
    ck_assert_int_eq(cat_root_ensure(c, "/archive", &root), CAT_OK);
    id = put(root, "gone.mp4", record("dead", "Gone", 3), CAT_PUT_NEW);
    ck_assert_int_eq(cat_begin(c), CAT_OK);
    ck_assert_int_eq(cat_media_mark_missing(c, id, "2026-01-01T10:00:00Z", "2026-01-02T10:00:00Z"),
                     CAT_OK);
    ck_assert_int_eq(cat_commit(c), CAT_OK);
    ck_assert_int_eq(cat_media_lookup(c, "gone.mp4", &found), CAT_OK);
    ck_assert_int_eq(found, id);
    ck_assert_int_eq(cat_record_load(c, id, &r), CAT_OK);
    ck_assert_str_eq(json_string_value(json_object_get(r, "status")), "missing");
    ck_assert_str_eq(json_string_value(json_object_get(r, "missing_since")), "2026-01-02T10:00:00Z");
    ck_assert_str_eq(json_string_value(json_object_get(r, "last_seen")), "2026-01-01T10:00:00Z");
    json_decref(r);
    ck_assert_int_eq(cat_media_mark_present(c, id, 0), CAT_OK);
    ck_assert_int_eq(cat_record_load(c, id, &r), CAT_OK);
    ck_assert_str_eq(json_string_value(json_object_get(r, "status")), "ok");
    json_decref(r);
}
END_TEST

START_TEST(test_catalog_known_load__sorted_media_and_errors)
{
    int64_t root;
    cat_known *k = NULL;
    size_t n = 0;
    ck_assert_int_eq(cat_root_ensure(c, "/archive", &root), CAT_OK);
    put(root, "b.mp4", record("01", "B", 1), CAT_PUT_NEW);
    put(root, "a.mp4", record("02", "A", 1), CAT_PUT_NEW);
    ck_assert_int_eq(cat_error_put(c, root, "Z.mp4", "probe", "not media", 10, 20, scan), CAT_OK);
    ck_assert_int_eq(cat_error_put(c, root, "bad\\xE9.mp4", "walk", "not UTF-8", -1, 0, scan), CAT_OK);
    /* a changed file that fails keeps its media row and lists once */
    ck_assert_int_eq(cat_error_put(c, root, "a.mp4", "probe", "now broken", 10, 20, scan), CAT_OK);
    ck_assert_int_eq(cat_known_load(c, root, "", 10, &k, &n), CAT_OK);
    ck_assert_uint_eq(n, 4);
    ck_assert_str_eq(k[0].path, "Z.mp4");
    ck_assert_int_eq(k[0].media_id, 0);
    ck_assert_int_eq(k[0].size, 10);
    ck_assert_str_eq(k[1].path, "a.mp4");
    ck_assert_int_gt(k[1].media_id, 0);
    ck_assert_int_eq(k[1].size, 1234);
    ck_assert_str_eq(k[2].path, "b.mp4");
    ck_assert_str_eq(k[3].path, "bad\\xE9.mp4");
    ck_assert_int_eq(k[3].size, -1);
    cat_known_free(k, n);
    /* in chunks: a limit, then on past the last path read */
    ck_assert_int_eq(cat_known_load(c, root, "", 2, &k, &n), CAT_OK);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(k[1].path, "a.mp4");
    cat_known_free(k, n);
    ck_assert_int_eq(cat_known_load(c, root, "a.mp4", 2, &k, &n), CAT_OK);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(k[0].path, "b.mp4");
    ck_assert_str_eq(k[1].path, "bad\\xE9.mp4");
    cat_known_free(k, n);
    ck_assert_int_eq(cat_known_load(c, root, "bad\\xE9.mp4", 2, &k, &n), CAT_OK);
    ck_assert_uint_eq(n, 0);
    cat_known_free(k, n);
    ck_assert_int_eq(cat_error_forget(c, root, "Z.mp4"), CAT_OK);
    ck_assert_int_eq(cat_known_load(c, root, "", 10, &k, &n), CAT_OK);
    ck_assert_uint_eq(n, 3);
    cat_known_free(k, n);
}
END_TEST

static int count_cb(const cat_hit *hit, void *payload)
{
    ck_assert_str_eq(hit->kind, "file");
    (*(int *)payload)++;
    return 0;
}

static int find(const char *words, int limit, int64_t *total, int *hits)
{
    cat_query q = {.words = words, .min_duration = -1, .max_duration = -1, .limit = limit};
    return cat_find(c, &q, total, count_cb, hits);
}

START_TEST(test_catalog_search__words_diacritics_and_bad_query)
{
    int64_t root, total = 0;
    int hits = 0;
    json_t *errs = NULL;
    ck_assert_int_eq(cat_root_ensure(c, "/archive", &root), CAT_OK);
    put(root, "Belarus/Aleś talk.mkv", record("01", "Meet Belarus' defender", 1), CAT_PUT_NEW);
    put(root, "Poland/other.mkv", record("02", "Campaign film", 1), CAT_PUT_NEW);
    ck_assert_int_eq(find("belarus", 0, &total, &hits), CAT_OK);
    ck_assert_int_eq(total, 1);
    ck_assert_int_eq(hits, 1);
    hits = 0;
    ck_assert_int_eq(find("ales", 0, &total, &hits), CAT_OK);
    ck_assert_int_eq(total, 1);     /* from the path, diacritics folded */
    hits = 0;
    ck_assert_int_eq(find("defenders", 0, &total, &hits), CAT_OK);
    ck_assert_int_eq(total, 2);     /* the artist tag of both */
    ck_assert_int_eq(find("camp*", 1, &total, &hits), CAT_OK);
    ck_assert_int_eq(total, 1);
    ck_assert_int_eq(find("\"unbalanced", 0, &total, &hits), CAT_ERROR);
    ck_assert_ptr_nonnull(strstr(cat_errmsg(c), "bad search query"));
    ck_assert_int_eq(cat_errors_list(c, &errs), CAT_OK);
    ck_assert_uint_eq(json_array_size(errs), 0);
    json_decref(errs);
}
END_TEST

/* reel_rank() (schema/catalog_rank.c): bm25 at b = 0, with column weights. */
START_TEST(test_catalog_rank__bm25_without_length)
{
    sqlite3 *h;
    sqlite3_stmt *st;
    /* 13 rows, 3 with the word: idf = ln((13 - 3 + 0.5) / (3 + 0.5)) = ln 3 */
    const char *setup_sql =
        "CREATE VIRTUAL TABLE t USING fts5(title, body);"
        "INSERT INTO t(rowid, title, body) VALUES (1, 'Prison letters', 'a talk'),"
        " (2, 'a talk', 'about the prison and much else besides, said at length'),"
        " (3, 'a talk', 'prison, prison');"
        "WITH RECURSIVE n(i) AS (SELECT 4 UNION ALL SELECT i + 1 FROM n WHERE i < 13)"
        " INSERT INTO t(rowid, title, body) SELECT i, 'other', 'words' FROM n;";
    const double idf = log(3.0), k1 = 1.2;
    const struct { int64_t rowid; double tf; } want[] = {{1, 10}, {3, 2}, {2, 1}};
    int i = 0;

    ck_assert_int_eq(sqlite3_open(":memory:", &h), SQLITE_OK);
    ck_assert_int_eq(cat_rank_register(h), 0);
    ck_assert_int_eq(sqlite3_exec(h, setup_sql, NULL, NULL, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_prepare_v2(h, "SELECT rowid, reel_rank(t, 10.0, 1.0) AS r FROM t"
                                           " WHERE t MATCH 'prison' ORDER BY r", -1, &st, NULL),
                     SQLITE_OK);
    /* the title's weight first; then two occurrences before one, however
     * long the text around them (no length normalisation) */
    while (sqlite3_step(st) == SQLITE_ROW) {
        double expect = -idf * want[i].tf * (k1 + 1) / (want[i].tf + k1);
        ck_assert_int_lt(i, 3);
        ck_assert_int_eq(sqlite3_column_int64(st, 0), want[i].rowid);
        ck_assert_double_eq_tol(sqlite3_column_double(st, 1), expect, 1e-9);
        i++;
    }
    ck_assert_int_eq(i, 3);
    sqlite3_finalize(st);
    /* two phrases add up; no weights: every column counts 1 */
    ck_assert_int_eq(sqlite3_prepare_v2(h, "SELECT reel_rank(t) FROM t WHERE t MATCH 'prison AND talk'"
                                           " AND rowid = 3", -1, &st, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    ck_assert_double_eq_tol(sqlite3_column_double(st, 0),
                            -(idf * 2 * (k1 + 1) / (2 + k1) + log(10.5 / 3.5) * (k1 + 1) / (1 + k1)),
                            1e-9);
    sqlite3_finalize(st);
    sqlite3_close(h);
}
END_TEST

/* reel_rank_all's collector: the hits, in the order handed over */
typedef struct got_hits {
    int64_t rowid[64];
    double rank[64];
    int n;
} got_hits;

static int got_offer(void *payload, int64_t rowid, double rank)
{
    got_hits *g = payload;
    ck_assert_int_lt(g->n, 64);
    g->rowid[g->n] = rowid;
    g->rank[g->n++] = rank;
    return 0;
}

static int odd_rowids(void *payload, int64_t rowid)
{
    (void)payload;
    return rowid % 2 == 1;
}

/* reel_rank_all(): for a one-phrase query, every hit with the rank
 * reel_rank gives it (and only the ones keep wants); for more phrases,
 * nothing handed over and unsupported set. */
START_TEST(test_catalog_rank_all__same_ranks_as_reel_rank)
{
    sqlite3 *h;
    sqlite3_stmt *st;
    const char *queries[] = {"prison", "pris*", "\"a talk\"", "words", NULL};
    ck_assert_int_eq(sqlite3_open(":memory:", &h), SQLITE_OK);
    ck_assert_int_eq(cat_rank_register(h), 0);
    ck_assert_int_eq(sqlite3_exec(h,
        "CREATE VIRTUAL TABLE t USING fts5(title, body);"
        "INSERT INTO t(rowid, title, body) VALUES (1, 'Prison letters', 'a talk'),"
        " (2, 'a talk', 'about the prison and much else besides, said at length'),"
        " (3, 'a talk', 'prison, prison'), (4, 'prisoners', 'words, words and words');"
        "WITH RECURSIVE n(i) AS (SELECT 5 UNION ALL SELECT i + 1 FROM n WHERE i < 13)"
        " INSERT INTO t(rowid, title, body) SELECT i, 'other', 'words' FROM n;", NULL, NULL, NULL),
        SQLITE_OK);
    for (int k = 0; queries[k]; k++) {
        for (int odd = 0; odd < 2; odd++) {
            got_hits g = {.n = 0};
            cat_rank_collector coll = {.keep = odd ? odd_rowids : NULL, .offer = got_offer, .payload = &g};
            int n = 0;
            ck_assert_int_eq(sqlite3_prepare_v2(h, "SELECT reel_rank_all(t, ?2, 10.0, 1.0) FROM t"
                                                   " WHERE t MATCH ?1 LIMIT 1", -1, &st, NULL), SQLITE_OK);
            sqlite3_bind_text(st, 1, queries[k], -1, SQLITE_STATIC);
            sqlite3_bind_pointer(st, 2, &coll, "reel_collector", NULL);
            ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
            sqlite3_finalize(st);
            ck_assert_int_eq(coll.unsupported, 0);
            ck_assert_int_gt(g.n, 0);
            /* the same rows, in rowid order, with the same ranks */
            ck_assert_int_eq(sqlite3_prepare_v2(h, "SELECT rowid, reel_rank(t, 10.0, 1.0) FROM t"
                                                   " WHERE t MATCH ?1 ORDER BY rowid", -1, &st, NULL),
                             SQLITE_OK);
            sqlite3_bind_text(st, 1, queries[k], -1, SQLITE_STATIC);
            while (sqlite3_step(st) == SQLITE_ROW) {
                if (odd && sqlite3_column_int64(st, 0) % 2 == 0)
                    continue;
                ck_assert_int_lt(n, g.n);
                ck_assert_int_eq(g.rowid[n], sqlite3_column_int64(st, 0));
                ck_assert_double_eq_tol(g.rank[n], sqlite3_column_double(st, 1), 1e-12);
                n++;
            }
            sqlite3_finalize(st);
            ck_assert_msg(n == g.n, "%s: %d rows by reel_rank, %d by reel_rank_all", queries[k], n, g.n);
        }
    }
    /* two phrases: left to reel_rank */
    {
        got_hits g = {.n = 0};
        cat_rank_collector coll = {.offer = got_offer, .payload = &g};
        ck_assert_int_eq(sqlite3_prepare_v2(h, "SELECT reel_rank_all(t, ?1) FROM t"
                                               " WHERE t MATCH 'prison OR words' LIMIT 1", -1, &st, NULL),
                         SQLITE_OK);
        sqlite3_bind_pointer(st, 1, &coll, "reel_collector", NULL);
        ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
        sqlite3_finalize(st);
        ck_assert_int_eq(coll.unsupported, 1);
        ck_assert_int_eq(g.n, 0);
    }
    sqlite3_close(h);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("catalog");
    TCase *tc = tcase_create("catalog");
    SRunner *sr;
    int failed;

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_catalog_open__migrates_and_uses_wal);
    tcase_add_test(tc, test_catalog_open__refuses_newer_schema);
    tcase_add_test(tc, test_catalog_media_put__new_changed_record);
    tcase_add_test(tc, test_catalog_media_put__move_keeps_id);
    tcase_add_test(tc, test_catalog_media_mark_missing__kept_with_dates);
    tcase_add_test(tc, test_catalog_known_load__sorted_media_and_errors);
    tcase_add_test(tc, test_catalog_search__words_diacritics_and_bad_query);
    tcase_add_test(tc, test_catalog_rank__bm25_without_length);
    tcase_add_test(tc, test_catalog_rank_all__same_ranks_as_reel_rank);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
