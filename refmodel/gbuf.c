/*
 * Global buffer model (tetris_gbuf): the resident block of one data type in
 * canonical layout from byte 0 (see gbuf_window), filled by LOAD and drained
 * by STORE. Streams of the other two types bypass it.
 */
#include <string.h>

#include "engine_internal.h"
#include "internal.h"

int gbuf_window_bytes(const tetris_engine *e, int kind, const gbuf_window *w, uint64_t *bytes)
{
    const uint32_t *r = e->reg;
    switch (kind) {
    case KIND_IFMAP:
        *bytes = 2ull * (uint64_t)w->nn * (uint64_t)w->nc * r[REG_HI] * r[REG_WI];
        break;
    case KIND_FILTER:
        *bytes = 2ull * (uint64_t)w->nm * (uint64_t)w->nc * r[REG_R] * r[REG_S];
        break;
    default:
        *bytes = 4ull * (uint64_t)w->nn * (uint64_t)w->nm * r[REG_HO] * r[REG_WO];
        break;
    }
    return *bytes <= (uint64_t)e->cfg.gbuf_bytes ? TETRIS_OK : TETRIS_EFIT;
}

static int in(int v, int lo, int n)
{
    return v >= lo && v < lo + n;
}

int64_t gbuf_ifmap_off(const tetris_engine *e, int n, int c, int y, int x)
{
    const gbuf_window *w = &e->win[KIND_IFMAP];
    const uint32_t *r = e->reg;
    if (!w->valid || w->group != (int)r[REG_GROUP] || !in(n, w->n0, w->nn) || !in(c, w->c0, w->nc))
        return -1;
    return 2 * ((((int64_t)(n - w->n0) * w->nc + (c - w->c0)) * r[REG_HI] + y) * r[REG_WI] + x);
}

int64_t gbuf_filter_off(const tetris_engine *e, int m, int c, int rr, int s)
{
    const gbuf_window *w = &e->win[KIND_FILTER];
    const uint32_t *r = e->reg;
    if (!w->valid || w->group != (int)r[REG_GROUP] || !in(m, w->m0, w->nm) || !in(c, w->c0, w->nc))
        return -1;
    return 2 * ((((int64_t)(m - w->m0) * w->nc + (c - w->c0)) * r[REG_R] + rr) * r[REG_S] + s);
}

int64_t gbuf_psum_off(const tetris_engine *e, int n, int m, int y, int x)
{
    const gbuf_window *w = &e->win[KIND_PSUM];
    const uint32_t *r = e->reg;
    if (!w->valid || w->group != (int)r[REG_GROUP] || !in(n, w->n0, w->nn) || !in(m, w->m0, w->nm))
        return -1;
    return 4 * ((((int64_t)(n - w->n0) * r[REG_HO] + y) * r[REG_WO] + x) * w->nm + (m - w->m0));
}

/* Checks that every vault address of a window lies inside the vault: the
 * tensors are dense, so the first and last element bound the range. */
static int window_in_vault(tetris_engine *e, uint64_t first, uint64_t last, unsigned size,
                           tetris_error *err)
{
    int rc = vault_check(e, first, size, err);
    return rc ? rc : vault_check(e, last, size, err);
}

/*
 * The psums of a block of n (4-byte psums from GBUF byte 0, any order) whose
 * two halves lie in two GBUF rows: the word reader and writer move such a
 * psum in two cycles, one row each. A row holds gbuf.bank_bits / 16 words;
 * psum i's low half is word 2i, split when it is a row's last word: every
 * psum with 16-bit rows, none with an even number of words per row, one in
 * each run of that many otherwise.
 */
static uint64_t gbuf_split_psums(const tetris_engine *e, uint64_t n)
{
    uint64_t w = (uint64_t)e->cfg.gbuf_bank_bits / 16, first = 0;
    if (w % 2 == 0)
        return 0;
    while ((2 * first) % w != w - 1) /* the first split psum: first < w */
        first++;
    return n > first ? (n - first - 1) / w + 1 : 0;
}

/*
 * Cycles of a LOAD or STORE in tetris_dma, dispatch to idle: it moves one
 * word per cycle (moves: the words plus the split psums), unless the vault
 * serves the walk's bursts more slowly; a LOAD also waits for its first
 * vault read.
 */
static uint64_t dma_cycles(const tetris_engine *e, int op, const vault_segs *w, uint64_t moves)
{
    uint64_t vault = vault_run_cycles(e, op, w);
    if (op == TETRIS_VAULT_RD)
        return tetris_later(moves + vault_read_latency(e), vault) + DMA_LOAD_PIPE;
    return tetris_later(moves, vault) + DMA_STORE_PIPE;
}

/* The vault walk of a LOAD or STORE block: its contiguous segments, in the
 * DMA's order. */
static vault_segs block_segs(const tetris_engine *e, int kind, int final, const isa_insn *d)
{
    const uint32_t *r = e->reg;
    uint64_t howo = (uint64_t)r[REG_HO] * r[REG_WO];
    if (kind == KIND_IFMAP) { /* [n][c][hi][wi]: the channels of one image */
        uint64_t plane = 2ull * r[REG_HI] * r[REG_WI];
        return (vault_segs){vault_ifmap_addr(e, d->n0, d->c0, 0, 0), plane * (uint64_t)d->nc,
                            plane * r[REG_CT], (uint64_t)d->nn};
    }
    if (kind == KIND_FILTER) { /* [m][c/g][r][s]: the channels of one filter */
        uint64_t plane = 2ull * r[REG_R] * r[REG_S];
        return (vault_segs){vault_filter_addr(e, d->m0, d->c0, 0, 0), plane * (uint64_t)d->nc,
                            plane * r[REG_CG], (uint64_t)d->nm};
    }
    if (final) /* ofmaps [n][m][ho][wo]: the channels of one image */
        return (vault_segs){vault_ofmap_addr(e, d->n0, d->m0, 0, 0), 2 * howo * (uint64_t)d->nm,
                            2 * howo * r[REG_MT], (uint64_t)d->nn};
    /* psums [n][ho][wo][m]: the channels of one position */
    return (vault_segs){vault_psum_addr(e, d->n0, d->m0, 0, 0), 4ull * (uint64_t)d->nm,
                        4ull * r[REG_MT], (uint64_t)d->nn * howo};
}

int gbuf_load(tetris_engine *e, const isa_insn *d, uint64_t *cycles, tetris_error *err)
{
    gbuf_window w = {.valid = 1, .group = (int)e->reg[REG_GROUP], .c0 = d->c0, .nc = d->nc,
                     .m0 = d->m0, .nm = d->nm, .n0 = d->n0, .nn = d->nn};
    uint64_t bytes;
    if (gbuf_window_bytes(e, d->kind, &w, &bytes))
        return tetris_fail(err, TETRIS_EFIT, NULL, 0, "load",
                           "block of %llu bytes exceeds the %d-byte GBUF",
                           (unsigned long long)bytes, e->cfg.gbuf_bytes);
    /* one resident block at a time: a new window replaces the old contents */
    for (int k = 0; k < 3; k++)
        e->win[k].valid = 0;
    e->win[d->kind] = w;
    *cycles = 0;
    if (d->window_only)
        return TETRIS_OK;
    const uint32_t *r = e->reg;
    uint64_t words = 0;
    int rc;
    if (d->kind == KIND_IFMAP) {
        int h = (int)r[REG_HI], wi = (int)r[REG_WI];
        if ((rc = window_in_vault(e, vault_ifmap_addr(e, d->n0, d->c0, 0, 0),
                                  vault_ifmap_addr(e, d->n0 + d->nn - 1, d->c0 + d->nc - 1, h - 1,
                                                   wi - 1), 2, err)))
            return rc;
        for (int n = d->n0; n < d->n0 + d->nn; n++)
            for (int c = d->c0; c < d->c0 + d->nc; c++)
                for (int y = 0; y < h; y++) {
                    uint64_t a = vault_ifmap_addr(e, n, c, y, 0);
                    memcpy(e->gbuf + gbuf_ifmap_off(e, n, c, y, 0), e->vault + a, 2 * (size_t)wi);
                }
        words = bytes / 2;
        e->cnt.v[TETRIS_CNT_VAULT_RD_IFMAP] += words;
        e->cnt.v[TETRIS_CNT_GBUF_WR_IFMAP] += words;
    } else if (d->kind == KIND_FILTER) {
        int rs = (int)(r[REG_R] * r[REG_S]);
        if ((rc = window_in_vault(e, vault_filter_addr(e, d->m0, d->c0, 0, 0),
                                  vault_filter_addr(e, d->m0 + d->nm - 1, d->c0 + d->nc - 1,
                                                    (int)r[REG_R] - 1, (int)r[REG_S] - 1), 2, err)))
            return rc;
        for (int m = d->m0; m < d->m0 + d->nm; m++)
            for (int c = d->c0; c < d->c0 + d->nc; c++)
                memcpy(e->gbuf + gbuf_filter_off(e, m, c, 0, 0),
                       e->vault + vault_filter_addr(e, m, c, 0, 0), 2 * (size_t)rs);
        words = bytes / 2;
        e->cnt.v[TETRIS_CNT_VAULT_RD_FILTER] += words;
        e->cnt.v[TETRIS_CNT_GBUF_WR_FILTER] += words;
    } else {
        int ho = (int)r[REG_HO], wo = (int)r[REG_WO];
        if ((rc = window_in_vault(e, vault_psum_addr(e, d->n0, d->m0, 0, 0),
                                  vault_psum_addr(e, d->n0 + d->nn - 1, d->m0 + d->nm - 1, ho - 1,
                                                  wo - 1), 4, err)))
            return rc;
        for (int n = d->n0; n < d->n0 + d->nn; n++)
            for (int y = 0; y < ho; y++)
                for (int x = 0; x < wo; x++)
                    memcpy(e->gbuf + gbuf_psum_off(e, n, d->m0, y, x),
                           e->vault + vault_psum_addr(e, n, d->m0, y, x), 4 * (size_t)d->nm);
        words = bytes / 4;
        e->cnt.v[TETRIS_CNT_VAULT_RD_PSUM] += words;
        e->cnt.v[TETRIS_CNT_GBUF_WR_PSUM] += words;
    }
    vault_segs walk = block_segs(e, d->kind, 0, d);
    uint64_t moves = words + (d->kind == KIND_PSUM ? gbuf_split_psums(e, words) : 0);
    *cycles = dma_cycles(e, TETRIS_VAULT_RD, &walk, moves);
    return TETRIS_OK;
}

int gbuf_store(tetris_engine *e, const isa_insn *d, uint64_t *cycles, tetris_error *err)
{
    const gbuf_window *w = &e->win[KIND_PSUM];
    if (!w->valid || w->m0 != d->m0 || w->nm != d->nm || w->n0 != d->n0 || w->nn != d->nn ||
        w->group != (int)e->reg[REG_GROUP])
        return tetris_fail(err, TETRIS_EINVAL, NULL, 0, "store",
                           "psum block m[%d+%d] n[%d+%d] is not resident in the GBUF", d->m0, d->nm,
                           d->n0, d->nn);
    int ho = (int)e->reg[REG_HO], wo = (int)e->reg[REG_WO];
    int final = d->mode == POUT_FINAL;
    unsigned esz = final ? 2 : 4;
    uint64_t first = final ? vault_ofmap_addr(e, d->n0, d->m0, 0, 0) : vault_psum_addr(e, d->n0, d->m0, 0, 0);
    uint64_t last = final ? vault_ofmap_addr(e, d->n0 + d->nn - 1, d->m0 + d->nm - 1, ho - 1, wo - 1)
                          : vault_psum_addr(e, d->n0 + d->nn - 1, d->m0 + d->nm - 1, ho - 1, wo - 1);
    int rc = window_in_vault(e, first, last, esz, err);
    if (rc)
        return rc;
    /* the DMA walks the vault side in order: ofmaps by plane, psums by position */
    uint64_t howo = (uint64_t)ho * (uint64_t)wo, per = (uint64_t)d->nm * howo;
    for (int n = d->n0; n < d->n0 + d->nn; n++)
        for (uint64_t i = 0; i < per; i++) {
            int m = d->m0 + (int)(final ? i / howo : i % (uint64_t)d->nm);
            int yx = (int)(final ? i % howo : i / (uint64_t)d->nm), y = yx / wo, x = yx % wo;
            int32_t v = ld32(e->gbuf + gbuf_psum_off(e, n, m, y, x));
            if (final) {
                st16(e->vault + vault_ofmap_addr(e, n, m, y, x), engine_out_stage(e, (uint32_t)v));
                note_ofmap_write(e, ofmap_index(e, n, m, y, x), 1);
            } else if (d->mode == POUT_VAULT_ACC) {
                vault_acc32(e, vault_psum_addr(e, n, m, y, x), v);
            } else {
                st32(e->vault + vault_psum_addr(e, n, m, y, x), v);
            }
        }
    uint64_t words = (uint64_t)d->nn * per;
    e->cnt.v[TETRIS_CNT_GBUF_RD_PSUM] += words;
    e->cnt.v[final ? TETRIS_CNT_VAULT_WR_OFMAP
                   : d->mode == POUT_VAULT_ACC ? TETRIS_CNT_VAULT_ACC_PSUM
                                               : TETRIS_CNT_VAULT_WR_PSUM] += words;
    vault_segs walk = block_segs(e, KIND_PSUM, final, d);
    *cycles = dma_cycles(e, final ? TETRIS_VAULT_WR
                                  : d->mode == POUT_VAULT_ACC ? TETRIS_VAULT_ACC : TETRIS_VAULT_WR,
                         &walk, words + gbuf_split_psums(e, words));
    return TETRIS_OK;
}
