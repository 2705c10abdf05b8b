/* cmd_thumbs.c - `reel thumbs`: fill in or remake posters and storyboards. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli.h"
#include "indexer.h"

static const char usage[] =
    "usage: reel thumbs [--force] [-j N] [--json] [--thumb-width W] [--thumbs-dir DIR]\n"
    "                   [--memory-limit MB]\n\n"
    "Makes the posters and storyboards that catalogued files lack, or whose files\n"
    "are gone from the thumbnails folder (delete the folder and run this to\n"
    "rebuild it). Files are named by content hash: unchanged media write nothing.\n\n"
    "  --force            remake every thumbnail (and retry files that had none)\n"
    "  -j, --jobs N       worker processes (default: one per core)\n"
    "  --json             print the summary as JSON\n"
    "  --thumb-width W    poster width in pixels (default 320)\n"
    "  --thumbs-dir DIR   thumbnails folder (default: beside the catalogue)\n"
    "  --memory-limit MB  address space of each worker (default 4096; 0: none)\n";

int cmd_thumbs(cli *c, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"force", no_argument, NULL, 'f'},             {"jobs", required_argument, NULL, 'j'},
        {"json", no_argument, NULL, 'J'},              {"thumb-width", required_argument, NULL, 'W'},
        {"thumbs-dir", required_argument, NULL, 'D'},  {"help", no_argument, NULL, 'h'},
        {"memory-limit", required_argument, NULL, 'M'},
        {NULL, 0, NULL, 0},
    };
    cli_progress_state ps = {.tty = isatty(2)};
    index_opts o = {.progress = cli_progress, .warn = cli_warn, .payload = &ps};
    thumbs_summary s;
    const char *dir_opt = NULL;
    char *dir = NULL, *err = NULL, *end;
    int force = 0, json = 0, opt, rc;

    optind = 1;
    while ((opt = getopt_long(argc, argv, "j:h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'f': force = 1; break;
        case 'j':
            o.jobs = (int)strtol(optarg, &end, 10);
            if (*end || o.jobs < 1 || o.jobs > 64)
                return cli_usage("thumbs", "-j wants a number of workers from 1 to 64, not '%s'", optarg);
            break;
        case 'J': json = 1; break;
        case 'W':
            if ((rc = cli_parse_width(optarg, &o.thumb_width)) != 0)
                return rc;
            break;
        case 'D': dir_opt = optarg; break;
        case 'M':
            if ((rc = cli_parse_memory_limit("thumbs", optarg, &o.memory_limit_mb)) != 0)
                return rc;
            break;
        case 'h': fputs(usage, stdout); return CLI_OK;
        default: return cli_usage("thumbs", "bad option");
        }
    }
    if (optind < argc)
        return cli_usage("thumbs", "unexpected argument '%s'", argv[optind]);
    if ((rc = cli_open_catalog(c)) != 0)
        return rc;
    if (!(dir = cli_thumbs_dir(c->db_path, dir_opt)))
        return CLI_FATAL;
    o.db_path = c->db_path;
    o.thumbs_dir = dir;
    rc = index_thumbs(c->cat, &o, force, &s, &err);
    if (ps.shown)
        fputs("\r\033[K", stderr);
    if (rc != 0) {
        cli_error("%s", err ? err : "thumbnail run failed");
        free(err);
        free(dir);
        return CLI_FATAL;
    }
    if (json) {
        json_t *j = json_pack("{s:I,s:I,s:I,s:f,s:s}", "made", (json_int_t)s.made,
                              "kept", (json_int_t)s.kept, "failed", (json_int_t)s.failed,
                              "elapsed", (double)(int64_t)(s.elapsed * 1000) / 1000.0,
                              "dir", dir);
        cli_print_json(j);
        json_decref(j);
    } else {
        printf("thumbnails: %lld made, %lld already there, %lld without a poster in %.2f s (%s)\n",
               (long long)s.made, (long long)s.kept, (long long)s.failed, s.elapsed, dir);
    }
    free(dir);
    return s.failed ? CLI_PARTIAL : CLI_OK;
}
