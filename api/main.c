/* main.c - `reel`: global options and the command table. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

static const cli_command commands[] = {
    {"index", cmd_index, "walk folders and catalogue their media (incremental)"},
    {"show", cmd_show, "print one record, by id or path"},
    {"search", cmd_search, "full-text search over titles, descriptions, tags and paths"},
    {"facets", cmd_facets, "counts by speaker, country, event, year, kind, language"},
    {"export", cmd_export, "JSON listing for web teams (public profile by default)"},
    {"errors", cmd_errors, "list the files that could not be read, and why"},
    {"thumbs", cmd_thumbs, "fill in or remake posters and storyboards"},
    {"verify", cmd_verify, "re-hash files and report altered or missing ones"},
    {"history", cmd_history, "print a file's custody log"},
    {"tag", cmd_tag, "edit a file's editorial metadata (writes its sidecar)"},
    {"people", cmd_people, "the people sidecars name, with counts"},
    {"countries", cmd_countries, "the countries sidecars name, with counts"},
    {NULL, NULL, NULL},
};

static void help(FILE *f)
{
    fprintf(f, "usage: reel [--db PATH] COMMAND [OPTIONS] [ARGS]\n\n"
               "Catalogues archives of video, audio and photos.\n\ncommands:\n");
    for (const cli_command *c = commands; c->name; c++)
        fprintf(f, "  %-8s %s\n", c->name, c->summary);
    fprintf(f, "\n--db PATH (or REEL_DB) names the catalogue, before or after the command;\n"
               "default: $XDG_DATA_HOME/reel/catalog.db (~/.local/share/reel/catalog.db).\n"
               "'reel COMMAND --help' describes a command.\n"
               "exit status: 0 ok, 1 some files failed, 2 usage error, 3 catalogue error.\n");
}

void cli_error(const char *fmt, ...)
{
    va_list ap;
    fputs("reel: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int cli_usage(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fputs("reel: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\ntry 'reel %s --help'\n", cmd ? cmd : "");
    return CLI_USAGE;
}

void cli_put_safe(FILE *f, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x20 || *p == 0x7f) {
            fprintf(f, "\\x%02X", *p);
        } else if (p[0] == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F) {
            /* C1 controls in UTF-8 (U+0080..U+009F): U+009B is CSI, which
             * terminals such as xterm obey like ESC [ */
            fprintf(f, "\\u%04X", p[1]);
            p++;
        } else {
            fputc(*p, f);
        }
    }
}

void cli_print_json(const json_t *j)
{
    size_t flags = CLI_JSON_FLAGS | (isatty(1) ? JSON_INDENT(2) : JSON_COMPACT);
    json_dumpf(j, stdout, flags);
    fputc('\n', stdout);
}

char *cli_thumbs_dir(const char *db_path, const char *option)
{
    const char *env = getenv("REEL_THUMBS");
    char *dir = NULL, *abs;

    if (option && *option) {
        dir = strdup(option);
    } else if (env && *env) {
        dir = strdup(env);
    } else {
        size_t n = strlen(db_path);
        const char *dot = strrchr(db_path, '.');
        const char *slash = strrchr(db_path, '/');
        if (dot && (!slash || dot > slash))
            n = (size_t)(dot - db_path);
        if (asprintf(&dir, "%.*s.thumbs", (int)n, db_path) < 0)
            dir = NULL;
    }
    if (!dir)
        return NULL;
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        cli_error("cannot create thumbnails folder '%s': %s", dir, strerror(errno));
        free(dir);
        return NULL;
    }
    /* workers and records name files relative to it; keep it absolute so a
     * changed working folder does not matter */
    abs = realpath(dir, NULL);
    free(dir);
    return abs;
}

int cli_parse_width(const char *s, int *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*end || v < 16 || v > 4096)
        return cli_usage(NULL, "a thumbnail width is a number of pixels from 16 to 4096, not '%s'", s);
    *out = (int)v;
    return 0;
}

int cli_parse_memory_limit(const char *cmd, const char *s, long *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*end || !*s || (v != 0 && (v < 64 || v > 1048576)))
        return cli_usage(cmd, "--memory-limit wants megabytes from 64 to 1048576, or 0 for "
                              "no limit, not '%s'", s);
    *out = v ? v : -1;
    return 0;
}

static char *default_db(void)
{
    const char *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
    char *p = NULL;
    if (xdg && *xdg) {
        if (asprintf(&p, "%s/reel/catalog.db", xdg) < 0)
            p = NULL;
    } else if (asprintf(&p, "%s/.local/share/reel/catalog.db", home && *home ? home : ".") < 0) {
        p = NULL;
    }
    return p;
}

/* Creates the folders above path, like mkdir -p on its dirname. */
static void make_parents(const char *path)
{
    char *p = strdup(path);
    if (!p)
        return;
    for (char *s = strchr(p + 1, '/'); s; s = strchr(s + 1, '/')) {
        *s = 0;
        mkdir(p, 0755);
        *s = '/';
    }
    free(p);
}

int cli_open_catalog(cli *c)
{
    char *msg = NULL;
    make_parents(c->db_path);
    if (cat_open(&c->cat, c->db_path, &msg) != CAT_OK) {
        cli_error("%s", msg ? msg : "cannot open catalogue");
        free(msg);
        return CLI_FATAL;
    }
    return 0;
}

int cli_for_each_record(cli *c, int argc, char **argv, const char *cmd, const char *usage,
                        cli_record_fn fn)
{
    static const struct option longopts[] = {
        {"json", no_argument, NULL, 'J'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0},
    };
    int json = 0, opt, rc, status = CLI_OK, printed = 0;

    optind = 1;
    while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (opt == 'J')
            json = 1;
        else if (opt == 'h')
            return fputs(usage, stdout), CLI_OK;
        else
            return cli_usage(cmd, "bad option");
    }
    if (optind >= argc)
        return cli_usage(cmd, "name a record by its id or path");
    if ((rc = cli_open_catalog(c)) != 0)
        return rc;
    for (int i = optind; i < argc; i++) {
        int64_t id;
        json_t *rec = NULL;
        if (cat_media_lookup(c->cat, argv[i], &id) != CAT_OK
            || cat_record_load(c->cat, id, &rec) != CAT_OK) {
            cli_error("%s", cat_errmsg(c->cat));
            status = CLI_PARTIAL;
            continue;
        }
        rc = fn(c, id, rec, json, !printed++);
        json_decref(rec);
        if (rc == CLI_FATAL)
            return rc;
        if (rc != CLI_OK)
            status = CLI_PARTIAL;
    }
    return status;
}

/* Takes --db PATH / --db=PATH out of argv wherever it stands, so every
 * command accepts it before or after its name. */
static int take_db_option(cli *c, int *argc, char **argv)
{
    int out = 1;
    for (int i = 1; i < *argc; i++) {
        if (strcmp(argv[i], "--") == 0) {
            while (i < *argc)
                argv[out++] = argv[i++];
            break;
        }
        if (strcmp(argv[i], "--db") == 0) {
            if (i + 1 >= *argc)
                return cli_usage(NULL, "option '--db' needs a path");
            c->db_path = argv[++i];
        } else if (strncmp(argv[i], "--db=", 5) == 0) {
            c->db_path = argv[i] + 5;
        } else {
            argv[out++] = argv[i];
        }
    }
    *argc = out;
    argv[out] = NULL;
    return 0;
}

int main(int argc, char **argv)
{
    cli c = {0};
    const cli_command *cmd = NULL;
    int rc;

    if ((rc = take_db_option(&c, &argc, argv)) != 0)
        return rc;
    if (!c.db_path && getenv("REEL_DB") && *getenv("REEL_DB"))
        c.db_path = getenv("REEL_DB");
    if (!c.db_path)
        c.db_path = c.db_path_owned = default_db();
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0
        || strcmp(argv[1], "help") == 0) {
        help(argc < 2 ? stderr : stdout);
        rc = argc < 2 ? CLI_USAGE : CLI_OK;
        goto done;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("reel 0.1.0\n");
        rc = CLI_OK;
        goto done;
    }
    for (const cli_command *k = commands; k->name; k++)
        if (strcmp(argv[1], k->name) == 0)
            cmd = k;
    if (!cmd) {
        cli_error("'%s' is not a reel command", argv[1]);
        help(stderr);
        rc = CLI_USAGE;
        goto done;
    }
    /* each command sees argv from its own name on, as getopt expects */
    rc = cmd->run(&c, argc - 1, argv + 1);
done:
    cat_free(c.cat);
    free(c.db_path_owned);
    return rc;
}
