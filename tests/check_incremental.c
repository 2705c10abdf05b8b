/*
 * check_incremental: re-running `reel index` over a tree that changed between runs.
 *
 * The fixture archive is generated once (unchecked fixture); each case copies
 * its readable media files (the manifest's records, mtimes kept) into a fresh
 * root "incr", indexes it, changes the tree and indexes again. The broken files
 * are left out so the counts are exact: every file is either a record or gone.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "support.h"

static char *g_tmp, *g_archive;
static json_t *g_manifest;
static int g_case;

static void setup(void)
{
	g_tmp = sup_tmpdir("reel-incr");
	if (!g_tmp)
		return;
	g_archive = sup_join(g_tmp, "archive");
	g_manifest = sup_make_archive(g_tmp);
}

static void teardown(void)
{
	json_decref(g_manifest);
	sup_rmtree(g_tmp);
	free(g_tmp);
	free(g_archive);
}

/* One case's world: T/caseN/incr (the root), T/caseN/cat.db. */
struct world {
	char *dir, *root, *db;
	size_t count;
};

static int run_ok(const char *const argv[], const char *cwd)
{
	struct sup_result r;
	struct sup_opts o = {.cwd = cwd};
	int st = sup_run(&r, argv, &o);
	sup_result_release(&r);
	return st;
}

static void world_init(struct world *w)
{
	char name[32];
	size_t i;
	const json_t *rec;

	ck_assert_msg(g_manifest != NULL, "fixture archive could not be generated");
	/* Each case runs in its own forked child: the pid keeps the folders apart. */
	snprintf(name, sizeof(name), "case-%ld-%d", (long)getpid(), g_case++);
	w->dir = sup_join(g_tmp, name);
	w->root = sup_join(w->dir, "incr");
	w->db = sup_join(w->dir, "cat.db");
	w->count = 0;
	ck_assert_int_eq(mkdir(w->dir, 0755), 0);
	ck_assert_int_eq(mkdir(w->root, 0755), 0);
	json_array_foreach(json_object_get(g_manifest, "records"), i, rec) {
		const char *path = json_string_value(json_object_get(rec, "path"));
		const char *argv[] = {"cp", "-p", "--parents", path, w->root, NULL};
		ck_assert_int_eq(run_ok(argv, g_archive), 0);
		w->count++;
	}
	ck_assert_int_gt(w->count, 4);
}

static void world_release(struct world *w)
{
	free(w->dir);
	free(w->root);
	free(w->db);
}

/* Runs `reel index --json` over the world's root; returns the summary. */
static json_t *index_run(const struct world *w, int *status)
{
	json_t *s = sup_reel_json(status, NULL, w->db, "index", "-j", "2", "--json", "--no-thumbs",
				  w->root, SUP_END);
	ck_assert_msg(s != NULL, "`reel index --json` printed no JSON");
	return s;
}

static json_int_t num(const json_t *summary, const char *key)
{
	const json_t *v = json_object_get(summary, key);
	ck_assert_msg(json_is_integer(v), "summary lacks integer '%s'", key);
	return json_integer_value(v);
}

static json_t *export_all(const struct world *w)
{
	int st;
	json_t *e = sup_reel_json(&st, NULL, w->db, "export", "--profile", "internal", SUP_END);
	ck_assert_msg(e != NULL, "`reel export` printed no JSON");
	ck_assert_int_eq(st, 0);
	return e;
}

static const char *record_path(size_t n)
{
	return json_string_value(json_object_get(json_array_get(json_object_get(g_manifest, "records"), n), "path"));
}

/* The manifest record whose path ends with `suffix`. */
static const char *path_ending(const char *suffix)
{
	size_t i, ls = strlen(suffix);
	const json_t *rec;
	json_array_foreach(json_object_get(g_manifest, "records"), i, rec) {
		const char *p = json_string_value(json_object_get(rec, "path"));
		size_t lp = strlen(p);
		if (lp >= ls && !strcmp(p + lp - ls, suffix))
			return p;
	}
	ck_abort_msg("no fixture ending in '%s'", suffix);
	return NULL;
}

static char *id_of(const json_t *ex, const char *path)
{
	const json_t *it = sup_find_item(ex, "incr", path);
	ck_assert_msg(it != NULL, "'%s' is not in the export", path);
	const char *id = json_string_value(json_object_get(it, "id"));
	ck_assert_msg(id && *id, "'%s' has no id", path);
	return strdup(id);
}

static void assert_ok_record(const json_t *ex, const char *path)
{
	const json_t *it = sup_find_item(ex, "incr", path);
	ck_assert_msg(it != NULL, "'%s' is not in the export", path);
	const char *st = json_string_value(json_object_get(it, "status"));
	ck_assert_msg(st && !strcmp(st, "ok"), "'%s' status expected \"ok\", got \"%s\"", path,
		      st ? st : "(absent)");
	ck_assert_msg(json_object_get(it, "missing_since") == NULL, "'%s' still has missing_since", path);
}

START_TEST(test_incremental_rerun__unchanged_opens_nothing)
{
	struct world w;
	int st;

	world_init(&w);
	json_t *s1 = index_run(&w, &st);
	ck_assert_int_eq(st, 0);
	ck_assert_int_eq(num(s1, "new"), (json_int_t)w.count);
	ck_assert_int_eq(num(s1, "opened"), (json_int_t)w.count);
	ck_assert_int_eq(num(s1, "failed"), 0);
	json_t *e1 = export_all(&w);

	json_t *s2 = index_run(&w, &st);
	ck_assert_int_eq(st, 0);
	ck_assert_int_eq(num(s2, "opened"), 0);
	ck_assert_int_eq(num(s2, "unchanged"), (json_int_t)w.count);
	ck_assert_int_eq(num(s2, "new"), 0);
	ck_assert_int_eq(num(s2, "changed"), 0);
	ck_assert_int_eq(num(s2, "moved"), 0);
	ck_assert_int_eq(num(s2, "missing"), 0);
	ck_assert_int_eq(num(s2, "failed"), 0);
	ck_assert_int_gt(num(s2, "scan_id"), num(s1, "scan_id"));

	/* Same ids, same hashes. */
	json_t *e2 = export_all(&w);
	ck_assert_int_eq(json_array_size(json_object_get(e2, "items")), w.count);
	for (size_t i = 0; i < w.count; i++) {
		const json_t *a = sup_find_item(e1, "incr", record_path(i));
		const json_t *b = sup_find_item(e2, "incr", record_path(i));
		ck_assert_msg(a && b, "'%s' missing from an export", record_path(i));
		ck_assert_msg(json_equal(json_object_get(a, "id"), json_object_get(b, "id")),
			      "'%s' changed id on an unchanged re-run", record_path(i));
		ck_assert_msg(json_equal(json_object_get(a, "sha256"), json_object_get(b, "sha256")),
			      "'%s' changed sha256 on an unchanged re-run", record_path(i));
	}
	json_decref(s1);
	json_decref(s2);
	json_decref(e1);
	json_decref(e2);
	world_release(&w);
}
END_TEST

START_TEST(test_incremental_modify__changed_with_new_sha)
{
	struct world w;
	int st;

	world_init(&w);
	const char *path = path_ending(".mp3");
	char *file = sup_join(w.root, path);
	json_decref(index_run(&w, &st));
	json_t *e1 = export_all(&w);
	char *id = id_of(e1, path);
	char *old_sha = sup_sha256sum(file);

	/* Trailing bytes after the last MP3 frame keep the file valid. */
	FILE *f = fopen(file, "ab");
	ck_assert_ptr_nonnull(f);
	for (int i = 0; i < 1000; i++)
		fputc(i & 0xFF, f);
	ck_assert_int_eq(fclose(f), 0);
	const char *touch[] = {"touch", "-d", "2021-06-07T08:09:10Z", file, NULL};
	ck_assert_int_eq(run_ok(touch, NULL), 0);
	char *new_sha = sup_sha256sum(file);
	ck_assert_str_ne(old_sha, new_sha);

	json_t *s = index_run(&w, &st);
	ck_assert_int_eq(st, 0);
	ck_assert_int_eq(num(s, "changed"), 1);
	ck_assert_int_eq(num(s, "unchanged"), (json_int_t)w.count - 1);
	ck_assert_int_eq(num(s, "new"), 0);
	ck_assert_int_eq(num(s, "missing"), 0);
	ck_assert_int_eq(num(s, "opened"), 1);

	json_t *e2 = export_all(&w);
	const json_t *it = sup_find_item(e2, "incr", path);
	ck_assert_ptr_nonnull(it);
	ck_assert_str_eq(json_string_value(json_object_get(it, "sha256")), new_sha);
	ck_assert_int_eq(json_integer_value(json_object_get(it, "size")), sup_file_size(file));
	ck_assert_str_eq(json_string_value(json_object_get(it, "mtime")), "2021-06-07T08:09:10Z");
	ck_assert_str_eq(json_string_value(json_object_get(it, "id")), id);
	assert_ok_record(e2, path);

	json_decref(s);
	json_decref(e1);
	json_decref(e2);
	free(file);
	free(id);
	free(old_sha);
	free(new_sha);
	world_release(&w);
}
END_TEST

START_TEST(test_incremental_delete__missing_but_shown)
{
	struct world w;
	int st;

	world_init(&w);
	const char *path = path_ending(".webm");
	char *file = sup_join(w.root, path);
	json_decref(index_run(&w, &st));
	json_t *e1 = export_all(&w);
	char *id = id_of(e1, path);

	ck_assert_int_eq(unlink(file), 0);
	json_t *s = index_run(&w, &st);
	ck_assert_int_eq(st, 0);
	ck_assert_int_eq(num(s, "missing"), 1);
	ck_assert_int_eq(num(s, "unchanged"), (json_int_t)w.count - 1);
	ck_assert_int_eq(num(s, "opened"), 0);

	json_t *e2 = export_all(&w);
	const json_t *it = sup_find_item(e2, "incr", path);
	ck_assert_msg(it != NULL, "deleted file dropped from the catalogue");
	ck_assert_str_eq(json_string_value(json_object_get(it, "status")), "missing");
	ck_assert_msg(json_is_string(json_object_get(it, "missing_since")), "no missing_since");
	ck_assert_str_eq(json_string_value(json_object_get(it, "id")), id);

	json_t *by_path = sup_reel_json(&st, NULL, w.db, "show", path, "--json", SUP_END);
	ck_assert_msg(by_path != NULL, "`reel show` of a missing file printed no JSON");
	ck_assert_int_eq(st, 0);
	ck_assert_str_eq(json_string_value(json_object_get(by_path, "status")), "missing");
	ck_assert_str_eq(json_string_value(json_object_get(by_path, "id")), id);
	json_t *by_id = sup_reel_json(&st, NULL, w.db, "show", id, "--json", SUP_END);
	ck_assert_ptr_nonnull(by_id);
	ck_assert_msg(json_equal(by_id, by_path), "show by id and by path differ for a missing file");

	/* Still missing on the next run, not reported again as newly missing. */
	json_t *s3 = index_run(&w, &st);
	ck_assert_int_eq(num(s3, "new"), 0);
	ck_assert_int_eq(num(s3, "opened"), 0);

	json_decref(s);
	json_decref(s3);
	json_decref(e1);
	json_decref(e2);
	json_decref(by_path);
	json_decref(by_id);
	free(file);
	free(id);
	world_release(&w);
}
END_TEST

/* Renaming a file and moving a whole folder (with sub-folders) inside the root. */
START_TEST(test_incremental_move__file_and_folder_keep_ids)
{
	struct world w;
	int st;
	size_t i;
	const json_t *rec;

	world_init(&w);
	json_decref(index_run(&w, &st));
	json_t *e1 = export_all(&w);

	const char *file_from = path_ending("plain.jpg");
	const char *file_to = "Photos/renamed plain.jpg";
	char *a = sup_join(w.root, file_from), *b = sup_join(w.root, file_to);
	ck_assert_int_eq(rename(a, b), 0);
	free(a);
	free(b);
	a = sup_join(w.root, "Belarus");
	b = sup_join(w.root, "Беларусь");
	ck_assert_int_eq(rename(a, b), 0);
	free(a);
	free(b);

	size_t in_folder = 0;
	json_array_foreach(json_object_get(g_manifest, "records"), i, rec) {
		if (!strncmp(json_string_value(json_object_get(rec, "path")), "Belarus/", 8))
			in_folder++;
	}
	ck_assert_int_gt(in_folder, 1);

	json_t *s = index_run(&w, &st);
	ck_assert_int_eq(st, 0);
	ck_assert_int_eq(num(s, "moved"), (json_int_t)in_folder + 1);
	ck_assert_int_eq(num(s, "missing"), 0);
	ck_assert_int_eq(num(s, "new"), 0);
	ck_assert_int_eq(num(s, "changed"), 0);
	ck_assert_int_eq(num(s, "unchanged"), (json_int_t)(w.count - in_folder - 1));

	json_t *e2 = export_all(&w);
	ck_assert_int_eq(json_array_size(json_object_get(e2, "items")), w.count);
	json_array_foreach(json_object_get(g_manifest, "records"), i, rec) {
		const char *old = json_string_value(json_object_get(rec, "path"));
		struct sup_str now = {0};
		if (!strcmp(old, file_from))
			sup_str_printf(&now, "%s", file_to);
		else if (!strncmp(old, "Belarus/", 8))
			sup_str_printf(&now, "Беларусь/%s", old + 8);
		else
			sup_str_printf(&now, "%s", old);
		char *id1 = id_of(e1, old);
		char *id2 = id_of(e2, now.s);
		ck_assert_msg(!strcmp(id1, id2), "'%s' -> '%s': id %s became %s", old, now.s, id1, id2);
		assert_ok_record(e2, now.s);
		if (strcmp(old, now.s))
			ck_assert_msg(sup_find_item(e2, "incr", old) == NULL,
				      "old path '%s' still in the catalogue after the move", old);
		free(id1);
		free(id2);
		sup_str_release(&now);
	}
	json_decref(s);
	json_decref(e1);
	json_decref(e2);
	world_release(&w);
}
END_TEST

START_TEST(test_incremental_return__missing_file_comes_back)
{
	struct world w;
	int st;

	world_init(&w);
	const char *path = path_ending(".m4a");
	char *file = sup_join(w.root, path);
	char *aside = sup_join(w.dir, "aside.m4a");
	json_decref(index_run(&w, &st));
	json_t *e1 = export_all(&w);
	char *id = id_of(e1, path);

	ck_assert_int_eq(rename(file, aside), 0);
	json_t *s2 = index_run(&w, &st);
	ck_assert_int_eq(num(s2, "missing"), 1);
	json_t *e2 = export_all(&w);
	ck_assert_str_eq(json_string_value(json_object_get(sup_find_item(e2, "incr", path), "status")),
			 "missing");

	ck_assert_int_eq(rename(aside, file), 0);
	json_t *s3 = index_run(&w, &st);
	ck_assert_int_eq(st, 0);
	ck_assert_int_eq(num(s3, "missing"), 0);
	ck_assert_int_eq(num(s3, "new"), 0);
	json_t *e3 = export_all(&w);
	assert_ok_record(e3, path);
	ck_assert_str_eq(json_string_value(json_object_get(sup_find_item(e3, "incr", path), "id")), id);
	ck_assert_int_eq(json_array_size(json_object_get(e3, "items")), w.count);

	json_decref(s2);
	json_decref(s3);
	json_decref(e1);
	json_decref(e2);
	json_decref(e3);
	free(file);
	free(aside);
	free(id);
	world_release(&w);
}
END_TEST

static void copy_as(const char *from, const char *to)
{
	const char *argv[] = {"cp", "-p", from, to, NULL};
	ck_assert_int_eq(run_ok(argv, NULL), 0);
}

/* The walk and the catalogue are merged in path order: a folder's files sort
 * as "NAME/...", after "NAME.webm" and "NAME-a.webm", before "NAME0.webm". */
START_TEST(test_incremental_delete__beside_a_folder_of_the_same_name)
{
	struct world w;
	int st;
	static const char *const names[] = {"sub.webm", "sub-a.webm", "sub0.webm", "sub/in.webm"};
	char *src, *sub, *gone;

	world_init(&w);
	src = sup_join(g_archive, path_ending(".webm"));
	sub = sup_join(w.root, "sub");
	ck_assert_int_eq(mkdir(sub, 0755), 0);
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		char *to = sup_join(w.root, names[i]);
		copy_as(src, to);
		free(to);
	}
	json_t *s1 = index_run(&w, &st);
	ck_assert_int_eq(num(s1, "new"), (json_int_t)w.count + 4);

	gone = sup_join(w.root, "sub-a.webm");
	ck_assert_int_eq(unlink(gone), 0);
	json_t *s2 = index_run(&w, &st);
	ck_assert_int_eq(st, 0);
	ck_assert_int_eq(num(s2, "missing"), 1);
	ck_assert_int_eq(num(s2, "unchanged"), (json_int_t)w.count + 3);
	ck_assert_int_eq(num(s2, "opened"), 0);

	json_decref(s1);
	json_decref(s2);
	free(src);
	free(sub);
	free(gone);
	world_release(&w);
}
END_TEST

/* An unplugged drive leaves an empty mount point: nothing is marked missing. */
START_TEST(test_incremental_emptied_root__not_marked_missing)
{
	struct world w;
	int st;

	world_init(&w);
	char *aside = sup_join(w.dir, "aside");
	json_decref(index_run(&w, &st));
	ck_assert_int_eq(rename(w.root, aside), 0);
	ck_assert_int_eq(mkdir(w.root, 0755), 0);
	json_t *s = index_run(&w, &st);
	ck_assert_int_eq(num(s, "missing"), 0);
	ck_assert_int_eq(num(s, "failed"), 1);
	json_t *e = export_all(&w);
	for (size_t i = 0; i < w.count; i++)
		assert_ok_record(e, record_path(i));

	ck_assert_int_eq(rmdir(w.root), 0);
	ck_assert_int_eq(rename(aside, w.root), 0);
	json_t *s2 = index_run(&w, &st);
	ck_assert_int_eq(st, 0);
	ck_assert_int_eq(num(s2, "unchanged"), (json_int_t)w.count);
	ck_assert_int_eq(num(s2, "missing"), 0);

	json_decref(s);
	json_decref(s2);
	json_decref(e);
	free(aside);
	world_release(&w);
}
END_TEST

static Suite *incremental_suite(void)
{
	Suite *s = suite_create("incremental");
	TCase *tc = tcase_create("rescan");

	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_incremental_rerun__unchanged_opens_nothing);
	tcase_add_test(tc, test_incremental_modify__changed_with_new_sha);
	tcase_add_test(tc, test_incremental_delete__missing_but_shown);
	tcase_add_test(tc, test_incremental_move__file_and_folder_keep_ids);
	tcase_add_test(tc, test_incremental_return__missing_file_comes_back);
	tcase_add_test(tc, test_incremental_delete__beside_a_folder_of_the_same_name);
	tcase_add_test(tc, test_incremental_emptied_root__not_marked_missing);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(incremental_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
