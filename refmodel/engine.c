/*
 * Engine model (tetris_engine): one vault's engine with its vault memory,
 * the host's view of the vault (tensor layout of docs/isa.md) and the run
 * entry point.
 */
#include <stdlib.h>
#include <string.h>

#include "engine_internal.h"
#include "internal.h"

int tetris_engine_create(const tetris_config *cfg, uint64_t vault_bytes, tetris_engine **out)
{
    *out = NULL;
    tetris_engine *e = calloc(1, sizeof *e);
    if (!e)
        return TETRIS_ENOMEM;
    e->cfg = *cfg;
    tetris_arith_from_config(cfg, &e->arith);
    tetris_config_derive(cfg, &e->der);
    e->vault_bytes = vault_bytes;
    e->vault = calloc(vault_bytes ? vault_bytes : 1, 1);
    e->gbuf = calloc((size_t)cfg->gbuf_bytes, 1);
    if (!e->vault || !e->gbuf) {
        tetris_engine_destroy(e);
        return TETRIS_ENOMEM;
    }
    *out = e;
    return TETRIS_OK;
}

void tetris_engine_destroy(tetris_engine *e)
{
    if (!e)
        return;
    free(e->vault);
    free(e->gbuf);
    free(e->stage_filter);
    free(e->stage_ifmap);
    free(e->pack);
    free(e->colacc);
    free(e->ofm_writer);
    free(e->insn_cycles);
    stream_traffic_free(&e->traffic);
    tetris_vault_sched_destroy(e->vs);
    free(e);
}

uint8_t *tetris_engine_vault(tetris_engine *e, uint64_t *bytes)
{
    if (bytes)
        *bytes = e->vault_bytes;
    return e->vault;
}

void tetris_engine_reset_counters(tetris_engine *e)
{
    memset(&e->cnt, 0, sizeof e->cnt);
}

int tetris_engine_track_ofmap(tetris_engine *e, uint64_t elements)
{
    free(e->ofm_writer);
    e->ofm_writer_n = 0;
    e->ofm_writer = NULL;
    if (!elements)
        return TETRIS_OK;
    if (!(e->ofm_writer = malloc(elements * sizeof *e->ofm_writer)))
        return TETRIS_ENOMEM;
    memset(e->ofm_writer, 0xFF, elements * sizeof *e->ofm_writer); /* -1: not written */
    e->ofm_writer_n = elements;
    return TETRIS_OK;
}

int64_t tetris_engine_ofmap_writer(const tetris_engine *e, uint64_t index)
{
    return e->ofm_writer && index < e->ofm_writer_n ? e->ofm_writer[index] : -1;
}

int tetris_engine_track_insns(tetris_engine *e, size_t n)
{
    free(e->insn_cycles);
    e->insn_cycles_n = 0;
    e->insn_cycles = n ? calloc(n, sizeof *e->insn_cycles) : NULL;
    if (n && !e->insn_cycles)
        return TETRIS_ENOMEM;
    e->insn_cycles_n = n;
    return TETRIS_OK;
}

uint64_t tetris_engine_insn_cycles(const tetris_engine *e, size_t pc)
{
    return pc < e->insn_cycles_n ? e->insn_cycles[pc] : 0;
}

const tetris_counters *tetris_engine_counters(const tetris_engine *e)
{
    return &e->cnt;
}

int tetris_engine_run(tetris_engine *e, const tetris_program *p, tetris_error *err)
{
    memset(e->win, 0, sizeof e->win);
    return seq_run(e, p, err);
}

static void put16(uint8_t *dst, const int16_t *src, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        dst[2 * i] = (uint8_t)((uint16_t)src[i] & 0xFF);
        dst[2 * i + 1] = (uint8_t)((uint16_t)src[i] >> 8);
    }
}

int tetris_vault_put_inputs(tetris_engine *e, const tetris_layer *l, const tetris_vault_layout *lay,
                            const tetris_layer_data *d)
{
    if (lay->end > e->vault_bytes)
        return TETRIS_EFIT;
    size_t nin = (size_t)d->n * (size_t)l->c * (size_t)l->hi * (size_t)l->wi;
    put16(e->vault + lay->ifmap, d->ifmap, nin);
    if (d->filter)
        put16(e->vault + lay->filter, d->filter,
              (size_t)l->m * (size_t)(l->c / l->groups) * (size_t)l->r * (size_t)l->s);
    if (d->bias)
        for (int m = 0; m < l->m; m++)
            for (int i = 0; i < 4; i++)
                e->vault[lay->bias + 4 * (uint64_t)m + (uint64_t)i] =
                    (uint8_t)((uint32_t)d->bias[m] >> (8 * i));
    return TETRIS_OK;
}

int tetris_vault_get_ofmap(tetris_engine *e, const tetris_layer *l, const tetris_vault_layout *lay,
                           tetris_layer_data *d)
{
    if (lay->end > e->vault_bytes)
        return TETRIS_EFIT;
    size_t n = (size_t)d->n * (size_t)l->m * (size_t)l->ho * (size_t)l->wo;
    const uint8_t *p = e->vault + lay->ofmap;
    for (size_t i = 0; i < n; i++)
        d->ofmap[i] = (int16_t)(uint16_t)(p[2 * i] | p[2 * i + 1] << 8);
    return TETRIS_OK;
}
