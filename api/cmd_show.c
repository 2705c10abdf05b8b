/* cmd_show.c - `reel show ID|PATH`. */
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

static int show_one(cli *c, int64_t rowid, json_t *rec, int json, int first)
{
    (void)c;
    (void)rowid;
    if (json) {
        cli_print_json(rec);
    } else {
        if (!first)
            putchar('\n');
        print_text(rec);
    }
    return CLI_OK;
}

int cmd_show(cli *c, int argc, char **argv)
{
    return cli_for_each_record(c, argc, argv, "show", usage, show_one);
}
