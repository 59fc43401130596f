/* fuzz_parse.c: libFuzzer harness: any bytes must parse or fail cleanly, and valid ones must survive print -> re-parse unchanged. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "parse_roundtrip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char why[8192];
    if (!parse_roundtrip_check((const char *)data, size, why, sizeof why)) {
        /* abort() makes libFuzzer save the input as crash-<sha1>; copy it
         * into fuzz/regressions/parse/ so it becomes a unit test. */
        fprintf(stderr, "fuzz_parse: round trip failed: %s\n", why);
        abort();
    }
    return 0;
}
