/*
 * PE model (tetris_pe): one processing element over one row-stationary pass,
 * the unit reference of the generated RTL (tb/tb_pe.cpp).
 *
 * The PE keeps one s-word window per (channel, image) row. Its ifmap bus
 * first carries the whole first window of every row, then for each further
 * output column x the step = min(u, s) new words of every row; window x, tap
 * k is the row's logical column t = x*step + k. (For u > s the stream skips
 * the columns no window reads, so consecutive windows do not overlap.) The
 * RTL holds a row as a circular buffer of s words; the model reads logical
 * column t straight from its stream position instead, so that the testbench
 * compares the RTL against an independent formulation.
 */
#include "tetris.h"

/* Range checks of a pass (the RTL assumes them). */
static int pe_cfg_ok(const tetris_pe_cfg *c)
{
    return c->op >= 0 && c->op <= 2 && c->s >= 1 && c->u >= 1 && c->wo >= 1 && c->bc >= 1 &&
           c->bm >= 1 && c->bn >= 1 && (c->op == 0 || c->bc == 1);
}

/* Ifmap rows of the pass: bc channels x bn images (pooling: bm channels). */
static size_t pe_rows(const tetris_pe_cfg *c)
{
    return (size_t)(c->op == 0 ? c->bc : c->bm) * (size_t)c->bn;
}

/* New words per row and output column after the first window. */
static size_t pe_step(const tetris_pe_cfg *c)
{
    return (size_t)(c->u < c->s ? c->u : c->s);
}

size_t tetris_pe_ifmap_words(const tetris_pe_cfg *c)
{
    if (!c || !pe_cfg_ok(c))
        return 0;
    return pe_rows(c) * ((size_t)c->s + (size_t)(c->wo - 1) * pe_step(c));
}

/* Logical column t of ifmap row `row` (= ch*bn + n): in the first windows
 * (t < s) or in the step words of output column (t - s) / step + 1. */
static int16_t pe_window_word(const tetris_pe_cfg *c, const int16_t *ifmap, size_t row, size_t t)
{
    size_t s = (size_t)c->s, step = pe_step(c), rows = pe_rows(c);
    if (t < s)
        return ifmap[row * s + t];
    size_t col = (t - s) / step, j = (t - s) % step;
    return ifmap[rows * s + (col * rows + row) * step + j];
}

int tetris_pe_model(const tetris_arith *a, const tetris_pe_cfg *c, const int16_t *filter,
                    const int16_t *ifmap, const int32_t *psum_in, int32_t *psum_out)
{
    if (!a || !c || !ifmap || !psum_in || !psum_out || !pe_cfg_ok(c) || (c->op == 0 && !filter) ||
        a->word_bits < 2 || a->word_bits > 16 || a->acc_bits < a->word_bits || a->acc_bits > 32)
        return TETRIS_EINVAL;
    size_t s = (size_t)c->s, step = pe_step(c), bn = (size_t)c->bn, bm = (size_t)c->bm;
    for (size_t x = 0; x < (size_t)c->wo; x++)
        for (size_t m = 0; m < bm; m++)
            for (size_t n = 0; n < bn; n++) {
                int32_t sum;
                if (c->op == 0) {
                    sum = 0;
                    for (size_t ch = 0; ch < (size_t)c->bc; ch++)
                        for (size_t k = 0; k < s; k++) {
                            int16_t w = filter[(m * (size_t)c->bc + ch) * s + k];
                            int16_t v = pe_window_word(c, ifmap, ch * bn + n, x * step + k);
                            sum = tetris_acc_add(a, sum, tetris_mul(w, v));
                        }
                } else if (c->op == 1) {
                    sum = tetris_word_min(a);
                    for (size_t k = 0; k < s; k++) {
                        int16_t v = pe_window_word(c, ifmap, m * bn + n, x * step + k);
                        sum = v > sum ? v : sum;
                    }
                } else {
                    sum = 0;
                    for (size_t k = 0; k < s; k++)
                        sum = tetris_acc_add(a, sum, pe_window_word(c, ifmap, m * bn + n, x * step + k));
                }
                /* the psum chain: psum_in arrives on an acc_bits-wide port */
                size_t e = (x * bm + m) * bn + n;
                int32_t in = tetris_wrap(a, (uint32_t)psum_in[e]);
                psum_out[e] = c->op == 1 ? (in > sum ? in : sum) : tetris_acc_add(a, in, sum);
            }
    return TETRIS_OK;
}
