/* geo.c - ISO 6709 parsing and position sanity checks. */
#include "geo.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>

int geo_valid(double lat, double lon)
{
    return isfinite(lat) && isfinite(lon) && fabs(lat) <= 90.0 && fabs(lon) <= 180.0
           && !(lat == 0.0 && lon == 0.0);
}

/* One signed ISO 6709 coordinate. deg_digits is 2 for latitude, 3 for
 * longitude; more integer digits mean minutes (and seconds) follow. */
static int coordinate(const char **sp, int deg_digits, double *out)
{
    const char *s = *sp;
    char *end;
    int sign, intdigits = 0;
    double v, deg;

    if (*s != '+' && *s != '-')
        return -1;
    sign = *s == '-' ? -1 : 1;
    s++;
    while (isdigit((unsigned char)s[intdigits]))
        intdigits++;
    v = strtod(s, &end);
    if (end == s)
        return -1;
    if (intdigits == deg_digits) {
        deg = v;
    } else if (intdigits == deg_digits + 2) {              /* DDMM.M */
        double d = floor(v / 100.0);
        deg = d + (v - d * 100.0) / 60.0;
    } else if (intdigits == deg_digits + 4) {              /* DDMMSS.S */
        double d = floor(v / 10000.0), m = floor((v - d * 10000.0) / 100.0);
        deg = d + m / 60.0 + (v - d * 10000.0 - m * 100.0) / 3600.0;
    } else {
        return -1;
    }
    *out = sign * deg;
    *sp = end;
    return 0;
}

int geo_parse_iso6709(const char *s, double *lat, double *lon)
{
    double la, lo;
    if (!s || coordinate(&s, 2, &la) || coordinate(&s, 3, &lo))
        return -1;
    /* an altitude and the closing '/' may follow; nothing else may */
    if (*s == '+' || *s == '-') {
        strtod(s + 1, (char **)&s);
    }
    if (*s == 'C' && s[1] == 'R' && s[2] == 'S')
        while (*s && *s != '/')
            s++;
    if (*s != '/' && *s != 0)
        return -1;
    if (!geo_valid(la, lo))
        return -1;
    *lat = la;
    *lon = lo;
    return 0;
}
