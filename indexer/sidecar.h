/* sidecar.h - private to indexer/: reading and validating editorial
 * sidecars (PRODUCT.md "Sidecar files"), and merging their layers.
 *
 * A sidecar is validated whole: one bad value (a wrong type, an unknown
 * country, a segment past the end) rejects the whole file with a message
 * naming the file, and where JSON gives them, line and column; nothing of
 * a rejected sidecar is applied. */
#ifndef REEL_SIDECAR_H
#define REEL_SIDECAR_H

#include <jansson.h>

#include "isocodes.h"

enum sidecar_kind {
    SIDECAR_FILE,      /* NAME.EXT.json beside the media */
    SIDECAR_FOLDER,    /* _meta.json: every file below its folder */
    SIDECAR_YTDLP,     /* NAME.info.json written by yt-dlp: lowest priority */
};

/* Reads the sidecar at path and returns its fields normalised (countries
 * as alpha-2 codes, languages as ISO 639 codes, recorded_at as ISO 8601,
 * segment times in seconds, people as [{name, role, aliases}]), or NULL
 * with *errmsg (caller frees) saying what is wrong and where. Segments are
 * checked against duration when it is > 0. Unknown fields are ignored. */
json_t *sidecar_read(const char *path, enum sidecar_kind kind, const iso_db *iso,
                     double duration, char **errmsg);

/* Normalises a sidecar object already parsed (used by `reel tag` before it
 * writes). Same contract as sidecar_read; `where` names it in messages. */
json_t *sidecar_normalise(json_t *doc, enum sidecar_kind kind, const iso_db *iso,
                          double duration, const char *where, char **errmsg);

/* Merges normalised layers, lowest priority first, into one editorial
 * object: per field, the nearest (last) definition wins; a field set to
 * null in a nearer layer removes it. Returns a new object. */
json_t *sidecar_merge(json_t *const *layers, size_t n);

/* Parses "HH:MM:SS[.fff]", "MM:SS[.fff]" or plain seconds; -1 when bad. */
double sidecar_parse_time(const char *s);

#endif
