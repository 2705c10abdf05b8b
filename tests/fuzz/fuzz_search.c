/*
 * fuzz_search: libFuzzer target for the search-query path: the input as the
 * words of `reel search` (FTS5 syntax, bound as a parameter) and as a name
 * for --speaker, run against a small catalogue made once. Malformed queries
 * must come back as errors, never crash. Built only with -DREEL_FUZZ=ON
 * (clang); see README.md.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static cat *c;

static int ignore(const cat_hit *hit, void *payload)
{
    (void)hit;
    (void)payload;
    return 0;
}

/* One file with a title, a sidecar person and a transcript cue. */
static void make_catalogue(void)
{
    char path[64], *err = NULL;
    int64_t root, scan, id;
    enum cat_put_outcome how;
    json_t *rec = json_pack("{s:s,s:s,s:s,s:I,s:I,s:f,s:{s:s}}", "kind", "video", "format", "mp4",
                            "sha256", "00", "size", (json_int_t)1, "mtime_ns", (json_int_t)1,
                            "duration", 10.0, "tags", "title", "Political prisoners speak");
    json_t *doc = json_pack("{s:[{s:s,s:s,s:[s]}],s:[{s:f,s:f,s:s}]}", "people", "name",
                            "Ales Bialiatski", "role", "speaker", "aliases", "Алесь Бяляцкі",
                            "segments", "start", 1.0, "end", 2.0, "title", "Life after prison");
    json_t *tracks = json_pack("[{s:s,s:[{s:f,s:f,s:s}]}]", "track", "t.en.srt", "cues", "start",
                               1.0, "end", 2.0, "text", "we talk about freedom");
    snprintf(path, sizeof path, "/tmp/reel-fuzz-search-%d.db", (int)getpid());
    unlink(path);
    if (cat_open(&c, path, &err) != CAT_OK || cat_begin(c) != CAT_OK
        || cat_root_ensure(c, "/archive", &root) != CAT_OK || cat_scan_begin(c, "[]", &scan) != CAT_OK
        || cat_media_put(c, root, "a.mp4", rec, scan, &how, &id) != CAT_OK
        || cat_editorial_put(c, id, doc, "Ales Bialiatski") != CAT_OK
        || cat_cues_put(c, id, "file", tracks) != CAT_OK || cat_commit(c) != CAT_OK
        || cat_sieve_refresh(c) != CAT_OK)   /* searches with filters read the sieve */
        abort();
    json_decref(rec);
    json_decref(doc);
    json_decref(tracks);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cat_query q = {.min_duration = -1, .max_duration = -1, .limit = 10};
    char *text = malloc(size + 1);
    json_t *names = NULL;
    int64_t total;

    if (!c)
        make_catalogue();
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = 0;
    q.words = text;
    cat_find(c, &q, &total, ignore, NULL);
    q.kind = "video";                   /* the words again, hits tested by the sieve */
    cat_find(c, &q, &total, ignore, NULL);
    q.kind = NULL;
    q.words = NULL;
    if (cat_people_match(c, text, &names) == CAT_OK) {
        char *list = json_dumps(names, JSON_COMPACT);
        q.speakers = list;
        cat_find(c, &q, &total, ignore, NULL);
        free(list);
    }
    json_decref(names);
    free(text);
    return 0;
}
