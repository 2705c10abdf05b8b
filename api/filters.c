/* filters.c - the filters shared by search, facets and export: one option
 * table and one parser, so the three commands accept the same words. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "indexer.h"

const struct option cli_filter_options[] = {
    {"speaker", required_argument, NULL, F_SPEAKER}, {"person", required_argument, NULL, F_PERSON},
    {"country", required_argument, NULL, F_COUNTRY}, {"event", required_argument, NULL, F_EVENT},
    {"campaign", required_argument, NULL, F_CAMPAIGN}, {"organisation", required_argument, NULL, F_ORG},
    {"keyword", required_argument, NULL, F_KEYWORD}, {"language", required_argument, NULL, F_LANGUAGE},
    {"kind", required_argument, NULL, F_KIND}, {"from", required_argument, NULL, F_FROM},
    {"to", required_argument, NULL, F_TO}, {"min-duration", required_argument, NULL, F_MIN},
    {"max-duration", required_argument, NULL, F_MAX}, {"has-subtitles", no_argument, NULL, F_HAS_SUBS},
    {"visibility", required_argument, NULL, F_VIS}, {"missing", no_argument, NULL, F_MISSING},
    {"root", required_argument, NULL, F_ROOT}, {"path", required_argument, NULL, F_PATH},
    {NULL, 0, NULL, 0},
};

const char cli_filter_help[] =
    "filters:\n"
    "  --speaker NAME      files and clips where NAME speaks (any spelling a sidecar\n"
    "                      gives as name or alias)\n"
    "  --person NAME       NAME in any role\n"
    "  --country C         ISO code or name in any language\n"
    "  --event E, --campaign C, --organisation O, --keyword K\n"
    "  --language L        ISO 639 code or name\n"
    "  --kind K            video, audio or photo\n"
    "  --from D, --to D    recorded date: a year or YYYY-MM-DD, inclusive\n"
    "  --min-duration S, --max-duration S   seconds\n"
    "  --has-subtitles, --visibility V, --missing, --root NAME, --path GLOB\n";

struct option *cli_options_with_filters(const struct option *own)
{
    size_t n_own = 0, n_f = sizeof cli_filter_options / sizeof *cli_filter_options - 1;
    struct option *all;
    while (own[n_own].name)
        n_own++;
    all = calloc(n_own + n_f + 1, sizeof *all);
    if (!all)
        return NULL;
    memcpy(all, own, n_own * sizeof *all);
    memcpy(all + n_own, cli_filter_options, n_f * sizeof *all);
    return all;
}

void cli_filters_init(cli_filters *f)
{
    memset(f, 0, sizeof *f);
    f->q.min_duration = -1;
    f->q.max_duration = -1;
}

/* "2014" -> "2014-01-01" (from) or "2014-12-31" (to); a full date stays. */
static int parse_date(const char *s, int to, char out[11])
{
    int y, m, d;
    if (strlen(s) == 4 && isdigit((unsigned char)s[0]) && isdigit((unsigned char)s[3])
        && sscanf(s, "%4d", &y) == 1) {
        snprintf(out, 11, "%04d-%s", y, to ? "12-31" : "01-01");
        return 0;
    }
    if (strlen(s) == 10 && sscanf(s, "%4d-%2d-%2d", &y, &m, &d) == 3 && m >= 1 && m <= 12
        && d >= 1 && d <= 31) {
        snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
        return 0;
    }
    return -1;
}

static int one_of(const char *v, const char *a, const char *b, const char *c)
{
    return strcmp(v, a) == 0 || strcmp(v, b) == 0 || strcmp(v, c) == 0;
}

int cli_filter_option(cli_filters *f, int opt, const char *arg, const char *cmd)
{
    char *end;
    switch (opt) {
    case F_SPEAKER: f->speaker = arg; break;
    case F_PERSON: f->person = arg; break;
    case F_COUNTRY:
        if (index_country_code(arg, f->country) != 0)
            return cli_usage(cmd, "unknown country '%s'", arg);
        f->q.country = f->country;
        break;
    case F_LANGUAGE:
        if (index_language_code(arg, f->language) != 0)
            return cli_usage(cmd, "unknown language '%s'", arg);
        f->q.language = f->language;
        break;
    case F_EVENT: f->q.event = arg; break;
    case F_CAMPAIGN: f->q.campaign = arg; break;
    case F_ORG: f->q.organisation = arg; break;
    case F_KEYWORD: f->q.keyword = arg; break;
    case F_KIND:
        if (!one_of(arg, "video", "audio", "photo"))
            return cli_usage(cmd, "--kind is video, audio or photo, not '%s'", arg);
        f->q.kind = arg;
        break;
    case F_FROM:
    case F_TO:
        if (parse_date(arg, opt == F_TO, opt == F_TO ? f->to : f->from) != 0)
            return cli_usage(cmd, "--%s wants a year or YYYY-MM-DD, not '%s'",
                             opt == F_TO ? "to" : "from", arg);
        *(opt == F_TO ? &f->q.to : &f->q.from) = opt == F_TO ? f->to : f->from;
        break;
    case F_MIN:
    case F_MAX: {
        double v = strtod(arg, &end);
        if (*end || !(v >= 0))
            return cli_usage(cmd, "a duration is a number of seconds, not '%s'", arg);
        *(opt == F_MIN ? &f->q.min_duration : &f->q.max_duration) = v;
        break;
    }
    case F_HAS_SUBS: f->q.has_subtitles = 1; break;
    case F_VIS:
        if (!one_of(arg, "public", "internal", "restricted"))
            return cli_usage(cmd, "--visibility is public, internal or restricted, not '%s'", arg);
        f->q.visibility = arg;
        break;
    case F_MISSING: f->q.missing = 1; break;
    case F_ROOT: f->q.root = arg; break;
    case F_PATH: f->q.path_glob = arg; break;
    default: return 1;
    }
    f->any = 1;
    return 0;
}

/* --speaker/--person: every canonical name the text matches (by name or
 * alias), as the JSON array text cat_find wants. */
static int resolve(cli *c, const char *name, char **out)
{
    json_t *names = NULL;
    if (cat_people_match(c->cat, name, &names) != CAT_OK)
        return -1;
    *out = json_dumps(names, JSON_COMPACT);
    json_decref(names);
    return *out ? 0 : -1;
}

int cli_filters_resolve(cli *c, cli_filters *f)
{
    if ((f->speaker && resolve(c, f->speaker, &f->speakers_json) != 0)
        || (f->person && resolve(c, f->person, &f->people_json) != 0)) {
        cli_error("%s", cat_errmsg(c->cat));
        return CLI_FATAL;
    }
    f->q.speakers = f->speakers_json;
    f->q.people = f->people_json;
    return 0;
}

void cli_filters_release(cli_filters *f)
{
    free(f->speakers_json);
    free(f->people_json);
    f->speakers_json = f->people_json = NULL;
}
