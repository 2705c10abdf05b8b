/* isofold.c - iso_fold(): text folded for matching names, by tables that
 * reach Latin-1, Latin Extended-A, Romanian, Cyrillic and Greek. */
#include "isocodes.h"

#include <stdint.h>
#include <string.h>

/* U+00C0..U+017F reduced to ASCII; NULL: not a letter (× ÷), kept */
static const char *const latin_fold[192] = {
    /* U+00C0 */ "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
    /* U+00D0 */ "d", "n", "o", "o", "o", "o", "o", NULL, "o", "u", "u", "u", "u", "y", "th", "ss",
    /* U+00E0 */ "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
    /* U+00F0 */ "d", "n", "o", "o", "o", "o", "o", NULL, "o", "u", "u", "u", "u", "y", "th", "y",
    /* U+0100 */ "a", "a", "a", "a", "a", "a", "c", "c", "c", "c", "c", "c", "c", "c", "d", "d",
    /* U+0110 */ "d", "d", "e", "e", "e", "e", "e", "e", "e", "e", "e", "e", "g", "g", "g", "g",
    /* U+0120 */ "g", "g", "g", "g", "h", "h", "h", "h", "i", "i", "i", "i", "i", "i", "i", "i",
    /* U+0130 */ "i", "i", "ij", "ij", "j", "j", "k", "k", "k", "l", "l", "l", "l", "l", "l", "l",
    /* U+0140 */ "l", "l", "l", "n", "n", "n", "n", "n", "n", "'n", "n", "n", "o", "o", "o", "o",
    /* U+0150 */ "o", "o", "oe", "oe", "r", "r", "r", "r", "r", "r", "s", "s", "s", "s", "s", "s",
    /* U+0160 */ "s", "s", "t", "t", "t", "t", "t", "t", "u", "u", "u", "u", "u", "u", "u", "u",
    /* U+0170 */ "u", "u", "u", "u", "w", "w", "y", "y", "y", "z", "z", "z", "z", "z", "z", "s",
};

/* Greek U+0386..U+03CE with tonos/dialytika dropped, lower case; 0: unchanged */
static uint32_t greek_fold(uint32_t cp)
{
    static const struct { uint16_t from, to; } map[] = {
        {0x386, 0x3B1}, {0x388, 0x3B5}, {0x389, 0x3B7}, {0x38A, 0x3B9}, {0x38C, 0x3BF},
        {0x38E, 0x3C5}, {0x38F, 0x3C9}, {0x390, 0x3B9}, {0x3AA, 0x3B9}, {0x3AB, 0x3C5},
        {0x3AC, 0x3B1}, {0x3AD, 0x3B5}, {0x3AE, 0x3B7}, {0x3AF, 0x3B9}, {0x3B0, 0x3C5},
        {0x3C2, 0x3C3}, {0x3CA, 0x3B9}, {0x3CB, 0x3C5}, {0x3CC, 0x3BF}, {0x3CD, 0x3C5},
        {0x3CE, 0x3C9},
    };
    if (cp < 0x386 || cp > 0x3CE)
        return 0;
    for (size_t i = 0; i < sizeof map / sizeof *map; i++)
        if (map[i].from == cp)
            return map[i].to;
    if (cp >= 0x391 && cp <= 0x3A9)
        return cp + 0x20;
    return 0;
}

/* Cyrillic U+0400..U+04FF in lower case, "ё" as "е"; 0: unchanged */
static uint32_t cyrillic_fold(uint32_t cp)
{
    if (cp < 0x400 || cp > 0x4FF)
        return 0;
    if (cp == 0x401 || cp == 0x451 || cp == 0x400 || cp == 0x450)
        return 0x435;
    if (cp <= 0x40F)
        return cp + 0x50;
    if (cp >= 0x410 && cp <= 0x42F)
        return cp + 0x20;
    /* the extended letters come in upper/lower pairs */
    if (((cp >= 0x460 && cp <= 0x481) || (cp >= 0x48A && cp <= 0x4BF) || (cp >= 0x4D0 && cp <= 0x4FF))
        && cp % 2 == 0)
        return cp + 1;
    if (cp >= 0x4C1 && cp <= 0x4CE && cp % 2 == 1)
        return cp + 1;
    if (cp == 0x4C0)
        return 0x4CF;
    return 0;
}

/* Decodes one UTF-8 sequence at s; returns its length, or 0 when invalid. */
static int utf8_next(const unsigned char *s, uint32_t *cp)
{
    int n;
    uint32_t v;
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    } else if ((s[0] & 0xE0) == 0xC0) {
        n = 1, v = s[0] & 0x1F;
    } else if ((s[0] & 0xF0) == 0xE0) {
        n = 2, v = s[0] & 0x0F;
    } else if ((s[0] & 0xF8) == 0xF0) {
        n = 3, v = s[0] & 0x07;
    } else {
        return 0;
    }
    for (int i = 1; i <= n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        v = v << 6 | (s[i] & 0x3F);
    }
    if ((n == 1 && v < 0x80) || (n == 2 && v < 0x800) || (n == 3 && v < 0x10000)
        || (v >= 0xD800 && v <= 0xDFFF) || v > 0x10FFFF)
        return 0;
    *cp = v;
    return n + 1;
}

static int put_utf8(char *out, size_t size, size_t *o, uint32_t cp)
{
    unsigned char b[4];
    size_t n;
    if (cp < 0x80) {
        b[0] = (unsigned char)cp, n = 1;
    } else if (cp < 0x800) {
        b[0] = (unsigned char)(0xC0 | cp >> 6), b[1] = (unsigned char)(0x80 | (cp & 0x3F)), n = 2;
    } else if (cp < 0x10000) {
        b[0] = (unsigned char)(0xE0 | cp >> 12), b[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
        b[2] = (unsigned char)(0x80 | (cp & 0x3F)), n = 3;
    } else {
        b[0] = (unsigned char)(0xF0 | cp >> 18), b[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3F));
        b[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3F)), b[3] = (unsigned char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    if (*o + n >= size)
        return -1;
    memcpy(out + *o, b, n);
    *o += n;
    return 0;
}

static int is_space(uint32_t cp)
{
    return cp == ' ' || (cp >= '\t' && cp <= '\r') || cp == 0xA0 || cp == 0x2007 || cp == 0x202F;
}

int iso_fold(const char *text, char *out, size_t size)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t o = 0;
    int space = 0;

    if (size == 0)
        return -1;
    while (*s) {
        uint32_t cp = 0, f;
        int n;
        if (*s > ' ' && *s < 0x7F && !space && o + 1 < size) {     /* the common case */
            out[o++] = (char)(*s >= 'A' && *s <= 'Z' ? *s + 32 : *s == '`' ? '\'' : *s);
            s++;
            continue;
        }
        if (!(n = utf8_next(s, &cp)))
            return -1;
        s += n;
        if (is_space(cp)) {
            space = o > 0;
            continue;
        }
        if (cp >= 0x300 && cp <= 0x36F)
            continue;
        if (space && put_utf8(out, size, &o, ' ') < 0)
            return -1;
        space = 0;
        if (cp >= 'A' && cp <= 'Z') {
            cp += 32;
        } else if (cp >= 0xC0 && cp <= 0x17F && latin_fold[cp - 0xC0]) {
            const char *r = latin_fold[cp - 0xC0];
            size_t len = strlen(r);
            if (o + len >= size)
                return -1;
            memcpy(out + o, r, len);
            o += len;
            continue;
        } else if (cp >= 0x218 && cp <= 0x21B) {
            cp = cp < 0x21A ? 's' : 't';
        } else if (cp == 0x2018 || cp == 0x2019 || cp == 0x02BC || cp == 0x00B4 || cp == 0x60) {
            cp = '\'';
        } else if (cp >= 0x2010 && cp <= 0x2014) {
            cp = '-';
        } else if ((f = greek_fold(cp)) || (f = cyrillic_fold(cp))) {
            cp = f;
        }
        if (put_utf8(out, size, &o, cp) < 0)
            return -1;
    }
    out[o] = 0;
    return (int)o;
}

