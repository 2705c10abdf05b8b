/*
 * fuzz_subtitles: libFuzzer target for the subtitle file parser: the input
 * written to a file and read as SubRip/WebVTT (subs_parse_file), and each
 * of its lines through the markup stripper (subs_plain_text). Built only
 * with -DREEL_FUZZ=ON (clang); see README.md.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "subtitles.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[64];
    json_t *cues = NULL, *errors = NULL;
    char *text;
    FILE *f;

    if (!path[0])
        snprintf(path, sizeof path, "/tmp/reel-fuzz-subs-%d.srt", (int)getpid());
    if (!(f = fopen(path, "wb")))
        abort();
    fwrite(data, 1, size, f);
    fclose(f);
    subs_parse_file(path, &cues, &errors);
    json_decref(cues);
    json_decref(errors);
    /* the stripper on arbitrary text, NUL-terminated */
    if ((text = malloc(size + 1))) {
        char out[512];
        memcpy(text, data, size);
        text[size] = 0;
        subs_plain_text(text, out, sizeof out);
        free(text);
    }
    return 0;
}
