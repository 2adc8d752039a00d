/*
 * Cycle-level model of the generated tetris_gbuf (gen/gbuf.c): banked
 * single-port SRAMs behind four fixed-priority request ports. It reproduces
 * the RTL cycle for cycle so that tb/tb_gbuf.cpp asks it for every expected
 * output. (The choice between GBUF and vault data for an array stream is the
 * stream readers', not the GBUF's.)
 *
 * One call of tetris_gbuf_model_cycle() is one clock cycle: the outputs are
 * what the RTL shows while the inputs are applied (registered outputs from
 * the state, ready and conflict combinationally from the inputs), then the
 * rising edge updates the memory and the registers.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct tetris_gbuf_model {
    tetris_gbuf_geom g;
    uint16_t *mem; /* g.words words by word address; zero at creation */
    /* registers of the RTL, as after the last rising edge */
    int rvalid[TETRIS_GBUF_PORTS];                          /* rvalid_q */
    uint16_t rdata[TETRIS_GBUF_PORTS][TETRIS_GBUF_MAX_WPR]; /* the row the read latched */
};

void tetris_gbuf_geom_of(const tetris_config *cfg, tetris_gbuf_geom *g)
{
    g->banks = cfg->gbuf_banks;
    g->width = cfg->gbuf_bank_bits;
    g->wpr = cfg->gbuf_bank_bits / 16;
    g->depth = cfg->gbuf_bytes / (cfg->gbuf_banks * cfg->gbuf_bank_bits / 8);
    g->words = cfg->gbuf_bytes / 2;
    g->addr_bits = tetris_bits_for(g->words);
    g->row_bits = tetris_bits_for(g->depth);
}

void tetris_gbuf_locate(const tetris_gbuf_geom *g, uint32_t addr, int *bank, int *bank_row)
{
    uint32_t row = addr / (uint32_t)g->wpr;
    *bank = (int)(row % (uint32_t)g->banks);
    *bank_row = (int)(row / (uint32_t)g->banks);
}

uint32_t tetris_gbuf_addr(const tetris_gbuf_geom *g, int bank, int bank_row, int word)
{
    return ((uint32_t)bank_row * (uint32_t)g->banks + (uint32_t)bank) * (uint32_t)g->wpr +
           (uint32_t)word;
}

int tetris_gbuf_model_create(const tetris_config *cfg, tetris_gbuf_model **out)
{
    *out = NULL;
    if (tetris_config_validate(cfg, NULL, NULL))
        return TETRIS_EINVAL;
    tetris_gbuf_model *m = calloc(1, sizeof *m);
    if (!m)
        return TETRIS_ENOMEM;
    tetris_gbuf_geom_of(cfg, &m->g);
    m->mem = calloc((size_t)m->g.words, sizeof *m->mem);
    if (!m->mem) {
        free(m);
        return TETRIS_ENOMEM;
    }
    *out = m;
    return TETRIS_OK;
}

void tetris_gbuf_model_destroy(tetris_gbuf_model *m)
{
    if (!m)
        return;
    free(m->mem);
    free(m);
}

const tetris_gbuf_geom *tetris_gbuf_model_geom(const tetris_gbuf_model *m)
{
    return &m->g;
}

uint16_t *tetris_gbuf_model_mem(tetris_gbuf_model *m)
{
    return m->mem;
}

/* The RTL's ports are addr_bits and wpr bits wide: wider values cannot be
 * driven, and a valid request beyond the last word has no bank row. */
static int check_inputs(const tetris_gbuf_geom *g, const tetris_gbuf_in *in)
{
    uint64_t mask_limit = (uint64_t)1 << g->wpr;
    for (int p = 0; p < TETRIS_GBUF_PORTS; p++) {
        const tetris_gbuf_req *r = &in->port[p];
        if ((uint64_t)r->addr >> g->addr_bits || r->wmask >= mask_limit)
            return TETRIS_EINVAL;
        if (r->valid && r->addr >= (uint32_t)g->words)
            return TETRIS_EINVAL;
    }
    return TETRIS_OK;
}

int tetris_gbuf_model_cycle(tetris_gbuf_model *m, const tetris_gbuf_in *in, tetris_gbuf_out *out)
{
    const tetris_gbuf_geom *g = &m->g;
    if (check_inputs(g, in))
        return TETRIS_EINVAL;
    size_t row_bytes = (size_t)g->wpr * sizeof(uint16_t);
    memset(out, 0, sizeof *out);

    /* Registered outputs: read data is zero unless rvalid. */
    for (int p = 0; p < TETRIS_GBUF_PORTS; p++) {
        out->port[p].rvalid = m->rvalid[p];
        if (m->rvalid[p])
            memcpy(out->port[p].rdata, m->rdata[p], row_bytes);
    }

    /* Arbitration: a port is ready unless a higher-priority valid port
     * requests the same bank (ready does not depend on the port's own valid). */
    int bank[TETRIS_GBUF_PORTS], brow[TETRIS_GBUF_PORTS], grant[TETRIS_GBUF_PORTS];
    for (int p = 0; p < TETRIS_GBUF_PORTS; p++) {
        tetris_gbuf_locate(g, in->port[p].addr, &bank[p], &brow[p]);
        int ready = 1;
        for (int q = 0; q < p; q++)
            if (in->port[q].valid && bank[q] == bank[p])
                ready = 0;
        int valid = in->port[p].valid != 0;
        out->port[p].ready = ready;
        out->port[p].conflict = valid && !ready;
        grant[p] = valid && ready;
    }

    /* Rising edge. Granted ports use distinct banks, so the reads and writes
     * of one cycle never touch the same row. */
    for (int p = 0; p < TETRIS_GBUF_PORTS; p++) {
        const tetris_gbuf_req *r = &in->port[p];
        size_t base = ((size_t)brow[p] * (size_t)g->banks + (size_t)bank[p]) * (size_t)g->wpr;
        int read = grant[p] && !r->we;
        if (read)
            memcpy(m->rdata[p], &m->mem[base], row_bytes);
        else if (grant[p])
            for (int w = 0; w < g->wpr; w++)
                if (r->wmask >> w & 1u)
                    m->mem[base + (size_t)w] = r->wdata[w];
        m->rvalid[p] = read && !in->reset;
    }
    return TETRIS_OK;
}

static int clamp_lines(long n)
{
    return n < TETRIS_PORT_DMA_LINES ? TETRIS_PORT_DMA_LINES
           : n > TETRIS_PORT_MAX_LINES ? TETRIS_PORT_MAX_LINES
                                       : (int)n;
}

int tetris_rdport_lines(const tetris_config *cfg)
{
    long ifmap = (long)cfg->rf_ifmap_words * (cfg->array_h + cfg->array_w - 1);
    long psum = (long)cfg->array_w * cfg->rf_psum_words;
    long n = ifmap > psum ? ifmap : psum;
    return clamp_lines(n > cfg->rf_filter_words ? n : cfg->rf_filter_words);
}

int tetris_wrport_lines(const tetris_config *cfg)
{
    return clamp_lines((long)cfg->array_w * cfg->rf_psum_words);
}
