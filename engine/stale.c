/* stale.c: Prometheus's staleness marker, a NaN recognised by its exact bit
 * pattern. */
#include <string.h>

#include "promql.h"

int pql_is_stale_marker(double v)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    return bits == PQL_STALE_NAN_BITS;
}

double pql_stale_marker(void)
{
    uint64_t bits = PQL_STALE_NAN_BITS;
    double v;
    memcpy(&v, &bits, sizeof v);
    return v;
}
