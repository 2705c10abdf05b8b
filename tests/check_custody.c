/*
 * check_custody: fixity (`reel verify`) and the custody log (`reel history`).
 *
 * Each case builds its own root of tiny JPEGs (tests/support.c), indexes it
 * with the reel binary, changes files behind reel's back and checks what
 * verify reports, what it records, and the log `reel history --json` prints.
 */
#include <check.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "support.h"

static char *g_tmp;
static int g_case;

static void setup(void)
{
	g_tmp = sup_tmpdir("reel-custody");
}

static void teardown(void)
{
	sup_rmtree(g_tmp);
	free(g_tmp);
}

/* A case's world: T/case-PID-N/root with n JPEGs f0.jpg.., and T/.../cat.db. */
struct world {
	char *dir, *root, *db;
};

static void world_init(struct world *w, unsigned n)
{
	char name[64];

	ck_assert_msg(g_tmp != NULL, "no temporary folder");
	snprintf(name, sizeof(name), "case-%ld-%d", (long)getpid(), g_case++);
	w->dir = sup_join(g_tmp, name);
	w->root = sup_join(w->dir, "root");
	w->db = sup_join(w->dir, "cat.db");
	ck_assert_int_eq(mkdir(w->dir, 0755), 0);
	ck_assert_int_eq(mkdir(w->root, 0755), 0);
	for (unsigned i = 0; i < n; i++) {
		char file[32];
		snprintf(file, sizeof(file), "f%u.jpg", i);
		char *p = sup_join(w->root, file);
		ck_assert_int_eq(sup_write_tiny_jpeg(p, i), 0);
		free(p);
	}
}

static void world_release(struct world *w)
{
	free(w->dir);
	free(w->root);
	free(w->db);
}

static char *in_root(const struct world *w, const char *rel)
{
	return sup_join(w->root, rel);
}

static json_int_t num(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	ck_assert_msg(json_is_integer(v), "no integer '%s' in the output", key);
	return json_integer_value(v);
}

static const char *str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	ck_assert_msg(s != NULL, "no string '%s' in the output", key);
	return s;
}

static json_t *index_root(const struct world *w, int expect_status)
{
	int st;
	struct sup_opts q = {.quiet = 1};
	json_t *s = sup_reel_json(&st, &q, w->db, "index", "-j", "2", "--json", "--no-thumbs",
				  w->root, SUP_END);
	ck_assert_msg(s != NULL, "`reel index --json` printed no JSON");
	ck_assert_int_eq(st, expect_status);
	return s;
}

/* `reel verify --json ARGS...` (up to three); checks the exit status. */
static json_t *verify(const struct world *w, int expect_status, const char *a, const char *b)
{
	int st;
	struct sup_opts q = {.quiet = 1};
	json_t *v = sup_reel_json(&st, &q, w->db, "verify", "--json", "-j", "2", a, b, SUP_END);
	ck_assert_msg(v != NULL, "`reel verify --json` printed no JSON");
	ck_assert_int_eq(st, expect_status);
	return v;
}

static json_t *history(const struct world *w, const char *what)
{
	int st;
	json_t *h = sup_reel_json(&st, NULL, w->db, "history", "--json", what, SUP_END);
	ck_assert_msg(h != NULL, "`reel history --json %s` printed no JSON", what);
	ck_assert_int_eq(st, 0);
	return h;
}

/* The problem verify reported for path, or NULL. */
static const json_t *problem(const json_t *v, const char *path)
{
	size_t i;
	const json_t *p;
	json_array_foreach(json_object_get(v, "problems"), i, p) {
		if (strcmp(str(p, "path"), path) == 0)
			return p;
	}
	return NULL;
}

/* Keeps a file's modification time across an edit, so an index run would
 * not notice it: only a re-hash can. */
static void restore_mtime(const char *path, const struct stat *before)
{
	struct timespec t[2] = {before->st_atim, before->st_mtim};
	ck_assert_int_eq(utimensat(AT_FDCWD, path, t, 0), 0);
}

START_TEST(test_custody_verify__flipped_truncated_deleted)
{
	struct world w;
	struct stat st;

	world_init(&w, 5);
	json_decref(index_root(&w, 0));
	json_t *v0 = verify(&w, 0, NULL, NULL);
	ck_assert_int_eq(num(v0, "ok"), 5);
	ck_assert_int_eq(json_array_size(json_object_get(v0, "problems")), 0);

	/* f1: one byte of the comment flipped, same size, same mtime */
	char *f1 = in_root(&w, "f1.jpg"), *f2 = in_root(&w, "f2.jpg"), *f3 = in_root(&w, "f3.jpg");
	char *sha_before = sup_sha256sum(f1);
	ck_assert_int_eq(stat(f1, &st), 0);
	FILE *f = fopen(f1, "r+b");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fseek(f, 24, SEEK_SET), 0);
	int c = fgetc(f);
	ck_assert_int_eq(fseek(f, 24, SEEK_SET), 0);
	fputc(c ^ 0x01, f);
	ck_assert_int_eq(fclose(f), 0);
	restore_mtime(f1, &st);
	ck_assert_int_eq(sup_file_size(f1), st.st_size);
	char *sha_after = sup_sha256sum(f1);
	ck_assert_str_ne(sha_before, sha_after);

	/* an index run sees f1 as unchanged: only a re-hash can tell */
	json_t *s = index_root(&w, 0);
	ck_assert_int_eq(num(s, "unchanged"), 5);
	ck_assert_int_eq(num(s, "opened"), 0);
	json_decref(s);

	/* f2: truncated to 10 bytes; f3: deleted */
	ck_assert_int_eq(truncate(f2, 10), 0);
	ck_assert_int_eq(unlink(f3), 0);

	json_t *v = verify(&w, 1, NULL, NULL);
	ck_assert_int_eq(num(v, "ok"), 2);
	ck_assert_int_eq(num(v, "altered"), 2);
	ck_assert_int_eq(num(v, "missing"), 1);
	ck_assert_int_eq(num(v, "failed"), 0);
	const json_t *p1 = problem(v, "f1.jpg"), *p2 = problem(v, "f2.jpg"), *p3 = problem(v, "f3.jpg");
	ck_assert_msg(p1 && p2 && p3, "verify did not report f1, f2 and f3");
	ck_assert_str_eq(str(p1, "status"), "altered");
	ck_assert_str_eq(str(p1, "sha256_expected"), sha_before);
	ck_assert_str_eq(str(p1, "sha256"), sha_after);
	ck_assert_int_eq(num(p1, "size"), num(p1, "size_expected"));
	ck_assert_str_eq(str(p2, "status"), "altered");
	ck_assert_int_eq(num(p2, "size"), 10);
	ck_assert_int_eq(num(p2, "size_expected"), st.st_size);
	ck_assert_str_eq(str(p3, "status"), "missing");
	ck_assert_ptr_null(problem(v, "f0.jpg"));

	/* the catalogued hash stays the reference: a second pass says the same */
	json_t *again = verify(&w, 1, NULL, NULL);
	ck_assert_int_eq(num(again, "altered"), 2);
	ck_assert_str_eq(str(problem(again, "f1.jpg"), "sha256_expected"), sha_before);

	/* the log of f1 ends with what verify found */
	json_t *h = history(&w, f1);
	const json_t *events = json_object_get(h, "events");
	const json_t *last = json_array_get(events, json_array_size(events) - 1);
	ck_assert_str_eq(str(last, "event"), "verified_altered");
	ck_assert_str_eq(str(last, "sha256"), sha_after);
	ck_assert_str_eq(str(last, "old_sha256"), sha_before);
	ck_assert_str_eq(str(json_array_get(events, 0), "event"), "first_seen");

	/* a path selects one file; the text output names the problem */
	json_t *one = verify(&w, 1, f2, NULL);
	ck_assert_int_eq(num(one, "altered"), 1);
	ck_assert_int_eq(num(one, "ok") + num(one, "missing"), 0);
	json_t *rel = verify(&w, 1, "f1.jpg", NULL);    /* relative to its root, as `show` takes it */
	ck_assert_int_eq(num(rel, "altered"), 1);
	ck_assert_int_eq(num(rel, "ok") + num(rel, "missing"), 0);
	json_decref(rel);
	struct sup_result r;
	const char *argv[] = {REEL_BIN, "--db", w.db, "verify", f1, NULL};
	struct sup_opts q = {.quiet = 1};
	char line[256];
	snprintf(line, sizeof(line), "altered\troot/f1.jpg\tsize %lld -> %lld, sha256 %s -> %s\n",
		 (long long)st.st_size, (long long)st.st_size, sha_before, sha_after);
	ck_assert_int_eq(sup_run(&r, argv, &q), 1);
	ck_assert_msg(strstr(r.out, line) != NULL, "text output lacks '%s': %s", line, r.out);
	sup_result_release(&r);

	/* rotation: everything was just verified, so nothing is older than a day;
	 * with 0 days every file is due again */
	json_t *rot = verify(&w, 0, "--older-than", "1");
	ck_assert_int_eq(num(rot, "ok") + num(rot, "altered") + num(rot, "missing"), 0);
	json_t *all = verify(&w, 1, "--older-than", "0");
	ck_assert_int_eq(num(all, "ok") + num(all, "altered") + num(all, "missing"), 5);

	json_decref(v0);
	json_decref(v);
	json_decref(again);
	json_decref(h);
	json_decref(one);
	json_decref(rot);
	json_decref(all);
	free(sha_before);
	free(sha_after);
	free(f1);
	free(f2);
	free(f3);
	world_release(&w);
}
END_TEST

/* A file deleted since the last index run: verify itself finds it gone,
 * marks it missing and logs verified_missing. */
START_TEST(test_custody_verify__deleted_marked_missing)
{
	struct world w;
	int st;

	world_init(&w, 2);
	json_decref(index_root(&w, 0));
	char *f0 = in_root(&w, "f0.jpg");
	ck_assert_int_eq(unlink(f0), 0);
	json_t *v = verify(&w, 1, NULL, NULL);
	ck_assert_int_eq(num(v, "missing"), 1);
	ck_assert_int_eq(num(v, "ok"), 1);
	json_t *rec = sup_reel_json(&st, NULL, w.db, "show", "--json", f0, SUP_END);
	ck_assert_ptr_nonnull(rec);
	ck_assert_str_eq(str(rec, "status"), "missing");
	json_t *h = history(&w, f0);
	const json_t *events = json_object_get(h, "events");
	ck_assert_int_eq(json_array_size(events), 2);
	ck_assert_str_eq(str(json_array_get(events, 1), "event"), "verified_missing");
	/* the next index run does not log it missing a second time */
	json_t *s = index_root(&w, 0);
	json_decref(s);
	json_t *h2 = history(&w, f0);
	ck_assert_int_eq(json_array_size(json_object_get(h2, "events")), 2);

	json_decref(v);
	json_decref(rec);
	json_decref(h);
	json_decref(h2);
	free(f0);
	world_release(&w);
}
END_TEST

START_TEST(test_custody_history__move_missing_reappear_verify)
{
	struct world w;

	world_init(&w, 2);
	char *f0 = in_root(&w, "f0.jpg"), *sub = in_root(&w, "sub");
	char *moved = in_root(&w, "sub/renamed.jpg"), *aside = sup_join(w.dir, "aside.jpg");
	char *sha = sup_sha256sum(f0);

	json_decref(index_root(&w, 0));
	ck_assert_int_eq(mkdir(sub, 0755), 0);
	ck_assert_int_eq(rename(f0, moved), 0);
	json_t *s1 = index_root(&w, 0);
	ck_assert_int_eq(num(s1, "moved"), 1);
	ck_assert_int_eq(num(s1, "missing"), 0);
	ck_assert_int_eq(rename(moved, aside), 0);
	json_t *s2 = index_root(&w, 0);
	ck_assert_int_eq(num(s2, "missing"), 1);
	ck_assert_int_eq(rename(aside, moved), 0);
	json_t *s3 = index_root(&w, 0);
	ck_assert_int_eq(num(s3, "reappeared"), 1);
	ck_assert_int_eq(num(s3, "opened"), 0);
	json_t *v = verify(&w, 0, moved, NULL);
	ck_assert_int_eq(num(v, "ok"), 1);

	json_t *h = history(&w, moved);
	static const char *const expect[] = {"first_seen", "moved", "missing", "reappeared",
					     "verified_ok"};
	const json_t *events = json_object_get(h, "events");
	ck_assert_int_eq(json_array_size(events), 5);
	for (size_t i = 0; i < 5; i++) {
		const json_t *e = json_array_get(events, i);
		ck_assert_str_eq(str(e, "event"), expect[i]);
		const char *at = str(e, "at");
		ck_assert_msg(strlen(at) == 24 && at[23] == 'Z', "event time '%s' is not UTC ISO 8601", at);
		if (i > 0)
			ck_assert_msg(strcmp(str(json_array_get(events, i - 1), "at"), at) <= 0,
				      "events out of time order");
		/* index runs name their scan; verify is not a scan */
		ck_assert_int_eq(json_object_get(e, "scan_id") != NULL, i < 4);
	}
	ck_assert_str_eq(str(json_array_get(events, 0), "sha256"), sha);
	ck_assert_str_eq(str(json_array_get(events, 0), "path"), "f0.jpg");
	ck_assert_str_eq(str(json_array_get(events, 1), "old_path"), "f0.jpg");
	ck_assert_str_eq(str(json_array_get(events, 1), "path"), "sub/renamed.jpg");
	ck_assert_str_eq(str(json_array_get(events, 1), "root"), "root");
	ck_assert_str_eq(str(json_array_get(events, 4), "sha256"), sha);

	/* by id, the same log */
	json_t *by_id = history(&w, str(h, "id"));
	ck_assert_msg(json_equal(by_id, h), "history by id and by path differ");

	/* the text form: one line per event, oldest first */
	struct sup_result r;
	const char *argv[] = {REEL_BIN, "--db", w.db, "history", moved, NULL};
	ck_assert_int_eq(sup_run(&r, argv, NULL), 0);
	const char *m = strstr(r.out, "moved"), *mi = strstr(r.out, "missing");
	ck_assert_msg(m && mi && m < mi && strstr(r.out, "root/f0.jpg -> root/sub/renamed.jpg"),
		      "unexpected text history:\n%s", r.out);
	sup_result_release(&r);

	json_decref(s1);
	json_decref(s2);
	json_decref(s3);
	json_decref(v);
	json_decref(h);
	json_decref(by_id);
	free(f0);
	free(sub);
	free(moved);
	free(aside);
	free(sha);
	world_release(&w);
}
END_TEST

/* A new content is logged as changed with both hashes; a file only touched
 * (same content) is re-read but logs nothing. */
START_TEST(test_custody_history__changed_content_only)
{
	struct world w;

	world_init(&w, 1);
	char *f0 = in_root(&w, "f0.jpg");
	char *old_sha = sup_sha256sum(f0);
	json_decref(index_root(&w, 0));

	const char *touch[] = {"touch", "-d", "2022-02-03T04:05:06Z", f0, NULL};
	struct sup_result r;
	ck_assert_int_eq(sup_run(&r, touch, NULL), 0);
	sup_result_release(&r);
	json_t *s1 = index_root(&w, 0);
	ck_assert_int_eq(num(s1, "changed"), 1);
	json_t *h1 = history(&w, f0);
	ck_assert_int_eq(json_array_size(json_object_get(h1, "events")), 1);

	ck_assert_int_eq(sup_write_tiny_jpeg(f0, 4242), 0);
	char *new_sha = sup_sha256sum(f0);
	json_t *s2 = index_root(&w, 0);
	ck_assert_int_eq(num(s2, "changed"), 1);
	json_t *h2 = history(&w, f0);
	const json_t *events = json_object_get(h2, "events");
	ck_assert_int_eq(json_array_size(events), 2);
	const json_t *e = json_array_get(events, 1);
	ck_assert_str_eq(str(e, "event"), "changed");
	ck_assert_str_eq(str(e, "old_sha256"), old_sha);
	ck_assert_str_eq(str(e, "sha256"), new_sha);

	json_decref(s1);
	json_decref(s2);
	json_decref(h1);
	json_decref(h2);
	free(f0);
	free(old_sha);
	free(new_sha);
	world_release(&w);
}
END_TEST

/* Hostile names reach history and verify output escaped, never raw: an ESC
 * sequence, and U+009B (CSI as a UTF-8 C1 control). */
START_TEST(test_custody_output__control_characters_escaped)
{
	struct world w;
	struct sup_result r;
	struct sup_opts q = {.quiet = 1};

	world_init(&w, 1);   /* f0.jpg keeps the root from looking unplugged */
	char *esc = in_root(&w, "evil\033[2J.jpg"), *c1 = in_root(&w, "c1\302\2332J.jpg");
	ck_assert_int_eq(sup_write_tiny_jpeg(esc, 1), 0);
	ck_assert_int_eq(sup_write_tiny_jpeg(c1, 2), 0);
	json_decref(index_root(&w, 0));
	const char *hist[] = {REEL_BIN, "--db", w.db, "history", esc, c1, NULL};
	ck_assert_int_eq(sup_run(&r, hist, NULL), 0);
	ck_assert_msg(strstr(r.out, "root/evil\\x1B[2J.jpg") && strstr(r.out, "root/c1\\u009B2J.jpg"),
		      "names not escaped: %s", r.out);
	ck_assert_ptr_null(strchr(r.out, 0x1B));
	ck_assert_ptr_null(strstr(r.out, "\302\233"));
	sup_result_release(&r);
	ck_assert_int_eq(unlink(esc), 0);
	ck_assert_int_eq(unlink(c1), 0);
	const char *ver[] = {REEL_BIN, "--db", w.db, "verify", NULL};
	ck_assert_int_eq(sup_run(&r, ver, &q), 1);
	ck_assert_msg(strstr(r.out, "missing\troot/evil\\x1B[2J.jpg\n")
		      && strstr(r.out, "missing\troot/c1\\u009B2J.jpg\n"), "names not escaped: %s", r.out);
	ck_assert_ptr_null(strchr(r.out, 0x1B));
	sup_result_release(&r);
	free(esc);
	free(c1);
	world_release(&w);
}
END_TEST

/* The log refuses to be rewritten, even by a tool other than reel. */
START_TEST(test_custody_log__append_only)
{
	struct world w;
	sqlite3 *db = NULL;
	char *msg = NULL;

	world_init(&w, 1);
	json_decref(index_root(&w, 0));
	ck_assert_int_eq(sqlite3_open(w.db, &db), SQLITE_OK);
	ck_assert_int_ne(sqlite3_exec(db, "UPDATE custody SET event = 'verified_ok'", NULL, NULL, &msg),
			 SQLITE_OK);
	ck_assert_msg(msg && strstr(msg, "append-only"), "unexpected message: %s", msg ? msg : "");
	sqlite3_free(msg);
	msg = NULL;
	ck_assert_int_ne(sqlite3_exec(db, "DELETE FROM custody", NULL, NULL, &msg), SQLITE_OK);
	ck_assert_msg(msg && strstr(msg, "append-only"), "unexpected message: %s", msg ? msg : "");
	sqlite3_free(msg);
	sqlite3_close(db);
	world_release(&w);
}
END_TEST

/* An empty root (an unplugged drive's mount point) is not a deletion. */
START_TEST(test_custody_verify__unavailable_root_not_missing)
{
	struct world w;
	int st;

	world_init(&w, 3);
	json_decref(index_root(&w, 0));
	char *hidden = sup_join(w.dir, "unplugged");
	ck_assert_int_eq(rename(w.root, hidden), 0);
	ck_assert_int_eq(mkdir(w.root, 0755), 0);
	json_t *v = verify(&w, 1, NULL, NULL);
	ck_assert_int_eq(num(v, "unavailable"), 3);
	ck_assert_int_eq(num(v, "missing"), 0);
	json_t *ex = sup_reel_json(&st, NULL, w.db, "export", "--profile", "internal", SUP_END);
	ck_assert_ptr_nonnull(ex);
	size_t i;
	const json_t *it;
	json_array_foreach(json_object_get(ex, "items"), i, it) {
		ck_assert_str_eq(str(it, "status"), "ok");
	}
	ck_assert_int_eq(json_array_size(json_object_get(ex, "items")), 3);
	json_decref(v);
	json_decref(ex);
	free(hidden);
	world_release(&w);
}
END_TEST

/* verify writes the catalogue: it waits for no index run, it refuses. */
START_TEST(test_custody_verify__refused_while_locked)
{
	struct world w;
	struct sup_result r;
	struct sup_opts q = {.quiet = 1};

	world_init(&w, 1);
	json_decref(index_root(&w, 0));
	char lock[4096];
	snprintf(lock, sizeof(lock), "%s-lock", w.db);
	int fd = open(lock, O_RDWR | O_CREAT, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(flock(fd, LOCK_EX), 0);
	const char *argv[] = {REEL_BIN, "--db", w.db, "verify", NULL};
	ck_assert_int_eq(sup_run(&r, argv, &q), 3);
	sup_result_release(&r);
	close(fd);
	ck_assert_int_eq(sup_run(&r, argv, &q), 0);
	sup_result_release(&r);
	world_release(&w);
}
END_TEST

static Suite *custody_suite(void)
{
	Suite *s = suite_create("custody");
	TCase *tc = tcase_create("fixity");

	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_custody_verify__flipped_truncated_deleted);
	tcase_add_test(tc, test_custody_verify__deleted_marked_missing);
	tcase_add_test(tc, test_custody_history__move_missing_reappear_verify);
	tcase_add_test(tc, test_custody_history__changed_content_only);
	tcase_add_test(tc, test_custody_log__append_only);
	tcase_add_test(tc, test_custody_output__control_characters_escaped);
	tcase_add_test(tc, test_custody_verify__unavailable_root_not_missing);
	tcase_add_test(tc, test_custody_verify__refused_while_locked);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(custody_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
