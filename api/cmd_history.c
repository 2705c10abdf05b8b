/* cmd_history.c - `reel history ID|PATH...`: a file's custody log. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char usage[] =
    "usage: reel history [--json] ID|PATH...\n\n"
    "Prints the custody log of each file, oldest first, with UTC times: when it\n"
    "was first seen (with its SHA-256), changed (old and new SHA-256), moved (old\n"
    "and new path), went missing, reappeared, and what each 'reel verify' found\n"
    "(verified_ok, verified_altered, verified_missing). The log is append-only.\n";

static const char *str(const json_t *e, const char *key)
{
    return json_string_value(json_object_get(e, key));
}

static void put_place(const char *root, const char *path)
{
    cli_put_safe(stdout, root ? root : "?");
    putchar('/');
    cli_put_safe(stdout, path ? path : "?");
}

/* One line: time, event, then what the event is about. */
static void print_event(const json_t *e)
{
    const char *ev = str(e, "event");
    long long size = (long long)json_integer_value(json_object_get(e, "size"));
    long long old_size = (long long)json_integer_value(json_object_get(e, "old_size"));

    printf("%s  %-17s ", str(e, "at"), ev);
    if (strcmp(ev, "moved") == 0) {
        put_place(str(e, "old_root"), str(e, "old_path"));
        fputs(" -> ", stdout);
        put_place(str(e, "root"), str(e, "path"));
    } else if (strcmp(ev, "changed") == 0) {
        printf("sha256 %s -> %s, size %lld -> %lld", str(e, "old_sha256"), str(e, "sha256"),
               old_size, size);
    } else if (strcmp(ev, "verified_altered") == 0) {
        printf("sha256 %s found, %s catalogued, size %lld (catalogued %lld)", str(e, "sha256"),
               str(e, "old_sha256"), size, old_size);
    } else if (strcmp(ev, "first_seen") == 0) {
        put_place(str(e, "root"), str(e, "path"));
        printf(" sha256 %s, %lld bytes", str(e, "sha256"), size);
    } else {
        put_place(str(e, "root"), str(e, "path"));
    }
    if (json_object_get(e, "scan_id"))
        printf("  (scan %lld)", (long long)json_integer_value(json_object_get(e, "scan_id")));
    putchar('\n');
}

static int history_one(cli *c, int64_t rowid, json_t *rec, int json, int first)
{
    json_t *events = NULL;
    if (cat_custody_list(c->cat, rowid, &events) != CAT_OK) {
        cli_error("%s", cat_errmsg(c->cat));
        return CLI_PARTIAL;
    }
    if (json) {
        json_t *doc = json_pack("{s:O,s:O,s:O,s:O}", "id", json_object_get(rec, "id"),
                                "root", json_object_get(rec, "root"), "path",
                                json_object_get(rec, "path"), "events", events);
        cli_print_json(doc);
        json_decref(doc);
    } else {
        size_t k;
        json_t *e;
        if (!first)
            putchar('\n');
        printf("%s  ", str(rec, "id"));
        put_place(str(rec, "root"), str(rec, "path"));
        putchar('\n');
        json_array_foreach(events, k, e) {
            print_event(e);
        }
    }
    json_decref(events);
    return CLI_OK;
}

int cmd_history(cli *c, int argc, char **argv)
{
    return cli_for_each_record(c, argc, argv, "history", usage, history_one);
}
