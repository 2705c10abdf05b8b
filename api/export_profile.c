/* export_profile.c - what a listing may carry. Testimony can put a witness
 * in danger: the public profile keeps only what is marked public, and never
 * a position, a consent note, raw container tags (they can hold GPS) or
 * catalogue bookkeeping. The rule is a list of what may go out, not of what
 * must not: a field added to records later stays internal until it is
 * added here. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "export.h"

static const char *const public_fields[] = {
    "id", "root", "path", "kind", "size", "mtime", "sha256", "format", "duration", "bit_rate",
    "width", "height", "rotation", "fps", "streams", "chapters", "recorded_at",
    "recorded_at_source", "camera", "orientation", "title", "description", "people",
    "countries", "place", "event", "campaign", "organisation", "languages", "keywords",
    "visibility", "segments", "subtitles", "thumbnail", "thumbnail_time", "storyboard", NULL,
};

static const cat_text *field_of(const cat_record_text *rec, const char *key)
{
    for (size_t i = 0; i < rec->n; i++)
        if (rec->field[i].key[0] == key[0] && strcmp(rec->field[i].key, key) == 0)
            return &rec->field[i].value;
    return NULL;
}

/* Values are JSON text: a string value is its quoted form. */
static int text_is(const cat_text *t, const char *json)
{
    return t && t->len == strlen(json) && memcmp(t->json, json, t->len) == 0;
}

static void put_key(FILE *out, int *first, const char *key)
{
    fputs(*first ? "{\"" : ",\"", out);
    fputs(key, out);
    fputs("\":", out);
    *first = 0;
}

int export_is_public(const cat_record_text *rec, export_counts *n)
{
    const cat_text *status = field_of(rec, "status"), *vis = field_of(rec, "visibility");
    if (status && !text_is(status, "\"ok\"")) {
        n->missing++;
        return 0;
    }
    if (!text_is(vis, "\"public\"")) {
        if (text_is(vis, "\"restricted\""))
            n->restricted++;
        else
            n->internal++;
        return 0;
    }
    return 1;
}

/* A clip may be less public than its file: only public segments go out
 * (one with no visibility of its own has the file's, public here), and
 * "segments" not at all when none is left or it is not a list. */
static void put_segments(const cat_record_text *rec, FILE *out, int *first, export_counts *n)
{
    int kept = 0;
    for (size_t i = 0; rec->segments_array && i < rec->n_segments; i++) {
        const cat_segment_text *s = &rec->segment[i];
        if (s->visibility.json && !text_is(&s->visibility, "\"public\"")) {
            n->segments++;
            continue;
        }
        if (!kept++)
            put_key(out, first, "segments");
        fputc(kept > 1 ? ',' : '[', out);
        fwrite(s->json.json, 1, s->json.len, out);
    }
    if (kept)
        fputc(']', out);
}

void export_write_public(const cat_record_text *rec, FILE *out, export_counts *n)
{
    int first = 1;
    for (const char *const *k = public_fields; *k; k++) {
        const cat_text *v = field_of(rec, *k);
        if (!v)
            continue;
        if (strcmp(*k, "segments") == 0) {
            put_segments(rec, out, &first, n);
            continue;
        }
        put_key(out, &first, *k);
        fwrite(v->json, 1, v->len, out);
    }
    fputs(first ? "{}" : "}", out);
}

void export_write_internal(const cat_record_text *rec, FILE *out)
{
    int first = 1;
    for (size_t i = 0; i < rec->n; i++) {
        put_key(out, &first, rec->field[i].key);
        fwrite(rec->field[i].value.json, 1, rec->field[i].value.len, out);
    }
    fputs(first ? "{}" : "}", out);
}

static void iso_duration(double seconds, char out[48])
{
    long long ms = seconds > 0 ? (long long)(seconds * 1000 + 0.5) : 0;
    snprintf(out, 48, "PT%lldH%lldM%lld.%03lldS", ms / 3600000, ms / 60000 % 60, ms / 1000 % 60, ms % 1000);
}

json_t *export_jsonld(const json_t *rec, const char *thumb_url)
{
    const char *kind = json_string_value(json_object_get(rec, "kind"));
    const char *type = kind && strcmp(kind, "photo") == 0 ? "ImageObject"
                       : kind && strcmp(kind, "audio") == 0 ? "AudioObject" : "VideoObject";
    json_t *ld = json_pack("{s:s,s:s}", "@context", "https://schema.org", "@type", type), *v;
    size_t i;

    json_object_set_new(ld, "identifier", json_deep_copy(json_object_get(rec, "id")));
    if ((v = json_object_get(rec, "title")))
        json_object_set(ld, "name", v);
    if ((v = json_object_get(rec, "description")))
        json_object_set(ld, "description", v);
    if ((v = json_object_get(rec, "recorded_at")))
        json_object_set(ld, kind && strcmp(kind, "photo") == 0 ? "dateCreated" : "uploadDate", v);
    if (json_is_number(json_object_get(rec, "duration"))) {
        char d[48];
        iso_duration(json_number_value(json_object_get(rec, "duration")), d);
        json_object_set_new(ld, "duration", json_string(d));
    }
    if (thumb_url)
        json_object_set_new(ld, "thumbnailUrl", json_string(thumb_url));
    if ((v = json_object_get(rec, "width")))
        json_object_set(ld, "width", v);
    if ((v = json_object_get(rec, "height")))
        json_object_set(ld, "height", v);
    if ((v = json_object_get(rec, "languages")))
        json_object_set(ld, "inLanguage", v);
    if ((v = json_object_get(rec, "place")))
        json_object_set_new(ld, "contentLocation", json_pack("{s:s,s:O}", "@type", "Place", "name", v));
    if (json_array_size(json_object_get(rec, "keywords"))) {
        char *kw = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&kw, &len);
        json_array_foreach(json_object_get(rec, "keywords"), i, v)
            if (m)
                fprintf(m, "%s%s", i ? ", " : "", json_string_value(v));
        if (m) {
            fclose(m);
            json_object_set_new(ld, "keywords", json_string(kw));
        }
        free(kw);
    }
    if (json_array_size(json_object_get(rec, "people"))) {
        json_t *people = json_array();
        json_array_foreach(json_object_get(rec, "people"), i, v)
            json_array_append_new(people, json_pack("{s:s,s:O}", "@type", "Person", "name",
                                                    json_object_get(v, "name")));
        json_object_set_new(ld, "contributor", people);
    }
    if ((v = json_object_get(rec, "organisation")))
        json_object_set_new(ld, "publisher", json_pack("{s:s,s:O}", "@type", "Organization", "name", v));
    return ld;
}
