/* editorial.h - private to indexer/: a media file's editorial values,
 * recomputed from its sidecars and subtitle files, by the single writer. */
#ifndef REEL_EDITORIAL_H
#define REEL_EDITORIAL_H

#include <stdint.h>
#include "catalog.h"
#include "isocodes.h"

typedef struct editorial_cache editorial_cache;

typedef struct editorial_ctx {
    cat *c;
    const iso_db *iso;
    int64_t scan_id;
    int64_t failed;            /* sidecars and subtitle files found broken */
    editorial_cache *cache;    /* folder sidecars read in this run */
} editorial_ctx;

/* Recomputes and stores the editorial values and file transcripts of the
 * media row media_id (under the root at root_abs): layers, lowest priority
 * first, are its yt-dlp info.json, every _meta.json from the root down to
 * its folder, and its own NAME.EXT.json; its subtitle files are
 * NAME[.LANG].srt/.vtt. A broken sidecar is recorded as an error (stage
 * "sidecar") and contributes nothing; a subtitle file with bad cues keeps
 * its good ones and is recorded (stage "subtitle"). Returns 0, or a
 * negative CAT_* code when the catalogue cannot be written. */
int editorial_refresh(editorial_ctx *e, const char *root_abs, int64_t media_id);

/* Frees the per-run cache of folder sidecars; NULL-safe. */
void editorial_cache_free(editorial_cache *cache);

/* Classifies a companion file by name: "folder" (_meta.json), "ytdlp"
 * (NAME.info.json), "file" (NAME.EXT.json), "subtitle" (.srt, .vtt), or
 * NULL for a .json that is none of these. */
const char *editorial_sidecar_kind(const char *rel);

#endif
