/*
 * fuzz_sidecar: libFuzzer target for the sidecar reader: the input parsed as
 * JSON and normalised as a file sidecar, a folder sidecar and a yt-dlp
 * info.json (types, countries and languages through iso-codes, dates,
 * segment times against a duration), then merged. Built only with
 * -DREEL_FUZZ=ON (clang); see README.md.
 */
#include <stdint.h>
#include <stdlib.h>

#include "sidecar.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static iso_db *iso;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const enum sidecar_kind kinds[] = {SIDECAR_FILE, SIDECAR_FOLDER, SIDECAR_YTDLP};
    json_t *doc, *layers[3] = {NULL, NULL, NULL}, *merged;
    char *err = NULL;
    size_t n = 0;

    if (!iso && iso_db_load(&iso, NULL, &err) != 0)
        abort();                  /* the iso-codes data must be installed */
    doc = json_loadb((const char *)data, size, 0, NULL);
    if (!doc)
        return 0;
    for (int k = 0; k < 3; k++) {
        json_t *norm = sidecar_normalise(doc, kinds[k], iso, 60.0, "fuzz.json", &err);
        free(err);
        err = NULL;
        if (norm)
            layers[n++] = norm;
    }
    merged = sidecar_merge(layers, n);
    json_decref(merged);
    for (size_t i = 0; i < n; i++)
        json_decref(layers[i]);
    json_decref(doc);
    return 0;
}
