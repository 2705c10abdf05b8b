/*
 * fuzz_exif: libFuzzer target for the EXIF readers on raw bytes:
 * exif_read_fields (libexif, the APP1 block of a JPEG or HEIF) and
 * exif_read_tiff (reel's own IFD walker for TIFF-based raw files).
 * Built only with -DREEL_FUZZ=ON (clang); see tests/fuzz/README.md.
 */
#include <stdint.h>
#include <stdlib.h>

#include "exif.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *a = json_object(), *b = json_object();
    if (!a || !b)
        abort();
    exif_read_fields(data, size, a);
    exif_read_tiff(data, size, b);
    json_decref(a);
    json_decref(b);
    return 0;
}
