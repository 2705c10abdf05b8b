/* cmd_show.c - `reel show ID|PATH`. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char usage[] =
    "usage: reel show [--json] ID|PATH...\n\n"
    "Prints the record of each file, named by its id or its path (on disk, or\n"
    "relative to its indexed root).\n";

/* Plain-text view: one "key: value" line per scalar, nested values as JSON. */
static void print_text(const json_t *rec)
{
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)rec, key, v) {
        char *text = NULL;
        printf("%-19s ", key);
        if (json_is_string(v)) {
            cli_put_safe(stdout, json_string_value(v));
        } else if ((text = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT | CLI_JSON_FLAGS))) {
            cli_put_safe(stdout, text);
        }
        free(text);
        putchar('\n');
    }
}

int cmd_show(cli *c, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"json", no_argument, NULL, 'J'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0},
    };
    int json = 0, opt, rc, status = CLI_OK;

    optind = 1;
    while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (opt == 'J')
            json = 1;
        else if (opt == 'h')
            return fputs(usage, stdout), CLI_OK;
        else
            return cli_usage("show", "bad option");
    }
    if (optind >= argc)
        return cli_usage("show", "name a record by its id or path");
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
        if (json) {
            cli_print_json(rec);
        } else {
            if (i > optind)
                putchar('\n');
            print_text(rec);
        }
        json_decref(rec);
    }
    return status;
}
