/* exif.c - the EXIF fields of the record: date, camera, orientation, GPS.
 * The field logic is written once against a small tag-source interface;
 * libexif and the TIFF walker (exif_tiff.c) are its two implementations. */
#include "exif.h"

#include <libexif/exif-data.h>
#include <string.h>
#include <unistd.h>

#include "datetime.h"
#include "exif_int.h"
#include "geo.h"

int exif_orientation_rotation(int o)
{
    switch (o) {
    case 3: case 4: return 180;
    case 5: case 6: return 90;
    case 7: case 8: return 270;
    default: return 0;
    }
}

/* ---- the fields, from any tag source ----------------------------------------- */

static const struct {
    int ifd;
    unsigned tag, offset;
} dates[] = {
    {EXIF_IFD_EXIF, EXIF_TAG_DATE_TIME_ORIGINAL, EXIF_TAG_OFFSET_TIME_ORIGINAL},
    {EXIF_IFD_0, EXIF_TAG_DATE_TIME_ORIGINAL, EXIF_TAG_OFFSET_TIME_ORIGINAL},
    {EXIF_IFD_EXIF, EXIF_TAG_DATE_TIME_DIGITIZED, EXIF_TAG_OFFSET_TIME_DIGITIZED},
    {EXIF_IFD_0, EXIF_TAG_DATE_TIME, EXIF_TAG_OFFSET_TIME},
};

/* ASCII value trimmed of the spaces and NULs cameras pad with. */
static int text(const tag_source *t, int ifd, unsigned tag, char *out, size_t size)
{
    size_t n;
    if (t->ascii(t->src, ifd, tag, out, size) != 0)
        return -1;
    n = strlen(out);
    while (n && (out[n - 1] == ' ' || out[n - 1] == '\n'))
        out[--n] = 0;
    return n ? 0 : -1;
}

/* Degrees from the three rationals of GPSLatitude/GPSLongitude. */
static int gps_degrees(const tag_source *t, unsigned tag, unsigned ref_tag, char neg_ref,
                       double *out)
{
    exif_rational r[3];
    char ref[4] = "";
    double v = 0, scale = 1;
    int n = t->rationals(t->src, EXIF_IFD_GPS, tag, r, 3);

    if (n < 1)
        return -1;
    for (int i = 0; i < n; i++) {
        if (r[i].den == 0) {
            if (r[i].num == 0 && i > 0)
                continue;       /* 0/0 minutes or seconds: some writers' "none" */
            return -1;
        }
        v += (double)r[i].num / r[i].den / scale;
        scale *= 60;
    }
    /* a missing reference means north/east, as exiftool reads it */
    text(t, EXIF_IFD_GPS, ref_tag, ref, sizeof ref);
    *out = (ref[0] == neg_ref || ref[0] == neg_ref + 32) ? -v : v;
    return 0;
}

static json_t *tags_of(json_t *rec)
{
    json_t *t = json_object_get(rec, "tags");
    if (!t) {
        t = json_object();
        json_object_set_new(rec, "tags", t);
    }
    return t;
}

static void put_dimension(const tag_source *t, json_t *rec, const char *key, unsigned exif_tag,
                          unsigned ifd0_tag)
{
    int v;
    if ((t->uint(t->src, EXIF_IFD_EXIF, exif_tag, &v) == 0 && v > 0)
        || (t->uint(t->src, EXIF_IFD_0, ifd0_tag, &v) == 0 && v > 0))
        json_object_set_new(rec, key, json_integer(v));
}

void exif_fields(const tag_source *t, json_t *rec)
{
    char s[256], off[16], when[DATETIME_MAX];
    json_t *cam = json_object();
    double lat, lon;
    int v;

    /* when the picture was taken, else digitised, else last written */
    for (size_t i = 0; i < sizeof dates / sizeof *dates; i++) {
        if (text(t, dates[i].ifd, dates[i].tag, s, sizeof s) != 0)
            continue;
        if (text(t, EXIF_IFD_EXIF, dates[i].offset, off, sizeof off) != 0)
            off[0] = 0;
        if (datetime_from_exif(s, off, when) == 0) {
            json_object_set_new(rec, "recorded_at", json_string(when));
            json_object_set_new(rec, "recorded_at_source", json_string("exif"));
            break;
        }
    }
    if (text(t, EXIF_IFD_0, EXIF_TAG_MAKE, s, sizeof s) == 0)
        json_object_set_new(cam, "make", json_string(s));
    if (text(t, EXIF_IFD_0, EXIF_TAG_MODEL, s, sizeof s) == 0)
        json_object_set_new(cam, "model", json_string(s));
    if (json_object_size(cam))
        json_object_set_new(rec, "camera", cam);
    else
        json_decref(cam);
    if (t->uint(t->src, EXIF_IFD_0, EXIF_TAG_ORIENTATION, &v) == 0 && v >= 1 && v <= 8) {
        json_object_set_new(rec, "orientation", json_integer(v));
        json_object_set_new(rec, "rotation", json_integer(exif_orientation_rotation(v)));
    }
    if (gps_degrees(t, EXIF_TAG_GPS_LATITUDE, EXIF_TAG_GPS_LATITUDE_REF, 'S', &lat) == 0
        && gps_degrees(t, EXIF_TAG_GPS_LONGITUDE, EXIF_TAG_GPS_LONGITUDE_REF, 'W', &lon) == 0
        && geo_valid(lat, lon)) {
        json_object_set_new(rec, "location", json_pack("{s:f,s:f}", "lat", lat, "lon", lon));
        json_object_set_new(rec, "location_source", json_string("exif"));
    }
    if (text(t, EXIF_IFD_0, EXIF_TAG_IMAGE_DESCRIPTION, s, sizeof s) == 0)
        json_object_set_new(tags_of(rec), "description", json_string(s));
    if (text(t, EXIF_IFD_0, EXIF_TAG_ARTIST, s, sizeof s) == 0)
        json_object_set_new(tags_of(rec), "artist", json_string(s));
    put_dimension(t, rec, "exif_width", EXIF_TAG_PIXEL_X_DIMENSION, EXIF_TAG_IMAGE_WIDTH);
    put_dimension(t, rec, "exif_height", EXIF_TAG_PIXEL_Y_DIMENSION, EXIF_TAG_IMAGE_LENGTH);
}

/* ---- libexif as a tag source ------------------------------------------------- */

static ExifEntry *entry(void *src, int ifd, unsigned tag)
{
    ExifData *ed = src;
    return ifd >= 0 && ifd < EXIF_IFD_COUNT ? exif_content_get_entry(ed->ifd[ifd], (ExifTag)tag) : NULL;
}

static int lx_ascii(void *src, int ifd, unsigned tag, char *out, size_t size)
{
    ExifEntry *e = entry(src, ifd, tag);
    size_t n;
    if (!e || e->format != EXIF_FORMAT_ASCII || !e->data || !e->size || size == 0)
        return -1;
    n = e->size < size - 1 ? e->size : size - 1;
    memcpy(out, e->data, n);
    out[n] = 0;
    return 0;
}

static int lx_uint(void *src, int ifd, unsigned tag, int *out)
{
    ExifEntry *e = entry(src, ifd, tag);
    ExifByteOrder bo = exif_data_get_byte_order(src);
    if (!e || !e->data || e->components < 1)
        return -1;
    if (e->format == EXIF_FORMAT_SHORT && e->size >= 2)
        *out = exif_get_short(e->data, bo);
    else if (e->format == EXIF_FORMAT_LONG && e->size >= 4)
        *out = (int)exif_get_long(e->data, bo);
    else
        return -1;
    return 0;
}

static int lx_rationals(void *src, int ifd, unsigned tag, exif_rational *out, int max)
{
    ExifEntry *e = entry(src, ifd, tag);
    ExifByteOrder bo = exif_data_get_byte_order(src);
    int n = 0;
    if (!e || e->format != EXIF_FORMAT_RATIONAL || !e->data)
        return -1;
    for (; n < max && (unsigned)n < e->components && (size_t)(n + 1) * 8 <= e->size; n++) {
        ExifRational r = exif_get_rational(e->data + 8 * n, bo);
        out[n] = (exif_rational){r.numerator, r.denominator};
    }
    return n;
}

int exif_read_fields(const unsigned char *buf, size_t len, json_t *rec)
{
    ExifData *ed = exif_data_new();
    tag_source t = {lx_ascii, lx_uint, lx_rationals, ed};

    if (!ed)
        return 0;
    /* keep the values as written: no tag fixing, no maker notes (their
     * parsers are the part of libexif most often hit by bad files) */
    exif_data_unset_option(ed, EXIF_DATA_OPTION_FOLLOW_SPECIFICATION);
    exif_data_set_option(ed, EXIF_DATA_OPTION_IGNORE_UNKNOWN_TAGS);
    exif_data_set_option(ed, EXIF_DATA_OPTION_DONT_CHANGE_MAKER_NOTE);
    exif_data_load_data(ed, buf, (unsigned int)(len > 0xFFFFFFu ? 0xFFFFFFu : len));
    if (!ed->ifd[EXIF_IFD_0]->count && !ed->ifd[EXIF_IFD_EXIF]->count) {
        exif_data_unref(ed);
        return 0;
    }
    exif_fields(&t, rec);
    exif_data_unref(ed);
    return 1;
}

/* ---- finding the block in a JPEG ------------------------------------------------ */

long exif_find_jpeg_app1(int fd, long size, size_t *out_len)
{
    long pos = 2;
    unsigned char b[10];

    for (int guard = 0; guard < 1024 && pos + 4 <= size; guard++) {
        unsigned marker, len;
        if (pread(fd, b, 4, pos) != 4 || b[0] != 0xFF)
            return -1;
        marker = b[1];
        if (marker == 0xFF) {           /* fill byte */
            pos++;
            continue;
        }
        if (marker == 0xD9 || marker == 0xDA)
            return -1;                  /* image data: no EXIF before it */
        if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
            pos += 2;
            continue;
        }
        len = (unsigned)b[2] << 8 | b[3];
        if (len < 2)
            return -1;
        if (marker == 0xE1 && len >= 8 && pread(fd, b, 6, pos + 4) == 6
            && memcmp(b, "Exif\0\0", 6) == 0) {
            *out_len = len - 2;
            return pos + 4;
        }
        pos += 2 + len;
    }
    return -1;
}
