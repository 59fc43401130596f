/* op_binary_arith.c: per-value arithmetic and comparison of binary operators,
 * as plain column loops. */
#include "binagg_internal.h"

#include <math.h>

/* Go's math.Pow and C99 pow agree on every special case PromQL can reach
 * (pow(x, ±0) = 1, pow(1, NaN) = 1, pow(-1, ±Inf) = 1, ...), and fmod is
 * exact as Go's math.Mod is, so the C library is used directly. */
double binop_arith(pql_op op, double l, double r)
{
    switch (op) {
    case PQL_OP_ADD:
        return l + r;
    case PQL_OP_SUB:
        return l - r;
    case PQL_OP_MUL:
        return l * r;
    case PQL_OP_DIV:
        return l / r;
    case PQL_OP_MOD:
        return fmod(l, r);
    case PQL_OP_POW:
        return pow(l, r);
    case PQL_OP_ATAN2:
        return atan2(l, r);
    default:
        return NAN;
    }
}

bool binop_compare(pql_op op, double l, double r)
{
    switch (op) {
    case PQL_OP_EQL:
        return l == r;
    case PQL_OP_NEQ:
        return l != r;
    case PQL_OP_GTR:
        return l > r;
    case PQL_OP_LSS:
        return l < r;
    case PQL_OP_GTE:
        return l >= r;
    case PQL_OP_LTE:
        return l <= r;
    default:
        return false;
    }
}

/* One loop per operator so the compiler can vectorize each; the switch
 * sits outside the per-step loop. */
#define BINOP_LOOP(expr)                                                       \
    for (size_t t = 0; t < n; t++) {                                           \
        double a = l[t], b = r[t];                                             \
        out[t] = (expr);                                                       \
    }

void binop_arith_cols(pql_op op, const double *l, const double *r, double *out,
                      size_t n)
{
    switch (op) {
    case PQL_OP_ADD:
        BINOP_LOOP(a + b) break;
    case PQL_OP_SUB:
        BINOP_LOOP(a - b) break;
    case PQL_OP_MUL:
        BINOP_LOOP(a * b) break;
    case PQL_OP_DIV:
        BINOP_LOOP(a / b) break;
    case PQL_OP_MOD:
        BINOP_LOOP(fmod(a, b)) break;
    case PQL_OP_POW:
        BINOP_LOOP(pow(a, b)) break;
    case PQL_OP_ATAN2:
        BINOP_LOOP(atan2(a, b)) break;
    default:
        BINOP_LOOP(a * 0 + b * 0 + NAN) break;
    }
}

void binop_arith_col_scalar(pql_op op, const double *col, const double *s,
                            bool swap, double *out, size_t n)
{
    if (swap) {
        binop_arith_cols(op, s, col, out, n);
    } else {
        binop_arith_cols(op, col, s, out, n);
    }
}

#define CMP_LOOP(expr)                                                         \
    for (size_t t = 0; t < n; t++) {                                           \
        double a = l[t], b = r[t];                                             \
        keep[t] = (uint8_t)(expr);                                             \
    }

void binop_compare_cols(pql_op op, const double *l, const double *r,
                        uint8_t *keep, size_t n)
{
    switch (op) {
    case PQL_OP_EQL:
        CMP_LOOP(a == b) break;
    case PQL_OP_NEQ:
        CMP_LOOP(a != b) break;
    case PQL_OP_GTR:
        CMP_LOOP(a > b) break;
    case PQL_OP_LSS:
        CMP_LOOP(a < b) break;
    case PQL_OP_GTE:
        CMP_LOOP(a >= b) break;
    case PQL_OP_LTE:
        CMP_LOOP(a <= b) break;
    default:
        CMP_LOOP(a != a && b != b && 0) break;
    }
}
