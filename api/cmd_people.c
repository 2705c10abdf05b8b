/* cmd_people.c - `reel people` and `reel countries`: editorial values with counts. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

static int list(cli *c, int argc, char **argv, const char *what)
{
    static const struct option longopts[] = {
        {"json", no_argument, NULL, 'J'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0},
    };
    json_t *rows = NULL;
    int json = 0, opt, rc, people = what[0] == 'p';

    optind = 1;
    while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (opt == 'J')
            json = 1;
        else if (opt == 'h')
            return printf("usage: reel %s [--json]\n\nLists the %s named by sidecars, with the number "
                          "of present files for each.\n", what, what), CLI_OK;
        else
            return cli_usage(what, "bad option");
    }
    if (optind < argc)
        return cli_usage(what, "unexpected argument '%s'", argv[optind]);
    if ((rc = cli_open_catalog(c)) != 0)
        return rc;
    if ((people ? cat_people_counts(c->cat, &rows) : cat_country_counts(c->cat, &rows)) != CAT_OK) {
        cli_error("%s", cat_errmsg(c->cat));
        return CLI_FATAL;
    }
    if (json) {
        json_t *doc = json_pack("{s:O}", what, rows);
        cli_print_json(doc);
        json_decref(doc);
    } else {
        size_t i;
        json_t *r;
        json_array_foreach(rows, i, r) {
            printf("%6lld  ", (long long)json_integer_value(json_object_get(r, "count")));
            cli_put_safe(stdout, json_string_value(json_object_get(r, people ? "name" : "code")));
            if (json_array_size(json_object_get(r, "roles"))) {
                char *roles = json_dumps(json_object_get(r, "roles"), JSON_COMPACT);
                printf("  %s", roles ? roles : "");
                free(roles);
            }
            putchar('\n');
        }
    }
    json_decref(rows);
    return CLI_OK;
}

int cmd_people(cli *c, int argc, char **argv) { return list(c, argc, argv, "people"); }
int cmd_countries(cli *c, int argc, char **argv) { return list(c, argc, argv, "countries"); }
