/* json_text.h - private to schema/: JSON text written byte for byte as
 * jansson's json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER |
 * JSON_REAL_PRECISION(p)) would write it, without building json_t trees.
 * `reel export` writes records with it (catalog_listing.c); a difference
 * from jansson's bytes would change the listing, so each rule below names
 * the jansson behaviour it copies. */
#ifndef REEL_JSON_TEXT_H
#define REEL_JSON_TEXT_H

#include <stddef.h>
#include <stdint.h>

/* A growing text buffer; `oom` is set (and later writes ignored) when an
 * allocation fails. */
typedef struct jt_buf {
    char *p;
    size_t len, cap;
    int oom;
} jt_buf;

void jt_put(jt_buf *b, const char *s, size_t n);
void jt_putc(jt_buf *b, char c);
/* jansson's utf8_check_string: the test json_string() and
 * json_object_set_new() apply before they accept a string or a key. */
int jt_utf8_ok(const char *s, size_t n);
/* A string, quoted and escaped as jansson's dump_string does. */
void jt_string(jt_buf *b, const char *s, size_t n);
void jt_int(jt_buf *b, int64_t v);
/* A finite real as jansson's jsonp_dtostr writes it ("%.Ng", ".0" added to
 * integral values, exponent without '+' or leading zeros). */
void jt_real(jt_buf *b, double v, int precision);

/* A stored JSON object (the editorial document) made canonical: each
 * top-level member's value is rewritten in the form above, with reals at
 * `precision` digits. Two values get special treatment, as the record
 * wants them: "people" loses the "aliases" of each person, and the
 * elements of "segments" are listed with their own "visibility" string. */
typedef struct jt_span {
    size_t off, len;             /* in the output buffer; len 0: none */
} jt_span;
typedef struct jt_member {
    const char *key;             /* points into the input text, not NUL-terminated */
    size_t key_len;
    jt_span value;
} jt_member;
typedef struct jt_doc {
    jt_member *member;
    size_t n, cap;
    int segments_array;          /* "segments" is an array; its elements: */
    jt_span *seg, *seg_vis;      /* text, and its "visibility" when a string */
    size_t n_seg, seg_cap;
} jt_doc;

/* Parses text (NUL-terminated) into doc, appending the values to out.
 * Returns 0, or -1 when the text is not an object in the plain form that
 * jansson's own dumps and SQLite's json functions write (escapes other
 * than \" \\ \b \f \n \r \t, duplicate keys, deep nesting, or anything
 * json_loads would reject): the caller then asks jansson. */
int jt_doc_scan(jt_doc *doc, const char *text, jt_buf *out, int precision);
void jt_doc_free(jt_doc *doc);
/* The member named key, or NULL. */
const jt_member *jt_doc_get(const jt_doc *doc, const char *key);

#endif
