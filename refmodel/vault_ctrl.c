/*
 * Vault controller model (tetris_vault_ctrl): bounds of the vault memory and
 * the bandwidth/latency cost of a transfer. The word accessors, address
 * generators and the accumulate request (read-add-write at accumulator width
 * next to the DRAM) are inline in engine_internal.h. Callers count accesses by
 * data type, so each access is counted once, where its type is known.
 */
#include <math.h>
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

uint64_t vault_cycles(const tetris_engine *e, uint64_t bytes)
{
    return (uint64_t)ceil((double)bytes / e->der.vault_bytes_per_cycle);
}

/* The vault controller's conversion, applied to the whole tRCD + CL. */
uint64_t vault_latency(const tetris_engine *e)
{
    return (uint64_t)tetris_dram_cycles(&e->cfg, e->cfg.dram_trcd + e->cfg.dram_tcl);
}
