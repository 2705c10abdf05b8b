/* cmd_index.c - `reel index DIR...`. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "indexer.h"

static const char usage[] =
    "usage: reel index [-j N] [--json] [--no-thumbs] [--thumb-width W] [--thumbs-dir DIR]\n"
    "                  [--timeout S] [--memory-limit MB] [--verbose] DIR...\n\n"
    "Walks each DIR, reads new and changed media files in worker processes and\n"
    "stores their technical record; unchanged files are not opened, vanished files\n"
    "are marked missing, moved files keep their id.\n\n"
    "  -j, --jobs N          worker processes (default: one per core)\n"
    "      --json            print the summary as JSON\n"
    "      --no-thumbs       do not make posters and storyboards\n"
    "      --thumb-width W   poster width in pixels (default 320)\n"
    "      --thumbs-dir DIR  thumbnails folder (default: beside the catalogue,\n"
    "                        CATALOG.thumbs; or REEL_THUMBS)\n"
    "      --timeout S       seconds a worker may spend parsing one file (default 30)\n"
    "      --memory-limit MB address space of each worker (default 4096; 0: none): a\n"
    "                        file that needs more fails alone\n"
    "  -v, --verbose         print FFmpeg's messages about each file\n";

int cmd_index(cli *c, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"jobs", required_argument, NULL, 'j'},        {"json", no_argument, NULL, 'J'},
        {"no-thumbs", no_argument, NULL, 'T'},         {"timeout", required_argument, NULL, 't'},
        {"thumb-width", required_argument, NULL, 'W'}, {"thumbs-dir", required_argument, NULL, 'D'},
        {"verbose", no_argument, NULL, 'v'},           {"help", no_argument, NULL, 'h'},
        {"memory-limit", required_argument, NULL, 'M'},
        {NULL, 0, NULL, 0},
    };
    cli_progress_state ps = {.tty = isatty(2)};
    index_opts o = {.progress = cli_progress, .warn = cli_warn, .payload = &ps};
    index_summary s;
    char *err = NULL, *end, *thumbs_dir = NULL;
    const char *thumbs_opt = NULL;
    int json = 0, thumbs = 1, opt, rc;

    optind = 1;
    while ((opt = getopt_long(argc, argv, "j:vh", longopts, NULL)) != -1) {
        switch (opt) {
        case 'j':
            o.jobs = (int)strtol(optarg, &end, 10);
            if (*end || o.jobs < 1 || o.jobs > 64)
                return cli_usage("index", "-j wants a number of workers from 1 to 64, not '%s'", optarg);
            break;
        case 'J': json = 1; break;
        case 'T': thumbs = 0; break;
        case 'W':
            if ((rc = cli_parse_width(optarg, &o.thumb_width)) != 0)
                return rc;
            break;
        case 'D': thumbs_opt = optarg; break;
        case 't':
            o.file_timeout = strtod(optarg, &end);
            if (*end || o.file_timeout <= 0)
                return cli_usage("index", "--timeout wants seconds, not '%s'", optarg);
            break;
        case 'v': o.verbose = 1; break;
        case 'M':
            if ((rc = cli_parse_memory_limit("index", optarg, &o.memory_limit_mb)) != 0)
                return rc;
            break;
        case 'h': fputs(usage, stdout); return CLI_OK;
        default: return cli_usage("index", "bad option");
        }
    }
    if (optind >= argc)
        return cli_usage("index", "name at least one folder to index");
    if ((rc = cli_open_catalog(c)) != 0)
        return rc;
    o.db_path = c->db_path;
    if (thumbs) {
        if (!(thumbs_dir = cli_thumbs_dir(c->db_path, thumbs_opt)))
            return CLI_FATAL;
        o.thumbs_dir = thumbs_dir;
    }

    rc = index_run(c->cat, (const char *const *)argv + optind, (size_t)(argc - optind), &o, &s, &err);
    free(thumbs_dir);
    /* the search sieve, when the run changed what it holds (an unchanged
     * rescan does not) */
    if (rc == 0)
        cat_sieve_refresh(c->cat);
    if (ps.shown)
        fputs("\r\033[K", stderr);
    if (rc != 0) {
        cli_error("%s", err ? err : "index failed");
        free(err);
        return CLI_FATAL;
    }
    if (json) {
        json_t *j = index_summary_json(&s);
        cli_print_json(j);
        json_decref(j);
    } else {
        printf("indexed: %lld new, %lld changed, %lld unchanged, %lld moved, %lld missing, "
               "%lld failed in %.2f s (%lld files opened%s)\n",
               (long long)s.n.new_files, (long long)s.n.changed, (long long)s.n.unchanged,
               (long long)s.n.moved, (long long)s.n.missing, (long long)s.n.failed, s.elapsed,
               (long long)s.n.opened, s.n.reappeared ? ", some missing files reappeared" : "");
        if (s.n.failed)
            printf("see 'reel errors' for what could not be read\n");
    }
    return s.n.failed || s.roots_unavailable ? CLI_PARTIAL : CLI_OK;
}
