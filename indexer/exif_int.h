/* exif_int.h - private to indexer/exif*.c: where EXIF values come from. */
#ifndef REEL_EXIF_INT_H
#define REEL_EXIF_INT_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

typedef struct exif_rational {
    uint32_t num, den;
} exif_rational;

/* One implementation per EXIF reader. ifd is libexif's ExifIfd numbering
 * (0 = IFD0, 2 = EXIF, 3 = GPS); each function returns -1 when the tag is
 * absent or of another type. */
typedef struct tag_source {
    int (*ascii)(void *src, int ifd, unsigned tag, char *out, size_t size);  /* 0 */
    int (*uint)(void *src, int ifd, unsigned tag, int *out);                  /* 0 */
    int (*rationals)(void *src, int ifd, unsigned tag, exif_rational *out, int max); /* count */
    void *src;
} tag_source;

/* Adds the record's EXIF fields read through t (see exif_read_fields). */
void exif_fields(const tag_source *t, json_t *rec);

#endif
