/*
 * support.h: helpers shared by the CLI-level suites (check_e2e, check_crosscheck,
 * check_incremental): run a command and capture its stdout, make and remove temp
 * trees, generate the fixture archive, read reel's JSON, compare JSON values.
 *
 * Ownership: every `char *` and `json_t *` returned here belongs to the caller
 * (free() / json_decref()); `const json_t *` results are borrowed from their
 * argument. Nothing here calls Check, so failures are reported by the suites.
 */
#ifndef REEL_TESTS_SUPPORT_H
#define REEL_TESTS_SUPPORT_H

#include <stdarg.h>
#include <stddef.h>
#include <sys/types.h>

#include <jansson.h>

/* Growable NUL-terminated string. Zero-initialise; sup_str_release frees. */
struct sup_str {
	char *s;
	size_t len, cap;
};

void sup_str_printf(struct sup_str *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void sup_str_append(struct sup_str *b, const void *data, size_t n);
void sup_str_release(struct sup_str *b);
/* The text so far, "" when empty (borrowed). */
const char *sup_str_cstr(const struct sup_str *b);

struct sup_opts {
	const char *cwd;           /* run in this folder (NULL: inherit) */
	const char *const *env;    /* extra NAME=VALUE entries, NULL-terminated, or NULL */
	int as_nobody;             /* drop to uid/gid 65534 before exec (needs root) */
	int timeout;               /* seconds before SIGKILL; 0 means 100 */
	int quiet;                 /* send the child's stderr to /dev/null */
	const char *reel;          /* sup_reel_json: binary to run instead of REEL_BIN */
};

struct sup_result {
	char *out;                 /* stdout, NUL-terminated (owned) */
	size_t len;
	int status;                /* exit status; -1 signal or exec failure; -2 timeout */
};

/* Runs argv[0] (PATH searched) with `opts` (may be NULL), capturing stdout.
 * Returns res->status. res->out is always set (possibly ""). */
int sup_run(struct sup_result *res, const char *const argv[], const struct sup_opts *opts);
void sup_result_release(struct sup_result *res);

/* A new folder under $TMPDIR (or /tmp), mode 0755; NULL on failure. */
char *sup_tmpdir(const char *prefix);
/* rm -rf, restoring permissions first. Keeps the tree when REEL_KEEP_TMP is set. */
void sup_rmtree(const char *path);
/* malloc'd "a/b". */
char *sup_join(const char *a, const char *b);

/* Generates the fixture archive into DIR/archive with tests/fixtures/make-archive.sh
 * and returns the manifest DIR/expected.json, or NULL (diagnostic on stderr). */
json_t *sup_make_archive(const char *dir);

/* End of a variadic argument list (a plain NULL may be an int). */
#define SUP_END ((const char *)NULL)

/* Runs REEL_BIN --db DB ARGS... (ended by SUP_END) with `opts` and parses stdout as
 * JSON. *status gets the exit status. Returns NULL when stdout is not JSON (and
 * prints the command and its output). */
json_t *sup_reel_json(int *status, const struct sup_opts *opts, const char *db, ...);
json_t *sup_reel_jsonv(int *status, const struct sup_opts *opts, const char *db, va_list ap);

/* The export's "items" entry with this root and path (root NULL: any root). */
const json_t *sup_find_item(const json_t *export_, const char *root, const char *path);
/* The `reel errors --json` entry with this root and path (root NULL: any root). */
const json_t *sup_find_error(const json_t *errors, const char *root, const char *path);

/* Lower-case hex SHA-256 of a file as printed by `sha256sum` (NULL on failure). */
char *sup_sha256sum(const char *path);
/* Size in bytes, -1 on failure. */
long long sup_file_size(const char *path);

/*
 * Compares `expect` with `got` where `expect` is a subset: every key of an
 * expected object must exist in `got` with a matching value; arrays must have
 * the same length and match element by element; numbers match within a
 * tolerance chosen by the key (sup_tolerance); integers and reals compare as
 * numbers. Each mismatch is appended to `diff` as "WHERE.key: expected X, got Y".
 * Returns the number of mismatches.
 */
int sup_json_subset(const json_t *expect, const json_t *got, const char *where, struct sup_str *diff);
/* Tolerance for a number under `key`: duration 0.1, start/end 0.01, lat/lon 1e-4,
 * fps 0.01, anything else 0. */
double sup_tolerance(const char *key);
/* A JSON value as compact text (malloc'd). */
char *sup_json_text(const json_t *v);
/* Numeric value of an integer or real; NAN otherwise (or NULL). */
double sup_json_number(const json_t *v);

/* 1 when this process can run something as "nobody" (it is root). */
int sup_is_root(void);

/* Writes a minimal JPEG (SOI, JFIF APP0, a comment naming `variant`, a
 * 16x16 frame header, EOI) that reel catalogues as a photo without any
 * decoding: files made with different variants differ in content, not in
 * size (variants up to 99999999). Returns 0, or -1 when it cannot. */
int sup_write_tiny_jpeg(const char *path, unsigned variant);

#endif
