/*
 * Loop blockings: validity checks against the register files and the GBUF,
 * and a simple valid default. The scheduler chooses optimal blockings; this
 * file only guarantees that a blocking can run.
 */
#include <string.h>

#include "engine_internal.h"
#include "internal.h"

/* Loop sizes per group: C (1 for pooling, whose channels run on M), M, N. */
static void loop_sizes(const tetris_layer *l, int batch, int size[3])
{
    size[TETRIS_DIM_C] = tetris_layer_is_pool(l) ? 1 : l->c / l->groups;
    size[TETRIS_DIM_M] = l->m / l->groups;
    size[TETRIS_DIM_N] = batch;
}

static int is_perm(const int o[3])
{
    int seen = 0;
    for (int i = 0; i < 3; i++) {
        if (o[i] < 0 || o[i] > 2 || (seen & (1 << o[i])))
            return 0;
        seen |= 1 << o[i];
    }
    return 1;
}

/* Bytes of the GBUF-resident block. */
static uint64_t resident_bytes(const tetris_layer *l, const tetris_blocking *b)
{
    const int *g = b->gb;
    switch (b->resident) {
    case TETRIS_T_IFMAP: {
        int ch = tetris_layer_is_pool(l) ? g[TETRIS_DIM_M] : g[TETRIS_DIM_C];
        return 2ull * (uint64_t)g[TETRIS_DIM_N] * (uint64_t)ch * (uint64_t)l->hi * (uint64_t)l->wi;
    }
    case TETRIS_T_FILTER:
        return 2ull * (uint64_t)g[TETRIS_DIM_M] * (uint64_t)g[TETRIS_DIM_C] * (uint64_t)l->r *
               (uint64_t)l->s;
    default:
        return 4ull * (uint64_t)g[TETRIS_DIM_M] * (uint64_t)g[TETRIS_DIM_N] * (uint64_t)l->ho *
               (uint64_t)l->wo;
    }
}

int tetris_blocking_check(const tetris_layer *l, int batch, const tetris_config *cfg,
                          const tetris_blocking *b, tetris_error *err)
{
    static const char *const dim_names[3] = {"C", "M", "N"};
    tetris_mapping map;
    int rc = tetris_map_layer(l, cfg, &map, err);
    if (rc)
        return rc;
    int size[3];
    loop_sizes(l, batch, size);
    if (size[TETRIS_DIM_M] > 0xFFFF || size[TETRIS_DIM_C] > 0xFFFF || batch > 0xFFFF)
        return tetris_fail(err, TETRIS_EFIT, NULL, 0, l->name,
                           "channel or batch count exceeds the 16-bit instruction fields");
    if ((unsigned)b->resident > TETRIS_T_FILTER)
        return tetris_fail(err, TETRIS_EINVAL, NULL, 0, l->name, "bad GBUF-resident type %d",
                           (int)b->resident);
    if (tetris_layer_is_pool(l) && b->resident == TETRIS_T_FILTER)
        return tetris_fail(err, TETRIS_EINVAL, NULL, 0, l->name,
                           "a pooling layer has no filters to keep in the GBUF");
    if (!is_perm(b->gb_order) || !is_perm(b->pass_order))
        return tetris_fail(err, TETRIS_EINVAL, NULL, 0, l->name,
                           "loop orders must be permutations of C, M, N");
    for (int d = 0; d < 3; d++) {
        if (b->gb[d] < 1 || b->gb[d] > size[d] || b->rf[d] < 1 || b->rf[d] > size[d])
            return tetris_fail(err, TETRIS_EINVAL, NULL, 0, l->name,
                               "block sizes of %s must lie in [1, %d] (GBUF %d, RF %d)",
                               dim_names[d], size[d], b->gb[d], b->rf[d]);
    }
    int bc = b->rf[TETRIS_DIM_C], bm = b->rf[TETRIS_DIM_M], bn = b->rf[TETRIS_DIM_N];
    /* Per-PE scratchpads: a filter row per (c, m), an ifmap window per (c, n)
     * (per (m, n) for pooling, where the channel is m), a psum per (m, n). */
    int filt = tetris_layer_is_pool(l) ? 0 : bc * bm * l->s;
    int ifm = (tetris_layer_is_pool(l) ? bm : bc) * bn * l->s;
    if (filt > cfg->rf_filter_words || ifm > cfg->rf_ifmap_words || bm * bn > cfg->rf_psum_words)
        return tetris_fail(err, TETRIS_EFIT, NULL, 0, l->name,
                           "RF block c%d m%d n%d needs %d filter, %d ifmap, %d psum words "
                           "(have %d, %d, %d)",
                           bc, bm, bn, filt, ifm, bm * bn, cfg->rf_filter_words,
                           cfg->rf_ifmap_words, cfg->rf_psum_words);
    uint64_t need = resident_bytes(l, b);
    if (need > (uint64_t)cfg->gbuf_bytes)
        return tetris_fail(err, TETRIS_EFIT, NULL, 0, l->name,
                           "GBUF-resident block needs %llu bytes (have %d)",
                           (unsigned long long)need, cfg->gbuf_bytes);
    return TETRIS_OK;
}

/* Shrink the block of the dimensions in shrink[] (in turn) until the
 * resident block fits; keep sizes multiples of the pass chunk where possible. */
static int fit_gbuf(const tetris_layer *l, const tetris_config *cfg, tetris_blocking *b,
                    const int shrink[2], const int chunk[3])
{
    for (int k = 0; k < 2; k++) {
        int d = shrink[k];
        while (resident_bytes(l, b) > (uint64_t)cfg->gbuf_bytes && b->gb[d] > 1) {
            int next = b->gb[d] / 2;
            if (next >= chunk[d])
                next -= next % chunk[d];
            b->gb[d] = next > 0 ? next : 1;
        }
    }
    return resident_bytes(l, b) <= (uint64_t)cfg->gbuf_bytes;
}

int tetris_blocking_default(const tetris_layer *l, int batch, const tetris_config *cfg,
                            tetris_blocking *b, tetris_error *err)
{
    tetris_mapping map;
    int rc = tetris_map_layer(l, cfg, &map, err);
    if (rc)
        return rc;
    int size[3];
    loop_sizes(l, batch, size);
    memset(b, 0, sizeof *b);
    int s = l->s;
    int bc, bm;
    if (tetris_layer_is_pool(l)) {
        bc = 1;
        bm = tetris_imin(tetris_imin(size[TETRIS_DIM_M], cfg->rf_psum_words), cfg->rf_ifmap_words / s);
    } else {
        bc = tetris_imin(size[TETRIS_DIM_C], cfg->rf_ifmap_words / s);
        bm = tetris_imin(tetris_imin(size[TETRIS_DIM_M], cfg->rf_psum_words), cfg->rf_filter_words / (s * bc));
    }
    b->rf[TETRIS_DIM_C] = bc > 0 ? bc : 1;
    b->rf[TETRIS_DIM_M] = bm > 0 ? bm : 1;
    b->rf[TETRIS_DIM_N] = 1;
    int chunk[3] = {map.rep_h * b->rf[TETRIS_DIM_C], map.rep_w * b->rf[TETRIS_DIM_M], 1};
    b->pass_order[0] = TETRIS_DIM_M;
    b->pass_order[1] = TETRIS_DIM_C;
    b->pass_order[2] = TETRIS_DIM_N;

    /* Candidates in order of preference: the whole filter set resident
     * (filters read once), then ifmaps, then ofmaps (psums stay on chip). */
    static const struct {
        enum tetris_dtype3 res;
        int order[3];
        int shrink[2];
    } cand[3] = {
        {TETRIS_T_FILTER, {TETRIS_DIM_M, TETRIS_DIM_C, TETRIS_DIM_N}, {TETRIS_DIM_C, TETRIS_DIM_M}},
        {TETRIS_T_IFMAP, {TETRIS_DIM_N, TETRIS_DIM_C, TETRIS_DIM_M}, {TETRIS_DIM_C, TETRIS_DIM_N}},
        {TETRIS_T_OFMAP, {TETRIS_DIM_N, TETRIS_DIM_M, TETRIS_DIM_C}, {TETRIS_DIM_N, TETRIS_DIM_M}},
    };
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < 3; i++) {
            if (tetris_layer_is_pool(l) && cand[i].res == TETRIS_T_FILTER)
                continue;
            b->resident = cand[i].res;
            memcpy(b->gb_order, cand[i].order, sizeof b->gb_order);
            memcpy(b->gb, size, sizeof b->gb);
            /* first round: only a whole-layer filter or whole-image ifmap set */
            int ok = pass == 0 ? resident_bytes(l, b) <= (uint64_t)cfg->gbuf_bytes
                               : fit_gbuf(l, cfg, b, cand[i].shrink, chunk);
            if (ok)
                return tetris_blocking_check(l, batch, cfg, b, err);
        }
    }
    return tetris_fail(err, TETRIS_EFIT, NULL, 0, l->name,
                       "no resident block of one channel fits the %d-byte GBUF", cfg->gbuf_bytes);
}
