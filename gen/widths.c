/*
 * Port widths of the PE, the PE array and the pass unit, derived from the
 * configuration in one place: the emitters of tetris_pe, tetris_pe_array and
 * tetris_stream connect to each other through these.
 */
#include "gen_internal.h"

void gen_array_widths_of(const tetris_config *cfg, gen_array_widths *w)
{
    int h = cfg->array_h, wd = cfg->array_w;
    int fi = cfg->rf_filter_words < cfg->rf_ifmap_words ? cfg->rf_filter_words : cfg->rf_ifmap_words;
    int ip = cfg->rf_ifmap_words < cfg->rf_psum_words ? cfg->rf_ifmap_words : cfg->rf_psum_words;
    w->sw = tetris_bits_for(cfg->max_kernel + 1L);
    w->xw = 16;
    w->bcw = tetris_bits_for(fi + 1L);
    w->bmw = tetris_bits_for(cfg->rf_psum_words + 1L);
    w->bnw = tetris_bits_for(ip + 1L);
    w->hw = tetris_bits_for(h + 1L);
    w->ww = tetris_bits_for(wd + 1L);
    w->rw = tetris_bits_for(h);
    w->cw = tetris_bits_for(wd);
    w->yw = 16;
    w->gw = tetris_bits_for(h > wd ? h : wd);
    int bias = tetris_bits_for((long)wd * cfg->rf_psum_words);
    w->tw = w->yw + w->gw;
    if (w->rw + w->cw > w->tw)
        w->tw = w->rw + w->cw;
    if (bias > w->tw)
        w->tw = bias;
}
