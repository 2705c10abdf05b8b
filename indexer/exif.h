/* exif.h - photo facts from EXIF: libexif for JPEG and HEIF blocks, and a
 * bounded TIFF IFD reader for TIFF-based raw files, whose EXIF often lies
 * beyond the 64 KiB that libexif reads (it follows JPEG's segment limit). */
#ifndef REEL_EXIF_H
#define REEL_EXIF_H

#include <stddef.h>
#include <jansson.h>

/* Parses the EXIF block at buf ("Exif\0\0" followed by a TIFF header, or a
 * bare TIFF header) with libexif. Adds to rec what it finds:
 * recorded_at (+ recorded_at_source "exif"; DateTimeOriginal, else
 * DateTimeDigitized, else DateTime, each with its OffsetTime* tag),
 * camera {make, model}, orientation and rotation, location (+
 * location_source "exif"), tags description/artist, and exif_width /
 * exif_height for callers without a better source of dimensions. Returns 1
 * when there was EXIF data, 0 when there was none. Never fails on bad data:
 * what cannot be read is left out. */
int exif_read_fields(const unsigned char *buf, size_t len, json_t *rec);

/* The same fields from a whole TIFF-structured file in memory (TIFF, DNG,
 * CR2, NEF...), read with reel's own IFD walker: every offset is checked
 * against len, so a hostile file cannot make it read out of bounds. */
int exif_read_tiff(const unsigned char *tiff, size_t len, json_t *rec);

/* Finds the EXIF block of a JPEG: walks the marker segments from SOI to the
 * first APP1 that starts with "Exif\0\0" (other APPn and COM segments may
 * come first: libexif alone gives up on those). Returns the offset of the
 * "Exif" bytes in the file and its length, or -1. Reads with pread on fd. */
long exif_find_jpeg_app1(int fd, long file_size, size_t *out_len);

/* EXIF orientation 1..8 -> clockwise rotation in degrees (0, 90, 180, 270). */
int exif_orientation_rotation(int orientation);

#endif
