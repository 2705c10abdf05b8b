/*
 * fuzz_probe: libFuzzer target for the probe path a worker runs on every
 * file: index_extract_file (open, hash, pick an extractor by content, parse
 * with libavformat, libexif, libheif or reel's TIFF reader).
 *
 * Each input is written to one temporary file, as media reach reel on
 * disk. Built only with -DREEL_FUZZ=ON (clang); see tests/fuzz/README.md.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "extract.h"
#include "indexer.h"

static char g_path[64];
static int g_fd = -1;

static int open_scratch(void)
{
    const char *dir = getenv("TMPDIR");
    snprintf(g_path, sizeof g_path, "%.40s/reel-fuzz-XXXXXX", dir && *dir ? dir : "/tmp");
    g_fd = mkstemp(g_path);
    return g_fd;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *rec = NULL;

    if (g_fd < 0 && open_scratch() < 0)
        abort();
    if (ftruncate(g_fd, 0) != 0 || (size && pwrite(g_fd, data, size, 0) != (ssize_t)size))
        abort();
    /* a short deadline: a slow input is a finding for -timeout, not a hang */
    index_extract_file(g_path, 5, &rec);
    if (!rec)
        abort();   /* the contract: a record or an error, always */
    json_decref(rec);
    return 0;
}
