/* geo.h - locations from container tags and EXIF, as signed decimal degrees. */
#ifndef REEL_GEO_H
#define REEL_GEO_H

/* Nonzero when lat/lon is a real position: within range, and not the
 * 0,0 that devices write when they had no fix. */
int geo_valid(double lat, double lon);

/* Parses an ISO 6709 string as phones write it: signed latitude and
 * longitude in decimal degrees, optionally an altitude, then a slash
 * (for example +59.3293+018.0686 then a slash); the DDMM.M and DDMMSS.S forms
 * are read too. Returns 0 with *lat and *lon set, or -1 when it is not a valid
 * position. */
int geo_parse_iso6709(const char *s, double *lat, double *lon);

#endif
