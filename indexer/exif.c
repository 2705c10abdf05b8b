/* exif.c - the EXIF fields of the record: date, camera, orientation, GPS. */
#include "exif.h"

#include <libexif/exif-data.h>
#include <libexif/exif-loader.h>
#include <math.h>
#include <string.h>

#include "datetime.h"
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

/* ASCII value of a tag, trimmed of the spaces and NULs cameras pad with. */
static int ascii(ExifData *ed, ExifIfd ifd, ExifTag tag, char *out, size_t size)
{
    ExifEntry *e = exif_content_get_entry(ed->ifd[ifd], tag);
    size_t n;
    if (!e || e->format != EXIF_FORMAT_ASCII || !e->data || !e->size || size == 0)
        return -1;
    n = e->size < size - 1 ? e->size : size - 1;
    memcpy(out, e->data, n);
    out[n] = 0;
    n = strlen(out);
    while (n && (out[n - 1] == ' ' || out[n - 1] == '\n'))
        out[--n] = 0;
    return n ? 0 : -1;
}

static int short_value(ExifData *ed, ExifIfd ifd, ExifTag tag, int *out)
{
    ExifEntry *e = exif_content_get_entry(ed->ifd[ifd], tag);
    ExifByteOrder bo = exif_data_get_byte_order(ed);
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

/* Degrees from the three rationals of GPSLatitude/GPSLongitude. */
static int gps_degrees(ExifData *ed, ExifTag tag, ExifTag ref_tag, char neg_ref, double *out)
{
    ExifEntry *e = exif_content_get_entry(ed->ifd[EXIF_IFD_GPS], tag);
    ExifByteOrder bo = exif_data_get_byte_order(ed);
    char ref[4] = "";
    double v = 0, scale = 1;

    if (!e || e->format != EXIF_FORMAT_RATIONAL || e->components < 1 || !e->data)
        return -1;
    for (unsigned i = 0; i < e->components && i < 3; i++) {
        ExifRational r = exif_get_rational(e->data + 8 * i, bo);
        if (r.denominator == 0) {
            if (r.numerator == 0 && i > 0)
                continue;       /* 0/0 minutes or seconds: some writers' "none" */
            return -1;
        }
        v += (double)r.numerator / r.denominator / scale;
        scale *= 60;
    }
    /* a missing reference means north/east, as exiftool reads it */
    ascii(ed, EXIF_IFD_GPS, ref_tag, ref, sizeof ref);
    *out = (ref[0] == neg_ref || ref[0] == neg_ref + 32) ? -v : v;
    return 0;
}

static void put_string(json_t *o, const char *key, const char *v)
{
    json_object_set_new(o, key, json_string(v));
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

static const struct {
    ExifIfd ifd;
    ExifTag tag, offset;
} dates[] = {
    {EXIF_IFD_EXIF, EXIF_TAG_DATE_TIME_ORIGINAL, EXIF_TAG_OFFSET_TIME_ORIGINAL},
    {EXIF_IFD_0, EXIF_TAG_DATE_TIME_ORIGINAL, EXIF_TAG_OFFSET_TIME_ORIGINAL},
    {EXIF_IFD_EXIF, EXIF_TAG_DATE_TIME_DIGITIZED, EXIF_TAG_OFFSET_TIME_DIGITIZED},
    {EXIF_IFD_0, EXIF_TAG_DATE_TIME, EXIF_TAG_OFFSET_TIME},
};

int exif_read_fields(const unsigned char *buf, size_t len, json_t *rec)
{
    ExifData *ed = exif_data_new();
    char s[256], off[16];
    char when[DATETIME_MAX];
    int v;
    double lat, lon;

    if (!ed)
        return 0;
    /* keep the values as written: no tag fixing, no maker notes (their
     * parsers are the part of libexif most often hit by bad files) */
    exif_data_unset_option(ed, EXIF_DATA_OPTION_FOLLOW_SPECIFICATION);
    exif_data_set_option(ed, EXIF_DATA_OPTION_IGNORE_UNKNOWN_TAGS);
    exif_data_set_option(ed, EXIF_DATA_OPTION_DONT_CHANGE_MAKER_NOTE);
    exif_data_load_data(ed, buf, (unsigned int)len);
    if (!ed->ifd[EXIF_IFD_0]->count && !ed->ifd[EXIF_IFD_EXIF]->count) {
        exif_data_unref(ed);
        return 0;
    }

    /* when the picture was taken, else digitised, else last written; each
     * with its own offset tag */
    for (size_t i = 0; i < sizeof dates / sizeof *dates; i++) {
        if (ascii(ed, dates[i].ifd, dates[i].tag, s, sizeof s) != 0)
            continue;
        if (ascii(ed, EXIF_IFD_EXIF, dates[i].offset, off, sizeof off) != 0)
            off[0] = 0;
        if (datetime_from_exif(s, off, when) == 0) {
            put_string(rec, "recorded_at", when);
            put_string(rec, "recorded_at_source", "exif");
            break;
        }
    }
    {
        json_t *cam = json_object();
        if (ascii(ed, EXIF_IFD_0, EXIF_TAG_MAKE, s, sizeof s) == 0)
            put_string(cam, "make", s);
        if (ascii(ed, EXIF_IFD_0, EXIF_TAG_MODEL, s, sizeof s) == 0)
            put_string(cam, "model", s);
        if (json_object_size(cam))
            json_object_set_new(rec, "camera", cam);
        else
            json_decref(cam);
    }
    if (short_value(ed, EXIF_IFD_0, EXIF_TAG_ORIENTATION, &v) == 0 && v >= 1 && v <= 8) {
        json_object_set_new(rec, "orientation", json_integer(v));
        json_object_set_new(rec, "rotation", json_integer(exif_orientation_rotation(v)));
    }
    if (gps_degrees(ed, EXIF_TAG_GPS_LATITUDE, EXIF_TAG_GPS_LATITUDE_REF, 'S', &lat) == 0
        && gps_degrees(ed, EXIF_TAG_GPS_LONGITUDE, EXIF_TAG_GPS_LONGITUDE_REF, 'W', &lon) == 0
        && geo_valid(lat, lon)) {
        json_object_set_new(rec, "location", json_pack("{s:f,s:f}", "lat", lat, "lon", lon));
        put_string(rec, "location_source", "exif");
    }
    if (ascii(ed, EXIF_IFD_0, EXIF_TAG_IMAGE_DESCRIPTION, s, sizeof s) == 0)
        put_string(tags_of(rec), "description", s);
    if (ascii(ed, EXIF_IFD_0, EXIF_TAG_ARTIST, s, sizeof s) == 0)
        put_string(tags_of(rec), "artist", s);
    if (short_value(ed, EXIF_IFD_EXIF, EXIF_TAG_PIXEL_X_DIMENSION, &v) == 0 && v > 0)
        json_object_set_new(rec, "exif_width", json_integer(v));
    else if (short_value(ed, EXIF_IFD_0, EXIF_TAG_IMAGE_WIDTH, &v) == 0 && v > 0)
        json_object_set_new(rec, "exif_width", json_integer(v));
    if (short_value(ed, EXIF_IFD_EXIF, EXIF_TAG_PIXEL_Y_DIMENSION, &v) == 0 && v > 0)
        json_object_set_new(rec, "exif_height", json_integer(v));
    else if (short_value(ed, EXIF_IFD_0, EXIF_TAG_IMAGE_LENGTH, &v) == 0 && v > 0)
        json_object_set_new(rec, "exif_height", json_integer(v));
    exif_data_unref(ed);
    return 1;
}
