/* test_float_shortest.c: the bisected shortest precision equals the plain linear search, and Go's %g formatting. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "float_shortest.h"

/* The definition, tried in order. */
static int linear_precision(double v)
{
    char tmp[40];
    for (int p = 1; p < 17; p++) {
        snprintf(tmp, sizeof tmp, "%.*e", p - 1, v);
        if (strtod(tmp, NULL) == v)
            return p;
    }
    return 17;
}

Test(float_shortest, bisection_equals_linear_search)
{
    static const double fixed[] = {1, -1, 0.1, 0.3, 1.0 / 3, 2.0 / 3, 100, 123456789, 1e23,
                                   5e-324, 2.2250738585072014e-308, 1.7976931348623157e308,
                                   0.000123, 9007199254740993.0, 3.14159, 12.5, -0.0, 0};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        cr_expect_eq(float_shortest_precision(fixed[i]), linear_precision(fixed[i]), "%.17g",
                     fixed[i]);
    uint64_t x = 0x243f6a8885a308d3u;
    for (int i = 0; i < 20000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        double v;
        if (i % 2) {
            memcpy(&v, &x, sizeof v); /* any bit pattern */
        } else {
            v = (double)(x % 100000) / (double)(1 + (x >> 40) % 1000); /* short decimals */
        }
        if (!isfinite(v))
            continue;
        cr_assert_eq(float_shortest_precision(v), linear_precision(v), "%.17g", v);
    }
}

Test(float_shortest, go_g_format)
{
    static const struct {
        double v;
        const char *want;
    } cases[] = {
        {1, "1"},           {0.1, "0.1"},       {1e6, "1e+06"},   {123456, "123456"},
        {1e-5, "1e-05"},    {0.0001, "0.0001"}, {-2.5, "-2.5"},   {NAN, "NaN"},
        {INFINITY, "+Inf"}, {-INFINITY, "-Inf"}, {1e21, "1e+21"}, {0, "0"},
    };
    char buf[64];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        float_format_go_g(cases[i].v, buf, sizeof buf);
        cr_expect_str_eq(buf, cases[i].want, "%.17g", cases[i].v);
    }
}
