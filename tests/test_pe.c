/* The PE model (tetris_pe_model, refmodel/pe.c): hand-checked passes, the
 * stream order, pooling, wrapping, bad configurations, and a randomized
 * comparison with a direct convolution of the rows the stream comes from. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>

#include "tetris.h"
#include "testutil.h"

static const tetris_arith A16 = {16, 32, 8};
static const tetris_arith A20 = {16, 20, 8};

static tetris_pe_cfg pe(int op, int s, int u, int wo, int bc, int bm, int bn)
{
    tetris_pe_cfg c = {op, s, u, wo, bc, bm, bn};
    return c;
}

static void expect_out(const int32_t *got, const int32_t *want, int n)
{
    for (int i = 0; i < n; i++)
        cr_expect_eq(got[i], want[i], "psum %d: got %d, want %d", i, got[i], want[i]);
}

Test(pe, mac_one_row)
{
    /* windows [1 2 3], [2 3 4], [3 4 5] of the row 1..5 */
    tetris_pe_cfg c = pe(0, 3, 1, 3, 1, 1, 1);
    const int16_t f[] = {1, 2, 3}, in[] = {1, 2, 3, 4, 5};
    const int32_t pin[] = {100, 200, 300}, want[] = {114, 220, 326};
    int32_t out[3];
    cr_assert_eq(tetris_pe_ifmap_words(&c), 5);
    cr_assert_eq(tetris_pe_model(&A16, &c, f, in, pin, out), TETRIS_OK);
    expect_out(out, want, 3);
}

Test(pe, mac_block_orders)
{
    /* bc = bm = bn = 2, s = 2, wo = 2. Filters [m][c][k]; rows (c, n):
     * (0,0) 1 2 3, (0,1) 10 20 30, (1,0) 4 5 6, (1,1) 40 50 60. The stream
     * is the first windows in [c][n] order, then column 1's new word of
     * every row in the same order; outputs are [x][m][n]. */
    tetris_pe_cfg c = pe(0, 2, 1, 2, 2, 2, 2);
    const int16_t f[] = {1, 2, 3, 4, -1, 0, 0, 5};
    const int16_t in[] = {1, 2, 10, 20, 4, 5, 40, 50, 3, 30, 6, 60};
    const int32_t pin[] = {1, 2, 3, 4, 5, 6, 7, 8};
    /* x0: m0 5+32, 50+320; m1 -1+25, -10+250; x1: m0 8+39, 80+390; m1 -2+30, -20+300 */
    const int32_t want[] = {38, 372, 27, 244, 52, 476, 35, 288};
    int32_t out[8];
    cr_assert_eq(tetris_pe_ifmap_words(&c), 12);
    cr_assert_eq(tetris_pe_model(&A16, &c, f, in, pin, out), TETRIS_OK);
    expect_out(out, want, 8);
}

Test(pe, stride_below_window)
{
    /* u = 2 < s = 3: two new words per column; windows [1 2 3] [3 4 5] [5 6 7] */
    tetris_pe_cfg c = pe(0, 3, 2, 3, 1, 1, 1);
    const int16_t f[] = {1, 10, 100}, in[] = {1, 2, 3, 4, 5, 6, 7};
    const int32_t pin[] = {0, 0, 0}, want[] = {321, 543, 765};
    int32_t out[3];
    cr_assert_eq(tetris_pe_ifmap_words(&c), 7);
    cr_assert_eq(tetris_pe_model(&A16, &c, f, in, pin, out), TETRIS_OK);
    expect_out(out, want, 3);
}

Test(pe, stride_above_window)
{
    /* u = 3 > s = 2: the row a0 a1 . a3 a4 . a6 a7 arrives without the
     * skipped columns, s new words per column: windows [1 2] [4 5] [7 8] */
    tetris_pe_cfg c = pe(0, 2, 3, 3, 1, 1, 1);
    const int16_t f[] = {1, 100}, in[] = {1, 2, 4, 5, 7, 8};
    const int32_t pin[] = {0, 0, 0}, want[] = {201, 504, 807};
    int32_t out[3];
    cr_assert_eq(tetris_pe_ifmap_words(&c), 6);
    cr_assert_eq(tetris_pe_model(&A16, &c, f, in, pin, out), TETRIS_OK);
    expect_out(out, want, 3);
}

Test(pe, max_pool)
{
    /* op 1, s = 3, u = 1, wo = 3, bm = 2 channels: rows m0 -5 7 -2 3 9,
     * m1 -32768 -32768 -32768 -1 -32768; no filters. The chain takes the
     * larger of psum_in and the window's max. */
    tetris_pe_cfg c = pe(1, 3, 1, 3, 1, 2, 1);
    const int16_t in[] = {-5, 7, -2, -32768, -32768, -32768, 3, -1, 9, -32768};
    const int32_t pin[] = {-32768, -32768, 8, -32768, 0, -100000};
    /* window maxima: x0 7, -32768; x1 7, -1; x2 9, -1 */
    const int32_t want[] = {7, -32768, 8, -1, 9, -1};
    int32_t out[6];
    cr_assert_eq(tetris_pe_ifmap_words(&c), 10);
    cr_assert_eq(tetris_pe_model(&A16, &c, NULL, in, pin, out), TETRIS_OK);
    expect_out(out, want, 6);
}

Test(pe, max_pool_starts_at_smallest_word)
{
    /* 8-bit words: a window of -128s has max -128, the smallest word */
    const tetris_arith a8 = {8, 16, 4};
    tetris_pe_cfg c = pe(1, 2, 1, 1, 1, 1, 1);
    const int16_t in[] = {-128, -128};
    const int32_t pin[] = {-1000};
    int32_t out[1];
    cr_assert_eq(tetris_pe_model(&a8, &c, NULL, in, pin, out), TETRIS_OK);
    cr_expect_eq(out[0], -128);
}

Test(pe, add_pool)
{
    /* op 2, s = u = 2, wo = 2, bn = 2: rows (m0, n0) 1 2 3 4 and
     * (m0, n1) -10 20 30 -40; window sums 3, 10 then 7, -10 */
    tetris_pe_cfg c = pe(2, 2, 2, 2, 1, 1, 2);
    const int16_t in[] = {1, 2, -10, 20, 3, 4, 30, -40};
    const int32_t pin[] = {100, 200, 300, 400}, want[] = {103, 210, 307, 390};
    int32_t out[4];
    cr_assert_eq(tetris_pe_model(&A16, &c, NULL, in, pin, out), TETRIS_OK);
    expect_out(out, want, 4);
}

Test(pe, wraps_at_acc_bits_20)
{
    tetris_pe_cfg c = pe(0, 2, 1, 1, 1, 1, 1);
    int32_t out[1];
    /* 2 * 32767^2 = 0x7FFE0002: the low 20 bits 0xE0002 are -131070 */
    const int16_t big[] = {32767, 32767};
    const int32_t zero[] = {0};
    cr_assert_eq(tetris_pe_model(&A20, &c, big, big, zero, out), TETRIS_OK);
    cr_expect_eq(out[0], -131070);
    /* docs/arith.md: 300000 + 300000 wraps to -448576 */
    c = pe(0, 1, 1, 1, 1, 1, 1);
    const int16_t f[] = {30000}, in[] = {10};
    const int32_t p300k[] = {300000};
    cr_assert_eq(tetris_pe_model(&A20, &c, f, in, p300k, out), TETRIS_OK);
    cr_expect_eq(out[0], -448576);
    /* the largest value plus one is the smallest */
    const int16_t one[] = {1};
    const int32_t top[] = {524287};
    cr_assert_eq(tetris_pe_model(&A20, &c, one, one, top, out), TETRIS_OK);
    cr_expect_eq(out[0], -524288);
    /* psum_in arrives on a 20-bit port: only its low 20 bits count */
    const int32_t wide[] = {0x7FFFFFFF};
    cr_assert_eq(tetris_pe_model(&A20, &c, one, one, wide, out), TETRIS_OK);
    cr_expect_eq(out[0], 0);
    /* ... for max pooling too: 0xFFFFF is -1 at 20 bits, below the window's 5 */
    tetris_pe_cfg mx = pe(1, 1, 1, 1, 1, 1, 1);
    const int16_t five[] = {5};
    const int32_t minus1[] = {0xFFFFF};
    cr_assert_eq(tetris_pe_model(&A20, &mx, NULL, five, minus1, out), TETRIS_OK);
    cr_expect_eq(out[0], 5);
    /* the same sum at 32 bits does not wrap */
    c = pe(0, 2, 1, 1, 1, 1, 1);
    cr_assert_eq(tetris_pe_model(&A16, &c, big, big, zero, out), TETRIS_OK);
    cr_expect_eq(out[0], 2147352578);
}

Test(pe, ifmap_words)
{
    tetris_pe_cfg c = pe(0, 3, 1, 5, 2, 7, 3);
    cr_expect_eq(tetris_pe_ifmap_words(&c), 2 * 3 * (3 + 4)); /* bc channels */
    c = pe(1, 2, 3, 4, 1, 5, 2);
    cr_expect_eq(tetris_pe_ifmap_words(&c), 5 * 2 * (2 + 3 * 2)); /* bm channels, step = s */
    c = pe(2, 4, 4, 3, 1, 1, 1);
    cr_expect_eq(tetris_pe_ifmap_words(&c), 4 + 2 * 4);
    c = pe(0, 0, 1, 1, 1, 1, 1);
    cr_expect_eq(tetris_pe_ifmap_words(&c), 0);
    cr_expect_eq(tetris_pe_ifmap_words(NULL), 0);
}

Test(pe, rejects_bad_passes)
{
    const int16_t w[64] = {0};
    const int32_t pin[64] = {0};
    int32_t out[64];
    const tetris_pe_cfg bad[] = {
        pe(0, 0, 1, 1, 1, 1, 1), pe(0, 1, 0, 1, 1, 1, 1), pe(0, 1, 1, 0, 1, 1, 1),
        pe(0, 1, 1, 1, 0, 1, 1), pe(0, 1, 1, 1, 1, 0, 1), pe(0, 1, 1, 1, 1, 1, 0),
        pe(3, 1, 1, 1, 1, 1, 1), pe(-1, 1, 1, 1, 1, 1, 1),
        pe(1, 1, 1, 1, 2, 1, 1), /* pooling has bc = 1 */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_expect_eq(tetris_pe_model(&A16, &bad[i], w, w, pin, out), TETRIS_EINVAL, "case %zu", i);
    tetris_pe_cfg ok = pe(0, 1, 1, 1, 1, 1, 1);
    cr_expect_eq(tetris_pe_model(&A16, &ok, NULL, w, pin, out), TETRIS_EINVAL); /* MAC needs filters */
    cr_expect_eq(tetris_pe_model(NULL, &ok, w, w, pin, out), TETRIS_EINVAL);
    cr_expect_eq(tetris_pe_model(&A16, &ok, w, NULL, pin, out), TETRIS_EINVAL);
    const tetris_arith wide = {16, 33, 8}, narrow = {16, 12, 8};
    cr_expect_eq(tetris_pe_model(&wide, &ok, w, w, pin, out), TETRIS_EINVAL);
    cr_expect_eq(tetris_pe_model(&narrow, &ok, w, w, pin, out), TETRIS_EINVAL);
    tetris_pe_cfg pool = pe(2, 1, 1, 1, 1, 1, 1);
    cr_expect_eq(tetris_pe_model(&A16, &pool, NULL, w, pin, out), TETRIS_OK);
}

/* A random word in [-2^15, 2^15 - 1], sometimes an extreme. */
static int16_t rnd_word(uint64_t *s)
{
    return test_rnd(s, 0, 3) == 0 ? (int16_t)(test_rnd(s, 0, 1) ? 32767 : -32768)
                                  : (int16_t)test_rnd(s, -32768, 32767);
}

/* The model against a direct convolution of whole ifmap rows: the stream is
 * cut from rows of (wo-1)*u + s columns, keeping only the columns some
 * window reads, and every output is computed from the rows at x*u + k. */
Test(pe, random_against_direct_rows)
{
    uint64_t seed = 77;
    for (int iter = 0; iter < 400; iter++) {
        tetris_arith a = {16, test_rnd(&seed, 16, 32), 8};
        int op = test_rnd(&seed, 0, 2);
        tetris_pe_cfg c = pe(op, test_rnd(&seed, 1, 5), test_rnd(&seed, 1, 6), test_rnd(&seed, 1, 6),
                             op == 0 ? test_rnd(&seed, 1, 3) : 1, test_rnd(&seed, 1, 3),
                             test_rnd(&seed, 1, 3));
        int nch = op == 0 ? c.bc : c.bm, len = (c.wo - 1) * c.u + c.s;
        int step = c.u < c.s ? c.u : c.s;
        int16_t *rows = malloc(sizeof(int16_t) * (size_t)(nch * c.bn * len));
        int16_t *filter = malloc(sizeof(int16_t) * (size_t)(c.bm * c.bc * c.s));
        int16_t *stream = malloc(sizeof(int16_t) * tetris_pe_ifmap_words(&c));
        int32_t *pin = malloc(sizeof(int32_t) * (size_t)(c.wo * c.bm * c.bn));
        int32_t *out = malloc(sizeof(int32_t) * (size_t)(c.wo * c.bm * c.bn));
        cr_assert(rows && filter && stream && pin && out);
        for (int i = 0; i < nch * c.bn * len; i++)
            rows[i] = rnd_word(&seed);
        for (int i = 0; i < c.bm * c.bc * c.s; i++)
            filter[i] = rnd_word(&seed);
        for (int i = 0; i < c.wo * c.bm * c.bn; i++)
            pin[i] = tetris_wrap(&a, (uint32_t)test_next(&seed));
        /* the stream: first windows, then the step new columns x*u + s - step + j */
        size_t p = 0;
        for (int x = 0; x < c.wo; x++)
            for (int r = 0; r < nch * c.bn; r++)
                for (int j = x ? c.s - step : 0; j < c.s; j++)
                    stream[p++] = rows[r * len + x * c.u + j];
        cr_assert_eq(p, tetris_pe_ifmap_words(&c));
        cr_assert_eq(tetris_pe_model(&a, &c, op == 0 ? filter : NULL, stream, pin, out), TETRIS_OK);
        for (int x = 0; x < c.wo; x++)
            for (int m = 0; m < c.bm; m++)
                for (int n = 0; n < c.bn; n++) {
                    int64_t v = op == 1 ? -32768 : 0;
                    for (int ch = 0; ch < (op == 0 ? c.bc : 1); ch++)
                        for (int k = 0; k < c.s; k++) {
                            int row = op == 0 ? ch * c.bn + n : m * c.bn + n;
                            int64_t w = rows[row * len + x * c.u + k];
                            if (op == 0)
                                v += w * filter[(m * c.bc + ch) * c.s + k];
                            else if (op == 1)
                                v = w > v ? w : v;
                            else
                                v += w;
                        }
                    int e = (x * c.bm + m) * c.bn + n;
                    int32_t want = op == 1 ? (pin[e] > v ? pin[e] : (int32_t)v)
                                           : tetris_wrap(&a, (uint32_t)(uint64_t)(v + pin[e]));
                    cr_assert_eq(out[e], want, "iter %d op %d s %d u %d wo %d bc %d bm %d bn %d: psum %d",
                                 iter, op, c.s, c.u, c.wo, c.bc, c.bm, c.bn, e);
                }
        free(rows);
        free(filter);
        free(stream);
        free(pin);
        free(out);
    }
}
