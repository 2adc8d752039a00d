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

/* The walk's next burst after *seg, *b (burst numbers, not addresses); 0
 * when it has none. A burst equal to the one before is skipped. */
static int next_burst(const vault_segs *w, uint64_t burst, uint64_t *seg, uint64_t *b)
{
    for (;;) {
        uint64_t s0 = w->addr + *seg * w->stride;
        if (*b + 1 <= (s0 + w->seg - 1) / burst) {
            ++*b;
            return 1;
        }
        if (++*seg >= w->nseg)
            return 0;
        uint64_t first = (w->addr + *seg * w->stride) / burst;
        if (first != *b) {
            *b = first;
            return 1;
        }
    }
}

uint64_t vault_run_cycles(const tetris_engine *e, int op, const vault_segs *w)
{
    tetris_vault_sched *s;
    if (!w->nseg || !w->seg || tetris_vault_sched_create(&e->cfg, &s))
        return 0;
    uint64_t burst = (uint64_t)e->cfg.dram_burst_bytes;
    uint64_t cap = vault_span(e);
    uint64_t seg = 0, b = w->addr / burst, sent = 0, done = 0, rsp = 0, last = 0;
    int more = 1;
    tetris_vault_step st;
    while (more || done < sent || rsp < (op == TETRIS_VAULT_RD ? sent : 0)) {
        if (tetris_vault_sched_step(s, more, op, b * burst % cap, &st))
            break; /* cannot happen for an aligned address inside the vault */
        if (st.taken) {
            sent++;
            more = next_burst(w, burst, &seg, &b);
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
    vault_segs one = {.addr = 0, .seg = 1, .stride = 1, .nseg = 1};
    return vault_run_cycles(e, TETRIS_VAULT_RD, &one);
}
