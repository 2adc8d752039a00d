/*
 * Energy = cost table . event counts (reference section 3). A psum access
 * moves acc_bits, so it costs ceil(acc_bits / 16) word accesses wherever it
 * goes. An accumulate request costs one DRAM access when the adder sits on
 * the DRAM die or at the bank (the TSVs carry the psum once) and two with the
 * adder in the controller (read and write cross the TSVs).
 */
#include "tetris.h"

void tetris_energy_of(const tetris_config *cfg, const tetris_counters *c, tetris_energy *e)
{
    const uint64_t *v = c->v;
    double pw = (double)((cfg->acc_bits + 15) / 16); /* word accesses per psum */
    double acc_cost = cfg->accum == TETRIS_ACCUM_CONTROLLER ? 2.0 : 1.0;
#define V(x) ((double)v[TETRIS_CNT_##x])
    e->mac = cfg->e_mac_pj * V(MACS);
    e->rf = cfg->e_rf_pj * (V(RF_RD_FILTER) + V(RF_WR_FILTER) + V(RF_RD_IFMAP) + V(RF_WR_IFMAP) +
                            pw * (V(RF_RD_PSUM) + V(RF_WR_PSUM)));
    e->array = cfg->e_array_pj *
               (V(RF_WR_FILTER) + V(RF_WR_IFMAP) + pw * (V(PSUM_HOPS) + V(BUS_PSUM_IN) + V(BUS_PSUM_OUT)));
    e->gbuf = cfg->e_gbuf_pj * (V(GBUF_RD_IFMAP) + V(GBUF_WR_IFMAP) + V(GBUF_RD_FILTER) +
                                V(GBUF_WR_FILTER) + pw * (V(GBUF_RD_PSUM) + V(GBUF_WR_PSUM)));
    e->dram = cfg->e_dram_pj * (V(VAULT_RD_IFMAP) + V(VAULT_RD_FILTER) + V(VAULT_WR_OFMAP) +
                                pw * (V(VAULT_RD_BIAS) + V(VAULT_RD_PSUM) + V(VAULT_WR_PSUM) +
                                      acc_cost * V(VAULT_ACC_PSUM)));
#undef V
    e->noc = 0.0; /* one engine: no NoC traffic */
    e->stat = cfg->e_static_pj * (double)v[TETRIS_CNT_CYCLES];
    e->total = e->mac + e->rf + e->array + e->gbuf + e->dram + e->noc + e->stat;
}
