/* isocodes.h - private to indexer/: countries (ISO 3166-1) and languages
 * (ISO 639) written by people, resolved to one code each, from the data of
 * Debian's iso-codes package: its JSON tables and the gettext catalogues
 * that translate their names (/usr/share/locale/LANG/LC_MESSAGES/).
 *
 * A text is matched after iso_fold(): case- and diacritics-insensitively,
 * with runs of white space made one space. When two countries (or two
 * languages) share a folded name, codes beat English names, English names
 * beat translations, and among translations the code most locales give
 * wins; a tie is ambiguous and resolves to nothing. */
#ifndef REEL_ISOCODES_H
#define REEL_ISOCODES_H

#include <stddef.h>

typedef struct iso_db iso_db;

/* Loads the iso-codes data under datadir (NULL: /usr/share): the tables
 * in datadir/iso-codes/json/ (iso_3166-1.json, iso_639-2.json, and
 * iso_639-3.json for the codes and English names of languages 639-2 lacks)
 * and every translation in datadir/locale/LANG/LC_MESSAGES/iso_3166-1.mo
 * and iso_639-2.mo. A catalogue that cannot be read is skipped; a missing
 * or malformed JSON table is an error. Returns 0 with *out (caller frees
 * with iso_db_free), or -1 with *out NULL and *errmsg (caller frees)
 * saying why. The db is read-only once loaded: any number of threads may
 * use it. */
int iso_db_load(iso_db **out, const char *datadir, char **errmsg);

/* The country table alone (its codes and English names), without the
 * translations, whose loading takes most of iso_db_load's 70 ms. Codes and
 * English names beat translations, so a text it resolves resolves alike in
 * the full db. Languages resolve to nothing in it. */
int iso_db_load_countries(iso_db **out, const char *datadir, char **errmsg);

/* The ISO 639-2 table alone (codes and English names), without 639-3 and
 * the translations, whose loading takes nearly all of iso_db_load's time;
 * see iso_language_by_code. */
int iso_db_load_language_codes(iso_db **out, const char *datadir, char **errmsg);

/* Frees db; NULL is a no-op. */
void iso_db_free(iso_db *db);

/* Resolves text, an ISO 3166-1 alpha-2 or alpha-3 code in any case, or a
 * country's name, official name or common name in English or in any
 * translation the package ships ("BLR", "belarus", "Беларусь", "Białoruś",
 * "Aserbaidschan"), to its alpha-2 code in upper case and a NUL in out.
 * Returns 0, or -1 when the text names no country (or is ambiguous); out
 * is then "". Countries that no longer exist (ISO 3166-3) are unknown. */
int iso_country(const iso_db *db, const char *text, char out[3]);

/* The English name of a country given its alpha-2 code (any case): the
 * common name when the standard has one ("Bolivia", "Taiwan"), else the
 * name. Borrowed from db; NULL when the code is unknown. */
const char *iso_country_name(const iso_db *db, const char *code);

/* Resolves text, an ISO 639-1, 639-2 (terminology or bibliographic:
 * "deu", "ger") or 639-3 code in any case, or a language's English name or
 * one of its translations ("German", "Deutsch", "русский"), to one form:
 * the two-letter 639-1 code when the language has one, else its
 * three-letter 639-2/T (= 639-3) code, in lower case with a NUL in out.
 * The special codes resolve like the others ("und", "mul", "zxx"); callers
 * that treat "und" as absent test for it. Returns 0, or -1 when unknown or
 * ambiguous; out is then "". */
int iso_language(const iso_db *db, const char *text, char out[4]);

/* iso_language, but only when text is an ISO 639-1 or 639-2 code ("ru",
 * "rus", "ger"): a code outranks every name, and ISO 639-3 gives no other
 * language a 639-2 code, so the answer is the one the full db gives, from
 * a db loaded by iso_db_load_language_codes. Returns -1 for any other text
 * (a name, a translation, a code only 639-3 has). */
int iso_language_by_code(const iso_db *db, const char *text, char out[4]);

/* The English name of a language given any code iso_language accepts
 * ("ru", "rus"): the first of its names. Borrowed from db; NULL when the
 * code is unknown. */
const char *iso_language_name(const iso_db *db, const char *code);

/* Writes text folded for matching into out (size bytes, NUL-terminated):
 * leading and trailing white space dropped, inner runs (including
 * no-break spaces) made one space; ASCII lower-cased; the letters of
 * Latin-1 and Latin Extended-A, and Romanian Ș/Ț, reduced to ASCII ("Ł"
 * -> "l", "ß" -> "ss", "Æ" -> "ae", "Þ" -> "th"); combining accents
 * (U+0300-U+036F) dropped; Cyrillic lower-cased (U+0400-U+04FF), with
 * "ё" -> "е"; Greek lower-cased with its tonos and dialytika dropped and
 * "ς" -> "σ"; typographic apostrophes and dashes made ASCII. Every other
 * character is kept as it is (other scripts have no case, or are matched
 * exactly as the catalogues spell them). Returns the folded length, or -1
 * when text is not valid UTF-8 or the result does not fit. */
int iso_fold(const char *text, char *out, size_t size);

#endif
