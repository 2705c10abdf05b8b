/* cmd_export.c - `reel export`: every record as one JSON document, written
 * record by record so memory stays flat however large the catalogue. */
#include <getopt.h>
#include <stdio.h>
#include <time.h>

#include "cli.h"

static const char usage[] =
    "usage: reel export\n\n"
    "Prints {\"format\": \"reel.export\", \"version\": 1, \"generated_at\": ..., \"items\": [...]}\n"
    "with every record of the catalogue (internal profile: all fields), ordered by\n"
    "root and path.\n";

typedef struct export_state {
    cat *cat;
    size_t n;
} export_state;

static int write_one(int64_t rowid, void *payload)
{
    export_state *s = payload;
    json_t *rec = NULL;
    int rc = cat_record_load(s->cat, rowid, &rec);
    if (rc != CAT_OK)
        return rc;
    fputs(s->n++ ? ",\n" : "\n", stdout);
    json_dumpf(rec, stdout, JSON_COMPACT | CLI_JSON_FLAGS);
    json_decref(rec);
    return 0;
}

int cmd_export(cli *c, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"help", no_argument, NULL, 'h'}, {"json", no_argument, NULL, 'J'}, {NULL, 0, NULL, 0},
    };
    export_state s = {0};
    char now[40];
    time_t t = time(NULL);
    struct tm tm;
    int opt, rc;

    optind = 1;
    while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (opt == 'h')
            return fputs(usage, stdout), CLI_OK;
        if (opt != 'J')
            return cli_usage("export", "bad option");
    }
    if (optind < argc)
        return cli_usage("export", "unexpected argument '%s'", argv[optind]);
    if ((rc = cli_open_catalog(c)) != 0)
        return rc;
    gmtime_r(&t, &tm);
    strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", &tm);
    printf("{\"format\":\"reel.export\",\"version\":1,\"generated_at\":\"%s\",\"items\":[", now);
    s.cat = c->cat;
    rc = cat_media_each(c->cat, write_one, &s);
    printf("%s]}\n", s.n ? "\n" : "");
    if (rc != CAT_OK) {
        cli_error("export stopped: %s", cat_errmsg(c->cat));
        return CLI_FATAL;
    }
    return CLI_OK;
}
