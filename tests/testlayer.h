/* Random layers and blockings for the tests of the engine model and the
 * engine RTL: stride > 1, padding, groups, filters taller than the array (the
 * mapping folds), 1x1, FC, pooling, ReLU. */
#ifndef TETRIS_TESTLAYER_H
#define TETRIS_TESTLAYER_H

#include <string.h>

#include "testutil.h"
#include "tetris.h"

/* A random layer with windows of at most 11 (FC: at most array.max_kernel wide). */
static inline void test_random_layer(uint64_t *s, const tetris_config *cfg, tetris_layer *l)
{
    memset(l, 0, sizeof *l);
    strcpy(l->name, "rnd");
    int kind = test_rnd(s, 0, 9);
    l->type = kind <= 5 ? TETRIS_LAYER_CONV
              : kind == 6 ? TETRIS_LAYER_FC
              : kind == 7 ? TETRIS_LAYER_MAXPOOL
              : kind == 8 ? TETRIS_LAYER_AVGPOOL
                          : TETRIS_LAYER_RELU;
    int pool = l->type >= TETRIS_LAYER_MAXPOOL;
    l->groups = (!pool && l->type == TETRIS_LAYER_CONV && test_rnd(s, 0, 3) == 0) ? 2 : 1;
    l->c = l->groups * test_rnd(s, 1, 6);
    l->m = pool ? l->c : l->groups * test_rnd(s, 1, 9);
    l->hi = test_rnd(s, 1, 18);
    l->wi = test_rnd(s, 1, 18);
    l->stride = 1;
    if (l->type == TETRIS_LAYER_FC) {
        l->r = l->hi;
        l->s = l->wi > cfg->max_kernel ? (l->wi = cfg->max_kernel) : l->wi;
    } else if (l->type == TETRIS_LAYER_RELU) {
        l->r = l->s = 1;
        l->relu = 1;
    } else {
        l->r = test_rnd(s, 1, l->hi < 11 ? l->hi : 11);
        l->s = test_rnd(s, 1, l->wi < 11 ? l->wi : 11);
        /* sometimes a filter taller than the array, so the mapping folds */
        if (test_rnd(s, 0, 3) == 0 && cfg->array_h < l->hi)
            l->r = test_rnd(s, cfg->array_h + 1, l->hi < 11 ? l->hi : 11);
        l->stride = test_rnd(s, 1, 4);
        int pmax = (l->r < l->s ? l->r : l->s) - 1;
        l->pad = test_rnd(s, 0, pmax < 3 ? pmax : 3);
    }
    l->ho = (l->hi + 2 * l->pad - l->r) / l->stride + 1;
    l->wo = (l->wi + 2 * l->pad - l->s) / l->stride + 1;
    if (l->type != TETRIS_LAYER_RELU)
        l->relu = test_rnd(s, 0, 1);
    l->bias = !pool && test_rnd(s, 0, 3) != 0;
    l->shift = test_rnd(s, 0, 12); /* pooling must ignore it */
}

/* A random valid blocking (every GBUF-resident type, loop orders, block
 * sizes); nonzero when 200 draws find none. */
static inline int test_random_blocking(uint64_t *s, const tetris_layer *l, int batch,
                                       const tetris_config *cfg, tetris_blocking *b)
{
    int pool = l->type >= TETRIS_LAYER_MAXPOOL;
    int size[3] = {pool ? 1 : l->c / l->groups, l->m / l->groups, batch};
    tetris_error err;
    for (int tries = 0; tries < 200; tries++) {
        b->resident = (enum tetris_dtype3)test_rnd(s, 0, pool ? 1 : 2);
        for (int d = 0; d < 3; d++) {
            b->gb[d] = test_rnd(s, 1, size[d]);
            b->rf[d] = test_rnd(s, 1, size[d]);
        }
        test_perm3(s, b->gb_order);
        test_perm3(s, b->pass_order);
        if (tetris_blocking_check(l, batch, cfg, b, &err) == 0)
            return 0;
    }
    return -1;
}

#endif
