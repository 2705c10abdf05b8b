/* support.c: see support.h. */
#include "support.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NOBODY 65534

void sup_str_printf(struct sup_str *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (b->len + (size_t)n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->len + (size_t)n + 1)
			cap *= 2;
		char *s = realloc(b->s, cap);
		if (!s)
			abort();
		b->s = s;
		b->cap = cap;
	}
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void sup_str_append(struct sup_str *b, const void *data, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *s = realloc(b->s, cap);
		if (!s)
			abort();
		b->s = s;
		b->cap = cap;
	}
	memcpy(b->s + b->len, data, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void sup_str_release(struct sup_str *b)
{
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
}

const char *sup_str_cstr(const struct sup_str *b)
{
	return b->s ? b->s : "";
}

char *sup_join(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *s = malloc(la + lb + 2);
	if (!s)
		abort();
	memcpy(s, a, la);
	s[la] = '/';
	memcpy(s + la + 1, b, lb + 1);
	return s;
}

static void child_exec(const char *const argv[], const struct sup_opts *o, int outfd)
{
	if (dup2(outfd, STDOUT_FILENO) < 0)
		_exit(127);
	close(outfd);
	int devnull = open("/dev/null", O_RDWR);
	if (devnull >= 0) {
		dup2(devnull, STDIN_FILENO);
		if (o->quiet)
			dup2(devnull, STDERR_FILENO);
		close(devnull);
	}
	if (o->cwd && chdir(o->cwd) < 0) {
		fprintf(stderr, "cannot chdir to '%s': %s\n", o->cwd, strerror(errno));
		_exit(127);
	}
	for (const char *const *e = o->env; e && *e; e++)
		putenv((char *)*e);
	if (o->as_nobody) {
		if (setgroups(0, NULL) < 0 || setgid(NOBODY) < 0 || setuid(NOBODY) < 0) {
			fprintf(stderr, "cannot drop privileges: %s\n", strerror(errno));
			_exit(127);
		}
	}
	execvp(argv[0], (char *const *)argv);
	fprintf(stderr, "cannot run '%s': %s\n", argv[0], strerror(errno));
	_exit(127);
}

int sup_run(struct sup_result *res, const char *const argv[], const struct sup_opts *opts)
{
	static const struct sup_opts none = {0};
	const struct sup_opts *o = opts ? opts : &none;
	int fds[2];
	struct sup_str out = {0};
	int timeout = o->timeout > 0 ? o->timeout : 100;

	res->out = NULL;
	res->len = 0;
	res->status = -1;
	fflush(NULL);
	if (pipe(fds) < 0)
		goto done;
	pid_t pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		goto done;
	}
	if (pid == 0) {
		close(fds[0]);
		child_exec(argv, o, fds[1]);
	}
	close(fds[1]);

	time_t deadline = time(NULL) + timeout;
	int timed_out = 0;
	for (;;) {
		struct pollfd p = {fds[0], POLLIN, 0};
		int r = poll(&p, 1, 200);
		if (r < 0 && errno != EINTR)
			break;
		if (r > 0) {
			char buf[65536];
			ssize_t n = read(fds[0], buf, sizeof(buf));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			sup_str_append(&out, buf, (size_t)n);
		}
		if (time(NULL) > deadline) {
			kill(pid, SIGKILL);
			timed_out = 1;
			break;
		}
	}
	close(fds[0]);
	int st = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (timed_out) {
		fprintf(stderr, "command '%s' timed out after %d s\n", argv[0], timeout);
		res->status = -2;
	} else if (WIFEXITED(st)) {
		res->status = WEXITSTATUS(st);
	} else {
		fprintf(stderr, "command '%s' killed by signal %d\n", argv[0],
			WIFSIGNALED(st) ? WTERMSIG(st) : 0);
	}
done:
	res->out = out.s ? out.s : strdup("");
	res->len = out.len;
	return res->status;
}

void sup_result_release(struct sup_result *res)
{
	free(res->out);
	res->out = NULL;
	res->len = 0;
}

char *sup_tmpdir(const char *prefix)
{
	const char *base = getenv("TMPDIR");
	struct sup_str t = {0};
	sup_str_printf(&t, "%s/%s-XXXXXX", base && *base ? base : "/tmp", prefix);
	if (!mkdtemp(t.s)) {
		fprintf(stderr, "mkdtemp '%s': %s\n", t.s, strerror(errno));
		sup_str_release(&t);
		return NULL;
	}
	chmod(t.s, 0755);
	return t.s;
}

static int unlock_entry(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)ftw;
	if (type == FTW_D || type == FTW_DNR)
		chmod(path, 0755);
	else if (type == FTW_F && (sb->st_mode & 0600) != 0600)
		chmod(path, 0644);
	return 0;
}

static int remove_entry(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb;
	(void)type;
	(void)ftw;
	remove(path);
	return 0;
}

void sup_rmtree(const char *path)
{
	if (!path)
		return;
	if (getenv("REEL_KEEP_TMP")) {
		fprintf(stderr, "keeping %s\n", path);
		return;
	}
	chmod(path, 0755);
	nftw(path, unlock_entry, 16, FTW_PHYS);
	nftw(path, remove_entry, 16, FTW_PHYS | FTW_DEPTH);
}

json_t *sup_make_archive(const char *dir)
{
	char *archive = sup_join(dir, "archive");
	char *manifest = sup_join(dir, "expected.json");
	const char *argv[] = {"bash", REEL_SOURCE_DIR "/tests/fixtures/make-archive.sh", archive, NULL};
	const char *env[] = {"EXIF_WRITE=" REEL_EXIF_WRITE_BIN, NULL};
	struct sup_opts o = {.env = env, .timeout = 120};
	struct sup_result r;
	json_t *m = NULL;
	json_error_t err;

	if (sup_run(&r, argv, &o) != 0) {
		fprintf(stderr, "make-archive.sh failed with status %d\n", r.status);
		goto done;
	}
	m = json_load_file(manifest, 0, &err);
	if (!m)
		fprintf(stderr, "cannot load '%s': %s (line %d)\n", manifest, err.text, err.line);
done:
	sup_result_release(&r);
	free(archive);
	free(manifest);
	return m;
}

json_t *sup_reel_jsonv(int *status, const struct sup_opts *opts, const char *db, va_list ap)
{
	const char *argv[64];
	size_t n = 0;
	struct sup_result r;
	json_error_t err;
	json_t *j;

	argv[n++] = opts && opts->reel ? opts->reel : REEL_BIN;
	argv[n++] = "--db";
	argv[n++] = db;
	for (const char *a = va_arg(ap, const char *); a && n < 63; a = va_arg(ap, const char *))
		argv[n++] = a;
	argv[n] = NULL;
	*status = sup_run(&r, argv, opts);
	j = json_loadb(r.out, r.len, 0, &err);
	if (!j) {
		struct sup_str cmd = {0};
		for (size_t i = 0; i < n; i++)
			sup_str_printf(&cmd, "%s%s", i ? " " : "", argv[i]);
		fprintf(stderr, "`%s` (status %d) did not print JSON: %s\n--- stdout ---\n%.2000s\n---\n",
			sup_str_cstr(&cmd), *status, err.text, r.out);
		sup_str_release(&cmd);
	}
	sup_result_release(&r);
	return j;
}

json_t *sup_reel_json(int *status, const struct sup_opts *opts, const char *db, ...)
{
	va_list ap;
	va_start(ap, db);
	json_t *j = sup_reel_jsonv(status, opts, db, ap);
	va_end(ap);
	return j;
}

static const json_t *find_in(const json_t *arr, const char *root, const char *path)
{
	size_t i;
	const json_t *v;

	json_array_foreach(arr, i, v) {
		const char *p = json_string_value(json_object_get(v, "path"));
		const char *r = json_string_value(json_object_get(v, "root"));
		if (p && !strcmp(p, path) && (!root || (r && !strcmp(r, root))))
			return v;
	}
	return NULL;
}

const json_t *sup_find_item(const json_t *export_, const char *root, const char *path)
{
	return find_in(json_object_get(export_, "items"), root, path);
}

const json_t *sup_find_error(const json_t *errors, const char *root, const char *path)
{
	return find_in(json_object_get(errors, "errors"), root, path);
}

char *sup_sha256sum(const char *path)
{
	const char *argv[] = {"sha256sum", "--", path, NULL};
	struct sup_result r;
	char *hex = NULL;

	if (sup_run(&r, argv, NULL) == 0 && r.len >= 64) {
		hex = strndup(r.out, 64);
	}
	sup_result_release(&r);
	return hex;
}

long long sup_file_size(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

double sup_json_number(const json_t *v)
{
	if (json_is_integer(v))
		return (double)json_integer_value(v);
	if (json_is_real(v))
		return json_real_value(v);
	return NAN;
}

char *sup_json_text(const json_t *v)
{
	if (!v)
		return strdup("(absent)");
	char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(10));
	return s ? s : strdup("(unprintable)");
}

double sup_tolerance(const char *key)
{
	if (!key)
		return 0;
	if (!strcmp(key, "duration"))
		return 0.1;
	if (!strcmp(key, "start") || !strcmp(key, "end") || !strcmp(key, "fps"))
		return 0.01;
	if (!strcmp(key, "lat") || !strcmp(key, "lon"))
		return 1e-4;
	return 0;
}

static void mismatch(struct sup_str *diff, const char *where, const json_t *e, const json_t *g)
{
	char *es = sup_json_text(e), *gs = sup_json_text(g);
	sup_str_printf(diff, "  %s: expected %s, got %s\n", where, es, gs);
	free(es);
	free(gs);
}

static int subset(const json_t *e, const json_t *g, const char *key, const char *where,
		  struct sup_str *diff)
{
	int bad = 0;

	if (json_is_object(e)) {
		const char *k;
		const json_t *ev;
		if (!json_is_object(g)) {
			mismatch(diff, where, e, g);
			return 1;
		}
		json_object_foreach((json_t *)e, k, ev) {
			struct sup_str w = {0};
			sup_str_printf(&w, "%s.%s", where, k);
			bad += subset(ev, json_object_get(g, k), k, w.s, diff);
			sup_str_release(&w);
		}
		return bad;
	}
	if (json_is_array(e)) {
		size_t i;
		const json_t *ev;
		if (!json_is_array(g) || json_array_size(g) != json_array_size(e)) {
			sup_str_printf(diff, "  %s: expected %zu elements, got %s\n", where,
				       json_array_size(e),
				       json_is_array(g) ? "a different count" : "no array");
			if (json_is_array(g)) {
				mismatch(diff, where, e, g);
			}
			return 1;
		}
		json_array_foreach(e, i, ev) {
			struct sup_str w = {0};
			sup_str_printf(&w, "%s[%zu]", where, i);
			bad += subset(ev, json_array_get(g, i), key, w.s, diff);
			sup_str_release(&w);
		}
		return bad;
	}
	if (json_is_number(e)) {
		double ev = sup_json_number(e), gv = sup_json_number(g);
		if (!json_is_number(g) || fabs(ev - gv) > sup_tolerance(key) + 1e-9) {
			mismatch(diff, where, e, g);
			return 1;
		}
		return 0;
	}
	if (!json_equal((json_t *)e, (json_t *)g)) {
		mismatch(diff, where, e, g);
		return 1;
	}
	return 0;
}

int sup_json_subset(const json_t *expect, const json_t *got, const char *where, struct sup_str *diff)
{
	return subset(expect, got, NULL, where, diff);
}

int sup_is_root(void)
{
	return geteuid() == 0;
}

int sup_write_tiny_jpeg(const char *path, unsigned variant)
{
	static const unsigned char head[] = {
		0xFF, 0xD8,                                     /* SOI */
		0xFF, 0xE0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0x00, 0x01, 0x01, 0x00,
		0x00, 0x01, 0x00, 0x01, 0x00, 0x00,             /* APP0 JFIF */
	};
	static const unsigned char sof[] = {
		0xFF, 0xC0, 0x00, 0x0B, 0x08, 0x00, 0x10, 0x00, 0x10, 0x01, 0x01, 0x11, 0x00,
		0xFF, 0xD9,                                     /* SOF0 16x16, EOI */
	};
	char text[16];
	unsigned char com[4] = {0xFF, 0xFE, 0x00, 2 + 14};
	FILE *f = fopen(path, "wb");
	int ok;

	if (!f)
		return -1;
	snprintf(text, sizeof(text), "reel-%08u.", variant % 100000000u);
	ok = fwrite(head, sizeof(head), 1, f) == 1 && fwrite(com, sizeof(com), 1, f) == 1
	     && fwrite(text, 14, 1, f) == 1 && fwrite(sof, sizeof(sof), 1, f) == 1;
	return fclose(f) == 0 && ok ? 0 : -1;
}
