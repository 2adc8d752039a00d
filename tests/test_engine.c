/*
 * Engine model against the golden model: seeded random layers (stride > 1,
 * padding, groups, filters taller than the array so it folds, 1x1, FC,
 * pooling, ReLU, batch > 1) under random configurations and random valid
 * blockings (every GBUF-resident type, loop orders and block sizes).
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "testlayer.h"
#include "testutil.h"
#include "tetris.h"

static void random_config(uint64_t *s, tetris_config *cfg)
{
    tetris_config_defaults(cfg);
    cfg->vault_rows = cfg->vault_cols = 1;
    cfg->array_h = test_rnd(s, 1, 8);
    cfg->array_w = test_rnd(s, 1, 8);
    cfg->max_kernel = 11;
    cfg->rf_filter_words = test_rnd(s, 11, 96);
    cfg->rf_ifmap_words = test_rnd(s, 11, 40);
    cfg->rf_psum_words = test_rnd(s, 1, 12);
    cfg->gbuf_banks = 2;
    cfg->gbuf_bank_bits = 32;
    cfg->gbuf_bytes = 8 * test_rnd(s, 64, 2048);
    cfg->acc_bits = test_rnd(s, 0, 1) ? 32 : test_rnd(s, 18, 31);
    cfg->accum = test_rnd(s, 0, 3);
    tetris_error err;
    cr_assert_eq(tetris_config_validate(cfg, "random", &err), 0, "%s", err.msg);
}

/* A random valid blocking, or the default when many draws fail. */
static void random_blocking(uint64_t *s, const tetris_layer *l, int batch, const tetris_config *cfg,
                            tetris_blocking *b)
{
    tetris_error err;
    if (test_random_blocking(s, l, batch, cfg, b))
        cr_assert_eq(tetris_blocking_default(l, batch, cfg, b, &err), 0, "%s", err.msg);
}

static void run_one(uint64_t seed)
{
    uint64_t s = seed;
    tetris_config cfg;
    random_config(&s, &cfg);
    tetris_layer l;
    test_random_layer(&s, &cfg, &l);
    int batch = test_rnd(&s, 1, 3);
    tetris_blocking b;
    random_blocking(&s, &l, batch, &cfg, &b);

    tetris_arith a;
    tetris_arith_from_config(&cfg, &a);
    tetris_program prog;
    tetris_vault_layout lay;
    tetris_error err;
    cr_assert_eq(tetris_compile(&l, batch, &cfg, l.shift, &b, &prog, &lay, &err), 0,
                 "seed %llu: %s", (unsigned long long)seed, err.msg);
    tetris_layer_data gold, eng;
    cr_assert_eq(tetris_layer_data_alloc(&l, batch, &gold), 0);
    cr_assert_eq(tetris_layer_data_alloc(&l, batch, &eng), 0);
    tetris_layer_data_random(&l, &a, seed, 0, &gold);
    cr_assert_eq(tetris_golden_layer(&l, &a, l.shift, &gold), 0);
    tetris_engine *e;
    cr_assert_eq(tetris_engine_create(&cfg, lay.end, &e), 0);
    cr_assert_eq(tetris_vault_put_inputs(e, &l, &lay, &gold), 0);
    cr_assert_eq(tetris_engine_run(e, &prog, &err), 0, "seed %llu: %s", (unsigned long long)seed,
                 err.msg);
    cr_assert_eq(tetris_vault_get_ofmap(e, &l, &lay, &eng), 0);
    size_t n = (size_t)batch * (size_t)l.m * (size_t)l.ho * (size_t)l.wo;
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(gold.ofmap[i], eng.ofmap[i],
                     "seed %llu type %d c%d m%d %dx%d k%dx%d s%d p%d g%d n%d array %dx%d res %d "
                     "accum %d gb %d,%d,%d/%d%d%d rf %d,%d,%d/%d%d%d: element %zu golden %d engine %d",
                     (unsigned long long)seed, l.type, l.c, l.m, l.hi, l.wi, l.r, l.s, l.stride,
                     l.pad, l.groups, batch, cfg.array_h, cfg.array_w, b.resident, cfg.accum, b.gb[0], b.gb[1],
                     b.gb[2], b.gb_order[0], b.gb_order[1], b.gb_order[2], b.rf[0], b.rf[1], b.rf[2],
                     b.pass_order[0], b.pass_order[1], b.pass_order[2], i,
                     gold.ofmap[i], eng.ofmap[i]);
    const tetris_counters *c = tetris_engine_counters(e);
    cr_assert_eq(c->v[TETRIS_CNT_MACS], tetris_layer_macs(&l, batch), "seed %llu: MAC count",
                 (unsigned long long)seed);
    cr_assert_eq(c->v[TETRIS_CNT_VAULT_WR_OFMAP], n, "seed %llu: each ofmap word written once",
                 (unsigned long long)seed);
    tetris_engine_destroy(e);
    tetris_layer_data_free(&gold);
    tetris_layer_data_free(&eng);
    tetris_program_free(&prog);
}

Test(engine, random_layers_match_golden, .timeout = 300)
{
    /* SEED=n in the environment reruns one case */
    const char *only = getenv("SEED");
    for (uint64_t seed = 1; seed <= 600; seed++)
        if (!only || strtoull(only, NULL, 10) == seed)
            run_one(seed);
}

/* Every blocking choice of one layer gives the same bits. */
Test(engine, every_resident_type_same_bits)
{
    tetris_config cfg;
    tetris_config_defaults(&cfg);
    cfg.array_h = 3;
    cfg.array_w = 4;
    tetris_layer l = {.name = "conv", .type = TETRIS_LAYER_CONV, .c = 6, .hi = 9, .wi = 9, .m = 5,
                      .r = 5, .s = 5, .stride = 2, .pad = 2, .groups = 1, .bias = 1, .relu = 1};
    l.ho = l.wo = (9 + 4 - 5) / 2 + 1;
    tetris_arith a;
    tetris_arith_from_config(&cfg, &a);
    uint32_t crc = 0;
    for (int accum = 0; accum < 4; accum++)
        for (int res = 0; res < 3; res++) {
            cfg.accum = accum;
            tetris_blocking b = {.resident = (enum tetris_dtype3)res,
                                 .gb = {2, 3, 2},
                                 .gb_order = {2, 0, 1},
                                 .rf = {1, 2, 1},
                                 .pass_order = {0, 1, 2}};
            tetris_error err;
            tetris_program p;
            tetris_vault_layout lay;
            cr_assert_eq(tetris_compile(&l, 2, &cfg, 6, &b, &p, &lay, &err), 0, "%s", err.msg);
            tetris_layer_data d;
            cr_assert_eq(tetris_layer_data_alloc(&l, 2, &d), 0);
            tetris_layer_data_random(&l, &a, 7, 0, &d);
            tetris_engine *e;
            cr_assert_eq(tetris_engine_create(&cfg, lay.end, &e), 0);
            tetris_vault_put_inputs(e, &l, &lay, &d);
            cr_assert_eq(tetris_engine_run(e, &p, &err), 0, "%s", err.msg);
            tetris_vault_get_ofmap(e, &l, &lay, &d);
            uint32_t c = tetris_crc32(d.ofmap, 2u * 5u * 5u * 5u * sizeof(int16_t));
            if (accum || res)
                cr_assert_eq(c, crc, "accum %d resident %d differs", accum, res);
            crc = c;
            /* in-memory accumulation replaces psum read-backs when ofmaps bypass */
            const tetris_counters *k = tetris_engine_counters(e);
            if (res != TETRIS_T_OFMAP && accum != TETRIS_ACCUM_NONE)
                cr_assert_gt(k->v[TETRIS_CNT_VAULT_ACC_PSUM], 0);
            if (accum == TETRIS_ACCUM_NONE)
                cr_assert_eq(k->v[TETRIS_CNT_VAULT_ACC_PSUM], 0);
            tetris_engine_destroy(e);
            tetris_layer_data_free(&d);
            tetris_program_free(&p);
        }
}

Test(engine, filter_wider_than_pe_window_does_not_fit)
{
    tetris_config cfg;
    tetris_config_defaults(&cfg);
    tetris_layer l = {.name = "wide", .type = TETRIS_LAYER_CONV, .c = 1, .hi = 20, .wi = 20, .m = 1,
                      .r = 3, .s = cfg.max_kernel + 1, .stride = 1, .groups = 1};
    l.ho = 18;
    l.wo = 20 - l.s + 1;
    tetris_blocking b;
    tetris_error err;
    cr_assert_eq(tetris_blocking_default(&l, 1, &cfg, &b, &err), TETRIS_EFIT);
    cr_assert(strstr(err.msg, "max_kernel") != NULL, "%s", err.msg);
}

Test(engine, bad_programs_are_rejected)
{
    tetris_config cfg;
    tetris_config_defaults(&cfg);
    tetris_engine *e;
    cr_assert_eq(tetris_engine_create(&cfg, 1024, &e), 0);
    tetris_insn bad[1] = {{{0xEE, 0, 0, 0}}};
    tetris_program p = {.insn = bad, .n = 1, .cap = 1};
    tetris_error err;
    cr_assert_eq(tetris_engine_run(e, &p, &err), TETRIS_EINVAL);
    cr_assert(strstr(err.msg, "instruction 0") != NULL, "%s", err.msg);
    tetris_insn set[1] = {{{0x01, 5, 0, 0}}}; /* SET without END */
    p.insn = set;
    cr_assert_eq(tetris_engine_run(e, &p, &err), TETRIS_EINVAL);
    cr_assert(strstr(err.msg, "END") != NULL, "%s", err.msg);
    tetris_engine_destroy(e);
}
