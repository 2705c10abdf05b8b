/* json_text.c - jansson's compact JSON text without jansson's trees (see
 * json_text.h): building and freeing a json_t per value cost an export
 * a third of its time. */
#include "json_text.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- writing ----------------------------------------------------------------- */

static int grow(jt_buf *b, size_t more)
{
    size_t cap;
    char *p;
    if (b->oom)
        return -1;
    if (b->len + more <= b->cap)
        return 0;
    cap = b->cap ? b->cap : 4096;
    while (cap < b->len + more)
        cap *= 2;
    if (!(p = realloc(b->p, cap))) {
        b->oom = 1;
        return -1;
    }
    b->p = p;
    b->cap = cap;
    return 0;
}

void jt_put(jt_buf *b, const char *s, size_t n)
{
    if (n && grow(b, n) == 0) {
        memcpy(b->p + b->len, s, n);
        b->len += n;
    }
}

void jt_putc(jt_buf *b, char c)
{
    if (grow(b, 1) == 0)
        b->p[b->len++] = c;
}

/* jansson's utf8_check_first / utf8_check_full (utf.c): RFC 3629, no
 * overlong forms, no surrogates. Returns the sequence's length, 0 if bad. */
static size_t utf8_seq(const unsigned char *s, size_t avail)
{
    unsigned u = s[0];
    size_t n;
    uint32_t v;
    if (u < 0x80)
        return 1;
    if (u >= 0xC2 && u <= 0xDF)
        n = 2, v = u & 0x1F;
    else if (u >= 0xE0 && u <= 0xEF)
        n = 3, v = u & 0x0F;
    else if (u >= 0xF0 && u <= 0xF4)
        n = 4, v = u & 0x07;
    else
        return 0;
    if (n > avail)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if (s[i] < 0x80 || s[i] > 0xBF)
            return 0;
        v = (v << 6) | (s[i] & 0x3F);
    }
    if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF) || (n == 3 && v < 0x800)
        || (n == 4 && v < 0x10000))
        return 0;
    return n;
}

int jt_utf8_ok(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        size_t k = utf8_seq(u + i, n - i);
        if (!k)
            return 0;
        i += k;
    }
    return 1;
}

void jt_string(jt_buf *b, const char *s, size_t n)
{
    size_t run = 0;
    jt_putc(b, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        char esc[8];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        jt_put(b, s + run, i - run);
        run = i + 1;
        switch (c) {
        case '"': jt_put(b, "\\\"", 2); break;
        case '\\': jt_put(b, "\\\\", 2); break;
        case '\b': jt_put(b, "\\b", 2); break;
        case '\f': jt_put(b, "\\f", 2); break;
        case '\n': jt_put(b, "\\n", 2); break;
        case '\r': jt_put(b, "\\r", 2); break;
        case '\t': jt_put(b, "\\t", 2); break;
        default:
            snprintf(esc, sizeof esc, "\\u%04X", c);
            jt_put(b, esc, 6);
        }
    }
    jt_put(b, s + run, n - run);
    jt_putc(b, '"');
}

/* "%lld" without printf's format parsing */
void jt_int(jt_buf *b, int64_t v)
{
    char tmp[24], *p = tmp + sizeof tmp;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do
        *--p = (char)('0' + u % 10);
    while (u /= 10);
    if (v < 0)
        *--p = '-';
    jt_put(b, p, (size_t)(tmp + sizeof tmp - p));
}

void jt_real(jt_buf *b, double v, int precision)
{
    char tmp[48], *start;
    int n = snprintf(tmp, sizeof tmp - 3, "%.*g", precision ? precision : 17, v);
    if (n < 0 || (size_t)n >= sizeof tmp - 3)
        return;
    if (!strchr(tmp, '.') && !strchr(tmp, 'e')) {
        memcpy(tmp + n, ".0", 3);
        n += 2;
    }
    if ((start = strchr(tmp, 'e'))) {
        char *end = ++start + 1;
        if (*start == '-')
            start++;
        while (*end == '0')
            end++;
        if (end != start) {
            memmove(start, end, (size_t)(tmp + n - end) + 1);
            n -= (int)(end - start);
        }
    }
    jt_put(b, tmp, (size_t)n);
}

/* ---- the editorial document --------------------------------------------------- */

enum { MAX_DEPTH = 32, MAX_KEYS = 64 };

typedef struct scan {
    const char *p;
    jt_buf *out;
    int precision, bad;
} scan;

static void ws(scan *s)
{
    while (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r')
        s->p++;
}

/* A string at s->p, copied as it is: in this subset the stored form is the
 * form jansson writes. *body and *len: what is between the quotes. */
static void string(scan *s, int copy, const char **body, size_t *len)
{
    const unsigned char *p = (const unsigned char *)s->p + 1, *start = p;
    for (;;) {
        if (*p == '"')
            break;
        if (*p < 0x20) {                   /* also the end of the text */
            s->bad = 1;
            return;
        }
        if (*p == '\\') {
            if (!p[1] || !strchr("\"\\bfnrt", p[1])) {
                s->bad = 1;
                return;
            }
            p += 2;
        } else {
            size_t k = utf8_seq(p, 4);
            if (!k) {
                s->bad = 1;
                return;
            }
            p += k;
        }
    }
    if (body) {
        *body = (const char *)start;
        *len = (size_t)(p - start);
    }
    if (copy)
        jt_put(s->out, s->p, (size_t)((const char *)p + 1 - s->p));
    s->p = (const char *)p + 1;
}

/* jansson's lexer: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?; an integer
 * unless it has a fraction or exponent; too large an integer or real fails. */
static void number(scan *s)
{
    const char *p = s->p;
    int real = 0;
    char *end;
    if (*p == '-')
        p++;
    if (*p == '0')
        p++;
    else if (*p >= '1' && *p <= '9')
        while (*p >= '0' && *p <= '9')
            p++;
    else
        goto bad;
    if (*p == '.') {
        real = 1;
        if (!(*++p >= '0' && *p <= '9'))
            goto bad;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    if (*p == 'e' || *p == 'E') {
        real = 1;
        if (*++p == '+' || *p == '-')
            p++;
        if (!(*p >= '0' && *p <= '9'))
            goto bad;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    errno = 0;
    if (real) {
        double v = strtod(s->p, &end);
        if (end != p || isinf(v))
            goto bad;
        jt_real(s->out, v, s->precision);
    } else {
        long long v = strtoll(s->p, &end, 10);
        if (end != p || errno == ERANGE)
            goto bad;
        jt_int(s->out, v);
    }
    s->p = p;
    return;
bad:
    s->bad = 1;
}

static void value(scan *s, int depth);

/* An object; a member named `drop` is left out, and the span of a string
 * member "visibility" goes to *vis when vis is given. */
static void object(scan *s, int depth, const char *drop, jt_span *vis)
{
    const char *key[MAX_KEYS];
    size_t key_len[MAX_KEYS], n = 0, written = 0;
    s->p++;
    jt_putc(s->out, '{');
    ws(s);
    if (*s->p == '}')
        goto done;
    for (;;) {
        const char *k = NULL;
        size_t kl = 0, mark = s->out->len;
        int skip;
        if (*s->p != '"' || n == MAX_KEYS)
            goto bad;
        string(s, 0, &k, &kl);
        if (s->bad)
            return;
        /* json_loads keeps the last value of a repeated key, in the first
         * one's place: leave that to jansson */
        for (size_t i = 0; i < n; i++)
            if (key_len[i] == kl && memcmp(key[i], k, kl) == 0)
                goto bad;
        key[n] = k;
        key_len[n++] = kl;
        skip = drop && strlen(drop) == kl && memcmp(drop, k, kl) == 0;
        if (!skip) {
            if (written++)
                jt_putc(s->out, ',');
            jt_put(s->out, k - 1, kl + 2);
            jt_putc(s->out, ':');
        }
        ws(s);
        if (*s->p != ':')
            goto bad;
        s->p++;
        ws(s);
        {
            size_t start = s->out->len;
            value(s, depth + 1);
            if (s->bad)
                return;
            if (skip)
                s->out->len = mark;
            else if (vis && kl == 10 && memcmp(k, "visibility", 10) == 0 && s->out->p[start] == '"')
                *vis = (jt_span){start, s->out->len - start};
        }
        ws(s);
        if (*s->p == '}')
            break;
        if (*s->p != ',')
            goto bad;
        s->p++;
        ws(s);
    }
done:
    s->p++;
    jt_putc(s->out, '}');
    return;
bad:
    s->bad = 1;
}

static void value(scan *s, int depth)
{
    static const char *const words[] = {"true", "false", "null"};
    if (depth > MAX_DEPTH) {
        s->bad = 1;
        return;
    }
    switch (*s->p) {
    case '{':
        object(s, depth, NULL, NULL);
        return;
    case '[':
        s->p++;
        jt_putc(s->out, '[');
        ws(s);
        if (*s->p != ']')
            for (;;) {
                value(s, depth + 1);
                ws(s);
                if (s->bad || *s->p == ']')
                    break;
                if (*s->p != ',') {
                    s->bad = 1;
                    return;
                }
                s->p++;
                jt_putc(s->out, ',');
                ws(s);
            }
        s->p++;
        jt_putc(s->out, ']');
        return;
    case '"':
        string(s, 1, NULL, NULL);
        return;
    default:
        for (int i = 0; i < 3; i++)
            if (strncmp(s->p, words[i], strlen(words[i])) == 0) {
                jt_put(s->out, words[i], strlen(words[i]));
                s->p += strlen(words[i]);
                return;
            }
        number(s);
    }
}

/* An array whose object elements go through object(s, drop, vis); with
 * doc, each element's span (and visibility) is listed. */
static void array_of_objects(scan *s, const char *drop, jt_doc *doc)
{
    s->p++;
    jt_putc(s->out, '[');
    ws(s);
    while (*s->p != ']' && !s->bad) {
        size_t start = s->out->len;
        jt_span vis = {0, 0};
        if (*s->p == '{')
            object(s, 2, drop, doc ? &vis : NULL);
        else
            value(s, 2);
        if (s->bad)
            return;
        if (doc) {
            if (doc->n_seg == doc->seg_cap) {
                size_t cap = doc->seg_cap ? doc->seg_cap * 2 : 8;
                jt_span *a = realloc(doc->seg, cap * sizeof *a), *v;
                if (a)
                    doc->seg = a;
                if (!a || !(v = realloc(doc->seg_vis, cap * sizeof *v))) {
                    s->out->oom = s->bad = 1;
                    return;
                }
                doc->seg_vis = v;
                doc->seg_cap = cap;
            }
            doc->seg[doc->n_seg] = (jt_span){start, s->out->len - start};
            doc->seg_vis[doc->n_seg++] = vis;
        }
        ws(s);
        if (*s->p == ',') {
            s->p++;
            jt_putc(s->out, ',');
            ws(s);
            if (*s->p == ']')
                s->bad = 1;
        } else if (*s->p != ']') {
            s->bad = 1;
        }
    }
    s->p++;
    jt_putc(s->out, ']');
}

int jt_doc_scan(jt_doc *doc, const char *text, jt_buf *out, int precision)
{
    scan s = {.p = text, .out = out, .precision = precision};
    doc->n = doc->n_seg = 0;
    doc->segments_array = 0;
    ws(&s);
    if (*s.p != '{')
        return -1;
    s.p++;
    ws(&s);
    while (*s.p != '}' && !s.bad) {
        const char *k = NULL;
        size_t kl = 0, start;
        if (*s.p != '"')
            return -1;
        string(&s, 0, &k, &kl);
        ws(&s);
        if (s.bad || *s.p != ':')
            return -1;
        s.p++;
        ws(&s);
        for (size_t i = 0; i < doc->n; i++)
            if (doc->member[i].key_len == kl && memcmp(doc->member[i].key, k, kl) == 0)
                return -1;
        start = out->len;
        if (kl == 6 && memcmp(k, "people", 6) == 0 && *s.p == '[') {
            array_of_objects(&s, "aliases", NULL);
        } else if (kl == 8 && memcmp(k, "segments", 8) == 0 && *s.p == '[') {
            doc->segments_array = 1;
            array_of_objects(&s, NULL, doc);
        } else {
            value(&s, 1);
        }
        if (s.bad)
            return -1;
        if (doc->n == doc->cap) {
            size_t cap = doc->cap ? doc->cap * 2 : 32;
            jt_member *m = realloc(doc->member, cap * sizeof *m);
            if (!m)
                return -1;
            doc->member = m;
            doc->cap = cap;
        }
        doc->member[doc->n++] = (jt_member){k, kl, {start, out->len - start}};
        ws(&s);
        if (*s.p == ',') {
            s.p++;
            ws(&s);
            if (*s.p == '}')
                return -1;
        } else if (*s.p != '}') {
            return -1;
        }
    }
    if (s.bad)
        return -1;
    s.p++;
    ws(&s);
    return *s.p || out->oom ? -1 : 0;
}

const jt_member *jt_doc_get(const jt_doc *doc, const char *key)
{
    size_t kl = strlen(key);
    for (size_t i = 0; i < doc->n; i++)
        if (doc->member[i].key_len == kl && memcmp(doc->member[i].key, key, kl) == 0)
            return &doc->member[i];
    return NULL;
}

void jt_doc_free(jt_doc *doc)
{
    free(doc->member);
    free(doc->seg);
    free(doc->seg_vis);
    memset(doc, 0, sizeof *doc);
}
