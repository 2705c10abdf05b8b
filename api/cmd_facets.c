/* cmd_facets.c - `reel facets`: counts by speaker, country, event, year,
 * kind and language, under the same words and filters as search. */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

static const char usage_head[] =
    "usage: reel facets [WORDS...] [FILTERS] [--json]\n\n"
    "Counts the files that WORDS and FILTERS select, by speaker, country, event,\n"
    "year recorded, kind and language (at most 100 values each, largest first).\n\n";

static const struct option own_options[] = {
    {"json", no_argument, NULL, 'J'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0},
};

int cmd_facets(cli *c, int argc, char **argv)
{
    static const char *const names[] = {"speaker", "country", "event", "year", "kind", "language", NULL};
    struct option *longopts = cli_options_with_filters(own_options);
    cli_filters f;
    char *words = NULL;
    size_t wlen = 0;
    json_t *doc = NULL;
    int json = 0, opt, rc = 0;
    FILE *w;

    if (!longopts)
        return CLI_FATAL;
    cli_filters_init(&f);
    optind = 1;
    while (rc == 0 && (opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if ((rc = cli_filter_option(&f, opt, optarg, "facets")) != 1)
            continue;
        rc = 0;
        if (opt == 'J') {
            json = 1;
        } else if (opt == 'h') {
            printf("%s%s", usage_head, cli_filter_help);
            free(longopts);
            return CLI_OK;
        } else {
            rc = cli_usage("facets", "bad option");
        }
    }
    free(longopts);
    if (rc)
        return rc;
    if (!(w = open_memstream(&words, &wlen)))
        return CLI_FATAL;
    for (int i = optind; i < argc; i++)
        fprintf(w, "%s%s", i > optind ? " " : "", argv[i]);
    fclose(w);
    f.q.words = wlen ? words : NULL;
    if ((rc = cli_open_catalog(c)) == 0 && (rc = cli_filters_resolve(c, &f)) == 0
        && cat_facets(c->cat, &f.q, &doc) != CAT_OK) {
        cli_error("%s", cat_errmsg(c->cat));
        rc = CLI_USAGE;
    }
    free(words);
    cli_filters_release(&f);
    if (rc)
        return rc;
    if (json) {
        cli_print_json(doc);
    } else {
        printf("%lld files\n", (long long)json_integer_value(json_object_get(doc, "files")));
        for (const char *const *n = names; *n; n++) {
            size_t i;
            json_t *v;
            printf("\n%s\n", *n);
            json_array_foreach(json_object_get(doc, *n), i, v) {
                printf("  %6lld  ", (long long)json_integer_value(json_object_get(v, "count")));
                cli_put_safe(stdout, json_string_value(json_object_get(v, "value")));
                putchar('\n');
            }
        }
    }
    json_decref(doc);
    return CLI_OK;
}
