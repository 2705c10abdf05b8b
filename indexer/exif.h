/* exif.h - photo facts from an EXIF block, with libexif. */
#ifndef REEL_EXIF_H
#define REEL_EXIF_H

#include <stddef.h>
#include <jansson.h>

/* Parses EXIF from buf: a JPEG's first bytes (libexif finds the APP1
 * segment) or "Exif\0\0" followed by a TIFF header. Adds to rec what it
 * finds: recorded_at (+ recorded_at_source "exif"), camera {make, model},
 * orientation and rotation, location (+ location_source "exif"), tags
 * description/artist, and exif_width/exif_height for callers without a
 * better source of dimensions. Returns 1 when there was EXIF data, 0 when
 * there was none. Never fails on bad data: what cannot be read is left out. */
int exif_read_fields(const unsigned char *buf, size_t len, json_t *rec);

/* EXIF orientation 1..8 -> clockwise rotation in degrees (0, 90, 180, 270). */
int exif_orientation_rotation(int orientation);

#endif
