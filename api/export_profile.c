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

static const char *visibility_of(const json_t *o, const char *inherited)
{
    const char *v = json_string_value(json_object_get(o, "visibility"));
    return v ? v : inherited;
}

json_t *export_public(const json_t *rec, export_counts *n)
{
    const char *status = json_string_value(json_object_get(rec, "status"));
    const char *vis = visibility_of(rec, "internal");
    json_t *out, *segs;
    size_t i;

    if (status && strcmp(status, "ok") != 0) {
        n->missing++;
        return NULL;
    }
    if (strcmp(vis, "public") != 0) {
        if (strcmp(vis, "restricted") == 0)
            n->restricted++;
        else
            n->internal++;
        return NULL;
    }
    out = json_object();
    for (const char *const *k = public_fields; *k; k++)
        if (json_object_get(rec, *k))
            json_object_set_new(out, *k, json_deep_copy(json_object_get(rec, *k)));
    /* a clip may be less public than its file */
    segs = json_object_get(out, "segments");
    for (i = json_array_size(segs); i-- > 0;) {
        const json_t *s = json_array_get(segs, i);
        if (strcmp(visibility_of(s, vis), "public") != 0) {
            json_array_remove(segs, i);
            n->segments++;
        }
    }
    if (segs && json_array_size(segs) == 0)
        json_object_del(out, "segments");
    return out;
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
