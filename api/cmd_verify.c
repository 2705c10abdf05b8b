/* cmd_verify.c - `reel verify [ID|PATH...]`: fixity checks. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "indexer.h"

static const char usage[] =
    "usage: reel verify [--older-than DAYS] [-j N] [--json] [--memory-limit MB] [ID|PATH...]\n\n"
    "Re-hashes catalogued files and compares each SHA-256 with the one taken when\n"
    "the file was indexed. Reports altered files (the content differs, whether or\n"
    "not the size changed) and missing ones, marks missing ones as missing, and\n"
    "records every outcome in the file's custody log ('reel history'). A root that\n"
    "cannot be read or is empty (an unplugged drive) is reported and skipped.\n"
    "Exit status 1 when any file is altered, missing or could not be checked.\n\n"
    "  ID|PATH               only this record, or the files under this folder\n"
    "      --older-than DAYS only files whose content was not hashed (verified or\n"
    "                        indexed) in the last DAYS days: verify in rotation\n"
    "  -j, --jobs N          worker processes (default: one per core)\n"
    "      --json            print the summary and problems as JSON\n"
    "      --memory-limit MB address space of each worker (default 4096; 0: none)\n";

static void print_name(const json_t *p)
{
    cli_put_safe(stdout, json_string_value(json_object_get(p, "root")));
    putchar('/');
    cli_put_safe(stdout, json_string_value(json_object_get(p, "path")));
}

static void print_text(const verify_summary *s)
{
    size_t i;
    json_t *p;
    json_array_foreach(s->problems, i, p) {
        const char *status = json_string_value(json_object_get(p, "status"));
        printf("%s\t", status);
        print_name(p);
        if (strcmp(status, "altered") == 0)
            printf("\tsize %lld -> %lld, sha256 %s -> %s",
                   (long long)json_integer_value(json_object_get(p, "size_expected")),
                   (long long)json_integer_value(json_object_get(p, "size")),
                   json_string_value(json_object_get(p, "sha256_expected")),
                   json_string_value(json_object_get(p, "sha256")));
        if (json_object_get(p, "message")) {
            putchar('\t');
            cli_put_safe(stdout, json_string_value(json_object_get(p, "message")));
        }
        putchar('\n');
    }
    printf("verified: %lld ok, %lld altered, %lld missing, %lld unreadable, %lld on unavailable "
           "roots in %.2f s\n", (long long)s->ok, (long long)s->altered, (long long)s->missing,
           (long long)s->failed, (long long)s->unavailable, s->elapsed);
}

int cmd_verify(cli *c, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"older-than", required_argument, NULL, 'o'}, {"jobs", required_argument, NULL, 'j'},
        {"json", no_argument, NULL, 'J'},             {"memory-limit", required_argument, NULL, 'M'},
        {"help", no_argument, NULL, 'h'},             {NULL, 0, NULL, 0},
    };
    cli_progress_state ps = {.tty = isatty(2)};
    index_opts o = {.progress = cli_progress, .warn = cli_warn, .payload = &ps};
    verify_select sel = {.older_than_days = -1};
    verify_summary s;
    char *err = NULL, *end;
    int json = 0, opt, rc;

    optind = 1;
    while ((opt = getopt_long(argc, argv, "j:h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'o':
            sel.older_than_days = strtod(optarg, &end);
            if (*end || !*optarg || sel.older_than_days < 0 || sel.older_than_days > 1e6)
                return cli_usage("verify", "--older-than wants a number of days, not '%s'", optarg);
            break;
        case 'j':
            o.jobs = (int)strtol(optarg, &end, 10);
            if (*end || o.jobs < 1 || o.jobs > 64)
                return cli_usage("verify", "-j wants a number of workers from 1 to 64, not '%s'", optarg);
            break;
        case 'J': json = 1; break;
        case 'M':
            if ((rc = cli_parse_memory_limit("verify", optarg, &o.memory_limit_mb)) != 0)
                return rc;
            break;
        case 'h': fputs(usage, stdout); return CLI_OK;
        default: return cli_usage("verify", "bad option");
        }
    }
    if ((rc = cli_open_catalog(c)) != 0)
        return rc;
    o.db_path = c->db_path;
    sel.targets = (const char *const *)argv + optind;
    sel.n_targets = (size_t)(argc - optind);
    rc = index_verify(c->cat, &o, &sel, &s, &err);
    if (ps.shown)
        fputs("\r\033[K", stderr);
    if (rc != 0) {
        cli_error("%s", err ? err : "verification failed");
        free(err);
        json_decref(s.problems);
        return rc == CAT_NOTFOUND ? CLI_PARTIAL : CLI_FATAL;
    }
    if (json) {
        json_t *j = json_pack("{s:I,s:I,s:I,s:I,s:I,s:f,s:O}", "ok", (json_int_t)s.ok,
                              "altered", (json_int_t)s.altered, "missing", (json_int_t)s.missing,
                              "failed", (json_int_t)s.failed, "unavailable",
                              (json_int_t)s.unavailable, "elapsed",
                              (double)(int64_t)(s.elapsed * 1000) / 1000.0, "problems", s.problems);
        cli_print_json(j);
        json_decref(j);
    } else {
        print_text(&s);
    }
    json_decref(s.problems);
    return s.altered || s.missing || s.failed || s.unavailable ? CLI_PARTIAL : CLI_OK;
}
