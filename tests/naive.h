/*
 * The naive reference: the seven-loop definition of each layer type with one
 * tetris_mul and tetris_acc_add per MAC and explicit padding checks. The
 * golden model is tested against it and the benchmark measures against it.
 */
#ifndef TETRIS_NAIVE_H
#define TETRIS_NAIVE_H

#include "tetris.h"

/* Compute d->ofmap from d->ifmap, d->filter, d->bias (docs/arith.md);
 * shift is the resolved output shift. Returns 0, or TETRIS_EINVAL for an
 * unknown layer type. */
int naive_layer(const tetris_layer *l, const tetris_arith *a, int shift, tetris_layer_data *d);

#endif
