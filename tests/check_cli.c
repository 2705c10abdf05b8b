/* check_cli.c - the command line as data: arguments in, exit status and a
 * fragment of the output expected. Each case runs `sh -c` so stderr can be
 * checked too (2>&1). */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "support.h"

static char *tmp;

static void setup(void)
{
    char cmd[1024];
    tmp = sup_tmpdir("reel-cli");
    ck_assert_ptr_nonnull(tmp);
    /* a one-photo archive, including a name with a terminal escape sequence */
    snprintf(cmd, sizeof cmd,
             "mkdir -p '%s/arch' && ffmpeg -nostdin -v error -f lavfi -i testsrc2=size=64x48 "
             "-frames:v 1 '%s/arch/still.jpg' && cp '%s/arch/still.jpg' \"%s/arch/evil$(printf '\\033')[2J.jpg\"",
             tmp, tmp, tmp, tmp);
    ck_assert_int_eq(system(cmd), 0);
}

static void teardown(void)
{
    sup_rmtree(tmp);
    free(tmp);
}

/* Runs a shell line with $R (reel), $T (temp folder) and $DB set. */
static int sh(const char *line, char **out)
{
    struct sup_result res;
    char env_r[512], env_t[512], env_db[512];
    const char *env[] = {env_r, env_t, env_db, NULL};
    const char *argv[] = {"sh", "-c", line, NULL};
    struct sup_opts o = {.env = env, .cwd = tmp};
    snprintf(env_r, sizeof env_r, "R=%s", REEL_BIN);
    snprintf(env_t, sizeof env_t, "T=%s", tmp);
    snprintf(env_db, sizeof env_db, "DB=%s/cat.db", tmp);
    sup_run(&res, argv, &o);
    *out = res.out;
    return res.status;
}

typedef struct cli_case {
    const char *line;
    int status;
    const char *fragment;     /* must appear in stdout+stderr */
} cli_case;

static const cli_case cases[] = {
    {"$R 2>&1", 2, "usage: reel"},
    {"$R --help 2>&1", 0, "commands:"},
    {"$R frobnicate 2>&1", 2, "'frobnicate' is not a reel command"},
    {"$R --db 2>&1", 2, "needs a path"},
    {"$R --db $DB index 2>&1", 2, "name at least one folder"},
    {"$R --db $DB index -j 0 arch 2>&1", 2, "-j wants a number"},
    {"$R --db $DB index --bogus arch 2>&1", 2, "try 'reel index --help'"},
    {"$R --db $DB search 2>&1", 2, "give the words"},
    {"$R --db $DB show 2>&1", 2, "name a record"},
    {"$R --db $DB export extra 2>&1", 2, "unexpected argument"},
    /* --db before or after the command, or REEL_DB */
    {"$R --db $DB index arch >/dev/null && $R errors --json --db $DB", 0, "{\"errors\":[]}"},
    {"$R index arch --db=$DB >/dev/null; REEL_DB=$DB $R search --json still", 0, "\"total\":1"},
    {"$R --db $DB index arch >/dev/null; $R --db $DB search '\"unbalanced' 2>&1", 2,
     "bad search query"},
    {"$R --db $DB index arch >/dev/null; $R --db $DB show no/such/file.mp4 2>&1", 1,
     "no record for 'no/such/file.mp4'"},
    {"$R --db $DB index arch /nonexistent/reel-root 2>&1", 1,
     "cannot read root '/nonexistent/reel-root'"},
    {"$R --db $DB index --json arch", 0, "\"new\":2"},
    {"$R --db $DB index arch >/dev/null; $R --db $DB index arch", 0,
     "0 new, 0 changed, 2 unchanged"},
    {"$R --version", 0, "reel "},
    /* the front end starts reel-worker to read files; without it, a clear refusal */
    {"REEL_WORKER=/nonexistent/reel-worker $R --db $DB index arch 2>&1", 3,
     "the program reel-worker was not found"},
    /* ... which costs nothing when there is nothing to read */
    {"$R --db $DB index arch >/dev/null; REEL_WORKER=/nonexistent $R --db $DB index arch", 0,
     "2 unchanged"},
};

START_TEST(test_cli_table__cases)
{
    char *out = NULL;
    const cli_case *k = &cases[_i];
    int status = sh(k->line, &out);
    ck_assert_msg(status == k->status, "'%s': status %d, want %d; output:\n%s", k->line, status,
                  k->status, out);
    ck_assert_msg(strstr(out, k->fragment), "'%s': output lacks '%s':\n%s", k->line, k->fragment, out);
    free(out);
}
END_TEST

/* Hostile names never reach the terminal raw: every text view escapes them. */
START_TEST(test_cli_output__control_characters_escaped)
{
    char *out = NULL;
    int status = sh("$R --db $DB index arch >/dev/null; $R --db $DB search evil; "
                    "$R --db $DB show \"arch/evil$(printf '\\033')[2J.jpg\"", &out);
    ck_assert_int_eq(status, 0);
    ck_assert_ptr_null(strchr(out, '\033'));
    ck_assert_ptr_nonnull(strstr(out, "evil\\x1B[2J.jpg"));
    free(out);
}
END_TEST

/* A second writer is refused at once with a clear message. */
START_TEST(test_cli_index__second_writer_refused)
{
    char lock[512], *out = NULL;
    int fd, status;
    snprintf(lock, sizeof lock, "%s/cat.db-lock", tmp);
    fd = open(lock, O_RDWR | O_CREAT, 0644);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(flock(fd, LOCK_EX), 0);
    status = sh("$R --db $DB index arch 2>&1", &out);
    ck_assert_int_eq(status, 3);
    ck_assert_ptr_nonnull(strstr(out, "another 'reel index' is writing"));
    free(out);
    close(fd);
    status = sh("$R --db $DB index arch 2>&1", &out);
    ck_assert_int_eq(status, 0);
    free(out);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cli");
    TCase *tc = tcase_create("cli");
    SRunner *sr;
    int failed;

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, test_cli_table__cases, 0, (int)(sizeof cases / sizeof *cases));
    tcase_add_test(tc, test_cli_output__control_characters_escaped);
    tcase_add_test(tc, test_cli_index__second_writer_refused);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
