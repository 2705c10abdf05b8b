/* cmd_tag.c - `reel tag PATH ...`: edit editorial metadata (writes the sidecar). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "indexer.h"

static const char usage[] =
    "usage: reel tag ID|PATH [OPTIONS]\n\n"
    "Edits the file's own sidecar (PATH.json, written atomically; fields not\n"
    "edited are kept, unknown ones too) and updates the catalogue from it.\n\n"
    "  --title T, --description D, --event E, --place P, --campaign C,\n"
    "  --organisation O, --consent TEXT, --recorded-at DATE, --visibility V\n"
    "                            set a field (V: public, internal, restricted)\n"
    "  --clear FIELD             remove a field\n"
    "  --speaker NAME            add a speaker (role speaker)\n"
    "  --person NAME[:ROLE]      add a person (roles: speaker, interviewer, subject...)\n"
    "  --country C               add a country (ISO code or name in any language)\n"
    "  --language L              add a language (ISO 639 code or name)\n"
    "  --keyword K               add a keyword\n"
    "  --segment START-END[:TITLE]  add a clip (times HH:MM:SS[.fff] or seconds)\n"
    "  --remove-person NAME, --remove-speaker NAME, --remove-country C,\n"
    "  --remove-language L, --remove-keyword K, --remove-segment START-END\n"
    "  --json                    print the updated record as JSON\n";

enum {
    O_SET = 1000, O_CLEAR, O_SPEAKER, O_PERSON, O_COUNTRY, O_LANGUAGE, O_KEYWORD, O_SEGMENT,
    O_RM_PERSON, O_RM_COUNTRY, O_RM_LANGUAGE, O_RM_KEYWORD, O_RM_SEGMENT, O_JSON,
};

static const struct option longopts[] = {
    {"title", required_argument, NULL, O_SET},
    {"description", required_argument, NULL, O_SET},
    {"event", required_argument, NULL, O_SET},
    {"place", required_argument, NULL, O_SET},
    {"campaign", required_argument, NULL, O_SET},
    {"organisation", required_argument, NULL, O_SET},
    {"consent", required_argument, NULL, O_SET},
    {"recorded-at", required_argument, NULL, O_SET},
    {"visibility", required_argument, NULL, O_SET},
    {"clear", required_argument, NULL, O_CLEAR},
    {"speaker", required_argument, NULL, O_SPEAKER},
    {"person", required_argument, NULL, O_PERSON},
    {"country", required_argument, NULL, O_COUNTRY},
    {"language", required_argument, NULL, O_LANGUAGE},
    {"keyword", required_argument, NULL, O_KEYWORD},
    {"segment", required_argument, NULL, O_SEGMENT},
    {"remove-person", required_argument, NULL, O_RM_PERSON},
    {"remove-speaker", required_argument, NULL, O_RM_PERSON},
    {"remove-country", required_argument, NULL, O_RM_COUNTRY},
    {"remove-language", required_argument, NULL, O_RM_LANGUAGE},
    {"remove-keyword", required_argument, NULL, O_RM_KEYWORD},
    {"remove-segment", required_argument, NULL, O_RM_SEGMENT},
    {"json", no_argument, NULL, O_JSON},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static const char *const clearable[] = {
    "title", "description", "event", "place", "campaign", "organisation", "consent",
    "recorded_at", "visibility", "location", "people", "countries", "languages", "keywords",
    "segments", NULL,
};

/* "recorded-at" -> "recorded_at" */
static void field_name(const char *opt, char *out, size_t size)
{
    snprintf(out, size, "%s", opt);
    for (char *p = out; *p; p++)
        if (*p == '-')
            *p = '_';
}

static json_t *list_of(json_t *edits, const char *op, const char *field)
{
    json_t *o = json_object_get(edits, op), *l;
    if (!o) {
        o = json_object();
        json_object_set_new(edits, op, o);
    }
    if (!(l = json_object_get(o, field))) {
        l = json_array();
        json_object_set_new(o, field, l);
    }
    return l;
}

/* "START-END[:TITLE]": END is the longest run of digits, ':' and '.', so
 * "00:01:30-00:12:00.5:Life after prison" splits as one would read it. */
static json_t *parse_segment(const char *arg, int with_title)
{
    const char *dash = strchr(arg, '-');
    size_t n;
    char start[64], end[64];
    json_t *seg;
    if (!dash || dash == arg || (size_t)(dash - arg) >= sizeof start)
        return NULL;
    snprintf(start, sizeof start, "%.*s", (int)(dash - arg), arg);
    n = strspn(dash + 1, "0123456789:.");
    /* a title after "HH:MM:SS:" leaves the last ':' in the run */
    if (n && dash[1 + n - 1] == ':' && dash[1 + n] != 0)
        n--;
    if (!n || n >= sizeof end)
        return NULL;
    snprintf(end, sizeof end, "%.*s", (int)n, dash + 1);
    seg = json_pack("{s:s,s:s}", "start", start, "end", end);
    if (dash[1 + n] == ':' && dash[2 + n] && with_title)
        json_object_set_new(seg, "title", json_string(dash + 2 + n));
    else if (dash[1 + n] != 0 && !(dash[1 + n] == ':' && with_title)) {
        json_decref(seg);
        return NULL;
    }
    return seg;
}

int cmd_tag(cli *c, int argc, char **argv)
{
    json_t *edits = json_object(), *rec = NULL, *v;
    char field[64], *err = NULL;
    int json = 0, opt, idx = 0, rc, n_edits = 0;

    optind = 1;
    while ((opt = getopt_long(argc, argv, "h", longopts, &idx)) != -1) {
        n_edits++;
        switch (opt) {
        case O_SET:
            field_name(longopts[idx].name, field, sizeof field);
            json_object_set_new(json_object_get(edits, "set") ? json_object_get(edits, "set")
                                                                : (json_object_set_new(edits, "set", json_object()),
                                                                   json_object_get(edits, "set")),
                                field, json_string(optarg));
            break;
        case O_CLEAR: {
            int ok = 0;
            field_name(optarg, field, sizeof field);
            for (const char *const *f = clearable; *f; f++)
                ok |= strcmp(*f, field) == 0;
            if (!ok) {
                json_decref(edits);
                return cli_usage("tag", "--clear: '%s' is not an editorial field", optarg);
            }
            if (!json_object_get(edits, "set"))
                json_object_set_new(edits, "set", json_object());
            json_object_set_new(json_object_get(edits, "set"), field, json_null());
            break;
        }
        case O_SPEAKER:
            json_array_append_new(list_of(edits, "add", "people"),
                                  json_pack("{s:s,s:s}", "name", optarg, "role", "speaker"));
            break;
        case O_PERSON: {
            const char *colon = strrchr(optarg, ':');
            v = colon && colon[1] ? json_pack("{s:s%,s:s}", "name", optarg, (size_t)(colon - optarg),
                                               "role", colon + 1)
                                  : json_pack("{s:s}", "name", optarg);
            json_array_append_new(list_of(edits, "add", "people"), v);
            break;
        }
        case O_COUNTRY: json_array_append_new(list_of(edits, "add", "countries"), json_string(optarg)); break;
        case O_LANGUAGE: json_array_append_new(list_of(edits, "add", "languages"), json_string(optarg)); break;
        case O_KEYWORD: json_array_append_new(list_of(edits, "add", "keywords"), json_string(optarg)); break;
        case O_RM_PERSON: json_array_append_new(list_of(edits, "remove", "people"), json_string(optarg)); break;
        case O_RM_COUNTRY: json_array_append_new(list_of(edits, "remove", "countries"), json_string(optarg)); break;
        case O_RM_LANGUAGE: json_array_append_new(list_of(edits, "remove", "languages"), json_string(optarg)); break;
        case O_RM_KEYWORD: json_array_append_new(list_of(edits, "remove", "keywords"), json_string(optarg)); break;
        case O_SEGMENT:
        case O_RM_SEGMENT:
            if (!(v = parse_segment(optarg, opt == O_SEGMENT))) {
                json_decref(edits);
                return cli_usage("tag", "a segment is START-END%s (times HH:MM:SS[.fff] or seconds), not '%s'",
                                 opt == O_SEGMENT ? "[:TITLE]" : "", optarg);
            }
            json_array_append_new(list_of(edits, opt == O_SEGMENT ? "add" : "remove", "segments"), v);
            break;
        case O_JSON: json = 1; n_edits--; break;
        case 'h': json_decref(edits); fputs(usage, stdout); return CLI_OK;
        default: json_decref(edits); return cli_usage("tag", "bad option");
        }
    }
    if (optind != argc - 1) {
        json_decref(edits);
        return cli_usage("tag", optind >= argc ? "name the file to tag" : "tag one file at a time");
    }
    if (!n_edits) {
        json_decref(edits);
        return cli_usage("tag", "nothing to change: give at least one option");
    }
    if ((rc = cli_open_catalog(c)) != 0) {
        json_decref(edits);
        return rc;
    }
    rc = index_tag(c->cat, c->db_path, argv[optind], edits, &rec, &err);
    json_decref(edits);
    if (rc != 0) {
        cli_error("%s", err ? err : "tag failed");
        free(err);
        return rc == INDEX_INVALID ? CLI_USAGE : rc == CAT_NOTFOUND ? CLI_PARTIAL : CLI_FATAL;
    }
    if (json)
        cli_print_json(rec);
    else
        printf("tagged %s/%s\n", json_string_value(json_object_get(rec, "root")),
               json_string_value(json_object_get(rec, "path")));
    json_decref(rec);
    return CLI_OK;
}
