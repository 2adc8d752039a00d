/*
 * The engine model's timing (docs/isa.md, "Cycles"): the sequencer's fetch
 * and retire timeline, and properties of the pass timing that hold for any
 * layer (repeatable, at least the PEs' MACs, independent of the data).
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "testlayer.h"
#include "testutil.h"
#include "tetris.h"

enum { OP_SET = 0x01, OP_END = 0x06 };

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
