/*
 * check_reliability: a worker that crashes, is killed, hangs or runs out of
 * memory costs only its file; `reel index` killed with SIGKILL at any moment
 * leaves an intact catalogue that the next run completes without reading
 * again what was committed.
 *
 * Faults are injected with reel-worker-hooked, a build of reel-worker that
 * obeys REEL_TEST_FAULT (indexer/worker.c, REEL_TEST_HOOKS; the shipped
 * reel-worker has no such code), which reel runs when REEL_WORKER names it. Media are tiny JPEGs (tests/support.c), so runs are quick.
 */
#include <check.h>
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "support.h"

static char *g_tmp;
static int g_case;

static void setup(void)
{
	g_tmp = sup_tmpdir("reel-reliab");
}

static void teardown(void)
{
	sup_rmtree(g_tmp);
	free(g_tmp);
}

struct world {
	char *dir, *root, *db;
};

/* A root holding one tiny JPEG per name (NULL-terminated), in folder sub/. */
static void world_init(struct world *w, const char *const *names)
{
	char name[64];

	ck_assert_msg(g_tmp != NULL, "no temporary folder");
	snprintf(name, sizeof(name), "case-%ld-%d", (long)getpid(), g_case++);
	w->dir = sup_join(g_tmp, name);
	w->root = sup_join(w->dir, "root");
	w->db = sup_join(w->dir, "cat.db");
	ck_assert_int_eq(mkdir(w->dir, 0755), 0);
	ck_assert_int_eq(mkdir(w->root, 0755), 0);
	for (unsigned i = 0; names && names[i]; i++) {
		char *p = sup_join(w->root, names[i]);
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

static json_int_t num(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	ck_assert_msg(json_is_integer(v), "no integer '%s' in the output", key);
	return json_integer_value(v);
}

/* The entry for path in `reel errors --json`'s output; fails the test when absent. */
static const json_t *error_of(const json_t *doc, const char *path)
{
	const json_t *e = sup_find_error(doc, "root", path);
	ck_assert_msg(e != NULL, "no recorded error for '%s'", path);
	return e;
}

static void assert_error(const json_t *doc, const char *path, const char *stage,
			 const char *needle)
{
	const json_t *e = error_of(doc, path);
	const char *st = json_string_value(json_object_get(e, "stage"));
	const char *msg = json_string_value(json_object_get(e, "message"));
	ck_assert_msg(st && strcmp(st, stage) == 0, "'%s': stage '%s', expected '%s'", path,
		      st ? st : "(none)", stage);
	ck_assert_msg(msg && strstr(msg, needle), "'%s': message '%s' lacks '%s'", path,
		      msg ? msg : "(none)", needle);
}

START_TEST(test_reliability_pool__segv_sigkill_hang_recorded)
{
	static const char *const names[] = {
		"a-ok.jpg", "b-segv.jpg", "c-ok.jpg", "d-kill.jpg", "e-hang.jpg", "f-ok.jpg", NULL,
	};
	static const char *const env[] = {
		"REEL_TEST_FAULT=segv:b-segv,kill:d-kill,hang:e-hang",
		"REEL_WORKER=" REEL_HOOKED_WORKER, NULL,
	};
	struct world w;
	struct sup_opts o = {.env = env, .reel = REEL_BIN, .quiet = 1};
	int st;

	world_init(&w, names);
	/* --timeout 0.2: the writer's hard limit is 2 x 0.2 + 10 s */
	json_t *s = sup_reel_json(&st, &o, w.db, "index", "-j", "2", "--timeout", "0.2", "--json",
				  "--no-thumbs", w.root, SUP_END);
	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(st, 1);
	ck_assert_int_eq(num(s, "new"), 3);
	ck_assert_int_eq(num(s, "failed"), 3);
	ck_assert_int_eq(num(s, "opened"), 6);

	json_t *doc = sup_reel_json(&st, NULL, w.db, "errors", "--json", SUP_END);
	ck_assert_ptr_nonnull(doc);
	assert_error(doc, "b-segv.jpg", "crash", "signal 11 (Segmentation fault) while reading");
	assert_error(doc, "d-kill.jpg", "crash", "signal 9 (Killed) while reading");
	assert_error(doc, "e-hang.jpg", "timeout", "time limit");
	ck_assert_int_eq(json_array_size(json_object_get(doc, "errors")), 3);

	json_t *ex = sup_reel_json(&st, NULL, w.db, "export", "--profile", "internal", SUP_END);
	ck_assert_ptr_nonnull(ex);
	ck_assert_int_eq(json_array_size(json_object_get(ex, "items")), 3);
	ck_assert_ptr_nonnull(sup_find_item(ex, "root", "a-ok.jpg"));
	ck_assert_ptr_nonnull(sup_find_item(ex, "root", "f-ok.jpg"));

	/* the failing files are unchanged: the next run does not try them again */
	json_t *s2 = sup_reel_json(&st, &o, w.db, "index", "-j", "2", "--json", "--no-thumbs",
				   w.root, SUP_END);
	ck_assert_ptr_nonnull(s2);
	ck_assert_int_eq(num(s2, "opened"), 0);
	ck_assert_int_eq(num(s2, "failed"), 3);
	ck_assert_int_eq(num(s2, "unchanged"), 3);

	json_decref(s);
	json_decref(s2);
	json_decref(doc);
	json_decref(ex);
	world_release(&w);
}
END_TEST

#if !defined(__SANITIZE_ADDRESS__)
/* AddressSanitizer builds cannot cap the address space (indexer/pool.c), so
 * this case exists only in normal builds. */
START_TEST(test_reliability_pool__memory_limit_recorded)
{
	static const char *const names[] = {"a-ok.jpg", "b-hog.jpg", NULL};
	static const char *const env[] = {"REEL_TEST_FAULT=hog:b-hog",
					  "REEL_WORKER=" REEL_HOOKED_WORKER, NULL};
	struct world w;
	struct sup_opts o = {.env = env, .reel = REEL_BIN, .quiet = 1};
	int st;

	world_init(&w, names);
	json_t *s = sup_reel_json(&st, &o, w.db, "index", "-j", "1", "--memory-limit", "512",
				  "--json", "--no-thumbs", w.root, SUP_END);
	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(st, 1);
	ck_assert_int_eq(num(s, "new"), 1);
	ck_assert_int_eq(num(s, "failed"), 1);
	json_t *doc = sup_reel_json(&st, NULL, w.db, "errors", "--json", SUP_END);
	ck_assert_ptr_nonnull(doc);
	assert_error(doc, "b-hog.jpg", "crash",
		     "signal 6 (Aborted) while reading this file, possibly the memory limit (512 MB");
	json_decref(s);
	json_decref(doc);
	world_release(&w);
}
END_TEST
#endif

static long long count_media(const char *db_path, char *integrity, size_t cap)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	long long n = -1;

	integrity[0] = 0;
	if (access(db_path, F_OK) != 0)
		return 0;     /* killed before the catalogue was created */
	ck_assert_int_eq(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	snprintf(integrity, cap, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	/* killed before the first migration committed: no table yet */
	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM media WHERE status = 'ok'", -1, &st, NULL)
	    == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	else
		n = 0;
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

/* `opened` of the last index run that completed. */
static long long last_scan_opened(const char *db_path)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	long long n = -1;

	ck_assert_int_eq(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	if (sqlite3_prepare_v2(db, "SELECT opened FROM scans WHERE finished_at IS NOT NULL"
				   " ORDER BY id DESC LIMIT 1", -1, &st, NULL) == SQLITE_OK
	    && sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

static pid_t spawn_index(const struct world *w)
{
	pid_t pid;
	fflush(NULL);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);
		dup2(null, 1);
		dup2(null, 2);
		/* every file costs a worker 20 ms, so a run spans several batches */
		setenv("REEL_TEST_FAULT", "slow:.jpg", 1);
		setenv("REEL_WORKER", REEL_HOOKED_WORKER, 1);
		execl(REEL_BIN, REEL_BIN, "--db", w->db, "index", "-j", "2",
		      "--no-thumbs", w->root, (char *)NULL);
		_exit(127);
	}
	return pid;
}

#define KILL_FILES 300

START_TEST(test_reliability_kill9__loop_intact_resumable)
{
	struct world w;
	long long committed = 0;
	int finished = 0, exported = 0, st;
	unsigned seed = (unsigned)time(NULL) ^ (unsigned)getpid();
	struct sup_str log = {0};

	world_init(&w, NULL);
	char *sub = sup_join(w.root, "sub");
	ck_assert_int_eq(mkdir(sub, 0755), 0);
	for (unsigned i = 0; i < KILL_FILES; i++) {
		char name[32];
		snprintf(name, sizeof(name), "%s/%04u.jpg", i % 2 ? "sub" : ".", i);
		char *p = sup_join(w.root, name);
		ck_assert_int_eq(sup_write_tiny_jpeg(p, i), 0);
		free(p);
	}
	srand(seed);
	sup_str_printf(&log, "seed %u; kills after ms:", seed);
	for (int round = 0; round < 12 && !finished; round++) {
		/* first rounds die early (migrations, walk), later ones mid-batch;
		 * a whole run takes over 3 s (300 files x 20 ms / 2 workers), and
		 * the writer commits a batch every second */
		int ms = round < 3 ? rand() % 60 : 300 + rand() % 2700;
		char integrity[256];
		pid_t pid = spawn_index(&w);
		struct timespec t = {ms / 1000, (long)(ms % 1000) * 1000000};

		if (round == 4) {
			/* readers are not blocked by the writer (WAL) */
			struct timespec pause = {0, 300000000};
			nanosleep(&pause, NULL);
			json_t *ex = sup_reel_json(&st, NULL, w.db, "export", "--profile", "internal", SUP_END);
			ck_assert_msg(ex != NULL && st == 0, "export failed while index ran");
			json_decref(ex);
			exported = 1;
		}
		nanosleep(&t, NULL);
		sup_str_printf(&log, " %d", ms);
		if (waitpid(pid, &st, WNOHANG) == pid) {
			finished = WIFEXITED(st) && WEXITSTATUS(st) == 0;
			ck_assert_msg(finished, "index run failed on its own (%s)", log.s);
		} else {
			kill(pid, SIGKILL);
			ck_assert_int_eq(waitpid(pid, &st, 0), pid);
		}
		long long n = count_media(w.db, integrity, sizeof(integrity));
		ck_assert_msg(integrity[0] == 0 || strcmp(integrity, "ok") == 0,
			      "integrity_check: %s (%s)", integrity, log.s);
		ck_assert_msg(n >= committed, "committed files went from %lld to %lld (%s)", committed,
			      n, log.s);
		if (finished) {
			/* it completed on its own: it opened only what was left */
			ck_assert_msg(last_scan_opened(w.db) == KILL_FILES - committed,
				      "opened %lld files, %lld were left (%s)", last_scan_opened(w.db),
				      KILL_FILES - committed, log.s);
			ck_assert_int_eq(n, KILL_FILES);
		}
		if (!finished)
			committed = n;
	}
	ck_assert_msg(exported, "no export ran during an index run (%s)", log.s);
	ck_assert_msg(committed > 0, "no kill left committed files to resume from (%s)", log.s);

	/* a plain run completes the catalogue, opening only what was never committed */
	json_t *s = sup_reel_json(&st, NULL, w.db, "index", "-j", "2", "--json", "--no-thumbs",
				  w.root, SUP_END);
	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(st, 0);
	if (!finished) {
		ck_assert_msg(num(s, "opened") == KILL_FILES - committed,
			      "opened %lld files, %lld were left (%s)", (long long)num(s, "opened"),
			      KILL_FILES - committed, log.s);
		ck_assert_int_eq(num(s, "new"), KILL_FILES - committed);
	}
	ck_assert_int_eq(num(s, "failed"), 0);
	char integrity[256];
	ck_assert_int_eq(count_media(w.db, integrity, sizeof(integrity)), KILL_FILES);
	ck_assert_str_eq(integrity, "ok");
	fprintf(stderr, "kill -9 loop: %s; %lld of %d committed before the run that completed\n",
		log.s, committed, KILL_FILES);

	json_decref(s);
	sup_str_release(&log);
	free(sub);
	world_release(&w);
}
END_TEST

static Suite *reliability_suite(void)
{
	Suite *s = suite_create("reliability");
	TCase *tc = tcase_create("faults");

	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 240);
	tcase_add_test(tc, test_reliability_pool__segv_sigkill_hang_recorded);
#if !defined(__SANITIZE_ADDRESS__)
	tcase_add_test(tc, test_reliability_pool__memory_limit_recorded);
#endif
	tcase_add_test(tc, test_reliability_kill9__loop_intact_resumable);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(reliability_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
