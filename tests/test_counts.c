/*
 * Engine event counts against closed-form row-stationary formulas.
 *
 * The formulas are derived from docs/isa.md alone (pass semantics, counting
 * rules, the compiler's block and chunk order), as products and sums over
 * folds and chunks, never by walking PEs or passes: they are an independent
 * check of the engine and the compiler. Layers: AlexNet on the T-16 engine with
 * the default blocking, and AlexNet with channels divided by 16 on the 4x6
 * `small` engine (the 11-row conv1 filter folds in height, the 55 ofmap rows
 * fold in width) under constructed blockings of every GBUF-resident type, with
 * and without in-memory accumulation.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "testutil.h"
#include "tetris.h"

#define CONFIGS TETRIS_SRCDIR "/examples/configs"

static uint64_t cdiv(uint64_t a, uint64_t b)
{
    return (a + b - 1) / b;
}

static uint64_t umin(uint64_t a, uint64_t b)
{
    return a < b ? a : b;
}

/* Words of the interval [lo, hi] that fall inside [0, size). */
static uint64_t in_range(int64_t lo, int64_t hi, int64_t size)
{
    if (lo < 0)
        lo = 0;
    if (hi > size - 1)
        hi = size - 1;
    return hi < lo ? 0 : (uint64_t)(hi - lo + 1);
}

/*
 * One loop dimension (C, M or N) cut into GBUF blocks of gb, each block cut
 * into pass chunks of rep * rf (the last block and the last chunk of each
 * block may be short).
 */
typedef struct split {
    uint64_t blocks;   /* GBUF blocks */
    uint64_t chunks;   /* pass chunks over every block */
    uint64_t replicas; /* active replicas summed over chunks: ceil(chunk / rf) each */
} split;

/* Active replicas summed over the chunks of one block of bs: full chunks use
 * every replica, the short one ceil(rest / rf). */
static uint64_t block_replicas(uint64_t bs, uint64_t rep, uint64_t rf)
{
    return bs / (rep * rf) * rep + cdiv(bs % (rep * rf), rf);
}

static split split_dim(uint64_t size, uint64_t gb, uint64_t rep, uint64_t rf)
{
    uint64_t q = rep * rf;
    split s;
    s.blocks = cdiv(size, gb);
    uint64_t last = size - (s.blocks - 1) * gb;
    s.chunks = (s.blocks - 1) * cdiv(gb, q) + cdiv(last, q);
    s.replicas = (s.blocks - 1) * block_replicas(gb, rep, rf) + block_replicas(last, rep, rf);
    return s;
}

/*
 * How often the GBUF block of the resident type is (re)opened, per block of
 * it. The resident type is indexed by two of C, M, N; x is the third. A LOAD
 * happens when the resident block changes, so successive x blocks share one
 * load unless a dimension inside x in gb_order (necessarily an indexing one)
 * has more than one block.
 */
static uint64_t visits(const tetris_blocking *b, const uint64_t blocks[3], int x)
{
    int pos = 0;
    while (b->gb_order[pos] != x)
        pos++;
    for (int i = pos + 1; i < 3; i++)
        if (blocks[b->gb_order[i]] > 1)
            return blocks[x];
    return 1;
}

/* Distinct ifmap rows read by ee consecutive ofmap rows and rr consecutive
 * filter rows (y = e*stride + r - pad): one run when windows overlap or
 * touch, else ee separate runs of rr. */
static uint64_t rows_used(uint64_t ee, uint64_t rr, uint64_t stride)
{
    return stride <= rr ? (ee - 1) * stride + rr : ee * rr;
}

/* Expected counts; only the counters marked `checked` are compared. */
typedef struct expect {
    uint64_t v[TETRIS_CNT_COUNT];
    int checked[TETRIS_CNT_COUNT];
} expect;

static void want(expect *x, enum tetris_counter c, uint64_t v)
{
    x->v[c] = v;
    x->checked[c] = 1;
}

/* The row-stationary mapping of docs/isa.md ("The processing pass"). */
static void expected_mapping(const tetris_layer *l, const tetris_config *cfg, tetris_mapping *mp)
{
    int pool = l->type == TETRIS_LAYER_MAXPOOL || l->type == TETRIS_LAYER_AVGPOOL;
    int h = cfg->array_h, w = cfg->array_w;
    mp->rows_per_set = l->r < h ? l->r : h;
    mp->fold_h = (int)cdiv((uint64_t)l->r, (uint64_t)h);
    mp->rep_h = (pool || l->r > h) ? 1 : h / l->r;
    mp->cols_per_set = l->ho < w ? l->ho : w;
    mp->fold_w = (int)cdiv((uint64_t)l->ho, (uint64_t)w);
    mp->rep_w = l->ho > w ? 1 : w / l->ho;
}

static void expected_counts(const tetris_layer *l, int batch, const tetris_config *cfg,
                            const tetris_blocking *b, const tetris_mapping *mp, expect *x)
{
    int pool = l->type == TETRIS_LAYER_MAXPOOL || l->type == TETRIS_LAYER_AVGPOOL;
    int accum = cfg->accum != TETRIS_ACCUM_NONE;
    /* pooling has no ifmap-channel loop: a psum's ifmap channel is its ofmap channel */
    uint64_t C = pool ? 1 : (uint64_t)l->c, M = (uint64_t)l->m, N = (uint64_t)batch;
    uint64_t R = (uint64_t)l->r, S = (uint64_t)l->s, ho = (uint64_t)l->ho, wo = (uint64_t)l->wo;
    uint64_t st = (uint64_t)l->stride;
    uint64_t rows = (uint64_t)mp->rows_per_set, cols = (uint64_t)mp->cols_per_set;
    uint64_t fold_h = (uint64_t)mp->fold_h, fold_w = (uint64_t)mp->fold_w;

    split sc = split_dim(C, (uint64_t)b->gb[TETRIS_DIM_C], (uint64_t)mp->rep_h,
                         (uint64_t)b->rf[TETRIS_DIM_C]);
    split sm = split_dim(M, (uint64_t)b->gb[TETRIS_DIM_M], (uint64_t)mp->rep_w,
                         (uint64_t)b->rf[TETRIS_DIM_M]);
    split sn = split_dim(N, (uint64_t)b->gb[TETRIS_DIM_N], 1, (uint64_t)b->rf[TETRIS_DIM_N]);
    uint64_t blocks[3] = {sc.blocks, sm.blocks, sn.blocks};

    /*
     * Per pass, active PEs = (rr * ceil(nc/bc)) x (ee * ceil(nm/bm)); the
     * replicas' channels sum to nc and nm, and over the folds rr sums to R and
     * ee to ho. Chunks form the product of the C, M and N chunk lists.
     */
    uint64_t ofm = N * M * ho * wo;
    uint64_t T = sc.chunks * fold_h; /* contributions per ofmap element */
    uint64_t macs = C * M * N * R * S * ho * wo;
    want(x, TETRIS_CNT_MACS, macs);
    want(x, TETRIS_CNT_RF_RD_FILTER, pool ? 0 : macs);
    want(x, TETRIS_CNT_RF_RD_IFMAP, macs);
    want(x, TETRIS_CNT_RF_RD_PSUM, macs);
    want(x, TETRIS_CNT_RF_WR_PSUM, macs);
    want(x, TETRIS_CNT_PASSES, sc.chunks * sm.chunks * sn.chunks * fold_h * fold_w);

    /* filters: rr*ee*nc*nm*s per pass into the RFs; nm*nc*rr*s per pass on the bus */
    uint64_t bus_filter = pool ? 0 : R * S * C * M * sn.chunks * fold_w;
    want(x, TETRIS_CNT_RF_WR_FILTER, pool ? 0 : R * S * ho * C * M * sn.chunks);
    want(x, TETRIS_CNT_BUS_FILTER, bus_filter);
    int fil_res = b->resident == TETRIS_T_FILTER;
    uint64_t fil_load = fil_res ? visits(b, blocks, TETRIS_DIM_N) * M * C * R * S : 0;
    want(x, TETRIS_CNT_GBUF_RD_FILTER, fil_res ? bus_filter : 0);
    want(x, TETRIS_CNT_VAULT_RD_FILTER, fil_res ? fil_load : bus_filter);
    want(x, TETRIS_CNT_GBUF_WR_FILTER, fil_load);

    /*
     * ifmaps: the stream carries channels*nn*needed words per ifmap row used.
     * Summed over chunks, channels*nn is C*N per M chunk (pooling: M*N per C
     * chunk); the rows used are summed over the fold_h x fold_w passes. Every
     * active PE writes its window into its RF: ca*nn*needed summed over
     * rr*ceil(nc/bc) rows and ee*ceil(nm/bm) columns is rr*ee*nc*nn*needed per
     * width replica (pooling: mb*nn*needed per PE, so rr*ee*nm*nn*needed).
     */
    uint64_t needed = st <= S ? (wo - 1) * st + S : wo * S;
    uint64_t chan = pool ? M * N * sc.chunks : C * N * sm.chunks;
    uint64_t rf_chan = pool ? chan : C * N * sm.replicas;
    uint64_t rows_sum = 0, rows_in = 0;
    /* in-range words are closed form when the rows and columns read form one run */
    int one_run = st <= S && st <= R - (fold_h - 1) * rows;
    for (uint64_t fh = 0; fh < fold_h; fh++)
        for (uint64_t fw = 0; fw < fold_w; fw++) {
            uint64_t rr = umin(rows, R - fh * rows), ee = umin(cols, ho - fw * cols);
            int64_t y0 = (int64_t)(fw * cols * st + fh * rows) - l->pad;
            rows_sum += rows_used(ee, rr, st);
            if (one_run)
                rows_in += in_range(y0, y0 + (int64_t)rows_used(ee, rr, st) - 1, l->hi);
        }
    uint64_t cols_in = in_range(-l->pad, (int64_t)needed - 1 - l->pad, l->wi);
    want(x, TETRIS_CNT_RF_WR_IFMAP, R * ho * needed * rf_chan);
    want(x, TETRIS_CNT_BUS_IFMAP, needed * rows_sum * chan);
    int ifm_res = b->resident == TETRIS_T_IFMAP;
    if (one_run)
        want(x, ifm_res ? TETRIS_CNT_GBUF_RD_IFMAP : TETRIS_CNT_VAULT_RD_IFMAP,
             cols_in * rows_in * chan);
    if (ifm_res) {
        /* pooling's ifmap blocks follow the ofmap channels (the C loop is trivial) */
        uint64_t load = pool ? N * M * (uint64_t)l->hi * (uint64_t)l->wi
                             : visits(b, blocks, TETRIS_DIM_M) * N * C * (uint64_t)l->hi *
                                   (uint64_t)l->wi;
        want(x, TETRIS_CNT_VAULT_RD_IFMAP, load);
        want(x, TETRIS_CNT_GBUF_WR_IFMAP, load);
    } else {
        want(x, TETRIS_CNT_GBUF_RD_IFMAP, 0);
        want(x, TETRIS_CNT_GBUF_WR_IFMAP, 0);
    }

    /*
     * psums: per active column mb*nn*wo words leave each pass, so every ofmap
     * element leaves T times (bus_psum_out / (N*M*ho*wo) = T); hops are (active PEs of the column - 1) per word.
     * The first contribution of each (m chunk, n chunk, fw) reads nm biases.
     */
    want(x, TETRIS_CNT_BUS_PSUM_OUT, T * ofm);
    want(x, TETRIS_CNT_PSUM_HOPS, ho * wo * M * N * (R * sc.replicas - T));
    want(x, TETRIS_CNT_VAULT_RD_BIAS, l->bias ? M * sn.chunks * fold_w : 0);
    want(x, TETRIS_CNT_VAULT_WR_OFMAP, ofm);
    /*
     * With in-memory accumulation the first spill of an element is a plain
     * write and only later ones are accumulate requests: the vault's psum
     * area holds no zeros to add to (reference section 8, "the first write of
     * a tile is a plain write"; docs/isa.md's table says only "accumulate").
     */
    if (b->resident == TETRIS_T_OFMAP) {
        /*
         * V visits of each psum block (one per C block when it reopens). Every
         * pass writes the GBUF and every visit ends in a STORE (the last one
         * final). A reopened block reloads the vault's psums, but with
         * in-memory accumulation only for the last visit: the visits between
         * start from zero and their STOREs accumulate.
         */
        uint64_t V = visits(b, blocks, TETRIS_DIM_C);
        uint64_t from_zero = accum && V >= 2 ? V - 1 : 1;
        uint64_t reload = accum ? (V >= 2 ? ofm : 0) : (V - 1) * ofm;
        want(x, TETRIS_CNT_BUS_PSUM_IN, (T - from_zero) * ofm);
        want(x, TETRIS_CNT_GBUF_RD_PSUM, (T - from_zero) * ofm + V * ofm);
        want(x, TETRIS_CNT_GBUF_WR_PSUM, T * ofm + reload);
        want(x, TETRIS_CNT_VAULT_RD_PSUM, reload);
        want(x, TETRIS_CNT_VAULT_WR_PSUM, accum ? (V >= 2 ? ofm : 0) : (V - 1) * ofm);
        want(x, TETRIS_CNT_VAULT_ACC_PSUM, accum && V >= 2 ? (V - 2) * ofm : 0);
    } else {
        /*
         * Bypass: without an adder every later contribution reads back the
         * spilled psums; with one, spills are accumulate requests and only
         * the last contribution reads the vault.
         */
        uint64_t in = accum ? (T >= 2 ? ofm : 0) : (T - 1) * ofm;
        want(x, TETRIS_CNT_BUS_PSUM_IN, in);
        want(x, TETRIS_CNT_VAULT_RD_PSUM, in);
        want(x, TETRIS_CNT_GBUF_RD_PSUM, 0);
        want(x, TETRIS_CNT_GBUF_WR_PSUM, 0);
        want(x, TETRIS_CNT_VAULT_WR_PSUM, accum ? (T >= 2 ? ofm : 0) : (T - 1) * ofm);
        want(x, TETRIS_CNT_VAULT_ACC_PSUM, accum && T >= 2 ? (T - 2) * ofm : 0);
    }
}

static const char *const resident_name[] = {"ifmap", "ofmap", "filter"};
static const char *const accum_name[] = {"none", "controller", "dram_die", "bank"};

/* Compile and run one layer, then compare every checked counter and the
 * identities between counters. */
static void check_run(const tetris_config *cfg, const tetris_layer *l, int batch,
                      const tetris_blocking *b)
{
    char what[256];
    snprintf(what, sizeof what,
             "%s on %s (accum %s) batch %d: %s-resident gb %d,%d,%d order %d%d%d "
             "rf %d,%d,%d order %d%d%d",
             l->name, cfg->name, accum_name[cfg->accum], batch, resident_name[b->resident],
             b->gb[0], b->gb[1], b->gb[2], b->gb_order[0], b->gb_order[1], b->gb_order[2],
             b->rf[0], b->rf[1], b->rf[2], b->pass_order[0], b->pass_order[1], b->pass_order[2]);

    tetris_error err;
    tetris_mapping mp, want_mp;
    cr_assert_eq(tetris_map_layer(l, cfg, &mp, &err), 0, "%s: %s", what, err.msg);
    expected_mapping(l, cfg, &want_mp);
    cr_assert(mp.rows_per_set == want_mp.rows_per_set && mp.fold_h == want_mp.fold_h &&
                  mp.rep_h == want_mp.rep_h && mp.cols_per_set == want_mp.cols_per_set &&
                  mp.fold_w == want_mp.fold_w && mp.rep_w == want_mp.rep_w,
              "%s: mapping rows %d fold_h %d rep_h %d cols %d fold_w %d rep_w %d, expected "
              "%d %d %d %d %d %d",
              what, mp.rows_per_set, mp.fold_h, mp.rep_h, mp.cols_per_set, mp.fold_w, mp.rep_w,
              want_mp.rows_per_set, want_mp.fold_h, want_mp.rep_h, want_mp.cols_per_set,
              want_mp.fold_w, want_mp.rep_w);

    tetris_program prog;
    tetris_vault_layout lay;
    cr_assert_eq(tetris_compile(l, batch, cfg, tetris_layer_shift(l, cfg), b, &prog, &lay, &err),
                 0, "%s: %s", what, err.msg);
    tetris_arith a;
    tetris_arith_from_config(cfg, &a);
    tetris_layer_data d;
    cr_assert_eq(tetris_layer_data_alloc(l, batch, &d), 0, "%s: alloc", what);
    tetris_layer_data_random(l, &a, 1, (uint64_t)batch, &d);
    tetris_engine *e;
    cr_assert_eq(tetris_engine_create(cfg, lay.end, &e), 0, "%s: engine", what);
    cr_assert_eq(tetris_vault_put_inputs(e, l, &lay, &d), 0, "%s: inputs", what);
    cr_assert_eq(tetris_engine_run(e, &prog, &err), 0, "%s: %s", what, err.msg);
    const uint64_t *v = tetris_engine_counters(e)->v;

    expect x;
    memset(&x, 0, sizeof x);
    expected_counts(l, batch, cfg, b, &mp, &x);
    int bad = 0;
    for (int c = 0; c < TETRIS_CNT_COUNT; c++)
        if (x.checked[c] && v[c] != x.v[c]) {
            cr_log_error("%s: %s expected %llu, actual %llu", what,
                         tetris_counter_name((enum tetris_counter)c), (unsigned long long)x.v[c],
                         (unsigned long long)v[c]);
            bad++;
        }
    cr_assert_eq(bad, 0, "%s: %d counters differ from the closed forms", what, bad);

    /* identities stated by the counting rules, independent of the formulas */
    cr_assert_eq(v[TETRIS_CNT_MACS], tetris_layer_macs(l, batch), "%s: macs %llu, layer macs %llu",
                 what, (unsigned long long)v[TETRIS_CNT_MACS],
                 (unsigned long long)tetris_layer_macs(l, batch));
    if (b->resident != TETRIS_T_FILTER)
        cr_assert_eq(v[TETRIS_CNT_GBUF_RD_FILTER] + v[TETRIS_CNT_VAULT_RD_FILTER],
                     v[TETRIS_CNT_BUS_FILTER], "%s: filter reads by source %llu + %llu, bus %llu",
                     what, (unsigned long long)v[TETRIS_CNT_GBUF_RD_FILTER],
                     (unsigned long long)v[TETRIS_CNT_VAULT_RD_FILTER],
                     (unsigned long long)v[TETRIS_CNT_BUS_FILTER]);
    if (b->resident != TETRIS_T_OFMAP) {
        uint64_t out = v[TETRIS_CNT_VAULT_WR_PSUM] + v[TETRIS_CNT_VAULT_ACC_PSUM] +
                       v[TETRIS_CNT_GBUF_WR_PSUM] + v[TETRIS_CNT_VAULT_WR_OFMAP];
        cr_assert_eq(out, v[TETRIS_CNT_BUS_PSUM_OUT],
                     "%s: psum words by destination %llu, bus_psum_out %llu", what,
                     (unsigned long long)out, (unsigned long long)v[TETRIS_CNT_BUS_PSUM_OUT]);
    }

    tetris_engine_destroy(e);
    tetris_layer_data_free(&d);
    tetris_program_free(&prog);
}

static void load_config(const char *name, tetris_config *cfg)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s.yaml", CONFIGS, name);
    tetris_error err;
    cr_assert_eq(tetris_config_load(path, cfg, &err), 0, "%s", err.msg);
}

static void load_layer(const char *name, tetris_net *net, tetris_layer *l)
{
    tetris_error err;
    cr_assert_eq(tetris_net_load(TETRIS_SRCDIR "/examples/nets/alexnet.yaml", net, &err), 0, "%s",
                 err.msg);
    int i = tetris_net_find(net, name);
    cr_assert_geq(i, 0, "no layer %s in alexnet", name);
    *l = net->layers[i];
    /* the formulas leave out the group loop: alexnet.yaml is the ungrouped form */
    cr_assert_eq(l->groups, 1, "%s is grouped", name);
}

/* Full-size layer on T-16 with the default blocking, batch 1 and 2. */
static void check_t16(const char *name)
{
    tetris_config cfg;
    load_config("t16", &cfg);
    tetris_net net;
    tetris_layer l;
    load_layer(name, &net, &l);
    for (int batch = 1; batch <= 2; batch++) {
        tetris_blocking b;
        tetris_error err;
        cr_assert_eq(tetris_blocking_default(&l, batch, &cfg, &b, &err), 0, "%s: %s", name,
                     err.msg);
        check_run(&cfg, &l, batch, &b);
    }
    tetris_net_free(&net);
}

#define BLOCKINGS_PER_TYPE 3 /* fitting blockings kept per resident type */
#define DRAWS_PER_TYPE 200   /* random draws tried per resident type */

/*
 * Reduced layer (channels / 16) on the 4x6 small engine: the default
 * blocking plus up to BLOCKINGS_PER_TYPE random fitting blockings per
 * resident type (block sizes that leave short last blocks and chunks, loop
 * orders that reopen blocks), with accum none and dram_die, batch 1 and 2.
 */
static void check_small(const char *name)
{
    tetris_config cfg;
    load_config("small", &cfg);
    tetris_net net;
    tetris_layer l;
    load_layer(name, &net, &l);
    int pool = l.type == TETRIS_LAYER_MAXPOOL || l.type == TETRIS_LAYER_AVGPOOL;
    l.c = l.c / 16 > 0 ? l.c / 16 : 1;
    l.m = pool ? l.c : (l.m / 16 > 0 ? l.m / 16 : 1);

    int accums[2] = {TETRIS_ACCUM_NONE, TETRIS_ACCUM_DRAM_DIE};
    int runs = 0;
    for (int ai = 0; ai < 2; ai++) {
        cfg.accum = accums[ai];
        for (int batch = 1; batch <= 2; batch++) {
            tetris_blocking b;
            tetris_error err;
            cr_assert_eq(tetris_blocking_default(&l, batch, &cfg, &b, &err), 0, "%s: %s", name,
                         err.msg);
            check_run(&cfg, &l, batch, &b);
            int size[3] = {pool ? 1 : l.c, l.m, batch};
            /* pooling has no filters to keep resident */
            for (int res = 0; res < (pool ? 2 : 3); res++) {
                /* same seed for both accum settings: the same blockings with and without the adder */
                uint64_t s = (uint64_t)(res * 16 + batch);
                int kept = 0;
                for (int t = 0; t < DRAWS_PER_TYPE && kept < BLOCKINGS_PER_TYPE; t++) {
                    b.resident = (enum tetris_dtype3)res;
                    for (int dd = 0; dd < 3; dd++) {
                        b.gb[dd] = test_rnd(&s, 1, size[dd]);
                        b.rf[dd] = test_rnd(&s, 1, size[dd] < 3 ? size[dd] : 3);
                    }
                    test_perm3(&s, b.gb_order);
                    test_perm3(&s, b.pass_order);
                    if (tetris_blocking_check(&l, batch, &cfg, &b, &err) != 0)
                        continue;
                    check_run(&cfg, &l, batch, &b);
                    kept++;
                    runs++;
                }
            }
        }
    }
    /* every layer must exercise blockings beyond the default one */
    cr_assert_gt(runs, 0, "%s: no constructed blocking fits the small engine", name);
    tetris_net_free(&net);
}

#define ALEXNET_LAYER(name)                                                                       \
    Test(counts_t16, name)                                                                        \
    {                                                                                             \
        check_t16(#name);                                                                         \
    }                                                                                             \
    Test(counts_small, name)                                                                      \
    {                                                                                             \
        check_small(#name);                                                                       \
    }

ALEXNET_LAYER(conv1)
ALEXNET_LAYER(pool1)
ALEXNET_LAYER(conv2)
ALEXNET_LAYER(pool2)
ALEXNET_LAYER(conv3)
ALEXNET_LAYER(conv4)
ALEXNET_LAYER(conv5)
ALEXNET_LAYER(pool5)
ALEXNET_LAYER(fc1)
ALEXNET_LAYER(fc2)
ALEXNET_LAYER(fc3)
