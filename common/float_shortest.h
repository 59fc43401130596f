/* float_shortest.h: the fewest significant digits that print a double so that it reads back unchanged. */
#ifndef PQL_FLOAT_SHORTEST_H
#define PQL_FLOAT_SHORTEST_H

#include <stddef.h>

/*
 * The smallest p in [1, 17] such that printf("%.*e", p - 1, v) reads back
 * through strtod as exactly v: the digit count of Go's shortest formatting
 * (strconv.FormatFloat with precision -1). v must be finite. Never fails;
 * allocates nothing.
 */
int float_shortest_precision(double v);

/*
 * Writes v as Go's strconv.FormatFloat(v, 'g', -1, 64) does (Prometheus's
 * error texts use it): the shortest round-tripping digits, in exponent form
 * when the decimal exponent is < -4 or >= 6; NaN, +Inf, -Inf. Always
 * NUL-terminates out (truncating to cap); never fails.
 */
void float_format_go_g(double v, char *out, size_t cap);

#endif
