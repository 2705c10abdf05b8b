/* subtitles.c - SubRip and WebVTT files beside the media, read as cues;
 * the text clean-up shared with subtitles_av.c. */
#include "subtitles.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "walk.h"

#define SUBS_MAX_ERRORS 100   /* listed per file; then one "more" entry */

/* ---- plain text ----------------------------------------------------------- */

/* Length of the tag starting at s ('<'), or 0 when s opens no tag: a
 * letter, '/' or a digit (karaoke timestamp) after '<', and a '>' before
 * the end of the line. */
static size_t tag_len(const char *s)
{
    size_t n = 1;
    if (!((s[1] >= 'a' && s[1] <= 'z') || (s[1] >= 'A' && s[1] <= 'Z') || s[1] == '/'
          || (s[1] >= '0' && s[1] <= '9')))
        return 0;
    while (s[n] && s[n] != '>' && s[n] != '<' && s[n] != '\n')
        n++;
    return s[n] == '>' ? n + 1 : 0;
}

/* Length of the override block starting at s ("{\an8}"), or 0. */
static size_t override_len(const char *s)
{
    size_t n = 2;
    if (s[1] != '\\')
        return 0;
    while (s[n] && s[n] != '}' && s[n] != '\n')
        n++;
    return s[n] == '}' ? n + 1 : 0;
}

size_t subs_plain_text(const char *in, char *out, size_t size)
{
    static const struct { const char *name, *text; } entities[] = {
        {"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&nbsp;", " "}, {"&lrm;", ""},
        {"&rlm;", ""},
    };
    size_t o = 0, line = 0;      /* line: where the current output line starts */

    if (size == 0)
        return 0;
    for (const char *s = in;; ) {
        size_t skip;
        char c = *s;
        if (c == '\n' || c == 0 || (c == '\\' && (s[1] == 'N' || s[1] == 'n'))) {
            /* end of a line: trim it, drop it when empty */
            while (o > line && (out[o - 1] == ' ' || out[o - 1] == '\t'))
                o--;
            if (o > line && o + 1 < size)
                out[o++] = '\n';
            line = o;
            if (!c)
                break;
            s += c == '\n' ? 1 : 2;
            continue;
        }
        if (c == '<' && (skip = tag_len(s))) {
            s += skip;
            continue;
        }
        if (c == '{' && (skip = override_len(s))) {
            s += skip;
            continue;
        }
        if (c == '\\' && s[1] == 'h') {
            c = ' ';
            s++;
        }
        if (c == '&') {
            size_t i;
            for (i = 0; i < sizeof entities / sizeof *entities; i++)
                if (strncmp(s, entities[i].name, strlen(entities[i].name)) == 0)
                    break;
            if (i < sizeof entities / sizeof *entities) {
                size_t n = strlen(entities[i].text);
                s += strlen(entities[i].name);
                if (o == line && entities[i].text[0] == ' ')
                    continue;
                if (o + n < size) {
                    memcpy(out + o, entities[i].text, n);
                    o += n;
                }
                continue;
            }
        }
        s++;
        if ((c == ' ' || c == '\t' || c == '\r') && o == line)
            continue;       /* leading white space */
        if (o + 1 < size)
            out[o++] = c == '\r' ? ' ' : c;
    }
    if (o > 0 && out[o - 1] == '\n')
        o--;
    out[o] = 0;
    return o;
}

/* ---- reading a file --------------------------------------------------------- */

typedef struct subs_file {
    json_t *cues, *errors;
    int vtt;
    int timings;          /* timing lines seen, good or bad */
} subs_file;

__attribute__((format(printf, 3, 4)))
static void file_error(subs_file *f, long line, const char *fmt, ...)
{
    char msg[512];
    size_t n = json_array_size(f->errors);

    if (n > SUBS_MAX_ERRORS)
        return;
    if (n == SUBS_MAX_ERRORS) {
        snprintf(msg, sizeof msg, "more errors not listed");
    } else {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
    }
    json_array_append_new(f->errors, json_pack("{s:I,s:s}", "line", (json_int_t)line, "message", msg));
}

/* Reads the whole file into *out (NUL-terminated; caller frees).
 * Returns 0 or -errno (-EFBIG past SUBS_FILE_MAX). */
static int read_all(const char *path, char **out, size_t *len)
{
    struct stat st;
    char *buf = NULL;
    size_t n = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC), rc = 0;

    *out = NULL;
    if (fd < 0)
        return -errno;
    if (fstat(fd, &st) < 0) {
        rc = -errno;
        goto done;
    }
    if (!S_ISREG(st.st_mode)) {
        rc = -EISDIR;
        goto done;
    }
    if (st.st_size > SUBS_FILE_MAX) {
        rc = -EFBIG;
        goto done;
    }
    if (!(buf = malloc((size_t)st.st_size + 1))) {
        rc = -ENOMEM;
        goto done;
    }
    while (n < (size_t)st.st_size) {
        ssize_t got = read(fd, buf + n, (size_t)st.st_size - n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            rc = -errno;
            goto done;
        }
        if (got == 0)
            break;
        n += (size_t)got;
    }
    buf[n] = 0;
    *out = buf;
    *len = n;
    buf = NULL;
done:
    free(buf);
    close(fd);
    return rc;
}

/* Reads digits at *s (at most max); returns how many, with their value. */
static int digits(const char **s, int max, long long *value)
{
    int n = 0;
    *value = 0;
    while (n < max && **s >= '0' && **s <= '9') {
        *value = *value * 10 + (**s - '0');
        (*s)++;
        n++;
    }
    return n;
}

/* Parses [HH:]MM:SS[,.]fff at *s into milliseconds; advances *s.
 * Returns 0, or -1 when malformed. */
static int timestamp(const char **s, long long *ms)
{
    long long v[3], frac = 0;
    int n = 0;

    for (;;) {
        int nd = digits(s, n == 0 ? 9 : 2, &v[n]);
        if (nd == 0 || (n > 0 && v[n] > 59))
            return -1;
        n++;
        if (**s != ':' || n == 3)
            break;
        (*s)++;
    }
    if (n < 2)
        return -1;
    if (**s == ',' || **s == '.') {
        int nd;
        (*s)++;
        if ((nd = digits(s, 3, &frac)) == 0)
            return -1;
        while (nd++ < 3)
            frac *= 10;
    }
    if (**s >= '0' && **s <= '9')
        return -1;
    *ms = n == 3 ? ((v[0] * 60 + v[1]) * 60 + v[2]) * 1000 + frac : (v[0] * 60 + v[1]) * 1000 + frac;
    return 0;
}

/* Parses "START --> END[ settings]". Returns 0, or -1 when malformed. */
static int timing(const char *line, long long *start, long long *end)
{
    const char *s = line;
    while (*s == ' ' || *s == '\t')
        s++;
    if (timestamp(&s, start) < 0)
        return -1;
    while (*s == ' ' || *s == '\t')
        s++;
    if (strncmp(s, "-->", 3) != 0)
        return -1;
    s += 3;
    while (*s == ' ' || *s == '\t')
        s++;
    if (timestamp(&s, end) < 0)
        return -1;
    /* WebVTT cue settings, SubRip coordinates: after white space */
    return *s == 0 || *s == ' ' || *s == '\t' ? 0 : -1;
}

static int is_timing(const char *line)
{
    return strstr(line, "-->") != NULL;
}

static int all_digits(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return 0;
    return 1;
}

/* "NOTE", "STYLE", "REGION" or the "WEBVTT" header: a block that is no cue. */
static int vtt_meta(const char *line)
{
    static const char *const words[] = {"WEBVTT", "NOTE", "STYLE", "REGION"};
    for (size_t i = 0; i < sizeof words / sizeof *words; i++) {
        size_t n = strlen(words[i]);
        if (strncmp(line, words[i], n) == 0
            && (line[n] == 0 || line[n] == ' ' || line[n] == '\t'))
            return 1;
    }
    return 0;
}

/* One cue: the timing at lines[t] and its text lines[t+1 .. e). */
static void cue(subs_file *f, char **lines, long t, long e)
{
    long long start, end;
    size_t len = 0;
    char *joined = NULL, *text = NULL, quoted[100];

    f->timings++;
    walk_escape(lines[t], quoted, sizeof quoted);
    if (timing(lines[t], &start, &end) < 0) {
        file_error(f, t + 1, "bad cue timing '%s'", quoted);
        return;
    }
    if (end < start) {
        file_error(f, t + 1, "cue ends before it starts '%s'", quoted);
        return;
    }
    for (long i = t + 1; i < e; i++) {
        if (!walk_utf8_valid(lines[i])) {
            file_error(f, i + 1, "cue text is not UTF-8");
            return;
        }
        len += strlen(lines[i]) + 1;
    }
    if (!(joined = malloc(len + 1)) || !(text = malloc(len + 1)))
        goto done;
    len = 0;
    for (long i = t + 1; i < e; i++)
        len += (size_t)sprintf(joined + len, "%s%s", i > t + 1 ? "\n" : "", lines[i]);
    joined[len] = 0;
    if (subs_plain_text(joined, text, len + 1) > 0)
        json_array_append_new(f->cues, json_pack("{s:f,s:f,s:s}", "start", start / 1000.0,
                                                 "end", end / 1000.0, "text", text));
done:
    free(joined);
    free(text);
}

/* A block of non-blank lines [b, e): metadata, or cues. Inside a block a
 * timing line starts a new cue, and a SubRip number just before it is not
 * text (files whose cues lack the blank line between them). */
static void block(subs_file *f, char **lines, long b, long e)
{
    long t = b;

    while (t < e && !is_timing(lines[t]))
        t++;
    if (f->vtt && vtt_meta(lines[b])) {
        /* a header run into the first cue, with no blank line, keeps the cue */
        if (strncmp(lines[b], "WEBVTT", 6) != 0 || t == e)
            return;
        b = t;
    }
    if (t == e) {
        file_error(f, b + 1, "no cue timing line ('00:00:01,000 --> 00:00:02,000')");
        return;
    }
    if (t - b > 1)      /* one line before the timing is a number or identifier */
        file_error(f, b + 1, "text outside a cue");
    while (t < e) {
        long next = t + 1, text_end;
        while (next < e && !is_timing(lines[next]))
            next++;
        text_end = next;
        if (next < e && text_end - 1 > t && all_digits(lines[text_end - 1]))
            text_end--;
        cue(f, lines, t, text_end);
        t = next;
    }
}

/* Splits buf into NUL-terminated lines at LF, CRLF or CR; *out (caller
 * frees) points into buf. Returns the count, or -1 when out of memory. */
static long split_lines(char *buf, size_t len, char ***out)
{
    long n = 1, i = 0;
    char **lines;

    for (size_t k = 0; k < len; k++)
        n += buf[k] == '\n' || (buf[k] == '\r' && buf[k + 1] != '\n');
    if (!(lines = malloc((size_t)n * sizeof *lines)))
        return -1;
    lines[i++] = buf;
    for (size_t k = 0; k < len; k++) {
        if (buf[k] == '\r' && buf[k + 1] == '\n')
            buf[k++] = 0;
        if (buf[k] == '\r' || buf[k] == '\n') {
            buf[k] = 0;
            lines[i++] = buf + k + 1;
        }
    }
    *out = lines;
    return i;
}

static int blank(const char *s)
{
    return s[strspn(s, " \t")] == 0;
}

int subs_parse_file(const char *path, json_t **out_cues, json_t **out_errors)
{
    subs_file f = {.cues = json_array(), .errors = json_array()};
    char *buf = NULL, *text, **lines = NULL;
    size_t len = 0;
    long n, b;
    int rc;

    if ((rc = read_all(path, &buf, &len)) < 0) {
        file_error(&f, 0, "cannot read: %s", rc == -EFBIG ? "too large for a subtitle file"
                                                           : strerror(-rc));
        rc = SUBS_EREAD;
        goto done;
    }
    if (memchr(buf, 0, len)) {
        file_error(&f, 0, "not a text file (it holds NUL bytes; UTF-16 is not read)");
        rc = SUBS_EREAD;
        goto done;
    }
    text = buf;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        text += 3, len -= 3;
    f.vtt = strncmp(text, "WEBVTT", 6) == 0 && (text[6] == 0 || strchr(" \t\r\n", text[6]));
    if ((n = split_lines(text, len, &lines)) < 0) {
        file_error(&f, 0, "out of memory");
        rc = SUBS_EREAD;
        goto done;
    }
    for (long i = 0; i < n; i = b) {
        while (i < n && blank(lines[i]))
            i++;
        for (b = i; b < n && !blank(lines[b]); b++)
            ;
        if (b > i)
            block(&f, lines, i, b);
    }
    rc = 0;
    if (json_array_size(f.cues) == 0) {
        if (!f.timings) {
            json_array_clear(f.errors);
            file_error(&f, 0, "not a SubRip or WebVTT file: no cue timing line");
        }
        rc = SUBS_ENOCUE;
    }
done:
    free(lines);
    free(buf);
    *out_cues = f.cues;
    *out_errors = f.errors;
    return rc;
}

/* ---- which media a subtitle file belongs to --------------------------------- */

/* The rest of name after prefix and a '.', or NULL. */
static const char *after(const char *name, size_t nlen, const char *prefix, size_t plen)
{
    return nlen > plen + 1 && strncmp(name, prefix, plen) == 0 && name[plen] == '.'
               ? name + plen + 1 : NULL;
}

int subs_language_from_name(const char *media_name, const char *sub_name, char out[16])
{
    const char *ext = strrchr(sub_name, '.'), *dot = strrchr(media_name, '.'), *tag;
    size_t base = ext ? (size_t)(ext - sub_name) : 0, mlen = strlen(media_name);
    size_t stem = dot && dot > media_name ? (size_t)(dot - media_name) : mlen, tlen;

    out[0] = 0;
    if (!ext || (strcasecmp(ext, ".srt") != 0 && strcasecmp(ext, ".vtt") != 0))
        return -1;
    if ((base == stem && strncmp(sub_name, media_name, stem) == 0)
        || (base == mlen && strncmp(sub_name, media_name, mlen) == 0))
        return 0;
    tag = after(sub_name, base, media_name, mlen);
    if (!tag)
        tag = after(sub_name, base, media_name, stem);
    if (!tag)
        return -1;
    tlen = base - (size_t)(tag - sub_name);
    if (tlen == 0 || tlen > 15 || strspn(tag, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                              "0123456789-_") < tlen)
        return -1;
    memcpy(out, tag, tlen);
    out[tlen] = 0;
    return 0;
}
