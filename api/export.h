/* export.h - private to api/: the export profiles and schema.org objects. */
#ifndef REEL_EXPORT_H
#define REEL_EXPORT_H

#include <stdint.h>
#include <stdio.h>
#include <jansson.h>
#include "catalog.h"

typedef struct export_counts {
    int64_t written, internal, restricted, missing;
    int64_t segments;          /* clips removed from records that went out */
} export_counts;

/* Whether a record goes into a public listing: present and marked public;
 * one that does not is counted in n (missing, internal, restricted). */
int export_is_public(const cat_record_text *rec, export_counts *n);
/* Writes a record as one JSON object: in the public profile, only the
 * fields that may be published and only public segments (the segments
 * left out are counted in n); in the internal one, every field. */
void export_write_public(const cat_record_text *rec, FILE *out, export_counts *n);
void export_write_internal(const cat_record_text *rec, FILE *out);

/* A schema.org VideoObject / ImageObject / AudioObject for a record;
 * thumb_url (may be NULL) is the poster's URL in the listing. New object. */
json_t *export_jsonld(const json_t *rec, const char *thumb_url);

#endif
