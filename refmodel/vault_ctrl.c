/*
 * Vault controller model (tetris_vault_ctrl): bounds of the vault memory and
 * the time of a run of bursts (by the controller's cycle model). The word accessors, address
 * generators and the accumulate request (read-add-write at accumulator width
 * next to the DRAM) are inline in engine_internal.h. Callers count accesses by
 * data type, so each access is counted once, where its type is known.
 */
#include <string.h>

#include "engine_internal.h"
#include "internal.h"

int vault_check(tetris_engine *e, uint64_t addr, uint64_t bytes, tetris_error *err)
{
    if (addr + bytes <= e->vault_bytes && addr + bytes >= addr)
        return TETRIS_OK;
    return tetris_fail(err, TETRIS_EINVAL, NULL, 0, "vault",
                       "access 0x%llx+%llu outside the %llu-byte vault", (unsigned long long)addr,
                       (unsigned long long)bytes, (unsigned long long)e->vault_bytes);
}

uint64_t vault_run_cycles(const tetris_engine *e, int op, uint64_t addr, uint64_t n)
{
    tetris_vault_sched *s;
    if (!n || tetris_vault_sched_create(&e->cfg, &s))
        return 0;
    uint64_t burst = (uint64_t)e->cfg.dram_burst_bytes;
    uint64_t cap = vault_span(e);
    uint64_t a = addr / burst * burst % cap, sent = 0, done = 0, rsp = 0, last = 0;
    tetris_vault_step st;
    while (done < n || rsp < (op == TETRIS_VAULT_RD ? n : 0)) {
        if (tetris_vault_sched_step(s, sent < n, op, a, &st))
            break; /* cannot happen for an aligned address inside the vault */
        if (st.taken) {
            sent++;
            a = (a + burst) % cap;
        }
        done += (uint64_t)st.done;
        rsp += (uint64_t)st.rsp;
        if (st.done || st.rsp)
            last = tetris_vault_sched_cycle(s) - 1;
    }
    tetris_vault_sched_destroy(s);
    return last;
}

uint64_t vault_read_latency(const tetris_engine *e)
{
    return vault_run_cycles(e, TETRIS_VAULT_RD, 0, 1);
}
