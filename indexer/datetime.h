/* datetime.h - the dates found in media files, normalised to ISO 8601. */
#ifndef REEL_DATETIME_H
#define REEL_DATETIME_H

#include <stdint.h>

#define DATETIME_MAX 64

/* EXIF "YYYY:MM:DD HH:MM:SS" plus an optional OffsetTime "+HH:MM" ->
 * "YYYY-MM-DDTHH:MM:SS[+HH:MM]". Returns 0, or -1 for an empty, zeroed or
 * impossible date (cameras write "0000:00:00 00:00:00" and worse). */
int datetime_from_exif(const char *date, const char *offset, char out[DATETIME_MAX]);

/* A container's creation time ("2014-10-24T09:00:00.000000Z",
 * "2019-03-17T11:25:10+0100", "2014-10-24 09:00:00") -> ISO 8601 with its
 * offset as "Z" or "+HH:MM" (none when the source has none); fractions of a
 * second are kept only when non-zero. Returns -1 for unparsable or
 * placeholder times (the 1904/1970 epochs that mean "unset"). */
int datetime_from_container(const char *s, char out[DATETIME_MAX]);

/* The current time as "YYYY-MM-DDTHH:MM:SS.mmmZ". */
void datetime_now(char out[DATETIME_MAX]);

/* Nanoseconds since the epoch -> "YYYY-MM-DDTHH:MM:SSZ". */
void datetime_from_epoch_ns(int64_t ns, char out[DATETIME_MAX]);

#endif
