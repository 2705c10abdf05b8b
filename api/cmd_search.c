/* cmd_search.c - `reel search`: clips (files, segments, transcript cues)
 * found by words and filters. */
#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "indexer.h"

static const char usage[] =
    "usage: reel search [WORDS...] [FILTERS] [--json|--jsonl|--csv]\n\n"
    "Finds whole files and clips inside them: segments from sidecars, and\n"
    "transcript cues. WORDS use FTS5 syntax: all words must match, \"exact\n"
    "phrase\", prefix*, a OR b, NOT c; case and diacritics are ignored.\n\n"
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
    "  --has-subtitles, --visibility V, --missing, --root NAME, --path GLOB\n"
    "output:\n"
    "  --sort relevance|recorded|duration|path, --limit N (default 50), --offset N\n"
    "  --json (one document), --jsonl (a hit per line), --csv\n";

enum {
    O_SPEAKER = 1000, O_PERSON, O_COUNTRY, O_EVENT, O_CAMPAIGN, O_ORG, O_KEYWORD, O_LANGUAGE,
    O_KIND, O_FROM, O_TO, O_MIN, O_MAX, O_HAS_SUBS, O_VIS, O_MISSING, O_ROOT, O_PATH, O_SORT,
    O_LIMIT, O_OFFSET, O_JSON, O_JSONL, O_CSV,
};

static const struct option longopts[] = {
    {"speaker", required_argument, NULL, O_SPEAKER}, {"person", required_argument, NULL, O_PERSON},
    {"country", required_argument, NULL, O_COUNTRY}, {"event", required_argument, NULL, O_EVENT},
    {"campaign", required_argument, NULL, O_CAMPAIGN}, {"organisation", required_argument, NULL, O_ORG},
    {"keyword", required_argument, NULL, O_KEYWORD}, {"language", required_argument, NULL, O_LANGUAGE},
    {"kind", required_argument, NULL, O_KIND}, {"from", required_argument, NULL, O_FROM},
    {"to", required_argument, NULL, O_TO}, {"min-duration", required_argument, NULL, O_MIN},
    {"max-duration", required_argument, NULL, O_MAX}, {"has-subtitles", no_argument, NULL, O_HAS_SUBS},
    {"visibility", required_argument, NULL, O_VIS}, {"missing", no_argument, NULL, O_MISSING},
    {"root", required_argument, NULL, O_ROOT}, {"path", required_argument, NULL, O_PATH},
    {"sort", required_argument, NULL, O_SORT}, {"limit", required_argument, NULL, O_LIMIT},
    {"offset", required_argument, NULL, O_OFFSET}, {"json", no_argument, NULL, O_JSON},
    {"jsonl", no_argument, NULL, O_JSONL}, {"csv", no_argument, NULL, O_CSV},
    {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0},
};

enum format { F_TABLE, F_JSON, F_JSONL, F_CSV };

typedef struct search_state {
    cat *cat;
    enum format format;
    json_t *hits;
} search_state;

/* "2014" -> "2014-01-01" (from) or "2014-12-31" (to); a full date stays. */
static int parse_date(const char *s, int to, char out[11])
{
    int y, m, d;
    if (strlen(s) == 4 && sscanf(s, "%4d", &y) == 1 && isdigit((unsigned char)s[3])) {
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

static int parse_seconds(const char *s, double *out)
{
    char *end;
    *out = strtod(s, &end);
    return *end || *out < 0 ? -1 : 0;
}

static void timecode(double t, char out[32])
{
    long long ms = t > 0 ? (long long)(t * 1000 + 0.5) : 0;
    snprintf(out, 32, "%02lld:%02lld:%02lld.%03lld", ms / 3600000, ms / 60000 % 60, ms / 1000 % 60,
             ms % 1000);
}

static int collect(const cat_hit *h, void *payload)
{
    search_state *s = payload;
    json_t *rec = NULL, *hit;
    static const char *const keep[] = {"id", "root", "path", "kind", "title", "people", "countries",
                                       "recorded_at", "duration", "thumbnail", NULL};
    int rc = cat_record_load(s->cat, h->media_id, &rec);
    if (rc != CAT_OK)
        return rc;
    hit = json_pack("{s:s}", "match", h->kind);
    for (const char *const *k = keep; *k; k++)
        if (json_object_get(rec, *k))
            json_object_set(hit, *k, json_object_get(rec, *k));
    if (h->has_time) {
        json_object_set_new(hit, "start", json_real(h->start));
        json_object_set_new(hit, "end", json_real(h->end));
    }
    if (h->text)
        json_object_set_new(hit, "text", json_string(h->text));
    json_array_append_new(s->hits, hit);
    json_decref(rec);
    return 0;
}

static const char *str(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

static char *names_of(json_t *people)
{
    char *out = NULL;
    size_t len = 0, i;
    json_t *p;
    FILE *m = open_memstream(&out, &len);
    if (!m)
        return NULL;
    json_array_foreach(people, i, p)
        fprintf(m, "%s%s", i ? ", " : "", str(p, "name"));
    fclose(m);
    return out;
}

static void csv_field(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        if (*s == '"')
            putchar('"');
        putchar(*s);
    }
    putchar('"');
}

static void print_hits(const search_state *s, int64_t total)
{
    size_t i;
    json_t *h;
    if (s->format == F_CSV)
        printf("match,id,root,path,start,end,title,speakers,countries,recorded_at,duration,text\n");
    json_array_foreach(s->hits, i, h) {
        char start[32] = "", end[32] = "", dur[32] = "", *people = names_of(json_object_get(h, "people"));
        char *countries = json_dumps(json_object_get(h, "countries"), JSON_COMPACT);
        double d = json_number_value(json_object_get(h, "duration"));
        if (json_object_get(h, "start")) {
            timecode(json_number_value(json_object_get(h, "start")), start);
            timecode(json_number_value(json_object_get(h, "end")), end);
        }
        if (d > 0)
            snprintf(dur, sizeof dur, "%d:%02d:%02d", (int)d / 3600, (int)d / 60 % 60, (int)d % 60);
        if (s->format == F_JSONL) {
            char *line = json_dumps(h, JSON_COMPACT | CLI_JSON_FLAGS);
            puts(line ? line : "{}");
            free(line);
        } else if (s->format == F_CSV) {
            const char *fields[] = {str(h, "match"), str(h, "id"), str(h, "root"), str(h, "path"),
                                    start, end, str(h, "title"), people ? people : "",
                                    countries ? countries : "", str(h, "recorded_at"), dur,
                                    str(h, "text")};
            for (size_t k = 0; k < sizeof fields / sizeof *fields; k++) {
                if (k)
                    putchar(',');
                csv_field(fields[k]);
            }
            putchar('\n');
        } else {
            /* title, speakers, countries, date, duration, time code, path */
            printf("%-7s ", str(h, "match"));
            cli_put_safe(stdout, *str(h, "title") ? str(h, "title") : "-");
            fputs("  | ", stdout);
            cli_put_safe(stdout, people && *people ? people : "-");
            printf("  | %s  | %.10s  | %s", countries && strcmp(countries, "null") ? countries : "-",
                   *str(h, "recorded_at") ? str(h, "recorded_at") : "-", *dur ? dur : "-");
            if (*start)
                printf("  | %s-%s", start, end);
            fputs("  | ", stdout);
            cli_put_safe(stdout, str(h, "root"));
            putchar('/');
            cli_put_safe(stdout, str(h, "path"));
            if (*str(h, "text") && strcmp(str(h, "match"), "file") != 0) {
                fputs("\n        ", stdout);
                cli_put_safe(stdout, str(h, "text"));
            }
            putchar('\n');
        }
        free(people);
        free(countries);
    }
    if (s->format == F_TABLE)
        printf("%lld hit%s\n", (long long)total, total == 1 ? "" : "s");
}

/* --speaker/--person: every canonical name the text matches (by name or
 * alias), as the JSON array text cat_find wants. */
static int resolve_people(cli *c, const char *name, char **out)
{
    json_t *names = NULL;
    if (cat_people_match(c->cat, name, &names) != CAT_OK)
        return -1;
    *out = json_dumps(names, JSON_COMPACT);
    json_decref(names);
    return *out ? 0 : -1;
}

int cmd_search(cli *c, int argc, char **argv)
{
    cat_query q = {.min_duration = -1, .max_duration = -1, .limit = 50};
    search_state s = {.format = F_TABLE};
    const char *speaker = NULL, *person = NULL;
    char country[3], language[4], from[11], to[11], *words = NULL, *speakers = NULL, *people = NULL;
    char *end;
    size_t wlen = 0;
    int64_t total = 0;
    int opt, rc;
    FILE *w;

    optind = 1;
    while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (opt) {
        case O_SPEAKER: speaker = optarg; break;
        case O_PERSON: person = optarg; break;
        case O_COUNTRY:
            if (index_country_code(optarg, country) != 0)
                return cli_usage("search", "unknown country '%s'", optarg);
            q.country = country;
            break;
        case O_LANGUAGE:
            if (index_language_code(optarg, language) != 0)
                return cli_usage("search", "unknown language '%s'", optarg);
            q.language = language;
            break;
        case O_EVENT: q.event = optarg; break;
        case O_CAMPAIGN: q.campaign = optarg; break;
        case O_ORG: q.organisation = optarg; break;
        case O_KEYWORD: q.keyword = optarg; break;
        case O_KIND:
            if (strcmp(optarg, "video") && strcmp(optarg, "audio") && strcmp(optarg, "photo"))
                return cli_usage("search", "--kind is video, audio or photo, not '%s'", optarg);
            q.kind = optarg;
            break;
        case O_FROM:
            if (parse_date(optarg, 0, from) != 0)
                return cli_usage("search", "--from wants a year or YYYY-MM-DD, not '%s'", optarg);
            q.from = from;
            break;
        case O_TO:
            if (parse_date(optarg, 1, to) != 0)
                return cli_usage("search", "--to wants a year or YYYY-MM-DD, not '%s'", optarg);
            q.to = to;
            break;
        case O_MIN:
        case O_MAX:
            if (parse_seconds(optarg, opt == O_MIN ? &q.min_duration : &q.max_duration) != 0)
                return cli_usage("search", "a duration is a number of seconds, not '%s'", optarg);
            break;
        case O_HAS_SUBS: q.has_subtitles = 1; break;
        case O_VIS:
            if (strcmp(optarg, "public") && strcmp(optarg, "internal") && strcmp(optarg, "restricted"))
                return cli_usage("search", "--visibility is public, internal or restricted");
            q.visibility = optarg;
            break;
        case O_MISSING: q.missing = 1; break;
        case O_ROOT: q.root = optarg; break;
        case O_PATH: q.path_glob = optarg; break;
        case O_SORT:
            if (strcmp(optarg, "relevance") && strcmp(optarg, "recorded") && strcmp(optarg, "duration")
                && strcmp(optarg, "path"))
                return cli_usage("search", "--sort is relevance, recorded, duration or path");
            q.sort = optarg;
            break;
        case O_LIMIT:
        case O_OFFSET: {
            long v = strtol(optarg, &end, 10);
            if (*end || v < 0 || v > 1000000)
                return cli_usage("search", "--%s wants a number, not '%s'",
                                 opt == O_LIMIT ? "limit" : "offset", optarg);
            *(opt == O_LIMIT ? &q.limit : &q.offset) = (int)v;
            break;
        }
        case O_JSON: s.format = F_JSON; break;
        case O_JSONL: s.format = F_JSONL; break;
        case O_CSV: s.format = F_CSV; break;
        case 'h': fputs(usage, stdout); return CLI_OK;
        default: return cli_usage("search", "bad option");
        }
    }
    if (!(w = open_memstream(&words, &wlen)))
        return CLI_FATAL;
    for (int i = optind; i < argc; i++)
        fprintf(w, "%s%s", i > optind ? " " : "", argv[i]);
    fclose(w);
    q.words = wlen ? words : NULL;
    if (!q.words && !speaker && !person && !q.country && !q.event && !q.campaign && !q.organisation
        && !q.keyword && !q.language && !q.kind && !q.from && !q.to && q.min_duration < 0
        && q.max_duration < 0 && !q.has_subtitles && !q.visibility && !q.missing && !q.root
        && !q.path_glob) {
        free(words);
        return cli_usage("search", "give the words to search for, or a filter");
    }
    if ((rc = cli_open_catalog(c)) != 0) {
        free(words);
        return rc;
    }
    if ((speaker && resolve_people(c, speaker, &speakers) != 0)
        || (person && resolve_people(c, person, &people) != 0)) {
        cli_error("%s", cat_errmsg(c->cat));
        free(words);
        return CLI_FATAL;
    }
    q.speakers = speakers;
    q.people = people;
    s.cat = c->cat;
    s.hits = json_array();
    rc = cat_find(c->cat, &q, &total, collect, &s);
    free(words);
    free(speakers);
    free(people);
    if (rc != CAT_OK) {
        /* a malformed FTS5 query is the user's to fix: a usage error */
        cli_error("%s", cat_errmsg(c->cat));
        json_decref(s.hits);
        return CLI_USAGE;
    }
    if (s.format == F_JSON) {
        json_t *doc = json_pack("{s:I,s:O}", "total", (json_int_t)total, "hits", s.hits);
        cli_print_json(doc);
        json_decref(doc);
    } else {
        print_hits(&s, total);
    }
    json_decref(s.hits);
    return CLI_OK;
}
