/*
 * The engine model's timing (docs/isa.md, "Cycles"): the sequencer's fetch
 * and retire timeline, the DMA's rate over GBUF rows, and properties of the
 * pass timing that hold for any layer (repeatable, at least the PEs' MACs,
 * independent of the data).
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "testlayer.h"
#include "testutil.h"
#include "tetris.h"

enum { OP_SET = 0x01, OP_STORE = 0x03, OP_END = 0x06 };

static uint64_t run_program(const tetris_insn *insn, size_t n)
{
    tetris_config cfg;
    tetris_config_defaults(&cfg);
    tetris_engine *e;
    cr_assert_eq(tetris_engine_create(&cfg, 1 << 20, &e), 0);
    tetris_program p = {.insn = (tetris_insn *)insn, .n = n, .cap = n};
    tetris_error err;
    cr_assert_eq(tetris_engine_run(e, &p, &err), 0, "%s", err.msg);
    uint64_t c = tetris_engine_counters(e)->v[TETRIS_CNT_CYCLES];
    tetris_engine_destroy(e);
    return c;
}

Test(timing, sequencer_fetches_a_burst_per_two_instructions)
{
    /* T-16: 32-byte bursts hold two instructions; an isolated vault read
     * takes T_RCD + T_CL + 3 = 17 cycles (docs/vault.md), a fetch 3 more
     * (fetch_valid, the arbiter, the response back). Start is seen in cycle
     * 0, S_FETCH follows; per burst of two SETs: the fetch (20) to S_EXEC,
     * retire, S_FETCH of the buffered second, S_EXEC, retire: 23. END alone
     * in its burst: 20 + 1; the counter includes cycle 0. */
    for (int k = 0; k <= 4; k++) {
        tetris_insn prog[9];
        memset(prog, 0, sizeof prog);
        for (int i = 0; i < 2 * k; i++) {
            prog[i].w[0] = OP_SET | (uint32_t)(1 + i % 4) << 8;
            prog[i].w[1] = (uint32_t)i;
        }
        prog[2 * k].w[0] = OP_END;
        cr_assert_eq(run_program(prog, (size_t)(2 * k + 1)), (uint64_t)(22 + 23 * k), "k = %d", k);
    }
}

/* Run one layer on a fresh engine; its cycles. */
static uint64_t layer_cycles(const tetris_config *cfg, const tetris_layer *l, uint64_t seed)
{
    tetris_layer_result r;
    tetris_error err;
    cr_assert_eq(tetris_run_layer(cfg, l, 1, seed, 0, &r, &err), 0, "%s", err.msg);
    cr_assert(r.pass);
    uint64_t c = r.counts.v[TETRIS_CNT_CYCLES];
    cr_assert(c >= r.counts.v[TETRIS_CNT_MACS] / (uint64_t)(cfg->array_h * cfg->array_w),
              "%llu cycles for %llu MACs", (unsigned long long)c,
              (unsigned long long)r.counts.v[TETRIS_CNT_MACS]);
    return c;
}

Test(timing, repeatable_and_independent_of_the_data)
{
    tetris_config cfg;
    tetris_config_defaults(&cfg);
    /* an array lower than the random filters, so that some passes fold */
    cfg.array_h = 4;
    cfg.array_w = 6;
    uint64_t s = 5;
    for (int i = 0; i < 6; i++) {
        tetris_layer l;
        test_random_layer(&s, &cfg, &l);
        uint64_t a = layer_cycles(&cfg, &l, 1), b = layer_cycles(&cfg, &l, 1),
                 c = layer_cycles(&cfg, &l, 99);
        cr_assert_eq(a, b, "layer %d", i);
        cr_assert_eq(a, c, "layer %d", i);
    }
}

/* AlexNet's pool2 (256 x 27 x 27, 3 x 3, stride 2) on T-16 with GBUF rows of
 * bank_bits: its ofmaps stay in the GBUF and leave through final STOREs.
 * The STOREs' cycles, and the ofmap words they write. */
static uint64_t pool2_store_cycles(int bank_bits, uint64_t *words)
{
    tetris_config cfg;
    tetris_config_defaults(&cfg);
    cfg.gbuf_bank_bits = bank_bits;
    tetris_layer l = {.type = TETRIS_LAYER_MAXPOOL, .c = 256, .hi = 27, .wi = 27, .m = 256,
                      .ho = 13, .wo = 13, .r = 3, .s = 3, .stride = 2, .groups = 1,
                      .shift = TETRIS_SHIFT_AUTO};
    snprintf(l.name, sizeof l.name, "pool2");
    tetris_layer_data d;
    cr_assert_eq(tetris_layer_data_alloc(&l, 1, &d), 0);
    tetris_arith a;
    tetris_arith_from_config(&cfg, &a);
    tetris_layer_data_random(&l, &a, 3, 0, &d);
    tetris_job job;
    tetris_error err = {""};
    cr_assert_eq(tetris_job_prepare(&cfg, &l, &d, &job, &err), 0, "%s", err.msg);
    cr_assert(job.res.pass);
    cr_assert_eq(job.res.blocking.resident, TETRIS_T_OFMAP);
    cr_assert_eq(job.res.counts.v[TETRIS_CNT_VAULT_WR_PSUM] + job.res.counts.v[TETRIS_CNT_VAULT_ACC_PSUM],
                 0, "no spills: every STORE is final");
    uint64_t cycles = 0;
    int stores = 0;
    for (size_t i = 0; i < job.prog.n; i++)
        if ((job.prog.insn[i].w[0] & 0xFF) == OP_STORE) {
            cycles += job.insn_cycles[i];
            stores++;
        }
    cr_assert_gt(stores, 0);
    *words = job.res.counts.v[TETRIS_CNT_VAULT_WR_OFMAP];
    tetris_job_free(&job);
    return cycles;
}

Test(timing, a_psum_across_two_gbuf_rows_moves_in_two_cycles)
{
    /* the word reader reads a 32-bit psum whose halves lie in two GBUF rows
     * in two cycles: every psum with 16-bit rows, none with 32-bit rows
     * (tetris_rdport); the vault keeps up with either rate */
    uint64_t words16, words32;
    uint64_t c16 = pool2_store_cycles(16, &words16), c32 = pool2_store_cycles(32, &words32);
    cr_assert_eq(words16, 256u * 13 * 13);
    cr_assert_eq(words32, words16);
    cr_assert_eq(c16 - c32, words16, "16-bit rows %llu, 32-bit rows %llu cycles", (unsigned long long)c16,
                 (unsigned long long)c32);
}
