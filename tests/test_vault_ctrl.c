/*
 * The DRAM side of tetris_vault_ctrl in libtetris (docs/vault.md): timing
 * conversion, address mapping, the near-bank adder, the DRAM command checker
 * (every rule at its exact minimum and one cycle short, every violation) and
 * the functional vault memory, and the scheduler's cycle model (whose
 * agreement with the RTL, cycle by cycle, tb/tb_vault_ctrl.cpp checks).
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "tetris.h"
#include "testutil.h"

enum { ACT = TETRIS_DRAM_ACT, RD = TETRIS_DRAM_RD, WR = TETRIS_DRAM_WR, PRE = TETRIS_DRAM_PRE,
       ACC = TETRIS_DRAM_ACC };

/* T-16 at 500 MHz: tCK 800 ps is 0.4 engine cycles; tRCD = tCL = tRP = 17 -> 7,
 * tRAS 34 -> 14, tCCD 4 -> 2, tACC = tCL + tCCD = 9. */
enum { TRCD = 7, TCL = 7, TRP = 7, TRAS = 14, TCCD = 2, TACC = 9 };

static tetris_config t16(int accum)
{
    tetris_config cfg;
    tetris_config_defaults(&cfg);
    cfg.accum = accum;
    return cfg;
}

static tetris_dram_checker *checker(int accum)
{
    tetris_config cfg = t16(accum);
    tetris_dram_checker *c = NULL;
    cr_assert_eq(tetris_dram_checker_create(&cfg, &c), TETRIS_OK);
    return c;
}

/* Apply a command that must be legal. */
static void ok(tetris_dram_checker *c, uint64_t cycle, int cmd, int bank, int row, int col)
{
    int v = tetris_dram_checker_cmd(c, cycle, cmd, bank, row, col);
    cr_assert_eq(v, TETRIS_DRAM_LEGAL, "cycle %llu: %s", (unsigned long long)cycle,
                 tetris_dram_checker_msg(c));
}

/* A command that must be rejected with code, its message containing text. */
static void bad(tetris_dram_checker *c, uint64_t cycle, int cmd, int bank, int row, int col,
                int code, const char *text)
{
    int v = tetris_dram_checker_cmd(c, cycle, cmd, bank, row, col);
    cr_assert_eq(v, code, "cycle %llu: got %d (%s)", (unsigned long long)cycle, v,
                 tetris_dram_checker_msg(c));
    cr_assert(strstr(tetris_dram_checker_msg(c), text), "\"%s\" lacks \"%s\"",
              tetris_dram_checker_msg(c), text);
}

/* ---------------------------------------------------------------- timing */

Test(vault_timing, t16_in_engine_cycles)
{
    tetris_config cfg = t16(TETRIS_ACCUM_DRAM_DIE);
    tetris_dram_timing t;
    tetris_dram_timing_of(&cfg, &t);
    cr_assert_eq(t.trcd, TRCD);
    cr_assert_eq(t.tcl, TCL);
    cr_assert_eq(t.trp, TRP);
    cr_assert_eq(t.tras, TRAS);
    cr_assert_eq(t.tccd, TCCD);
    cr_assert_eq(t.tacc, TACC);
}

Test(vault_timing, rounds_up_exact_products_stay)
{
    tetris_config cfg = t16(TETRIS_ACCUM_NONE);
    cfg.dram_tck_ps = 1000;
    cfg.clock_mhz = 1000; /* one DRAM cycle is one engine cycle */
    for (int n = 1; n <= 1000; n++)
        cr_assert_eq(tetris_dram_cycles(&cfg, n), n);
    cfg.clock_mhz = 333.3; /* 3 ns cycles: 0.3333 per 1000 ps */
    cr_assert_eq(tetris_dram_cycles(&cfg, 3), 1);
    cr_assert_eq(tetris_dram_cycles(&cfg, 4), 2);
    cfg.clock_mhz = 1;
    cfg.dram_tck_ps = 1; /* far below one engine cycle: still at least 1 */
    cr_assert_eq(tetris_dram_cycles(&cfg, 1), 1);
    cfg.clock_mhz = 2000; /* 500 ps engine cycles: 17 x 800 ps = 27.2 -> 28 */
    cfg.dram_tck_ps = 800;
    cr_assert_eq(tetris_dram_cycles(&cfg, 17), 28);
}

/* ---------------------------------------------------------------- mapping */

Test(vault_map, row_bank_column_byte)
{
    tetris_config cfg = t16(TETRIS_ACCUM_NONE); /* 32 B bursts, 256 B rows, 16 banks */
    int bank, row, col;
    cr_assert_eq(tetris_vault_addr_decode(&cfg, 0, &bank, &row, &col), TETRIS_OK);
    cr_assert(bank == 0 && row == 0 && col == 0);
    cr_assert_eq(tetris_vault_addr_decode(&cfg, 7 * 32, &bank, &row, &col), TETRIS_OK);
    cr_assert(bank == 0 && row == 0 && col == 7);
    /* the next row's worth of bytes goes to the next bank */
    cr_assert_eq(tetris_vault_addr_decode(&cfg, 256, &bank, &row, &col), TETRIS_OK);
    cr_assert(bank == 1 && row == 0 && col == 0);
    cr_assert_eq(tetris_vault_addr_decode(&cfg, 16 * 256 + 3 * 256 + 5 * 32, &bank, &row, &col),
                 TETRIS_OK);
    cr_assert(bank == 3 && row == 1 && col == 5);
    uint64_t last = 256ull * 16 * 65536 - 32;
    cr_assert_eq(tetris_vault_addr_decode(&cfg, last, &bank, &row, &col), TETRIS_OK);
    cr_assert(bank == 15 && row == 65535 && col == 7);
}

Test(vault_map, rejects_misaligned_and_outside)
{
    tetris_config cfg = t16(TETRIS_ACCUM_NONE);
    int bank, row, col;
    cr_assert_eq(tetris_vault_addr_decode(&cfg, 16, &bank, &row, &col), TETRIS_EINVAL);
    cr_assert_eq(tetris_vault_addr_decode(&cfg, 256ull * 16 * 65536, &bank, &row, &col),
                 TETRIS_EINVAL);
    cfg.dram_rows = 1 << 24; /* 64 GB: the 32-bit request address ends first */
    cr_assert_eq(tetris_vault_addr_decode(&cfg, 1ull << 32, &bank, &row, &col), TETRIS_EINVAL);
    cr_assert_eq(tetris_vault_addr_decode(&cfg, (1ull << 32) - 32, &bank, &row, &col), TETRIS_OK);
}

/* ---------------------------------------------------------------- adder */

static void put32(uint8_t *b, int lane, uint32_t v)
{
    for (int k = 0; k < 4; k++)
        b[4 * lane + k] = (uint8_t)(v >> (8 * k));
}

static uint32_t get32(const uint8_t *b, int lane)
{
    uint32_t v = 0;
    for (int k = 0; k < 4; k++)
        v |= (uint32_t)b[4 * lane + k] << (8 * k);
    return v;
}

Test(vault_accum, lanes_wrap_at_acc_bits_under_mask)
{
    tetris_arith a = {16, 24, 8};
    uint8_t mem[32], add[32];
    for (int i = 0; i < 8; i++) {
        put32(mem, i, 0x007FFFFFu); /* the largest 24-bit value */
        put32(add, i, 1);
    }
    /* 16 mask bits, two per 32-bit lane: lanes 1, 3, 4, 6 (bits 2-3, 6-7, 8-9, 12-13) */
    const unsigned lanes = 0x5A;
    uint8_t mask[2] = {0xCC, 0x33};
    tetris_dram_accum(&a, 32, mem, add, mask);
    for (int i = 0; i < 8; i++)
        cr_assert_eq(get32(mem, i), (lanes >> i) & 1 ? 0xFF800000u : 0x007FFFFFu, "lane %d", i);
    /* NULL: every lane; -2^23 + -1 wraps to 2^23 - 1 */
    for (int i = 0; i < 8; i++)
        put32(add, i, 0xFFFFFFFFu);
    tetris_dram_accum(&a, 32, mem, add, NULL);
    for (int i = 0; i < 8; i++)
        cr_assert_eq(get32(mem, i), (lanes >> i) & 1 ? 0x007FFFFFu : 0x007FFFFEu, "lane %d", i);
}

/* An accumulate sets both bits of a lane; the adder reads bit 2i only. */
Test(vault_accum, the_low_bit_of_a_lane_decides)
{
    tetris_arith a = {16, 32, 8};
    uint8_t mem[16], add[16];
    for (int i = 0; i < 4; i++) {
        put32(mem, i, 0x00010001u * (uint32_t)(i + 1));
        put32(add, i, 0x00020002u);
    }
    /* lane 0 both bits, lane 1 only bit 2 (low half), lane 2 only bit 5 (high
     * half), lane 3 none */
    uint8_t mask = 0x01 | 0x02 | 0x04 | 0x20;
    tetris_dram_accum(&a, 16, mem, add, &mask);
    cr_assert_eq(get32(mem, 0), 0x00030003u);
    cr_assert_eq(get32(mem, 1), 0x00040004u, "added whole, both halves");
    cr_assert_eq(get32(mem, 2), 0x00030003u, "bit 2i + 1 alone: unchanged");
    cr_assert_eq(get32(mem, 3), 0x00040004u);
}

Test(vault_accum, equals_acc_add_at_32_bits)
{
    tetris_arith a = {16, 32, 8};
    uint64_t s = 12345;
    for (int n = 0; n < 1000; n++) {
        uint8_t mem[16], add[16];
        uint32_t x[4], y[4];
        for (int i = 0; i < 4; i++) {
            s = s * 6364136223846793005ull + 1442695040888963407ull;
            x[i] = (uint32_t)(s >> 32);
            y[i] = (uint32_t)s;
            put32(mem, i, x[i]);
            put32(add, i, y[i]);
        }
        tetris_dram_accum(&a, 16, mem, add, NULL);
        for (int i = 0; i < 4; i++)
            cr_assert_eq(get32(mem, i), (uint32_t)tetris_acc_add(&a, (int32_t)x[i], (int32_t)y[i]));
    }
}

/* ---------------------------------------------------------------- checker: legal */

Test(vault_checker, closed_page_at_every_minimum)
{
    tetris_dram_checker *c = checker(TETRIS_ACCUM_DRAM_DIE);
    ok(c, 100, ACT, 3, 42, 0);
    ok(c, 100 + TRCD, RD, 3, 42, 1);
    ok(c, 100 + TRAS, PRE, 3, 0, 0);
    ok(c, 100 + TRAS + TRP, ACT, 3, 7, 0);
    ok(c, 100 + TRAS + TRP + TRCD, WR, 3, 7, 0);
    ok(c, 100 + TRAS + TRP + TRCD + TCCD, ACC, 3, 7, 1);
    ok(c, 100 + TRAS + TRP + TRCD + TCCD + TACC, PRE, 3, 0, 0);
    cr_assert_str_eq(tetris_dram_checker_msg(c), "");
    tetris_dram_checker_destroy(c);
}

Test(vault_checker, banks_interleave_with_tccd)
{
    tetris_dram_checker *c = checker(TETRIS_ACCUM_BANK);
    for (int b = 0; b < 16; b++)
        ok(c, (uint64_t)b, ACT, b, b, 0);
    /* one column command every tCCD, round the banks, rows held open */
    uint64_t t = 15 + TRCD;
    for (int i = 0; i < 64; i++, t += TCCD)
        ok(c, t, i % 3 == 0 ? RD : i % 3 == 1 ? WR : ACC, i % 16, i % 16, i % 8);
    tetris_dram_checker_destroy(c);
}

Test(vault_checker, open_page_row_hits)
{
    tetris_dram_checker *c = checker(TETRIS_ACCUM_NONE);
    ok(c, 0, ACT, 0, 5, 0);
    for (int i = 0; i < 8; i++)
        ok(c, (uint64_t)(TRCD + i * TCCD), i & 1 ? WR : RD, 0, 5, i);
    ok(c, (uint64_t)(TRCD + 7 * TCCD + TCCD), PRE, 0, 0, 0); /* after the last burst */
    tetris_dram_checker_destroy(c);
}

/* Closed page with row-hit look-ahead on a sequential stream, as the
 * controller issues it: one ACT per row, the row's bursts every tCCD, the
 * next bank's ACT ahead of them, the PRE after the last burst of the run;
 * and the illegal variants of the same sequence. */
Test(vault_checker, closed_page_row_hit_run)
{
    tetris_dram_checker *c = checker(TETRIS_ACCUM_NONE);
    ok(c, 0, ACT, 0, 5, 0);
    ok(c, 1, ACT, 1, 6, 0);
    for (int i = 0; i < 8; i++)
        ok(c, (uint64_t)(TRCD + i * TCCD), RD, 0, 5, i); /* cycles 7 ... 21 */
    bad(c, 22, PRE, 0, 0, 0, TETRIS_DRAM_V_TCCD, "PRE 1 cycles after RD, its burst (tCCD) is 2");
    ok(c, 23, PRE, 0, 0, 0);
    bad(c, 24, RD, 0, 5, 0, TETRIS_DRAM_V_STATE, "RD to a closed bank");
    for (int i = 0; i < 8; i++) { /* bank 1's run, cycles 24 ... 38 */
        if (i == 3) /* bank 0's next ACT in between, at cycle 31 */
            bad(c, 23 + TRP - 1, ACT, 0, 7, 0, TETRIS_DRAM_V_TRP,
                "ACT 6 cycles after PRE, tRP is 7");
        if (i == 4)
            ok(c, 23 + TRP + 1, ACT, 0, 7, 0);
        ok(c, (uint64_t)(24 + i * TCCD), RD, 1, 6, i);
    }
    ok(c, 38 + TCCD, PRE, 1, 0, 0);
    tetris_dram_checker_destroy(c);
}

Test(vault_checker, rejected_command_leaves_state)
{
    tetris_dram_checker *c = checker(TETRIS_ACCUM_NONE);
    ok(c, 10, ACT, 1, 9, 0);
    bad(c, 11, RD, 1, 9, 0, TETRIS_DRAM_V_TRCD, "tRCD");
    ok(c, 10 + TRCD, RD, 1, 9, 0); /* the rejected RD did not count for tCCD */
    tetris_dram_checker_destroy(c);
}

/* ---------------------------------------------------------------- checker: violations */

Test(vault_checker, trcd)
{
    tetris_dram_checker *c = checker(TETRIS_ACCUM_DRAM_DIE);
    ok(c, 33, ACT, 3, 1, 0);
    bad(c, 33 + TRCD - 1, RD, 3, 1, 0, TETRIS_DRAM_V_TRCD,
        "cycle 39: bank 3: RD 6 cycles after ACT, tRCD is 7");
    bad(c, 33 + TRCD - 1, WR, 3, 1, 0, TETRIS_DRAM_V_TRCD, "WR 6 cycles after ACT");
    bad(c, 33 + TRCD - 1, ACC, 3, 1, 0, TETRIS_DRAM_V_TRCD, "ACC 6 cycles after ACT");
    tetris_dram_checker_destroy(c);
}

Test(vault_checker, trp)
{
    tetris_dram_checker *c = checker(TETRIS_ACCUM_NONE);
    ok(c, 0, ACT, 2, 1, 0);
    ok(c, TRAS, PRE, 2, 0, 0);
    bad(c, TRAS + TRP - 1, ACT, 2, 1, 0, TETRIS_DRAM_V_TRP,
        "bank 2: ACT 6 cycles after PRE, tRP is 7");
    ok(c, TRAS + TRP - 1, ACT, 3, 1, 0); /* another bank is free */
    tetris_dram_checker_destroy(c);
}

Test(vault_checker, tras)
{
    tetris_dram_checker *c = checker(TETRIS_ACCUM_NONE);
    ok(c, 0, ACT, 0, 1, 0);
    bad(c, TRAS - 1, PRE, 0, 0, 0, TETRIS_DRAM_V_TRAS, "PRE 13 cycles after ACT, tRAS is 14");
    tetris_dram_checker_destroy(c);
}

Test(vault_checker, tccd_any_bank)
{
    tetris_dram_checker *c = checker(TETRIS_ACCUM_BANK);
    ok(c, 0, ACT, 0, 1, 0);
    ok(c, 1, ACT, 1, 1, 0);
    ok(c, 20, RD, 0, 1, 0);
    bad(c, 20 + TCCD - 1, WR, 1, 1, 0, TETRIS_DRAM_V_TCCD,
        "bank 1: WR 1 cycles after RD to bank 0, tCCD is 2");
    bad(c, 20 + TCCD - 1, ACC, 1, 1, 0, TETRIS_DRAM_V_TCCD, "tCCD is 2");
    ok(c, 20 + TCCD, ACC, 1, 1, 0);
    bad(c, 20 + 2 * TCCD - 1, RD, 0, 1, 0, TETRIS_DRAM_V_TCCD, "after ACC to bank 1");
    tetris_dram_checker_destroy(c);
}

Test(vault_checker, pre_waits_for_the_burst)
{
    tetris_dram_checker *c = checker(TETRIS_ACCUM_NONE);
    ok(c, 0, ACT, 4, 1, 0);
    ok(c, 40, WR, 4, 1, 0);
    bad(c, 40 + TCCD - 1, PRE, 4, 0, 0, TETRIS_DRAM_V_TCCD,
        "bank 4: PRE 1 cycles after WR, its burst (tCCD) is 2");
    ok(c, 40 + TCCD, PRE, 4, 0, 0);
    tetris_dram_checker_destroy(c);
}

Test(vault_checker, tacc_holds_the_bank)
{
    tetris_dram_checker *c = checker(TETRIS_ACCUM_DRAM_DIE);
    ok(c, 0, ACT, 5, 1, 0);
    ok(c, 1, ACT, 6, 1, 0);
    ok(c, 40, ACC, 5, 1, 2);
    ok(c, 40 + TCCD, RD, 6, 1, 0); /* other banks: only tCCD */
    bad(c, 40 + TACC - 1, RD, 5, 1, 2, TETRIS_DRAM_V_TACC,
        "bank 5: RD 8 cycles after ACC, tACC (tCL + tCCD) is 9");
    bad(c, 40 + TACC - 1, ACC, 5, 1, 2, TETRIS_DRAM_V_TACC, "ACC 8 cycles after ACC");
    bad(c, 40 + TACC - 1, PRE, 5, 0, 0, TETRIS_DRAM_V_TACC, "PRE 8 cycles after ACC");
    ok(c, 40 + TACC, RD, 5, 1, 2);
    tetris_dram_checker_destroy(c);
}

Test(vault_checker, acc_needs_a_dram_adder)
{
    int none[] = {TETRIS_ACCUM_NONE, TETRIS_ACCUM_CONTROLLER};
    const char *name[] = {"accum.location is none", "accum.location is controller"};
    for (int i = 0; i < 2; i++) {
        tetris_dram_checker *c = checker(none[i]);
        ok(c, 0, ACT, 0, 1, 0);
        bad(c, 20, ACC, 0, 1, 0, TETRIS_DRAM_V_NOACC, name[i]);
        tetris_dram_checker_destroy(c);
    }
}

Test(vault_checker, bank_state)
{
    tetris_dram_checker *c = checker(TETRIS_ACCUM_BANK);
    bad(c, 0, RD, 0, 0, 0, TETRIS_DRAM_V_STATE, "bank 0: RD to a closed bank");
    bad(c, 0, WR, 0, 0, 0, TETRIS_DRAM_V_STATE, "WR to a closed bank");
    bad(c, 0, ACC, 0, 0, 0, TETRIS_DRAM_V_STATE, "ACC to a closed bank");
    bad(c, 0, PRE, 0, 0, 0, TETRIS_DRAM_V_STATE, "PRE to a closed bank");
    ok(c, 0, ACT, 0, 8, 0);
    bad(c, 50, ACT, 0, 9, 0, TETRIS_DRAM_V_STATE, "bank 0: ACT of row 9 while row 8 is open");
    bad(c, 50, RD, 0, 9, 0, TETRIS_DRAM_V_STATE, "bank 0: RD to row 9, row 8 is open");
    bad(c, 50, ACC, 0, 7, 0, TETRIS_DRAM_V_STATE, "ACC to row 7, row 8 is open");
    tetris_dram_checker_destroy(c);
}

Test(vault_checker, command_bus)
{
    tetris_dram_checker *c = checker(TETRIS_ACCUM_NONE);
    ok(c, 10, ACT, 0, 1, 0);
    bad(c, 10, ACT, 1, 1, 0, TETRIS_DRAM_V_BUS, "the command of cycle 10");
    bad(c, 9, ACT, 1, 1, 0, TETRIS_DRAM_V_BUS, "the command of cycle 10");
    ok(c, 11, ACT, 1, 1, 0);
    tetris_dram_checker_destroy(c);
}

Test(vault_checker, out_of_range)
{
    tetris_dram_checker *c = checker(TETRIS_ACCUM_NONE);
    bad(c, 0, 0, 0, 0, 0, TETRIS_DRAM_V_CMD, "unknown DRAM command 0");
    bad(c, 0, 6, 0, 0, 0, TETRIS_DRAM_V_CMD, "unknown DRAM command 6");
    bad(c, 0, ACT, 16, 0, 0, TETRIS_DRAM_V_CMD, "ACT to bank 16, the vault has 16 banks");
    bad(c, 0, ACT, -1, 0, 0, TETRIS_DRAM_V_CMD, "bank -1");
    bad(c, 0, ACT, 0, 65536, 0, TETRIS_DRAM_V_CMD, "row 65536, banks have 65536 rows");
    ok(c, 0, ACT, 0, 65535, 0);
    bad(c, 20, RD, 0, 65535, 8, TETRIS_DRAM_V_CMD, "column 8, rows have 8 bursts");
    ok(c, 20, RD, 0, 65535, 7);
    tetris_dram_checker_destroy(c);
}

Test(vault_checker, rejects_bad_config)
{
    tetris_config cfg = t16(TETRIS_ACCUM_NONE);
    cfg.dram_banks = 0;
    tetris_dram_checker *c = (tetris_dram_checker *)&cfg;
    cr_assert_eq(tetris_dram_checker_create(&cfg, &c), TETRIS_EINVAL);
    cr_assert_null(c);
}

/* ---------------------------------------------------------------- functional memory */

Test(vault_mem, read_write_accumulate)
{
    tetris_config cfg = t16(TETRIS_ACCUM_DRAM_DIE);
    cfg.acc_bits = 20;
    tetris_vault_mem *m = NULL;
    cr_assert_eq(tetris_vault_mem_create(&cfg, &m), TETRIS_OK);
    uint8_t data[32], got[32];
    uint64_t addr = 0xABCD00; /* burst-aligned, in the 256 MB vault */
    cr_assert_eq(tetris_vault_mem_read(m, addr, got), TETRIS_OK);
    for (int i = 0; i < 32; i++)
        cr_assert_eq(got[i], 0);
    for (int i = 0; i < 8; i++)
        put32(data, i, 0x7FFFFu + (uint32_t)i); /* 2^19 - 1 + i */
    uint8_t mask[2] = {0x00, 0xFF}; /* lanes 4 .. 7: bits 8 .. 15 */
    cr_assert_eq(tetris_vault_mem_write(m, addr, data, NULL), TETRIS_OK);
    cr_assert_eq(tetris_vault_mem_accum(m, addr, data, mask), TETRIS_OK);
    cr_assert_eq(tetris_vault_mem_read(m, addr, got), TETRIS_OK);
    tetris_arith a = {16, 20, 8};
    for (int i = 0; i < 8; i++) {
        int32_t v = (int32_t)(0x7FFFFu + (uint32_t)i);
        uint32_t want = i >= 4 ? (uint32_t)tetris_acc_add(&a, v, v) : (uint32_t)v;
        cr_assert_eq(get32(got, i), want, "lane %d", i);
    }
    /* a masked write keeps the other lanes */
    for (int i = 0; i < 8; i++)
        put32(data, i, 0xDEAD0000u + (uint32_t)i);
    mask[0] = 0x03; /* both halves of lane 0 */
    mask[1] = 0x00;
    cr_assert_eq(tetris_vault_mem_write(m, addr, data, mask), TETRIS_OK);
    uint8_t again[32];
    cr_assert_eq(tetris_vault_mem_read(m, addr, again), TETRIS_OK);
    cr_assert_eq(get32(again, 0), 0xDEAD0000u);
    cr_assert_eq(memcmp(again + 4, got + 4, 28), 0);
    /* 16-bit lanes: bit 3 writes bytes 6-7 alone (an int16 word), bit 8 bytes 16-17 */
    for (int i = 0; i < 32; i++)
        data[i] = (uint8_t)(0xA0 + i);
    mask[0] = 0x08;
    mask[1] = 0x01;
    cr_assert_eq(tetris_vault_mem_write(m, addr, data, mask), TETRIS_OK);
    uint8_t third[32];
    cr_assert_eq(tetris_vault_mem_read(m, addr, third), TETRIS_OK);
    for (int i = 0; i < 32; i++) {
        int written = i == 6 || i == 7 || i == 16 || i == 17;
        cr_assert_eq(third[i], written ? data[i] : again[i], "byte %d", i);
    }
    tetris_vault_mem_destroy(m);
}

Test(vault_mem, rejects_what_the_controller_rejects)
{
    tetris_config cfg = t16(TETRIS_ACCUM_NONE);
    tetris_vault_mem *m = NULL;
    cr_assert_eq(tetris_vault_mem_create(&cfg, &m), TETRIS_OK);
    uint8_t data[32] = {1};
    cr_assert_eq(tetris_vault_mem_accum(m, 0, data, NULL), TETRIS_EINVAL); /* accum none */
    cr_assert_eq(tetris_vault_mem_write(m, 4, data, NULL), TETRIS_EINVAL);  /* misaligned */
    cr_assert_eq(tetris_vault_mem_read(m, 256ull << 20, data), TETRIS_EINVAL); /* outside */
    cr_assert_eq(tetris_vault_mem_read(m, 0, data), TETRIS_OK);
    cr_assert_eq(data[0], 0); /* nothing was written */
    tetris_vault_mem_destroy(m);
}

/* ---- the scheduler's cycle model ---- */

static tetris_vault_sched *sched(const tetris_config *cfg)
{
    tetris_vault_sched *s = NULL;
    cr_assert_eq(tetris_vault_sched_create(cfg, &s), TETRIS_OK);
    return s;
}

/* Step once with a request (or none: valid 0); returns the step. */
static tetris_vault_step step(tetris_vault_sched *s, int valid, int op, uint64_t addr)
{
    tetris_vault_step st;
    cr_assert_eq(tetris_vault_sched_step(s, valid, op, addr, &st), TETRIS_OK);
    return st;
}

Test(vault_sched, isolated_read_latency)
{
    /* docs/vault.md: T_RCD + T_CL + 3 cycles from the cycle it is taken to
     * the response when the bank is closed */
    tetris_config cfg = t16(TETRIS_ACCUM_CONTROLLER);
    tetris_vault_sched *s = sched(&cfg);
    cr_assert(tetris_vault_sched_ready(s) && tetris_vault_sched_idle(s));
    cr_assert(step(s, 1, TETRIS_VAULT_RD, 4096).taken);
    int rsp = -1;
    for (int c = 1; c < 40 && rsp < 0; c++)
        if (step(s, 0, 0, 0).rsp)
            rsp = c;
    cr_assert_eq(rsp, TRCD + TCL + 3);
    tetris_vault_sched_destroy(s);
}

Test(vault_sched, sequential_rows_take_one_act_each)
{
    /* whole rows in order, one request per cycle: one ACT and (closed page)
     * one PRE per row, one column command per T_CCD once the stream runs */
    tetris_config cfg = t16(TETRIS_ACCUM_CONTROLLER);
    tetris_vault_sched *s = sched(&cfg);
    const int rows = 32, per_row = cfg.dram_row_bytes / cfg.dram_burst_bytes;
    int n = rows * per_row, sent = 0, rsps = 0, cnt[6] = {0};
    uint64_t cyc = 0;
    while ((rsps < n || !tetris_vault_sched_idle(s)) && cyc < 100000) {
        tetris_vault_step st =
            step(s, sent < n, TETRIS_VAULT_RD, (uint64_t)sent * (uint64_t)cfg.dram_burst_bytes);
        sent += st.taken;
        rsps += st.rsp;
        cnt[st.cmd]++;
        cyc++;
    }
    for (int i = 0; i < 40; i++) /* the last precharges */
        cnt[step(s, 0, 0, 0).cmd]++;
    cr_assert_eq(rsps, n);
    cr_assert_eq(cnt[ACT], rows);
    cr_assert_eq(cnt[PRE], rows);
    cr_assert_eq(cnt[RD], n);
    cr_assert(cyc >= (uint64_t)n * TCCD && cyc <= (uint64_t)n * TCCD + 2 * (TRCD + TCL + TRP + TRAS),
              "%llu cycles for %d bursts", (unsigned long long)cyc, n);
    tetris_vault_sched_destroy(s);
}

/* A random stream with row hits, bank conflicts and accumulates: every
 * command the model issues is legal for the DRAM checker, requests complete
 * once each, and the queue never takes more than QDEPTH. */
static void random_stream(int accum, int page)
{
    tetris_config cfg = t16(accum);
    cfg.dram_page_policy = page;
    tetris_vault_sched *s = sched(&cfg);
    tetris_dram_checker *c = NULL;
    cr_assert_eq(tetris_dram_checker_create(&cfg, &c), TETRIS_OK);
    uint64_t seed = 11, row_bytes = (uint64_t)cfg.dram_row_bytes;
    int taken = 0, done = 0, reads = 0, rsps = 0, q = 0;
    const int n = 4000;
    uint64_t addr = 0;
    int op = 0, have = 0;
    for (uint64_t cyc = 0; cyc < 200000 && (done < n || !tetris_vault_sched_idle(s)); cyc++) {
        if (!have && taken < n) {
            int k = test_rnd(&seed, 0, 9);
            addr = k < 4   ? addr + (uint64_t)cfg.dram_burst_bytes
                   : k < 7 ? addr / row_bytes * row_bytes
                           : (test_next(&seed) % (1u << 22)) / 32 * 32;
            int p = test_rnd(&seed, 0, 2);
            op = p == 2 && accum == TETRIS_ACCUM_NONE ? TETRIS_VAULT_WR : p;
            have = test_rnd(&seed, 0, 3) > 0;
        }
        tetris_vault_step st;
        cr_assert_eq(tetris_vault_sched_step(s, have, op, addr, &st), TETRIS_OK);
        if (st.taken) {
            taken++;
            q++;
            reads += op == TETRIS_VAULT_RD;
            have = 0;
        }
        q -= st.done;
        done += st.done;
        rsps += st.rsp;
        cr_assert(q >= 0 && q <= TETRIS_VAULT_QDEPTH);
        if (st.cmd != TETRIS_DRAM_NOP)
            cr_assert_eq(tetris_dram_checker_cmd(c, cyc, st.cmd, st.bank, st.row, st.col),
                         TETRIS_DRAM_LEGAL, "%s", tetris_dram_checker_msg(c));
    }
    cr_assert_eq(done, n);
    cr_assert_eq(rsps, reads);
    tetris_dram_checker_destroy(c);
    tetris_vault_sched_destroy(s);
}

Test(vault_sched, random_stream_closed_controller)
{
    random_stream(TETRIS_ACCUM_CONTROLLER, TETRIS_PAGE_CLOSED);
}

Test(vault_sched, random_stream_open_dram_die)
{
    random_stream(TETRIS_ACCUM_DRAM_DIE, TETRIS_PAGE_OPEN);
}

Test(vault_sched, random_stream_no_accumulation)
{
    random_stream(TETRIS_ACCUM_NONE, TETRIS_PAGE_CLOSED);
}

Test(vault_sched, rejects_what_the_controller_rejects)
{
    tetris_config cfg = t16(TETRIS_ACCUM_NONE);
    tetris_vault_sched *s = sched(&cfg);
    tetris_vault_step st;
    cr_assert_eq(tetris_vault_sched_step(s, 1, TETRIS_VAULT_RD, 3, &st), TETRIS_EINVAL);
    cr_assert_eq(tetris_vault_sched_step(s, 1, TETRIS_VAULT_ACC, 0, &st), TETRIS_EINVAL);
    cr_assert_eq(tetris_vault_sched_step(s, 1, 3, 0, &st), TETRIS_EINVAL);
    cr_assert_eq(tetris_vault_sched_cycle(s), 0);
    tetris_vault_sched_destroy(s);
}
