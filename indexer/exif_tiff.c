/* exif_tiff.c - EXIF tags straight from a TIFF-structured file: IFD0, its
 * EXIF and GPS sub-IFDs. Every count and offset is checked against the
 * buffer, in 64-bit arithmetic, before it is used. */
#include <libexif/exif-ifd.h>
#include <libexif/exif-tag.h>
#include <string.h>

#include "exif.h"
#include "exif_int.h"

enum { T_BYTE = 1, T_ASCII = 2, T_SHORT = 3, T_LONG = 4, T_RATIONAL = 5, T_UNDEFINED = 7 };
#define MAX_ENTRIES 1024   /* per IFD: real ones hold a few dozen */

typedef struct tiff {
    const unsigned char *p;
    size_t len;
    int big;               /* Motorola byte order */
    uint64_t ifd[EXIF_IFD_COUNT];   /* offset of each IFD, 0 when absent */
} tiff;

static uint32_t u16(const tiff *t, uint64_t off)
{
    const unsigned char *b = t->p + off;
    return t->big ? (uint32_t)b[0] << 8 | b[1] : (uint32_t)b[1] << 8 | b[0];
}

static uint32_t u32(const tiff *t, uint64_t off)
{
    const unsigned char *b = t->p + off;
    return t->big ? (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3]
                  : (uint32_t)b[3] << 24 | (uint32_t)b[2] << 16 | (uint32_t)b[1] << 8 | b[0];
}

static int type_size(uint32_t type)
{
    switch (type) {
    case T_BYTE: case T_ASCII: case T_UNDEFINED: return 1;
    case T_SHORT: return 2;
    case T_LONG: return 4;
    case T_RATIONAL: return 8;
    default: return 0;
    }
}

/* Finds tag in the IFD; *type, *count and *data (offset of the value) set. */
static int find(const tiff *t, int ifd, unsigned tag, uint32_t *type, uint32_t *count,
                uint64_t *data)
{
    uint64_t base;
    uint32_t n;
    if (ifd < 0 || ifd >= EXIF_IFD_COUNT || !(base = t->ifd[ifd]) || base + 2 > t->len)
        return -1;
    n = u16(t, base);
    for (uint32_t i = 0; i < n && i < MAX_ENTRIES; i++) {
        uint64_t e = base + 2 + 12 * (uint64_t)i, size;
        int ts;
        if (e + 12 > t->len)
            return -1;
        if (u16(t, e) != tag)
            continue;
        *type = u16(t, e + 2);
        *count = u32(t, e + 4);
        if (!(ts = type_size(*type)))
            return -1;
        size = (uint64_t)ts * *count;
        *data = size <= 4 ? e + 8 : u32(t, e + 8);
        return *data + size <= t->len ? 0 : -1;
    }
    return -1;
}

static int tf_ascii(void *src, int ifd, unsigned tag, char *out, size_t size)
{
    const tiff *t = src;
    uint32_t type, count;
    uint64_t data;
    size_t n;
    if (find(t, ifd, tag, &type, &count, &data) || type != T_ASCII || !count || !size)
        return -1;
    n = count < size - 1 ? count : size - 1;
    memcpy(out, t->p + data, n);
    out[n] = 0;
    return 0;
}

static int tf_uint(void *src, int ifd, unsigned tag, int *out)
{
    const tiff *t = src;
    uint32_t type, count;
    uint64_t data;
    if (find(t, ifd, tag, &type, &count, &data) || count < 1)
        return -1;
    if (type == T_SHORT)
        *out = (int)u16(t, data);
    else if (type == T_LONG)
        *out = (int)u32(t, data);
    else
        return -1;
    return 0;
}

static int tf_rationals(void *src, int ifd, unsigned tag, exif_rational *out, int max)
{
    const tiff *t = src;
    uint32_t type, count;
    uint64_t data;
    int n = 0;
    if (find(t, ifd, tag, &type, &count, &data) || type != T_RATIONAL)
        return -1;
    for (; n < max && (uint32_t)n < count; n++)
        out[n] = (exif_rational){u32(t, data + 8 * (uint64_t)n), u32(t, data + 8 * (uint64_t)n + 4)};
    return n;
}

/* The offset a pointer tag (ExifIFD, GPS IFD) of IFD0 holds, or 0. */
static uint64_t sub_ifd(const tiff *t, unsigned tag)
{
    int v;
    return tf_uint((void *)t, EXIF_IFD_0, tag, &v) == 0 && v > 0 && (uint64_t)v + 2 <= t->len
               ? (uint64_t)(unsigned)v : 0;
}

int exif_read_tiff(const unsigned char *p, size_t len, json_t *rec)
{
    tiff t = {.p = p, .len = len};
    tag_source src = {tf_ascii, tf_uint, tf_rationals, &t};
    uint64_t ifd0;

    if (len < 8)
        return 0;
    if (memcmp(p, "II*\0", 4) == 0)
        t.big = 0;
    else if (memcmp(p, "MM\0*", 4) == 0)
        t.big = 1;
    else
        return 0;
    ifd0 = u32(&t, 4);
    if (ifd0 < 8 || ifd0 + 2 > len)
        return 0;
    t.ifd[EXIF_IFD_0] = ifd0;
    t.ifd[EXIF_IFD_EXIF] = sub_ifd(&t, EXIF_TAG_EXIF_IFD_POINTER);
    t.ifd[EXIF_IFD_GPS] = sub_ifd(&t, EXIF_TAG_GPS_INFO_IFD_POINTER);
    exif_fields(&src, rec);
    return 1;
}
