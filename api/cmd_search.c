/* cmd_search.c - `reel search WORDS`: full-text search over the catalogue. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char usage[] =
    "usage: reel search [--json] [--limit N] [--offset N] WORDS...\n\n"
    "Finds records whose title, description, tags or path contain all WORDS\n"
    "(case and diacritics ignored). FTS5 syntax works too: \"exact phrase\",\n"
    "prefix*, a OR b, NOT c.\n";

typedef struct search_state {
    cat *cat;
    json_t *hits;
} search_state;

static int collect(int64_t rowid, void *payload)
{
    search_state *s = payload;
    json_t *rec = NULL, *hit;
    static const char *const keep[] = {"id", "root", "path", "kind", "status", "title",
                                       "duration", "recorded_at", "width", "height", NULL};
    int rc = cat_record_load(s->cat, rowid, &rec);
    if (rc != CAT_OK)
        return rc;
    hit = json_object();
    for (const char *const *k = keep; *k; k++)
        if (json_object_get(rec, *k))
            json_object_set(hit, *k, json_object_get(rec, *k));
    json_array_append_new(s->hits, hit);
    json_decref(rec);
    return 0;
}

static void print_table(json_t *hits, int64_t total)
{
    size_t i;
    json_t *h;
    json_array_foreach(hits, i, h) {
        const char *title = json_string_value(json_object_get(h, "title"));
        double d = json_number_value(json_object_get(h, "duration"));
        char dur[32] = "";
        if (d > 0)
            snprintf(dur, sizeof dur, "%d:%02d:%02d", (int)d / 3600, (int)d / 60 % 60, (int)d % 60);
        printf("%-5s %9s  ", json_string_value(json_object_get(h, "kind")), dur);
        cli_put_safe(stdout, json_string_value(json_object_get(h, "root")));
        putchar('/');
        cli_put_safe(stdout, json_string_value(json_object_get(h, "path")));
        if (title) {
            fputs("  \"", stdout);
            cli_put_safe(stdout, title);
            putchar('"');
        }
        putchar('\n');
    }
    printf("%lld match%s\n", (long long)total, total == 1 ? "" : "es");
}

int cmd_search(cli *c, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"json", no_argument, NULL, 'J'},          {"limit", required_argument, NULL, 'l'},
        {"offset", required_argument, NULL, 'o'},  {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    search_state s = {0};
    char *query = NULL, *end;
    size_t qlen = 0;
    FILE *q;
    int64_t total = 0;
    int json = 0, limit = 50, offset = 0, opt, rc;

    optind = 1;
    while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'J': json = 1; break;
        case 'l':
            limit = (int)strtol(optarg, &end, 10);
            if (*end || limit < 0)
                return cli_usage("search", "--limit wants a number, not '%s'", optarg);
            break;
        case 'o':
            offset = (int)strtol(optarg, &end, 10);
            if (*end || offset < 0)
                return cli_usage("search", "--offset wants a number, not '%s'", optarg);
            break;
        case 'h': fputs(usage, stdout); return CLI_OK;
        default: return cli_usage("search", "bad option");
        }
    }
    if (optind >= argc)
        return cli_usage("search", "give the words to search for");
    q = open_memstream(&query, &qlen);
    if (!q)
        return CLI_FATAL;
    for (int i = optind; i < argc; i++)
        fprintf(q, "%s%s", i > optind ? " " : "", argv[i]);
    fclose(q);
    if ((rc = cli_open_catalog(c)) != 0) {
        free(query);
        return rc;
    }
    s.cat = c->cat;
    s.hits = json_array();
    rc = cat_search(c->cat, query, limit, offset, &total, collect, &s);
    free(query);
    if (rc != CAT_OK) {
        /* a malformed FTS5 query is the user's to fix: a usage error */
        cli_error("%s", cat_errmsg(c->cat));
        json_decref(s.hits);
        return CLI_USAGE;
    }
    if (json) {
        json_t *doc = json_pack("{s:I,s:O}", "total", (json_int_t)total, "hits", s.hits);
        cli_print_json(doc);
        json_decref(doc);
    } else {
        print_table(s.hits, total);
    }
    json_decref(s.hits);
    return CLI_OK;
}
