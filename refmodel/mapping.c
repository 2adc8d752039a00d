/*
 * Row-stationary mapping (reference section 5): one 2D convolution is an
 * R x E grid of logical PEs (filter rows x ofmap rows). It is folded onto the
 * physical H x W array when it is larger, and replicated when it is smaller:
 * height replicas take further ifmap channels (their psums add down the same
 * column), width replicas take further ofmap channels.
 */
#include "internal.h"

int tetris_map_layer(const tetris_layer *l, const tetris_config *cfg, tetris_mapping *map,
                     tetris_error *err)
{
    int h = cfg->array_h, w = cfg->array_w;
    if (l->s > cfg->max_kernel)
        return tetris_fail(err, TETRIS_EFIT, NULL, 0, l->name,
                           "filter width %d exceeds array.max_kernel %d", l->s, cfg->max_kernel);
    map->rows_per_set = l->r < h ? l->r : h;
    map->fold_h = tetris_ceil_div(l->r, h);
    map->rep_h = (l->r <= h && !tetris_layer_is_pool(l)) ? h / l->r : 1;
    map->cols_per_set = l->ho < w ? l->ho : w;
    map->fold_w = tetris_ceil_div(l->ho, w);
    map->rep_w = l->ho <= w ? w / l->ho : 1;
    /* fold indices travel in 8-bit instruction fields */
    if (map->fold_h > 255 || map->fold_w > 255)
        return tetris_fail(err, TETRIS_EFIT, NULL, 0, l->name,
                           "needs %d x %d folds on a %d x %d array (at most 255 each)", map->fold_h,
                           map->fold_w, h, w);
    map->active_pes = map->rows_per_set * map->rep_h * map->cols_per_set * map->rep_w;
    return TETRIS_OK;
}
