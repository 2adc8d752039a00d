/*
 * Sequencer model (tetris_seq): fetches, decodes and executes the program in
 * order. The model is sequential: an instruction's cycles are its own
 * transfer or compute time (docs/isa.md gives the formulas).
 */
#include "engine_internal.h"
#include "internal.h"

int seq_run(tetris_engine *e, const tetris_program *p, tetris_error *err)
{
    for (size_t pc = 0; pc < p->n; pc++) {
        isa_insn d;
        if (isa_decode(&p->insn[pc], &d))
            return tetris_fail(err, TETRIS_EINVAL, NULL, 0, "program",
                               "instruction %zu (0x%08x) is not valid", pc,
                               (unsigned)p->insn[pc].w[0]);
        uint64_t cycles = 1;
        int rc = TETRIS_OK;
        e->pc = pc;
        switch (d.op) {
        case OP_SET:
            e->reg[d.reg] = d.value;
            break;
        case OP_LOAD:
            rc = gbuf_load(e, &d, &cycles, err);
            break;
        case OP_STORE:
            rc = gbuf_store(e, &d, &cycles, err);
            break;
        case OP_PASS:
            rc = pe_array_pass(e, &d, &cycles, err);
            break;
        case OP_SYNC:
            break;
        default: /* OP_END */
            if (pc < e->insn_cycles_n)
                e->insn_cycles[pc] = cycles;
            e->cnt.v[TETRIS_CNT_INSNS]++;
            e->cnt.v[TETRIS_CNT_CYCLES] += cycles;
            return TETRIS_OK;
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
        e->cnt.v[TETRIS_CNT_CYCLES] += cycles;
    }
    return tetris_fail(err, TETRIS_EINVAL, NULL, 0, "program", "ends without END");
}
