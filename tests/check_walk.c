/* check_walk.c - the stat-only walker: what it reports, skips and survives. */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "walk.h"

typedef struct seen {
    char files[64][256];
    int n_files;
    char companions[16][256];
    int n_companions;
    char errors[16][256];
    char messages[16][256];
    int n_errors;
} seen;

static int on_file(const char *rel, const struct stat *st, void *payload)
{
    seen *s = payload;
    ck_assert(S_ISREG(st->st_mode));
    ck_assert_int_lt(s->n_files, 64);
    snprintf(s->files[s->n_files++], 256, "%s", rel);
    return 0;
}

static int on_companion(const char *rel, const struct stat *st, void *payload)
{
    seen *s = payload;
    ck_assert(S_ISREG(st->st_mode));
    ck_assert_int_lt(s->n_companions, 16);
    snprintf(s->companions[s->n_companions++], 256, "%s", rel);
    return 0;
}

static void on_error(const char *rel, const char *msg, void *payload)
{
    seen *s = payload;
    ck_assert_int_lt(s->n_errors, 16);
    snprintf(s->errors[s->n_errors], 256, "%s", rel);
    snprintf(s->messages[s->n_errors++], 256, "%s", msg);
}

static char root[64];

static void touch(const char *rel)
{
    char p[512];
    FILE *f;
    snprintf(p, sizeof p, "%s/%s", root, rel);
    f = fopen(p, "w");
    ck_assert_ptr_nonnull(f);
    fputs("x", f);
    fclose(f);
}

static void dir(const char *rel)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", root, rel);
    ck_assert_int_eq(mkdir(p, 0755), 0);
}

static void setup(void)
{
    snprintf(root, sizeof root, "/tmp/reel-walk-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(root));
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    ck_assert_int_eq(system(cmd), 0);
}

static int has(char (*list)[256], int n, const char *want)
{
    for (int i = 0; i < n; i++)
        if (strcmp(list[i], want) == 0)
            return 1;
    return 0;
}

START_TEST(test_walk_root__files_sorted_and_filtered)
{
    seen s = {0};
    walk_callbacks cb = {on_file, on_error, &s, on_companion};
    char p[512];

    dir("B");
    dir("a");
    dir(".hidden");
    touch("B/z.mp4");
    touch("a/talk.mp4");
    touch("a/talk.mp4.json");
    touch("a/talk.en.srt");
    touch("a/notes.TXT");
    touch(".hidden/secret.mp4");
    touch(".DS_Store");
    touch("top.jpg");
    snprintf(p, sizeof p, "%s/pipe.mp4", root);
    ck_assert_int_eq(mkfifo(p, 0644), 0);

    ck_assert_int_eq(walk_root(root, NULL, &cb), 0);
    ck_assert_int_eq(s.n_files, 3);
    /* name order within each folder, folders walked where they sort */
    ck_assert_str_eq(s.files[0], "B/z.mp4");
    ck_assert_str_eq(s.files[1], "a/talk.mp4");
    ck_assert_str_eq(s.files[2], "top.jpg");
    ck_assert_int_eq(s.n_errors, 0);
    /* sidecars and subtitles go to the companion callback; text files nowhere */
    ck_assert_int_eq(s.n_companions, 2);
    ck_assert_str_eq(s.companions[0], "a/talk.en.srt");
    ck_assert_str_eq(s.companions[1], "a/talk.mp4.json");
}
END_TEST

/* Files, companions and errors in the order reported, for the order test. */
typedef struct order {
    char path[16][256];
    int n;
} order;

static int order_file(const char *rel, const struct stat *st, void *payload)
{
    order *o = payload;
    (void)st;
    ck_assert_int_lt(o->n, 16);
    snprintf(o->path[o->n++], 256, "%s", rel);
    return 0;
}

static void order_error(const char *rel, const char *msg, void *payload)
{
    (void)msg;
    order_file(rel, NULL, payload);
}

START_TEST(test_walk_root__paths_in_strcmp_order)
{
    /* the indexer merges the walk with the catalogue's path index: a folder
     * sorts as "NAME/", a name that is not UTF-8 as its escaped form */
    order o = {.n = 0};
    walk_callbacks cb = {order_file, order_error, &o, order_file};
    static const char *const want[] = {
        "Z.mp4", "\\xFF.mp4", "a-b.mp4", "a.mp4", "a.mp4.json", "a/x.mp4", "a/y/z.mp4",
        "a0.mp4", "b.mp4",
    };
    char p[512], t[512];

    dir("a");
    dir("a/y");
    touch("a/y/z.mp4");
    touch("a/x.mp4");
    touch("a.mp4");
    touch("a.mp4.json");
    touch("a-b.mp4");
    touch("a0.mp4");
    touch("b.mp4");
    touch("Z.mp4");
    touch("\xff.mp4");
    snprintf(p, sizeof p, "%s/b-link", root);      /* a folder entered before: not again */
    snprintf(t, sizeof t, "%s/a", root);
    ck_assert_int_eq(symlink(t, p), 0);
    ck_assert_int_eq(walk_root(root, NULL, &cb), 0);
    ck_assert_int_eq(o.n, (int)(sizeof want / sizeof *want));
    for (int i = 0; i < o.n; i++)
        ck_assert_str_eq(o.path[i], want[i]);
}
END_TEST

START_TEST(test_walk_root__symlink_loop_ends)
{
    seen s = {0};
    walk_callbacks cb = {on_file, on_error, &s, on_companion};
    char p[512], t[512];

    dir("x");
    dir("x/y");
    touch("x/y/clip.mp4");
    snprintf(p, sizeof p, "%s/x/y/up", root);
    ck_assert_int_eq(symlink("../..", p), 0);       /* a loop back to the root */
    snprintf(p, sizeof p, "%s/x/self", root);
    ck_assert_int_eq(symlink(".", p), 0);
    snprintf(p, sizeof p, "%s/link.mp4", root);
    snprintf(t, sizeof t, "%s/x/y/clip.mp4", root);
    ck_assert_int_eq(symlink(t, p), 0);             /* a link to a file is that file */
    snprintf(p, sizeof p, "%s/dangling.mp4", root);
    ck_assert_int_eq(symlink("/nonexistent/reel", p), 0);

    ck_assert_int_eq(walk_root(root, NULL, &cb), 0);
    ck_assert_int_eq(s.n_files, 2);
    ck_assert(has(s.files, s.n_files, "x/y/clip.mp4"));
    ck_assert(has(s.files, s.n_files, "link.mp4"));
    ck_assert_int_eq(s.n_errors, 1);
    ck_assert_str_eq(s.errors[0], "dangling.mp4");
    ck_assert_str_eq(s.messages[0], "broken symbolic link");
}
END_TEST

START_TEST(test_walk_root__non_utf8_name_is_an_error)
{
    seen s = {0};
    walk_callbacks cb = {on_file, on_error, &s, on_companion};
    touch("caf\xe9.mp4");
    touch("Одна година.mp4");
    ck_assert_int_eq(walk_root(root, NULL, &cb), 0);
    ck_assert_int_eq(s.n_files, 1);
    ck_assert_str_eq(s.files[0], "Одна година.mp4");
    ck_assert_int_eq(s.n_errors, 1);
    ck_assert_str_eq(s.errors[0], "caf\\xE9.mp4");
    ck_assert_ptr_nonnull(strstr(s.messages[0], "not valid UTF-8"));
}
END_TEST

START_TEST(test_walk_root__skip_list)
{
    seen s = {0};
    walk_callbacks cb = {on_file, on_error, &s, on_companion};
    walk_skip skip = {.n = 0};
    char p[512];

    dir("thumbs");
    touch("thumbs/poster.jpg");
    touch("catalog.sqlite3");
    touch("clip.mp4");
    snprintf(p, sizeof p, "%s/thumbs", root);
    walk_skip_add(&skip, p);
    snprintf(p, sizeof p, "%s/catalog.sqlite3", root);
    walk_skip_add(&skip, p);
    walk_skip_add(&skip, "/nonexistent/file");     /* ignored */
    ck_assert_int_eq(skip.n, 2);
    ck_assert_int_eq(walk_root(root, &skip, &cb), 0);
    ck_assert_int_eq(s.n_files, 1);
    ck_assert_str_eq(s.files[0], "clip.mp4");
}
END_TEST

START_TEST(test_walk_root__missing_root)
{
    seen s = {0};
    walk_callbacks cb = {on_file, on_error, &s, on_companion};
    ck_assert_int_lt(walk_root("/nonexistent/reel-root", NULL, &cb), 0);
}
END_TEST

START_TEST(test_walk_utf8_valid__cases)
{
    ck_assert(walk_utf8_valid("plain"));
    ck_assert(walk_utf8_valid("Алесь Бяляцкі / Aleś"));
    ck_assert(walk_utf8_valid("\xF0\x9F\x8E\xA5"));      /* U+1F3A5 */
    ck_assert(!walk_utf8_valid("caf\xe9"));
    ck_assert(!walk_utf8_valid("\xC0\xAF"));             /* overlong '/' */
    ck_assert(!walk_utf8_valid("\xED\xA0\x80"));         /* a surrogate */
    ck_assert(!walk_utf8_valid("\xE2\x82"));             /* cut short */
}
END_TEST

START_TEST(test_walk_escape__keeps_valid_sequences)
{
    char out[64];
    walk_escape("caf\xe9-\xD0\x90-\xff", out, sizeof out);
    ck_assert_str_eq(out, "caf\\xE9-\xD0\x90-\\xFF");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("walk");
    TCase *tc = tcase_create("walk");
    SRunner *sr;
    int failed;

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_walk_root__files_sorted_and_filtered);
    tcase_add_test(tc, test_walk_root__paths_in_strcmp_order);
    tcase_add_test(tc, test_walk_root__symlink_loop_ends);
    tcase_add_test(tc, test_walk_root__non_utf8_name_is_an_error);
    tcase_add_test(tc, test_walk_root__skip_list);
    tcase_add_test(tc, test_walk_root__missing_root);
    tcase_add_test(tc, test_walk_utf8_valid__cases);
    tcase_add_test(tc, test_walk_escape__keeps_valid_sequences);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
