/* The naive reference model: plain loops, one primitive call per operation. */
#include "naive.h"

/* The ifmap word at padded coordinates (y, x) of image n, channel c; 0 in
 * the padding (and anywhere else outside the ifmap). */
static int16_t in_at(const tetris_layer *l, const tetris_layer_data *d, int n, int c, int y, int x)
{
    y -= l->pad;
    x -= l->pad;
    if (y < 0 || y >= l->hi || x < 0 || x >= l->wi)
        return 0;
    return d->ifmap[(((int64_t)n * l->c + c) * l->hi + y) * l->wi + x];
}

static void conv(const tetris_layer *l, const tetris_arith *a, int shift, tetris_layer_data *d)
{
    int cg = l->c / l->groups, mg = l->m / l->groups;
    for (int n = 0; n < d->n; n++)
        for (int m = 0; m < l->m; m++)
            for (int y = 0; y < l->ho; y++)
                for (int x = 0; x < l->wo; x++) {
                    int32_t acc = l->bias ? tetris_acc_add(a, 0, d->bias[m]) : 0;
                    for (int c = 0; c < cg; c++)
                        for (int r = 0; r < l->r; r++)
                            for (int s = 0; s < l->s; s++) {
                                int16_t w = d->filter[(((int64_t)m * cg + c) * l->r + r) * l->s + s];
                                int16_t v = in_at(l, d, n, m / mg * cg + c, y * l->stride + r,
                                                  x * l->stride + s);
                                acc = tetris_acc_add(a, acc, tetris_mul(w, v));
                            }
                    d->ofmap[(((int64_t)n * l->m + m) * l->ho + y) * l->wo + x] =
                        tetris_out_stage(a, acc, shift, l->relu);
                }
}

/* Pooling and ReLU take no output shift. */
static void pool(const tetris_layer *l, const tetris_arith *a, tetris_layer_data *d)
{
    int relu = l->relu || l->type == TETRIS_LAYER_RELU;
    for (int n = 0; n < d->n; n++)
        for (int c = 0; c < l->c; c++)
            for (int y = 0; y < l->ho; y++)
                for (int x = 0; x < l->wo; x++) {
                    int16_t mx = tetris_word_min(a);
                    int32_t sum = 0;
                    for (int r = 0; r < l->r; r++)
                        for (int s = 0; s < l->s; s++) {
                            int16_t v = in_at(l, d, n, c, y * l->stride + r, x * l->stride + s);
                            mx = v > mx ? v : mx;
                            sum = tetris_acc_add(a, sum, v);
                        }
                    d->ofmap[(((int64_t)n * l->c + c) * l->ho + y) * l->wo + x] =
                        l->type == TETRIS_LAYER_AVGPOOL
                            ? tetris_avg_out(a, sum, l->r * l->s, relu)
                            : tetris_out_stage(a, mx, 0, relu);
                }
}

int naive_layer(const tetris_layer *l, const tetris_arith *a, int shift, tetris_layer_data *d)
{
    switch (l->type) {
    case TETRIS_LAYER_CONV:
    case TETRIS_LAYER_FC:
        conv(l, a, shift, d);
        return TETRIS_OK;
    case TETRIS_LAYER_MAXPOOL:
    case TETRIS_LAYER_AVGPOOL:
    case TETRIS_LAYER_RELU:
        pool(l, a, d);
        return TETRIS_OK;
    }
    return TETRIS_EINVAL;
}
