/* float_shortest.c: the shortest round-tripping precision of a double, by bisection over printf precisions. */
#include "float_shortest.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int round_trips(double v, int p)
{
    char tmp[40];
    snprintf(tmp, sizeof tmp, "%.*e", p - 1, v);
    return strtod(tmp, NULL) == v;
}

/*
 * If p digits read back as v, so do p + 1: the correctly rounded p-digit
 * value is itself a (p + 1)-digit value, and the correctly rounded (p + 1)-
 * digit value is at least as close to v. So the smallest working p can be
 * found by bisection: about four printf/strtod pairs instead of up to 17.
 * Small integers and short decimals, the most common values, are tried
 * first.
 */
int float_shortest_precision(double v)
{
    if (round_trips(v, 1))
        return 1;
    if (round_trips(v, 3)) /* 2 or 3 */
        return round_trips(v, 2) ? 2 : 3;
    int lo = 4, hi = 17; /* the answer is in [lo, hi]; 17 always works */
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (round_trips(v, mid))
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

void float_format_go_g(double v, char *out, size_t cap)
{
    if (isnan(v)) {
        snprintf(out, cap, "NaN");
        return;
    }
    if (isinf(v)) {
        snprintf(out, cap, v > 0 ? "+Inf" : "-Inf");
        return;
    }
    char tmp[40];
    int prec = float_shortest_precision(v);
    snprintf(tmp, sizeof tmp, "%.*e", prec - 1, v);
    int exp = atoi(strchr(tmp, 'e') + 1);
    if (exp < -4 || exp >= 6)
        snprintf(out, cap, "%s", tmp);
    else
        snprintf(out, cap, "%.*f", prec - 1 - exp > 0 ? prec - 1 - exp : 0, v);
}
