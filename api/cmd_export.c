/* cmd_export.c - `reel export`: a versioned JSON listing for web teams,
 * written record by record so memory stays flat however large the
 * catalogue (format: schema/export.schema.json). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "export.h"

#define EXPORT_FORMAT "reel.export"
#define EXPORT_VERSION 1

static const char usage_head[] =
    "usage: reel export [--profile public|internal] [--since TIME] [--out DIR] [--jsonld]\n"
    "                   [FILTERS]\n\n"
    "Prints {\"format\": \"reel.export\", \"version\": 1, \"profile\", \"generated_at\",\n"
    "\"items\": [record...]} in catalogue order (schema/export.schema.json).\n\n"
    "  --profile public    (default) only records and segments marked public; never a\n"
    "                      location, consent note, container tags or bookkeeping\n"
    "  --profile internal  every record with every field, missing files included\n"
    "  --since TIME        only records changed at or after TIME (ISO 8601, UTC), and\n"
    "                      \"deleted\": the ids to take down (gone, or no longer public)\n"
    "  --out DIR           write DIR/listing.json with the posters and storyboards it\n"
    "                      uses under DIR/thumbs/, referenced by relative URLs\n"
    "  --jsonld            add a schema.org object (\"jsonld\") to each record\n"
    "  --thumbs-dir DIR    where the thumbnails are (default: beside the catalogue)\n\n";

enum { O_PROFILE = 2000, O_SINCE, O_OUT, O_JSONLD, O_THUMBS };

static const struct option own_options[] = {
    {"profile", required_argument, NULL, O_PROFILE}, {"since", required_argument, NULL, O_SINCE},
    {"out", required_argument, NULL, O_OUT}, {"jsonld", no_argument, NULL, O_JSONLD},
    {"thumbs-dir", required_argument, NULL, O_THUMBS}, {"json", no_argument, NULL, 'J'},
    {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0},
};

typedef struct export_state {
    cat *cat;
    cat_lister *lister;          /* the records, as JSON text */
    FILE *out;
    int public_profile, jsonld;
    const char *bundle;          /* --out DIR, or NULL */
    const char *thumbs_dir;
    export_counts n;
    int failed;
} export_state;

/* Copies src to dst unless dst already holds a file of the same size
 * (thumbnails are named by content hash: same name, same bytes). */
static int copy_file(const char *src, const char *dst)
{
    char buf[65536], tmp[PATH_MAX * 2 + 16];
    struct stat a, b;
    int in, out;
    ssize_t r;
    if (stat(src, &a) != 0)
        return -1;
    if (stat(dst, &b) == 0 && b.st_size == a.st_size)
        return 0;
    snprintf(tmp, sizeof tmp, "%s.tmp", dst);
    if ((in = open(src, O_RDONLY | O_CLOEXEC)) < 0)
        return -1;
    if ((out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0) {
        close(in);
        return -1;
    }
    while ((r = read(in, buf, sizeof buf)) > 0)
        if (write(out, buf, (size_t)r) != r) {
            r = -1;
            break;
        }
    close(in);
    if (close(out) != 0 || r < 0 || rename(tmp, dst) != 0) {
        unlink(tmp);
        return -1;
    }
    return 0;
}

static void make_parents(const char *path)
{
    char p[PATH_MAX * 2];
    snprintf(p, sizeof p, "%s", path);
    for (char *s = strchr(p + 1, '/'); s; s = strchr(s + 1, '/')) {
        *s = 0;
        mkdir(p, 0755);
        *s = '/';
    }
}

/* Puts a thumbnail file in the bundle and returns its relative URL. */
static json_t *bundled(export_state *s, const char *rel)
{
    char src[PATH_MAX * 2], dst[PATH_MAX * 2], url[PATH_MAX];
    snprintf(src, sizeof src, "%s/%s", s->thumbs_dir, rel);
    snprintf(url, sizeof url, "thumbs/%s", rel);
    snprintf(dst, sizeof dst, "%s/%s", s->bundle, url);
    make_parents(dst);
    if (copy_file(src, dst) != 0) {
        cli_error("cannot copy thumbnail '%s' into the bundle: %s", src, strerror(errno));
        s->failed = 1;
        return NULL;
    }
    return json_string(url);
}

static void bundle_thumbs(export_state *s, json_t *rec)
{
    json_t *sb = json_object_get(rec, "storyboard"), *v;
    const char *t = json_string_value(json_object_get(rec, "thumbnail"));
    if (t && (v = bundled(s, t)))
        json_object_set_new(rec, "thumbnail", v);
    if (sb) {
        const char *img = json_string_value(json_object_get(sb, "image"));
        const char *vtt = json_string_value(json_object_get(sb, "vtt"));
        if (img && (v = bundled(s, img)))
            json_object_set_new(sb, "image", v);
        if (vtt && (v = bundled(s, vtt)))
            json_object_set_new(sb, "vtt", v);
    }
}

static void write_record(export_state *s, const cat_record_text *rec, FILE *out)
{
    if (s->public_profile)
        export_write_public(rec, out, &s->n);
    else
        export_write_internal(rec, out);
}

/* --out and --jsonld change the record: it is read back into a tree (its
 * reals written with all their digits, so the tree holds the same values). */
static int write_changed(export_state *s, const cat_record_text *rec)
{
    char *text = NULL, *out;
    size_t len = 0;
    json_t *item;
    FILE *m = open_memstream(&text, &len);
    if (!m)
        return CAT_ERROR;
    write_record(s, rec, m);
    if (fclose(m) != 0 || !(item = json_loads(text, 0, NULL))) {
        free(text);
        return CAT_ERROR;
    }
    free(text);
    if (s->bundle)
        bundle_thumbs(s, item);
    if (s->jsonld)
        json_object_set_new(item, "jsonld",
                            export_jsonld(item, json_string_value(json_object_get(item, "thumbnail"))));
    out = json_dumps(item, JSON_COMPACT | CLI_JSON_FLAGS);
    fputs(out ? out : "{}", s->out);
    free(out);
    json_decref(item);
    return CAT_OK;
}

static int write_one(int64_t rowid, void *payload)
{
    export_state *s = payload;
    cat_record_text rec;
    int rc = cat_lister_record(s->lister, rowid, &rec);
    if (rc != CAT_OK)
        return rc;
    if (s->public_profile && !export_is_public(&rec, &s->n))
        return 0;
    fputs(s->n.written++ ? ",\n" : "\n", s->out);
    if (s->bundle || s->jsonld)
        return write_changed(s, &rec);
    write_record(s, &rec, s->out);
    return 0;
}

/* "2026-01-31", "2026-01-31T10:00:00Z" and "...+02:00" -> UTC text that
 * compares with the catalogue's times. */
static int parse_since(const char *in, char out[32])
{
    struct tm tm = {0};
    int y, mo, d, h = 0, mi = 0, sec = 0, oh = 0, om = 0;
    char sign = 0, rest[16] = "";
    time_t t;
    if (sscanf(in, "%4d-%2d-%2d", &y, &mo, &d) != 3 || strlen(in) < 10)
        return -1;
    if (in[10]) {
        if ((in[10] != 'T' && in[10] != ' ')
            || sscanf(in + 11, "%2d:%2d:%2d%15s", &h, &mi, &sec, rest) < 3)
            return -1;
        if (rest[0] == '.') {
            memmove(rest, rest + strspn(rest, ".0123456789"), strlen(rest) + 1);
        }
        if (rest[0] == '+' || rest[0] == '-') {
            sign = rest[0];
            if (sscanf(rest + 1, "%2d:%2d", &oh, &om) != 2 && sscanf(rest + 1, "%2d%2d", &oh, &om) != 2)
                return -1;
        } else if (rest[0] && strcmp(rest, "Z") != 0) {
            return -1;
        }
    }
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    t = timegm(&tm);
    if (sign)
        t -= (sign == '+' ? 1 : -1) * (oh * 3600 + om * 60);
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%S.000Z", &tm);
    return mo >= 1 && mo <= 12 && d >= 1 && d <= 31 ? 0 : -1;
}

int cmd_export(cli *c, int argc, char **argv)
{
    struct option *longopts = cli_options_with_filters(own_options);
    cli_filters f;
    export_state s = {.public_profile = 1};
    const char *thumbs_opt = NULL;
    char since[32] = "", now[40], *thumbs_dir = NULL;
    time_t t = time(NULL);
    struct tm tm;
    json_t *deleted = NULL;
    int opt, rc = 0;

    if (!longopts)
        return CLI_FATAL;
    cli_filters_init(&f);
    optind = 1;
    while (rc == 0 && (opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if ((rc = cli_filter_option(&f, opt, optarg, "export")) != 1)
            continue;
        rc = 0;
        switch (opt) {
        case O_PROFILE:
            if (strcmp(optarg, "public") && strcmp(optarg, "internal"))
                rc = cli_usage("export", "--profile is public or internal, not '%s'", optarg);
            s.public_profile = strcmp(optarg, "public") == 0;
            break;
        case O_SINCE:
            if (parse_since(optarg, since) != 0)
                rc = cli_usage("export", "--since wants an ISO 8601 date or time, not '%s'", optarg);
            break;
        case O_OUT: s.bundle = optarg; break;
        case O_JSONLD: s.jsonld = 1; break;
        case O_THUMBS: thumbs_opt = optarg; break;
        case 'J': break;        /* export is always JSON */
        case 'h':
            printf("%s%s", usage_head, cli_filter_help);
            free(longopts);
            return CLI_OK;
        default: rc = cli_usage("export", "bad option");
        }
    }
    free(longopts);
    if (rc)
        return rc;
    if (optind < argc)
        return cli_usage("export", "unexpected argument '%s'", argv[optind]);
    if ((rc = cli_open_catalog(c)) != 0 || (rc = cli_filters_resolve(c, &f)) != 0)
        return rc;
    /* the internal listing shows missing files too, with their status */
    f.q.any_status = !s.public_profile && !f.q.missing;
    f.q.changed_since = since[0] ? since : NULL;
    if (s.bundle) {
        char listing[PATH_MAX + 16];
        if (!(thumbs_dir = cli_thumbs_dir(c->db_path, thumbs_opt))) {
            cli_filters_release(&f);
            return CLI_FATAL;
        }
        s.thumbs_dir = thumbs_dir;
        snprintf(listing, sizeof listing, "%s/listing.json", s.bundle);
        make_parents(listing);
        if (!(s.out = fopen(listing, "w"))) {
            cli_error("cannot write '%s': %s", listing, strerror(errno));
            free(thumbs_dir);
            cli_filters_release(&f);
            return CLI_FATAL;
        }
    } else {
        s.out = stdout;
    }
    /* one thread writes: a record is some forty stdio calls, each of which
     * would otherwise take the stream's lock */
    __fsetlocking(s.out, FSETLOCKING_BYCALLER);
    gmtime_r(&t, &tm);
    strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", &tm);
    fprintf(s.out, "{\"format\":\"%s\",\"version\":%d,\"profile\":\"%s\",\"generated_at\":\"%s\"",
            EXPORT_FORMAT, EXPORT_VERSION, s.public_profile ? "public" : "internal", now);
    if (since[0])
        fprintf(s.out, ",\"since\":\"%s\"", since);
    fputs(",\"items\":[", s.out);
    s.cat = c->cat;
    rc = cat_read_begin(c->cat);
    if (rc == CAT_OK)
        rc = cat_lister_open(c->cat, (s.public_profile ? CAT_LIST_PUBLISHED_ONLY : 0)
                                         | (s.bundle || s.jsonld ? CAT_LIST_EXACT_REALS : 0),
                             &s.lister);
    if (rc == CAT_OK)
        rc = cat_files_matching(c->cat, &f.q, write_one, &s);
    cat_lister_free(s.lister);
    fprintf(s.out, "%s]", s.n.written ? "\n" : "");
    if (rc == CAT_OK && since[0]
        && (rc = cat_withdrawn_since(c->cat, since, s.public_profile, &deleted)) == CAT_OK) {
        fputs(",\"deleted\":", s.out);
        json_dumpf(deleted, s.out, JSON_COMPACT);
        json_decref(deleted);
    }
    fputs("}\n", s.out);
    cat_commit(c->cat);
    if (s.out != stdout && fclose(s.out) != 0)
        rc = CAT_ERROR;
    free(thumbs_dir);
    cli_filters_release(&f);
    if (rc != CAT_OK) {
        cli_error("export stopped: %s", cat_errmsg(c->cat));
        return rc == CAT_ERROR && strstr(cat_errmsg(c->cat), "bad search query") ? CLI_USAGE : CLI_FATAL;
    }
    /* what a web team did not get, and why, on stderr: the listing stays clean */
    fprintf(stderr, "reel: exported %lld record%s", (long long)s.n.written, s.n.written == 1 ? "" : "s");
    if (s.public_profile)
        fprintf(stderr, "; withheld %lld not public (%lld internal, %lld restricted), %lld missing,"
                        " %lld non-public segment%s",
                (long long)(s.n.internal + s.n.restricted), (long long)s.n.internal,
                (long long)s.n.restricted, (long long)s.n.missing, (long long)s.n.segments,
                s.n.segments == 1 ? "" : "s");
    fputc('\n', stderr);
    return s.failed ? CLI_PARTIAL : CLI_OK;
}
