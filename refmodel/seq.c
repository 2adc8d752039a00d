/*
 * Sequencer model (tetris_seq): fetches, decodes and executes the program in
 * order, and keeps the RTL's timeline (docs/rtl.md, "tetris_seq"). An
 * instruction burst is fetched when the program counter leaves the buffered
 * one; every instruction waits until no unit is busy (the engine's
 * exe_ready), then SET, SYNC and END retire and LOAD, STORE (the DMA) and
 * PASS (the pass unit) are dispatched; a unit's work overlaps only the
 * fetches of the instructions after it. An instruction's own cycles
 * (insn_cycles) are its unit's time from dispatch to idle; the cycles
 * counter is the whole run, start to END.
 */
#include "engine_internal.h"
#include "internal.h"

/* The timeline: the cycle the sequencer is in and the units' first idle cycle. */
typedef struct seq_clock {
    uint64_t t;
    uint64_t free;
    uint64_t fetch;  /* cycles from entering S_FETCH for a new burst to S_EXEC */
    int64_t burst;   /* the buffered instruction burst, -1: none */
} seq_clock;

/* S_FETCH of instruction pc: the buffered burst or a vault read. */
static void fetch(seq_clock *k, const tetris_engine *e, size_t pc)
{
    int64_t burst = (int64_t)(pc * 16 / (size_t)e->cfg.dram_burst_bytes);
    k->t += burst == k->burst ? 1 : k->fetch;
    k->burst = burst;
}

/* S_EXEC of a SET, SYNC or END: it retires when no unit is busy. */
static void retire_when_idle(seq_clock *k)
{
    k->t = tetris_later(k->t, k->free) + 1;
}

/* S_EXEC of a LOAD, STORE or PASS: exe_valid, then dispatch when no unit
 * is busy; the cycle it is dispatched in. */
static uint64_t dispatch_cycle(const seq_clock *k)
{
    return tetris_later(k->t + 1, k->free);
}

/* The unit takes the instruction in cycle d and works for `cycles`. */
static void dispatch(seq_clock *k, uint64_t d, uint64_t cycles)
{
    k->free = d + cycles;
    k->t = d + 1;
}

int seq_run(tetris_engine *e, const tetris_program *p, tetris_error *err)
{
    /* start is seen in S_IDLE at cycle 0; a fetch sets fetch_valid, the
     * arbiter takes it, the controller reads, the data reach S_WAIT */
    seq_clock k = {.t = 1, .burst = -1, .fetch = SEQ_FETCH_PIPE + vault_read_latency(e)};
    uint64_t start = e->cnt.v[TETRIS_CNT_CYCLES];
    /* the vault controller starts the run idle */
    tetris_vault_sched_destroy(e->vs);
    e->vs = NULL;
    e->vs_t = 0;
    for (size_t pc = 0; pc < p->n; pc++) {
        isa_insn d;
        if (isa_decode(&p->insn[pc], &d))
            return tetris_fail(err, TETRIS_EINVAL, NULL, 0, "program",
                               "instruction %zu (0x%08x) is not valid", pc,
                               (unsigned)p->insn[pc].w[0]);
        uint64_t cycles = 1;
        int rc = TETRIS_OK;
        e->pc = pc;
        fetch(&k, e, pc);
        e->dispatch_t = dispatch_cycle(&k);
        switch (d.op) {
        case OP_SET:
            e->reg[d.reg] = d.value;
            retire_when_idle(&k);
            break;
        case OP_LOAD:
            if (!(rc = gbuf_load(e, &d, &cycles, err)))
                dispatch(&k, e->dispatch_t, cycles);
            break;
        case OP_STORE:
            if (!(rc = gbuf_store(e, &d, &cycles, err)))
                dispatch(&k, e->dispatch_t, cycles);
            break;
        case OP_PASS:
            if (!(rc = pe_array_pass(e, &d, &cycles, err)))
                dispatch(&k, e->dispatch_t, cycles);
            break;
        default: /* OP_SYNC, OP_END */
            retire_when_idle(&k);
            break;
        }
        if (rc) {
            /* name the instruction that failed in front of the block's message */
            char msg[sizeof err->msg];
            snprintf(msg, sizeof msg, "%s", err ? err->msg : "");
            return tetris_fail(err, rc, NULL, 0, "program", "instruction %zu: %s", pc, msg);
        }
        if (pc < e->insn_cycles_n)
            e->insn_cycles[pc] = cycles;
        e->cnt.v[TETRIS_CNT_INSNS]++;
        if (d.op == OP_END) {
            /* END retired in cycle k.t - 1; the counter counts cycle 0 too */
            e->cnt.v[TETRIS_CNT_CYCLES] = start + k.t;
            return TETRIS_OK;
        }
    }
    return tetris_fail(err, TETRIS_EINVAL, NULL, 0, "program", "ends without END");
}
