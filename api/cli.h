/* cli.h - private to api/: the command-line context shared by commands.
 * api/ is the only front end; it owns the context and is the only module
 * that prints, parses arguments or picks exit codes. */
#ifndef REEL_CLI_H
#define REEL_CLI_H

#include <getopt.h>
#include <stdio.h>
#include <jansson.h>
#include "catalog.h"

enum cli_exit {
    CLI_OK = 0,          /* success */
    CLI_PARTIAL = 1,     /* the run completed but some files failed */
    CLI_USAGE = 2,       /* bad command line */
    CLI_FATAL = 3,       /* the catalogue could not be opened or written */
};

typedef struct cli {
    const char *db_path;     /* from --db, REEL_DB, or the default */
    char *db_path_owned;
    cat *cat;                /* opened by cli_open_catalog */
} cli;

typedef struct cli_command {
    const char *name;
    int (*run)(cli *c, int argc, char **argv);
    const char *summary;
} cli_command;

int cmd_index(cli *c, int argc, char **argv);
int cmd_show(cli *c, int argc, char **argv);
int cmd_export(cli *c, int argc, char **argv);
int cmd_search(cli *c, int argc, char **argv);
int cmd_errors(cli *c, int argc, char **argv);
int cmd_thumbs(cli *c, int argc, char **argv);
int cmd_verify(cli *c, int argc, char **argv);
int cmd_history(cli *c, int argc, char **argv);
int cmd_tag(cli *c, int argc, char **argv);
int cmd_facets(cli *c, int argc, char **argv);
int cmd_people(cli *c, int argc, char **argv);
int cmd_countries(cli *c, int argc, char **argv);

/* ---- filters shared by search, facets and export (filters.c) ---------- */

enum cli_filter_option {
    F_SPEAKER = 1000, F_PERSON, F_COUNTRY, F_EVENT, F_CAMPAIGN, F_ORG, F_KEYWORD, F_LANGUAGE,
    F_KIND, F_FROM, F_TO, F_MIN, F_MAX, F_HAS_SUBS, F_VIS, F_MISSING, F_ROOT, F_PATH,
};
typedef struct cli_filters {
    cat_query q;
    int any;                        /* some filter was given */
    const char *speaker, *person;   /* as typed; resolved by cli_filters_resolve */
    char country[3], language[4], from[11], to[11];
    char *speakers_json, *people_json;
} cli_filters;
extern const struct option cli_filter_options[];
extern const char cli_filter_help[];
/* own + the filter options, NULL-terminated; caller frees. */
struct option *cli_options_with_filters(const struct option *own);
void cli_filters_init(cli_filters *f);
/* Takes a filter option: 0 taken, 1 not a filter option, CLI_USAGE when its
 * value is bad (the message printed, naming cmd). */
int cli_filter_option(cli_filters *f, int opt, const char *arg, const char *cmd);
/* Resolves --speaker/--person to canonical names; needs the open catalogue. */
int cli_filters_resolve(cli *c, cli_filters *f);
void cli_filters_release(cli_filters *f);

/* The shape of commands that take records (show, history): options --json
 * and --help, then ID|PATH...; each argument is looked up and its record
 * loaded, and fn prints it (first is nonzero for the first one printed).
 * A name that matches no record is reported and makes the result
 * CLI_PARTIAL; the others are still printed. */
typedef int (*cli_record_fn)(cli *c, int64_t rowid, json_t *rec, int json, int first);
int cli_for_each_record(cli *c, int argc, char **argv, const char *cmd, const char *usage,
                        cli_record_fn fn);

/* Opens the catalogue (creating its folder when needed). Prints why on
 * failure and returns CLI_FATAL; 0 on success. */
int cli_open_catalog(cli *c);

/* Prints "reel: <message>" on stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints a usage error and the command's help hint; returns CLI_USAGE. */
int cli_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Writes s to f with control characters (escape sequences from hostile file
 * names or tags) shown as \xNN, and the C1 controls U+0080..U+009F as
 * \uNNNN, so they never reach a terminal raw. */
void cli_put_safe(FILE *f, const char *s);

/* Key order as built; reals with 12 significant digits, so a latitude
 * prints as 59.3293, not 59.329300000000003. */
#define CLI_JSON_FLAGS (JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12))

/* Prints JSON to stdout, pretty when stdout is a terminal, and a newline. */
void cli_print_json(const json_t *j);

/* The thumbnails folder: `option` when given, else $REEL_THUMBS, else
 * "X.thumbs" beside the catalogue "X.db"; created if missing and made
 * absolute. NULL (after printing why) when it cannot be created. Caller frees. */
char *cli_thumbs_dir(const char *db_path, const char *option);
/* Parses a thumbnail width (16..4096) into *out; CLI_USAGE when bad. */
int cli_parse_width(const char *s, int *out);
/* Parses --memory-limit MB (64..1048576, or 0 for none) into *out as
 * index_opts.memory_limit_mb wants it; CLI_USAGE when bad. */
int cli_parse_memory_limit(const char *cmd, const char *s, long *out);

/* The progress line of index and thumbs runs, on stderr when it is a terminal. */
typedef struct cli_progress_state {
    int tty;
    double last;
    int shown;
} cli_progress_state;
struct index_progress;
void cli_progress(const struct index_progress *p, void *payload);   /* payload: cli_progress_state */
void cli_warn(const char *message, void *payload);                 /* payload: cli_progress_state */

#endif
