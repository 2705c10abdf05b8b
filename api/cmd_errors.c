/* cmd_errors.c - `reel errors`: what could not be read, and why. */
#include <getopt.h>
#include <stdio.h>
#include <unistd.h>

#include "cli.h"

static const char usage[] =
    "usage: reel errors [--json]\n\n"
    "Lists every file the last runs could not read: root, path, stage (walk, read,\n"
    "probe, timeout, crash) and message. A file leaves the list once it is read\n"
    "successfully or is gone from disk.\n";

int cmd_errors(cli *c, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"json", no_argument, NULL, 'J'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0},
    };
    json_t *list = NULL;
    int json = 0, opt, rc;

    optind = 1;
    while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (opt == 'J')
            json = 1;
        else if (opt == 'h')
            return fputs(usage, stdout), CLI_OK;
        else
            return cli_usage("errors", "bad option");
    }
    if (optind < argc)
        return cli_usage("errors", "unexpected argument '%s'", argv[optind]);
    if ((rc = cli_open_catalog(c)) != 0)
        return rc;
    if (cat_errors_list(c->cat, &list) != CAT_OK) {
        cli_error("%s", cat_errmsg(c->cat));
        return CLI_FATAL;
    }
    if (json) {
        json_t *doc = json_pack("{s:O}", "errors", list);
        cli_print_json(doc);
        json_decref(doc);
    } else {
        size_t i;
        json_t *e;
        json_array_foreach(list, i, e) {
            cli_put_safe(stdout, json_string_value(json_object_get(e, "root")));
            putchar('/');
            cli_put_safe(stdout, json_string_value(json_object_get(e, "path")));
            printf("\t%s\t", json_string_value(json_object_get(e, "stage")));
            cli_put_safe(stdout, json_string_value(json_object_get(e, "message")));
            putchar('\n');
        }
        if (json_array_size(list) == 0 && isatty(1))
            printf("no errors\n");
    }
    json_decref(list);
    return CLI_OK;
}
