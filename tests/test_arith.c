/* The fixed-point primitives of tetris.h at every corner (docs/arith.md). */
#include <criterion/criterion.h>
#include <stdint.h>

#include "tetris.h"

static const tetris_arith A16 = {16, 32, 8}; /* the default: 16-bit words, 32-bit sums */
static const tetris_arith A8 = {8, 32, 4};

static tetris_arith acc(int bits)
{
    tetris_arith a = {16, bits, 8};
    return a;
}

/* A fixed splitmix64 sequence for the randomized checks. */
static uint64_t next(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

/* floor((v + 2^(shift-1)) / 2^shift) by division, for |v| < 2^62. */
static int64_t ref_round_shift(int64_t v, int shift)
{
    if (shift == 0)
        return v;
    int64_t d = (int64_t)1 << shift, t = v + d / 2;
    int64_t q = t / d;
    return (t % d != 0 && t < 0) ? q - 1 : q;
}

Test(arith, mul_full_precision)
{
    cr_assert_eq(tetris_mul(-32768, -32768), 1 << 30);
    cr_assert_eq(tetris_mul(-32768, 32767), -1073709056);
    cr_assert_eq(tetris_mul(32767, 32767), 1073676289);
    cr_assert_eq(tetris_mul(-1, 1), -1);
    cr_assert_eq(tetris_mul(0, -32768), 0);
    cr_assert_eq(tetris_mul(256, 256), 65536); /* 1.0 * 1.0 at frac 8 = 1.0 at frac 16 */
}

Test(arith, wrap_32_is_identity)
{
    tetris_arith a = acc(32);
    cr_assert_eq(tetris_wrap(&a, 0x7FFFFFFFu), INT32_MAX);
    cr_assert_eq(tetris_wrap(&a, 0x80000000u), INT32_MIN);
    cr_assert_eq(tetris_wrap(&a, 0xFFFFFFFFu), -1);
    cr_assert_eq(tetris_wrap(&a, 0u), 0);
    cr_assert_eq(tetris_wrap(&a, 12345u), 12345);
}

Test(arith, wrap_20_sign_extends)
{
    tetris_arith a = acc(20);
    cr_assert_eq(tetris_wrap(&a, 0x7FFFFu), 524287);     /* largest positive */
    cr_assert_eq(tetris_wrap(&a, 0x80000u), -524288);    /* bit 19 set: smallest */
    cr_assert_eq(tetris_wrap(&a, 0xFFFFFu), -1);
    cr_assert_eq(tetris_wrap(&a, 0x100000u), 0);         /* 2^20 wraps to 0 */
    cr_assert_eq(tetris_wrap(&a, 0x123456u), 0x23456);   /* high bits dropped */
    cr_assert_eq(tetris_wrap(&a, 0xABCDEu), 0xABCDE - 0x100000);
    cr_assert_eq(tetris_wrap(&a, 0xFFF80000u), -524288); /* -2^19 stays */
    cr_assert_eq(tetris_wrap(&a, (uint32_t)-524289), 524287);
}

Test(arith, wrap_24_sign_extends)
{
    tetris_arith a = acc(24);
    cr_assert_eq(tetris_wrap(&a, 0x7FFFFFu), 8388607);
    cr_assert_eq(tetris_wrap(&a, 0x800000u), -8388608);
    cr_assert_eq(tetris_wrap(&a, 0x1000000u), 0);
    cr_assert_eq(tetris_wrap(&a, 0xFF800001u), -8388607);
    cr_assert_eq(tetris_wrap(&a, 0x01800000u), -8388608);
}

Test(arith, wrap_word_width_accumulator)
{
    tetris_arith a = {16, 16, 8}; /* acc_bits may equal word_bits */
    cr_assert_eq(tetris_wrap(&a, 0x8000u), -32768);
    cr_assert_eq(tetris_wrap(&a, 0x18000u), -32768);
    cr_assert_eq(tetris_wrap(&a, 0x7FFFu), 32767);
}

Test(arith, acc_add_wraps)
{
    tetris_arith a32 = acc(32), a24 = acc(24), a20 = acc(20);
    cr_assert_eq(tetris_acc_add(&a32, INT32_MAX, 1), INT32_MIN);
    cr_assert_eq(tetris_acc_add(&a32, INT32_MIN, -1), INT32_MAX);
    cr_assert_eq(tetris_acc_add(&a32, INT32_MIN, INT32_MIN), 0);
    cr_assert_eq(tetris_acc_add(&a24, 8388607, 1), -8388608);
    cr_assert_eq(tetris_acc_add(&a24, -8388608, -1), 8388607);
    cr_assert_eq(tetris_acc_add(&a20, 524287, 1), -524288);
    cr_assert_eq(tetris_acc_add(&a20, -524288, -1), 524287);
    /* a product wider than the accumulator wraps on the way in */
    cr_assert_eq(tetris_acc_add(&a20, 0, tetris_mul(-32768, -32768)), 0);
    cr_assert_eq(tetris_acc_add(&a20, 0, tetris_mul(1024, 512)), -524288);
    cr_assert_eq(tetris_acc_add(&a20, 5, -7), -2);
}

/* What lets the golden model wrap once at the end: any order of the same
 * addends, wrapped at every step or only at the end, gives the same bits. */
Test(arith, wrap_once_equals_wrap_each_step)
{
    uint64_t seed = 42;
    const int widths[] = {16, 20, 24, 31, 32};
    for (int w = 0; w < 5; w++) {
        tetris_arith a = acc(widths[w]);
        for (int trial = 0; trial < 200; trial++) {
            int32_t x[64];
            for (int i = 0; i < 64; i++)
                x[i] = tetris_mul((int16_t)next(&seed), (int16_t)next(&seed));
            int32_t fwd = 0, bwd = 0;
            uint32_t once = 0;
            for (int i = 0; i < 64; i++) {
                fwd = tetris_acc_add(&a, fwd, x[i]);
                bwd = tetris_acc_add(&a, bwd, x[63 - i]);
                once += (uint32_t)x[(i * 37) % 64]; /* a permutation: 37 is odd */
            }
            cr_assert_eq(fwd, bwd, "acc_bits %d trial %d", widths[w], trial);
            cr_assert_eq(fwd, tetris_wrap(&a, once), "acc_bits %d trial %d", widths[w], trial);
        }
    }
}

Test(arith, sat_16)
{
    cr_assert_eq(tetris_sat(&A16, 32767), 32767);
    cr_assert_eq(tetris_sat(&A16, 32768), 32767);
    cr_assert_eq(tetris_sat(&A16, -32768), -32768);
    cr_assert_eq(tetris_sat(&A16, -32769), -32768);
    cr_assert_eq(tetris_sat(&A16, INT64_MAX), 32767);
    cr_assert_eq(tetris_sat(&A16, INT64_MIN), -32768);
    cr_assert_eq(tetris_sat(&A16, -5), -5);
}

Test(arith, sat_8_and_2)
{
    cr_assert_eq(tetris_sat(&A8, 127), 127);
    cr_assert_eq(tetris_sat(&A8, 128), 127);
    cr_assert_eq(tetris_sat(&A8, -128), -128);
    cr_assert_eq(tetris_sat(&A8, -129), -128);
    cr_assert_eq(tetris_sat(&A8, 100000), 127);
    tetris_arith a2 = {2, 2, 0};
    cr_assert_eq(tetris_sat(&a2, 1), 1);
    cr_assert_eq(tetris_sat(&a2, 2), 1);
    cr_assert_eq(tetris_sat(&a2, -2), -2);
    cr_assert_eq(tetris_sat(&a2, -3), -2);
}

Test(arith, round_shift_ties_toward_plus_infinity)
{
    cr_assert_eq(tetris_round_shift(3, 1), 2);   /* 1.5 -> 2 */
    cr_assert_eq(tetris_round_shift(-3, 1), -1); /* -1.5 -> -1 */
    cr_assert_eq(tetris_round_shift(5, 1), 3);   /* 2.5 -> 3 */
    cr_assert_eq(tetris_round_shift(-5, 1), -2); /* -2.5 -> -2 */
    cr_assert_eq(tetris_round_shift(1, 1), 1);   /* 0.5 -> 1 */
    cr_assert_eq(tetris_round_shift(-1, 1), 0);  /* -0.5 -> 0 */
    cr_assert_eq(tetris_round_shift(6, 2), 2);   /* 1.5 -> 2 */
    cr_assert_eq(tetris_round_shift(-6, 2), -1); /* -1.5 -> -1 */
    cr_assert_eq(tetris_round_shift(-7, 2), -2); /* -1.75 -> -2 */
    cr_assert_eq(tetris_round_shift(-5, 2), -1); /* -1.25 -> -1 */
    cr_assert_eq(tetris_round_shift(384, 8), 2); /* 1.5 at frac 8 -> 2 */
    cr_assert_eq(tetris_round_shift(-384, 8), -1);
    cr_assert_eq(tetris_round_shift(-385, 8), -2);
}

Test(arith, round_shift_zero_is_identity)
{
    const int64_t v[] = {0, 1, -1, 3, -3, INT32_MAX, INT32_MIN, INT64_MAX, INT64_MIN};
    for (int i = 0; i < 9; i++)
        cr_assert_eq(tetris_round_shift(v[i], 0), v[i]);
}

Test(arith, round_shift_31_on_32_bit_accumulators)
{
    cr_assert_eq(tetris_round_shift(INT32_MIN, 31), -1);
    cr_assert_eq(tetris_round_shift(INT32_MAX, 31), 1);
    cr_assert_eq(tetris_round_shift(1 << 30, 31), 1);          /* 0.5 -> 1 */
    cr_assert_eq(tetris_round_shift((1 << 30) - 1, 31), 0);
    cr_assert_eq(tetris_round_shift(-(1 << 30), 31), 0);       /* -0.5 -> 0 */
    cr_assert_eq(tetris_round_shift(-(1 << 30) - 1, 31), -1);
    cr_assert_eq(tetris_out_stage(&A16, INT32_MIN, 31, 0), -1);
    cr_assert_eq(tetris_out_stage(&A16, INT32_MAX, 31, 0), 1);
}

Test(arith, round_shift_62_on_int64)
{
    const int64_t p61 = (int64_t)1 << 61, p62 = (int64_t)1 << 62;
    cr_assert_eq(tetris_round_shift(p61, 62), 1); /* 0.5 -> 1 */
    cr_assert_eq(tetris_round_shift(p61 - 1, 62), 0);
    cr_assert_eq(tetris_round_shift(-p61, 62), 0); /* -0.5 -> 0 */
    cr_assert_eq(tetris_round_shift(-p61 - 1, 62), -1);
    cr_assert_eq(tetris_round_shift(p62, 62), 1);
    cr_assert_eq(tetris_round_shift(-p62, 62), -1);
    /* near the int64 limits (the primitive's own additions overflow past
     * -3*2^61 and 2^63 - 2^61): -1.4999... and 1.4999... */
    cr_assert_eq(tetris_round_shift(-3 * p61 + 1, 62), -1);
    cr_assert_eq(tetris_round_shift(INT64_MAX - p61, 62), 1);
}

Test(arith, round_shift_matches_floor_division)
{
    uint64_t seed = 7;
    for (int i = 0; i < 20000; i++) {
        int shift = (int)(next(&seed) % 63);
        /* int32 sums and, for the wide shifts, int64 values below 2^62 */
        int64_t v = (i & 1) ? (int64_t)(int32_t)next(&seed)
                            : (int64_t)(next(&seed) >> 2) - ((int64_t)1 << 61);
        cr_assert_eq(tetris_round_shift(v, shift), ref_round_shift(v, shift), "v=%lld shift=%d",
                     (long long)v, shift);
    }
}

Test(arith, out_stage_saturates_both_sides)
{
    cr_assert_eq(tetris_out_stage(&A16, INT32_MAX, 8, 0), 32767);
    cr_assert_eq(tetris_out_stage(&A16, INT32_MIN, 8, 0), -32768);
    cr_assert_eq(tetris_out_stage(&A16, INT32_MIN, 0, 0), -32768);
    cr_assert_eq(tetris_out_stage(&A16, 32767 * 256 + 127, 8, 0), 32767);
    cr_assert_eq(tetris_out_stage(&A16, 32767 * 256 + 128, 8, 0), 32767); /* rounds to 32768: saturates */
    cr_assert_eq(tetris_out_stage(&A16, -32768 * 256 - 128, 8, 0), -32768); /* -32768.5 -> -32768 */
    cr_assert_eq(tetris_out_stage(&A16, -32768 * 256 - 129, 8, 0), -32768);
    cr_assert_eq(tetris_out_stage(&A8, 1000, 2, 0), 127);
    cr_assert_eq(tetris_out_stage(&A8, -1000, 2, 0), -128);
    cr_assert_eq(tetris_out_stage(&A8, 507, 2, 0), 127); /* 126.75 -> 127 */
    cr_assert_eq(tetris_out_stage(&A8, 510, 2, 0), 127); /* 127.5 -> 128 -> 127 */
}

Test(arith, relu_after_saturation)
{
    cr_assert_eq(tetris_out_stage(&A16, INT32_MIN, 0, 1), 0);
    cr_assert_eq(tetris_out_stage(&A16, INT32_MAX, 0, 1), 32767);
    cr_assert_eq(tetris_out_stage(&A16, -1, 1, 1), 0); /* -0.5 rounds to 0 */
    cr_assert_eq(tetris_out_stage(&A16, -3, 1, 1), 0); /* -1.5 rounds to -1, then ReLU */
    cr_assert_eq(tetris_out_stage(&A16, 3, 1, 1), 2);
    cr_assert_eq(tetris_out_stage(&A8, -100000, 0, 1), 0);
    cr_assert_eq(tetris_out_stage(&A8, 100000, 0, 1), 127);
    cr_assert_eq(tetris_out_stage(&A16, 0, 5, 1), 0);
}

Test(arith, avg_mult_values)
{
    cr_assert_eq(tetris_avg_mult(1), 65536);
    cr_assert_eq(tetris_avg_mult(2), 32768);
    cr_assert_eq(tetris_avg_mult(3), 21845); /* 21845.33 */
    cr_assert_eq(tetris_avg_mult(4), 16384);
    cr_assert_eq(tetris_avg_mult(9), 7282);  /* 7281.78 */
    cr_assert_eq(tetris_avg_mult(25), 2621); /* 2621.44 */
    cr_assert_eq(tetris_avg_mult(49), 1337); /* 1337.47 */
    cr_assert_eq(tetris_avg_mult(121), 542); /* 541.62 */
}

Test(arith, avg_out_rounding)
{
    cr_assert_eq(tetris_avg_out(&A16, 9, 9, 0), 1);
    cr_assert_eq(tetris_avg_out(&A16, 9000, 9, 0), 1000);
    cr_assert_eq(tetris_avg_out(&A16, 2, 4, 0), 1);   /* 0.5 -> 1 */
    cr_assert_eq(tetris_avg_out(&A16, -2, 4, 0), 0);  /* -0.5 -> 0 */
    cr_assert_eq(tetris_avg_out(&A16, 6, 4, 0), 2);   /* 1.5 -> 2 */
    cr_assert_eq(tetris_avg_out(&A16, -6, 4, 0), -1); /* -1.5 -> -1 */
    cr_assert_eq(tetris_avg_out(&A16, -7, 4, 0), -2); /* -1.75 -> -2 */
    cr_assert_eq(tetris_avg_out(&A16, 12345, 1, 0), 12345);
    /* the 16-bit reciprocal of 49 is slightly small: -32768 averages to -32756 */
    cr_assert_eq(tetris_avg_out(&A16, 49 * -32768, 49, 0), -32756);
    cr_assert_eq(tetris_avg_out(&A16, 49 * 32767, 49, 0), 32756);
}

Test(arith, avg_out_saturates_and_relu)
{
    cr_assert_eq(tetris_avg_out(&A16, 40000, 1, 0), 32767);
    cr_assert_eq(tetris_avg_out(&A16, -40000, 1, 0), -32768);
    cr_assert_eq(tetris_avg_out(&A16, INT32_MAX, 4, 0), 32767);
    cr_assert_eq(tetris_avg_out(&A16, INT32_MIN, 4, 0), -32768);
    cr_assert_eq(tetris_avg_out(&A8, 4 * 127 + 4, 4, 0), 127);
    cr_assert_eq(tetris_avg_out(&A8, 4 * -128 - 4, 4, 0), -128);
    cr_assert_eq(tetris_avg_out(&A16, -400, 4, 1), 0);
    cr_assert_eq(tetris_avg_out(&A16, 400, 4, 1), 100);
    cr_assert_eq(tetris_avg_out(&A16, -2, 4, 1), 0);
}

Test(arith, word_min)
{
    cr_assert_eq(tetris_word_min(&A16), -32768);
    cr_assert_eq(tetris_word_min(&A8), -128);
    tetris_arith a2 = {2, 2, 0};
    cr_assert_eq(tetris_word_min(&a2), -2);
    /* the identity of max: saturating it changes nothing */
    cr_assert_eq(tetris_sat(&A8, tetris_word_min(&A8)), -128);
}
