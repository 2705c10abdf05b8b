/*
 * check_e2e: index the generated fixture archive with the real `reel` binary and
 * compare every record with the values the fixtures were made with
 * (tests/fixtures/make-archive.sh writes them to expected.json).
 *
 * The archive is generated and indexed once (an unchecked fixture, in the parent
 * process); every case then reads the results. Set REEL_KEEP_TMP=1 to keep the
 * temporary tree for inspection.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "support.h"

static char *g_tmp, *g_archive, *g_db;
static json_t *g_manifest, *g_summary, *g_export, *g_errors;
static int g_index_status = -100;
static const char *g_root;

static void setup(void)
{
	int st;

	g_tmp = sup_tmpdir("reel-e2e");
	if (!g_tmp)
		return;
	g_archive = sup_join(g_tmp, "archive");
	g_db = sup_join(g_tmp, "cat.db");
	g_manifest = sup_make_archive(g_tmp);
	if (!g_manifest)
		return;
	g_root = json_string_value(json_object_get(g_manifest, "root"));
	g_summary = sup_reel_json(&g_index_status, NULL, g_db, "index", "-j", "2", "--json",
				  "--no-thumbs", g_archive, SUP_END);
	g_export = sup_reel_json(&st, NULL, g_db, "export", "--profile", "internal", SUP_END);
	g_errors = sup_reel_json(&st, NULL, g_db, "errors", "--json", SUP_END);
}

static void teardown(void)
{
	json_decref(g_manifest);
	json_decref(g_summary);
	json_decref(g_export);
	json_decref(g_errors);
	sup_rmtree(g_tmp);
	free(g_tmp);
	free(g_archive);
	free(g_db);
}

static void need_index(void)
{
	ck_assert_msg(g_manifest != NULL, "fixture archive could not be generated");
	ck_assert_msg(g_export != NULL, "`reel export` printed no JSON");
	ck_assert_msg(json_is_array(json_object_get(g_export, "items")), "export has no items array");
}

static const json_t *records(void)
{
	return json_object_get(g_manifest, "records");
}

static const json_t *manifest_errors(void)
{
	return json_object_get(g_manifest, "errors");
}

START_TEST(test_e2e_index__exit_status_and_summary)
{
	need_index();
	ck_assert_msg(g_summary != NULL, "`reel index --json` printed no JSON");
	ck_assert_int_eq(g_index_status,
			 (int)json_integer_value(json_object_get(g_manifest, "index_exit_status")));
	const char *keys[] = {"scan_id", "new", "changed", "unchanged", "moved", "missing",
			      "failed", "opened", "elapsed"};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		ck_assert_msg(json_is_number(json_object_get(g_summary, keys[i])),
			      "summary lacks number '%s'", keys[i]);
	ck_assert_int_eq(json_integer_value(json_object_get(g_summary, "new")),
			 (json_int_t)json_array_size(records()));
	ck_assert_int_eq(json_integer_value(json_object_get(g_summary, "failed")),
			 (json_int_t)json_array_size(manifest_errors()));
	ck_assert_int_eq(json_integer_value(json_object_get(g_summary, "changed")), 0);
	ck_assert_int_eq(json_integer_value(json_object_get(g_summary, "unchanged")), 0);
	ck_assert_int_eq(json_integer_value(json_object_get(g_summary, "moved")), 0);
	ck_assert_int_eq(json_integer_value(json_object_get(g_summary, "missing")), 0);
}
END_TEST

START_TEST(test_e2e_export__every_value_as_made)
{
	struct sup_str diff = {0};
	size_t i;
	const json_t *rec;
	int bad = 0;

	need_index();
	ck_assert_str_eq(json_string_value(json_object_get(g_export, "format")), "reel.export");
	ck_assert_int_eq(json_integer_value(json_object_get(g_export, "version")), 1);

	json_array_foreach(records(), i, rec) {
		const char *path = json_string_value(json_object_get(rec, "path"));
		const json_t *item = sup_find_item(g_export, g_root, path);
		int b = 0;
		struct sup_str d = {0};

		if (!item) {
			sup_str_printf(&diff, "%s: not in export\n", path);
			bad++;
			continue;
		}
		b += sup_json_subset(json_object_get(rec, "expect"), item, "record", &d);

		size_t j;
		const json_t *k;
		json_array_foreach(json_object_get(rec, "absent"), j, k) {
			const json_t *v = json_object_get(item, json_string_value(k));
			if (v) {
				char *t = sup_json_text(v);
				sup_str_printf(&d, "  record.%s: expected absent, got %s\n",
					       json_string_value(k), t);
				free(t);
				b++;
			}
		}

		char *file = sup_join(g_archive, path);
		char *sha = sup_sha256sum(file);
		const char *got_sha = json_string_value(json_object_get(item, "sha256"));
		if (!sha || !got_sha || strcmp(sha, got_sha)) {
			sup_str_printf(&d, "  record.sha256: expected %s, got %s\n", sha ? sha : "?",
				       got_sha ? got_sha : "(absent)");
			b++;
		}
		long long size = sup_file_size(file);
		if (!json_is_integer(json_object_get(item, "size")) ||
		    json_integer_value(json_object_get(item, "size")) != size) {
			char *t = sup_json_text(json_object_get(item, "size"));
			sup_str_printf(&d, "  record.size: expected %lld, got %s\n", size, t);
			free(t);
			b++;
		}
		const char *id = json_string_value(json_object_get(item, "id"));
		if (!id || !*id) {
			sup_str_printf(&d, "  record.id: expected a non-empty string\n");
			b++;
		}
		const char *status = json_string_value(json_object_get(item, "status"));
		if (!status || strcmp(status, "ok")) {
			sup_str_printf(&d, "  record.status: expected \"ok\", got %s\n",
				       status ? status : "(absent)");
			b++;
		}
		free(sha);
		free(file);
		if (b) {
			sup_str_printf(&diff, "%s:\n%s", path, sup_str_cstr(&d));
			bad += b;
		}
		sup_str_release(&d);
	}

	size_t n = json_array_size(json_object_get(g_export, "items"));
	if (n != json_array_size(records())) {
		sup_str_printf(&diff, "export has %zu items, expected %zu:", n, json_array_size(records()));
		json_array_foreach(json_object_get(g_export, "items"), i, rec) {
			sup_str_printf(&diff, " %s", json_string_value(json_object_get(rec, "path")));
		}
		sup_str_printf(&diff, "\n");
		bad++;
	}
	if (bad)
		fprintf(stderr, "e2e export mismatches:\n%s", sup_str_cstr(&diff));
	ck_assert_msg(bad == 0, "%d mismatches between export and fixtures:\n%s", bad,
		      sup_str_cstr(&diff));
	sup_str_release(&diff);
}
END_TEST

START_TEST(test_e2e_errors__bad_files_listed_and_not_exported)
{
	struct sup_str diff = {0};
	size_t i;
	const json_t *e;
	int bad = 0;

	need_index();
	ck_assert_msg(g_errors != NULL, "`reel errors --json` printed no JSON");
	json_array_foreach(manifest_errors(), i, e) {
		const char *path = json_string_value(json_object_get(e, "path"));
		const char *stage = json_string_value(json_object_get(e, "stage"));
		const char *msg = json_string_value(json_object_get(e, "message"));
		const json_t *got = sup_find_error(g_errors, g_root, path);

		if (!got) {
			sup_str_printf(&diff, "%s: not in `reel errors`\n", path);
			bad++;
			continue;
		}
		const char *gstage = json_string_value(json_object_get(got, "stage"));
		const char *gmsg = json_string_value(json_object_get(got, "message"));
		if (!gstage || strcmp(gstage, stage)) {
			sup_str_printf(&diff, "%s: stage expected \"%s\", got \"%s\"\n", path, stage,
				       gstage ? gstage : "(absent)");
			bad++;
		}
		if (!gmsg || !*gmsg || !strstr(gmsg, msg)) {
			sup_str_printf(&diff, "%s: message expected to contain \"%s\", got \"%s\"\n",
				       path, msg, gmsg ? gmsg : "(absent)");
			bad++;
		}
		if (!json_is_string(json_object_get(got, "at"))) {
			sup_str_printf(&diff, "%s: no \"at\" time\n", path);
			bad++;
		}
		if (sup_find_item(g_export, NULL, path)) {
			sup_str_printf(&diff, "%s: failed file is in the export\n", path);
			bad++;
		}
	}
	size_t n = json_array_size(json_object_get(g_errors, "errors"));
	if (n != json_array_size(manifest_errors())) {
		sup_str_printf(&diff, "`reel errors` lists %zu files, expected %zu:", n,
			       json_array_size(manifest_errors()));
		json_array_foreach(json_object_get(g_errors, "errors"), i, e) {
			sup_str_printf(&diff, " %s", json_string_value(json_object_get(e, "path")));
		}
		sup_str_printf(&diff, "\n");
		bad++;
	}
	ck_assert_msg(bad == 0, "%d error-list mismatches:\n%s", bad, sup_str_cstr(&diff));
	sup_str_release(&diff);
}
END_TEST

/* The FIFO and the hidden folder appear nowhere: not as records, not as errors. */
START_TEST(test_e2e_walk__fifo_and_hidden_skipped)
{
	size_t i, j;
	const json_t *p, *v;

	need_index();
	ck_assert_msg(g_errors != NULL, "`reel errors --json` printed no JSON");
	const json_t *lists[] = {json_object_get(g_export, "items"), json_object_get(g_errors, "errors")};
	json_array_foreach(json_object_get(g_manifest, "ignored"), i, p) {
		const char *ign = json_string_value(p);
		size_t len = strlen(ign);
		for (size_t l = 0; l < 2; l++) {
			json_array_foreach(lists[l], j, v) {
				const char *path = json_string_value(json_object_get(v, "path"));
				ck_assert_ptr_nonnull(path);
				ck_assert_msg(strncmp(path, ign, len) != 0 ||
						      (path[len] != '\0' && path[len] != '/'),
					      "'%s' must be skipped but %s lists '%s'", ign,
					      l ? "`reel errors`" : "the export", path);
			}
		}
	}
	/* Also no hidden component anywhere. */
	json_array_foreach(lists[0], j, v) {
		const char *path = json_string_value(json_object_get(v, "path"));
		ck_assert_msg(path[0] != '.' && !strstr(path, "/."), "hidden path catalogued: %s", path);
	}
}
END_TEST

static json_t *show(const char *cwd, const char *what)
{
	struct sup_opts o = {.cwd = cwd};
	int st;
	json_t *j = sup_reel_json(&st, &o, g_db, "show", what, "--json", SUP_END);
	if (j && st != 0) {
		fprintf(stderr, "`reel show %s --json` exited %d\n", what, st);
		json_decref(j);
		return NULL;
	}
	return j;
}

/* `reel show` by id, by absolute path, by cwd-relative path and by root-relative
 * path all give the same record, and it is the exported one. */
START_TEST(test_e2e_show__id_and_paths_agree)
{
	size_t i;
	const json_t *rec;
	struct sup_str diff = {0};
	int bad = 0;

	need_index();
	json_array_foreach(records(), i, rec) {
		const char *path = json_string_value(json_object_get(rec, "path"));
		const json_t *item = sup_find_item(g_export, g_root, path);
		if (!item)
			continue; /* reported by test_e2e_export__every_value_as_made */
		const char *id = json_string_value(json_object_get(item, "id"));
		ck_assert_ptr_nonnull(id);
		char *abs = sup_join(g_archive, path);
		char *rel = sup_join("archive", path);
		json_t *by_id = show(g_tmp, id);
		json_t *variants[3] = {show("/", abs), show(g_tmp, rel), show(g_tmp, path)};
		const char *names[3] = {"absolute path", "cwd-relative path", "root-relative path"};

		if (!by_id) {
			sup_str_printf(&diff, "%s: `reel show %s --json` failed\n", path, id);
			bad++;
		} else {
			const char *fields[] = {"id", "path", "root", "sha256", "kind", "size"};
			for (size_t f = 0; f < 6; f++) {
				if (!json_equal(json_object_get(by_id, fields[f]),
						json_object_get(item, fields[f]))) {
					sup_str_printf(&diff, "%s: show-by-id %s differs from export\n",
						       path, fields[f]);
					bad++;
				}
			}
		}
		for (size_t v = 0; v < 3; v++) {
			if (!variants[v] || !by_id || !json_equal(variants[v], by_id)) {
				sup_str_printf(&diff, "%s: show by %s %s show by id\n", path, names[v],
					       variants[v] ? "differs from" : "failed, unlike");
				bad++;
			}
			json_decref(variants[v]);
		}
		json_decref(by_id);
		free(abs);
		free(rel);
	}
	ck_assert_msg(bad == 0, "%d `reel show` mismatches:\n%s", bad, sup_str_cstr(&diff));
	sup_str_release(&diff);
}
END_TEST

START_TEST(test_e2e_search__title_word_finds_file)
{
	size_t i, j;
	const json_t *s, *h;

	need_index();
	json_array_foreach(json_object_get(g_manifest, "search"), i, s) {
		const char *words = json_string_value(json_object_get(s, "words"));
		const char *want = json_string_value(json_object_get(s, "path"));
		int st, found = 0;
		json_t *res = sup_reel_json(&st, NULL, g_db, "search", words, "--json", SUP_END);

		ck_assert_msg(res != NULL, "`reel search %s --json` printed no JSON", words);
		ck_assert_int_eq(st, 0);
		ck_assert_msg(json_integer_value(json_object_get(res, "total")) >= 1,
			      "search '%s' found nothing", words);
		json_array_foreach(json_object_get(res, "hits"), j, h) {
			const char *p = json_string_value(json_object_get(h, "path"));
			if (p && !strcmp(p, want)) {
				found = 1;
				ck_assert_str_eq(json_string_value(json_object_get(h, "root")), g_root);
				ck_assert_str_eq(json_string_value(json_object_get(h, "kind")), "video");
				ck_assert_ptr_nonnull(json_string_value(json_object_get(h, "id")));
				const char *title = json_string_value(json_object_get(h, "title"));
				ck_assert_msg(title && strstr(title, words), "hit title \"%s\" lacks '%s'",
					      title ? title : "(absent)", words);
			}
		}
		ck_assert_msg(found, "search '%s' did not return %s", words, want);
		json_decref(res);
	}
	/* A word that is in no title, tag or path finds nothing. */
	int st;
	json_t *none = sup_reel_json(&st, NULL, g_db, "search", "zyxwvutsrq", "--json", SUP_END);
	ck_assert_ptr_nonnull(none);
	ck_assert_int_eq(json_integer_value(json_object_get(none, "total")), 0);
	ck_assert_int_eq(json_array_size(json_object_get(none, "hits")), 0);
	json_decref(none);
}
END_TEST

START_TEST(test_e2e_cli__usage_error_exits_2)
{
	const char *argv[] = {REEL_BIN, "--db", g_db ? g_db : "/nonexistent/x.db", "index",
			      "--no-such-option", "/nonexistent", NULL};
	struct sup_result r;
	ck_assert_int_eq(sup_run(&r, argv, &(struct sup_opts){.quiet = 1}), 2);
	sup_result_release(&r);
	const char *argv2[] = {REEL_BIN, "no-such-command", NULL};
	ck_assert_int_eq(sup_run(&r, argv2, &(struct sup_opts){.quiet = 1}), 2);
	sup_result_release(&r);
}
END_TEST

static int run_cmd(const char *const argv[], const struct sup_opts *o)
{
	struct sup_result r;
	int st = sup_run(&r, argv, o);
	sup_result_release(&r);
	return st;
}

/*
 * A file that cannot be read is an error at stage "read" with the system's
 * message. Root reads everything, so as root the index runs as "nobody" (65534)
 * over a world-readable copy of the tree, with its own copy of the binary.
 */
START_TEST(test_e2e_errors__unreadable_file)
{
	need_index();
	/* Inside the suite's temp tree, so teardown removes it even after a failure. */
	char *t = sup_join(g_tmp, "perm-test");
	ck_assert_int_eq(mkdir(t, 0755), 0);
	char *arch = sup_join(t, "perm");
	char *dbdir = sup_join(t, "db");
	char *db = sup_join(dbdir, "cat.db");
	char *bin = sup_join(t, "reel");
	char *ok = sup_join(arch, "ok.m4a");
	char *locked = sup_join(arch, "locked.mp3");
	char *src_ok = NULL, *src_locked = NULL;
	int root = sup_is_root();
	struct sup_opts o = {.as_nobody = root, .reel = root ? bin : NULL, .cwd = t};
	size_t i;
	const json_t *rec;
	json_array_foreach(records(), i, rec) {
		const char *p = json_string_value(json_object_get(rec, "path"));
		size_t l = strlen(p);
		if (l > 4 && !strcmp(p + l - 4, ".m4a"))
			src_ok = sup_join(g_archive, p);
		if (l > 4 && !strcmp(p + l - 4, ".mp3"))
			src_locked = sup_join(g_archive, p);
	}
	ck_assert_msg(src_ok && src_locked, "manifest lacks the m4a/mp3 fixtures");
	ck_assert_int_eq(mkdir(arch, 0755), 0);
	ck_assert_int_eq(mkdir(dbdir, 0777), 0);
	chmod(dbdir, 0777);
	const char *cp1[] = {"cp", src_ok, ok, NULL};
	const char *cp2[] = {"cp", src_locked, locked, NULL};
	const char *cp3[] = {"cp", REEL_BIN, bin, NULL};
	ck_assert_int_eq(run_cmd(cp1, NULL), 0);
	ck_assert_int_eq(run_cmd(cp2, NULL), 0);
	ck_assert_int_eq(run_cmd(cp3, NULL), 0);
	chmod(ok, 0644);
	chmod(bin, 0755);
	ck_assert_int_eq(chmod(locked, 0000), 0);

	if (root) {
		const char *probe[] = {"test", "-r", ok, "-a", "-x", bin, "-a", "-w", dbdir, NULL};
		if (run_cmd(probe, &(struct sup_opts){.as_nobody = 1, .quiet = 1}) != 0) {
			printf("test_e2e_errors__unreadable_file: skipped: cannot run as nobody "
			       "(uid 65534) over %s\n", t);
			goto done;
		}
	} else {
		const char *probe[] = {"test", "-r", locked, NULL};
		ck_assert_msg(run_cmd(probe, NULL) != 0, "chmod 000 did not make the file unreadable");
	}

	int st;
	json_t *sum = sup_reel_json(&st, &o, db, "index", "-j", "2", "--json", "--no-thumbs", arch, SUP_END);
	ck_assert_msg(sum != NULL, "index as %s printed no JSON", root ? "nobody" : "user");
	ck_assert_int_eq(st, 1);
	ck_assert_int_eq(json_integer_value(json_object_get(sum, "new")), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(sum, "failed")), 1);
	json_decref(sum);

	json_t *errs = sup_reel_json(&st, &o, db, "errors", "--json", SUP_END);
	ck_assert_ptr_nonnull(errs);
	const json_t *e = sup_find_error(errs, "perm", "locked.mp3");
	ck_assert_msg(e != NULL, "locked.mp3 is not in `reel errors`");
	ck_assert_str_eq(json_string_value(json_object_get(e, "stage")), "read");
	const char *msg = json_string_value(json_object_get(e, "message"));
	ck_assert_msg(msg && strstr(msg, "Permission denied"),
		      "message expected to contain \"Permission denied\", got \"%s\"", msg ? msg : "");
	json_decref(errs);

	json_t *ex = sup_reel_json(&st, &o, db, "export", "--profile", "internal", SUP_END);
	ck_assert_ptr_nonnull(ex);
	ck_assert_msg(sup_find_item(ex, "perm", "ok.m4a") != NULL, "readable file missing from export");
	ck_assert_msg(sup_find_item(ex, "perm", "locked.mp3") == NULL, "unreadable file exported");
	json_decref(ex);
done:
	chmod(locked, 0644);
	sup_rmtree(t);
	free(t);
	free(arch);
	free(dbdir);
	free(db);
	free(bin);
	free(ok);
	free(locked);
	free(src_ok);
	free(src_locked);
}
END_TEST

static Suite *e2e_suite(void)
{
	Suite *s = suite_create("e2e");
	TCase *tc = tcase_create("archive");

	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_e2e_index__exit_status_and_summary);
	tcase_add_test(tc, test_e2e_export__every_value_as_made);
	tcase_add_test(tc, test_e2e_errors__bad_files_listed_and_not_exported);
	tcase_add_test(tc, test_e2e_walk__fifo_and_hidden_skipped);
	tcase_add_test(tc, test_e2e_show__id_and_paths_agree);
	tcase_add_test(tc, test_e2e_search__title_word_finds_file);
	tcase_add_test(tc, test_e2e_cli__usage_error_exits_2);
	tcase_add_test(tc, test_e2e_errors__unreadable_file);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(e2e_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
