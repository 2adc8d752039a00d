/*
 * Layer compiler: (layer, batch, configuration, blocking) -> program.
 *
 * Loop nest per channel group (docs/isa.md):
 *   GBUF blocks (gb sizes, gb_order)            -- the resident type is loaded per block
 *     pass chunks (rep x rf sizes, pass_order)  -- the other two types stream from the vault
 *       fold_h x fold_w passes
 * Every ofmap element receives the same number T of contributions (C chunks
 * times height folds). The first starts from the bias, the last applies the
 * output stage; the ones between spill psums at accumulator width, to the GBUF
 * when ofmaps are resident, else to the vault as plain writes or, when the
 * configuration has in-memory accumulation, as accumulate requests.
 */
#include <stdlib.h>
#include <string.h>

#include "engine_internal.h"
#include "internal.h"

typedef struct gblock {
    int lo[3], n[3]; /* start and size per tetris_dim */
} gblock;

typedef struct comp {
    const tetris_layer *l;
    const tetris_blocking *b;
    tetris_mapping map;
    tetris_program *prog;
    int size[3];  /* loop sizes per group */
    int chunk[3]; /* pass chunk sizes */
    int pool;
    int opk;
    int acc_ok;   /* spills may be accumulate requests */
    int has_bias;
    int total;    /* contributions per ofmap element */
    int *contrib; /* [M][N][fold_w] contributions so far (per group) */
    gblock *blocks;
    int n_blocks;
} comp;

static int emit(comp *k, const isa_insn *d)
{
    return isa_emit(k->prog, d);
}

static int emit_set(comp *k, int reg, uint32_t v)
{
    isa_insn d = {.op = OP_SET, .reg = reg, .value = v};
    return emit(k, &d);
}

/* Enumerate GBUF blocks in gb_order (outermost first). */
static int list_blocks(comp *k)
{
    const int *o = k->b->gb_order;
    int cnt[3];
    for (int d = 0; d < 3; d++)
        cnt[d] = tetris_ceil_div(k->size[d], k->b->gb[d]);
    k->n_blocks = cnt[0] * cnt[1] * cnt[2];
    k->blocks = calloc((size_t)k->n_blocks, sizeof *k->blocks);
    if (!k->blocks)
        return TETRIS_ENOMEM;
    int i = 0;
    for (int a = 0; a < cnt[o[0]]; a++)
        for (int b = 0; b < cnt[o[1]]; b++)
            for (int c = 0; c < cnt[o[2]]; c++) {
                int idx[3];
                idx[o[0]] = a;
                idx[o[1]] = b;
                idx[o[2]] = c;
                gblock *g = &k->blocks[i++];
                for (int d = 0; d < 3; d++) {
                    g->lo[d] = idx[d] * k->b->gb[d];
                    int rest = k->size[d] - g->lo[d];
                    g->n[d] = rest < k->b->gb[d] ? rest : k->b->gb[d];
                }
            }
    return TETRIS_OK;
}

/* Contributions one GBUF block adds to each ofmap element it covers. */
static int block_contrib(const comp *k, const gblock *g)
{
    return tetris_ceil_div(g->n[TETRIS_DIM_C], k->chunk[TETRIS_DIM_C]) * k->map.fold_h;
}

/* The resident window a block needs (tensor-coordinate ranges). */
static void window_of(const comp *k, const gblock *g, isa_insn *d)
{
    memset(d, 0, sizeof *d);
    d->c0 = g->lo[TETRIS_DIM_C];
    d->nc = g->n[TETRIS_DIM_C];
    d->m0 = g->lo[TETRIS_DIM_M];
    d->nm = g->n[TETRIS_DIM_M];
    d->n0 = g->lo[TETRIS_DIM_N];
    d->nn = g->n[TETRIS_DIM_N];
    switch (k->b->resident) {
    case TETRIS_T_IFMAP: /* ifmaps do not depend on M, except for pooling (channel = m) */
        if (k->pool) {
            d->c0 = d->m0;
            d->nc = d->nm;
        }
        d->m0 = d->nm = 0;
        break;
    case TETRIS_T_FILTER:
        d->n0 = d->nn = 0;
        break;
    default:
        d->c0 = d->nc = 0;
        break;
    }
}

static int same_window(const isa_insn *a, const isa_insn *b)
{
    return a->c0 == b->c0 && a->nc == b->nc && a->m0 == b->m0 && a->nm == b->nm &&
           a->n0 == b->n0 && a->nn == b->nn;
}

static int *contrib_at(comp *k, int m, int n, int fw)
{
    return &k->contrib[((size_t)m * (size_t)k->size[TETRIS_DIM_N] + (size_t)n) *
                           (size_t)k->map.fold_w + (size_t)fw];
}

/* State of the current ofmap residency (ofmap-resident blockings only). */
typedef struct residency {
    int open;
    int base;   /* contributions before it opened */
    int end;    /* contributions when it closes */
    int loaded; /* the vault's partial sums were loaded into the GBUF */
    isa_insn win;
} residency;

/* Emit the passes of one GBUF block. */
static int block_passes(comp *k, const gblock *g, const residency *res)
{
    const int *o = k->b->pass_order;
    int cnt[3];
    for (int d = 0; d < 3; d++)
        cnt[d] = tetris_ceil_div(g->n[d], k->chunk[d]);
    int resident = k->b->resident;
    for (int a = 0; a < cnt[o[0]]; a++)
        for (int b = 0; b < cnt[o[1]]; b++)
            for (int c = 0; c < cnt[o[2]]; c++) {
                int idx[3], lo[3], n[3];
                idx[o[0]] = a;
                idx[o[1]] = b;
                idx[o[2]] = c;
                for (int d = 0; d < 3; d++) {
                    lo[d] = g->lo[d] + idx[d] * k->chunk[d];
                    int rest = g->lo[d] + g->n[d] - lo[d];
                    n[d] = rest < k->chunk[d] ? rest : k->chunk[d];
                }
                for (int fh = 0; fh < k->map.fold_h; fh++)
                    for (int fw = 0; fw < k->map.fold_w; fw++) {
                        int *cp = contrib_at(k, lo[TETRIS_DIM_M], lo[TETRIS_DIM_N], fw);
                        int kk = *cp;
                        isa_insn d = {.op = OP_PASS,
                                      .src_filter_gbuf = resident == TETRIS_T_FILTER,
                                      .src_ifmap_gbuf = resident == TETRIS_T_IFMAP,
                                      .fh = fh,
                                      .fw = fw,
                                      .c0 = lo[TETRIS_DIM_C],
                                      .nc = n[TETRIS_DIM_C],
                                      .m0 = lo[TETRIS_DIM_M],
                                      .nm = n[TETRIS_DIM_M],
                                      .n0 = lo[TETRIS_DIM_N],
                                      .nn = n[TETRIS_DIM_N]};
                        int first_in = k->has_bias ? PIN_BIAS : PIN_ZERO;
                        if (resident == TETRIS_T_OFMAP) {
                            d.psum_out = POUT_GBUF;
                            if (kk > res->base || res->loaded)
                                d.psum_in = PIN_GBUF;
                            else
                                d.psum_in = kk == 0 ? first_in : PIN_ZERO;
                        } else if (kk + 1 == k->total) {
                            d.psum_out = POUT_FINAL;
                            d.psum_in = kk == 0 ? first_in : PIN_VAULT;
                        } else if (kk == 0) {
                            d.psum_out = POUT_VAULT_WR;
                            d.psum_in = first_in;
                        } else {
                            d.psum_out = k->acc_ok ? POUT_VAULT_ACC : POUT_VAULT_WR;
                            d.psum_in = k->acc_ok ? PIN_ZERO : PIN_VAULT;
                        }
                        int rc = emit(k, &d);
                        if (rc)
                            return rc;
                        /* every element of the chunk advances together */
                        for (int m = 0; m < n[TETRIS_DIM_M]; m++)
                            for (int nn = 0; nn < n[TETRIS_DIM_N]; nn++)
                                ++*contrib_at(k, lo[TETRIS_DIM_M] + m, lo[TETRIS_DIM_N] + nn, fw);
                    }
            }
    return TETRIS_OK;
}

static int close_residency(comp *k, residency *res)
{
    if (!res->open)
        return TETRIS_OK;
    isa_insn d = res->win;
    d.op = OP_STORE;
    if (res->end == k->total)
        d.mode = POUT_FINAL;
    else if (res->base == 0 || res->loaded)
        d.mode = POUT_VAULT_WR;
    else
        d.mode = POUT_VAULT_ACC;
    res->open = 0;
    return emit(k, &d);
}

static int compile_group(comp *k)
{
    isa_insn cur = {0};
    int have = 0;
    residency res = {0};
    for (int i = 0; i < k->n_blocks; i++) {
        const gblock *g = &k->blocks[i];
        isa_insn want;
        window_of(k, g, &want);
        int rc;
        if (!have || !same_window(&cur, &want)) {
            if (k->b->resident == TETRIS_T_OFMAP) {
                if ((rc = close_residency(k, &res)))
                    return rc;
                /* the residency spans the following blocks with the same window */
                res.base = *contrib_at(k, want.m0, want.n0, 0);
                res.end = res.base;
                for (int j = i; j < k->n_blocks; j++) {
                    isa_insn w;
                    window_of(k, &k->blocks[j], &w);
                    if (!same_window(&w, &want))
                        break;
                    res.end += block_contrib(k, &k->blocks[j]);
                }
                res.loaded = res.base > 0 && (!k->acc_ok || res.end == k->total);
                res.win = want;
                res.open = 1;
                want.window_only = !res.loaded;
            }
            want.op = OP_LOAD;
            want.kind = k->b->resident == TETRIS_T_IFMAP    ? KIND_IFMAP
                        : k->b->resident == TETRIS_T_FILTER ? KIND_FILTER
                                                            : KIND_PSUM;
            if ((rc = emit(k, &want)))
                return rc;
            isa_insn sync = {.op = OP_SYNC};
            if ((rc = emit(k, &sync)))
                return rc;
            cur = want;
            have = 1;
        }
        if ((rc = block_passes(k, g, &res)))
            return rc;
    }
    return close_residency(k, &res);
}

static uint64_t align64(uint64_t x)
{
    return (x + 63) & ~(uint64_t)63;
}

static void layout(const tetris_layer *l, int batch, tetris_vault_layout *lay)
{
    uint64_t n = (uint64_t)batch;
    uint64_t ofm = n * (uint64_t)l->m * (uint64_t)l->ho * (uint64_t)l->wo;
    int has_filter = l->type == TETRIS_LAYER_CONV || l->type == TETRIS_LAYER_FC;
    lay->ifmap = 0;
    lay->filter = align64(lay->ifmap + 2 * n * (uint64_t)l->c * (uint64_t)l->hi * (uint64_t)l->wi);
    lay->bias = align64(lay->filter + (has_filter ? 2ull * (uint64_t)l->m *
                                                        (uint64_t)(l->c / l->groups) *
                                                        (uint64_t)l->r * (uint64_t)l->s
                                                  : 0));
    lay->psum = align64(lay->bias + 4ull * (uint64_t)l->m);
    lay->ofmap = align64(lay->psum + 4 * ofm);
    lay->end = align64(lay->ofmap + 2 * ofm);
}

static int header(comp *k, const tetris_layer *l, int shift, const tetris_vault_layout *lay)
{
    const uint32_t v[][2] = {
        {REG_OPK, (uint32_t)k->opk},
        {REG_CT, (uint32_t)l->c},
        {REG_MT, (uint32_t)l->m},
        {REG_CG, (uint32_t)(k->pool ? l->c : l->c / l->groups)},
        {REG_MG, (uint32_t)(l->m / l->groups)},
        {REG_HI, (uint32_t)l->hi},
        {REG_WI, (uint32_t)l->wi},
        {REG_HO, (uint32_t)l->ho},
        {REG_WO, (uint32_t)l->wo},
        {REG_R, (uint32_t)l->r},
        {REG_S, (uint32_t)l->s},
        {REG_STRIDE, (uint32_t)l->stride},
        {REG_PAD, (uint32_t)l->pad},
        {REG_SHIFT, (uint32_t)shift},
        {REG_RELU, (uint32_t)(l->relu || l->type == TETRIS_LAYER_RELU)},
        {REG_BC, (uint32_t)k->b->rf[TETRIS_DIM_C]},
        {REG_BM, (uint32_t)k->b->rf[TETRIS_DIM_M]},
        {REG_BN, (uint32_t)k->b->rf[TETRIS_DIM_N]},
        {REG_ROWS, (uint32_t)k->map.rows_per_set},
        {REG_REPH, (uint32_t)k->map.rep_h},
        {REG_COLS, (uint32_t)k->map.cols_per_set},
        {REG_REPW, (uint32_t)k->map.rep_w},
        {REG_IFM, (uint32_t)lay->ifmap},
        {REG_FIL, (uint32_t)lay->filter},
        {REG_BIAS, (uint32_t)lay->bias},
        {REG_PSUM, (uint32_t)lay->psum},
        {REG_OFM, (uint32_t)lay->ofmap},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        int rc = emit_set(k, (int)v[i][0], v[i][1]);
        if (rc)
            return rc;
    }
    return TETRIS_OK;
}

int tetris_compile(const tetris_layer *l, int batch, const tetris_config *cfg, int shift,
                   const tetris_blocking *b, tetris_program *prog, tetris_vault_layout *lay,
                   tetris_error *err)
{
    memset(prog, 0, sizeof *prog);
    int rc = tetris_blocking_check(l, batch, cfg, b, err);
    if (rc)
        return rc;
    if (shift < 0 || shift >= cfg->acc_bits)
        return tetris_fail(err, TETRIS_EINVAL, NULL, 0, l->name,
                           "output shift %d outside [0, %d)", shift, cfg->acc_bits);
    comp k = {.l = l, .b = b, .prog = prog};
    tetris_map_layer(l, cfg, &k.map, NULL);
    k.pool = tetris_layer_is_pool(l);
    k.opk = l->type == TETRIS_LAYER_AVGPOOL ? OPK_AVG : k.pool ? OPK_MAX : OPK_MAC;
    k.acc_ok = cfg->accum != TETRIS_ACCUM_NONE && k.opk != OPK_MAX;
    k.has_bias = l->bias && k.opk == OPK_MAC;
    k.size[TETRIS_DIM_C] = k.pool ? 1 : l->c / l->groups;
    k.size[TETRIS_DIM_M] = l->m / l->groups;
    k.size[TETRIS_DIM_N] = batch;
    k.chunk[TETRIS_DIM_C] = k.map.rep_h * b->rf[TETRIS_DIM_C];
    k.chunk[TETRIS_DIM_M] = k.map.rep_w * b->rf[TETRIS_DIM_M];
    k.chunk[TETRIS_DIM_N] = b->rf[TETRIS_DIM_N];
    layout(l, batch, lay);
    tetris_derived der;
    tetris_config_derive(cfg, &der);
    if (lay->end > der.vault_capacity || lay->end > 0xFFFFFFFFull)
        return tetris_fail(err, TETRIS_EFIT, NULL, 0, l->name,
                           "layer data need %llu bytes of vault memory (have %llu)",
                           (unsigned long long)lay->end, (unsigned long long)der.vault_capacity);
    if ((rc = list_blocks(&k)))
        goto out;
    k.total = 0;
    for (int i = 0; i < k.n_blocks; i++)
        if (k.blocks[i].lo[TETRIS_DIM_M] == 0 && k.blocks[i].lo[TETRIS_DIM_N] == 0)
            k.total += block_contrib(&k, &k.blocks[i]);
    k.contrib = malloc((size_t)k.size[TETRIS_DIM_M] * (size_t)batch * (size_t)k.map.fold_w *
                       sizeof *k.contrib);
    rc = k.contrib ? header(&k, l, shift, lay) : TETRIS_ENOMEM;
    for (int g = 0; !rc && g < l->groups; g++) {
        memset(k.contrib, 0, (size_t)k.size[TETRIS_DIM_M] * (size_t)batch *
                                 (size_t)k.map.fold_w * sizeof *k.contrib);
        rc = emit_set(&k, REG_GROUP, (uint32_t)g);
        if (!rc)
            rc = compile_group(&k);
    }
    if (!rc) {
        isa_insn end = {.op = OP_END};
        rc = emit(&k, &end);
    }
out:
    free(k.blocks);
    free(k.contrib);
    if (rc) {
        tetris_program_free(prog);
        if (rc == TETRIS_ENOMEM)
            tetris_fail(err, rc, NULL, 0, l->name, "out of memory compiling the layer");
    }
    return rc;
}
