/*
 * Tests of the cycle-level tetris_gbuf model (refmodel/gbuf_banks.c): the
 * geometry and address map, read latency, masked writes, fixed-priority
 * bank arbitration, reset, input checks, and random traffic against a naive
 * shadow memory.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "testutil.h"
#include "tetris.h"

#define CONFIG_DIR TETRIS_SRCDIR "/examples/configs/"

static void load(const char *name, tetris_config *cfg)
{
    char path[512];
    tetris_error err;
    snprintf(path, sizeof path, CONFIG_DIR "%s.yaml", name);
    cr_assert_eq(tetris_config_load(path, cfg, &err), 0, "%s", err.msg);
}

/* small with another GBUF shape. */
static void shaped(tetris_config *cfg, int bytes, int banks, int bits)
{
    load("small", cfg);
    cfg->gbuf_bytes = bytes;
    cfg->gbuf_banks = banks;
    cfg->gbuf_bank_bits = bits;
    cr_assert_eq(tetris_config_validate(cfg, "shaped", NULL), 0);
}

static tetris_gbuf_model *model_of(const tetris_config *cfg)
{
    tetris_gbuf_model *m;
    cr_assert_eq(tetris_gbuf_model_create(cfg, &m), TETRIS_OK);
    return m;
}

static void cycle(tetris_gbuf_model *m, const tetris_gbuf_in *in, tetris_gbuf_out *out)
{
    cr_assert_eq(tetris_gbuf_model_cycle(m, in, out), TETRIS_OK);
}

static void req(tetris_gbuf_in *in, int port, int we, uint32_t addr, uint32_t wmask)
{
    in->port[port].valid = 1;
    in->port[port].we = we;
    in->port[port].addr = addr;
    in->port[port].wmask = wmask;
}

Test(gbuf, geometry_of_reference_configs)
{
    static const struct {
        const char *name;
        tetris_gbuf_geom g;
    } want[] = {
        {"small", {.banks = 2, .width = 32, .wpr = 2, .depth = 1024, .words = 4096,
                   .addr_bits = 12, .row_bits = 10}},
        {"t16", {.banks = 4, .width = 16, .wpr = 1, .depth = 16629, .words = 66516,
                 .addr_bits = 17, .row_bits = 15}},
        {"eyeriss", {.banks = 4, .width = 16, .wpr = 1, .depth = 13824, .words = 55296,
                     .addr_bits = 16, .row_bits = 14}},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        tetris_config cfg;
        load(want[i].name, &cfg);
        tetris_gbuf_geom g;
        tetris_gbuf_geom_of(&cfg, &g);
        cr_assert(!memcmp(&g, &want[i].g, sizeof g), "%s", want[i].name);
    }
}

Test(gbuf, one_bank_of_one_row)
{
    tetris_config cfg;
    shaped(&cfg, 64, 1, 512);
    tetris_gbuf_geom g;
    tetris_gbuf_geom_of(&cfg, &g);
    cr_assert_eq(g.depth, 1);
    cr_assert_eq(g.wpr, 32);
    cr_assert_eq(g.row_bits, 1);
    cr_assert_eq(g.addr_bits, 5);
}

Test(gbuf, rows_interleave_over_the_banks)
{
    tetris_config cfg;
    shaped(&cfg, 9216, 3, 48); /* 3 banks of 512 rows of 3 words */
    tetris_gbuf_geom g;
    tetris_gbuf_geom_of(&cfg, &g);
    cr_assert_eq(g.depth, 512);
    for (uint32_t a = 0; a < (uint32_t)g.words; a++) {
        int bank, row;
        tetris_gbuf_locate(&g, a, &bank, &row);
        uint32_t r = a / 3;
        cr_assert_eq(bank, (int)(r % 3));
        cr_assert_eq(row, (int)(r / 3));
        cr_assert_eq(tetris_gbuf_addr(&g, bank, row, (int)(a % 3)), a);
    }
}

Test(gbuf, read_returns_the_row_one_cycle_after_the_grant)
{
    tetris_config cfg;
    load("small", &cfg);
    tetris_gbuf_model *m = model_of(&cfg);
    uint16_t *mem = tetris_gbuf_model_mem(m);
    mem[10] = 0x1234;
    mem[11] = 0xBEEF;
    tetris_gbuf_in in;
    tetris_gbuf_out out;
    memset(&in, 0, sizeof in);
    req(&in, TETRIS_GBUF_P_IFMAP, 0, 11, 0);
    cycle(m, &in, &out);
    cr_assert(out.port[2].ready && !out.port[2].rvalid && !out.port[2].rdata[0]);
    memset(&in, 0, sizeof in);
    cycle(m, &in, &out);
    cr_assert(out.port[2].rvalid);
    cr_assert_eq(out.port[2].rdata[0], 0x1234); /* the whole row: words 10 and 11 */
    cr_assert_eq(out.port[2].rdata[1], 0xBEEF);
    cycle(m, &in, &out);
    cr_assert(!out.port[2].rvalid && !out.port[2].rdata[0] && !out.port[2].rdata[1]);
    tetris_gbuf_model_destroy(m);
}

Test(gbuf, masked_write_keeps_the_other_words)
{
    tetris_config cfg;
    shaped(&cfg, 8192, 2, 64);
    tetris_gbuf_model *m = model_of(&cfg);
    uint16_t *mem = tetris_gbuf_model_mem(m);
    for (int i = 0; i < 4; i++)
        mem[4 + i] = (uint16_t)(0x100 + i);
    tetris_gbuf_in in;
    tetris_gbuf_out out;
    memset(&in, 0, sizeof in);
    req(&in, TETRIS_GBUF_P_PSUM, 1, 5, 0x5);
    for (int i = 0; i < 4; i++)
        in.port[3].wdata[i] = (uint16_t)(0xA00 + i);
    cycle(m, &in, &out);
    cr_assert_eq(mem[4], 0xA00);
    cr_assert_eq(mem[5], 0x101);
    cr_assert_eq(mem[6], 0xA02);
    cr_assert_eq(mem[7], 0x103);
    /* an empty mask is a granted write of nothing, and no read returns */
    memset(&in, 0, sizeof in);
    req(&in, TETRIS_GBUF_P_DMA, 1, 4, 0);
    cycle(m, &in, &out);
    cr_assert(out.port[0].ready);
    cr_assert_eq(mem[4], 0xA00);
    memset(&in, 0, sizeof in);
    cycle(m, &in, &out);
    cr_assert(!out.port[0].rvalid);
    tetris_gbuf_model_destroy(m);
}

Test(gbuf, fixed_priority_per_bank)
{
    tetris_config cfg;
    load("t16", &cfg); /* 4 banks of one word per row */
    tetris_gbuf_model *m = model_of(&cfg);
    tetris_gbuf_in in;
    tetris_gbuf_out out;
    memset(&in, 0, sizeof in);
    /* rows 1, 5, 9, 13 are all in bank 1 */
    for (int p = 0; p < TETRIS_GBUF_PORTS; p++)
        req(&in, p, 0, 1 + 4 * (uint32_t)p, 0);
    cycle(m, &in, &out);
    for (int p = 0; p < TETRIS_GBUF_PORTS; p++) {
        cr_assert_eq(out.port[p].ready, p == 0, "port %d", p);
        cr_assert_eq(out.port[p].conflict, p != 0, "port %d", p);
    }
    /* port 0 idle: port 1 wins bank 1; port 2 moves to bank 2 and is free */
    in.port[0].valid = 0;
    in.port[2].addr = 2;
    cycle(m, &in, &out);
    cr_assert(out.port[0].ready && !out.port[0].conflict); /* idle: its bank is free */
    cr_assert(out.port[1].ready && out.port[2].ready);
    cr_assert(!out.port[3].ready && out.port[3].conflict);
    /* ready ignores the port's own valid: an idle port in a taken bank is not ready */
    in.port[3].valid = 0;
    cycle(m, &in, &out);
    cr_assert(!out.port[3].ready && !out.port[3].conflict);
    /* four different banks: every port granted, every read returns */
    memset(&in, 0, sizeof in);
    for (int p = 0; p < TETRIS_GBUF_PORTS; p++)
        req(&in, p, 0, (uint32_t)p, 0);
    cycle(m, &in, &out);
    for (int p = 0; p < TETRIS_GBUF_PORTS; p++)
        cr_assert(out.port[p].ready && !out.port[p].conflict);
    memset(&in, 0, sizeof in);
    cycle(m, &in, &out);
    for (int p = 0; p < TETRIS_GBUF_PORTS; p++)
        cr_assert(out.port[p].rvalid);
    tetris_gbuf_model_destroy(m);
}

Test(gbuf, reset_clears_registers_not_memory)
{
    tetris_config cfg;
    load("small", &cfg);
    tetris_gbuf_model *m = model_of(&cfg);
    tetris_gbuf_model_mem(m)[2] = 0x55;
    tetris_gbuf_in in;
    tetris_gbuf_out out;
    memset(&in, 0, sizeof in);
    req(&in, TETRIS_GBUF_P_DMA, 1, 0, 0x3);
    in.port[0].wdata[0] = 9;
    req(&in, TETRIS_GBUF_P_PSUM, 0, 2, 0); /* bank 1 */
    in.reset = 1;
    cycle(m, &in, &out);
    cr_assert(out.port[0].ready && out.port[3].ready); /* arbitration works in reset */
    memset(&in, 0, sizeof in);
    cycle(m, &in, &out);
    cr_assert(!out.port[3].rvalid && !out.port[3].rdata[0]); /* the read was dropped */
    cr_assert_eq(tetris_gbuf_model_mem(m)[0], 9);
    tetris_gbuf_model_destroy(m);
}

Test(gbuf, rejects_inputs_the_ports_cannot_carry)
{
    tetris_config cfg;
    load("small", &cfg); /* 4096 words, 12 address bits, 2 words per row */
    tetris_gbuf_model *m = model_of(&cfg);
    tetris_gbuf_in in;
    tetris_gbuf_out out;
    memset(&in, 0, sizeof in);
    req(&in, TETRIS_GBUF_P_DMA, 1, 0, 0x3);
    in.port[0].wdata[0] = 1;
    in.port[2].addr = 4096; /* 13 bits, even when idle */
    cr_assert_eq(tetris_gbuf_model_cycle(m, &in, &out), TETRIS_EINVAL);
    in.port[2].addr = 0;
    in.port[0].wmask = 0x4;
    cr_assert_eq(tetris_gbuf_model_cycle(m, &in, &out), TETRIS_EINVAL);
    cr_assert_eq(tetris_gbuf_model_mem(m)[0], 0, "state unchanged");
    in.port[0].wmask = 0x3;
    cycle(m, &in, &out);
    cr_assert_eq(tetris_gbuf_model_mem(m)[0], 1);
    tetris_gbuf_model_destroy(m);

    /* a valid address past the last word (4608 words in 13 bits) */
    shaped(&cfg, 9216, 3, 16);
    m = model_of(&cfg);
    cr_assert_eq(tetris_gbuf_model_geom(m)->addr_bits, 13);
    memset(&in, 0, sizeof in);
    in.port[1].addr = 7000;
    cycle(m, &in, &out);
    in.port[1].valid = 1;
    cr_assert_eq(tetris_gbuf_model_cycle(m, &in, &out), TETRIS_EINVAL);
    tetris_gbuf_model_destroy(m);

    cfg.gbuf_banks = 5; /* 9216 is not a multiple of 5 * 2 bytes */
    cr_assert_eq(tetris_gbuf_model_create(&cfg, &m), TETRIS_EINVAL);
    cr_assert_null(m);
}

/* Random traffic against a shadow memory and the arbitration rule written
 * out directly: ready iff no higher-priority valid port hits the bank; a
 * read returns the shadow row of the grant cycle one cycle later. */
Test(gbuf, random_traffic_matches_a_shadow_memory)
{
    tetris_config cfg;
    shaped(&cfg, 9216, 3, 48);
    tetris_gbuf_model *m = model_of(&cfg);
    const tetris_gbuf_geom *g = tetris_gbuf_model_geom(m);
    static uint16_t shadow[4608];
    cr_assert_eq(g->words, 4608);
    uint16_t expect[TETRIS_GBUF_PORTS][3];
    int pending[TETRIS_GBUF_PORTS] = {0};
    uint64_t s = 7;
    for (int c = 0; c < 20000; c++) {
        tetris_gbuf_in in;
        tetris_gbuf_out out;
        memset(&in, 0, sizeof in);
        for (int p = 0; p < TETRIS_GBUF_PORTS; p++) {
            /* addresses in the first 8 rows of each bank: frequent collisions */
            req(&in, p, test_rnd(&s, 0, 1), (uint32_t)test_rnd(&s, 0, 3 * 3 * 8 - 1),
                (uint32_t)test_rnd(&s, 0, 7));
            in.port[p].valid = test_rnd(&s, 0, 2) != 0;
            for (int w = 0; w < 3; w++)
                in.port[p].wdata[w] = (uint16_t)test_next(&s);
        }
        cycle(m, &in, &out);
        int bank[TETRIS_GBUF_PORTS], row;
        for (int p = 0; p < TETRIS_GBUF_PORTS; p++) {
            cr_assert_eq(out.port[p].rvalid, pending[p]);
            if (pending[p])
                cr_assert(!memcmp(out.port[p].rdata, expect[p], sizeof expect[p]));
            tetris_gbuf_locate(g, in.port[p].addr, &bank[p], &row);
            int ready = 1;
            for (int q = 0; q < p; q++)
                ready &= !(in.port[q].valid && bank[q] == bank[p]);
            cr_assert_eq(out.port[p].ready, ready);
            cr_assert_eq(out.port[p].conflict, in.port[p].valid && !ready);
        }
        for (int p = 0; p < TETRIS_GBUF_PORTS; p++) {
            int grant = in.port[p].valid && out.port[p].ready;
            uint32_t base = in.port[p].addr / 3 * 3;
            pending[p] = grant && !in.port[p].we;
            if (pending[p])
                memcpy(expect[p], &shadow[base], sizeof expect[p]);
            else if (grant)
                for (int w = 0; w < 3; w++)
                    if (in.port[p].wmask >> w & 1)
                        shadow[base + (uint32_t)w] = in.port[p].wdata[w];
        }
    }
    cr_assert(!memcmp(shadow, tetris_gbuf_model_mem(m), sizeof shadow));
    tetris_gbuf_model_destroy(m);
}
