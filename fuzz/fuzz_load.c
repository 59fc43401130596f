/* fuzz_load.c: libFuzzer harness: any bytes in any data format must load whole or fail cleanly with the store left as it was. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "load_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char why[1024];
    if (!load_check(data, size, why, sizeof why)) {
        /* abort() makes libFuzzer save the input as crash-<sha1>; copy it
         * into fuzz/regressions/load/ so it becomes a unit test. */
        fprintf(stderr, "fuzz_load: %s\n", why);
        abort();
    }
    return 0;
}
