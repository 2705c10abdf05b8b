/* export.h - private to api/: the export profiles and schema.org objects. */
#ifndef REEL_EXPORT_H
#define REEL_EXPORT_H

#include <stdint.h>
#include <jansson.h>

typedef struct export_counts {
    int64_t written, internal, restricted, missing;
    int64_t segments;          /* clips removed from records that went out */
} export_counts;

/* The public profile of a record: a new object with only the fields that
 * may be published and only public segments, or NULL when the record is
 * not public or not present (counted in n). */
json_t *export_public(const json_t *rec, export_counts *n);

/* A schema.org VideoObject / ImageObject / AudioObject for a record;
 * thumb_url (may be NULL) is the poster's URL in the listing. New object. */
json_t *export_jsonld(const json_t *rec, const char *thumb_url);

#endif
