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

static const char usage_head[] =
    "usage: reel search [WORDS...] [FILTERS] [--json|--jsonl|--csv]\n\n"
    "Finds whole files and clips inside them: segments from sidecars, and\n"
    "transcript cues. WORDS use FTS5 syntax: all words must match, \"exact\n"
    "phrase\", prefix*, a OR b, NOT c; case and diacritics are ignored.\n\n";
static const char usage_tail[] =
    "output:\n"
    "  --sort relevance|recorded|duration|path|catalogue, --limit N (default 50),\n"
    "  --offset N; by relevance with words, else in catalogue order (each file, then\n"
    "  its clips, in the order they were catalogued)\n"
    "  --json (one document), --jsonl (a hit per line), --csv\n";

enum { O_SORT = 2000, O_LIMIT, O_OFFSET, O_JSON, O_JSONL, O_CSV };

static const struct option own_options[] = {
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
    int rc = cat_record_brief(s->cat, h->media_id, &rec);
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

int cmd_search(cli *c, int argc, char **argv)
{
    struct option *longopts = cli_options_with_filters(own_options);
    cli_filters f;
    search_state s = {.format = F_TABLE};
    char *words = NULL, *end;
    size_t wlen = 0;
    int64_t total = 0;
    int opt, rc = 0;
    FILE *w;

    if (!longopts)
        return CLI_FATAL;
    cli_filters_init(&f);
    f.q.limit = 50;
    optind = 1;
    while (rc == 0 && (opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if ((rc = cli_filter_option(&f, opt, optarg, "search")) != 1)
            continue;
        rc = 0;
        switch (opt) {
        case O_SORT:
            if (strcmp(optarg, "relevance") && strcmp(optarg, "recorded") && strcmp(optarg, "duration")
                && strcmp(optarg, "path") && strcmp(optarg, "catalogue"))
                rc = cli_usage("search", "--sort is relevance, recorded, duration, path or catalogue");
            f.q.sort = optarg;
            break;
        case O_LIMIT:
        case O_OFFSET: {
            long v = strtol(optarg, &end, 10);
            if (*end || v < 0 || v > 1000000)
                rc = cli_usage("search", "--%s wants a number, not '%s'",
                               opt == O_LIMIT ? "limit" : "offset", optarg);
            *(opt == O_LIMIT ? &f.q.limit : &f.q.offset) = (int)v;
            break;
        }
        case O_JSON: s.format = F_JSON; break;
        case O_JSONL: s.format = F_JSONL; break;
        case O_CSV: s.format = F_CSV; break;
        case 'h':
            printf("%s%s%s", usage_head, cli_filter_help, usage_tail);
            free(longopts);
            return CLI_OK;
        default: rc = cli_usage("search", "bad option");
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
    if (!f.q.words && !f.any) {
        free(words);
        return cli_usage("search", "give the words to search for, or a filter");
    }
    if ((rc = cli_open_catalog(c)) != 0 || (rc = cli_filters_resolve(c, &f)) != 0) {
        free(words);
        cli_filters_release(&f);
        return rc;
    }
    s.cat = c->cat;
    s.hits = json_array();
    /* the table shows the text of clips only */
    f.q.no_file_text = s.format == F_TABLE;
    /* after a change made elsewhere (an upgrade, another tool): searches
     * with filters read the sieve */
    rc = cat_sieve_refresh(c->cat);
    if (rc == CAT_OK)
        rc = cat_read_begin(c->cat);
    if (rc == CAT_OK)
        rc = cat_find(c->cat, &f.q, &total, collect, &s);
    cat_commit(c->cat);
    free(words);
    cli_filters_release(&f);
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
