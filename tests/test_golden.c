/* The golden model against hand-computed layers and the naive reference. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "naive.h"
#include "testutil.h"
#include "tetris.h"

static tetris_layer layer(enum tetris_layer_type type, int c, int hi, int wi, int m, int r, int s,
                          int stride, int pad, int groups)
{
    tetris_layer l;
    memset(&l, 0, sizeof l);
    snprintf(l.name, sizeof l.name, "t%d", (int)type);
    l.type = type;
    l.c = c, l.hi = hi, l.wi = wi, l.m = m, l.r = r, l.s = s;
    l.stride = stride, l.pad = pad, l.groups = groups;
    l.ho = (hi + 2 * pad - r) / stride + 1;
    l.wo = (wi + 2 * pad - s) / stride + 1;
    l.shift = TETRIS_SHIFT_AUTO;
    return l;
}

static size_t out_count(const tetris_layer *l, int n)
{
    return (size_t)n * l->m * l->ho * l->wo;
}

/* Words over the whole word range (and accumulator-wide biases), so sums
 * wrap and outputs saturate far more often than with the default data. */
static void full_range(const tetris_layer *l, const tetris_arith *a, uint64_t *s,
                       tetris_layer_data *d)
{
    int wmax = (1 << (a->word_bits - 1)) - 1;
    for (size_t i = 0; i < (size_t)d->n * l->c * l->hi * l->wi; i++)
        d->ifmap[i] = (int16_t)test_rnd(s, -wmax - 1, wmax);
    if (d->filter)
        for (size_t i = 0; i < (size_t)l->m * (l->c / l->groups) * l->r * l->s; i++)
            d->filter[i] = (int16_t)test_rnd(s, -wmax - 1, wmax);
    if (d->bias)
        for (int i = 0; i < l->m; i++)
            d->bias[i] = tetris_wrap(a, (uint32_t)test_next(s));
}

/* Run both models on one layer and compare every output word. */
static void check(const tetris_layer *l, const tetris_arith *a, int n, int shift, uint64_t seed,
                  int wide)
{
    tetris_layer_data g, v;
    cr_assert_eq(tetris_layer_data_alloc(l, n, &g), 0);
    cr_assert_eq(tetris_layer_data_alloc(l, n, &v), 0);
    uint64_t s = seed;
    if (wide) {
        full_range(l, a, &s, &g);
    } else {
        tetris_layer_data_random(l, a, seed, 3, &g);
    }
    memcpy(v.ifmap, g.ifmap, (size_t)n * l->c * l->hi * l->wi * sizeof *v.ifmap);
    if (g.filter)
        memcpy(v.filter, g.filter, (size_t)l->m * (l->c / l->groups) * l->r * l->s * 2);
    if (g.bias)
        memcpy(v.bias, g.bias, (size_t)l->m * sizeof *v.bias);
    cr_assert_eq(tetris_golden_layer(l, a, shift, &g), 0);
    cr_assert_eq(naive_layer(l, a, shift, &v), 0);
    size_t cnt = out_count(l, n);
    for (size_t i = 0; i < cnt; i++)
        cr_assert_eq(g.ofmap[i], v.ofmap[i],
                     "seed %llu type %d n %d c %d %dx%d m %d k %dx%d st %d pad %d g %d bias %d "
                     "relu %d shift %d word %d acc %d wide %d: ofmap[%zu] golden %d naive %d",
                     (unsigned long long)seed, (int)l->type, n, l->c, l->hi, l->wi, l->m, l->r,
                     l->s, l->stride, l->pad, l->groups, l->bias, l->relu, shift, a->word_bits,
                     a->acc_bits, wide, i, g.ofmap[i], v.ofmap[i]);
    tetris_layer_data_free(&g);
    tetris_layer_data_free(&v);
}

/* Random word and accumulator widths of the corners: 16/8 bits, 32/20 bits. */
static tetris_arith random_arith(uint64_t *s)
{
    tetris_arith a;
    a.word_bits = test_rnd(s, 0, 1) ? 16 : 8;
    a.acc_bits = test_rnd(s, 0, 1) ? 32 : 20;
    a.frac_bits = test_rnd(s, 0, a.word_bits - 1);
    return a;
}

/* 1 channel, 3x3 ifmap, 2x2 filter, stride 1, no padding; bias 10 at
 * accumulator scale; shift 1 rounds half up; ReLU clears the negative output. */
Test(golden, hand_computed_conv)
{
    tetris_layer l = layer(TETRIS_LAYER_CONV, 1, 3, 3, 2, 2, 2, 1, 0, 1);
    l.bias = 1;
    l.relu = 1;
    tetris_arith a = {16, 32, 0};
    tetris_layer_data d;
    cr_assert_eq(tetris_layer_data_alloc(&l, 1, &d), 0);
    const int16_t in[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    const int16_t w[8] = {1, 0, 0, 1, /* m0: x[y][x] + x[y+1][x+1] */
                          -1, -1, -1, -1}; /* m1: minus the window sum */
    memcpy(d.ifmap, in, sizeof in);
    memcpy(d.filter, w, sizeof w);
    d.bias[0] = 1;
    d.bias[1] = 10;
    cr_assert_eq(tetris_golden_layer(&l, &a, 1, &d), 0);
    /* m0: (1+5+1)/2 = 3.5 -> 4, (2+6+1)/2 = 4.5 -> 5, (4+8+1)/2 -> 7, (5+9+1)/2 -> 8 */
    const int16_t want0[4] = {4, 5, 7, 8};
    /* m1: (10-12)/2 = -1, (10-16)/2 = -3, ... all negative: ReLU gives 0 */
    for (int i = 0; i < 4; i++) {
        cr_assert_eq(d.ofmap[i], want0[i], "m0 out %d: %d", i, d.ofmap[i]);
        cr_assert_eq(d.ofmap[4 + i], 0, "m1 out %d: %d", i, d.ofmap[4 + i]);
    }
    l.relu = 0;
    cr_assert_eq(tetris_golden_layer(&l, &a, 1, &d), 0);
    /* m1 without ReLU: -2/2 = -1, -6/2 = -3, -14/2 = -7, -18/2 = -9 */
    const int16_t want1[4] = {-1, -3, -7, -9};
    for (int i = 0; i < 4; i++)
        cr_assert_eq(d.ofmap[4 + i], want1[i], "m1 out %d: %d", i, d.ofmap[4 + i]);
    tetris_layer_data_free(&d);
}

/* Padding, stride 2 and saturation: a 1x1 input with pad 1 and a 3x3 filter. */
Test(golden, hand_computed_padding_and_saturation)
{
    tetris_layer l = layer(TETRIS_LAYER_CONV, 1, 2, 2, 1, 3, 3, 2, 1, 1);
    cr_assert_eq(l.ho, 1);
    tetris_arith a = {8, 32, 0};
    tetris_layer_data d;
    cr_assert_eq(tetris_layer_data_alloc(&l, 1, &d), 0);
    const int16_t in[4] = {100, 100, 100, 27};
    for (int i = 0; i < 9; i++)
        d.filter[i] = 1;
    memcpy(d.ifmap, in, sizeof in);
    /* the window covers padding row/column 0 and the whole 2x2 ifmap: 327 -> 127 */
    cr_assert_eq(tetris_golden_layer(&l, &a, 0, &d), 0);
    cr_assert_eq(d.ofmap[0], 127);
    cr_assert_eq(tetris_golden_layer(&l, &a, 2, &d), 0); /* 81.75 -> 82 */
    cr_assert_eq(d.ofmap[0], 82);
    tetris_layer_data_free(&d);
}

/* Max pool sees the zero padding: an all-negative ifmap pools to 0 at the border. */
Test(golden, max_pool_sees_zero_padding)
{
    tetris_layer l = layer(TETRIS_LAYER_MAXPOOL, 1, 2, 2, 1, 3, 3, 1, 1, 1);
    tetris_arith a = {16, 32, 8};
    tetris_layer_data d;
    cr_assert_eq(tetris_layer_data_alloc(&l, 1, &d), 0);
    const int16_t in[4] = {-5, -6, -7, -8};
    memcpy(d.ifmap, in, sizeof in);
    cr_assert_eq(tetris_golden_layer(&l, &a, 0, &d), 0);
    for (int i = 0; i < 4; i++)
        cr_assert_eq(d.ofmap[i], 0);
    /* without padding the window is the ifmap: max -5 */
    l = layer(TETRIS_LAYER_MAXPOOL, 1, 2, 2, 1, 2, 2, 1, 0, 1);
    cr_assert_eq(tetris_golden_layer(&l, &a, 0, &d), 0);
    cr_assert_eq(d.ofmap[0], -5);
    tetris_layer_data_free(&d);
}

/* Average pool: window sum times round(2^16 / area), padding counts in the area. */
Test(golden, hand_computed_avg_pool)
{
    tetris_layer l = layer(TETRIS_LAYER_AVGPOOL, 1, 2, 2, 1, 2, 2, 2, 1, 1);
    cr_assert_eq(l.ho, 2);
    tetris_arith a = {16, 32, 8};
    tetris_layer_data d;
    cr_assert_eq(tetris_layer_data_alloc(&l, 1, &d), 0);
    const int16_t in[4] = {6, 2, -6, -7};
    memcpy(d.ifmap, in, sizeof in);
    cr_assert_eq(tetris_golden_layer(&l, &a, 0, &d), 0);
    /* each window holds one pixel and three padding zeros: x/4 rounded half up */
    const int16_t want[4] = {2, 1, -1, -2}; /* 1.5, 0.5, -1.5, -1.75 */
    for (int i = 0; i < 4; i++)
        cr_assert_eq(d.ofmap[i], want[i], "out %d: %d", i, d.ofmap[i]);
    tetris_layer_data_free(&d);
}

Test(golden, relu_layer)
{
    tetris_layer l = layer(TETRIS_LAYER_RELU, 2, 1, 3, 2, 1, 1, 1, 0, 1);
    tetris_arith a = {16, 32, 8};
    tetris_layer_data d;
    cr_assert_eq(tetris_layer_data_alloc(&l, 1, &d), 0);
    const int16_t in[6] = {-32768, -1, 0, 1, 32767, 5};
    memcpy(d.ifmap, in, sizeof in);
    cr_assert_eq(tetris_golden_layer(&l, &a, 0, &d), 0);
    const int16_t want[6] = {0, 0, 0, 1, 32767, 5};
    cr_assert_eq(memcmp(d.ofmap, want, sizeof want), 0);
    tetris_layer_data_free(&d);
}

Test(golden, wraps_at_acc_bits)
{
    /* 1*1 + 15 products of 2^30: 1 modulo 2^20, 1 - 2^30 modulo 2^32 */
    tetris_layer l = layer(TETRIS_LAYER_FC, 16, 1, 1, 1, 1, 1, 1, 0, 1);
    tetris_arith a = {16, 20, 8};
    tetris_layer_data d;
    cr_assert_eq(tetris_layer_data_alloc(&l, 1, &d), 0);
    for (int i = 0; i < 16; i++)
        d.ifmap[i] = d.filter[i] = -32768;
    d.ifmap[0] = d.filter[0] = 1;
    cr_assert_eq(tetris_golden_layer(&l, &a, 0, &d), 0);
    cr_assert_eq(d.ofmap[0], 1);
    a.acc_bits = 32;
    cr_assert_eq(tetris_golden_layer(&l, &a, 0, &d), 0);
    cr_assert_eq(d.ofmap[0], -32768); /* saturates */
    tetris_layer_data_free(&d);
}

Test(golden, rejects_bad_layers)
{
    tetris_layer l = layer(TETRIS_LAYER_CONV, 4, 5, 5, 4, 3, 3, 1, 1, 2);
    tetris_arith a = {16, 32, 8};
    tetris_layer_data d;
    cr_assert_eq(tetris_layer_data_alloc(&l, 1, &d), 0);
    cr_assert_eq(tetris_golden_layer(&l, &a, 0, &d), 0);
    cr_assert_eq(tetris_golden_layer(&l, &a, 63, &d), TETRIS_EINVAL);
    cr_assert_eq(tetris_golden_layer(&l, &a, -1, &d), TETRIS_EINVAL);
    tetris_layer bad = l;
    bad.groups = 3;
    cr_assert_eq(tetris_golden_layer(&bad, &a, 0, &d), TETRIS_EINVAL);
    bad = l;
    bad.bias = 1; /* no bias tensor */
    cr_assert_eq(tetris_golden_layer(&bad, &a, 0, &d), TETRIS_EINVAL);
    bad = l;
    bad.stride = 0;
    cr_assert_eq(tetris_golden_layer(&bad, &a, 0, &d), TETRIS_EINVAL);
    tetris_arith wide = {17, 32, 8};
    cr_assert_eq(tetris_golden_layer(&l, &wide, 0, &d), TETRIS_EINVAL);
    tetris_layer_data_free(&d);
}

Test(golden_vs_naive, conv_random_shapes)
{
    uint64_t s = 1;
    for (int k = 0; k < 160; k++) {
        int groups = test_rnd(&s, 0, 3) ? 1 : test_rnd(&s, 2, 4);
        int r = test_rnd(&s, 1, 11), ks = test_rnd(&s, 0, 3) ? r : test_rnd(&s, 1, 11);
        int kmin = r < ks ? r : ks, pad = test_rnd(&s, 0, kmin - 1);
        int hi = (r - 2 * pad > 1 ? r - 2 * pad : 1) + test_rnd(&s, 0, 14);
        int wi = (ks - 2 * pad > 1 ? ks - 2 * pad : 1) + test_rnd(&s, 0, 14);
        tetris_layer l = layer(TETRIS_LAYER_CONV, groups * test_rnd(&s, 1, 9), hi, wi,
                               groups * test_rnd(&s, 1, 9), r, ks, test_rnd(&s, 1, 4), pad, groups);
        l.bias = test_rnd(&s, 0, 1);
        l.relu = test_rnd(&s, 0, 1);
        tetris_arith a = random_arith(&s);
        check(&l, &a, test_rnd(&s, 1, 3), test_rnd(&s, 0, 20), s, k % 2);
    }
}

Test(golden_vs_naive, conv_wide_layers)
{
    /* rows longer than a chunk, many channels, odd channel counts */
    uint64_t s = 2;
    const int shapes[][7] = {/* c, hw, m, k, stride, pad, groups */
                             {3, 67, 5, 11, 4, 0, 1},  {7, 40, 9, 5, 1, 2, 1},
                             {2, 600, 3, 3, 1, 1, 1},  {33, 13, 12, 3, 1, 1, 3},
                             {96, 9, 8, 5, 1, 2, 2},   {1, 1100, 2, 2, 2, 0, 1},
                             {5, 17, 6, 1, 1, 0, 1},   {64, 6, 64, 3, 2, 1, 64}};
    for (int k = 0; k < 8; k++) {
        const int *p = shapes[k];
        tetris_layer l = layer(TETRIS_LAYER_CONV, p[0], p[1], p[1], p[2], p[3], p[3], p[4], p[5], p[6]);
        l.bias = 1;
        l.relu = k % 2;
        tetris_arith a = {16, k % 3 ? 32 : 20, 8};
        check(&l, &a, 1 + k % 2, 8, s + (uint64_t)k, k % 2);
    }
}

Test(golden_vs_naive, fc_random_shapes)
{
    uint64_t s = 3;
    for (int k = 0; k < 100; k++) {
        int hw = test_rnd(&s, 1, 7), groups = test_rnd(&s, 0, 2) ? 1 : 2;
        tetris_layer l = layer(TETRIS_LAYER_FC, groups * test_rnd(&s, 1, 40), hw, hw,
                               groups * test_rnd(&s, 1, 20), hw, hw, 1, 0, groups);
        cr_assert_eq(l.ho, 1);
        l.bias = test_rnd(&s, 0, 1);
        l.relu = test_rnd(&s, 0, 1);
        tetris_arith a = random_arith(&s);
        check(&l, &a, test_rnd(&s, 1, 3), test_rnd(&s, 0, 20), s, k % 2);
    }
}

Test(golden_vs_naive, pool_random_shapes)
{
    uint64_t s = 4;
    for (int k = 0; k < 150; k++) {
        enum tetris_layer_type type = k % 2 ? TETRIS_LAYER_MAXPOOL : TETRIS_LAYER_AVGPOOL;
        int r = test_rnd(&s, 1, 7), ks = test_rnd(&s, 0, 2) ? r : test_rnd(&s, 1, 7);
        int kmin = r < ks ? r : ks, pad = test_rnd(&s, 0, kmin - 1);
        int hi = (r - 2 * pad > 1 ? r - 2 * pad : 1) + test_rnd(&s, 0, 12);
        int wi = (ks - 2 * pad > 1 ? ks - 2 * pad : 1) + test_rnd(&s, 0, 12);
        int c = test_rnd(&s, 1, 8);
        tetris_layer l = layer(type, c, hi, wi, c, r, ks, test_rnd(&s, 1, 3), pad, 1);
        l.relu = test_rnd(&s, 0, 1);
        if (k % 7 == 0) { /* a window past the padded ifmap reads zeros */
            l.ho++;
            l.wo++;
        }
        tetris_arith a = random_arith(&s);
        check(&l, &a, test_rnd(&s, 1, 3), test_rnd(&s, 0, 1) ? 0 : test_rnd(&s, 0, 4), s, k % 3 == 0);
    }
}

Test(golden_vs_naive, relu_random_shapes)
{
    uint64_t s = 5;
    for (int k = 0; k < 50; k++) {
        int c = test_rnd(&s, 1, 8);
        tetris_layer l = layer(TETRIS_LAYER_RELU, c, test_rnd(&s, 1, 20), test_rnd(&s, 1, 20), c, 1, 1, 1,
                               0, 1);
        l.relu = test_rnd(&s, 0, 1); /* ReLU is applied either way */
        tetris_arith a = random_arith(&s);
        check(&l, &a, test_rnd(&s, 1, 3), test_rnd(&s, 0, 1) ? 0 : test_rnd(&s, 0, 4), s, k % 2);
    }
}
