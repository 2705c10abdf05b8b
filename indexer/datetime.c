/* datetime.c - parsing the date formats of EXIF and of container tags. */
#include "datetime.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static int digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

static int plausible(int y, int mo, int d, int h, int mi, int s)
{
    return y >= 1800 && y <= 2200 && mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h <= 23
           && mi <= 59 && s <= 60;
}

/* Parses "+HH:MM", "+HHMM", "+HH", "Z" into "+HH:MM" / "Z"; "" when s is
 * empty. -1 when s is something else. */
static int parse_offset(const char *s, char out[16])
{
    int h, m = 0;
    out[0] = 0;
    if (!s || !*s)
        return 0;
    if ((s[0] == 'Z' || s[0] == 'z') && s[1] == 0) {
        strcpy(out, "Z");
        return 0;
    }
    if ((s[0] != '+' && s[0] != '-') || digits(s + 1, 2, &h))
        return -1;
    if (s[3] == ':' ? digits(s + 4, 2, &m) || s[6] : s[3] ? digits(s + 3, 2, &m) || s[5] : 0)
        return -1;
    if (h < 0 || h > 14 || m < 0 || m > 59)
        return -1;
    /* % 100 changes nothing here; it tells the compiler each number has two
     * digits (sanitizer builds lose that range and warn of truncation) */
    snprintf(out, 16, "%c%02u:%02u", s[0], (unsigned)h % 100, (unsigned)m % 100);
    return 0;
}

int datetime_from_exif(const char *date, const char *offset, char out[DATETIME_MAX])
{
    int y, mo, d, h, mi, s;
    char off[16];
    if (!date || strlen(date) < 19)
        return -1;
    if (digits(date, 4, &y) || digits(date + 5, 2, &mo) || digits(date + 8, 2, &d)
        || digits(date + 11, 2, &h) || digits(date + 14, 2, &mi) || digits(date + 17, 2, &s)
        || !plausible(y, mo, d, h, mi, s))
        return -1;
    /* an unparsable offset is dropped, not fatal: the date itself is fine */
    if (parse_offset(offset, off) != 0)
        off[0] = 0;
    snprintf(out, DATETIME_MAX, "%04d-%02d-%02dT%02d:%02d:%02d%s", y, mo, d, h, mi, s, off);
    return 0;
}

int datetime_from_container(const char *str, char out[DATETIME_MAX])
{
    int y, mo, d, h = 0, mi = 0, s = 0;
    char frac[12] = "", off[16] = "";
    const char *p;

    if (!str || strlen(str) < 10)
        return -1;
    if (digits(str, 4, &y) || str[4] != '-' || digits(str + 5, 2, &mo) || str[7] != '-'
        || digits(str + 8, 2, &d))
        return -1;
    p = str + 10;
    if (*p == 'T' || *p == ' ') {
        if (digits(p + 1, 2, &h) || p[3] != ':' || digits(p + 4, 2, &mi))
            return -1;
        p += 6;
        if (*p == ':') {
            if (digits(p + 1, 2, &s))
                return -1;
            p += 3;
        }
        if (*p == '.') {
            size_t n = 1, keep;
            while (isdigit((unsigned char)p[n]))
                n++;
            keep = n;
            while (keep > 1 && p[keep - 1] == '0')
                keep--;
            if (keep > 1 && keep < sizeof frac)
                memcpy(frac, p, keep);
            p += n;
        }
        if (parse_offset(p, off) != 0)
            return -1;
    } else if (*p) {
        return -1;
    }
    if (!plausible(y, mo, d, h, mi, s))
        return -1;
    /* QuickTime's and Unix's zero times mean "never set" */
    if ((y == 1904 || y == 1970) && mo == 1 && d == 1 && h == 0 && mi == 0 && s == 0)
        return -1;
    snprintf(out, DATETIME_MAX, "%04d-%02d-%02dT%02d:%02d:%02d%s%s", y, mo, d, h, mi, s, frac, off);
    return 0;
}

void datetime_from_epoch_ns(int64_t ns, char out[DATETIME_MAX])
{
    struct tm tm;
    time_t t = (time_t)(ns / 1000000000);
    gmtime_r(&t, &tm);
    strftime(out, DATETIME_MAX, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void datetime_now(char out[DATETIME_MAX])
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    snprintf(out, DATETIME_MAX, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000);
}
